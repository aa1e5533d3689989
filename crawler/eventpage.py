"""Parse markdown and HTML event pages and day-index pages into typed results, never raising."""

from __future__ import annotations

import datetime
import html
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.doctype import IMAGE, guess_kind
from crawler.eventid import event_id

__all__ = [
    "DayIndex",
    "Event",
    "ParseResult",
    "RelatedLink",
    "SourceLink",
    "looks_like_html",
    "parse_html",
    "parse_markdown",
    "parse_page",
]


@dataclass(frozen=True)
class SourceLink:
    """One cited source: its 1-based place in the Source list, label, absolute URL and kind."""

    position: int
    label: str
    url: str
    kind: str


@dataclass(frozen=True)
class RelatedLink:
    """A link to a related event page with its summary and context tags."""

    url: str
    summary: str
    context: tuple[str, ...]


@dataclass(frozen=True)
class Event:
    """The fields of one event page."""

    url: str
    event_id: str
    date: datetime.date | None
    headline: str
    lede: str
    sources: tuple[SourceLink, ...]
    related: tuple[RelatedLink, ...]
    day_index_url: str | None


@dataclass(frozen=True)
class DayIndex:
    """A day-index page: its date and the event pages it lists, in order."""

    url: str
    date: datetime.date | None
    event_urls: tuple[str, ...]


@dataclass(frozen=True)
class ParseResult:
    """What a page parsed into (an event, a day index or neither) and what was wrong with it."""

    event: Event | None
    day_index: DayIndex | None
    warnings: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Intermediate representation shared by both formats
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    label: str
    href: str
    is_image: bool


@dataclass(frozen=True)
class _Block:
    kind: str  # "heading" | "para" | "item"
    text: str
    level: int = 0
    links: tuple[_Link, ...] = ()
    after: str = ""  # for items: the text that follows the item's first link


_MAX_WARNINGS = 50


@dataclass
class _Warnings:
    found: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    dropped: int = 0

    def add(self, message: str) -> None:
        if message in self.seen:
            return
        self.seen.add(message)
        if len(self.found) < _MAX_WARNINGS:
            self.found.append(message)
        else:
            self.dropped += 1

    @property
    def items(self) -> list[str]:
        if self.dropped:
            return [*self.found, f"{self.dropped} more warnings not shown"]
        return self.found


_DATE_TEXT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_PATH_DATE = re.compile(r"/(\d{4})/(\d{1,2})/(\d{1,2})(?=/|$)")
_INDEX_PATH = re.compile(r"/index\.(?:md|markdown|html?|shtml|php)$", re.IGNORECASE)
_DAY_DIR_PATH = re.compile(r"/\d{4}/\d{1,2}/\d{1,2}/?$")
_SOURCE_HEADING = re.compile(r"(?:cited\s+)?sources?|source\(s\)", re.IGNORECASE)
_RELATED_HEADING = re.compile(r"related(?:\s+(?:events?|stories|links))?", re.IGNORECASE)
_CONTEXT = re.compile(r"context\s*:\s*(.*)", re.IGNORECASE | re.DOTALL)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_CONTROL = re.compile(r"[\t\n\r\x00-\x1f\x7f]")
_HOST_OK = re.compile(r"[\w\-.]+")
_DROPPED_SCHEMES = frozenset({"javascript", "mailto", "data", "tel", "sms", "about", "vbscript"})
_MAX_URL_IN_WARNING = 120


def _norm(text: str) -> str:
    """Collapse whitespace runs to single spaces and strip."""
    return " ".join(text.split())


def _shown(value: str) -> str:
    """Shorten a value for a warning message."""
    value = value.strip()
    if len(value) > _MAX_URL_IN_WARNING:
        return value[: _MAX_URL_IN_WARNING - 3] + "..."
    return value


def _date_from_text(text: str) -> tuple[bool, datetime.date | None]:
    """Return (looks like a Y-M-D date, the date if it is a real one)."""
    m = _DATE_TEXT.fullmatch(text.strip())
    if not m:
        return False, None
    return True, _make_date(m.group(1), m.group(2), m.group(3))


