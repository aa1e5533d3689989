"""Common Crawl: its URL index per crawl, and a capture fetched as one WARC record by range.

`collinfo.json` lists the crawls (ids like `CC-MAIN-2021-17`, year and ISO week); the
crawls nearest after the event's date are asked first. Each index answers JSON lines that
locate a WARC record (file, offset, length) on data.commoncrawl.org; a `Range` request
fetches that one gzip member, and the page inside is the response as the crawler got it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from urllib.parse import quote

from w3lib.encoding import html_to_unicode
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.archives import Answer, Ask, Capture, Fetched, Snapshot

NAME = "commoncrawl"
COLLINFO_URL = "https://index.commoncrawl.org/collinfo.json"
DATA_PREFIX = "https://data.commoncrawl.org/"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CRAWL_ID = re.compile(r"^CC-MAIN-(\d{4})-(\d{2})$")


def crawl_date(crawl_id: str) -> dt.date | None:
    """The Monday of the ISO week a crawl id names (`CC-MAIN-2021-10` -> 2021-03-08)."""
    match = _CRAWL_ID.match(crawl_id)
    if match is None:
        return None
    year, week = int(match.group(1)), int(match.group(2))
    try:
        return dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        return None


def parse_collinfo(answer: Answer) -> list[tuple[str, str, dt.date]] | None:
    """(crawl id, index API URL, crawl date) for each crawl in collinfo.json; None if unusable."""
    if answer.status != 200:
        return None
    try:
        data = json.loads(answer.body)
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    crawls = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        crawl_id, api = str(entry.get("id", "")), str(entry.get("cdx-api", ""))
        when = crawl_date(crawl_id)
        if when is not None and api.startswith("http"):
            crawls.append((crawl_id, api, when))
    return crawls


def choose_crawls(
    crawls: list[tuple[str, str, dt.date]], when: dt.date | None, count: int
) -> list[tuple[str, str, dt.date]]:
    """The `count` crawls to ask: the first ones ending after the event, then the last before."""
    if when is None:
        return sorted(crawls, key=lambda c: c[2])[:count]
    after = sorted((c for c in crawls if c[2] >= when), key=lambda c: c[2])
    before = sorted((c for c in crawls if c[2] < when), key=lambda c: c[2], reverse=True)
    return (after + before)[:count]


def index_url(api: str, url: str) -> str:
    """The index query for every capture of `url` in one crawl."""
    return f"{api}?url={quote(url, safe='')}&output=json"


def parse_index(answer: Answer) -> list[Capture] | None:
    """Captures from an index answer (JSON lines; 404 means none); None if unusable."""
    if answer.status == 404:
        return []
    if answer.status != 200:
        return None
    captures = []
    for line in answer.body.splitlines():
        try:
            row = json.loads(line)
            offset, length = int(row["offset"]), int(row["length"])
            timestamp, filename = str(row["timestamp"]), str(row["filename"])
        except (ValueError, KeyError, TypeError):
            continue
        status = str(row.get("status", ""))
        end = offset + length - 1
        captures.append(
            Capture(
                service=NAME,
                original_url=str(row.get("url", "")),
                timestamp=timestamp,
                status=int(status) if status.isdigit() else None,
                mime=row.get("mime"),
                fetch_url=DATA_PREFIX + filename.lstrip("/"),
                fetch_headers=(("Range", f"bytes={offset}-{end}"),),
                digest=row.get("digest"),
            )
        )
    return captures


class CommonCrawl:
    """Common Crawl's index and data as an archive service."""

    name = NAME

    def __init__(self, crawls_to_ask: int = 2) -> None:
        self.crawls_to_ask = crawls_to_ask

    async def lookup(self, url: str, when: dt.date | None, ask: Ask) -> list[Capture]:
        """Captures of `url` in the crawls nearest after the event (then before it)."""
        answer = await ask(COLLINFO_URL)
        crawls = parse_collinfo(answer) if answer is not None else None
        captures: list[Capture] = []
        for _crawl_id, api, _date in choose_crawls(crawls or [], when, self.crawls_to_ask):
            answer = await ask(index_url(api, url))
            found = parse_index(answer) if answer is not None else None
            captures.extend(found or [])
        return captures

    def home_capture(self, capture: Capture) -> Capture | None:
        """Not available without another index lookup per site: skipped."""
        return None

    def unwrap(self, capture: Capture, fetched: Fetched) -> Snapshot | None:
        """The HTTP response inside the one WARC record a range request returned."""
        if fetched.status not in (200, 206) or not fetched.body:
            return None
        try:
            record = next(iter(ArchiveIterator(io.BytesIO(fetched.body))), None)
        except ArchiveLoadFailed:
            return None
        if record is None or record.rec_type != "response" or record.http_headers is None:
            return None
        http = record.http_headers
        code = http.get_statuscode()
        content_type = http.get_header("Content-Type") or ""
        body = record.content_stream().read()
        html = None
        if content_type.split(";")[0].strip().lower() in HTML_TYPES:
            _encoding, html = html_to_unicode(content_type, body)
        return Snapshot(
            original_url=record.rec_headers.get_header("WARC-Target-URI") or capture.original_url,
            timestamp=capture.timestamp,
            status=int(code) if code and code.isdigit() else 0,
            content_type=content_type,
            body=body,
            html=html,
        )
