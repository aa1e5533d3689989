"""Shared fixtures: the simulated web (once per session) and `scrapy crawl` runs against it."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from simweb.fallbackweb import FALLBACK_LIST
from simweb.runner import SimWeb, start_simweb

ROOT = Path(__file__).resolve().parent.parent
NETGUARD = Path(__file__).resolve().parent / "netguard"

#: Settings every test crawl uses: no politeness delays on loopback, short time-outs.
FAST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_TIMEOUT": "5",
    "ARCHIVE_EXTRACT_WORKERS": "2",
    "ARCHIVE_PROGRESS_INTERVAL": "1",
    "LOG_LEVEL": "INFO",
    # The simulated web's own fallback list (its moved and dead domains).
    "FALLBACK_LIST": str(FALLBACK_LIST),
}


def pytest_configure(config: pytest.Config) -> None:
    """Guard the whole session: this process and every child refuse non-loopback traffic."""
    log = Path(tempfile.mkdtemp(prefix="netguard-")) / "session.log"
    os.environ["NETGUARD_LOG"] = str(log)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(NETGUARD), str(ROOT), os.environ.get("PYTHONPATH")) if p
    )
    runpy.run_path(str(NETGUARD / "sitecustomize.py"))


@pytest.fixture(scope="session", autouse=True)
def no_traffic_off_loopback() -> Iterator[None]:
    """Fail the session if anything tried to reach past loopback."""
    yield
    log = Path(os.environ["NETGUARD_LOG"])
    attempts = log.read_text().splitlines() if log.exists() else []
    assert attempts == [], f"traffic off loopback was attempted: {attempts}"


@dataclass
class CrawlRun:
    """What a `scrapy crawl events` subprocess left behind."""

    archive_dir: Path
    returncode: int
    log: str
    stats: dict[str, object]
    netguard_log: Path

    def violations(self) -> list[str]:
        """Connections or lookups the crawl tried outside loopback."""
        if not self.netguard_log.exists():
            return []
        return self.netguard_log.read_text().splitlines()


@pytest.fixture(scope="session")
def simweb() -> Iterator[SimWeb]:
    """The simulated web, a forward proxy on loopback, for the whole session."""
    with start_simweb() as web:
        yield web


def run_crawl(
    web: SimWeb,
    archive_dir: Path,
    start: Sequence[str],
    args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
    timeout: float = 240,
) -> CrawlRun:
    """Run `scrapy crawl events` in a subprocess through the simulated web's proxy."""
    netguard_log = archive_dir.parent / f"{archive_dir.name}-netguard.log"
    command = [sys.executable, "-m", "scrapy", "crawl", "events", "-a", "start=" + ",".join(start)]
    for key, value in (args or {}).items():
        command += ["-a", f"{key}={value}"]
    for key, value in {
        **FAST_SETTINGS,
        "ARCHIVE_DIR": str(archive_dir),
        **(settings or {}),
    }.items():
        command += ["-s", f"{key}={value}"]
    env = dict(os.environ, **web.proxy_env())
    env["PYTHONPATH"] = os.pathsep.join([str(NETGUARD), str(ROOT)])
    env["NETGUARD_LOG"] = str(netguard_log)
    env.pop("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", None)  # the project must set it itself
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    stats: dict[str, object] = {}
    runs = sorted((archive_dir / "runs").glob("*-stats.json"))
    if runs:
        stats = json.loads(runs[-1].read_text())
    return CrawlRun(
        archive_dir, result.returncode, result.stdout + result.stderr, stats, netguard_log
    )
