"""WARC capture: every wire exchange, as received, written through warcio (an extension).

Scrapy's `response_downloaded` signal fires once per exchange before any downloader
middleware sees the response: the body is still content-encoded (de-chunked), and every
redirect hop and retry is included. Each exchange becomes a request/response record pair;
the record ids are appended to `request.meta["warc_captures"]`, a list the redirect and
retry middlewares carry to the follow-up requests, so the spider sees the whole chain.

What Scrapy does not keep is rebuilt the way Twisted sends it (the request headers with the
Host header Twisted adds) or marked (WARC-Truncated). `headers_received` notes when the
capture started; with `ARCHIVE_KEEP_TRUNCATED`, a body past `DOWNLOAD_MAXSIZE` is cut at
the limit and stored with `WARC-Truncated: length` instead of being dropped.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import weakref
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Response
from twisted.internet import task
from twisted.web.http_headers import Headers as TxHeaders

import crawler as project
from archive.index import CaptureRow
from archive.lock import ArchiveLock
from archive.reader import write_event_texts
from archive.records import (
    PROFILE_IDENTICAL,
    PROFILE_NOT_MODIFIED,
    Exchange,
    host_header,
    payload_digest,
)
from archive.repair import RepairReport, repair_open_files
from archive.store import ArchiveStore
from crawler.config import ArchiveConfig

logger = logging.getLogger(__name__)

#: request.meta key holding the list of captures of a request chain.
CAPTURES_META = "warc_captures"
#: request.meta keys this extension uses for one exchange (removed when it is captured).
START_META = "warc_capture_start"
RECEIVED_META = "warc_bytes_received"
MAXSIZE_META = "warc_maxsize"
TRUNCATED_META = "warc_truncated"
#: request.meta key: the capture (a CaptureRow's fields) a conditional request revalidates.
REVALIDATE_META = "warc_revalidate_of"
#: request.meta key set here when the answer was stored as a revisit record:
#: "not-modified" (a 304) or "identical" (a 200 with the original's payload digest).
REVISIT_META = "warc_revisit"
#: Settings the warcinfo record lists (the ones that shape what was captured).
WARCINFO_SETTINGS = (
    "ROBOTSTXT_OBEY",
    "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_FAIL_ON_DATALOSS",
    "RETRY_TIMES",
    "REDIRECT_MAX_TIMES",
    "WARC_MAX_SIZE",
    "ARCHIVE_KEEP_TRUNCATED",
)

_stores: weakref.WeakKeyDictionary[Crawler, ArchiveStore] = weakref.WeakKeyDictionary()
_repairs: weakref.WeakKeyDictionary[Crawler, RepairReport] = weakref.WeakKeyDictionary()


def store_for(crawler: Crawler) -> ArchiveStore:
    """The crawl's archive store, opened on first use (shared by the extension and pipeline).

    Opening takes the folder's lock, then repairs what a killed crawl left open.
    """
    store = _stores.get(crawler)
    if store is None:
        config = ArchiveConfig.from_settings(crawler.settings)
        lock = ArchiveLock(config.archive_dir).acquire()
        _repairs[crawler] = repair_open_files(config.archive_dir, lock=lock)
        store = ArchiveStore(
            config.archive_dir,
            prefix=config.warc_prefix,
            max_size=config.warc_max_size,
            info=warcinfo_fields(crawler, config),
            lock=lock,
            commit_seconds=config.index_commit_seconds,
        )
        _stores[crawler] = store
    return store


def warcinfo_fields(crawler: Crawler, config: ArchiveConfig) -> dict[str, Any]:
    """What the `warcinfo` record says about the software, operator and crawl settings."""
    settings = crawler.settings
    proxied = any(os.environ.get(v) for v in ("http_proxy", "https_proxy", "HTTP_PROXY"))
    return {
        "software": f"event-archiver/{project.__version__} (Scrapy {scrapy.__version__}, "
        f"warcio {version('warcio')}, Python {platform.python_version()})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
        "warc-format/warc-1.1/",
        "operator": config.operator,
        "contact": config.contact_url,
        "hostname": platform.node(),
        "http-header-user-agent": settings.get("USER_AGENT"),
        "http-header-accept-encoding": (settings.getdict("DEFAULT_REQUEST_HEADERS") or {}).get(
            "Accept-Encoding"
        ),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "proxy": "http_proxy/https_proxy from the environment" if proxied else "none",
        "crawl-settings": {name: settings.get(name) for name in WARCINFO_SETTINGS},
    }


def sent_request_headers(request: Request) -> list[tuple[str, str]]:
    """The request headers as Twisted writes them: Content-Length first, Host added last."""
    headers = TxHeaders(request.headers)
    if not headers.hasHeader(b"Host"):
        headers.addRawHeader(b"Host", host_header(request.url).encode("latin-1"))
    out = []
    if request.body or request.method in ("POST", "PUT"):
        out.append(("Content-Length", str(len(request.body))))
    for name, values in headers.getAllRawHeaders():
        out += [(name.decode("latin-1"), value.decode("latin-1")) for value in values]
    return out


def response_header_list(response: Response) -> list[tuple[str, str]]:
    """Response headers in Scrapy's order, repeated ones kept, as the wire bytes (latin-1)."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    ]


