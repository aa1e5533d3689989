"""Verify an archive: every gzip member whole, every WARC digest, the index against the WARCs.

Files are read as streams of gzip members (one WARC record each), so a truncated tail is
found exactly where it starts: warcio alone would silently return the partial last record.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.store import DERIVED_DIR, WARC_DIR

if TYPE_CHECKING:
    from archive.reader import Archive

CHUNK = 1 << 16


@dataclass
class Member:
    """One gzip member of a WARC file: where it is and what it holds (None if damaged)."""

    offset: int
    length: int
    data: bytes | None
    error: str | None = None


def iter_members(fh: IO[bytes]) -> Iterator[Member]:
    """The gzip members of a file in order; a damaged or truncated one ends the iteration."""
    offset, used, buf = 0, 0, b""
    inflater, parts = zlib.decompressobj(31), []
    while True:
        if not buf:
            buf = fh.read(CHUNK)
            if not buf:
                break
        try:
            parts.append(inflater.decompress(buf))
        except zlib.error as exc:
            yield Member(offset, used + len(buf), None, f"not valid gzip at byte {offset}: {exc}")
            return
        if inflater.eof:
            used += len(buf) - len(inflater.unused_data)
            yield Member(offset, used, b"".join(parts))
            offset, used, buf = offset + used, 0, inflater.unused_data
            inflater, parts = zlib.decompressobj(31), []
        else:
            used += len(buf)
            buf = b""
    if used:
        yield Member(
            offset, used, None, f"truncated: the last {used} bytes are an incomplete record"
        )


@dataclass
class RecordSeen:
    """A record found in a WARC file."""

    record_id: str
    rec_type: str
    url: str
    offset: int
    length: int


@dataclass
class FileReport:
    """What verifying one WARC file found."""

    name: str
    folder: str
    size: int
    open: bool
    records: int = 0
    digests_checked: int = 0
    problems: list[str] = field(default_factory=list)
    truncated_at: int | None = None


@dataclass
class VerifyReport:
    """What verifying a whole archive found."""

    files: list[FileReport]
    index_rows: int = 0
    index_problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no file and no index row has a problem."""
        return not self.index_problems and not any(f.problems for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ok": self.ok, **asdict(self)}


def _check_record(member: Member, report: FileReport) -> RecordSeen | None:
    """Parse the record of a whole member and check its digests with warcio."""
    assert member.data is not None
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(member.data), check_digests=True)))
        while record.raw_stream.read(CHUNK):
            pass
    except (ArchiveLoadFailed, StopIteration, ValueError) as exc:
        report.problems.append(f"offset {member.offset}: unreadable record ({exc})")
        return None
    rec_id = record.rec_headers.get_header("WARC-Record-ID") or ""
    if record.digest_checker.passed is False:
        detail = "; ".join(record.digest_checker.problems)
        report.problems.append(f"offset {member.offset} {rec_id}: {detail}")
    elif record.digest_checker.passed:
        report.digests_checked += 1
    return RecordSeen(
        rec_id,
        record.rec_type,
        record.rec_headers.get_header("WARC-Target-URI") or "",
        member.offset,
        member.length,
    )


def verify_file(
    path: Path, tick: Callable[[int], None] | None = None
) -> tuple[FileReport, dict[str, RecordSeen]]:
    """Check every member and record digest of one WARC file."""
    report = FileReport(
        path.name.removesuffix(".open"),
        path.parent.name,
        path.stat().st_size,
        path.suffix == ".open",
    )
    seen: dict[str, RecordSeen] = {}
    with open(path, "rb") as fh:
        for member in iter_members(fh):
            if tick:
                tick(member.length)
            if member.data is None:
                report.truncated_at = member.offset
                report.problems.append(f"{member.error} (from byte {member.offset})")
                break
            record = _check_record(member, report)
            if record is not None:
                report.records += 1
                seen[record.record_id] = record
    return report, seen


def _check_index(arc: Archive, seen: dict[tuple[str, str], dict[str, RecordSeen]]) -> list[str]:
    """Index rows that do not point at the record they name, and dangling references."""
    problems = []
    names = {name for _folder, name in seen}
    for row in arc.db.execute(
        "SELECT record_id, warc_file, offset, length, record_type FROM captures"
    ):
        record_id, warc_file, offset, length, rec_type = row
        folder = DERIVED_DIR if rec_type in ("metadata", "conversion") else WARC_DIR
        records = seen.get((folder, warc_file))
        if records is None:
            if warc_file not in names:
                problems.append(f"{record_id}: its file {folder}/{warc_file} is missing")
            continue
        found = records.get(record_id)
        if found is None:
            problems.append(f"{record_id}: not found in {warc_file} (lost or never written)")
        elif (found.offset, found.length) != (offset, length):
            problems.append(
                f"{record_id}: indexed at {offset}+{length}, is at {found.offset}+{found.length}"
                f" in {warc_file}"
            )
    known = {r[0] for r in arc.db.execute("SELECT record_id FROM captures")}
    for url, rec in arc.db.execute("SELECT url, response_record_id FROM sources"):
        if rec and rec not in known:
            problems.append(f"source {url}: its response {rec} is not in the index")
    for key, rec in arc.db.execute("SELECT url_key, conversion_record_id FROM texts"):
        if rec and rec not in known:
            problems.append(f"text of {key}: its conversion record {rec} is not in the index")
    return problems


def verify_archive(arc: Archive, tick: Callable[[int], None] | None = None) -> VerifyReport:
    """Verify every WARC file (members, digests) and the index against what they hold."""
    report = VerifyReport(files=[])
    seen: dict[tuple[str, str], dict[str, RecordSeen]] = {}
    for path in arc.warc_files(include_open=True):
        file_report, records = verify_file(path, tick)
        report.files.append(file_report)
        seen[(path.parent.name, file_report.name)] = records
        if file_report.open:
            report.warnings.append(f"{path.name} is still open (a crawl is running or was killed)")
    report.index_rows = arc.db.execute("SELECT count(*) FROM captures").fetchone()[0]
    report.index_problems = _check_index(arc, seen)
    indexed = {r[0] for r in arc.db.execute("SELECT record_id FROM captures")}
    unindexed = sum(
        1
        for records in seen.values()
        for r in records.values()
        if r.rec_type != "warcinfo" and r.record_id not in indexed
    )
    if unindexed:
        report.warnings.append(
            f"{unindexed} WARC records are not in the index (reindex to add them)"
        )
    return report
