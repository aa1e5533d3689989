"""The replay origin: archived responses under `/replay/<timestamp>/<URL>` or `/record/<id>`.

It runs on its own port, so archived pages get an origin apart from the reader's, and every
answer carries a Content-Security-Policy whose `sandbox` directive holds even when a page
is opened outside the reader's frame: archived pages get an opaque origin (no cookies, no
storage, no access to any other window), may load only from this replay origin, and (by
default) run no script at all.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urljoin

from archive.reader import Archive
from archive.snapshots import DamagedRecord, Snapshot, embedded_response, timestamp14
from archive.web.common import Response
from archive.web.rewrite import decode_html, replay_mapper, rewrite_css, rewrite_html

PREFIX = "/replay/"
_RECORD = re.compile(r"^/record/(urn:uuid:[0-9a-fA-F-]{36})$")
_PATH = re.compile(r"^/replay/(\d{1,14})[a-z_]*/(.+)$", re.DOTALL)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def replay_csp(replay_origin: str, reader_origin: str, allow_scripts: bool) -> str:
    """The policy on every replayed answer: only the replay origin, sandboxed, no connections."""
    scripts = f"{replay_origin} 'unsafe-inline' 'unsafe-eval'" if allow_scripts else "'none'"
    sandbox = "sandbox allow-scripts" if allow_scripts else "sandbox"
    return "; ".join(
        [
            "default-src 'none'",
            f"img-src {replay_origin} data:",
            f"style-src {replay_origin} 'unsafe-inline'",
            f"font-src {replay_origin} data:",
            f"media-src {replay_origin}",
            f"frame-src {replay_origin}",
            f"script-src {scripts}",
            "connect-src 'none'",
            "form-action 'none'",
            "base-uri 'none'",
            f"frame-ancestors {reader_origin} {replay_origin}",
            sandbox,
        ]
    )


def parse_replay_path(path: str) -> tuple[str, str] | None:
    """(timestamp, archived URL) from `/replay/<ts>/<url>`, or None."""
    m = _PATH.match(path)
    if not m:
        return None
    stamp, url = m.groups()
    url = re.sub(r"^(https?):/+", r"\1://", url, flags=re.IGNORECASE)
    return stamp, url


def _page(status: int, title: str, message: str) -> Response:
    text = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f"<body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>"
    )
    return Response.html(text, status)


def _body(snap: Snapshot, stamp: str) -> tuple[bytes, str]:
    """The body to send and its Content-Type: HTML and CSS rewritten into the replay origin."""
    content_type = snap.header("Content-Type") or "application/octet-stream"
    prefix = f"{PREFIX}{stamp}/"
    if snap.mime in _HTML_TYPES:
        return rewrite_html(snap.body, content_type, snap.url, prefix), "text/html; charset=utf-8"
    if snap.mime == "text/css":
        css = rewrite_css(decode_html(snap.body, content_type), replay_mapper(prefix, snap.url))
        return css.encode("utf-8"), "text/css; charset=utf-8"
    return snap.body, content_type


def _find(arc: Archive, path: str) -> tuple[Snapshot, str] | Response:
    """The snapshot a replay path names, with the timestamp its links keep; or an error page."""
    by_record = _RECORD.match(path)
    try:
        if by_record:
            snap = arc.snapshot_by_id(f"<{by_record.group(1)}>")
            return embedded_response(snap), timestamp14(snap.date)
        parsed = parse_replay_path(path)
        if parsed is None:
            message = "Replay URLs look like /replay/<timestamp>/<URL> or /record/<record id>."
            return _page(404, "Not a replay URL", message)
        stamp, url = parsed
        return embedded_response(arc.snapshot(url, at=stamp)), stamp
    except KeyError as exc:
        return _page(404, "Not archived", f"{exc.args[0]}: it is not in this archive.")
    except DamagedRecord as exc:
        return _page(502, "Damaged record", str(exc))
    except ValueError as exc:
        return _page(400, "Bad replay URL", str(exc))


def replay(arc: Archive, path: str) -> Response:
    """Answer one request to the replay origin (before security headers are added)."""
    found = _find(arc, path)
    if isinstance(found, Response):
        return found
    snap, stamp = found
    memento = [
        ("Memento-Datetime", snap.date),
        ("Link", f'<{snap.url}>; rel="original"'),
        ("X-Archive-Status", str(snap.status)),
    ]
    location = snap.header("Location")
    if 300 <= snap.status < 400 and location:
        target = f"{PREFIX}{timestamp14(snap.date)}/{urljoin(snap.url, location)}"
        return Response(302, b"", "text/plain", [("Location", target), *memento])
    body, content_type = _body(snap, stamp)
    status = snap.status if 200 <= snap.status < 600 and snap.status != 206 else 200
    return Response(status, body, content_type, memento)
