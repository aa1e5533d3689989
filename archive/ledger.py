"""The crawl ledger: every URL a crawl discovered, its state and what it takes to request it again.

The ledger is crawl state, not an archive fact. What it says of *archived* URLs can be
derived from the fact tables (`sources`, `events`) and the captures, and the crawl checks
those before trusting it; the *frontier* (URLs discovered but not finished, failed attempts
and when to retry them) exists nowhere else. So `reindex` carries the table over instead of
rebuilding it (archive/rebuild.py `carry_over`), as it does for `archive_lookups`.

Rows are buffered and written in one transaction every `batch_rows` rows or `batch_seconds`
seconds, and at close; after a power loss only the last batch of *discoveries* can be lost,
and the pages that discovered them are re-parsed because their own `archived` mark is in the
same or a later batch (a page is marked done after its children, in buffer order).

A *pass* is one complete crawl of the start URLs: a run that resumes an unfinished crawl
keeps its pass; a run after a finished one starts the next pass (an incremental re-crawl),
in which pages archived before are revalidated and failed URLs retried when due.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.index import Index, url_key
from archive.store import INDEX_FILE

__all__ = [
    "DONE_STATES",
    "PENDING_STATES",
    "ROLES",
    "STATES",
    "Entry",
    "Ledger",
    "retry_after",
    "last_pass",
    "retry_due",
]

ROLES = ("start", "day_index", "event", "source")
STATES = ("discovered", "fetched", "archived", "failed", "dead")
#: States of a URL still to be done in its pass.
PENDING_STATES = ("discovered", "fetched")
#: States that end a URL's work for its pass (failed: may be retried in a later pass).
DONE_STATES = ("archived", "failed", "dead")


def _now_iso(moment: float) -> str:
    """UTC time as WARC dates are written (microseconds), so the two sort together."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Entry:
    """One ledger row: a URL, its role, state and the context to re-create its request."""

    url: str
    role: str
    state: str = "discovered"
    reason: str | None = None
    attempts: int = 0
    next_attempt_after: str | None = None
    #: depth, cited_url, cited_kind, citing_event, event_id: whatever the spider needs.
    context: dict[str, Any] = field(default_factory=dict)
    pass_no: int = 1
    updated: str = ""

    @property
    def key(self) -> str:
        """The canonical URL the row is keyed by (as Scrapy's duplicate filter sees it)."""
        return url_key(self.url)

    @property
    def pending(self) -> bool:
        """Whether the URL is still to be done in its pass."""
        return self.state in PENDING_STATES


def retry_after(now: float, attempts: int, backoff: float) -> str:
    """When a URL that failed `attempts` times may be tried again (backoff doubling per attempt)."""
    delay = backoff * (2 ** max(attempts - 1, 0))
    return _now_iso(now + delay)


def retry_due(entry: Entry, now: float, max_attempts: int, backoff: float) -> bool:
    """Whether a failed URL may be tried again now: attempts left, and the backoff (with the
    current setting, counted from the failure) is over."""
    if entry.state != "failed" or entry.attempts >= max_attempts:
        return False
    if not entry.updated:
        return True
    return retry_after(_parse_iso(entry.updated), entry.attempts, backoff) <= _now_iso(now)


