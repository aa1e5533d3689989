"""The Wayback Machine: CDX and availability lookups, and captures fetched raw (`id_`).

The CDX API lists every capture with its status, so the chain can prefer the first good
capture after the event; the availability API (one closest capture) is asked only when the
CDX server gives no usable answer. Captures are always fetched in the `id_` form, which
serves the page as archived: no toolbar, no rewritten links, no injected scripts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote, urlsplit

from crawler.archives import Answer, Ask, Capture, Fetched, Snapshot

NAME = "wayback"
CDX_ENDPOINT = "https://web.archive.org/cdx/search/cdx"
AVAILABILITY_ENDPOINT = "https://archive.org/wayback/available"
REPLAY_PREFIX = "https://web.archive.org/web/"
CDX_FIELDS = ("timestamp", "original", "statuscode", "mimetype", "digest")
CDX_LIMIT = 1000

_REPLAY = re.compile(r"^https?://web\.archive\.org/web/(\d{1,14})([a-z]{2}_)?/(.+)$", re.I)


def cdx_url(url: str, limit: int = CDX_LIMIT) -> str:
    """The CDX query for every 200 capture of `url` (identical neighbours collapsed)."""
    return (
        f"{CDX_ENDPOINT}?url={quote(url, safe='')}&output=json&fl={','.join(CDX_FIELDS)}"
        f"&filter=statuscode:200&collapse=digest&limit={limit}"
    )


def availability_url(url: str, when: dt.date | None) -> str:
    """The availability API query for the capture of `url` closest to `when`."""
    stamp = f"&timestamp={when:%Y%m%d}" if when else ""
    return f"{AVAILABILITY_ENDPOINT}?url={quote(url, safe='')}{stamp}"


def raw_url(timestamp: str, original: str) -> str:
    """The `id_` (raw, unmodified) replay URL of a capture."""
    return f"{REPLAY_PREFIX}{timestamp}id_/{original}"


def parse_replay_url(url: str) -> tuple[str, str, str] | None:
    """(timestamp, flag, original URL) of a Wayback replay URL, or None for other URLs."""
    match = _REPLAY.match(url)
    if match is None:
        return None
    original = match.group(3)
    original = re.sub(r"^(https?):/(?!/)", r"\1://", original, flags=re.I)
    if "://" not in original:
        original = "http://" + original
    return match.group(1), match.group(2) or "", original


def parse_cdx(answer: Answer) -> list[Capture] | None:
    """Captures from a CDX JSON answer (rows after a header row); None if unusable."""
    if answer.status != 200:
        return None
    text = answer.body.strip()
    if not text:
        return []
    try:
        rows = json.loads(text)
    except ValueError:
        return None
    if not isinstance(rows, list) or not rows:
        return [] if rows == [] else None
    header = rows[0]
    if not isinstance(header, list) or "timestamp" not in header or "original" not in header:
        return None
    captures = []
    for row in rows[1:]:
        if not isinstance(row, list) or len(row) != len(header):
            continue
        fields = dict(zip(header, row, strict=True))
        status = str(fields.get("statuscode", ""))
        timestamp = str(fields["timestamp"])
        if not timestamp.isdigit():
            continue
        captures.append(
            Capture(
                service=NAME,
                original_url=str(fields["original"]),
                timestamp=timestamp,
                status=int(status) if status.isdigit() else None,
                mime=fields.get("mimetype"),
                fetch_url=raw_url(timestamp, str(fields["original"])),
                digest=fields.get("digest"),
            )
        )
    return captures


def parse_availability(answer: Answer) -> list[Capture] | None:
    """The closest capture from an availability API answer; None if unusable."""
    if answer.status != 200:
        return None
    try:
        data = json.loads(answer.body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    closest = (data.get("archived_snapshots") or {}).get("closest")
    if not closest or not closest.get("available", True):
        return []
    parsed = parse_replay_url(str(closest.get("url", "")))
    timestamp = str(closest.get("timestamp") or (parsed[0] if parsed else ""))
    if not timestamp.isdigit() or parsed is None:
        return None
    status = str(closest.get("status", ""))
    original = parsed[2]
    return [
        Capture(
            service=NAME,
            original_url=original,
            timestamp=timestamp,
            status=int(status) if status.isdigit() else None,
            mime=None,
            fetch_url=raw_url(timestamp, original),
        )
    ]


class Wayback:
    """The Wayback Machine as an archive service."""

    name = NAME

    async def lookup(self, url: str, when: dt.date | None, ask: Ask) -> list[Capture]:
        """Every 200 capture from the CDX API, or the closest one from the availability API."""
        answer = await ask(cdx_url(url))
        captures = parse_cdx(answer) if answer is not None else None
        if captures is not None:
            return captures
        answer = await ask(availability_url(url, when))
        captures = parse_availability(answer) if answer is not None else None
        return captures or []

    def home_capture(self, capture: Capture) -> Capture | None:
        """The site's home page archived nearest the capture (Wayback redirects to it)."""
        parts = urlsplit(capture.original_url)
        home = f"{parts.scheme}://{parts.netloc}/"
        if home == capture.original_url:
            return None
        return Capture(NAME, home, capture.timestamp, None, None, raw_url(capture.timestamp, home))

    def unwrap(self, capture: Capture, fetched: Fetched) -> Snapshot | None:
        """The archived response: time and URL from the final replay URL, body as archived."""
        parsed = parse_replay_url(fetched.url)
        if parsed is None:
            return None
        timestamp, flag, original = parsed
        notes = [] if flag == "id_" else [f"served in the {flag or 'rewritten'} form, not id_"]
        return Snapshot(
            original_url=original,
            timestamp=timestamp,
            status=fetched.status,
            content_type=fetched.headers.get("content-type", ""),
            body=fetched.body,
            html=fetched.text,
            notes=notes,
        )
