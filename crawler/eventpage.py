"""Parse markdown and HTML event pages and day-index pages into typed results, never raising."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from crawler.doctype import IMAGE, guess_kind
from crawler.eventid import event_id
from crawler.htmlblocks import _HTML_START, _event_container, _html_blocks, _html_root
from crawler.markdownblocks import _md_blocks
from crawler.pageblocks import (
    _CONTEXT,
    _PATH_DATE,
    _RELATED_HEADING,
    _SOURCE_HEADING,
    _Block,
    _date_from_text,
    _is_index_path,
    _make_date,
    _resolve,
    _shown,
    _url_path,
    _Warnings,
)

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
    #: The event's own category heading (portal bullets: "Armed conflicts and attacks"), if any.
    category: str = ""
    #: The event's own context tags (portal bullets: the category, then the story/topic labels).
    context: tuple[str, ...] = ()


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
