"""Whole crawls of the simulated web with `scrapy crawl events`, checked from what is on disk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings
from warcio.archiveiterator import ArchiveIterator

from archive.index import url_key
from archive.reader import Archive, texts_path
from simweb import catalog
from simweb.runner import SimWeb
from tests.conftest import CrawlRun, run_crawl


@pytest.fixture(scope="module")
def demo_crawl(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """One full crawl of the demo web from its day indexes."""
    simweb.reset()
    archive_dir = tmp_path_factory.mktemp("demo") / "archive"
    run = run_crawl(simweb, archive_dir, catalog.start_urls())
    run.requests = simweb.requests()  # type: ignore[attr-defined]
    assert run.returncode == 0, run.log[-5000:]
    return run


def _cited_urls() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for event in catalog.EVENTS:
        for _label, url in event.sources:
            cited.setdefault(url, set()).add(event.url_md)
    return cited


def _reachable_events() -> set[str]:
    """Event pages a crawl from the day indexes reaches (depth 1: their related events)."""
    listed = [e for e in catalog.EVENTS if e.in_day_index]
    related = {url for e in listed for url, _s, _t in e.related}
    return {e.url_md for e in catalog.EVENTS if e.in_day_index or e.url_md in related}


def test_every_event_and_source_has_an_outcome(demo_crawl: CrawlRun) -> None:
    with Archive(demo_crawl.archive_dir) as arc:
        events = arc.events()
        assert {e.url for e in events} >= _reachable_events()
        for event in events:
            for source in event.sources:
                assert source.outcome != "pending", (event.event_id, source.url)


def test_outcomes_match_the_simulated_web(demo_crawl: CrawlRun) -> None:
    with Archive(demo_crawl.archive_dir) as arc:
        seen = {}
        for event in arc.events():
            for source in event.sources:
                seen[source.url] = source
    for url, spec in catalog.ARTICLES.items():
        if url not in seen:
            continue
        source = seen[url]
        assert source.outcome == spec.expected_outcome, (url, source.reason)
        if spec.final_url:
            assert source.archived_url == spec.final_url
        if spec.expected_outcome == "dead":
            assert source.reason


def test_every_response_is_at_its_indexed_offset(demo_crawl: CrawlRun) -> None:
    with Archive(demo_crawl.archive_dir) as arc:
        rows = arc.index.captures()
        assert rows
        for row in rows:
            folder = "derived" if row.record_type in ("metadata", "conversion") else "warc"
            with open(demo_crawl.archive_dir / folder / row.warc_file, "rb") as fh:
                fh.seek(row.offset)
                record = next(iter(ArchiveIterator(fh)))
                assert record.rec_headers.get_header("WARC-Record-ID") == row.record_id
                assert record.rec_type == row.record_type
        for row in arc.index.captures("response"):
            assert arc.read_record(row).status == row.status


def test_warcio_check_passes_on_every_file(demo_crawl: CrawlRun) -> None:
    files = sorted(demo_crawl.archive_dir.glob("*/*.warc.gz"))
    assert files and not list(demo_crawl.archive_dir.glob("*/*.open"))
    for path in files:
        result = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_texts_have_the_article_and_no_noise(demo_crawl: CrawlRun) -> None:
    checked = 0
    with Archive(demo_crawl.archive_dir) as arc:
        texts = {s.url: s for e in arc.events() for s in e.sources}
    for url, spec in catalog.ARTICLES.items():
        if spec.kind != "document" or spec.expected_outcome == "dead" or url not in texts:
            continue
        text = texts[url].text or ""
        for sentence in spec.paragraphs:
            assert sentence in text, (url, sentence)
        for noise in spec.noise:
            assert noise not in text, (url, noise)
        checked += 1
    assert checked >= 10


def test_source_cited_twice_is_fetched_once(demo_crawl: CrawlRun) -> None:
    shared = [url for url, events in _cited_urls().items() if len(events) > 1]
    assert shared, "the demo web must cite some source from two events"
    requests = demo_crawl.requests  # type: ignore[attr-defined]
    for url in shared:
        spec = catalog.ARTICLES[url]
        if spec.expected_outcome != "origin":
            continue
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        hits = [
            r
            for r in requests
            if r["host"] == parts.hostname and r["path"] == path and r["method"] != "CONNECT"
        ]
        assert len(hits) == 1, (url, hits)
        with Archive(demo_crawl.archive_dir) as arc:
            citing = arc.index.event_ids_citing(url)
            assert len(citing) >= 2
            for event_id in citing:
                source = next(
                    s for s in arc.event(event_id).sources if url_key(s.url) == url_key(url)
                )
                assert source.text


def test_images_are_archived_not_extracted(demo_crawl: CrawlRun) -> None:
    images = [u for u, s in catalog.ARTICLES.items() if s.kind == "image"]
    assert images
    with Archive(demo_crawl.archive_dir) as arc:
        sources = {s.url: s for e in arc.events() for s in e.sources}
        for url in images:
            assert sources[url].kind == "image"
            assert sources[url].outcome == "origin"
            assert sources[url].text is None
            snap = arc.snapshot(url)
            assert snap.status == 200 and snap.body[:4] in (
                b"\x89PNG",
                b"\xff\xd8\xff\xe0",
                b"\xff\xd8\xff\xdb",
                b"\xff\xd8\xff\xe1",
            )


def test_texts_are_keyed_to_events_on_disk(demo_crawl: CrawlRun) -> None:
    import json

    with Archive(demo_crawl.archive_dir) as arc:
        for event_id in arc.event_ids():
            data = json.loads(texts_path(arc.root, event_id).read_text())
            assert data["event_id"] == event_id
            assert [s["position"] for s in data["sources"]] == sorted(
                s["position"] for s in data["sources"]
            )


def test_stats_and_summary(demo_crawl: CrawlRun) -> None:
    stats = demo_crawl.stats
    assert stats["archive/sources/origin"]
    assert stats["archive/sources/dead"]
    assert stats["finish_reason"] == "finished"
    assert "Finished (finished). Progress:" in demo_crawl.log
    # start-up objects are frozen out of garbage collection (crawler/runtime.py)
    assert stats["runtime/gc_frozen"] > 10_000
    # origin pages are extracted in the same worker call as their page checks (pagework.py)
    assert 0 < stats["archive/text/with_page_checks"] <= stats["archive/text/ok"]


def test_each_response_gets_few_output_tasks() -> None:
    # Scrapy 2.19 starts CONCURRENT_ITEMS asyncio tasks for every response's output; a
    # page here yields one item, so the default (100) is pure overhead (README, Benchmarks)
    assert get_project_settings().getint("CONCURRENT_ITEMS") <= 8


def test_nothing_leaves_loopback(demo_crawl: CrawlRun) -> None:
    assert demo_crawl.violations() == []
    requests = demo_crawl.requests  # type: ignore[attr-defined]
    assert not [r for r in requests if "publicsuffix" in r["host"]]


def test_scrapy_cookie_middleware_uses_bundled_suffix_list(demo_crawl: CrawlRun) -> None:
    code = (
        "import crawler.settings\n"
        "from scrapy.downloadermiddlewares import cookies\n"
        "assert tuple(cookies._split_domain.suffix_list_urls) == (), "
        "cookies._split_domain.suffix_list_urls\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"}
    env_free = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )
    assert env_free.returncode == 0, env_free.stderr


def _records(archive_dir: Path) -> list[tuple[str, str, object, object]]:
    out = []
    for path in sorted((archive_dir / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                body = record.raw_stream.read()
                out.append(
                    (
                        record.rec_type,
                        record.rec_headers.get_header("WARC-Target-URI"),
                        record.http_headers,
                        body,
                    )
                )
    return out


def test_every_redirect_hop_is_archived(demo_crawl: CrawlRun) -> None:
    responses = {
        (uri, h.get_statuscode())
        for t, uri, h, _b in _records(demo_crawl.archive_dir)
        if t == "response"
    }
    chains = [s for s in catalog.ARTICLES.values() if s.expected_outcome == "redirect"]
    assert chains
    for spec in chains:
        for url, status in spec.hops:
            assert (url, str(status)) in responses, (url, status)


def test_payloads_are_stored_as_received(demo_crawl: CrawlRun) -> None:
    gzipped = 0
    for rec_type, uri, http, body in _records(demo_crawl.archive_dir):
        if rec_type == "request":
            accept = http.get_header("Accept-Encoding") or ""
            assert "zstd" not in accept and "br" not in accept, (uri, accept)
            assert http.get_header("Host")
        if rec_type == "response" and http.get_header("Content-Encoding") == "gzip":
            assert body[:2] == b"\x1f\x8b", uri
            gzipped += 1
        if rec_type == "response":
            assert http.get_header("Content-Length") == str(len(body)), uri
            assert http.get_header("Transfer-Encoding") is None, uri
    assert gzipped


def test_repeated_set_cookie_headers_are_kept(demo_crawl: CrawlRun) -> None:
    found = 0
    for rec_type, uri, http, _body in _records(demo_crawl.archive_dir):
        if rec_type != "response" or "kestrelpost.com" not in uri:
            continue
        if uri.endswith(tuple("0123456789")):  # the site's article URLs end in an id
            cookies = [v for k, v in http.headers if k.lower() == "set-cookie"]
            assert len(cookies) == 2, (uri, cookies)
            found += 1
    assert found


def test_fastwarc_verifies_every_digest(demo_crawl: CrawlRun) -> None:
    from fastwarc.warc import ArchiveIterator as FastIterator
    from fastwarc.warc import WarcRecordType

    for path in sorted(demo_crawl.archive_dir.glob("*/*.warc.gz")):
        count = 0
        with open(path, "rb") as fh:
            for record in FastIterator(fh, record_types=WarcRecordType.any_type, parse_http=False):
                assert record.verify_block_digest(), (path, record.record_id)
                payload_digest = record.headers.get("WARC-Payload-Digest")
                if record.record_type in (WarcRecordType.response, WarcRecordType.request):
                    record.parse_http()
                    assert record.verify_payload_digest(), (path, record.record_id)
                elif payload_digest:  # no HTTP envelope: the payload is the whole block
                    assert payload_digest == record.headers.get("WARC-Block-Digest")
                count += 1
        assert count > 1


class _BenchProxy:
    """The benchmark's generated web (plain HTTP, many hosts) behind simweb's proxy, in a
    thread of this process: its request log says which connection carried each request."""

    def __init__(self, events: int, articles: int, domains: int) -> None:
        import asyncio
        import threading

        from bench.genweb import WebShape, build_registry
        from simweb.server import ProxyServer

        self.shape = WebShape(events, articles, domains)
        self.server = ProxyServer(build_registry(self.shape))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(30)

    def proxy_env(self) -> dict[str, str]:
        url = self.server.url
        return {"http_proxy": url, "https_proxy": url, "HTTP_PROXY": url, "HTTPS_PROXY": url}

    def close(self) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def test_connections_to_a_proxy_are_reused(tmp_path: Path) -> None:
    """Through an HTTP proxy every request shares one connection-pool key: idle connections
    stay open for the next request (crawler/healthcheck.py), not one connection a request."""
    web = _BenchProxy(events=30, articles=300, domains=30)
    try:
        run = run_crawl(
            web,  # type: ignore[arg-type]
            tmp_path / "archive",
            web.shape.day_indexes(),
            settings={"CONCURRENT_REQUESTS": "8", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"},
        )
    finally:
        web.close()
    assert run.returncode == 0, run.log[-3000:]
    requests = [e for e in web.server.log if e["method"] != "CONNECT"]
    assert len(requests) > 300
    # about one connection per request in flight (16-17 here: with no download delay Scrapy
    # 2.19 starts more than CONCURRENT_REQUESTS at times); with Scrapy's cap of one idle
    # connection per key it was 296, nearly one a request
    assert len({e["conn"] for e in requests}) <= len(requests) // 10
