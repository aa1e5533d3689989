"""Dead-link signals, table-tested: failures, statuses, parked pages, soft 404s."""

from __future__ import annotations

import json

import pytest
from scrapy.core.downloader.handlers.http11 import TunnelError
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from twisted.internet.error import ConnectionLost, DNSLookupError

from crawler.deadlinks import (
    PageSample,
    Verdict,
    classify_exception,
    classify_page,
    classify_status,
    error_page,
    is_home_path,
    parked_template,
    same_as_generic,
    sample_page,
    similarity,
    soft404_redirect,
)
from simweb import catalog
from simweb.sites import parked
from simweb.sites.smallpress import PressSite

# ------------------------------------------------------------------ failures and statuses


@pytest.mark.parametrize(
    ("exc", "signal", "hard"),
    [
        (CannotResolveHostError("x"), "dns", True),
        (DNSLookupError("x"), "dns", True),
        (DownloadConnectionRefusedError("x"), "refused", True),
        (DownloadTimeoutError("x"), "timeout", True),
        (TunnelError("Could not open CONNECT tunnel with proxy"), "tunnel", True),
        (DownloadFailedError("x"), "reset", True),
        (ConnectionLost(), "reset", True),
        (IgnoreRequest("robots.txt"), "ignored", False),
        (ValueError("odd"), "error", False),
    ],
)
def test_classify_exception(exc: Exception, signal: str, hard: bool) -> None:
    verdict = classify_exception(exc)
    assert verdict.dead and verdict.signal == signal and verdict.hard is hard
    assert verdict.reason


@pytest.mark.parametrize(
    ("status", "squid", "robots", "dead", "signal", "hard"),
    [
        (200, None, False, False, "ok", False),
        (301, None, False, False, "ok", False),
        (404, None, False, True, "http_404", False),
        (410, None, False, True, "http_410", False),
        (451, None, False, True, "http_451", False),
        (403, None, False, True, "http_4xx", False),
        (500, None, False, True, "http_5xx", False),
        (503, None, False, True, "http_5xx", False),
        (502, None, False, True, "http_5xx", True),
        (504, None, False, True, "http_5xx", True),
        (522, None, False, True, "http_5xx", True),
        (502, None, True, True, "http_5xx", False),  # a broken robots.txt is not a dead site
        (503, "ERR_DNS_FAIL 0", False, True, "proxy_dns_fail", True),
        (503, "ERR_CONNECT_FAIL 111", True, True, "proxy_connect_fail", True),
    ],
)
def test_classify_status(
    status: int, squid: str | None, robots: bool, dead: bool, signal: str, hard: bool
) -> None:
    verdict = classify_status(status, squid, robots=robots)
    assert (verdict.dead, verdict.signal, verdict.hard) == (dead, signal, hard)


# ------------------------------------------------------------------ parked pages


@pytest.mark.parametrize("template", sorted(parked.TEMPLATES))
def test_every_parking_template_is_recognised(template: str) -> None:
    html = parked.TEMPLATES[template]("orvane-times.com")
    page = sample_page(html)
    assert parked_template(page) is not None, template
    verdict = classify_page("http://www.orvane-times.com/2021/03/09/story.html", "x", page)
    assert verdict.dead and verdict.signal == "parked"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<title>example.org is for sale</title><p>Buy now</p>", "for-sale"),
        (
            "<title>x</title><p>The domain example.org may be for sale. Make an offer.</p>",
            "for-sale",
        ),
        ("<title>x</title><p>This domain name has expired. Renew it now.</p>", "expired"),
        ("<title>x</title><script src='//www.parkingcrew.net/x.js'></script>", "parkingcrew"),
        ("<title>x</title><iframe src='https://afternic.com/forsale/x'></iframe>", "afternic"),
        ("<title>x</title><p>This web page is parked free.</p>", "parked"),
        ("<title>Tamsford news</title><p>The council met today.</p>", None),
    ],
)
def test_parked_table(html: str, expected: str | None) -> None:
    assert parked_template(sample_page(html)) == expected


def test_a_long_article_about_domain_sales_is_not_parked() -> None:
    body = " ".join(["The registry said the domain is for sale at auction next week."] * 80)
    html = f"<title>Registry auctions old domains</title><p>{body}</p>"
    assert parked_template(sample_page(html)) is None


def test_no_demo_article_is_parked_or_an_error_page() -> None:
    for url, page in catalog._PAGES.items():
        sample = sample_page(page.html)
        assert parked_template(sample) is None, url
        assert not error_page(sample), url
        assert classify_page(url, url, sample) == Verdict.ok(), url


# ------------------------------------------------------------------ soft 404s


