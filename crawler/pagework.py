"""One worker call for a page the origin served: the page checks, then its extraction.

A source page used to cross to the extraction pool twice: once for the dead-link checks
(:func:`crawler.pagechecks.judge_page`, on the spider's side) and once more, a moment later,
for its text (the pipeline). Each crossing sends the whole HTML and waits for the reactor
to hand it over and read the answer. Here both happen in the same call: the verdict comes
back with the extraction when the page passes, and the pipeline uses that extraction
instead of asking again. A page the checks reject (parked, soft 404, error page) is not
extracted at all.

With the pool's own extractor the page is also parsed once: the checks read the tree
(:func:`crawler.pagechecks.sample_tree`) before the extraction prunes it.

Plain functions on plain data: the pool's workers run them, and tests call them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crawler.extraction import parse_html
from crawler.extractpool import WorkerFunc, extract_to_dict
from crawler.pagechecks import judge_page

__all__ = ["judge_and_extract"]


def judge_and_extract(
    html: str,
    final_url: str,
    *,
    judge: Mapping[str, Any],
    extract: Mapping[str, Any],
    extractor: WorkerFunc = extract_to_dict,
) -> dict[str, Any]:
    """``judge_page(html, final_url, **judge)``, plus ``"extract"`` when the page passes.

    ``"extract"`` is {"status": "ok", "data": what ``extractor`` returned}, {"status": "empty"}
    when it returned None, or {"status": "error", "reason": ...} when it raised (the
    verdict still comes back: a page that breaks the extractor is not a dead link).
    ``extractor`` is the pool's extraction function and ``extract`` its keyword options.
    """
    tree = None
    if extractor is extract_to_dict and isinstance(html, str):
        try:
            tree = parse_html(html)
        except Exception:  # the checks parse it their own way; the extraction reports it
            tree = None
    out = judge_page(html, final_url, **judge, tree=tree)
    if out["verdict"]["dead"]:
        return out
    try:
        if tree is not None:  # judged, not changed: the extraction starts from it
            data = extractor(html, final_url, **extract, tree=tree)
        else:
            data = extractor(html, final_url, **extract)
    except Exception as exc:  # reported as the extraction's outcome, like the pool does
        out["extract"] = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}
        return out
    if data is None:
        out["extract"] = {"status": "empty", "reason": "no article text found"}
    elif not isinstance(data, dict):
        out["extract"] = {
            "status": "error",
            "reason": f"TypeError: worker function returned {type(data).__name__}, not dict",
        }
    else:
        out["extract"] = {"status": "ok", "data": data}
    return out
