"""The catalog's machine-readable records: what each event page and source should be."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass
class EventSpec:
    """One event page as served (markdown, and optionally HTML) on the event site."""

    url_md: str
    url_html: str | None
    date: datetime.date
    headline: str
    lede: str
    sources: list[tuple[str, str]]
    related: list[tuple[str, str, list[str]]]
    tags: list[str] = field(default_factory=list)
    quirks: list[str] = field(default_factory=list)
    in_day_index: bool = True

    @property
    def slug(self) -> str:
        """The page's slug (file name without `.md`)."""
        return self.url_md.rsplit("/", 1)[1].removesuffix(".md")


@dataclass
class ArticleSpec:
    """One cited URL and what fetching it through the simulated web gives."""

    url: str
    final_url: str | None
    expected_outcome: str
    kind: str
    title: str = ""
    author: str = ""
    published: datetime.date | None = None
    paragraphs: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)
    status: int = 200
    hops: list[tuple[str, int]] = field(default_factory=list)
    content_type: str = ""
    site: str = ""
    cited_by: list[str] = field(default_factory=list)
    note: str = ""
    #: What the origin alone answers, by status and redirects: "origin", "redirect" or
    #: "dead". A parked page or a soft 404 answers 200; `expected_outcome` says what the
    #: fallbacks make of it.
    origin_outcome: str = ""
    #: For a copy from an archive service: the capture's 14-digit timestamp.
    snapshot: str | None = None
