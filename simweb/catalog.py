"""The bundled demo web: its events, cited articles and hosts, built from static/*.toml.

Everything is fictional. Pages are rendered from the same specs the catalog exposes, and
each source's outcome is found by tracing it through the very hosts the proxy serves, so
the catalog and the wire cannot disagree.
"""

from __future__ import annotations

import datetime
import tomllib
from importlib.resources import files
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from simweb import fallbackweb
from simweb.hosts import DeadHost, HangingHost, Host, RefusedHost, Registry, Resource, Site, trace
from simweb.media import chart_png, cover_photo
from simweb.sites import courier, eastgate, eventsite, kestrel, meridian, portal, tidewatch
from simweb.sites.base import Comment, Page, Story
from simweb.specs import ArticleSpec, EventSpec

__all__ = [
    "ARTICLES",
    "DAY_INDEXES",
    "DEAD_HOSTS",
    "EVENTS",
    "EVENT_SITE",
    "EXTRA_HOSTS",
    "EXTRA_URLS",
    "FALLBACK_LIST",
    "FALLBACK_WEB",
    "HOST_CASES",
    "MISSING_EVENT_PAGES",
    "REFUSED_HOSTS",
    "ArticleSpec",
    "EventSpec",
    "build_registry",
    "events_on",
    "extra_hosts",
    "start_urls",
]

TEMPLATES: dict[str, ModuleType] = {
    m.NAME: m for m in (meridian, courier, kestrel, eastgate, tidewatch)
}
EVENT_SITE = eventsite.HOST
DEAD_HOSTS = ("www.lisswick-gazette.com",)
REFUSED_HOSTS = ("news.portansel-today.com",)
HANGING_HOST = "www.slowwire.net"
DATA_HOST = "data.harbourstats.net"
EXTRA_URLS = {
    "hanging": f"http://{HANGING_HOST}/2021/03/09/harbour-strike-latest.html",
    "hanging_https": f"https://{HANGING_HOST}/2021/03/09/harbour-strike-latest.html",
    "large": f"http://{DATA_HOST}/exports/ship-movements-2021.csv",
    "trickle": f"http://{DATA_HOST}/exports/live-berths.csv",
}
EXTRA_HOSTS = {
    HANGING_HOST: "accepts requests (http and https) and never answers",
    DATA_HOST: "a 2 MB chunked CSV and a CSV trickling out in 0.2 s steps",
}
HOST_CASES = {
    eventsite.HOST: "event site: markdown + HTML event pages, day indexes, gzip, ETag/304",
    portal.HOST: "Current Events Portal: day pages and a month page (HTTPS, gzip)",
    meridian.HOST: "HTTPS news site, http->https 301, gzip when asked, 404 page",
    meridian.IMAGE_HOST: "JPEG cover images (http and https)",
    courier.HOST: "plain-HTTP news site, every page chunked, comment threads",
    kestrel.HOST: "HTTPS portal, two Set-Cookie headers, live-score widget, gzip+chunked sport",
    eastgate.HOST: "HTTP+HTTPS blog with a feed of other stories, PNG image",
    tidewatch.HOST: "HTTPS analysis site (current domain), comments, domain-move notice",
    tidewatch.OLD_HOST: "moved: 301 -> tidewatch-report.info (path kept)",
    tidewatch.MIDDLE_HOST: "moved: 301 -> www.tidewatch.net (path kept)",
    DEAD_HOSTS[0]: "dead: Squid 503 ERR_DNS_FAIL (also for CONNECT)",
    REFUSED_HOSTS[0]: "refused: Squid 503 ERR_CONNECT_FAIL 111",
    HANGING_HOST: "extra: accepts requests and never answers",
    DATA_HOST: "extra: a 2 MB chunked CSV and a slowly trickling one",
    "www.orvane-observer.org": "dead; moved to www.orvane-observer.press (same paths, https)",
    "www.orvane-observer.press": "the Observer's new home: the same paths over HTTPS",
    "www.kessing-times.com": "dead; moved to kessing-times.news, which serves only a home page",
    "kessing-times.news": "any path answers the home page with 200",
    "www.harbour-lights.net": "live, but its articles are empty script shells (no article text)",
    "www.orvane-echo.com": "live, 2000s table layout (IIS); the Wayback Machine has a copy too",
    "www.tamsford-herald.com": "soft 404: old articles 301 to the home page",
    "www.valley-voice.net": "soft 404: any unknown path serves the home page with 200",
    "www.brenholt-chronicle.com": "parked (a 'may be for sale' page with sponsored searches)",
    "www.quarryend-post.com": "parked (a marketplace 'buy now' page)",
    "www.ferryroad-bulletin.com": "dead, and listed dead in simweb's fallback list",
    "www.northgate-almanac.com": "dead; archived the day before the event and 3 days after",
    "www.tamsford-beacon.com": "dead; its first archived copy is the home page (a soft 404)",
    "www.tollgate-weekly.com": "dead; its CDX query gets a 429 with Retry-After first",
    "www.harbourwatch-daily.com": "dead; twenty cited URLs, two archived",
    "archive.org": "fake Wayback Machine: availability API",
    "web.archive.org": "fake Wayback Machine: CDX API, raw (id_) and toolbar replays",
    "index.commoncrawl.org": "fake Common Crawl index: collinfo.json and per-crawl queries",
    "data.commoncrawl.org": "fake Common Crawl data: WARC files by byte range",
}


