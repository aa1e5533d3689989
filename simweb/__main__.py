"""Command line: `python -m simweb [--host H] [--port P]` runs the simulated web's proxy."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from simweb.server import ProxyServer


def main(argv: list[str] | None = None) -> int:
    """Run the proxy until SIGTERM/SIGINT; print `SIMWEB proxy=URL` once listening."""
    parser = argparse.ArgumentParser(
        prog="python -m simweb",
        description="A local HTTP(S) forward proxy that serves the bundled simulated web.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: any free port)")
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (WARNING)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="simweb %(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return asyncio.run(_serve(args.host, args.port))


async def _serve(host: str, port: int) -> int:
    """Serve the catalog's hosts until a stop signal arrives, then close cleanly."""
    from simweb.catalog import build_registry
    from simweb.states import registry_for

    server = ProxyServer(build_registry(), host=host, port=port, states=registry_for)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"SIMWEB proxy={server.url}", flush=True)
    await stop.wait()
    await server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
