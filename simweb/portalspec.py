"""The simulated Current Events Portal: its fictional days and what each bullet should parse to.

The days live in static/portal.toml. Bullets are written with wiki links (`[[Target]]`,
`[[Target|label]]`); simweb/sites/portal.py renders them as the portal does, and tests compare
the parser's events with each bullet's `summary`, `context`, `related` and `sources`. Every
source is an article URL of the demo web (static/articles.toml), so it resolves.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from urllib.parse import quote

HOST = "en.wikipedia.org"
BASE = f"https://{HOST}"
PORTAL_PATH = "/wiki/Portal:Current_events/"
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

#: A wiki link in a bullet's text: [[Target]] or [[Target|label]].
WIKI_LINK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")


@dataclass(frozen=True)
class PortalBullet:
    """One event bullet: its text with wiki links, sources, category and story lines above it."""

    text: str
    sources: tuple[tuple[str, str], ...]  # (label, URL)
    category: str
    topics: tuple[tuple[str, ...], ...] = ()  # story lines, outermost first; each names articles

    @property
    def summary(self) -> str:
        """The text as the parser must give it: links reduced to their text."""
        return WIKI_LINK.sub(lambda m: m.group(2) or m.group(1), self.text)

    @property
    def context(self) -> tuple[str, ...]:
        """The expected context tags: the category, then every topic's label."""
        return (self.category, *(label_of(t) for line in self.topics for t in line))

    @property
    def related(self) -> tuple[str, ...]:
        """The expected related links: the topic article URLs, outermost first."""
        return tuple(article_url(t) for line in self.topics for t in line)


@dataclass(frozen=True)
class PortalDay:
    """One day page of the portal and its bullets in page order."""

    date: datetime.date
    bullets: tuple[PortalBullet, ...]

    @property
    def url(self) -> str:
        """The day page's URL."""
        return day_url(self.date)


def label_of(link: str) -> str:
    """The label a `[[Target|label]]` (or `Target`) shows."""
    target, _, label = link.partition("|")
    return label or target


def article_url(link: str) -> str:
    """The absolute URL of the article a `[[Target|label]]` (or `Target`) names."""
    target = link.partition("|")[0]
    return f"{BASE}/wiki/{quote(target.replace(' ', '_'), safe='_(),')}"


def day_url(day: datetime.date) -> str:
    """The portal's page for one day."""
    return f"{BASE}{PORTAL_PATH}{day.year}_{MONTHS[day.month - 1]}_{day.day}"


def month_url(year: int, month: int) -> str:
    """The portal's month page, which embeds the day pages."""
    return f"{BASE}{PORTAL_PATH}{MONTHS[month - 1]}_{year}"


def _load() -> tuple[PortalDay, ...]:
    """The days of simweb/static/portal.toml."""
    data = tomllib.loads((files("simweb") / "static" / "portal.toml").read_text("utf-8"))
    return tuple(
        PortalDay(
            raw["date"],
            tuple(
                PortalBullet(
                    text=b["text"],
                    sources=tuple((label, url) for label, url in b["sources"]),
                    category=b["category"],
                    topics=tuple(tuple(line) for line in b.get("topics", ())),
                )
                for b in raw.get("bullet", ())
            ),
        )
        for raw in data["day"]
    )


DAYS = _load()

#: The month page that embeds every day above.
MONTH_URL = month_url(2021, 3)


def day(date: datetime.date) -> PortalDay:
    """The simulated day of `date`."""
    return next(d for d in DAYS if d.date == date)


def source_urls(days: tuple[PortalDay, ...] = DAYS) -> list[str]:
    """Every URL the given days cite, once each, in page order."""
    return list(dict.fromkeys(url for d in days for b in d.bullets for _label, url in b.sources))
