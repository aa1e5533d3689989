"""An empty extraction is not a dead link: only "no article text" (trafilatura's plain result
empty too) sends a source to the fallbacks; a time-out, an extractor's error or a broken pool
keeps the copy, logged and counted. Unit tests of the decision, the archive pipeline with a
real extraction pool, and whole crawls of an old table-layout page that an archive also has."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import trafilatura
from scrapy.utils.test import get_crawler

import crawler.settings as project_settings
from archive.cli import main as archive_main
from archive.reader import Archive
from crawler.crawltexts import CrawlTexts, PageRecord
from crawler.deadlinks import Verdict, classify_extraction, classify_page, sample_page
from crawler.eventpage import Event, SourceLink
from crawler.extraction import ExtractedText, extract_document
from crawler.extractpool import ExtractionOutcome
from crawler.items import EventItem, SourceItem
from crawler.pagework import judge_and_extract
from crawler.pipelines import ArchivePipeline
from simweb import catalog
from simweb.runner import SimWeb
from tests.conftest import CrawlRun, run_crawl

ECHO = next(u for u in catalog.ARTICLES if "orvane-echo.com" in u)
ARCHIVES = ("web.archive.org", "archive.org", "index.commoncrawl.org", "data.commoncrawl.org")


# ------------------------------------------------------------------ the decision


RECYCLED = "extraction pool was recycled (a worker died) (also on the retry)"
SLOW = "timed out after 2.0 s"


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        ("ok", None, Verdict.ok()),
        ("empty", "no article text found", Verdict(True, "no_article", "no article text at U")),
        ("timeout", SLOW, Verdict(False, "extraction_timeout", SLOW)),
        ("error", "RuntimeError: boom", Verdict(False, "extraction_error", "RuntimeError: boom")),
        ("error", RECYCLED, Verdict(False, "extraction_error", RECYCLED)),
        ("error", None, Verdict(False, "extraction_error", "extraction error")),
        ("cancelled", None, Verdict(False, "extraction_cancelled", "extraction cancelled")),
    ],
)  # fmt: skip
def test_only_no_article_text_is_a_dead_link_signal(
    status: str, reason: str | None, expected: Verdict
) -> None:
    verdict = classify_extraction(status, "U", reason)
    assert verdict == expected
    assert not verdict.hard  # never held against the domain's health


# ------------------------------------------------------------------ the page


def _echo_html() -> str:
    entry = next(e for e in catalog.FALLBACK_WEB.entries if e.story.url == ECHO)
    return catalog.FALLBACK_WEB.page(entry).html


def test_the_table_layout_page_is_one_the_old_settings_missed() -> None:
    html = _echo_html()
    spec = catalog.ARTICLES[ECHO]
    # trafilatura as the pipeline used to call it (precision first, no tables, no fallback)
    old = trafilatura.extract(
        html, url=ECHO, favor_precision=True, fast=True, include_tables=False,
        include_comments=False,
    )  # fmt: skip
    assert not old
    found = extract_document(html, ECHO, content_type="text/html; charset=utf-8")
    assert found is not None
    for paragraph in spec.paragraphs:
        assert paragraph in found.text


def test_the_page_checks_pass_a_short_healthy_page() -> None:
    """Fewer visible words than SHORT_PAGE_WORDS: the checks' own count is no verdict."""
    from crawler.deadlinks import SHORT_PAGE_WORDS

    html = _echo_html()
    page = sample_page(html)
    assert len(page.words) < SHORT_PAGE_WORDS
    assert classify_page(ECHO, ECHO, page) == Verdict.ok()
    out = judge_and_extract(
        html, ECHO, judge={"cited_url": ECHO}, extract={"content_type": "text/html"}
    )
    assert not out["verdict"]["dead"] and out["extract"]["status"] == "ok"
    # nor is the site's home page, compared as its generic page, mistaken for this one
    press = catalog.FALLBACK_WEB.press["echo"]
    home = sample_page(press.home_page(["Weir keepers open the sluices at Ostby Mill"]))
    assert classify_page(ECHO, ECHO, page, generic=home) == Verdict.ok()


# ------------------------------------------------------------------ the pipeline, real pool


def _scripted(document: str, url: str, **options: Any) -> dict[str, Any] | None:
    """A worker function for these tests: the page says what the extraction does."""
    if "HANG" in document:
        time.sleep(30)
    if "RAISE" in document:
        raise RuntimeError("the extractor broke")
    if "CRASH" in document:
        os._exit(3)
    if "EMPTY" in document:
        return None
    floor = re.search(r"FLOOR=(\w+)", document)
    return ExtractedText(
        text=f"The article at {url}.",
        title="A title",
        author=None,
        date=None,
        language="en",
        sitename=None,
        extractor="tests",
        floor=floor[1] if floor else None,
    ).to_dict()


ORIGIN = "http://www.orvane-echo.com/localnews/2021/03/11/a-story.shtml"
WAYBACK = f"https://web.archive.org/web/20210311190000id_/{ORIGIN}"


