"""Rotating WARC/1.1 file writer: IIPC names, `.open` while written, fsync and rename on close."""

from __future__ import annotations

import logging
import os
import re
import socket
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import GzippingWrapper, WARCWriter

from archive.records import build_warcinfo_record

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
_NAME_RE = re.compile(
    r"^(?P<prefix>.+)-(?P<ts>\d{17})-(?P<serial>\d{5,})-(?P<host>[^/]+?)\.warc\.gz(\.open)?$"
)


#: Content-Encodings whose bytes deflate cannot shrink (a response is stored as received).
COMPRESSED_ENCODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "compress"})


class MemberGzip(GzippingWrapper):  # type: ignore[misc]
    """warcio's per-record gzip member with its deflate settings chosen for the record.

    ``level`` 0 stores the data in stored blocks. The window and hash sizes follow the
    record's size (a member never refers further back than its own start): zlib's
    defaults allocate and clear about 260 KiB per member, which costs more than
    compressing a small record (a request, a fact).
    """

    def __init__(self, out: BinaryIO, level: int = 9, size: int | None = None) -> None:  # noqa: PLW0231 - warcio's sets its own compressor
        self.out = out
        if level == 0:
            wbits, mem_level = 9, 1  # stored blocks search nothing
        elif size is None:
            wbits, mem_level = zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL
        else:
            wbits = min(zlib.MAX_WBITS, max(9, size.bit_length()))
            mem_level = min(zlib.DEF_MEM_LEVEL, max(1, wbits - 6))
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, wbits + 16, mem_level)


#: Room left for a record's WARC headers when its gzip window is sized.
_HEAD_ROOM = 2048


def payload_is_compressed(record: ArcWarcRecord) -> bool:
    """Whether a record's HTTP payload is content-encoded (gzip, br, ...) as received."""
    if record.rec_type != "response" or record.http_headers is None:
        return False
    encoding = record.http_headers.get_header("Content-Encoding") or ""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    return bool(codings) and codings[-1] in COMPRESSED_ENCODINGS


class ArchiveWarcWriter(WARCWriter):  # type: ignore[misc]
    """warcio's WARC writer; a response whose payload is content-encoded is not deflated again.

    Every record is still its own gzip member, as readers expect. Deflating a gzip or
    brotli body a second time saves about 3% (its headers) and costs about 0.4 ms of CPU a
    page, the largest part of writing it, so such a record's member holds stored blocks.
    Other records are deflated at warcio's level 9 (:class:`MemberGzip`).
    """

    gzip: bool  # set by warcio's constructor

    def _write_warc_record(self, out: Any, record: ArcWarcRecord) -> None:
        if not self.gzip:
            super()._write_warc_record(out, record)
            return
        if payload_is_compressed(record):
            member = MemberGzip(out, level=0)
        else:
            size = record.length + _HEAD_ROOM if record.length is not None else None
            member = MemberGzip(out, level=9, size=size)
        self.gzip = False  # warcio would wrap `out` in its own GzippingWrapper
        try:
            super()._write_warc_record(member, record)  # its flush() ends the member
        finally:
            self.gzip = True


@dataclass(frozen=True)
class RecordLocation:
    """Where one record sits: file name (relative to the WARC folder), offset and length."""

    filename: str
    offset: int
    length: int


@dataclass(frozen=True)
class WarcName:
    """The parts of an IIPC WARC file name `PREFIX-TIMESTAMP17-SERIAL-HOST.warc.gz`."""

    prefix: str
    timestamp: str
    serial: int
    host: str


def parse_warc_name(name: str) -> WarcName | None:
    """Split an IIPC file name (with or without `.open`) into its parts; None if it is not one."""
    match = _NAME_RE.match(name)
    if not match:
        return None
    return WarcName(
        match.group("prefix"), match.group("ts"), int(match.group("serial")), match.group("host")
    )


def warc_files(directory: Path, *, include_open: bool = False) -> list[Path]:
    """The WARC files of a folder in the order they were written (serial, then name)."""
    if not directory.is_dir():
        return []
    found = []
    for entry in directory.iterdir():
        if entry.name.endswith(WARC_SUFFIX) or (
            include_open and entry.name.endswith(WARC_SUFFIX + OPEN_SUFFIX)
        ):
            parsed = parse_warc_name(entry.name)
            found.append((parsed.serial if parsed else -1, entry.name, entry))
    return [entry for _serial, _name, entry in sorted(found)]


@dataclass
class ScannedRecord:
    """A record read back from a file: headers, where it sits, and its payload when asked for."""

    record: ArcWarcRecord
    offset: int
    length: int
    payload: bytes | None = None


