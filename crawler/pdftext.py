"""Text of PDF sources with pypdf: paragraphs rebuilt from line positions, running heads dropped.

pypdf gives text runs with their positions. Lines are rebuilt from runs on one baseline, and a
new paragraph starts where the gap to the previous line is clearly larger than the usual line
spacing. Lines that repeat on most pages (running heads and feet, once digits are ignored, so
"Page 1 of 3" counts as one line) are dropped. Pure, no Scrapy.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from statistics import median
from typing import Any

import pypdf

from crawler import __version__
from crawler.extraction import ExtractedText

__all__ = ["EXTRACTOR", "extract_pdf"]

logger = logging.getLogger(__name__)

EXTRACTOR = f"event-archiver {__version__} (pypdf {pypdf.__version__})"
_DIGITS = re.compile(r"\d+")
_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})(\d{2})")
_MAX_PAGES = 200
_ENDS = (".", "!", "?", ":", '"', "”", "»")


def _page_lines(page: Any) -> list[tuple[float, float, str]]:
    """(y, font size, text) of each line of a page, top to bottom."""
    runs: list[tuple[float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            y = float(tm[5]) * float(cm[3]) + float(cm[5])
            scale = abs(float(tm[3]) * float(cm[3])) or 1.0
            runs.append((round(y, 1), float(size) * scale, text))

    page.extract_text(visitor_text=visit)
    lines: dict[float, list[tuple[float, str]]] = {}
    for y, size, text in runs:
        lines.setdefault(y, []).append((size, text))
    out = []
    for y in sorted(lines, reverse=True):
        parts = lines[y]
        text = " ".join(" ".join(t for _s, t in parts).split())
        if text:
            out.append((y, max(s for s, _t in parts), text))
    return out


def _paragraphs(pages: list[list[tuple[float, float, str]]], running: set[str]) -> list[str]:
    gaps = [
        a[0] - b[0]
        for lines in pages
        for a, b in zip(lines, lines[1:], strict=False)
        if a[0] > b[0]
    ]
    usual = median(gaps) if gaps else 0.0
    paragraphs: list[list[str]] = []
    for lines in pages:
        previous: float | None = None
        for y, _size, text in lines:
            if _DIGITS.sub("0", text) in running:
                continue
            if previous is None:
                # a paragraph runs on over a page break unless the last one ended a sentence
                new = not paragraphs or paragraphs[-1][-1].endswith(_ENDS)
            else:
                new = previous - y > usual * 1.3
            if new:
                paragraphs.append([])
            paragraphs[-1].append(text)
            previous = y
    return [_join(p) for p in paragraphs if p]


def _join(lines: list[str]) -> str:
    """Join wrapped lines; a line broken after a hyphen joins without a space."""
    out = lines[0]
    for line in lines[1:]:
        out += line if out.endswith("-") and line[:1].islower() else " " + line
    return out


def _pdf_date(value: Any) -> str | None:
    match = _PDF_DATE.match(str(value or ""))
    if not match:
        return None
    try:
        year, month, day = (int(g) for g in match.groups())
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return None


def extract_pdf(data: bytes, url: str) -> ExtractedText | None:
    """Text and metadata of a PDF; None when it holds no text (a scan, or not a PDF)."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = [_page_lines(page) for page in reader.pages[:_MAX_PAGES]]
        info: Mapping[str, Any] = reader.metadata or {}
    except (pypdf.errors.PyPdfError, ValueError, KeyError) as exc:
        logger.info("Not a readable PDF: %s (%s)", url, exc)
        return None
    counts = Counter(_DIGITS.sub("0", t) for lines in pages for t in {x[2] for x in lines})
    running = {t for t, n in counts.items() if len(pages) >= 2 and n >= max(2, len(pages) * 0.6)}
    paragraphs = _paragraphs(pages, running)
    title = " ".join(str(info.get("/Title") or "").split()) or None
    if paragraphs and title and " ".join(paragraphs[0].casefold().split()) == title.casefold():
        paragraphs = paragraphs[1:]
    text = "\n".join(paragraphs).strip()
    if not text:
        return None
    author = " ".join(str(info.get("/Author") or "").split()) or None
    return ExtractedText(
        text=text,
        title=title,
        author=author,
        date=_pdf_date(info.get("/CreationDate")),
        language=None,
        sitename=None,
        extractor=EXTRACTOR,
    )
