"""The `events` spider: event pages and day indexes in, every cited source fetched and archived."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

import crawler as project
from crawler.capture import CAPTURES_META
from crawler.doctype import guess_kind
from crawler.eventpage import Event, parse_page
from crawler.failures import describe_failure
from crawler.items import EventItem, SourceItem
from crawler.options import CrawlOptions

logger = logging.getLogger(__name__)

#: request.meta keys this spider uses.
EVENT_DEPTH = "event_depth"
CITED_URL = "cited_url"
CITED_KIND = "cited_kind"
#: The first event that cited the source: {"event_id", "headline", "date" (ISO or None)}.
CITING_EVENT = "citing_event"

EXTRACTABLE_TYPES = ("text/html", "application/xhtml+xml")


class EventsSpider(scrapy.Spider):
    """Crawl event pages, their related events to `depth` hops, and every source they cite."""

    name = "events"

    def __init__(
        self,
        start: str | None = None,
        start_file: str | None = None,
        depth: str | None = None,
        since: str | None = None,
        until: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.options = CrawlOptions.from_args(start, start_file, depth, since, until)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Name the project and its contact URL in the User-Agent unless the user set one."""
        super().update_settings(settings)
        agent = settings.get("USER_AGENT")
        if not agent or str(agent).startswith("Scrapy/"):
            contact = settings.get("ARCHIVE_CONTACT_URL")
            settings.set(
                "USER_AGENT",
                f"event-archiver/{project.__version__} (+{contact})",
                priority="spider",
            )

    async def start(self) -> AsyncIterator[Request]:
        """Request every start URL (event pages or day indexes)."""
        for url in self.options.start_urls:
            yield self._page_request(url, depth=0)

    def _page_request(self, url: str, depth: int) -> Request:
        return Request(
            url,
            callback=self.parse_page,
            errback=self.page_failed,
            meta={EVENT_DEPTH: depth, CAPTURES_META: []},
        )

    def parse_page(self, response: Response) -> Iterator[Request | EventItem]:
        """Parse an event page or day index; yield the event and requests for what it links."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        depth = int(response.meta.get(EVENT_DEPTH, 0))
        if not isinstance(response, TextResponse):
            logger.warning(
                "Not an event page: %s is %s, not text",
                response.url,
                (response.headers.get("Content-Type") or b"?").decode("latin-1"),
            )
            stats.inc_value("events/page/not_text")
            return
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        result = parse_page(response.text, response.url, content_type)
        for warning in result.warnings:
            logger.warning("Event page %s: %s", response.url, warning)
            stats.inc_value("events/page/warning")
        if result.day_index is not None:
            stats.inc_value("events/day_index")
            for url in result.day_index.event_urls:
                yield self._page_request(url, depth)
        event = result.event
        if event is None:
            if result.day_index is None:
                if not result.warnings:
                    logger.warning("No event found on %s", response.url)
                stats.inc_value("events/page/no_event")
            return
        if not self.options.in_window(event.date):
            logger.info(
                "Event %s (%s) is outside the date window; skipped",
                event.event_id,
                event.date or "undated",
            )
            stats.inc_value("events/out_of_window")
            return
        stats.inc_value("events/archived")
        yield EventItem(event=event, depth=depth, warnings=result.warnings)
        yield from self._source_requests(event)
        if depth < self.options.depth:
            for link in event.related:
                yield self._page_request(link.url, depth + 1)

    def _source_requests(self, event: Event) -> Iterator[Request]:
        for source in event.sources:
            # Scrapy's duplicate filter drops a URL already requested for another event;
            # the citation is in the index, so that event gets the same capture.
            yield Request(
                source.url,
                callback=self.parse_source,
                errback=self.source_failed,
                meta={
                    CITED_URL: source.url,
                    CITED_KIND: source.kind,
                    CITING_EVENT: {
                        "event_id": event.event_id,
                        "headline": event.headline,
                        "date": event.date.isoformat() if event.date else None,
                    },
                    CAPTURES_META: [],
                },
            )

    def page_failed(self, failure: Failure) -> None:
        """Log an event page or day index that could not be fetched."""
        assert self.crawler.stats is not None
        request = failure.request  # type: ignore[attr-defined]
        reason, _status = describe_failure(failure)
        logger.warning("Event page %s could not be fetched: %s", request.url, reason)
        self.crawler.stats.inc_value("events/page/failed")

    def parse_source(self, response: Response) -> Iterator[SourceItem]:
        """A cited source answered: record its capture and, for documents, its text."""
        cited = response.meta[CITED_URL]
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        kind = guess_kind(response.url, content_type)
        html = None
        mime = (content_type or "").split(";")[0].strip().lower()
        if kind == "document" and isinstance(response, TextResponse) and mime in EXTRACTABLE_TYPES:
            html = response.text
        redirected = bool(response.meta.get("redirect_urls"))
        yield SourceItem(
            cited_url=cited,
            kind=kind,
            outcome="redirect" if redirected else "origin",
            final_url=response.url,
            status=response.status,
            reason=None,
            hops=list(response.meta.get(CAPTURES_META, [])),
            html=html,
            content_type=content_type,
            citing_event=response.meta.get(CITING_EVENT, {}),
        )

    def source_failed(self, failure: Failure) -> Iterator[SourceItem]:
        """A cited source could not be archived: record it as dead with the reason."""
        request = failure.request  # type: ignore[attr-defined]
        reason, status = describe_failure(failure)
        logger.warning("Source %s is dead: %s", request.meta.get(CITED_URL, request.url), reason)
        yield SourceItem(
            cited_url=request.meta.get(CITED_URL, request.url),
            kind=request.meta.get(CITED_KIND, "document"),
            outcome="dead",
            final_url=None,
            status=status,
            reason=reason,
            hops=list(request.meta.get(CAPTURES_META, [])),
            citing_event=request.meta.get(CITING_EVENT, {}),
        )
