"""Index facts: the JSON `metadata` records in `derived/` that the SQLite index is built from.

The crawl never writes an event, a source outcome or a text straight into the index: it
writes a fact record to the derived WARC, then applies the same fact to the index in the
transaction that records the record's place. `python -m archive reindex` replays the facts
in file order, so the rebuilt index is the one the crawl wrote, row for row.

A fact record's block is a JSON object: `{"format": "event-archiver/facts-1", NAME: VALUE,
…}`; each NAME has an applier registered here (`event`, `source`, `text`, `domain_health`).
A component that keeps more in the index registers its own applier with
`@applier("name", tables)` and writes its facts with `ArchiveStore.record_facts`, and
reindex reproduces those rows too. Tables filled any other way are not rebuilt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from archive.index import Index

logger = logging.getLogger(__name__)

FORMAT = "event-archiver/facts-1"
CONTENT_TYPE = "application/json"
#: Keys of a `source` fact that describe it for readers but are not index columns.
SOURCE_INFO_KEYS = frozenset({"event_ids"})


@dataclass(frozen=True)
class FactContext:
    """What an applier knows about the record that carries the fact."""

    record_id: str
    date: str  # the record's WARC-Date
    url: str  # the record's WARC-Target-URI
    #: Texts of the conversion records written with this record, by record id.
    conversions: Mapping[str, str] = field(default_factory=dict)


Applier = Callable[[Index, Any, FactContext], None]
APPLIERS: dict[str, Applier] = {}
#: Index tables whose rows come from facts (or capture records), by the fact that fills them.
FACT_TABLES: dict[str, tuple[str, ...]] = {}


def applier(name: str, tables: tuple[str, ...] = ()) -> Callable[[Applier], Applier]:
    """Register the function that applies facts called `name` to the index tables `tables`."""

    def register(func: Applier) -> Applier:
        APPLIERS[name] = func
        FACT_TABLES[name] = tables
        return func

    return register


def rebuilt_tables() -> list[str]:
    """Every table a rebuild empties and refills from the WARC files."""
    tables = ["captures"]
    for names in FACT_TABLES.values():
        tables += [t for t in names if t not in tables]
    return tables


def make_payload(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object of a fact record (checked: every fact must have an applier)."""
    unknown = [name for name in facts if name not in APPLIERS]
    if unknown:
        raise ValueError(f"no applier registered for facts {unknown}: use @applier(name)")
    return {"format": FORMAT, **facts}


def parse_payload(content_type: str | None, data: bytes) -> dict[str, Any] | None:
    """The facts of a metadata record's block, or None when it is not a fact record."""
    if not content_type or not content_type.startswith(CONTENT_TYPE):
        return None
    try:
        payload = json.loads(data)
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        return None
    return payload


def apply_facts(index: Index, payload: Mapping[str, Any], context: FactContext) -> None:
    """Apply every fact of a record to the index, in the order they were written."""
    for name, value in payload.items():
        if name == "format":
            continue
        func = APPLIERS.get(name)
        if func is None:
            logger.warning(
                "Fact %r in record %s has no applier; the index will not show it",
                name,
                context.record_id,
            )
            continue
        func(index, value, context)


@applier("event", ("events", "citations", "related"))
def _apply_event(index: Index, event: Mapping[str, Any], context: FactContext) -> None:
    index.add_event(
        event_id=event["event_id"],
        url=event["url"],
        date=event.get("date"),
        headline=event["headline"],
        lede=event["lede"],
        day_index_url=event.get("day_index_url"),
        depth=event["depth"],
        seen=context.date,
        sources=[(s["position"], s["label"], s["url"], s["kind"]) for s in event["sources"]],
        related=[(r["position"], r["url"], r["summary"], r["context"]) for r in event["related"]],
        warnings=event.get("warnings", ()),
    )


@applier("source", ("sources",))
def _apply_source(index: Index, source: Mapping[str, Any], context: FactContext) -> None:
    columns = {k: v for k, v in source.items() if k not in SOURCE_INFO_KEYS}
    index.set_source(**columns, updated=context.date)


@applier("text", ("texts",))
def _apply_text(index: Index, text: Mapping[str, Any], context: FactContext) -> None:
    fields = dict(text)
    url = fields.pop("url")
    conversion = fields.get("conversion_record_id")
    fields["text"] = context.conversions.get(conversion) if conversion else None
    index.set_text(url=url, fields=fields)


@applier("domain_health", ("domain_health",))
def _apply_domain_health(index: Index, rows: list[dict[str, Any]], context: FactContext) -> None:
    index.set_domain_health(rows)
