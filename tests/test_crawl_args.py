"""Whole crawls exercising the spider's arguments, HTML event pages and bad event pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

from archive.reader import Archive
from simweb import catalog
from simweb.runner import SimWeb
from simweb.sites.eventsite import BASE, BROKEN_PAGES
from tests.conftest import run_crawl

FLOOD = catalog.EVENTS[1]  # 2021-03-09, related: an event outside the day indexes + a 404
assert FLOOD.related and FLOOD.url_html


def _requested(web: SimWeb, url: str) -> int:
    parts = urlsplit(url)
    return web.count(parts.hostname or "", parts.path)


def test_depth_zero_follows_no_related_event(simweb: SimWeb, tmp_path: Path) -> None:
    simweb.reset()
    run = run_crawl(simweb, tmp_path / "a", [FLOOD.url_md], args={"depth": "0"})
    assert run.returncode == 0, run.log[-3000:]
    with Archive(run.archive_dir) as arc:
        assert [e.url for e in arc.events()] == [FLOOD.url_md]
        assert len(arc.event(arc.event_ids()[0]).sources) == len(FLOOD.sources)
    for related_url, _summary, _tags in FLOOD.related:
        assert _requested(simweb, related_url) == 0


def test_depth_one_follows_related_events(simweb: SimWeb, tmp_path: Path) -> None:
    run = run_crawl(simweb, tmp_path / "a", [FLOOD.url_md], args={"depth": "1"})
    assert run.returncode == 0, run.log[-3000:]
    reachable = {u for u, _s, _t in FLOOD.related} - set(catalog.MISSING_EVENT_PAGES)
    with Archive(run.archive_dir) as arc:
        assert {e.url for e in arc.events()} == {FLOOD.url_md} | reachable
        depths = {e.url: e.depth for e in arc.events()}
    assert depths[FLOOD.url_md] == 0 and {depths[u] for u in reachable} == {1}
    for missing in catalog.MISSING_EVENT_PAGES:
        if missing in {u for u, _s, _t in FLOOD.related}:
            assert f"Event page {missing} could not be fetched: HTTP 404" in run.log


def test_date_window_keeps_only_events_inside_it(simweb: SimWeb, tmp_path: Path) -> None:
    day = dt.date(2021, 3, 10)
    simweb.reset()
    run = run_crawl(
        simweb,
        tmp_path / "a",
        catalog.start_urls(),
        args={"since": day.isoformat(), "until": day.isoformat()},
    )
    assert run.returncode == 0, run.log[-3000:]
    expected = {e.url_md for e in catalog.EVENTS if e.date == day and e.in_day_index}
    with Archive(run.archive_dir) as arc:
        assert {e.url for e in arc.events()} == expected
        assert {e.date for e in arc.events()} == {day.isoformat()}
    assert run.stats["events/out_of_window"]
    outside = [e for e in catalog.EVENTS if e.date != day and e.in_day_index]
    only_outside = {u for e in outside for _l, u in e.sources} - {
        u for e in catalog.EVENTS if e.date == day for _l, u in e.sources
    }
    for url in only_outside:  # sources of skipped events are never fetched
        assert _requested(simweb, url) == 0, url


def test_html_event_page_gives_the_same_event(simweb: SimWeb, tmp_path: Path) -> None:
    run = run_crawl(simweb, tmp_path / "a", [FLOOD.url_html or ""], args={"depth": "0"})
    assert run.returncode == 0, run.log[-3000:]
    with Archive(run.archive_dir) as arc:
        (event,) = arc.events()
    assert event.url == FLOOD.url_html
    assert event.headline == FLOOD.headline
    assert [s.url for s in event.sources] == [u for _l, u in FLOOD.sources]
    assert all(s.outcome != "pending" for s in event.sources)


def test_bad_event_pages_are_logged_and_the_crawl_goes_on(simweb: SimWeb, tmp_path: Path) -> None:
    broken = [BASE + path for path in BROKEN_PAGES]
    run = run_crawl(simweb, tmp_path / "a", [*broken, FLOOD.url_md], args={"depth": "0"})
    assert run.returncode == 0, run.log[-3000:]
    assert "Traceback" not in run.log
    for url in broken:
        assert url in run.log, url
    assert f"Not an event page: {BASE}/news/2021/3/12/photo-instead-of-page.md" in run.log
    with Archive(run.archive_dir) as arc:
        assert [e.url for e in arc.events()] == [FLOOD.url_md]
    assert run.stats["events/page/warning"] or run.stats["events/page/no_event"]


def test_small_warc_max_size_rotates_files_during_a_crawl(simweb: SimWeb, tmp_path: Path) -> None:
    run = run_crawl(
        simweb,
        tmp_path / "a",
        [FLOOD.url_md],
        args={"depth": "1"},
        settings={"WARC_MAX_SIZE": "5000"},
    )
    assert run.returncode == 0, run.log[-3000:]
    files = sorted((run.archive_dir / "warc").glob("*.warc.gz"))
    assert len(files) >= 3
    serials = [int(f.name.split("-")[2]) for f in files]
    assert serials == list(range(len(files)))
    with Archive(run.archive_dir) as arc:
        for row in arc.index.captures("response"):
            assert arc.read_record(row).record_id == row.record_id