def _make_date(year: str, month: str, day: str) -> datetime.date | None:
    """Build a date from digit strings, None when impossible."""
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _url_path(url: str) -> str:
    """Return the path of a URL, '' when it cannot be split."""
    try:
        return urlsplit(url.strip()).path
    except ValueError:
        return ""


def _resolve(href: str, base: str) -> tuple[str | None, str | None]:
    """Resolve a link target against the page URL; return (url, None) or (None, reason)."""
    raw = _URL_CONTROL.sub("", href).strip()
    shown = _shown(href)
    if not raw:
        return None, "empty URL"
    m = _SCHEME.match(raw)
    scheme = m.group(1).lower() if m else ""
    if scheme in _DROPPED_SCHEMES:
        return None, f"unsupported URL '{shown}'"
    if m and scheme not in ("http", "https"):
        return None, f"invalid URL '{shown}'"
    try:
        if m:
            candidate = raw
        elif raw.lower().startswith("www."):
            candidate = "http://" + raw
        else:
            candidate = urljoin(base.strip(), raw)
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        host = parts.hostname or ""
    except ValueError:
        return None, f"invalid URL '{shown}'"
    if parts.scheme.lower() not in ("http", "https") or not host or not _valid_host(host):
        return None, f"invalid URL '{shown}'"
    return candidate, None


def _valid_host(host: str) -> bool:
    """True for a plausible DNS name or IP address."""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    if not _HOST_OK.fullmatch(host) or host.startswith(".") or ".." in host:
        return False
    return "_" not in host.rpartition(".")[2]


def _is_index_path(url: str) -> bool:
    """True when the URL path names a day index (index.md, index.html or a bare day folder)."""
    path = _url_path(url)
    return bool(_INDEX_PATH.search(path) or _DAY_DIR_PATH.search(path))


# --------------------------------------------------------------------------------------------
# Markdown inline rendering
# --------------------------------------------------------------------------------------------

_ESCAPABLE = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_PUA = 0xE000
_ESCAPE_RE = re.compile(r"\\([" + re.escape(_ESCAPABLE) + r"])")
_RESTORE_TABLE = {_PUA + ord(c): c for c in _ESCAPABLE}
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^<>\s]+)>", re.IGNORECASE)
_BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_SPAN = "(.{1,400}?)"  # longest emphasised span: bounds the regex work on hostile input
_EMPHASIS = (
    re.compile(r"\*\*(?=\S)" + _SPAN + r"(?<=\S)\*\*", re.DOTALL),
    re.compile(r"(?<!\w)__(?=\S)" + _SPAN + r"(?<=\S)__(?!\w)", re.DOTALL),
    re.compile(r"\*(?=\S)" + _SPAN + r"(?<=\S)\*", re.DOTALL),
    re.compile(r"(?<!\w)_(?=\S)" + _SPAN + r"(?<=\S)_(?!\w)", re.DOTALL),
    re.compile(r"~~(?=\S)" + _SPAN + r"(?<=\S)~~", re.DOTALL),
    re.compile(r"(`{1,3})" + _SPAN + r"\1", re.DOTALL),
)
_MAX_NESTING = 16


def _protect(text: str) -> str:
    """Replace backslash-escaped punctuation by private-use placeholders."""
    return _ESCAPE_RE.sub(lambda m: chr(_PUA + ord(m.group(1))), text)


def _restore(text: str) -> str:
    """Turn placeholders back into the literal characters they stand for."""
    return text.translate(_RESTORE_TABLE)


def _strip_emphasis(text: str) -> str:
    """Remove markdown emphasis, strikethrough and code markers, keeping the words."""
    for _ in range(3):
        before = text
        for pattern in _EMPHASIS:
            text = pattern.sub(lambda m: m.group(m.lastindex or 1), text)
        if text == before:
            break
    return text


def _finish(protected: str) -> str:
    """Finish rendered inline text: emphasis, autolinks, escapes, entities, whitespace."""
    text = _AUTOLINK.sub(lambda m: m.group(1), _strip_emphasis(protected))
    text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), _restore(text))
    return _norm(text)


