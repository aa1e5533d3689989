"""Command line for reading an archive offline: `events`, `show`, `snapshot`, `stats`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from archive.reader import Archive

DEFAULT_DIR = os.environ.get("ARCHIVE_DIR", "data/archive")


def _table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _short(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_events(arc: Archive, args: argparse.Namespace) -> int:
    """List events with their source counts."""
    events = arc.events()
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "event_id": e.event_id,
                        "date": e.date,
                        "headline": e.headline,
                        "sources": len(e.sources),
                    }
                    for e in events
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    rows = []
    for e in events:
        ok = sum(1 for s in e.sources if s.outcome not in ("dead", "pending"))
        rows.append((e.event_id, e.date or "-", f"{ok}/{len(e.sources)}", _short(e.headline, 60)))
    print(_table(rows, ("event", "date", "sources", "headline")))
    return 0


def cmd_show(arc: Archive, args: argparse.Namespace) -> int:
    """Show one event: headline, sources with provenance, and their texts."""
    try:
        event = arc.event(args.event)
    except KeyError as exc:
        print(f"error: {exc.args[0]} (list them with: python -m archive events)", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(event.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{event.event_id}  ({event.date or 'undated'})\n{event.headline}\n")
    if event.lede:
        print(f"{event.lede}\n")
    for s in event.sources:
        where = s.archived_url or "-"
        print(f"[{s.position}] {s.label} — {s.outcome}" + (f" ({s.reason})" if s.reason else ""))
        print(f"    cited:    {s.url}")
        print(f"    archived: {where}")
        if s.title:
            print(f"    title:    {s.title}")
        if s.author or s.published:
            print(f"    by:       {s.author or '?'} on {s.published or '?'}")
        if s.text:
            body = s.text if args.full else _short(s.text, 400)
            print("    text:     " + body.replace("\n", "\n              "))
        print()
    return 0


def cmd_snapshot(arc: Archive, args: argparse.Namespace) -> int:
    """Print the archived response of a URL: status, headers and body."""
    try:
        snap = arc.snapshot(args.url, at=args.at)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    out.write(
        f"HTTP {snap.status}  (captured {snap.date}, {snap.warc_file}@{snap.offset})\n".encode()
    )
    for name, value in snap.headers:
        out.write(f"{name}: {value}\n".encode())
    out.write(b"\n")
    out.write(snap.raw_body if args.raw else snap.body)
    out.flush()
    return 0


def cmd_stats(arc: Archive, args: argparse.Namespace) -> int:
    """Counts of events, sources by outcome and WARC files."""
    counts = arc.outcome_counts()
    files = [p.name for p in arc.warc_files()]
    data: dict[str, object] = {
        "events": len(arc.event_ids()),
        "sources": counts,
        "warc_files": files,
    }
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"events: {data['events']}")
    print(_table(sorted(counts.items()), ("outcome", "sources")))
    print(f"WARC files: {len(files)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per reading task."""
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__)
    parser.add_argument(
        "--dir", default=DEFAULT_DIR, help="archive folder (ARCHIVE_DIR; default: %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("events", help="list events").set_defaults(func=cmd_events)
    show = sub.add_parser("show", help="show an event with its sources and texts")
    show.add_argument("event", help="event id, as `events` lists it")
    show.add_argument("--full", action="store_true", help="print whole texts")
    show.set_defaults(func=cmd_show)
    snap = sub.add_parser("snapshot", help="print a URL's archived response")
    snap.add_argument("url")
    snap.add_argument("--at", help="WARC date to be nearest to (e.g. 2026-11-22T01:00:00Z)")
    snap.add_argument("--raw", action="store_true", help="body as stored (still encoded)")
    snap.set_defaults(func=cmd_snapshot)
    sub.add_parser("stats", help="counts by outcome").set_defaults(func=cmd_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        arc = Archive(args.dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with arc:
        return int(args.func(arc, args))
