"""The local web reader: a reader server and a replay server on two ports (two origins).

Both are stdlib `ThreadingHTTPServer`s bound to 127.0.0.1 by default. The reader serves
script-free pages under a strict Content-Security-Policy and frames archived snapshots from
the replay server, whose own policy sandboxes them (see `archive/web/replay.py`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl, unquote, urlsplit

from archive.reader import Archive
from archive.web import pages
from archive.web.common import Response, host_allowed, host_name
from archive.web.replay import replay, replay_csp

logger = logging.getLogger(__name__)

App = Callable[["_Handler"], Response]

#: Iframe sandbox tokens: never allow-same-origin, -top-navigation, -popups or -forms.
SANDBOX = ""
SANDBOX_WITH_SCRIPTS = "allow-scripts"


class _AppServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App) -> None:
        super().__init__(address, _Handler)
        self.app = app
        self.bound = address[0]


class _Handler(BaseHTTPRequestHandler):
    server: _AppServer
    server_version = "event-archive"
    sys_version = ""

    def _respond(self, with_body: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.server.bound, self.server.server_port):
            response = Response(421, b"this server answers only to its own loopback address\n")
            response.content_type = "text/plain; charset=utf-8"
        else:
            try:
                response = self.server.app(self)
            except Exception:  # a page must not take the server down: log and answer 500
                logger.exception("reader: %s failed", self.path)
                response = Response(500, b"internal error (see the server log)\n", "text/plain")
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if with_body:
            self.wfile.write(response.body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """Answer a GET."""
        self._respond(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        """Answer a HEAD."""
        self._respond(with_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Request lines go to the debug log, not stderr."""
        logger.debug("%s " + format, self.address_string(), *args)


def _security_headers(csp: str) -> list[tuple[str, str]]:
    return [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
    ]


class ReaderServers:
    """The reader and replay servers of one archive, started in background threads."""

    def __init__(
        self,
        archive_dir: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        replay_port: int = 0,
        allow_scripts: bool = False,
    ) -> None:
        self.archive_dir = Path(archive_dir)
        Archive(self.archive_dir).close()  # fail now, with the reader's message, if not an archive
        self.allow_scripts = allow_scripts
        self.reader = _AppServer((host, port), self._reader_app)
        try:
            self.replay = _AppServer((host, replay_port), self._replay_app)
        except OSError:
            self.reader.server_close()
            raise
        self._threads: list[threading.Thread] = []
        self._stopped = threading.Event()

    def _origin(self, handler: _Handler, port: int) -> str:
        name = host_name(handler.headers.get("Host")) or self.reader.bound
        return f"http://{name}:{port}"

    @property
    def reader_url(self) -> str:
        """Where to point a browser."""
        return f"http://{self.reader.bound}:{self.reader.server_port}/"

    @property
    def replay_url(self) -> str:
        """The replay origin."""
        return f"http://{self.reader.bound}:{self.replay.server_port}/"

    # -- applications -----------------------------------------------------------------------

    def _reader_app(self, handler: _Handler) -> Response:
        parts = urlsplit(handler.path)
        params = dict(parse_qsl(parts.query))
        replay_origin = self._origin(handler, self.replay.server_port)
        csp = "; ".join(
            [
                "default-src 'none'",
                "style-src 'self'",
                "img-src 'self' data:",
                f"frame-src {replay_origin}",
                "form-action 'self'",
                "base-uri 'none'",
                "frame-ancestors 'none'",
            ]
        )
        response = self._reader_route(unquote(parts.path), params, replay_origin)
        response.headers += _security_headers(csp) + [("X-Frame-Options", "DENY")]
        return response

    def _reader_route(self, path: str, params: dict[str, str], replay_origin: str) -> Response:
        if path == "/favicon.ico":
            return Response(204, b"", "image/x-icon")
        if path == "/reader.css":
            return Response(200, pages.CSS.encode(), "text/css; charset=utf-8")
        sandbox = SANDBOX_WITH_SCRIPTS if self.allow_scripts else SANDBOX
        with Archive(self.archive_dir) as arc:
            if path == "/":
                return Response.html(pages.index_page(arc, params))
            if path == "/charts":
                return Response.html(pages.charts_page(arc))
            if path.startswith("/event/"):
                try:
                    event = arc.event(path.removeprefix("/event/"))
                except KeyError as exc:
                    return Response.html(pages.message_page("No such event", exc.args[0]), 404)
                position = int(params["s"]) if params.get("s", "").isdigit() else None
                return Response.html(pages.event_page(event, position, replay_origin, sandbox))
            if path.startswith("/api/"):
                return self._api(arc, path.removeprefix("/api/"), params, replay_origin)
        return Response.html(pages.message_page("Not found", f"Nothing at {path}"), 404)

    def _api(self, arc: Archive, route: str, params: dict[str, str], origin: str) -> Response:
        if route == "events":
            filters = {k: params.get(k) or None for k in ("since", "until", "tag", "domain")}
            try:
                ids = arc.event_ids(text=params.get("q") or None, **filters)
            except ValueError as exc:
                return Response.json({"error": str(exc)}, 400)
            return Response.json(
                [
                    {"event_id": e.event_id, "date": e.date, "headline": e.headline, "tags": e.tags}
                    for e in arc.load(ids)
                ]
            )
        if route.startswith("event/"):
            try:
                event = arc.event(route.removeprefix("event/"))
            except KeyError as exc:
                return Response.json({"error": exc.args[0]}, 404)
            data = event.to_dict()
            for source, entry in zip(event.sources, data["sources"], strict=True):
                entry["replay_url"] = pages.replay_src(origin, source)
            return Response.json(data)
        if route == "stats":
            from archive.summary import summarize

            return Response.json(summarize(arc).to_dict())
        return Response.json({"error": f"no API route {route!r}"}, 404)

    def _replay_app(self, handler: _Handler) -> Response:
        replay_origin = self._origin(handler, self.replay.server_port)
        reader_origin = self._origin(handler, self.reader.server_port)
        with Archive(self.archive_dir) as arc:
            response = replay(arc, handler.path)
        csp = replay_csp(replay_origin, reader_origin, self.allow_scripts)
        response.headers += _security_headers(csp)
        return response

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> ReaderServers:
        """Serve both servers from background threads."""
        for server in (self.reader, self.replay):
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def wait(self) -> None:
        """Block until `shutdown()` is called or Ctrl-C."""
        try:
            while not self._stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass

    def shutdown(self) -> None:
        """Stop serving and close the sockets."""
        self._stopped.set()
        for server in (self.reader, self.replay):
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(5)
        self._threads = []

    def __enter__(self) -> ReaderServers:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()
