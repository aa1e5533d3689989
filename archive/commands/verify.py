"""`python -m archive verify`: WARC files whole, digests right, index matching the WARCs."""

from __future__ import annotations

import argparse

from archive.reader import Archive
from archive.textout import Progress, human_bytes, print_json, table
from archive.verify import verify_archive


def cmd_verify(arc: Archive, args: argparse.Namespace) -> int:
    """Check every WARC record and index row; exit 1 when anything is wrong."""
    total = sum(p.stat().st_size for p in arc.warc_files(include_open=True))
    with Progress(total, "verify") as bar:
        report = verify_archive(arc, bar.advance)
    if args.json:
        print_json(report.to_dict())
        return 0 if report.ok else 1
    rows = [
        (
            f"{f.folder}/{f.name}" + (".open" if f.open else ""),
            human_bytes(f.size),
            f.records,
            f.digests_checked,
            "ok" if not f.problems else f"{len(f.problems)} problem(s)",
        )
        for f in report.files
    ]
    print(table(rows, ("WARC file", "size", "records", "digests ok", "result")))
    for f in report.files:
        for problem in f.problems:
            print(f"  {f.folder}/{f.name}: {problem}")
    print(f"\nindex: {report.index_rows} records checked against the WARC files")
    for problem in report.index_problems[: args.max_problems]:
        print(f"  {problem}")
    hidden = len(report.index_problems) - args.max_problems
    if hidden > 0:
        print(f"  … and {hidden} more (use --json for all)")
    for warning in report.warnings:
        print(f"warning: {warning}")
    print("\nOK: archive verified" if report.ok else "\nFAILED: the archive has problems")
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `verify` subcommand."""
    parser = sub.add_parser(
        "verify",
        help="check WARC digests and the index against the WARC files",
        description="Reads every WARC file whole; exit status 1 when anything is wrong.",
    )
    parser.add_argument("--max-problems", type=int, default=20, help="index problems to list")
    parser.set_defaults(func=cmd_verify)
