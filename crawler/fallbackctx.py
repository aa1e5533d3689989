"""Per-crawl fallback state: the list, domain health, probe caches and archive-service turns.

One `FallbackContext` per crawler, shared by the download handler (domain health), the
spider's recovery chains and the progress log; `context_for(crawler)` builds it on first use.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from archive.index import Index
from archive.records import warc_date
from crawler.archives import ArchiveService
from crawler.capture import store_for
from crawler.commoncrawl import CommonCrawl
from crawler.deadlinks import PageSample
from crawler.domainhealth import DomainHealth, DomainState
from crawler.fallbackconfig import FallbackConfig
from crawler.fallbacks import FallbackList, load_fallbacks
from crawler.wayback import Wayback

logger = logging.getLogger(__name__)

_contexts: weakref.WeakKeyDictionary[Crawler, FallbackContext] = weakref.WeakKeyDictionary()


def context_for(crawler: Crawler) -> FallbackContext:
    """The crawl's fallback context, built (and its list validated) on first use."""
    ctx = _contexts.get(crawler)
    if ctx is None:
        ctx = _contexts[crawler] = FallbackContext(crawler)
    return ctx


def now_iso() -> str:
    """The current UTC time as a WARC-style date."""
    return warc_date(datetime.now(UTC))


class FallbackContext:
    """What every recovery chain and the domain-health handler of one crawl share."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = FallbackConfig.from_settings(crawler.settings)
        self.fallbacks = (
            load_fallbacks(self.config.list_file, self.config.bundled_list)
            if self.config.enabled
            else FallbackList()
        )
        self.services: dict[str, ArchiveService] = {
            "wayback": Wayback(),
            "commoncrawl": CommonCrawl(self.config.commoncrawl_crawls),
        }
        self._health: DomainHealth | None = None
        self._gates: dict[str, asyncio.Lock] = {}
        self._pages: dict[tuple[str, str], asyncio.Task[PageSample | None]] = {}
        self._not_before: dict[str, float] = {}
        self._turns: dict[str, asyncio.Semaphore] = {}
        self._asking: dict[str, asyncio.Task[Any]] = {}

    @property
    def stats(self) -> StatsCollector | None:
        """The crawl's stats (there once the crawl has started)."""
        return self.crawler.stats

    # -- the index ------------------------------------------------------------------------

    @property
    def index(self) -> Index:
        """The archive's index (opened with the crawl's store)."""
        return store_for(self.crawler).index

    def cache_since(self) -> str:
        """The oldest fetch time of an archive answer still good to reuse."""
        return warc_date(datetime.now(UTC) - timedelta(days=self.config.cache_days))

    # -- domain health --------------------------------------------------------------------

    @property
    def health(self) -> DomainHealth:
        """Domain health, seeded from the index on first use."""
        if self._health is None:
            known = [
                DomainState(
                    domain=row["domain"],
                    failures=row["failures"],
                    reason=row["reason"],
                    last_failure=row["last_failure"],
                    last_success=row["last_success"],
                    dead_since=row["dead_since"],
                )
                for row in self.index.domain_health()
            ]
            self._health = DomainHealth(self.config.dead_after, known)
        return self._health

    def gate(self, domain: str) -> asyncio.Lock:
        """The lock that lets one attempt at a time reach a domain not yet proven alive."""
        lock = self._gates.get(domain)
        if lock is None:
            lock = self._gates[domain] = asyncio.Lock()
        return lock

    def hard_failure(self, domain: str, reason: str, url: str) -> None:
        """Count a hard failure against `domain`; log once if it made the domain dead."""
        assert self.stats is not None
        self.stats.inc_value("fallback/domain/hard_failures")
        if self.health.failure(domain, reason, now_iso()):
            state = self.health.state(domain)
            logger.warning(
                "Domain %s is dead for this crawl after %d consecutive failures (last: %s at "
                "%s); its remaining URLs go straight to the fallbacks",
                domain,
                state.failures,
                reason,
                url,
            )
            self.stats.inc_value("fallback/domain/dead")
            self.stats.set_value("fallback/dead_domains", self.dead_domain_names())
        self._save_health(url)

    def answered(self, domain: str, url: str) -> None:
        """Record that `domain` answered (any HTTP response that is not a gateway error)."""
        health = self.health
        was_dead = health.is_dead(domain)
        health.success(domain, now_iso())
        if was_dead and self.stats is not None:
            self.stats.set_value("fallback/dead_domains", self.dead_domain_names())
        self._save_health(url)

    def dead_domain_names(self) -> list[str]:
        """The domains dead in this crawl."""
        return [s.domain for s in self.health.dead_domains()] if self._health else []

    def _save_health(self, url: str) -> None:
        """Write changed domain states as a `domain_health` fact (reindex rebuilds them)."""
        changed = self.health.take_changed()
        if changed:
            rows = [asdict(state) for state in changed]
            store_for(self.crawler).record_facts(url, {"domain_health": rows})

    # -- shared page caches (site probes, archived home pages) ------------------------------

    def known_page(self, key: tuple[str, str]) -> tuple[bool, PageSample | None]:
        """(True, answer) when :meth:`shared_page` already has the answer for ``key``."""
        task = self._pages.get(key)
        if task is None or not task.done() or task.cancelled() or task.exception() is not None:
            return False, None
        return True, task.result()

    async def shared_page(
        self, key: tuple[str, str], make: Callable[[], Awaitable[PageSample | None]]
    ) -> PageSample | None:
        """One answer per key (e.g. ("probe", host)) for the whole crawl: made once, kept."""
        task = self._pages.get(key)
        if task is None:
            task = self._pages[key] = asyncio.ensure_future(make())
        return await asyncio.shield(task)

    async def once_at_a_time(self, key: str, make: Callable[[], Awaitable[Any]]) -> Any:
        """Callers asking the same thing (an API URL) while it is in flight share one answer."""
        task = self._asking.get(key)
        if task is None:
            task = self._asking[key] = asyncio.ensure_future(make())
            task.add_done_callback(lambda _done: self._asking.pop(key, None))
        return await asyncio.shield(task)

    # -- archive-service turns ------------------------------------------------------------

    def pause(self, service: str, seconds: float) -> None:
        """Ask nothing of `service` for `seconds` (a 429's Retry-After, or backoff)."""
        until = asyncio.get_running_loop().time() + seconds
        self._not_before[service] = max(self._not_before.get(service, 0.0), until)

    async def wait_turn(self, service: str) -> None:
        """Sleep until `service` may be asked again."""
        delay = self._not_before.get(service, 0.0) - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)

    def turns(self, service: str) -> asyncio.Semaphore:
        """At most FALLBACK_SERVICE_CONCURRENCY requests in flight per archive service.

        Scrapy's download slot (`fallback:<service>`) caps it too, but only while a download
        delay is set: with DOWNLOAD_DELAY 0 (Scrapy 2.19, asyncio reactor) a slot starts
        every queued request at once.
        """
        turns = self._turns.get(service)
        if turns is None:
            turns = self._turns[service] = asyncio.Semaphore(self.config.service_concurrency)
        return turns

    def describe(self) -> dict[str, Any]:
        """A short description for the start-of-crawl log line."""
        return {
            "entries": len(self.fallbacks),
            "services": list(self.config.services),
            "dead_after": self.config.dead_after,
        }
