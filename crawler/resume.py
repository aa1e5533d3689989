"""Resume and incremental re-runs (an extension): run marker, ledger, re-seeding, final report.

Before the engine opens the spider (so before Scrapy's scheduler reads JOBDIR), the
extension reads `ARCHIVE_DIR/run.json` and decides whether this run resumes the last pass
or starts the next one (crawler/runstate.py). Scrapy's JOBDIR state is kept only for a
clean stop written by the same Scrapy version; otherwise it is moved aside and the frontier
is re-seeded from the ledger (archive/ledger.py). When the crawl goes idle, URLs of the
pass still pending in the ledger (lost from a JOBDIR queue, dropped by a duplicate filter)
are requested once more; at the close it logs what is complete and what is missing.
"""

from __future__ import annotations

import logging
import os
import weakref
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.asyncio import create_looping_call

from archive.ledger import Ledger, last_pass
from archive.lock import ArchiveLock, ArchiveLocked
from crawler.capture import store_for
from crawler.config import ArchiveConfig
from crawler.frontier import Frontier, Report
from crawler.runstate import (
    RunMarker,
    StartDecision,
    decide,
    has_jobdir_state,
    jobdir_version,
    move_jobdir_state,
    now_iso,
    read_marker,
    write_jobdir_version,
    write_marker,
)

logger = logging.getLogger(__name__)

_frontiers: weakref.WeakKeyDictionary[Crawler, Frontier] = weakref.WeakKeyDictionary()


def frontier_for(crawler: Crawler) -> Frontier | None:
    """The crawl's frontier, or None when ARCHIVE_RESUME is off (or before the spider opens)."""
    return _frontiers.get(crawler)


class CrawlResume:
    """Keeps the ledger, re-seeds an unfinished pass and reports completeness."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_RESUME"):
            raise NotConfigured("ARCHIVE_RESUME is off")
        self.crawler = crawler
        self.root = ArchiveConfig.from_settings(settings).archive_dir
        self.jobdir = settings.get("JOBDIR") or None
        self.batch_rows = settings.getint("ARCHIVE_LEDGER_BATCH_ROWS")
        self.batch_seconds = settings.getfloat("ARCHIVE_LEDGER_BATCH_SECONDS")
        self.max_attempts = settings.getint("ARCHIVE_RETRY_ATTEMPTS")
        self.backoff = settings.getfloat("ARCHIVE_RETRY_BACKOFF")
        self.decision: StartDecision | None = None
        self.reseed = False  # re-seed the frontier from the ledger in start()
        self.frontier: Frontier | None = None
        self.report: Report | None = None
        self.task: Any = None
        self.started = now_iso()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlResume:
        """Build the extension and settle JOBDIR now, before the scheduler reads it."""
        ext = cls(crawler)
        ext.prepare()
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def prepare(self) -> None:
        """Decide resume or next pass; keep, or move aside, Scrapy's JOBDIR state."""
        try:
            with ArchiveLock(self.root):
                pass
        except ArchiveLocked:
            return  # a live crawl writes here: opening the store will stop this one
        marker = read_marker(self.root)
        self.decision = decide(marker, last_pass(self.root))
        self.reseed = self.decision.resume
        if not self.jobdir:
            return
        jobdir = Path(self.jobdir)
        written_by = jobdir_version(jobdir)
        if has_jobdir_state(jobdir):
            why = None
            if written_by != scrapy.__version__:
                why = f"JOBDIR was written by Scrapy {written_by or 'unknown'}"
            elif self.decision.unclean:
                why = "the last crawl did not close, so Scrapy's queue and seen-set are stale"
            elif not self.decision.resume:
                why = "the last crawl finished; a new pass starts with an empty queue"
            if why is None:
                self.reseed = False  # Scrapy's own queue resumes; the idle sweep backs it up
            else:
                moved = move_jobdir_state(jobdir, why)
                logger.warning("Moved Scrapy's JOBDIR state to %s: %s", moved, why)
                self.crawler.stats.inc_value("ledger/jobdir/moved_aside")  # type: ignore[union-attr]
        write_jobdir_version(jobdir, scrapy.__version__)

    def _inc(self, name: str, count: int) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(name, count)

    def spider_opened(self, spider: Spider) -> None:
        """Open the ledger, mark the run as running and say what it resumes."""
        store = store_for(self.crawler)
        if self.decision is None:  # the folder was locked at start-up: decide now
            self.decision = decide(read_marker(self.root), last_pass(self.root))
            self.reseed = self.decision.resume
        ledger = Ledger(store.index, batch_rows=self.batch_rows, batch_seconds=self.batch_seconds)
        self.frontier = Frontier(
            ledger,
            self.root,
            self.decision,
            max_attempts=self.max_attempts,
            backoff=self.backoff,
            inc=self._inc,
        )
        self.frontier.reseed = self.reseed
        _frontiers[self.crawler] = self.frontier
        write_marker(self.root, self._marker("running"))
        self._log_start()
        if self.batch_seconds > 0:
            self.task = create_looping_call(ledger.maybe_flush)
            self.task.start(self.batch_seconds, now=False)

    def _marker(self, state: str, reason: str | None = None) -> RunMarker:
        assert self.decision is not None
        return RunMarker(
            state=state,
            pid=os.getpid(),
            scrapy=scrapy.__version__,
            jobdir=self.jobdir,
            pass_no=self.decision.pass_no,
            started=self.started,
            finish_reason=reason,
            ended=now_iso() if state == "closed" else None,
            pass_started=self.decision.pass_started,
        )

    def _log_start(self) -> None:
        assert self.decision is not None and self.frontier is not None
        decision = self.decision
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value("ledger/pass", decision.pass_no)
        if decision.unclean:
            stats.set_value("ledger/unclean_stop", 1)
            logger.warning("Unclean stop detected in %s: %s", self.root, decision.why)
        if not decision.resume:
            logger.info("Crawl pass %d starts (%s)", decision.pass_no, decision.why)
            return
        counts = self.frontier.ledger.counts(decision.pass_no)
        summary = ", ".join(f"{role} {state} {n}" for (role, state), n in sorted(counts.items()))
        logger.info(
            "Resuming pass %d (%s); the ledger holds: %s; frontier from %s",
            decision.pass_no,
            decision.why,
            summary or "nothing",
            "the ledger" if self.reseed else "Scrapy's JOBDIR queue",
        )

    def spider_idle(self, spider: Spider) -> None:
        """Request once more what the pass still misses; keep the crawl open for it."""
        if self.frontier is None or not hasattr(spider, "requests_from_ledger"):
            return
        entries = self.frontier.sweep()
        if not entries:
            return
        logger.info("%d URLs of this pass are still pending at idle: requesting them", len(entries))
        assert self.crawler.engine is not None and self.crawler.stats is not None
        self.crawler.stats.inc_value("ledger/sweep/requests", len(entries))
        for request in spider.requests_from_ledger(entries, dont_filter=True):
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Flush the ledger, log what is complete and missing, mark the run closed."""
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.frontier is None:
            return
        self.report = self.frontier.report()
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("ledger/missing", len(self.report.missing))
        for line in self.report.lines():
            logger.info(line)
        write_marker(self.root, self._marker("closed", reason))
