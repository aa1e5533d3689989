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
