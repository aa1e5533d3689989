"""WARC capture: every wire exchange, as received, written through warcio (an extension).

Scrapy's `response_downloaded` signal fires once per exchange before any downloader
middleware sees the response: the body is still content-encoded (de-chunked), and every
redirect hop and retry is included. Each exchange becomes a request/response record pair;
the record ids are appended to `request.meta["warc_captures"]`, a list the redirect and
retry middlewares carry to the follow-up requests, so the spider sees the whole chain.
"""

from __future__ import annotations

import json
import logging
import platform
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

import crawler as project
from archive.reader import write_event_texts
from archive.records import Exchange
from archive.store import ArchiveStore
from crawler.config import ArchiveConfig

logger = logging.getLogger(__name__)

#: request.meta key holding the list of captures of a request chain.
CAPTURES_META = "warc_captures"

_stores: weakref.WeakKeyDictionary[Crawler, ArchiveStore] = weakref.WeakKeyDictionary()


def store_for(crawler: Crawler) -> ArchiveStore:
    """The crawl's archive store, opened on first use (shared by the extension and pipeline)."""
    store = _stores.get(crawler)
    if store is None:
        config = ArchiveConfig.from_settings(crawler.settings)
        store = ArchiveStore(
            config.archive_dir,
            prefix=config.warc_prefix,
            max_size=config.warc_max_size,
            info=warcinfo_fields(crawler, config),
        )
        _stores[crawler] = store
    return store


def warcinfo_fields(crawler: Crawler, config: ArchiveConfig) -> dict[str, Any]:
    """What the `warcinfo` record says about the software, operator and crawl settings."""
    settings = crawler.settings
    return {
        "software": f"event-archiver/{project.__version__} (Scrapy {scrapy.__version__}, "
        f"Python {platform.python_version()})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
        "warc-format/warc-1.1/",
        "operator": config.operator,
        "http-header-user-agent": settings.get("USER_AGENT"),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "contact": config.contact_url,
    }


def _header_list(headers: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers.to_tuple_list()]


class WarcCapture:
    """Writes every downloaded exchange to the archive's capture WARC files."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = ArchiveConfig.from_settings(crawler.settings)
        self.stats = crawler.stats
        self.store: ArchiveStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        """Wire the extension to the crawl's signals."""
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: scrapy.Spider) -> None:
        """Open the archive folder."""
        self.store = store_for(self.crawler)
        logger.info("Archiving to %s", self.store.root.resolve())

    def response_downloaded(self, response: Response, request: Request, spider: Any) -> None:
        """Write the exchange as received on the wire."""
        assert self.stats is not None
        if self.store is None:
            self.store = store_for(self.crawler)
        squid = response.headers.get(b"X-Squid-Error")
        if squid:
            # The proxy answered for an origin it could not reach: not the origin's response.
            self.stats.inc_value("archive/capture/proxy_error")
            logger.debug("Not archiving proxy error %s for %s", squid, response.url)
            return
        latency = float(request.meta.get("download_latency") or 0.0)
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=_header_list(request.headers),
            request_body=request.body,
            status=response.status,
            protocol=response.protocol or "HTTP/1.1",
            response_headers=_header_list(response.headers),
            body=response.body,
            date=datetime.now(UTC) - timedelta(seconds=latency),
            ip_address=(
                None
                if request.meta.get("proxy") or response.ip_address is None
                else str(response.ip_address)
            ),
            truncated="disconnect" if "dataloss" in response.flags else None,
        )
        _req_row, resp_row = self.store.write_exchange(exchange)
        self.stats.inc_value("archive/capture/records", 2)
        self.stats.inc_value(f"archive/capture/status/{response.status}")
        request.meta.setdefault(CAPTURES_META, []).append(
            {
                "url": response.url,
                "status": response.status,
                "record_id": resp_row.record_id,
                "warc_file": resp_row.warc_file,
                "offset": resp_row.offset,
            }
        )

    def spider_closed(self, spider: scrapy.Spider, reason: str) -> None:
        """Close the WARC files and write the per-event text records."""
        store = _stores.pop(self.crawler, None) or self.store
        if store is None:
            return
        store.close()
        written = write_event_texts(store.root)
        logger.info("Wrote %d event text records under %s", len(written), store.root / "texts")
        self._write_run_stats(store.root, reason)

    def _write_run_stats(self, root: Path, reason: str) -> None:
        """Keep this run's stats beside the archive (`runs/<start time>.json`)."""
        assert self.stats is not None
        stats = dict(self.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        started = stats.get("start_time")
        stamp = started.strftime("%Y%m%dT%H%M%S") if isinstance(started, datetime) else "run"
        runs = root / "runs"
        runs.mkdir(exist_ok=True)
        path = runs / f"{stamp}-stats.json"
        path.write_text(json.dumps(stats, indent=2, sort_keys=True, default=str), encoding="utf-8")
