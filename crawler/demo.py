"""The offline demo: start the bundled simulated web, crawl it, show what was archived."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from archive.reader import Archive
from archive.textout import short as _short
from archive.textout import table as _table
from simweb.catalog import start_urls
from simweb.fallbackweb import FALLBACK_LIST
from simweb.runner import start_simweb

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def crawl_command(archive_dir: Path, start_urls: Sequence[str]) -> list[str]:
    """The `scrapy crawl` command line the demo runs."""
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "events",
        "-a",
        "start=" + ",".join(start_urls),
        "-s",
        f"ARCHIVE_DIR={archive_dir}",
        "-s",
        "DOWNLOAD_TIMEOUT=10",
        "-s",
        "ARCHIVE_PROGRESS_INTERVAL=5",
        "-s",
        "STATS_DUMP=False",  # the stats are kept in ARCHIVE_DIR/runs/
        "-s",
        f"FALLBACK_LIST={FALLBACK_LIST}",  # the demo web's moved and dead domains
    ]


def _python() -> str:
    """How to call this interpreter from the project root (the venv's, when it is there)."""
    exe = Path(sys.executable)
    try:
        return str(exe.relative_to(Path.cwd()))
    except ValueError:
        return str(exe)


def summarise(archive_dir: Path) -> str:
    """A readable summary of an archive: events, sources by outcome, files, how to read it."""
    lines = []
    with Archive(archive_dir) as arc:
        events = arc.events()
        rows = []
        for event in events:
            outcomes: dict[str, int] = {}
            for source in event.sources:
                outcomes[source.outcome] = outcomes.get(source.outcome, 0) + 1
            rows.append(
                (
                    event.event_id,
                    event.date or "-",
                    len(event.sources),
                    ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())),
                )
            )
        lines.append(f"Archived {len(events)} events:\n")
        lines.append(_table(rows, ("event", "date", "sources", "outcomes")))
        counts = arc.outcome_counts()
        lines.append("\nDistinct sources by outcome:\n")
        lines.append(_table(sorted(counts.items()), ("outcome", "sources")))
        warcs = arc.warc_files()
        sample = next((s for e in events for s in e.sources if s.text), None)
        first = events[0].event_id if events else "EVENT_ID"
    lines.append(f"\nWARC files ({len(warcs)}):")
    lines += [
        f"  {p.relative_to(archive_dir.parent) if p.is_relative_to(archive_dir.parent) else p}"
        for p in warcs
    ]
    lines.append(f"Texts keyed to events: {archive_dir / 'texts'}/<event id>.json")
    lines.append(f"Index: {archive_dir / 'index.sqlite3'}")
    lines.append(f"Crawl stats: {archive_dir / 'runs'}/<start time>-stats.json")
    if sample is not None:
        lines.append(f"\nOne of the texts ({sample.url}):")
        lines.append(f"  {sample.title}\n  {_short(sample.text, 300)}")
    lines.append("\nRead it offline:")
    py = _python()
    lines.append(f"  {py} -m archive --dir {archive_dir} events")
    lines.append(f"  {py} -m archive --dir {archive_dir} show {first}")
    lines.append(f"  {py} -m archive --dir {archive_dir} stats")
    lines.append(f"  {py} -m archive --dir {archive_dir} search flood")
    lines.append(f"  {py} -m archive --dir {archive_dir} export --format jsonl -o events.jsonl")
    lines.append(f"  {py} -m archive --dir {archive_dir} serve    # local web reader")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo crawl and print what it archived."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--archive-dir",
        default="demo-archive",
        help="where the demo archive goes (default: %(default)s, replaced)",
    )
    args = parser.parse_args(argv)
    archive_dir = Path(args.archive_dir).resolve()
    if archive_dir.exists():
        shutil.rmtree(archive_dir)
    starts = start_urls()
    with start_simweb() as web:
        print(f"Simulated web listening at {web.proxy_url} (every host is virtual, on loopback)")
        command = crawl_command(archive_dir, starts)
        print(
            "Running: scrapy crawl events -a start="
            + ",".join(starts)
            + f" -s ARCHIVE_DIR={archive_dir}\n",
            flush=True,
        )
        env = dict(os.environ, **web.proxy_env())
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env)
        if result.returncode != 0:
            print(f"The crawl failed with exit status {result.returncode}", file=sys.stderr)
            return result.returncode
        requests = len(web.requests())
    print(f"\nThe simulated web answered {requests} requests.\n")
    print(summarise(archive_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
