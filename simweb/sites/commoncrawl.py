"""A fake Common Crawl: `collinfo.json`, a URL index per crawl, and WARC files by range.

- `index.commoncrawl.org/collinfo.json`: the crawls (id, name, cdx-api);
- `index.commoncrawl.org/<crawl>-index?url=…&output=json`: JSON lines locating WARC records
  (404 with a JSON message when there are none);
- `data.commoncrawl.org/crawl-data/…warc.gz`: one WARC file per crawl, built with warcio at
  start-up; a `Range` request gets exactly one gzip member (206 Partial Content).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from simweb.hosts import Host
from simweb.sites.wayback import sha1_b32, surt, url_key
from simweb.wire import Request, Response, html_page, make_response

CRAWLS = {
    "CC-MAIN-2021-04": "January 2021 Index",
    "CC-MAIN-2021-10": "February/March 2021 Index",
    "CC-MAIN-2021-17": "April 2021 Index",
    "CC-MAIN-2021-21": "May 2021 Index",
}
INDEX_HOST = "index.commoncrawl.org"
DATA_HOST = "data.commoncrawl.org"
_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


@dataclass(frozen=True)
class CrawledPage:
    """One page as a Common Crawl crawl fetched it."""

    crawl: str
    url: str
    timestamp: str
    body: bytes
    status: int = 200
    mime: str = "text/html; charset=utf-8"


@dataclass(frozen=True)
class _Located:
    page: CrawledPage
    filename: str
    offset: int
    length: int


def _warc_date(timestamp: str) -> str:
    t = timestamp
    return f"{t[:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


def build_warc(crawl: str, pages: list[CrawledPage]) -> tuple[str, bytes, list[_Located]]:
    """One crawl's WARC file (name, bytes) and where each page's record sits in it."""
    stamp = min(p.timestamp for p in pages)
    filename = (
        f"crawl-data/{crawl}/segments/1618038000000.21/warc/"
        f"{crawl}-{stamp}-{stamp[:8]}030000-00042.warc.gz"
    )
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record(filename, {"software": "simweb"}))
    located = []
    for page in sorted(pages, key=lambda p: p.timestamp):
        http = StatusAndHeaders(
            f"{page.status} OK",
            [("Content-Type", page.mime), ("Content-Length", str(len(page.body)))],
            protocol="HTTP/1.1",
        )
        record = writer.create_warc_record(
            page.url,
            "response",
            payload=io.BytesIO(page.body),
            length=len(page.body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": _warc_date(page.timestamp)},
        )
        start = buffer.tell()
        writer.write_record(record)
        located.append(_Located(page, filename, start, buffer.tell() - start))
    return filename, buffer.getvalue(), located


class CommonCrawlArchive:
    """The crawls' WARC files and indexes, and the two hosts that serve them."""

    def __init__(self, pages: Iterable[CrawledPage]) -> None:
        by_crawl: dict[str, list[CrawledPage]] = {}
        for page in pages:
            by_crawl.setdefault(page.crawl, []).append(page)
        self.files: dict[str, bytes] = {}
        self.index: dict[str, dict[str, list[_Located]]] = {crawl: {} for crawl in CRAWLS}
        for crawl, crawl_pages in by_crawl.items():
            filename, data, located = build_warc(crawl, crawl_pages)
            self.files["/" + filename] = data
            for entry in located:
                self.index[crawl].setdefault(url_key(entry.page.url), []).append(entry)

    def hosts(self) -> list[Host]:
        """index.commoncrawl.org and data.commoncrawl.org."""
        return [_IndexHost(INDEX_HOST, self), _DataHost(DATA_HOST, self)]


def _robots(request: Request) -> Response | None:
    if request.path_only == "/robots.txt":
        return make_response(200, b"User-agent: *\nDisallow:\n", [("Content-Type", "text/plain")])
    return None


class _IndexHost(Host):
    kind = "archive"

    def __init__(self, name: str, archive: CommonCrawlArchive) -> None:
        super().__init__(name)
        self.archive = archive

    def respond(self, request: Request) -> Response | None:
        """collinfo.json and the per-crawl index queries."""
        robots = _robots(request)
        if robots is not None:
            return robots
        if request.path_only == "/collinfo.json":
            crawls = [
                {
                    "id": crawl,
                    "name": name,
                    "timegate": f"https://{INDEX_HOST}/{crawl}/",
                    "cdx-api": f"https://{INDEX_HOST}/{crawl}-index",
                }
                for crawl, name in sorted(CRAWLS.items(), reverse=True)
            ]
            return _json(200, json.dumps(crawls))
        crawl = request.path_only.strip("/").removesuffix("-index")
        if crawl not in self.archive.index:
            return make_response(404, html_page("Not found", "<h1>Not found</h1>"))
        url = parse_qs(urlsplit(request.path).query).get("url", [""])[0]
        found = self.archive.index[crawl].get(url_key(url), [])
        if not found:
            return _json(404, json.dumps({"message": f"No Captures found for: {url}"}))
        lines = [json.dumps(_row(entry)) for entry in found]
        body = ("\n".join(lines) + "\n").encode()
        return make_response(200, body, [("Content-Type", "text/x-ndjson")])


def _row(entry: _Located) -> dict[str, str]:
    page = entry.page
    return {
        "urlkey": surt(page.url),
        "timestamp": page.timestamp,
        "url": page.url,
        "mime": page.mime.split(";")[0],
        "mime-detected": page.mime.split(";")[0],
        "status": str(page.status),
        "digest": sha1_b32(page.body),
        "length": str(entry.length),
        "offset": str(entry.offset),
        "filename": entry.filename,
        "languages": "eng",
        "encoding": "UTF-8",
    }


def _json(status: int, body: str) -> Response:
    return make_response(status, body.encode(), [("Content-Type", "application/json")])


class _DataHost(Host):
    kind = "archive"

    def __init__(self, name: str, archive: CommonCrawlArchive) -> None:
        super().__init__(name)
        self.archive = archive

    def respond(self, request: Request) -> Response | None:
        """WARC files, whole or by a single byte range."""
        robots = _robots(request)
        if robots is not None:
            return robots
        data = self.archive.files.get(request.path_only)
        if data is None:
            missing = b"<Error><Code>NoSuchKey</Code></Error>"
            return make_response(404, missing, [("Content-Type", "application/xml")])
        headers = [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes")]
        match = _RANGE.match(request.header("Range") or "")
        if match is None:
            return make_response(200, data, headers)
        start, end = int(match.group(1)), min(int(match.group(2)), len(data) - 1)
        if start > end:
            return make_response(416, b"", [("Content-Range", f"bytes */{len(data)}")])
        headers.append(("Content-Range", f"bytes {start}-{end}/{len(data)}"))
        return make_response(206, data[start : end + 1], headers)