_PAIR_CHARS = re.compile(r"[\[\]()]")
_TITLED = re.compile(r"(\S+)\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\))", re.DOTALL)


def _match_pairs(text: str) -> tuple[dict[int, int], dict[int, int]]:
    """Map each '[' to its matching ']' and each '(' to its ')' (escapes are placeholders)."""
    brackets: dict[int, int] = {}
    parens: dict[int, int] = {}
    open_brackets: list[int] = []
    open_parens: list[int] = []
    for m in _PAIR_CHARS.finditer(text):
        ch, i = m.group(), m.start()
        if ch == "[":
            open_brackets.append(i)
        elif ch == "]":
            if open_brackets:
                brackets[open_brackets.pop()] = i
        elif ch == "(":
            open_parens.append(i)
        elif open_parens:
            parens[open_parens.pop()] = i
    return brackets, parens


def _destination(inner: str) -> str:
    """Link target from the text between the parentheses: `url`, `<url>` or `url "title"`."""
    inner = inner.strip()
    if inner.startswith("<"):
        close = inner.find(">")
        if close > 0:
            return inner[1:close]
    titled = _TITLED.fullmatch(inner)
    return titled.group(1) if titled else inner


def _scan_links(text: str) -> list[tuple[int, int, bool, str, str]]:
    """Find top-level `[label](url)` and `![alt](url)` spans: (start, end, image, label, url)."""
    brackets, parens = _match_pairs(text)
    spans: list[tuple[int, int, bool, str, str]] = []
    done = 0
    for open_at in sorted(brackets):
        if open_at < done:
            continue
        close = brackets[open_at]
        paren_close = parens.get(close + 1)
        if paren_close is None:
            continue
        is_image = open_at > done and text[open_at - 1] == "!"
        start = open_at - 1 if is_image else open_at
        dest = _destination(text[close + 2 : paren_close])
        spans.append((start, paren_close + 1, is_image, text[open_at + 1 : close], dest))
        done = paren_close + 1
    return spans


def _render(protected: str, depth: int = 0) -> tuple[str, list[_Link], list[int]]:
    """Replace links by their labels; return (protected text, links, end offset of each link)."""
    spans = _scan_links(protected) if depth < _MAX_NESTING else []
    out: list[str] = []
    links: list[_Link] = []
    ends: list[int] = []
    last = 0
    for start, end, is_image, label, dest in spans:
        out.append(protected[last:start])
        label_text, _, _ = _render(label, depth + 1)
        out.append(label_text)
        links.append(_Link(_finish(label_text), _restore(dest).strip(), is_image))
        ends.append(end)
        last = end
    out.append(protected[last:])
    return "".join(out), links, ends


def _md_inline(text: str) -> tuple[str, tuple[_Link, ...], str]:
    """Render one markdown inline run: (plain text, links, plain text after the first link)."""
    protected = _protect(text)
    rendered, links, ends = _render(protected)
    if links:
        after = _finish(_render(protected[ends[0] :])[0])
        return _finish(rendered), tuple(links), after
    plain = _restore(protected)
    auto = _AUTOLINK.search(plain)
    if auto:
        url = auto.group(1)
        return _finish(rendered), (_Link(url, url, False),), _norm(plain[auto.end() :])
    bare = _BARE_URL.search(plain)
    if bare:
        url = _trim_bare_url(bare.group(0))
        after = _norm(plain[bare.start() + len(url) :])
        return _finish(rendered), (_Link(url, url, False),), after
    return _finish(rendered), (), ""


def _trim_bare_url(url: str) -> str:
    """Drop sentence punctuation that trails a bare URL (keeping balanced parentheses)."""
    while url:
        if url[-1] in ".,;:!?'\"":
            url = url[:-1]
        elif url[-1] == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        else:
            break
    return url


# --------------------------------------------------------------------------------------------
# Markdown blocks
# --------------------------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:\d{1,9}[.)]|[-*+])(?:[ \t]+(.*))?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|(?:-[ \t]*){3,})$")
_COMMENT_LINE = re.compile(r"^\s*<!--.*-->\s*$")


