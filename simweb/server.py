"""The simulated web's HTTP forward proxy: every host is virtual and answered in-process."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import ssl
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qs, urlsplit

from simweb.hosts import DNS_FAIL, Registry
from simweb.tls import server_context
from simweb.wire import (
    BadRequest,
    Request,
    Response,
    html_page,
    make_response,
    read_request,
    split_authority,
    squid_error,
)

logger = logging.getLogger(__name__)

CONTROL_PREFIX = "/__simweb/"
CLIENT_GONE = (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError)


class ProxyServer:
    """An asyncio HTTP/1.1 forward proxy (absolute-form requests and CONNECT + TLS)."""

    def __init__(
        self,
        registry: Registry,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        states: Callable[[str], Registry] | None = None,
    ) -> None:
        self.registry = registry
        #: builds the registry of a named state (POST /__simweb/state?name=…)
        self.states = states
        self.host = host
        self.port = port
        self.log: list[dict[str, Any]] = []
        self._ssl: ssl.SSLContext | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._conn_ids = itertools.count(1)

    @property
    def url(self) -> str:
        """The proxy's URL, for http_proxy / https_proxy."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> int:
        """Make the certificate, start listening and return the bound port."""
        self._ssl = server_context(self.registry.tls_names())
        self._server = await asyncio.start_server(self._on_client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        logger.info("listening on %s with %d hosts", self.url, len(self.registry))
        return self.port

    async def close(self) -> None:
        """Stop listening, end every open connection and wait for their handlers."""
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _on_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client connection until it closes."""
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        conn = next(self._conn_ids)
        try:
            await self._serve(conn, reader, writer)
        except asyncio.CancelledError:
            # Only close() cancels these top-level tasks; ending normally keeps asyncio's
            # stream callback from logging the cancellation as an error.
            logger.debug("connection %d: closed at shutdown", conn)
        except CLIENT_GONE as e:
            logger.info("connection %d: client went away: %r", conn, e)
        except Exception:
            logger.exception("connection %d: handler failed", conn)
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()
            # Also at shutdown, when close() cancels this task a second time.
            with suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(writer.wait_closed(), 2)

    async def _serve(
        self, conn: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Read and answer requests on one connection (keep-alive, then maybe a tunnel)."""
        tunnel: tuple[str, int] | None = None
        while True:
            try:
                request = await read_request(reader)
                if request is None:
                    return
                if tunnel is None and request.method == "CONNECT":
                    tunnel = await self._connect(conn, request, writer)
                    if tunnel is None:
                        return
                    continue
                for_proxy = not self._address(request, tunnel)
            except BadRequest as e:
                logger.warning("connection %d: bad request: %s", conn, e)
                bad = html_page("400 Bad Request", "<h1>400 Bad Request</h1>")
                await self._send(writer, make_response(400, bad, [("Connection", "close")]))
                return
            if for_proxy:
                keep = await self._control(request, writer)
            else:
                keep = await self._dispatch(conn, request, reader, writer)
            if not keep:
                return

    def _address(self, request: Request, tunnel: tuple[str, int] | None) -> bool:
        """Fill in scheme/host/port/path; False when the request is for the proxy itself."""
        target = request.target
        if target.lower().startswith(("http://", "https://")):
            parts = urlsplit(target)
            request.scheme = parts.scheme.lower()
            request.host, request.port = split_authority(
                parts.netloc, 443 if request.scheme == "https" else 80
            )
            request.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            is_self = request.host in (self.host, "localhost") and request.port == self.port
            return not is_self
        if tunnel is not None:
            request.scheme = "https"
            request.host, request.port = tunnel
            request.path = target if target.startswith("/") else "/" + target
            return True
        request.path = target
        return False

    def _log(self, conn: int, method: str, scheme: str, host: str, path: str) -> dict[str, Any]:
        """Append a request-log entry (status filled in once answered) and return it."""
        entry: dict[str, Any] = {
            "method": method,
            "scheme": scheme,
            "host": host,
            "path": path,
            "status": None,
            "time": time.time(),
            "conn": conn,
        }
        self.log.append(entry)
        return entry

    async def _connect(
        self, conn: int, request: Request, writer: asyncio.StreamWriter
    ) -> tuple[str, int] | None:
        """Answer a CONNECT: open a TLS tunnel to a virtual host or refuse it like Squid."""
        request.host, request.port = split_authority(request.target, 443)
        request.scheme = "https"
        entry = self._log(conn, "CONNECT", "https", request.host, request.target)
        host = self.registry.get(request.host)
        refusal = (
            squid_error(request.target, request.host, DNS_FAIL)
            if host is None
            else host.connect(request)
        )
        if refusal is not None:
            entry["status"] = refusal.status
            await self._send(writer, refusal)
            return None
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        entry["status"] = 200
        assert self._ssl is not None
        await writer.start_tls(self._ssl)
        return request.host, request.port

    async def _dispatch(
        self,
        conn: int,
        request: Request,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Hand a request to its virtual host and write the answer; return keep-alive."""
        entry = self._log(conn, request.method, request.scheme, request.host, request.path)
        host = self.registry.get(request.host)
        response: Response | None
        if host is None:
            response = squid_error(request.url, request.host, DNS_FAIL)
        else:

            async def wait_disconnect() -> None:
                while await reader.read(65536):
                    pass

            request.wait_disconnect = wait_disconnect
            response = await host.handle(request)
        if response is None:
            return False
        entry["status"] = response.status
        keep = request.keep_alive() and (response.header("Connection") or "").lower() != "close"
        if response.raw is None and response.header("Connection") is None:
            response.headers.append(("Connection", "keep-alive" if keep else "close"))
        await self._send(writer, response, head_only=request.method == "HEAD")
        return keep

    async def _control(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        """Answer the proxy's own endpoints: GET log, POST reset, POST state?name=…, GET hosts."""
        path = request.path.split("?", 1)[0]
        status = 200
        payload: Any = None
        if path == CONTROL_PREFIX + "log" and request.method == "GET":
            payload = self.log
        elif path == CONTROL_PREFIX + "reset" and request.method == "POST":
            payload = {"cleared": len(self.log)}
            self.log.clear()
        elif path == CONTROL_PREFIX + "state" and request.method == "POST":
            status, payload = self._set_state(request)
        elif path == CONTROL_PREFIX + "hosts" and request.method == "GET":
            payload = [{"name": h.name, "kind": h.kind} for h in self.registry]
        elif path.startswith(CONTROL_PREFIX):
            status, payload = 404, {"error": f"no control endpoint {request.method} {path}"}
        else:
            status, payload = 400, {"error": "origin-form request sent to the proxy"}
        body = json.dumps(payload).encode()
        keep = request.keep_alive()
        headers = [
            ("Content-Type", "application/json"),
            ("Connection", "keep-alive" if keep else "close"),
        ]
        await self._send(writer, make_response(status, body, headers, server="simweb"))
        return keep

    def _set_state(self, request: Request) -> tuple[int, Any]:
        """Switch every host to a named state of the web (TLS names stay those of the start)."""
        query = parse_qs(urlsplit(request.path).query)
        name = (query.get("name") or [""])[0]
        if self.states is None:
            return 404, {"error": "this proxy has no named states"}
        try:
            self.registry = self.states(name)
        except KeyError:
            return 404, {"error": f"no state {name!r}"}
        logger.info("switched to state %s", name)
        return 200, {"state": name}

    async def _send(
        self, writer: asyncio.StreamWriter, response: Response, head_only: bool = False
    ) -> None:
        """Write a response part by part, pausing between chunks when it trickles."""
        for index, part in enumerate(response.wire_parts(head_only)):
            if index > 1 and response.chunk_delay:
                await asyncio.sleep(response.chunk_delay)
            if writer.is_closing():
                raise ConnectionResetError("client closed the connection mid-response")
            writer.write(part)
            await writer.drain()
