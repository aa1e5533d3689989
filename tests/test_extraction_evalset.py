"""Extraction on the labelled evaluation set (bench/evalset): template families, charsets, PDF."""

from __future__ import annotations

import asyncio
import statistics
from functools import cache
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from bench.evalset import EvalPage, load_pages
from bench.evalset import templates_intl as intl
from bench.evalset import templates_news as news
from bench.evalset import templates_web as web
from bench.evalset.common import Article
from bench.evalset.make_evalset import CONTENT, load_site
from bench.extraction import MIN_PAGES, run, score
from crawler.boilerplate import SiteStats
from crawler.decoding import decode_body
from crawler.domains import registered_domain
from crawler.extraction import ExtractedText, extract_document
from crawler.extractpool import ExtractionPool

PAGES = load_pages()
BY_ID = {p.id: p for p in PAGES}

#: Chrome of each template family that must never reach the text.
CHROME: dict[str, tuple[str, ...]] = {
    "harbourline": (news.HL_COOKIE, news.HL_NEWSLETTER, news.HL_FOOTER, *news.HL_MOST_READ),
    "valleypost": (
        *news.VP_TICKER,
        "free articles this month",
        *news.VP_MOST_READ,
        *(t for t, _s in news.VP_SPONSORED),
        "Cambrian Media Group",
    ),
    "northwire": (*news.NW_MARKETS, news.NW_TRUST, "Related coverage", "minute read"),
    "civicledger": (web.CL_DONATE, *web.CL_BIOS.values(), "Join the discussion", "Sort by"),
    "metrodaily": (web.MD_NEWSLETTER, web.MD_TIPS, *(t for t, _s in web.MD_POPULAR), "READ MORE"),
    "islandgazette": (web.IG_FERRY, "High tide", "Family notices"),
    "coastalobserver": (web.CO_MOVED, "Notify of", "Newest Most Voted", "Inline Feedbacks"),
    "techpolicy": (
        "free articles this month",
        web.TP_BRIEF,
        "is a staff writer",
        "See subscription options",
    ),
    "echo_vallees": (intl.EV_COOKIE, intl.EV_OFFER, *intl.EV_MOST_READ, "Lire aussi", "Réagissez"),
    "severny_kurier": (*intl.SK_WEATHER, intl.SK_SUBSCRIBE, *intl.SK_POPULAR, "Читайте также"),
    "alwaha": (intl.AW_NEWSLETTER, *intl.AW_MOST_READ, "اقرأ أيضا", "التعليقات"),
}


@cache
def _articles() -> dict[str, tuple[Article, list[Article]]]:
    """Each article as written, with the other articles of its site."""
    out = {}
    for path in sorted(Path(CONTENT).glob("*.toml")):
        articles = load_site(path)
        for art in articles:
            out[art.id] = (art, [o for o in articles if o is not art])
    return out


def _document(page: EvalPage) -> str | bytes:
    if page.content_type.startswith("application/pdf"):
        return page.body
    return decode_body(page.body, page.content_type)


@cache
def _site_stats() -> dict[str, SiteStats]:
    """Block statistics per site over the whole set, as a finished crawl has them."""
    sites: dict[str, SiteStats] = {}
    for page in PAGES:
        result = extract_document(
            _document(page), page.url, content_type=page.content_type, event=page.event
        )
        if result is not None and result.page_key and result.blocks:
            stats = sites.setdefault(registered_domain(page.url), SiteStats(MIN_PAGES))
            stats.add(result.page_key, result.blocks)
    return dict(sites)


def _extract_with_site(page: EvalPage) -> str:
    """Our text of a page with its site's statistics (as after the crawl's closing pass)."""
    first = extract_document(
        _document(page), page.url, content_type=page.content_type, event=page.event
    )
    assert first is not None, page.id
    stats = _site_stats().get(registered_domain(page.url))
    if stats is None or not first.page_key:
        return first.text
    result = extract_document(
        _document(page),
        page.url,
        content_type=page.content_type,
        event=page.event,
        site=stats.hint(exclude=first.page_key),
    )
    assert result is not None, page.id
    return result.text


def _family(page: EvalPage) -> str:
    return _articles()[page.id][0].site["key"]


@pytest.mark.parametrize("family", sorted(CHROME))
def test_template_family_comments_widgets_and_other_stories_are_absent(family: str) -> None:
    pages = [p for p in PAGES if _family(p) == family]
    assert len(pages) >= 4
    for page in pages:
        text = _extract_with_site(page)
        art, others = _articles()[page.id]
        for fragment in CHROME[family]:
            assert fragment not in text, (page.id, fragment)
        for _name, comment in art.comments:
            assert comment not in text, (page.id, comment)
        for other in others:  # read-more lists, teasers, the next story below
            assert other.title not in text, (page.id, other.title)
            for paragraph in other.body:
                if paragraph not in page.expected:
                    assert paragraph not in text, (page.id, paragraph)
        for brief in art.briefs:  # a round-up's other stories
            if not brief.get("relevant"):
                for paragraph in brief["body"]:
                    assert paragraph not in text, (page.id, paragraph)
        assert score(text, page.expected).f1 >= 0.9, page.id


