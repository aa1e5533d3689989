"""Byte level: a raw-socket server's exact bytes against the records a real crawl stored.

The server plays an origin for the event page (reached directly) and a forward proxy with
credentials for `rawwire.test` (reached through `http_proxy`): it answers with chunked gzip,
repeated and non-ASCII headers and an unusual reason phrase, a body cut by a closed
connection, and two bodies past DOWNLOAD_MAXSIZE. It keeps every request head it received,
so the request records can be compared with what went over the wire.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import CrawlRun, run_crawl
from tests.test_warc_readers import check_with_readers

EVENT_PATH = "/news/2021/3/9/raw-wire-check.md"
STORY = "http://rawwire.test/wire/story?id=7&lang=en"
MAXSIZE = 20000

STORY_HTML = (
    b"<html><head><title>Harbour feed goes live</title></head><body><article>"
    b"<h1>Harbour feed goes live</h1>"
    b"<p>The harbour wire service switched its new feed on at dawn, and the first bulletins "
    b"reached subscribers within seconds of being filed by the night desk.</p>"
    b"<p>Editors said the feed would carry berth changes and tide notices as they happen.</p>"
    b"</article></body></html>"
)
STORY_GZ = gzip.compress(STORY_HTML, mtime=0)
#: Response head of the story exactly as sent (header case and order, latin-1 and UTF-8 bytes).
STORY_HEAD = (
    b"HTTP/1.1 200 Splendidly Fine\r\n"
    b"content-type: text/html; charset=utf-8\r\n"
    b"Content-Encoding: gzip\r\n"
    b"Transfer-Encoding: chunked\r\n"
    b"Set-Cookie: session=a1; Path=/; HttpOnly\r\n"
    b"X-Trace: one\r\n"
    b"Set-Cookie: theme=dark; Path=/\r\n"
    b"X-Trace: two\r\n"
    b"X-Note: caf\xe9 au lait\r\n"
    b"X-Name: \xc3\xbcber\r\n"
    b'ETag: "r4w"\r\n'
    b"Connection: keep-alive\r\n"
    b"Keep-Alive: timeout=5\r\n"
    b"\r\n"
)
STORY_DELAY = 0.3  # seconds between receiving the request and answering
BIG = bytes(range(256)) * 320  # 81920 bytes of a table nobody should read


def _chunked(body: bytes, size: int) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
        for i in range(0, len(body), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def _event_page(port: int) -> bytes:
    return f"""### [2021-3-9](/news/2021/3/9/index.md)

# The harbour wire service tests its new feed with a story, a cut transfer and two big tables.

A lede paragraph for the raw wire check.

### Source:

