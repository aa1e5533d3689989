"""Is a cited page dead? Pure checks of failures, statuses, pages and extraction outcomes.

The page checks themselves and the verdict on an extraction's outcome live in
:mod:`crawler.pagechecks` (no Scrapy there, so the extraction workers and the closing pass
can use them) and are re-exported here.

Nothing here touches the network or Scrapy's engine: the spider, the download handler and
the recovery chain call these functions with what they already have, and the tests feed
them tables of cases.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet.error import (
    ConnectError,
    ConnectionClosed,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.failures import SQUID_REASONS
from crawler.pagechecks import (
    SHORT_PAGE_WORDS,
    PageSample,
    Verdict,
    classify_extraction,
    classify_page,
    error_page,
    is_home_path,
    judge_page,
    parked_template,
    same_as_generic,
    sample_from_dict,
    sample_page,
    sample_to_dict,
    similarity,
    soft404_redirect,
)

__all__ = [
    "GATEWAY_STATUSES",
    "GONE_STATUSES",
    "SHORT_PAGE_WORDS",
    "PageSample",
    "Verdict",
    "classify_exception",
    "classify_extraction",
    "classify_page",
    "classify_status",
    "error_page",
    "is_home_path",
    "judge_page",
    "parked_template",
    "same_as_generic",
    "sample_from_dict",
    "sample_page",
    "sample_to_dict",
    "similarity",
    "soft404_redirect",
]

#: Statuses that say the page is gone for good (or withheld) rather than failing right now.
GONE_STATUSES = frozenset({404, 410, 451})
#: Gateway errors: a proxy or CDN could not reach the site (the site itself did not answer).
GATEWAY_STATUSES = frozenset({502, 504, 521, 522, 523, 524})


_EXCEPTIONS: tuple[tuple[tuple[type[BaseException], ...], str, str], ...] = (
    ((CannotResolveHostError, DNSLookupError), "dns", "DNS lookup failed"),
    ((DownloadConnectionRefusedError, ConnectionRefusedError), "refused", "connection refused"),
    ((DownloadTimeoutError, TimeoutError, TCPTimedOutError), "timeout", "timed out"),
    ((TunnelError,), "tunnel", "proxy could not open a tunnel"),
    ((ConnectError,), "connect", "connection failed"),
    (
        (DownloadFailedError, ResponseFailed, ResponseNeverReceived, ConnectionClosed),
        "reset",
        "connection lost",
    ),
    ((ResponseDataLossError,), "dataloss", "response cut short"),
)


def classify_exception(exc: BaseException) -> Verdict:
    """The verdict for a request that ended with an exception instead of a response."""
    if isinstance(exc, IgnoreRequest):
        text = str(exc) or "request ignored"
        return Verdict(True, "ignored", f"not fetched: {text}")
    for types, signal, reason in _EXCEPTIONS:
        if isinstance(exc, types):
            detail = f": {exc}" if signal in ("tunnel", "connect") and str(exc) else ""
            return Verdict(True, signal, reason + detail, hard=True)
    return Verdict(True, "error", f"{exc.__class__.__name__}: {exc}")


def classify_status(status: int, squid_error: str | None = None, robots: bool = False) -> Verdict:
    """The verdict for a final HTTP status (after redirects and retries).

    `squid_error` is the proxy's X-Squid-Error value, if any. For robots.txt requests only a
    proxy's own error counts against the domain: a broken robots.txt says nothing about pages.
    """
    if squid_error:
        code = squid_error.split()[0]
        reason = SQUID_REASONS.get(code, f"proxy error {code}")
        return Verdict(True, "proxy_" + code.lower().removeprefix("err_"), reason, hard=True)
    if status < 400:
        return Verdict.ok()
    if status in GONE_STATUSES:
        return Verdict(True, f"http_{status}", f"HTTP {status}")
    hard = status in GATEWAY_STATUSES and not robots
    signal = "http_5xx" if status >= 500 else "http_4xx"
    return Verdict(True, signal, f"HTTP {status}", hard=hard)
