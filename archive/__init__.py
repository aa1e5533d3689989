"""The archive format, its index and the offline reader; usable without Scrapy."""

from __future__ import annotations

from archive.index import Index, url_key
from archive.reader import Archive, EventRecord, Snapshot, Source, write_event_texts
from archive.store import ArchiveStore

__all__ = [
    "Archive",
    "ArchiveStore",
    "EventRecord",
    "Index",
    "Snapshot",
    "Source",
    "url_key",
    "write_event_texts",
]
