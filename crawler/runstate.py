"""The run marker (`ARCHIVE_DIR/run.json`) and JOBDIR checks: how did the last crawl end?

A crawl writes the marker as `running` when it opens and `closed` (with Scrapy's finish
reason) when it closes cleanly. At start-up a marker still saying `running` while the
folder's lock is free means the last crawl died (SIGKILL, a second Ctrl-C, power loss):
Scrapy's JOBDIR queue was then not written and its seen-set may be ahead of what was done,
so both are moved aside and the frontier is re-seeded from the ledger. A JOBDIR written by
another Scrapy version is moved aside the same way (its on-disk formats change: the 2.19
`requests.seen` is not the 2.18 one). No Scrapy imports here.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "JOBDIR_STATE",
    "MARKER_FILE",
    "VERSION_FILE",
    "RunMarker",
    "StartDecision",
    "decide",
    "jobdir_version",
    "move_jobdir_state",
    "read_marker",
    "write_jobdir_version",
    "write_marker",
]

MARKER_FILE = "run.json"
#: Written beside Scrapy's own files in JOBDIR: the Scrapy version that wrote them.
VERSION_FILE = "event-archiver-scrapy.version"
#: What Scrapy keeps in a JOBDIR (scheduler queue, duplicate filter, spider state).
JOBDIR_STATE = ("requests.queue", "requests.seen", "spider.state")


@dataclass
class RunMarker:
    """What `run.json` says about the last (or current) crawl of an archive folder."""

    state: str  # "running" | "closed"
    pid: int
    scrapy: str
    jobdir: str | None
    pass_no: int
    started: str
    finish_reason: str | None = None
    ended: str | None = None
    #: when the pass began (outcomes recorded since belong to it)
    pass_started: str | None = None


@dataclass(frozen=True)
class StartDecision:
    """How a starting crawl relates to the last one."""

    pass_no: int
    resume: bool  # the last pass is unfinished: continue it (no revalidation)
    unclean: bool  # the last crawl died without closing
    why: str
    pass_started: str = ""  # when the pass began (WARC date format)


def now_iso() -> str:
    """The current UTC time as WARC dates are written (ISO 8601, microseconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_marker(root: Path) -> RunMarker | None:
    """The marker of an archive folder, or None when there is none (or it is unreadable)."""
    path = Path(root) / MARKER_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return RunMarker(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_marker(root: Path, marker: RunMarker) -> None:
    """Write the marker atomically and durably (temporary file, fsync, rename)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / (MARKER_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(asdict(marker), fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / MARKER_FILE)


def decide(marker: RunMarker | None, last_pass: int) -> StartDecision:
    """Resume the last pass or start the next one, from the marker and the ledger's last pass.

    Only call this holding (or having just been able to take) the folder's lock: a marker
    saying `running` is then a crawl that died.
    """
    if marker is None:
        if last_pass:
            return StartDecision(last_pass, True, False, "no run marker; the ledger has a crawl")
        return StartDecision(1, False, False, "a new archive", now_iso())
    started = marker.pass_started or marker.started
    if marker.state == "running":
        why = f"crawl pid {marker.pid} did not close"
        return StartDecision(marker.pass_no, True, True, why, started)
    if marker.finish_reason == "finished":
        return StartDecision(marker.pass_no + 1, False, False, "the last crawl finished", now_iso())
    why = f"the last crawl stopped early ({marker.finish_reason})"
    return StartDecision(marker.pass_no, True, False, why, started)


def jobdir_version(jobdir: Path) -> str | None:
    """The Scrapy version recorded in JOBDIR, or None."""
    try:
        return (Path(jobdir) / VERSION_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def write_jobdir_version(jobdir: Path, version: str) -> None:
    """Record which Scrapy version writes this JOBDIR."""
    Path(jobdir).mkdir(parents=True, exist_ok=True)
    (Path(jobdir) / VERSION_FILE).write_text(version + "\n", encoding="utf-8")


def has_jobdir_state(jobdir: Path) -> bool:
    """Whether Scrapy left state in JOBDIR."""
    return any((Path(jobdir) / name).exists() for name in JOBDIR_STATE)


def move_jobdir_state(jobdir: Path, why: str) -> Path | None:
    """Move Scrapy's state out of JOBDIR into `JOBDIR/stale-<time>/`; return that folder."""
    jobdir = Path(jobdir)
    present = [jobdir / name for name in JOBDIR_STATE if (jobdir / name).exists()]
    if not present:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    dest = jobdir / f"stale-{stamp}"
    dest.mkdir(parents=True)
    for path in present:
        shutil.move(str(path), str(dest / path.name))
    (dest / "WHY").write_text(why + "\n", encoding="utf-8")
    return dest