@pytest.mark.parametrize(
    ("cited", "final", "soft"),
    [
        ("http://a.example/news/2021/x.html", "http://a.example/", True),
        ("http://a.example/news/2021/x.html", "https://www.a.example/", True),
        ("http://a.example/news/2021/x.html", "http://a.example/index.html", True),
        ("http://a.example/news/2021/x.html", "http://a.example/home", True),
        ("http://a.example/news/2021/x.html", "http://a.example/404.html", True),
        ("http://a.example/news/2021/x.html", "http://a.example/errors/not-found/", True),
        ("http://a.example/news/2021/x.html", "http://a.example/search?error=404", True),
        ("http://a.example/news/2021/x.html", "http://parking.example/", True),
        ("http://a.example/news/2021/x.html", "https://a.example/news/2021/x.html", False),
        ("http://a.example/news/2021/x.html", "https://b.example/news/2021/x.html", False),
        ("http://a.example/news/2021/x.html", "http://a.example/news/2021/x.html/", False),
        ("http://a.example/", "http://a.example/index.html", False),
        ("http://a.example/old-slug", "http://a.example/news/2021/new-slug", False),
    ],
)
def test_soft404_redirect_table(cited: str, final: str, soft: bool) -> None:
    assert soft404_redirect(cited, final) is soft


@pytest.mark.parametrize(
    ("path", "home"),
    [("", True), ("/", True), ("/index.php", True), ("/home/", True), ("/news/", False)],
)
def test_home_paths(path: str, home: bool) -> None:
    assert is_home_path(path) is home


@pytest.mark.parametrize(
    ("title", "h1", "error"),
    [
        ("Page not found | The Ledger", "", True),
        ("404", "", True),
        ("Error 404 - Tamsford", "", True),
        ("Tamsford Herald", "Sorry, this page can't be found", False),
        ("Tamsford Herald", "Nothing here", True),
        ("The article you requested is no longer available", "", True),
        ("Oops! Something went missing", "", True),
        ("Search for missing boat crew not found after storm", "", False),
        ("River levels hold steady", "River levels hold steady", False),
    ],
)
def test_error_page_table(title: str, h1: str, error: bool) -> None:
    page = PageSample(title, h1, tuple("a few words".split()))
    assert error_page(page) is error


def test_the_sites_own_404_pages_read_as_error_pages() -> None:
    from simweb.sites import meridian, tidewatch

    for body in (meridian.not_found("/x"), tidewatch.not_found("/x")):
        assert error_page(sample_page(body.decode()))


PRESS = PressSite("t", "Tamsford Test", "www.tamsford-test.com", "A paper for tests")


def test_generic_page_matches_itself_not_an_article() -> None:
    home = sample_page(PRESS.home_page(["One headline", "Another headline"]))
    echo = sample_page(PRESS.home_page(["One headline", "Another headline"]) + "<p>/x/y</p>")
    story = next(e.story for e in catalog.FALLBACK_WEB.entries if e.press is not None)
    article = sample_page(PRESS.render(story).html)
    assert similarity(home, home) == 1.0 and same_as_generic(echo, home)
    assert similarity(article, home) < 0.5 and not same_as_generic(article, home)
    cited = "http://www.tamsford-test.com/2021/03/12/a-story.html"
    verdict = classify_page(cited, cited, echo, generic=home)
    assert verdict.dead and verdict.signal == "soft404_content"
    assert classify_page(cited, cited, article, generic=home) == Verdict.ok()
    # a home page cited as such is never a soft 404
    assert not classify_page("http://www.tamsford-test.com/", cited, echo, generic=home).dead


def test_sample_page_survives_bad_html() -> None:
    assert sample_page("") == PageSample("", "", ())
    assert sample_page("\x00\x01 not html").words
    page = sample_page("<html><head><title> A  title </title><script>var x = 1;</script></head>"
                       "<body><h1>Head</h1><p>Body text</p></body></html>")  # fmt: skip
    assert page.title == "A title" and page.h1 == "Head" and "x" not in page.words


def test_sample_page_counts_visible_words_only() -> None:
    html = (
        "<html><head><title>T</title><style>p { color: red }</style></head><body>"
        "<!-- a note for editors --><p>One <b>two</b></p>"
        "<script>var hidden = 1;</script>three"
        "<noscript>enable scripts</noscript><svg><text>logo</text></svg>four"
        "<template><p>later</p></template></body></html>"
    )
    assert sample_page(html).words == ("T", "One", "two", "three", "four")


def test_a_page_is_sampled_alike_from_the_extractor_s_tree() -> None:
    """Workers judge the lxml.html tree the extraction then uses; the reactor parses its own."""
    import lxml.etree

    from crawler.extraction import parse_html
    from crawler.pagechecks import sample_tree

    pages = [page.html for page in catalog._PAGES.values()]
    pages += [template("orvane-times.com") for template in parked.TEMPLATES.values()]
    pages.append(PRESS.home_page(["One headline", "Another headline"]))
    for html in pages:
        tree = parse_html(html)
        assert tree is not None
        before = lxml.etree.tostring(tree)
        assert sample_tree(tree) == sample_page(html)
        assert lxml.etree.tostring(tree) == before  # the extraction gets the tree unchanged


