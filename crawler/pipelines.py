"""The archive pipeline: events and source outcomes to the index, texts to conversion records."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

from archive.store import ArchiveStore
from crawler.capture import store_for
from crawler.config import ArchiveConfig
from crawler.crawltexts import SCRATCH_FOLDER, CrawlTexts, register_texts, text_fields
from crawler.deadlinks import classify_extraction
from crawler.eventtexts import write_texts_in_pool
from crawler.extractpool import ExtractionOutcome, ExtractionPool, register_pool
from crawler.items import EventItem, SourceItem
from crawler.resume import frontier_for

logger = logging.getLogger(__name__)


def archive_pipeline_enabled(settings: BaseSettings) -> bool:
    """Whether a crawl with these settings runs :class:`ArchivePipeline` (and its pool)."""
    return any(
        load_object(path) is ArchivePipeline
        for path in build_component_list(settings.getwithbase("ITEM_PIPELINES"))
    )


class ArchivePipeline:
    """Index events and citations; extract each document source's text off the reactor thread."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = ArchiveConfig.from_settings(crawler.settings)
        self.stats = crawler.stats
        self.store: ArchiveStore | None = None
        self.pool: ExtractionPool | None = None
        self._starting: asyncio.Task[bool] | None = None
        self.test_delay = crawler.settings.getfloat("ARCHIVE_EXTRACT_TEST_DELAY")
        # per-site block statistics and date flags (crawler/crawltexts.py)
        self.texts = CrawlTexts(
            min_pages=crawler.settings.getint("ARCHIVE_BOILERPLATE_MIN_PAGES"),
            flag_days=crawler.settings.getint("ARCHIVE_DATE_FLAG_DAYS"),
            scratch=self.config.archive_dir / SCRATCH_FOLDER,
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        """Build the pipeline for a crawl."""
        return cls(crawler)

    def open_spider(self) -> None:
        """Open the archive store and start the extraction pool."""
        self.store = store_for(self.crawler)
        self.pool = ExtractionPool(
            workers=self.config.extract_workers,
            timeout=self.config.extract_timeout,
            nice=self.config.extract_nice,
        )
        register_pool(self.crawler, self.pool)  # the spider's page checks run there too
        register_texts(self.crawler, self.texts)  # and extract what passes (pagework.py)
        # Start the workers now: the forkserver's imports overlap the first fetches instead
        # of holding the first pages (a failed start is retried and reported by a page).
        with contextlib.suppress(RuntimeError):  # no running loop: start with the first page
            self._starting = asyncio.get_running_loop().create_task(self.pool.start())

    async def close_spider(self) -> None:
        """Re-extract pages the final site statistics change; write the event text files
        with the workers; stop them; flush."""
        if self.pool is not None and self.store is not None and self.stats is not None:
            changed = await self.texts.finish(self.pool, self.store)
            self.stats.inc_value("archive/text/reextracted", changed)
            for status, count in self.texts.failed.items():
                self.stats.inc_value(f"archive/text/reextract_failed/{status}", count)
            self.store.flush()  # the text files are written from the committed index
            written = await write_texts_in_pool(self.pool, self.store.root)
            self.store.texts_written = True
            logger.info("Wrote %d event text records under %s", written, self.store.root / "texts")
        register_texts(self.crawler, None)
        self.texts.close()
        if self.pool is not None:
            register_pool(self.crawler, None)
            self.pool.close()
        if self.store is not None:
            self.store.flush()

    async def process_item(self, item: Any) -> Any:
        """Record an EventItem or a SourceItem; other items pass through."""
        if isinstance(item, EventItem):
            self._add_event(item)
        elif isinstance(item, SourceItem):
            await self._add_source(item)
        return item

    def _add_event(self, item: EventItem) -> None:
        assert self.store is not None and self.stats is not None
        event = item.event
        # An `event` fact record in derived/, applied to the index (archive/facts.py).
        self.store.record_event(
            {
                "event_id": event.event_id,
                "url": event.url,
                "date": event.date.isoformat() if event.date else None,
                "headline": event.headline,
                "lede": event.lede,
                "day_index_url": event.day_index_url,
                "depth": item.depth,
                "sources": [
                    {"position": s.position, "label": s.label, "url": s.url, "kind": s.kind}
                    for s in event.sources
                ],
                "related": [
                    {"position": n, "url": r.url, "summary": r.summary, "context": list(r.context)}
                    for n, r in enumerate(event.related, 1)
                ],
                "warnings": list(item.warnings),
            }
        )
        self.stats.inc_value("archive/events")

    async def _add_source(self, item: SourceItem) -> None:
        assert self.store is not None and self.stats is not None and self.pool is not None
        response_id = item.hops[-1]["record_id"] if item.hops and item.outcome != "dead" else None
        text_fields: dict[str, Any] | None = None
        text: str | None = None
        document = item.html if item.html is not None else item.body
        if document is not None and item.final_url:
            outcome = await self._extract(item, document, item.final_url)
            text_fields = self._text_fields(outcome, item.citing_event)
            text = text_fields.get("text")
            self._count_text(outcome, text_fields)
            verdict = classify_extraction(outcome.status, item.final_url, outcome.reason)
            if verdict.dead:
                # No article text, and trafilatura's plain result on the page is empty too:
                # a dead-link signal; the fallback chain may have a better copy.
                if item.recover is not None:
                    better = await item.recover(verdict.reason)
                    if better is not None:
                        return await self._add_source(better)
                logger.warning(
                    "No article text at %s (trafilatura found none either); the copy is kept",
                    item.final_url,
                )
            elif verdict.signal != "ok":
                # A problem of the extraction, not of the page: never a reason to look for
                # another copy (crawler.deadlinks.classify_extraction).
                logger.warning(
                    "Extraction problem at %s (%s: %s); the copy is kept without text",
                    item.final_url,
                    outcome.status,
                    verdict.reason,
                )
        # A `source` fact (and a `text` fact with a conversion record) in derived/, applied
        # to the index (archive/facts.py): the index can be rebuilt from the WARC files.
        self.store.record_source(
            {
                "url": item.cited_url,
                "kind": item.kind,
                "outcome": item.outcome,
                "final_url": item.final_url,
                "status": item.status,
                "reason": item.reason,
                "response_record_id": response_id,
                "hops": item.hops,
                # Provenance of fallback copies (SPEC §5): archive service, snapshot date,
                # days from the event's date, and every fallback step tried.
                "service": item.service,
                "snapshot_date": item.snapshot_date,
                "snapshot_distance_days": item.distance_days,
                "fallback": item.fallback,
                "event_ids": self.store.index.event_ids_citing(item.cited_url),
            },
            text_fields,
            text,
        )
        if text_fields is not None and item.final_url:
            self.texts.remember(
                item.cited_url, item.final_url, response_id, item.citing_event, outcome.result
            )
        self.stats.inc_value(f"archive/sources/{item.outcome}")
        frontier = frontier_for(self.crawler)
        if frontier is not None:  # after the `source` fact is committed (crawler/resume.py)
            frontier.source_done(item.cited_url, item.outcome, item.reason)

    async def _extract(
        self, item: SourceItem, document: str | bytes, url: str
    ) -> ExtractionOutcome:
        """The extraction outcome of a copy: done with its page checks, else in the pool."""
        assert self.pool is not None and self.stats is not None
        if self.test_delay > 0:  # tests only: hold the page in extraction (a kill target)
            await asyncio.sleep(self.test_delay)
        if item.extracted is not None:  # done with the page checks (crawler/pagework.py)
            self.stats.inc_value("archive/text/with_page_checks")
            return item.extracted
        options = self.texts.options(url, item.content_type, item.citing_event)
        return await self.pool.extract(document, url, **options)

    def _count_text(self, outcome: ExtractionOutcome, fields: dict[str, Any]) -> None:
        """Stats of one extraction: its status, a far date, and why the floor applied."""
        assert self.stats is not None
        self.stats.inc_value(f"archive/text/{outcome.status}")
        if fields.get("date_flag"):
            self.stats.inc_value("archive/text/date_far")
        floor = outcome.result.floor if outcome.result is not None else None
        if floor is not None:  # trafilatura's plain result replaced ours (crawler/extraction.py)
            self.stats.inc_value(f"archive/text/floor/{floor}")

    def _text_fields(self, outcome: ExtractionOutcome, event: dict[str, Any]) -> dict[str, Any]:
        return text_fields(outcome, event, self.texts.flag_days)
