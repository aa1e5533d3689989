"""`python -m archive events`: list events with their source counts"""

from __future__ import annotations

import argparse
import json

from archive.reader import Archive
from archive.textout import short, table


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
        rows.append((e.event_id, e.date or "-", f"{ok}/{len(e.sources)}", short(e.headline, 60)))
    print(table(rows, ("event", "date", "sources", "headline")))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `events` subcommand."""
    sub.add_parser("events", help="list events").set_defaults(func=cmd_events)
