"""`python -m archive export`: one record per event with its sources and texts (JSONL, Parquet)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archive.commands.common import add_filters, filters, window_error
from archive.export import FORMATS, ParquetUnavailable, parquet_schema, write_jsonl, write_parquet
from archive.reader import Archive
from archive.textout import Progress, error
from archive.wcep import wcep_writer


def cmd_export(arc: Archive, args: argparse.Namespace) -> int:
    """Write the chosen events to a file (or JSONL to stdout)."""
    problem = window_error(args)
    if problem:
        return error(problem)
    fmt = args.format or _format_of(args.output)
    if fmt == "parquet":
        if not args.output or args.output == "-":
            return error("Parquet is binary: give a file with -o, e.g. -o events.parquet")
        try:
            parquet_schema()
        except ParquetUnavailable as exc:
            return error(str(exc))
    try:
        ids = arc.event_ids(**filters(args))
    except ValueError as exc:
        return error(str(exc))
    events = (e for part in range(0, len(ids), 200) for e in arc.load(ids[part : part + 200]))
    lines = wcep_writer(arc) if fmt == "wcep" else write_jsonl  # both: one JSON a line
    with Progress(len(ids), f"export {fmt}") as bar:
        if fmt == "parquet":
            count = write_parquet(events, Path(args.output), bar.advance)
        elif args.output and args.output != "-":
            tmp = Path(args.output + ".tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                count = lines(events, fh, bar.advance)
            tmp.replace(args.output)
        else:
            count = lines(events, sys.stdout, bar.advance)
    where = args.output if args.output and args.output != "-" else "stdout"
    print(f"exported {count} events as {fmt} to {where}", file=sys.stderr)
    return 0


def _format_of(output: str | None) -> str:
    return "parquet" if output and output.endswith((".parquet", ".pq")) else "jsonl"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `export` subcommand."""
    parser = sub.add_parser(
        "export",
        help="export events with sources and texts (JSONL or Parquet)",
        description="One record per event; the schema is in the README (Export schema).",
    )
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "wcep"),
        help="jsonl (default), parquet (from -o's suffix) or wcep (the WCEP dataset's shape)",
    )
    parser.add_argument("-o", "--output", metavar="PATH", help="file to write (JSONL: - = stdout)")
    add_filters(parser)
    parser.set_defaults(func=cmd_export)
