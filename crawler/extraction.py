"""Article text and metadata from decoded HTML: trafilatura plus what we know beyond the page.

Steps (pure, no Scrapy): parse once; fingerprint the page's text blocks (for the crawl's
per-site statistics, see :mod:`crawler.boilerplate`); on a copy of the tree drop the blocks
that are boilerplate for the site, link-only teasers and the stories that are not the page's
own (:mod:`crawler.storypick`, guided by the title and the citing event's headline); run
trafilatura (comments off, precision first); then drop bylines, the repeated headline and a
comment thread's tail, and put back a standfirst kept outside the body (:mod:`crawler.textrules`).
If the pruned tree gives nothing, the untouched tree is tried before giving up.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from crawler import __version__
from crawler.boilerplate import SiteHint, boilerplate_blocks, fingerprint, page_blocks
from crawler.storypick import pick_story
from crawler.textrules import clean_lines, drop_link_teasers, recover_standfirst

__all__ = ["EXTRACTOR", "ExtractedText", "extract_article", "extract_document", "page_key"]

EXTRACTOR = f"event-archiver {__version__} (trafilatura {trafilatura.__version__})"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# primary language subtag of a BCP 47 tag such as "en", "fr-FR", "pt_BR", "zh-Hant-TW"
_LANG_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_OPTIONAL_FIELDS = ("title", "author", "date", "language", "sitename")


@dataclass(frozen=True)
class ExtractedText:
    """Clean article text of one page plus the metadata found with it."""

    text: str
    title: str | None
    author: str | None
    date: str | None  # ISO YYYY-MM-DD
    language: str | None  # ISO 639 primary subtag, lower case ("en", "fr", "ru")
    sitename: str | None
    extractor: str  # e.g. "event-archiver 0.1.0 (trafilatura 2.3.1)"
    #: For the crawl's site statistics (not stored): the page's identity among the site's
    #: pages, its blocks ({fingerprint: words}) and the fingerprints dropped as boilerplate.
    page_key: str | None = None
    blocks: Mapping[str, int] = field(default_factory=dict)
    removed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of all fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExtractedText:
        """Rebuild from ``to_dict()`` output; raise TypeError/ValueError on malformed data."""
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a mapping, got {type(data).__name__}")
        text = data.get("text")
        extractor = data.get("extractor")
        if not isinstance(text, str) or not isinstance(extractor, str):
            raise ValueError("'text' and 'extractor' must be strings")
        optional: dict[str, str | None] = {}
        for name in _OPTIONAL_FIELDS:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name!r} must be a string or None, got {type(value).__name__}")
            optional[name] = value
        blocks = data.get("blocks") or {}
        removed = data.get("removed") or ()
        if not isinstance(blocks, Mapping) or not isinstance(removed, list | tuple):
            raise ValueError("'blocks' must be a mapping and 'removed' a list")
        return cls(
            text=text,
            extractor=extractor,
            page_key=_clean(data.get("page_key")),
            blocks={str(k): int(v) for k, v in blocks.items()},
            removed=tuple(str(r) for r in removed),
            **optional,
        )


def _clean(value: Any) -> str | None:
    """Return a stripped non-empty string or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _normalise_language(tag: Any) -> str | None:
    """Reduce a language tag to its lower-case primary subtag, or None if it is not one."""
    if not isinstance(tag, str):
        return None
    match = _LANG_TAG.match(tag)
    return match.group(1).lower() if match else None


def _html_language(tree: Any) -> str | None:
    """Read the language declared by the page itself: <html lang>, xml:lang, Content-Language."""
    for value in (tree.get("lang"), tree.get(_XML_LANG)):
        language = _normalise_language(value)
        if language:
            return language
    for meta in tree.iterfind(".//head/meta[@http-equiv]"):
        if str(meta.get("http-equiv", "")).lower() == "content-language":
            # may be a list ("en, fr"): take the first
            language = _normalise_language(str(meta.get("content", "")).split(",")[0])
            if language:
                return language
    return None


def page_key(tree: Any, url: str) -> str:
    """A page's identity among its site's pages: its title (og:title or <title>), else its URL.

    Exact up to case and spacing: "In brief: 14 June" and "In brief: 21 June" are two pages.
    """
    title = _page_title(tree)
    if title:
        folded = " ".join(title.casefold().split()).encode("utf-8")
        return "title:" + hashlib.blake2b(folded, digest_size=8).hexdigest()
    return "url:" + url


