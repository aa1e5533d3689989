"""The fallback list: TOML loading, validation messages, lookups and moved-domain rewrites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.fallbacks import (
    BUNDLED,
    FallbackEntry,
    FallbackList,
    FallbackListError,
    bundled_text,
    load_fallbacks,
    parse_list,
    rewrite_moved,
)
from simweb.fallbackweb import FALLBACK_LIST

GOOD = """
# a comment
["old-news.org"]
moved_to = "old-news.press"

["tamsford-times.com"]
moved_to = "https://archive.tamsford.example/{host}/{path}{query}"
archives = ["commoncrawl", "wayback"]

["gone.example.com"]
dead = true
note = "closed in 2020"
"""


def test_a_good_list_parses() -> None:
    entries = parse_list(GOOD, "mine.toml")
    assert set(entries) == {"old-news.org", "tamsford-times.com", "gone.example.com"}
    assert entries["old-news.org"] == FallbackEntry(
        "old-news.org", "old-news.press", source="mine.toml"
    )
    assert entries["tamsford-times.com"].archives == ("commoncrawl", "wayback")
    assert entries["gone.example.com"].dead and entries["gone.example.com"].moved_to is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('["x.com"\nmoved_to = "y.com"', r"mine\.toml: not valid TOML .*README"),
        (
            '["https://x.com/a"]\ndead = true',
            r'entry \["https://x.com/a"\]: .*not a URL; write \["x.com"\]',
        ),
        ("[x.com]\ndead = true", r'not quoted; write \["x\.com…"\]'),
        ('["co.uk"]\ndead = true', r"public suffix"),
        ('["x.com"]\nmoved = "y.com"', r"unknown key 'moved'; an entry may have moved_to, dead"),
        ('["x.com"]\nnote = "hi"', r"says nothing; give moved_to, dead = true or archives"),
        ('["x.com"]\ndead = "yes"', r"dead must be true or false"),
        ('["x.com"]\nmoved_to = 3', r"moved_to must be a non-empty string"),
        ('["x.com"]\nmoved_to = "not a host!"', r"neither a domain name nor an http\(s\) URL"),
        ('["x.com"]\nmoved_to = "ftp://y.com/"', r"must start with http:// or https://"),
        ('["x.com"]\nmoved_to = "https://y.com/{slug}/{id}"', r"unknown placeholder\(s\) \{id\}"),
        ('["x.com"]\nmoved_to = "https://y.com/news"', r"has a path but no placeholder"),
        ('["x.com"]\narchives = "wayback"', r"archives must be a list of service names"),
        (
            '["x.com"]\narchives = ["archive_today"]',
            r"'archive_today' is not supported .*rewritten",
        ),
        ('["x.com"]\narchives = ["waybak"]', r"unknown archive service 'waybak'"),
        ('["x.com"]\narchives = ["wayback", "wayback"]', r"lists a service twice"),
        ('["x.com"]\ndead = true\n["X.com."]\ndead = true', r'entry \["X.com."\] appears twice'),
        ('"x.com" = 1', r"is not a table"),
    ],
)
def test_mistakes_name_the_file_the_entry_and_the_fix(text: str, message: str) -> None:
    with pytest.raises(FallbackListError, match=message) as info:
        parse_list(text, "mine.toml")
    assert str(info.value).startswith("mine.toml: ")


def test_a_missing_user_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(FallbackListError, match=r"FALLBACK_LIST=.*cannot read the file"):
        load_fallbacks(tmp_path / "nope.toml")


def test_the_bundled_list_is_valid_and_every_entry_says_where_it_comes_from() -> None:
    bundled = load_fallbacks(None)
    assert len(bundled) >= 4
    assert any(e.moved_to for e in bundled.entries.values())
    assert any(e.dead for e in bundled.entries.values())
    text = bundled_text()
    for key in bundled.entries:
        before = text[: text.index(f'["{key}"]')].rstrip().splitlines()
        assert before[-1].startswith("#"), f"{key}: say where this entry comes from"
    assert all(e.source == BUNDLED for e in bundled.entries.values())


def test_a_user_list_replaces_bundled_entries_domain_by_domain(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text('["guardian.co.uk"]\ndead = true\n\n["orvane-times.com"]\ndead = true\n')
    merged = load_fallbacks(user)
    guardian = merged.lookup("https://www.guardian.co.uk/x")
    assert guardian is not None and guardian.dead and guardian.moved_to is None
    assert guardian.source == str(user)
    assert merged.lookup("http://orvane-times.com/") is not None
    assert merged.lookup("http://appledaily.com/") is not None  # still bundled
    only_user = load_fallbacks(user, bundled=False)
    assert len(only_user) == 2


def test_lookup_takes_the_most_specific_key() -> None:
    lst = FallbackList(parse_list(GOOD + '\n["example.com"]\ndead = false\narchives = []\n', "m"))
    assert lst.lookup("https://www.old-news.org/a") is not None
    assert lst.lookup("http://deep.sub.old-news.org/a")
    gone = lst.lookup("http://gone.example.com/a")
    assert gone is not None and gone.key == "gone.example.com"
    other = lst.lookup("http://other.example.com/a")
    assert other is not None and other.key == "example.com"
    assert lst.lookup("http://example.org/") is None
    assert lst.lookup("old-news.org") is not None  # a bare host works too


@pytest.mark.parametrize(
    ("url", "moved_to", "key", "expected"),
    [
        (
            "http://www.old-news.org/2021/03/x.html?p=2",
            "old-news.press",
            "old-news.org",
            "http://www.old-news.press/2021/03/x.html?p=2",
        ),
        ("https://old-news.org/a", "old-news.press", "old-news.org", "https://old-news.press/a"),
        (
            "http://www.guardian.co.uk/world/2012/jan/01/x",
            "https://www.theguardian.com",
            "guardian.co.uk",
            "https://www.theguardian.com/world/2012/jan/01/x",
        ),
        (
            "http://www.tamsford-times.com/news/x.html?id=4",
            "https://archive.tamsford.example/{host}/{path}{query}",
            "tamsford-times.com",
            "https://archive.tamsford.example/www.tamsford-times.com/news/x.html?id=4",
        ),
        (
            "http://www.kessing-times.com/news/2021/a.html",
            "https://kessing-times.news/{path}",
            "kessing-times.com",
            "https://kessing-times.news/news/2021/a.html",
        ),
        (
            "http://x.com/story/slug-here/",
            "https://y.com/s/{slug}",
            "x.com",
            "https://y.com/s/slug-here",
        ),
    ],
)
def test_moved_rewrites(url: str, moved_to: str, key: str, expected: str) -> None:
    assert rewrite_moved(url, moved_to, key) == expected


def test_the_simulated_webs_own_list_is_valid() -> None:
    lst = load_fallbacks(FALLBACK_LIST, bundled=False)
    observer = lst.lookup("http://www.orvane-observer.org/x")
    assert observer is not None and observer.rewrite("http://www.orvane-observer.org/x") == (
        "http://www.orvane-observer.press/x"
    )
    assert re.search(r"fallbacks\.toml$", observer.source)
