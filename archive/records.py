"""Build WARC records (request, response, metadata, conversion) from plain data with warcio.

HTTP header names and values are `str` holding the wire bytes one to one (latin-1), and
are written back as those bytes: warcio would otherwise percent-encode non-ASCII values.

The records of a crawl's pages are built whole here (every WARC header, both digests
computed once from the bytes in hand): warcio's generic builder would look its headers up
and read the payload again for each digest. warcio writes them (it sees the digests and
leaves them as they are); warcinfo and revisit records come from warcio's builder.
"""

from __future__ import annotations

import base64
import hashlib
import http
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any, cast
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
    """HTTP headers written as the bytes they were received as (latin-1 round trip).

    The serialised head is kept once made (the block digest was computed from it): change
    no header after building the record.
    """

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        """Serialise the status line and headers without warcio's ASCII percent-encoding."""
        if header_filter is None and getattr(self, "headers_buff", None) is not None:
            return
        self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"


def new_record_id() -> str:
    """A fresh WARC-Record-ID (`<urn:uuid:…>`, as warcio makes them)."""
    return f"<urn:uuid:{uuid.uuid4()}>"


def _sha1(*parts: bytes) -> str:
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part)
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


def _record(
    rec_type: str,
    url: str,
    fields: list[tuple[str, str]],
    payload: bytes,
    content_type: str,
    http_headers: RawStatusAndHeaders | None = None,
    version: str = "WARC/1.1",
    record_id: str | None = None,
) -> ArcWarcRecord:
    """A record with all its WARC headers, digests included (the same ones warcio makes:
    block = HTTP head + payload, payload = the bytes after the head)."""
    payload_sha1 = _sha1(payload)
    if http_headers is not None:
        http_headers.compute_headers_buffer()
        block_sha1 = _sha1(http_headers.headers_buff, payload)
    else:
        block_sha1 = payload_sha1
    headers = [("WARC-Type", rec_type), ("WARC-Record-ID", record_id or new_record_id())]
    if url:
        headers.append(("WARC-Target-URI", url))
    headers += fields
    headers += [
        ("WARC-Payload-Digest", payload_sha1),
        ("WARC-Block-Digest", block_sha1),
        ("Content-Type", content_type),
    ]
    record = ArcWarcRecord(
        "warc",
        rec_type,
        StatusAndHeaders("", headers, protocol=version),
        BytesIO(payload),
        http_headers,
        content_type,
        len(payload),
    )
    record.payload_length = len(payload)
    return record


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
    fields = [("WARC-Date", date)]
    if exchange.ip_address:
        fields.append(("WARC-IP-Address", exchange.ip_address))
    if exchange.truncated:
        fields.append(("WARC-Truncated", exchange.truncated))
    fields += exchange.extra.items()
    response_id = new_record_id()
    response = _record(
        "response",
        exchange.url,
        fields,
        exchange.body,
        RecordBuilder.WARC_RECORDS["response"],
        http_resp,
        builder.warc_version,
        response_id,
    )
    # warcio splits the method off the request line and keeps the rest as the status line.
    http_req = RawStatusAndHeaders(
        f"{exchange.method} {request_line_target(exchange.url)} {exchange.request_protocol}",
        sent_request_headers(exchange.url, exchange.request_headers),
        is_http_request=True,
    )
    request = _record(
        "request",
        exchange.url,
        [("WARC-Date", date), ("WARC-Concurrent-To", response_id)],
        exchange.request_body,
        RecordBuilder.WARC_RECORDS["request"],
        http_req,
        builder.warc_version,
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
    return _derived("metadata", url, refers_to, data, date, JSON_TYPE, builder.warc_version)


def build_conversion_record(
    builder: RecordBuilder,
    url: str,
    refers_to: str | None,
    text: str,
    date: datetime,
    content_type: str = "text/plain; charset=utf-8",
) -> ArcWarcRecord:
    """A `conversion` record holding text extracted from the response `refers_to`."""
    data = text.encode("utf-8")
    return _derived("conversion", url, refers_to, data, date, content_type, builder.warc_version)


def _derived(
    rec_type: str,
    url: str,
    refers_to: str | None,
    data: bytes,
    date: datetime,
    content_type: str,
    version: str,
) -> ArcWarcRecord:
    fields = [("WARC-Date", warc_date(date))]
    if refers_to:
        fields.append(("WARC-Refers-To", refers_to))
    return _record(rec_type, url, fields, data, content_type, None, version)


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
    headers = warc_fields(record)
    status = None
    mime = None
    if record.rec_type in ("response", "revisit") and record.http_headers is not None:
        code = record.http_headers.get_statuscode()
        status = int(code) if code and code.isdigit() else None
        mime = record.http_headers.get_header("Content-Type")
    elif record.rec_type != "request":
        mime = record.content_type or headers.get("content-type")
    return CaptureRow(
        record_id=cast(str, headers.get("warc-record-id")),  # None only in a broken file
        warc_file=filename,
        offset=offset,
        length=length,
        record_type=record.rec_type,
        url=headers.get("warc-target-uri") or "",
        date=headers.get("warc-date") or "",
        status=status,
        mime=mime,
        payload_digest=headers.get("warc-payload-digest"),
        concurrent_to=headers.get("warc-concurrent-to"),
        refers_to=headers.get("warc-refers-to"),
    )


def warc_fields(record: ArcWarcRecord) -> dict[str, Any]:
    """A record's WARC headers by lower-case name (the first of a repeated one, as warcio)."""
    fields: dict[str, Any] = {}
    for name, value in record.rec_headers.headers:
        fields.setdefault(name.lower(), value)
    return fields
