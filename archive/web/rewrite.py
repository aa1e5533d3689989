"""Rewrite archived HTML and CSS so every link points back into the replay origin.

Absolute and relative links alike become `/replay/<timestamp>/<absolute URL>` on the replay
server, so an archived page loads its images and styles from the archive, never from the
live web. Rewriting is a convenience for fidelity; safety does not depend on it: the replay
server's Content-Security-Policy blocks any request that a missed link would make.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

Mapper = Callable[[str], str]

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""", re.IGNORECASE)
_KEEP_SCHEMES = ("data:", "mailto:", "tel:", "about:", "#")


def replay_mapper(prefix: str, base_url: str) -> Mapper:
    """A function mapping a link on the page at `base_url` to its replay URL under `prefix`."""

    def to_replay(link: str) -> str:
        link = link.strip()
        if not link or link.lower().startswith(_KEEP_SCHEMES):
            return link
        if link.lower().startswith(("javascript:", "vbscript:")):
            return "about:blank"
        absolute = urljoin(base_url, link)
        if not absolute.lower().startswith(("http://", "https://")):
            return "about:blank"
        return prefix + absolute

    return to_replay


def _rewrite_srcset(value: str, mapper: Mapper) -> str:
    parts = []
    for candidate in value.split(","):
        bits = candidate.strip().split(None, 1)
        if bits:
            parts.append(" ".join([mapper(bits[0]), *bits[1:]]))
    return ", ".join(parts)


def rewrite_css(text: str, mapper: Mapper) -> str:
    """CSS with every url(…) and @import pointed through `mapper`."""
    text = _CSS_URL.sub(lambda m: f"url({m.group(1)}{mapper(m.group(2))}{m.group(1)})", text)
    return _CSS_IMPORT.sub(lambda m: f"@import {m.group(1)}{mapper(m.group(2))}{m.group(1)}", text)


def decode_html(body: bytes, content_type: str | None) -> str:
    """HTML bytes as text, with the charset from the header, a BOM, a <meta> or UTF-8."""
    _encoding, text = html_to_unicode(content_type, body)
    return text


def rewrite_html(body: bytes, content_type: str | None, page_url: str, prefix: str) -> bytes:
    """The archived page as UTF-8 HTML with links into the replay origin under `prefix`."""
    text = decode_html(body, content_type)
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        doc = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        return text.encode("utf-8")
    base = page_url
    for el in doc.iter("base"):
        if el.get("href"):
            base = urljoin(page_url, el.get("href") or "")
        el.drop_tree()
    mapper = replay_mapper(prefix, base)
    doc.rewrite_links(mapper, resolve_base_href=False)
    for el in doc.xpath("//*[@srcset or @imagesrcset]"):
        for attr in ("srcset", "imagesrcset"):
            if el.get(attr):
                el.set(attr, _rewrite_srcset(el.get(attr) or "", mapper))
    for el in doc.xpath("//meta[@charset or translate(@http-equiv, 'CONTEST-YP', 'contest-yp')"
                        "='content-type']"):  # fmt: skip
        el.drop_tree()
    head = doc.find("head")
    if head is None:
        head = etree.Element("head")
        doc.insert(0, head)
    head.insert(0, etree.Element("meta", name="referrer", content="no-referrer"))
    head.insert(0, etree.Element("meta", charset="utf-8"))
    doctype = doc.getroottree().docinfo.doctype or "<!DOCTYPE html>"
    html = lxml.html.tostring(doc, encoding="unicode", method="html")
    return (doctype + "\n" + html).encode("utf-8")