class _Recover:
    """A stand-in for the fallback chain: records each call, offers an archive's copy."""

    def __init__(self, copy_html: str | None) -> None:
        self.calls: list[str] = []
        self.copy_html = copy_html

    async def __call__(self, reason: str) -> SourceItem | None:
        self.calls.append(reason)
        if self.copy_html is None:
            return None
        return _source(WAYBACK, self.copy_html, outcome="wayback", recover=None)


def _source(url: str, html: str, outcome: str = "origin", **fields: Any) -> SourceItem:
    return SourceItem(
        cited_url=ORIGIN,
        kind="document",
        outcome=outcome,
        final_url=url,
        status=200,
        reason=None,
        html=html,
        content_type="text/html; charset=utf-8",
        citing_event={"event_id": "2021-03-11/story-0000aaaa", "headline": "", "date": None},
        **fields,
    )


def _run_pipeline(tmp_path: Path, item: SourceItem) -> tuple[ArchivePipeline, Any]:
    """One event citing ``item``'s URL through a whole ArchivePipeline; (pipeline, source)."""
    settings = {name: getattr(project_settings, name) for name in dir(project_settings)}
    settings = {k: v for k, v in settings.items() if k.isupper()}
    settings.update(
        ARCHIVE_DIR=str(tmp_path / "archive"),
        ARCHIVE_EXTRACT_WORKERS=1,
        ARCHIVE_EXTRACT_TIMEOUT=1.0,
        ARCHIVE_EXTRACT_NICE=0,
        ARCHIVE_INDEX_COMMIT_SECONDS=0,
    )
    crawler = get_crawler(settings_dict=settings)
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()  # no running loop: the pool starts with the first page
    assert pipeline.pool is not None and pipeline.store is not None
    pipeline.pool.func = _scripted
    event = Event(
        url="https://www.eventwire.org/news/2021/3/11/story.md",
        event_id="2021-03-11/story-0000aaaa",
        date=dt.date(2021, 3, 11),
        headline="A story",
        lede="",
        sources=(SourceLink(1, "Echo", ORIGIN, "document"),),
        related=(),
        day_index_url=None,
    )

    async def run() -> None:
        await pipeline.process_item(EventItem(event=event, depth=0))
        await pipeline.process_item(item)
        await pipeline.close_spider()

    try:
        asyncio.run(run())
    finally:
        pipeline.store.close()
    with Archive(tmp_path / "archive") as arc:
        source = arc.event(event.event_id).sources[0]
    return pipeline, source


@pytest.mark.parametrize(
    ("page", "status", "reason"),
    [
        ("HANG", "timeout", "timed out after 1.0 s"),
        ("RAISE", "error", "RuntimeError: the extractor broke"),
        ("CRASH", "error", "died"),  # a worker that dies: the pool is recycled twice
    ],
)
def test_an_extraction_problem_keeps_the_origin_copy(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, page: str, status: str, reason: str
) -> None:
    recover = _Recover(copy_html="<p>the archive's copy</p>")
    with caplog.at_level(logging.WARNING, logger="crawler.pipelines"):
        pipeline, source = _run_pipeline(tmp_path, _source(ORIGIN, page, recover=recover))
    assert recover.calls == []  # the fallback chain was never asked
    assert source.outcome == "origin" and source.archived_url == ORIGIN
    assert source.text is None and source.text_status == status
    assert reason in (source.text_reason or "")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        w.startswith(f"Extraction problem at {ORIGIN} ({status}: ") and reason in w
        for w in warnings
    ), warnings
    stats = pipeline.stats.get_stats()  # type: ignore[union-attr]
    assert stats[f"archive/text/{status}"] == 1
    assert stats["archive/sources/origin"] == 1
    assert not any(key.startswith(("fallback/", "archive/text/floor/")) for key in stats)


def test_no_article_text_asks_the_fallbacks(tmp_path: Path) -> None:
    recover = _Recover(copy_html="<p>the archive's copy</p>")
    pipeline, source = _run_pipeline(tmp_path, _source(ORIGIN, "EMPTY", recover=recover))
    assert recover.calls == [f"no article text at {ORIGIN}"]
    assert source.outcome == "wayback" and source.archived_url == WAYBACK
    assert source.text == f"The article at {WAYBACK}." and source.text_status == "ok"
    stats = pipeline.stats.get_stats()  # type: ignore[union-attr]
    assert stats["archive/text/empty"] == 1 and stats["archive/text/ok"] == 1


