"""Cross-page boilerplate statistics (crawler.boilerplate) and the crawl's closing pass logic."""

from __future__ import annotations

import itertools
from pathlib import Path

from trafilatura.utils import load_html

from crawler.boilerplate import (
    LONG_BLOCK_WORDS,
    SiteHint,
    SiteStats,
    boilerplate_blocks,
    fingerprint,
    is_boilerplate,
    page_blocks,
)
from crawler.crawltexts import CrawlTexts, date_gap_days, document_of, text_fields
from crawler.extraction import ExtractedText, extract_article
from crawler.extractpool import ExtractionOutcome

COOKIE = "We use cookies to measure how the site is used and to show adverts."
LONG = " ".join(["A long background paragraph repeated in follow-up stories"] * 4) + "."


def _page(title: str, paragraphs: list[str], chrome: tuple[str, ...] = (COOKIE,)) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    extra = "".join(f"<div class='box'>{c}</div>" for c in chrome)
    return (
        f"<html lang='en'><head><title>{title}</title></head><body>{extra}"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer><p>Copyright 2024 Example News. All rights reserved.</p></footer></body></html>"
    )


def _story(n: int) -> list[str]:
    return [
        f"Story {n} opens with a sentence about the harbour that nobody else wrote today, "
        f"number {n} in the series of unique first paragraphs.",
        f"Its second paragraph {n} adds detail on the council vote and the {n + 3} objections "
        "lodged by residents of the quay before the meeting on Thursday.",
        f"A third paragraph ({n}) quotes the mayor, who said the plan would go ahead anyway.",
    ]


def test_fingerprint_folds_case_and_space_not_digits() -> None:
    assert fingerprint("Accept  all\n") == fingerprint("accept ALL")
    # automated stories that differ only in their numbers are different blocks
    assert fingerprint("Rovers beat City 2-1 at home") != fingerprint(
        "Rovers beat City 3-1 at home"
    )


def test_page_blocks_are_leaf_block_elements() -> None:
    tree = load_html(
        "<html><body><div><p>One <a>link</a> here</p><ul><li>Two</li></ul></div>"
        "<div>Three <b>bold</b></div><script>var x = 1;</script></body></html>"
    )
    texts = {" ".join(e.text_content().split()) for e, _fp, _w in page_blocks(tree)}
    assert texts == {"One link here", "Two", "Three bold"}


def test_rule_short_blocks_need_min_pages_long_blocks_half_the_site() -> None:
    assert not is_boilerplate(2, 10, 5, 3)
    assert is_boilerplate(3, 10, 5, 3)
    assert not is_boilerplate(3, 10, LONG_BLOCK_WORDS, 3)  # a paragraph shared by 3 of 10
    assert is_boilerplate(5, 10, LONG_BLOCK_WORDS, 3)


def test_hint_lets_a_worker_decide_as_the_final_counts_do() -> None:
    pages = {f"key{k}": {"chrome": 3, f"own{k}": 40, "rotating": 4} for k in range(5)}
    pages["key4"].pop("rotating")
    stats = SiteStats(min_pages=3)
    for key, blocks in pages.items():
        stats.add(key, blocks)
    for key, blocks in pages.items():
        hint = SiteHint.from_dict(stats.hint(exclude=key).to_dict())
        assert boilerplate_blocks(blocks, hint) == stats.removed(blocks)
    assert stats.removed(pages["key0"]) == {"chrome", "rotating"}
    assert boilerplate_blocks({"x": 3}, None) == set()


def test_counts_do_not_depend_on_page_order_or_repeats_of_a_page() -> None:
    pages = [("a", {"x": 1, "y": 2}), ("b", {"x": 1}), ("a", {"z": 3}), ("c", {"x": 1, "z": 3})]
    results = set()
    for order in itertools.permutations(pages):
        stats = SiteStats(min_pages=2)
        for key, blocks in order:
            stats.add(key, blocks)
        results.add((len(stats.pages), tuple(sorted(stats.df.items()))))
    assert results == {(3, (("x", 3), ("y", 1), ("z", 2)))}


