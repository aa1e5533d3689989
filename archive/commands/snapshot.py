"""`python -m archive snapshot`: a URL's archived response: status, headers and body"""

from __future__ import annotations

import argparse
import sys

from archive.reader import Archive


def cmd_snapshot(arc: Archive, args: argparse.Namespace) -> int:
    """Print the archived response of a URL: status, headers and body."""
    try:
        snap = arc.snapshot(args.url, at=args.at)
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    out.write(
        f"HTTP {snap.status}  (captured {snap.date}, {snap.warc_file}@{snap.offset})\n".encode()
    )
    for name, value in snap.headers:
        out.write(f"{name}: {value}\n".encode())
    out.write(b"\n")
    out.write(snap.raw_body if args.raw else snap.body)
    out.flush()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `snapshot` subcommand."""
    snap = sub.add_parser("snapshot", help="print a URL's archived response")
    snap.add_argument("url")
    snap.add_argument("--at", help="WARC date to be nearest to (e.g. 2026-11-22T01:00:00Z)")
    snap.add_argument("--raw", action="store_true", help="body as stored (still encoded)")
    snap.set_defaults(func=cmd_snapshot)
