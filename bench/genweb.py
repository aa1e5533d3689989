"""A generated web for benchmarks: N event pages citing M article pages across D domains.

Pages are made from their path (seeded, so the same path always gives the same bytes), not
held in memory: 20k pages of 40–200 KB would not fit. The benchmark's server writes each
article's gzip body to a folder before any crawl (`prepare_articles`) and serves it from
there, so making and compressing pages does not take CPU from the crawl it serves. Each domain
has its own chrome (navigation, cookie banner, related stories, comments, footer, inline
script and style), as real news sites do, so the extractor has real work to do.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from simweb.hosts import Host, Registry
from simweb.wire import Request, Response, make_response

EVENT_HOST = "events.benchwire.org"
WORDS = (
    "council harbour river minister report crews residents officials budget storm court "
    "railway market bridge school hospital union strike vote election farmers mayor police "
    "weather fire energy prices trade museum festival league coach season tunnel airport "
    "village district province region agency survey inquiry scheme contract workers plant "
    "water supply road closure evacuation relief fund charity volunteers museum archive "
    "announced confirmed warned said expected rejected approved delayed reopened reported"
).split()
ARTICLE_RE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/story-(\d+)\.html$")
EVENT_RE = re.compile(r"^/news/(\d{4})/(\d{1,2})/(\d{1,2})/event-(\d+)\.md$")
INDEX_RE = re.compile(r"^/news/(\d{4})/(\d{1,2})/(\d{1,2})/index\.md$")
START = dt.date(2020, 1, 1)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choices(WORDS, k=words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 22)) for _ in range(sentences))


@dataclass(frozen=True)
class WebShape:
    """How big the generated web is."""

    events: int
    articles: int
    domains: int
    events_per_day: int = 50

    def domain(self, number: int) -> str:
        """The host name of domain `number`."""
        return f"www.news{number:03d}-bench.com"

    def article_url(self, article: int) -> str:
        """The URL of article `article` (its domain and date follow from its number)."""
        day = START + dt.timedelta(days=article % 365)
        host = self.domain(article % self.domains)
        return f"http://{host}/{day:%Y/%m/%d}/story-{article}.html"

    def event_day(self, event: int) -> dt.date:
        """The date of event `event`."""
        return START + dt.timedelta(days=event // self.events_per_day)

    def event_url(self, event: int) -> str:
        """The URL of event page `event`."""
        day = self.event_day(event)
        return f"http://{EVENT_HOST}/news/{day.year}/{day.month}/{day.day}/event-{event}.md"

    def event_articles(self, event: int) -> list[int]:
        """The articles event `event` cites: every article is cited by exactly one event."""
        per = max(1, self.articles // self.events)
        first = event * per
        last = self.articles if event == self.events - 1 else min(self.articles, first + per)
        return list(range(first, last))

    def day_indexes(self) -> list[str]:
        """Day-index URLs covering every event."""
        days = sorted({self.event_day(e) for e in range(self.events)})
        return [f"http://{EVENT_HOST}/news/{d.year}/{d.month}/{d.day}/index.md" for d in days]


class EventSite(Host):
    """Serves the generated event pages and day indexes (markdown)."""

    kind = "site"

    def __init__(self, shape: WebShape) -> None:
        super().__init__(EVENT_HOST)
        self.shape = shape

    def respond(self, request: Request) -> Response | None:
        """An event page, a day index, robots.txt or a 404."""
        path = request.path.split("?", 1)[0]
        if path == "/robots.txt":
            return _ok(b"User-agent: *\nAllow: /\n", "text/plain")
        if match := EVENT_RE.match(path):
            number = int(match.group(4))
            if number < self.shape.events:
                return _ok(self._event(number).encode(), "text/markdown; charset=utf-8")
        if match := INDEX_RE.match(path):
            day = dt.date(*(int(g) for g in match.groups()))
            events = [e for e in range(self.shape.events) if self.shape.event_day(e) == day]
            lines = [f"# {day.year}-{day.month}-{day.day}", ""]
            lines += [
                f"{n}. [Event {e}]({self.shape.event_url(e)})" for n, e in enumerate(events, 1)
            ]
            return _ok("\n".join(lines).encode(), "text/markdown; charset=utf-8")
        return make_response(404, b"not found", [("Content-Type", "text/plain")])

    def _event(self, number: int) -> str:
        rng = random.Random(number)
        day = self.shape.event_day(number)
        sources = "\n".join(
            f"{n}. [Publisher {a % self.shape.domains}]({self.shape.article_url(a)})"
            for n, a in enumerate(self.shape.event_articles(number), 1)
        )
        return (
            f"### [{day.year}-{day.month}-{day.day}](/news/{day.year}/{day.month}/{day.day}/"
            f"index.md)\n\n# {_sentence(rng, 18)}\n\n{_paragraph(rng, 2)}\n\n### Source:\n\n"
            f"{sources}\n"
        )


class NewsSite(Host):
    """One generated news domain: 40–200 KB article pages with the site's own chrome."""

    kind = "site"

    def __init__(self, name: str, seed: int) -> None:
        super().__init__(name)
        self.seed = seed
        self.prepared: Path | None = None  # folder of ready gzip bodies, "<number>.gz"

    @cached_property
    def chrome(self) -> tuple[str, str]:
        """The site's header and footer HTML (navigation, banner, scripts, footer)."""
        rng = random.Random(self.seed)
        nav = "".join(
            f'<li><a href="/section/{w}">{w.title()}</a></li>' for w in rng.sample(WORDS, 40)
        )
        style = "".join(
            f".c{i}{{margin:{i}px;color:#{rng.randrange(16**6):06x}}}" for i in range(600)
        )
        script = "var cfg=" + repr([rng.random() for _ in range(900)]) + ";"
        head = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<style>{style}</style><script>{script}</script>"
        )
        header = (
            f'<header><div class="cookie-banner">{_paragraph(rng, 2)}</div>'
            f"<nav><ul>{nav}</ul></nav></header>"
        )
        footer = (
            '<aside class="related"><h2>More stories</h2><ul>'
            + "".join(f'<li><a href="/more/{i}">{_sentence(rng, 9)}</a></li>' for i in range(30))
            + f"</ul></aside><footer><p>{_paragraph(rng, 3)}</p></footer></body></html>"
        )
        return head + "{TITLE}</head><body>" + header, footer

    @cached_property
    def fillers(self) -> list[str]:
        """Layout markup of varying size (ad slots, widgets) that pads pages to 40–200 KB."""
        rng = random.Random(-self.seed)
        return [
            "".join(f'<div class="c{rng.randrange(600)}"></div>' for _ in range(count))
            for count in (200, 700, 1300, 1900, 2500, 3100)
        ]

    def page(self, number: int, day: str) -> bytes:
        """The article page for story `number`."""
        rng = random.Random(self.seed * 1_000_003 + number)
        title = _sentence(rng, 10)
        paragraphs = "".join(
            f"<p>{_paragraph(rng, rng.randint(3, 6))}</p>" for _ in range(rng.randint(6, 14))
        )
        comments = "".join(
            f'<li class="comment"><b>reader{rng.randrange(999)}</b> {_sentence(rng, 14)}</li>'
            for _ in range(rng.randint(5, 60))
        )
        filler = self.fillers[number % len(self.fillers)]
        head, footer = self.chrome
        body = (
            head.replace("{TITLE}", f"<title>{title}</title>")
            + f'<main><article><h1>{title}</h1><p class="byline">By Staff Writer, {day}</p>'
            + f'{paragraphs}</article><section class="comments"><ol>{comments}</ol></section>'
            + f"{filler}</main>{footer}"
        )
        return body.encode()

    def respond(self, request: Request) -> Response | None:
        """An article, robots.txt or a 404; gzip when the client accepts it."""
        path = request.path.split("?", 1)[0]
        if path == "/robots.txt":
            return _ok(b"User-agent: *\nDisallow: /private/\n", "text/plain")
        match = ARTICLE_RE.match(path)
        if not match:
            return make_response(404, b"not found", [("Content-Type", "text/plain")])
        number, day = int(match.group(4)), "-".join(match.groups()[:3])
        accept = (request.header("Accept-Encoding") or "").lower()
        if "gzip" in accept:
            ready = self.prepared / f"{number}.gz" if self.prepared is not None else None
            gz = ready.read_bytes() if ready is not None and ready.exists() else None
            if gz is None:
                gz = _gzip(self.page(number, day))
            return _ok(gz, "text/html; charset=utf-8", [("Content-Encoding", "gzip")])
        return _ok(self.page(number, day), "text/html; charset=utf-8")


def _gzip(body: bytes) -> bytes:
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()


def _ok(body: bytes, content_type: str, extra: list[tuple[str, str]] | None = None) -> Response:
    return make_response(200, body, [("Content-Type", content_type), *(extra or [])])


def prepare_articles(registry: Registry, shape: WebShape, folder: Path) -> None:
    """Write every article's gzip body to `folder` and have its site serve it from there."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in range(shape.articles):
        url = shape.article_url(article)
        site = registry.get(url.split("/")[2])
        assert isinstance(site, NewsSite)
        day = "-".join(url.split("/")[3:6])
        (folder / f"{article}.gz").write_bytes(_gzip(site.page(article, day)))
        site.prepared = folder


def build_registry(shape: WebShape) -> Registry:
    """Every host of the generated web."""
    registry = Registry([EventSite(shape)])
    for number in range(shape.domains):
        registry.add(NewsSite(shape.domain(number), seed=number + 1))
    return registry
