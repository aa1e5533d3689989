"""Parse Wikipedia Current Events Portal day and month pages into events, one per bullet.

Three markup eras are read: the `current-events` day box (`div.current-events-main`,
`div.current-events-heading`, `div.current-events-content`), the `vevent` box (a `div` or
`table` with `span.summary` and `.description`), and plain lists (a date heading followed by
`ul` bullets). Category headings are `div.current-events-content-heading`, a `role=heading`
div, a paragraph in bold (`<p><b>…</b></p>`) or a `<dl><dt>`. A bullet with sub-bullets is a
story/topic line (and an event too if it cites sources itself); every leaf below it is one
event that keeps the topics as context. Nothing here raises: problems are warnings.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from crawler.doctype import guess_kind
from crawler.eventid import bullet_event_id
from crawler.eventpage import Event, ParseResult, RelatedLink, SourceLink, _prepare
from crawler.htmlblocks import _html_root
from crawler.pageblocks import _norm, _resolve, _shown, _Warnings
from crawler.portalmarkup import (
    LISTS,
    box_content,
    box_date,
    boxes,
    class_set,
    content_root,
    is_heading,
    own_links,
    skipped,
    source_link,
    tag_of,
    visible_text,
    wiki_article,
)
from crawler.portalurls import date_from_text, day_url_like, page_date

__all__ = ["PortalPage", "parse_portal"]

_EMPTY_BRACKETS = re.compile(r"\(\s*[,;]?\s*\)|\[\s*[,;]?\s*\]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")


@dataclass(frozen=True)
class PortalPage:
    """A portal page parsed: one ParseResult per bullet (with its own warnings), page warnings."""

    url: str
    days: tuple[datetime.date, ...]
    results: tuple[ParseResult, ...]
    warnings: tuple[str, ...]

    @property
    def events(self) -> tuple[Event, ...]:
        """The events of the page, in page order."""
        return tuple(r.event for r in self.results if r.event is not None)


#: The topics one story line names: (label, article URL or None for a red link or plain text).
_Line = tuple[tuple[str, str | None], ...]


@dataclass
class _Bullet:
    """A leaf bullet found while walking a day: its day, category, topics and element."""

    day: datetime.date
    category: str
    topics: tuple[_Line, ...]  # the story lines above the bullet, outermost first
    element: etree._Element
    number: int = 0


@dataclass
class _Walk:
    """State of a walk through a day box or a plain page: the day and the category so far."""

    page_url: str
    day: datetime.date | None
    dated: bool  # plain pages: date headings move `day`; in a day box they are ignored
    category: str = ""
    bullets: list[_Bullet] = field(default_factory=list)
    days: list[datetime.date] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.day is not None:
            self.days.append(self.day)


# --------------------------------------------------------------------------------------------
# Walking days, categories and bullets
# --------------------------------------------------------------------------------------------


def _walk(container: etree._Element, walk: _Walk) -> None:
    """Read headings and lists under `container` in document order into `walk.bullets`."""
    for el in container:
        if skipped(el):
            continue
        heading = is_heading(el)
        if heading is not None:
            found = date_from_text(heading)
            if found is not None:
                if walk.dated:
                    walk.day, walk.category = found, ""
                    walk.days.append(found)
            else:
                walk.category = heading
        elif tag_of(el) in LISTS:
            if walk.day is not None:
                _collect(el, walk, ())
        elif tag_of(el) not in ("p", "a", "span", "b", "i"):
            _walk(el, walk)


def _collect(list_el: etree._Element, walk: _Walk, topics: tuple[_Line, ...]) -> None:
    """Add the leaf bullets of a list; a bullet with sub-bullets is a story/topic line."""
    assert walk.day is not None
    for li in list_el:
        if tag_of(li) != "li" or skipped(li):
            continue
        nested = [c for c in li if tag_of(c) in LISTS]
        if not nested:
            walk.bullets.append(_Bullet(walk.day, walk.category, topics, li))
            continue
        if any(source_link(a, walk.page_url) for a in own_links(li)):
            walk.bullets.append(_Bullet(walk.day, walk.category, topics, li))
        inner = (*topics, _topics_of(li, walk.page_url))
        for sub in nested:
            _collect(sub, walk, inner)


def _topics_of(li: etree._Element, page_url: str) -> _Line:
    """(label, article URL or None) of the topics a story line names."""
    topics: list[tuple[str, str | None]] = []
    for a in own_links(li):
        label = _norm(visible_text(a))
        if label and "new" in class_set(a):  # a red link: the article does not exist yet
            topics.append((label, None))
        elif label and (url := wiki_article(a.get("href") or "", page_url)):
            topics.append((label, url))
    if not topics:
        line = _norm(visible_text(li)).rstrip(":")
        if line:
            topics.append((line, None))
    return tuple(topics)


# --------------------------------------------------------------------------------------------
# Bullets to events
# --------------------------------------------------------------------------------------------


def _sources(
    bullet: _Bullet, page_url: str, warnings: _Warnings
) -> tuple[tuple[SourceLink, ...], frozenset[etree._Element]]:
    """The bullet's source links in order, and the anchors to leave out of its summary."""
    sources: list[SourceLink] = []
    anchors: set[etree._Element] = set()
    seen: set[str] = set()
    for a in own_links(bullet.element):
        external = "external" in class_set(a) or "nofollow" in (a.get("rel") or "").split()
        url = source_link(a, page_url)
        if url is None:
            if external and "extiw" not in class_set(a):
                _u, error = _resolve(a.get("href") or "", page_url)
                warnings.add(f"source link skipped: {error or 'a link to the wiki itself'}")
            continue
        anchors.add(a)
        if url in seen:
            warnings.add(f"duplicate source URL '{_shown(url)}'")
            continue
        seen.add(url)
        label = _norm(visible_text(a)).strip("()[] ") or (urlsplit(url).hostname or url)
        sources.append(SourceLink(len(sources) + 1, label, url, guess_kind(url)))
    return tuple(sources), frozenset(anchors)


