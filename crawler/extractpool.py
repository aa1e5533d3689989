"""Article extraction in a forkserver process pool, awaitable from asyncio, time-limited per page.

Why a process pool: trafilatura is pure-Python CPU work (5-50 ms a page) that would stall
the reactor thread, threads do not help (GIL), and library mode has no time limit.

Transport: each worker has a pipe in and a pipe out, and the parent's ends are asyncio
pipe transports on the running loop. A page is pickled and written by the loop itself;
answers are read by the loop as they arrive. No thread stands between the reactor and the
workers (``concurrent.futures.ProcessPoolExecutor`` has two, a queue feeder and a result
manager, and each hand-over waits for the GIL the busy reactor holds: in a crawl they
cost about 2 ms of the parent's CPU a page and left workers waiting for their next page).
The pipes are enlarged (``F_SETPIPE_SZ``, Linux) so the pages queued for a worker sit in
the kernel: a worker reads its next page without waiting for the parent's loop.

Recycling policy: when an attempt times out, or a worker dies (``os._exit``, segfault,
OOM kill), the whole pool is torn down and its worker processes are killed, so a hung
worker cannot linger; the next call starts a fresh pool. The page that timed out gets
status "timeout" and is *not* retried. Every other page whose attempt was lost because
the pool broke or was recycled under it is retried once on the fresh pool (its time limit
restarts); if that second attempt is lost too it gets status "error" with a reason saying
the pool was recycled. A page that itself crashes its worker therefore crashes two pools
and then gets "error" (its reason says the worker died). Each teardown counts once in
``stats["recycled"]``.

Timing: at most ``PAGES_PER_WORKER`` pages per worker are in flight (an asyncio
semaphore), each sent to the worker with the fewest, so a worker finds its next page
waiting in its pipe instead of idling while the parent (busy with the reactor) hands it
one. A page sent to a busy worker waits behind the pages ahead of it, whose own limits
bound the wait, so it is given the limit once more for each of them, from submission (and
the reason says so); a page sent to an idle worker gets the limit itself.
Pool start-up (forkserver launch, worker warm-up) has its own ``startup_timeout`` and is
not charged to a page; :meth:`ExtractionPool.start` begins it ahead of the first page. The
process-wide forkserver preloads ``crawler.extraction`` (trafilatura, lxml) once; each
worker is forked from it.
Like any spawn/forkserver pool, workers re-import the parent's ``__main__`` by path: a
script that uses this pool must guard its entry point with ``if __name__ == "__main__"``.
A pool belongs to one event loop at a time: used from another loop (a second
``asyncio.run``), it starts fresh workers there.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import json
import multiprocessing
import os
import pickle
import signal
import struct
import time
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from crawler.extraction import ExtractedText, extract_document

__all__ = [
    "ExtractionOutcome",
    "ExtractionPool",
    "extract_to_dict",
    "pool_for",
    "register_pool",
]

#: ``func(document, url, **options)``: document is decoded HTML (str) or PDF bytes.
WorkerFunc = Callable[..., "dict[str, Any] | None"]

_PRELOAD = [
    "crawler.extraction",
    "crawler.pagechecks",
    "crawler.pagework",
    "crawler.pdftext",
]  # imported once in the forkserver, inherited by every worker
_KILL_JOIN_SECONDS = 2.0
#: Pipe buffer asked for (Linux caps it at /proc/sys/fs/pipe-max-size, 1 MiB by default).
_PIPE_BYTES = 1 << 20
_READY = -1  # the task id of a worker's "started" message
#: Pages in flight per worker: one being extracted, the rest waiting in its pipe, so a
#: worker never waits for the busy parent to hand it the next one (measured on the 2000-page
#: benchmark: 3.4-3.9% of the machine idle with 2, 1.1-1.2% with 4).
PAGES_PER_WORKER = 4
_HEADER = struct.Struct("!i")  # multiprocessing.Connection's framing: a signed length first
_LONG_HEADER = struct.Struct("!Q")  # after a length of -1: messages of 2 GiB and more


@dataclass(frozen=True)
class ExtractionOutcome:
    """What happened to one page: status "ok" | "empty" | "timeout" | "error"."""

    status: str
    result: ExtractedText | None
    reason: str | None


# --------------------------------------------------------------------------- worker side


def _init_worker(nice: int = 0) -> None:
    """Prepare a worker process: no network for tldextract, ignore Ctrl-C, warm imports,
    and lower its scheduling priority by ``nice``."""
    # trafilatura 2.3.1 / courlan 1.4.0 use `tld` (bundled suffix list), not tldextract, but a
    # custom `func` (or a future trafilatura) may build a TLDExtract(), whose first use tries
    # to download the Public Suffix List with no time-out: an empty URL list disables that.
    # It must be set before tldextract is imported, hence here, first thing in the worker.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    # Ctrl-C in a terminal reaches the whole process group; a worker dying of
    # KeyboardInterrupt would break the pool. The parent decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice > 0:
        os.nice(nice)
    import crawler.extraction  # noqa: F401  (already loaded when the forkserver preloaded it)


def extract_to_dict(document: str | bytes, url: str, **options: Any) -> dict[str, Any] | None:
    """Run ``extract_document`` and return ``to_dict()`` (the pool's default worker function).

    ``options``: ``content_type``, ``event`` ({"headline", "date"}) and ``site`` (the dict
    form of :class:`crawler.boilerplate.SiteHint`).
    """
    result = extract_document(document, url, **options)
    return None if result is None else result.to_dict()


def _run_in_worker(
    func: WorkerFunc, document: str | bytes, url: str, options: dict[str, Any]
) -> tuple[str, str | None]:
    """Call ``func`` in a worker; return (status, JSON text or reason): never raises."""
    try:
        # without options, ``func(document, url)``: any two-argument function can be pooled
        result = func(document, url, **options) if options else func(document, url)
        if result is None:
            return "empty", None
        if not isinstance(result, dict):
            raise TypeError(f"worker function returned {type(result).__name__}, not dict or None")
        # JSON text across the process boundary: plain data only, never lxml objects, and
        # nothing that could fail to unpickle in the parent (which would break the pool).
        return "ok", json.dumps(result, ensure_ascii=False)
    except BaseException as exc:  # noqa: B036 - SystemExit/KeyboardInterrupt from func: report
        return "error", f"{type(exc).__name__}: {exc}"


def _worker_main(tasks: Connection, answers: Connection, nice: int) -> None:
    """A worker's life: say it started, then answer each page until the parent goes away."""
    _init_worker(nice)
    answers.send_bytes(pickle.dumps((_READY, "ready", str(os.getpid()))))
    while True:
        try:
            message = tasks.recv_bytes()
        except (EOFError, OSError):  # the parent closed the pool or died
            return
        task_id, func, document, url, options = pickle.loads(message)
        status, payload = _run_in_worker(func, document, url, options)
        answers.send_bytes(pickle.dumps((task_id, status, payload), pickle.HIGHEST_PROTOCOL))


# --------------------------------------------------------------------------- parent side

#: The pool of each running crawl (registered by the archive pipeline, which owns it), so
#: other parts of the crawl (the spider's page checks) can send their CPU work there too.
_pools: weakref.WeakKeyDictionary[Any, ExtractionPool] = weakref.WeakKeyDictionary()


def register_pool(crawler: Any, pool: ExtractionPool | None) -> None:
    """Make ``pool`` the crawl's shared pool (None: forget it)."""
    if pool is None:
        _pools.pop(crawler, None)
    else:
        _pools[crawler] = pool


def pool_for(crawler: Any) -> ExtractionPool | None:
    """The crawl's shared pool, or None when no pipeline runs one (work stays in-process)."""
    return _pools.get(crawler)


def warm_forkserver() -> None:
    """Launch the process-wide forkserver now, so its imports overlap the caller's start-up.

    Cheap and idempotent: it returns once the server process is spawned, not imported.
    """
    context = multiprocessing.get_context("forkserver")
    # Only effective before the (process-wide) forkserver first starts.
    context.set_forkserver_preload(_PRELOAD)
    from multiprocessing import forkserver

    forkserver.ensure_running()


class _PoolLost(Exception):
    """An attempt was lost because its pool broke or was recycled."""


def _enlarge_pipe(conn: Connection) -> None:
    """Ask for a bigger pipe buffer (Linux only; elsewhere the default stays)."""
    setter = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setter is None:
        return
    for size in (_PIPE_BYTES, _PIPE_BYTES // 4):
        try:
            fcntl.fcntl(conn.fileno(), setter, size)
            return
        except OSError:  # above the system's limit for this user
            continue


def _frame(message: bytes) -> bytes:
    """``message`` with the length prefix ``multiprocessing.Connection.recv_bytes`` reads."""
    if len(message) > 0x7FFFFFFF:
        return _HEADER.pack(-1) + _LONG_HEADER.pack(len(message)) + message
    return _HEADER.pack(len(message)) + message


class _Messages:
    """Splits length-prefixed messages off a byte stream (a message may come in pieces)."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """Add what was read; return the messages now whole."""
        buffer = self.buffer
        buffer += data
        messages = []
        while len(buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer)
            start = _HEADER.size
            if size == -1:
                if len(buffer) < start + _LONG_HEADER.size:
                    break
                (size,) = _LONG_HEADER.unpack_from(buffer, start)
                start += _LONG_HEADER.size
            end = start + size
            if len(buffer) < end:
                break
            messages.append(bytes(buffer[start:end]))
            del buffer[:end]
        return messages


@dataclass(eq=False)
class _Workers:
    """One generation of worker processes with their pipes, served by one event loop.

    The parent's pipe ends are non-blocking and watched with ``loop.add_reader`` /
    ``add_writer``: a page is written at once (the enlarged pipe takes it) and only what
    did not fit waits for the pipe to drain.
    """

    loop: asyncio.AbstractEventLoop
    on_lost: Callable[[_Workers, str], None]
    processes: list[BaseProcess] = field(default_factory=list)
    tasks: list[Connection] = field(default_factory=list)  # the parent's writing ends
    answers: list[Connection] = field(default_factory=list)  # the parent's reading ends
    outgoing: list[bytearray] = field(default_factory=list)  # what a full pipe did not take
    incoming: list[_Messages] = field(default_factory=list)
    waiting: list[dict[int, asyncio.Future[tuple[str, str | None]]]] = field(default_factory=list)
    watched: bool = False  # whether the loop watches the pipes
    dead: str | None = None  # why this generation was torn down

    @classmethod
    def launch(
        cls,
        loop: asyncio.AbstractEventLoop,
        count: int,
        nice: int,
        on_lost: Callable[[_Workers, str], None],
    ) -> _Workers:
        """Start ``count`` workers (blocking: run it in a thread, as forking waits for the
        forkserver, which imports trafilatura the first time)."""
        warm_forkserver()
        context = multiprocessing.get_context("forkserver")
        workers = cls(loop, on_lost)
        try:
            for n in range(count):
                task_out, task_in = context.Pipe(duplex=False)  # (reading end, writing end)
                answer_out, answer_in = context.Pipe(duplex=False)
                workers.tasks.append(task_in)
                workers.answers.append(answer_out)
                process = context.Process(
                    target=_worker_main,
                    args=(task_out, answer_in, nice),
                    name=f"extraction-worker-{n}",
                    daemon=True,
                )
                process.start()
                workers.processes.append(process)
                task_out.close()  # the worker has its own copies now
                answer_in.close()
                for conn in (task_in, answer_out):
                    _enlarge_pipe(conn)
                    os.set_blocking(conn.fileno(), False)
                workers.outgoing.append(bytearray())
                workers.incoming.append(_Messages())
                workers.waiting.append({})
        except BaseException:
            workers.kill("start-up failed")
            raise
        return workers

    async def connect(self) -> None:
        """Watch the pipes from the loop and wait until every worker said it started."""
        ready = []
        for index, conn in enumerate(self.answers):
            future = self.loop.create_future()
            self.waiting[index][_READY] = future
            ready.append(future)
            self.loop.add_reader(conn.fileno(), self._readable, index)
        self.watched = True
        await asyncio.gather(*ready)

    def submit(self, task_id: int, message: bytes) -> tuple[asyncio.Future[Any], int]:
        """Send a pickled task to the least busy worker: (its answer, pages ahead of it)."""
        index = min(range(len(self.tasks)), key=lambda i: len(self.waiting[i]))
        queued = len(self.waiting[index])
        future: asyncio.Future[tuple[str, str | None]] = self.loop.create_future()
        self.waiting[index][task_id] = future
        self._send(index, _frame(message))
        return future, queued

    def pending(self, task_id: int) -> bool:
        """Whether a worker still has ``task_id`` (answered or not awaited any more)."""
        return any(task_id in waiting for waiting in self.waiting)

    def _send(self, index: int, data: bytes) -> None:
        outgoing = self.outgoing[index]
        if outgoing:  # the pipe is full: queue behind what waits
            outgoing += data
            return
        try:
            sent = os.write(self.tasks[index].fileno(), data)
        except BlockingIOError:
            sent = 0
        except OSError:  # the worker's end is closed: it died
            self.lost(index)
            return
        if sent < len(data):
            outgoing += memoryview(data)[sent:]
            self.loop.add_writer(self.tasks[index].fileno(), self._writable, index)

    def _writable(self, index: int) -> None:
        outgoing = self.outgoing[index]
        try:
            sent = os.write(self.tasks[index].fileno(), outgoing)
        except BlockingIOError:
            return
        except OSError:
            self.lost(index)
            return
        del outgoing[:sent]
        if not outgoing:
            self.loop.remove_writer(self.tasks[index].fileno())

    def _readable(self, index: int) -> None:
        try:
            data = os.read(self.answers[index].fileno(), _PIPE_BYTES)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:  # end of file: the worker is gone
            self.lost(index)
            return
        for message in self.incoming[index].feed(data):
            task_id, status, payload = pickle.loads(message)
            future = self.waiting[index].pop(task_id, None)
            if future is not None and not future.done():
                future.set_result((status, payload))

    def lost(self, index: int) -> None:
        """A pipe closed under a live generation: its worker died."""
        if self.dead is not None:
            return
        process = self.processes[index]
        process.join(0.1)  # for its exit code; a dead worker is reaped at once
        code = process.exitcode
        how = ""
        if code is not None:
            how = f" (exit code {code})" if code >= 0 else f" (signal {-code})"
        self.on_lost(self, f"worker {process.pid} died{how}")

    def kill(self, cause: str) -> None:
        """Kill every worker, close the pipes and fail what waits (once)."""
        if self.dead is not None:
            return
        self.dead = cause
        for process in self.processes:
            with contextlib.suppress(Exception):  # already gone
                if process.exitcode is None:
                    process.kill()  # SIGKILL: SIGTERM could be caught or deferred
        for conn in [*self.tasks, *self.answers]:
            with contextlib.suppress(Exception):  # the loop may be closed already
                if self.watched and not self.loop.is_closed():
                    self.loop.remove_reader(conn.fileno())
                    self.loop.remove_writer(conn.fileno())
            with contextlib.suppress(Exception):
                conn.close()
        lost = _PoolLost(f"extraction pool was recycled ({cause})")
        for waiting in self.waiting:
            for future in waiting.values():
                if not future.done():
                    with contextlib.suppress(RuntimeError):  # its loop is closed
                        future.set_exception(lost)
                        future.exception()  # retrieved: no warning when nobody awaits it
            waiting.clear()


class ExtractionPool:
    """Run a page -> dict function in a lazily started forkserver pool with a per-page limit."""

    def __init__(
        self,
        workers: int = 2,
        timeout: float = 20.0,
        func: WorkerFunc | None = None,
        *,
        startup_timeout: float = 60.0,
        nice: int = 0,
    ) -> None:
        """Configure the pool; no process is started until the first ``extract()``.

        ``nice``: how much lower than the parent's the workers' scheduling priority is
        (``os.nice``; 0 keeps it). The parent coordinates everything the workers do, so on
        a machine with no core to spare it should win the CPU whenever it has work.
        """
        if workers < 1:
            raise ValueError("workers must be >= 1")
        if timeout <= 0 or startup_timeout <= 0:
            raise ValueError("timeout and startup_timeout must be > 0")
        if not 0 <= nice <= 19:
            raise ValueError("nice must be 0 to 19")
        self.nice = nice
        self.workers = workers
        self.timeout = float(timeout)
        self.startup_timeout = float(startup_timeout)
        self.func: WorkerFunc = func if func is not None else extract_to_dict
        self.stats: Counter[str] = Counter()
        self.startup_seconds: float | None = None  # wall time of the last pool start
        self._current: _Workers | None = None
        self._killed: list[BaseProcess] = []  # workers of torn-down pools, maybe not reaped yet
        self._closed = False
        self._ids = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._start_lock: asyncio.Lock | None = None

    # ------------------------------------------------------------------ public API

    async def start(self) -> bool:
        """Start the workers now, ahead of the first page; False when they failed to start
        (the first page then tries again and reports why)."""
        _slots, start_lock = self._primitives()
        try:
            await self._ensure_workers(start_lock)
        except asyncio.CancelledError:
            raise
        except Exception:
            return False
        return True

    async def extract(self, html: str | bytes, url: str, **options: Any) -> ExtractionOutcome:
        """Extract one page in a worker; failures become outcomes (only cancellation propagates).

        ``options`` are passed to the worker function as keyword arguments (plain data).
        """
        status, data, reason = await self.call(self.func, html, url, **options)
        return self.outcome(status, data, reason)

    def outcome(
        self, status: str, data: dict[str, Any] | None, reason: str | None
    ) -> ExtractionOutcome:
        """The outcome of one extraction from what the worker function gave (counted)."""
        outcome = ExtractionOutcome(status, None, reason)
        if status == "ok" and data is not None:
            try:
                outcome = ExtractionOutcome("ok", ExtractedText.from_dict(data), None)
            except (TypeError, ValueError) as exc:
                outcome = ExtractionOutcome("error", None, _describe(exc))
        self.stats[outcome.status] += 1
        return outcome

    async def call(
        self, func: WorkerFunc, document: str | bytes, url: str, **options: Any
    ) -> tuple[str, dict[str, Any] | None, str | None]:
        """Run any module-level ``func(document, url, **options)`` in a worker, time-limited.

        Returns (status, the dict it returned, reason): "ok" with a dict, "empty" when it
        returned None, "timeout" or "error" with a reason. Only cancellation propagates.
        """
        try:
            return await self._extract(func, document, url, options)
        except asyncio.CancelledError:
            raise  # the caller cancelled us: not a failure of the work
        except Exception as exc:  # defensive: call() must not raise
            return "error", None, _describe(exc)

    def close(self) -> None:
        """Kill all workers and forget the pool; idempotent, bounded in time."""
        self._closed = True
        if self._current is not None:
            self._teardown(self._current, "pool closed", count=False)
        deadline = time.monotonic() + _KILL_JOIN_SECONDS
        for proc in self._killed:
            try:
                proc.join(max(0.0, deadline - time.monotonic()))
            except Exception:  # never let close() fail
                pass
        self._killed = [p for p in self._killed if _alive(p)]

    def __enter__(self) -> ExtractionPool:
        """Support ``with ExtractionPool() as pool:``."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Close the pool."""
        self.close()

    # ------------------------------------------------------------------ internals

    def _primitives(self) -> tuple[asyncio.Semaphore, asyncio.Lock]:
        """Return the semaphore and start lock for the running loop (asyncio's are loop-bound);
        workers started on another loop are let go (their pipes belong to that loop)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None or self._start_lock is None:
            self._loop = loop
            self._slots = asyncio.Semaphore(self.workers * PAGES_PER_WORKER)
            self._start_lock = asyncio.Lock()
            if self._current is not None and self._current.loop is not loop:
                self._teardown(self._current, "used from another event loop", count=False)
        return self._slots, self._start_lock

    async def _extract(
        self, func: WorkerFunc, html: str | bytes, url: str, options: dict[str, Any]
    ) -> tuple[str, dict[str, Any] | None, str | None]:
        """Run up to two attempts; only a lost pool (not a timeout) earns the second one."""
        slots, start_lock = self._primitives()
        task_id = next(self._ids)
        try:
            message = pickle.dumps((task_id, func, html, url, options), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an option that cannot cross to a worker
            return "error", None, f"cannot send the page to a worker: {_describe(exc)}"
        # PAGES_PER_WORKER pages per worker in flight: see "Timing" in the module's docstring.
        async with slots:
            lost_reason = ""
            for _ in range(2):
                if self._closed:
                    return "error", None, "extraction pool is closed"
                try:
                    workers = await self._ensure_workers(start_lock)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    return "error", None, f"extraction pool failed to start: {_describe(exc)}"
                try:
                    return await self._attempt(workers, task_id, message)
                except _PoolLost as lost:
                    lost_reason = str(lost)
            return "error", None, f"{lost_reason} (also on the retry)"

    async def _attempt(
        self, workers: _Workers, task_id: int, message: bytes
    ) -> tuple[str, dict[str, Any] | None, str | None]:
        """Send one page to a worker of ``workers`` and wait for it within the time limit."""
        if workers.dead is not None:
            raise _PoolLost(f"extraction pool was recycled ({workers.dead})")
        future, ahead = workers.submit(task_id, message)
        limit = self.timeout * (1 + ahead)
        try:
            status, payload = await asyncio.wait_for(future, limit)
        except TimeoutError:
            # the worker may be stuck in C code: only killing it frees it
            self._teardown(workers, "another page timed out")
            waited = ", waiting for a worker included" if ahead else ""
            return "timeout", None, f"timed out after {limit:.1f} s{waited}"
        except asyncio.CancelledError:
            self._watch_abandoned(workers, task_id)
            raise
        if status == "ok" and payload is not None:
            try:
                data = json.loads(payload)
            except ValueError as exc:
                return "error", None, _describe(exc)
            return "ok", data, None
        if status == "empty":
            return "empty", None, "no article text found"
        return "error", None, payload or "unknown worker error"

    async def _ensure_workers(self, start_lock: asyncio.Lock) -> _Workers:
        """Return the live workers, starting a generation (and waiting for it) if needed."""
        if self._current is not None:
            return self._current
        async with start_lock:
            if self._current is not None:
                return self._current
            if self._closed:
                raise RuntimeError("extraction pool is closed")
            loop = asyncio.get_running_loop()
            started = time.monotonic()
            launched = asyncio.ensure_future(
                asyncio.to_thread(_Workers.launch, loop, self.workers, self.nice, self._lost)
            )
            try:
                workers = await asyncio.wait_for(asyncio.shield(launched), self.startup_timeout)
            except BaseException:
                # a launch still running in its thread is killed when it finishes
                launched.add_done_callback(_kill_launched)
                raise
            try:
                await asyncio.wait_for(workers.connect(), self.startup_timeout)
            except BaseException:
                self._teardown(workers, "start-up failed", count=False)
                raise
            if self._closed:  # close() ran while the workers were starting
                self._teardown(workers, "pool closed", count=False)
                raise RuntimeError("extraction pool was closed during start-up")
            if workers.dead is not None:
                raise RuntimeError(f"extraction pool failed to start ({workers.dead})")
            self._current = workers
            self.startup_seconds = time.monotonic() - started
            return workers

    def _lost(self, workers: _Workers, cause: str) -> None:
        """A worker of ``workers`` died: recycle the pool."""
        self._teardown(workers, cause)

    def _teardown(self, workers: _Workers, cause: str, *, count: bool = True) -> None:
        """Kill the workers of a generation and fail what waits on it (once per generation)."""
        if workers.dead is not None:
            return
        if count:
            self.stats["recycled"] += 1
        if workers is self._current:
            self._current = None
        workers.kill(cause)
        self._killed = [p for p in self._killed if _alive(p)] + workers.processes

    def _watch_abandoned(self, workers: _Workers, task_id: int) -> None:
        """After a caller cancels, recycle the pool if the abandoned page overruns its limit."""
        if self._loop is None or not workers.pending(task_id):
            return

        def check() -> None:
            if workers is self._current and workers.pending(task_id):
                self._teardown(workers, "an abandoned page overran its time limit")

        self._loop.call_later(self.timeout, check)


def _kill_launched(launched: asyncio.Future[_Workers]) -> None:
    """Kill the workers of a launch whose caller stopped waiting."""
    if not launched.cancelled() and launched.exception() is None:
        launched.result().kill("start-up abandoned")


def _alive(proc: BaseProcess) -> bool:
    """Whether a process has not been reaped yet (never raises)."""
    try:
        return proc.is_alive()
    except Exception:
        return False


def _describe(exc: BaseException) -> str:
    """Format an exception as ``TypeName: message``."""
    return f"{type(exc).__name__}: {exc}"
