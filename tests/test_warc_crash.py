"""A crawl killed with SIGKILL in the middle of a WARC write is repaired when it starts again.

The crawl fetches large incompressible bodies from a local server, so each record takes a
while to write. The test freezes the crawl (SIGSTOP) again and again until the open WARC
file ends in a partial gzip member, kills it there, then runs the same crawl again.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.facts import rebuilt_tables
from archive.index import Index
from archive.rebuild import build_index, compare_indexes
from tests.conftest import FAST_SETTINGS, NETGUARD, ROOT, CrawlRun, run_crawl
from tests.test_warc_readers import check_with_readers

SOURCES = 24
BODY = 2 * 1024 * 1024
EVENT_PATH = "/news/2021/3/10/berth-telemetry-dump.md"


def _body(n: int) -> bytes:
    return random.Random(n).randbytes(BODY)


def _event_page() -> bytes:
    lines = [
        "### [2021-3-10](/news/2021/3/10/index.md)",
        "",
        "# The port authority publishes raw berth telemetry from its sensor network.",
        "",
        "A lede paragraph about the telemetry dump.",
        "",
        "### Source:",
        "",
    ]
    lines += [f"{n}. [Sensor {n}](/telemetry/sensor-{n}.bin)" for n in range(1, SOURCES + 1)]
    return ("\n".join(lines) + "\n").encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        if self.path == EVENT_PATH:
            body, ctype = _event_page(), "text/markdown; charset=utf-8"
        elif self.path.startswith("/telemetry/sensor-"):
            body, ctype = (
                _body(int(self.path.split("-")[1].split(".")[0])),
                "application/octet-stream",
            )
        else:
            body, ctype = b"", "text/plain"
            self.send_response(404)
        if body:
            self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{EVENT_PATH}"
    server.shutdown()
    server.server_close()


class _NoProxy:
    def proxy_env(self) -> dict[str, str]:
        return {"http_proxy": "", "https_proxy": "", "HTTP_PROXY": "", "HTTPS_PROXY": ""}


def _whole_members_from(path: Path, start: int) -> int:
    """The end of the last complete gzip member at or after `start` (zlib alone)."""
    end = start
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read()
    while data:
        inflater = zlib.decompressobj(31)
        try:
            inflater.decompress(data)
        except zlib.error:
            break
        if not inflater.eof:
            break
        end += len(data) - len(inflater.unused_data)
        data = inflater.unused_data
    return end


def _kill_mid_write(archive_dir: Path, start_url: str) -> tuple[Path, int, int]:
    """Run the crawl and SIGKILL it while the open capture file ends in a partial member."""
    command = [sys.executable, "-m", "scrapy", "crawl", "events", "-a", f"start={start_url}"]
    for key, value in {**FAST_SETTINGS, "ARCHIVE_DIR": str(archive_dir)}.items():
        command += ["-s", f"{key}={value}"]
    env = dict(os.environ, **_NoProxy().proxy_env())
    env["PYTHONPATH"] = os.pathsep.join([str(NETGUARD), str(ROOT)])
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    known: dict[Path, int] = {}
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            os.kill(proc.pid, signal.SIGSTOP)
            for path in (archive_dir / "warc").glob("*.warc.gz.open"):
                size = path.stat().st_size
                known[path] = _whole_members_from(path, known.get(path, 0))
                if size > known[path]:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(30)
                    return path, size, known[path]
            os.kill(proc.pid, signal.SIGCONT)
            time.sleep(0.003)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
    raise AssertionError("the crawl was never caught in the middle of a WARC write")


@pytest.fixture(scope="module")
def crashed(
    origin: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[CrawlRun, Path, int, int]:
    archive_dir = tmp_path_factory.mktemp("crash") / "archive"
    open_path, size, whole = _kill_mid_write(archive_dir, origin)
    assert open_path.exists() and size > whole > 0
    rerun = run_crawl(_NoProxy(), archive_dir, [origin])  # type: ignore[arg-type]
    assert rerun.returncode == 0, rerun.log[-4000:]
    return rerun, open_path, size, whole


def test_open_file_is_cut_to_its_last_whole_record_and_renamed(
    crashed: tuple[CrawlRun, Path, int, int],
) -> None:
    run, open_path, _size, whole = crashed
    final = open_path.with_name(open_path.name.removesuffix(".open"))
    assert not open_path.exists() and final.exists()
    assert final.stat().st_size == whole
    assert not list(run.archive_dir.glob("*/*.open"))
    assert run.stats["archive/repair/files"] >= 1
    assert run.stats["archive/repair/bytes_cut"] >= _size - whole
    assert f"Repaired {final}" in run.log


def test_every_file_passes_the_readers_after_restart(
    crashed: tuple[CrawlRun, Path, int, int],
) -> None:
    run = crashed[0]
    files = sorted(run.archive_dir.glob("*/*.warc.gz"))
    assert check_with_readers(files) > 2 * SOURCES


def test_index_matches_what_survived(crashed: tuple[CrawlRun, Path, int, int]) -> None:
    run = crashed[0]
    in_files: set[str] = set()
    for path in sorted(run.archive_dir.glob("*/*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "warcinfo":
                    in_files.add(record.rec_headers.get_header("WARC-Record-ID"))
    index = Index(run.archive_dir / "index.sqlite3", readonly=True)
    try:
        rows = index.captures()
        assert {r.record_id for r in rows} == in_files
        for row in rows:  # no row points past a cut, or at the wrong record
            folder = "derived" if row.record_type in ("metadata", "conversion") else "warc"
            path = run.archive_dir / folder / row.warc_file
            assert row.offset + row.length <= path.stat().st_size
            with open(path, "rb") as fh:
                fh.seek(row.offset)
                record = next(iter(ArchiveIterator(fh)))
                assert record.rec_headers.get_header("WARC-Record-ID") == row.record_id
    finally:
        index.db.close()
    rebuilt = run.archive_dir.parent / "rebuilt.sqlite3"
    build_index(run.archive_dir, rebuilt)
    # every table facts fill (the ledger is crawl state, carried over by reindex)
    assert compare_indexes(run.archive_dir / "index.sqlite3", rebuilt, rebuilt_tables()) == []


def test_every_source_ends_archived_after_restart(crashed: tuple[CrawlRun, Path, int, int]) -> None:
    run = crashed[0]
    from archive.reader import Archive

    with Archive(run.archive_dir) as arc:
        (event,) = arc.events()
        assert [s.outcome for s in event.sources] == ["origin"] * SOURCES
        for source in event.sources:
            n = int(source.url.rsplit("-", 1)[1].split(".")[0])
            assert arc.snapshot(source.url).body == _body(n)
