"""Package a crawl, or one event, as WACZ 1.1.1 (WARC files, CDXJ index, pages.jsonl).

The whole crawl: its closed WARC files are stored unchanged (ZIP "stored", not deflated),
with the CDXJ lines of the capture files merged into `indexes/index.cdx`. One event: the
gzip members of its records (the event page's exchanges, every hop of every source, and
the derived facts and texts about them) are copied byte for byte into new WARC files,
each after the warcinfo record of the file it came from, and indexed afresh.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import cdxj_line, cdxj_name, index_warc
from archive.index import CaptureRow, Index
from archive.store import DERIVED_DIR, DERIVED_TYPES, INDEX_FILE, INDEXES_DIR, WARC_DIR
from archive.warcfile import scan_warc, warc_files

WACZ_VERSION = "1.1.1"
INDEX_PATH = "indexes/index.cdx"  # CDXJ lines, under the name WACZ readers look for
PAGES_PATH = "pages/pages.jsonl"
_COPY = 1024 * 1024


@dataclass
class WaczSummary:
    """What went into a WACZ file."""

    path: Path
    warc_files: list[str] = field(default_factory=list)
    records: int = 0
    pages: int = 0
    bytes: int = 0


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_COPY):
            digest.update(chunk)
            size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


def _page(row: CaptureRow, title: str | None) -> dict[str, Any]:
    page = {"id": row.record_id.strip("<>").removeprefix("urn:uuid:"), "url": row.url}
    page["ts"] = row.date
    if title:
        page["title"] = title
    return page


def _pages(index: Index, event_ids: Iterable[str]) -> list[dict[str, Any]]:
    """A page per event page and per archived source: what a replay tool lists first."""
    pages, seen = [], set()
    for event_id in event_ids:
        event = index.event(event_id)
        if event is None:
            continue
        entries: list[tuple[CaptureRow | None, str | None]] = [
            (index.latest_response(event["url"]), event["headline"])
        ]
        for source in index.event_sources(event_id):
            hops = json.loads(source["hops"] or "[]")
            if source["outcome"] in (None, "dead") or not hops:
                continue
            entries.append(
                (index.capture(hops[-1]["record_id"]), source["title"] or source["label"])
            )
        for row, title in entries:
            if row is not None and row.record_id not in seen:
                seen.add(row.record_id)
                pages.append(_page(row, title))
    return pages


def _event_rows(index: Index, event_id: str) -> list[CaptureRow]:
    """Every capture and derived record that belongs to one event, in no particular order."""
    event = index.event(event_id)
    if event is None:
        raise KeyError(f"no event {event_id!r} in the archive")
    responses = {
        r["record_id"]
        for r in index.db.execute(
            "SELECT record_id FROM captures WHERE url=? AND record_type IN ('response','revisit')",
            (event["url"],),
        )
    }
    urls = {event["url"]}
    for source in index.event_sources(event_id):
        urls.add(source["url"])
        responses.update(h["record_id"] for h in json.loads(source["hops"] or "[]"))
    found_rows = [index.capture(record_id) for record_id in sorted(responses)]
    rows = [r for r in found_rows if r is not None]
    marks = ",".join("?" * len(responses))
    found = index.db.execute(
        f"SELECT * FROM captures WHERE (record_type='request' AND concurrent_to IN ({marks}))"
        f" OR (record_type IN ('metadata','conversion') AND (refers_to IN ({marks})"
        f" OR (refers_to IS NULL AND url IN ({','.join('?' * len(urls))}))))",
        (*sorted(responses), *sorted(responses), *sorted(urls)),
    )
    return rows + [CaptureRow(**dict(r)) for r in found]


def _first_member_length(path: Path) -> int:
    for scanned in scan_warc(path):
        return scanned.length
    return 0


def _read(path: Path, offset: int, length: int) -> bytes:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return fh.read(length)


def _copy_members(root: Path, folder: str, rows: list[CaptureRow], out: IO[bytes]) -> list[str]:
    """Write the members of `rows` (grouped by source file, warcinfo first) to `out`."""
    name = getattr(out, "name", "")
    lines = []
    position = 0
    by_file: dict[str, list[CaptureRow]] = {}
    for row in rows:
        by_file.setdefault(row.warc_file, []).append(row)
    for warc_file in sorted(by_file):
        path = root / folder / warc_file
        spans = [(0, _first_member_length(path))]
        spans += sorted({(r.offset, r.length) for r in by_file[warc_file]})
        for offset, length in spans:
            member = _read(path, offset, length)
            record = next(iter(ArchiveIterator(io.BytesIO(member))))
            line = cdxj_line(record, Path(name).name, position, length)
            if line:
                lines.append(line)
            out.write(member)
            position += length
    return lines


def _safe(event_id: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "_", event_id.lower()).strip("_")


def _capture_lines(root: Path) -> list[str]:
    lines = []
    for path in warc_files(root / WARC_DIR):
        cdxj = root / INDEXES_DIR / cdxj_name(path.name)
        if cdxj.exists():
            lines += cdxj.read_text(encoding="utf-8").splitlines()
        else:
            lines += index_warc(path)
    return lines


def _extract_event(
    root: Path, index: Index, event_id: str, staging: Path
) -> tuple[list[Path], list[str]]:
    """Copy one event's records into new capture and derived WARC files under `staging`."""
    rows = _event_rows(index, event_id)
    base = f"event-{_safe(event_id)}"
    captures = staging / f"{base}.warc.gz"
    derived = staging / f"{base}-derived.warc.gz"
    with open(captures, "wb") as fh:
        lines = _copy_members(
            root, WARC_DIR, [r for r in rows if r.record_type not in DERIVED_TYPES], fh
        )
    with open(derived, "wb") as fh:
        _copy_members(root, DERIVED_DIR, [r for r in rows if r.record_type in DERIVED_TYPES], fh)
    return [captures, derived], lines


