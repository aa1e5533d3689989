"""The texts of a crawl: what each page's extraction gets, per-site statistics, the closing pass.

Cross-page boilerplate needs many pages of a site, but the pipeline sees pages one by one.
The choice made here: statistics are kept per site (registered domain) in the pipeline's
process for the length of the crawl; each page is extracted at once with the counts known
so far (so a site's first pages lose only what single-page rules catch); when the crawl
closes, every page whose text the final counts would change is extracted again from its
WARC record with the final counts, and gets a new conversion record: a page with a block that
is no longer boilerplate, or whose *text* holds a block that became boilerplate. A page whose
newly boilerplate blocks are not in its text (a byline or a widget the extractor had left out
anyway) keeps its text: on large crawls most late-found boilerplate is of that kind, and
extracting those pages again would cost a second extraction for little or nothing. The same
rule decides what `python -m archive reextract` extracts twice, so the crawl's texts are the
ones it computes from the WARC files alone (test_reextract).
Statistics are per crawl: a later incremental run starts from nothing; reextract counts
every page of the archive.

Memory stays flat however long the crawl: the per-page state (each page's block fingerprints,
what was removed, its text's fingerprints) and the document frequency of the rarer blocks
live in a scratch SQLite file beside the archive (deleted at the end); memory holds, per
site, the page count and the counts of the blocks seen on ``min_pages - 1`` pages or more
(the only ones a hint carries or a decision needs), which are then counted in memory only.
No Scrapy here: the pipeline and the `reextract` command share it.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import logging
import os
import sqlite3
import tempfile
import weakref
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.snapshots import read_snapshot
from archive.store import ArchiveStore
from crawler.boilerplate import LONG_BLOCK_WORDS, SiteHint, fingerprint, is_boilerplate
from crawler.decoding import decode_body
from crawler.domains import registered_domain
from crawler.extraction import ExtractedText
from crawler.extractpool import PAGES_PER_WORKER, ExtractionOutcome, ExtractionPool
from crawler.pagechecks import classify_extraction

__all__ = [
    "SCRATCH_FOLDER",
    "CrawlTexts",
    "PageRecord",
    "SiteCounts",
    "date_gap_days",
    "document_of",
    "load_document",
    "text_fields",
]

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Where in an archive folder the statistics' scratch files go (deleted after use).
SCRATCH_FOLDER = ".scratch"
PDF_TYPES = ("application/pdf", "application/x-pdf")


def document_of(body: bytes, content_type: str | None) -> str | bytes | None:
    """What the extractor reads: decoded text for HTML, the bytes for PDF, None otherwise."""
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in PDF_TYPES or (not mime and body[:5] == b"%PDF-"):
        return body
    if mime in HTML_TYPES:
        return decode_body(body, content_type)
    return None


def date_gap_days(published: str | None, event_date: str | None) -> int | None:
    """Days from the event's date to the publication date (negative: published before)."""
    if not published or not event_date:
        return None
    try:
        return (date.fromisoformat(published[:10]) - date.fromisoformat(event_date[:10])).days
    except ValueError:
        return None


def text_fields(
    outcome: ExtractionOutcome, event: Mapping[str, Any] | None, flag_days: int
) -> dict[str, Any]:
    """The index fields of one extraction, with the date flag against the citing event."""
    event = event or {}
    fields: dict[str, Any] = {
        "status": outcome.status,
        "reason": outcome.reason,
        "event_id": event.get("event_id"),
    }
    result = outcome.result
    if result is not None:
        gap = date_gap_days(result.date, event.get("date"))
        fields.update(
            title=result.title,
            author=result.author,
            published=result.date,
            language=result.language,
            sitename=result.sitename,
            extractor=result.extractor,
            text=result.text,
            date_gap_days=gap,
            # kept, not dropped: a far date may be a wrong date or an old background piece
            date_flag="far" if gap is not None and abs(gap) > flag_days else None,
        )
    return fields


