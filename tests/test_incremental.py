"""Incremental re-crawls: only what is new, changed or failed is fetched; revisits, not copies.

Crawl a day index of the simulated web (fallbacks off, so sources of dead hosts stay dead),
switch the web to its `incremental` state (an event page gains a source, another is edited,
a dead host is back, the day index's server ignores conditional requests), crawl again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from archive.reader import Archive
from simweb import catalog, states
from simweb.runner import SimWeb, start_simweb
from tests.conftest import CrawlRun, run_crawl
from tests.resume_kit import get_counts

START = [states.DAY]
ARGS = {"depth": "0"}
SETTINGS = {"FALLBACK_ENABLED": "False", "ARCHIVE_RETRY_BACKOFF": "0"}
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


@pytest.fixture(scope="module")
def web() -> Iterator[SimWeb]:
    """A simulated web of its own: this module changes its state."""
    with start_simweb() as own:
        yield own


@pytest.fixture(scope="module")
def runs(web: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlRun, set, list]:
    """The second crawl, the sources dead after the first one, the second's requests."""
    archive_dir = tmp_path_factory.mktemp("incremental") / "archive"
    first = run_crawl(web, archive_dir, START, args=ARGS, settings=SETTINGS)
    assert first.returncode == 0, first.log[-4000:]
    with Archive(archive_dir) as arc:
        failed = {s.url for e in arc.events() for s in e.sources if s.outcome == "dead"}
    web.set_state("incremental")
    web.reset()
    second = run_crawl(web, archive_dir, START, args=ARGS, settings=SETTINGS)
    assert second.returncode == 0, second.log[-4000:]
    return second, failed, web.requests()


def _day_events() -> list[catalog.EventSpec]:
    return [e for e in catalog.EVENTS if e.url_md.startswith(states.DAY.rsplit("/", 1)[0])]


def test_only_new_changed_and_failed_urls_are_fetched(runs: tuple) -> None:
    second, failed, requested = runs
    counts = get_counts(requested)
    cited = {url for e in _day_events() for _label, url in e.sources}
    assert states.BACK_URL in failed
    sources_fetched = {url for url in counts if url in cited | {states.NEW_SOURCE}}
    # the new source, and the failed ones retried (backoff 0); never an archived one
    assert sources_fetched - failed == {states.NEW_SOURCE}
    # every event page and the day index revalidated once
    pages = {e.url_md for e in _day_events()} | {states.DAY}
    assert {url: counts[url] for url in pages} == dict.fromkeys(pages, 1)
    assert second.stats["ledger/source/archived"] >= len(cited - failed) - 1
    assert second.stats["ledger/pass"] == 2


def test_unchanged_pages_become_revisit_records(runs: tuple) -> None:
    second, _failed, _requested = runs
    gains = states._event(states.GAINS_SOURCE).url_md
    edited = states._event(states.EDITED).url_md
    unchanged = [e.url_md for e in _day_events() if e.url_md not in (gains, edited)]
    with Archive(second.archive_dir) as arc:
        for url in unchanged:
            old, new = arc.versions(url)
            assert (old.record_type, new.record_type) == ("response", "revisit")
            assert arc.snapshot(url).body == arc.snapshot_of(old).body
            assert arc.snapshot(url).status == 200
            assert new.status == 304
        old, new = arc.versions(states.DAY)  # the server ignored the validators: same bytes
        assert new.record_type == "revisit" and new.status == 200
        assert arc.snapshot(states.DAY).body == arc.snapshot_of(old).body
        for url in (gains, edited):
            old, new = arc.versions(url)
            assert (old.record_type, new.record_type) == ("response", "response")
            assert arc.snapshot_of(old).body != arc.snapshot_of(new).body
        profiles = dict(
            arc.index.db.execute(
                "SELECT url, record_type FROM captures WHERE record_type='revisit'"
            ).fetchall()
        )
    assert set(profiles) == {*unchanged, states.DAY}
    assert second.stats["archive/capture/revisit/not-modified"] == len(unchanged)
    assert second.stats["archive/capture/revisit/identical"] == 1


def test_new_source_and_host_back_are_archived(runs: tuple) -> None:
    second, _failed, _requested = runs
    gains = states._event(states.GAINS_SOURCE)
    with Archive(second.archive_dir) as arc:
        event = next(e for e in arc.events() if e.url == gains.url_md)
        by_url = {s.url: s for s in event.sources}
        assert by_url[states.NEW_SOURCE].outcome == "origin"
        assert "mediator" in (by_url[states.NEW_SOURCE].text or "")
        assert by_url[states.BACK_URL].outcome == "origin"
        assert len(arc.versions(states.BACK_URL)) == 1
        edited = next(e for e in arc.events() if e.url == states._event(states.EDITED).url_md)
        assert edited.lede.endswith("the observatory adds")
    assert "Ledger, pass 2" in second.log
