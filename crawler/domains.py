"""Registered-domain lookups with tldextract's bundled suffix list: never a network fetch."""

from __future__ import annotations

from functools import lru_cache

import tldextract


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(url_or_host: str) -> str:
    """The registered domain of a URL or host (`news.example.co.uk` -> `example.co.uk`).

    Falls back to the bare host name for IPs, `localhost` and names under no public suffix.
    Only the part before the path decides, and a crawl's URLs share few hosts: the answer
    is cached per host part.
    """
    host_part = url_or_host.split("://", 1)[-1].split("/", 1)[0]
    return _registered(host_part or url_or_host)


@lru_cache(maxsize=4096)
def _registered(url_or_host: str) -> str:
    parts = _extractor()(url_or_host)
    domain = parts.top_domain_under_public_suffix
    if domain:
        return domain
    host = url_or_host.split("://", 1)[-1].split("/", 1)[0].split("@")[-1]
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()
