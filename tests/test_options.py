"""Spider arguments: start URLs, start files, depth and the date window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crawler.options import CrawlOptions, OptionError


def test_start_list_and_defaults() -> None:
    opts = CrawlOptions.from_args(start="https://a.org/x.md, https://b.org/y.md,https://a.org/x.md")
    assert opts.start_urls == ("https://a.org/x.md", "https://b.org/y.md")
    assert opts.depth == 1 and opts.since is None and opts.until is None


def test_start_file_skips_blanks_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "starts.txt"
    path.write_text("# day pages\nhttps://a.org/news/2017/10/4/index.md\n\n  http://b.org/e.md  \n")
    opts = CrawlOptions.from_args(start_file=str(path), depth="0")
    assert opts.start_urls == ("https://a.org/news/2017/10/4/index.md", "http://b.org/e.md")
    assert opts.depth == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "no start URLs"),
        ({"start": "ftp://a.org/x"}, "is not an http(s) URL"),
        ({"start": "https://a.org", "depth": "two"}, "-a depth='two'"),
        ({"start": "https://a.org", "depth": "-1"}, "0 or more"),
        ({"start": "https://a.org", "since": "04/10/2017"}, "YYYY-MM-DD"),
        ({"start": "https://a.org", "since": "2017-10-05", "until": "2017-10-01"}, "is after"),
        ({"start_file": "/nonexistent/starts.txt"}, "cannot read it"),
    ],
)
def test_bad_arguments_name_the_fix(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(OptionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        CrawlOptions.from_args(**kwargs)


def test_bad_line_in_start_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "starts.txt"
    path.write_text("https://a.org/x.md\nnot a url\n")
    with pytest.raises(OptionError, match="line 2"):
        CrawlOptions.from_args(start_file=str(path))


def test_window() -> None:
    opts = CrawlOptions.from_args(start="https://a.org", since="2017-10-02", until="2017-10-04")
    assert opts.in_window(dt.date(2017, 10, 2)) and opts.in_window(dt.date(2017, 10, 4))
    assert not opts.in_window(dt.date(2017, 10, 1)) and not opts.in_window(dt.date(2017, 10, 5))
    assert not opts.in_window(None)
    assert CrawlOptions.from_args(start="https://a.org").in_window(None)
