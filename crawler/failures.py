"""Turn a download failure into a short reason a user can read (and the HTTP status, if any)."""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

#: Squid's error codes (X-Squid-Error) for an origin the proxy could not reach.
SQUID_REASONS = {
    "ERR_DNS_FAIL": "DNS lookup failed (reported by the proxy)",
    "ERR_CONNECT_FAIL": "connection refused (reported by the proxy)",
    "ERR_READ_TIMEOUT": "timed out (reported by the proxy)",
    "ERR_CONNECT_TIMEOUT": "connection timed out (reported by the proxy)",
}


def describe_failure(failure: Failure) -> tuple[str, int | None]:
    """A readable reason for a failed request and the HTTP status when there was a response."""
    exc = failure.value
    if isinstance(exc, HttpError):
        response = exc.response
        squid = response.headers.get(b"X-Squid-Error")
        if squid:
            code = squid.decode("latin-1").split()[0]
            return SQUID_REASONS.get(code, f"proxy error {code}"), response.status
        return f"HTTP {response.status}", response.status
    if isinstance(exc, DNSLookupError):
        return "DNS lookup failed", None
    if isinstance(exc, TunnelError):
        return f"proxy could not open a tunnel: {exc}", None
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused", None
    if isinstance(exc, TimeoutError | TCPTimedOutError):
        return "timed out", None
    if isinstance(exc, ConnectError):
        return f"connection failed: {exc}", None
    if isinstance(exc, ResponseNeverReceived | ResponseFailed):
        return f"connection lost: {exc.__class__.__name__}", None
    if isinstance(exc, IgnoreRequest):
        return f"not fetched: {exc}" if str(exc) else "not fetched (request ignored)", None
    return f"{exc.__class__.__name__}: {exc}", None
