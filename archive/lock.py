"""One writer per archive folder: an exclusive `flock` on `ARCHIVE_DIR/.lock`.

The kernel drops the lock when its process dies (even by SIGKILL), so a crawl that starts
after a crash gets it and may repair the files the dead crawl left open, while a second
crawl started beside a live one stops at once instead of repairing files still being written.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

LOCK_FILE = ".lock"


class ArchiveLocked(RuntimeError):
    """Another process is writing to this archive folder."""


class ArchiveLock:
    """An exclusive, non-blocking lock on an archive folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> ArchiveLock:
        """Take the lock or raise ArchiveLocked naming the holder's process id."""
        if self._fd is not None:
            return self
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise ArchiveLocked(
                f"{self.root} is being written by another process (pid {holder}); "
                "wait for it to finish or use another ARCHIVE_DIR"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock up (closing the descriptor releases the flock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