def test_site_chrome_goes_once_a_site_has_enough_pages() -> None:
    url = "https://news.example.com/2024/story-{}.html"
    htmls = [_page(f"Headline number {n} about the quay", _story(n)) for n in range(4)]
    alone = extract_article(htmls[0], url.format(0))
    assert alone is not None
    stats = SiteStats(min_pages=3)
    results = [extract_article(h, url.format(n)) for n, h in enumerate(htmls)]
    for result in results:
        assert result is not None and result.page_key
        stats.add(result.page_key, result.blocks)
    assert alone.page_key is not None
    final = extract_article(htmls[0], url.format(0), site=stats.hint(exclude=alone.page_key))
    assert final is not None
    assert COOKIE not in final.text
    for paragraph in _story(0):
        assert paragraph in final.text
    assert set(final.removed) == stats.removed(alone.blocks)


def test_a_paragraph_shared_by_two_follow_ups_is_kept() -> None:
    stats = SiteStats(min_pages=3)
    htmls = [
        _page(f"Headline {n} on the vote", _story(n) + ([LONG] if n < 3 else [])) for n in range(7)
    ]
    results = [extract_article(h, f"https://x.example/{n}") for n, h in enumerate(htmls)]
    for result in results:
        assert result is not None and result.page_key
        stats.add(result.page_key, result.blocks)
    first = results[0]
    assert first is not None and first.page_key
    again = extract_article(
        htmls[0], "https://x.example/0", site=stats.hint(exclude=first.page_key)
    )
    assert again is not None
    assert LONG in again.text  # a long block on 3 of 7 pages: not half the site
    assert COOKIE not in again.text


TAGLINE = "Reporting by the Example News harbour desk."


def _crawl_texts(htmls: list[str], url: str) -> CrawlTexts:
    texts = CrawlTexts(min_pages=3)
    for n, html in enumerate(htmls):
        options = texts.options(url.format(n), "text/html", {"headline": "x", "date": None})
        result = extract_article(html, url.format(n), site=options.get("site"))
        texts.remember(url.format(n), url.format(n), f"rid{n}", {}, result)
    return texts


def test_closing_pass_extracts_again_pages_whose_text_holds_new_boilerplate() -> None:
    url = "https://news.example.com/{}"
    htmls = [_page(f"Headline {n} on the quay", [*_story(n), TAGLINE]) for n in range(4)]
    first = extract_article(htmls[0], url.format(0))
    assert first is not None and TAGLINE in first.text  # alone, the tagline is kept
    texts = _crawl_texts(htmls, url)
    try:
        # the first two were judged before the tagline had been seen on three pages
        assert {p.url for p in texts.stale()} == {url.format(0), url.format(1)}
    finally:
        texts.close()


def test_closing_pass_leaves_pages_whose_text_the_new_counts_do_not_touch() -> None:
    url = "https://news.example.com/{}"
    htmls = [_page(f"Headline {n} on the quay", _story(n)) for n in range(4)]
    texts = _crawl_texts(htmls, url)
    try:
        pages = list(texts.counts.records())
        # the cookie banner became boilerplate after pages 0 and 1 were judged ...
        changed = [p.url for p in pages if texts.counts.removed(p.site, p.blocks) != p.removed]
        assert changed == [url.format(0), url.format(1)]
        # ... but neither text holds it, so neither text would change
        assert all(COOKIE not in extract_article(h, "u").text for h in htmls[:2])  # type: ignore[union-attr]
        assert texts.stale() == []
    finally:
        texts.close()


def test_a_block_that_stops_being_boilerplate_means_extracting_again() -> None:
    from crawler.crawltexts import PageRecord

    page = PageRecord("c", "u", "r", {}, "s", "k", {"a": 3, "b": 30}, frozenset({"b"}))
    assert page.needs_again({"a", "b"}) is False  # "a" is new boilerplate, not in the text
    assert page.needs_again(set()) is True  # "b" was removed and is not boilerplate now
    with_text = PageRecord(
        "c", "u", "r", {}, "s", "k", {"a": 3}, frozenset(), text_fps=frozenset({"a"})
    )
    assert with_text.needs_again({"a"}) is True


def test_site_counts_live_in_a_scratch_file_deleted_at_close(tmp_path: Path) -> None:
    url = "https://news.example.com/{}"
    htmls = [_page(f"Headline {n} on the quay", _story(n)) for n in range(4)]
    texts = CrawlTexts(min_pages=3, scratch=tmp_path / ".scratch")
    for n, html in enumerate(htmls):
        texts.remember(url.format(n), url.format(n), f"rid{n}", {}, extract_article(html, "u"))
    path = texts.counts.path
    assert path.parent == tmp_path / ".scratch" and path.exists()
    # memory holds only the blocks seen on two pages or more: the chrome, not the stories
    assert set(texts.counts.hot["example.com"]) == {
        fingerprint(COOKIE),
        fingerprint("Copyright 2024 Example News. All rights reserved."),
    }
    assert texts.counts.pages == {"example.com": 4}
    texts.close()
    assert not path.exists()


