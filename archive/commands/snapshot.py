"""`python -m archive snapshot`: a URL's archived response (status, headers, body) or versions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from archive.reader import Archive
from archive.snapshots import Snapshot, parse_when
from archive.textout import error, human_bytes, print_json, table

#: Media types printed to a terminal; anything else needs -o or a redirect.
_TEXTUAL = ("text/", "application/json", "application/xml", "application/javascript")


def _when(value: str) -> str:
    """An argparse type: a date accepted by `parse_when`."""
    try:
        parse_when(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _versions(arc: Archive, args: argparse.Namespace) -> int:
    rows = arc.versions(args.url)
    if not rows:
        return error(f"{args.url} was not captured in {arc.root}")
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    print(
        table(
            [(r.date, r.record_type, r.status or "-", r.mime or "-", r.warc_file) for r in rows],
            ("captured", "record", "status", "type", "WARC file"),
        )
    )
    return 0


def _write(snap: Snapshot, args: argparse.Namespace) -> int:
    body = snap.raw_body if args.raw else snap.body
    head = f"HTTP {snap.status}  (captured {snap.date}, {snap.warc_file}@{snap.offset})\n"
    if snap.revisit_of:
        head += f"(revisit: identical to {snap.revisit_of})\n"
    head += "".join(f"{name}: {value}\n" for name, value in snap.headers)
    if args.output:
        Path(args.output).write_bytes(body)
        sys.stderr.write(head + f"\nbody: {human_bytes(len(body))} written to {args.output}\n")
        return 0
    out = sys.stdout
    out.write(head + "\n")
    if args.headers:
        return 0
    binary = args.raw or not snap.mime.startswith(_TEXTUAL)
    if binary and out.isatty():
        out.write(f"[{snap.mime or 'binary'} body, {human_bytes(len(body))}: use -o FILE]\n")
        return 0
    out.flush()
    if hasattr(out, "buffer"):
        out.buffer.write(body)
    else:  # a text-only stream (tests, embedding)
        out.write(body.decode("utf-8", "replace"))
    out.flush()
    return 0


def cmd_snapshot(arc: Archive, args: argparse.Namespace) -> int:
    """Print the archived response of a URL nearest a date, or list its versions."""
    if args.versions:
        return _versions(arc, args)
    try:
        snap = arc.snapshot(args.url, at=args.at)
    except KeyError as exc:
        return error(f"{exc.args[0]} (is it the archived URL? `show EVENT` lists them)")
    if args.json:
        print_json(snap.to_dict(with_body=not args.headers))
        return 0
    return _write(snap, args)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `snapshot` subcommand."""
    snap = sub.add_parser("snapshot", help="print a URL's archived response, or its versions")
    snap.add_argument("url")
    snap.add_argument(
        "--at", type=_when, help="the capture nearest this date (YYYY-MM-DD, ISO or 14 digits)"
    )
    snap.add_argument("--raw", action="store_true", help="body as stored (still encoded)")
    snap.add_argument("--headers", action="store_true", help="status and headers only")
    snap.add_argument("-o", "--output", metavar="FILE", help="write the body to FILE")
    snap.add_argument("--versions", action="store_true", help="list every capture of the URL")
    snap.set_defaults(func=cmd_snapshot)
