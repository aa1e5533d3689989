"""Tests of the simulated web: real sockets through the proxy, HTTP and HTTPS (CONNECT)."""

from __future__ import annotations

import gzip
import http.client
import io
import json
import re
import socket
import ssl
import struct
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from urllib.error import HTTPError, URLError
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from simweb import Site, catalog, start_simweb
from simweb.runner import SimWeb
from simweb.sites.eventsite import day_index_url
from simweb.specs import ArticleSpec, EventSpec

COURIER = (
    "http://www.orvanecourier.co.uk/news/2021/mar/09/lisswick-evacuated-as-orvane-bursts-banks"
)
KESTREL = "https://www.kestrelpost.com/business/port-ansel-dockers-walk-out-over-shift-pay-1187342"
MERIDIAN = "https://www.meridian-ledger.com/science/2021/03/09/kessing-ridge-astronomers-confirm-new-comet.html"
EASTGATE = "http://www.eastgate-monitor.com/2021/03/09/port-ansel-strike-what-the-dockers-want/"
OLD_TIDEWATCH = "http://www.tidewatch-report.org/2021/03/09/a-new-visitor-in-the-northern-sky/"
DEAD = "http://www.lisswick-gazette.com/2021/03/09/river-breach-live-updates/"


@dataclass
class Fetched:
    """What one HTTP exchange through the proxy returned."""

    status: int
    headers: Message
    body: bytes
    url: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def fetch(
    web: SimWeb,
    url: str,
    headers: dict[str, str] | None = None,
    *,
    method: str = "GET",
    follow: bool = False,
    timeout: float = 10,
) -> Fetched:
    """Fetch `url` through the proxy with urllib (redirects not followed unless asked)."""
    proxies = {"http": web.proxy_url, "https": web.proxy_url}
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler(proxies),
        urllib.request.HTTPSHandler(context=_insecure()),
    ]
    if not follow:
        handlers.append(_NoRedirect())
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Fetched(response.status, response.headers, response.read(), response.url)
    except HTTPError as error:
        with error:
            return Fetched(error.code, error.headers, error.read(), url)


def raw_exchange(web: SimWeb, data: bytes, limit: int | None = None) -> bytes:
    """Send raw bytes to the proxy and read until it closes (or `limit` bytes)."""
    received = bytearray()
    with socket.create_connection(("127.0.0.1", web.port), timeout=10) as sock:
        sock.sendall(data)
        while limit is None or len(received) < limit:
            piece = sock.recv(65536)
            if not piece:
                break
            received += piece
    return bytes(received)


def close_request(url: str) -> bytes:
    """An absolute-form GET for the proxy that asks it to close the connection after."""
    host = urlsplit(url).hostname
    return f"GET {url} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()


def text_of(body: bytes) -> str:
    """The visible text of an HTML document."""
    return str(lxml.html.fromstring(body).text_content())


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    with start_simweb() as running:
        yield running


# ------------------------------------------------------------------ plain pages


def test_healthy_page_over_http(web: SimWeb) -> None:
    got = fetch(web, COURIER)
    assert got.status == 200
    assert got.headers["Content-Type"] == "text/html; charset=utf-8"
    spec = catalog.ARTICLES[COURIER]
    text = text_of(got.body)
    assert spec.title in text
    assert all(p in text for p in spec.paragraphs)


def test_healthy_page_over_https_connect(web: SimWeb) -> None:
    web.reset()
    got = fetch(web, MERIDIAN)
    assert got.status == 200
    assert catalog.ARTICLES[MERIDIAN].paragraphs[0] in text_of(got.body)
    methods = [(e["method"], e["scheme"], e["status"]) for e in web.requests()]
    assert methods == [("CONNECT", "https", 200), ("GET", "https", 200)]


