"""The archive's settings, read once from Scrapy's settings into a typed, validated object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting has a value the crawler cannot use; the message names it and the fix."""


@dataclass(frozen=True)
class ArchiveConfig:
    """Settings of the archive components (defaults live in `crawler/settings.py`)."""

    archive_dir: Path
    warc_prefix: str
    warc_max_size: int
    contact_url: str
    operator: str
    extract_workers: int
    extract_timeout: float
    extract_nice: int
    index_commit_seconds: float
    progress_interval: float

    @classmethod
    def from_settings(cls, settings: Any) -> ArchiveConfig:
        """Read and check the ARCHIVE_* and WARC_* settings."""
        archive_dir = settings.get("ARCHIVE_DIR")
        if not archive_dir:
            raise ConfigError("ARCHIVE_DIR is empty: set it to the folder the archive goes to")
        prefix = str(settings.get("ARCHIVE_WARC_PREFIX") or "")
        if not prefix or not prefix.replace("-", "").replace("_", "").isalnum():
            raise ConfigError(
                f"ARCHIVE_WARC_PREFIX={prefix!r}: use letters, digits, '-' or '_' only"
            )
        max_size = settings.getint("WARC_MAX_SIZE")
        if max_size < 1024:
            raise ConfigError(f"WARC_MAX_SIZE={max_size}: use at least 1024 bytes")
        workers = settings.getint("ARCHIVE_EXTRACT_WORKERS") or (os.cpu_count() or 1)
        if workers < 1:
            raise ConfigError(f"ARCHIVE_EXTRACT_WORKERS={workers}: use 1 or more")
        timeout = settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT")
        if timeout <= 0:
            raise ConfigError(
                f"ARCHIVE_EXTRACT_TIMEOUT={timeout}: use a positive number of seconds"
            )
        nice = settings.getint("ARCHIVE_EXTRACT_NICE")
        if not 0 <= nice <= 19:
            raise ConfigError(f"ARCHIVE_EXTRACT_NICE={nice}: use 0 (off) to 19")
        commit_seconds = settings.getfloat("ARCHIVE_INDEX_COMMIT_SECONDS")
        if not 0 <= commit_seconds <= 60:
            raise ConfigError(
                f"ARCHIVE_INDEX_COMMIT_SECONDS={commit_seconds}: use 0 (every record) to 60"
            )
        return cls(
            archive_dir=Path(archive_dir),
            warc_prefix=prefix,
            warc_max_size=max_size,
            contact_url=str(settings.get("ARCHIVE_CONTACT_URL") or ""),
            operator=str(settings.get("ARCHIVE_OPERATOR") or ""),
            extract_workers=workers,
            extract_timeout=timeout,
            extract_nice=nice,
            index_commit_seconds=commit_seconds,
            progress_interval=settings.getfloat("ARCHIVE_PROGRESS_INTERVAL"),
        )
