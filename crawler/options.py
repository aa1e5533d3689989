"""The events spider's arguments (`start`, `start_file`, `depth`, `since`, `until`), checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


class OptionError(ValueError):
    """A spider argument is unusable; the message names the argument and the fix."""


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OptionError(f"{where}: {url!r} is not an http(s) URL")
    return url


def _parse_date(value: str | None, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise OptionError(f"-a {name}={value!r}: use a date as YYYY-MM-DD") from None


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl: start URLs, related-event depth and the event-date window."""

    start_urls: tuple[str, ...]
    depth: int = 1
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def from_args(
        cls,
        start: str | None = None,
        start_file: str | None = None,
        depth: str | int | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> CrawlOptions:
        """Build options from spider arguments, raising OptionError with the fix on bad input."""
        urls: list[str] = []
        if start:
            urls += [_check_url(u.strip(), "-a start") for u in start.split(",") if u.strip()]
        if start_file:
            path = Path(start_file)
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise OptionError(f"-a start_file={start_file!r}: cannot read it ({exc})") from exc
            for number, line in enumerate(lines, 1):
                line = line.strip()
                if line and not line.startswith("#"):
                    urls.append(_check_url(line, f"{start_file} line {number}"))
        if not urls:
            raise OptionError("no start URLs: give -a start=URL[,URL…] or -a start_file=PATH")
        try:
            hops = 1 if depth in (None, "") else int(depth)
        except ValueError:
            raise OptionError(f"-a depth={depth!r}: use a whole number (0 or more)") from None
        if hops < 0:
            raise OptionError(f"-a depth={depth!r}: use a whole number (0 or more)")
        first, last = _parse_date(since, "since"), _parse_date(until, "until")
        if first and last and first > last:
            raise OptionError(f"-a since={since} is after -a until={until}")
        return cls(tuple(dict.fromkeys(urls)), hops, first, last)

    @property
    def windowed(self) -> bool:
        """Whether an event-date window was given."""
        return self.since is not None or self.until is not None

    def in_window(self, day: dt.date | None) -> bool:
        """Whether an event of date `day` is inside the window (undated: only with no window)."""
        if day is None:
            return not self.windowed
        if self.since and day < self.since:
            return False
        return not (self.until and day > self.until)
