"""Stable, readable, filesystem-safe event ids derived from an event page's site and path."""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from urllib.parse import unquote, urlsplit

SLUG_MAX = 60

_NON_SLUG = re.compile(r"[^a-z0-9]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def _host_and_path(url: str) -> tuple[str, str]:
    """Split a URL into its host (lowercase, IDNA; no port or userinfo) and its decoded path."""
    try:
        parts = urlsplit(url.strip())
        host, path = (parts.hostname or "").lower(), parts.path
    except ValueError:
        host, path = "", url.strip().split("?", 1)[0].split("#", 1)[0]
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return host, unquote(path, errors="replace") or "/"


def _slugify(segment: str) -> str:
    """Turn a decoded path segment into a lowercase ASCII slug of at most SLUG_MAX chars."""
    segment = _EXTENSION.sub("", segment)
    ascii_text = unicodedata.normalize("NFKD", segment).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if slug == "index":
        return ""
    if len(slug) > SLUG_MAX:
        cut = slug[:SLUG_MAX]
        if slug[SLUG_MAX] != "-" and "-" in cut:
            cut = cut[: cut.rindex("-")]
        slug = cut.strip("-")
    return slug


def event_id(url: str, date: datetime.date | None) -> str:
    """Return `YYYY-MM-DD/<slug>-<hash8>` (or `undated/...`) for an event page URL."""
    host, path = _host_and_path(url)
    digest = hashlib.sha1((host + path).encode("utf-8", "replace")).hexdigest()[:8]
    slug = _slugify(path.rstrip("/").rpartition("/")[2])
    if isinstance(date, datetime.datetime):
        date = date.date()
    day = date.isoformat() if isinstance(date, datetime.date) else "undated"
    name = f"{slug}-{digest}" if slug else f"event-{digest}"
    return f"{day}/{name}"


#: How many words of a bullet's text its event id's slug keeps.
BULLET_WORDS = 8


def bullet_event_id(date: datetime.date | None, text: str, occurrence: int = 1) -> str:
    """Return `YYYY-MM-DD/<first words>-<hash8>` for one of several events on a page.

    For pages that hold many events (Current Events Portal bullets): the hash is of the date
    and the whitespace-normalised text (plus `occurrence` for the 2nd, 3rd… identical text of
    a day), never of the page's URL, so a bullet read from a day page or from its month page
    gets the same id. Editing the text gives a new id.
    """
    if isinstance(date, datetime.datetime):
        date = date.date()
    day = date.isoformat() if isinstance(date, datetime.date) else "undated"
    norm = " ".join(text.split())
    key = f"{day}\n{norm}" + (f"\n#{occurrence}" if occurrence > 1 else "")
    digest = hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()[:8]
    ascii_text = unicodedata.normalize("NFKD", norm).encode("ascii", "ignore").decode("ascii")
    words = _NON_SLUG.sub(" ", ascii_text.lower()).split()
    slug = _slugify("-".join(words[:BULLET_WORDS]))
    return f"{day}/{slug}-{digest}" if slug else f"{day}/event-{digest}"
