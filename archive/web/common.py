"""What the reader and replay servers share: a response value and the Host check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

#: Host names that reach a server bound to a loopback address.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


@dataclass
class Response:
    """An HTTP response to send: status, headers, body."""

    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        """An HTML page."""
        return cls(status, text.encode("utf-8"))

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        """A JSON document."""
        body = json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")
        return cls(status, body, "application/json; charset=utf-8")


def host_name(host_header: str | None) -> str:
    """The host name of a Host header, without the port ('' when absent)."""
    value = (host_header or "").strip().lower()
    if value.startswith("["):
        return value.split("]", 1)[0] + "]"
    return value.rsplit(":", 1)[0] if ":" in value else value


def host_allowed(host_header: str | None, bound: str, port: int) -> bool:
    """Whether a request's Host header names this server (defeats DNS rebinding).

    On a loopback address only loopback names with the server's own port are accepted;
    bound to another address (the user chose to expose the reader), any name is.
    """
    if bound not in LOOPBACK_NAMES and not bound.startswith("127."):
        return True
    value = (host_header or "").strip().lower()
    name = host_name(value)
    if name not in LOOPBACK_NAMES and name != bound:
        return False
    return value.endswith(f":{port}")
