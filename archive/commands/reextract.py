"""`python -m archive reextract`: recompute every text from the WARC files, no crawl needed"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from archive.commands.common import positive_int
from archive.lock import ArchiveLocked
from archive.reader import write_event_texts
from archive.store import INDEX_FILE


def cmd_reextract(_arc: None, args: argparse.Namespace) -> int:
    """Re-extract every text, write new conversion records, update the index and texts/."""
    from crawler.reextract import reextract_archive  # noqa: PLC0415 - loads the extractor

    root = args.dir
    if not os.path.exists(os.path.join(root, INDEX_FILE)):
        print(f"error: {root} is not an archive: no {INDEX_FILE}", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(
            reextract_archive(
                root,
                workers=args.workers or (os.cpu_count() or 1),
                timeout=args.timeout,
                min_pages=args.min_pages,
                flag_days=args.flag_days,
            )
        )
    except ArchiveLocked as exc:
        print(f"error: {exc} (wait for the crawl to finish)", file=sys.stderr)
        return 2
    write_event_texts(root)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items())) or "none"
    print(
        f"re-extracted {report.pages} texts: {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.unreadable} unreadable ({statuses})"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `reextract` subcommand."""
    parser = sub.add_parser(
        "reextract",
        help="recompute every text from the WARC files (new conversion records)",
        description="Read every extracted source back from the WARC files, extract it again "
        "with the current extractor and the archive's per-site statistics, and record the new "
        "texts as conversion records; the index and texts/ follow. No network is used.",
    )
    parser.add_argument(
        "--workers", type=positive_int, default=None, help="extraction processes (default: cores)"
    )
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="seconds per page (default: %(default)s)"
    )
    parser.add_argument(
        "--min-pages",
        type=int,
        default=3,
        help="a block on this many pages of a site is boilerplate; 0: off (default: %(default)s)",
    )
    parser.add_argument(
        "--flag-days",
        type=int,
        default=14,
        help="flag publication dates further than this from the event (default: %(default)s)",
    )
    parser.set_defaults(func=cmd_reextract, needs_archive=False)
