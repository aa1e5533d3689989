"""Eventwire: the event site, serving event pages and day indexes as markdown and HTML."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from html import escape

from simweb.hosts import Host, MovedHost, Resource, Site
from simweb.specs import EventSpec

HOST = "www.eventwire.org"
BASE = f"https://{HOST}"
MARKDOWN = "text/markdown; charset=utf-8"
SLUG_LIMIT = 138


def slugify(headline: str, limit: int = SLUG_LIMIT) -> str:
    """The event page slug: lowercased words joined by '-', cut at `limit` characters."""
    slug = re.sub(r"[^a-z0-9]+", "-", headline.lower()).strip("-")
    return slug[:limit].rstrip("-")


def day_path(day: datetime.date) -> str:
    """'/news/2021/3/9' for a day (month and day not zero-padded)."""
    return f"/news/{day.year}/{day.month}/{day.day}"


def day_label(day: datetime.date) -> str:
    """'2021-3-9' as the event pages write a date."""
    return f"{day.year}-{day.month}-{day.day}"


def event_path(day: datetime.date, headline: str) -> str:
    """The site path of an event page, without extension."""
    return f"{day_path(day)}/{slugify(headline)}"


def relative(url: str) -> str:
    """A site-relative form of an event-site URL."""
    return url.removeprefix(BASE)


def render_markdown(event: EventSpec) -> str:
    """An event page in the seed's markdown layout, with the event's quirks applied."""
    quirks = set(event.quirks)
    day = event.date
    lines = [f"### [{day_label(day)}]({day_path(day)}/index.md)", "", f"# {event.headline} ", ""]
    lines += [event.lede, "", "", "### Source:", ""]
    number = 0
    for k, (label, url) in enumerate(event.sources):
        if not ("repeat-number" in quirks and label == "Cover Image" and number):
            number += 1
        lines.append(f"{number}. [{label}]({url})")
        if "blank-lines" in quirks and k == 0:
            lines += ["", ""]
    if "no-related" not in quirks:
        lines += ["", "### Related:", ""]
        for k, (url, summary, tags) in enumerate(event.related, start=1):
            link = url if "absolute-related" in quirks else relative(url)
            lines.append(f"{k}. [{summary} ]({link}) _Context: {', '.join(tags)}_")
    lines.append("")
    text = "\n".join(lines) + "\n"
    return text.replace("\n", "\r\n") if "crlf" in quirks else text


def _chrome(title: str, main: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<link rel="stylesheet" href="/static/eventwire.css"></head>\n<body>\n'
        '<header class="site"><a class="brand" href="/">Eventwire</a> '
        '<span class="tagline">A daily record of news events and their sources</span>'
        '<nav><a href="/">Today</a> <a href="/about.html">About</a> '
        '<a href="/random.html">Random event</a></nav></header>\n'
        f"{main}\n"
        '<footer class="site"><p>Event summaries are written by volunteers. '
        "Sources belong to their publishers.</p></footer>\n</body></html>\n"
    )


def render_html(event: EventSpec) -> str:
    """The HTML rendering of an event page (headings and ordered lists)."""
    day = event.date
    sources = "".join(
        f'<li><a href="{escape(url)}">{escape(label)}</a></li>' for label, url in event.sources
    )
    related = "".join(
        f'<li><a href="{escape(relative(url))}">{escape(summary)}</a> '
        f"<em>Context: {escape(', '.join(tags))}</em></li>"
        for url, summary, tags in event.related
    )
    article = (
        f'<article class="event"><h3><a href="{day_path(day)}/index.md">{day_label(day)}</a></h3>'
        f"<h1>{escape(event.headline)}</h1><p>{escape(event.lede)}</p>"
        f"<h3>Source:</h3><ol>{sources}</ol>"
        + (f"<h3>Related:</h3><ol>{related}</ol>" if event.related else "")
        + "</article>"
    )
    return _chrome(event.headline, article)


def render_day_index(day: datetime.date, events: Iterable[EventSpec]) -> str:
    """A day index in markdown: '# 2021-3-9' and a numbered list of the day's events."""
    lines = [f"# {day_label(day)}", ""]
    for k, event in enumerate(events, start=1):
        lines.append(f"{k}. [{event.headline}]({relative(event.url_md)})")
    return "\n".join(lines) + "\n"


def _noon(day: datetime.date) -> float:
    return datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC).timestamp()


#: Event-site paths that are not usable event pages, for the crawler's bad-input tests.
BROKEN_PAGES: dict[str, tuple[bytes, str]] = {
    "/news/2021/3/12/garbled-upload.md": (
        bytes(range(256)) * 4 + b"\x00\xff\xfe",
        "text/markdown",
    ),
    "/news/2021/3/12/empty-draft.md": (b"", MARKDOWN),
    "/news/2021/3/12/headline-only.md": (
        b"# A headline with nothing under it and no date line\r\n\r\n",
        MARKDOWN,
    ),
    "/news/2021/3/12/photo-instead-of-page.md": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
}


def make_site(events: list[EventSpec]) -> Site:
    """The event site with every event page, its HTML twin, the day indexes and a home page."""
    site = Site(HOST, gzip=True, server="nginx", headers=[("Cache-Control", "max-age=60")])
    days: dict[datetime.date, list[EventSpec]] = {}
    for event in events:
        modified = _noon(event.date) + 3600
        site.add(
            relative(event.url_md),
            Resource(render_markdown(event).encode(), MARKDOWN, last_modified=modified),
        )
        if event.url_html:
            site.page(relative(event.url_html), render_html(event), last_modified=modified)
        if event.in_day_index:
            days.setdefault(event.date, []).append(event)
    for day, day_events in days.items():
        site.add(
            f"{day_path(day)}/index.md",
            Resource(
                render_day_index(day, day_events).encode(), MARKDOWN, last_modified=_noon(day)
            ),
        )
    for path, (body, content_type) in BROKEN_PAGES.items():
        site.add(path, Resource(body, content_type))
    links = "".join(
        f'<li><a href="{day_path(day)}/index.md">{day_label(day)}</a></li>' for day in sorted(days)
    )
    site.page(
        "/", _chrome("Eventwire", f'<main><h1>Recent days</h1><ol class="days">{links}</ol></main>')
    )
    return site


def extra_hosts() -> list[Host]:
    """The bare domain, which redirects to www."""
    return [MovedHost("eventwire.org", BASE)]


def day_index_url(day: datetime.date) -> str:
    """The absolute URL of a day index."""
    return f"{BASE}{day_path(day)}/index.md"
