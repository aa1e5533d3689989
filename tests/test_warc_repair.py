"""Crash repair without a crawl: torn files cut at every byte, the index reconciled, the lock."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.index import Index
from archive.lock import ArchiveLock, ArchiveLocked
from archive.rebuild import build_index, compare_indexes
from archive.records import Exchange
from archive.repair import complete_prefix, repair_open_files
from archive.store import ArchiveStore
from tests.test_warc_readers import check_with_readers

FIXED = datetime(2026, 11, 22, 1, 2, 3, 456789, tzinfo=UTC)


def _exchange(n: int) -> Exchange:
    return Exchange(
        url=f"https://news.example.com/story-{n}.html",
        method="GET",
        request_headers=[("Accept-Encoding", "gzip, deflate")],
        request_body=b"",
        status=200,
        protocol="HTTP/1.1",
        response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        body=gzip.compress(f"<html><p>Story {n} ".encode() + os.urandom(300) + b"</p></html>"),
        date=FIXED,
    )


def _source(store: ArchiveStore, n: int) -> None:
    _req, resp = store.write_exchange(_exchange(n))
    store.record_source(
        {
            "url": resp.url,
            "kind": "document",
            "outcome": "origin",
            "final_url": resp.url,
            "status": 200,
            "reason": None,
            "response_record_id": resp.record_id,
            "hops": [{"url": resp.url, "status": 200, "record_id": resp.record_id}],
        },
        {"status": "ok", "reason": None, "title": f"Story {n}"},
        f"Story {n} text.",
    )


def _event(store: ArchiveStore) -> None:
    store.record_event(
        {
            "event_id": "2021-03-09/a-test-event-00000000",
            "url": "https://events.example.org/news/2021/3/9/a-test-event.md",
            "date": "2021-03-09",
            "headline": "A test event.",
            "lede": "",
            "day_index_url": None,
            "depth": 0,
            "sources": [
                {
                    "position": n,
                    "label": f"S{n}",
                    "url": f"https://news.example.com/story-{n}.html",
                    "kind": "document",
                }
                for n in range(1, 4)
            ],
            "related": [],
            "warnings": [],
        }
    )


def _killed_archive(root: Path, sources: int = 3) -> None:
    """An archive as a SIGKILL leaves it: files still `.open`, nothing closed."""
    store = ArchiveStore(root, prefix="TEST", info={"software": "tests"}, hostname="h")
    _event(store)
    for n in range(1, sources + 1):
        _source(store, n)
    # What the kernel does for a killed process: descriptors closed, nothing renamed.
    for writer in (store.captures, store.derived):
        writer._fh.close()  # type: ignore[union-attr]
    store.cdxj.close()
    store.index.db.close()
    store.lock.release()


def _open_files(root: Path) -> list[Path]:
    return sorted(root.glob("*/*.warc.gz.open"))


def test_complete_prefix_at_every_cut(tmp_path: Path) -> None:
    _killed_archive(tmp_path / "a", sources=1)
    (path,) = [p for p in _open_files(tmp_path / "a") if p.parent.name == "warc"]
    data = path.read_bytes()
    ends, offset = [0], 0
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        for _record in records:
            offset = records.get_record_offset() + records.get_record_length()
            ends.append(offset)
    assert ends[-1] == len(data) and len(ends) == 4  # warcinfo, response, request
    torn = tmp_path / "torn.warc.gz.open"
    for cut in range(len(data) + 1):
        torn.write_bytes(data[:cut])
        keep, members = complete_prefix(torn)
        expected = max(e for e in ends if e <= cut)
        assert (keep, members) == (expected, ends.index(expected)), cut


def test_garbage_after_the_last_record_is_cut(tmp_path: Path) -> None:
    _killed_archive(tmp_path, sources=1)
    path = _open_files(tmp_path)[-1]
    size = path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(b"\x00" * 100)  # a filesystem that grew the file before the data landed
    assert complete_prefix(path)[0] == size


def test_a_whole_member_with_half_a_record_is_cut(tmp_path: Path) -> None:
    _killed_archive(tmp_path, sources=1)
    path = _open_files(tmp_path)[-1]
    size = path.stat().st_size
    with open(path, "ab") as fh:
        fh.write(gzip.compress(b"WARC/1.1\r\nContent-Length: 500\r\n\r\n" + b"x" * 100))
    assert complete_prefix(path)[0] == size


def test_repair_cuts_renames_and_reconciles(tmp_path: Path) -> None:
    _killed_archive(tmp_path)
    warc = next(p for p in _open_files(tmp_path) if p.parent.name == "warc")
    whole = warc.stat().st_size
    with open(warc, "ab") as fh:  # a record torn half way
        fh.write(gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n" + os.urandom(5000))[:1000])
    report = repair_open_files(tmp_path)
    assert [f.action for f in report.files] == ["closed", "closed"]
    fixed = next(f for f in report.files if f.folder == "warc")
    assert (fixed.size_after, fixed.bytes_cut) == (whole, 1000)
    assert not _open_files(tmp_path)
    final = tmp_path / "warc" / fixed.name
    assert final.stat().st_size == whole
    check_with_readers(sorted(tmp_path.glob("*/*.warc.gz")))
    assert report.cdxj_rebuilt == [final.name.replace(".warc.gz", ".cdxj")]
    assert len((tmp_path / "indexes" / report.cdxj_rebuilt[0]).read_text().splitlines()) == 3
    rebuilt = tmp_path / "rebuilt.sqlite3"
    build_index(tmp_path, rebuilt)
    assert compare_indexes(tmp_path / "index.sqlite3", rebuilt) == []
    assert not repair_open_files(tmp_path)  # nothing left to do the second time


def test_records_that_missed_the_index_are_added(tmp_path: Path) -> None:
    _killed_archive(tmp_path)
    complete = tmp_path / "complete.sqlite3"
    shutil.copy(tmp_path / "index.sqlite3", complete)
    # As if killed between writing the last records and committing their rows.
    index = Index(tmp_path / "index.sqlite3")
    last_source = index.db.execute("SELECT url FROM sources ORDER BY url DESC LIMIT 1").fetchone()[
        0
    ]
    with index.transaction() as db:
        db.execute("DELETE FROM sources WHERE url=?", (last_source,))
        db.execute("DELETE FROM texts")
        db.execute("DELETE FROM captures WHERE record_type IN ('metadata', 'conversion')")
    index.close()
    report = repair_open_files(tmp_path)
    assert not report.index_rebuilt
    assert report.records_indexed == 7 and report.facts_applied == 4  # 3 texts + the event
    assert compare_indexes(complete, tmp_path / "index.sqlite3") == []


def test_index_ahead_of_a_cut_file_is_rebuilt(tmp_path: Path) -> None:
    _killed_archive(tmp_path)
    derived = next(p for p in _open_files(tmp_path) if p.parent.name == "derived")
    size = derived.stat().st_size
    with open(derived, "r+b") as fh:  # as after a power loss: the tail never reached the disk
        fh.truncate(size - 10)
    report = repair_open_files(tmp_path)
    assert report.index_rebuilt
    rebuilt = tmp_path / "rebuilt.sqlite3"
    build_index(tmp_path, rebuilt)
    assert compare_indexes(tmp_path / "index.sqlite3", rebuilt) == []
    index = Index(tmp_path / "index.sqlite3", readonly=True)
    assert len(index.sources()) == 2  # the last source's fact record was cut
    index.db.close()


def test_empty_and_foreign_open_files(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir(parents=True)
    empty = tmp_path / "warc" / "TEST-20261122010203456-00000-h.warc.gz.open"
    empty.write_bytes(b"")
    foreign = tmp_path / "warc" / "TEST-20261122010203456-00001-h.warc.gz.open"
    foreign.write_bytes(b"WARC/1.1\r\nnot gzipped\r\n")
    report = repair_open_files(tmp_path)
    assert sorted(f.action for f in report.files) == ["damaged", "removed"]
    assert not empty.exists() and not foreign.exists()
    assert (tmp_path / "warc" / (foreign.name.removesuffix(".open") + ".damaged")).exists()


def test_a_live_writer_is_never_repaired(tmp_path: Path) -> None:
    store = ArchiveStore(tmp_path, prefix="TEST", info={}, hostname="h")
    _source(store, 1)
    with pytest.raises(ArchiveLocked):
        repair_open_files(tmp_path)
    code = (
        "import sys\nfrom archive.repair import repair_open_files\n"
        "from archive.lock import ArchiveLocked\n"
        f"try:\n    repair_open_files({str(tmp_path)!r})\nexcept ArchiveLocked as e:\n"
        "    print(e); sys.exit(3)\n"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert other.returncode == 3 and f"pid {os.getpid()}" in other.stdout
    assert _open_files(tmp_path)  # untouched
    store.close()
    with ArchiveLock(tmp_path):
        pass  # free again once the store is closed