def _trafilatura(tree: Any, url: str) -> dict[str, Any] | None:
    raw = trafilatura.extract(
        tree,
        url=url or None,
        output_format="json",
        with_metadata=True,
        include_comments=False,  # default True: reader comments would be appended
        favor_precision=True,
        deduplicate=False,  # True uses a process-wide cache: output would depend on history
        include_tables=False,  # tables on news pages are mostly score/market/standing widgets
        include_images=False,
        include_links=False,
        fast=True,  # no readability/jusText fallback: half the cost, same text on our set
    )
    return json.loads(raw) if raw else None


def _prune(work: Any, drop: set[str]) -> Any:
    """Remove boilerplate blocks and link teasers from ``work`` (a copy of the page's tree)."""
    if drop:
        for element, fp, _words in list(page_blocks(work)):
            if fp in drop and element.getparent() is not None:
                element.drop_tree()
    drop_link_teasers(work)
    return work


def _page_title(tree: Any) -> str | None:
    for meta in tree.iterfind(".//head/meta[@property]"):
        if str(meta.get("property", "")).lower() == "og:title":
            return _clean(meta.get("content"))
    return _clean(tree.findtext(".//head/title"))


def extract_article(
    html: str,
    url: str,
    *,
    event: Mapping[str, Any] | None = None,
    site: SiteHint | Mapping[str, Any] | None = None,
) -> ExtractedText | None:
    """Extract the main article text and metadata from decoded HTML; None if there is none.

    ``event`` is the citing event ({"headline", "date"}); ``site`` the counts of the page's
    site (:class:`crawler.boilerplate.SiteHint`, or its dict form) for boilerplate removal.
    """
    if not isinstance(html, str):
        raise TypeError(f"html must be a decoded str, got {type(html).__name__}")
    if not html.strip():
        return None
    # Parse once: the same tree gives the blocks, the declared language and goes to trafilatura.
    tree = load_html(html)
    if tree is None:
        return None
    hint = SiteHint.from_dict(site) if isinstance(site, Mapping) else site
    headline = str((event or {}).get("headline") or "") or None
    # Other stories go first, so that a story shown below many pages (the "next article")
    # does not count as those pages' blocks and is not mistaken for the site's boilerplate.
    work = copy.deepcopy(tree)
    pick_story(work, _page_title(tree), headline)
    blocks: dict[str, int] = {}
    for _element, fp, words in page_blocks(work):
        blocks[fp] = max(words, blocks.get(fp, 0))
    drop = boilerplate_blocks(blocks, hint)
    data = _trafilatura(_prune(work, drop), url)
    if not data or not str(data.get("text") or "").strip():
        data = _trafilatura(tree, url)  # the pruning removed everything: trust the page
    if not data:
        return None
    title = _clean(data.get("title"))
    author = _clean(data.get("author"))
    lines = clean_lines(str(data.get("text") or ""), title, author)
    lines = [line for line in lines if fingerprint(line) not in drop]
    text = recover_standfirst(tree, "\n".join(lines)).strip()
    if not text:
        return None
    date = _clean(data.get("date"))
    if date is not None and not _ISO_DATE.match(date):
        date = None
    # trafilatura only fills "language" when asked to detect one (target_language + py3langid)
    language = _normalise_language(data.get("language")) or _html_language(tree)
    return ExtractedText(
        text=text,
        title=title,
        author=author,
        date=date,
        language=language,
        sitename=_clean(data.get("source-hostname")),
        extractor=EXTRACTOR,
        page_key=page_key(tree, url),
        blocks=blocks,
        removed=tuple(sorted(drop)),
    )


def extract_document(
    document: str | bytes,
    url: str,
    *,
    content_type: str | None = None,
    event: Mapping[str, Any] | None = None,
    site: SiteHint | Mapping[str, Any] | None = None,
) -> ExtractedText | None:
    """Extract a fetched document: PDF bytes with pypdf, decoded HTML with ``extract_article``."""
    if isinstance(document, bytes):
        from crawler.pdftext import extract_pdf  # noqa: PLC0415 - only PDF sources need pypdf

        return extract_pdf(document, url)
    return extract_article(document, url, event=event, site=site)
