"""Cross-page boilerplate: text blocks that repeat across many pages of one site (pure, no Scrapy).

A *block* is the text of a leaf block element of a page (a paragraph, list item, heading,
caption, or a ``div`` holding only inline content). Its *fingerprint* is a short hash of the
normalised text (case folded, spaces collapsed).

A site is a registered domain. A block is boilerplate for a site when it occurs on at least
``min_pages`` distinct pages of that site and, for long blocks (``LONG_BLOCK_WORDS`` words or
more), on at least half of the site's pages: a background paragraph reused by two follow-up
stories stays, a cookie notice on every page goes. Pages count once per *page key* (their
title), so one article reached under two URLs does not make itself boilerplate.

In a crawl the pipeline keeps a :class:`SiteStats` per site and hands each page the counts of
the blocks already seen on ``min_pages - 1`` other pages (:meth:`SiteStats.hint`); the worker
adds its own page and decides (:func:`boilerplate_blocks`), so every page, the first ones
included, is judged with the same rule the final statistics give. The pipeline re-extracts at
the close of the crawl the pages whose decision changed as later pages arrived.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BLOCK_TAGS",
    "LONG_BLOCK_WORDS",
    "SiteHint",
    "SiteStats",
    "boilerplate_blocks",
    "build_site_stats",
    "fingerprint",
    "is_boilerplate",
    "page_blocks",
]

#: Elements that start a new block of text.
BLOCK_TAGS = frozenset(
    "address article aside blockquote dd details div dl dt fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hr li main menu nav ol p pre section summary table tbody "
    "td tfoot th thead tr ul body".split()
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "title"})
LONG_BLOCK_WORDS = 25
_WORD = re.compile(r"\w+")


def _normalise(text: str) -> str:
    # Digits are kept: folding them would merge "Rovers 2-1 City" with "Rovers 0-3 City", and
    # automated stories (markets, results) that differ only in their numbers.
    return " ".join(text.casefold().split())


def fingerprint(text: str) -> str:
    """A 12-hex-digit fingerprint of a block's normalised text."""
    return hashlib.blake2b(_normalise(text).encode("utf-8"), digest_size=6).hexdigest()


def page_blocks(tree: Any) -> Iterator[tuple[Any, str, int]]:
    """Yield (element, fingerprint, word count) for every leaf text block of an lxml tree.

    One walk over the tree: an element is a leaf block when no block element lies below it
    (marked from each block up through its ancestors, stopping at the first one marked).
    """
    body = tree.find(".//body")
    root = body if body is not None else tree
    blocks = []
    inner: set[Any] = set()  # elements with a block element below them
    hidden: set[Any] = set()  # elements inside script, style, svg, ...
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in _SKIP_TAGS:
            hidden.update(element.iterdescendants())
            continue
        if tag not in BLOCK_TAGS:
            continue
        if element not in hidden:
            blocks.append(element)
        for ancestor in element.iterancestors():
            if ancestor in inner:
                break
            inner.add(ancestor)
    for element in blocks:
        if element in inner:
            continue
        text = " ".join(element.text_content().split())
        words = len(_WORD.findall(text))
        if words:
            yield element, fingerprint(text), words


def is_boilerplate(df: int, pages: int, words: int, min_pages: int) -> bool:
    """The rule: on ``min_pages`` pages or more, and on half the site's pages if it is long."""
    if df < min_pages:
        return False
    return words < LONG_BLOCK_WORDS or df >= math.ceil(pages / 2)


@dataclass(frozen=True)
class SiteHint:
    """What a worker needs to judge one page: counts over the site's *other* pages."""

    pages: int
    df: Mapping[str, int]
    min_pages: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the process boundary."""
        return {"pages": self.pages, "df": dict(self.df), "min_pages": self.min_pages}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteHint:
        """Rebuild from :meth:`to_dict` output."""
        return cls(int(data["pages"]), dict(data["df"]), int(data["min_pages"]))


def boilerplate_blocks(blocks: Mapping[str, int], hint: SiteHint | None) -> set[str]:
    """The fingerprints of one page (``{fingerprint: words}``) that are boilerplate for its site."""
    if hint is None:
        return set()
    pages = hint.pages + 1
    return {
        fp
        for fp, words in blocks.items()
        if is_boilerplate(hint.df.get(fp, 0) + 1, pages, words, hint.min_pages)
    }


@dataclass
class SiteStats:
    """Block counts over the distinct pages of one site seen so far."""

    min_pages: int = 3
    pages: dict[str, dict[str, int]] = field(default_factory=dict)  # page key -> {fp: words}
    df: Counter[str] = field(default_factory=Counter)
    #: blocks on at least ``min_pages - 1`` pages: the only ones a hint needs to carry
    hot: set[str] = field(default_factory=set)

    def _count(self, fp: str) -> None:
        self.df[fp] += 1
        if self.df[fp] >= max(1, self.min_pages - 1):
            self.hot.add(fp)

    def add(self, key: str, blocks: Mapping[str, int]) -> None:
        """Count a page's blocks once per page key (pages sharing a key count as one page).

        Merging rather than replacing keeps the counts independent of the order pages come.
        """
        have = self.pages.get(key)
        if have is None:
            self.pages[key] = have = {}
        for fp, words in blocks.items():
            if fp not in have:
                self._count(fp)
            have[fp] = max(words, have.get(fp, 0))

    def hint(self, exclude: str | None = None) -> SiteHint:
        """Counts of the blocks that one more page could turn into boilerplate."""
        mine = self.pages.get(exclude or "", {})
        others = len(self.pages) - (1 if exclude in self.pages else 0)
        df = {}
        for fp in self.hot:
            count = self.df[fp] - (1 if fp in mine else 0)
            if count >= self.min_pages - 1 and count > 0:
                df[fp] = count
        return SiteHint(others, df, self.min_pages)

    def removed(self, blocks: Mapping[str, int]) -> set[str]:
        """The blocks of a counted page (``{fingerprint: words}``) that are boilerplate now."""
        n = len(self.pages)
        return {fp for fp, w in blocks.items() if is_boilerplate(self.df[fp], n, w, self.min_pages)}


def build_site_stats(
    pages: Iterable[tuple[str, str, Mapping[str, int]]], min_pages: int
) -> dict[str, SiteStats]:
    """Statistics per site from (site, page key, blocks) triples."""
    stats: dict[str, SiteStats] = {}
    for site, key, blocks in pages:
        stats.setdefault(site, SiteStats(min_pages)).add(key, blocks)
    return stats