def test_date_flag_and_text_fields() -> None:
    assert date_gap_days("2024-03-20", "2024-03-18") == 2
    assert date_gap_days("2023-01-01", "2024-01-01") == -365
    assert date_gap_days(None, "2024-01-01") is None
    result = ExtractedText("text", "T", None, "2023-01-01", "en", None, "x")
    event = {"event_id": "2024-01-01/e-1", "headline": "h", "date": "2024-01-01"}
    fields = text_fields(ExtractionOutcome("ok", result, None), event, flag_days=14)
    assert fields["date_flag"] == "far" and fields["date_gap_days"] == -365
    assert fields["event_id"] == "2024-01-01/e-1" and fields["text"] == "text"
    near = ExtractedText("text", "T", None, "2024-01-03", "en", None, "x")
    fields = text_fields(ExtractionOutcome("ok", near, None), event, flag_days=14)
    assert fields["date_flag"] is None and fields["date_gap_days"] == 2
    empty = text_fields(ExtractionOutcome("timeout", None, "timed out"), event, flag_days=14)
    assert empty == {"status": "timeout", "reason": "timed out", "event_id": "2024-01-01/e-1"}


def test_document_of_picks_html_and_pdf() -> None:
    assert document_of(b"<p>caf\xe9</p>", "text/html; charset=iso-8859-1") == "<p>café</p>"
    assert document_of(b"%PDF-1.4 ...", "application/pdf") == b"%PDF-1.4 ..."
    assert document_of(b"%PDF-1.4 ...", None) == b"%PDF-1.4 ..."
    assert document_of(b"a,b\n", "text/csv") is None


def test_site_counts_agree_with_the_in_memory_statistics(tmp_path: Path) -> None:
    import random

    from crawler.crawltexts import PageRecord, SiteCounts

    rng = random.Random(7)
    memory = SiteStats(min_pages=3)
    disk = SiteCounts(3, tmp_path)
    keys = [f"title:{n % 29}" for n in range(40)]  # some pages share a key (counted once)
    for n, key in enumerate(keys):
        blocks = {f"fp{rng.randrange(15)}": rng.choice([3, 30]) for _ in range(8)}
        memory.add(key, blocks)
        disk.add(PageRecord(f"c{n}", f"u{n}", f"r{n}", {}, "site", key, blocks, frozenset()))
        for exclude in (None, key, "title:0"):
            assert disk.hint("site", exclude) == memory.hint(exclude)
        assert disk.removed("site", blocks) == memory.removed(blocks)
    disk.close()


def test_stale_pages_are_those_the_final_counts_change(tmp_path: Path) -> None:
    """SiteCounts.stale() answers needs_again(removed(...)) for every page, page by page."""
    import random

    from crawler.crawltexts import PageRecord, SiteCounts

    rng = random.Random(11)
    for min_pages in (2, 3, 5):
        counts = SiteCounts(min_pages, tmp_path)
        for n in range(300):
            site = f"site{n % 3}"
            blocks = {
                f"fp{rng.randrange(40)}": rng.choice([2, LONG_BLOCK_WORDS - 1, LONG_BLOCK_WORDS])
                for _ in range(12)
            }
            # what the page lost and kept as judged at its time (sometimes out of date)
            removed = counts.removed(site, blocks) if rng.random() < 0.7 else set(blocks)
            if rng.random() < 0.2:
                removed = set()
            kept = set(blocks) - removed
            text_fps = frozenset(rng.sample(sorted(kept), k=min(len(kept), rng.randrange(4))))
            page = PageRecord(
                f"c{n}", f"u{n}", f"r{n}", {"n": n}, site, f"key{n % 97}", blocks,
                frozenset(removed), text_fps,
            )  # fmt: skip
            counts.add(page)
        expected = [p for p in counts.records() if p.needs_again(counts.removed(p.site, p.blocks))]
        assert counts.stale() == expected
        assert 0 < len(expected) < 300
        counts.close()
