"""The records the reader returns: an event with its ordered sources, provenance and texts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from archive import query

#: Source-row columns this reader maps to named fields; any others land in `Source.extra`.
_KNOWN_SOURCE_COLUMNS = {
    "url_key", "url", "kind", "outcome", "final_url", "status", "reason",
    "response_record_id", "hops", "updated", "provenance", "snapshot_date", "service",
    "snapshot_distance_days",
}  # fmt: skip
_TEXT_FIELDS = ("title", "author", "published", "language", "sitename", "text")


@dataclass
class Source:
    """One cited source of an event with its outcome, provenance and cleaned text."""

    position: int
    label: str
    url: str
    kind: str
    outcome: str
    archived_url: str | None
    status: int | None
    reason: str | None
    response_record_id: str | None
    text_status: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None
    language: str | None = None
    sitename: str | None = None
    text: str | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)
    #: How the archived copy was obtained: origin, redirect, moved, an archive service, dead.
    provenance: str = ""
    #: When the archived copy was made (WARC date, or the archive service's capture date).
    snapshot_date: str | None = None
    text_reason: str | None = None
    #: The archive service a fallback copy came from (None when fetched from the web).
    service: str | None = None
    #: Days from the event's date to the snapshot, as the crawl recorded it.
    distance_days: float | None = None
    #: WARC-Date of the response record that holds the archived copy.
    capture_date: str | None = None
    #: Index columns this reader does not know by name (added by later schemas).
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.provenance = self.provenance or self.outcome

    @property
    def domain(self) -> str:
        """Host name of the archived URL (or of the cited URL when nothing was archived)."""
        return query.host_of(self.archived_url or self.url)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return dict(self.__dict__)


@dataclass
class EventRecord:
    """An event with its fields, ordered sources and related links."""

    event_id: str
    url: str
    date: str | None
    headline: str
    lede: str
    depth: int
    sources: list[Source]
    related: list[dict[str, Any]]
    #: Context tags other event pages give this event in their related links.
    tags: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        """The non-empty cleaned texts of the sources, in source order."""
        return [s.text for s in self.sources if s.text]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        data = dict(self.__dict__)
        data["sources"] = [s.to_dict() for s in self.sources]
        return data


def _json_list(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def source_from_rows(
    cite: query.Row, src: query.Row | None, text: query.Row | None, when: Any
) -> Source:
    """A Source from its citation, source and text rows and the WARC date of its capture."""
    src, text = src or {}, text or {}
    hops = src.get("hops")
    return Source(
        position=cite["position"],
        label=cite["label"],
        url=cite["url"],
        kind=src.get("kind") or cite["kind"],
        outcome=src.get("outcome") or "pending",
        archived_url=src.get("final_url"),
        status=src.get("status"),
        reason=src.get("reason"),
        response_record_id=src.get("response_record_id"),
        text_status=text.get("status"),
        hops=json.loads(hops) if hops else [],
        provenance=src.get("provenance") or "",
        snapshot_date=src.get("snapshot_date") or when,
        text_reason=text.get("reason"),
        service=src.get("service"),
        distance_days=src.get("snapshot_distance_days"),
        capture_date=when,
        extra={k: _json_list(v) for k, v in src.items() if k not in _KNOWN_SOURCE_COLUMNS},
        **{name: text.get(name) for name in _TEXT_FIELDS},
    )