def _parse_iso(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


class Ledger:
    """The `ledger` table of an archive's index, written in batches."""

    def __init__(
        self,
        index: Index,
        *,
        batch_rows: int = 200,
        batch_seconds: float = 2.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.index = index
        self.batch_rows = batch_rows
        self.batch_seconds = batch_seconds
        self.clock = clock
        self._buffer: dict[str, Entry] = {}
        self._last_flush = clock()
        self.rows_written = 0

    # -- reads --------------------------------------------------------------------------

    def get(self, url: str) -> Entry | None:
        """The row of `url` (buffered or committed), or None."""
        key = url_key(url)
        if key in self._buffer:
            return self._buffer[key]
        row = self.index.db.execute("SELECT * FROM ledger WHERE url_key=?", (key,)).fetchone()
        return _entry(row) if row is not None else None

    def rows(self, where: str = "", args: Iterable[Any] = ()) -> list[Entry]:
        """Committed rows matching an SQL condition (the buffer is flushed first)."""
        self.flush()
        sql = "SELECT * FROM ledger" + (f" WHERE {where}" if where else "") + " ORDER BY rowid"
        return [_entry(r) for r in self.index.db.execute(sql, tuple(args))]

    def pending(self, pass_no: int) -> list[Entry]:
        """URLs discovered in pass `pass_no` and not done: the frontier to re-seed."""
        marks = ",".join("?" * len(PENDING_STATES))
        return self.rows(f"pass_no=? AND state IN ({marks})", (pass_no, *PENDING_STATES))

    def counts(self, pass_no: int | None = None) -> dict[tuple[str, str], int]:
        """How many rows per (role, state), in one pass or overall."""
        self.flush()
        sql = "SELECT role, state, COUNT(*) FROM ledger"
        args: tuple[Any, ...] = ()
        if pass_no is not None:
            sql += " WHERE pass_no=?"
            args = (pass_no,)
        sql += " GROUP BY role, state"
        return {(r[0], r[1]): r[2] for r in self.index.db.execute(sql, args)}

    def max_pass(self) -> int:
        """The highest pass number recorded (0 for an empty ledger)."""
        self.flush()
        row = self.index.db.execute("SELECT MAX(pass_no) FROM ledger").fetchone()
        return int(row[0] or 0)

    # -- writes -------------------------------------------------------------------------

    def put(self, entry: Entry) -> Entry:
        """Buffer a row (the latest write of a URL wins); flush when the batch is full or old."""
        entry = replace(entry, updated=_now_iso(self.clock()))
        self._buffer[entry.key] = entry
        self.maybe_flush()
        return entry

    def update(self, url: str, role: str, **changes: Any) -> Entry:
        """Change fields of the row of `url` (created with `role` when missing)."""
        entry = self.get(url) or Entry(url=url, role=role)
        return self.put(replace(entry, **changes))

    def maybe_flush(self) -> None:
        """Flush when `batch_rows` rows wait or the oldest waited `batch_seconds`."""
        if len(self._buffer) >= self.batch_rows or (
            self._buffer and self.clock() - self._last_flush >= self.batch_seconds
        ):
            self.flush()

    def flush(self) -> int:
        """Commit the buffered rows in one transaction; return how many."""
        self._last_flush = self.clock()
        if not self._buffer:
            return 0
        rows = list(self._buffer.values())
        with self.index.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO ledger(url_key, url, role, state, reason, attempts,"
                " next_attempt_after, context, pass_no, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        e.key,
                        e.url,
                        e.role,
                        e.state,
                        e.reason,
                        e.attempts,
                        e.next_attempt_after,
                        json.dumps(e.context, sort_keys=True),
                        e.pass_no,
                        e.updated,
                    )
                    for e in rows
                ],
            )
        self._buffer.clear()
        self.rows_written += len(rows)
        return len(rows)


def _entry(row: Any) -> Entry:
    return Entry(
        url=row["url"],
        role=row["role"],
        state=row["state"],
        reason=row["reason"],
        attempts=row["attempts"],
        next_attempt_after=row["next_attempt_after"],
        context=json.loads(row["context"] or "{}"),
        pass_no=row["pass_no"],
        updated=row["updated"],
    )


def last_pass(root: str | Path) -> int:
    """The highest pass in an archive folder's ledger, read-only (0 when there is none)."""
    path = Path(root) / INDEX_FILE
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT MAX(pass_no) FROM ledger").fetchone()
    except sqlite3.DatabaseError:  # an index made before the ledger existed
        return 0
    finally:
        db.close()
    return int(row[0] or 0)
