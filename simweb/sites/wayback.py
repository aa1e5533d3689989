"""A fake Wayback Machine with the real APIs' shapes, serving the simulated web's past.

- `archive.org/wayback/available?url=…&timestamp=…`: availability JSON (closest capture);
- `web.archive.org/cdx/search/cdx?url=…&output=json&fl=…&filter=…&collapse=…&limit=…`:
  CDX JSON, a header row then one row per capture;
- `web.archive.org/web/<timestamp><flag>/<url>`: a capture; a timestamp without a capture
  redirects to the nearest one; `id_` serves the page as archived, any other form injects a
  toolbar and rewrites links, as the real replay does.

URLs listed in `throttle` get a 429 with Retry-After on every other CDX query.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urljoin, urlsplit

from simweb.hosts import Host
from simweb.wire import Request, Response, html_page, http_date, make_response

ROBOTS = b"User-agent: *\nDisallow: /control/\n"
#: Sentences of the injected toolbar: none may ever reach an extracted text.
TOOLBAR_TEXT = (
    "About this capture",
    "COLLECTED BY Organization: Internet Archive",
    "These crawls are part of an effort to archive pages as they are created",
    "JAVASCRIPT APPENDED BY WAYBACK MACHINE",
)
_REPLAY = re.compile(r"^/web/(\d{1,14})([a-z]{2}_)?/(.+)$")
_LINK = re.compile(r'\b(href|src|action)="([^"#][^"]*)"')
CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


@dataclass(frozen=True)
class Archived:
    """One capture held by the fake archive."""

    original: str
    timestamp: str
    body: bytes = b""
    status: int = 200
    mime: str = "text/html; charset=utf-8"
    location: str | None = None  # the archived redirect's target, for 3xx captures

    @property
    def digest(self) -> str:
        """SHA-1 of the body in base 32, as the CDX server gives it."""
        return sha1_b32(self.body)


def sha1_b32(data: bytes) -> str:
    """A payload digest as archives write it: SHA-1 in base 32."""
    return base64.b32encode(hashlib.sha1(data).digest()).decode()


def url_key(url: str) -> str:
    """How the archive matches URLs: no scheme, no `www.`, lower-case host."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return host + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def surt(url: str) -> str:
    """The SURT form of a URL, as CDX rows' urlkey."""
    key = url_key(url)
    host, _, rest = key.partition("/")
    return ",".join(reversed(host.split("."))) + ")/" + rest


def _when(timestamp: str) -> datetime:
    digits = (timestamp + "00000101000000"[len(timestamp) :])[:14]
    return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


class WaybackMachine:
    """The captures, and the two hosts that serve them (archive.org, web.archive.org)."""

    def __init__(self, captures: Iterable[Archived], throttle: dict[str, int] | None = None):
        self.captures: dict[str, list[Archived]] = {}
        for capture in captures:
            self.captures.setdefault(url_key(capture.original), []).append(capture)
        for found in self.captures.values():
            found.sort(key=lambda c: c.timestamp)
        self.throttle = {url_key(u): s for u, s in (throttle or {}).items()}
        self._asked: dict[str, int] = {}

    def hosts(self) -> list[Host]:
        """The availability host and the CDX + replay host."""
        return [_AvailabilityHost("archive.org", self), _ReplayHost("web.archive.org", self)]

    def of(self, url: str) -> list[Archived]:
        """Every capture of `url`, oldest first."""
        return self.captures.get(url_key(url), [])

    def nearest(self, url: str, timestamp: str, ok_only: bool = False) -> Archived | None:
        """The capture of `url` nearest to `timestamp`."""
        found = [c for c in self.of(url) if c.status == 200 or not ok_only]
        if not found:
            return None
        target = _when(timestamp)
        return min(found, key=lambda c: abs((_when(c.timestamp) - target).total_seconds()))

    def throttled(self, url: str) -> int | None:
        """Retry-After seconds when this CDX query must be refused (every other one)."""
        key = url_key(url)
        if key not in self.throttle:
            return None
        self._asked[key] = self._asked.get(key, 0) + 1
        return self.throttle[key] if self._asked[key] % 2 == 1 else None


