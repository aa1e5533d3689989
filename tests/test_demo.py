"""The README's first command: the demo crawls the bundled web and says how to read the result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from archive.reader import Archive
from simweb import catalog

ROOT = Path(__file__).resolve().parent.parent


def test_demo_crawls_and_prints_how_to_read(tmp_path: Path) -> None:
    archive_dir = tmp_path / "demo-archive"
    result = subprocess.run(
        [sys.executable, "-m", "crawler.demo", "--archive-dir", str(archive_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    expected_events = sum(1 for e in catalog.EVENTS if e.in_day_index)
    assert "Archived " in out and "Distinct sources by outcome" in out
    assert "Read it offline:" in out and "-m archive --dir" in out
    with Archive(archive_dir) as arc:
        archived = len(arc.event_ids())
        counts = arc.outcome_counts()
    assert archived >= expected_events
    assert f"Archived {archived} events" in out
    assert counts.get("origin") and counts.get("redirect") and counts.get("dead")
    assert "pending" not in counts
