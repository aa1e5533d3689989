"""The web reader over HTTP: pages, API, the replay origin's policy, rewriting and Host checks."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest

from archive import Archive
from archive.web.replay import parse_replay_path, replay_csp
from archive.web.rewrite import rewrite_css, rewrite_html
from archive.web.server import ReaderServers
from simweb import catalog
from simweb.runner import SimWeb
from tests.reader_kit import copy_archive, crawl_demo, truncate_capture_warc

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


RAW_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())


def get(url: str, raw: bool = False) -> tuple[int, dict[str, str], bytes]:
    """GET a URL on loopback: (status, headers, body), for error statuses too."""
    try:
        with (RAW_OPENER if raw else OPENER).open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def archive_dir(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of the demo web for this module."""
    return crawl_demo(simweb, tmp_path_factory, "web")


@pytest.fixture(scope="module")
def servers(archive_dir: Path) -> Iterator[ReaderServers]:
    """The reader and replay servers on free ports."""
    with ReaderServers(archive_dir) as running:
        yield running


def _event_with(archive_dir: Path, provenance: str) -> tuple[str, int]:
    with Archive(archive_dir) as arc:
        for event in arc.events():
            for source in event.sources:
                if source.provenance == provenance and (provenance == "dead" or source.text):
                    return event.event_id, source.position
    raise AssertionError(provenance)


