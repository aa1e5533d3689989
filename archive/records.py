"""Build WARC records (request, response, metadata, conversion) from plain data with warcio."""

from __future__ import annotations

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

Headers = Sequence[tuple[str, str]]

#: Request headers never written to a WARC file.
SCRUBBED_REQUEST_HEADERS = frozenset({"authorization", "proxy-authorization"})
#: Response headers that describe the transfer, not the stored payload.
HOP_BY_HOP_RESPONSE_HEADERS = frozenset({"transfer-encoding", "connection", "keep-alive"})


@dataclass
class Exchange:
    """One HTTP exchange as seen on the wire, ready to be written as a request/response pair."""

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
    truncated: str | None = None  # WARC-Truncated reason: "length", "disconnect", …
    extra: dict[str, str] = field(default_factory=dict)


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


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default:
        host += f":{parts.port}"
    return host


def build_exchange_records(
    builder: RecordBuilder, exchange: Exchange
) -> tuple[ArcWarcRecord, ArcWarcRecord]:
    """The `request` and `response` records of one exchange, linked by WARC-Concurrent-To."""
    date = warc_date(exchange.date)
    resp_headers = [
        (k, v) for k, v in exchange.response_headers if k.lower() not in HOP_BY_HOP_RESPONSE_HEADERS
    ]
    # The stored payload is the de-chunked, still-encoded body: say its real length.
    resp_headers = [(k, v) for k, v in resp_headers if k.lower() != "content-length"]
    resp_headers.append(("Content-Length", str(len(exchange.body))))
    status_line = f"{exchange.status} {reason_phrase(exchange.status)}".rstrip()
    http_resp = StatusAndHeaders(status_line, resp_headers, protocol=exchange.protocol)
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

    req_headers = [
        (k, v) for k, v in exchange.request_headers if k.lower() not in SCRUBBED_REQUEST_HEADERS
    ]
    if not any(k.lower() == "host" for k, _ in req_headers):
        req_headers.insert(0, ("Host", _host_header(exchange.url)))
    req_line = f"{exchange.method} {request_line_target(exchange.url)}"
    http_req = StatusAndHeaders(
        req_line, req_headers, protocol=exchange.protocol, is_http_request=True
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


def build_metadata_record(
    builder: RecordBuilder,
    url: str,
    refers_to: str | None,
    fields: Mapping[str, Any],
    date: datetime,
) -> ArcWarcRecord:
    """A `metadata` record (application/warc-fields) about the capture of `url`."""
    lines = []
    for name, value in fields.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None or item == "":
                continue
            text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
            lines.append(f"{name}: {' '.join(text.split())}\r\n")
    payload = "".join(lines).encode("utf-8")
    headers = {"WARC-Date": warc_date(date), "Content-Type": "application/warc-fields"}
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
