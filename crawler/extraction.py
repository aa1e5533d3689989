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
from htmldate import find_date
from trafilatura import metadata as tm
from trafilatura.settings import CUT_EMPTY_ELEMS, Document, set_date_params
from trafilatura.utils import load_html, normalize_unicode
from trafilatura.xml import xmltotxt

from crawler import __version__
from crawler.boilerplate import SiteHint, boilerplate_blocks, fingerprint, page_blocks
from crawler.floor import floor_reason, no_article
from crawler.storypick import pick_story
from crawler.textrules import (
    clean_lines,
    drop_link_teasers,
    is_comment_marker,
    recover_standfirst,
)

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
_DATE_PARAMS = set_date_params(True)


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
    #: Why trafilatura's own result on the untouched page was kept instead of ours (the floor
    #: under every page): None when ours was kept, else "empty" (our rules left nothing),
    #: "fraction" (a small part of the plain text), "notice" (a copyright, reprint, cookie or
    #: subscription notice) or "headlines" (a list of other stories' headlines).
    floor: str | None = None

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
        floor = data.get("floor")
        if floor is not None and not isinstance(floor, str):
            raise ValueError(f"'floor' must be a string or None, got {type(floor).__name__}")
        return cls(
            text=text,
            extractor=extractor,
            floor=floor,
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


def _metadata(tree: Any, url: str) -> dict[str, str | None]:
    """Title, author, date and site name, read as ``trafilatura.extract_metadata`` reads them.

    The same steps in the same order, without the parts we never store (categories, tags,
    licence: a quarter of its cost), and with htmldate's extensive search as trafilatura
    sets it.
    """
    document = tm.examine_meta(tree)
    if document.author and " " not in document.author:
        document.author = None  # as trafilatura: a one-word "author" is a handle or a site
    try:
        document = tm.extract_meta_json(tree, document)
    except Exception:  # noqa: BLE001 - trafilatura logs its own JSON-LD bugs the same way
        pass
    if not document.title:
        document.title = tm.extract_title(tree)
    if not document.author:
        document.author = tm.extract_author(tree)
    page_url = document.url or tm.extract_url(tree, url or None)
    date_params = {**_DATE_PARAMS, "url": page_url}
    date = find_date(tree, **date_params)
    sitename = document.sitename or tm.extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
    elif page_url:
        match = tm.META_URL.match(page_url)
        sitename = match[1] if match else None

    def nfc(value: Any) -> str | None:
        return normalize_unicode(value) if isinstance(value, str) else None

    return {
        "title": nfc(document.title),
        "author": nfc(document.author),
        "date": nfc(date),
        "sitename": nfc(sitename),
    }


def _content(tree: Any, url: str) -> Any:
    """trafilatura's article body (its XML ``<body>``) for ``tree``, or None.

    trafilatura's defaults (its readability/jusText fallbacks on, tables kept, balanced
    between precision and recall) with reader comments left out.
    ``tree`` is not changed (trafilatura copies it).
    """
    document = trafilatura.bare_extraction(
        tree,
        url=url or None,
        with_metadata=False,
        include_comments=False,  # default True: reader comments would be appended
        deduplicate=False,  # True uses a process-wide cache: output would depend on history
    )
    if not isinstance(document, Document):
        return None
    return document.body


def _body_text(body: Any) -> str:
    return normalize_unicode(xmltotxt(body, include_formatting=False) or "")


def _final_text(
    tree: Any,
    ours: Any,
    plain: Any,
    title: str | None,
    author: str | None,
    drop: set[str],
) -> tuple[str, str | None]:
    """Our text from trafilatura's body ``ours``, or the plain result when ours fails the floor.

    ``plain`` is trafilatura's body for the untouched page (None: not computed yet). Returns
    (text, floor): floor None when our text stands, else why the plain text replaced it;
    when ``plain`` is None and our text looks doubtful, (our text, reason) so that the caller
    computes the plain result and asks again.
    """
    text = _cleaned(tree, ours, title, author, drop)
    if plain is None:
        return text, floor_reason(text, None)
    plain_text = _body_text(plain)
    reason = floor_reason(text, plain_text)
    if reason is None:
        return text, None
    # the plain result wins; our line rules still apply to it when they keep it whole
    cleaned = _cleaned(tree, plain, title, author, set()) if plain is not ours else ""
    if cleaned and floor_reason(cleaned, plain_text) is None:
        return cleaned, reason
    return plain_text.strip(), reason


def _cleaned(tree: Any, body: Any, title: str | None, author: str | None, drop: set[str]) -> str:
    """Our rules on trafilatura's body: link teasers, headline, bylines, comments, standfirst."""
    if body is None:
        return ""
    lines = clean_lines(_body_text(body), title, author)
    lines = [line for line in lines if fingerprint(line) not in drop]
    return recover_standfirst(tree, "\n".join(lines)).strip()


def _prune(work: Any, found: list[tuple[Any, str, int]], drop: set[str]) -> int:
    """Remove the site's boilerplate blocks from ``work`` (a copy of the page's tree); count them.

    ``found`` is ``list(page_blocks(work))``, taken before any change to ``work``.
    """
    removed = 0
    for element, fp, _words in found:
        if fp in drop and element.getparent() is not None:
            if is_comment_marker(element.text_content()):
                continue  # kept for the line rules: the comment thread is cut from there
            element.drop_tree()
            removed += 1
    return removed


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
    meta = _metadata(tree, url)
    title = _clean(meta.get("title"))
    author = _clean(meta.get("author"))
    # Other stories go first, so that a story shown below many pages (the "next article")
    # does not count as those pages' blocks and is not mistaken for the site's boilerplate.
    work = copy.deepcopy(tree)
    picked = pick_story(work, _page_title(tree), headline)
    found = list(page_blocks(work))
    blocks: dict[str, int] = {}
    for _element, fp, words in found:
        blocks[fp] = max(words, blocks.get(fp, 0))
    drop = boilerplate_blocks(blocks, hint)
    pruned = _prune(work, found, drop) + drop_link_teasers(work)
    ours = _content(work, url)
    plain = None if picked or pruned else ours  # the same tree: the same result
    text, floor = _final_text(tree, ours, plain, title, author, drop)
    if floor is not None and plain is None:
        # our changes to the tree gave a doubtful result: compare with the untouched page
        text, floor = _final_text(tree, ours, _content(tree, url), title, author, drop)
    if no_article(text):
        return None
    date = _clean(meta.get("date"))
    if date is not None and not _ISO_DATE.match(date):
        date = None
    # trafilatura only fills "language" when asked to detect one (target_language + py3langid)
    language = _html_language(tree)
    return ExtractedText(
        text=text,
        title=title,
        author=author,
        date=date,
        language=language,
        sitename=_clean(meta.get("sitename")),
        extractor=EXTRACTOR,
        page_key=page_key(tree, url),
        blocks=blocks,
        removed=tuple(sorted(drop)),
        floor=floor,
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