@dataclass
class PageRecord:
    """One extracted page, as the closing pass needs it."""

    cited_url: str
    url: str
    response_record_id: str
    event: dict[str, Any]
    site: str
    key: str
    blocks: dict[str, int]
    removed: frozenset[str]
    #: fingerprints of the lines of the text it got
    text_fps: frozenset[str] = frozenset()

    def needs_again(self, final: set[str]) -> bool:
        """Would the final boilerplate set ``final`` (of this page's blocks) change its text?

        Yes when a removed block is no longer boilerplate (it may belong in the text), or
        when a block that became boilerplate is a line of the text.
        """
        if final == self.removed:
            return False
        return bool(self.removed - final) or not (final - self.removed).isdisjoint(self.text_fps)


def text_fingerprints(text: str | None) -> frozenset[str]:
    """Fingerprints of a text's non-empty lines (the same as its blocks would have)."""
    return frozenset(fingerprint(line) for line in (text or "").splitlines() if line.strip())


def remove_stale_scratch(folder: Path) -> None:
    """Delete scratch files left by processes that are gone (a killed crawl)."""
    for path in folder.glob("texts-*-*.sqlite3"):
        try:
            pid = int(path.name.split("-")[1])
        except ValueError:
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except PermissionError:  # another user's live process
            continue


#: Blocks per counting statement (two bound parameters each; SQLite allows 32766).
_UPSERT_ROWS = 400


@functools.lru_cache(maxsize=_UPSERT_ROWS)
def _upsert_sql(rows: int) -> str:
    """Add one page to the count of `rows` blocks and return each block's new count."""
    values = ",".join(["(?, ?, 1)"] * rows)
    return (
        f"INSERT INTO block VALUES {values}"  # noqa: S608 - placeholders only
        " ON CONFLICT DO UPDATE SET df = df + 1 RETURNING fp, df"
    )


