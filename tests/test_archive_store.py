"""ArchiveStore and the reader: records land where the index says, files are named and rotated."""

from __future__ import annotations

import gzip
import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.index import CaptureRow, Index
from archive.reader import Archive
from archive.records import Exchange
from archive.store import ArchiveStore
from archive.warcfile import next_serial

FIXED = datetime(2026, 11, 22, 1, 2, 3, 456789, tzinfo=UTC)


def _exchange(
    url: str = "https://news.example.com/a/b.html?x=1&y=2", body: bytes = b""
) -> Exchange:
    payload = body or gzip.compress(b"<html><body><p>Hello archive</p></body></html>")
    return Exchange(
        url=url,
        method="GET",
        request_headers=[
            ("Accept-Encoding", "gzip, deflate"),
            ("Authorization", "Basic c2VjcmV0"),
            ("Proxy-Authorization", "Basic c2VjcmV0"),
        ],
        request_body=b"",
        status=200,
        protocol="HTTP/1.1",
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; Path=/"),
            ("Transfer-Encoding", "chunked"),
        ],
        body=payload,
        date=FIXED,
    )


def _store(root: Path, max_size: int = 1024**3) -> ArchiveStore:
    return ArchiveStore(
        root,
        prefix="TEST",
        max_size=max_size,
        info={"software": "tests"},
        hostname="host",
        clock=lambda: FIXED,
    )


def test_exchange_round_trips_through_index_and_reader(tmp_path: Path) -> None:
    store = _store(tmp_path)
    req_row, resp_row = store.write_exchange(_exchange())
    store.close()

    files = sorted((tmp_path / "warc").iterdir())
    assert [f.name for f in files] == ["TEST-20261122010203456-00000-host.warc.gz"]
    with Archive(tmp_path) as arc:
        snap = arc.read_record(resp_row)
        assert snap.status == 200
        assert snap.body == b"<html><body><p>Hello archive</p></body></html>"
        assert snap.raw_body[:2] == b"\x1f\x8b"  # stored as received: still gzip
        assert [v for k, v in snap.headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2; Path=/"]
        assert not any(k.lower() == "transfer-encoding" for k, _ in snap.headers)
        assert ("Content-Length", str(len(snap.raw_body))) in snap.headers

    with open(files[0], "rb") as fh:
        records = list(ArchiveIterator(fh))
    assert [r.rec_type for r in records] == ["warcinfo", "response", "request"]
    request = records[2]
    assert request.http_headers.protocol == "GET"
    assert request.http_headers.statusline.startswith("/a/b.html?x=1&y=2")
    names = [k.lower() for k, _ in request.http_headers.headers]
    assert "authorization" not in names and "proxy-authorization" not in names
    assert request.http_headers.get_header("Host") == "news.example.com"
    assert request.rec_headers.get_header("WARC-Concurrent-To") == resp_row.record_id
    assert req_row.record_id == request.rec_headers.get_header("WARC-Record-ID")
    assert records[1].rec_headers.get_header("WARC-Date") == "2026-11-22T01:02:03.456789Z"


def test_warcio_check_accepts_files(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.write_exchange(_exchange())
    store.write_derived("https://news.example.com/a", None, {"event-id": ["e/1"]}, "text")
    store.close()
    for path in list((tmp_path / "warc").iterdir()) + list((tmp_path / "derived").iterdir()):
        result = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_open_while_writing_then_renamed(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.write_exchange(_exchange())
    names = [p.name for p in (tmp_path / "warc").iterdir()]
    assert names == ["TEST-20261122010203456-00000-host.warc.gz.open"]
    store.close()
    assert [p.name for p in (tmp_path / "warc").iterdir()] == [
        "TEST-20261122010203456-00000-host.warc.gz"
    ]


def test_rotation_and_serials_continue_across_runs(tmp_path: Path) -> None:
    store = _store(tmp_path, max_size=2000)
    big = random.Random(1).randbytes(4000)  # incompressible: each pair passes 2000 bytes
    rows = [store.write_exchange(_exchange(body=big))[1] for _ in range(3)]
    store.close()
    assert len({r.warc_file for r in rows}) == 3
    assert next_serial(tmp_path / "warc", "TEST") == 3
    store = _store(tmp_path)
    row = store.write_exchange(_exchange())[1]
    store.close()
    assert "-00003-" in row.warc_file
    with Archive(tmp_path) as arc:
        for r in rows + [row]:
            assert arc.read_record(r).record_id == r.record_id


def test_derived_records_refer_to_response(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _req, resp = store.write_exchange(_exchange())
    meta, conv = store.write_derived(
        resp.url,
        resp.record_id,
        {"event-id": ["2017-10-04/x-1"], "provenance": "origin"},
        "Clean text.",
    )
    store.close()
    assert conv is not None and conv.refers_to == resp.record_id
    with open(tmp_path / "derived" / conv.warc_file, "rb") as fh:
        fh.seek(conv.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert record.rec_type == "conversion"
        assert record.content_stream().read() == b"Clean text."
    with open(tmp_path / "derived" / meta.warc_file, "rb") as fh:
        fh.seek(meta.offset)
        record = next(iter(ArchiveIterator(fh)))
        assert b"event-id: 2017-10-04/x-1" in record.content_stream().read()


def test_index_rows_wait_for_the_batch_commit_and_a_failed_block_is_undone_alone(
    tmp_path: Path,
) -> None:
    now = [100.0]
    index = Index(tmp_path / "index.sqlite3", commit_seconds=1.0, clock=lambda: now[0])
    other = sqlite3.connect(tmp_path / "index.sqlite3")  # another process's view

    def urls(db: sqlite3.Connection) -> list[str]:
        return [r[0] for r in db.execute("SELECT url FROM captures ORDER BY url")]

    def row(url: str) -> CaptureRow:
        return CaptureRow(
            f"<urn:{url}>", "f.warc.gz", 0, 10, "response", url, "d", 200, "text/html", "sha1:X"
        )

    index.add_captures([row("a")])
    with index.transaction():  # nested blocks join the batch
        index.add_captures([row("b")])
    assert urls(index.db) == ["a", "b"]  # this connection sees its own rows at once
    assert urls(other) == []  # others once the batch commits
    with pytest.raises(RuntimeError), index.transaction():
        index.add_captures([row("c")])
        raise RuntimeError("the page's facts were bad")
    assert urls(index.db) == ["a", "b"]  # only the failed block was undone
    now[0] += 1.0
    index.commit_due()  # the crawl's timer: a quiet crawl commits on time
    assert urls(other) == ["a", "b"]
    index.add_captures([row("d")])
    now[0] += 0.5
    index.add_captures([row("e")])
    assert urls(other) == ["a", "b"]  # the batch is 0.5 s old: it waits
    now[0] += 0.5
    index.add_captures([row("f")])  # the block that finds the batch 1 s old commits it
    assert urls(other) == ["a", "b", "d", "e", "f"]
    index.add_captures([row("g")])
    index.close()  # commits what waits
    assert urls(other) == ["a", "b", "d", "e", "f", "g"]
    other.close()
