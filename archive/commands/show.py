"""`python -m archive show`: one event with its sources, provenance and texts"""

from __future__ import annotations

import argparse
import json
import sys

from archive.reader import Archive
from archive.textout import short


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
            body = s.text if args.full else short(s.text, 400)
            print("    text:     " + body.replace("\n", "\n              "))
        print()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `show` subcommand."""
    show = sub.add_parser("show", help="show an event with its sources and texts")
    show.add_argument("event", help="event id, as `events` lists it")
    show.add_argument("--full", action="store_true", help="print whole texts")
    show.set_defaults(func=cmd_show)