def truncation(response: Response, meta: dict[str, Any]) -> str | None:
    """The WARC-Truncated reason for a response's body, None when it is whole."""
    if "dataloss" in response.flags:
        return "disconnect"
    if "download_stopped" in response.flags:
        return "length" if meta.get(TRUNCATED_META) == "length" else "unspecified"
    return None


class WarcCapture:
    """Writes every downloaded exchange to the archive's capture WARC files."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.config = ArchiveConfig.from_settings(crawler.settings)
        self.keep_truncated = crawler.settings.getbool("ARCHIVE_KEEP_TRUNCATED")
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.stats = crawler.stats
        self.store: ArchiveStore | None = None
        self._committer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCapture:
        """Wire the extension to the crawl's signals."""
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.headers_received, signal=signals.headers_received)
        crawler.signals.connect(ext.bytes_received, signal=signals.bytes_received)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: scrapy.Spider) -> None:
        """Open the archive folder (repairing what a killed crawl left) and report repairs."""
        assert self.stats is not None
        self.store = store_for(self.crawler)
        logger.info("Archiving to %s", self.store.root.resolve())
        if self.config.index_commit_seconds > 0:
            # the index commits in batches; a quiet crawl's last rows are committed on time
            self._committer = task.LoopingCall(self.store.index.commit_due)
            self._committer.start(self.config.index_commit_seconds, now=False)
        report = _repairs.get(self.crawler)
        if report:
            self.stats.set_value("archive/repair/files", len(report.files))
            self.stats.set_value("archive/repair/bytes_cut", sum(f.bytes_cut for f in report.files))
            self.stats.set_value("archive/repair/records_indexed", report.records_indexed)

    def _limit(self, request: Request) -> int:
        return int(
            request.meta.get(MAXSIZE_META, request.meta.get("download_maxsize", self.maxsize))
        )

    def headers_received(self, headers: Any, body_length: int, request: Request) -> None:
        """Note when the exchange started; take over the size limit to keep a cut body."""
        latency = float(request.meta.get("download_latency") or 0.0)
        request.meta[START_META] = datetime.now(UTC) - timedelta(seconds=latency)
        if self.keep_truncated and self._limit(request):
            request.meta[MAXSIZE_META] = self._limit(request)
            request.meta[RECEIVED_META] = 0
            request.meta["download_maxsize"] = 0  # bytes_received cuts the body instead

    def bytes_received(self, data: bytes, request: Request) -> None:
        """Stop a body at the size limit; what arrived is kept, marked `length`."""
        if MAXSIZE_META not in request.meta:
            return
        received = request.meta.get(RECEIVED_META, 0) + len(data)
        request.meta[RECEIVED_META] = received
        if received > request.meta[MAXSIZE_META]:
            request.meta[TRUNCATED_META] = "length"
            raise StopDownload(fail=False)

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Write the exchange as received on the wire."""
        assert self.stats is not None
        exchange = self._exchange(response, request)
        if self.store is None:
            self.store = store_for(self.crawler)
        squid = response.headers.get(b"X-Squid-Error")
        if squid:
            # The proxy answered for an origin it could not reach: not the origin's response.
            self.stats.inc_value("archive/capture/proxy_error")
            logger.debug("Not archiving proxy error %s for %s", squid, response.url)
            return
        revisit = self._revisit(exchange, request)
        if revisit is not None:
            original, profile = revisit
            _req_row, resp_row = self.store.write_revisit(exchange, original, profile)
            kind = "not-modified" if profile == PROFILE_NOT_MODIFIED else "identical"
            request.meta[REVISIT_META] = kind
            self.stats.inc_value(f"archive/capture/revisit/{kind}")
        else:
            _req_row, resp_row = self.store.write_exchange(exchange)
        self.stats.inc_value("archive/capture/records", 2)
        self.stats.inc_value(f"archive/capture/status/{response.status}")
        hop: dict[str, Any] = {
            "url": response.url,
            "status": response.status,
            "record_id": resp_row.record_id,
            "warc_file": resp_row.warc_file,
            "offset": resp_row.offset,
        }
        if exchange.truncated:
            hop["truncated"] = exchange.truncated
            self.stats.inc_value(f"archive/capture/truncated/{exchange.truncated}")
            logger.warning(
                "Archived %s with a cut body (%d bytes kept, WARC-Truncated: %s)",
                response.url,
                len(response.body),
                exchange.truncated,
            )
        request.meta.setdefault(CAPTURES_META, []).append(hop)

    def _revisit(self, exchange: Exchange, request: Request) -> tuple[CaptureRow, str] | None:
        """The original and profile when a revalidation's answer repeats an earlier capture."""
        fields = request.meta.get(REVALIDATE_META)
        if not fields or exchange.truncated or exchange.url != fields["url"]:
            return None
        original = CaptureRow(**fields)
        if exchange.status == 304:
            return original, PROFILE_NOT_MODIFIED
        # Only a non-empty 200: every empty body has the same digest.
        if exchange.status == 200 and exchange.body:
            if payload_digest(exchange.body) == original.payload_digest:
                return original, PROFILE_IDENTICAL
        return None

    def _exchange(self, response: Response, request: Request) -> Exchange:
        """The exchange as sent and received; clears this extension's per-exchange meta keys."""
        meta = request.meta
        start = meta.pop(START_META, None)
        if start is None:
            start = datetime.now(UTC) - timedelta(seconds=float(meta.get("download_latency") or 0))
        if MAXSIZE_META in meta:
            meta["download_maxsize"] = meta.pop(MAXSIZE_META)
        meta.pop(RECEIVED_META, None)
        truncated = truncation(response, meta)
        meta.pop(TRUNCATED_META, None)
        proxied = meta.get("proxy") or response.ip_address is None
        return Exchange(
            url=response.url,
            method=request.method,
            request_headers=sent_request_headers(request),
            request_body=request.body,
            status=response.status,
            protocol=response.protocol or "HTTP/1.1",
            response_headers=response_header_list(response),
            body=response.body,
            date=start,
            ip_address=None if proxied else str(response.ip_address),
            truncated=truncated,
        )

    def spider_closed(self, spider: scrapy.Spider, reason: str) -> None:
        """Close the WARC files and write the per-event text records (unless written)."""
        if self._committer is not None and self._committer.running:
            self._committer.stop()
        store = _stores.pop(self.crawler, None) or self.store
        if store is None:
            return
        store.close()
        if not store.texts_written:  # the pipeline writes them with its workers
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
