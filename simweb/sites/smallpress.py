"""Small local news sites of the fallback cases: one template, several fictional titles.

Most of these sites are dead, parked, moved or answering soft 404s by the time the crawl
runs; their articles live on in the fake archives (simweb/sites/wayback.py and
commoncrawl.py), which serve the pages these functions render.
"""

from __future__ import annotations

from dataclasses import dataclass

from simweb.hosts import Site
from simweb.sites.base import Page, Story, esc, long_date, meta_block, paragraphs_html, pick

MOST_READ = (
    "Council confirms date for the spring bin collection change",
    "Night bus trial extended to the end of the summer",
    "Rowing club celebrates its hundredth regatta",
    "Bakery on Mill Street wins regional bread award",
    "New footbridge over the Orvane opens to walkers",
    "Library launches evening language classes",
)


@dataclass(frozen=True)
class PressSite:
    """A small news site: its name, host, tagline and sections."""

    key: str
    name: str
    host: str
    tagline: str
    sections: tuple[str, ...] = ("News", "Sport", "Business", "Community")
    scheme: str = "http"

    @property
    def footer(self) -> str:
        """The site's footer line (chrome a clean extraction must drop)."""
        return f"{self.name} is an independent local news service. Tips: news@{self.host}."

    @property
    def notice(self) -> str:
        """A subscription notice on every article (chrome)."""
        return f"Get {self.name} in your inbox every Friday morning, free of charge."

    def _header(self) -> str:
        nav = "".join(f'<li><a href="/{s.lower()}/">{esc(s)}</a></li>' for s in self.sections)
        return (
            f'<header class="masthead"><a class="brand" href="/">{esc(self.name)}</a>'
            f'<p class="tagline">{esc(self.tagline)}</p><nav><ul>{nav}</ul></nav></header>\n'
        )

    def _footer(self) -> str:
        return f'<footer class="site-footer"><p>{esc(self.footer)}</p></footer>\n'

    def render(self, story: Story, paragraphs: tuple[str, ...] | None = None) -> Page:
        """An article page (optionally with other paragraphs: an earlier version of it)."""
        page = Page("")
        most_read = pick(MOST_READ, story.index, 4)
        page.add(self.notice, self.footer, self.tagline, *most_read)
        body = paragraphs if paragraphs is not None else story.paragraphs
        canonical = story.url
        read_html = "".join(
            f'<li><a href="/news/{i}.html">{esc(t)}</a></li>' for i, t in enumerate(most_read)
        )
        page.html = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{esc(story.title)} - {esc(self.name)}</title>\n"
            f"{meta_block(story, self.name, canonical, body[0])}\n</head>\n<body>\n"
            + self._header()
            + '<main><article class="news-article">\n'
            f"<h1>{esc(story.title)}</h1>\n"
            f'<p class="byline">By {esc(story.author)} &middot; <time datetime="'
            f'{story.published.isoformat()}">{long_date(story.published)}</time></p>\n'
            f'<div class="article-body">\n{paragraphs_html(body)}\n</div>\n</article>\n'
            f'<aside class="signup"><p>{esc(self.notice)}</p></aside>\n'
            f'<aside class="most-read"><h2>Most read</h2><ol>{read_html}</ol></aside>\n</main>\n'
            + self._footer()
            + "</body>\n</html>\n"
        )
        return page

    def home_page(self, headlines: list[str]) -> str:
        """The site's front page: a list of headlines (also its generic 'soft 404' page)."""
        items = "".join(
            f'<li class="teaser"><a href="/news/{i}.html">{esc(h)}</a></li>'
            for i, h in enumerate(headlines + list(MOST_READ))
        )
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(self.name)} - {esc(self.tagline)}</title></head>\n<body>\n"
            + self._header()
            + f'<main class="front"><h1>Latest from {esc(self.name)}</h1><ul>{items}</ul>'
            "<p>Welcome to our front page. Use the sections above to browse every story, "
            "or search our archive going back ten years.</p></main>\n"
            + self._footer()
            + "</body></html>\n"
        )

    def not_found(self, path: str) -> bytes:
        """The site's honest 404 page."""
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>Page not found - {esc(self.name)}</title></head>\n<body>\n"
            + self._header()
            + "<main><h1>Page not found</h1><p>We could not find that story.</p></main>\n"
            + self._footer()
            + "</body></html>\n"
        ).encode()

    def make_site(self, missing: str = "404", host: str | None = None) -> Site:
        """A live site for this title (at `host` if it moved), answering missing paths so."""
        return Site(
            host or self.host,
            server="nginx",
            missing=missing,
            not_found=self.not_found,
            https_redirect=self.scheme == "https",
        )
