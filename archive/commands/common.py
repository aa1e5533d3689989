"""Arguments shared by several subcommands: event filters and date checks."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any


def iso_day(value: str) -> str:
    """An argparse type: a `YYYY-MM-DD` day."""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {value!r}") from None


def positive_int(value: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def add_filters(parser: argparse.ArgumentParser, text: bool = True) -> None:
    """--since, --until, --tag, --domain (and --search) to choose events."""
    parser.add_argument("--since", type=iso_day, metavar="YYYY-MM-DD", help="events on or after")
    parser.add_argument("--until", type=iso_day, metavar="YYYY-MM-DD", help="events on or before")
    parser.add_argument("--tag", help="events with this context tag (any case)")
    parser.add_argument("--domain", help="events with a source on this domain or its subdomains")
    if text:
        parser.add_argument(
            "-q", "--search", metavar="TEXT", help="full-text search in headlines and texts"
        )


def filters(args: argparse.Namespace) -> dict[str, Any]:
    """The `Archive.event_ids` keyword arguments from parsed filter options."""
    return {
        "since": args.since,
        "until": args.until,
        "tag": args.tag,
        "domain": args.domain,
        "text": getattr(args, "search", None),
    }


def window_error(args: argparse.Namespace) -> str | None:
    """A message when the date window's start is after its end."""
    if args.since and args.until and args.since > args.until:
        return f"--since {args.since} is after --until {args.until}"
    return None
