"""Current Events Portal page URLs and dates: day and month page titles, the spider's plan."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from crawler.options import OptionError

DEFAULT_PORTAL = "https://en.wikipedia.org"
PORTAL_PATH = "/wiki/Portal:Current_events/"
#: English month names, independent of the locale (`calendar.month_name` follows it).
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
PAGE_KINDS = ("day", "month")

_MONTH = "(" + "|".join(MONTHS) + ")"
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MDY = re.compile(_MONTH + r"\s+(\d{1,2}),?\s+(\d{4})", re.IGNORECASE)
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s+" + _MONTH + r",?\s+(\d{4})", re.IGNORECASE)
_YMD = re.compile(r"(\d{4})\s+" + _MONTH + r"\s+(\d{1,2})(?!\d)", re.IGNORECASE)
_DAY_TITLE = re.compile(r"(\d{4})_" + _MONTH + r"_(\d{1,2})")
_MONTH_TITLE = re.compile(_MONTH + r"_(\d{4})")


def _month(name: str) -> int:
    return [m.lower() for m in MONTHS].index(name.lower()) + 1


def _date(year: str | int, month: int, day: str | int) -> datetime.date | None:
    try:
        return datetime.date(int(year), month, int(day))
    except ValueError:
        return None


def date_from_text(text: str) -> datetime.date | None:
    """The first real date written in `text` as ISO, "October 4, 2017", "4 October 2017"
    or "2017 October 4"; None when there is none."""
    text = " ".join(text.split())
    if m := _ISO.search(text):
        return _date(m.group(1), int(m.group(2)), m.group(3))
    if m := _MDY.search(text):
        return _date(m.group(3), _month(m.group(1)), m.group(2))
    if m := _DMY.search(text):
        return _date(m.group(3), _month(m.group(2)), m.group(1))
    if m := _YMD.search(text):
        return _date(m.group(1), _month(m.group(2)), m.group(3))
    return None


def page_date(url: str) -> tuple[str | None, datetime.date | None]:
    """("day", date) for a day page URL, ("month", its first day) for a month page, else Nones."""
    try:
        path = unquote(urlsplit(url).path).replace(" ", "_")
    except ValueError:
        return None, None
    if PORTAL_PATH not in path:
        return None, None
    title = path.split(PORTAL_PATH, 1)[1]
    if m := _DAY_TITLE.fullmatch(title):
        return "day", _date(m.group(1), _month(m.group(2)), m.group(3))
    if m := _MONTH_TITLE.fullmatch(title):
        return "month", _date(m.group(2), _month(m.group(1)), 1)
    return None, None


def day_url(base: str, day: datetime.date) -> str:
    """The day page of `day` on the portal at `base` (scheme, host and optional path prefix)."""
    return f"{base.rstrip('/')}{PORTAL_PATH}{day.year}_{MONTHS[day.month - 1]}_{day.day}"


def month_url(base: str, year: int, month: int) -> str:
    """The month page (which embeds the day pages) of a month on the portal at `base`."""
    return f"{base.rstrip('/')}{PORTAL_PATH}{MONTHS[month - 1]}_{year}"


def portal_base(page_url: str) -> str:
    """The portal base of a page URL: everything before `/wiki/Portal:…`, else scheme://host."""
    if PORTAL_PATH in page_url:
        return page_url.split(PORTAL_PATH, 1)[0]
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}"


def day_url_like(page_url: str, day: datetime.date) -> str:
    """The day page of `day` on the same portal as `page_url`."""
    return day_url(portal_base(page_url), day)


def _iso_arg(value: str | None, name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise OptionError(f"-a {name}={value!r}: use a date as YYYY-MM-DD") from None


@dataclass(frozen=True)
class PortalPlan:
    """What the portal spider fetches: the day (or month) pages of a date range on a portal."""

    first: datetime.date
    last: datetime.date
    base: str = DEFAULT_PORTAL
    pages: str = "day"

    @classmethod
    def from_args(
        cls,
        first: str | None,
        last: str | None,
        base: str | None = None,
        pages: str | None = None,
    ) -> PortalPlan:
        """Build the plan from `-a from/to/portal/pages`, raising OptionError with the fix."""
        start = _iso_arg(first, "from")
        if start is None:
            raise OptionError("no dates: give -a from=YYYY-MM-DD (and -a to=YYYY-MM-DD)")
        end = _iso_arg(last, "to") or start
        if end < start:
            raise OptionError(f"-a from={first} is after -a to={last}")
        base = (base or DEFAULT_PORTAL).strip().rstrip("/")
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OptionError(f"-a portal={base!r}: give the portal's http(s) base URL")
        kind = (pages or "day").strip().lower()
        if kind not in PAGE_KINDS:
            raise OptionError(f"-a pages={pages!r}: use one of {', '.join(PAGE_KINDS)}")
        return cls(start, end, base, kind)

    def urls(self) -> list[str]:
        """The day pages of every day in the range, or the month pages that cover it."""
        if self.pages == "month":
            months = dict.fromkeys(
                (d.year, d.month) for d in self._days() if d.day == 1 or d == self.first
            )
            return [month_url(self.base, y, m) for y, m in months]
        return [day_url(self.base, d) for d in self._days()]

    def _days(self) -> list[datetime.date]:
        span = (self.last - self.first).days
        return [self.first + datetime.timedelta(days=n) for n in range(span + 1)]
