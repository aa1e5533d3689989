"""Build WARC records (request, response, metadata, conversion) from plain data with warcio.

HTTP header names and values are `str` holding the wire bytes one to one (latin-1), and
are written back as those bytes: warcio would otherwise percent-encode non-ASCII values.
"""

from __future__ import annotations

import base64
import hashlib
import http
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date

from archive.index import CaptureRow

Headers = Sequence[tuple[str, str]]

#: Request headers never written to a WARC file.
SCRUBBED_REQUEST_HEADERS = frozenset({"authorization", "proxy-authorization"})
#: Response headers that describe the transfer, not the stored payload.
HOP_BY_HOP_RESPONSE_HEADERS = frozenset({"transfer-encoding", "connection", "keep-alive"})
#: WARC/1.1 revisit profiles: same payload as an earlier capture, or the server said 304.
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
#: Content type of the JSON metadata records the index is built from (see archive/facts.py).
JSON_TYPE = "application/json"


@dataclass
class Exchange:
    """One HTTP exchange as seen on the wire, ready to be written as a request/response pair.

    `date` is when the capture started (the request was sent); `truncated` is the
    WARC-Truncated reason when the body was cut (`length`, `disconnect`, `unspecified`).
    """

    url: str
    method: str
    request_headers: Headers
    request_body: bytes
    status: int
    protocol: str
    response_headers: Headers
    body: bytes
    date: datetime
    ip_address: str | None = None
    truncated: str | None = None
    request_protocol: str = "HTTP/1.1"
    extra: dict[str, str] = field(default_factory=dict)


