"""Extraction benchmark: our pipeline against plain trafilatura on the labelled evaluation set.

    .venv/bin/python bench/extraction.py [--json]

Scores are bag-of-words token precision, recall and F1 of each page's text against its
expected article text (lower-cased ``\\w+`` tokens counted with multiplicity, as the public
article-extraction benchmarks do), per page and overall: the mean of the per-page F1 (each
page weighs the same) and the micro F1 over all tokens. Every method reads the same input:
the page's bytes decoded as Scrapy would (``crawler.decoding``); PDFs go to pypdf in our
pipeline and count as empty for trafilatura, which cannot read them.

Methods: ``trafilatura`` is ``trafilatura.extract(html, url=url)`` with its defaults
(comments included, tables included, no precision/recall bias); ``traf-tuned`` is the call
our pipeline makes (comments and tables off, ``favor_precision``); ``ours-page`` is our
pipeline on a page alone (no other page of its site known yet); ``ours`` is our pipeline with
the site statistics of all pages of the set from the same registered domain, as a finished
crawl or ``python -m archive reextract`` applies them.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from bench.evalset import EvalPage, load_pages  # noqa: E402
from crawler.boilerplate import SiteStats  # noqa: E402
from crawler.decoding import decode_body  # noqa: E402
from crawler.domains import registered_domain  # noqa: E402
from crawler.extraction import ExtractedText, extract_document  # noqa: E402

_TOKEN = re.compile(r"\w+")
METHODS = ("trafilatura", "traf-tuned", "ours-page", "ours")
MIN_PAGES = 3  # ARCHIVE_BOILERPLATE_MIN_PAGES default


def tokens(text: str | None) -> Counter[str]:
    """Bag of lower-cased word tokens."""
    return Counter(_TOKEN.findall((text or "").lower()))


@dataclass(frozen=True)
class Score:
    """Token overlap of one text with the expected text."""

    overlap: int
    got: int
    want: int

    @property
    def precision(self) -> float:
        return self.overlap / self.got if self.got else (1.0 if not self.want else 0.0)

    @property
    def recall(self) -> float:
        return self.overlap / self.want if self.want else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(text: str | None, expected: str) -> Score:
    """Bag-of-words overlap of ``text`` with ``expected``."""
    got, want = tokens(text), tokens(expected)
    return Score(sum((got & want).values()), sum(got.values()), sum(want.values()))


def _document(page: EvalPage) -> str | bytes:
    if page.content_type.split(";")[0].strip().lower() == "application/pdf":
        return page.body
    return decode_body(page.body, page.content_type)


def plain_trafilatura(doc: str | bytes, page: EvalPage) -> str | None:
    """trafilatura.extract with its defaults."""
    return None if isinstance(doc, bytes) else trafilatura.extract(doc, url=page.url)


def tuned_trafilatura(doc: str | bytes, page: EvalPage) -> str | None:
    """The trafilatura call our pipeline makes, without anything around it."""
    if isinstance(doc, bytes):
        return None
    return trafilatura.extract(
        doc,
        url=page.url,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        deduplicate=False,
    )


def run(pages: list[EvalPage]) -> dict[str, dict[str, Score]]:
    """Score every method on every page: {method: {page id: Score}}."""
    results: dict[str, dict[str, Score]] = {m: {} for m in METHODS}
    docs = {p.id: _document(p) for p in pages}
    simple: dict[str, Callable[[str | bytes, EvalPage], str | None]] = {
        "trafilatura": plain_trafilatura,
        "traf-tuned": tuned_trafilatura,
    }
    for name, func in simple.items():
        for page in pages:
            results[name][page.id] = score(func(docs[page.id], page), page.expected)
    alone: dict[str, ExtractedText | None] = {}
    sites: dict[str, SiteStats] = {}
    for page in pages:
        doc = docs[page.id]
        result = extract_document(doc, page.url, content_type=page.content_type, event=page.event)
        alone[page.id] = result
        results["ours-page"][page.id] = score(result.text if result else None, page.expected)
        if result is not None and result.page_key and result.blocks:
            site = sites.setdefault(registered_domain(page.url), SiteStats(MIN_PAGES))
            site.add(result.page_key, result.blocks)
    for page in pages:
        first = alone[page.id]
        stats = sites.get(registered_domain(page.url))
        if first is None or stats is None or not first.page_key:
            results["ours"][page.id] = results["ours-page"][page.id]
            continue
        result = extract_document(
            docs[page.id],
            page.url,
            content_type=page.content_type,
            event=page.event,
            site=stats.hint(exclude=first.page_key),
        )
        results["ours"][page.id] = score(result.text if result else None, page.expected)
    return results


def summary(scores: dict[str, Score]) -> dict[str, float]:
    """Mean per-page F1, micro P/R/F1 over all tokens, worst page and pages under 0.80."""
    values = list(scores.values())
    micro = Score(
        sum(s.overlap for s in values), sum(s.got for s in values), sum(s.want for s in values)
    )
    return {
        "pages": len(values),
        "mean_f1": statistics.mean(s.f1 for s in values),
        "micro_p": micro.precision,
        "micro_r": micro.recall,
        "micro_f1": micro.f1,
        "min_f1": min(s.f1 for s in values),
        "under_080": sum(1 for s in values if s.f1 < 0.80),
    }


def print_table(pages: list[EvalPage], results: dict[str, dict[str, Score]]) -> None:
    """Per-page rows (plain trafilatura beside ours) and the summaries of every method."""
    print(f"{'page':24} {'site':34} {'trafilatura P/R/F1':>20}   {'ours P/R/F1':>20}")
    for page in pages:
        a, b = results["trafilatura"][page.id], results["ours"][page.id]
        traf = (
            "n/a (PDF)"
            if page.content_type.startswith("application/pdf")
            else (f"{a.precision:.2f} {a.recall:.2f} {a.f1:.3f}")
        )
        print(
            f"{page.id:24} {page.site:34} {traf:>20}   {b.precision:.2f} {b.recall:.2f} {b.f1:.3f}"
        )
    html_ids = {p.id for p in pages if not p.content_type.startswith("application/pdf")}
    print()
    print(
        f"{'method':12} {'set':10} {'pages':>5} {'mean F1':>8} {'micro P':>8} {'micro R':>8}"
        f" {'micro F1':>8} {'min F1':>7} {'<0.80':>5}"
    )
    for method in METHODS:
        for label, ids in (("all", None), ("html", html_ids)):
            picked = {k: v for k, v in results[method].items() if ids is None or k in ids}
            s = summary(picked)
            print(
                f"{method:12} {label:10} {s['pages']:>5} {s['mean_f1']:>8.3f} {s['micro_p']:>8.3f}"
                f" {s['micro_r']:>8.3f} {s['micro_f1']:>8.3f} {s['min_f1']:>7.3f}"
                f" {s['under_080']:>5}"
            )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args(argv)
    pages = load_pages()
    started = time.monotonic()
    results = run(pages)
    took = time.monotonic() - started
    if args.json:
        out = {
            m: {"summary": summary(r), "pages": {k: vars(v) for k, v in r.items()}}
            for m, r in results.items()
        }
        print(json.dumps(out, indent=1))
        return 0
    print_table(pages, results)
    sites = len({p.site for p in pages})
    print(f"\n{len(pages)} pages from {sites} sites; {took:.1f} s for all methods")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
