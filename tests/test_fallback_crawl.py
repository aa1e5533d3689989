"""Whole crawls of the fallback cases: each dead, parked, moved or soft-404 source ends with
the right provenance and text, read back from disk; dead domains cost a bounded number of
attempts; archive answers are kept for the next run; no toolbar text reaches a text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.index import url_key
from archive.reader import Archive
from simweb import catalog
from simweb.runner import SimWeb
from simweb.sites.wayback import TOOLBAR_TEXT
from tests.conftest import CrawlRun, run_crawl

CASES = catalog.FALLBACK_WEB.cases
DEAD_AFTER = 5  # FALLBACK_DEAD_AFTER's default


def _events_citing(urls: set[str]) -> list[str]:
    return [e.url_md for e in catalog.EVENTS if urls & {u for _l, u in e.sources}]


def _crawl(web: SimWeb, archive_dir: Path, urls: set[str], **settings: str) -> CrawlRun:
    web.reset()
    run = run_crawl(web, archive_dir, _events_citing(urls), {"depth": "0"}, settings)
    run.requests = web.requests()  # type: ignore[attr-defined]
    assert run.returncode == 0, run.log[-4000:]
    assert run.violations() == []
    return run


def _hits(run: CrawlRun, host: str, path_part: str = "") -> list[dict[str, Any]]:
    requests: list[dict[str, Any]] = run.requests  # type: ignore[attr-defined]
    return [r for r in requests if r["host"] == host and path_part in r["path"]]


@dataclass(frozen=True)
class Expect:
    """One acceptance case: the cited URL, what the origin did, and how it must end."""

    name: str
    url: str
    outcome: str
    reason: str  # a part of the recorded reason (why the origin gave no article)
    distance: int | None = None
    chain: tuple[str, ...] = ()  # "step:result" of the fallback chain, in order


def _url(fragment: str) -> str:
    return next(u for u in catalog.ARTICLES if fragment in u)


FAST_CASES = [
    Expect("dead DNS", _url("river-breach-live-updates"), "wayback", "DNS lookup failed", 0),
    Expect("refused", _url("strike-day-one"), "commoncrawl", "connection refused", 34,
           ("origin:failed", "wayback:none", "commoncrawl:ok")),
    Expect("404", _url("flood-inquiry-terms"), "wayback", "HTTP 404", 0),
    Expect("410", _url("withdrawn-report"), "wayback", "HTTP 410", 0),
    Expect("5xx", _url("river-levels-hold-steady"), "wayback", "HTTP 500", 0),
    Expect("parked", _url("mill-workers-meet-union"), "wayback", "parked domain page", 0,
           ("origin:rejected", "wayback:ok")),
    Expect("soft 404 by redirect", _url("council-emergency-meeting"), "wayback",
           "soft 404: redirected to http://www.tamsford-herald.com/", 0),
    Expect("soft 404 by content", _url("volunteers-clear-flood-debris"), "wayback",
           "soft 404: the site's generic page", 2),
    Expect("no article text at the origin", _url("lifeboat-crew-honoured"), "wayback",
           "no article text at http://www.harbour-lights.net/", 0,
           ("origin:rejected", "wayback:ok")),
    Expect("moved domain", _url("ferry-road-residents-return-home"), "moved",
           "DNS lookup failed", None, ("origin:failed", "moved:ok")),
    Expect("moved domain serving only its home page", _url("tram-depot-flooded"), "wayback",
           "DNS lookup failed", 1, ("origin:failed", "moved:rejected", "wayback:ok")),
    Expect("archive-only (listed dead)", _url("ferry-road-clean-up-day"), "wayback",
           "listed dead", 3, ("origin:failed", "wayback:ok")),
    Expect("nearer-but-wrong-date snapshot", _url("tram-extension-what-changes"), "wayback",
           "DNS lookup failed", 3, ("origin:failed", "wayback:ok")),
    Expect("snapshot that is itself a soft 404", _url("beacon-fundraiser"), "wayback",
           "DNS lookup failed", 5, ("origin:failed", "wayback:rejected", "wayback:ok")),
    Expect("nothing anywhere", _url("gazette.com/2021/03/11/boil-water-notice/"), "dead",
           "DNS lookup failed", None,
           ("origin:failed", "wayback:none", "commoncrawl:none")),
    Expect("parked with nothing anywhere", _url("quarry-road-closure"), "dead", "parked", None,
           ("origin:rejected", "wayback:none", "commoncrawl:none")),
]  # fmt: skip


@pytest.fixture(scope="module")
def cases_crawl(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """One crawl of every event citing a fast fallback case."""
    archive_dir = tmp_path_factory.mktemp("fallback") / "archive"
    return _crawl(simweb, archive_dir, {c.url for c in FAST_CASES})


def _row(arc: Archive, url: str) -> dict[str, Any]:
    row = arc.index.db.execute("SELECT * FROM sources WHERE url_key=?", (url_key(url),))
    found = row.fetchone()
    assert found is not None, url
    return dict(found)


def _source(arc: Archive, url: str) -> Any:
    return next(s for e in arc.events() for s in e.sources if s.url == url)


@pytest.mark.parametrize("case", FAST_CASES, ids=[c.name for c in FAST_CASES])
def test_each_case_ends_with_the_right_provenance_and_text(
    cases_crawl: CrawlRun, case: Expect
) -> None:
    spec = catalog.ARTICLES[case.url]
    with Archive(cases_crawl.archive_dir) as arc:
        source = _source(arc, case.url)
        row = _row(arc, case.url)
    assert (source.outcome, case.outcome) == (spec.expected_outcome, spec.expected_outcome)
    assert case.reason in (source.reason or ""), source.reason
    assert source.archived_url == spec.final_url
    chain = [f"{step['step']}:{step['result']}" for step in json.loads(row["fallback"])]
    if case.chain:
        assert chain == list(case.chain)
    assert chain[0].startswith("origin:") and chain[-1].endswith(
        ":none" if case.outcome == "dead" else ":ok"
    )
    if case.outcome in ("wayback", "commoncrawl"):
        assert row["service"] == case.outcome
        assert row["snapshot_date"].replace("-", "").replace("T", "").replace(":", "")[:14] == (
            spec.snapshot
        )
        assert row["snapshot_distance_days"] == case.distance
    else:
        assert row["service"] is None and row["snapshot_date"] is None
    if case.outcome == "dead":
        assert source.text is None and source.archived_url is None
        return
    text = source.text or ""
    for paragraph in spec.paragraphs:
        assert paragraph in text
    for noise in spec.noise:
        assert noise not in text, noise


def test_the_snapshot_nearest_after_the_event_wins_over_a_nearer_one_before(
    cases_crawl: CrawlRun,
) -> None:
    url = _url("tram-extension-what-changes")
    entry = next(e for e in catalog.FALLBACK_WEB.entries if e.story.url == url)
    with Archive(cases_crawl.archive_dir) as arc:
        text = _source(arc, url).text or ""
    assert not any(p in text for p in entry.raw["earlier_paragraphs"])
    # the earlier capture (one day before the event) was never even fetched
    assert not _hits(cases_crawl, "web.archive.org", "/web/20210311170000")


def test_a_listed_dead_domain_is_never_asked(cases_crawl: CrawlRun) -> None:
    assert _hits(cases_crawl, "www.ferryroad-bulletin.com") == []


def test_the_warc_keeps_the_archive_url_and_a_record_names_the_cited_url(
    cases_crawl: CrawlRun,
) -> None:
    recovered = [c for c in FAST_CASES if c.outcome != "dead"]
    with Archive(cases_crawl.archive_dir) as arc:
        responses = {r.url: r for r in arc.index.captures("response")}
        for case in recovered:
            archived = catalog.ARTICLES[case.url].final_url
            assert archived in responses, archived
            assert arc.read_record(responses[archived]).status in (200, 206)
    described: dict[str, bytes] = {}
    for path in sorted((cases_crawl.archive_dir / "derived").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "metadata":
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    described[uri] = described.get(uri, b"") + record.content_stream().read()
    for case in recovered:
        payload = described[catalog.ARTICLES[case.url].final_url or ""]
        assert case.url.encode() in payload  # the original, cited URL
        if case.outcome != "moved":
            assert b"snapshot_date" in payload and b"snapshot_distance_days" in payload


def test_an_archive_service_gets_a_few_connections_not_one_per_source(
    cases_crawl: CrawlRun,
) -> None:
    gets = _hits(cases_crawl, "web.archive.org")
    tunnels = [r for r in gets if r["method"] == "CONNECT"]
    # FALLBACK_SERVICE_CONCURRENCY (2) requests at a time share kept-alive connections
    assert len(gets) > 20 and len(tunnels) <= 3


def test_only_raw_snapshots_are_fetched_and_no_toolbar_reaches_a_text(
    cases_crawl: CrawlRun,
) -> None:
    replays = [r["path"] for r in _hits(cases_crawl, "web.archive.org", "/web/")]
    assert replays and all(p.split("/")[2].endswith("id_") for p in replays), replays
    with Archive(cases_crawl.archive_dir) as arc:
        texts = [s.text for e in arc.events() for s in e.sources if s.text]
    assert texts
    for text in texts:
        assert not any(sentence in text for sentence in TOOLBAR_TEXT)


def test_the_summary_and_stats_give_provenance_counts_and_dead_domains(
    cases_crawl: CrawlRun,
) -> None:
    stats = cases_crawl.stats
    with Archive(cases_crawl.archive_dir) as arc:
        counts = arc.outcome_counts()
    for outcome in ("origin", "moved", "wayback", "commoncrawl", "dead"):
        assert stats[f"archive/sources/{outcome}"] == counts[outcome]
    dead = stats["fallback/dead_domains"]
    assert isinstance(dead, list) and "lisswick-gazette.com" in dead
    assert "ferryroad-bulletin.com" not in dead  # listed dead: never tried, never counted
    assert "Sources by provenance: origin " in cases_crawl.log
    assert f"Dead domains ({len(dead)}): " + ", ".join(dead) in cases_crawl.log
    with Archive(cases_crawl.archive_dir) as arc:
        health = {r["domain"]: dict(r) for r in arc.index.db.execute("SELECT * FROM domain_health")}
    assert set(dead) <= {d for d, r in health.items() if r["dead_since"]}


# ------------------------------------------------------------------ slow and special cases


def test_a_hanging_site_and_a_throttled_archive(simweb: SimWeb, tmp_path: Path) -> None:
    hanging, throttled = _url("harbour-cranes-back-in-service"), _url("toll-bridge-fees-frozen")
    run = _crawl(
        simweb,
        tmp_path / "archive",
        {hanging, throttled},
        DOWNLOAD_TIMEOUT="2",
        RETRY_TIMES="1",
    )
    with Archive(run.archive_dir) as arc:
        for url in (hanging, throttled):
            source = _source(arc, url)
            assert source.outcome == "wayback" and source.archived_url == (
                catalog.ARTICLES[url].final_url
            )
        assert "timed out" in (_source(arc, hanging).reason or "")
    cdx = [r for r in _hits(run, "web.archive.org", "/cdx/") if "tollgate" in r["path"]]
    assert [r["status"] for r in cdx] == [429, 200]
    assert cdx[1]["time"] - cdx[0]["time"] >= 1.0  # the Retry-After the archive asked for
    assert run.stats["fallback/wayback/throttled"] == 1


def test_a_dead_domain_with_twenty_urls_costs_a_bounded_number_of_attempts(
    simweb: SimWeb, tmp_path: Path
) -> None:
    urls = {u for u in catalog.ARTICLES if "harbourwatch-daily.com" in u}
    assert len(urls) == 20
    host = "www.harbourwatch-daily.com"
    run = _crawl(simweb, tmp_path / "archive", urls)
    # every attempt at the origin counts: robots.txt, retries, CONNECTs
    assert 1 <= len(_hits(run, host)) <= DEAD_AFTER + 1
    with Archive(run.archive_dir) as arc:
        outcomes = sorted(_source(arc, u).outcome for u in urls)
        health = [dict(r) for r in arc.index.db.execute("SELECT * FROM domain_health")]
    assert outcomes == ["dead"] * 18 + ["wayback"] * 2
    assert run.stats["fallback/dead_domains"] == ["harbourwatch-daily.com"]
    assert "Dead domains (1): harbourwatch-daily.com" in run.log
    assert run.log.count("Domain harbourwatch-daily.com is dead for this crawl") == 1
    assert health[0]["domain"] == "harbourwatch-daily.com" and health[0]["dead_since"]

    # The next run on the same archive (failed sources due again at once): one attempt
    # tells the domain is still dead, the archive services are not asked again what they
    # already answered, and the two sources archived from the Wayback Machine are done.
    rerun = _crawl(simweb, tmp_path / "archive", urls, ARCHIVE_RETRY_BACKOFF="0")
    assert len(_hits(rerun, host)) == 1
    assert _hits(rerun, "web.archive.org", "/cdx/") == []
    assert _hits(rerun, "index.commoncrawl.org") == []
    assert rerun.stats["fallback/wayback/cached"] == 18
    assert rerun.stats["ledger/source/archived"] == 2
    with Archive(rerun.archive_dir) as arc:
        assert sorted(_source(arc, u).outcome for u in urls) == outcomes


def test_with_fallbacks_off_nothing_is_asked_of_the_archives(
    simweb: SimWeb, tmp_path: Path
) -> None:
    urls = {
        _url("mill-workers-meet-union"),
        _url("gazette.com/2021/03/11/boil-water-notice/"),
    }
    run = _crawl(simweb, tmp_path / "archive", urls, FALLBACK_ENABLED="False")
    assert not _hits(run, "web.archive.org") and not _hits(run, "index.commoncrawl.org")
    with Archive(run.archive_dir) as arc:
        assert _source(arc, _url("gazette.com/2021/03/11/boil-water-notice/")).outcome == "dead"
        parked = _source(arc, _url("mill-workers-meet-union"))
    assert parked.outcome == "origin"  # without the checks, a parked page passes as the page
    assert urlsplit(parked.archived_url or "").hostname == "www.brenholt-chronicle.com"


def test_a_bad_fallback_list_stops_the_crawl_before_any_request(
    simweb: SimWeb, tmp_path: Path
) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text('[old-news.org]\nmoved_to = "old-news.press"\n')
    simweb.reset()
    run = run_crawl(
        simweb, tmp_path / "archive", _events_citing({_url("strike-day-one")}),
        settings={"FALLBACK_LIST": str(bad)},
    )  # fmt: skip
    assert run.returncode != 0
    assert f"{bad}: entry [old-news.org…] was read as nested tables" in run.log
    assert 'write ["old-news.org…"] with double quotes' in run.log
    assert simweb.requests() == []