def test_gzip_only_when_asked(web: SimWeb) -> None:
    plain = fetch(web, KESTREL)
    assert plain.headers["Content-Encoding"] is None
    assert plain.headers["Vary"] == "Accept-Encoding"
    zipped = fetch(web, KESTREL, {"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert int(zipped.headers["Content-Length"]) == len(zipped.body) < len(plain.body)
    assert gzip.decompress(zipped.body) == plain.body
    refused = fetch(web, KESTREL, {"Accept-Encoding": "gzip;q=0, identity"})
    assert refused.headers["Content-Encoding"] is None


def test_chunked_body_reassembles(web: SimWeb) -> None:
    decoded = fetch(web, COURIER).body
    raw = raw_exchange(web, close_request(COURIER))
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked\r\n" in head + b"\r\n"
    assert b"Content-Length" not in head
    body, chunks = bytearray(), 0
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            assert rest == b"\r\n"
            break
        body += rest[:size]
        assert rest[size : size + 2] == b"\r\n"
        rest = rest[size + 2 :]
        chunks += 1
    assert chunks > 1
    assert bytes(body) == decoded


def test_head_keep_alive_and_connection_close(web: SimWeb) -> None:
    web.reset()
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
    try:
        conn.request("HEAD", EASTGATE)
        head = conn.getresponse()
        assert head.status == 200 and head.read() == b""
        length = int(head.headers["Content-Length"])
        conn.request("GET", EASTGATE)
        got = conn.getresponse()
        assert len(got.read()) == length
        conn.request("POST", EASTGATE, body=b"comment=first!")
        posted = conn.getresponse()
        assert posted.status == 405 and posted.headers["Allow"] == "GET, HEAD"
        posted.read()
        conn.request("GET", "http://www.eastgate-monitor.com/robots.txt")
        assert conn.getresponse().read().startswith(b"User-agent: *")
    finally:
        conn.close()
    assert len({e["conn"] for e in web.requests()}) == 1
    raw = raw_exchange(web, close_request(EASTGATE))
    assert b"\r\nConnection: close\r\n" in raw
    assert raw.endswith(b"</html>\n")


def test_malformed_request_gets_400(web: SimWeb) -> None:
    assert raw_exchange(web, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400 Bad Request")
    raw = raw_exchange(web, b"GET http://www.eastgate-monitor.com:x/ HTTP/1.1\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 400 Bad Request")


def test_keep_alive_inside_tunnel(web: SimWeb) -> None:
    web.reset()
    conn = http.client.HTTPSConnection("127.0.0.1", web.port, timeout=10, context=_insecure())
    conn.set_tunnel("www.meridian-ledger.com", 443)
    try:
        for path in ("/robots.txt", urlsplit(MERIDIAN).path, "/no/such/page.html"):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
    finally:
        conn.close()
    log = web.requests()
    assert [e["method"] for e in log] == ["CONNECT", "GET", "GET", "GET"]
    assert [e["status"] for e in log] == [200, 200, 200, 404]
    assert len({e["conn"] for e in log}) == 1


def test_conditional_request_gets_304(web: SimWeb) -> None:
    event = catalog.EVENTS[1]
    first = fetch(web, event.url_md)
    etag = first.headers["ETag"]
    assert etag and first.headers["Last-Modified"]
    again = fetch(web, event.url_md, {"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    since = fetch(web, event.url_md, {"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status == 304


# ------------------------------------------------------------------ redirects and failures


def test_cross_domain_redirect_chain(web: SimWeb) -> None:
    first = fetch(web, OLD_TIDEWATCH)
    assert first.status == 301
    middle = first.headers["Location"]
    assert middle == OLD_TIDEWATCH.replace(
        "http://www.tidewatch-report.org", "https://tidewatch-report.info"
    )
    second = fetch(web, middle)
    assert second.status == 301
    final = second.headers["Location"]
    assert final == middle.replace("tidewatch-report.info", "www.tidewatch.net")
    followed = fetch(web, OLD_TIDEWATCH, follow=True)
    assert followed.status == 200 and followed.url == final
    assert catalog.ARTICLES[OLD_TIDEWATCH].hops == [
        (OLD_TIDEWATCH, 301),
        (middle, 301),
        (final, 200),
    ]


def test_http_to_https_redirect(web: SimWeb) -> None:
    http_url = MERIDIAN.replace("https://", "http://")
    got = fetch(web, http_url)
    assert got.status == 301 and got.headers["Location"] == MERIDIAN


def test_dead_host_is_a_squid_dns_failure(web: SimWeb) -> None:
    for url in (DEAD, "http://unknown.nowhere-news.example/a"):
        got = fetch(web, url)
        assert got.status == 503
        assert got.headers["X-Squid-Error"] == "ERR_DNS_FAIL 0"
        assert b"could not be retrieved" in got.body


def test_connect_to_dead_host_is_refused(web: SimWeb) -> None:
    web.reset()
    with pytest.raises(URLError, match="503"):
        fetch(web, DEAD.replace("http://", "https://"))
    assert web.requests()[0]["method"] == "CONNECT"
    assert web.requests()[0]["status"] == 503
    raw = raw_exchange(web, b"CONNECT www.lisswick-gazette.com:443 HTTP/1.1\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert b"X-Squid-Error: ERR_DNS_FAIL 0" in raw


def test_refused_host(web: SimWeb) -> None:
    got = fetch(web, "http://news.portansel-today.com/local/strike-day-one")
    assert got.status == 503 and got.headers["X-Squid-Error"] == "ERR_CONNECT_FAIL 111"
    with pytest.raises(URLError, match="503"):
        fetch(web, COURIER.replace("http://", "https://"))  # the Courier has no HTTPS


def test_not_found_page(web: SimWeb) -> None:
    got = fetch(
        web, "https://www.meridian-ledger.com/sport/2021/03/09/northern-cup-final-live.html"
    )
    assert got.status == 404
    assert "find that page" in text_of(got.body)


def test_hanging_host_times_out_the_client(web: SimWeb) -> None:
    web.reset()
    for url in (catalog.EXTRA_URLS["hanging"], catalog.EXTRA_URLS["hanging_https"]):
        with pytest.raises((TimeoutError, URLError)):
            fetch(web, url, timeout=0.5)
    gets = [e for e in web.requests() if e["method"] == "GET"]
    assert len(gets) == 2 and all(e["status"] is None for e in gets)
    assert fetch(web, EASTGATE).status == 200


def test_client_leaving_mid_response_does_not_hurt_the_server(web: SimWeb) -> None:
    url = catalog.EXTRA_URLS["large"]
    request = f"GET {url} HTTP/1.1\r\nHost: {urlsplit(url).hostname}\r\n\r\n".encode()
    for _ in range(3):
        partial = raw_exchange(web, request, limit=1000)
        assert partial.startswith(b"HTTP/1.1 200 OK")
    assert web.process.poll() is None
    assert fetch(web, EASTGATE).status == 200


# ------------------------------------------------------------------ content types and headers


def test_images(web: SimWeb) -> None:
    images = [a for a in catalog.ARTICLES.values() if a.kind == "image"]
    assert {a.content_type for a in images} == {"image/jpeg", "image/png"}
    for spec in images:
        got = fetch(web, spec.url)
        assert got.status == 200
        assert got.headers["Content-Type"] == spec.content_type
        if spec.content_type == "image/jpeg":
            assert got.body.startswith(b"\xff\xd8\xff\xe0") and got.body.endswith(b"\xff\xd9")
        else:
            assert got.body.startswith(b"\x89PNG\r\n\x1a\n")
            width, height = struct.unpack(">II", got.body[16:24])
            idat_len = struct.unpack(">I", got.body[33:37])[0]
            raw = zlib.decompress(got.body[41 : 41 + idat_len])
            assert len(raw) == height * (1 + 3 * width)


def test_two_set_cookie_headers_survive(web: SimWeb) -> None:
    got = fetch(web, KESTREL)
    cookies = got.headers.get_all("Set-Cookie")
    assert cookies is not None and len(cookies) == 2
    assert cookies[0].startswith("kp_session=") and cookies[1].startswith("kp_consent=")


def test_robots_txt_on_every_live_site(web: SimWeb) -> None:
    sites = [h for h in catalog.build_registry(extras=False) if isinstance(h, Site)]
    assert len(sites) >= 7
    for site in sites:
        scheme = "https" if site.tls else "http"
        got = fetch(web, f"{scheme}://{site.name}/robots.txt")
        assert got.status == 200, site.name
        assert b"Disallow: /private/" in got.body


# ------------------------------------------------------------------ request log and control


def test_request_log_counts_and_reset(web: SimWeb) -> None:
    web.reset()
    fetch(web, EASTGATE)
    fetch(web, EASTGATE)
    fetch(web, "http://www.eastgate-monitor.com/robots.txt?x=1")
    fetch(web, MERIDIAN)
    assert web.count("www.eastgate-monitor.com") == 3
    assert web.count("www.eastgate-monitor.com", urlsplit(EASTGATE).path) == 2
    assert web.count("www.eastgate-monitor.com", "/robots.txt?x=1", method="GET") == 1
    assert web.count("www.meridian-ledger.com") == 1
    assert web.count("www.meridian-ledger.com", method="CONNECT") == 1
    entry = web.requests()[0]
    assert set(entry) >= {"method", "scheme", "host", "path", "status", "time"}
    assert web.reset() == 5
    assert web.requests() == []


def test_control_endpoints(web: SimWeb) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{web.proxy_url}/__simweb/hosts", timeout=10) as response:
        names = {h["name"] for h in json.loads(response.read())}
    assert catalog.EVENT_SITE in names and "www.slowwire.net" in names
    with pytest.raises(HTTPError) as info:
        opener.open(f"{web.proxy_url}/__simweb/nope", timeout=10)
    with info.value as error:
        assert error.code == 404
    env = web.proxy_env()
    assert env["https_proxy"] == env["HTTP_PROXY"] == web.proxy_url and env["NO_PROXY"] == ""


# ------------------------------------------------------------------ the catalog against the wire


def _walk(web: SimWeb, url: str) -> list[tuple[str, int]]:
    """Follow redirects by hand: [(url, status), ...]; a refused CONNECT counts as 503."""
    hops: list[tuple[str, int]] = []
    while len(hops) < 10:
        try:
            got = fetch(web, url)
        except URLError as error:
            assert "503" in str(error.reason)
            hops.append((url, 503))
            break
        hops.append((url, got.status))
        if got.status not in (301, 302, 303, 307, 308):
            break
        url = urljoin(url, got.headers["Location"])
    return hops


@pytest.mark.parametrize("url", list(catalog.ARTICLES), ids=range(len(catalog.ARTICLES)))
def test_every_article_answers_as_the_catalog_says(web: SimWeb, url: str) -> None:
    spec: ArticleSpec = catalog.ARTICLES[url]
    if spec.hops == [(url, 0)]:
        return  # a hanging host: the crawl tests time it out
    hops = _walk(web, url)
    assert hops == spec.hops
    final_url, status = hops[-1]
    if spec.origin_outcome == "origin":
        assert status == 200 and len(hops) == 1
    elif spec.origin_outcome == "redirect":
        assert status == 200 and len(hops) > 1
    else:
        assert spec.origin_outcome == "dead" and status in (404, 410, 500, 503)
    if spec.expected_outcome == "dead":
        assert spec.final_url is None
        return
    if spec.expected_outcome != spec.origin_outcome:
        return  # recovered by the fallbacks: see the archive tests below
    assert spec.final_url == final_url
    got = fetch(web, final_url)
    assert got.headers["Content-Type"] == spec.content_type
    if spec.kind == "document":
        text = text_of(got.body)
        assert spec.title and spec.author and spec.published
        for paragraph in spec.paragraphs:
            assert paragraph in text
        for sentence in spec.noise:
            assert sentence in text
            assert not any(sentence in p for p in spec.paragraphs)


def test_catalog_shape() -> None:
    days = {e.date for e in catalog.EVENTS if e.in_day_index}
    assert len(days) == 4 and len([e for e in catalog.EVENTS if e.in_day_index]) == 12
    assert catalog.start_urls() == catalog.DAY_INDEXES and len(catalog.DAY_INDEXES) == 4
    outcomes = {a.expected_outcome for a in catalog.ARTICLES.values()}
    assert outcomes == {"origin", "redirect", "dead", "moved", "wayback", "commoncrawl"}
    assert {a.origin_outcome for a in catalog.ARTICLES.values()} == {"origin", "redirect", "dead"}
    assert sum(len(a.cited_by) > 1 for a in catalog.ARTICLES.values()) >= 2
    original = [a for a in catalog.ARTICLES.values() if a.expected_outcome == a.origin_outcome]
    # the five templates' sites, and the old table-layout site of the fallback cases
    assert len({a.site for a in original if a.paragraphs}) == 6
    assert 60 <= len(catalog.ARTICLES) <= 70
    in_window = {e.url_md for e in catalog.EVENTS if e.in_day_index}
    related = {url for e in catalog.EVENTS for url, _, _ in e.related}
    assert related - in_window  # some related links leave the three days


# ------------------------------------------------------------------ event pages

_LINK = re.compile(r"^(\d+)\. \[(.*?) ?\]\((\S+)\)(?: _Context: (.*)_)?$")


def parse_event_markdown(text: str, base: str) -> dict[str, object]:
    """A small reference parser of the event-page markdown (enough to check the pages)."""
    lines = text.replace("\r\n", "\n").split("\n")
    date = re.match(r"^### \[(\d{4}-\d{1,2}-\d{1,2})\]\(", lines[0])
    headline = next(line[2:].rstrip() for line in lines if line.startswith("# "))
    section, sources, related = "", [], []
    for line in lines:
        if line.startswith("### "):
            section = line
            continue
        match = _LINK.match(line.strip())
        if not match:
            continue
        if section == "### Source:":
            sources.append((match[2], match[3]))
        elif section == "### Related:":
            tags = [t.strip() for t in (match[4] or "").split(",")]
            related.append((urljoin(base, match[3]), match[2], tags))
    return {
        "date": date[1] if date else None,
        "headline": headline,
        "sources": sources,
        "related": related,
    }


@pytest.mark.parametrize("event", catalog.EVENTS, ids=lambda e: e.slug[:30])
def test_every_event_page_parses(web: SimWeb, event: EventSpec) -> None:
    got = fetch(web, event.url_md)
    assert got.status == 200
    assert got.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert (b"\r\n" in got.body) == ("crlf" in event.quirks)
    text = got.body.decode("utf-8")
    parsed = parse_event_markdown(text, event.url_md)
    assert parsed["date"] == f"{event.date.year}-{event.date.month}-{event.date.day}"
    assert parsed["headline"] == event.headline
    assert parsed["sources"] == event.sources
    assert parsed["related"] == event.related
    assert event.lede in text
    assert len(event.slug) <= 138
    if event.url_html:
        page = fetch(web, event.url_html)
        tree = lxml.html.fromstring(page.body)
        assert tree.findtext(".//article/h1") == event.headline
        hrefs = [a.get("href") for a in tree.findall(".//article/ol")[0].findall(".//a")]
        assert hrefs == [url for _, url in event.sources]


def test_day_indexes_list_their_events(web: SimWeb) -> None:
    for url in catalog.DAY_INDEXES:
        got = fetch(web, url)
        assert got.status == 200
        links = [
            urljoin(url, m[1]) for m in re.finditer(r"\]\((/news/\S+\.md)\)", got.body.decode())
        ]
        listed = [
            e.url_md for e in catalog.EVENTS if day_index_url(e.date) == url and e.in_day_index
        ]
        assert links == listed
    for missing in catalog.MISSING_EVENT_PAGES:
        assert fetch(web, missing).status == 404


# ------------------------------------------------------------------ lifecycle


def test_server_starts_and_stops_cleanly() -> None:
    with start_simweb() as other:
        assert other.proxy_url == f"http://127.0.0.1:{other.port}"
        assert fetch(other, EASTGATE).status == 200
        conn = http.client.HTTPConnection("127.0.0.1", other.port, timeout=10)
        conn.request("GET", EASTGATE)
        conn.getresponse().read()  # leave this keep-alive connection open on purpose
        code = other.stop()
        conn.close()
    assert code == 0


# ------------------------------------------------------------------ the fallback cases


def _case_page(url: str) -> bytes:
    entry = next(e for e in catalog.FALLBACK_WEB.entries if e.story.url == url)
    return catalog.FALLBACK_WEB.page(entry).html.encode()


def test_parked_hosts_answer_every_path_with_a_parking_page(web: SimWeb) -> None:
    for host, phrase in (
        ("www.brenholt-chronicle.com", b"This domain may be for sale"),
        ("www.quarryend-post.com", b"is for sale"),
    ):
        for path in ("/", "/news/2021/03/12/anything", "/robots.txt"):
            got = fetch(web, f"http://{host}{path}")
            assert got.status == 200 and phrase in got.body, (host, path)


def test_soft_404_sites(web: SimWeb) -> None:
    herald = "http://www.tamsford-herald.com/news/2021/03/12/council-emergency-meeting/"
    got = fetch(web, herald)
    assert got.status == 301 and got.headers["Location"] == "http://www.tamsford-herald.com/"
    home = fetch(web, "http://www.valley-voice.net/")
    for path in ("/2021/03/12/volunteers-clear-flood-debris.html", "/made-up/0a1b2c.html"):
        got = fetch(web, "http://www.valley-voice.net" + path)
        assert got.status == 200 and got.body == home.body
    assert fetch(web, "http://www.valley-voice.net/robots.txt").body.startswith(b"User-agent")


def test_moved_domains(web: SimWeb) -> None:
    old = "http://www.orvane-observer.org/2021/03/12/ferry-road-residents-return-home/"
    assert fetch(web, old).status == 503  # the old domain no longer resolves
    new = old.replace("http://www.orvane-observer.org", "https://www.orvane-observer.press")
    got = fetch(web, new)
    assert got.status == 200 and got.body == _case_page(old)
    assert fetch(web, new.replace("https:", "http:")).status == 301
    home = fetch(web, "https://kessing-times.news/")
    got = fetch(web, "https://kessing-times.news/news/2021/03/12/tram-depot-flooded.html")
    assert got.status == 200 and got.body == home.body and b"Latest from Kessing Times" in home.body


BEACON = "http://www.tamsford-beacon.com/2021/03/12/beacon-fundraiser-for-flood-families/"


def test_wayback_availability_json(web: SimWeb) -> None:
    got = fetch(web, f"https://archive.org/wayback/available?url={BEACON}&timestamp=20210312")
    assert got.status == 200 and got.headers["Content-Type"] == "application/json"
    data = json.loads(got.body)
    closest = data["archived_snapshots"]["closest"]
    assert data["url"] == BEACON and data["timestamp"] == "20210312"
    assert closest == {
        "status": "200",
        "available": True,
        "url": f"http://web.archive.org/web/20210313090000/{BEACON}",
        "timestamp": "20210313090000",
    }
    none = fetch(web, "https://archive.org/wayback/available?url=http://nowhere.example/x")
    assert json.loads(none.body)["archived_snapshots"] == {}


def test_wayback_cdx_json_rows(web: SimWeb) -> None:
    base = f"https://web.archive.org/cdx/search/cdx?url={BEACON}&output=json"
    rows = json.loads(fetch(web, base).body)
    assert rows[0] == ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest",
                       "length"]  # fmt: skip
    assert [r[1] for r in rows[1:]] == ["20210313090000", "20210317120000"]
    assert rows[1][0] == "com,tamsford-beacon)/2021/03/12/beacon-fundraiser-for-flood-families/"
    assert rows[1][4] == "200" and len(rows[1][5]) == 32
    fields = json.loads(fetch(web, base + "&fl=timestamp,statuscode&limit=-1").body)
    assert fields == [["timestamp", "statuscode"], ["20210317120000", "200"]]
    window = json.loads(fetch(web, base + "&fl=timestamp&from=20210314&to=2021").body)
    assert window == [["timestamp"], ["20210317120000"]]
    assert json.loads(fetch(web, base + "&filter=!statuscode:200").body) == []
    assert json.loads(fetch(web, base.replace(BEACON, "http://nowhere.example/")).body) == []


def test_wayback_raw_and_toolbar_replays(web: SimWeb) -> None:
    from simweb.sites.wayback import TOOLBAR_TEXT

    raw = fetch(web, f"https://web.archive.org/web/20210317120000id_/{BEACON}")
    assert raw.status == 200 and raw.body == _case_page(BEACON)
    assert raw.headers["Memento-Datetime"] == "Wed, 17 Mar 2021 12:00:00 GMT"
    assert raw.headers["Link"] == f'<{BEACON}>; rel="original"'
    shown = fetch(web, f"https://web.archive.org/web/20210317120000/{BEACON}")
    text = shown.body.decode()
    assert all(sentence in text for sentence in TOOLBAR_TEXT)
    assert "<!-- BEGIN WAYBACK TOOLBAR INSERT -->" in text
    assert 'href="/web/20210317120000/http://www.tamsford-beacon.com/' in text
    assert not any(sentence in raw.body.decode() for sentence in TOOLBAR_TEXT)


def test_wayback_finds_the_nearest_capture_or_none(web: SimWeb) -> None:
    got = fetch(web, f"https://web.archive.org/web/20210316id_/{BEACON}")
    assert got.status == 302
    assert got.headers["Location"] == f"https://web.archive.org/web/20210317120000id_/{BEACON}"
    front = fetch(
        web, "https://web.archive.org/web/20210313090000id_/http://www.tamsford-beacon.com/"
    )
    assert front.status == 302 and "20210301000000id_" in front.headers["Location"]
    missing = fetch(web, "https://web.archive.org/web/2021id_/http://nowhere.example/x")
    assert missing.status == 404 and b"has not archived that URL" in missing.body


def test_wayback_throttles_every_other_cdx_query(web: SimWeb) -> None:
    url = "http://www.tollgate-weekly.com/2021/03/13/toll-bridge-fees-frozen/"
    query = f"https://web.archive.org/cdx/search/cdx?url={url}&output=json"
    first, second, third = (fetch(web, query) for _ in range(3))
    assert (first.status, second.status, third.status) == (429, 200, 429)
    assert first.headers["Retry-After"] == "1"


def test_commoncrawl_index_and_ranges(web: SimWeb) -> None:
    from warcio.archiveiterator import ArchiveIterator

    crawls = json.loads(fetch(web, "https://index.commoncrawl.org/collinfo.json").body)
    apis = {c["id"]: c["cdx-api"] for c in crawls}
    assert apis["CC-MAIN-2021-17"] == "https://index.commoncrawl.org/CC-MAIN-2021-17-index"
    url = "http://news.portansel-today.com/local/strike-day-one"
    got = fetch(web, f"{apis['CC-MAIN-2021-17']}?url={url}&output=json")
    line = json.loads(got.body.decode().splitlines()[0])
    assert (line["url"], line["status"], line["timestamp"]) == (url, "200", "20210412093000")
    start, length = int(line["offset"]), int(line["length"])
    data_url = f"https://data.commoncrawl.org/{line['filename']}"
    part = fetch(web, data_url, {"Range": f"bytes={start}-{start + length - 1}"})
    assert part.status == 206 and len(part.body) == length and part.body[:2] == b"\x1f\x8b"
    assert part.headers["Content-Range"].startswith(f"bytes {start}-{start + length - 1}/")
    record = next(iter(ArchiveIterator(io.BytesIO(part.body))))
    assert record.rec_headers.get_header("WARC-Target-URI") == url
    assert record.content_stream().read() == _case_page(url)
    none = fetch(web, f"{apis['CC-MAIN-2021-10']}?url={url}&output=json")
    assert none.status == 404 and "No Captures found" in json.loads(none.body)["message"]
    whole = fetch(web, data_url)
    assert whole.status == 200 and whole.body[start : start + length] == part.body
