"""pywb, in its own virtual environment, indexes and replays our WARC files like its own.

A crawl of the simulated web is replayed by pywb's `wayback` server from our `warc/` and
`indexes/` folders: a gzip-encoded page, a redirect and a page with two Set-Cookie headers
come back (raw `id_` form) with the bytes the simulated web serves for them.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from simweb import catalog
from simweb.runner import SimWeb
from tests.conftest import ROOT, CrawlRun, run_crawl
from tests.test_warc_readers import check_with_readers

PYWB_VENV = ROOT / ".venv-pywb"
COLLECTION = "events"


def pywb_tool(name: str) -> str:
    """A tool of the pywb virtual environment, set up by scripts/pywb-venv.sh if missing."""
    tool = PYWB_VENV / "bin" / name
    if not tool.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "pywb-venv.sh")], check=True)
    return str(tool)


@pytest.fixture(scope="module")
def crawl(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """A full crawl of the demo web."""
    archive_dir = tmp_path_factory.mktemp("replay") / "archive"
    run = run_crawl(simweb, archive_dir, catalog.start_urls())
    assert run.returncode == 0, run.log[-4000:]
    return run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(
    opener: urllib.request.OpenerDirector, url: str, encoding: str = "gzip, deflate"
) -> tuple[int, list[tuple[str, str]], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.getheaders(), response.read()
    except urllib.error.HTTPError as exc:  # 3xx/4xx answers, not followed
        return exc.code, list(exc.headers.items()), exc.read()


@pytest.fixture(scope="module")
def wayback(crawl: CrawlRun, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """pywb's wayback server on loopback, with a collection over the crawl's files."""
    home = tmp_path_factory.mktemp("pywb")
    (home / "config.yaml").write_text(
        f"collections:\n  {COLLECTION}:\n"
        f"    index_paths: {crawl.archive_dir / 'indexes'}/\n"
        f"    archive_paths: {crawl.archive_dir / 'warc'}/\n",
        encoding="utf-8",
    )
    port = _free_port()
    log = open(home / "wayback.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [pywb_tool("wayback"), "-p", str(port), "-b", "127.0.0.1", "-t", "2"],
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        for _ in range(300):
            try:
                opener.open(base + "/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, (home / "wayback.log").read_text()
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(20)
        log.close()


def _served(simweb: SimWeb, url: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """What the simulated web serves for `url` right now (raw body, redirects not followed)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": simweb.proxy_url, "https": simweb.proxy_url}),
        urllib.request.HTTPSHandler(context=context),
        _NoRedirect(),
    )
    return _get(opener, url)


def _replayed(
    wayback: str, url: str, timestamp: str, encoding: str = "gzip, deflate"
) -> tuple[int, list[tuple[str, str]], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    return _get(opener, f"{wayback}/{COLLECTION}/{timestamp}id_/{url}", encoding)


def _capture(archive_dir: Path, url: str) -> tuple[str, object]:
    """The 14-digit timestamp and the response record of `url` in the crawl's WARC files."""
    for path in sorted((archive_dir / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if (
                    record.rec_type == "response"
                    and record.rec_headers.get_header("WARC-Target-URI") == url
                ):
                    date = record.rec_headers.get_header("WARC-Date")
                    stamp = "".join(ch for ch in date if ch.isdigit())[:14]
                    record.payload = record.raw_stream.read()  # type: ignore[attr-defined]
                    return stamp, record
    raise AssertionError(f"{url} was not captured")


def _header(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in headers if k.lower() == name.lower()]


def test_our_cdxj_is_what_pywb_indexes(crawl: CrawlRun) -> None:
    warcs = sorted((crawl.archive_dir / "warc").glob("*.warc.gz"))
    result = subprocess.run(
        [pywb_tool("cdx-indexer"), "-j", "-s", *map(str, warcs)],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = sorted(line for line in result.stdout.splitlines() if line.strip())
    ours = sorted(
        line
        for path in (crawl.archive_dir / "indexes").glob("*.cdxj")
        for line in path.read_text(encoding="utf-8").splitlines()
    )
    assert ours == theirs
    assert all(json.loads(line.split(" ", 2)[2])["filename"].startswith("EVENTS-") for line in ours)


def test_gzip_page_replays_with_the_served_bytes(
    crawl: CrawlRun, wayback: str, simweb: SimWeb
) -> None:
    url = next(
        u
        for u, s in catalog.ARTICLES.items()
        if s.expected_outcome == "origin" and "meridian-ledger.com" in u and s.kind == "document"
    )
    stamp, record = _capture(crawl.archive_dir, url)
    assert record.http_headers.get_header("Content-Encoding") == "gzip"  # type: ignore[attr-defined]
    status, headers, served = _served(simweb, url)
    assert status == 200 and _header(headers, "Content-Encoding") == ["gzip"]
    assert record.payload == served  # type: ignore[attr-defined]  # stored as received
    # A client that takes gzip gets the very bytes the site sent...
    status, headers, replayed = _replayed(wayback, url, stamp)
    assert status == 200 and _header(headers, "Content-Encoding") == ["gzip"]
    assert replayed == served
    # ...and one that does not gets them decoded, the original encoding named.
    status, headers, replayed = _replayed(wayback, url, stamp, encoding="identity")
    assert status == 200 and not _header(headers, "Content-Encoding")
    assert _header(headers, "X-Archive-Orig-Content-Encoding") == ["gzip"]
    assert replayed == gzip.decompress(served)


def test_redirect_replays_with_its_location_and_body(
    crawl: CrawlRun, wayback: str, simweb: SimWeb
) -> None:
    hop, target = next(
        (a, b)
        for spec in catalog.ARTICLES.values()
        for (a, status), (b, _) in zip(spec.hops, spec.hops[1:], strict=False)
        if status == 301 and urlsplit(a).hostname != urlsplit(b).hostname
    )
    stamp, _record = _capture(crawl.archive_dir, hop)
    status, headers, served = _served(simweb, hop)
    assert status == 301 and _header(headers, "Location") == [target]
    status, headers, replayed = _replayed(wayback, hop, stamp)
    assert status == 301
    assert _header(headers, "Location") == [target]
    assert replayed == served


def test_two_set_cookie_headers_replay(crawl: CrawlRun, wayback: str, simweb: SimWeb) -> None:
    url = next(
        u
        for u, s in catalog.ARTICLES.items()
        if s.expected_outcome == "origin" and "kestrelpost.com" in u and s.kind == "document"
    )
    stamp, record = _capture(crawl.archive_dir, url)
    stored = _header(record.http_headers.headers, "Set-Cookie")  # type: ignore[attr-defined]
    assert len(stored) == 2
    status, headers, served = _served(simweb, url)
    assert status == 200 and len(_header(headers, "Set-Cookie")) == 2
    status, headers, replayed = _replayed(wayback, url, stamp)
    assert status == 200
    assert _header(headers, "Set-Cookie") == stored
    assert replayed == served


def test_derived_records_are_not_in_the_replay_index(crawl: CrawlRun) -> None:
    derived = {p.name for p in (crawl.archive_dir / "derived").glob("*.warc.gz")}
    assert derived
    for path in (crawl.archive_dir / "indexes").glob("*.cdxj"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert json.loads(line.split(" ", 2)[2])["filename"] not in derived


def test_every_file_passes_the_independent_readers(crawl: CrawlRun) -> None:
    files = sorted(crawl.archive_dir.glob("*/*.warc.gz"))
    assert not list(crawl.archive_dir.glob("*/*.open"))
    assert check_with_readers(files) > 100
