"""Re-extraction: every text of an archive recomputed from its WARC records (no crawl, no network).

For each text in the index, the response record it was extracted from is read back, decoded
as the crawl decoded it, and extracted again with the current extractor, the same citing
event, and the per-site block statistics of every page in the archive (two passes: the
first counts the blocks, the second re-extracts the pages those counts change). Each result
is written as a new conversion record with a `text` fact (``ArchiveStore.record_text``), so
the index follows and `reindex` reproduces it. Used by ``python -m archive reextract``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.store import ArchiveStore
from crawler.crawltexts import (
    SCRATCH_FOLDER,
    CrawlTexts,
    PageRecord,
    load_document,
    text_fields,
)
from crawler.extractpool import ExtractionOutcome, ExtractionPool

__all__ = ["ReextractReport", "TextSource", "reextract_archive", "text_sources"]

logger = logging.getLogger(__name__)

_BATCH = 64  # pages in flight at once (the pool itself runs `workers` of them)


@dataclass(frozen=True)
class TextSource:
    """One text to recompute: its cited URL, the archived URL and response, its event."""

    cited_url: str
    url: str
    response_record_id: str
    event: dict[str, Any]
    old_text: str | None


@dataclass
class ReextractReport:
    """What a re-extraction did."""

    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    unreadable: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return dict(self.__dict__)


def _event(store: ArchiveStore, event_id: str | None, cited_url: str) -> dict[str, Any]:
    """The event that guided the extraction (the crawl's citing event, else the first citing)."""
    ids = [event_id] if event_id else store.index.event_ids_citing(cited_url)[:1]
    for eid in ids:
        row = store.index.event(eid)
        if row is not None:
            return {"event_id": row["event_id"], "headline": row["headline"], "date": row["date"]}
    return {}


def text_sources(store: ArchiveStore) -> Iterator[TextSource]:
    """Every text of the index that was extracted from an archived response, in URL order."""
    rows = store.index.db.execute(
        "SELECT s.url, s.final_url, t.response_record_id, t.event_id, t.text"
        " FROM texts t JOIN sources s ON s.url_key = t.url_key"
        " WHERE t.response_record_id IS NOT NULL ORDER BY s.url"
    ).fetchall()
    for row in rows:
        yield TextSource(
            cited_url=row[0],
            url=row[1] or row[0],
            response_record_id=row[2],
            event=_event(store, row[3], row[0]),
            old_text=row[4],
        )


async def _first_pass(
    store: ArchiveStore, pool: ExtractionPool, texts: CrawlTexts, sources: list[TextSource]
) -> dict[str, ExtractionOutcome]:
    """Extract every page without site statistics, counting its blocks for its site."""
    outcomes: dict[str, ExtractionOutcome] = {}

    async def one(source: TextSource) -> None:
        try:
            document, content_type = load_document(store, source.response_record_id)
        except (KeyError, ValueError, OSError) as exc:
            logger.warning("Cannot read %s from the archive: %s", source.url, exc)
            return
        if document is None:
            return
        options = texts.options(source.url, content_type, source.event)
        options.pop("site", None)
        outcome = await pool.extract(document, source.url, **options)
        outcomes[source.cited_url] = outcome
        texts.remember(
            source.cited_url, source.url, source.response_record_id, source.event, outcome.result
        )

    for start in range(0, len(sources), _BATCH):
        await asyncio.gather(*(one(s) for s in sources[start : start + _BATCH]))
    return outcomes


async def _second_pass(
    store: ArchiveStore, pool: ExtractionPool, texts: CrawlTexts, outcomes: dict[str, Any]
) -> None:
    """Extract again the pages whose site's statistics change what is boilerplate."""
    stale = texts.stale()

    async def one(page: PageRecord) -> None:
        outcome = await texts.extract_again(pool, store, page)
        if outcome is not None:
            outcomes[page.cited_url] = outcome

    for start in range(0, len(stale), _BATCH):
        await asyncio.gather(*(one(p) for p in stale[start : start + _BATCH]))


async def reextract_archive(
    root: Path,
    *,
    workers: int = 2,
    timeout: float = 20.0,
    min_pages: int = 3,
    flag_days: int = 14,
) -> ReextractReport:
    """Recompute every text of the archive at ``root``; write new conversion records."""
    report = ReextractReport()
    store = ArchiveStore(Path(root))
    try:
        sources = list(text_sources(store))
        texts = CrawlTexts(
            min_pages=min_pages, flag_days=flag_days, scratch=Path(root) / SCRATCH_FOLDER
        )
        try:
            with ExtractionPool(workers=workers, timeout=timeout) as pool:
                outcomes = await _first_pass(store, pool, texts, sources)
                await _second_pass(store, pool, texts, outcomes)
        finally:
            texts.close()
        for source in sources:
            report.pages += 1
            outcome = outcomes.get(source.cited_url)
            if outcome is None:
                report.unreadable += 1
                continue
            fields = text_fields(outcome, source.event, flag_days)
            text = fields.get("text")
            store.record_text(
                source.cited_url, source.response_record_id, fields, text, url=source.url
            )
            report.statuses[outcome.status] = report.statuses.get(outcome.status, 0) + 1
            if text == source.old_text:
                report.unchanged += 1
            else:
                report.changed += 1
    finally:
        store.close()
    return report