def test_scores_on_the_whole_set() -> None:
    results = run(PAGES)
    ours = [s.f1 for s in results["ours"].values()]
    plain = [s.f1 for s in results["trafilatura"].values()]
    assert len(ours) >= 63
    assert statistics.mean(ours) >= 0.97
    assert statistics.mean(ours) > statistics.mean(plain)
    assert min(ours) >= 0.80


def test_set_covers_what_the_issue_lists() -> None:
    languages = {p.labels["language"] for p in PAGES}
    assert {"en", "fr", "ru", "ar"} <= languages
    declared = {(p.labels["language"], p.labels["charset_declared_in"]) for p in PAGES}
    for language in ("fr", "ru", "ar"):
        assert (language, "header") in declared and (language, "meta") in declared
    assert sum(p.content_type == "application/pdf" for p in PAGES) >= 3
    html = [p for p in PAGES if p.content_type != "application/pdf"]
    assert len(html) >= 60
    sites = {p.site for p in PAGES}
    assert len(sites) >= 10
    assert all(2 <= sum(p.site == s for p in PAGES) <= 6 for s in sites)


NON_UTF8 = [
    p
    for p in PAGES
    if not p.content_type.startswith("application/pdf")
    and _articles()[p.id][0].charset.lower() not in ("utf-8", "utf8")
]


@pytest.mark.parametrize("page", NON_UTF8, ids=[p.id for p in NON_UTF8])
def test_non_utf8_pages_decode_as_scrapy_decodes_them(page: EvalPage) -> None:
    # the charset is declared only in the HTTP header or only in <meta>: both must be honoured
    response = HtmlResponse(page.url, body=page.body, headers={"Content-Type": page.content_type})
    decoded = decode_body(page.body, page.content_type)
    assert decoded == response.text
    result = extract_document(decoded, page.url, event=page.event)
    assert result is not None
    for line in page.expected.split("\n"):
        assert line in result.text, (page.id, line)
    assert result.title == page.labels["title"]
    assert result.language == page.labels["language"]


PDFS = [p for p in PAGES if p.content_type == "application/pdf"]


@pytest.mark.parametrize("page", PDFS, ids=[p.id for p in PDFS])
def test_pdf_source_yields_text_without_running_heads(page: EvalPage) -> None:
    result = extract_document(page.body, page.url, content_type=page.content_type)
    assert result is not None
    assert result.text == page.expected
    assert "Page 1 of" not in result.text and page.labels["sitename"] not in result.text
    assert result.title == page.labels["title"]
    assert result.author == page.labels["author"]
    assert result.extractor.startswith("event-archiver") and "pypdf" in result.extractor


def test_pdf_through_the_pool_and_a_broken_pdf_is_empty() -> None:
    page = PDFS[0]

    async def run_pool() -> list[object]:
        with ExtractionPool(workers=1, timeout=20.0) as pool:
            good = await pool.extract(page.body, page.url, content_type=page.content_type)
            bad = await pool.extract(
                b"%PDF-1.4 not really", page.url, content_type="application/pdf"
            )
            return [good, bad]

    good, bad = asyncio.run(run_pool())
    assert good.status == "ok"  # type: ignore[attr-defined]
    assert isinstance(good.result, ExtractedText)  # type: ignore[attr-defined]
    assert good.result.text == page.expected  # type: ignore[attr-defined]
    assert bad.status == "empty"  # type: ignore[attr-defined]


def test_event_headline_picks_the_story_on_a_round_up() -> None:
    page = BY_ID["islandgazette-02"]
    html = decode_body(page.body, page.content_type)
    with_event = extract_document(html, page.url, event=page.event)
    without = extract_document(html, page.url)
    assert with_event is not None and without is not None
    assert "Harbourside market stays after vote" in with_event.text
    assert "Puffin count" not in with_event.text and "School roof" not in with_event.text
    # no event to go by: the page's stories all stay
    assert "Puffin count" in without.text and "Harbourside market" in without.text


def test_next_story_below_the_article_is_dropped() -> None:
    page = BY_ID["northwire-02"]
    html = decode_body(page.body, page.content_type)
    result = extract_document(html, page.url, event=page.event)
    assert result is not None
    assert result.text == page.expected
