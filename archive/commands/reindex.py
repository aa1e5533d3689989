"""`python -m archive reindex`: rebuild the index and CDXJ files from the WARC files alone."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archive.lock import ArchiveLocked
from archive.rebuild import reindex
from archive.store import DERIVED_DIR, WARC_DIR


def cmd_reindex(_arc: None, args: argparse.Namespace) -> int:
    """Rebuild (or, with --check, compare) and report."""
    root = Path(args.dir)
    if not (root / WARC_DIR).is_dir() and not (root / DERIVED_DIR).is_dir():
        print(f"error: {root} has no warc/ or derived/ folder to rebuild from", file=sys.stderr)
        return 2
    try:
        report = reindex(root, check=args.check)
    except ArchiveLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.__dict__, indent=2))
    elif args.check:
        for line in report.differences:
            print(line)
        verdict = "differs from" if report.differences else "matches"
        print(f"The index {verdict} the one rebuilt from {report.files} WARC files.")
    else:
        print(
            f"Rebuilt {root / 'index.sqlite3'} from {report.files} WARC files "
            f"({report.records} records, {report.facts} facts); "
            f"{len(report.cdxj_files)} CDXJ files rewritten; the old index is index.sqlite3.bak"
        )
    return 1 if report.differences else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `reindex` subcommand."""
    parser = sub.add_parser(
        "reindex", help="rebuild index.sqlite3 and the CDXJ files from the WARC files alone"
    )
    parser.add_argument(
        "--check", action="store_true", help="only compare the index with a rebuilt one"
    )
    parser.set_defaults(func=cmd_reindex, needs_archive=False)
