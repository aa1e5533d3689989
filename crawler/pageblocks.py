"""Shared pieces of the event-page parsers: blocks, links, warnings, URL and date helpers."""

from __future__ import annotations

import datetime
import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit


@dataclass(frozen=True)
class _Link:
    label: str
    href: str
    is_image: bool


@dataclass(frozen=True)
class _Block:
    kind: str  # "heading" | "para" | "item"
    text: str
    level: int = 0
    links: tuple[_Link, ...] = ()
    after: str = ""  # for items: the text that follows the item's first link


_MAX_WARNINGS = 50


@dataclass
class _Warnings:
    found: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    dropped: int = 0

    def add(self, message: str) -> None:
        if message in self.seen:
            return
        self.seen.add(message)
        if len(self.found) < _MAX_WARNINGS:
            self.found.append(message)
        else:
            self.dropped += 1

    @property
    def items(self) -> list[str]:
        if self.dropped:
            return [*self.found, f"{self.dropped} more warnings not shown"]
        return self.found


_DATE_TEXT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_PATH_DATE = re.compile(r"/(\d{4})/(\d{1,2})/(\d{1,2})(?=/|$)")
_INDEX_PATH = re.compile(r"/index\.(?:md|markdown|html?|shtml|php)$", re.IGNORECASE)
_DAY_DIR_PATH = re.compile(r"/\d{4}/\d{1,2}/\d{1,2}/?$")
_SOURCE_HEADING = re.compile(r"(?:cited\s+)?sources?|source\(s\)", re.IGNORECASE)
_RELATED_HEADING = re.compile(r"related(?:\s+(?:events?|stories|links))?", re.IGNORECASE)
_CONTEXT = re.compile(r"context\s*:\s*(.*)", re.IGNORECASE | re.DOTALL)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_CONTROL = re.compile(r"[\t\n\r\x00-\x1f\x7f]")
_HOST_OK = re.compile(r"[\w\-.]+")
_DROPPED_SCHEMES = frozenset({"javascript", "mailto", "data", "tel", "sms", "about", "vbscript"})
_MAX_URL_IN_WARNING = 120


def _norm(text: str) -> str:
    """Collapse whitespace runs to single spaces and strip."""
    return " ".join(text.split())


def _shown(value: str) -> str:
    """Shorten a value for a warning message."""
    value = value.strip()
    if len(value) > _MAX_URL_IN_WARNING:
        return value[: _MAX_URL_IN_WARNING - 3] + "..."
    return value


def _date_from_text(text: str) -> tuple[bool, datetime.date | None]:
    """Return (looks like a Y-M-D date, the date if it is a real one)."""
    m = _DATE_TEXT.fullmatch(text.strip())
    if not m:
        return False, None
    return True, _make_date(m.group(1), m.group(2), m.group(3))


def _make_date(year: str, month: str, day: str) -> datetime.date | None:
    """Build a date from digit strings, None when impossible."""
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _url_path(url: str) -> str:
    """Return the path of a URL, '' when it cannot be split."""
    try:
        return urlsplit(url.strip()).path
    except ValueError:
        return ""


def _resolve(href: str, base: str) -> tuple[str | None, str | None]:
    """Resolve a link target against the page URL; return (url, None) or (None, reason)."""
    raw = _URL_CONTROL.sub("", href).strip()
    shown = _shown(href)
    if not raw:
        return None, "empty URL"
    m = _SCHEME.match(raw)
    scheme = m.group(1).lower() if m else ""
    if scheme in _DROPPED_SCHEMES:
        return None, f"unsupported URL '{shown}'"
    if m and scheme not in ("http", "https"):
        return None, f"invalid URL '{shown}'"
    try:
        if m:
            candidate = raw
        elif raw.lower().startswith("www."):
            candidate = "http://" + raw
        else:
            candidate = urljoin(base.strip(), raw)
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        host = parts.hostname or ""
    except ValueError:
        return None, f"invalid URL '{shown}'"
    if parts.scheme.lower() not in ("http", "https") or not host or not _valid_host(host):
        return None, f"invalid URL '{shown}'"
    return candidate, None


def _valid_host(host: str) -> bool:
    """True for a plausible DNS name or IP address."""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    if not _HOST_OK.fullmatch(host) or host.startswith(".") or ".." in host:
        return False
    return "_" not in host.rpartition(".")[2]


def _is_index_path(url: str) -> bool:
    """True when the URL path names a day index (index.md, index.html or a bare day folder)."""
    path = _url_path(url)
    return bool(_INDEX_PATH.search(path) or _DAY_DIR_PATH.search(path))


# --------------------------------------------------------------------------------------------
# Markdown inline rendering
# --------------------------------------------------------------------------------------------
