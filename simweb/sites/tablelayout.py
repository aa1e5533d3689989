"""An old table-layout news site among the fallback cases: live, its markup from the 2000s.

The page is laid out with nested ``<table>`` elements and ``<font>`` tags: a masthead row, a
left column of section links and a subscription box, the story in one ``<td>`` as
``<br>``-separated text followed by bare ``<p>`` elements, and a footer row. No ``<article>``,
no metadata but the title. trafilatura with tables left out and no fallback finds nothing on
it; its defaults find the story. The Wayback Machine holds a copy of the same page, so a
crawl that took the live page for one without an article would fetch that copy instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from simweb.hosts import Site
from simweb.sites.base import Page, Story, esc
from simweb.sites.smallpress import PressSite

SERVER = "Microsoft-IIS/6.0"
_FONT = '<FONT FACE="Verdana,Arial,Helvetica" SIZE="{size}">'


def _cell(html: str, size: int = 1) -> str:
    return f"<TR><TD>{_FONT.format(size=size)}{html}</FONT></TD></TR>\n"


@dataclass(frozen=True)
class TableSite(PressSite):
    """A title whose pages are one layout table, as newsroom systems wrote them about 2003."""

    sections: tuple[str, ...] = ("Local news", "Sport", "Farming", "Letters", "Weather")

    @property
    def footer(self) -> str:
        """The copyright line of the footer row (chrome)."""
        return f"Copyright 2003-2021 {self.name}. All rights reserved."

    @property
    def notice(self) -> str:
        """The subscription box in the left column (chrome)."""
        return f"Have the printed {self.name} delivered to your door six days a week."

    def _layout(self, title: str, main: str) -> str:
        links = [("/", "Front page")] + [
            (f"/{s.lower().replace(' ', '')}/", s) for s in self.sections
        ]
        nav = "".join(_cell(f'<A HREF="{href}">{esc(text)}</A>') for href, text in links)
        return (
            '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<HTML>\n<HEAD>\n'
            '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">\n'
            f"<TITLE>{esc(title)}</TITLE>\n</HEAD>\n"
            '<BODY BGCOLOR="#FFFFFF" TEXT="#000000" LINK="#003399" MARGINWIDTH="0">\n'
            '<TABLE WIDTH="760" BORDER="0" CELLPADDING="0" CELLSPACING="0">\n'
            '<TR><TD COLSPAN="2" BGCOLOR="#003366"><IMG SRC="/images/masthead.gif" WIDTH="760"'
            f' HEIGHT="60" ALT="{esc(self.name)}"></TD></TR>\n'
            '<TR>\n<TD WIDTH="150" VALIGN="TOP" BGCOLOR="#EEEEEE">\n'
            '<TABLE WIDTH="150" BORDER="0" CELLPADDING="3">\n'
            + _cell("<B>SECTIONS</B>")
            + nav
            + _cell(f"<I>{esc(self.notice)}</I>")
            + "</TABLE>\n</TD>\n"
            '<TD WIDTH="610" VALIGN="TOP">\n<TABLE WIDTH="100%" BORDER="0" CELLPADDING="8">\n'
            f"<TR><TD>\n{main}</TD></TR>\n</TABLE>\n</TD>\n</TR>\n"
            '<TR><TD COLSPAN="2" ALIGN="CENTER">'
            f"{_FONT.format(size=1)}{esc(self.footer)} | "
            '<A HREF="/privacy.html">Privacy</A> | <A HREF="/advertise.html">Advertise</A>'
            f"</FONT><BR>{_FONT.format(size=1)}{esc(self.tagline)}</FONT></TD></TR>\n"
            "</TABLE>\n</BODY>\n</HTML>\n"
        )

    def render(self, story: Story, paragraphs: tuple[str, ...] | None = None) -> Page:
        """An article page: the story as <br>-separated text, then bare <p> in one cell."""
        page = Page("")
        page.add(self.notice, self.footer, self.tagline)
        body = paragraphs if paragraphs is not None else story.paragraphs
        half = (len(body) + 1) // 2
        when = f"{story.published:%A, %B} {story.published.day}, {story.published.year}"
        main = (
            f'<FONT FACE="Times New Roman" SIZE="5"><B>{esc(story.title)}</B></FONT><BR>\n'
            f"{_FONT.format(size=1)}By {esc(story.author)}, {when}</FONT><BR><BR>\n"
            f"{_FONT.format(size=2)}\n"
            + "".join(f"{esc(p)}<BR><BR>\n" for p in body[:half])
            + "".join(f"<P>{esc(p)}</P>\n" for p in body[half:])
            + "</FONT>\n"
        )
        title = f"{self.name} - {story.section} - {story.title}"
        page.html = self._layout(title, main)
        return page

    def home_page(self, headlines: list[str]) -> str:
        """The front page: the latest headlines, one link a line."""
        items = "".join(
            f'<A HREF="/news/{i}.html">{esc(h)}</A><BR>\n' for i, h in enumerate(headlines)
        )
        main = f"{_FONT.format(size=3)}<B>Latest news</B></FONT><BR>\n{_FONT.format(size=2)}"
        return self._layout(f"{self.name} - {self.tagline}", main + items + "</FONT>\n")

    def not_found(self, path: str) -> bytes:
        """The server's own 404 page, as IIS 6 wrote it."""
        return (
            b"<HTML><HEAD><TITLE>The page cannot be found</TITLE></HEAD><BODY>"
            b"<H1>The page cannot be found</H1><P>The page you are looking for might have been "
            b"removed, had its name changed, or is temporarily unavailable.</P>"
            b"<P>HTTP Error 404 - File or directory not found.</P></BODY></HTML>"
        )

    def make_site(self, missing: str = "404", host: str | None = None) -> Site:
        """A live site for this title, served by IIS."""
        return Site(host or self.host, server=SERVER, missing=missing, not_found=self.not_found)
