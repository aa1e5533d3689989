"""Crash repair: WARC files a killed crawl left `.open` are cut to their last whole record.

warcio writes each record as one gzip member and flushes it, so a killed process leaves at
most one partial member at a file's end. warcio's reader returns such a partial record
without complaint (and `warcio check` passes), so the boundary is found here: members are
inflated one by one with zlib and the file is cut after the last member that is complete
(its gzip trailer and CRC check out) and holds one whole WARC record (as many bytes as its
Content-Length says). The file is then fsynced and
renamed to its final name, its CDXJ file rebuilt, and the index reconciled with what
survived: records that reached the file but not the index are added (facts applied), and
if the index points past a cut (possible only after a power loss) its WARC tables are
rebuilt from the files.
"""

from __future__ import annotations

import logging
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from archive.cdxj import CDXJ_SUFFIX, reindex_warc
from archive.index import Index
from archive.lock import ArchiveLock
from archive.rebuild import clear_rebuilt_tables, index_archive, index_warc_file
from archive.store import DERIVED_DIR, INDEX_FILE, INDEXES_DIR, WARC_DIR
from archive.warcfile import OPEN_SUFFIX, WARC_SUFFIX, fsync_dir, warc_files

logger = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_MAX_HEAD = 64 * 1024  # WARC headers longer than this are not ours


@dataclass
class RepairedFile:
    """One `.open` file and what repair did with it."""

    folder: str
    name: str  # final name, without `.open`
    size_before: int
    size_after: int
    records: int  # whole records kept (the warcinfo included)
    action: str  # "closed" (renamed), "removed" (nothing whole in it), "damaged" (not gzip)

    @property
    def bytes_cut(self) -> int:
        """How many bytes of a partial last record were cut off."""
        return self.size_before - self.size_after


@dataclass
class RepairReport:
    """What crash repair found and did; empty when the last crawl closed cleanly."""

    files: list[RepairedFile] = field(default_factory=list)
    cdxj_rebuilt: list[str] = field(default_factory=list)
    records_indexed: int = 0
    facts_applied: int = 0
    index_rebuilt: bool = False

    def __bool__(self) -> bool:
        return bool(self.files or self.cdxj_rebuilt)

    def summary(self) -> str:
        """One line for the log."""
        cut = sum(f.bytes_cut for f in self.files)
        return (
            f"{len(self.files)} WARC file(s) left open repaired ({cut} bytes of partial "
            f"records cut), {len(self.cdxj_rebuilt)} CDXJ file(s) rebuilt, "
            f"{self.records_indexed} record(s) added to the index"
            + (", index rebuilt from the WARC files" if self.index_rebuilt else "")
        )


class _Member:
    """Checks, as it is inflated, that a gzip member holds exactly one whole WARC record."""

    def __init__(self) -> None:
        self.inflater = zlib.decompressobj(31)
        self.head = b""  # the record's first bytes, up to the end of its headers
        self.size = 0  # bytes inflated

    def feed(self, data: bytes) -> None:
        out = self.inflater.decompress(data)
        self.size += len(out)
        if b"\r\n\r\n" not in self.head and len(self.head) < _MAX_HEAD:
            self.head += out[:_MAX_HEAD]

    def is_whole_record(self) -> bool:
        """A WARC record whose block is as long as its Content-Length says."""
        head, sep, _rest = self.head.partition(b"\r\n\r\n")
        if not sep or not head.startswith(b"WARC/"):
            return False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length" and value.strip().isdigit():
                return self.size == len(head) + 4 + int(value) + 4
        return False


def complete_prefix(path: Path) -> tuple[int, int]:
    """(bytes, members): how much of a `.warc.gz` file is whole gzip members holding records."""
    good_end = members = 0
    member = _Member()
    with open(path, "rb") as fh:
        position = 0
        while chunk := fh.read(_CHUNK):
            start, data = position, chunk
            position += len(chunk)
            while data:
                try:
                    member.feed(data)
                except zlib.error:
                    return good_end, members
                if not member.inflater.eof:
                    break
                end = start + len(data) - len(member.inflater.unused_data)
                if not member.is_whole_record():
                    return good_end, members
                good_end, members = end, members + 1
                start, data = end, member.inflater.unused_data
                member = _Member()
    return good_end, members


