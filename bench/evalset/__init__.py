"""The labelled extraction evaluation set: fictional news pages with their expected article text.

`python -m bench.evalset.make_evalset` rebuilds `pages/` from `content/*.toml` and the site
templates; `load_pages()` reads what is committed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAGES_DIR = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class EvalPage:
    """One page of the set: its bytes as served, the HTTP Content-Type and the labels."""

    id: str
    site: str
    url: str
    content_type: str
    body: bytes
    expected: str
    labels: dict[str, Any]

    @property
    def event(self) -> dict[str, Any]:
        """The citing event: {"headline", "date"}."""
        return dict(self.labels["event"])


def load_pages(directory: Path = PAGES_DIR) -> list[EvalPage]:
    """Every page of the set, in a stable order (site, then id)."""
    pages = []
    for manifest in sorted(directory.glob("*.json")):
        labels = json.loads(manifest.read_text(encoding="utf-8"))
        body = (directory / labels["file"]).read_bytes()
        pages.append(
            EvalPage(
                id=labels["id"],
                site=labels["site"],
                url=labels["url"],
                content_type=labels["content_type"],
                body=body,
                expected=labels["expected_text"],
                labels=labels,
            )
        )
    return sorted(pages, key=lambda p: (p.site, p.id))
