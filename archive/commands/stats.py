"""`python -m archive stats`: counts of events, sources by outcome and WARC files"""

from __future__ import annotations

import argparse
import json

from archive.reader import Archive
from archive.textout import table


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
    print(table(sorted(counts.items()), ("outcome", "sources")))
    print(f"WARC files: {len(files)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `stats` subcommand."""
    sub.add_parser("stats", help="counts by outcome").set_defaults(func=cmd_stats)
