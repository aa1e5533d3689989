"""The `portal` spider: Current Events Portal day (or month) pages for a date range, every bullet
an event whose sources are fetched and archived exactly as the `events` spider does."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.eventpage import ParseResult
from crawler.items import EventItem
from crawler.options import OptionError
from crawler.portal import parse_portal
from crawler.portalurls import PortalPlan
from spiders.events import EventsSpider

logger = logging.getLogger(__name__)

#: Arguments of the events spider that the portal spider replaces with its date range.
_EVENTS_ONLY = ("start", "start_file", "depth", "since", "until")


class PortalSpider(EventsSpider):
    """`scrapy crawl portal -a from=YYYY-MM-DD [-a to=…] [-a pages=day|month] [-a portal=URL]`.

    Related links of portal events (the topic articles) are recorded, not followed.
    """

    name = "portal"

    def __init__(self, **kwargs: Any) -> None:
        for name in _EVENTS_ONLY:
            if name in kwargs:
                raise OptionError(
                    f"-a {name}: the portal spider takes -a from=YYYY-MM-DD -a to=YYYY-MM-DD "
                    "(and -a pages=day|month, -a portal=BASE_URL); use `scrapy crawl events` "
                    "for start URLs"
                )
        plan = PortalPlan.from_args(
            kwargs.pop("from", None),
            kwargs.pop("to", None),
            kwargs.pop("portal", None),
            kwargs.pop("pages", None),
        )
        super().__init__(
            start=",".join(plan.urls()),
            depth="0",
            since=plan.first.isoformat(),
            until=plan.last.isoformat(),
            **kwargs,
        )
        self.plan = plan

    def parse_page(self, response: Response) -> Iterator[Request | EventItem]:
        """Parse a portal page; yield each bullet's event in the date range and its sources."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            logger.warning("Not a portal page: %s is not text", response.url)
            stats.inc_value("portal/page/not_text")
            return
        page = parse_portal(response.text, response.url)
        stats.inc_value("portal/pages")
        for warning in page.warnings:
            logger.warning("Portal page %s: %s", response.url, warning)
            stats.inc_value("portal/page/warning")
        if not page.events:
            stats.inc_value("portal/page/no_event")
        for result in page.results:
            for warning in result.warnings:
                logger.warning("Portal page %s: %s", response.url, _named(result, warning))
                stats.inc_value("portal/bullet/warning")
            event = result.event
            if event is None:
                continue
            if not self.options.in_window(event.date):
                stats.inc_value("portal/out_of_window")
                continue
            stats.inc_value("portal/events")
            yield EventItem(event=event, depth=0, warnings=result.warnings)
            yield from self._source_requests(event)


def _named(result: ParseResult, warning: str) -> str:
    """A bullet warning prefixed with the event id it concerns, when there is one."""
    return f"{result.event.event_id}: {warning}" if result.event is not None else warning
