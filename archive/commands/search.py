"""`python -m archive search`: full-text search (SQLite FTS5) over headlines and texts."""

from __future__ import annotations

import argparse
import sys

from archive.commands.common import add_filters, filters, positive_int, window_error
from archive.reader import Archive
from archive.search import MARK_END, MARK_START
from archive.textout import error, print_json, short, terminal_width


def highlight(snippet: str, tty: bool) -> str:
    """Snippet markers as bold on a terminal, else as *stars*."""
    start, end = ("\x1b[1m", "\x1b[0m") if tty else ("*", "*")
    return snippet.replace(MARK_START, start).replace(MARK_END, end)


def cmd_search(arc: Archive, args: argparse.Namespace) -> int:
    """Events matching a query, best first, with the matching passage."""
    problem = window_error(args)
    if problem:
        return error(problem)
    text = " ".join(args.query)
    try:
        narrowed = {k: v for k, v in filters(args).items() if v and k != "text"}
        allowed = set(arc.event_ids(**narrowed)) if narrowed else None
        hits = arc.search(text, limit=args.limit, within=allowed)
    except ValueError as exc:
        return error(str(exc))
    events = {e.event_id: e for e in arc.load([h.event_id for h in hits])}
    if args.json:
        print_json(
            [
                dict(
                    h.to_dict(), date=events[h.event_id].date, headline=events[h.event_id].headline
                )
                for h in hits
            ]
        )
        return 0
    if not hits:
        print(f"nothing matches {text!r}")
        return 0
    tty = sys.stdout.isatty()
    width = terminal_width()
    for rank, hit in enumerate(hits, 1):
        event = events[hit.event_id]
        print(f"{rank:>2}. {hit.event_id}  ({event.date or 'undated'})")
        print(f"    {short(event.headline, width - 4)}")
        print(f"    in {', '.join(hit.matched)}: {highlight(' '.join(hit.snippet.split()), tty)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `search` subcommand."""
    parser = sub.add_parser(
        "search",
        help="full-text search in headlines, ledes and source texts",
        description='Words are ANDed; "quoted phrases", word* prefixes, OR and NOT work.',
    )
    parser.add_argument("query", nargs="+", help="words to look for")
    add_filters(parser, text=False)
    parser.add_argument("--limit", type=positive_int, default=20, help="at most (default 20)")
    parser.set_defaults(func=cmd_search)
