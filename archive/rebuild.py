"""Rebuild the SQLite index, the CDXJ files and the event texts from the WARC files alone."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from warcio.recordloader import ArcWarcRecord

from archive.cdxj import CDXJ_SUFFIX, cdxj_name, reindex_warc
from archive.facts import FactContext, apply_facts, parse_payload, rebuilt_tables
from archive.index import Index
from archive.lock import ArchiveLock
from archive.records import capture_row
from archive.store import DERIVED_DIR, INDEX_FILE, INDEXES_DIR, WARC_DIR
from archive.warcfile import OPEN_SUFFIX, scan_warc, warc_files

logger = logging.getLogger(__name__)


@dataclass
class RebuildReport:
    """What a rebuild read and wrote."""

    files: int = 0
    records: int = 0
    facts: int = 0
    cdxj_files: list[str] = field(default_factory=list)
    carried_over: list[str] = field(default_factory=list)  # tables kept from the old index
    differences: list[str] = field(default_factory=list)


def _wants_payload(record: ArcWarcRecord) -> bool:
    return record.rec_type in ("metadata", "conversion")


def index_warc_file(index: Index, path: Path, skip: Collection[str] = ()) -> tuple[int, int]:
    """Add one WARC file's records to the index and apply its facts, in file order.

    Records whose ids are in `skip` are already indexed; returns (records added, facts applied).
    """
    name = path.name.removesuffix(OPEN_SUFFIX)
    added = applied = 0
    conversions: dict[str, str] = {}
    with index.transaction():
        for scanned in scan_warc(path, _wants_payload):
            record = scanned.record
            if record.rec_type == "warcinfo":
                continue
            row = capture_row(record, name, scanned.offset, scanned.length)
            payload = scanned.payload or b""
            if record.rec_type == "conversion":
                conversions[row.record_id] = payload.decode("utf-8")
            facts = None
            if record.rec_type == "metadata":
                facts = parse_payload(record.content_type, payload)
            if row.record_id not in skip:
                index.add_captures([row])
                added += 1
                if facts is not None:
                    context = FactContext(row.record_id, row.date, row.url, conversions)
                    apply_facts(index, facts, context)
                    applied += 1
            if record.rec_type == "metadata":
                conversions = {}
    return added, applied


def index_archive(index: Index, root: Path) -> RebuildReport:
    """Index every closed WARC file of an archive folder: captures first, then derived facts."""
    report = RebuildReport()
    for folder in (WARC_DIR, DERIVED_DIR):
        for path in warc_files(root / folder):
            added, applied = index_warc_file(index, path)
            report.files += 1
            report.records += added
            report.facts += applied
    return report


def clear_rebuilt_tables(index: Index) -> None:
    """Empty the tables that come from WARC records (before replaying them in place)."""
    with index.transaction() as db:
        for table in rebuilt_tables():
            db.execute(f"DELETE FROM {table}")


def build_index(root: Path, dest: Path) -> RebuildReport:
    """Build a fresh index database at `dest` from the WARC files of `root`."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    index = Index(dest)
    try:
        return index_archive(index, root)
    finally:
        index.close()


def rebuild_cdxj(root: Path) -> list[str]:
    """Rewrite the CDXJ file of every closed capture WARC; drop those of vanished files."""
    directory = root / INDEXES_DIR
    written = []
    wanted = set()
    for path in warc_files(root / WARC_DIR):
        written.append(reindex_warc(path, directory).name)
        wanted.add(cdxj_name(path.name))
    if directory.is_dir():
        for stray in directory.iterdir():
            if stray.name.endswith(CDXJ_SUFFIX) and stray.name not in wanted:
                stray.unlink()
    return written


def _checkpoint(path: Path) -> None:
    """Fold a database's write-ahead log into it, so the file alone holds every commit."""
    try:
        db = sqlite3.connect(path)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        logger.warning("Could not checkpoint %s before replacing it: %s", path, exc)


def replace_index(root: Path, new: Path) -> Path | None:
    """Put `new` in place of the archive's index; the old one is kept as `index.sqlite3.bak`."""
    current = root / INDEX_FILE
    backup = None
    if current.exists():
        _checkpoint(current)
        backup = root / (INDEX_FILE + ".bak")
        os.replace(current, backup)
    for suffix in ("-wal", "-shm"):
        Path(f"{current}{suffix}").unlink(missing_ok=True)
    os.replace(new, current)
    return backup