def _json(status: int, data: object, extra: Iterable[tuple[str, str]] = ()) -> Response:
    body = json.dumps(data).encode()
    headers = [("Content-Type", "application/json"), *extra]
    return make_response(status, body, headers, server="nginx")


def _params(request: Request) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.path).query, keep_blank_values=True)


class _AvailabilityHost(Host):
    kind = "archive"

    def __init__(self, name: str, archive: WaybackMachine) -> None:
        super().__init__(name)
        self.archive = archive

    def respond(self, request: Request) -> Response | None:
        """The availability API and robots.txt."""
        if request.path_only == "/robots.txt":
            return make_response(200, ROBOTS, [("Content-Type", "text/plain")], server="nginx")
        if request.path_only != "/wayback/available":
            return make_response(404, html_page("Not found", "<h1>Not found</h1>"), server="nginx")
        params = _params(request)
        url = params.get("url", [""])[0]
        stamp = params.get("timestamp", [""])[0]
        data: dict[str, object] = {"url": url, "archived_snapshots": {}}
        if stamp:
            data["timestamp"] = stamp
        capture = self.archive.nearest(url, stamp or "99991231", ok_only=True)
        if capture is not None:
            data["archived_snapshots"] = {
                "closest": {
                    "status": str(capture.status),
                    "available": True,
                    "url": f"http://web.archive.org/web/{capture.timestamp}/{capture.original}",
                    "timestamp": capture.timestamp,
                }
            }
        return _json(200, data)


class _ReplayHost(Host):
    kind = "archive"

    def __init__(self, name: str, archive: WaybackMachine) -> None:
        super().__init__(name)
        self.archive = archive

    def respond(self, request: Request) -> Response | None:
        """robots.txt, the CDX API and the replay of captures."""
        if request.path_only == "/robots.txt":
            return make_response(200, ROBOTS, [("Content-Type", "text/plain")], server="nginx")
        if request.path_only == "/cdx/search/cdx":
            return self._cdx(request)
        match = _REPLAY.match(request.path)
        if match is None:
            return make_response(404, html_page("Not found", "<h1>Not found</h1>"), server="nginx")
        stamp, flag, original = match.group(1), match.group(2) or "", match.group(3)
        original = re.sub(r"^(https?):/(?!/)", r"\1://", original)
        return self._replay(stamp, flag, original if "://" in original else "http://" + original)

    def _cdx(self, request: Request) -> Response:
        params = _params(request)
        url = params.get("url", [""])[0]
        wait = self.archive.throttled(url)
        if wait is not None:
            return _json(429, {"error": "Too Many Requests"}, [("Retry-After", str(wait))])
        rows = list(self.archive.of(url))
        for spec in params.get("filter", []):
            negate = spec.startswith("!")
            field, _, wanted = spec.lstrip("!").partition(":")
            rows = [r for r in rows if (_field(r, field) == wanted) != negate]
        since, until = params.get("from", [""])[0], params.get("to", [""])[0]
        rows = [r for r in rows if (not since or r.timestamp >= since)]
        rows = [r for r in rows if (not until or r.timestamp[: len(until)] <= until)]
        if params.get("collapse", [""])[0] == "digest":
            rows = [r for i, r in enumerate(rows) if i == 0 or rows[i - 1].digest != r.digest]
        limit = int(params.get("limit", ["0"])[0] or 0)
        rows = rows[limit:] if limit < 0 else rows[:limit] if limit else rows
        fields = (params.get("fl", [""])[0] or ",".join(CDX_FIELDS)).split(",")
        table = [fields] + [[_field(r, f) for f in fields] for r in rows] if rows else []
        return _json(200, table)

    def _replay(self, stamp: str, flag: str, original: str) -> Response:
        capture = self.archive.nearest(original, stamp)
        if capture is None:
            body = html_page(
                "Wayback Machine",
                "<h2>Hrm.</h2><p>The Wayback Machine has not archived that URL.</p>",
            )
            return make_response(404, body, [("Content-Type", "text/html; charset=utf-8")])
        if capture.timestamp != stamp:
            location = f"https://web.archive.org/web/{capture.timestamp}{flag}/{capture.original}"
            headers = [("Location", location), ("Content-Type", "text/plain; charset=utf-8")]
            return make_response(302, b"found capture at " + capture.timestamp.encode(), headers)
        headers = [
            ("Content-Type", capture.mime),
            ("Memento-Datetime", http_date(_when(capture.timestamp).timestamp())),
            ("Link", f'<{capture.original}>; rel="original"'),
            ("X-Archive-Src", f"simweb-{capture.timestamp[:8]}.arc.gz"),
        ]
        if capture.location is not None:
            target = urljoin(capture.original, capture.location)
            headers.append(("Location", f"https://web.archive.org/web/{stamp}{flag}/{target}"))
            return make_response(capture.status, b"", headers, server="nginx")
        body = capture.body
        if flag != "id_" and capture.mime.startswith("text/html"):
            body = with_toolbar(body.decode("utf-8"), capture, len(self.archive.of(original)))
        return make_response(capture.status, body, headers, server="nginx")


