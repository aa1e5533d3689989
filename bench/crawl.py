"""Crawl throughput, CPU per page and memory against bounds measured in the same run.

For each size it serves a generated web (bench/genweb.py) and runs, on the same web:
  (a) the full crawl: fetch, WARC, extraction, index;
  (b) the fetch-only bound: the same `scrapy crawl` with the archive extension and pipeline off;
  (c) the extraction-only bound: the same pages' HTML through the same extractor, one process
      per core;
and prints pages/s, CPU seconds per page, peak RSS of the crawl's process tree, and the ratio
of (a)'s wall time to max((b) wall, (c) wall, ((b) CPU + (c) CPU) / cores).

    .venv/bin/python -m bench.crawl --pages 1000 5000 20000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
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

    CPU is counted from the sampler's start: a root that already ran (the benchmark process
    itself, for (c)) has what it spent before subtracted.
    """

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.interval = interval
        self.cpu: dict[int, float] = {}
        times = self.root.cpu_times()
        self.before = times.user + times.system  # the root's CPU before this measurement
        self.peak_rss = 0
        self.done = threading.Event()

    def _tree(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return []

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
        return sum(self.cpu.values()) - self.before, self.peak_rss

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


def run_crawl(web: BenchWeb, shape: WebShape, workdir: Path, full: bool) -> Measure:
    """Run `scrapy crawl events` over the whole generated web and measure it."""
    start_file = workdir / "starts.txt"
    start_file.write_text("\n".join(shape.day_indexes()) + "\n")
    archive = workdir / ("archive-full" if full else "archive-fetch")
    settings = dict(CRAWL_SETTINGS, ARCHIVE_DIR=str(archive))
    if not full:
        settings.update(FETCH_ONLY)
    command = [sys.executable, "-m", "scrapy", "crawl", "events", "-a", f"start_file={start_file}"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    log = open(workdir / f"crawl-{'full' if full else 'fetch'}.log", "w")  # noqa: SIM115
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


def extraction_bound(pages: list[tuple[str, Path]], workers: int) -> Measure:
    """The same pages through the same extractor in `workers` processes, measured."""
    sampler = TreeSampler(os.getpid())
    sampler.start()
    started = time.monotonic()
    asyncio.run(_extract_all(pages, workers))
    wall = time.monotonic() - started
    cpu, rss = sampler.stop()
    return Measure(wall, cpu, rss, len(pages), main_cpu=sampler.root_cpu)


def measure_size(pages: int, domains: int, per_event: int, keep: bool) -> dict[str, Any]:
    """All measurements for one size of web."""
    shape = WebShape(events=max(1, pages // per_event), articles=pages, domains=domains)
    cores = os.cpu_count() or 1
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{pages}-"))
    web = BenchWeb(shape, prepared=workdir / "served")
    try:
        urls = [shape.article_url(a) for a in range(min(pages, 2000))]
        server_rps = requests_per_second(web.proxy, urls, seconds=3.0)
        fetch = run_crawl(web, shape, workdir, full=False)
        full = run_crawl(web, shape, workdir, full=True)
    finally:
        web.close()
        shutil.rmtree(workdir / "served", ignore_errors=True)
    pages_written = write_pages(shape, workdir / "pages")
    extract = extraction_bound(pages_written, cores)
    shutil.rmtree(workdir / "pages")
    bound = max(fetch.wall, extract.wall, (fetch.cpu + extract.cpu) / cores)
    if not keep:
        shutil.rmtree(workdir)
    return {
        "pages": pages,
        "server_rps": server_rps,
        "full": full,
        "fetch": fetch,
        "extract": extract,
        "bound": bound,
        "ratio": full.wall / bound,
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
    args = parser.parse_args(argv)
    print(f"cores: {os.cpu_count()}  python: {sys.version.split()[0]}", flush=True)
    results = []
    for pages in args.pages:
        r = measure_size(pages, args.domains, args.per_event, args.keep)
        results.append(r)
        print(
            f"\n{pages} article pages ({max(1, pages // args.per_event)} events, "
            f"{args.domains} domains); web server: {r['server_rps']:.0f} req/s"
        )
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
