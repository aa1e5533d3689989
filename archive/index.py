"""The archive's SQLite index: events, citations, captures, source outcomes and texts."""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    date TEXT,
    headline TEXT NOT NULL,
    lede TEXT NOT NULL,
    day_index_url TEXT,
    depth INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS citations (
    event_id TEXT NOT NULL REFERENCES events(event_id),
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    url TEXT NOT NULL,
    url_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);
CREATE INDEX IF NOT EXISTS citations_url_key ON citations(url_key);
CREATE TABLE IF NOT EXISTS related (
    event_id TEXT NOT NULL REFERENCES events(event_id),
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    summary TEXT NOT NULL,
    context TEXT NOT NULL,
    PRIMARY KEY (event_id, position)
);
CREATE TABLE IF NOT EXISTS captures (
    record_id TEXT PRIMARY KEY,
    warc_file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    record_type TEXT NOT NULL,
    url TEXT NOT NULL,
    date TEXT NOT NULL,
    status INTEGER,
    mime TEXT,
    payload_digest TEXT,
    concurrent_to TEXT,
    refers_to TEXT
);
CREATE INDEX IF NOT EXISTS captures_url ON captures(url);
CREATE TABLE IF NOT EXISTS sources (
    url_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    final_url TEXT,
    status INTEGER,
    reason TEXT,
    response_record_id TEXT,
    hops TEXT NOT NULL DEFAULT '[]',
    updated TEXT NOT NULL,
    service TEXT,
    snapshot_date TEXT,
    snapshot_distance_days INTEGER,
    fallback TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS domain_health (
    domain TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    reason TEXT,
    last_failure TEXT,
    last_success TEXT,
    dead_since TEXT
);
CREATE TABLE IF NOT EXISTS archive_lookups (
    url TEXT PRIMARY KEY,
    service TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    fetched TEXT NOT NULL
);
-- Crawl state, not facts: every discovered URL and its state (archive/ledger.py).
CREATE TABLE IF NOT EXISTS ledger (
    url_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_after TEXT,
    context TEXT NOT NULL DEFAULT '{}',
    pass_no INTEGER NOT NULL DEFAULT 1,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_state ON ledger(pass_no, state);
CREATE TABLE IF NOT EXISTS texts (
    url_key TEXT PRIMARY KEY,
    response_record_id TEXT,
    conversion_record_id TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    title TEXT,
    author TEXT,
    published TEXT,
    language TEXT,
    sitename TEXT,
    extractor TEXT,
    text TEXT,
    event_id TEXT,
    date_gap_days INTEGER,
    date_flag TEXT
);
"""

#: Columns added to tables after their first release, for archives made before them.
ADDED_COLUMNS = (
    ("sources", "service", "TEXT"),
    ("sources", "snapshot_date", "TEXT"),
    ("sources", "snapshot_distance_days", "INTEGER"),
    ("sources", "fallback", "TEXT NOT NULL DEFAULT '[]'"),
    # the citing event that guided extraction, and the publication date's distance from it
    ("texts", "event_id", "TEXT"),
    ("texts", "date_gap_days", "INTEGER"),
    ("texts", "date_flag", "TEXT"),
)


@functools.lru_cache(maxsize=8192)  # a crawl asks for the same URL's key many times
def url_key(url: str) -> str:
    """The key under which a URL is stored: canonical form, as Scrapy's duplicate filter sees it."""
    try:
        return canonicalize_url(url.strip())
    except ValueError:
        return url.strip()


@dataclass(frozen=True)
class CaptureRow:
    """A WARC record known to the index."""

    record_id: str
    warc_file: str
    offset: int
    length: int
    record_type: str
    url: str
    date: str
    status: int | None
    mime: str | None
    payload_digest: str | None
    concurrent_to: str | None = None
    refers_to: str | None = None


class Index:
    """Read/write access to `index.sqlite3` in an archive folder (WAL mode)."""

    def __init__(
        self,
        path: Path,
        readonly: bool = False,
        *,
        commit_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Open (and create) the index. With ``commit_seconds`` > 0, the blocks of
        :meth:`transaction` are gathered in one SQLite transaction committed when it is that
        old (see :meth:`transaction`); :meth:`commit` and :meth:`close` commit at once."""
        self.path = Path(path)
        self._depth = 0  # nesting of transaction() blocks
        self.commit_seconds = commit_seconds
        self.clock = clock
        self._batch_started: float | None = None  # when the open batch's first block began
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(f"no archive index at {self.path}")
            uri = f"file:{self.path}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            self._add_missing_columns()
            self.db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )
            self.db.commit()
        self.db.row_factory = sqlite3.Row

    def _add_missing_columns(self) -> None:
        """Bring the tables of an archive made by an older version up to date."""
        for table, column, declaration in ADDED_COLUMNS:
            have = {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")

    def close(self) -> None:
        """Commit what is pending and close the database."""
        self.commit()
        self.db.close()

    def commit(self) -> None:
        """Commit the open batch of blocks, if any (other connections then see it)."""
        self.db.commit()
        self._batch_started = None

    def commit_due(self) -> None:
        """Commit the open batch when it is ``commit_seconds`` old (a quiet crawl's timer)."""
        started = self._batch_started
        if started is not None and not self._depth:
            if self.clock() - started >= self.commit_seconds:
                self.commit()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block of writes as one transaction (nested blocks join the outer one).

        With ``commit_seconds`` > 0 the block is a savepoint in a longer transaction: its
        writes are visible to this connection at once and to other connections when the
        batch commits (at the end of the first block that finds the batch that old, at
        :meth:`commit_due` or :meth:`commit`). A block that raises is rolled back alone.
        One commit for the records of many pages instead of two or three per page; a
        crash loses only index rows, and the archive's repair restores them from the WARC
        records, which are always written first.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.db
            finally:
                self._depth -= 1
            return
        self._depth = 1
        if self.commit_seconds <= 0:
            try:
                with self.db:
                    yield self.db
            finally:
                self._depth = 0
            return
        try:
            if not self.db.in_transaction:
                self.db.execute("BEGIN")
                self._batch_started = self.clock()
            self.db.execute("SAVEPOINT block")
            try:
                yield self.db
            except BaseException:
                self._roll_back_block()
                raise
            self.db.execute("RELEASE block")
        finally:
            self._depth = 0
        self.commit_due()

    def _roll_back_block(self) -> None:
        """Undo the failed block's writes and keep the rest of the batch."""
        try:
            self.db.execute("ROLLBACK TO block")
            self.db.execute("RELEASE block")
        except sqlite3.Error:
            pass  # SQLite already rolled the whole transaction back (disk full, I/O error)
        if not self.db.in_transaction and self._batch_started is not None:
            logger.error(
                "SQLite rolled back the index's open batch after an error: the rows of the"
                " records written in the last %.1f s are missing from the index until"
                " `python -m archive reindex` rebuilds it from the WARC files",
                self.clock() - self._batch_started,
            )
            self._batch_started = None

    # -- writes -----------------------------------------------------------------------------

    def add_event(
        self,
        *,
        event_id: str,
        url: str,
        date: str | None,
        headline: str,
        lede: str,
        day_index_url: str | None,
        depth: int,
        seen: str,
        sources: Sequence[tuple[int, str, str, str]],
        related: Sequence[tuple[int, str, str, Sequence[str]]],
        warnings: Sequence[str] = (),
    ) -> None:
        """Insert or replace an event, its citations (position, label, url, kind) and related."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO events(event_id, url, date, headline, lede, day_index_url, depth,"
                " first_seen, warnings) VALUES (?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(event_id) DO UPDATE SET url=excluded.url, date=excluded.date,"
                " headline=excluded.headline, lede=excluded.lede,"
                " day_index_url=excluded.day_index_url, depth=MIN(depth, excluded.depth),"
                " warnings=excluded.warnings",
                (
                    event_id,
                    url,
                    date,
                    headline,
                    lede,
                    day_index_url,
                    depth,
                    seen,
                    json.dumps(list(warnings)),
                ),
            )
            db.execute("DELETE FROM citations WHERE event_id=?", (event_id,))
            db.executemany(
                "INSERT INTO citations(event_id, position, label, url, url_key, kind)"
                " VALUES (?,?,?,?,?,?)",
                [(event_id, pos, label, u, url_key(u), kind) for pos, label, u, kind in sources],
            )
            db.execute("DELETE FROM related WHERE event_id=?", (event_id,))
            db.executemany(
                "INSERT INTO related(event_id, position, url, summary, context) VALUES (?,?,?,?,?)",
                [(event_id, pos, u, s, json.dumps(list(ctx))) for pos, u, s, ctx in related],
            )

    def add_captures(self, rows: Sequence[CaptureRow]) -> None:
        """Record where WARC records were written."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO captures(record_id, warc_file, offset, length, record_type,"
                " url, date, status, mime, payload_digest, concurrent_to, refers_to)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        r.record_id,
                        r.warc_file,
                        r.offset,
                        r.length,
                        r.record_type,
                        r.url,
                        r.date,
                        r.status,
                        r.mime,
                        r.payload_digest,
                        r.concurrent_to,
                        r.refers_to,
                    )
                    for r in rows
                ],
            )

    def set_source(
        self,
        *,
        url: str,
        kind: str,
        outcome: str,
        final_url: str | None,
        status: int | None,
        reason: str | None,
        response_record_id: str | None,
        hops: Sequence[dict[str, Any]],
        updated: str,
        service: str | None = None,
        snapshot_date: str | None = None,
        snapshot_distance_days: int | None = None,
        fallback: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Record how a cited URL ended: its provenance outcome and the capture that holds it.

        For a copy from an archive service: the service, the snapshot's date and its distance
        in days from the event's date; `fallback` lists every step tried, in order.
        """
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO sources(url_key, url, kind, outcome, final_url, status,"
                " reason, response_record_id, hops, updated, service, snapshot_date,"
                " snapshot_distance_days, fallback) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    url_key(url),
                    url,
                    kind,
                    outcome,
                    final_url,
                    status,
                    reason,
                    response_record_id,
                    json.dumps(list(hops)),
                    updated,
                    service,
                    snapshot_date,
                    snapshot_distance_days,
                    json.dumps(list(fallback)),
                ),
            )

    def set_domain_health(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write domain-health rows (dicts keyed by the domain_health table's columns)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO domain_health(domain, failures, reason, last_failure,"
                " last_success, dead_since) VALUES (:domain, :failures, :reason, :last_failure,"
                " :last_success, :dead_since)",
                rows,
            )

    def cache_lookup(self, *, url: str, service: str, status: int, body: str, fetched: str) -> None:
        """Keep an archive service's answer to `url` so a later run need not ask again."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO archive_lookups(url, service, status, body, fetched)"
                " VALUES (?,?,?,?,?)",
                (url, service, status, body, fetched),
            )

    def set_text(self, *, url: str, fields: dict[str, Any]) -> None:
        """Record the extraction result for a cited URL."""
        columns = ["url_key", *fields]
        with self.transaction() as db:
            db.execute(
                f"INSERT OR REPLACE INTO texts({', '.join(columns)})"
                f" VALUES ({', '.join('?' * len(columns))})",
                (url_key(url), *fields.values()),
            )

    # -- queries ----------------------------------------------------------------------------

    def event_ids_citing(self, url: str) -> list[str]:
        """Ids of the events that cite `url` (in any of its spellings with the same key)."""
        rows = self.db.execute(
            "SELECT DISTINCT event_id FROM citations WHERE url_key=? ORDER BY event_id",
            (url_key(url),),
        )
        return [r[0] for r in rows]

    def events(self) -> list[sqlite3.Row]:
        """Every event, by date then id."""
        return list(self.db.execute("SELECT * FROM events ORDER BY date, event_id"))

    def event(self, event_id: str) -> sqlite3.Row | None:
        """One event row."""
        return self.db.execute("SELECT * FROM events WHERE event_id=?", (event_id,)).fetchone()

    def event_sources(self, event_id: str) -> list[sqlite3.Row]:
        """An event's citations in order, joined with their outcome and text."""
        return list(
            self.db.execute(
                "SELECT c.position, c.label, c.url, c.kind AS cited_kind, s.kind, s.outcome,"
                " s.final_url, s.status, s.reason, s.response_record_id, s.hops, s.service,"
                " s.snapshot_date, s.snapshot_distance_days, s.fallback,"
                " t.status AS text_status, t.reason AS text_reason, t.title, t.author,"
                " t.published, t.language, t.sitename, t.text, t.conversion_record_id,"
                " t.date_gap_days, t.date_flag"
                " FROM citations c LEFT JOIN sources s ON s.url_key = c.url_key"
                " LEFT JOIN texts t ON t.url_key = c.url_key"
                " WHERE c.event_id=? ORDER BY c.position",
                (event_id,),
            )
        )

    def related(self, event_id: str) -> list[sqlite3.Row]:
        """An event's related-event links in order."""
        return list(
            self.db.execute("SELECT * FROM related WHERE event_id=? ORDER BY position", (event_id,))
        )

    def capture(self, record_id: str) -> CaptureRow | None:
        """The capture row of one WARC record id."""
        row = self.db.execute("SELECT * FROM captures WHERE record_id=?", (record_id,)).fetchone()
        return CaptureRow(**dict(row)) if row else None

    def latest_response(self, url: str) -> CaptureRow | None:
        """The latest response record captured for exactly `url`."""
        row = self.db.execute(
            "SELECT * FROM captures WHERE url=? AND record_type='response'"
            " ORDER BY date DESC, record_id LIMIT 1",
            (url,),
        ).fetchone()
        return CaptureRow(**dict(row)) if row else None

    def captures(self, record_type: str | None = None) -> list[CaptureRow]:
        """Every capture row (optionally of one record type), in file order."""
        sql = "SELECT * FROM captures"
        args: tuple[str, ...] = ()
        if record_type:
            sql += " WHERE record_type=?"
            args = (record_type,)
        sql += " ORDER BY warc_file, offset"
        return [CaptureRow(**dict(r)) for r in self.db.execute(sql, args)]

    def domain_health(self) -> list[sqlite3.Row]:
        """Every domain that ever failed, with its consecutive failures and dead_since."""
        return list(self.db.execute("SELECT * FROM domain_health ORDER BY domain"))

    def cached_lookup(self, url: str, since: str) -> sqlite3.Row | None:
        """An archive service's kept answer to `url` if fetched at or after `since`."""
        return self.db.execute(
            "SELECT * FROM archive_lookups WHERE url=? AND fetched>=?", (url, since)
        ).fetchone()

    def sources(self) -> list[sqlite3.Row]:
        """Every source outcome row."""
        return list(self.db.execute("SELECT * FROM sources ORDER BY url"))

    def outcome_counts(self) -> dict[str, int]:
        """How many distinct cited URLs ended with each outcome ('pending' if none yet)."""
        rows = self.db.execute(
            "SELECT COALESCE(s.outcome, 'pending') AS outcome, COUNT(DISTINCT c.url_key)"
            " FROM citations c LEFT JOIN sources s ON s.url_key = c.url_key GROUP BY 1"
        )
        return {r[0]: r[1] for r in rows}
