"""Full-text search over headlines, ledes and cleaned source texts with SQLite FTS5.

The search index is a cache built on demand from `index.sqlite3` into `search.sqlite3`
beside it, and rebuilt when the index's content signature changes. It is not maintained
at write time because (1) the reader opens the index read-only, so reading never alters
an archive (it may sit on read-only media or be crawled into at the same moment), (2) the
crawl's hot path stays free of FTS work, and (3) the index stays the one source of truth,
so a rebuilt or re-indexed archive can never disagree with its search index. When the
archive folder is not writable the search index is built in memory.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import tempfile
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.reader import Archive

logger = logging.getLogger(__name__)

SEARCH_FILE = "search.sqlite3"
#: Bump when the layout below changes, so old search files are rebuilt.
FTS_VERSION = "1"
#: Markers around matched words in snippets (replaced by the CLI and the web reader).
MARK_START, MARK_END = "\x02", "\x03"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE docs USING fts5(
    title, body, kind UNINDEXED, ref UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE cites (url_key TEXT NOT NULL, event_id TEXT NOT NULL, position INTEGER NOT NULL);
CREATE INDEX cites_key ON cites(url_key);
"""

_SIGNATURE_SQL = """
SELECT
 (SELECT count(*) || ':' || ifnull(max(rowid), 0) || ':'
    || ifnull(sum(length(headline) + length(lede)), 0) FROM events),
 (SELECT count(*) || ':' || ifnull(max(rowid), 0) || ':'
    || ifnull(sum(length(text)), 0) || ':' || ifnull(sum(length(title)), 0) FROM texts),
 (SELECT count(*) || ':' || ifnull(max(rowid), 0) FROM citations)
"""


