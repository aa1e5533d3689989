"""Read-side SQL over the index: bulk lookups that tolerate columns added by later schemas."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from archive.index import url_key

Row = dict[str, Any]

#: SQLite's default limit on bound parameters is 999 in old builds: stay under it.
CHUNK = 500

#: Record types that hold (or point at) an archived HTTP response.
VERSION_TYPES = ("response", "revisit")


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """`items` in slices of at most `size`."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def has_table(db: sqlite3.Connection, name: str) -> bool:
    """Whether the index has a table called `name`."""
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
    return row.fetchone() is not None


def columns(db: sqlite3.Connection, table: str) -> set[str]:
    """The column names of `table` (empty when it does not exist)."""
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _dicts(cursor: sqlite3.Cursor) -> list[Row]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor]


def event_rows(
    db: sqlite3.Connection, since: str | None = None, until: str | None = None
) -> list[Row]:
    """Event rows by date then id, limited to a date window (undated events only without one)."""
    sql, args = "SELECT * FROM events", []
    where = []
    if since:
        where.append("date >= ?")
        args.append(since)
    if until:
        where.append("date <= ?")
        args.append(until)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return _dicts(db.execute(sql + " ORDER BY date, event_id", args))


def events_by_id(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Row]:
    """Event rows for these ids."""
    out: dict[str, Row] = {}
    for part in chunks(list(ids)):
        marks = ",".join("?" * len(part))
        for row in _dicts(db.execute(f"SELECT * FROM events WHERE event_id IN ({marks})", part)):
            out[row["event_id"]] = row
    return out


def citations(db: sqlite3.Connection, event_ids: Sequence[str]) -> dict[str, list[Row]]:
    """Each event's citations in order."""
    out: dict[str, list[Row]] = {eid: [] for eid in event_ids}
    for part in chunks(list(event_ids)):
        marks = ",".join("?" * len(part))
        cursor = db.execute(
            f"SELECT * FROM citations WHERE event_id IN ({marks}) ORDER BY event_id, position", part
        )
        for row in _dicts(cursor):
            out[row["event_id"]].append(row)
    return out


def related(db: sqlite3.Connection, event_ids: Sequence[str]) -> dict[str, list[Row]]:
    """Each event's related-event links in order."""
    out: dict[str, list[Row]] = {eid: [] for eid in event_ids}
    for part in chunks(list(event_ids)):
        marks = ",".join("?" * len(part))
        cursor = db.execute(
            f"SELECT * FROM related WHERE event_id IN ({marks}) ORDER BY event_id, position", part
        )
        for row in _dicts(cursor):
            out[row["event_id"]].append(row)
    return out


def by_url_key(db: sqlite3.Connection, table: str, keys: Iterable[str]) -> dict[str, Row]:
    """Rows of `sources` or `texts` by url_key."""
    out: dict[str, Row] = {}
    wanted = sorted(set(keys))
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        for row in _dicts(db.execute(f"SELECT * FROM {table} WHERE url_key IN ({marks})", part)):
            out[row["url_key"]] = row
    return out


def captures_by_id(db: sqlite3.Connection, record_ids: Iterable[str]) -> dict[str, Row]:
    """Capture rows by WARC record id."""
    out: dict[str, Row] = {}
    wanted = sorted({r for r in record_ids if r})
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        cursor = db.execute(f"SELECT * FROM captures WHERE record_id IN ({marks})", part)
        for row in _dicts(cursor):
            out[row["record_id"]] = row
    return out


def page_key(url: str) -> str:
    """An event page's key that matches its .md and .html renderings alike."""
    key = url_key(url)
    for ext in (".md", ".html"):
        if key.endswith(ext):
            return key[: -len(ext)]
    return key


def tag_map(db: sqlite3.Connection) -> dict[str, list[str]]:
    """Context tags by event-page key, from the related links that point at each page."""
    tags: dict[str, list[str]] = {}
    for url, context in db.execute("SELECT url, context FROM related ORDER BY event_id, position"):
        try:
            values = json.loads(context or "[]")
        except ValueError:
            continue
        bucket = tags.setdefault(page_key(url), [])
        bucket.extend(str(v) for v in values if str(v) not in bucket)
    return tags


def host_of(url: str | None) -> str:
    """The lower-case host name of `url` ('' when it has none)."""
    try:
        return (urlsplit(url or "").hostname or "").lower()
    except ValueError:
        return ""


def host_matches(host: str, domain: str) -> bool:
    """Whether `host` is `domain` or one of its subdomains."""
    domain = domain.lower().strip(".")
    return bool(host) and (host == domain or host.endswith("." + domain))


def event_ids_citing_domain(db: sqlite3.Connection, domain: str) -> set[str]:
    """Events with a source on `domain`, cited there or archived there (after redirects)."""
    finals = {
        key: final for key, final in db.execute("SELECT url_key, final_url FROM sources") if final
    }
    found = set()
    for event_id, url, key in db.execute("SELECT event_id, url, url_key FROM citations"):
        if host_matches(host_of(url), domain) or host_matches(host_of(finals.get(key)), domain):
            found.add(event_id)
    return found


def versions(db: sqlite3.Connection, url: str) -> list[Row]:
    """Every response or revisit capture of `url` (exact URL, else same canonical form)."""
    marks = ",".join("?" * len(VERSION_TYPES))
    cursor = db.execute(
        f"SELECT * FROM captures WHERE url=? AND record_type IN ({marks}) ORDER BY date",
        (url, *VERSION_TYPES),
    )
    rows = _dicts(cursor)
    if rows:
        return rows
    key = url_key(url)
    candidates = [
        u
        for (u,) in db.execute(
            f"SELECT DISTINCT url FROM captures WHERE record_type IN ({marks})", VERSION_TYPES
        )
        if url_key(u) == key
    ]
    for part in chunks(candidates):
        holes = ",".join("?" * len(part))
        cursor = db.execute(
            f"SELECT * FROM captures WHERE url IN ({holes}) AND record_type IN ({marks})",
            (*part, *VERSION_TYPES),
        )
        rows.extend(_dicts(cursor))
    return sorted(rows, key=lambda r: r["date"])


def original_of_revisit(db: sqlite3.Connection, revisit: Row) -> Row | None:
    """The response a revisit record stands for: by WARC-Refers-To, else by URL and digest."""
    if revisit.get("refers_to"):
        row = db.execute(
            "SELECT * FROM captures WHERE record_id=? AND record_type='response'",
            (revisit["refers_to"],),
        )
        found = _dicts(row)
        if found:
            return found[0]
    if revisit.get("payload_digest"):
        cursor = db.execute(
            "SELECT * FROM captures WHERE record_type='response' AND payload_digest=?"
            " AND url=? ORDER BY date DESC",
            (revisit["payload_digest"], revisit["url"]),
        )
        found = _dicts(cursor)
        if found:
            return found[0]
    return None
