"""The archive pipeline: events and source outcomes to the index, texts to conversion records."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from archive.store import ArchiveStore
from crawler.capture import store_for
from crawler.config import ArchiveConfig
from crawler.extractpool import ExtractionOutcome, ExtractionPool
from crawler.items import EventItem, SourceItem

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Index events and citations; extract each document source's text off the reactor thread."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = ArchiveConfig.from_settings(crawler.settings)
        self.stats = crawler.stats
        self.store: ArchiveStore | None = None
        self.pool: ExtractionPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        """Build the pipeline for a crawl."""
        return cls(crawler)

    def open_spider(self) -> None:
        """Open the archive store and the (lazily started) extraction pool."""
        self.store = store_for(self.crawler)
        self.pool = ExtractionPool(
            workers=self.config.extract_workers, timeout=self.config.extract_timeout
        )

    def close_spider(self) -> None:
        """Stop the extraction workers and push WARC bytes to the OS."""
        if self.pool is not None:
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
        self.store.index.add_event(
            event_id=event.event_id,
            url=event.url,
            date=event.date.isoformat() if event.date else None,
            headline=event.headline,
            lede=event.lede,
            day_index_url=event.day_index_url,
            depth=item.depth,
            seen=self.store.now(),
            sources=[(s.position, s.label, s.url, s.kind) for s in event.sources],
            related=[(n, r.url, r.summary, r.context) for n, r in enumerate(event.related, 1)],
            warnings=item.warnings,
        )
        self.stats.inc_value("archive/events")

    async def _add_source(self, item: SourceItem) -> None:
        assert self.store is not None and self.stats is not None and self.pool is not None
        response_id = item.hops[-1]["record_id"] if item.hops and item.outcome != "dead" else None
        text_fields: dict[str, Any] | None = None
        text: str | None = None
        if item.html is not None and item.final_url:
            outcome = await self.pool.extract(item.html, item.final_url)
            text_fields = self._text_fields(outcome)
            text = text_fields.get("text")
            self.stats.inc_value(f"archive/text/{outcome.status}")
            if outcome.status != "ok":
                logger.warning("No text from %s: %s", item.final_url, outcome.reason)
        events = self.store.index.event_ids_citing(item.cited_url)
        metadata = {
            "event-id": events,
            "cited-url": item.cited_url,
            "provenance": item.outcome,
            "archived-url": item.final_url,
            "hop": [f"{h['status']} {h['url']}" for h in item.hops],
            "reason": item.reason,
        }
        _meta_row, conv_row = self.store.write_derived(
            item.final_url or item.cited_url, response_id, metadata, text
        )
        self.store.index.set_source(
            url=item.cited_url,
            kind=item.kind,
            outcome=item.outcome,
            final_url=item.final_url,
            status=item.status,
            reason=item.reason,
            response_record_id=response_id,
            hops=item.hops,
            updated=self.store.now(),
        )
        if text_fields is not None:
            text_fields["response_record_id"] = response_id
            text_fields["conversion_record_id"] = conv_row.record_id if conv_row else None
            self.store.index.set_text(url=item.cited_url, fields=text_fields)
        self.stats.inc_value(f"archive/sources/{item.outcome}")

    @staticmethod
    def _text_fields(outcome: ExtractionOutcome) -> dict[str, Any]:
        fields: dict[str, Any] = {"status": outcome.status, "reason": outcome.reason}
        if outcome.result is not None:
            result = outcome.result
            fields.update(
                title=result.title,
                author=result.author,
                published=result.date,
                language=result.language,
                sitename=result.sitename,
                extractor=result.extractor,
                text=result.text,
            )
        return fields
