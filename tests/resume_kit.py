"""Helpers for the resume tests: crawls to stop, stop points, and what an archive holds."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.index import url_key
from archive.reader import Archive
from simweb import catalog
from simweb.runner import SimWeb
from tests.conftest import FAST_SETTINGS, NETGUARD, ROOT

PROBE_MARK = "-no-such-page"
#: For a crawl whose progress a test watches in its index to pick a kill point: every
#: record's rows committed at once (a crawl batches them by default, a second apart).
WATCHED = {"ARCHIVE_INDEX_COMMIT_SECONDS": "0"}


def crawl_command(archive_dir: Path, start: Sequence[str], settings: dict[str, str]) -> list[str]:
    """The `scrapy crawl events` command run_crawl() runs."""
    command = [sys.executable, "-m", "scrapy", "crawl", "events", "-a", "start=" + ",".join(start)]
    for key, value in {**FAST_SETTINGS, "ARCHIVE_DIR": str(archive_dir), **settings}.items():
        command += ["-s", f"{key}={value}"]
    return command


def start_crawl(
    web: SimWeb, archive_dir: Path, start: Sequence[str], settings: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """Start a crawl in its own process group (so a kill reaches its extraction workers)."""
    env = dict(os.environ, **web.proxy_env())
    env["PYTHONPATH"] = os.pathsep.join([str(NETGUARD), str(ROOT)])
    env["NETGUARD_LOG"] = str(archive_dir.parent / f"{archive_dir.name}-netguard.log")
    env.pop("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", None)
    with open(log, "ab") as out:
        return subprocess.Popen(
            crawl_command(archive_dir, start, settings),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def query(archive_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a read-only query on a crawl's index ([] while it does not exist yet)."""
    path = archive_dir / "index.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        db.close()


def count(archive_dir: Path, sql: str) -> int:
    """The single number a COUNT query returns (0 while the index does not exist)."""
    rows = query(archive_dir, sql)
    return int(rows[0][0]) if rows else 0


def wait_for(proc: subprocess.Popen[bytes], cond: Callable[[], bool], timeout: float = 90) -> None:
    """Poll `cond` until it holds; fail if the crawl ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        if proc.poll() is not None:
            raise AssertionError(
                f"the crawl ended (rc {proc.returncode}) before the stop point {cond.__doc__}"
            )
        time.sleep(0.005)
    raise AssertionError("the stop point was never reached")


def _whole_members_end(path: Path) -> int:
    """The end of the last complete gzip member of a file."""
    data = path.read_bytes()
    end = 0
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


def kill_mid_write(proc: subprocess.Popen[bytes], archive_dir: Path, timeout: float = 90) -> None:
    """Freeze the crawl again and again; SIGKILL it when an open WARC ends in a partial record."""
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            os.killpg(proc.pid, signal.SIGSTOP)
            for path in (archive_dir / "warc").glob("*.warc.gz.open"):
                if path.stat().st_size > _whole_members_end(path):
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(30)
                    return
            os.killpg(proc.pid, signal.SIGCONT)
            time.sleep(0.002)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
    raise AssertionError("the crawl was never caught in the middle of a WARC write")


def stop(proc: subprocess.Popen[bytes], signals: Sequence[signal.Signals]) -> int:
    """Send signals to the crawl's process group (a terminal's Ctrl-C does); wait for it."""
    for n, sig in enumerate(signals):
        if n:
            time.sleep(0.02)
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
    try:
        return proc.wait(60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def request_url(entry: dict[str, Any]) -> str:
    """The URL of a simweb request-log entry."""
    return f"{entry['scheme']}://{entry['host']}{entry['path']}"


def owners() -> dict[str, str]:
    """Tracked URLs (pages, cited sources and their redirect hops) → the URL they serve."""
    out = {e.url_md: e.url_md for e in catalog.EVENTS}
    out.update({u: u for u in catalog.DAY_INDEXES + catalog.MISSING_EVENT_PAGES})
    for url, spec in catalog.ARTICLES.items():
        out[url] = url
        for hop, _status in spec.hops:
            out.setdefault(hop, url)
    out.update({u: u for u in catalog.EXTRA_URLS.values()})
    return out


def done_keys(archive_dir: Path) -> set[str]:
    """Canonical URLs whose work is durable: sources with an outcome, pages marked done."""
    keys = {r[0] for r in query(archive_dir, "SELECT url_key FROM sources")}
    keys |= {
        r[0]
        for r in query(
            archive_dir, "SELECT url_key FROM ledger WHERE state IN ('archived','failed','dead')"
        )
    }
    return keys


@dataclass
class StopLog:
    """What was in flight at each stop, and every request seen."""

    in_flight: set[str] = field(default_factory=set)

    def stopped(self, archive_dir: Path, requested: list[dict[str, Any]]) -> None:
        """Note the tracked URLs requested in a stopped run whose work was not durable."""
        own = owners()
        done = done_keys(archive_dir)
        for entry in requested:
            owner = own.get(request_url(entry))
            if owner is not None and url_key(owner) not in done:
                self.in_flight.add(owner)

    def refetched(
        self, requested: list[dict[str, Any]], reference: list[dict[str, Any]]
    ) -> set[str]:
        """Tracked URLs requested more often than by an uninterrupted crawl (`reference`,
        whose retries of failing hosts count too) whose work was not in flight at a stop."""
        own = owners()
        counts, once = get_counts(requested), get_counts(reference)
        return {
            url
            for url, n in counts.items()
            if n > once[url] and url in own and own[url] not in self.in_flight
        }


def get_counts(requested: list[dict[str, Any]]) -> Counter[str]:
    """GET requests per URL, robots.txt left out."""
    return Counter(
        request_url(e)
        for e in requested
        if e["method"] == "GET" and not e["path"].startswith("/robots.txt")
    )


@dataclass(frozen=True)
class Contents:
    """What an archive holds, independent of how many runs made it."""

    captured: frozenset[str]
    events: dict[str, list[tuple[str, str, str | None, str | None]]]
    #: the simulated web's request log of the crawl (for a reference crawl)
    requests: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, archive_dir: Path) -> Contents:
        """Read the captured URL set and every event's sources (outcome, archived URL, text)."""
        with Archive(archive_dir) as arc:
            rows = arc.index.db.execute(
                "SELECT DISTINCT url FROM captures WHERE record_type IN ('response','revisit')"
            )
            # Per-run fetches: robots.txt, and soft-404 probes (crawler/recovery.py), whose
            # path is random, once per host and run.
            captured = frozenset(
                r[0] for r in rows if PROBE_MARK not in r[0] and not r[0].endswith("/robots.txt")
            )
            events = {
                e.event_id: [(s.url, s.outcome, s.archived_url, s.text) for s in e.sources]
                for e in arc.events()
            }
        return cls(captured, events)
