"""`python -m archive reextract`: the texts of a finished crawl recomputed from its WARC files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from archive.cli import main
from simweb import catalog
from simweb.runner import SimWeb
from tests.conftest import CrawlRun, run_crawl

TEXT_COLUMNS = (
    "status",
    "title",
    "author",
    "published",
    "language",
    "sitename",
    "extractor",
    "text",
    "event_id",
    "date_gap_days",
    "date_flag",
    "response_record_id",
)


@pytest.fixture(scope="module")
def crawl(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """A whole crawl of the demo web."""
    simweb.reset()
    archive_dir = tmp_path_factory.mktemp("reextract") / "archive"
    run = run_crawl(simweb, archive_dir, catalog.start_urls())
    assert run.returncode == 0, run.log[-5000:]
    return run


def _texts(archive_dir: Path) -> dict[str, dict[str, object]]:
    db = sqlite3.connect(archive_dir / "index.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute(
            f"SELECT url_key, conversion_record_id, {', '.join(TEXT_COLUMNS)} FROM texts"
        ).fetchall()
    finally:
        db.close()
    return {r["url_key"]: dict(r) for r in rows}


def _conversions(archive_dir: Path) -> int:
    db = sqlite3.connect(archive_dir / "index.sqlite3")
    try:
        return int(
            db.execute("SELECT COUNT(*) FROM captures WHERE record_type='conversion'").fetchone()[0]
        )
    finally:
        db.close()


def test_reextract_reproduces_the_texts_of_a_finished_crawl(
    crawl: CrawlRun, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _texts(crawl.archive_dir)
    ok = [k for k, row in before.items() if row["status"] == "ok"]
    assert len(ok) >= 10
    conversions = _conversions(crawl.archive_dir)
    assert main(["--dir", str(crawl.archive_dir), "--json", "reextract", "--workers", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == len(before)
    assert report["changed"] == 0 and report["unreadable"] == 0
    after = _texts(crawl.archive_dir)
    assert set(after) == set(before)
    for key, row in before.items():
        for column in TEXT_COLUMNS:
            assert after[key][column] == row[column], (key, column)
        # a new conversion record holds the recomputed text
        assert after[key]["conversion_record_id"] != row["conversion_record_id"]
    assert _conversions(crawl.archive_dir) == conversions + len(
        [r for r in before.values() if r["text"] is not None]
    )


def test_crawl_texts_carry_the_event_and_date_flag(crawl: CrawlRun) -> None:
    texts = _texts(crawl.archive_dir)
    ok = [row for row in texts.values() if row["status"] == "ok"]
    assert all(row["event_id"] for row in ok)
    assert all(row["date_gap_days"] is not None for row in ok if row["published"])
    for row in ok:
        gap = row["date_gap_days"]
        assert row["date_flag"] == ("far" if gap is not None and abs(gap) > 14 else None)  # type: ignore[arg-type]
    stats = crawl.stats
    assert stats.get("archive/text/ok")


def test_reextract_without_an_archive_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--dir", str(tmp_path / "nothing"), "reextract"]) == 2
    assert "not an archive" in capsys.readouterr().err
