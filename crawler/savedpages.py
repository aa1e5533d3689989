"""The crawl's text pipeline on saved pages (HTML or PDF files): what ``scrapy extract`` runs.

A file is read as the crawl would have received its body: gzip is undone (a saved page is
often compressed; recognised by its magic bytes, not its name), bytes starting with
``%PDF-`` are a PDF and go to pypdf, anything else is HTML decoded as Scrapy decodes a
response with no ``Content-Type`` (:func:`crawler.decoding.decode_body`: BOM, ``<meta>``,
then detection). Extraction is :func:`crawler.extraction.extract_document`, the call the
crawl's workers make. With ``site_min_pages``, the files are one site for the boilerplate
statistics, in two passes as a finished crawl applies them (``bench/extraction.py``): every
page alone, its blocks counted, then every page again with the counts of the others.
Pure, no Scrapy: the command in :mod:`crawler.commands.extract` is a thin layer over it.
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from crawler.boilerplate import SiteHint, SiteStats
from crawler.decoding import decode_body
from crawler.extraction import ExtractedText, extract_document

__all__ = [
    "ROW_KEYS",
    "FileText",
    "UnreadableFile",
    "extract_files",
    "load_document",
    "read_body",
    "write_results",
]

logger = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b"
PDF_MAGIC = b"%PDF-"
#: The keys of a ``--json`` row, in order (an "error" row adds ``reason``).
ROW_KEYS = ("file", "url", "status", "text", "title", "author", "date", "language")


class UnreadableFile(Exception):
    """A file that could not be read or uncompressed; the message says why."""


def read_body(path: str | Path) -> bytes:
    """The file's bytes, gunzipped when they start with gzip's magic bytes."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableFile(exc.strerror or str(exc)) from exc
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFile(f"not a readable gzip file ({exc})") from exc


def load_document(path: str | Path) -> str | bytes:
    """What the extractor reads for a file: the bytes of a PDF, else the decoded HTML."""
    body = read_body(path)
    if body[:5] == PDF_MAGIC:
        return body
    return decode_body(body, None)


@dataclass(frozen=True)
class FileText:
    """The outcome for one file: status "ok", "empty" (no text found) or "error" (``reason``)."""

    file: str
    url: str | None
    status: str
    result: ExtractedText | None = None
    reason: str | None = None

    @property
    def text(self) -> str:
        """The clean text ("" when there is none)."""
        return self.result.text if self.result is not None else ""

    def row(self) -> dict[str, Any]:
        """The ``--json`` row: exactly :data:`ROW_KEYS`, plus ``reason`` on an error."""
        result = self.result
        row: dict[str, Any] = {
            "file": self.file,
            "url": self.url,
            "status": self.status,
            "text": self.text,
            "title": result.title if result else None,
            "author": result.author if result else None,
            "date": result.date if result else None,
            "language": result.language if result else None,
        }
        if self.status == "error":
            row["reason"] = self.reason
        return row


@dataclass
class _Loaded:
    file: str
    document: str | bytes | None
    reason: str | None = None


def _load(file: str) -> _Loaded:
    try:
        return _Loaded(file, load_document(file))
    except UnreadableFile as exc:
        return _Loaded(file, None, str(exc))


def _extract(page: _Loaded, url: str | None, site: SiteHint | None = None) -> FileText:
    if page.document is None:
        return FileText(page.file, url, "error", reason=page.reason)
    try:
        result = extract_document(page.document, url or "", site=site)
    except Exception as exc:  # as the crawl's workers: a page that breaks the extractor
        logger.debug("Extraction failed: %s", page.file, exc_info=True)
        return FileText(page.file, url, "error", reason=f"extraction failed: {exc!r}")
    if result is None or not result.text.strip():
        return FileText(page.file, url, "empty")
    return FileText(page.file, url, "ok", result)


def _site_key(file: str, result: ExtractedText | None) -> str | None:
    """A page's identity for the site statistics: its page key, as in the crawl.

    An untitled page's key is its URL; files given one ``--url`` (or none) would all be one
    page, so the file name stands in for the URL the crawl would have had.
    """
    if result is None or not result.page_key or not result.blocks:
        return None
    if result.page_key.startswith("url:"):
        return "file:" + file
    return result.page_key


def extract_files(
    files: Sequence[str], url: str | None = None, *, site_min_pages: int = 0
) -> Iterator[FileText]:
    """Extract every file, in order; each alone, or with ``site_min_pages`` as one site.

    ``url`` is the address given to every page (metadata, an untitled page's identity);
    ``site_min_pages`` is ``ARCHIVE_BOILERPLATE_MIN_PAGES`` (0: each file alone).
    """
    if not site_min_pages:
        for file in files:
            yield _extract(_load(file), url)
        return
    pages = [_load(file) for file in files]
    firsts = [_extract(page, url) for page in pages]
    stats = SiteStats(site_min_pages)
    keys = [_site_key(page.file, first.result) for page, first in zip(pages, firsts, strict=True)]
    for key, first in zip(keys, firsts, strict=True):
        if key is not None and first.result is not None:
            stats.add(key, first.result.blocks)
    for page, first, key in zip(pages, firsts, keys, strict=True):
        if key is None:
            yield first  # a PDF, an unreadable or empty file: no blocks to compare
            continue
        yield _extract(page, url, site=stats.hint(exclude=key))


def write_results(
    results: Iterator[FileText] | Sequence[FileText],
    out: TextIO,
    err: TextIO,
    *,
    as_json: bool = False,
    headers: bool = False,
) -> bool:
    """Print each result (its text, or a ``--json`` row); True when every file gave text.

    Text mode, like ``head``: ``==> FILE <==`` above each text when ``headers``, a blank line
    between files; an empty or failed file is named on ``err`` with the reason.
    """
    all_ok = True
    first = True
    for item in results:
        all_ok = all_ok and item.status == "ok"
        if as_json:
            out.write(json.dumps(item.row(), ensure_ascii=False) + "\n")
            out.flush()
            continue
        if item.status == "error":
            err.write(f"scrapy extract: {item.file}: {item.reason}\n")
            continue
        if headers:
            out.write(("" if first else "\n") + f"==> {item.file} <==\n")
        first = False
        if item.status == "empty":
            err.write(f"scrapy extract: {item.file}: no text found\n")
        else:
            out.write(item.text + "\n")
        out.flush()
    return all_ok
