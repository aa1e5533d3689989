"""Registered domains come from tldextract's bundled suffix list, with no network fetch."""

from __future__ import annotations

import socket

import pytest

from crawler import domains


def test_registered_domain_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tldextract tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    domains._extractor.cache_clear()
    assert domains.registered_domain("https://www.news.example.co.uk/a/b") == "example.co.uk"
    assert (
        domains.registered_domain("http://blog.meridian-ledger.com:8080/x") == "meridian-ledger.com"
    )
    assert domains.registered_domain("http://127.0.0.1:8080/x") == "127.0.0.1"
    assert domains.registered_domain("http://localhost/x") == "localhost"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.news.example.co.uk/a/b?c=d#e",
        "http://user:pw@Blog.Meridian-Ledger.COM:8080/x",
        "www.example.org/path/to",
        "example.org",
        "http://[::1]:8000/x",
        "http://10.0.0.1/x",
        "//cdn.example.net/lib.js",
        "http://a.example.com?q=1",
        "http://a.example.com#frag",
        "https://sub.domain.github.io/page",
        "http://intranet/x",
        "http://example.com./x",
    ],
)
def test_the_cached_lookup_answers_as_tldextract_on_the_whole_url(url: str) -> None:
    """The cache is keyed by the part before the path: the same answer as for the URL."""
    parts = domains._extractor()(url)
    if parts.top_domain_under_public_suffix:
        assert domains.registered_domain(url) == parts.top_domain_under_public_suffix
    else:
        assert domains.registered_domain(url) == domains._registered(url)
