"""A simulated Wikipedia Current Events Portal on en.wikipedia.org: day pages and a month page.

Pages are rendered from simweb/portalspec.py in the portal's current markup: a
`div.current-events-main.vevent` day box with the date in `span.summary` (and a hidden ISO
`span.bday`), an edit/history/watch navbar, and `div.current-events-content` holding bold
category paragraphs and nested bullet lists, inside the wiki's skin (sidebar, footer).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlsplit

from simweb.hosts import Site
from simweb.portalspec import (
    DAYS,
    HOST,
    MONTH_URL,
    MONTHS,
    WIKI_LINK,
    PortalBullet,
    PortalDay,
    article_url,
    label_of,
)

NAME = "portal"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class _Topic:
    """A story line of a day's bullet tree and what is listed under it."""

    line: tuple[str, ...]
    children: list[_Topic | PortalBullet] = field(default_factory=list)


def wiki_html(text: str) -> str:
    """Render `[[Target|label]]` links as the wiki does; escape the rest."""
    out, last = [], 0
    for m in WIKI_LINK.finditer(text):
        out.append(escape(text[last : m.start()], quote=False))
        out.append(_link(m.group(0)[2:-2]))
        last = m.end()
    out.append(escape(text[last:], quote=False))
    return "".join(out)


def _link(link: str) -> str:
    target = link.partition("|")[0]
    href = urlsplit(article_url(link)).path
    return f'<a href="{escape(href)}" title="{escape(target)}">{escape(label_of(link))}</a>'


def _source(n: int, label: str, url: str) -> str:
    shown = f"<i>{escape(label)}</i>" if n % 2 == 0 else escape(label)
    return f'<a rel="nofollow" class="external text" href="{escape(url)}">({shown})</a>'


def _leaf(bullet: PortalBullet) -> str:
    sources = " ".join(_source(n, label, url) for n, (label, url) in enumerate(bullet.sources))
    return f"<li>{wiki_html(bullet.text)} {sources}</li>".replace(" </li>", "</li>")


def _tree(bullets: list[PortalBullet]) -> list[_Topic | PortalBullet]:
    """Group bullets under their story lines (a line named twice is one node)."""
    root: list[_Topic | PortalBullet] = []
    for bullet in bullets:
        level = root
        for line in bullet.topics:
            node = next((n for n in level if isinstance(n, _Topic) and n.line == line), None)
            if node is None:
                node = _Topic(line)
                level.append(node)
            level = node.children
        level.append(bullet)
    return root


def _list(nodes: list[_Topic | PortalBullet]) -> str:
    items = []
    for node in nodes:
        if isinstance(node, PortalBullet):
            items.append(_leaf(node))
        else:
            line = ", ".join(_link(t) for t in node.line)
            items.append(f"<li>{line}\n{_list(node.children)}</li>")
    return "<ul>" + "\n".join(items) + "</ul>"


def day_box(day: PortalDay) -> str:
    """The day's box, as day pages and the month page show it."""
    d = day.date
    title = f"{d.year}_{MONTHS[d.month - 1]}_{d.day}"
    edit = f"https://{HOST}/w/index.php?title=Portal:Current_events/{title}"
    navbar = "".join(
        f'<li><a class="external text" href="{escape(edit)}&amp;action={a}">{a}</a></li>'
        for a in ("edit", "history", "watch")
    )
    categories: dict[str, list[PortalBullet]] = {}
    for bullet in day.bullets:
        categories.setdefault(bullet.category, []).append(bullet)
    content = "\n".join(
        f"<p><b>{escape(name)}</b>\n</p>\n{_list(_tree(bullets))}"
        for name, bullets in categories.items()
    )
    return (
        f'<div class="current-events">\n<div role="region" aria-label="{MONTHS[d.month - 1]}'
        f' {d.day}" id="{title}" class="current-events-main vevent">\n'
        '<div class="current-events-heading plainlinks">\n'
        '<div class="current-events-title" role="heading"><span class="summary">'
        f"{MONTHS[d.month - 1]}&#160;{d.day},&#160;{d.year}"
        '<span style="display:none">&#160;(<span class="bday dtstart published updated">'
        f"{d.isoformat()}</span>)</span> ({WEEKDAYS[d.weekday()]})</span></div>\n"
        f'<ul class="current-events-navbar editlink noprint">{navbar}</ul>\n</div>\n'
        f'<div class="current-events-content description">\n{content}\n</div></div></div>\n'
    )


def _skin(title: str, body: str) -> str:
    """The wiki's page chrome around the parsed content."""
    return (
        '<!DOCTYPE html>\n<html class="client-nojs" lang="en" dir="ltr"><head>'
        f'<meta charset="UTF-8"><title>{escape(title)} - Wikipedia</title></head>\n<body>\n'
        '<div id="mw-navigation"><nav id="p-navigation" role="navigation"><ul>'
        '<li><a href="/wiki/Main_Page">Main page</a></li>'
        '<li><a href="/wiki/Portal:Current_events">Current events</a></li>'
        '<li><a href="/wiki/Special:Random">Random article</a></li></ul></nav></div>\n'
        f'<main id="content"><h1 id="firstHeading">{escape(title)}</h1>\n'
        '<div id="bodyContent"><div id="mw-content-text" class="mw-body-content">'
        f'<div class="mw-parser-output">\n{body}\n</div></div>'
        '<div id="catLinks" class="catlinks"><ul><li><a href="/wiki/Category:Current_events">'
        "Current events</a></li></ul></div></div></main>\n"
        '<footer id="footer"><ul><li>Text is available under a free licence.</li>'
        '<li><a class="external text" href="https://foundation.wikimedia.example/privacy">'
        "Privacy policy</a></li></ul></footer>\n</body></html>\n"
    )


def day_page(day: PortalDay) -> str:
    """A day page: `Portal:Current_events/2021_March_9`."""
    d = day.date
    return _skin(f"Portal:Current events/{d.year} {MONTHS[d.month - 1]} {d.day}", day_box(day))


def month_page(days: tuple[PortalDay, ...]) -> str:
    """A month page embedding the day boxes, with links to the previous and next month."""
    d = days[0].date
    nav = (
        '<div class="current-events-nav"><a href="/wiki/Portal:Current_events/February_2021">'
        '<div>February 2021</div></a> <a href="/wiki/Portal:Current_events/April_2021">'
        "<div>April 2021</div></a></div>\n"
    )
    boxes = "".join(day_box(day) for day in days)
    return _skin(f"Portal:Current events/{MONTHS[d.month - 1]} {d.year}", nav + boxes)


def _modified(day: datetime.date) -> float:
    end = datetime.datetime(day.year, day.month, day.day, 23, 30, tzinfo=datetime.UTC)
    return end.timestamp()


def make_site() -> Site:
    """en.wikipedia.org: every simulated day page and the month page (HTTPS, gzip)."""
    site = Site(
        HOST,
        https_redirect=True,
        gzip=True,
        server="mw-web.sim",
        headers=[("Cache-Control", "private, s-maxage=0, max-age=0, must-revalidate")],
    )
    for day in DAYS:
        site.page(urlsplit(day.url).path, day_page(day), last_modified=_modified(day.date))
    last = max(day.date for day in DAYS)
    site.page(urlsplit(MONTH_URL).path, month_page(DAYS), last_modified=_modified(last))
    return site
