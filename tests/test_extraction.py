"""Tests for article extraction (crawler.extraction) and the extraction process pool."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.extraction import EXTRACTOR, ExtractedText, extract_article
from crawler.extractpool import ExtractionOutcome, ExtractionPool

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extraction"


def _page(name: str) -> str:
    """Read a fixture page as decoded text, as Scrapy's ``response.text`` would give it."""
    return (FIXTURES / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """One fictional article page and what extraction must and must not return."""

    file: str
    url: str
    title: str
    author: str
    date: str
    language: str
    sitename: str
    paragraphs: int
    present: tuple[str, ...]
    absent: tuple[str, ...]


CASES = [
    Case(
        file="harbourview_flood_barrier.html",
        url="https://www.harbourview-gazette.example/news/2024/03/14/wrenmouth-barrier-closes",
        title="Tidal barrier on the Wrenmouth estuary closes for the first time",
        author="Marguerite Oyelaran",
        date="2024-03-14",
        language="en",
        sitename="Harbourview Gazette",
        paragraphs=8,  # standfirst, six paragraphs and the quotation
        present=(
            "was closed in anger for the first time on Wednesday night",
            "Residents of Chandlers Row",
            "Tonight the water stopped where we told it to stop",
            "keep the river level down while the gates were shut.",
        ),
        absent=(
            "tracking technologies",  # cookie banner
            "Accept all",
            "Penalty appeal",  # live-score widget
            "Stallbridge",
            "Disused lighthouse",  # related stories
            "Victorian pier",
            "my rates paid",  # comments
            "bail out my kitchen",
            "flask of tea",
            "Leave a reply",
            "Coast Briefing",  # newsletter box
            "delivered every Friday",
            "Share on social media",
            "All rights reserved",  # footer
        ),
    ),
    Case(
        file="courrier_littoral_fr.html",
        url="https://www.courrier-littoral.example/economie/2023/11/06/criee-port-velin",
        title="À Port-Vélin, la criée rouvre après trois mois de travaux",
        author="Élodie Kerhervé",
        date="2023-11-06",
        language="fr",
        sitename="Le Courrier du Littoral",
        paragraphs=5,
        present=(
            "la halle à marée de Port-Vélin, fermée depuis le mois d'août",
            "« On a tenu trois mois en vendant à Saint-Arnoult",
            "près de 40 % d'électricité en moins.",
            "comme le tacaud ou la vieille.",
        ),
        absent=(
            "Nous utilisons des cookies",
            "Recevez chaque mardi",
            "phare des Roches-Noires",
            "Régate d'automne",
            "Il était temps",
            "Yvonne29",
            "la fin des petits mareyeurs",
            "Mentions légales",
        ),
    ),
    Case(
        file="vestnik_ru.html",
        url="https://vestnik-severa.example/city/2022/09/21/most",
        title="В Северогорске открыли новый пешеходный мост через Ломку",
        author="Анна Белозерова",
        date="2022-09-21",
        language="ru",
        sitename="Северный вестник",
        paragraphs=5,
        present=(
            "торжественно открыли пешеходный мост через реку Ломку",
            "опоры моста рассчитаны на ледоход",
            "городской оркестр дал небольшой концерт",
        ),
        absent=(
            "файлы cookie",
            "Северогорские медведи",  # live-score widget
            "Троллейбусный маршрут",  # related
            "Драмтеатр",
            "Ждали этот мост",  # comments
            "скамейки",
            "Подпишитесь",  # newsletter
            "Все права защищены",
        ),
    ),
    Case(
        file="meridian_moved_domain.html",
        url="https://meridian-dispatch.example/2021/06/02/grain-convoy-tarvosk/",
        title="Grain convoy reaches Tarvosk after week-long delay at the border",
        author="Desmond Achterberg",
        date="2021-06-02",
        language="en",
        sitename="Meridian Dispatch",
        paragraphs=5,
        present=(
            "A convoy of sixty-two lorries carrying wheat and sunflower meal",
            "halted at the Kesh crossing",
            "push bread prices higher in Tarvosk",
        ),
        absent=(
            "has a new home",  # moved-domain boilerplate
            "suspended by its registrar",
            "7 Comments",  # comment-widget chrome
            "Subscribe to replies",
            "Sort by oldest",
            "threaded feedback",
            "should lose their job",  # comments
            "my cousin runs one",
            "Cape Orlik",  # another story's teaser inside the article body
            "Coastguard helicopters",
            "Orlen reservoir",  # sidebar headlines
            "monthly supporter",
        ),
    ),
]


# --------------------------------------------------------------------------- extraction


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_article_text_and_metadata(case: Case) -> None:
    result = extract_article(_page(case.file), case.url)
    assert result is not None
    for sentence in case.present:
        assert sentence in result.text
    for fragment in case.absent:
        assert fragment not in result.text, fragment
    assert result.title == case.title
    assert result.author == case.author
    assert result.date == case.date
    assert result.language == case.language
    assert result.sitename == case.sitename
    assert result.extractor == EXTRACTOR == "event-archiver 0.1.0 (trafilatura 2.3.1)"
    # one paragraph a line, no blank lines, and the headline is not repeated in the body
    lines = result.text.split("\n")
    assert len(lines) == case.paragraphs
    assert all(line.strip() for line in lines)
    assert case.title not in result.text


@pytest.mark.parametrize(
    "html",
    [
        _page("homepage_links.html"),
        "",
        "   \n ",
        "<html><head><title>Nothing here</title></head><body></body></html>",
    ],
    ids=["home-page-of-links", "empty", "blank", "empty-body"],
)
def test_no_article_gives_none(html: str) -> None:
    assert extract_article(html, "https://www.harbourview-gazette.example/") is None


def test_non_ascii_text_preserved() -> None:
    french = extract_article(_page("courrier_littoral_fr.html"), CASES[1].url)
    russian = extract_article(_page("vestnik_ru.html"), CASES[2].url)
    assert french is not None and russian is not None
    assert "Gaëtan Le Moël" in french.text
    assert "Ã" not in french.text  # no mojibake
    assert "Жители Заречного" in russian.text
    # survives a JSON round trip unchanged
    again = ExtractedText.from_dict(json.loads(json.dumps(russian.to_dict(), ensure_ascii=False)))
    assert again == russian


def test_bytes_are_refused() -> None:
    with pytest.raises(TypeError, match="decoded str"):
        extract_article(_page("vestnik_ru.html").encode(), CASES[2].url)  # type: ignore[arg-type]


def test_language_falls_back_to_html_lang_attribute() -> None:
    html = _page("harbourview_flood_barrier.html")
    assert '<html lang="en-GB">' in html
    result = extract_article(html.replace('lang="en-GB"', 'lang="pt_BR"'), CASES[0].url)
    assert result is not None and result.language == "pt"
    result = extract_article(html.replace(' lang="en-GB"', ""), CASES[0].url)
    assert result is not None and result.language is None
    result = extract_article(html.replace('lang="en-GB"', 'lang="not a language"'), CASES[0].url)
    assert result is not None and result.language is None


def test_extraction_is_deterministic() -> None:
    # deduplicate=False: no process-wide cache makes a repeated page come out differently
    html = _page("meridian_moved_domain.html")
    first = extract_article(html, CASES[3].url)
    assert first is not None
    for _ in range(3):
        assert extract_article(html, CASES[3].url) == first


def test_extracted_text_dict_round_trip() -> None:
    result = extract_article(_page("harbourview_flood_barrier.html"), CASES[0].url)
    assert result is not None
    data = result.to_dict()
    assert set(data) == {
        "text",
        "title",
        "author",
        "date",
        "language",
        "sitename",
        "extractor",
        "page_key",
        "blocks",
        "removed",
        "floor",
    }
    assert ExtractedText.from_dict(data) == result
    with pytest.raises(ValueError):
        ExtractedText.from_dict({"text": 3, "extractor": "x"})
    with pytest.raises(ValueError):
        ExtractedText.from_dict({**data, "date": 20240314})


# --------------------------------------------------------------------------- pool helpers
# Module-level so that they can be pickled by reference into the forkserver workers.


def _echo(text: str, url: str) -> dict[str, Any]:
    """Return a minimal valid ExtractedText dict."""
    return ExtractedText(text, None, None, None, None, None, "test").to_dict()


def _sleepy(html: str, url: str) -> dict[str, Any] | None:
    """Sleep for the number of seconds given as the page, then echo it."""
    time.sleep(float(html))
    return _echo(f"slept {html} in {os.getpid()}", url)


def _crashy(html: str, url: str) -> dict[str, Any] | None:
    """Kill the worker abruptly when the page says so."""
    if html == "crash":
        os._exit(3)
    return _echo(html, url)


def _raising(html: str, url: str) -> dict[str, Any] | None:
    """Raise ValueError for a bad page, return None for an empty one."""
    if html == "bad":
        raise ValueError("bad page markup")
    if html == "list":
        return [1, 2]  # type: ignore[return-value]
    return None if html == "" else _echo(html, url)


def _worker_state(html: str, url: str) -> dict[str, Any] | None:
    """Report how the worker process was initialised."""
    state = {
        "sigint_ignored": signal.getsignal(signal.SIGINT) == signal.SIG_IGN,
        "psl_urls": os.environ.get("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"),
        "pid": os.getpid(),
        "nice": os.nice(0),
    }
    return _echo(json.dumps(state), url)


def _worker_pids() -> set[int]:
    return {p.pid for p in multiprocessing.active_children() if p.pid is not None}


def _gone(pids: set[int], within: float = 3.0) -> bool:
    """Whether all ``pids`` have exited (polled: the forkserver reaps its children)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        alive = set()
        for pid in pids:
            try:
                os.kill(pid, 0)
                alive.add(pid)
            except ProcessLookupError:
                pass
        if not alive:
            return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------- pool


def test_pool_results_equal_in_process_results() -> None:
    before = _worker_pids()
    pool = ExtractionPool(workers=2, timeout=20.0)
    assert _worker_pids() == before  # lazily started: no process at construction
    pages = [c.file for c in CASES] + ["homepage_links.html"]

    async def run() -> list[ExtractionOutcome]:
        return list(await asyncio.gather(*(pool.extract(_page(p), CASES[0].url) for p in pages)))

    try:
        outcomes = asyncio.run(run())
    finally:
        pool.close()
    for name, outcome in zip(pages[:-1], outcomes, strict=False):
        assert outcome.status == "ok", outcome.reason
        assert outcome.reason is None
        assert outcome.result == extract_article(_page(name), CASES[0].url)
    assert outcomes[-1] == ExtractionOutcome("empty", None, "no article text found")
    assert pool.stats == {"ok": 4, "empty": 1}
    assert pool.startup_seconds is not None


def test_worker_ignores_sigint_and_never_fetches_suffix_list() -> None:
    with ExtractionPool(workers=1, func=_worker_state) as pool:
        outcome = asyncio.run(pool.extract("", ""))
        assert outcome.status == "ok" and outcome.result is not None
        state = json.loads(outcome.result.text)
        assert state["sigint_ignored"] is True
        assert state["psl_urls"] == ""
        assert state["pid"] != os.getpid()
        assert state["nice"] == os.nice(0)  # same priority as the crawl unless asked


def test_workers_run_nicer_when_asked() -> None:
    # the crawl's reactor feeds the workers: it should win the CPU (ARCHIVE_EXTRACT_NICE)
    with ExtractionPool(workers=1, func=_worker_state, nice=7) as pool:
        outcome = asyncio.run(pool.extract("", ""))
        assert outcome.status == "ok" and outcome.result is not None
        assert json.loads(outcome.result.text)["nice"] == min(19, os.nice(0) + 7)
    with pytest.raises(ValueError, match="nice must be 0 to 19"):
        ExtractionPool(nice=20)


def test_timeout_recycles_pool_and_retries_bystander() -> None:
    # margins of about a second, so that a loaded machine does not make the bystander late
    pool = ExtractionPool(workers=2, timeout=2.0, func=_sleepy)

    async def bystander() -> tuple[ExtractionOutcome, float]:
        await asyncio.sleep(1.5)  # in flight (1.5 s + 1.0 s) when the other page's pool dies
        started = time.monotonic()
        return await pool.extract("1.0", ""), time.monotonic() - started

    async def run() -> None:
        warm = await pool.extract("0", "")
        assert warm.status == "ok"
        first_pids = _worker_pids()
        hung, (survivor, took) = await asyncio.gather(pool.extract("30", ""), bystander())
        assert hung == ExtractionOutcome("timeout", None, "timed out after 2.0 s")
        assert survivor.status == "ok", survivor.reason
        assert took > 1.4  # lost with the recycled pool, then retried on a fresh one
        assert _gone(first_pids)  # the hung worker was killed, not left running
        after = await pool.extract("0", "")
        assert after.status == "ok"

    started = time.monotonic()
    try:
        asyncio.run(run())
    finally:
        pool.close()
    assert time.monotonic() - started < 10
    assert pool.stats == {"ok": 3, "timeout": 1, "recycled": 1}


def test_crashed_worker_gives_error_and_pool_recovers() -> None:
    with ExtractionPool(workers=2, timeout=10.0, func=_crashy) as pool:

        async def run() -> None:
            crashed = await pool.extract("crash", "")
            assert crashed.status == "error" and crashed.result is None
            assert crashed.reason is not None and "died (exit code 3)" in crashed.reason
            fine = await pool.extract("still alive", "")
            assert fine.status == "ok" and fine.result is not None
            assert fine.result.text == "still alive"

        asyncio.run(run())
    # the crashing page is retried once (see crawler.extractpool): two pools died
    assert pool.stats == {"error": 1, "ok": 1, "recycled": 2}


def test_pages_larger_than_a_pipe_and_many_at_once_come_back_whole() -> None:
    # 3 MB pages do not fit a pipe's buffer: the rest is written as the worker reads
    pages = [f"{n} " + "x" * (3_000_000 + n) for n in range(6)] + [f"small {n}" for n in range(20)]
    with ExtractionPool(workers=2, func=_echo) as pool:

        async def run() -> list[ExtractionOutcome]:
            return list(await asyncio.gather(*(pool.extract(p, "") for p in pages)))

        outcomes = asyncio.run(run())
    assert [o.result.text if o.result else None for o in outcomes] == pages
    assert pool.stats == {"ok": len(pages)}


def test_start_ahead_of_the_first_page_and_use_from_a_second_loop() -> None:
    before = _worker_pids()
    with ExtractionPool(workers=2, func=_echo) as pool:

        async def start() -> bool:
            return await pool.start()

        assert asyncio.run(start()) is True
        first = _worker_pids() - before
        assert len(first) == 2 and pool.startup_seconds is not None
        # a second asyncio.run: the first loop's workers go, fresh ones answer on this loop
        assert asyncio.run(pool.extract("again", "")).status == "ok"
        assert _gone(first)
        assert len(_worker_pids() - before) == 2
    assert pool.stats == {"ok": 1}  # changing loops is not a recycling


def test_exception_in_function_is_an_error_outcome() -> None:
    with ExtractionPool(workers=1, func=_raising) as pool:

        async def run() -> list[ExtractionOutcome]:
            return [await pool.extract(p, "") for p in ("bad", "list", "", "ok page")]

        bad, wrong_type, empty, good = asyncio.run(run())
    assert bad == ExtractionOutcome("error", None, "ValueError: bad page markup")
    assert wrong_type.status == "error"
    assert wrong_type.reason is not None and wrong_type.reason.startswith("TypeError:")
    assert empty == ExtractionOutcome("empty", None, "no article text found")
    assert good.status == "ok"
    assert pool.stats == {"error": 2, "empty": 1, "ok": 1}  # no recycling for exceptions


def test_caller_cancellation_propagates() -> None:
    with ExtractionPool(workers=1, timeout=5.0, func=_sleepy) as pool:

        async def run() -> None:
            task = asyncio.ensure_future(pool.extract("0.5", ""))
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert (await pool.extract("0", "")).status == "ok"

        asyncio.run(run())


def test_close_is_idempotent_and_leaves_no_children() -> None:
    before = _worker_pids()
    pool = ExtractionPool(workers=2, func=_echo)
    pool.close()  # never started: nothing to do
    pool = ExtractionPool(workers=2, func=_echo)
    assert asyncio.run(pool.extract("x", "")).status == "ok"
    workers = _worker_pids() - before
    assert len(workers) == 2
    started = time.monotonic()
    pool.close()
    pool.close()
    assert time.monotonic() - started < 3
    assert _worker_pids() <= before  # multiprocessing.active_children(): none of ours left
    assert _gone(workers)
    closed = asyncio.run(pool.extract("x", ""))
    assert closed == ExtractionOutcome("error", None, "extraction pool is closed")


def test_empty_layout_elements_are_dropped_before_anything_reads_the_page() -> None:
    from trafilatura.utils import load_html

    from crawler.extraction import drop_empty_elements

    tree = load_html(
        "<html><body><div class='ad'></div><p>Kept <span class='x'></span>tail text</p>"
        "<div class='slot' data-utime='1600000000'></div><span itemprop='author'></span>"
        "<div>   </div><time datetime='2024-01-01'></time><div><b>x</b></div></body></html>"
    )
    assert drop_empty_elements(tree) == 3  # the ad slot, the span, the blank div
    body = tree.find(".//body")
    assert [e.tag for e in body] == ["p", "div", "span", "time", "div"]
    assert body[0].text_content() == "Kept tail text"  # the tail of a dropped element stays


def test_a_page_waiting_behind_another_gets_its_whole_limit() -> None:
    """Two pages per worker are in flight; the second waits, and the wait is not its work."""

    async def run(
        pool: ExtractionPool, second_page: str
    ) -> tuple[ExtractionOutcome, ExtractionOutcome]:
        assert (await pool.extract("0", "")).status == "ok"  # warm up
        first, second = await asyncio.gather(pool.extract("1.2", ""), pool.extract(second_page, ""))
        return first, second

    with ExtractionPool(workers=1, timeout=1.5, func=_sleepy) as pool:
        first, second = asyncio.run(run(pool, "1.0"))
    assert first.status == "ok" and second.status == "ok", second.reason  # 2.2 s > 1.5 s
    with ExtractionPool(workers=1, timeout=1.0, func=_sleepy) as pool:
        first, second = asyncio.run(run(pool, "0.3"))
    assert first.status == "timeout" and first.reason == "timed out after 1.0 s"
    assert second.status == "ok"  # a bystander of the recycled pool, retried


def test_extract_nice_setting_is_checked(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    import crawler.settings as project_settings
    from crawler.config import ArchiveConfig, ConfigError

    settings = Settings()
    settings.setmodule(project_settings)
    settings.set("ARCHIVE_DIR", str(tmp_path))
    assert ArchiveConfig.from_settings(settings).extract_nice == 10
    settings.set("ARCHIVE_EXTRACT_NICE", 25)
    with pytest.raises(ConfigError, match=r"ARCHIVE_EXTRACT_NICE=25: use 0 \(off\) to 19"):
        ArchiveConfig.from_settings(settings)
    settings.set("ARCHIVE_EXTRACT_NICE", 10)
    assert ArchiveConfig.from_settings(settings).index_commit_seconds == 1.0
    settings.set("ARCHIVE_INDEX_COMMIT_SECONDS", -1)
    with pytest.raises(ConfigError, match=r"ARCHIVE_INDEX_COMMIT_SECONDS=-1.0: use 0"):
        ArchiveConfig.from_settings(settings)


def test_each_page_ahead_in_a_workers_pipe_adds_a_limit() -> None:
    """Up to PAGES_PER_WORKER pages wait for one worker; the third waits 1.4 s, works 0.7 s."""

    async def run(pool: ExtractionPool) -> list[ExtractionOutcome]:
        assert (await pool.extract("0", "")).status == "ok"  # warm up
        return list(await asyncio.gather(*(pool.extract("0.7", "") for _ in range(3))))

    with ExtractionPool(workers=1, timeout=1.0, func=_sleepy) as pool:
        outcomes = asyncio.run(run(pool))
    assert [o.status for o in outcomes] == ["ok", "ok", "ok"]  # 2.1 s < 3 limits
    assert pool.stats == {"ok": 4}