class SiteCounts:
    """Block counts per site over the pages of one crawl, on disk but for the hot blocks.

    A scratch SQLite file holds each page (its blocks, what it lost, its text's lines) and
    the document frequency of every block until it is hot; memory keeps per site the number
    of distinct page keys and the counts of the hot blocks, those on ``min_pages - 1`` pages
    or more (a site's chrome: most blocks of every page), which are counted there alone.
    """

    def __init__(self, min_pages: int, folder: Path | None = None) -> None:
        self.min_pages = min_pages
        self.pages: dict[str, int] = {}  # site -> distinct page keys
        self.hot: dict[str, dict[str, int]] = {}  # site -> {fp: df} with df >= min_pages - 1
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            remove_stale_scratch(folder)
        fd, name = tempfile.mkstemp(prefix=f"texts-{os.getpid()}-", suffix=".sqlite3", dir=folder)
        os.close(fd)
        self.path = Path(name)
        self.db = sqlite3.connect(self.path)
        self.db.executescript(
            """
            PRAGMA journal_mode=OFF;
            PRAGMA synchronous=OFF;
            PRAGMA cache_size=-8000;
            CREATE TABLE block (site TEXT, fp TEXT, df INTEGER, PRIMARY KEY (site, fp))
                WITHOUT ROWID;
            CREATE TABLE pagekey (site TEXT, key TEXT, PRIMARY KEY (site, key)) WITHOUT ROWID;
            CREATE TABLE page (id INTEGER PRIMARY KEY, site TEXT, key TEXT, cited_url TEXT,
                url TEXT, record_id TEXT, event TEXT, blocks TEXT, removed TEXT, text_fps TEXT);
            CREATE INDEX page_key ON page (site, key);
            """
        )

    def close(self) -> None:
        """Delete the scratch file."""
        self.db.close()
        self.path.unlink(missing_ok=True)

    def known(self, site: str) -> bool:
        """Whether any page of ``site`` was counted."""
        return site in self.pages

    def key_blocks(self, site: str, key: str) -> set[str]:
        """The blocks of every counted page with this key (pages sharing a key count once)."""
        mine: set[str] = set()
        for (blocks,) in self.db.execute(
            "SELECT blocks FROM page WHERE site = ? AND key = ?", (site, key)
        ):
            mine.update(json.loads(blocks))
        return mine

    def add(self, page: PageRecord) -> None:
        """Count a page's blocks once per page key and keep the page for the closing pass."""
        site, key = page.site, page.key
        new_key = self.db.execute(
            "INSERT OR IGNORE INTO pagekey VALUES (?, ?)", (site, key)
        ).rowcount
        fresh = set(page.blocks) if new_key else set(page.blocks) - self.key_blocks(site, key)
        if new_key:
            self.pages[site] = self.pages.get(site, 0) + 1
        self.db.execute(
            "INSERT INTO page (site, key, cited_url, url, record_id, event, blocks, removed,"
            " text_fps) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                site,
                key,
                page.cited_url,
                page.url,
                page.response_record_id,
                json.dumps(page.event, default=str),
                json.dumps(page.blocks),
                json.dumps(sorted(page.removed)),
                json.dumps(sorted(page.text_fps)),
            ),
        )
        if not fresh:
            return
        threshold = max(1, self.min_pages - 1)
        hot = self.hot.setdefault(site, {})
        for fp in fresh & hot.keys():
            hot[fp] += 1  # a hot block is counted here only: its row is not read again
        cold = sorted(fresh - hot.keys())
        # One statement per chunk counts the other blocks and returns their new counts.
        for start in range(0, len(cold), _UPSERT_ROWS):
            chunk = cold[start : start + _UPSERT_ROWS]
            params = [value for fp in chunk for value in (site, fp)]
            for fp, df in self.db.execute(_upsert_sql(len(chunk)), params):
                if df >= threshold:
                    hot[fp] = df

    def hint(self, site: str, exclude: str | None = None) -> SiteHint:
        """Counts over the site's *other* pages of the blocks one more page could tip over."""
        hot = self.hot.get(site, {})
        if exclude is None:
            df = {fp: n for fp, n in hot.items() if n >= self.min_pages - 1}
            return SiteHint(self.pages.get(site, 0), df, self.min_pages)
        mine = self.key_blocks(site, exclude)
        others = self.pages.get(site, 0) - (1 if mine else 0)
        df = {}
        for fp, n in hot.items():
            count = n - (1 if fp in mine else 0)
            if count >= self.min_pages - 1 and count > 0:
                df[fp] = count
        return SiteHint(others, df, self.min_pages)

    def removed(self, site: str, blocks: Mapping[str, int]) -> set[str]:
        """The blocks of a counted page that are boilerplate under the current counts."""
        n = self.pages.get(site, 0)
        hot = self.hot.get(site, {})
        return {
            fp
            for fp, words in blocks.items()
            if is_boilerplate(hot.get(fp, 0), n, words, self.min_pages)
        }

    def records(self) -> Iterator[PageRecord]:
        """Every counted page, in the order it was counted."""
        for row in self.db.execute(f"SELECT {_PAGE_COLUMNS} FROM page ORDER BY id"):
            yield _page_record(row)

    def stale(self) -> list[PageRecord]:
        """The counted pages the final counts would extract differently, in counted order.

        The same answer as ``page.needs_again(self.removed(page.site, page.blocks))`` for
        every page, without building the pages that keep their text: a page's boilerplate
        can only be among its site's blocks on ``min_pages`` pages or more.
        """
        rules: dict[str, tuple[dict[str, int], int]] = {}
        stale_ids = []
        for page_id, site, blocks_json, removed_json, text_fps_json in self.db.execute(
            "SELECT id, site, blocks, removed, text_fps FROM page ORDER BY id"
        ):
            rule = rules.get(site)
            if rule is None:
                hot = self.hot.get(site, {})
                often = {fp: df for fp, df in hot.items() if df >= self.min_pages}
                rule = rules[site] = (often, -(-self.pages.get(site, 0) // 2))
            often, half = rule
            blocks: dict[str, int] = json.loads(blocks_json)
            final = {
                fp
                for fp in often.keys() & blocks.keys()
                if blocks[fp] < LONG_BLOCK_WORDS or often[fp] >= half
            }
            removed = frozenset(json.loads(removed_json))
            if final == removed:
                continue
            if removed - final or not (final - removed).isdisjoint(json.loads(text_fps_json)):
                stale_ids.append(page_id)
        pages = []
        for start in range(0, len(stale_ids), 500):
            chunk = stale_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            pages += [
                _page_record(row)
                for row in self.db.execute(
                    f"SELECT {_PAGE_COLUMNS} FROM page WHERE id IN ({marks}) ORDER BY id", chunk
                )
            ]
        return pages


_PAGE_COLUMNS = "cited_url, url, record_id, event, site, key, blocks, removed, text_fps"


def _page_record(row: tuple[Any, ...]) -> PageRecord:
    return PageRecord(
        row[0],
        row[1],
        row[2],
        json.loads(row[3]),
        row[4],
        row[5],
        json.loads(row[6]),
        frozenset(json.loads(row[7])),
        frozenset(json.loads(row[8])),
    )


def load_document(
    store: ArchiveStore, response_record_id: str
) -> tuple[str | bytes | None, str | None]:
    """(document, Content-Type) of an archived response, read back from its WARC record."""
    row = store.index.capture(response_record_id)
    if row is None:
        raise KeyError(f"record {response_record_id} is not in the index")
    folder = Path(store.root) / "warc"
    path = folder / row.warc_file
    if not path.exists() and (folder / (row.warc_file + ".open")).exists():
        path = folder / (row.warc_file + ".open")
    snapshot = read_snapshot(path, row)
    body, content_type = snapshot.body, snapshot.header("Content-Type")
    inner = _inner_response(body)
    if inner is not None:  # a WARC record fetched from an archive (Common Crawl range request)
        body, content_type = inner
    return document_of(body, content_type), content_type


def _inner_response(body: bytes) -> tuple[bytes, str | None] | None:
    """(body, Content-Type) of the HTTP response inside a WARC record, if ``body`` is one."""
    if not (body[:2] == b"\x1f\x8b" or body[:5] == b"WARC/"):
        return None
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(body))), None)
        if record is None or record.rec_type != "response" or record.http_headers is None:
            return None
        return record.content_stream().read(), record.http_headers.get_header("Content-Type")
    except (ArchiveLoadFailed, OSError, ValueError, EOFError):
        return None


