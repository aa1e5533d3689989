"""The fallback list: per-domain moves, dead domains and archive services, from TOML files.

A list is a TOML file whose top-level tables are keyed by registered domain (or by a more
specific host name), for example::

    ["guardian.co.uk"]
    moved_to = "https://www.theguardian.com"   # path-preserving rewrite to a new origin

    ["old-news.org"]
    moved_to = "old-news.press"                # same subdomain, path and query, new domain

    ["tamsford-times.com"]
    moved_to = "https://archive.tamsford.example/{host}/{path}{query}"   # a URL template

    ["gone.example"]
    dead = true                                # never ask the origin
    archives = ["commoncrawl", "wayback"]      # which archive services, in order

The bundled list (`crawler/lists/fallbacks.toml`) is read first and a user file (setting
`FALLBACK_LIST`) replaces its entries domain by domain. Every mistake is reported with the
file, the entry and the fix.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from crawler.domains import registered_domain

#: Archive services the crawler can ask, by the names a list uses.
KNOWN_SERVICES = ("wayback", "commoncrawl")
#: Services people may expect but that cannot give a raw copy; named in the error message.
UNSUPPORTED_SERVICES = {
    "archive_today": "archive.today serves only its rewritten page (its own header, scripts "
    "removed, links rewritten), never the page as the site sent it",
}
ENTRY_KEYS = ("moved_to", "dead", "archives", "note")
PLACEHOLDERS = ("scheme", "host", "path", "query", "url", "slug")
_HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_FIELD_RE = re.compile(r"\{([^{}]*)\}")
BUNDLED = "bundled fallback list"


class FallbackListError(ValueError):
    """A fallback list file is not valid; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class FallbackEntry:
    """What the list says about one domain."""

    key: str
    moved_to: str | None = None
    dead: bool = False
    archives: tuple[str, ...] | None = None
    source: str = BUNDLED

    def rewrite(self, url: str) -> str | None:
        """The URL `url` has at the domain's new home, or None when the domain did not move."""
        if self.moved_to is None:
            return None
        return rewrite_moved(url, self.moved_to, self.key)


def _is_host(value: str) -> bool:
    return bool(_HOST_RE.match(value))


def _check_moved_to(value: object, where: str) -> str:
    """Validate a `moved_to` value: a bare domain, an origin, or a URL template."""
    example = 'moved_to = "new-name.press" or moved_to = "https://www.new-name.press/{path}"'
    if not isinstance(value, str) or not value.strip():
        raise FallbackListError(f"{where}: moved_to must be a non-empty string, e.g. {example}")
    value = value.strip()
    if "://" not in value:
        if not _is_host(value.lower()):
            raise FallbackListError(
                f"{where}: moved_to = {value!r} is neither a domain name nor an http(s) URL; "
                f"write e.g. {example}"
            )
        return value.lower()
    parts = urlsplit(value.replace("{", "").replace("}", ""))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FallbackListError(
            f"{where}: moved_to = {value!r} must start with http:// or https:// and name a host"
        )
    fields = _FIELD_RE.findall(value)
    unknown = [f for f in fields if f not in PLACEHOLDERS]
    if unknown:
        raise FallbackListError(
            f"{where}: moved_to has unknown placeholder(s) "
            f"{', '.join('{' + f + '}' for f in unknown)}; use "
            f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
        )
    if not fields and urlsplit(value).path not in ("", "/"):
        raise FallbackListError(
            f"{where}: moved_to = {value!r} has a path but no placeholder, so every article "
            "would go to one page; write the origin alone (https://new.example) to keep paths, "
            "or put {path} where the old path goes"
        )
    return value


def _check_archives(value: object, where: str) -> tuple[str, ...]:
    """Validate an `archives` list of service names."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FallbackListError(
            f'{where}: archives must be a list of service names, e.g. archives = ["wayback"]'
        )
    names = tuple(v.strip().lower() for v in value)
    for name in names:
        if name in UNSUPPORTED_SERVICES:
            raise FallbackListError(
                f"{where}: archive service {name!r} is not supported ({UNSUPPORTED_SERVICES[name]})"
                f"; use {' or '.join(repr(s) for s in KNOWN_SERVICES)}"
            )
        if name not in KNOWN_SERVICES:
            raise FallbackListError(
                f"{where}: unknown archive service {name!r}; use one of "
                f"{', '.join(repr(s) for s in KNOWN_SERVICES)}"
            )
    if len(set(names)) != len(names):
        raise FallbackListError(f"{where}: archives lists a service twice: {list(names)}")
    return names


def _check_key(key: str, raw: Any, origin: str) -> str:
    """Validate an entry's key (a domain or host name) and its table shape."""
    where = f'{origin}: entry ["{key}"]'
    lowered = key.strip().lower().rstrip(".")
    if "://" in key or "/" in key:
        host = urlsplit(key if "://" in key else "//" + key).hostname or key
        domain = registered_domain(host)
        raise FallbackListError(
            f'{where}: the key must be a domain name, not a URL; write ["{domain}"]'
        )
    if not isinstance(raw, dict):
        raise FallbackListError(
            f'{origin}: {key!r} = {raw!r} is not a table; write ["{key}"] on its own line '
            "followed by moved_to / dead / archives"
        )
    if "." not in lowered:
        nested = [k for k, v in raw.items() if isinstance(v, dict)]
        if nested:
            raise FallbackListError(
                f"{origin}: entry [{key}.{nested[0]}…] was read as nested tables because the "
                f'domain is not quoted; write ["{key}.{nested[0]}…"] with double quotes'
            )
        raise FallbackListError(f"{where}: {key!r} is not a domain name (e.g. example.com)")
    if not _is_host(lowered):
        raise FallbackListError(f"{where}: {key!r} is not a valid domain name")
    if registered_domain(f"probe.{lowered}") == f"probe.{lowered}":
        raise FallbackListError(
            f"{where}: {key!r} is a public suffix, not a domain; name the site's own domain"
        )
    return lowered


