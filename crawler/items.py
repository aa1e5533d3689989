"""Items the events spider yields: an event page parsed, and the outcome of one cited source."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.eventpage import Event

if TYPE_CHECKING:
    from crawler.extractpool import ExtractionOutcome


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
    #: SPEC §5 provenance: "origin" | "redirect" | "moved" | an archive service's name
    #: ("wayback", "commoncrawl") | "dead".
    outcome: str
    final_url: str | None
    status: int | None
    reason: str | None
    hops: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None  # decoded page text, for documents the extractor should read
    body: bytes | None = None  # raw body of a PDF document, for the extractor (pypdf)
    content_type: str | None = None
    #: The first event that cited it: {"event_id", "headline", "date" (ISO or None)}.
    citing_event: dict[str, Any] = field(default_factory=dict)
    #: For a copy from an archive service: its name, the snapshot's UTC time
    #: (YYYY-MM-DDThh:mm:ssZ) and the whole days from the event's date (negative: before).
    service: str | None = None
    snapshot_date: str | None = None
    distance_days: int | None = None
    #: Every fallback step tried, in order: {"step", "url", "result", "reason", …}.
    fallback: list[dict[str, Any]] = field(default_factory=list)
    #: Set by the spider on documents: called with a reason when the extraction finds no
    #: article text (status "empty", never a time-out or an error: see
    #: crawler.deadlinks.classify_extraction); returns the next good copy along the
    #: fallback chain, or None.
    recover: Callable[[str], Awaitable[SourceItem | None]] | None = field(
        default=None, repr=False, compare=False
    )
    #: Set by the spider when the page's extraction was done with its page checks (one
    #: worker call, crawler/pagework.py): the pipeline uses it instead of extracting again.
    extracted: ExtractionOutcome | None = field(default=None, repr=False, compare=False)