def _load(name: str) -> dict[str, Any]:
    """Parse one of the bundled TOML files."""
    return tomllib.loads((files("simweb") / "static" / name).read_text("utf-8"))


def _comment(raw: dict[str, Any]) -> Comment:
    replies = tuple(_comment(r) for r in raw.get("replies", ()))
    return Comment(
        raw["author"], raw["text"], raw.get("when", ""), replies, raw.get("image", False)
    )


def _stories(data: dict[str, Any]) -> list[Story]:
    """The articles as written, numbered per site (templates vary their chrome by number)."""
    stories, counters = [], dict.fromkeys(TEMPLATES, 0)
    for raw in data["story"]:
        stories.append(
            Story(
                url=raw["url"],
                site=raw["site"],
                section=raw["section"],
                title=raw["title"],
                author=raw["author"],
                published=raw["published"],
                paragraphs=tuple(raw["paragraphs"]),
                comments=tuple(_comment(c) for c in raw.get("comments", ())),
                index=counters[raw["site"]],
            )
        )
        counters[raw["site"]] += 1
    return stories


def _events(data: dict[str, Any]) -> tuple[list[EventSpec], list[str]]:
    """Event specs with related links resolved, and the URLs of linked-but-missing pages."""
    pages = {e["id"]: e for e in data["event"]} | {m["id"]: m for m in data.get("missing", ())}

    def url(entry: dict[str, Any], ext: str) -> str:
        return eventsite.BASE + eventsite.event_path(entry["date"], entry["headline"]) + ext

    events = []
    for raw in data["event"]:
        related = [
            (url(pages[r], ".md"), pages[r]["headline"], list(pages[r]["tags"]))
            for r in raw["related"]
        ]
        events.append(
            EventSpec(
                url_md=url(raw, ".md"),
                url_html=url(raw, ".html") if raw.get("html") else None,
                date=raw["date"],
                headline=raw["headline"],
                lede=raw["lede"],
                sources=[(label, link) for label, link in raw["sources"]],
                related=related,
                tags=list(raw["tags"]),
                quirks=list(raw.get("quirks", ())),
                in_day_index=raw.get("in_day_index", True),
            )
        )
    missing = [url(m, ".md") for m in data.get("missing", ())]
    return events, missing


def _images(data: dict[str, Any]) -> dict[str, Resource]:
    """Image resources by URL, built in code."""
    out = {}
    for raw in data.get("image", ()):
        if raw["format"] == "png":
            body, ctype = chart_png([4 + (raw["seed"] * k) % 19 for k in range(12)]), "image/png"
        else:
            body, ctype = cover_photo(raw["seed"]), "image/jpeg"
        out[raw["url"]] = Resource(body, ctype, headers=[("Accept-Ranges", "bytes")])
    return out


