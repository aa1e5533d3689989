"""Serve the generated benchmark web through simweb's proxy: `python -m bench.webserver`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from bench.genweb import WebShape, build_registry, prepare_articles
from simweb.server import ProxyServer


def main(argv: list[str] | None = None) -> int:
    """Run the proxy for a web of the given shape; print `SIMWEB proxy=URL` once listening."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--domains", type=int, default=20)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--prepare", type=Path, help="write every article's gzip body here first, serve it"
    )
    args = parser.parse_args(argv)
    shape = WebShape(args.events, args.articles, args.domains)
    return asyncio.run(_serve(shape, args.port, args.prepare))


async def _serve(shape: WebShape, port: int, prepare: Path | None = None) -> int:
    registry = build_registry(shape)
    if prepare is not None:
        prepare_articles(registry, shape, prepare)
    server = ProxyServer(registry, port=port)
    server.log = _NoLog()  # a benchmark web keeps no request log: it would grow without end
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"SIMWEB proxy={server.url}", flush=True)
    await stop.wait()
    await server.close()
    return 0


class _NoLog(list):  # type: ignore[type-arg]
    """A request log that forgets every entry."""

    def append(self, item: object) -> None:
        """Drop the entry."""


if __name__ == "__main__":
    sys.exit(main())
