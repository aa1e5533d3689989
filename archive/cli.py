"""Command line for reading an archive offline (`python -m archive`, alias `event-archive`).

Each subcommand lives in `archive/commands/<name>.py` with a `register(subparsers)` that
adds its parser and sets `func(archive, args) -> exit status`; add new ones to COMMANDS.
Exit status: 0 done, 1 the archive has a problem (verify, a damaged record), 2 bad input.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys
from collections.abc import Sequence

from archive.reader import Archive
from archive.snapshots import DamagedRecord

#: Subcommand modules under archive/commands/, in the order `--help` lists them.
COMMANDS = [
    "events",
    "search",
    "show",
    "snapshot",
    "export",
    "verify",
    "stats",
    "serve",
    "reextract",
    "wacz",
    "reindex",
]

_DESCRIPTION = (
    "Read an event archive offline: list and search events, show their sources and texts,"
    " print archived snapshots, export datasets, verify the WARC files, serve a local reader."
)


def _add_common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--dir and --json, accepted before or after the subcommand (unless it defines its own)."""
    taken = {opt for action in parser._actions for opt in action.option_strings}
    default_dir = os.environ.get("ARCHIVE_DIR", "data/archive")
    if "--dir" not in taken:
        parser.add_argument(
            "--dir",
            default=argparse.SUPPRESS if suppress else default_dir,
            help=f"archive folder (default: $ARCHIVE_DIR or {default_dir})",
        )
    if "--json" not in taken:
        parser.add_argument(
            "--json",
            action="store_true",
            default=argparse.SUPPRESS if suppress else False,
            help="print JSON for scripts",
        )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per reading task."""
    parser = argparse.ArgumentParser(prog="python -m archive", description=_DESCRIPTION)
    _add_common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"archive.commands.{name}").register(sub)
    for subparser in sub.choices.values():
        _add_common(subparser, suppress=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (argparse errors give 2, not SystemExit)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2), already printed by argparse
        return exc.code if isinstance(exc.code, int) else 2
    try:
        if not getattr(args, "needs_archive", True):
            return int(args.func(None, args))
        try:
            arc = Archive(args.dir)
        except FileNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        with arc:
            return int(args.func(arc, args))
    except DamagedRecord as exc:
        print(f"error: damaged archive: {exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:
        print(f"error: the index of {args.dir} cannot be read: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `… | head`: stop quietly, as Unix tools do
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 0