def _route(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _published(story: Story) -> float:
    return story.published.timestamp()


_ARTICLE_DATA = _load("articles.toml")
FALLBACK_WEB = fallbackweb.load(TEMPLATES)
FALLBACK_LIST = fallbackweb.FALLBACK_LIST
_STORIES = _stories(_ARTICLE_DATA)
_PAGES: dict[str, Page] = {s.url: TEMPLATES[s.site].render(s) for s in _STORIES}
_IMAGES = _images(_ARTICLE_DATA)
EVENTS, MISSING_EVENT_PAGES = _events(_load("events.toml"))
DAY_INDEXES = sorted(
    {eventsite.day_index_url(e.date) for e in EVENTS if e.in_day_index},
    key=lambda u: [int(p) for p in u.split("/")[4:7]],
)


def extra_hosts() -> list[Host]:
    """Fresh extra hosts, kept out of the event pages (they slow crawls): see EXTRA_HOSTS."""
    data = Site(DATA_HOST, server="nginx")
    rows = "".join(
        f"2021-03-{1 + i % 28:02d},{i % 24:02d}:{i % 60:02d},vessel-{i:05d},berth-{i % 17},"
        f"{1000 + (i * 7919) % 90000}\n"
        for i in range(52000)
    )
    header = "date,time,vessel,berth,tonnage\n"
    data.add(
        _route(EXTRA_URLS["large"]),
        Resource((header + rows).encode(), "text/csv; charset=utf-8", chunk_size=16384),
    )
    data.add(
        _route(EXTRA_URLS["trickle"]),
        Resource(
            (header + rows[:4000]).encode(),
            "text/csv; charset=utf-8",
            chunk_size=400,
            chunk_delay=0.2,
        ),
    )
    return [HangingHost(HANGING_HOST), data]


def build_registry(extras: bool = True) -> Registry:
    """A fresh registry with every host of the demo web (and the extra hosts if asked)."""
    sites: dict[str, Site] = {m.NAME: m.make_site() for m in TEMPLATES.values()}
    registry = Registry(sites.values())
    for module in TEMPLATES.values():
        for host in getattr(module, "extra_hosts", list)():
            registry.add(host)
    registry.add(meridian.make_image_site())
    for story in _STORIES:
        page_options = getattr(TEMPLATES[story.site], "page_options", None)
        options: dict[str, Any] = page_options(story) if page_options else {}
        sites[story.site].page(
            _route(story.url), _PAGES[story.url].html, last_modified=_published(story), **options
        )
    for url, resource in _IMAGES.items():
        host = registry.get(urlsplit(url).hostname or "")
        assert isinstance(host, Site), f"no site for image {url}"
        host.add(_route(url), resource)
    registry.add(eventsite.make_site(EVENTS))
    registry.add(portal.make_site())  # en.wikipedia.org: Current Events Portal pages
    for host in eventsite.extra_hosts():
        registry.add(host)
    for name in DEAD_HOSTS:
        registry.add(DeadHost(name))
    for name in REFUSED_HOSTS:
        registry.add(RefusedHost(name))
    if extras:
        for host in extra_hosts():
            registry.add(host)
    for host in FALLBACK_WEB.hosts(registry.get):
        registry.add(host)
    return registry


def _articles() -> dict[str, ArticleSpec]:
    """Every URL cited by an event, traced through the demo web's hosts."""
    registry = build_registry(extras=False)
    stories = {s.url: s for s in _STORIES}
    articles: dict[str, ArticleSpec] = {}
    for event in EVENTS:
        for _label, url in event.sources:
            if url in articles:
                articles[url].cited_by.append(event.url_md)
                continue
            hops = trace(registry, url)
            final, status = hops[-1]
            ok = status == 200
            spec = ArticleSpec(
                url=url,
                final_url=final if ok else None,
                expected_outcome=("origin" if len(hops) == 1 else "redirect") if ok else "dead",
                kind="image" if url in _IMAGES else "document",
                status=status,
                hops=hops,
                site=urlsplit(final).hostname or "",
                cited_by=[event.url_md],
            )
            if url in _IMAGES:
                spec.content_type = _IMAGES[url].content_type
            story = stories.get(final) if ok else None
            if story is not None:
                spec.title, spec.author = story.title, story.author
                spec.published = story.published.date()
                spec.paragraphs = list(story.paragraphs)
                spec.noise = list(_PAGES[final].noise)
                spec.content_type = "text/html; charset=utf-8"
            if not ok:
                spec.note = {404: "not found", 503: "proxy error (DNS or connect failure)"}.get(
                    status, f"status {status}"
                )
            spec.origin_outcome = spec.expected_outcome
            case = FALLBACK_WEB.cases.get(url)
            if case is not None:
                _apply_case(spec, case)
            articles[url] = spec
    return articles


def _apply_case(spec: ArticleSpec, case: fallbackweb.Case) -> None:
    """What the fallbacks make of a source whose origin is dead, parked, moved or a soft 404."""
    spec.expected_outcome = case.outcome
    spec.final_url = case.final_url
    spec.snapshot = case.snapshot
    spec.site = case.site
    spec.note = case.note or spec.note
    if case.story is not None:
        spec.title, spec.author = case.story.title, case.story.author
        spec.published = case.story.published.date()
        spec.paragraphs = list(case.story.paragraphs)
        spec.noise = list(case.noise)
        spec.content_type = "text/html; charset=utf-8"


ARTICLES = _articles()


def start_urls() -> list[str]:
    """The day-index URLs that start a full demo crawl."""
    return list(DAY_INDEXES)


def events_on(day: datetime.date) -> list[EventSpec]:
    """The events listed in the day index of `day`."""
    return [e for e in EVENTS if e.date == day and e.in_day_index]
