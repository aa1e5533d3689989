"""Real labelled extraction sets: loading, the 4-gram shingle metric, and one run of them.

A folder of sets is laid out as ``SET/pages/NNNN.html.gz`` (the page's bytes, gzip-compressed)
and ``SET/truth.jsonl`` (one line a page: ``n``, ``id``, ``url``, ``lang``, ``truth``,
``truth_coverage``). The repository never holds these pages; the benchmark is given the folder.

The metric is the one the public article-extraction benchmarks use: ``\\w+`` tokens (case
kept), their 4-token shingles counted as a multiset; per page tp/fp/fn; precision averaged over
the pages where something was extracted, recall over the pages with a reference (an empty
extraction adds recall 0 and no precision); F1 the harmonic mean of the two averages.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Shingles",
    "SetPage",
    "load_set",
    "find_sets",
    "shingle_score",
    "aggregate",
    "run_methods",
]

_TOKEN = re.compile(r"\w+")
N = 4


@dataclass(frozen=True)
class SetPage:
    """One labelled page of a real set."""

    set: str
    n: str
    id: str
    url: str | None
    truth: str
    coverage: float | None
    path: Path

    @property
    def key(self) -> str:
        return f"{self.set}/{self.n}"

    def raw(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


def find_sets(folder: Path) -> list[Path]:
    """The set folders under ``folder`` (those with a ``truth.jsonl``), or ``folder`` itself."""
    if (folder / "truth.jsonl").is_file():
        return [folder]
    found = sorted(p for p in folder.iterdir() if (p / "truth.jsonl").is_file())
    if not found:
        raise SystemExit(f"{folder}: no truth.jsonl in it or in its sub-folders")
    return found


def load_set(folder: Path) -> list[SetPage]:
    """The pages of one set, in file order."""
    pages = []
    with (folder / "truth.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            n = str(row["n"])
            pages.append(
                SetPage(
                    set=folder.name,
                    n=n,
                    id=str(row.get("id") or n),
                    url=row.get("url") or None,
                    truth=str(row.get("truth") or ""),
                    coverage=row.get("truth_coverage"),
                    path=folder / "pages" / f"{n}.html.gz",
                )
            )
    return pages


Shingles = Counter[tuple[str, ...]]


def shingles(text: str | None) -> Shingles:
    """The multiset of 4-token shingles of ``text`` (a shorter text is one shingle)."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < N:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + N]) for i in range(len(tokens) - N + 1))


def shingle_score(text: str | None, truth: str | Shingles) -> tuple[int, int, int]:
    """(tp, fp, fn) of ``text`` against the reference."""
    got = shingles(text)
    want = truth if isinstance(truth, Counter) else shingles(truth)
    tp = sum((got & want).values())
    return tp, sum(got.values()) - tp, sum(want.values()) - tp


def page_pr(tp: int, fp: int, fn: int) -> tuple[float | None, float | None]:
    """A page's precision (None when nothing was extracted) and recall (None without truth)."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def page_f1(tp: int, fp: int, fn: int) -> float:
    p, r = page_pr(tp, fp, fn)
    if p is None and r is None:
        return 1.0
    p, r = p or 0.0, r or 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def aggregate(scores: Iterable[tuple[int, int, int]]) -> dict[str, float]:
    """Mean precision, mean recall and their harmonic mean over pages, as the metric says."""
    ps, rs = [], []
    for tp, fp, fn in scores:
        p, r = page_pr(tp, fp, fn)
        if p is not None:
            ps.append(p)
        if r is not None:
            rs.append(r)
    precision = statistics.fmean(ps) if ps else 0.0
    recall = statistics.fmean(rs) if rs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": precision, "r": recall, "f1": f1}


#: A method: (decoded html, page url, **per-page options) -> text, None, or an object with
#: ``.text`` (an ``ExtractedText``: its ``page_key`` and ``blocks`` are kept for site counts).
Method = Callable[..., Any]

_Job = tuple[SetPage, Sequence[str], Mapping[str, Method], Mapping[str, Any]]


def _one(job: _Job) -> dict[str, Any]:
    page, names, methods, options = job
    from crawler.decoding import decode_body  # noqa: PLC0415

    html = decode_body(page.raw(), None)
    out: dict[str, Any] = {"key": page.key}
    for name in names:
        started = time.process_time()
        row: dict[str, Any] = {}
        try:
            result = methods[name](html, page.url, **options)
        except Exception as exc:  # a page that breaks a method counts as empty, and says so
            result, row["error"] = None, f"{type(exc).__name__}: {exc}"
        row["cpu"] = time.process_time() - started
        if result is not None and not isinstance(result, str):
            row["page_key"] = getattr(result, "page_key", None)
            row["blocks"] = dict(getattr(result, "blocks", {}) or {})
            result = getattr(result, "text", None)
        row["text"] = result or ""
        out[name] = row
    return out


def run_methods(
    pages: Sequence[SetPage],
    methods: Mapping[str, Method],
    *,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    processes: int = 2,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Run every method on every page: {page key: {method: {"text", "cpu", ...}}}.

    ``options`` gives per-page keyword arguments ({page key: {...}}). Pages are spread over
    ``processes`` forked workers; each method's CPU time is measured in the worker around its
    call (decoding excluded, so every method reads the same text).
    """
    names = list(methods)
    jobs: list[_Job] = [(page, names, methods, (options or {}).get(page.key, {})) for page in pages]
    results: dict[str, dict[str, dict[str, Any]]] = {}
    if processes <= 1:
        rows: Iterable[dict[str, Any]] = map(_one, jobs)
        for row in rows:
            results[row.pop("key")] = row
        return results
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for row in pool.imap_unordered(_one, jobs, chunksize=4):
            results[row.pop("key")] = row
    return results