1. [Raw Wire]({STORY})
2. [Cut short](http://rawwire.test/wire/cut)
3. [Big table](http://rawwire.test/wire/big.csv)
4. [Big chunked table](http://rawwire.test/wire/big-chunked.csv)
""".encode()


@dataclass
class Received:
    """One request head as the server read it, and when."""

    head: bytes
    at: datetime

    @property
    def target(self) -> str:
        return self.head.split(b"\r\n", 1)[0].split(b" ")[1].decode()


class _Handler(socketserver.BaseRequestHandler):
    server: RawServer

    def handle(self) -> None:
        conn: socket.socket = self.request
        buffer = b""
        while True:
            while b"\r\n\r\n" not in buffer:
                data = conn.recv(65536)
                if not data:
                    return
                buffer += data
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            received = Received(head + b"\r\n\r\n", datetime.now(UTC))
            self.server.received.append(received)
            if not self.server.answer(conn, received):
                return


class RawServer(socketserver.ThreadingTCPServer):
    """Answers with hand-written bytes; `received` lists every request head."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self.received: list[Received] = []

    def answer(self, conn: socket.socket, received: Received) -> bool:
        """Send the response for a request; False when the connection must close."""
        target = received.target
        path = target.split("://", 1)[1].partition("/")[1:] if "://" in target else ("/", target)
        path = "".join(path) if "://" in target else target
        if path == EVENT_PATH:
            body = _event_page(self.port)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/markdown; charset=utf-8\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
        elif path == "/wire/story?id=7&lang=en":
            time.sleep(STORY_DELAY)
            conn.sendall(STORY_HEAD)
            for i in range(0, len(STORY_GZ), 64):  # one chunk per write
                conn.sendall(_chunked(STORY_GZ[i : i + 64], 64)[: -len(b"0\r\n\r\n")])
            conn.sendall(b"0\r\n\r\n")
        elif path == "/wire/cut":
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4000\r\n\r\n"
            )
            conn.sendall(b"partial line\n" * 100)  # 1300 of the 4000 bytes announced
            return False
        elif path in ("/wire/big.csv", "/wire/big-chunked.csv"):
            chunked = path.endswith("chunked.csv")
            framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % len(BIG)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\n%s\r\n\r\n" % framing)
            wire = _chunked(BIG, 4096) if chunked else BIG
            try:
                for i in range(0, len(wire), 4096):
                    conn.sendall(wire[i : i + 4096])
                    time.sleep(0.002)
            except OSError:
                pass  # the client stopped reading at its limit
            return False
        else:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        return True


@pytest.fixture(scope="module")
def raw_server() -> Iterator[RawServer]:
    server = RawServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class _Direct:
    """Stands in for the simulated web: the raw server is the proxy, for rawwire.test only."""

    def __init__(self, port: int) -> None:
        self.port = port

    def proxy_env(self) -> dict[str, str]:
        proxy = f"http://puser:ppass@127.0.0.1:{self.port}"
        return {
            "http_proxy": proxy,
            "HTTP_PROXY": proxy,
            "https_proxy": "",
            "HTTPS_PROXY": "",
            "no_proxy": "127.0.0.1",
            "NO_PROXY": "127.0.0.1",
        }


@pytest.fixture(scope="module")
def wire_crawl(raw_server: RawServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    archive_dir = tmp_path_factory.mktemp("wire") / "archive"
    run = run_crawl(
        _Direct(raw_server.port),  # type: ignore[arg-type]
        archive_dir,
        [f"http://127.0.0.1:{raw_server.port}{EVENT_PATH}"],
        settings={
            "DOWNLOAD_MAXSIZE": str(MAXSIZE),
            "DOWNLOAD_WARNSIZE": "0",
            "DOWNLOAD_FAIL_ON_DATALOSS": "False",
            "HTTPAUTH_USER": "alice",
            "HTTPAUTH_PASS": "secret",
            "HTTPAUTH_DOMAIN": "rawwire.test",
            "RETRY_ENABLED": "False",
        },
    )
    assert run.returncode == 0, run.log[-4000:]
    return run


def _records(archive_dir: Path) -> dict[tuple[str, str], tuple[object, bytes]]:
    """(type, url) -> (parsed record, raw HTTP block) for every capture record."""
    out = {}
    for path in sorted((archive_dir / "warc").glob("*.warc.gz")):
        blocks = {}
        with open(path, "rb") as fh:
            for raw in ArchiveIterator(fh, no_record_parse=True):
                blocks[raw.rec_headers.get_header("WARC-Record-ID")] = raw.raw_stream.read()
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("request", "response"):
                    key = (record.rec_type, record.rec_headers.get_header("WARC-Target-URI"))
                    out[key] = (record, blocks[record.rec_headers.get_header("WARC-Record-ID")])
    return out


def _head_lines(head: bytes) -> list[bytes]:
    return [line for line in head.split(b"\r\n")[1:] if line]


def _digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def test_response_headers_and_payload_field_by_field(wire_crawl: CrawlRun) -> None:
    record, block = _records(wire_crawl.archive_dir)[("response", STORY)]
    http = record.http_headers  # type: ignore[attr-defined]
    # Scrapy keeps neither the reason phrase nor header case: the standard phrase is written.
    assert http.protocol == "HTTP/1.1" and http.statusline == "200 OK"
    assert http.headers == [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Encoding", "gzip"),
        ("Set-Cookie", "session=a1; Path=/; HttpOnly"),
        ("Set-Cookie", "theme=dark; Path=/"),
        ("X-Trace", "one"),
        ("X-Trace", "two"),
        ("X-Note", "caf\xe9 au lait"),
        ("X-Name", "über"),  # warcio's reader decodes a line that is valid UTF-8 as UTF-8
        ("Etag", '"r4w"'),
        ("Content-Length", str(len(STORY_GZ))),
    ]
    # Header values are the wire bytes, not re-encoded or percent-encoded.
    assert b"\r\nX-Note: caf\xe9 au lait\r\n" in block
    assert b"\r\nX-Name: \xc3\xbcber\r\n" in block
    assert block.endswith(b"\r\n\r\n" + STORY_GZ)  # de-chunked, still gzip
    rec = record.rec_headers  # type: ignore[attr-defined]
    assert rec.get_header("WARC-Payload-Digest") == _digest(STORY_GZ)
    assert rec.get_header("WARC-Block-Digest") == _digest(block)
    assert rec.get_header("WARC-IP-Address") is None  # fetched through a proxy
    assert rec.get_header("WARC-Truncated") is None


def test_warc_date_is_when_the_capture_started(wire_crawl: CrawlRun, raw_server: RawServer) -> None:
    record, _block = _records(wire_crawl.archive_dir)[("response", STORY)]
    date = record.rec_headers.get_header("WARC-Date")  # type: ignore[attr-defined]
    started = datetime.fromisoformat(date.replace("Z", "+00:00"))
    got = next(r for r in raw_server.received if r.target == STORY)
    # The request reached the server after the capture started, and the answer came
    # STORY_DELAY later: the date is the start, not the end.
    assert started <= got.at
    assert (got.at - started).total_seconds() < STORY_DELAY


def test_request_record_is_what_was_sent_minus_credentials(
    wire_crawl: CrawlRun, raw_server: RawServer
) -> None:
    records = _records(wire_crawl.archive_dir)
    request, _block = records[("request", STORY)]
    response, _ = records[("response", STORY)]
    sent = next(r for r in raw_server.received if r.target == STORY)
    sent_lines = _head_lines(sent.head)
    assert any(line.startswith(b"Proxy-Authorization: Basic ") for line in sent_lines)
    assert any(line.startswith(b"Authorization: Basic ") for line in sent_lines)
    http = request.http_headers  # type: ignore[attr-defined]
    # Origin form, query string included, the version Twisted sends.
    assert (http.protocol, http.statusline) == ("GET", "/wire/story?id=7&lang=en HTTP/1.1")
    stored = [f"{k}: {v}".encode("latin-1") for k, v in http.headers]
    expected = [
        line
        for line in sent_lines
        if not line.lower().startswith((b"authorization:", b"proxy-authorization:"))
    ]
    assert stored == expected
    assert http.get_header("Host") == "rawwire.test"
    rec = request.rec_headers  # type: ignore[attr-defined]
    assert rec.get_header("WARC-Concurrent-To") == response.rec_headers.get_header(  # type: ignore[attr-defined]
        "WARC-Record-ID"
    )
    assert rec.get_header("WARC-Date") == response.rec_headers.get_header("WARC-Date")  # type: ignore[attr-defined]


def test_direct_fetch_names_the_ip_address(wire_crawl: CrawlRun, raw_server: RawServer) -> None:
    url = f"http://127.0.0.1:{raw_server.port}{EVENT_PATH}"
    records = _records(wire_crawl.archive_dir)
    response, _ = records[("response", url)]
    assert response.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"  # type: ignore[attr-defined]
    request, _ = records[("request", url)]
    sent = next(r for r in raw_server.received if r.target == EVENT_PATH)
    assert [f"{k}: {v}".encode() for k, v in request.http_headers.headers] == _head_lines(  # type: ignore[attr-defined]
        sent.head
    )
    assert request.http_headers.get_header("Host") == f"127.0.0.1:{raw_server.port}"  # type: ignore[attr-defined]


def test_cut_connection_is_marked_disconnect(wire_crawl: CrawlRun) -> None:
    record, block = _records(wire_crawl.archive_dir)[("response", "http://rawwire.test/wire/cut")]
    assert record.rec_headers.get_header("WARC-Truncated") == "disconnect"  # type: ignore[attr-defined]
    assert block.endswith(b"\r\n\r\n" + b"partial line\n" * 100)
    assert record.http_headers.get_header("Content-Length") == "1300"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["big.csv", "big-chunked.csv"])
def test_body_past_maxsize_is_kept_cut_at_the_limit(wire_crawl: CrawlRun, name: str) -> None:
    url = f"http://rawwire.test/wire/{name}"
    record, block = _records(wire_crawl.archive_dir)[("response", url)]
    assert record.rec_headers.get_header("WARC-Truncated") == "length"  # type: ignore[attr-defined]
    body = block.split(b"\r\n\r\n", 1)[1]
    assert MAXSIZE < len(body) < len(BIG)
    assert BIG.startswith(body)
    assert record.http_headers.get_header("Content-Length") == str(len(body))  # type: ignore[attr-defined]
    assert record.http_headers.get_header("Transfer-Encoding") is None  # type: ignore[attr-defined]
    assert wire_crawl.stats["archive/capture/truncated/length"] == 2


def test_every_file_passes_the_independent_readers(wire_crawl: CrawlRun) -> None:
    files = sorted(wire_crawl.archive_dir.glob("*/*.warc.gz"))
    assert check_with_readers(files) > 10
    assert wire_crawl.violations() == []
