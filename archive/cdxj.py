"""CDXJ index lines for replay tools (pywb, ReplayWeb.page), kept beside the capture WARCs.

Lines are those pywb's own `cdx-indexer --cdxj` writes (SURT key, 14-digit timestamp, then
a JSON object with url, mime, status, digest, length, offset and filename), so pywb finds
records under the same keys as it would after indexing the files itself. One `.cdxj` file
per WARC file: lines are appended to `NAME.cdxj.open` as records are written, and the file
is sorted and renamed when its WARC file is closed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import surt
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_timestamp

from archive.warcfile import OPEN_SUFFIX, WARC_SUFFIX, fsync_dir, scan_warc

CDXJ_SUFFIX = ".cdxj"
#: Record types a replay index lists (requests, metadata and warcinfo are not replayed).
INDEXED_TYPES = frozenset({"response", "revisit", "resource"})
_MIME_RE = re.compile("[; ]")


def cdxj_name(warc_name: str) -> str:
    """The index file name for a WARC file name (`X.warc.gz` -> `X.cdxj`)."""
    return warc_name.removesuffix(OPEN_SUFFIX).removesuffix(WARC_SUFFIX) + CDXJ_SUFFIX


def cdxj_line(record: ArcWarcRecord, filename: str, offset: int, length: int) -> str | None:
    """The CDXJ line of a record (None for records a replay index leaves out)."""
    if record.rec_type not in INDEXED_TYPES:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    fields: dict[str, str] = {"url": url}
    http = record.http_headers
    if record.rec_type == "revisit":
        fields["mime"] = "warc/revisit"
    else:
        content_type = http.get_header("Content-Type") if http is not None else None
        fields["mime"] = _MIME_RE.split(content_type, 1)[0] if content_type else "unk"
    if record.rec_type == "response" and http is not None:
        status = http.get_statuscode() or "-"
        if status == "204" and "Error" in http.statusline:
            status = "-"
        fields["status"] = status
    digest = record.rec_headers.get_header("WARC-Payload-Digest") or "-"
    fields["digest"] = digest.removeprefix("sha1:")
    fields["length"] = str(length)
    fields["offset"] = str(offset)
    kept = {k: v for k, v in fields.items() if v and v != "-"}
    kept["filename"] = filename
    timestamp = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date"))
    return f"{surt.surt(url)} {timestamp} {json.dumps(kept)}"


def index_warc(path: Path, filename: str | None = None) -> list[str]:
    """Every CDXJ line of a WARC file, sorted (read as a stream)."""
    name = filename or path.name.removesuffix(OPEN_SUFFIX)
    lines = []
    for scanned in scan_warc(path):
        line = cdxj_line(scanned.record, name, scanned.offset, scanned.length)
        if line:
            lines.append(line)
    return sorted(lines)


def write_cdxj(path: Path, lines: Iterable[str]) -> None:
    """Write sorted lines to `path` atomically (temporary file, fsync, rename)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for line in sorted(lines):
            fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def reindex_warc(warc_path: Path, directory: Path) -> Path:
    """Rebuild the `.cdxj` file of one closed WARC file from the file itself."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / cdxj_name(warc_path.name)
    write_cdxj(target, index_warc(warc_path))
    (directory / (target.name + OPEN_SUFFIX)).unlink(missing_ok=True)
    return target


class CdxjWriter:
    """Appends the CDXJ lines of records as they are written; sorts each file at its close."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._fh: IO[str] | None = None
        self._warc: str | None = None

    def add(self, warc_name: str, lines: Iterable[str]) -> None:
        """Append lines for records of `warc_name` (the WARC file being written)."""
        if self._warc != warc_name:
            self._close_handle()
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / (cdxj_name(warc_name) + OPEN_SUFFIX)
            self._fh = open(path, "a", encoding="utf-8", newline="\n")  # noqa: SIM115
            self._warc = warc_name
        assert self._fh is not None
        for line in lines:
            self._fh.write(line + "\n")
        self._fh.flush()

    def finish(self, warc_name: str) -> Path:
        """The WARC file `warc_name` is closed: sort its lines into `NAME.cdxj`."""
        if self._warc == warc_name:
            self._close_handle()
        self.directory.mkdir(parents=True, exist_ok=True)
        pending = self.directory / (cdxj_name(warc_name) + OPEN_SUFFIX)
        lines = pending.read_text(encoding="utf-8").splitlines() if pending.exists() else []
        target = self.directory / cdxj_name(warc_name)
        write_cdxj(target, lines)
        pending.unlink(missing_ok=True)
        return target

    def close(self) -> None:
        """Close the open handle (the pending file stays for `finish` or crash repair)."""
        self._close_handle()

    def _close_handle(self) -> None:
        if self._fh is not None:
            self._fh.close()
        self._fh = None
        self._warc = None
