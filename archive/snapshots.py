"""Read one archived HTTP response from a WARC file at its indexed offset, checking it whole."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed


class DamagedRecord(ValueError):
    """A WARC record the index points at cannot be read back whole."""


@dataclass
class Snapshot:
    """An archived HTTP response: status, headers in wire order, body as the client saw it."""

    url: str
    date: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    raw_body: bytes
    record_id: str
    warc_file: str
    offset: int
    record_type: str = "response"
    revisit_of: str | None = None

    def header(self, name: str) -> str | None:
        """The first value of header `name` (any case), or None."""
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def mime(self) -> str:
        """The media type from Content-Type, lower case, without parameters."""
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()

    def to_dict(self, with_body: bool = False) -> dict[str, Any]:
        """JSON-ready description; the body (as text when it decodes) only if asked."""
        data: dict[str, Any] = {
            "url": self.url,
            "date": self.date,
            "status": self.status,
            "headers": [list(h) for h in self.headers],
            "record_id": self.record_id,
            "record_type": self.record_type,
            "revisit_of": self.revisit_of,
            "warc_file": self.warc_file,
            "offset": self.offset,
            "length": len(self.body),
        }
        if with_body:
            try:
                data["body"] = self.body.decode("utf-8")
            except UnicodeDecodeError:
                import base64

                data["body_base64"] = base64.b64encode(self.body).decode("ascii")
        return data


def _decoded(raw: bytes, http_headers: Any) -> bytes:
    """The payload as the client saw it: de-chunked and content-decoded (as warcio does)."""
    if http_headers is None:
        return raw
    encoding = (http_headers.get_header("Content-Encoding") or "").lower() or None
    if encoding not in BufferedReader.get_supported_decompressors():
        encoding = None
    stream = io.BytesIO(raw)
    reader: Any
    if (http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked":
        reader = ChunkedDataReader(stream, decomp_type=encoding)
    elif encoding:
        reader = BufferedReader(stream, decomp_type=encoding)
    else:
        return raw
    try:
        return bytes(reader.read())
    except Exception:  # a body that does not decode is still evidence: give it as stored
        return raw


def read_snapshot(path: Path, row: Any) -> Snapshot:
    """Read the record `row` (a capture row) from `path`; raise DamagedRecord if it is not whole."""
    if not path.exists():
        raise DamagedRecord(f"{row.warc_file} is missing from the archive")
    size = path.stat().st_size
    end = row.offset + (row.length or 0)
    if end > size:
        raise DamagedRecord(
            f"{row.warc_file} is truncated: the record at offset {row.offset} ends at byte "
            f"{end} but the file has {size} bytes (run `python -m archive verify`)"
        )
    try:
        with open(path, "rb") as fh:
            fh.seek(row.offset)
            record = next(iter(ArchiveIterator(fh, check_digests=True)), None)
            if record is None:
                raise DamagedRecord(f"no WARC record at {row.warc_file}@{row.offset}")
            rec_id = record.rec_headers.get_header("WARC-Record-ID")
            if rec_id != row.record_id:
                raise DamagedRecord(
                    f"{row.warc_file}@{row.offset} holds {rec_id}, not {row.record_id}: "
                    "the index does not match the WARC file"
                )
            raw = record.raw_stream.read()
            if record.digest_checker.passed is False:
                problems = "; ".join(record.digest_checker.problems)
                raise DamagedRecord(f"{row.warc_file}@{row.offset}: {problems}")
            http = record.http_headers
    except (ArchiveLoadFailed, OSError, EOFError) as exc:
        raise DamagedRecord(f"{row.warc_file}@{row.offset} cannot be read: {exc}") from exc
    status = http.get_statuscode() if http is not None else None
    return Snapshot(
        url=row.url,
        date=row.date,
        status=int(status) if status and status.isdigit() else 0,
        headers=list(http.headers) if http is not None else [],
        body=_decoded(raw, http),
        raw_body=raw,
        record_id=row.record_id,
        warc_file=row.warc_file,
        offset=row.offset,
        record_type=row.record_type,
    )


_DIGITS = re.compile(r"^\d{4,14}$")


def parse_when(value: str | datetime) -> datetime:
    """A moment from a datetime, `YYYY-MM-DD[THH:MM:SS[.f]][Z]` or a 4–14-digit timestamp."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = value.strip()
    if _DIGITS.match(text):
        padded = text + "0101000000"[len(text) - 4 :] if len(text) < 14 else text
        return datetime.strptime(padded[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date: use YYYY-MM-DD, an ISO date-time or YYYYMMDDhhmmss"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def timestamp14(warc_date: str) -> str:
    """A WARC date as the 14-digit timestamp replay URLs use."""
    return parse_when(warc_date).strftime("%Y%m%d%H%M%S")


#: Media types under which a fetched payload may itself be a WARC record.
_WARC_PAYLOAD_TYPES = ("application/octet-stream", "application/warc")


def embedded_response(snap: Snapshot) -> Snapshot:
    """The HTTP response inside a capture whose payload is one WARC record (as a Common Crawl
    range fetch returns), or `snap` itself when it is not such a capture."""
    if snap.mime not in _WARC_PAYLOAD_TYPES or not snap.body.startswith((b"\x1f\x8b", b"WARC/")):
        return snap
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(snap.body))), None)
        if record is None or record.rec_type != "response" or record.http_headers is None:
            return snap
        raw = record.raw_stream.read()
    except (ArchiveLoadFailed, OSError, EOFError, ValueError):
        return snap
    http = record.http_headers
    status = http.get_statuscode()
    return Snapshot(
        url=record.rec_headers.get_header("WARC-Target-URI") or snap.url,
        date=record.rec_headers.get_header("WARC-Date") or snap.date,
        status=int(status) if status and status.isdigit() else 0,
        headers=list(http.headers),
        body=_decoded(raw, http),
        raw_body=raw,
        record_id=snap.record_id,
        warc_file=snap.warc_file,
        offset=snap.offset,
        record_type=snap.record_type,
    )
