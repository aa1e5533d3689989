"""Crawl throughput, CPU per page and memory against bounds measured in the same run.

For each size it serves a generated web (bench/genweb.py) and runs, on the same web:
  (a) the full crawl: fetch, WARC, extraction, index;
  (b) the fetch-only bound: the same `scrapy crawl` with the archive extension and pipeline off;
  (c) the extraction-only bound: the same pages' HTML through the same extractor, one process
      per core;
and prints pages/s, CPU seconds per page, peak RSS of the crawl's process tree, and the ratio
of (a)'s wall time to max((b) wall, (c) wall, ((b) CPU + (c) CPU) / cores).

With ``--repeat N`` each size is measured N times, (b), (a) and (c) back to back each time
(a virtual machine's speed drifts within minutes, so a ratio is only fair between runs made
together); it prints every round and then the medians.

    .venv/bin/python -m bench.crawl --pages 1000 5000 20000 [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from bench.genweb import WebShape, build_registry
from bench.loadgen import requests_per_second
from crawler.extractpool import ExtractionPool

ROOT = Path(__file__).resolve().parent.parent
CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "WARNING",
    "ARCHIVE_PROGRESS_INTERVAL": "0",
}
FETCH_ONLY = {
    "ITEM_PIPELINES": "{}",
    "EXTENSIONS": json.dumps({"crawler.capture.WarcCapture": None}),
}


@dataclass
class Measure:
    """Wall seconds, CPU seconds and peak RSS (bytes) of one run."""

    wall: float
    cpu: float
    peak_rss: int
    pages: int
    main_cpu: float = 0.0  # of the root process alone (the crawl's reactor), when known

    @property
    def pages_per_second(self) -> float:
        """Throughput."""
        return self.pages / self.wall if self.wall else 0.0

    @property
    def cpu_per_page(self) -> float:
        """CPU seconds per page."""
        return self.cpu / self.pages if self.pages else 0.0


class TreeSampler(threading.Thread):
    """Samples a process tree: CPU seconds (last seen per process) and the peak summed RSS.

    CPU is counted from the sampler's start: a process that already ran (the benchmark
    process itself, for (c)) has what it spent before subtracted. Processes in ``exclude``
    (and their children) are left out: the idle web server, for (c).
    """

    def __init__(self, pid: int, interval: float = 0.1, exclude: Iterable[int] = ()) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.exclude = set(exclude)
        self.cpu: dict[int, float] = {}
        self.base: dict[int, float] = {}  # CPU of each process already running at the start
        for proc in self._tree():
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            self.base[proc.pid] = times.user + times.system
        self.before = self.base.get(pid, 0.0)  # the root's CPU before this measurement
        self.peak_rss = 0
        self.done = threading.Event()

    def _tree(self) -> list[psutil.Process]:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return []
        if not self.exclude:
            return procs
        left_out = set(self.exclude)
        for proc in procs:
            try:
                if proc.pid in self.exclude:
                    left_out.update(c.pid for c in proc.children(recursive=True))
            except psutil.Error:
                continue
        return [proc for proc in procs if proc.pid not in left_out]

    def run(self) -> None:
        """Sample until stopped."""
        while not self.done.is_set():
            rss = 0
            for proc in self._tree():
                try:
                    times = proc.cpu_times()
                    self.cpu[proc.pid] = times.user + times.system
                    rss += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_rss = max(self.peak_rss, rss)
            self.done.wait(self.interval)

    def stop(self) -> tuple[float, int]:
        """Stop sampling; total CPU seconds and peak RSS."""
        self.done.set()
        self.join()
        spent = sum(cpu - self.base.get(pid, 0.0) for pid, cpu in self.cpu.items())
        return spent, self.peak_rss

    @property
    def root_cpu(self) -> float:
        """CPU seconds of the root process alone."""
        return self.cpu.get(self.root.pid, self.before) - self.before


class BenchWeb:
    """The generated web's proxy in a subprocess (with `prepared`, serving ready bodies)."""

    def __init__(self, shape: WebShape, prepared: Path | None = None) -> None:
        command = [
            sys.executable,
            "-m",
            "bench.webserver",
            "--events",
            str(shape.events),
            "--articles",
            str(shape.articles),
            "--domains",
            str(shape.domains),
            *(["--prepare", str(prepared)] if prepared is not None else []),
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("SIMWEB proxy="):
            self.process.kill()
            raise RuntimeError(f"benchmark web did not start: {line!r}")
        self.proxy = line.split("=", 1)[1]

    def env(self) -> dict[str, str]:
        """Environment for a crawl through the proxy."""
        return dict(os.environ, http_proxy=self.proxy, https_proxy=self.proxy, no_proxy="")

    def close(self) -> None:
        """Stop the server."""
        self.process.terminate()
        self.process.wait(timeout=10)


def run_crawl(
    web: BenchWeb, shape: WebShape, workdir: Path, full: bool, round_no: int = 0
) -> Measure:
    """Run `scrapy crawl events` over the whole generated web (into a new archive folder)
    and measure it."""
    start_file = workdir / "starts.txt"
    start_file.write_text("\n".join(shape.day_indexes()) + "\n")
    archive = workdir / f"archive-{'full' if full else 'fetch'}-{round_no}"
    settings = dict(CRAWL_SETTINGS, ARCHIVE_DIR=str(archive))
    if not full:
        settings.update(FETCH_ONLY)
    command = [sys.executable, "-m", "scrapy", "crawl", "events", "-a", f"start_file={start_file}"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    log = open(workdir / f"crawl-{'full' if full else 'fetch'}-{round_no}.log", "w")  # noqa: SIM115
    started = time.monotonic()
    proc = subprocess.Popen(command, cwd=ROOT, env=web.env(), stdout=log, stderr=log)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    code = proc.wait()
    wall = time.monotonic() - started
    cpu, rss = sampler.stop()
    log.close()
    if code != 0:
        raise RuntimeError(f"crawl failed ({code}); see {log.name}")
    return Measure(wall, cpu, rss, shape.articles, main_cpu=sampler.root_cpu)


def write_pages(shape: WebShape, folder: Path) -> list[tuple[str, Path]]:
    """Generate every article page to a file, before (c) is measured: making pages is the
    web server's work, not the extractor's. Returns (url, file) pairs."""
    registry = build_registry(shape)
    folder.mkdir(parents=True, exist_ok=True)
    pages = []
    for article in range(shape.articles):
        url = shape.article_url(article)
        host = registry.get(url.split("/")[2])
        day = "-".join(url.split("/")[3:6])
        path = folder / f"{article}.html"
        path.write_bytes(host.page(article, day))  # type: ignore[union-attr]
        pages.append((url, path))
    return pages


async def _extract_all(pages: list[tuple[str, Path]], workers: int) -> None:
    pool = ExtractionPool(workers=workers, timeout=60)
    queue: asyncio.Queue[tuple[str, Path] | None] = asyncio.Queue(maxsize=workers * 4)

    async def consume() -> None:
        while (page := await queue.get()) is not None:
            url, path = page
            outcome = await pool.extract(path.read_text("utf-8"), url)
            if outcome.status != "ok":
                raise RuntimeError(f"extraction failed for {url}: {outcome.reason}")

    consumers = [asyncio.create_task(consume()) for _ in range(workers * 2)]
    for page in pages:
        await queue.put(page)
    for _ in consumers:
        await queue.put(None)
    await asyncio.gather(*consumers)
    pool.close()


def extraction_bound(
    pages: list[tuple[str, Path]], workers: int, exclude: Iterable[int] = ()
) -> Measure:
    """The same pages through the same extractor in `workers` processes, measured
    (``exclude``: processes of this one's tree that are not part of it)."""
    sampler = TreeSampler(os.getpid(), exclude=exclude)
    sampler.start()
    started = time.monotonic()
    asyncio.run(_extract_all(pages, workers))
    wall = time.monotonic() - started
    cpu, rss = sampler.stop()
    return Measure(wall, cpu, rss, len(pages), main_cpu=sampler.root_cpu)


@dataclass
class Round:
    """One round of the three measurements on a web, made back to back."""

    full: Measure
    fetch: Measure
    extract: Measure
    cores: int

    @property
    def bound(self) -> float:
        """max((b) wall, (c) wall, ((b) CPU + (c) CPU) / cores)."""
        cpu = (self.fetch.cpu + self.extract.cpu) / self.cores
        return max(self.fetch.wall, self.extract.wall, cpu)

    @property
    def ratio(self) -> float:
        """(a)'s wall time over the bound."""
        return self.full.wall / self.bound


def median_measure(measures: list[Measure]) -> Measure:
    """Each figure's median over the rounds (peak RSS: the highest)."""
    return Measure(
        wall=statistics.median(m.wall for m in measures),
        cpu=statistics.median(m.cpu for m in measures),
        peak_rss=max(m.peak_rss for m in measures),
        pages=measures[0].pages,
        main_cpu=statistics.median(m.main_cpu for m in measures),
    )


def measure_size(
    pages: int, domains: int, per_event: int, keep: bool, repeat: int = 1
) -> dict[str, Any]:
    """All measurements for one size of web, ``repeat`` rounds of (b), (a), (c)."""
    shape = WebShape(events=max(1, pages // per_event), articles=pages, domains=domains)
    cores = os.cpu_count() or 1
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{pages}-"))
    pages_written = write_pages(shape, workdir / "pages")
    web = BenchWeb(shape, prepared=workdir / "served")
    rounds: list[Round] = []
    try:
        urls = [shape.article_url(a) for a in range(min(pages, 2000))]
        server_rps = requests_per_second(web.proxy, urls, seconds=3.0)
        for round_no in range(repeat):
            fetch = run_crawl(web, shape, workdir, full=False, round_no=round_no)
            full = run_crawl(web, shape, workdir, full=True, round_no=round_no)
            extract = extraction_bound(pages_written, cores, exclude=[web.process.pid])
            rounds.append(Round(full, fetch, extract, cores))
            if not keep:
                for kind in ("fetch", "full"):
                    shutil.rmtree(workdir / f"archive-{kind}-{round_no}", ignore_errors=True)
    finally:
        web.close()
        shutil.rmtree(workdir / "served", ignore_errors=True)
        shutil.rmtree(workdir / "pages", ignore_errors=True)
    if not keep:
        shutil.rmtree(workdir)
    return {
        "pages": pages,
        "server_rps": server_rps,
        "rounds": rounds,
        "full": median_measure([r.full for r in rounds]),
        "fetch": median_measure([r.fetch for r in rounds]),
        "extract": median_measure([r.extract for r in rounds]),
        "bound": statistics.median(r.bound for r in rounds),
        "ratio": statistics.median(r.ratio for r in rounds),
        "workdir": workdir,
    }


def _row(name: str, m: Measure) -> str:
    return (
        f"  {name:<16} {m.wall:8.1f} s {m.pages_per_second:8.1f} p/s "
        f"{m.cpu_per_page * 1000:8.1f} ms CPU/p {m.peak_rss / 2**20:8.0f} MB"
        f"   (main process {m.main_cpu / m.pages * 1000 if m.pages else 0:.1f} ms CPU/p)"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark at each size and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--domains", type=int, default=20)
    parser.add_argument("--per-event", type=int, default=10, help="sources per event page")
    parser.add_argument("--keep", action="store_true", help="keep the crawl folders and logs")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds per size; the medians are printed too"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}", flush=True)
    results = []
    for pages in args.pages:
        r = measure_size(pages, args.domains, args.per_event, args.keep, args.repeat)
        results.append(r)
        print(
            f"\n{pages} article pages ({max(1, pages // args.per_event)} events, "
            f"{args.domains} domains); web server: {r['server_rps']:.0f} req/s"
        )
        rounds: list[Round] = r["rounds"]
        if len(rounds) > 1:
            for n, one in enumerate(rounds, 1):
                print(
                    f"  round {n}: (a) {one.full.wall:.1f} s, (b) {one.fetch.wall:.1f} s, "
                    f"(c) {one.extract.wall:.1f} s, bound {one.bound:.1f} s, "
                    f"(a) / bound = {one.ratio:.2f}"
                )
            print(f"  medians of {len(rounds)} rounds (peak RSS: the highest):")
        print(_row("(a) full crawl", r["full"]))
        print(_row("(b) fetch only", r["fetch"]))
        print(_row("(c) extract only", r["extract"]))
        print(
            f"  bound = max((b) wall, (c) wall, ((b)+(c) CPU)/cores) = {r['bound']:.1f} s;"
            f"  (a) / bound = {r['ratio']:.2f}",
            flush=True,
        )
        if args.keep:
            print(f"  kept: {r['workdir']}")
    if len(results) > 1:
        small, large = results[0], results[-1]
        per_small = small["full"].wall / small["pages"]
        per_large = large["full"].wall / large["pages"]
        print(
            f"\nscaling {small['pages']} -> {large['pages']} pages: time per page "
            f"x{per_large / per_small:.2f}, peak RSS "
            f"x{large['full'].peak_rss / small['full'].peak_rss:.2f} "
            f"({large['full'].peak_rss / 2**20:.0f} MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