def write_wacz(
    root: str | Path,
    dest: str | Path,
    *,
    event_id: str | None = None,
    title: str | None = None,
) -> WaczSummary:
    """Write a WACZ file of the archive at `root` (or of one event) to `dest`."""
    root, dest = Path(root), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.with_name(dest.name + ".parts")
    staging.mkdir(exist_ok=True)
    index = Index(root / INDEX_FILE, readonly=True)
    try:
        event = index.event(event_id) if event_id else None
        if event_id is None:
            files = warc_files(root / WARC_DIR) + warc_files(root / DERIVED_DIR)
            lines = _capture_lines(root)
            pages = _pages(index, [e["event_id"] for e in index.events()])
        elif event is None:
            raise KeyError(f"no event {event_id!r} in {root}")
        else:
            files, lines = _extract_event(root, index, event_id, staging)
            pages = _pages(index, [event_id])
        meta = {
            "title": title or (event["headline"] if event else f"Event archive {root.name}"),
            "mainPageURL": event["url"] if event else None,
        }
        _zip(dest, files, lines, pages, meta)
    finally:
        index.db.close()
        for part in staging.iterdir():
            part.unlink()
        staging.rmdir()
    return WaczSummary(dest, [p.name for p in files], len(lines), len(pages), dest.stat().st_size)


def _zip(
    dest: Path,
    files: list[Path],
    lines: list[str],
    pages: list[dict[str, Any]],
    meta: dict[str, Any],
) -> None:
    """Assemble the WACZ zip: archive/, indexes/, pages/, datapackage.json and its digest."""
    tmp = dest.with_name(dest.name + ".tmp")
    resources = []
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Events and their sources"}
    texts = {
        INDEX_PATH: "".join(line + "\n" for line in sorted(lines)).encode("utf-8"),
        PAGES_PATH: "".join(json.dumps(p) + "\n" for p in [header, *pages]).encode("utf-8"),
    }
    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        for path in files:
            zf.write(path, f"archive/{path.name}", compress_type=zipfile.ZIP_STORED)
            digest, size = _sha256_file(path)
            resources.append(_resource(f"archive/{path.name}", digest, size))
        for name, data in texts.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
            resources.append(
                _resource(name, "sha256:" + hashlib.sha256(data).hexdigest(), len(data))
            )
        package = {
            "profile": "data-package",
            "resources": resources,
            **{k: v for k, v in meta.items() if v},
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "wacz_version": WACZ_VERSION,
            "software": f"event-archiver {_version()}",
        }
        data = json.dumps(package, indent=2).encode("utf-8")
        zf.writestr("datapackage.json", data, compress_type=zipfile.ZIP_DEFLATED)
        package_digest = "sha256:" + hashlib.sha256(data).hexdigest()
        zf.writestr(
            "datapackage-digest.json",
            json.dumps({"path": "datapackage.json", "hash": package_digest}, indent=2),
            compress_type=zipfile.ZIP_DEFLATED,
        )
    os.replace(tmp, dest)


def _version() -> str:
    try:
        return version("event-archiver")
    except PackageNotFoundError:
        return "unknown"


def _resource(path: str, digest: str, size: int) -> dict[str, Any]:
    return {"name": Path(path).name.lower(), "path": path, "hash": digest, "bytes": size}
