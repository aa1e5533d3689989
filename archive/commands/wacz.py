"""`python -m archive wacz`: package the crawl, or one event, as a WACZ file for replay tools."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archive.reader import Archive
from archive.wacz import write_wacz


def cmd_wacz(arc: Archive, args: argparse.Namespace) -> int:
    """Write the WACZ file and say what is in it."""
    name = "archive" if args.event is None else "event-" + args.event.replace("/", "_")
    dest = Path(args.output) if args.output else arc.root / "wacz" / f"{name}.wacz"
    try:
        summary = write_wacz(arc.root, dest, event_id=args.event, title=args.title)
    except KeyError as exc:
        print(f"error: {exc.args[0]} (list them with: python -m archive events)", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({**summary.__dict__, "path": str(summary.path)}, indent=2))
        return 0
    print(
        f"Wrote {summary.path} ({summary.bytes} bytes): {len(summary.warc_files)} WARC files, "
        f"{summary.records} indexed records, {summary.pages} pages"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `wacz` subcommand."""
    parser = sub.add_parser(
        "wacz", help="package the crawl (or one event) as WACZ for ReplayWeb.page or pywb"
    )
    parser.add_argument("--event", metavar="EVENT_ID", help="only this event and its sources")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="where to write (default: ARCHIVE_DIR/wacz/)"
    )
    parser.add_argument("--title", help="title in datapackage.json")
    parser.set_defaults(func=cmd_wacz)
