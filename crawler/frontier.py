"""What to request, from the ledger and the index: resume, incremental re-runs, the final report.

The spider asks `admit_page` / `admit_source` before it yields a request: a URL already
requested in this run, done in this pass, or (a source) archived in any run is not fetched
again; a failed one is retried in a later pass when `retry_due`; a page archived in an
earlier pass is revalidated against its last 200 capture. The pipeline and the spider tell
it how each URL ended. No Scrapy here (the extension in crawler/resume.py wires it in).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archive.index import CaptureRow, Index, url_key
from archive.ledger import DONE_STATES, Entry, Ledger, retry_after, retry_due
from archive.snapshots import DamagedRecord, Snapshot, read_snapshot
from archive.store import WARC_DIR
from crawler.runstate import StartDecision

logger = logging.getLogger(__name__)

PAGE_ROLES = ("start", "day_index", "event")


@dataclass(frozen=True)
class Admission:
    """Whether to request a URL, and the capture to revalidate it against."""

    fetch: bool
    why: str  # new | revalidate | retry | requested | done | archived | failed | dead
    original: CaptureRow | None = None


@dataclass
class Report:
    """What a pass has done and what it still misses, with reasons."""

    pass_no: int
    counts: dict[tuple[str, str], int]
    missing: list[Entry] = field(default_factory=list)

    def lines(self, limit: int = 10) -> list[str]:
        """Human-readable lines for the log."""
        by_role: dict[str, list[str]] = {}
        for (role, state), n in sorted(self.counts.items()):
            by_role.setdefault(role, []).append(f"{n} {state}")
        states = "; ".join(f"{role} {', '.join(parts)}" for role, parts in by_role.items())
        out = [f"Ledger, pass {self.pass_no}: {states or 'empty'}"]
        if not self.missing:
            out.append("Complete: every discovered URL of this pass is archived")
            return out
        reasons = Counter(f"{e.state}: {e.reason or '?'}" for e in self.missing)
        out.append(
            f"Still missing: {len(self.missing)} URLs ("
            + ", ".join(f"{why} {n}" for why, n in reasons.most_common())
            + ")"
        )
        out += [f"  missing {e.role} {e.url}: {_why_missing(e)}" for e in self.missing[:limit]]
        if len(self.missing) > limit:
            out.append(f"  … and {len(self.missing) - limit} more (see the index's ledger table)")
        return out


def validators(snapshot: Snapshot) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from an archived response's ETag / Last-Modified."""
    out = {}
    etag = snapshot.header("ETag")
    if etag:
        out["If-None-Match"] = etag
    modified = snapshot.header("Last-Modified")
    if modified:
        out["If-Modified-Since"] = modified
    return out


def _why_missing(entry: Entry) -> str:
    if entry.state == "failed":
        return f"failed ({entry.reason or '?'}), to retry after {entry.next_attempt_after}"
    if entry.state == "dead":
        return f"dead after {entry.attempts} attempts ({entry.reason or '?'})"
    return f"not finished ({entry.state})"


