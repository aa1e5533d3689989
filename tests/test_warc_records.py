"""Record building and the capture extension's pure parts, without a crawl."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime
from io import BytesIO

import pytest
from scrapy import Request
from scrapy.http import Response
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from archive.cdxj import cdxj_line
from archive.facts import make_payload, parse_payload
from archive.records import (
    Exchange,
    build_exchange_records,
    host_header,
    payload_digest,
    stored_response_headers,
)
from archive.warcfile import ArchiveWarcWriter
from crawler.capture import TRUNCATED_META, sent_request_headers, truncation

FIXED = datetime(2026, 11, 22, 1, 2, 3, 456789, tzinfo=UTC)


def _written(exchange: Exchange) -> list[bytes]:
    """The raw blocks (HTTP head + payload) of the response and request records."""
    out = BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    request, response = build_exchange_records(writer, exchange)
    writer.write_record(response)
    writer.write_record(request)
    out.seek(0)
    return [r.raw_stream.read() for r in ArchiveIterator(out, no_record_parse=True)]


def _exchange(**changes: object) -> Exchange:
    fields: dict[str, object] = {
        "url": "http://news.example.com:8080/a;p?q=1&r=%20#frag",
        "method": "POST",
        "request_headers": [("Content-Length", "3"), ("Proxy-Authorization", "Basic eA==")],
        "request_body": b"a=1",
        "status": 299,
        "protocol": "HTTP/1.0",
        "response_headers": [("Content-Length", "999"), ("X-A", "1"), ("Connection", "close")],
        "body": b"short",
        "date": FIXED,
    }
    fields.update(changes)
    return Exchange(**fields)  # type: ignore[arg-type]


def test_request_and_status_lines() -> None:
    response, request = _written(_exchange())
    # An unknown code keeps the space its reason phrase would follow; the real protocol.
    assert response.startswith(b"HTTP/1.0 299 \r\nContent-Length: 5\r\nX-A: 1\r\n\r\nshort")
    assert request.startswith(b"POST /a;p?q=1&r=%20 HTTP/1.1\r\nContent-Length: 3\r\n")
    assert b"Host: news.example.com:8080\r\n" in request and b"Authorization" not in request
    assert request.endswith(b"\r\n\r\na=1")


def test_stored_headers_keep_order_and_say_the_stored_length() -> None:
    headers = [("Content-Length", "10"), ("Set-Cookie", "a"), ("Transfer-Encoding", "chunked")]
    headers += [("Set-Cookie", "b"), ("Keep-Alive", "timeout=5")]
    assert stored_response_headers(headers, 4) == [
        ("Content-Length", "4"),
        ("Set-Cookie", "a"),
        ("Set-Cookie", "b"),
    ]
    assert stored_response_headers([("A", "1")], 0) == [("A", "1"), ("Content-Length", "0")]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Example.COM/x", "Example.COM"),
        ("https://example.com:443/x", "example.com"),
        ("http://example.com:443/x", "example.com:443"),
        ("http://user:pw@[::1]:8000/", "[::1]:8000"),
    ],
)
def test_host_header_as_twisted_sends_it(url: str, host: str) -> None:
    assert host_header(url) == host


def test_sent_request_headers_follow_twisted() -> None:
    request = Request(
        "https://www.example.org/p?x=1",
        method="POST",
        body=b"k=v",
        headers={"Accept": "text/html", "Cookie": ["a=1", "b=2"], "dnt": "1"},
    )
    assert sent_request_headers(request) == [
        ("Content-Length", "3"),
        ("Accept", "text/html"),
        ("Cookie", "a=1"),
        ("Cookie", "b=2"),
        ("DNT", "1"),  # Twisted's canonical spelling
        ("Host", "www.example.org"),
    ]


def test_truncation_reasons() -> None:
    response = Response("http://e.example/", flags=["dataloss"])
    assert truncation(response, {}) == "disconnect"
    stopped = Response("http://e.example/", flags=["download_stopped"])
    assert truncation(stopped, {TRUNCATED_META: "length"}) == "length"
    assert truncation(stopped, {}) == "unspecified"
    assert truncation(Response("http://e.example/", flags=["partial"]), {}) is None


def test_cdxj_line_matches_pywb_fields() -> None:
    body = gzip.compress(b"<p>x</p>", mtime=0)
    exchange = _exchange(
        url="https://www.Example.com/b?z=2&a=1",
        status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=body,
    )
    _request, response = build_exchange_records(WARCWriter(None, gzip=True), exchange)
    line = cdxj_line(response, "F.warc.gz", 10, 99)
    assert line is not None
    key, stamp, fields = line.split(" ", 2)
    assert (key, stamp) == ("com,example)/b?a=1&z=2", "20261122010203")
    digest = response.rec_headers.get_header("WARC-Payload-Digest").removeprefix("sha1:")
    assert fields == (
        '{"url": "https://www.Example.com/b?z=2&a=1", "mime": "text/html", "status": "200", '
        f'"digest": "{digest}", "length": "99", "offset": "10", "filename": "F.warc.gz"}}'
    )


def test_fact_payloads() -> None:
    payload = make_payload({"source": {"url": "u"}})
    data = str(payload).replace("'", '"').encode()
    assert parse_payload("application/json", data) == payload
    assert parse_payload("application/warc-fields", data) is None
    assert parse_payload("application/json", b'{"format": "other"}') is None
    with pytest.raises(ValueError, match="no applier"):
        make_payload({"mystery": 1})


def test_a_content_encoded_payload_is_stored_not_deflated_again() -> None:
    html = b"<html><body>" + b"<p>the same words again and again</p>" * 400 + b"</body></html>"
    encoded = gzip.compress(html)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    out = BytesIO()
    writer = ArchiveWarcWriter(out, gzip=True, warc_version="1.1")
    members = []
    for exchange in (
        _exchange(
            method="GET", request_body=b"", status=200, response_headers=headers, body=encoded
        ),
        _exchange(method="GET", request_body=b"", status=200, response_headers=[], body=html),
    ):
        request, response = build_exchange_records(writer, exchange)
        for record in (response, request):
            start = out.tell()
            writer.write_record(record)
            members.append(out.getvalue()[start:])
    # every record is one whole gzip member; each inflates on its own
    for member in members:
        inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
        inflater.decompress(member)
        assert inflater.eof and not inflater.unused_data
    gz_response, _gz_request, plain_response, _plain_request = members
    assert len(gz_response) > len(encoded)  # stored: no second deflate of the gzip body
    assert len(plain_response) < len(html) // 10  # a plain body is still compressed
    out.seek(0)
    bodies, digests = [], []
    for record in ArchiveIterator(out):  # a record's stream is read before the next one
        if record.rec_type == "response":
            bodies.append(record.content_stream().read())
            digests.append(record.rec_headers.get_header("WARC-Payload-Digest"))
    assert bodies == [html, html]  # readers decode the stored record as before
    assert digests[0] == payload_digest(encoded)


def test_members_sized_to_their_records_read_back_and_compress_as_warcio_s() -> None:
    from archive.records import build_conversion_record

    words = [f"word{n % 997} line{n % 31}" for n in range(40000)]
    texts = [" ".join(words[:n]) for n in (1, 300, 3000, 40000)]  # 10 B to 600 KB
    out = BytesIO()
    writer = ArchiveWarcWriter(out, gzip=True, warc_version="1.1")
    plain = WARCWriter(BytesIO(), gzip=True, warc_version="1.1")  # warcio's own members
    for text in texts:
        record = build_conversion_record(writer, "http://e.example/a", None, text, FIXED)
        start = out.tell()
        writer.write_record(record)
        member = out.getvalue()[start:]
        warcio_start = plain.out.tell()
        plain.write_record(build_conversion_record(plain, "http://e.example/a", None, text, FIXED))
        warcio_size = plain.out.tell() - warcio_start
        assert gzip.decompress(member).count(text.encode()) == 1  # one whole member
        assert len(member) <= warcio_size * 1.01 + 8
    out.seek(0)
    read = [r.content_stream().read().decode() for r in ArchiveIterator(out)]
    assert read == texts
