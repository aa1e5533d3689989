"""HTTP/1.1 messages for the simulated web: request parsing and byte-exact responses."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024
MAX_BODY = 16 * 1024 * 1024


class BadRequest(Exception):
    """The bytes on the wire are not an HTTP/1.x request we can parse."""


@dataclass
class Request:
    """One parsed request, with the virtual scheme/host/port it is addressed to."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    scheme: str = "http"
    host: str = ""
    port: int = 80
    path: str = "/"
    wait_disconnect: Callable[[], Awaitable[None]] | None = field(default=None, repr=False)

    def header(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of header `name` (case-insensitive), or `default`."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return default

    def header_values(self, name: str) -> list[str]:
        """Return every value of header `name`, in wire order."""
        lname = name.lower()
        return [value for key, value in self.headers if key.lower() == lname]

    @property
    def url(self) -> str:
        """The absolute URL of the request, port omitted when it is the scheme's default."""
        default = 443 if self.scheme == "https" else 80
        netloc = self.host if self.port == default else f"{self.host}:{self.port}"
        return f"{self.scheme}://{netloc}{self.path}"

    @property
    def path_only(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]

    def accepts_gzip(self) -> bool:
        """True when Accept-Encoding lists gzip with a non-zero q-value."""
        for value in self.header_values("Accept-Encoding"):
            for item in value.split(","):
                token, _, params = item.strip().partition(";")
                if token.strip().lower() not in ("gzip", "x-gzip"):
                    continue
                q = params.strip().lower()
                if q.startswith("q="):
                    try:
                        return float(q[2:]) > 0
                    except ValueError:
                        return False
                return True
        return False

    def keep_alive(self) -> bool:
        """True when the client lets the connection stay open after this request."""
        tokens = {t.strip().lower() for v in self.header_values("Connection") for t in v.split(",")}
        if "close" in tokens:
            return False
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return True


@dataclass
class Response:
    """A response written to the wire exactly as given (headers in order, repeats kept)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    reason: str | None = None
    chunk_size: int | None = None
    chunk_delay: float = 0.0
    raw: bytes | None = None

    def header(self, name: str) -> str | None:
        """Return the first value of header `name` (case-insensitive), or None."""
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    def head_bytes(self) -> bytes:
        """The status line and header block, ending with the blank line."""
        reason = self.reason if self.reason is not None else standard_reason(self.status)
        lines = [f"HTTP/1.1 {self.status} {reason}"]
        lines += [f"{key}: {value}" for key, value in self.headers]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def wire_parts(self, head_only: bool = False) -> Iterator[bytes]:
        """Yield the bytes to send: the head, then the body (chunk frames when chunked)."""
        if self.raw is not None:
            yield self.raw
            return
        yield self.head_bytes()
        if head_only or self.status in (204, 304) or 100 <= self.status < 200:
            return
        if self.chunk_size is None:
            if self.body:
                yield self.body
            return
        yield from chunk_frames(self.body, self.chunk_size)

    def to_bytes(self, head_only: bool = False) -> bytes:
        """The whole response as one byte string."""
        return b"".join(self.wire_parts(head_only))


def standard_reason(status: int) -> str:
    """The standard reason phrase for `status` (empty when unknown)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def http_date(timestamp: float | None = None) -> str:
    """Format a timestamp (default: now) as an IMF-fixdate HTTP date."""
    return formatdate(timestamp, usegmt=True)


def chunk_frames(body: bytes, size: int) -> Iterator[bytes]:
    """Split `body` into chunked transfer-coding frames, including the last-chunk."""
    for start in range(0, len(body), size):
        piece = body[start : start + size]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def gzip_bytes(data: bytes) -> bytes:
    """Gzip `data` deterministically (mtime 0)."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def etag_for(data: bytes) -> str:
    """A strong ETag derived from the content."""
    return '"' + hashlib.sha1(data).hexdigest()[:16] + '"'


def make_response(
    status: int,
    body: bytes = b"",
    headers: Iterable[tuple[str, str]] = (),
    *,
    server: str | None = None,
    chunk_size: int | None = None,
    reason: str | None = None,
) -> Response:
    """Build a response with Server/Date first, then `headers`, then the framing header."""
    head: list[tuple[str, str]] = []
    if server:
        head.append(("Server", server))
    head.append(("Date", http_date()))
    head += list(headers)
    if chunk_size is not None:
        head.append(("Transfer-Encoding", "chunked"))
    elif status not in (204, 304) and not 100 <= status < 200:
        head.append(("Content-Length", str(len(body))))
    return Response(status, head, body, reason=reason, chunk_size=chunk_size)


def html_page(title: str, body_html: str) -> bytes:
    """A minimal HTML document, UTF-8 encoded."""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head>\n<body>\n{body_html}\n</body></html>\n"
    ).encode()


def squid_error(url: str, host: str, code: str) -> Response:
    """A Squid-style 503 error page: code is 'ERR_DNS_FAIL 0' or 'ERR_CONNECT_FAIL 111'."""
    if code.startswith("ERR_DNS_FAIL"):
        detail = (
            f"<p><b>Unable to determine IP address from host name <q>{host}</q></b></p>"
            "<p>The DNS server returned: Name Error: The domain name does not exist.</p>"
        )
    else:
        detail = (
            "<p><b>Connection to the upstream server failed</b></p>"
            "<p>The system returned: (111) Connection refused</p>"
        )
    body = html_page(
        "ERROR: The requested URL could not be retrieved",
        f'<div id="titles"><h1>ERROR</h1><h2>The requested URL could not be retrieved</h2></div>'
        f"<p>The following error was encountered while trying to retrieve the URL: "
        f'<a href="{url}">{url}</a></p><blockquote id="error">{detail}</blockquote>'
        f'<p>Your cache administrator is <a href="mailto:webmaster">webmaster</a>.</p>',
    )
    return make_response(
        503,
        body,
        [
            ("Mime-Version", "1.0"),
            ("Content-Type", "text/html;charset=utf-8"),
            ("X-Squid-Error", code),
            ("Vary", "Accept-Language"),
            ("Content-Language", "en"),
            ("X-Cache", "MISS from simweb"),
            ("Via", "1.1 simweb (squid/5.7)"),
            ("Connection", "close"),
        ],
        server="squid/5.7",
    )


def parse_head(data: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
    """Parse a request head into (method, target, version, headers)."""
    lines = data.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(f"bad request line {lines[0]!r}")
    method, target, version = parts
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(f"bad header line {line!r}")
        headers.append((name, value.strip()))
    return method.upper(), target, version, headers


def split_authority(authority: str, default_port: int) -> tuple[str, int]:
    """Split 'host[:port]' into a lowercased host and a port."""
    parts = urlsplit("//" + authority)
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port or default_port
    except ValueError as e:
        raise BadRequest(f"bad port in {authority!r}") from e
    return host, port


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one request (head and body) from `reader`; None on a clean EOF before it starts."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if not e.partial.strip():
            return None
        raise BadRequest("connection closed inside the request head") from e
    except asyncio.LimitOverrunError as e:
        raise BadRequest("request head too large") from e
    method, target, version, headers = parse_head(head[:-4].lstrip(b"\r\n"))
    request = Request(method, target, version, headers)
    if "chunked" in (request.header("Transfer-Encoding") or "").lower():
        request.body = await _read_chunked(reader)
    else:
        length = request.header("Content-Length")
        if length:
            if not length.isdigit() or int(length) > MAX_BODY:
                raise BadRequest(f"bad Content-Length {length!r}")
            request.body = await reader.readexactly(int(length))
    return request


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    """Read a chunked request body (trailers are discarded)."""
    body = bytearray()
    while True:
        line = await reader.readuntil(b"\r\n")
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError as e:
            raise BadRequest("bad chunk size") from e
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY:
            raise BadRequest("request body too large")
        body += await reader.readexactly(size)
        await reader.readexactly(2)
