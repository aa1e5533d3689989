"""Shared pieces of the evaluation-set templates: the article model and small HTML helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any


@dataclass
class Article:
    """One article as written (content/*.toml), before a site template wraps it in chrome."""

    id: str
    url: str
    site: dict[str, Any]
    section: str
    title: str
    author: str
    published: datetime
    event: str
    event_date: str
    body: list[str]
    number: int  # position within its site, used to vary the chrome from page to page
    kind: str = "article"  # "article" | "live" | "roundup"
    standfirst: str = ""
    caption: str = ""
    pull: str = ""
    comments: list[list[str]] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    briefs: list[dict[str, Any]] = field(default_factory=list)
    charset: str = "utf-8"
    charset_in: str = "both"  # where the charset is declared: "header", "meta" or "both"

    def expected_text(self) -> str:
        """The article text a clean extraction must return, one paragraph a line."""
        if self.kind == "roundup":
            brief = next(b for b in self.briefs if b.get("relevant"))
            return "\n".join([brief["heading"], *brief["body"]])
        if self.kind == "live":
            lines = []
            for when, entry in zip(self.times, self.body, strict=True):
                lines += [when, entry]
            return "\n".join(lines)
        lines = [self.standfirst] if self.standfirst else []
        lines += [p.removeprefix("## ") for p in self.body]
        return "\n".join(lines)


def esc(text: str) -> str:
    """HTML-escape text for element content and attribute values."""
    return escape(text, quote=True)


def body_html(art: Article, inserts: dict[int, str] | None = None, sub: str = "h2") -> list[str]:
    """The body as a list of HTML elements; `inserts[k]` goes after paragraph k."""
    out = []
    for k, para in enumerate(art.body):
        if para.startswith("## "):
            out.append(f"<{sub}>{esc(para[3:])}</{sub}>")
        else:
            out.append(f"<p>{esc(para)}</p>")
        if inserts and k in inserts:
            out.append(inserts[k])
    return out


def rotate(pool: list[Any] | tuple[Any, ...], start: int, count: int) -> list[Any]:
    """`count` items of `pool` from position `start`, wrapping around."""
    return [pool[(start + k) % len(pool)] for k in range(min(count, len(pool)))]


def json_ld(art: Article, publisher: str) -> str:
    """A NewsArticle JSON-LD script."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": art.title,
        "datePublished": art.published.isoformat(),
        "author": {"@type": "Person", "name": art.author},
        "publisher": {"@type": "Organization", "name": publisher},
        "mainEntityOfPage": art.url,
    }
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def og_meta(art: Article, site_name: str, description: str = "") -> str:
    """Open Graph and article meta tags."""
    desc = description or art.standfirst or (art.body or [art.title])[0]
    return (
        f'<meta name="description" content="{esc(desc[:200])}">\n'
        f'<meta property="og:title" content="{esc(art.title)}">\n'
        f'<meta property="og:site_name" content="{esc(site_name)}">\n'
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:url" content="{esc(art.url)}">\n'
        f'<meta property="article:published_time" content="{art.published.isoformat()}">\n'
        f'<link rel="canonical" href="{esc(art.url)}">'
    )


def charset_meta(art: Article) -> str:
    """The <meta> charset declaration, unless the page declares its charset in the header only."""
    if art.charset_in == "header":
        return ""
    if art.number % 2:
        return f'<meta http-equiv="Content-Type" content="text/html; charset={art.charset}">'
    return f'<meta charset="{art.charset}">'


def comment_count(n: int, one: str, many: str) -> str:
    """'1 comment' / '3 comments' in the given words."""
    return f"{n} {one if n == 1 else many}"