#: The statistics of each running crawl (registered by the archive pipeline, which owns them),
#: so the spider can send a page's extraction options with its page checks (pagework.py).
_registry: weakref.WeakKeyDictionary[Any, CrawlTexts] = weakref.WeakKeyDictionary()


def register_texts(crawler: Any, texts: CrawlTexts | None) -> None:
    """Make ``texts`` the crawl's statistics (None: forget them)."""
    if texts is None:
        _registry.pop(crawler, None)
    else:
        _registry[crawler] = texts


def texts_for(crawler: Any) -> CrawlTexts | None:
    """The crawl's statistics, or None when no archive pipeline runs."""
    return _registry.get(crawler)


@dataclass
class CrawlTexts:
    """Per-site block statistics of one crawl and the pages extracted with them.

    ``scratch`` is the folder for the statistics' scratch file (None: the system's temporary
    folder); :meth:`close` deletes it.
    """

    min_pages: int = 3  # 0: no cross-page boilerplate removal
    flag_days: int = 14
    scratch: Path | None = None
    #: Re-extractions of the closing pass that timed out or failed, by status: those pages
    #: keep the text they have (a problem of the extraction is no new text).
    failed: Counter[str] = field(default_factory=Counter, init=False, repr=False)
    _counts: SiteCounts | None = field(default=None, init=False, repr=False)

    @property
    def counts(self) -> SiteCounts:
        """The statistics (their scratch file is made on first use)."""
        if self._counts is None:
            self._counts = SiteCounts(self.min_pages, self.scratch)
        return self._counts

    def close(self) -> None:
        """Drop the statistics and their scratch file."""
        if self._counts is not None:
            self._counts.close()
            self._counts = None

    def options(
        self, url: str, content_type: str | None, event: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """Keyword options of ``ExtractionPool.extract`` for one page."""
        options: dict[str, Any] = {"content_type": content_type}
        if event:
            options["event"] = {"headline": event.get("headline"), "date": event.get("date")}
        site = registered_domain(url)
        if self.min_pages and self._counts is not None and self._counts.known(site):
            options["site"] = self._counts.hint(site).to_dict()
        return options

    def remember(
        self,
        cited_url: str,
        url: str,
        response_record_id: str | None,
        event: Mapping[str, Any] | None,
        result: ExtractedText | None,
    ) -> None:
        """Count an extracted page's blocks for its site and keep it for the closing pass."""
        if not self.min_pages or result is None or not result.page_key or not result.blocks:
            return
        if response_record_id is None:
            return
        self.counts.add(
            PageRecord(
                cited_url,
                url,
                response_record_id,
                dict(event or {}),
                registered_domain(url),
                result.page_key,
                dict(result.blocks),
                frozenset(result.removed),
                text_fingerprints(result.text),
            )
        )

    def stale(self) -> list[PageRecord]:
        """Pages whose text the final counts would change (:meth:`PageRecord.needs_again`)."""
        if self._counts is None:
            return []
        return self._counts.stale()

    async def finish(self, pool: ExtractionPool, store: ArchiveStore) -> int:
        """Extract the stale pages again from their WARC records; return how many changed.

        A re-extraction that timed out or failed leaves its page's text as it is (logged with
        the URL and the reason, counted in :attr:`failed`).
        """
        stale = self.stale()
        if not stale:
            return 0
        store.flush()
        # Keep every worker busy: one page at a time would leave all but one core idle.
        limit = asyncio.Semaphore(max(1, pool.workers * PAGES_PER_WORKER))

        async def again(page: PageRecord) -> tuple[PageRecord, ExtractionOutcome | None]:
            async with limit:
                return page, await self.extract_again(pool, store, page)

        changed = 0
        for done in asyncio.as_completed([again(page) for page in stale]):
            page, outcome = await done
            if outcome is None:
                continue
            verdict = classify_extraction(outcome.status, page.url, outcome.reason)
            if not verdict.dead and verdict.signal != "ok":
                logger.warning(
                    "Re-extraction of %s failed (%s: %s); it keeps the text it has",
                    page.url,
                    outcome.status,
                    verdict.reason,
                )
                self.failed[outcome.status] += 1
                continue
            fields = text_fields(outcome, page.event, self.flag_days)
            store.record_text(
                page.cited_url, page.response_record_id, fields, fields.get("text"), url=page.url
            )
            changed += 1
        logger.info("Re-extracted %d pages with the crawl's final site statistics", changed)
        return changed

    async def extract_again(
        self, pool: ExtractionPool, store: ArchiveStore, page: PageRecord
    ) -> ExtractionOutcome | None:
        """One page from its WARC record with the final counts of its site (None: unreadable)."""
        try:
            document, content_type = load_document(store, page.response_record_id)
        except (KeyError, ValueError, OSError) as exc:
            logger.warning("Cannot re-extract %s: %s", page.url, exc)
            return None
        if document is None:
            return None
        options = self.options(page.url, content_type, page.event)
        if "site" in options:
            options["site"] = self.counts.hint(page.site, exclude=page.key).to_dict()
        return await pool.extract(document, page.url, **options)
