"""`reindex` rebuilds a finished crawl's index from its WARC files, row for row; `wacz` packs it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from archive.cli import main
from archive.lock import ArchiveLock
from simweb import catalog
from simweb.runner import SimWeb
from tests.conftest import CrawlRun, run_crawl
from tests.test_warc_readers import check_with_readers
from tests.test_warc_replay import _free_port, pywb_tool

#: Index tables that cache answers from outside the archive, or hold crawl state (the
#: ledger, archive/ledger.py), not rebuilt from WARC.
CACHES = ("archive_lookups", "ledger")


@pytest.fixture(scope="module")
def crawl(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """A full crawl of the demo web."""
    archive_dir = tmp_path_factory.mktemp("reindex") / "archive"
    run = run_crawl(simweb, archive_dir, catalog.start_urls())
    assert run.returncode == 0, run.log[-4000:]
    return run


def _copy(run: CrawlRun, tmp_path: Path) -> Path:
    dest = tmp_path / "archive"
    shutil.copytree(run.archive_dir, dest)
    return dest


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a fixed order (columns by name)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {}
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in names:
            if table.startswith("sqlite_") or "fts" in table:
                continue  # full-text search internals depend on insertion history
            cols = sorted(r[1] for r in db.execute(f"PRAGMA table_info({table})"))
            rows = db.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
        return out
    finally:
        db.close()


def test_reindex_reproduces_the_index_row_by_row(crawl: CrawlRun, tmp_path: Path) -> None:
    root = _copy(crawl, tmp_path)
    before = _tables(root / "index.sqlite3")
    cdxj_before = {p.name: p.read_bytes() for p in (root / "indexes").iterdir()}
    texts_before = {p.relative_to(root): p.read_bytes() for p in (root / "texts").rglob("*.json")}
    assert main(["--dir", str(root), "reindex"]) == 0
    after = _tables(root / "index.sqlite3")
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table
    assert sum(len(rows) for rows in after.values()) > 200
    assert {p.name: p.read_bytes() for p in (root / "indexes").iterdir()} == cdxj_before
    texts_after = {p.relative_to(root): p.read_bytes() for p in (root / "texts").rglob("*.json")}
    assert texts_after == texts_before
    assert (root / "index.sqlite3.bak").exists()


def test_reindex_without_any_index(crawl: CrawlRun, tmp_path: Path) -> None:
    root = _copy(crawl, tmp_path)
    before = _tables(root / "index.sqlite3")
    for path in root.glob("index.sqlite3*"):
        path.unlink()
    shutil.rmtree(root / "indexes")
    assert main(["--dir", str(root), "reindex"]) == 0
    after = _tables(root / "index.sqlite3")
    # Caches of archive services' answers are not archive content: without the old index
    # they start empty and a later crawl asks again.
    for cache in CACHES:
        assert after.pop(cache, []) == []
        before.pop(cache, None)
    assert after == before
    assert sorted(p.name for p in (root / "indexes").iterdir()) == sorted(
        p.name for p in (crawl.archive_dir / "indexes").iterdir()
    )


def test_reindex_check_compares_without_writing(
    crawl: CrawlRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(crawl, tmp_path)
    assert main(["--dir", str(root), "reindex", "--check"]) == 0
    assert "matches" in capsys.readouterr().out
    db = sqlite3.connect(root / "index.sqlite3")
    db.execute("UPDATE events SET headline='tampered' WHERE rowid=1")
    db.commit()
    db.close()
    assert main(["--dir", str(root), "reindex", "--check"]) == 1
    out = capsys.readouterr().out
    assert "events: only in index.sqlite3" in out and "tampered" in out
    assert not (root / "index.sqlite3.bak").exists()


def test_reindex_refuses_while_a_crawl_writes(
    crawl: CrawlRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(crawl, tmp_path)
    with ArchiveLock(root):
        assert main(["--dir", str(root), "reindex"]) == 1
    assert "being written by another process" in capsys.readouterr().err


def _validate(wacz: Path) -> None:
    result = subprocess.run(
        [pywb_tool("wacz"), "validate", "-f", str(wacz)], capture_output=True, text=True
    )
    assert result.returncode == 0 and "passed WACZ is valid" in result.stdout, result.stdout


def test_wacz_of_the_whole_crawl(crawl: CrawlRun, tmp_path: Path) -> None:
    dest = tmp_path / "all.wacz"
    assert main(["--dir", str(crawl.archive_dir), "wacz", "-o", str(dest)]) == 0
    _validate(dest)
    with zipfile.ZipFile(dest) as zf:
        for path in crawl.archive_dir.glob("*/*.warc.gz"):
            info = zf.getinfo(f"archive/{path.name}")
            assert info.compress_type == zipfile.ZIP_STORED
            assert zf.read(info) == path.read_bytes()
        lines = zf.read("indexes/index.cdx").decode().splitlines()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    ours = sorted(
        line
        for p in (crawl.archive_dir / "indexes").glob("*.cdxj")
        for line in p.read_text().splitlines()
    )
    assert lines == ours
    assert pages[0]["format"] == "json-pages-1.0"
    from archive.reader import Archive

    with Archive(crawl.archive_dir) as arc:
        events = arc.events()
    assert len(events) >= len(catalog.DAY_INDEXES)
    urls = {p["url"] for p in pages[1:]}
    assert {e.url for e in events} <= urls
    archived = {s.archived_url for e in events for s in e.sources if s.outcome != "dead"}
    assert archived and archived <= urls


def test_wacz_of_one_event_replays_in_pywb(crawl: CrawlRun, tmp_path: Path) -> None:
    event = next(e for e in catalog.EVENTS if any("kestrelpost" in u for _l, u in e.sources))
    from archive.reader import Archive

    with Archive(crawl.archive_dir) as arc:
        record = next(r for r in arc.events() if r.url == event.url_md)
    dest = tmp_path / "event.wacz"
    assert (
        main(["--dir", str(crawl.archive_dir), "wacz", "--event", record.event_id, "-o", str(dest)])
        == 0
    )
    _validate(dest)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(dest) as zf:
        zf.extractall(unpacked)
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()]
    check_with_readers(sorted((unpacked / "archive").glob("*.warc.gz")))
    archived = [s for s in record.sources if s.outcome != "dead"]
    assert [p["url"] for p in pages[1:]] == [record.url] + [s.archived_url for s in archived]
    # pywb imports the package itself and replays a source from it.
    home = tmp_path / "pywb"
    home.mkdir()
    subprocess.run(
        [pywb_tool("wb-manager"), "init", "ev"], cwd=home, check=True, capture_output=True
    )
    subprocess.run(
        [pywb_tool("wb-manager"), "add", "--unpack-wacz", "ev", str(dest)],
        cwd=home,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    server = subprocess.Popen(
        [pywb_tool("wayback"), "-p", str(port), "-b", "127.0.0.1", "-t", "2"],
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    source = next(s for s in archived if "kestrelpost" in (s.archived_url or ""))
    snapshot = Archive(crawl.archive_dir)
    try:
        expected = snapshot.snapshot(source.archived_url or "").body
        url = f"http://127.0.0.1:{port}/ev/2id_/{source.archived_url}"
        for _ in range(300):
            try:
                with opener.open(
                    urllib.request.Request(url, headers={"Accept-Encoding": "identity"}), timeout=5
                ) as response:
                    assert response.status == 200
                    assert response.read() == expected
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None
                time.sleep(0.1)
        else:
            raise AssertionError("pywb did not answer")
    finally:
        snapshot.close()
        server.terminate()
        server.wait(20)
