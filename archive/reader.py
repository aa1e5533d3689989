"""Read an archive offline without Scrapy: events, their sources and texts, and WARC snapshots."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from archive import query
from archive.index import CaptureRow, Index
from archive.model import EventRecord, Source, source_from_rows
from archive.search import SearchHit, SearchIndex
from archive.snapshots import DamagedRecord, Snapshot, parse_when, read_snapshot
from archive.store import DERIVED_DIR, INDEX_FILE, TEXTS_DIR, WARC_DIR

__all__ = ["Archive", "DamagedRecord", "EventRecord", "Snapshot", "Source", "write_event_texts"]


class Archive:
    """An archive folder (`ARCHIVE_DIR`) opened for reading."""

    def __init__(self, path: str | Path) -> None:
        self.root = Path(path)
        if not (self.root / INDEX_FILE).exists():
            raise FileNotFoundError(
                f"{self.root} is not an archive: no {INDEX_FILE} (run a crawl with "
                f"-s ARCHIVE_DIR={self.root} first)"
            )
        self.index = Index(self.root / INDEX_FILE, readonly=True)
        self._tags: dict[str, list[str]] | None = None

    def close(self) -> None:
        """Close the index."""
        self.index.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db(self) -> Any:
        """The index's SQLite connection (read-only)."""
        return self.index.db

    # -- events ---------------------------------------------------------------------------

    def event_ids(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        text: str | None = None,
        tag: str | None = None,
        domain: str | None = None,
    ) -> list[str]:
        """Ids of the events matching every filter given, by date then id.

        `since`/`until` are inclusive `YYYY-MM-DD` bounds, `text` a full-text query over
        headlines, ledes and source texts, `tag` a context tag (any case), `domain` a host
        (subdomains included) that one of the event's sources was cited or archived on.
        """
        rows = query.event_rows(self.db, since, until)
        ids = [r["event_id"] for r in rows]
        if tag:
            wanted = tag.casefold()
            tags = self._tag_map()
            keep = {
                r["event_id"]
                for r in rows
                if wanted in (t.casefold() for t in tags.get(query.page_key(r["url"]), []))
            }
            ids = [i for i in ids if i in keep]
        if domain:
            citing = query.event_ids_citing_domain(self.db, domain)
            ids = [i for i in ids if i in citing]
        if text:
            matched = {hit.event_id for hit in self.search(text, limit=None, snippets=False)}
            ids = [i for i in ids if i in matched]
        return ids

    def search(
        self,
        text: str,
        limit: int | None = 20,
        snippets: bool = True,
        within: Collection[str] | None = None,
    ) -> list[SearchHit]:
        """Events whose headline, lede or source texts match `text` (SQLite FTS5), best first."""
        index = SearchIndex.open(self)
        try:
            return index.search(text, limit, snippets, within)
        finally:
            index.close()

    def events(self, **filters: Any) -> list[EventRecord]:
        """Every event matching the filters of `event_ids`, with its sources."""
        return list(self.iter_events(**filters))

    def iter_events(self, batch: int = 200, **filters: Any) -> Iterator[EventRecord]:
        """Events matching the filters of `event_ids`, loaded `batch` at a time."""
        ids = self.event_ids(**filters)
        for part in query.chunks(ids, batch):
            yield from self.load(part)

    def event(self, event_id: str) -> EventRecord:
        """One event with its ordered sources (outcome, provenance, text) and related links."""
        found = self.load([event_id])
        if not found:
            raise KeyError(f"no event {event_id!r} in {self.root}")
        return found[0]

    def resolve_event_id(self, text: str) -> str:
        """The event id `text` names: exact, else the one id it is a prefix or fragment of."""
        ids = self.event_ids()
        if text in ids:
            return text
        matches = [i for i in ids if i.startswith(text)] or [i for i in ids if text in i]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise KeyError(f"no event {text!r} in {self.root}")
        shown = ", ".join(matches[:5]) + (" …" if len(matches) > 5 else "")
        raise KeyError(f"{text!r} matches {len(matches)} events: {shown}")

    def _tag_map(self) -> dict[str, list[str]]:
        if self._tags is None:
            self._tags = query.tag_map(self.db)
        return self._tags

    def load(self, event_ids: Sequence[str]) -> list[EventRecord]:
        """Build event records for these ids (in this order) with a few bulk queries."""
        rows = query.events_by_id(self.db, event_ids)
        ids = [i for i in event_ids if i in rows]
        cites = query.citations(self.db, ids)
        keys = [c["url_key"] for cs in cites.values() for c in cs]
        sources = query.by_url_key(self.db, "sources", keys)
        texts = query.by_url_key(self.db, "texts", keys)
        captures = query.captures_by_id(
            self.db, (s["response_record_id"] or "" for s in sources.values())
        )
        related = query.related(self.db, ids)
        tags = self._tag_map()
        out = []
        for eid in ids:
            row = rows[eid]
            srcs = []
            for c in cites[eid]:
                src = sources.get(c["url_key"])
                cap = captures.get((src or {}).get("response_record_id") or "")
                srcs.append(source_from_rows(c, src, texts.get(c["url_key"]), cap and cap["date"]))
            out.append(
                EventRecord(
                    event_id=eid,
                    url=row["url"],
                    date=row["date"],
                    headline=row["headline"],
                    lede=row["lede"],
                    depth=row["depth"],
                    sources=srcs,
                    related=[
                        {
                            "url": r["url"],
                            "summary": r["summary"],
                            "context": json.loads(r["context"]),
                        }
                        for r in related[eid]
                    ],
                    tags=list(tags.get(query.page_key(row["url"]), [])),
                )
            )
        return out

    def tags(self) -> dict[str, int]:
        """Every context tag with the number of events it is given to."""
        counts: dict[str, int] = {}
        for row in query.event_rows(self.db):
            for tag in self._tag_map().get(query.page_key(row["url"]), []):
                counts[tag] = counts.get(tag, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold())))

    def outcome_counts(self) -> dict[str, int]:
        """Distinct cited URLs by outcome."""
        return self.index.outcome_counts()

    # -- WARC records ---------------------------------------------------------------------

    def warc_files(self, include_open: bool = False) -> list[Path]:
        """Capture and derived WARC files (closed ones; also `.open` ones if asked)."""
        patterns = ("*.warc.gz", "*.warc.gz.open") if include_open else ("*.warc.gz",)
        return [
            path
            for folder in (WARC_DIR, DERIVED_DIR)
            for path in sorted(p for pat in patterns for p in (self.root / folder).glob(pat))
        ]

    def _path_of(self, row: Any) -> Path:
        folder = DERIVED_DIR if row.record_type in ("metadata", "conversion") else WARC_DIR
        path = self.root / folder / row.warc_file
        if not path.exists() and (self.root / folder / (row.warc_file + ".open")).exists():
            path = self.root / folder / (row.warc_file + ".open")
        return path

    def read_record(self, row: Any) -> Snapshot:
        """Read the record of a capture row at its indexed offset (DamagedRecord if not whole)."""
        return read_snapshot(self._path_of(row), row)

    def versions(self, url: str) -> list[CaptureRow]:
        """Every archived version (response or revisit record) of `url`, oldest first."""
        return [_capture_row(r) for r in query.versions(self.db, url)]

    def snapshot(self, url: str, at: str | datetime | None = None) -> Snapshot:
        """The response captured for `url` nearest to `at` (the latest when None).

        `at` is a datetime, `YYYY-MM-DD`, an ISO date-time or a 14-digit timestamp. A
        revisit record is answered with the body of the response it refers to.
        """
        rows = self.versions(url)
        if not rows:
            raise KeyError(f"{url} was not captured in {self.root}")
        if at is None:
            chosen = rows[-1]
        else:
            target = parse_when(at).timestamp()
            chosen = min(rows, key=lambda r: abs(parse_when(r.date).timestamp() - target))
        return self.snapshot_of(chosen)

    def snapshot_by_id(self, record_id: str) -> Snapshot:
        """The archived response held by one WARC record id."""
        row = self.index.db.execute("SELECT * FROM captures WHERE record_id=?", (record_id,))
        found = row.fetchone()
        if found is None:
            raise KeyError(f"no record {record_id} in {self.root}")
        return self.snapshot_of(_capture_row(dict(found)))

    def snapshot_of(self, row: CaptureRow) -> Snapshot:
        """Read a version; a revisit gets its original's body (and headers if it has none)."""
        if row.record_type != "revisit":
            return self.read_record(row)
        original = query.original_of_revisit(self.db, row.__dict__)
        if original is None:
            raise DamagedRecord(
                f"revisit {row.record_id} of {row.url}: its original is not indexed"
            )
        snap = self.read_record(_capture_row(original))
        try:
            own = self.read_record(row)
        except DamagedRecord:
            own = None
        if own is not None and own.status == 304:
            own = None  # server-not-modified: the original's status and headers still hold
        headers = own.headers if own is not None and own.headers else snap.headers
        status = own.status if own is not None and own.status else snap.status
        return Snapshot(
            url=row.url,
            date=row.date,
            status=status,
            headers=headers,
            body=snap.body,
            raw_body=snap.raw_body,
            record_id=row.record_id,
            warc_file=row.warc_file,
            offset=row.offset,
            record_type="revisit",
            revisit_of=snap.record_id,
        )


def _capture_row(row: dict[str, Any]) -> CaptureRow:
    """A CaptureRow from an index row, ignoring columns later schemas may add."""
    names = CaptureRow.__dataclass_fields__
    return CaptureRow(**{k: v for k, v in row.items() if k in names})


def texts_path(root: Path, event_id: str) -> Path:
    """Where an event's readable text record lives, refusing ids that would leave `root`."""
    base = (Path(root) / TEXTS_DIR).resolve()
    path = (base / f"{event_id}.json").resolve()
    if base not in path.parents:
        raise ValueError(f"event id {event_id!r} would leave the archive folder")
    return path


def write_event_texts(root: str | Path, event_ids: Sequence[str] | None = None) -> list[Path]:
    """Write `texts/<event_id>.json` for every event (fields, ordered sources and texts), or
    for the events of ``event_ids`` (a crawl splits them between its worker processes)."""
    written = []
    with Archive(root) as arc:
        events = (
            arc.iter_events()
            if event_ids is None
            else (e for part in query.chunks(list(event_ids), 200) for e in arc.load(part))
        )
        for event in events:
            path = texts_path(arc.root, event.event_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".json.tmp")
            tmp.write_text(
                json.dumps(event.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
            tmp.replace(path)
            written.append(path)
    return written
