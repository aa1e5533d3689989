"""``scrapy extract``: the crawl's text pipeline on saved HTML or PDF files, no crawl needed.

    scrapy extract [--url URL] [--json] [--site] FILE [FILE ...]

Exit status: 0 when every file gave text, 1 when any file was empty or could not be read
(the others are still printed), 2 on bad usage (no FILE, an unknown option). The work is
done by :mod:`crawler.savedpages`; this class only reads the options and settings.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.log import configure_logging

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCommand):
    """Print the clean text (or a JSON line) of each saved page given."""

    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--url URL] [--json] [--site] FILE [FILE ...]"

    def short_desc(self) -> str:
        return "Extract the clean text of saved HTML or PDF files as the crawl would"

    def long_desc(self) -> str:
        return (
            "Run the crawl's text pipeline on saved pages: gzip is undone, a file starting"
            " with %PDF- is read with pypdf, any other is HTML decoded as Scrapy decodes a"
            " response without Content-Type. Prints each file's text (under '==> FILE <=='"
            " when several are given) or, with --json, one JSON line per file with the keys"
            " file, url, status (ok, empty or error), text, title, author, date, language"
            " (and reason on an error). With --site the files are pages of one site: a block"
            " found on ARCHIVE_BOILERPLATE_MIN_PAGES of them is removed as boilerplate, as a"
            " finished crawl does. Exit status: 0 when every file gave text, 1 when any file"
            " was empty or could not be read, 2 on bad usage."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        assert self.settings is not None
        # The project's LOG_LEVEL (INFO) is meant for crawls: here stderr carries warnings
        # only. Set at the project's priority, so -L and -s LOG_LEVEL=... still win.
        self.settings.set("LOG_LEVEL", "WARNING", priority="project")
        super().add_options(parser)
        parser.add_argument(
            "--url", metavar="URL", help="the address the pages were saved from (metadata)"
        )
        parser.add_argument(
            "--json", action="store_true", help="print one JSON line per file, with metadata"
        )
        parser.add_argument(
            "--site",
            action="store_true",
            help="count the files as pages of one site and drop the blocks they share",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if not args:
            raise UsageError()
        unknown = [arg for arg in args if arg.startswith("-") and arg != "-"]
        if unknown:
            raise UsageError(f"no such option: {unknown[0]}")
        configure_logging(self.settings)
        # Imported here: Scrapy imports every command module for any command, and the
        # extractor (trafilatura, lxml) would add 0.2 s to each `scrapy crawl` or `list`.
        from crawler.savedpages import extract_files, write_results  # noqa: PLC0415

        min_pages = self.settings.getint("ARCHIVE_BOILERPLATE_MIN_PAGES") if opts.site else 0
        results = extract_files(args, opts.url, site_min_pages=min_pages)
        ok = write_results(
            results, sys.stdout, sys.stderr, as_json=opts.json, headers=len(args) > 1
        )
        self.exitcode = 0 if ok else 1
