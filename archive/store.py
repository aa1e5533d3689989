"""An archive folder being written: capture WARCs, derived WARCs, CDXJ and the SQLite index.

Everything the index holds is written to a WARC file first: exchanges to `warc/` (with a
CDXJ line per response in `indexes/`), and events, source outcomes and texts as fact
records (archive/facts.py) to `derived/`. The index rows of a record are committed after
the record is with the operating system (a crawl commits them in batches, see
ARCHIVE_INDEX_COMMIT_SECONDS), so after a crash the files are never behind the index, crash
repair adds what the index missed, and `reindex` can rebuild the index from the files alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.recordloader import ArcWarcRecord

from archive.cdxj import CdxjWriter, cdxj_line
from archive.facts import FactContext, apply_facts, make_payload
from archive.index import CaptureRow, Index
from archive.lock import ArchiveLock
from archive.records import (
    Exchange,
    build_conversion_record,
    build_exchange_records,
    build_json_metadata_record,
    build_metadata_record,
    build_revisit_records,
    capture_row,
    warc_date,
)
from archive.warcfile import RotatingWarcWriter

#: Folder names inside an archive directory.
WARC_DIR = "warc"
DERIVED_DIR = "derived"
INDEXES_DIR = "indexes"
TEXTS_DIR = "texts"
INDEX_FILE = "index.sqlite3"
#: Record types that live in `derived/` rather than `warc/`.
DERIVED_TYPES = frozenset({"metadata", "conversion"})


@dataclass(frozen=True)
class FactRows:
    """Index rows of a fact record and of the conversion record written with it, if any."""

    metadata: CaptureRow
    conversion: CaptureRow | None = None


class ArchiveStore:
    """Writes exchanges and facts to WARC files and records their places in the index.

    Holds the folder's lock (archive/lock.py) from creation to `close()`; pass `lock` when
    the caller already holds it (for example after crash repair).
    """

    def __init__(
        self,
        root: Path,
        *,
        prefix: str = "EVENTS",
        max_size: int = 1024**3,
        info: Mapping[str, Any] | None = None,
        hostname: str | None = None,
        clock: Callable[[], datetime] | None = None,
        lock: ArchiveLock | None = None,
        commit_seconds: float = 0.0,
    ) -> None:
        """``commit_seconds``: how long index rows may wait to be committed together
        (:class:`archive.index.Index`; 0 commits each record's rows at once)."""
        self.root = Path(root)
        self.lock = lock if lock is not None else ArchiveLock(self.root)
        self.lock.acquire()
        self.clock = clock or (lambda: datetime.now(UTC))
        info = dict(info or {})
        self.cdxj = CdxjWriter(self.root / INDEXES_DIR)
        self.captures = RotatingWarcWriter(
            self.root / WARC_DIR,
            prefix,
            max_size,
            dict(info, description="HTTP exchanges as received (request and response records)"),
            hostname=hostname,
            clock=self.clock,
            on_close=self.cdxj.finish,
        )
        self.derived = RotatingWarcWriter(
            self.root / DERIVED_DIR,
            prefix + "-derived",
            max_size,
            dict(
                info,
                description="facts (JSON metadata records) and extracted texts (conversion "
                "records) derived from the captures in the warc/ folder",
            ),
            hostname=hostname,
            clock=self.clock,
        )
        self.index = Index(self.root / INDEX_FILE, commit_seconds=commit_seconds)
        #: Set by whoever wrote `texts/` from the final index (a crawl's pipeline does, with
        #: its workers); the crawl writes them at close otherwise.
        self.texts_written = False

    # -- captures -------------------------------------------------------------------------

    def write_exchange(self, exchange: Exchange) -> tuple[CaptureRow, CaptureRow]:
        """Write one request/response pair; return their index rows (request, response)."""
        request, response = build_exchange_records(self.captures.builder, exchange)
        # Response first, as Heritrix and warcprox do: readers find the payload without a seek.
        resp_row, req_row = self.write_captures([response, request])
        return req_row, resp_row

    def write_revisit(
        self, exchange: Exchange, original: CaptureRow, profile: str
    ) -> tuple[CaptureRow, CaptureRow]:
        """Write a request/revisit pair standing for `original`; return (request, revisit) rows."""
        request, revisit = build_revisit_records(self.captures.builder, exchange, original, profile)
        rev_row, req_row = self.write_captures([revisit, request])
        return req_row, rev_row

    def write_captures(self, records: Iterable[ArcWarcRecord]) -> list[CaptureRow]:
        """Write capture records (response, request, revisit, …) to `warc/`, CDXJ and index."""
        records = list(records)
        where = self.captures.write(records)
        rows = [
            capture_row(r, w.filename, w.offset, w.length)
            for r, w in zip(records, where, strict=True)
        ]
        lines = [
            cdxj_line(r, w.filename, w.offset, w.length)
            for r, w in zip(records, where, strict=True)
        ]
        self.cdxj.add(where[0].filename, [line for line in lines if line])
        self.index.add_captures(rows)
        return rows

    # -- facts ----------------------------------------------------------------------------

    def record_facts(
        self,
        url: str,
        facts: Mapping[str, Any],
        *,
        refers_to: str | None = None,
        text: str | None = None,
    ) -> FactRows:
        """Write a fact record (and a conversion record holding `text`), then apply it.

        With `text`, a `text` fact gets the conversion record's id as `conversion_record_id`.
        """
        now = self.clock()
        facts = dict(facts)
        records: list[ArcWarcRecord] = []
        conversions: dict[str, str] = {}
        if text is not None:
            conversion = build_conversion_record(self.derived.builder, url, refers_to, text, now)
            conversion_id = conversion.rec_headers.get_header("WARC-Record-ID")
            conversions[conversion_id] = text
            if "text" in facts:
                facts["text"] = dict(facts["text"], conversion_record_id=conversion_id)
            records.append(conversion)
        payload = make_payload(facts)
        metadata = build_json_metadata_record(self.derived.builder, url, refers_to, payload, now)
        records.append(metadata)
        where = self.derived.write(records)
        rows = [
            capture_row(r, w.filename, w.offset, w.length)
            for r, w in zip(records, where, strict=True)
        ]
        context = FactContext(
            record_id=rows[-1].record_id, date=rows[-1].date, url=url, conversions=conversions
        )
        with self.index.transaction():
            self.index.add_captures(rows)
            apply_facts(self.index, payload, context)
        return FactRows(rows[-1], rows[0] if len(rows) > 1 else None)

    def record_event(self, event: Mapping[str, Any]) -> CaptureRow:
        """Record an event page's fields (see the `event` fact) against its latest capture."""
        page = self.index.latest_response(event["url"])
        return self.record_facts(
            event["url"], {"event": event}, refers_to=page.record_id if page else None
        ).metadata

    def record_source(
        self,
        source: Mapping[str, Any],
        text_fields: Mapping[str, Any] | None = None,
        text: str | None = None,
    ) -> FactRows:
        """Record how a cited URL ended and, when extracted, its text (one fact record)."""
        facts: dict[str, Any] = {"source": dict(source)}
        if text_fields is not None:
            facts["text"] = {
                "url": source["url"],
                **{k: v for k, v in text_fields.items() if k != "text"},
                "response_record_id": source.get("response_record_id"),
            }
        url = source.get("final_url") or source["url"]
        return self.record_facts(url, facts, refers_to=source.get("response_record_id"), text=text)

    def record_text(
        self,
        cited_url: str,
        response_record_id: str | None,
        text_fields: Mapping[str, Any],
        text: str | None,
        url: str | None = None,
    ) -> FactRows:
        """Record a (re-)extracted text for a cited URL: a conversion record and a `text` fact."""
        fact = {
            "url": cited_url,
            **{k: v for k, v in text_fields.items() if k != "text"},
            "response_record_id": response_record_id,
        }
        return self.record_facts(
            url or cited_url, {"text": fact}, refers_to=response_record_id, text=text
        )

    def write_derived(
        self,
        url: str,
        refers_to: str | None,
        metadata: Mapping[str, Any],
        text: str | None,
    ) -> tuple[CaptureRow, CaptureRow | None]:
        """Write a free-form metadata record (warc-fields) and, with `text`, a conversion record.

        These carry no index facts: reindex lists them in `captures` and nothing more.
        """
        now = self.clock()
        builder = self.derived.builder
        records = [build_metadata_record(builder, url, refers_to, metadata, now)]
        if text is not None:
            records.append(build_conversion_record(builder, url, refers_to, text, now))
        where = self.derived.write(records)
        rows = [
            capture_row(r, w.filename, w.offset, w.length)
            for r, w in zip(records, where, strict=True)
        ]
        self.index.add_captures(rows)
        return rows[0], (rows[1] if len(rows) > 1 else None)

    # -- the rest -------------------------------------------------------------------------

    def now(self) -> str:
        """The store's clock as a WARC date string."""
        return warc_date(self.clock())

    def flush(self) -> None:
        """Push WARC bytes to the operating system, then commit the index's open batch."""
        self.captures.flush()
        self.derived.flush()
        self.index.commit()

    def close(self) -> None:
        """Close (fsync and rename) the WARC files, sort their CDXJ, close the index and unlock."""
        try:
            self.captures.close()
            self.derived.close()
            self.cdxj.close()
            self.index.close()
        finally:
            self.lock.release()