class Frontier:
    """The crawl's view of the ledger: admissions, state changes, resume and sweep lists."""

    def __init__(
        self,
        ledger: Ledger,
        root: Path,
        decision: StartDecision,
        *,
        max_attempts: int = 3,
        backoff: float = 3600.0,
        inc: Callable[[str, int], None] = lambda name, n: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ledger = ledger
        self.index: Index = ledger.index
        self.root = Path(root)
        self.decision = decision
        self.pass_no = decision.pass_no
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.inc_by = inc
        self.clock = clock
        #: canonical URLs requested (or about to be re-seeded) in this run
        self.requested: set[str] = set()
        self._swept: set[str] = set()
        #: re-seed the pass's frontier from the ledger at start (no usable JOBDIR queue)
        self.reseed = decision.resume

    # -- admissions -----------------------------------------------------------------------

    def admit_page(self, url: str, role: str, context: dict[str, Any]) -> Admission:
        """Whether to request an event page or day index, and what to revalidate it against."""
        admission = self._admit(url, role)
        if admission.fetch:
            original = self.last_capture(url)
            if original is not None:
                admission = replace(admission, why="revalidate", original=original)
            self._discovered(url, role, context)
        self.inc_by(f"ledger/page/{admission.why}", 1)
        return admission

    def admit_source(self, url: str, context: dict[str, Any]) -> Admission:
        """Whether to request a cited source (never again once archived, in any run)."""
        self._settle(self.ledger.get(url) or Entry(url=url, role="source", pass_no=self.pass_no))
        if self.source_outcome(url) not in (None, "dead"):
            admission = Admission(False, "archived")
        else:
            admission = self._admit(url, "source")
        if admission.fetch:
            self._discovered(url, "source", context)
        self.inc_by(f"ledger/source/{admission.why}", 1)
        return admission

    def _admit(self, url: str, role: str) -> Admission:
        key = url_key(url)
        if key in self.requested:
            return Admission(False, "requested")
        entry = self.ledger.get(url)
        if entry is None:
            return Admission(True, "new")
        if entry.pass_no == self.pass_no and entry.state in DONE_STATES:
            return Admission(False, "done")
        if entry.state == "dead":
            return Admission(False, "dead")
        if entry.state == "failed":
            if retry_due(entry, self.clock(), self.max_attempts, self.backoff):
                return Admission(True, "retry")
            return Admission(False, "failed")
        return Admission(True, "new")

    def _discovered(self, url: str, role: str, context: dict[str, Any]) -> None:
        self.requested.add(url_key(url))
        entry = self.ledger.get(url) or Entry(url=url, role=role)
        self.ledger.put(
            replace(entry, role=role, state="discovered", context=context, pass_no=self.pass_no)
        )

    # -- state changes --------------------------------------------------------------------

    def fetched(self, url: str) -> None:
        """A response for `url` reached the spider (its outcome is not recorded yet)."""
        entry = self.ledger.get(url)
        if entry is not None and entry.pending:
            self.ledger.put(replace(entry, state="fetched"))

    def page_done(self, url: str, role: str, event_ids: list[str] | None = None) -> None:
        """A page was parsed and everything it links was admitted (buffered before this)."""
        entry = self.ledger.get(url) or Entry(url=url, role=role, pass_no=self.pass_no)
        context = dict(entry.context)
        if event_ids:
            context["event_ids"] = event_ids
        self.ledger.put(
            replace(
                entry,
                role=role,
                state="archived",
                reason=None,
                context=context,
                pass_no=self.pass_no,
            )
        )

    def failed(self, url: str, role: str, reason: str) -> None:
        """An attempt at `url` failed: retried in a later pass until `max_attempts`."""
        entry = self.ledger.get(url) or Entry(url=url, role=role, pass_no=self.pass_no)
        attempts = entry.attempts + 1
        state = "dead" if attempts >= self.max_attempts else "failed"
        self.ledger.put(
            replace(
                entry,
                state=state,
                reason=reason,
                attempts=attempts,
                next_attempt_after=retry_after(self.clock(), attempts, self.backoff),
                pass_no=self.pass_no,
            )
        )
        self.inc_by(f"ledger/{entry.role}/{state}", 1)

    def source_done(self, url: str, outcome: str, reason: str | None) -> None:
        """The pipeline recorded a source's outcome (its `source` fact is committed)."""
        if outcome == "dead":
            self.failed(url, "source", reason or "dead")
            return
        entry = self.ledger.get(url) or Entry(url=url, role="source", pass_no=self.pass_no)
        self.ledger.put(replace(entry, state="archived", reason=None, pass_no=self.pass_no))

    # -- lookups --------------------------------------------------------------------------

    def source_outcome(self, url: str) -> str | None:
        """The recorded outcome of a cited URL (from the `sources` fact table), or None."""
        row = self._source_row(url)
        return str(row["outcome"]) if row is not None else None

    def _source_row(self, url: str) -> Any:
        return self.index.db.execute(
            "SELECT outcome, reason, updated FROM sources WHERE url_key=?", (url_key(url),)
        ).fetchone()

    def _settle(self, entry: Entry) -> Entry:
        """A source not marked done whose outcome was recorded in this pass is done: its
        ledger marks were lost with the last batch (a kill). Apply that outcome."""
        if entry.role != "source" or not entry.pending or entry.pass_no != self.pass_no:
            return entry
        row = self._source_row(entry.url)
        if row is None or str(row["updated"]) < self.decision.pass_started:
            return entry
        self.source_done(entry.url, row["outcome"], row["reason"])
        return self.ledger.get(entry.url) or entry

    def last_capture(self, url: str) -> CaptureRow | None:
        """The latest 200 response archived for exactly `url`."""
        row = self.index.db.execute(
            "SELECT * FROM captures WHERE url=? AND record_type='response' AND status=200"
            " ORDER BY date DESC, record_id LIMIT 1",
            (url,),
        ).fetchone()
        return CaptureRow(**dict(row)) if row is not None else None

    def read_capture(self, row: CaptureRow) -> Snapshot | None:
        """The archived response of a capture row, or None (logged) when it cannot be read."""
        path = self.root / WARC_DIR / row.warc_file
        if not path.exists():
            path = path.with_name(path.name + ".open")
        try:
            return read_snapshot(path, row)
        except DamagedRecord as exc:
            logger.warning("Cannot read the archived copy of %s: %s", row.url, exc)
            return None

    def validators(self, row: CaptureRow) -> dict[str, str]:
        """Conditional-request headers from an archived response (none if it is unreadable)."""
        snapshot = self.read_capture(row)
        return validators(snapshot) if snapshot is not None else {}

    def has_event(self, event_id: str) -> bool:
        """Whether the index holds the event (its `event` fact is committed)."""
        found = self.index.db.execute("SELECT 1 FROM events WHERE event_id=?", (event_id,))
        return found.fetchone() is not None

    # -- resume ---------------------------------------------------------------------------

    def resume_entries(self) -> list[Entry]:
        """The frontier of the pass being resumed, checked against the fact tables.

        Sources whose outcome is recorded are done (their ledger mark was lost); event
        pages marked done whose event never reached the index are pending again.
        """
        if not self.reseed:
            return []
        out = []
        for entry in self.ledger.pending(self.pass_no):
            if self._settle(entry).pending:
                out.append(entry)
        for entry in self.ledger.rows("pass_no=? AND state='archived'", (self.pass_no,)):
            lost = [e for e in entry.context.get("event_ids", ()) if not self.has_event(e)]
            if entry.role in PAGE_ROLES and lost:
                logger.warning("Event page %s: its events %s are not indexed", entry.url, lost)
                out.append(replace(entry, state="discovered"))
        self.requested.update(url_key(e.url) for e in out)
        self.inc_by("ledger/resume/reseeded", len(out))
        logger.info("Re-seeding %d URLs of pass %d from the ledger", len(out), self.pass_no)
        return out

    def sweep(self) -> list[Entry]:
        """URLs of this pass still pending when the crawl is idle (each offered once a run)."""
        out = [e for e in self.ledger.pending(self.pass_no) if e.key not in self._swept]
        self._swept.update(e.key for e in out)
        return out

    def report(self) -> Report:
        """Counts by role and state for this pass, and every URL it still misses."""
        self.ledger.flush()
        missing = self.ledger.rows(
            "state IN ('failed', 'dead') OR (pass_no=? AND state IN ('discovered', 'fetched'))",
            (self.pass_no,),
        )
        return Report(self.pass_no, self.ledger.counts(self.pass_no), missing)