class RawStatusAndHeaders(StatusAndHeaders):  # type: ignore[misc]
    """HTTP headers written as the bytes they were received as (latin-1 round trip)."""

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        """Serialise the status line and headers without warcio's ASCII percent-encoding."""
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date with microseconds (naive values are taken as UTC)."""
    return datetime_to_iso_date(moment.replace(tzinfo=None), use_micros=True)


def reason_phrase(status: int) -> str:
    """The standard reason phrase for a status code ('' when the code is unknown)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def request_line_target(url: str) -> str:
    """Origin-form request target: path plus query string, `/` when the path is empty."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target


def host_header(url: str) -> str:
    """The Host header a client sends for `url` (port only when it is not the default)."""
    parts = urlsplit(url)
    hostport = parts.netloc.rpartition("@")[2]  # as written in the URL, as Twisted sends it
    if parts.port is not None and parts.port == {"http": 80, "https": 443}.get(parts.scheme):
        hostport = hostport[: hostport.rfind(":")]
    return hostport


def stored_response_headers(headers: Headers, body_length: int) -> list[tuple[str, str]]:
    """Response headers as stored: hop-by-hop ones dropped, Content-Length = stored body."""
    out: list[tuple[str, str]] = []
    length_done = False
    for name, value in headers:
        lower = name.lower()
        if lower in HOP_BY_HOP_RESPONSE_HEADERS:
            continue
        if lower == "content-length":
            if not length_done:
                out.append((name, str(body_length)))
                length_done = True
            continue
        out.append((name, value))
    if not length_done:
        out.append(("Content-Length", str(body_length)))
    return out


def sent_request_headers(url: str, headers: Headers) -> list[tuple[str, str]]:
    """Request headers as stored: credentials scrubbed, Host added when the client added it."""
    out = [(k, v) for k, v in headers if k.lower() not in SCRUBBED_REQUEST_HEADERS]
    if not any(k.lower() == "host" for k, _ in out):
        out.append(("Host", host_header(url)))
    return out


def build_exchange_records(
    builder: RecordBuilder, exchange: Exchange
) -> tuple[ArcWarcRecord, ArcWarcRecord]:
    """The `request` and `response` records of one exchange, linked by WARC-Concurrent-To."""
    date = warc_date(exchange.date)
    status_line = f"{exchange.status} {reason_phrase(exchange.status)}"
    http_resp = RawStatusAndHeaders(
        status_line,
        stored_response_headers(exchange.response_headers, len(exchange.body)),
        protocol=exchange.protocol,
    )
    warc_headers: dict[str, str] = {"WARC-Date": date}
    if exchange.ip_address:
        warc_headers["WARC-IP-Address"] = exchange.ip_address
    if exchange.truncated:
        warc_headers["WARC-Truncated"] = exchange.truncated
    warc_headers.update(exchange.extra)
    response = builder.create_warc_record(
        exchange.url,
        "response",
        payload=BytesIO(exchange.body),
        length=len(exchange.body),
        http_headers=http_resp,
        warc_headers_dict=warc_headers,
    )
    # warcio splits the method off the request line and keeps the rest as the status line.
    http_req = RawStatusAndHeaders(
        f"{exchange.method} {request_line_target(exchange.url)} {exchange.request_protocol}",
        sent_request_headers(exchange.url, exchange.request_headers),
        is_http_request=True,
    )
    request = builder.create_warc_record(
        exchange.url,
        "request",
        payload=BytesIO(exchange.request_body),
        length=len(exchange.request_body),
        http_headers=http_req,
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )
    return request, response


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest warcio writes for a stored body (`sha1:` + base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def build_revisit_records(
    builder: RecordBuilder, exchange: Exchange, original: CaptureRow, profile: str
) -> tuple[ArcWarcRecord, ArcWarcRecord]:
    """The `request` and `revisit` records of an exchange that repeats `original`'s payload.

    `profile` is PROFILE_IDENTICAL (a 200 whose payload digest is the original's: the
    headers are kept, the payload is not) or PROFILE_NOT_MODIFIED (a 304 to a conditional
    request). Both name the original by WARC-Refers-To, its URI and its date.
    """
    request, response = build_exchange_records(builder, exchange)
    http_resp = response.http_headers
    headers: dict[str, str] = {"WARC-Date": warc_date(exchange.date)}
    if exchange.ip_address:
        headers["WARC-IP-Address"] = exchange.ip_address
    digest = original.payload_digest or payload_digest(exchange.body)
    revisit = builder.create_revisit_record(
        exchange.url, digest, original.url, original.date, http_resp, headers
    )
    rec = revisit.rec_headers
    rec.replace_header("WARC-Profile", profile)
    rec.add_header("WARC-Refers-To", original.record_id)
    if profile == PROFILE_NOT_MODIFIED:
        rec.remove_header("WARC-Payload-Digest")  # a 304 carries no payload to digest
    request.rec_headers.replace_header("WARC-Concurrent-To", rec.get_header("WARC-Record-ID"))
    return request, revisit


def build_metadata_record(
    builder: RecordBuilder,
    url: str,
    refers_to: str | None,
    fields: Mapping[str, Any],
    date: datetime,
) -> ArcWarcRecord:
    """A `metadata` record (application/warc-fields, one `name: value` line per value)."""
    lines = []
    for name, value in fields.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None or item == "":
                continue
            text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
            lines.append(f"{name}: {' '.join(text.split())}\r\n")
    payload = "".join(lines).encode("utf-8")
    headers = {"WARC-Date": warc_date(date)}
    if refers_to:
        headers["WARC-Refers-To"] = refers_to
    return builder.create_warc_record(
        url,
        "metadata",
        payload=BytesIO(payload),
        length=len(payload),
        warc_headers_dict=headers,
        warc_content_type="application/warc-fields",
    )


def build_json_metadata_record(
    builder: RecordBuilder,
    url: str,
    refers_to: str | None,
    payload: Mapping[str, Any],
    date: datetime,
) -> ArcWarcRecord:
    """A `metadata` record about `url` whose block is a JSON document (as Common Crawl's WAT)."""
    data = json.dumps(payload, ensure_ascii=False, sort_keys=False).encode("utf-8")
    headers = {"WARC-Date": warc_date(date)}
    if refers_to:
        headers["WARC-Refers-To"] = refers_to
    return builder.create_warc_record(
        url,
        "metadata",
        payload=BytesIO(data),
        length=len(data),
        warc_headers_dict=headers,
        warc_content_type=JSON_TYPE,
    )


def build_conversion_record(
    builder: RecordBuilder,
    url: str,
    refers_to: str | None,
    text: str,
    date: datetime,
    content_type: str = "text/plain; charset=utf-8",
) -> ArcWarcRecord:
    """A `conversion` record holding text extracted from the response `refers_to`."""
    payload = text.encode("utf-8")
    headers = {"WARC-Date": warc_date(date)}
    if refers_to:
        headers["WARC-Refers-To"] = refers_to
    return builder.create_warc_record(
        url,
        "conversion",
        payload=BytesIO(payload),
        length=len(payload),
        warc_headers_dict=headers,
        warc_content_type=content_type,
    )


def build_warcinfo_record(
    builder: RecordBuilder, filename: str, info: Mapping[str, Any], date: datetime
) -> ArcWarcRecord:
    """The `warcinfo` record that opens a file (application/warc-fields, one field a line)."""
    lines = []
    for name, value in info.items():
        if value is None or value == "":
            continue
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        lines.append(f"{name}: {' '.join(text.split())}\r\n")
    data = "".join(lines).encode("utf-8")
    return builder.create_warc_record(
        "",
        "warcinfo",
        payload=BytesIO(data),
        length=len(data),
        warc_headers_dict={"WARC-Date": warc_date(date), "WARC-Filename": filename},
        warc_content_type="application/warc-fields",
    )


def capture_row(record: ArcWarcRecord, filename: str, offset: int, length: int) -> CaptureRow:
    """The index row of a record (built here or read back from a WARC file)."""
    headers = record.rec_headers
    status = None
    mime = None
    if record.rec_type in ("response", "revisit") and record.http_headers is not None:
        code = record.http_headers.get_statuscode()
        status = int(code) if code and code.isdigit() else None
        mime = record.http_headers.get_header("Content-Type")
    elif record.rec_type != "request":
        mime = record.content_type or headers.get_header("Content-Type")
    return CaptureRow(
        record_id=headers.get_header("WARC-Record-ID"),
        warc_file=filename,
        offset=offset,
        length=length,
        record_type=record.rec_type,
        url=headers.get_header("WARC-Target-URI") or "",
        date=headers.get_header("WARC-Date") or "",
        status=status,
        mime=mime,
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        concurrent_to=headers.get_header("WARC-Concurrent-To"),
        refers_to=headers.get_header("WARC-Refers-To"),
    )
