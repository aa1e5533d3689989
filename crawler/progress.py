"""Progress lines at a steady interval and a final summary of what the crawl archived."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.config import ArchiveConfig

logger = logging.getLogger(__name__)

#: Provenance outcomes that mean the source came from somewhere other than its cited URL.
FALLBACK_OUTCOMES = ("moved", "wayback", "commoncrawl")
ARCHIVED_OUTCOMES = ("origin", "redirect")
#: The order outcomes are listed in the final summary (others follow, by name).
OUTCOME_ORDER = ARCHIVED_OUTCOMES + FALLBACK_OUTCOMES + ("dead",)


def progress_counts(stats: dict[str, Any], pending: int) -> dict[str, int]:
    """The figures a progress line shows, from the crawl's stats."""
    by_outcome = {
        key.rsplit("/", 1)[1]: int(value)
        for key, value in stats.items()
        if key.startswith("archive/sources/")
    }
    archived = sum(by_outcome.get(o, 0) for o in ARCHIVED_OUTCOMES)
    dead = by_outcome.get("dead", 0)
    fallback = sum(n for o, n in by_outcome.items() if o not in ARCHIVED_OUTCOMES + ("dead",))
    return {
        "events": int(stats.get("archive/events", 0)),
        "archived": archived,
        "fallback": fallback,
        "dead": dead,
        "pending": pending,
    }


def provenance_line(stats: dict[str, Any]) -> str:
    """Sources by provenance, for the final summary ("origin 20, wayback 3, dead 2")."""
    counts = {
        key.rsplit("/", 1)[1]: int(value)
        for key, value in stats.items()
        if key.startswith("archive/sources/")
    }
    order = [o for o in OUTCOME_ORDER if o in counts] + sorted(set(counts) - set(OUTCOME_ORDER))
    return "Sources by provenance: " + (", ".join(f"{o} {counts[o]}" for o in order) or "none")


def dead_domains_line(stats: dict[str, Any]) -> str:
    """The domains found dead in this crawl, for the final summary."""
    domains = list(stats.get("fallback/dead_domains") or [])
    return f"Dead domains ({len(domains)}): " + (", ".join(domains) or "none")


def format_progress(counts: dict[str, int]) -> str:
    """One progress line."""
    return (
        "Progress: {events} events, {archived} sources archived, {fallback} via fallback, "
        "{dead} dead, {pending} requests pending".format(**counts)
    )


class Progress:
    """Logs events and sources by outcome every ARCHIVE_PROGRESS_INTERVAL seconds and at the end."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        """Wire the extension; off when ARCHIVE_PROGRESS_INTERVAL is 0."""
        interval = ArchiveConfig.from_settings(crawler.settings).progress_interval
        if interval <= 0:
            raise NotConfigured("ARCHIVE_PROGRESS_INTERVAL is 0")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _pending(self) -> int:
        engine = self.crawler.engine
        if engine is None or engine._slot is None:
            return 0
        scheduler = engine._slot.scheduler
        queued = len(scheduler) if hasattr(scheduler, "__len__") else 0
        return queued + len(engine.downloader.active)

    def log(self) -> None:
        """Log one progress line."""
        assert self.crawler.stats is not None
        counts = progress_counts(self.crawler.stats.get_stats(), self._pending())
        logger.info(format_progress(counts))

    def spider_opened(self, spider: Spider) -> None:
        """Start the periodic progress line."""
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Stop the periodic line and log the final summary."""
        if self.task is not None and self.task.running:
            self.task.stop()
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        counts = progress_counts(stats, 0)
        logger.info("Finished (%s). %s", reason, format_progress(counts))
        logger.info(provenance_line(stats))
        logger.info(dead_domains_line(stats))
