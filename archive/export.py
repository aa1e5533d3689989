"""Export events with their sources and texts: JSON Lines, or Parquet (pyarrow, extra `export`).

One record per event; the schema is documented in the README ("Export schema"). Load with
`pandas.read_json(path, lines=True)`, `pandas.read_parquet(path)` or
`datasets.load_dataset("json" | "parquet", data_files=path)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.reader import EventRecord

FORMATS = ("jsonl", "parquet")
#: Events per Parquet row group (bounded memory on large archives).
ROW_GROUP = 256

#: (name, pyarrow type name) of each source field, in export order.
SOURCE_FIELDS: tuple[tuple[str, str], ...] = (
    ("position", "int32"),
    ("label", "string"),
    ("url", "string"),
    ("kind", "string"),
    ("provenance", "string"),
    ("archived_url", "string"),
    ("status", "int32"),
    ("reason", "string"),
    ("snapshot_date", "string"),
    ("record_id", "string"),
    ("text_status", "string"),
    ("title", "string"),
    ("author", "string"),
    ("published", "string"),
    ("language", "string"),
    ("sitename", "string"),
    ("text", "string"),
)


def event_record(event: EventRecord) -> dict[str, Any]:
    """The export record of one event: its fields, tags, related links, texts and sources."""
    return {
        "event_id": event.event_id,
        "url": event.url,
        "date": event.date,
        "headline": event.headline,
        "lede": event.lede,
        "tags": list(event.tags),
        "depth": event.depth,
        "related": [
            {"url": r["url"], "summary": r["summary"], "context": list(r["context"])}
            for r in event.related
        ],
        "texts": event.texts,
        "sources": [
            {
                "position": s.position,
                "label": s.label,
                "url": s.url,
                "kind": s.kind,
                "provenance": s.provenance,
                "archived_url": s.archived_url,
                "status": s.status,
                "reason": s.reason,
                "snapshot_date": s.snapshot_date,
                "record_id": s.response_record_id,
                "text_status": s.text_status,
                "title": s.title,
                "author": s.author,
                "published": s.published,
                "language": s.language,
                "sitename": s.sitename,
                "text": s.text,
            }
            for s in event.sources
        ],
    }


def write_jsonl(
    events: Iterable[EventRecord], out: IO[str], tick: Callable[[], None] | None = None
) -> int:
    """Write one JSON object a line; return how many events were written."""
    count = 0
    for event in events:
        out.write(json.dumps(event_record(event), ensure_ascii=False) + "\n")
        count += 1
        if tick:
            tick()
    return count


class ParquetUnavailable(RuntimeError):
    """pyarrow is not installed."""


def parquet_schema() -> Any:
    """The pyarrow schema of the Parquet export."""
    try:
        import pyarrow as pa
    except ImportError as exc:
        raise ParquetUnavailable(
            "Parquet export needs pyarrow: pip install 'event-archiver[export]'"
        ) from exc
    source = pa.struct([(name, getattr(pa, kind)()) for name, kind in SOURCE_FIELDS])
    related = pa.struct(
        [("url", pa.string()), ("summary", pa.string()), ("context", pa.list_(pa.string()))]
    )
    return pa.schema(
        [
            ("event_id", pa.string()),
            ("url", pa.string()),
            ("date", pa.string()),
            ("headline", pa.string()),
            ("lede", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("depth", pa.int32()),
            ("related", pa.list_(related)),
            ("texts", pa.list_(pa.string())),
            ("sources", pa.list_(source)),
        ]
    )


def write_parquet(
    events: Iterable[EventRecord], path: Path, tick: Callable[[], None] | None = None
) -> int:
    """Write a Parquet file (one row per event) in row groups; return the number of events."""
    schema = parquet_schema()
    import pyarrow as pa
    import pyarrow.parquet as pq

    count = 0
    batch: list[dict[str, Any]] = []
    tmp = path.with_name(path.name + ".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for event in events:
            batch.append(event_record(event))
            count += 1
            if tick:
                tick()
            if len(batch) >= ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch = []
        if batch or count == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    tmp.replace(path)
    return count
