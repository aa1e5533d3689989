"""Export events as JSON Lines in the shape of the WCEP dataset (Wikipedia Current Events Portal).

One line per event: `id`, `date`, `summary`, `category`, `stories`, `references`, `page` and
`articles`, each article with `url`, `archive_url`, `title`, `text`, `time`, `origin` (and
`capture_time`, `record_id` for provenance). The README ("WCEP export") documents the fields.

The portal's category and story lines are read back from the archived portal page itself
(its latest capture that holds the event, parsed by crawler/portal.py), so they come from
the WARC evidence, as the index would be rebuilt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any

from crawler.eventpage import Event
from crawler.portal import parse_portal
from crawler.portalurls import PORTAL_PATH

if TYPE_CHECKING:
    from archive.reader import Archive, EventRecord, Snapshot, Source

logger = logging.getLogger(__name__)

#: Outcomes of sources that have no archived copy: they are listed in `references` only.
NOT_ARCHIVED = frozenset({"dead", "pending"})


def _charset(snapshot: Snapshot) -> str:
    content_type = next((v for k, v in snapshot.headers if k.lower() == "content-type"), "")
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value.strip(' "'):
            return value.strip(' "')
    return "utf-8"


class PortalPages:
    """The portal events of archived portal pages, parsed once per page URL."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._pages: dict[str, list[dict[str, Event]]] = {}

    def event(self, record: EventRecord) -> Event | None:
        """The portal event behind an archived event, None when it is not from a portal page."""
        if PORTAL_PATH not in record.url:
            return None
        if record.url not in self._pages:
            self._pages[record.url] = self._read(record.url)
        for events in self._pages[record.url]:
            if record.event_id in events:
                return events[record.event_id]
        return None

    def _read(self, url: str) -> list[dict[str, Event]]:
        """The events of each archived version of the page, newest first."""
        found: list[dict[str, Event]] = []
        for row in reversed(self.archive.versions(url)):
            try:
                snapshot = self.archive.snapshot_of(row)
                text = snapshot.body.decode(_charset(snapshot), "replace")
            except (ValueError, OSError, LookupError) as exc:
                logger.warning("Portal page %s (record %s) unreadable: %s", url, row.record_id, exc)
                continue
            found.append({e.event_id: e for e in parse_portal(text, url).events})
        if not found:
            logger.warning("Portal page %s: no archived copy; categories left empty", url)
        return found


def _article(source: Source) -> dict[str, Any]:
    """One archived source as a WCEP article."""
    return {
        "url": source.url,
        "archive_url": source.archived_url,
        "title": source.title or "",
        "text": source.text or "",
        "time": source.published,
        "origin": getattr(source, "provenance", "") or source.outcome,
        "capture_time": getattr(source, "snapshot_date", None),
        "record_id": source.response_record_id,
    }


def wcep_record(event: EventRecord, portal: Event | None = None) -> dict[str, Any]:
    """The WCEP-shaped record of one event (`portal`: its portal bullet, for the category)."""
    stories: list[str] = []
    if portal is not None:  # context = (category, *story lines) when there is a category
        stories = list(portal.context[1:] if portal.category else portal.context)
    return {
        "id": event.event_id,
        "date": event.date,
        "summary": event.headline,
        "category": (portal.category or None) if portal else None,
        "stories": stories,
        "references": [s.url for s in event.sources],
        "page": event.url,
        "articles": [_article(s) for s in event.sources if s.outcome not in NOT_ARCHIVED],
    }


def write_wcep(
    archive: Archive,
    out: IO[str],
    events: Iterable[EventRecord] | None = None,
    tick: Callable[[], None] | None = None,
) -> int:
    """Write `events` (default: every event of `archive`) as WCEP JSON lines; return the count."""
    pages = PortalPages(archive)
    count = 0
    for event in archive.iter_events() if events is None else events:
        out.write(json.dumps(wcep_record(event, pages.event(event)), ensure_ascii=False) + "\n")
        count += 1
        if tick:
            tick()
    return count


def wcep_writer(archive: Archive) -> Callable[..., int]:
    """A writer with `archive.export.write_jsonl`'s signature, for the export command."""

    def write(
        events: Iterable[EventRecord], out: IO[str], tick: Callable[[], None] | None = None
    ) -> int:
        return write_wcep(archive, out, events, tick)

    return write
