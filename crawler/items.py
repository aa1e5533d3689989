"""Items the events spider yields: an event page parsed, and the outcome of one cited source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.eventpage import Event


@dataclass
class EventItem:
    """A parsed event page reached at `depth` related-event hops from a start page."""

    event: Event
    depth: int
    warnings: tuple[str, ...] = ()


@dataclass
class SourceItem:
    """What happened to one cited URL: its provenance outcome and the captures that hold it."""

    cited_url: str
    kind: str  # "document" | "image" | "other"
    outcome: str  # SPEC §5 provenance: "origin" | "redirect" | "dead" (more to come)
    final_url: str | None
    status: int | None
    reason: str | None
    hops: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None  # decoded page text, for documents the extractor should read
    content_type: str | None = None
    #: The first event that cited it: {"event_id", "headline", "date" (ISO or None)}.
    citing_event: dict[str, Any] = field(default_factory=dict)
