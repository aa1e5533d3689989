"""Terminal output helpers for the command line: tables that fit, progress bars, JSON."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Sequence
from types import TracebackType
from typing import IO, Any


def terminal_width(stream: IO[str] | None = None, default: int = 100) -> int:
    """Columns of the terminal `stream` writes to, or `default` when it is not a terminal."""
    stream = stream or sys.stdout
    if not _isatty(stream):
        return default
    return shutil.get_terminal_size((default, 24)).columns


def table(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str],
    *,
    width: int | None = None,
    flex: int | None = None,
) -> str:
    """A plain-text table with a header rule; column `flex` is cut so lines fit `width`."""
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    if width is not None and flex is not None:
        others = sum(w for i, w in enumerate(widths) if i != flex) + 2 * (len(widths) - 1)
        room = max(len(headers[flex]), 12, width - others)
        if widths[flex] > room:
            widths[flex] = room
            for row in cells:
                row[flex] = short(row[flex], room)
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def short(text: str | None, width: int) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis."""
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def human_bytes(size: float) -> str:
    """A byte count for people: 1.2 MB, 640 B."""
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"  # pragma: no cover


def print_json(data: Any) -> None:
    """Print `data` as indented JSON (non-ASCII kept) for scripts."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def error(message: str) -> int:
    """Print `error: message` to stderr; return the exit status for bad input (2)."""
    print(f"error: {message}", file=sys.stderr)
    return 2


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, total: float, label: str, stream: IO[str] | None = None) -> None:
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = _isatty(self.stream)
        self.done = 0.0
        self._drawn = 0.0

    def advance(self, amount: float = 1) -> None:
        """Count `amount` more units of work and redraw (at most ten times a second)."""
        self.done += amount
        now = time.monotonic()
        if self.enabled and (now - self._drawn >= 0.1 or self.done >= self.total):
            self._drawn = now
            self._draw()

    def _draw(self) -> None:
        width = max(10, min(40, terminal_width(self.stream) - len(self.label) - 20))
        frac = min(1.0, self.done / self.total) if self.total else 1.0
        bar = "#" * int(frac * width)
        self.stream.write(f"\r{self.label} [{bar.ljust(width)}] {frac * 100:5.1f}%")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