def _md_heading(level: int, text: str) -> _Block:
    """Build a heading block from raw markdown heading text."""
    rendered, links, _ = _md_inline(text)
    return _Block("heading", rendered, level=level, links=links)


def _md_blocks(text: str) -> list[_Block]:
    """Split markdown into heading, paragraph and list-item blocks."""
    blocks: list[_Block] = []
    para: list[str] = []
    item: list[str] | None = None
    blank_before = True

    def flush_para() -> None:
        if para:
            rendered = _md_inline(" ".join(para))[0]
            if rendered:
                blocks.append(_Block("para", rendered))
            para.clear()

    def flush_item() -> None:
        nonlocal item
        if item is not None:
            rendered, links, after = _md_inline(" ".join(item))
            blocks.append(_Block("item", rendered, links=links, after=after))
            item = None

    for raw_line in text.split("\n"):
        line = raw_line.rstrip()
        if not line.strip():
            flush_para()
            blank_before = True
            continue
        if _COMMENT_LINE.match(line):
            continue
        heading = _ATX.match(line)
        setext = _SETEXT.match(line)
        if heading:
            flush_para()
            flush_item()
            blocks.append(_md_heading(len(heading.group(1)), heading.group(2) or ""))
        elif setext and para and not blank_before and item is None:
            title = " ".join(para)
            para.clear()
            blocks.append(_md_heading(1 if setext.group(1)[0] == "=" else 2, title))
        elif _RULE.match(line):
            flush_para()
            flush_item()
        elif m := _LIST_ITEM.match(line):
            flush_para()
            flush_item()
            item = [(m.group(1) or "").strip()]
        elif item is not None and (not blank_before or raw_line[:1] in (" ", "\t")):
            item.append(line.strip())
        else:
            flush_item()
            para.append(line.strip())
        blank_before = False
    flush_para()
    flush_item()
    return blocks


# --------------------------------------------------------------------------------------------
# HTML blocks
# --------------------------------------------------------------------------------------------

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


def _section_of(text: str) -> str | None:
    """Classify a heading as 'source', 'related' or None from its text."""
    label = text.strip().rstrip(":").strip()
    if _SOURCE_HEADING.fullmatch(label):
        return "source"
    if _RELATED_HEADING.fullmatch(label):
        return "related"
    return None


def _split_context(after: str) -> tuple[str, ...]:
    """Extract context tags from the text after a related link."""
    m = _CONTEXT.search(after)
    if not m:
        return ()
    tags = (tag.strip().strip("_*").strip() for tag in m.group(1).split(","))
    return tuple(tag for tag in tags if tag)


def _path_date(url: str, warnings: _Warnings) -> datetime.date | None:
    """Date from a /YYYY/M/D/ path, warning when it is impossible."""
    m = _PATH_DATE.search(_url_path(url))
    if not m:
        return None
    found = _make_date(m.group(1), m.group(2), m.group(3))
    if found is None:
        warnings.add(f"path date '{m.group(1)}/{m.group(2)}/{m.group(3)}' is not a valid date")
    return found


def _page_date(date_heading: _Block | None, url: str, warnings: _Warnings) -> datetime.date | None:
    """Date from the date heading, else from the URL path; warn on impossible or missing dates."""
    heading_date = None
    if date_heading is not None:
        _, heading_date = _date_from_text(date_heading.text)
        if heading_date is None:
            warnings.add(f"date '{date_heading.text}' is not a valid date")
    path_date = _path_date(url, warnings)
    if heading_date is not None:
        if path_date is not None and path_date != heading_date:
            warnings.add(
                f"date {heading_date.isoformat()} differs from path date {path_date.isoformat()}"
            )
        return heading_date
    if path_date is None and date_heading is None:
        warnings.add("no date")
    return path_date


