"""Domain health at the wire: Scrapy's HTTP/1.1 download handler, checked and counted.

Downloader middlewares run before a request waits in its download slot, so a check there
lets through every request queued before a domain was found dead. This handler checks at
the last moment, right before the request goes on the wire, and counts every attempt's
outcome (retries and robots.txt included). While a domain has not answered yet in this
crawl (or failed since), one attempt at a time reaches it, so a dead domain costs at most
FALLBACK_DEAD_AFTER attempts; a domain that dies mid-crawl costs at most that plus the
requests already on the wire. Requests to a dead domain, or to a domain listed
`dead = true`, fail with `DomainDead` (an IgnoreRequest: not retried) and go to the
fallbacks; robots.txt requests get a plain IgnoreRequest, which Scrapy treats as "no rules".
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from crawler.deadlinks import classify_exception, classify_status
from crawler.domains import registered_domain
from crawler.fallbackctx import FallbackContext, context_for

logger = logging.getLogger(__name__)


class DomainDead(IgnoreRequest):
    """A request not sent because its domain is dead for this crawl or listed dead."""

    def __init__(self, domain: str, reason: str, listed: bool = False) -> None:
        super().__init__(reason)
        self.domain = domain
        self.reason = reason
        self.listed = listed  # listed `dead = true`, rather than found dead in this crawl


def is_robots_request(request: Request) -> bool:
    """True for the robots.txt requests of Scrapy's RobotsTxtMiddleware."""
    return bool(request.meta.get("dont_obey_robotstxt")) and (
        urlparse_cached(request).path == "/robots.txt"
    )


class HealthCheckedDownloadHandler(HTTP11DownloadHandler):
    """HTTP(S) downloads that skip dead domains and count each attempt's outcome."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # Through an HTTP proxy every request shares one connection-pool key (the proxy),
        # so Scrapy's cap of CONCURRENT_REQUESTS_PER_DOMAIN idle connections per key would
        # close most of them after one response and connect again for the next request.
        # Direct requests never have more than that per host in flight: no change there.
        self._pool.maxPersistentPerHost = max(
            self._pool.maxPersistentPerHost, crawler.settings.getint("CONCURRENT_REQUESTS")
        )

    async def download_request(self, request: Request) -> Response:
        """Refuse requests to dead domains; otherwise download and record the outcome."""
        ctx = context_for(self._crawler)
        if not ctx.config.enabled:
            return await super().download_request(request)
        domain = registered_domain(request.url)
        robots = is_robots_request(request)
        self._refuse_if_dead(ctx, request, domain, robots)
        if ctx.health.is_proven(domain):
            return await self._attempt(ctx, request, domain, robots)
        async with ctx.gate(domain):
            self._refuse_if_dead(ctx, request, domain, robots)
            return await self._attempt(ctx, request, domain, robots)

    def _refuse_if_dead(
        self, ctx: FallbackContext, request: Request, domain: str, robots: bool
    ) -> None:
        entry = ctx.fallbacks.lookup(request.url)
        listed = entry is not None and entry.dead
        if entry is not None and listed:
            where = entry.source if entry.source.startswith("bundled") else f"list {entry.source}"
            reason = f"{entry.key} is listed dead in the {where}"
        elif ctx.health.is_dead(domain):
            state = ctx.health.state(domain)
            reason = (
                f"domain {domain} is dead for this crawl ({state.reason}; "
                f"{state.failures} consecutive failures)"
            )
        else:
            return
        assert ctx.stats is not None
        ctx.stats.inc_value("fallback/domain/skipped")
        logger.debug("Not requesting %s: %s", request.url, reason)
        if robots:
            raise IgnoreRequest(reason)
        raise DomainDead(domain, reason, listed)

    async def _attempt(
        self, ctx: FallbackContext, request: Request, domain: str, robots: bool
    ) -> Response:
        try:
            response = await super().download_request(request)
        except Exception as exc:
            verdict = classify_exception(exc)
            if verdict.hard:
                ctx.hard_failure(domain, verdict.reason, request.url)
            raise
        squid = response.headers.get(b"X-Squid-Error")
        verdict = classify_status(
            response.status, squid.decode("latin-1") if squid else None, robots=robots
        )
        if verdict.hard:
            ctx.hard_failure(domain, verdict.reason, request.url)
        else:
            ctx.answered(domain, request.url)
        return response
