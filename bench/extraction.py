"""Extraction benchmark: our pipeline against plain trafilatura, on real sets and on our own.

    .venv/bin/python bench/extraction.py --sets ../shared/extraction-sets [--save FILE]
    .venv/bin/python bench/extraction.py [--json]

With ``--sets DIR`` (a folder of real labelled sets, see :mod:`bench.realsets`; never copied
into the repository) every set is scored with the 4-gram shingle metric for ``ours-page``
(our pipeline on each page alone), ``ours`` (with the site statistics of the set's pages of
the same registered domain, as a finished crawl applies them), ``traf``
(``trafilatura.extract(include_comments=False)``) and ``traf-precision`` (the same with
``favor_precision=True``): P, R, F1, empty pages, pages below 0.2, pages more than 0.2 below
``traf`` (their ids), pages empty where ``traf`` has 50 words or more, CPU ms per page.

Without it, the repository's own generated set (``bench/evalset``) is scored as below.

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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from bench import realsets  # noqa: E402
from bench.evalset import EvalPage, load_pages  # noqa: E402
from crawler.boilerplate import SiteStats  # noqa: E402
from crawler.decoding import decode_body  # noqa: E402
from crawler.domains import registered_domain  # noqa: E402
from crawler.extraction import ExtractedText, extract_article, extract_document  # noqa: E402

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


def _traf(html: str, url: str | None) -> str | None:
    return trafilatura.extract(html, url=url, include_comments=False)


def _traf_precision(html: str, url: str | None) -> str | None:
    return trafilatura.extract(html, url=url, include_comments=False, favor_precision=True)


def _ours(html: str, url: str | None, site: dict[str, Any] | None = None) -> ExtractedText | None:
    return extract_article(html, url or "", site=site)


REAL_METHODS: dict[str, Callable[..., Any]] = {
    "ours-page": _ours,
    "traf": _traf,
    "traf-precision": _traf_precision,
}
REAL_ORDER = ("ours", "ours-page", "traf", "traf-precision")


def _site_pass(
    pages: list[realsets.SetPage], rows: dict[str, dict[str, Any]], processes: int
) -> None:
    """Add ``ours`` to ``rows``: each page again with the counts of its site's other pages."""
    by_key = {p.key: p for p in pages}
    sites: dict[tuple[str, str], SiteStats] = {}
    for page in pages:
        first = rows[page.key]["ours-page"]
        if page.url and first.get("page_key") and first.get("blocks"):
            stats = sites.setdefault((page.set, registered_domain(page.url)), SiteStats(MIN_PAGES))
            stats.add(first["page_key"], first["blocks"])
    options: dict[str, dict[str, Any]] = {}
    for page in pages:
        first = rows[page.key]["ours-page"]
        found = sites.get((page.set, registered_domain(page.url or "")))
        if found is None or len(found.pages) < 2:
            continue
        hint = found.hint(exclude=first.get("page_key"))
        if hint.df:
            options[page.key] = {"site": hint.to_dict()}
    again = realsets.run_methods(
        [by_key[k] for k in options], {"ours": _ours}, options=options, processes=processes
    )
    for key, row in rows.items():
        row["ours"] = again[key]["ours"] if key in again else dict(row["ours-page"])


def run_real(folder: Path, only: list[str], processes: int) -> dict[str, dict[str, Any]]:
    """Every method on every page of the sets under ``folder``: {page key: row}."""
    pages = [
        page
        for set_dir in realsets.find_sets(folder)
        if not only or set_dir.name in only
        for page in realsets.load_set(set_dir)
    ]
    rows: dict[str, dict[str, Any]] = realsets.run_methods(pages, REAL_METHODS, processes=processes)
    _site_pass(pages, rows, processes)
    truth = {p.key: realsets.shingles(p.truth) for p in pages}
    for page in pages:
        row = rows[page.key]
        row["set"], row["id"] = page.set, page.id
        for method in REAL_ORDER:
            cell = row[method]
            cell["score"] = realsets.shingle_score(cell["text"], truth[page.key])
            cell["f1"] = realsets.page_f1(*cell["score"])
            cell["words"] = len(_TOKEN.findall(cell["text"]))
    return rows


def _summarise(rows: list[dict[str, Any]], method: str) -> dict[str, Any]:
    cells = [row[method] for row in rows]
    agg = realsets.aggregate(cell["score"] for cell in cells)
    below = [row["id"] for row in rows if row[method]["f1"] < row["traf"]["f1"] - 0.2]
    lost = [row["id"] for row in rows if not row[method]["words"] and row["traf"]["words"] >= 50]
    return {
        **agg,
        "pages": len(cells),
        "empty": sum(1 for cell in cells if not cell["words"]),
        "under_02": sum(1 for cell in cells if cell["f1"] < 0.2),
        "below_traf": below,
        "empty_traf50": lost,
        "cpu_ms": 1000 * statistics.fmean(cell["cpu"] for cell in cells),
    }


def _ids(ids: list[str], most: int = 25) -> str:
    more = f" ... ({len(ids) - most} more)" if len(ids) > most else ""
    return " ".join(ids[:most]) + more


def print_real(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """The per-set table; returns the summaries {set: {method: summary}}."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows.values():
        groups.setdefault(row["set"], []).append(row)
    groups["ALL"] = list(rows.values())
    print(
        f"{'set':16} {'method':15} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'empty':>5}"
        f" {'<0.2':>5} {'>.2 below traf':>14} {'empty, traf>=50w':>16} {'CPU ms':>7}"
    )
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name, group in groups.items():
        out[name] = {}
        for method in REAL_ORDER:
            s = out[name][method] = _summarise(group, method)
            print(
                f"{name:16} {method:15} {s['pages']:>5} {s['p']:>6.3f} {s['r']:>6.3f}"
                f" {s['f1']:>6.3f} {s['empty']:>5} {s['under_02']:>5} {len(s['below_traf']):>14}"
                f" {len(s['empty_traf50']):>16} {s['cpu_ms']:>7.1f}"
            )
        print()
    for name, methods in out.items():
        if name == "ALL":
            continue
        for method in ("ours", "ours-page"):
            ids = methods[method]["below_traf"]
            if ids:
                print(f"{name} {method} more than 0.2 below traf: {_ids(ids)}")
            lost = methods[method]["empty_traf50"]
            if lost:
                print(f"{name} {method} empty where traf has >= 50 words: {_ids(lost)}")
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--sets", type=Path, help="a folder of real labelled sets (or one set)")
    parser.add_argument("--only", action="append", default=[], help="only this set (repeatable)")
    parser.add_argument("--processes", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--save", type=Path, help="write every page's texts and scores here")
    args = parser.parse_args(argv)
    if args.sets is not None:
        if not args.sets.is_dir():
            parser.error(f"--sets {args.sets}: not a folder")
        started = time.monotonic()
        rows = run_real(args.sets, args.only, args.processes)
        summaries = print_real(rows)
        print(f"{len(rows)} pages; {time.monotonic() - started:.1f} s for all methods")
        if args.save:
            args.save.write_text(json.dumps({"summary": summaries, "pages": rows}))
        return 0
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
