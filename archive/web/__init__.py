"""The local web reader: events and texts beside snapshots replayed from a second origin."""

from __future__ import annotations

from archive.web.server import ReaderServers

__all__ = ["ReaderServers"]