def parse_entry(key: str, raw: Any, origin: str) -> FallbackEntry:
    """Check one table of a fallback list and turn it into an entry."""
    domain = _check_key(key, raw, origin)
    where = f'{origin}: entry ["{key}"]'
    unknown = [k for k in raw if k not in ENTRY_KEYS]
    if unknown:
        raise FallbackListError(
            f"{where}: unknown key {unknown[0]!r}; an entry may have {', '.join(ENTRY_KEYS)}"
        )
    if not raw.keys() & {"moved_to", "dead", "archives"}:
        raise FallbackListError(f"{where}: says nothing; give moved_to, dead = true or archives")
    dead = raw.get("dead", False)
    if not isinstance(dead, bool):
        raise FallbackListError(f"{where}: dead must be true or false (no quotes), not {dead!r}")
    if "note" in raw and not isinstance(raw["note"], str):
        raise FallbackListError(f"{where}: note must be a string")
    moved = _check_moved_to(raw["moved_to"], where) if "moved_to" in raw else None
    archives = _check_archives(raw["archives"], where) if "archives" in raw else None
    return FallbackEntry(domain, moved, dead, archives, origin)


def parse_list(text: str, origin: str) -> dict[str, FallbackEntry]:
    """Parse and validate the text of one fallback list file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise FallbackListError(f"{origin}: not valid TOML ({e}); see the README's example") from e
    entries: dict[str, FallbackEntry] = {}
    for key, raw in data.items():
        entry = parse_entry(key, raw, origin)
        if entry.key in entries:
            raise FallbackListError(f'{origin}: entry ["{key}"] appears twice (as {entry.key})')
        entries[entry.key] = entry
    return entries


class FallbackList:
    """Entries by domain; a lookup takes the most specific key that covers a URL's host."""

    def __init__(self, entries: Mapping[str, FallbackEntry] | Iterable[FallbackEntry] = ()):
        values = entries.values() if isinstance(entries, Mapping) else entries
        self.entries: dict[str, FallbackEntry] = {e.key: e for e in values}

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, url_or_host: str) -> FallbackEntry | None:
        """The entry for a URL or host: its own name, then each parent down to the domain."""
        host = (urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host) or ""
        host = host.lower().rstrip(".")
        domain = registered_domain(host)
        while host:
            entry = self.entries.get(host)
            if entry is not None:
                return entry
            if host == domain or "." not in host:
                break
            host = host.split(".", 1)[1]
        return None

    def merged(self, other: FallbackList) -> FallbackList:
        """This list with `other`'s entries replacing ours domain by domain."""
        return FallbackList({**self.entries, **other.entries})


def bundled_text() -> str:
    """The text of the list shipped in the package."""
    return (files("crawler") / "lists" / "fallbacks.toml").read_text("utf-8")


def load_fallbacks(user_file: str | Path | None, bundled: bool = True) -> FallbackList:
    """The bundled list (unless `bundled` is False) with the user's file over it."""
    result = FallbackList(parse_list(bundled_text(), BUNDLED) if bundled else {})
    if user_file:
        path = Path(user_file)
        try:
            text = path.read_text("utf-8")
        except OSError as e:
            raise FallbackListError(
                f"FALLBACK_LIST={str(user_file)!r}: cannot read the file ({e.strerror}); "
                "give the path of a TOML fallback list or leave the setting empty"
            ) from e
        result = result.merged(FallbackList(parse_list(text, str(path))))
    return result


def rewrite_moved(url: str, moved_to: str, key: str) -> str:
    """Rewrite `url` for a domain that moved: bare domain, origin or template (see module doc)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path or "/"
    if "://" not in moved_to:
        # A bare domain replaces the part of the host the key names, keeping subdomains.
        new_host = host[: len(host) - len(key)] + moved_to if host.endswith(key) else moved_to
        netloc = new_host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, path, parts.query, ""))
    if "{" not in moved_to:
        origin = urlsplit(moved_to)
        return urlunsplit((origin.scheme, origin.netloc, path, parts.query, ""))
    values = {
        "scheme": parts.scheme,
        "host": host,
        "path": path.lstrip("/"),
        "query": f"?{parts.query}" if parts.query else "",
        "url": url,
        "slug": path.rstrip("/").rsplit("/", 1)[-1],
    }
    return _FIELD_RE.sub(lambda m: values[m.group(1)], moved_to)
