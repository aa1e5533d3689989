"""The Current Events Portal's markup: day boxes, their dates, headings, links and visible text.

Helpers for crawler/portal.py over lxml elements; they know which classes and tags the
portal's eras use (see that module's docstring), and never raise on odd markup.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree

from crawler.pageblocks import _norm, _resolve
from crawler.portalurls import date_from_text

_BOX_CLASSES = frozenset({"vevent", "current-events-main", "current-events"})
_CONTENT_CLASSES = frozenset({"description", "current-events-content"})
_HEADING_CLASSES = frozenset({"current-events-content-heading"})
_DATE_CLASSES = frozenset(
    {"bday", "dtstart", "summary", "current-events-title", "current-events-heading"}
)
_SKIP_CLASSES = frozenset(
    {"current-events-navbar", "current-events-heading", "noprint", "navbox", "toc",
     "mw-editsection", "editlink", "metadata", "reflist", "references", "catlinks"}
)  # fmt: skip
_SKIP_TAGS = frozenset({"nav", "footer", "aside", "form", "head", "script", "style", "noscript"})
#: Tags of bullet lists.
LISTS = frozenset({"ul", "ol"})
_NESTED = frozenset({"ul", "ol", "dl"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_WIKI_NAMESPACES = frozenset(
    {"file", "image", "category", "special", "help", "wikipedia", "template", "talk", "portal",
     "user", "media", "mediawiki", "module", "draft"}
)  # fmt: skip


def tag_of(el: etree._Element) -> str:
    """An element's lowercase tag, '' for comments and processing instructions."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def class_set(el: etree._Element) -> set[str]:
    """The element's class names."""
    return set((el.get("class") or "").split())


def hidden(el: etree._Element) -> bool:
    """True for elements styled `display:none` or marked `hidden`."""
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or el.get("hidden") is not None


def skipped(el: etree._Element) -> bool:
    """True for chrome, edit links, navigation boxes, scripts and hidden elements."""
    tag = tag_of(el)
    return not tag or tag in _SKIP_TAGS or bool(class_set(el) & _SKIP_CLASSES) or hidden(el)


def visible_text(el: etree._Element, leave_out: frozenset[etree._Element] = frozenset()) -> str:
    """Visible text of `el` without nested lists, hidden or edit parts, reference marks and
    the elements in `leave_out`."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if not (
            skipped(child)
            or child in leave_out
            or tag_of(child) in _NESTED
            or (tag_of(child) == "sup" and "reference" in class_set(child))
        ):
            parts.append(visible_text(child, leave_out))
        parts.append(child.tail or "")
    return "".join(parts)


def own_links(li: etree._Element) -> Iterator[etree._Element]:
    """Links of a bullet's own line (not of its sub-bullets), in document order."""
    stack = [c for c in reversed(li) if tag_of(c) and tag_of(c) not in _NESTED]
    while stack:
        node = stack.pop()
        if hidden(node):
            continue
        if tag_of(node) == "a" and node.get("href") is not None:
            yield node
            continue
        stack.extend(c for c in reversed(node) if tag_of(c) and tag_of(c) not in _NESTED)


def is_heading(el: etree._Element) -> str | None:
    """The text of a category or date heading element, None when `el` is not one."""
    tag = tag_of(el)
    if class_set(el) & _HEADING_CLASSES or tag in _HEADING_TAGS:
        return _norm(visible_text(el))
    if tag == "div" and el.get("role") == "heading":
        return _norm(visible_text(el))
    if tag == "dl":
        dts = [dt for dt in el if tag_of(dt) == "dt"]
        return _norm(visible_text(dts[0])) if dts else None
    if tag == "p":
        text = _norm(visible_text(el))
        bold = _norm(" ".join(visible_text(b) for b in el.iter("b", "strong")))
        return text if text and bold == text else None
    return None


def wiki_article(href: str, page_url: str) -> str | None:
    """The absolute URL of a link to an article of the portal's own wiki, else None."""
    url, _error = _resolve(href, page_url)
    if url is None:
        return None
    parts, page = urlsplit(url), urlsplit(page_url)
    if (parts.hostname or "") != (page.hostname or "") or not parts.path.startswith("/wiki/"):
        return None
    title = parts.path.removeprefix("/wiki/")
    if ":" in title and title.split(":", 1)[0].lower() in _WIKI_NAMESPACES:
        return None
    return url


def source_link(a: etree._Element, page_url: str) -> str | None:
    """The URL of an external (source) link: http(s), off the wiki's own host, not interwiki."""
    if "extiw" in class_set(a):
        return None
    url, _error = _resolve(a.get("href") or "", page_url)
    if url is None:
        return None
    if (urlsplit(url).hostname or "") == (urlsplit(page_url).hostname or ""):
        return None
    return url


def boxes(root: etree._Element) -> list[etree._Element]:
    """Day boxes: the innermost elements carrying a day-box class, in document order."""
    marked = [el for el in root.iter() if tag_of(el) and class_set(el) & _BOX_CLASSES]
    inside = {anc for el in marked for anc in el.iterancestors()}
    return [el for el in marked if el not in inside]


def box_date(box: etree._Element) -> datetime.date | None:
    """A day box's date: the hidden ISO `bday`, the `summary`/heading text, or its id."""
    for el in box.iter():
        classes = class_set(el) if tag_of(el) else set()
        if classes & _DATE_CLASSES:
            found = date_from_text(_norm("".join(el.itertext())))
            if found is not None:
                return found
    return date_from_text((box.get("id") or "").replace("_", " "))


def box_content(box: etree._Element) -> etree._Element:
    """The element of a box that holds its headings and bullets (the box itself if unmarked)."""
    for el in box.iter():
        if el is not box and tag_of(el) and class_set(el) & _CONTENT_CLASSES:
            return el
    return box


def content_root(root: etree._Element) -> etree._Element:
    """The article body of a wiki page (outside the skin's navigation), else <body>."""
    for path in (
        "//*[@id='mw-content-text']//*[contains(@class, 'mw-parser-output')]",
        "//*[@id='mw-content-text']",
        "//*[@id='bodyContent']",
        "//main",
        "//body",
    ):
        found = root.xpath(path)
        if found:
            return found[0]
    return root
