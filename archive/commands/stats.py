"""`python -m archive stats`: events, sources by provenance, texts, dead domains, WARC files."""

from __future__ import annotations

import argparse

from archive.reader import Archive
from archive.summary import summarize
from archive.textout import human_bytes, print_json, table


def cmd_stats(arc: Archive, args: argparse.Namespace) -> int:
    """Counts over the whole archive."""
    summary = summarize(arc)
    if args.json:
        print_json(summary.to_dict())
        return 0
    span = f" ({summary.first_date} to {summary.last_date})" if summary.first_date else ""
    print(f"events: {summary.events}{span}, citations: {summary.citations}\n")
    print(table(list(summary.by_provenance.items()), ("provenance", "sources")))
    if summary.texts_by_status:
        print()
        print(table(list(summary.texts_by_status.items()), ("text", "sources")))
    dead = summary.dead_domains
    if dead:
        print()
        rows = [
            (
                d.domain + (" (dead)" if d.all_dead else ""),
                d.sources,
                d.dead,
                d.recovered,
                ", ".join(f"{k} {v}" for k, v in d.reasons.items()),
            )
            for d in dead
        ]
        headers = ("domain with failures", "sources", "lost", "recovered", "reasons")
        print(table(rows, headers))
    print()
    print(table(list(summary.distances.items()), ("archived after the event", "sources")))
    if summary.distance_median_days is not None:
        print(f"median: {summary.distance_median_days} days")
    size = sum(f["bytes"] for f in summary.warc_files)
    records = ", ".join(f"{k} {v}" for k, v in summary.records_by_type.items())
    print(f"\nWARC files: {len(summary.warc_files)} ({human_bytes(size)}); records: {records}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `stats` subcommand."""
    sub.add_parser("stats", help="counts by provenance, dead domains, WARC files").set_defaults(
        func=cmd_stats
    )