def reindex(root: Path, *, check: bool = False, lock: ArchiveLock | None = None) -> RebuildReport:
    """Rebuild `index.sqlite3` and the CDXJ files from the WARC files (repairing `.open` ones).

    With `check`, nothing is replaced: the report lists how the rebuilt index differs.
    """
    from archive.reader import write_event_texts
    from archive.repair import repair_open_files

    root = Path(root)
    own = lock is None
    lock = lock if lock is not None else ArchiveLock(root)
    lock.acquire()
    try:
        if not check:
            repair_open_files(root, lock=lock)
        fresh = root / (INDEX_FILE + ".rebuild")
        report = build_index(root, fresh)
        if check:
            report.differences = compare_indexes(root / INDEX_FILE, fresh, rebuilt_tables())
            fresh.unlink()
            return report
        report.carried_over = carry_over(root / INDEX_FILE, fresh)
        replace_index(root, fresh)
        report.cdxj_files = rebuild_cdxj(root)
    finally:
        if own:
            lock.release()
    write_event_texts(root)
    logger.info(
        "Rebuilt the index of %s from %d WARC files (%d records, %d facts)",
        root,
        report.files,
        report.records,
        report.facts,
    )
    return report


def _tables(db: sqlite3.Connection, schema: str = "main") -> dict[str, str]:
    rows = db.execute(f"SELECT name, sql FROM {schema}.sqlite_master WHERE type='table'")
    tables = {name: sql or "" for name, sql in rows if not name.startswith("sqlite_")}
    virtual = [n for n, sql in tables.items() if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    # Full-text search keeps its own shadow tables, laid out by insertion history.
    return {
        name: sql
        for name, sql in tables.items()
        if not any(name.startswith(v + "_") for v in virtual)
    }


def _columns(db: sqlite3.Connection, table: str, schema: str = "main") -> list[str]:
    return sorted(row[1] for row in db.execute(f"PRAGMA {schema}.table_info({table})"))


def carry_over(old: Path, new: Path) -> list[str]:
    """Copy the tables facts do not fill (caches, crawl state) from the old index to `new`."""
    if not old.exists():
        return []
    skip = {*rebuilt_tables(), "meta"}
    db = sqlite3.connect(new)
    copied = []
    try:
        db.execute("ATTACH DATABASE ? AS old", (str(old),))
        theirs = _tables(db, "old")
        for table, sql in _tables(db).items():
            if table in skip or table not in theirs or sql.upper().startswith("CREATE VIRTUAL"):
                continue
            cols = _columns(db, table)
            if cols != _columns(db, table, "old"):
                continue
            names = ", ".join(cols)
            db.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM old.{table}")
            copied.append(table)
        db.commit()
    except sqlite3.DatabaseError as exc:
        logger.warning("Could not carry tables over from %s: %s", old, exc)
    finally:
        db.close()
    return copied


def compare_indexes(a: Path, b: Path, tables: list[str] | None = None, limit: int = 5) -> list[str]:
    """Row-by-row differences between two index databases (order ignored).

    Compares `tables` (default: every table but full-text search internals).
    """
    db_a = sqlite3.connect(f"file:{a}?mode=ro", uri=True)
    db_b = sqlite3.connect(f"file:{b}?mode=ro", uri=True)
    try:
        tables_a, tables_b = _tables(db_a), _tables(db_b)
        if tables is not None:
            tables_a = {t: sql for t, sql in tables_a.items() if t in tables}
            tables_b = {t: sql for t, sql in tables_b.items() if t in tables}
        out = [f"table {t} only in {a.name}" for t in sorted(set(tables_a) - set(tables_b))]
        out += [f"table {t} only in {b.name}" for t in sorted(set(tables_b) - set(tables_a))]
        for table in sorted(set(tables_a) & set(tables_b)):
            cols_a, cols_b = _columns(db_a, table), _columns(db_b, table)
            if cols_a != cols_b:
                out.append(f"{table}: columns differ: {cols_a} / {cols_b}")
                continue
            select = f"SELECT {', '.join(cols_a)} FROM {table}"
            rows_a = Counter(db_a.execute(select).fetchall())
            rows_b = Counter(db_b.execute(select).fetchall())
            for row in list((rows_a - rows_b).elements())[:limit]:
                out.append(f"{table}: only in {a.name}: {row!r}")
            for row in list((rows_b - rows_a).elements())[:limit]:
                out.append(f"{table}: only in {b.name}: {row!r}")
        return out
    finally:
        db_a.close()
        db_b.close()