def test_index_lists_and_searches_events(servers: ReaderServers, archive_dir: Path) -> None:
    status, headers, body = get(servers.reader_url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    with Archive(archive_dir) as arc:
        for event in arc.events():
            assert quote(event.event_id) in page
    status, _h, body = get(servers.reader_url + "?q=comet")
    doc = lxml.html.fromstring(body)
    assert len(doc.cssselect("a.event-link")) == 1 and doc.cssselect("mark")
    status, _h, body = get(servers.reader_url + "?tag=Weather&since=2021-01-01")
    assert len(lxml.html.fromstring(body).cssselect("a.event-link")) == 1


def test_reader_pages_run_no_script_and_frame_only_the_replay_origin(
    servers: ReaderServers,
) -> None:
    _s, headers, body = get(servers.reader_url)
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert f"frame-src http://127.0.0.1:{servers.replay.server_port}" in csp
    assert "frame-ancestors 'none'" in csp and headers["X-Frame-Options"] == "DENY"
    assert b"<script" not in body


def test_event_page_shows_text_beside_a_sandboxed_snapshot(
    servers: ReaderServers, archive_dir: Path
) -> None:
    event_id, position = _event_with(archive_dir, "origin")
    status, _h, body = get(f"{servers.reader_url}event/{quote(event_id)}?s={position}")
    assert status == 200
    doc = lxml.html.fromstring(body)
    with Archive(archive_dir) as arc:
        source = next(s for s in arc.event(event_id).sources if s.position == position)
    text = doc.cssselect("#source-text")[0].text_content()
    if source.text:
        assert source.text.split("\n")[0][:80] in text
    frame = doc.cssselect("iframe#snapshot")[0]
    assert frame.get("sandbox") == ""
    replay = f"http://127.0.0.1:{servers.replay.server_port}/record/urn:uuid:"
    assert frame.get("src").startswith(replay)
    status, headers, page = get(frame.get("src"))
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert source.archived_url and headers["Link"] == f'<{source.archived_url}>; rel="original"'


def test_dead_source_says_why(servers: ReaderServers, archive_dir: Path) -> None:
    event_id, position = _event_with(archive_dir, "dead")
    _s, _h, body = get(f"{servers.reader_url}event/{quote(event_id)}?s={position}")
    doc = lxml.html.fromstring(body)
    assert not doc.cssselect("iframe") and "No archived snapshot" in doc.text_content()


def test_replay_policy_sandboxes_and_blocks_the_network(
    servers: ReaderServers, archive_dir: Path
) -> None:
    kestrel = [u for u in catalog.ARTICLES if "kestrelpost.com" in u and u[-1].isdigit()]
    with Archive(archive_dir) as arc:
        snap = arc.snapshot(kestrel[0])
    assert len([v for k, v in snap.headers if k.lower() == "set-cookie"]) == 2
    url = f"{servers.replay_url}replay/20300101000000/{kestrel[0]}"
    status, headers, body = get(url)
    assert status == 200
    assert "Set-Cookie" not in headers and "set-cookie" not in {k.lower() for k in headers}
    csp = headers["Content-Security-Policy"]
    origin = f"http://127.0.0.1:{servers.replay.server_port}"
    for directive in (
        "default-src 'none'", "script-src 'none'", "connect-src 'none'", "form-action 'none'",
        f"img-src {origin} data:", "; sandbox",
    ):  # fmt: skip
        assert directive in csp, directive
    assert csp.endswith("sandbox") and headers["X-Content-Type-Options"] == "nosniff"
    doc = lxml.html.fromstring(body)
    for _el, _attr, link, _pos in doc.iterlinks():
        assert link.startswith(("/replay/", "data:", "about:", "mailto:", "#")), link


def test_replay_follows_archived_redirects_inside_the_replay_origin(
    servers: ReaderServers,
) -> None:
    spec = next(s for s in catalog.ARTICLES.values() if s.expected_outcome == "redirect")
    first_url, first_status = spec.hops[0]
    status, headers, _b = get(f"{servers.replay_url}replay/20300101000000/{first_url}", raw=True)
    assert status == 302 and first_status in (301, 302, 307, 308)
    assert headers["Location"].startswith("/replay/") and headers["X-Archive-Status"]


def test_replay_of_unarchived_and_malformed_urls(servers: ReaderServers) -> None:
    status, headers, body = get(f"{servers.replay_url}replay/2021/https://nowhere.example/x")
    assert status == 404 and b"not in this archive" in body
    assert "sandbox" in headers["Content-Security-Policy"]
    status, _h, _b = get(f"{servers.replay_url}not-a-replay-url")
    assert status == 404
    status, _h, _b = get(
        f"{servers.replay_url}record/urn:uuid:{'0' * 8}-{'0' * 4}-{'0' * 4}-{'0' * 4}-{'0' * 12}"
    )
    assert status == 404


def test_api_and_charts(servers: ReaderServers, archive_dir: Path) -> None:
    _s, headers, body = get(servers.reader_url + "api/events?q=tram")
    assert headers["Content-Type"].startswith("application/json")
    events = json.loads(body)
    assert len(events) >= 1
    _s, _h, body = get(servers.reader_url + "api/event/" + quote(events[0]["event_id"]))
    data = json.loads(body)
    assert any(s["replay_url"] for s in data["sources"])
    status, _h, _b = get(servers.reader_url + "api/event/1999-01-01/none")
    assert status == 404
    _s, _h, body = get(servers.reader_url + "charts")
    doc = lxml.html.fromstring(body)
    titles = [t.text for t in doc.xpath("//*[local-name()='svg']/*[local-name()='title']")]
    assert titles == [
        "Sources by provenance",
        "Sources that died at the origin, by domain",
        "Snapshot taken, counted from the event's date",
    ]
    assert "meridian-ledger.com" in doc.text_content()  # its 404 page
    status, headers, _b = get(servers.reader_url + "reader.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, _h, _b = get(servers.reader_url + "event/1999-01-01/none")
    assert status == 404


def test_requests_naming_another_host_are_refused(servers: ReaderServers) -> None:
    for port in (servers.reader.server_port, servers.replay.server_port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Host": f"attacker.example:{port}"})
        assert conn.getresponse().status == 421
        conn.close()


def test_allow_scripts_only_relaxes_scripts(archive_dir: Path) -> None:
    event_id, position = _event_with(archive_dir, "origin")
    with ReaderServers(archive_dir, allow_scripts=True) as running:
        _s, _h, body = get(f"{running.reader_url}event/{quote(event_id)}?s={position}")
        frame = lxml.html.fromstring(body).cssselect("iframe#snapshot")[0]
        assert frame.get("sandbox") == "allow-scripts"
        _s, headers, _b = get(frame.get("src"))
    csp = headers["Content-Security-Policy"]
    assert csp.endswith("sandbox allow-scripts") and "connect-src 'none'" in csp
    assert "allow-same-origin" not in csp


def test_damaged_record_is_a_502_not_a_crash(archive_dir: Path, tmp_path: Path) -> None:
    copy = copy_archive(archive_dir, tmp_path / "archive")
    _path, size = truncate_capture_warc(copy)
    with Archive(copy) as arc:
        lost = next(r for r in arc.index.captures("response") if r.offset >= size)
    with ReaderServers(copy) as running:
        status, _h, body = get(f"{running.replay_url}replay/20300101000000/{lost.url}")
        assert status == 502 and b"truncated" in body
        assert get(running.reader_url)[0] == 200


def test_not_an_archive(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ReaderServers(tmp_path)


# -- pure pieces ------------------------------------------------------------------------------


def test_rewrite_html_points_every_link_into_the_replay_origin() -> None:
    page = b"""<html><head><base href="https://news.example/a/">
    <meta http-equiv="refresh" content="5; url=https://news.example/next">
    <link rel="stylesheet" href="/s.css"><style>body{background:url('bg.png')}</style></head>
    <body><a href="story.html">x</a><a href="javascript:alert(1)">y</a>
    <img src="//cdn.example/i.jpg" srcset="i1.jpg 1x, https://cdn.example/i2.jpg 2x">
    <img src="data:image/gif;base64,R0lGOD"><p>caf\xe9</p></body></html>"""
    out = rewrite_html(page, "text/html; charset=latin-1", "https://news.example/a/p.html", "/r/1/")
    text = out.decode("utf-8")
    assert 'href="/r/1/https://news.example/a/story.html"' in text
    assert 'href="/r/1/https://news.example/s.css"' in text
    assert "url('/r/1/https://news.example/a/bg.png')" in text
    assert 'src="/r/1/https://cdn.example/i.jpg"' in text
    assert "/r/1/https://news.example/a/i1.jpg 1x, /r/1/https://cdn.example/i2.jpg 2x" in text
    assert "url=/r/1/https://news.example/next" in text
    assert "javascript:" not in text and "<base" not in text and "café" in text
    assert 'src="data:image/gif;base64,R0lGOD"' in text


def test_rewrite_css_and_replay_paths() -> None:
    css = '@import "print.css"; a { background: url(/img/a.png) }'
    out = rewrite_css(css, lambda u: "/r/" + u)
    assert out == '@import "/r/print.css"; a { background: url(/r//img/a.png) }'
    assert parse_replay_path("/replay/2021id_/https:/x.example/a?b=1") == (
        "2021",
        "https://x.example/a?b=1",
    )
    assert parse_replay_path("/elsewhere") is None
    assert "sandbox allow-scripts" in replay_csp("http://r", "http://p", True)
