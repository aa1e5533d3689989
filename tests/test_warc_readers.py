"""Independent readers (warcio's checker, FastWARC) accept every kind of record the store writes.

The helpers here are shared by the other tests/test_warc_*.py modules.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

from fastwarc.warc import ArchiveIterator as FastIterator
from fastwarc.warc import WarcRecordType

from archive.records import Exchange
from archive.store import ArchiveStore

FIXED = datetime(2026, 11, 22, 1, 2, 3, 456789, tzinfo=UTC)


def warcio_check(path: Path) -> None:
    """`warcio check -v` exits 0 on the file (it verifies block and payload digests)."""
    result = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def fastwarc_verify(path: Path) -> int:
    """FastWARC reads every record and every digest checks out; returns the record count."""
    count = 0
    with open(path, "rb") as fh:
        for record in FastIterator(fh, record_types=WarcRecordType.any_type, parse_http=False):
            assert record.verify_block_digest(), (path, record.record_id)
            payload_digest = record.headers.get("WARC-Payload-Digest")
            if record.record_type in (WarcRecordType.response, WarcRecordType.request):
                record.parse_http()
                assert record.verify_payload_digest(), (path, record.record_id)
            elif payload_digest and record.record_type != WarcRecordType.revisit:
                # no HTTP envelope: the payload is the whole block (a revisit's payload
                # digest is its original's: the payload is not in the record)
                assert payload_digest == record.headers.get("WARC-Block-Digest")
            count += 1
    return count


def whole_members(path: Path) -> int:
    """Every byte of the file belongs to a complete gzip member (checked with zlib alone)."""
    data = path.read_bytes()
    members = 0
    while data:
        inflater = zlib.decompressobj(31)
        inflater.decompress(data)
        assert inflater.eof, f"{path.name}: the last {len(data)} bytes are a partial member"
        data = inflater.unused_data
        members += 1
    return members


def check_with_readers(paths: list[Path]) -> int:
    """Run every independent check on each file; returns the number of records read."""
    assert paths
    total = 0
    for path in paths:
        warcio_check(path)
        records = fastwarc_verify(path)
        assert records == whole_members(path), path
        total += records
    return total


def _exchange() -> Exchange:
    return Exchange(
        url="https://news.example.com/a/b.html?x=1&y=2",
        method="GET",
        request_headers=[("Accept-Encoding", "gzip, deflate"), ("Authorization", "Basic eA==")],
        request_body=b"",
        status=200,
        protocol="HTTP/1.1",
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; Path=/"),
            ("X-Note", "caf\xe9"),  # a latin-1 byte, kept as received
        ],
        body=gzip.compress(b"<html><body><p>Readers agree.</p></body></html>"),
        date=FIXED,
    )


def test_every_record_kind_passes_the_independent_readers(tmp_path: Path) -> None:
    store = ArchiveStore(tmp_path, prefix="TEST", info={"software": "tests"}, hostname="h")
    _req, resp = store.write_exchange(_exchange())
    store.write_exchange(
        Exchange(
            url="http://news.example.com/cut",
            method="GET",
            request_headers=[],
            request_body=b"",
            status=200,
            protocol="HTTP/1.0",
            response_headers=[("Content-Length", "9000")],
            body=b"x" * 100,
            date=FIXED,
            truncated="disconnect",
        )
    )
    store.record_source(
        {
            "url": resp.url,
            "kind": "document",
            "outcome": "origin",
            "final_url": resp.url,
            "status": 200,
            "reason": None,
            "response_record_id": resp.record_id,
            "hops": [],
        },
        {"status": "ok", "reason": None, "title": "T"},
        "Readers agree.",
    )
    store.write_derived(resp.url, resp.record_id, {"note": "free-form"}, None)
    store.close()
    files = sorted(tmp_path.glob("*/*.warc.gz"))
    assert len(files) == 2
    # warcinfo + 2 pairs in warc/; warcinfo + conversion + fact + free-form in derived/
    assert check_with_readers(files) == 9
