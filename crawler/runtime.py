"""Process-level tuning for long crawls (an extension).

Once the crawl is set up (every module imported, the suffix list and fallback list loaded,
the pool started), the objects alive are there to stay. Python's full garbage collection
walks all of them every time the heap grows by a quarter: on the benchmark web that was
about 100 ms of a stalled reactor every second or so, while the extraction workers ran dry.
`gc.freeze()` moves them to the permanent generation, so later collections walk only
what the crawl itself allocates. Nothing is disabled: cycles made during the crawl are still
collected.
"""

from __future__ import annotations

import gc
import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class FreezeStartupObjects:
    """At spider open, freeze the objects start-up made (stat `runtime/gc_frozen`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FreezeStartupObjects:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        """Collect once, then freeze what survives."""
        gc.collect()
        gc.freeze()
        frozen = gc.get_freeze_count()
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("runtime/gc_frozen", frozen)
        logger.debug("froze %d start-up objects out of garbage collection", frozen)
