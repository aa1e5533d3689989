"""What every news-site template shares: the story model, the page result and HTML helpers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any, Protocol


@dataclass(frozen=True)
class Comment:
    """A reader comment, with its replies."""

    author: str
    text: str
    when: str = ""
    replies: tuple[Comment, ...] = ()
    image: bool = False


@dataclass(frozen=True)
class Story:
    """An article as written, before a site template wraps it in chrome."""

    url: str
    site: str
    section: str
    title: str
    author: str
    published: datetime
    paragraphs: tuple[str, ...]
    comments: tuple[Comment, ...] = ()
    index: int = 0


@dataclass
class Page:
    """A rendered page and the chrome sentences on it that are not the article."""

    html: str
    noise: list[str] = field(default_factory=list)

    def add(self, *sentences: str) -> None:
        """Record sentences of chrome that a clean extraction must drop."""
        self.noise.extend(s for s in sentences if s not in self.noise)


class Template(Protocol):
    """A site module: how its pages look and where it lives."""

    NAME: str

    def render(self, story: Story) -> Page:
        """Render one story as a full page."""
        ...

    def not_found(self, path: str) -> bytes:
        """The site's own 404 page."""
        ...


def esc(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return escape(text, quote=True)


def paragraphs_html(paragraphs: Iterable[str], tag: str = "p") -> str:
    """One element per paragraph."""
    return "\n".join(f"<{tag}>{esc(p)}</{tag}>" for p in paragraphs)


def pick(pool: tuple[Any, ...] | list[Any], start: int, count: int) -> list[Any]:
    """`count` items of `pool` chosen deterministically from position `start`."""
    return [pool[(start + k) % len(pool)] for k in range(min(count, len(pool)))]


def slug_of(text: str) -> str:
    """A lowercase dash slug for profile links and the like."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def meta_block(story: Story, site_name: str, canonical: str, description: str) -> str:
    """Open Graph, article and JSON-LD metadata that extractors read."""
    iso = story.published.isoformat()
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "datePublished": iso,
        "author": [{"@type": "Person", "name": story.author}],
        "publisher": {"@type": "Organization", "name": site_name},
        "mainEntityOfPage": canonical,
    }
    return "\n".join(
        [
            f'<meta name="description" content="{esc(description)}">',
            f'<meta name="author" content="{esc(story.author)}">',
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(story.title)}">',
            f'<meta property="og:site_name" content="{esc(site_name)}">',
            f'<meta property="og:url" content="{esc(canonical)}">',
            f'<meta property="article:published_time" content="{iso}">',
            f'<meta property="article:section" content="{esc(story.section)}">',
            f'<link rel="canonical" href="{esc(canonical)}">',
            f'<script type="application/ld+json">{json.dumps(ld)}</script>',
        ]
    )


def comment_list(
    comments: Iterable[Comment],
    page: Page,
    item: Callable[[Comment, str], str],
) -> str:
    """Render nested comments with `item(comment, replies_html)`; record their text as noise."""
    out = []
    for comment in comments:
        page.add(comment.text)
        replies = comment_list(comment.replies, page, item) if comment.replies else ""
        out.append(item(comment, replies))
    return "\n".join(out)


def long_date(when: datetime) -> str:
    """'9 March 2021' style date."""
    return f"{when.day} {when:%B %Y}"