def test_no_article_text_and_no_better_copy_keeps_the_page(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    recover = _Recover(copy_html=None)
    with caplog.at_level(logging.WARNING, logger="crawler.pipelines"):
        _pipeline, source = _run_pipeline(tmp_path, _source(ORIGIN, "EMPTY", recover=recover))
    assert recover.calls == [f"no article text at {ORIGIN}"]
    assert source.outcome == "origin" and source.text is None and source.text_status == "empty"
    assert f"No article text at {ORIGIN}" in caplog.text


def test_the_floor_is_counted_and_the_text_facts_stay_readable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline, source = _run_pipeline(tmp_path, _source(ORIGIN, "FLOOR=fraction"))
    stats = pipeline.stats.get_stats()  # type: ignore[union-attr]
    assert stats["archive/text/floor/fraction"] == 1 and stats["archive/text/ok"] == 1
    assert source.text == f"The article at {ORIGIN}." and source.text_status == "ok"
    assert "floor" not in source.extra  # not stored: a crawl statistic only
    # the fact records rebuild the same index
    capsys.readouterr()
    assert archive_main(["--dir", str(tmp_path / "archive"), "reindex", "--check"]) == 0


def test_a_failed_re_extraction_at_the_close_keeps_the_first_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    texts = CrawlTexts(min_pages=3)
    pages = [
        PageRecord(f"http://a.example/{n}", f"http://a.example/{n}", f"<urn:{n}>", {}, "a.example",
                   f"k{n}", {}, frozenset())
        for n in (1, 2, 3)
    ]  # fmt: skip
    text = ExtractedText("Again.", None, None, None, None, None, "tests")
    outcomes = {
        pages[0].url: ExtractionOutcome("timeout", None, "timed out after 20.0 s"),
        pages[1].url: ExtractionOutcome("error", None, "RuntimeError: boom"),
        pages[2].url: ExtractionOutcome("ok", text, None),
    }
    recorded: list[str] = []

    async def extract_again(pool: Any, store: Any, page: PageRecord) -> ExtractionOutcome:
        return outcomes[page.url]

    class Store:
        def flush(self) -> None:
            pass

        def record_text(self, cited_url: str, *args: Any, **kwargs: Any) -> None:
            recorded.append(cited_url)

    monkeypatch.setattr(texts, "stale", lambda: pages)
    monkeypatch.setattr(texts, "extract_again", extract_again)
    pool: Any = SimpleNamespace(workers=1)  # finish() reads only its size here
    with caplog.at_level(logging.WARNING, logger="crawler.crawltexts"):
        changed = asyncio.run(texts.finish(pool, Store()))  # type: ignore[arg-type]
    assert changed == 1 and recorded == [pages[2].cited_url]
    assert texts.failed == {"timeout": 1, "error": 1}
    assert (
        f"Re-extraction of {pages[0].url} failed (timeout: timed out after 20.0 s)" in caplog.text
    )


# ------------------------------------------------------------------ whole crawls


def _crawl(web: SimWeb, archive_dir: Path, **settings: str) -> CrawlRun:
    web.reset()
    start = [e.url_md for e in catalog.EVENTS if ECHO in {u for _l, u in e.sources}]
    run = run_crawl(web, archive_dir, start, {"depth": "0"}, settings)
    run.requests = web.requests()  # type: ignore[attr-defined]
    assert run.returncode == 0, run.log[-4000:]
    assert run.violations() == []
    return run


def _archive_requests(run: CrawlRun) -> list[dict[str, Any]]:
    return [r for r in run.requests if r["host"] in ARCHIVES]  # type: ignore[attr-defined]


def _echo_source(run: CrawlRun) -> tuple[str, Any]:
    with Archive(run.archive_dir) as arc:
        event = next(e for e in arc.events() if any(s.url == ECHO for s in e.sources))
        return event.event_id, next(s for s in event.sources if s.url == ECHO)


def test_a_table_layout_page_is_archived_from_its_origin_with_its_text(
    simweb: SimWeb, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = catalog.ARTICLES[ECHO]
    assert spec.expected_outcome == "origin"
    assert catalog.FALLBACK_WEB.wayback().of(ECHO)  # the Wayback Machine has a copy too
    run = _crawl(simweb, tmp_path / "archive")
    event_id, source = _echo_source(run)
    assert source.outcome == "origin" and source.archived_url == ECHO
    assert source.text_status == "ok"
    for paragraph in spec.paragraphs:
        assert paragraph in (source.text or "")
    capsys.readouterr()
    assert archive_main(["--dir", str(run.archive_dir), "show", event_id, "--full"]) == 0
    shown = " ".join(capsys.readouterr().out.split())  # the text as the reader prints it
    assert "Orvane Valley Echo origin " in shown
    for paragraph in spec.paragraphs:
        assert paragraph in shown
    assert _archive_requests(run) == []  # the archives were never asked
    assert not any(str(key).startswith("fallback/signal/") for key in run.stats)
    assert run.stats["archive/text/ok"] == 1 and run.stats["archive/sources/origin"] == 1


def test_an_extraction_time_out_keeps_the_origin_copy(simweb: SimWeb, tmp_path: Path) -> None:
    # every worker call times out: the page checks run in the crawl's process instead, and
    # the page's extraction (the same call) is a time-out, never a reason to ask an archive
    run = _crawl(simweb, tmp_path / "archive", ARCHIVE_EXTRACT_TIMEOUT="0.001")
    _event_id, source = _echo_source(run)
    assert source.outcome == "origin" and source.archived_url == ECHO
    assert source.text is None and source.text_status == "timeout"
    assert f"Extraction problem at {ECHO} (timeout: timed out after" in run.log
    assert _archive_requests(run) == []
    assert not any(str(key).startswith("fallback/signal/") for key in run.stats)
    assert run.stats["archive/text/timeout"] == 1 and run.stats["archive/sources/origin"] == 1