def _build_day_index(
    blocks: list[_Block], url: str, date_heading: _Block | None, warnings: _Warnings
) -> DayIndex:
    """Build a DayIndex from the list items of a page."""
    date = _page_date(date_heading, url, warnings)
    event_urls: list[str] = []
    seen: set[str] = set()
    position = 0
    for block in blocks:
        if block.kind != "item":
            continue
        position += 1
        if not block.links:
            warnings.add(f"entry {position}: no link")
            continue
        resolved, error = _resolve(block.links[0].href, url)
        if resolved is None:
            warnings.add(f"entry {position}: {error}")
            continue
        if _is_index_path(resolved) or resolved in seen:
            continue
        seen.add(resolved)
        event_urls.append(resolved)
    if not event_urls:
        warnings.add("no event links")
    return DayIndex(url=url, date=date, event_urls=tuple(event_urls))


def _build_sources(items: list[_Block], url: str, warnings: _Warnings) -> tuple[SourceLink, ...]:
    """Build SourceLinks from the Source section's items."""
    sources: list[SourceLink] = []
    seen: dict[str, int] = {}
    for position, item in enumerate(items, 1):
        if not item.links:
            if item.text:
                warnings.add(f"source {position}: no link in '{_shown(item.text)}'")
            continue
        link = item.links[0]
        resolved, error = _resolve(link.href, url)
        if resolved is None:
            warnings.add(f"source {position}: {error}")
            continue
        if resolved in seen:
            warnings.add(
                f"source {position}: duplicate URL '{_shown(resolved)}' "
                f"(same as source {seen[resolved]})"
            )
            continue
        seen[resolved] = position
        kind = IMAGE if link.is_image else guess_kind(resolved)
        sources.append(SourceLink(position=position, label=link.label, url=resolved, kind=kind))
    return tuple(sources)


def _build_related(items: list[_Block], url: str, warnings: _Warnings) -> tuple[RelatedLink, ...]:
    """Build RelatedLinks from the Related section's items."""
    related: list[RelatedLink] = []
    seen: set[str] = set()
    for position, item in enumerate(items, 1):
        if not item.links:
            if item.text:
                warnings.add(f"related {position}: no link in '{_shown(item.text)}'")
            continue
        link = item.links[0]
        resolved, error = _resolve(link.href, url)
        if resolved is None:
            warnings.add(f"related {position}: {error}")
            continue
        if resolved in seen:
            warnings.add(f"related {position}: duplicate URL '{_shown(resolved)}'")
            continue
        seen.add(resolved)
        related.append(RelatedLink(resolved, link.label, _split_context(item.after)))
    return tuple(related)


def _build(blocks: list[_Block], url: str, warnings: _Warnings, *, marked: bool) -> ParseResult:
    """Turn blocks into an Event or a DayIndex (shared by both formats)."""
    date_heading: _Block | None = None
    headline_at: int | None = None
    has_source = has_related = False
    for i, block in enumerate(blocks):
        if block.kind != "heading":
            continue
        section = _section_of(block.text)
        has_source = has_source or section == "source"
        has_related = has_related or section == "related"
        is_date, _ = _date_from_text(block.text)
        if is_date:
            date_heading = date_heading or block
        elif section is None and block.level == 1 and headline_at is None and block.text:
            headline_at = i
    has_items = any(b.kind == "item" and b.links for b in blocks)

    content_index = (
        not has_source
        and not has_related
        and date_heading is not None
        and headline_at is None
        and has_items
    )
    if _is_index_path(url) or content_index:
        day_index = _build_day_index(blocks, url, date_heading, warnings)
        return ParseResult(None, day_index, tuple(warnings.items))

    if not (marked or date_heading or has_source or has_related):
        warnings.add("not an event page (no date heading, Source or Related section)")
        return ParseResult(None, None, tuple(warnings.items))

    date = _page_date(date_heading, url, warnings)
    day_index_url = None
    if date_heading is not None and date_heading.links:
        day_index_url, error = _resolve(date_heading.links[0].href, url)
        if error:
            warnings.add(f"day index link: {error}")

    headline = blocks[headline_at].text if headline_at is not None else ""
    if not headline:
        warnings.add("no headline")

    lede_start = 0
    if headline_at is not None:
        lede_start = headline_at + 1
    elif date_heading is not None:
        lede_start = blocks.index(date_heading) + 1
    lede_parts: list[str] = []
    for block in blocks[lede_start:]:
        if block.kind == "heading":
            break
        if block.kind == "para":
            lede_parts.append(block.text)

    source_items: list[_Block] = []
    related_items: list[_Block] = []
    current: list[_Block] | None = None
    for block in blocks:
        if block.kind == "heading":
            section = _section_of(block.text)
            current = (
                source_items
                if section == "source"
                else related_items
                if section == "related"
                else None
            )
        elif block.kind == "item" and current is not None:
            current.append(block)

    if not has_source:
        warnings.add("no Source section")
    sources = _build_sources(source_items, url, warnings)
    if has_source and not sources:
        warnings.add("Source section has no usable links")
    related = _build_related(related_items, url, warnings)

    event = Event(
        url=url,
        event_id=event_id(url, date),
        date=date,
        headline=headline,
        lede="\n\n".join(lede_parts),
        sources=sources,
        related=related,
        day_index_url=day_index_url,
    )
    return ParseResult(event, None, tuple(warnings.items))


