"""The texts of a crawl: what each page's extraction gets, per-site statistics, the closing pass.

Cross-page boilerplate needs many pages of a site, but the pipeline sees pages one by one.
The choice made here: statistics are kept per site (registered domain) in the pipeline's
process for the length of the crawl; each page is extracted at once with the counts known
so far (so a site's first pages lose only what single-page rules catch); when the crawl
closes, every page whose boilerplate decision changed since is extracted again from its WARC
record with the final counts, and gets a new conversion record. The final texts are thus
the ones `python -m archive reextract` computes from the WARC files alone (test_reextract).
Statistics are per crawl: a later incremental run starts from nothing; reextract counts
every page of the archive. Memory: the fingerprints of each extracted page (a few KB).
No Scrapy here: the pipeline and the `reextract` command share it.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.snapshots import read_snapshot
from archive.store import ArchiveStore
from crawler.boilerplate import SiteStats
from crawler.decoding import decode_body
from crawler.domains import registered_domain
from crawler.extraction import ExtractedText
from crawler.extractpool import ExtractionOutcome, ExtractionPool

__all__ = [
    "CrawlTexts",
    "PageRecord",
    "date_gap_days",
    "document_of",
    "load_document",
    "text_fields",
]

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
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


@dataclass
class CrawlTexts:
    """Per-site block statistics of one crawl and the pages extracted with them."""

    min_pages: int = 3  # 0: no cross-page boilerplate removal
    flag_days: int = 14
    sites: dict[str, SiteStats] = field(default_factory=dict)
    pages: list[PageRecord] = field(default_factory=list)

    def options(
        self, url: str, content_type: str | None, event: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """Keyword options of ``ExtractionPool.extract`` for one page."""
        options: dict[str, Any] = {"content_type": content_type}
        if event:
            options["event"] = {"headline": event.get("headline"), "date": event.get("date")}
        stats = self.sites.get(registered_domain(url))
        if self.min_pages and stats is not None:
            options["site"] = stats.hint().to_dict()
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
        site = registered_domain(url)
        stats = self.sites.setdefault(site, SiteStats(self.min_pages))
        stats.add(result.page_key, result.blocks)
        self.pages.append(
            PageRecord(
                cited_url,
                url,
                response_record_id,
                dict(event or {}),
                site,
                result.page_key,
                dict(result.blocks),
                frozenset(result.removed),
            )
        )

    def stale(self) -> list[PageRecord]:
        """Pages whose boilerplate decision under the final counts differs from the one used."""
        return [p for p in self.pages if self.sites[p.site].removed(p.blocks) != p.removed]

    async def finish(self, pool: ExtractionPool, store: ArchiveStore) -> int:
        """Extract the stale pages again from their WARC records; return how many changed."""
        stale = self.stale()
        if not stale:
            return 0
        store.flush()
        # Keep every worker busy: one page at a time would leave all but one core idle.
        limit = asyncio.Semaphore(max(1, pool.workers * 2))

        async def again(page: PageRecord) -> tuple[PageRecord, ExtractionOutcome | None]:
            async with limit:
                return page, await self.extract_again(pool, store, page)

        changed = 0
        for done in asyncio.as_completed([again(page) for page in stale]):
            page, outcome = await done
            if outcome is None:
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
            options["site"] = self.sites[page.site].hint(exclude=page.key).to_dict()
        return await pool.extract(document, page.url, **options)
