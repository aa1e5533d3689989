"""Markdown event pages to blocks: headings, paragraphs and list items with their links."""

from __future__ import annotations

import html
import re

from crawler.pageblocks import _Block, _Link, _norm

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
