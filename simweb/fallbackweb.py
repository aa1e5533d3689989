"""The fallback cases of the simulated web: dead, parked, moved and soft-404 news sites, and
the fake Wayback Machine and Common Crawl that remember their articles.

Built from static/fallback_web.toml. `FallbackWeb.hosts()` gives fresh hosts for a
registry; `FallbackWeb.cases` says, for every cited URL of these cases, what a crawl with
the fallbacks must end with (provenance, archived URL, snapshot, text and chrome).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from simweb.hosts import DeadHost, HangingHost, Host, RefusedHost, Resource, Site
from simweb.sites.base import Page, Story
from simweb.sites.commoncrawl import DATA_HOST, CommonCrawlArchive, CrawledPage
from simweb.sites.parked import ParkedHost
from simweb.sites.smallpress import PressSite
from simweb.sites.tablelayout import TableSite
from simweb.sites.wayback import TOOLBAR_TEXT, Archived, WaybackMachine

#: The demo web's own fallback list, for `-s FALLBACK_LIST=…`.
FALLBACK_LIST = Path(__file__).resolve().parent / "static" / "fallbacks.toml"
FRONT_PAGE_TS = "20210301000000"
HTML = "text/html; charset=utf-8"

Render = Callable[[Story], Page]
#: How a [[site]]'s pages look (its `layout`): the small-press template or 2000s tables.
LAYOUTS: dict[str, type[PressSite]] = {"press": PressSite, "table": TableSite}


@dataclass
class Case:
    """What a crawl must end with for one cited URL of the fallback cases."""

    url: str
    outcome: str  # "origin", "moved", "wayback", "commoncrawl" or "dead"
    final_url: str | None = None
    snapshot: str | None = None
    story: Story | None = None
    noise: list[str] = field(default_factory=list)
    site: str = ""
    note: str = ""


@dataclass
class _Entry:
    story: Story
    raw: dict[str, Any]
    render: Render
    press: PressSite | None


def _route(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class FallbackWeb:
    """The cases' sites, stories and archives (see the module docstring)."""

    def __init__(self, data: dict[str, Any], templates: dict[str, Any]) -> None:
        self.data = data
        self.press = {
            raw["key"]: LAYOUTS[raw.get("layout", "press")](
                raw["key"], raw["name"], raw["host"], raw["tagline"]
            )
            for raw in data["site"]
        }
        self.sites = {raw["key"]: raw for raw in data["site"]}
        self.entries = [self._entry(raw, templates, n) for n, raw in enumerate(data["story"])]
        self.entries += self._bulk()
        self.cases: dict[str, Case] = {}
        self._pages: dict[str, Page] = {}
        self._wayback, self._commoncrawl = self._archives()
        self._expect()

    # -- stories --------------------------------------------------------------------------

    def _entry(self, raw: dict[str, Any], templates: dict[str, Any], n: int) -> _Entry:
        story = Story(
            url=raw["url"],
            site=raw["site"],
            section=raw["section"],
            title=raw["title"],
            author=raw["author"],
            published=raw["published"],
            paragraphs=tuple(raw["paragraphs"]),
            index=n,
        )
        press = self.press.get(raw["site"])
        render: Render = press.render if press else templates[raw["site"]].render
        return _Entry(story, raw, render, press)

    def _bulk(self) -> list[_Entry]:
        entries = []
        for raw in self.data.get("bulk", ()):
            press = self.press[raw["site"]]
            for n in range(1, raw["count"] + 1):
                url = raw["url"].format(n=n)
                archived = n in raw["archived"]
                story = Story(
                    url=url,
                    site=raw["site"],
                    section="Shipping",
                    title=f"Berth update {n}: ships due on the morning tide",
                    author=raw["author"],
                    published=raw["published"],
                    paragraphs=(
                        f"Berth update number {n} lists the ships due at Port Ansel on the "
                        "morning tide, with pilots booked from six o'clock.",
                        f"Berths {n % 9 + 1} and {n % 7 + 2} stay closed for dredging after the "
                        "strike, and hauliers must use the north gate until further notice.",
                        "The next update follows the afternoon tide, when the harbour master "
                        "publishes the evening schedule for the island ferries.",
                    ),
                    index=n,
                )
                captures = [{"service": "wayback", "ts": raw["ts"]}] if archived else []
                expect = {"expect": "wayback", "expect_snapshot": raw["ts"]} if archived else {}
                entry_raw = {"captures": captures, "live": False, **expect}
                entries.append(_Entry(story, entry_raw, press.render, press))
        return entries

    def page(self, entry: _Entry, kind: str = "page") -> Page:
        """The rendered page of a story (or its earlier version, or its site's front page)."""
        if kind == "home":
            assert entry.press is not None
            return Page(self.front_page(entry.press))
        if kind == "earlier":
            assert entry.press is not None
            return entry.press.render(entry.story, tuple(entry.raw["earlier_paragraphs"]))
        cached = self._pages.get(entry.story.url)
        if cached is None:
            cached = self._pages[entry.story.url] = entry.render(entry.story)
        return cached

    def front_page(self, press: PressSite) -> str:
        """A title's home page, listing its stories' headlines."""
        return press.home_page([e.story.title for e in self.entries if e.press is press][:6])

    # -- archives -------------------------------------------------------------------------

    def _archives(self) -> tuple[list[Archived], list[CrawledPage]]:
        wayback: list[Archived] = []
        crawled: list[CrawledPage] = []
        fronts: set[str] = set()
        for entry in self.entries:
            for capture in entry.raw.get("captures", ()):
                body = self.page(entry, capture.get("kind", "page")).html.encode()
                if capture["service"] == "commoncrawl":
                    crawled.append(
                        CrawledPage(capture["crawl"], entry.story.url, capture["ts"], body)
                    )
                    continue
                wayback.append(Archived(entry.story.url, capture["ts"], body, mime=HTML))
                if entry.press is not None:
                    fronts.add(entry.press.key)
        for key in sorted(fronts):
            press = self.press[key]
            front = self.front_page(press).encode()
            wayback.append(Archived(f"http://{press.host}/", FRONT_PAGE_TS, front, mime=HTML))
        return wayback, crawled

    def wayback(self) -> WaybackMachine:
        """A fresh fake Wayback Machine (its 429 counters start again)."""
        throttle = {e.story.url: e.raw["throttle"] for e in self.entries if "throttle" in e.raw}
        return WaybackMachine(self._wayback, throttle)

    def commoncrawl(self) -> CommonCrawlArchive:
        """A fresh fake Common Crawl."""
        return CommonCrawlArchive(self._commoncrawl)

    # -- hosts ----------------------------------------------------------------------------

    def hosts(self, existing: Callable[[str], Host | None]) -> list[Host]:
        """Fresh hosts of every case; `existing(name)` finds the catalog's live sites."""
        hosts: list[Host] = []
        for key, raw in self.sites.items():
            hosts += self._site_hosts(self.press[key], raw)
        for route in self.data.get("route", ()):
            site = existing(urlsplit(route["url"]).hostname or "")
            assert isinstance(site, Site), f"no live site for {route['url']}"
            body = site.not_found(_route(route["url"]))
            site.add(_route(route["url"]), Resource(body, HTML, status=route["status"]))
        hosts += self.wayback().hosts() + self.commoncrawl().hosts()
        return hosts

    def _site_hosts(self, press: PressSite, raw: dict[str, Any]) -> list[Host]:
        state = raw["state"]
        hosts: list[Host] = []
        if state == "dead":
            hosts.append(DeadHost(press.host))
        elif state == "refused":
            hosts.append(RefusedHost(press.host))
        elif state == "hanging":
            hosts.append(HangingHost(press.host))
        elif state.startswith("parked:"):
            hosts.append(ParkedHost(press.host, state.split(":", 1)[1]))
        elif state == "shell":
            hosts.append(self._shell(press))
        else:
            # A live title still serves its articles; one answering soft 404s lost them.
            missing = "404" if state == "live" else state
            hosts.append(self._live(press, press.make_site(missing), state == "live"))
        if "moved_host" in raw:
            mode = raw.get("moved_mode", "404")
            https = raw.get("moved_scheme") == "https"
            site = Site(raw["moved_host"], missing=mode, https_redirect=https, server="nginx")
            hosts.append(self._live(press, site, copy_stories=mode == "404"))
        return hosts

    def _shell(self, press: PressSite) -> Site:
        """A site whose article pages are an empty shell that a script would fill."""
        site = self._live(press, press.make_site(), copy_stories=False)
        shell = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<title>{press.name}</title><script src="/static/app.3f9c.js" defer></script>'
            '</head><body><div id="root"></div></body></html>'
        )
        for entry in self.entries:
            if entry.press is press:
                site.page(_route(entry.story.url), shell)
        return site

    def _live(self, press: PressSite, site: Site, copy_stories: bool) -> Site:
        site.page("/", self.front_page(press))
        if copy_stories:
            for entry in self.entries:
                if entry.press is press and entry.raw.get("live", True):
                    site.page(_route(entry.story.url), self.page(entry).html)
        return site

    # -- expectations ---------------------------------------------------------------------

    def _expect(self) -> None:
        located = {
            page.page.url: page.filename
            for crawl in self.commoncrawl().index.values()
            for found in crawl.values()
            for page in found
        }
        for entry in self.entries:
            outcome = entry.raw.get("expect", "dead")
            snapshot = entry.raw.get("expect_snapshot")
            url = entry.story.url
            noise = list(self.page(entry).noise)
            if outcome == "wayback":
                final = f"https://web.archive.org/web/{snapshot}id_/{url}"
                noise += list(TOOLBAR_TEXT)
            elif outcome == "commoncrawl":
                final = f"https://{DATA_HOST}/{located[url]}"
            elif outcome == "origin":  # live and healthy, though an archive has it too
                final = url
            elif outcome == "moved":
                moved = self.sites[entry.story.site]
                scheme = moved.get("moved_scheme", "http")
                final = f"{scheme}://{moved['moved_host']}{_route(url)}"
            else:
                final = None
            story = entry.story if outcome != "dead" else None
            host = urlsplit(final or url).hostname or ""
            self.cases[url] = Case(url, outcome, final, snapshot, story, noise, host)
        for raw in self.data.get("dead", ()):
            self.cases[raw["url"]] = Case(raw["url"], "dead", note=raw.get("note", ""))


def load(templates: dict[str, Any]) -> FallbackWeb:
    """The fallback cases from the bundled static/fallback_web.toml."""
    text = (files("simweb") / "static" / "fallback_web.toml").read_text("utf-8")
    return FallbackWeb(tomllib.loads(text), templates)
