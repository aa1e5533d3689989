"""Helpers for the offline-reader tests: a crawled demo archive, damaged copies, a hostile page."""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from archive.records import Exchange
from archive.store import ArchiveStore
from simweb import catalog
from simweb.runner import SimWeb
from tests.conftest import run_crawl

HOSTILE_URL = "https://www.quayside-rumours.example/2021/03/12/what-the-dockers-said.html"
HOSTILE_EVENT_ID = "2021-03-12/an-archived-page-that-misbehaves-on-purpose-0badc0de"
#: A host name on the "live web": the browser tests route every such request to a canary.
LIVE_URL = "http://live-tracker.example"


def crawl_demo(web: SimWeb, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """Crawl the whole demo web into a fresh archive folder and return it."""
    web.reset()
    archive_dir = tmp_path_factory.mktemp(name) / "archive"
    run = run_crawl(web, archive_dir, catalog.start_urls())
    assert run.returncode == 0, run.log[-3000:]
    assert run.stats.get("finish_reason") == "finished", run.log[-3000:]
    return archive_dir


def copy_archive(src: Path, dst: Path) -> Path:
    """A copy of an archive folder (without its search cache)."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("search.sqlite3", "*.lock"))
    return dst


def truncate_capture_warc(archive_dir: Path, fraction: float = 0.6) -> tuple[Path, int]:
    """Cut the first capture WARC file at `fraction` of its size; return it and the new size."""
    path = sorted((archive_dir / "warc").glob("*.warc.gz"))[0]
    size = int(path.stat().st_size * fraction)
    with open(path, "r+b") as fh:
        fh.truncate(size)
    return path, size


def hostile_html(canary_port: int) -> str:
    """An archived page whose script tries to escape: parent DOM, cookies, storage, network."""
    direct = f"http://127.0.0.1:{canary_port}"
    return f"""<!DOCTYPE html>
<html><head><title>What the dockers said</title>
<link rel="stylesheet" href="{direct}/leak/stylesheet">
</head><body>
<h1 id="headline">What the dockers said on the quayside</h1>
<p>Rumours travelled faster than the tide along the quayside this week, according to
several crane drivers who asked not to be named.</p>
<p id="status">scripts did not run</p>
<ul id="log"></ul>
<img src="{LIVE_URL}/leak/pixel.gif" alt="">
<img src="{direct}/leak/direct-pixel.gif" alt="">
<script>
(function () {{
  function log(key, value) {{
    var li = document.createElement('li');
    li.id = 'r-' + key;
    li.textContent = key + ': ' + value;
    document.getElementById('log').appendChild(li);
  }}
  document.getElementById('status').textContent = 'scripts ran';
  try {{ window.parent.document.body.innerHTML = 'PWNED'; log('parent', 'WRITTEN'); }}
  catch (e) {{ log('parent', 'blocked ' + e.name); }}
  try {{ window.top.document.title = 'PWNED'; log('top', 'WRITTEN'); }}
  catch (e) {{ log('top', 'blocked ' + e.name); }}
  try {{
    document.cookie = 'stolen=1; path=/';
    log('cookie', document.cookie.indexOf('stolen') >= 0 ? 'SET' : 'not set');
  }} catch (e) {{ log('cookie', 'blocked ' + e.name); }}
  try {{ window.localStorage.setItem('stolen', '1'); log('storage', 'SET'); }}
  catch (e) {{ log('storage', 'blocked ' + e.name); }}
  function tryFetch(key, url) {{
    fetch(url).then(function () {{ log(key, 'REACHED'); }},
                    function (e) {{ log(key, 'blocked ' + e.name); }});
  }}
  tryFetch('fetch', '{LIVE_URL}/leak/fetch');
  tryFetch('direct', '{direct}/leak/fetch-direct');
  new Image().src = '{LIVE_URL}/leak/beacon';
  try {{ var w = window.open('{LIVE_URL}/leak/popup'); log('popup', w ? 'OPENED' : 'blocked'); }}
  catch (e) {{ log('popup', 'blocked ' + e.name); }}
}})();
</script>
</body></html>
"""


def add_hostile_event(archive_dir: Path, canary_port: int) -> str:
    """Archive the hostile page with ArchiveStore and an event citing it; return the event id."""
    body = hostile_html(canary_port).encode("utf-8")
    store = ArchiveStore(archive_dir, prefix="HOSTILE")
    try:
        _req, resp = store.write_exchange(
            Exchange(
                url=HOSTILE_URL,
                method="GET",
                request_headers=[("Host", "www.quayside-rumours.example")],
                request_body=b"",
                status=200,
                protocol="HTTP/1.1",
                response_headers=[
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Set-Cookie", "tracker=abc; Path=/"),
                    ("Content-Length", str(len(body))),
                ],
                body=body,
                date=datetime.now(UTC),
            )
        )
        store.index.add_event(
            event_id=HOSTILE_EVENT_ID,
            url="https://www.eventwire.org/news/2021/3/12/an-archived-page-that-misbehaves.md",
            date="2021-03-12",
            headline="An archived page that misbehaves on purpose is replayed in the reader.",
            lede="Its script tries to reach the reader, set cookies and call the live web.",
            day_index_url=None,
            depth=0,
            seen=store.now(),
            sources=[(1, "Quayside Rumours", HOSTILE_URL, "document")],
            related=[],
        )
        store.index.set_source(
            url=HOSTILE_URL,
            kind="document",
            outcome="origin",
            final_url=HOSTILE_URL,
            status=200,
            reason=None,
            response_record_id=resp.record_id,
            hops=[{"url": HOSTILE_URL, "status": 200, "record_id": resp.record_id}],
            updated=store.now(),
        )
        store.index.set_text(
            url=HOSTILE_URL,
            fields={
                "response_record_id": resp.record_id,
                "status": "ok",
                "title": "What the dockers said on the quayside",
                "text": "Rumours travelled faster than the tide along the quayside this week.",
            },
        )
    finally:
        store.close()
    return HOSTILE_EVENT_ID


@dataclass
class Canary:
    """A loopback server that records every request: as a proxy and as a direct target."""

    server: ThreadingHTTPServer
    hits: list[tuple[str, str, str]]

    @property
    def port(self) -> int:
        """Its port."""
        return self.server.server_port

    def leaks(self) -> list[tuple[str, str, str]]:
        """Requests made by the hostile page (the browser's own background noise left out)."""
        return [h for h in self.hits if "leak" in h[1] or "live-tracker" in h[1] + h[2]]

    def close(self) -> None:
        """Stop it."""
        self.server.shutdown()
        self.server.server_close()


def start_canary() -> Canary:
    """Start a canary on 127.0.0.1 (any port)."""
    hits: list[tuple[str, str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            hits.append((self.command, self.path, self.headers.get("Host") or ""))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_HEAD = do_CONNECT = _record  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Canary(server, hits)
