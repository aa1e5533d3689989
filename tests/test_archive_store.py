"""ArchiveStore and the reader: records land where the index says, files are named and rotated."""

from __future__ import annotations

import gzip
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

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
