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
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import trafilatura
from trafilatura.settings import CUT_EMPTY_ELEMS, Document
from trafilatura.utils import load_html, normalize_unicode
from trafilatura.xml import xmltotxt

from crawler import __version__
from crawler.boilerplate import SiteHint, boilerplate_blocks, fingerprint, page_blocks
from crawler.storypick import pick_story
from crawler.textrules import clean_lines, drop_link_teasers, recover_standfirst

__all__ = [
    "EXTRACTOR",
    "ExtractedText",
    "extract_article",
    "extract_document",
    "page_key",
    "parse_html",
]

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
    """trafilatura's JSON output fields for ``tree``, without the parts we never read.

    ``trafilatura.extract(output_format="json", with_metadata=True)`` also computes a
    Simhash fingerprint of the text, which costs as much as the extraction itself here;
    ``bare_extraction`` with the same options gives the same document, and the fields are
    built as its JSON writer builds them (``xmltotxt`` of the body, NFC-normalised).
    """
    document = trafilatura.bare_extraction(
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
        as_dict=False,
    )
    if not isinstance(document, Document):
        return None

    def nfc(value: Any) -> str | None:
        return normalize_unicode(value) if isinstance(value, str) else None

    return {
        "text": nfc(xmltotxt(document.body, include_formatting=False)),
        "title": nfc(document.title),
        "author": nfc(document.author),
        "date": nfc(document.date),
        "language": nfc(document.language),
        "source-hostname": nfc(document.sitename),
    }


def _prune(work: Any, found: list[tuple[Any, str, int]], drop: set[str]) -> Any:
    """Remove boilerplate blocks and link teasers from ``work`` (a copy of the page's tree).

    ``found`` is ``list(page_blocks(work))``, taken before any change to ``work``.
    """
    if drop:
        for element, fp, _words in found:
            if fp in drop and element.getparent() is not None:
                element.drop_tree()
    drop_link_teasers(work)
    return work


#: Empty elements of these kinds carry nothing for text or metadata (trafilatura's own list of
#: elements it drops when empty, before its content pass but after its metadata pass).
_EMPTY_DROP = frozenset(CUT_EMPTY_ELEMS)
#: Attributes trafilatura or htmldate read on an element without text: such elements stay.
_DATA_ATTRS = frozenset(
    {"itemprop", "content", "datetime", "title", "pubdate", "data-utime", "property", "name"}
    | {"href", "src", "lang", "rel"}
)


def drop_empty_elements(tree: Any) -> int:
    """Remove childless, textless layout elements (ad slots, spacers), keeping their tails.

    Pages pad their markup with thousands of these; every later pass (block fingerprints,
    story choice, trafilatura's metadata and content XPaths) walks them all. An element is
    kept when it has an attribute that the metadata readers look at (``datetime``, ``content``,
    ``itemprop``, ``title``, ``data-utime``, ...).
    Returns how many were removed.
    """
    body = tree.find(".//body")
    if body is None:
        return 0
    empty = [
        element
        for element in body.iterdescendants(*_EMPTY_DROP)
        if len(element) == 0
        and not (element.text and element.text.strip())
        and _DATA_ATTRS.isdisjoint(element.attrib)
    ]
    for element in empty:
        if element.tail and element.tail.strip():
            element.drop_tree()  # joins the tail to the previous text
        else:
            element.getparent().remove(element)  # a blank tail goes with it
    return len(empty)


def parse_html(html: str) -> Any:
    """The lxml.html tree trafilatura would build from ``html``; None when it is not HTML."""
    return load_html(html) if html.strip() else None


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
    tree: Any = None,
) -> ExtractedText | None:
    """Extract the main article text and metadata from decoded HTML; None if there is none.

    ``event`` is the citing event ({"headline", "date"}); ``site`` the counts of the page's
    site (:class:`crawler.boilerplate.SiteHint`, or its dict form) for boilerplate removal.
    ``tree``: ``parse_html(html)`` when the caller parsed the page already (it is changed).
    """
    if not isinstance(html, str):
        raise TypeError(f"html must be a decoded str, got {type(html).__name__}")
    if not html.strip():
        return None
    # Parse once: the same tree gives the blocks, the declared language and goes to trafilatura.
    if tree is None:
        tree = parse_html(html)
    if tree is None:
        return None
    drop_empty_elements(tree)
    hint = SiteHint.from_dict(site) if isinstance(site, Mapping) else site
    headline = str((event or {}).get("headline") or "") or None
    # Other stories go first, so that a story shown below many pages (the "next article")
    # does not count as those pages' blocks and is not mistaken for the site's boilerplate.
    work = copy.deepcopy(tree)
    pick_story(work, _page_title(tree), headline)
    found = list(page_blocks(work))
    blocks: dict[str, int] = {}
    for _element, fp, words in found:
        blocks[fp] = max(words, blocks.get(fp, 0))
    drop = boilerplate_blocks(blocks, hint)
    data = _trafilatura(_prune(work, found, drop), url)
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
    tree: Any = None,
) -> ExtractedText | None:
    """Extract a fetched document: PDF bytes with pypdf, decoded HTML with ``extract_article``
    (``tree``: the HTML already parsed with ``parse_html``)."""
    if isinstance(document, bytes):
        from crawler.pdftext import extract_pdf  # noqa: PLC0415 - only PDF sources need pypdf

        return extract_pdf(document, url)
    return extract_article(document, url, event=event, site=site, tree=tree)