@dataclass
class SearchHit:
    """An event that matches a query, with its best score and where the words were found."""

    event_id: str
    score: float
    snippet: str
    matched: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (snippet markers turned into «»)."""
        return {
            "event_id": self.event_id,
            "score": round(self.score, 4),
            "snippet": self.snippet.replace(MARK_START, "«").replace(MARK_END, "»"),
            "matched": self.matched,
        }


def fts_query(text: str) -> str:
    """A safe FTS5 expression from what a person types: words ANDed, "quoted phrases", word*.

    `OR` and `NOT` between words keep their meaning; every other character that FTS5 treats
    as syntax is quoted away, so no input raises a syntax error.
    """
    parts: list[str] = []
    for phrase, word in re.findall(r'"([^"]*)"|(\S+)', text):
        if word in ("OR", "NOT", "AND"):
            if parts and parts[-1] not in ("OR", "NOT", "AND"):
                parts.append(word)
            continue
        raw = phrase if phrase else word
        prefix = bool(word) and word.endswith("*")
        tokens = re.findall(r"\w+", raw)
        if not tokens:
            continue
        quoted = '"' + " ".join(tokens) + '"'
        parts.append(quoted + ("*" if prefix else ""))
    while parts and parts[-1] in ("OR", "NOT", "AND"):
        parts.pop()
    return " ".join(parts)


def _signature(index_db: sqlite3.Connection) -> str:
    row = index_db.execute(_SIGNATURE_SQL).fetchone()
    return FTS_VERSION + "|" + "|".join(str(v) for v in row)


def _fill(db: sqlite3.Connection, index_db: sqlite3.Connection, signature: str) -> None:
    """Copy headlines, ledes, texts and citations from the index into a fresh search db."""
    db.executescript(_SCHEMA)
    db.executemany(
        "INSERT INTO docs(title, body, kind, ref) VALUES (?, ?, 'event', ?)",
        index_db.execute("SELECT headline, lede, event_id FROM events"),
    )
    db.executemany(
        "INSERT INTO docs(title, body, kind, ref) VALUES (?, ?, 'text', ?)",
        index_db.execute(
            "SELECT coalesce(title, ''), text, url_key FROM texts WHERE text IS NOT NULL"
        ),
    )
    db.executemany(
        "INSERT INTO cites(url_key, event_id, position) VALUES (?, ?, ?)",
        index_db.execute("SELECT url_key, event_id, position FROM citations"),
    )
    db.execute("INSERT INTO meta(key, value) VALUES ('signature', ?)", (signature,))
    db.commit()


class SearchIndex:
    """An FTS5 database over one archive's headlines and texts."""

    def __init__(self, db: sqlite3.Connection, path: Path | None) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, arc: Archive) -> SearchIndex:
        """The archive's search index, (re)built first if missing or stale."""
        signature = _signature(arc.db)
        path = arc.root / SEARCH_FILE
        if path.exists():
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                row = db.execute("SELECT value FROM meta WHERE key='signature'").fetchone()
                if row and row[0] == signature:
                    return cls(db, path)
                db.close()
            except sqlite3.DatabaseError as exc:
                logger.warning("search index %s unreadable (%s): rebuilding it", path, exc)
        return cls._build(arc, path, signature)

    @classmethod
    def _build(cls, arc: Archive, path: Path, signature: str) -> SearchIndex:
        if os.access(path.parent, os.W_OK):
            fd, tmp = tempfile.mkstemp(prefix=".search-", suffix=".tmp", dir=path.parent)
            os.close(fd)
            db = sqlite3.connect(tmp)
            try:
                _fill(db, arc.db, signature)
            finally:
                db.close()
            os.replace(tmp, path)  # atomic: a concurrent reader sees the old or the new file
            return cls(sqlite3.connect(f"file:{path}?mode=ro", uri=True), path)
        logger.info("%s is read-only: building the search index in memory", arc.root)
        db = sqlite3.connect(":memory:")
        _fill(db, arc.db, signature)
        return cls(db, None)

    def close(self) -> None:
        """Close the search database."""
        self.db.close()

    def search(
        self,
        text: str,
        limit: int | None = 20,
        snippets: bool = True,
        within: Collection[str] | None = None,
    ) -> list[SearchHit]:
        """Events matching `text` (among `within` if given), best first (BM25, headlines first)."""
        expr = fts_query(text)
        if not expr:
            return []
        try:
            rows = self.db.execute(
                "SELECT rowid, kind, ref, bm25(docs, 4.0, 1.0) AS score FROM docs"
                " WHERE docs MATCH ? ORDER BY score",
                (expr,),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise ValueError(f"cannot search for {text!r}: {exc}") from exc
        cites = self._cites({ref for _rowid, kind, ref, _score in rows if kind == "text"})
        hits: dict[str, SearchHit] = {}
        best_doc: dict[str, int] = {}
        own_doc: dict[str, int] = {}
        for rowid, kind, ref, score in rows:
            if kind == "event":
                own_doc[ref] = rowid
            for event_id, where in [(ref, "")] if kind == "event" else cites.get(ref, []):
                hit = hits.get(event_id)
                if hit is None:
                    hits[event_id] = hit = SearchHit(event_id, float(score), "", [])
                    best_doc[event_id] = rowid
                if where and where not in hit.matched:
                    hit.matched.append(where)
        ranked = sorted(hits.values(), key=lambda h: (h.score, h.event_id))
        if within is not None:
            ranked = [h for h in ranked if h.event_id in within]
        ranked = ranked if limit is None else ranked[:limit]
        for hit in ranked if snippets else ():  # only for what is returned: they cost more
            hit.snippet = self._snippet(expr, best_doc[hit.event_id])
            if hit.event_id in own_doc:
                title = self._snippet(expr, own_doc[hit.event_id], column=0)
                hit.matched.insert(0, "headline" if MARK_START in title else "lede")
        return ranked

    def _snippet(self, expr: str, rowid: int, column: int | None = None) -> str:
        """The marked passage of one matching document (body first, else title)."""
        title, body = self.db.execute(
            "SELECT snippet(docs, 0, ?, ?, '…', 12), snippet(docs, 1, ?, ?, '…', 16)"
            " FROM docs WHERE docs MATCH ? AND rowid = ?",
            (MARK_START, MARK_END, MARK_START, MARK_END, expr, rowid),
        ).fetchone()
        if column == 0:
            return str(title)
        return str(body if MARK_START in body else title)

    def _cites(self, keys: set[str]) -> dict[str, list[tuple[str, str]]]:
        """(event id, "source N") for each text key, from the citations copied at build time."""
        out: dict[str, list[tuple[str, str]]] = {}
        wanted = sorted(keys)
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for key, event_id, position in self.db.execute(
                f"SELECT url_key, event_id, position FROM cites WHERE url_key IN ({marks})", part
            ):
                out.setdefault(key, []).append((event_id, f"source {position}"))
        return out
