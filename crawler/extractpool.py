"""Article extraction in a forkserver process pool, awaitable from asyncio, time-limited per page.

Why a process pool: trafilatura is pure-Python CPU work (5-50 ms a page) that would stall
the reactor thread, threads do not help (GIL), and library mode has no time limit.

Recycling policy: when an attempt times out, or a worker dies (``os._exit``, segfault,
OOM kill), the whole pool is torn down and its worker processes are killed, so a hung
worker cannot linger; the next call starts a fresh pool. The page that timed out gets
status "timeout" and is *not* retried. Every other page whose attempt was lost because
the pool broke or was recycled under it is retried once on the fresh pool (its time limit
restarts); if that second attempt is lost too it gets status "error" with a reason saying
the pool was recycled. A page that itself crashes its worker therefore crashes two pools
and then gets "error" (reason ``BrokenProcessPool: ...``). Each teardown counts once in
``stats["recycled"]``.

Timing: at most two pages per worker are in flight (an asyncio semaphore), so a worker
finds its next page waiting instead of idling while the parent (busy with the reactor)
hands it one. A page sent while every worker was busy may wait behind one page, whose own
limit bounds the wait, so it is given twice the limit from submission (and the reason says
so); a page sent to an idle worker gets the limit itself. Pool start-up (forkserver
launch, worker warm-up) has its own ``startup_timeout`` and is not charged to a page. The
process-wide forkserver preloads ``crawler.extraction`` (trafilatura, lxml) once; each
worker is forked from it.
Like any spawn/forkserver pool, workers re-import the parent's ``__main__`` by path: a
script that uses this pool must guard its entry point with ``if __name__ == "__main__"``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time
import weakref
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
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


def _ping(delay: float) -> int:
    """Warm-up task: occupy a worker briefly so each one runs its initializer."""
    time.sleep(delay)
    return os.getpid()


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


class _PoolLost(Exception):
    """An attempt was lost because its pool broke or was recycled."""


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
        self._executor: ProcessPoolExecutor | None = None
        self._killed: list[BaseProcess] = []  # workers of torn-down pools, maybe not reaped yet
        # torn-down executors -> why (weak keys: an id() could be reused by a new executor)
        self._dead: weakref.WeakKeyDictionary[ProcessPoolExecutor, str] = (
            weakref.WeakKeyDictionary()
        )
        self._closed = False
        self._in_flight = 0  # pages submitted and not yet answered
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._start_lock: asyncio.Lock | None = None

    # ------------------------------------------------------------------ public API

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
        executor = self._executor
        if executor is not None:
            self._teardown(executor, "pool closed", count=False)
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
        """Return the semaphore and start lock for the running loop (asyncio's are loop-bound)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._slots is None or self._start_lock is None:
            self._loop = loop
            self._slots = asyncio.Semaphore(self.workers * 2)
            self._start_lock = asyncio.Lock()
        return self._slots, self._start_lock

    async def _extract(
        self, func: WorkerFunc, html: str | bytes, url: str, options: dict[str, Any]
    ) -> tuple[str, dict[str, Any] | None, str | None]:
        """Run up to two attempts; only a lost pool (not a timeout) earns the second one."""
        slots, start_lock = self._primitives()
        # Two pages per worker in flight: see "Timing" in the module's docstring.
        async with slots:
            lost_reason = ""
            for _ in range(2):
                if self._closed:
                    return "error", None, "extraction pool is closed"
                try:
                    executor = await self._ensure_executor(start_lock)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    return "error", None, f"extraction pool failed to start: {_describe(exc)}"
                try:
                    return await self._attempt(executor, func, html, url, options)
                except _PoolLost as lost:
                    lost_reason = str(lost)
            return "error", None, f"{lost_reason} (also on the retry)"

    async def _attempt(
        self,
        executor: ProcessPoolExecutor,
        func: WorkerFunc,
        html: str | bytes,
        url: str,
        options: dict[str, Any],
    ) -> tuple[str, dict[str, Any] | None, str | None]:
        """Submit one page to ``executor`` and wait for it within the time limit."""
        queued = self._in_flight >= self.workers  # every worker busy: it waits behind one
        limit = self.timeout * (2 if queued else 1)
        try:
            cfut = executor.submit(_run_in_worker, func, html, url, options)
        except (BrokenProcessPool, RuntimeError) as exc:  # broken or shut down under us
            self._teardown(executor, _describe(exc))
            raise _PoolLost(f"extraction pool was recycled ({_describe(exc)})") from exc
        self._in_flight += 1
        try:
            status, payload = await asyncio.wait_for(asyncio.wrap_future(cfut), limit)
        except TimeoutError:
            # the worker may be stuck in C code: only killing it frees it
            self._teardown(executor, "another page timed out")
            waited = ", waiting for a worker included" if queued else ""
            return "timeout", None, f"timed out after {limit:.1f} s{waited}"
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                self._watch_abandoned(executor, cfut)
                raise
            # not our caller: the pool was shut down (cancel_futures) while this was queued
            why = self._dead.get(executor, "shut down")
            raise _PoolLost(f"extraction pool was recycled ({why})") from None
        except BrokenProcessPool as exc:
            cause = self._dead.get(executor)
            if cause is not None:  # we tore it down: this page is a bystander
                raise _PoolLost(f"extraction pool was recycled ({cause})") from exc
            self._teardown(executor, "a worker process died")
            raise _PoolLost(_describe(exc)) from exc
        finally:
            self._in_flight -= 1
        if status == "ok" and payload is not None:
            try:
                data = json.loads(payload)
            except ValueError as exc:
                return "error", None, _describe(exc)
            return "ok", data, None
        if status == "empty":
            return "empty", None, "no article text found"
        return "error", None, payload or "unknown worker error"

    async def _ensure_executor(self, start_lock: asyncio.Lock) -> ProcessPoolExecutor:
        """Return the live executor, starting one (and warming its workers) if needed."""
        if self._executor is not None:
            return self._executor
        async with start_lock:
            if self._executor is not None:
                return self._executor
            context = multiprocessing.get_context("forkserver")
            # Only effective before the (process-wide) forkserver first starts.
            context.set_forkserver_preload(_PRELOAD)
            started = time.monotonic()
            executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(self.nice,),
            )
            try:
                pings = [
                    asyncio.wrap_future(executor.submit(_ping, 0.05)) for _ in range(self.workers)
                ]
                await asyncio.wait_for(asyncio.gather(*pings), self.startup_timeout)
            except BaseException:
                self._teardown(executor, "start-up failed", count=False)
                raise
            if self._closed:  # close() ran while the workers were starting
                self._teardown(executor, "pool closed", count=False)
                raise RuntimeError("extraction pool was closed during start-up")
            self._executor = executor
            self.startup_seconds = time.monotonic() - started
            return executor

    def _teardown(self, executor: ProcessPoolExecutor, cause: str, *, count: bool = True) -> None:
        """Kill the workers of ``executor`` and shut it down without waiting (once per pool)."""
        if executor in self._dead:
            return
        self._dead[executor] = cause
        if count:
            self.stats["recycled"] += 1
        if executor is self._executor:
            self._executor = None
        processes = _snapshot(executor)  # before shutdown(), which drops the reference
        for proc in processes:
            try:
                if proc.exitcode is None:
                    proc.kill()  # SIGKILL: SIGTERM could be caught or deferred by a stuck worker
            except Exception:  # already gone
                pass
        try:
            executor.shutdown(wait=False, cancel_futures=True)
        except Exception:  # best effort
            pass
        self._killed = [p for p in self._killed if _alive(p)] + processes

    def _watch_abandoned(self, executor: ProcessPoolExecutor, cfut: Future[Any]) -> None:
        """After a caller cancels, recycle the pool if the abandoned page overruns its limit."""
        if cfut.cancel() or cfut.done() or self._loop is None:
            return

        def check() -> None:
            if not cfut.done() and executor is self._executor:
                self._teardown(executor, "an abandoned page overran its time limit")

        self._loop.call_later(self.timeout, check)


def _snapshot(executor: ProcessPoolExecutor) -> list[BaseProcess]:
    """Copy the executor's worker processes (private ``_processes``; None after shutdown)."""
    for _ in range(3):
        try:
            return list((getattr(executor, "_processes", None) or {}).values())
        except RuntimeError:  # dict changed size while the manager thread edited it
            continue
    return []


def _alive(proc: BaseProcess) -> bool:
    """Whether a process has not been reaped yet (never raises)."""
    try:
        return proc.is_alive()
    except Exception:
        return False


def _describe(exc: BaseException) -> str:
    """Format an exception as ``TypeName: message``."""
    return f"{type(exc).__name__}: {exc}"
