"""The benchmarks still run: a tiny crawl benchmark prints its table (figures are not checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_crawl_benchmark_runs_at_a_tiny_size() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.crawl", "--pages", "30", "--domains", "3", "--repeat", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for line in ("(a) full crawl", "(b) fetch only", "(c) extract only", "(a) / bound"):
        assert line in result.stdout
    assert "round 2: (a)" in result.stdout and "medians of 2 rounds" in result.stdout


def test_generated_pages_are_deterministic_and_news_sized() -> None:
    from bench.genweb import NewsSite, WebShape

    shape = WebShape(events=3, articles=30, domains=3)
    site = NewsSite(shape.domain(0), seed=1)
    sizes = [len(site.page(n, "2020-01-01")) for n in range(20)]
    assert site.page(5, "2020-01-01") == site.page(5, "2020-01-01")
    assert min(sizes) >= 40 * 1024 and max(sizes) <= 200 * 1024
    cited = [a for e in range(shape.events) for a in shape.event_articles(e)]
    assert sorted(cited) == list(range(30))


def test_tree_sampler_counts_only_cpu_spent_while_it_ran() -> None:
    # (c) samples the benchmark process itself, which generated pages before: that CPU
    # must not count as extraction
    import os
    import time

    from bench.crawl import TreeSampler

    end = time.process_time() + 0.3
    while time.process_time() < end:  # CPU spent before the sampler starts
        pass
    sampler = TreeSampler(os.getpid(), interval=0.02)
    sampler.start()
    end = time.process_time() + 0.2
    while time.process_time() < end:
        pass
    time.sleep(0.05)
    cpu, _rss = sampler.stop()
    assert 0.15 < cpu < 0.29
    assert 0.15 < sampler.root_cpu < 0.29


def test_tree_sampler_leaves_out_a_childs_earlier_cpu_and_excluded_children() -> None:
    # the web server stays up during (c): its past CPU and its idle life are not extraction
    import os
    import time

    from bench.crawl import TreeSampler

    spin = "import time\nend = time.process_time() + {}\nwhile time.process_time() < end: pass\n"
    ran_before = subprocess.Popen([sys.executable, "-c", spin.format(0.4) + "time.sleep(30)"])
    time.sleep(1.5)  # it has spent its 0.4 s by now, and sleeps
    excluded = subprocess.Popen([sys.executable, "-c", spin.format(0.4)])
    try:
        sampler = TreeSampler(os.getpid(), interval=0.02, exclude=[excluded.pid])
        sampler.start()
        excluded.wait(timeout=30)
        time.sleep(0.1)
        cpu, _rss = sampler.stop()
    finally:
        ran_before.kill()
        ran_before.wait()
    assert cpu < 0.2


def test_prepared_pages_are_the_pages_made_on_request(tmp_path: Path) -> None:
    import zlib

    from bench.genweb import NewsSite, WebShape, build_registry, prepare_articles
    from simweb.wire import Request

    shape = WebShape(events=2, articles=6, domains=2)
    fresh, ready = build_registry(shape), build_registry(shape)
    prepare_articles(ready, shape, tmp_path / "served")
    assert len(list((tmp_path / "served").glob("*.gz"))) == 6
    for article in range(6):
        url = shape.article_url(article)
        host, path = url.split("/")[2], "/" + url.split("/", 3)[3]
        request = Request("GET", path, "HTTP/1.1", [("Accept-Encoding", "gzip")], path=path)
        site = ready.get(host)
        assert isinstance(site, NewsSite) and site.prepared is not None
        served = [registry.get(host).respond(request) for registry in (fresh, ready)]
        bodies = [zlib.decompress(r.body, 31) for r in served if r is not None]
        assert len(bodies) == 2 and bodies[0] == bodies[1]
