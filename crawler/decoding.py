"""Decode a stored HTTP body to text exactly as Scrapy's ``TextResponse.text`` does (no Scrapy).

The crawl hands the extractor ``response.text``; re-extraction and the evaluation read bytes
from WARC files or disk. Both must decode alike, or the same page would give two texts: the
order is Scrapy's: byte-order mark, then the charset of the HTTP ``Content-Type`` header,
then a ``<meta>`` declaration, and only then detection (ASCII, UTF-8, charset-normalizer).
"""

from __future__ import annotations

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

__all__ = ["decode_body", "declared_encoding"]

_DEFAULT_ENCODING = "ascii"  # as scrapy.http.TextResponse


def declared_encoding(body: bytes, content_type: str | None) -> str | None:
    """The encoding the response declares: BOM, then HTTP header, then <meta>; None if none."""
    return (
        read_bom(body)[0]
        or http_content_type_encoding(content_type or "")
        or html_body_declared_encoding(body)
    )


def _auto_detect(text: bytes) -> str | None:
    for encoding in (_DEFAULT_ENCODING, "utf-8"):
        try:
            text.decode(encoding)
        except UnicodeError:
            continue
        return resolve_encoding(encoding)
    match = from_bytes(text).best()
    return resolve_encoding(match.encoding) if match else None


def decode_body(body: bytes, content_type: str | None) -> str:
    """The body as text, decoded the way Scrapy's ``TextResponse.text`` decodes it."""
    declared = declared_encoding(body, content_type)
    if declared:
        return html_to_unicode(f"charset={declared}", body)[1]
    return html_to_unicode(
        content_type or "",
        body,
        auto_detect_fun=_auto_detect,
        default_encoding=_DEFAULT_ENCODING,
    )[1]
