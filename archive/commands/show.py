"""`python -m archive show`: one event with its sources, provenance and texts."""

from __future__ import annotations

import argparse

from archive.reader import Archive, EventRecord, Source
from archive.textout import error, print_json, short, table, terminal_width


def _where(source: Source) -> str:
    if source.provenance == "dead":
        return f"dead ({source.reason})" if source.reason else "dead"
    return source.provenance + (f" {source.snapshot_date[:10]}" if source.snapshot_date else "")


def _print_event(event: EventRecord, full: bool) -> None:
    width = terminal_width()
    print(f"{event.event_id}  ({event.date or 'undated'})")
    print(event.headline)
    if event.tags:
        print("context: " + ", ".join(event.tags))
    if event.lede:
        print(f"\n{event.lede}")
    print()
    rows = [(s.position, s.label, _where(s), s.archived_url or s.url) for s in event.sources]
    print(table(rows, ("#", "source", "provenance", "archived URL"), width=width, flex=3))
    for s in event.sources:
        print(f"\n[{s.position}] {s.label}: {s.title or s.url}")
        if s.author or s.published:
            print(f"    by {s.author or '?'} on {s.published or '?'}")
        if s.archived_url and s.archived_url != s.url:
            print(f"    cited {s.url}\n    archived {s.archived_url}")
        if s.text:
            body = s.text if full else short(s.text, 400)
            print("    " + body.replace("\n", "\n    "))
        elif s.kind != "document":
            print(f"    ({s.kind}: archived, not text-extracted)")
        elif s.text_status:
            print(f"    (no text: {s.text_status}{': ' + s.text_reason if s.text_reason else ''})")
    for r in event.related:
        tags = f" [{', '.join(r['context'])}]" if r["context"] else ""
        print(f"\nrelated: {short(r['summary'], width - 20)}{tags}")


def cmd_show(arc: Archive, args: argparse.Namespace) -> int:
    """Show one event: headline, sources with provenance, and their texts."""
    try:
        event = arc.event(arc.resolve_event_id(args.event))
    except KeyError as exc:
        return error(f"{exc.args[0]} (list them with: python -m archive events)")
    if args.json:
        print_json(event.to_dict())
    else:
        _print_event(event, args.full)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `show` subcommand."""
    show = sub.add_parser("show", help="show an event with its sources and texts")
    show.add_argument("event", help="event id as `events` lists it (a unique part is enough)")
    show.add_argument("--full", action="store_true", help="print whole texts")
    show.set_defaults(func=cmd_show)