# --------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------

_BINARY_SAMPLE = 4096


def _is_binary(text: str) -> bool:
    """True when the text looks like binary data decoded as text."""
    sample = text[:_BINARY_SAMPLE]
    if "\x00" in sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad > max(8, len(sample) // 20)


def _prepare(body: object, warnings: _Warnings) -> str | None:
    """Normalise the body (BOM, line endings) or return None with a warning for unusable input."""
    if isinstance(body, bytes | bytearray):
        body = bytes(body).decode("utf-8", "replace")
    if not isinstance(body, str):
        warnings.add(f"body is not text ({type(body).__name__})")
        return None
    text = body.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        warnings.add("empty page")
        return None
    if _is_binary(text):
        warnings.add("body is binary, not text")
        return None
    return text


def looks_like_html(body: str) -> bool:
    """True when the body starts like an HTML document or fragment."""
    return bool(_HTML_START.match(body.lstrip("\ufeff")[:4096]))


def _guarded(parse: Callable[[str, str], ParseResult], body: str, url: str) -> ParseResult:
    """Run a parser, turning any unexpected error into a warning instead of raising."""
    try:
        return parse(body, url)
    except Exception as exc:  # the contract is "never raise": report, do not crash the crawl
        return ParseResult(None, None, (f"page could not be parsed ({type(exc).__name__})",))


def _parse_markdown(body: str, url: str) -> ParseResult:
    """Markdown parser body without the error guard."""
    warnings = _Warnings()
    text = _prepare(body, warnings)
    if text is None:
        return ParseResult(None, None, tuple(warnings.items))
    return _build(_md_blocks(text), url, warnings, marked=False)


def _parse_html(body: str, url: str) -> ParseResult:
    """HTML parser body without the error guard."""
    warnings = _Warnings()
    text = _prepare(body, warnings)
    if text is None:
        return ParseResult(None, None, tuple(warnings.items))
    root = _html_root(text)
    if root is None:
        warnings.add("HTML could not be parsed")
        return ParseResult(None, None, tuple(warnings.items))
    container, marked = _event_container(root)
    return _build(_html_blocks(container), url, warnings, marked=marked)


def parse_markdown(body: str, url: str) -> ParseResult:
    """Parse a markdown event page or day index served at url."""
    return _guarded(_parse_markdown, body, url)


def parse_html(body: str, url: str) -> ParseResult:
    """Parse an HTML event page or day index served at url."""
    return _guarded(_parse_html, body, url)


_ATX_ANYWHERE = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)


def parse_page(body: str, url: str, content_type: str | None = None) -> ParseResult:
    """Parse an event page or day index, choosing HTML or markdown from the type and body."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if isinstance(body, str) and (
        looks_like_html(body) or ("html" in mime and not _ATX_ANYWHERE.search(body))
    ):
        return parse_html(body, url)
    return parse_markdown(body, url)
