"""Read an archive offline without Scrapy: events, their sources and texts, and WARC snapshots."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from archive.index import CaptureRow, Index
from archive.store import DERIVED_DIR, INDEX_FILE, TEXTS_DIR, WARC_DIR


@dataclass
class Snapshot:
    """An archived HTTP response: status, headers in wire order, body as the client saw it."""

    url: str
    date: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    raw_body: bytes
    record_id: str
    warc_file: str
    offset: int


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

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        data = dict(self.__dict__)
        data["sources"] = [s.to_dict() for s in self.sources]
        return data


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

    def close(self) -> None:
        """Close the index."""
        self.index.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- events ---------------------------------------------------------------------------

    def event_ids(self) -> list[str]:
        """Every event id, by date."""
        return [row["event_id"] for row in self.index.events()]

    def events(self) -> list[EventRecord]:
        """Every event with its sources."""
        return [self.event(eid) for eid in self.event_ids()]

    def event(self, event_id: str) -> EventRecord:
        """One event with its ordered sources (outcome, provenance, text) and related links."""
        row = self.index.event(event_id)
        if row is None:
            raise KeyError(f"no event {event_id!r} in {self.root}")
        sources = [
            Source(
                position=s["position"],
                label=s["label"],
                url=s["url"],
                kind=s["kind"] or s["cited_kind"],
                outcome=s["outcome"] or "pending",
                archived_url=s["final_url"],
                status=s["status"],
                reason=s["reason"],
                response_record_id=s["response_record_id"],
                text_status=s["text_status"],
                title=s["title"],
                author=s["author"],
                published=s["published"],
                language=s["language"],
                sitename=s["sitename"],
                text=s["text"],
                hops=json.loads(s["hops"]) if s["hops"] else [],
            )
            for s in self.index.event_sources(event_id)
        ]
        related = [
            {"url": r["url"], "summary": r["summary"], "context": json.loads(r["context"])}
            for r in self.index.related(event_id)
        ]
        return EventRecord(
            event_id=row["event_id"],
            url=row["url"],
            date=row["date"],
            headline=row["headline"],
            lede=row["lede"],
            depth=row["depth"],
            sources=sources,
            related=related,
        )

    def outcome_counts(self) -> dict[str, int]:
        """Distinct cited URLs by outcome."""
        return self.index.outcome_counts()

    # -- WARC records ---------------------------------------------------------------------

    def warc_files(self) -> list[Path]:
        """Closed capture and derived WARC files."""
        return sorted((self.root / WARC_DIR).glob("*.warc.gz")) + sorted(
            (self.root / DERIVED_DIR).glob("*.warc.gz")
        )

    def _path_of(self, row: CaptureRow) -> Path:
        folder = DERIVED_DIR if row.record_type in ("metadata", "conversion") else WARC_DIR
        path = self.root / folder / row.warc_file
        if not path.exists() and (self.root / folder / (row.warc_file + ".open")).exists():
            path = self.root / folder / (row.warc_file + ".open")
        return path

    def read_record(self, row: CaptureRow) -> Snapshot:
        """Read the response record of `row` at its indexed offset."""
        with open(self._path_of(row), "rb") as fh:
            fh.seek(row.offset)
            record = next(iter(ArchiveIterator(fh)))
            rec_id = record.rec_headers.get_header("WARC-Record-ID")
            if rec_id != row.record_id:
                raise ValueError(
                    f"{row.warc_file}@{row.offset} holds {rec_id}, not {row.record_id}: "
                    "the index does not match the WARC file"
                )
            raw = record.raw_stream.read()
        with open(self._path_of(row), "rb") as fh:
            fh.seek(row.offset)
            record = next(iter(ArchiveIterator(fh)))
            decoded = record.content_stream().read()
            http = record.http_headers
            headers = list(http.headers) if http is not None else []
            status = int(http.get_statuscode()) if http is not None else 0
        return Snapshot(
            url=row.url,
            date=row.date,
            status=status,
            headers=headers,
            body=decoded,
            raw_body=raw,
            record_id=row.record_id,
            warc_file=row.warc_file,
            offset=row.offset,
        )

    def snapshot(self, url: str, at: str | None = None) -> Snapshot:
        """The response captured for `url` nearest to the WARC date `at` (latest if None)."""
        rows = [r for r in self.index.captures("response") if r.url == url]
        if not rows:
            raise KeyError(f"{url} was not captured in {self.root}")
        if at is None:
            chosen = max(rows, key=lambda r: r.date)
        else:
            chosen = min(rows, key=lambda r: abs(_seconds(r.date) - _seconds(at)))
        return self.read_record(chosen)


def _seconds(warc_date: str) -> float:
    from datetime import datetime

    text = warc_date.rstrip("Z")
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in text else "%Y-%m-%dT%H:%M:%S"
    if len(text) == 10:
        fmt = "%Y-%m-%d"
    return datetime.strptime(text, fmt).timestamp()


def texts_path(root: Path, event_id: str) -> Path:
    """Where an event's readable text record lives, refusing ids that would leave `root`."""
    base = (Path(root) / TEXTS_DIR).resolve()
    path = (base / f"{event_id}.json").resolve()
    if base not in path.parents:
        raise ValueError(f"event id {event_id!r} would leave the archive folder")
    return path


def write_event_texts(root: str | Path) -> list[Path]:
    """Write `texts/<event_id>.json` for every event (fields, ordered sources and texts)."""
    written = []
    with Archive(root) as arc:
        for event in arc.events():
            path = texts_path(arc.root, event.event_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".json.tmp")
            tmp.write_text(
                json.dumps(event.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
            tmp.replace(path)
            written.append(path)
    return written
