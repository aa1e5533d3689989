"""Archive services behind one interface: look up captures, order them, unwrap a raw copy.

A service is pure request planning and response parsing: `lookup` asks its APIs through an
injected `ask` function (which the crawler implements with Scrapy, caching and backoff, and
tests implement with a dict), and `unwrap` turns a fetched capture into the page as the
site sent it. Services: `wayback` (crawler/wayback.py), `commoncrawl` (crawler/commoncrawl.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol


@dataclass(frozen=True)
class Answer:
    """A service API's answer: status and body text."""

    status: int
    body: str


#: GET an API URL of a service; None when the service could not be reached (after retries).
Ask = Callable[[str], Awaitable[Answer | None]]


@dataclass(frozen=True)
class Capture:
    """One archived copy of a URL that a service can hand back raw."""

    service: str
    original_url: str
    timestamp: str  # 14 digits, UTC: YYYYMMDDhhmmss
    status: int | None
    mime: str | None
    fetch_url: str
    fetch_headers: tuple[tuple[str, str], ...] = ()
    digest: str | None = None

    @property
    def when(self) -> dt.datetime:
        """The capture time (UTC)."""
        return parse_timestamp(self.timestamp)


@dataclass
class Fetched:
    """A downloaded capture, as the crawler received it from the service."""

    url: str  # the final URL, after the service's own redirects
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    text: str | None = None  # decoded body, when the crawler could decode it


@dataclass
class Snapshot:
    """A capture unwrapped: the page as the archived site sent it."""

    original_url: str
    timestamp: str
    status: int
    content_type: str
    body: bytes
    html: str | None
    notes: list[str] = field(default_factory=list)


class ArchiveService(Protocol):
    """What the recovery chain needs from an archive service."""

    name: str

    async def lookup(self, url: str, when: dt.date | None, ask: Ask) -> list[Capture]:
        """Captures of `url`, in any order (status and time known where the service says)."""
        ...

    def home_capture(self, capture: Capture) -> Capture | None:
        """The site's home page archived near `capture`, to recognise generic pages."""
        ...

    def unwrap(self, capture: Capture, fetched: Fetched) -> Snapshot | None:
        """The archived page inside a fetched capture (None when it holds none)."""
        ...


def parse_timestamp(value: str) -> dt.datetime:
    """A 4 to 14 digit archive timestamp as a UTC datetime (missing parts are the earliest)."""
    digits = (value + "00000101000000"[len(value) :])[:14]
    return dt.datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)


def format_timestamp(moment: dt.datetime | dt.date) -> str:
    """A UTC datetime or a date as a 14-digit archive timestamp."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")


def event_start(day: dt.date) -> dt.datetime:
    """Midnight UTC at the start of an event's day."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def order_captures(
    captures: Iterable[Capture], event_date: dt.date | None, window_days: int
) -> list[Capture]:
    """Good (status 200) captures in the order to try them.

    First those on or after the event's day and within `window_days` of it, earliest
    first; then those before the event, closest first; then later ones, earliest first.
    Undated events: earliest first. Repeated timestamps are kept once.
    """
    seen: set[tuple[str, str]] = set()
    good = []
    for capture in captures:
        key = (capture.service, capture.timestamp)
        if capture.status in (200, None) and key not in seen:
            seen.add(key)
            good.append(capture)
    if event_date is None:
        return sorted(good, key=lambda c: c.timestamp)
    start = event_start(event_date)
    end = start + dt.timedelta(days=window_days)
    in_window = sorted((c for c in good if start <= c.when < end), key=lambda c: c.timestamp)
    before = sorted((c for c in good if c.when < start), key=lambda c: c.timestamp, reverse=True)
    later = sorted((c for c in good if c.when >= end), key=lambda c: c.timestamp)
    return in_window + before + later


def distance_days(timestamp: str, event_date: dt.date | None) -> int | None:
    """Whole days from the event's day to the capture's day (negative: before the event)."""
    if event_date is None:
        return None
    return (parse_timestamp(timestamp).date() - event_date).days


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff after the `attempt`-th failure (1-based), at most `cap`."""
    return min(cap, base * 2 ** max(0, attempt - 1))


def header_value(headers: Sequence[tuple[str, str]] | dict[str, str], name: str) -> str | None:
    """The first value of header `name` (case-insensitive) from pairs or a lower-case dict."""
    if isinstance(headers, dict):
        return headers.get(name.lower())
    for key, value in headers:
        if key.lower() == name.lower():
            return value
    return None
