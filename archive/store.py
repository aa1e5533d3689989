"""An archive folder being written: capture WARCs, derived WARCs and the SQLite index together."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.recordloader import ArcWarcRecord

from archive.index import CaptureRow, Index
from archive.records import (
    Exchange,
    build_conversion_record,
    build_exchange_records,
    build_metadata_record,
    warc_date,
)
from archive.warcfile import RecordLocation, RotatingWarcWriter

#: Folder names inside an archive directory.
WARC_DIR = "warc"
DERIVED_DIR = "derived"
TEXTS_DIR = "texts"
INDEX_FILE = "index.sqlite3"


def _capture_row(record: ArcWarcRecord, where: RecordLocation) -> CaptureRow:
    headers = record.rec_headers
    status = None
    mime = None
    if record.http_headers is not None and record.rec_type == "response":
        code = record.http_headers.get_statuscode()
        status = int(code) if code and code.isdigit() else None
        mime = record.http_headers.get_header("Content-Type")
    elif record.rec_type not in ("request",):
        mime = record.content_type
    return CaptureRow(
        record_id=headers.get_header("WARC-Record-ID"),
        warc_file=where.filename,
        offset=where.offset,
        length=where.length,
        record_type=record.rec_type,
        url=headers.get_header("WARC-Target-URI") or "",
        date=headers.get_header("WARC-Date") or "",
        status=status,
        mime=mime,
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        concurrent_to=headers.get_header("WARC-Concurrent-To"),
        refers_to=headers.get_header("WARC-Refers-To"),
    )


class ArchiveStore:
    """Writes exchanges and derived records to WARC files and records their places in the index.

    Captures (request/response) go to `warc/`; metadata and conversion records go to
    `derived/`, so a replay tool indexing `warc/` never serves them in place of a page.
    """

    def __init__(
        self,
        root: Path,
        *,
        prefix: str = "EVENTS",
        max_size: int = 1024**3,
        info: Mapping[str, Any] | None = None,
        hostname: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.root = Path(root)
        self.clock = clock or (lambda: datetime.now(UTC))
        info = dict(info or {})
        self.captures = RotatingWarcWriter(
            self.root / WARC_DIR, prefix, max_size, info, hostname=hostname, clock=self.clock
        )
        derived_info = dict(
            info,
            description="metadata and conversion records derived from "
            "the captures in the warc/ folder",
        )
        self.derived = RotatingWarcWriter(
            self.root / DERIVED_DIR,
            prefix + "-derived",
            max_size,
            derived_info,
            hostname=hostname,
            clock=self.clock,
        )
        self.index = Index(self.root / INDEX_FILE)

    def write_exchange(self, exchange: Exchange) -> tuple[CaptureRow, CaptureRow]:
        """Write one request/response pair; return their index rows (request, response)."""
        request, response = build_exchange_records(self.captures.builder, exchange)
        # Response first, as Heritrix and warcprox do: readers find the payload without a seek.
        where = self.captures.write([response, request])
        resp_row = _capture_row(response, where[0])
        req_row = _capture_row(request, where[1])
        self.index.add_captures([resp_row, req_row])
        return req_row, resp_row

    def write_derived(
        self,
        url: str,
        refers_to: str | None,
        metadata: Mapping[str, Any],
        text: str | None,
    ) -> tuple[CaptureRow, CaptureRow | None]:
        """Write a metadata record and, when `text` is given, a conversion record for `url`."""
        now = self.clock()
        records = [build_metadata_record(self.derived.builder, url, refers_to, metadata, now)]
        if text is not None:
            records.append(build_conversion_record(self.derived.builder, url, refers_to, text, now))
        where = self.derived.write(records)
        rows = [_capture_row(rec, loc) for rec, loc in zip(records, where, strict=True)]
        self.index.add_captures(rows)
        return rows[0], (rows[1] if len(rows) > 1 else None)

    def now(self) -> str:
        """The store's clock as a WARC date string."""
        return warc_date(self.clock())

    def flush(self) -> None:
        """Push WARC bytes to the operating system."""
        self.captures.flush()
        self.derived.flush()

    def close(self) -> None:
        """Close (fsync and rename) the WARC files and the index."""
        self.captures.close()
        self.derived.close()
        self.index.close()