def repair_file(path: Path) -> RepairedFile:
    """Cut one `.open` WARC file to its whole records, fsync it and give it its final name."""
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    size = path.stat().st_size
    keep, members = complete_prefix(path)
    folder = path.parent.name
    if keep == 0:
        with open(path, "rb") as fh:
            magic = fh.read(2)
        if magic in (b"", b"\x1f\x8b", b"\x1f"):
            path.unlink()
            logger.warning("Removed %s: killed before its first record was whole", path)
            return RepairedFile(folder, final.name, size, 0, 0, "removed")
        damaged = path.with_name(final.name + ".damaged")
        os.replace(path, damaged)
        logger.error("%s is not a gzipped WARC file; moved aside to %s", path, damaged)
        return RepairedFile(folder, final.name, size, size, 0, "damaged")
    with open(path, "r+b") as fh:
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(path, final)
    fsync_dir(path.parent)
    logger.warning(
        "Repaired %s: kept %d whole records (%d bytes), cut %d bytes of a partial record",
        final,
        members,
        keep,
        size - keep,
    )
    return RepairedFile(folder, final.name, size, keep, members, "closed")


def _finish_cdxj(root: Path) -> list[str]:
    """(Re)build the CDXJ file of every closed capture WARC whose index was left unsorted."""
    directory = root / INDEXES_DIR
    rebuilt = []
    for warc in warc_files(root / WARC_DIR):
        stem = warc.name.removesuffix(WARC_SUFFIX)
        pending = directory / (stem + CDXJ_SUFFIX + OPEN_SUFFIX)
        if pending.exists() or not (directory / (stem + CDXJ_SUFFIX)).exists():
            rebuilt.append(reindex_warc(warc, directory).name)
    return rebuilt


def _index_is_ahead(index: Index, files: list[RepairedFile]) -> bool:
    """Whether the index has rows past what survived in a repaired file."""
    for repaired in files:
        rows = index.db.execute(
            "SELECT COUNT(*) FROM captures WHERE warc_file=? AND offset + length > ?",
            (repaired.name, repaired.size_after if repaired.action == "closed" else 0),
        ).fetchone()[0]
        if rows:
            return True
    return False


def _reconcile(root: Path, report: RepairReport) -> None:
    """Bring the index in line with the repaired files."""
    path = root / INDEX_FILE
    existed = path.exists()
    index = Index(path)
    try:
        if not existed or _index_is_ahead(index, report.files):
            with index.transaction():
                clear_rebuilt_tables(index)
                rebuilt = index_archive(index, root)
            report.index_rebuilt = True
            report.records_indexed, report.facts_applied = rebuilt.records, rebuilt.facts
            return
        for repaired in report.files:
            if repaired.action != "closed":
                continue
            known = {
                r[0]
                for r in index.db.execute(
                    "SELECT record_id FROM captures WHERE warc_file=?", (repaired.name,)
                )
            }
            added, applied = index_warc_file(index, root / repaired.folder / repaired.name, known)
            report.records_indexed += added
            report.facts_applied += applied
    finally:
        index.close()


def repair_open_files(archive_dir: str | Path, lock: ArchiveLock | None = None) -> RepairReport:
    """Repair what a killed crawl left in `archive_dir`; a no-op after a clean close.

    Takes the folder's lock unless `lock` (already held) is given, so a live crawl's files
    are never touched: a second crawl on the same folder raises ArchiveLocked instead.
    """
    root = Path(archive_dir)
    own = lock is None
    lock = lock if lock is not None else ArchiveLock(root)
    lock.acquire()
    try:
        report = RepairReport()
        for folder in (WARC_DIR, DERIVED_DIR):
            directory = root / folder
            if directory.is_dir():
                for path in sorted(directory.glob("*" + WARC_SUFFIX + OPEN_SUFFIX)):
                    report.files.append(repair_file(path))
        report.cdxj_rebuilt = _finish_cdxj(root)
        if report.files:
            _reconcile(root, report)
        if report:
            logger.warning("Crash repair of %s: %s", root, report.summary())
        return report
    finally:
        if own:
            lock.release()
