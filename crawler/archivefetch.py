"""Polite requests to archive services: own download slot, bounded attempts, Retry-After.

Scrapy's RetryMiddleware retries a 429 at once and ignores Retry-After, so requests to an
archive service carry `dont_retry` and are retried here: a 429 (or a 5xx with Retry-After)
pauses the whole service for the time it asks, other failures back off exponentially, and
after FALLBACK_SERVICE_ATTEMPTS the service is given up for that URL. Each service has its
own download slot (`fallback:<name>`), whose concurrency is FALLBACK_SERVICE_CONCURRENCY.
API answers (200, or 404 meaning "none") are kept in the index for FALLBACK_CACHE_DAYS.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.archives import Answer, backoff_seconds, retry_after_seconds
from crawler.capture import CAPTURES_META
from crawler.deadlinks import classify_exception
from crawler.fallbackctx import FallbackContext, now_iso

logger = logging.getLogger(__name__)

#: request.meta key naming the chain step a request belongs to ("moved", "probe", a service).
FALLBACK_META = "fallback_step"
#: The longest backoff between attempts when a service gives no Retry-After.
MAX_BACKOFF = 300.0

Fetch = Callable[[Request], Awaitable[Response]]


def slot_name(service: str) -> str:
    """The download slot that caps one archive service's concurrency."""
    return f"fallback:{service}"


class ServiceClient:
    """Asks one crawl's archive services, politely and through the index's answer cache."""

    def __init__(self, ctx: FallbackContext, fetch: Fetch) -> None:
        self.ctx = ctx
        self.fetch = fetch
        assert ctx.stats is not None
        self.stats = ctx.stats

    async def ask(self, service: str, api_url: str) -> Answer | None:
        """An API answer for `api_url`: kept from an earlier ask, or fetched now (and kept)."""

        async def ask_once() -> Answer | None:
            return await self._ask(service, api_url)

        answer: Answer | None = await self.ctx.once_at_a_time(api_url, ask_once)
        return answer

    async def _ask(self, service: str, api_url: str) -> Answer | None:
        cached = self.ctx.index.cached_lookup(api_url, self.ctx.cache_since())
        if cached is not None:
            self.stats.inc_value(f"fallback/{service}/cached")
            return Answer(cached["status"], cached["body"])
        response = await self.get(service, api_url)
        if response is None:
            return None
        answer = Answer(response.status, response.body.decode("utf-8", "replace"))
        if response.status in (200, 404):
            self.ctx.index.cache_lookup(
                url=api_url,
                service=service,
                status=answer.status,
                body=answer.body,
                fetched=now_iso(),
            )
        return answer

    async def get(
        self, service: str, url: str, headers: tuple[tuple[str, str], ...] = ()
    ) -> Response | None:
        """GET `url` from `service`; None when it could not be had within the attempts."""
        config = self.ctx.config
        meta = {
            CAPTURES_META: [],
            FALLBACK_META: service,
            "dont_retry": True,
            "download_slot": slot_name(service),
        }
        for attempt in range(1, config.attempts + 1):
            request = Request(url, headers=dict(headers), meta=dict(meta), dont_filter=True)
            try:
                async with self.ctx.turns(service):
                    await self.ctx.wait_turn(service)  # a 429 elsewhere may pause the service
                    self.stats.inc_value(f"fallback/{service}/requests")
                    response = await self.fetch(request)
            except IgnoreRequest as exc:
                logger.info("Archive service %s not asked for %s: %s", service, url, exc)
                return None
            except Exception as exc:
                reason = classify_exception(exc).reason
                logger.info("Archive service %s failed for %s: %s", service, url, reason)
                self.ctx.pause(service, backoff_seconds(attempt, config.backoff, MAX_BACKOFF))
                continue
            wait = self._wait_after(service, response, attempt)
            if wait is None:
                return response
            self.ctx.pause(service, wait)
            if wait > config.retry_after_max:
                logger.warning(
                    "Archive service %s asks to wait %.0f s for %s, more than "
                    "FALLBACK_RETRY_AFTER_MAX; giving it up for this URL",
                    service,
                    wait,
                    url,
                )
                return None
        logger.info("Archive service %s gave no answer for %s", service, url)
        return None

    def _wait_after(self, service: str, response: Response, attempt: int) -> float | None:
        """Seconds to wait before asking again, or None when the response is the answer."""
        if response.status != 429 and response.status < 500:
            return None
        header = response.headers.get(b"Retry-After")
        now = dt.datetime.now(dt.UTC)
        wait = retry_after_seconds(header.decode("latin-1") if header else None, now)
        if response.status == 429:
            self.stats.inc_value(f"fallback/{service}/throttled")
        if wait is None:
            wait = backoff_seconds(attempt, self.ctx.config.backoff, MAX_BACKOFF)
        logger.info(
            "Archive service %s answered %d for %s; waiting %.1f s",
            service,
            response.status,
            response.url,
            wait,
        )
        return wait
