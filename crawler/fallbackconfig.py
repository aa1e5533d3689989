"""The FALLBACK_* settings, read once into a typed, validated object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.config import ConfigError
from crawler.fallbacks import KNOWN_SERVICES, UNSUPPORTED_SERVICES


@dataclass(frozen=True)
class FallbackConfig:
    """How dead sources are recovered (defaults live in `crawler/settings.py`)."""

    enabled: bool
    list_file: str
    bundled_list: bool
    services: tuple[str, ...]
    dead_after: int
    window_days: int
    max_snapshots: int
    attempts: int
    backoff: float
    retry_after_max: float
    service_concurrency: int
    cache_days: float
    soft404_probe: bool
    commoncrawl_crawls: int

    @classmethod
    def from_settings(cls, settings: Any) -> FallbackConfig:
        """Read and check the FALLBACK_* settings."""
        services = tuple(s.strip().lower() for s in settings.getlist("FALLBACK_SERVICES"))
        for name in services:
            if name not in KNOWN_SERVICES:
                why = UNSUPPORTED_SERVICES.get(name, "unknown service")
                raise ConfigError(
                    f"FALLBACK_SERVICES names {name!r} ({why}); use any of "
                    f"{', '.join(KNOWN_SERVICES)}, in the order to ask them"
                )
        config = cls(
            enabled=settings.getbool("FALLBACK_ENABLED"),
            list_file=str(settings.get("FALLBACK_LIST") or ""),
            bundled_list=settings.getbool("FALLBACK_BUNDLED_LIST"),
            services=services,
            dead_after=settings.getint("FALLBACK_DEAD_AFTER"),
            window_days=settings.getint("FALLBACK_SNAPSHOT_WINDOW_DAYS"),
            max_snapshots=settings.getint("FALLBACK_MAX_SNAPSHOTS"),
            attempts=settings.getint("FALLBACK_SERVICE_ATTEMPTS"),
            backoff=settings.getfloat("FALLBACK_BACKOFF"),
            retry_after_max=settings.getfloat("FALLBACK_RETRY_AFTER_MAX"),
            service_concurrency=settings.getint("FALLBACK_SERVICE_CONCURRENCY"),
            cache_days=settings.getfloat("FALLBACK_CACHE_DAYS"),
            soft404_probe=settings.getbool("FALLBACK_SOFT404_PROBE"),
            commoncrawl_crawls=settings.getint("FALLBACK_COMMONCRAWL_CRAWLS"),
        )
        config.check()
        return config

    def check(self) -> None:
        """Raise ConfigError naming the first setting out of range and the fix."""
        minimums = {
            "FALLBACK_DEAD_AFTER": (self.dead_after, 1),
            "FALLBACK_SNAPSHOT_WINDOW_DAYS": (self.window_days, 0),
            "FALLBACK_MAX_SNAPSHOTS": (self.max_snapshots, 1),
            "FALLBACK_SERVICE_ATTEMPTS": (self.attempts, 1),
            "FALLBACK_SERVICE_CONCURRENCY": (self.service_concurrency, 1),
            "FALLBACK_COMMONCRAWL_CRAWLS": (self.commoncrawl_crawls, 1),
        }
        for name, (value, least) in minimums.items():
            if value < least:
                raise ConfigError(f"{name}={value}: use {least} or more")
        for name, number in (
            ("FALLBACK_BACKOFF", self.backoff),
            ("FALLBACK_RETRY_AFTER_MAX", self.retry_after_max),
            ("FALLBACK_CACHE_DAYS", self.cache_days),
        ):
            if number < 0:
                raise ConfigError(f"{name}={number}: use 0 or a positive number")
