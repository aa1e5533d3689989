"""The `events` spider: event pages and day indexes in, every cited source fetched and archived."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import asdict
from typing import Any, Self

import scrapy
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

import crawler as project
from archive.index import CaptureRow
from archive.ledger import Entry
from crawler.archivefetch import slot_name
from crawler.capture import CAPTURES_META, REVALIDATE_META, REVISIT_META
from crawler.crawltexts import texts_for
from crawler.deadlinks import Verdict, classify_exception, classify_status
from crawler.doctype import guess_kind
from crawler.eventpage import Event, parse_page
from crawler.extractpool import warm_forkserver
from crawler.failures import describe_failure
from crawler.fallbackctx import context_for
from crawler.fallbacks import KNOWN_SERVICES
from crawler.healthcheck import DomainDead
from crawler.items import EventItem, SourceItem
from crawler.options import CrawlOptions
from crawler.pipelines import archive_pipeline_enabled
from crawler.recovery import SourceRecovery
from crawler.resume import frontier_for
from crawler.revalidation import archived_response

logger = logging.getLogger(__name__)

#: request.meta keys this spider uses.
EVENT_DEPTH = "event_depth"
CITED_URL = "cited_url"
CITED_KIND = "cited_kind"
#: The first event that cited the source: {"event_id", "headline", "date" (ISO or None)}.
CITING_EVENT = "citing_event"
#: The URL and role a request was admitted under in the ledger (kept across redirects).
LEDGER_URL = "ledger_url"
LEDGER_ROLE = "ledger_role"

EXTRACTABLE_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")  # extracted from the body bytes


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
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """Build the spider; a bad fallback list or FALLBACK_* setting stops the crawl here.

        With the archive pipeline on, its extraction workers' forkserver starts now: its
        imports overlap the rest of Scrapy's start-up instead of holding the first pages.
        """
        spider = super().from_crawler(crawler, *args, **kwargs)
        context_for(crawler)
        if archive_pipeline_enabled(crawler.settings):
            warm_forkserver()
        return spider

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
        # One download slot per archive service caps how many requests it gets at once.
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        concurrency = settings.getint("FALLBACK_SERVICE_CONCURRENCY")
        for service in KNOWN_SERVICES:
            slots.setdefault(slot_name(service), {"concurrency": concurrency})
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    async def start(self) -> AsyncIterator[Request]:
        """Request every start URL (event pages or day indexes), then what a resume re-seeds."""
        fallback = context_for(self.crawler)
        if fallback.config.enabled:
            logger.info(
                "Fallbacks: %(entries)d list entries, archive services %(services)s, "
                "a domain is dead after %(dead_after)d consecutive failures",
                fallback.describe(),
            )
        frontier = frontier_for(self.crawler)
        resumed = frontier.resume_entries() if frontier is not None else []
        for url in self.options.start_urls:
            request = self._page_request(url, depth=0, role="start")
            if request is not None:
                yield request
        for request in self.requests_from_ledger(resumed):
            yield request

    def requests_from_ledger(
        self, entries: Iterable[Entry], dont_filter: bool = False
    ) -> Iterator[Request]:
        """Re-create the requests of ledger entries (already admitted: no ledger check)."""
        frontier = frontier_for(self.crawler)
        for entry in entries:
            context = entry.context
            if entry.role == "source":
                yield self._make_source_request(
                    entry.url,
                    context.get(CITED_KIND, "document"),
                    context.get(CITING_EVENT, {}),
                    dont_filter,
                )
                continue
            original = frontier.last_capture(entry.url) if frontier is not None else None
            depth = int(context.get("depth", 0))
            yield self._make_page_request(entry.url, depth, entry.role, original, dont_filter)

    def _page_request(self, url: str, depth: int, role: str = "event") -> Request | None:
        """A request for an event page or day index, or None when the ledger says not again."""
        frontier = frontier_for(self.crawler)
        original = None
        if frontier is not None:
            admission = frontier.admit_page(url, role, {"depth": depth})
            if not admission.fetch:
                return None
            original = admission.original
        return self._make_page_request(url, depth, role, original)

    def _make_page_request(
        self,
        url: str,
        depth: int,
        role: str,
        original: CaptureRow | None,
        dont_filter: bool = False,
    ) -> Request:
        meta: dict[str, Any] = {
            EVENT_DEPTH: depth,
            CAPTURES_META: [],
            LEDGER_URL: url,
            LEDGER_ROLE: role,
        }
        headers: dict[str, str] = {}
        frontier = frontier_for(self.crawler)
        if original is not None and frontier is not None:
            # Revalidate against the last capture: a 304 or the same payload becomes a
            # revisit record (crawler/capture.py) and the page is re-parsed from the archive.
            headers = frontier.validators(original)
            meta[REVALIDATE_META] = asdict(original)
            meta["handle_httpstatus_list"] = [304]
        return Request(
            url,
            callback=self.parse_tracked,
            errback=self.page_failed,
            meta=meta,
            headers=headers,
            dont_filter=dont_filter,
        )

    def parse_tracked(self, response: Response) -> Iterator[Request | EventItem]:
        """Record the page in the ledger around `parse_page`; a 304 is parsed from the archive."""
        frontier = frontier_for(self.crawler)
        url = response.meta.get(LEDGER_URL, response.url)
        role = response.meta.get(LEDGER_ROLE, "event")
        if frontier is None:
            yield from self.parse_page(response)
            return
        frontier.fetched(url)
        if response.status == 304:
            original = CaptureRow(**response.meta[REVALIDATE_META])
            snapshot = frontier.read_capture(original)
            if snapshot is None:
                frontier.failed(url, role, "304 Not Modified, and the archived copy is unreadable")
                return
            response = archived_response(snapshot, response)
        unchanged = response.meta.get(REVISIT_META) is not None
        event_ids: list[str] = []
        pages = 0
        for output in self.parse_page(response):
            if isinstance(output, Request) and LEDGER_URL in output.meta:
                pages += 1
            elif isinstance(output, EventItem):
                event_id = output.event.event_id
                event_ids.append(event_id)
                if unchanged and frontier.has_event(event_id):
                    continue  # the same page as archived: the event is indexed already
            yield output
        frontier.page_done(url, "day_index" if pages and not event_ids else role, event_ids)

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
                if (request := self._page_request(url, depth)) is not None:
                    yield request
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
                if (request := self._page_request(link.url, depth + 1)) is not None:
                    yield request

    def _source_requests(self, event: Event) -> Iterator[Request]:
        citing = {
            "event_id": event.event_id,
            "headline": event.headline,
            "date": event.date.isoformat() if event.date else None,
        }
        frontier = frontier_for(self.crawler)
        for source in event.sources:
            # A URL requested for another event, or archived in an earlier run, is not
            # requested again; the citation is in the index, so this event gets its capture.
            if frontier is not None:
                context = {CITED_KIND: source.kind, CITING_EVENT: citing}
                if not frontier.admit_source(source.url, context).fetch:
                    continue
            yield self._make_source_request(source.url, source.kind, citing)

    def _make_source_request(
        self, url: str, kind: str, citing: dict[str, Any], dont_filter: bool = False
    ) -> Request:
        return Request(
            url,
            callback=self.parse_source,
            errback=self.source_failed,
            meta={
                CITED_URL: url,
                CITED_KIND: kind,
                CITING_EVENT: citing,
                CAPTURES_META: [],
            },
            dont_filter=dont_filter,
        )

    def page_failed(self, failure: Failure) -> None:
        """Log an event page or day index that could not be fetched."""
        assert self.crawler.stats is not None
        request = failure.request  # type: ignore[attr-defined]
        reason, _status = describe_failure(failure)
        logger.warning("Event page %s could not be fetched: %s", request.url, reason)
        self.crawler.stats.inc_value("events/page/failed")
        frontier = frontier_for(self.crawler)
        if frontier is not None:
            url = request.meta.get(LEDGER_URL, request.url)
            frontier.failed(url, request.meta.get(LEDGER_ROLE, "event"), reason)

    def _recovery(self, meta: dict[str, Any], url: str) -> SourceRecovery:
        return SourceRecovery(
            context_for(self.crawler),
            self.crawler.engine.download_async,  # type: ignore[union-attr]
            meta.get(CITED_URL, url),
            meta.get(CITED_KIND, "document"),
            meta.get(CITING_EVENT, {}),
        )

    async def parse_source(self, response: Response) -> AsyncIterator[SourceItem]:
        """A cited source answered: its capture and text, or the fallbacks if it is no article."""
        cited = response.meta[CITED_URL]
        if (frontier := frontier_for(self.crawler)) is not None:
            frontier.fetched(cited)
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1") or None
        kind = guess_kind(response.url, content_type)
        html = None
        mime = (content_type or "").split(";")[0].strip().lower()
        if kind == "document" and isinstance(response, TextResponse) and mime in EXTRACTABLE_TYPES:
            html = response.text
        pdf = response.body if kind == "document" and mime in PDF_TYPES else None
        redirected = bool(response.meta.get("redirect_urls"))
        item = SourceItem(
            cited_url=cited,
            kind=kind,
            outcome="redirect" if redirected else "origin",
            final_url=response.url,
            status=response.status,
            reason=None,
            hops=list(response.meta.get(CAPTURES_META, [])),
            html=html,
            body=pdf,
            content_type=content_type,
            citing_event=response.meta.get(CITING_EVENT, {}),
        )
        if not context_for(self.crawler).config.enabled:
            yield item
            return
        recovery = self._recovery(response.meta, response.url)
        texts = texts_for(self.crawler)
        options = (
            texts.options(response.url, content_type, item.citing_event)
            if texts is not None and html is not None
            else None
        )
        verdict = await recovery.check_origin(response, html, extract=options)
        if verdict.dead:
            logger.warning("Source %s is not the article: %s", cited, verdict.reason)
            recovery.origin_failed(response.url, response.status, verdict, item.hops)
            yield await recovery.run()
            return
        if html is not None:
            recovery.origin_accepted(response.url, response.status)
            item.recover = recovery.after_empty
            item.fallback = recovery.chain
            item.extracted = recovery.extracted
        yield item

    async def source_failed(self, failure: Failure) -> AsyncIterator[SourceItem]:
        """A cited source could not be fetched: try the fallbacks, else record it dead."""
        request = failure.request  # type: ignore[attr-defined]
        cited = request.meta.get(CITED_URL, request.url)
        reason, status = describe_failure(failure)
        hops = list(request.meta.get(CAPTURES_META, []))
        logger.warning("Source %s could not be fetched: %s", cited, reason)
        if not context_for(self.crawler).config.enabled:
            yield SourceItem(
                cited_url=cited,
                kind=request.meta.get(CITED_KIND, "document"),
                outcome="dead",
                final_url=None,
                status=status,
                reason=reason,
                hops=hops,
                citing_event=request.meta.get(CITING_EVENT, {}),
            )
            return
        recovery = self._recovery(request.meta, request.url)
        recovery.origin_failed(request.url, status, failure_verdict(failure, reason), hops)
        yield await recovery.run()


def failure_verdict(failure: Failure, reason: str) -> Verdict:
    """The dead-link verdict for a failed source request (HTTP status or download error)."""
    exc = failure.value
    if isinstance(exc, HttpError):
        squid = exc.response.headers.get(b"X-Squid-Error")
        verdict = classify_status(exc.response.status, squid.decode("latin-1") if squid else None)
        return Verdict(True, verdict.signal, reason, verdict.hard)
    if exc is None:
        return Verdict(True, "error", reason)
    if isinstance(exc, DomainDead):
        return Verdict(True, "listed_dead" if exc.listed else "dead_domain", exc.reason)
    verdict = classify_exception(exc)
    return Verdict(True, verdict.signal, verdict.reason if verdict.signal != "error" else reason)