def _summary(bullet: _Bullet, anchors: frozenset[etree._Element]) -> str:
    """The bullet's text with links reduced to their text and its source links left out."""
    text = _norm(visible_text(bullet.element, anchors))
    text = _norm(_EMPTY_BRACKETS.sub(" ", text))
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


def _event(
    bullet: _Bullet, page_url: str, seen: dict[tuple[datetime.date, str], int]
) -> ParseResult:
    """One ParseResult for a leaf bullet (an event with its own warnings, or none).

    `seen` counts the summaries already read per day, so that identical bullets of one day
    get distinct ids.
    """
    warnings = _Warnings()
    sources, anchors = _sources(bullet, page_url, warnings)
    summary = _summary(bullet, anchors)
    if not summary:
        warnings.add(f"{bullet.day.isoformat()} bullet {bullet.number} has no text; skipped")
        return ParseResult(None, None, tuple(warnings.items))
    occurrence = seen[(bullet.day, summary)] = seen.get((bullet.day, summary), 0) + 1
    if not sources:
        warnings.add("no source links")
    related: list[RelatedLink] = []
    outer: list[str] = [bullet.category] if bullet.category else []
    for line in bullet.topics:
        for label, url in line:
            if url and url not in {r.url for r in related}:
                related.append(RelatedLink(url, label, tuple(outer)))
        outer.extend(label for label, _url in line)
    event = Event(
        url=page_url,
        event_id=bullet_event_id(bullet.day, summary, occurrence),
        date=bullet.day,
        headline=summary,
        lede="",
        sources=sources,
        related=tuple(related),
        day_index_url=day_url_like(page_url, bullet.day),
        category=bullet.category,
        context=tuple(dict.fromkeys(outer)),
    )
    return ParseResult(event, None, tuple(warnings.items))


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def _walk_page(root: etree._Element, url: str, warnings: _Warnings) -> list[_Walk]:
    """Walk every day box, or the page's plain lists when it has no day box."""
    url_kind, url_day = page_date(url)
    walks: list[_Walk] = []
    found = boxes(root)
    for n, box in enumerate(found, 1):
        day = box_date(box)
        if day is None and url_kind == "day":
            day = url_day
        if day is None:
            warnings.add(f"day box {n} has no date; skipped")
            continue
        if url_kind == "day" and url_day is not None and day != url_day:
            warnings.add(f"day box {day.isoformat()} on the page of {url_day.isoformat()}")
        walk = _Walk(url, day, dated=False)
        _walk(box_content(box), walk)
        walks.append(walk)
    if found:
        return walks
    content = content_root(root)
    has_dates = any(
        (h := is_heading(el)) is not None and date_from_text(h) is not None
        for el in content.iter()
        if tag_of(el)
    )
    start = url_day if url_kind == "day" and not has_dates else None
    walk = _Walk(url, start, dated=True)
    _walk(content, walk)
    if start is None and not has_dates:
        warnings.add("no Current events day box, dated heading or day page URL found")
        return []
    return [walk]


def _parse(body: str, url: str) -> PortalPage:
    """The parser without its error guard."""
    warnings = _Warnings()
    text = _prepare(body, warnings)
    root = _html_root(text) if text is not None else None
    if text is not None and root is None:
        warnings.add("HTML could not be parsed")
    if root is None:
        return PortalPage(url, (), (), tuple(warnings.items))
    walks = _walk_page(root, url, warnings)
    days = tuple(dict.fromkeys(day for w in walks for day in w.days))
    results: list[ParseResult] = []
    seen: dict[tuple[datetime.date, str], int] = {}
    per_day: dict[datetime.date, int] = {}
    for bullet in (b for w in walks for b in w.bullets):
        per_day[bullet.day] = bullet.number = per_day.get(bullet.day, 0) + 1
        results.append(_event(bullet, url, seen))
    for day in days:
        if day not in per_day:
            warnings.add(f"{day.isoformat()}: no events")
    if not results and not days and not warnings.items:
        warnings.add("no events found")
    return PortalPage(url, days, tuple(results), tuple(warnings.items))


def parse_portal(body: str, url: str) -> PortalPage:
    """Parse a Current Events Portal page (day, month or main page) served at `url`."""
    try:
        return _parse(body, url)
    except Exception as exc:  # the contract is "never raise": report, do not crash the crawl
        return PortalPage(url, (), (), (f"page could not be parsed ({type(exc).__name__})",))
