"""`python -m archive events`: list, filter and search events, or list their context tags."""

from __future__ import annotations

import argparse
import sys

from archive.commands.common import add_filters, filters, positive_int, window_error
from archive.reader import Archive
from archive.textout import error, print_json, short, table, terminal_width


def cmd_events(arc: Archive, args: argparse.Namespace) -> int:
    """List the events matching the filters, by date."""
    problem = window_error(args)
    if problem:
        return error(problem)
    if args.tags:
        return _tags(arc, args)
    try:
        ids = arc.event_ids(**filters(args))
    except ValueError as exc:
        return error(str(exc))
    if args.limit:
        ids = ids[: args.limit]
    events = [e for part in range(0, len(ids), 200) for e in arc.load(ids[part : part + 200])]
    if args.json:
        print_json(
            [
                {
                    "event_id": e.event_id,
                    "date": e.date,
                    "headline": e.headline,
                    "url": e.url,
                    "tags": e.tags,
                    "sources": len(e.sources),
                    "archived": sum(1 for s in e.sources if s.response_record_id),
                    "dead": sum(1 for s in e.sources if s.provenance == "dead"),
                }
                for e in events
            ]
        )
        return 0
    if not events:
        print("no events match")
        return 0
    rows = []
    for e in events:
        archived = sum(1 for s in e.sources if s.provenance not in ("dead", "pending"))
        rows.append((e.event_id, e.date or "-", f"{archived}/{len(e.sources)}", e.headline))
    print(_layout(rows))
    print(f"\n{len(events)} events")
    return 0


def _layout(rows: list[tuple[str, str, str, str]]) -> str:
    """A table; on a terminal too narrow for it, each headline goes under its event id."""
    headers = ("event", "date", "archived", "headline")
    if not sys.stdout.isatty():
        return table(rows, headers)  # piped: whole lines, for grep and scripts
    width = terminal_width()
    id_width = max(len(r[0]) for r in rows)
    if width - id_width - 24 >= 30:
        return table(rows, headers, width=width, flex=3)
    return "\n".join(
        f"{date}  {count:>7}  {eid}\n{'':12}{short(headline, width - 13)}"
        for eid, date, count, headline in rows
    )


def _tags(arc: Archive, args: argparse.Namespace) -> int:
    tags = arc.tags()
    if args.json:
        print_json(tags)
    elif tags:
        print(table(sorted(tags.items(), key=lambda kv: -kv[1]), ("context tag", "events")))
    else:
        print("no context tags in this archive")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `events` subcommand."""
    parser = sub.add_parser(
        "events",
        help="list, filter and search events",
        description="List events by date. Filters combine: every one given must match.",
    )
    add_filters(parser)
    parser.add_argument("--limit", type=positive_int, help="show at most this many")
    parser.add_argument("--tags", action="store_true", help="list context tags instead")
    parser.set_defaults(func=cmd_events)
