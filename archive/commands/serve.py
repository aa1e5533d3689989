"""`python -m archive serve`: the local web reader (reader and replay origins on two ports)."""

from __future__ import annotations

import argparse
import sys

from archive.reader import Archive
from archive.textout import error
from archive.web.common import LOOPBACK_NAMES
from archive.web.server import ReaderServers


def _port(value: str) -> int:
    """An argparse type: a TCP port (0 = any free one)."""
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0-65535, got {value!r}")
    return int(value)


def cmd_serve(arc: Archive, args: argparse.Namespace) -> int:
    """Serve the reader until Ctrl-C."""
    replay_port = args.replay_port
    if replay_port is None:
        replay_port = args.port + 1 if args.port else 0
    if args.port and replay_port == args.port:
        return error("--replay-port must differ from --port: snapshots need their own origin")
    try:
        servers = ReaderServers(arc.root, args.host, args.port, replay_port, args.allow_scripts)
    except OSError as exc:
        return error(f"cannot listen on {args.host}:{args.port}/{replay_port}: {exc}")
    if args.host not in LOOPBACK_NAMES and not args.host.startswith("127."):
        print(f"warning: serving on {args.host}: others on the network can read this archive",
              file=sys.stderr)  # fmt: skip
    with servers:
        print(f"Reader: {servers.reader_url}  (snapshots from {servers.replay_url})", flush=True)
        if args.allow_scripts:
            print("Archived scripts run, sandboxed in the replay origin.", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        servers.wait()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `serve` subcommand."""
    parser = sub.add_parser(
        "serve",
        help="serve a local web reader",
        description="Browse events, texts and archived snapshots at http://127.0.0.1:PORT/.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address (default %(default)s)")
    parser.add_argument("--port", type=_port, default=8765, help="reader port (default 8765)")
    parser.add_argument(
        "--replay-port", type=_port, help="port of the snapshot origin (default: --port + 1)"
    )
    parser.add_argument(
        "--allow-scripts",
        action="store_true",
        help="let archived scripts run inside the sandboxed replay frame (off by default)",
    )
    parser.set_defaults(func=cmd_serve)
