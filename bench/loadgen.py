"""A plain HTTP load generator: keep-alive GETs through the proxy, to measure the web server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from urllib.parse import urlsplit


async def _worker(host: str, port: int, urls: Sequence[str], deadline: float) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    try:
        while time.monotonic() < deadline:
            url = urls[done % len(urls)]
            netloc = urlsplit(url).netloc
            writer.write(
                f"GET {url} HTTP/1.1\r\nHost: {netloc}\r\nAccept-Encoding: gzip\r\n\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            done += 1
    finally:
        writer.close()
        await writer.wait_closed()
    return done


async def _run(proxy: str, urls: Sequence[str], connections: int, seconds: float) -> int:
    parts = urlsplit(proxy)
    deadline = time.monotonic() + seconds
    counts = await asyncio.gather(
        *(
            _worker(parts.hostname or "127.0.0.1", parts.port or 80, urls[i::connections], deadline)
            for i in range(connections)
        )
    )
    return sum(counts)


def requests_per_second(
    proxy: str, urls: Sequence[str], connections: int = 16, seconds: float = 5.0
) -> float:
    """Requests per second the server answers (Content-Length responses) in `seconds`."""
    started = time.monotonic()
    total = asyncio.run(_run(proxy, urls, connections, seconds))
    return total / (time.monotonic() - started)
