"""Command line for reading an archive offline (`python -m archive`, alias `event-archive`).

Each subcommand lives in `archive/commands/<name>.py` with a `register(subparsers)` that
adds its parser and sets `func(archive, args) -> exit status`; add new ones to COMMANDS.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from archive.reader import Archive

#: Subcommand modules under archive/commands/, in the order `--help` lists them.
COMMANDS = ["events", "show", "snapshot", "stats"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per reading task."""
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__)
    parser.add_argument(
        "--dir",
        default=os.environ.get("ARCHIVE_DIR", "data/archive"),
        help="archive folder (default: $ARCHIVE_DIR or %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"archive.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "needs_archive", True):
        try:
            arc = Archive(args.dir)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        with arc:
            return int(args.func(arc, args))
    return int(args.func(None, args))