def scan_warc(
    path: Path, want_payload: Callable[[ArcWarcRecord], bool] | None = None
) -> Iterator[ScannedRecord]:
    """Read a WARC file as a stream: each record with its offset, length and (if wanted) payload."""
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            payload = None
            if want_payload is not None and want_payload(record):
                payload = record.content_stream().read()
            offset = records.get_record_offset()
            yield ScannedRecord(record, offset, records.get_record_length(), payload)


def safe_hostname(name: str | None = None) -> str:
    """The machine's name reduced to characters that are safe in a WARC file name."""
    raw = name if name is not None else socket.gethostname()
    cleaned = re.sub(r"[^A-Za-z0-9.]+", "_", raw).strip("._")
    return cleaned or "localhost"


def next_serial(directory: Path, prefix: str) -> int:
    """The serial after the highest one already used in `directory` for `prefix`."""
    highest = -1
    if directory.is_dir():
        for entry in directory.iterdir():
            parsed = parse_warc_name(entry.name)
            if parsed and parsed.prefix == prefix:
                highest = max(highest, parsed.serial)
    return highest + 1


def warc_timestamp(moment: datetime) -> str:
    """A 17-digit UTC timestamp (YYYYMMDDhhmmssSSS) as IIPC file names use."""
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new file in `directory` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class RotatingWarcWriter:
    """Appends records to `PREFIX-TIMESTAMP17-SERIAL-HOST.warc.gz`, rotating at `max_size` bytes.

    Each file starts with a `warcinfo` record that every later record names in
    `WARC-Warcinfo-ID`; while written the file is `….warc.gz.open`, and it is fsynced and
    renamed when rotated or closed (then `on_close(name)` runs). Serials continue across runs.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        max_size: int,
        info: Mapping[str, Any],
        hostname: str | None = None,
        clock: Callable[[], datetime] | None = None,
        on_close: Callable[[str], object] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.info = dict(info)
        self.hostname = safe_hostname(hostname)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.on_close = on_close
        self.builder = WARCWriter(None, gzip=True, warc_version="1.1")
        self._fh: BinaryIO | None = None
        self._name: str | None = None
        self._writer: WARCWriter | None = None
        self._serial: int | None = None
        self._warcinfo_id: str | None = None
        self.closed_files: list[str] = []

    @property
    def current_name(self) -> str | None:
        """Final name (without `.open`) of the file being written, if any."""
        return self._name

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        serial = next_serial(self.directory, self.prefix)
        if self._serial is not None:
            serial = max(serial, self._serial + 1)
        self._serial = serial
        now = self.clock()
        name = f"{self.prefix}-{warc_timestamp(now)}-{serial:05d}-{self.hostname}{WARC_SUFFIX}"
        path = self.directory / (name + OPEN_SUFFIX)
        self._fh = open(path, "xb")  # noqa: SIM115 - kept open across calls on purpose
        self._name = name
        self._writer = ArchiveWarcWriter(self._fh, gzip=True, warc_version="1.1")
        info = build_warcinfo_record(self.builder, name, self.info, now)
        self._warcinfo_id = info.rec_headers.get_header("WARC-Record-ID")
        self._writer.write_record(info)
        fsync_dir(self.directory)
        logger.info("Opened WARC file %s", path)

    def write(self, records: Iterable[ArcWarcRecord]) -> list[RecordLocation]:
        """Write records one after another into the current file and say where each went.

        warcio flushes after every record, so a record is with the operating system (and
        survives a killed process) before this returns.
        """
        if self._fh is None or self._fh.tell() >= self.max_size:
            if self._fh is not None:
                self.close()
            self._open()
        assert self._fh is not None and self._writer is not None and self._name is not None
        locations = []
        for record in records:
            if self._warcinfo_id:
                record.rec_headers.replace_header("WARC-Warcinfo-ID", self._warcinfo_id)
            start = self._fh.tell()
            self._writer.write_record(record)
            locations.append(RecordLocation(self._name, start, self._fh.tell() - start))
        return locations

    def flush(self) -> None:
        """Push buffered bytes to the operating system (not to the disk)."""
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        """Fsync, close and rename the current file from `.open` to its final name."""
        if self._fh is None or self._name is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        final = self.directory / self._name
        os.replace(self.directory / (self._name + OPEN_SUFFIX), final)
        fsync_dir(self.directory)
        logger.info("Closed WARC file %s", final)
        name = self._name
        self.closed_files.append(name)
        self._fh = self._writer = None
        self._name = self._warcinfo_id = None
        if self.on_close is not None:
            self.on_close(name)