# ------------------------------------------------------------------ judged in a worker


def test_judge_page_gives_the_same_verdict_as_plain_data() -> None:
    """What the extraction pool's workers run: classify_page, with everything as plain data."""
    from crawler.deadlinks import judge_page, sample_from_dict, sample_to_dict

    cited = "http://www.orvane-times.com/2021/03/09/story.html"
    html = parked.TEMPLATES[sorted(parked.TEMPLATES)[0]]("orvane-times.com")
    out = judge_page(html, cited, cited_url=cited, want_sample=True)
    assert Verdict(**out["verdict"]) == classify_page(cited, cited, sample_page(html))
    assert out["verdict"]["dead"] and "sample" not in out  # no sample for a dead page
    url, page = next(iter(catalog._PAGES.items()))
    out = judge_page(page.html, url, cited_url=url, want_sample=True)
    assert sample_from_dict(out["sample"]) == sample_page(page.html)
    assert json.loads(json.dumps(out)) == out
    # the generic page known in advance: the soft-404 comparison happens in the same call
    generic = sample_to_dict(sample_page(page.html))
    other = "http://" + url.split("/")[2] + "/some/other/story.html"
    out = judge_page(page.html, other, cited_url=other, generic=generic)
    assert out["verdict"]["signal"] == "soft404_content"


def _raising_extractor(html: str, url: str, **options: object) -> dict[str, object]:
    raise RuntimeError("extractor broke")


def _empty_extractor(html: str, url: str, **options: object) -> None:
    return None


def test_judge_and_extract_checks_then_extracts_in_one_call() -> None:
    """crawler/pagework.py: an origin page's checks and its extraction in one worker call."""
    from crawler.extraction import ExtractedText, extract_document
    from crawler.pagework import judge_and_extract

    url, page = next(iter(catalog._PAGES.items()))
    options = {"content_type": "text/html", "event": {"headline": "", "date": None}}
    out = judge_and_extract(page.html, url, judge={"cited_url": url}, extract=options)
    assert Verdict(**out["verdict"]) == classify_page(url, url, sample_page(page.html))
    assert not out["verdict"]["dead"] and out["extract"]["status"] == "ok"
    alone = extract_document(page.html, url, **options)  # type: ignore[arg-type]
    assert alone is not None and out["extract"]["data"] == alone.to_dict()
    # plain data across the process boundary (JSON text): the same text comes back
    crossed = json.loads(json.dumps(out))
    assert crossed["verdict"] == out["verdict"]
    assert ExtractedText.from_dict(crossed["extract"]["data"]) == alone
    # a page the checks reject is not extracted
    cited = "http://www.orvane-times.com/2021/03/09/story.html"
    parked_html = parked.TEMPLATES[sorted(parked.TEMPLATES)[0]]("orvane-times.com")
    out = judge_and_extract(parked_html, cited, judge={"cited_url": cited}, extract=options)
    assert out["verdict"]["dead"] and "extract" not in out
    # an extractor that fails or finds nothing: the verdict still comes back
    out = judge_and_extract(
        page.html, url, judge={"cited_url": url}, extract={}, extractor=_raising_extractor
    )
    assert not out["verdict"]["dead"]
    assert out["extract"] == {"status": "error", "reason": "RuntimeError: extractor broke"}
    out = judge_and_extract(
        page.html, url, judge={"cited_url": url}, extract={}, extractor=_empty_extractor
    )
    assert out["extract"]["status"] == "empty"


def test_judge_and_extract_parses_a_page_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler import extraction, pagechecks, pagework

    parses: list[str] = []
    real_load = extraction.load_html
    monkeypatch.setattr(
        extraction, "load_html", lambda html: parses.append("tree") or real_load(html)
    )
    real_sample = pagechecks.sample_page
    monkeypatch.setattr(
        pagechecks, "sample_page", lambda html: parses.append("sample") or real_sample(html)
    )
    url, page = next(iter(catalog._PAGES.items()))
    options = {"content_type": "text/html", "event": {"headline": "", "date": None}}
    out = pagework.judge_and_extract(page.html, url, judge={"cited_url": url}, extract=options)
    assert parses == ["tree"]
    assert Verdict(**out["verdict"]) == classify_page(url, url, real_sample(page.html))
    alone = extraction.extract_document(page.html, url, **options)  # type: ignore[arg-type]
    assert alone is not None and out["extract"]["data"] == alone.to_dict()
