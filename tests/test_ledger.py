"""The ledger, the run-marker decision and the frontier's admissions, without a crawl."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.index import Index
from archive.ledger import Entry, Ledger, last_pass, retry_after, retry_due
from crawler.frontier import Frontier
from crawler.runstate import (
    RunMarker,
    StartDecision,
    decide,
    jobdir_version,
    move_jobdir_state,
    read_marker,
    write_jobdir_version,
    write_marker,
)

URL = "https://news.example/a.html"


@pytest.fixture
def index(tmp_path: Path) -> Index:
    return Index(tmp_path / "index.sqlite3")


def _marker(state: str, reason: str | None = None, pass_no: int = 2) -> RunMarker:
    return RunMarker(state, 1, "2.19.0", None, pass_no, "t0", reason, pass_started="t0")


def test_rows_are_buffered_until_a_batch_is_full(index: Index) -> None:
    clock = [100.0]
    ledger = Ledger(index, batch_rows=3, batch_seconds=60, clock=lambda: clock[0])
    ledger.put(Entry(url=URL, role="source"))
    ledger.put(Entry(url=URL + "?b", role="source"))
    assert index.db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == 0
    assert ledger.get(URL) is not None  # read through the buffer
    ledger.put(Entry(url=URL + "?c", role="source"))
    assert index.db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == 3
    ledger.put(Entry(url=URL + "?d", role="source"))
    clock[0] += 61
    ledger.maybe_flush()
    assert index.db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == 4
    assert last_pass(index.path.parent) == 1


def test_retry_backoff_doubles_and_attempts_are_bounded() -> None:
    assert retry_after(0, 1, 10) < retry_after(0, 2, 10) < retry_after(0, 3, 10)
    failed_at = "1970-01-01T00:16:40.000000Z"  # 1000 s
    once = Entry(url=URL, role="source", state="failed", attempts=1, updated=failed_at)
    assert not retry_due(once, 1005, 3, 10) and retry_due(once, 1010, 3, 10)
    twice = Entry(url=URL, role="source", state="failed", attempts=2, updated=failed_at)
    assert not retry_due(twice, 1010, 3, 10) and retry_due(twice, 1020, 3, 10)
    assert retry_due(twice, 1000, 3, 0)  # the current setting applies
    assert not retry_due(twice, 9999, 2, 10)  # attempts used up


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        (None, (1, False, False)),
        (_marker("running"), (2, True, True)),
        (_marker("closed", "shutdown"), (2, True, False)),
        (_marker("closed", "finished"), (3, False, False)),
    ],
)
def test_decide_resume_or_next_pass(marker: RunMarker | None, expected: tuple) -> None:
    decision = decide(marker, 0)
    assert (decision.pass_no, decision.resume, decision.unclean) == expected


def test_marker_and_jobdir_round_trip(tmp_path: Path) -> None:
    write_marker(tmp_path, _marker("running"))
    assert read_marker(tmp_path) == _marker("running")
    (tmp_path / "run.json").write_text("{not json")
    assert read_marker(tmp_path) is None
    job = tmp_path / "job"
    write_jobdir_version(job, "2.18.0")
    (job / "requests.seen").write_text("x")
    (job / "requests.queue").mkdir()
    assert jobdir_version(job) == "2.18.0"
    moved = move_jobdir_state(job, "written by Scrapy 2.18.0")
    assert moved is not None and (moved / "requests.seen").exists()
    assert not (job / "requests.seen").exists() and not (job / "requests.queue").exists()


def _frontier(index: Index, tmp_path: Path, pass_no: int, resume: bool) -> Frontier:
    decision = StartDecision(pass_no, resume, False, "test", "2000-01-01T00:00:00.000000Z")
    return Frontier(Ledger(index), tmp_path, decision, max_attempts=2, backoff=0)


def test_admissions_within_and_across_passes(index: Index, tmp_path: Path) -> None:
    first = _frontier(index, tmp_path, 1, False)
    assert first.admit_source(URL, {}).fetch
    assert first.admit_source(URL, {}).why == "requested"
    first.source_done(URL, "dead", "HTTP 404")
    page = "https://events.example/day.md"
    assert first.admit_page(page, "start", {"depth": 0}).why == "new"
    first.page_done(page, "day_index", [])
    first.ledger.flush()
    again = _frontier(index, tmp_path, 1, True)  # a resume of pass 1
    assert again.admit_source(URL, {}).why == "done"
    assert again.admit_page(page, "start", {}).why == "done"
    second = _frontier(index, tmp_path, 2, False)  # the next pass retries, then gives up
    assert second.admit_source(URL, {}).why == "retry"
    second.source_done(URL, "dead", "HTTP 404")
    assert second.ledger.get(URL).state == "dead"  # type: ignore[union-attr]
    second.ledger.flush()
    assert _frontier(index, tmp_path, 3, False).admit_source(URL, {}).why == "dead"


def test_resume_settles_sources_recorded_after_a_lost_mark(index: Index, tmp_path: Path) -> None:
    frontier = _frontier(index, tmp_path, 1, True)
    frontier.admit_source(URL, {})
    frontier.ledger.flush()  # "discovered" is durable, the outcome's mark is lost
    index.set_source(
        url=URL,
        kind="document",
        outcome="origin",
        final_url=URL,
        status=200,
        reason=None,
        response_record_id=None,
        hops=[],
        updated="2030-01-01T00:00:00Z",
    )
    resumed = _frontier(index, tmp_path, 1, True)
    assert resumed.resume_entries() == []
    assert resumed.ledger.get(URL).state == "archived"  # type: ignore[union-attr]
    report = resumed.report()
    assert report.missing == [] and "Complete" in report.lines()[-1]
