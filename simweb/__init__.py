"""simweb: a simulated web behind a local HTTP(S) forward proxy, for tests and the demo crawl."""

from __future__ import annotations

from simweb.hosts import (
    DeadHost,
    HangingHost,
    Host,
    MovedHost,
    RefusedHost,
    Registry,
    Resource,
    Site,
    trace,
)
from simweb.runner import SimWeb, SimWebError, start_simweb
from simweb.wire import Request, Response, make_response

__all__ = [
    "DeadHost",
    "HangingHost",
    "Host",
    "MovedHost",
    "RefusedHost",
    "Registry",
    "Request",
    "Resource",
    "Response",
    "SimWeb",
    "SimWebError",
    "Site",
    "make_response",
    "start_simweb",
    "trace",
]