def _field(capture: Archived, name: str) -> str:
    values = {
        "urlkey": surt(capture.original),
        "timestamp": capture.timestamp,
        "original": capture.original,
        "mimetype": capture.mime.split(";")[0],
        "statuscode": str(capture.status),
        "digest": capture.digest,
        "length": str(len(capture.body)),
    }
    return values.get(name, "-")


def with_toolbar(html: str, capture: Archived, count: int) -> bytes:
    """The non-`id_` replay: links rewritten into the archive, a toolbar and scripts added."""
    stamp = capture.timestamp

    def rewrite(match: re.Match[str]) -> str:
        target = match.group(2)
        if target.startswith(("javascript:", "data:", "mailto:")):
            return match.group(0)
        absolute = urljoin(capture.original, target)
        return f'{match.group(1)}="/web/{stamp}/{absolute}"'

    html = _LINK.sub(rewrite, html)
    head = (
        '<script src="//archive.org/includes/athena.js" type="text/javascript"></script>\n'
        '<script type="text/javascript">__wm.init("https://web.archive.org/web");</script>\n'
        '<link rel="stylesheet" type="text/css" href="/_static/css/banner-styles.css">\n'
    )
    toolbar = (
        "<!-- BEGIN WAYBACK TOOLBAR INSERT -->\n"
        '<div id="wm-ipp-base" lang="en" style="display:none;direction:ltr;">'
        '<div id="wm-ipp"><div id="wm-logo"><a href="/web/">Wayback Machine</a></div>'
        f'<form id="wm-ipp-form"><input name="url" value="{capture.original}"></form>'
        f'<p class="wm-capinfo">{count} captures of this page.</p>'
        f"<p>{TOOLBAR_TEXT[0]}: {TOOLBAR_TEXT[1]}. {TOOLBAR_TEXT[2]}.</p>"
        '<a href="#close">Close</a> <a href="https://help.archive.org/">Help</a></div></div>\n'
        "<!-- END WAYBACK TOOLBAR INSERT -->\n"
    )
    tail = (
        f"\n<!--\n     FILE ARCHIVED ON {stamp} AND RETRIEVED FROM THE\n     INTERNET ARCHIVE."
        f"\n     {TOOLBAR_TEXT[3]}, COPYRIGHT INTERNET ARCHIVE.\n-->\n"
    )
    html = html.replace("<head>", "<head>\n" + head, 1)
    html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + toolbar, html, count=1)
    return (html + tail).encode("utf-8")
