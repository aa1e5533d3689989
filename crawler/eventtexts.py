"""The per-event text files a crawl leaves (`texts/<event id>.json`), written in parallel.

At the end of a crawl every event's file is (re)written from the committed index
(:func:`archive.reader.write_event_texts`): reading the index, encoding the JSON and
writing the files takes about 0.1 ms a source, all of it while the extraction workers sit
idle. The events are split into parts that the workers write side by side; a part a
worker could not write is written here instead, so a broken pool costs time, not files.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from archive.reader import Archive, write_event_texts
from crawler.extractpool import ExtractionPool

logger = logging.getLogger(__name__)

#: Events per worker call: small enough to spread, large enough to batch the queries.
EVENTS_PER_PART = 50


def write_texts_part(root: str, _url: str, *, event_ids: list[str]) -> dict[str, Any]:
    """Worker function (``ExtractionPool.call``): write the text files of these events."""
    return {"written": len(write_event_texts(root, event_ids))}


async def write_texts_in_pool(pool: ExtractionPool, root: Path) -> int:
    """Write every event's text file, the parts spread over the pool's workers; the count."""
    with Archive(root) as arc:
        ids = arc.event_ids()
    parts = [ids[start : start + EVENTS_PER_PART] for start in range(0, len(ids), EVENTS_PER_PART)]
    answers = await asyncio.gather(
        *(pool.call(write_texts_part, str(root), "", event_ids=part) for part in parts)
    )
    written = 0
    for part, (status, data, reason) in zip(parts, answers, strict=True):
        if status == "ok" and data is not None:
            written += int(data["written"])
            continue
        logger.warning(
            "A worker could not write the texts of %d events (%s); writing them here",
            len(part),
            reason,
        )
        written += len(write_event_texts(root, part))
    return written
