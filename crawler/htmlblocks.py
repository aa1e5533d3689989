"""HTML event pages to blocks: headings, paragraphs and list items, site chrome skipped."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from crawler.pageblocks import _Block, _Link, _norm

_SKIP_TAGS = frozenset(
    {
        "nav", "aside", "footer", "form", "script", "style", "noscript", "template", "select",
        "button", "iframe", "svg", "object", "embed", "video", "audio", "canvas", "head",
    }
)  # fmt: skip
_SKIP_ROLES = frozenset({"navigation", "contentinfo", "complementary", "banner", "search"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_PARA_TAGS = frozenset({"p", "blockquote", "pre", "figcaption", "dd", "address"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "main", "ol", "ul", "table", "blockquote", "pre",
     "h1", "h2", "h3", "h4", "h5", "h6", "header", "figure", "dl", "li"}
)  # fmt: skip
_HTML_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|article|main|div|section|"
    r"h[1-6]|p|ol|ul|title|meta|\?xml)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)


def _tag(el: etree._Element) -> str:
    """Return an element's lowercase tag name, '' for comments and processing instructions."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _skipped(el: etree._Element) -> bool:
    """True for site chrome and non-content elements."""
    tag = _tag(el)
    if not tag or tag in _SKIP_TAGS:
        return True
    if (el.get("role") or "").strip().lower() in _SKIP_ROLES:
        return True
    if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
        return True
    return tag == "header" and next(el.iter("nav"), None) is not None


def _el_text(el: etree._Element) -> str:
    """Whitespace-normalised text of an element, using image alt text when it has no text."""
    text = _norm("".join(el.itertext()))
    if not text:
        alts = [img.get("alt") or "" for img in el.iter("img")]
        text = _norm(" ".join(alts))
    return text


def _html_links(el: etree._Element) -> list[tuple[etree._Element, _Link]]:
    """Links (`a[href]`, and `img[src]` outside links) in document order."""
    found: list[tuple[etree._Element, _Link]] = []
    inside: set[etree._Element] = set()
    for node in el.iter("a", "img"):
        if node in inside:
            continue
        if node.tag == "a" and node.get("href") is not None:
            found.append((node, _Link(_el_text(node), node.get("href") or "", False)))
            inside.update(node.iter())
        elif node.tag == "img" and node.get("src") is not None:
            found.append((node, _Link(_norm(node.get("alt") or ""), node.get("src") or "", True)))
    return found


def _text_after(root: etree._Element, anchor: etree._Element) -> str:
    """Normalised text of root that follows the anchor element (tails included)."""
    out: list[str] = []
    after = False
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            after = after or node is anchor
            if after and node is not root and node.tail:
                out.append(node.tail)
            continue
        if after and isinstance(node.tag, str) and node.text:
            out.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return _norm("".join(out))


def _html_item(li: etree._Element) -> _Block:
    """Build an item block from an <li>."""
    links = _html_links(li)
    after = _text_after(li, links[0][0]) if links else ""
    return _Block("item", _el_text(li), links=tuple(link for _, link in links), after=after)


def _is_leaf_block(el: etree._Element) -> bool:
    """True for a container with text but no block-level descendants."""
    return not any(_tag(d) in _BLOCK_TAGS for d in el.iterdescendants())


def _html_blocks(container: etree._Element) -> list[_Block]:
    """Walk the container in document order and collect heading, paragraph and item blocks."""
    blocks: list[_Block] = []
    stack: list[etree._Element] = [container]
    while stack:
        el = stack.pop()
        if _skipped(el):
            continue
        tag = _tag(el)
        if tag in _HEADINGS:
            links = tuple(link for _, link in _html_links(el))
            blocks.append(_Block("heading", _el_text(el), level=_HEADINGS[tag], links=links))
        elif tag in ("ol", "ul"):
            for li in el.iterchildren("li"):
                if not _skipped(li):
                    blocks.append(_html_item(li))
        elif tag in _PARA_TAGS or (el is not container and tag != "li" and _is_leaf_block(el)):
            text = _el_text(el)
            if text and tag not in ("a", "img"):
                blocks.append(_Block("para", text))
        else:
            stack.extend(reversed([child for child in el if isinstance(child.tag, str)]))
    return blocks


def _html_root(body: str) -> etree._Element | None:
    """Parse HTML text into a document tree, None when there is nothing to parse."""
    data = body.encode("utf-8", "replace")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    etree.strip_elements(root, "script", "style", "noscript", "template", with_tail=False)
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")
    return root


def _event_container(root: etree._Element) -> tuple[etree._Element, bool]:
    """Return the element holding the event (article.event, main or body) and if it was marked."""
    marked = root.xpath(
        "//article[contains(concat(' ', normalize-space(@class), ' '), ' event ')]"
        " | //*[@itemtype and contains(@itemtype, 'Event')]"
    )
    if marked:
        return marked[0], True
    for path in ("//main", "//*[@role='main']", "//body"):
        found = root.xpath(path)
        if found:
            return found[0], False
    return root, False


# --------------------------------------------------------------------------------------------
# Building results from blocks
# --------------------------------------------------------------------------------------------
