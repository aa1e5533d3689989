"""Archive services as pure planners and parsers: Wayback, Common Crawl, ordering, politeness."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler import commoncrawl, wayback
from crawler.archives import (
    Answer,
    Capture,
    Fetched,
    backoff_seconds,
    distance_days,
    order_captures,
    parse_timestamp,
    retry_after_seconds,
)

URL = "http://www.tamsford-beacon.com/2021/03/12/story/"
EVENT = dt.date(2021, 3, 12)


def cap(ts: str, status: int | None = 200, service: str = "wayback") -> Capture:
    return Capture(service, URL, ts, status, "text/html", wayback.raw_url(ts, URL))


# ------------------------------------------------------------------ choosing the capture


def _stamps(*days: str) -> list[str]:
    return [f"2021{d}" for d in days]


@pytest.mark.parametrize(
    ("stamps", "expected"),
    [
        # the first good capture on or after the event's day, within the window
        (
            _stamps("0311170000", "0315110000", "0313090000"),
            _stamps("0313090000", "0315110000", "0311170000"),
        ),
        # none after: the closest before first
        (
            _stamps("0301000000", "0311235959", "0101000000"),
            _stamps("0311235959", "0301000000", "0101000000"),
        ),
        # after the window comes last, earliest first
        (
            _stamps("1201000000", "0501000000", "0310000000"),
            _stamps("0310000000", "0501000000", "1201000000"),
        ),
        # the event's own day counts as "on or after"
        (_stamps("0312000000", "0311120000"), _stamps("0312000000", "0311120000")),
    ],
)
def test_order_prefers_after_the_event_then_closest_before(
    stamps: list[str], expected: list[str]
) -> None:
    ordered = order_captures([cap(s) for s in stamps], EVENT, window_days=30)
    assert [c.timestamp for c in ordered] == expected


def test_order_keeps_only_good_captures_once() -> None:
    captures = [cap("20210313000000", 404), cap("20210314000000", 302), cap("20210315000000")]
    captures += [cap("20210315000000"), cap("20210316000000", None)]
    ordered = order_captures(captures, EVENT, 30)
    assert [c.timestamp for c in ordered] == ["20210315000000", "20210316000000"]


def test_order_without_an_event_date_is_earliest_first() -> None:
    ordered = order_captures([cap("20210315000000"), cap("20190101000000")], None, 30)
    assert [c.timestamp for c in ordered] == ["20190101000000", "20210315000000"]


def test_timestamps_and_distances() -> None:
    assert parse_timestamp("20210312") == dt.datetime(2021, 3, 12, tzinfo=dt.UTC)
    assert parse_timestamp("20210312183000") == dt.datetime(2021, 3, 12, 18, 30, tzinfo=dt.UTC)
    assert distance_days("20210317120000", EVENT) == 5
    assert distance_days("20210311235959", EVENT) == -1
    assert distance_days("20210312000001", None) is None


def test_retry_after_and_backoff() -> None:
    now = dt.datetime(2021, 3, 12, 12, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Fri, 12 Mar 2021 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Fri, 12 Mar 2021 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None
    assert [backoff_seconds(n, 2.0, 5.0) for n in (1, 2, 3, 4)] == [2.0, 4.0, 5.0, 5.0]


# ------------------------------------------------------------------ the Wayback Machine


def test_wayback_urls() -> None:
    cdx = wayback.cdx_url(URL)
    assert cdx.startswith("https://web.archive.org/cdx/search/cdx?url=http%3A%2F%2Fwww.")
    assert "output=json" in cdx and "filter=statuscode:200" in cdx and "fl=timestamp," in cdx
    assert wayback.availability_url(URL, EVENT).endswith("&timestamp=20210312")
    assert wayback.raw_url("20210312000000", URL) == (
        "https://web.archive.org/web/20210312000000id_/" + URL
    )


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("https://web.archive.org/web/20210312000000id_/" + URL, ("20210312000000", "id_", URL)),
        ("http://web.archive.org/web/20210312/" + URL, ("20210312", "", URL)),
        ("https://web.archive.org/web/20210312000000id_/http:/x.com/a", ("20210312000000", "id_", "http://x.com/a")),
        ("https://web.archive.org/web/2021im_/x.com/a?b=1", ("2021", "im_", "http://x.com/a?b=1")),
        ("https://www.tamsford-beacon.com/web/2021/x", None),
    ],
)  # fmt: skip
def test_parse_replay_url(url: str, parsed: tuple[str, str, str] | None) -> None:
    assert wayback.parse_replay_url(url) == parsed


def test_parse_cdx_rows() -> None:
    rows = [
        ["timestamp", "original", "statuscode", "mimetype", "digest"],
        ["20210313090000", URL, "200", "text/html", "AAA"],
        ["20210317120000", URL, "200", "text/html", "BBB"],
        ["20210318000000", URL, "-", "warc/revisit", "BBB"],
        ["garbage"],
    ]
    captures = wayback.parse_cdx(Answer(200, json.dumps(rows)))
    assert captures is not None
    assert [(c.timestamp, c.status, c.digest) for c in captures] == [
        ("20210313090000", 200, "AAA"),
        ("20210317120000", 200, "BBB"),
        ("20210318000000", None, "BBB"),
    ]
    assert captures[0].fetch_url == wayback.raw_url("20210313090000", URL)
    assert wayback.parse_cdx(Answer(200, "[]")) == []
    assert wayback.parse_cdx(Answer(200, "")) == []
    assert wayback.parse_cdx(Answer(200, "<html>busy</html>")) is None
    assert wayback.parse_cdx(Answer(503, "[]")) is None
    assert wayback.parse_cdx(Answer(200, '[["nope"]]')) is None


def test_parse_availability() -> None:
    closest = {
        "status": "200",
        "available": True,
        "url": f"http://web.archive.org/web/20210311170000/{URL}",
        "timestamp": "20210311170000",
    }
    body = json.dumps({"url": URL, "archived_snapshots": {"closest": closest}})
    captures = wayback.parse_availability(Answer(200, body))
    assert captures is not None and len(captures) == 1
    # the toolbar form the API names is turned into the raw form
    assert captures[0].fetch_url == wayback.raw_url("20210311170000", URL)
    assert wayback.parse_availability(Answer(200, '{"url": "x", "archived_snapshots": {}}')) == []
    assert wayback.parse_availability(Answer(200, "nope")) is None


def _ask(answers: dict[str, Answer | None], asked: list[str]):  # type: ignore[no-untyped-def]
    async def ask(url: str) -> Answer | None:
        asked.append(url)
        for prefix, answer in answers.items():
            if url.startswith(prefix):
                return answer
        return Answer(404, "")

    return ask


def test_wayback_lookup_asks_availability_only_when_cdx_fails() -> None:
    rows = [["timestamp", "original", "statuscode"], ["20210313090000", URL, "200"]]
    asked: list[str] = []
    good = {wayback.CDX_ENDPOINT: Answer(200, json.dumps(rows))}
    found = asyncio.run(wayback.Wayback().lookup(URL, EVENT, _ask(good, asked)))
    assert [c.timestamp for c in found] == ["20210313090000"] and len(asked) == 1
    asked.clear()
    closest = {
        "status": "200",
        "timestamp": "20210301000000",
        "url": f"http://web.archive.org/web/20210301000000/{URL}",
    }
    avail = {"archived_snapshots": {"closest": closest}}
    failing = {
        wayback.CDX_ENDPOINT: None,
        wayback.AVAILABILITY_ENDPOINT: Answer(200, json.dumps(avail)),
    }
    found = asyncio.run(wayback.Wayback().lookup(URL, EVENT, _ask(failing, asked)))
    assert [c.timestamp for c in found] == ["20210301000000"]
    assert asked[1].startswith(wayback.AVAILABILITY_ENDPOINT) and len(asked) == 2


def test_wayback_unwrap_and_home() -> None:
    service = wayback.Wayback()
    capture = cap("20210313000000")
    final = wayback.raw_url("20210313081500", URL)
    fetched = Fetched(final, 200, {"content-type": "text/html"}, b"<p>x</p>", "<p>x</p>")
    snap = service.unwrap(capture, fetched)
    assert snap is not None
    assert (snap.timestamp, snap.original_url, snap.html, snap.notes) == (
        "20210313081500",
        URL,
        "<p>x</p>",
        [],
    )
    home = service.home_capture(capture)
    assert home is not None and home.fetch_url == wayback.raw_url(
        "20210313000000", "http://www.tamsford-beacon.com/"
    )
    assert service.unwrap(capture, Fetched("https://elsewhere.example/", 200, {}, b"")) is None


# ------------------------------------------------------------------ Common Crawl


def test_crawl_dates_and_choice() -> None:
    assert commoncrawl.crawl_date("CC-MAIN-2021-10") == dt.date(2021, 3, 8)
    assert commoncrawl.crawl_date("CC-MAIN-2021-99") is None
    assert commoncrawl.crawl_date("CC-NEWS") is None
    crawls = [
        (f"CC-MAIN-2021-{w:02d}", f"https://index.example/CC-MAIN-2021-{w:02d}-index", d)
        for w in (4, 10, 17, 21)
        if (d := commoncrawl.crawl_date(f"CC-MAIN-2021-{w:02d}")) is not None
    ]
    chosen = commoncrawl.choose_crawls(crawls, dt.date(2021, 3, 9), 3)
    assert [c[0] for c in chosen] == ["CC-MAIN-2021-17", "CC-MAIN-2021-21", "CC-MAIN-2021-10"]
    assert [c[0] for c in commoncrawl.choose_crawls(crawls, None, 1)] == ["CC-MAIN-2021-04"]


def test_parse_collinfo_and_index() -> None:
    info = [{"id": "CC-MAIN-2021-17", "cdx-api": "https://index.example/CC-MAIN-2021-17-index"}]
    info += [{"id": "CC-NEWS-2021", "cdx-api": "x"}, "junk"]  # type: ignore[list-item]
    crawls = commoncrawl.parse_collinfo(Answer(200, json.dumps(info)))
    assert crawls == [
        ("CC-MAIN-2021-17", "https://index.example/CC-MAIN-2021-17-index", dt.date(2021, 4, 26))
    ]
    line = {"url": URL, "timestamp": "20210412093000", "status": "200", "mime": "text/html",
            "offset": "100", "length": "50", "filename": "crawl-data/x.warc.gz"}  # fmt: skip
    found = commoncrawl.parse_index(Answer(200, json.dumps(line) + "\nnot json\n"))
    assert found is not None and len(found) == 1
    assert found[0].fetch_url == "https://data.commoncrawl.org/crawl-data/x.warc.gz"
    assert found[0].fetch_headers == (("Range", "bytes=100-149"),)
    assert commoncrawl.parse_index(Answer(404, '{"message": "No Captures found"}')) == []
    assert commoncrawl.parse_index(Answer(503, "")) is None


def _warc_member(body: bytes) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    http = StatusAndHeaders(
        "200 OK", [("Content-Type", "text/html; charset=windows-1252")], protocol="HTTP/1.1"
    )
    record = writer.create_warc_record(
        URL, "response", payload=io.BytesIO(body), length=len(body), http_headers=http
    )
    writer.write_record(record)
    return buffer.getvalue()


def test_commoncrawl_unwraps_one_warc_record() -> None:
    service = commoncrawl.CommonCrawl()
    capture = Capture("commoncrawl", URL, "20210412093000", 200, "text/html", "https://d/x")
    member = _warc_member("<p>Caf\u00e9 reopens</p>".encode("cp1252"))
    snap = service.unwrap(capture, Fetched("https://d/x", 206, {}, member))
    assert snap is not None and snap.status == 200 and snap.original_url == URL
    assert snap.html == "<p>Caf\u00e9 reopens</p>"
    assert service.unwrap(capture, Fetched("https://d/x", 206, {}, b"not a warc")) is None
    assert service.unwrap(capture, Fetched("https://d/x", 404, {}, member)) is None
    assert service.home_capture(capture) is None


def test_commoncrawl_lookup_asks_the_nearest_crawls() -> None:
    info = [
        {"id": f"CC-MAIN-2021-{w}", "cdx-api": f"https://index.example/CC-MAIN-2021-{w}-index"}
        for w in ("04", "10", "17", "21")
    ]
    line = {"url": URL, "timestamp": "20210412093000", "status": "200",
            "offset": "0", "length": "10", "filename": "f.warc.gz"}  # fmt: skip
    answers = {
        commoncrawl.COLLINFO_URL: Answer(200, json.dumps(info)),
        "https://index.example/CC-MAIN-2021-17-index": Answer(200, json.dumps(line)),
    }
    asked: list[str] = []
    found = asyncio.run(commoncrawl.CommonCrawl(2).lookup(URL, EVENT, _ask(answers, asked)))
    assert [c.timestamp for c in found] == ["20210412093000"]
    assert [a.split("?")[0] for a in asked] == [
        commoncrawl.COLLINFO_URL,
        "https://index.example/CC-MAIN-2021-17-index",
        "https://index.example/CC-MAIN-2021-21-index",
    ]
