"""Revalidating archived pages: a 304 answered with the archived copy it stands for."""

from __future__ import annotations

from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from archive.snapshots import Snapshot

__all__ = ["archived_response"]

#: Response headers describing the stored bytes, not the decoded body a Snapshot holds.
_ENCODING_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def archived_response(snapshot: Snapshot, answer: Response) -> Response:
    """The archived page a 304 stands for, as a Scrapy response to the same request.

    The body is the decoded one (as the spider saw it when it was captured); the request
    and its meta are the conditional request's, so callbacks see the crawl's context.
    """
    headers = Headers([(k, v) for k, v in snapshot.headers if k.lower() not in _ENCODING_HEADERS])
    cls = responsetypes.from_args(headers=headers, url=snapshot.url, body=snapshot.body)
    return cls(
        url=snapshot.url,
        status=snapshot.status,
        headers=headers,
        body=snapshot.body,
        request=answer.request,
        flags=["archived"],
    )
