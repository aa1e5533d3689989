"""Classify a fetched or cited URL as a text document, an image or another kind of resource."""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit

DOCUMENT = "document"
IMAGE = "image"
OTHER = "other"

_DOCUMENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "application/pdf",
        "application/x-pdf",
        "text/plain",
        "text/markdown",
        "text/x-markdown",
    }
)

# Content types that say nothing about the payload: fall back to the URL's extension.
_GENERIC_TYPES = frozenset(
    {
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "application/x-unknown",
        "unknown/unknown",
    }
)

_IMAGE_EXTENSIONS = frozenset(
    {
        "jpg", "jpeg", "jpe", "jfif", "pjpeg", "png", "apng", "gif", "webp", "svg", "svgz",
        "bmp", "tif", "tiff", "ico", "avif", "heic", "heif", "jxl",
    }
)  # fmt: skip

_OTHER_EXTENSIONS = frozenset(
    {
        # video
        "mp4", "m4v", "webm", "mov", "avi", "mkv", "flv", "wmv", "mpg", "mpeg", "ogv", "3gp",
        "ts", "m3u8", "mpd",
        # audio
        "mp3", "wav", "ogg", "oga", "opus", "m4a", "aac", "flac", "wma", "mid", "midi",
        # archives and packages
        "zip", "gz", "tgz", "tar", "bz2", "xz", "7z", "rar", "zst", "apk", "exe", "dmg",
        "iso", "msi", "deb", "rpm", "jar",
        # fonts
        "woff", "woff2", "ttf", "otf", "eot",
        # code, data and office files that are not extracted as articles
        "js", "mjs", "css", "json", "map", "wasm", "swf", "csv", "xls", "xlsx", "doc",
        "docx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "epub", "ics", "vcf",
    }
)  # fmt: skip


def _kind_from_content_type(content_type: str) -> str | None:
    """Return the kind named by a Content-Type value, or None when it is absent or generic."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if "/" not in mime or mime in _GENERIC_TYPES:
        return None
    if mime in _DOCUMENT_TYPES:
        return DOCUMENT
    if mime.startswith("image/"):
        return IMAGE
    return OTHER


def _extension(url: str) -> str:
    """Return the lowercased extension of the URL path's last segment, or ''."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return ""
    name = posixpath.basename(unquote(path))
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return ""
    return ext.strip().lower()


def guess_kind(url: str, content_type: str | None = None) -> str:
    """Return "document", "image" or "other" from the Content-Type if given, else the extension."""
    if content_type:
        kind = _kind_from_content_type(content_type)
        if kind is not None:
            return kind
    ext = _extension(url)
    if ext in _IMAGE_EXTENSIONS:
        return IMAGE
    if ext in _OTHER_EXTENSIONS:
        return OTHER
    return DOCUMENT
