"""The Python API (`Archive`) on a real crawl: filters, events, snapshots and versions, search."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import Archive
from archive.records import Exchange
from archive.search import SEARCH_FILE, SearchIndex, fts_query
from archive.snapshots import (
    DamagedRecord,
    Snapshot,
    embedded_response,
    parse_when,
    timestamp14,
)
from archive.store import ArchiveStore
from archive.summary import bucket, distance_days, summarize
from archive.verify import iter_members
from simweb import catalog
from simweb.runner import SimWeb
from tests.reader_kit import copy_archive, crawl_demo


@pytest.fixture(scope="module")
def archive_dir(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of the demo web for this module."""
    return crawl_demo(simweb, tmp_path_factory, "reader")


# -- events -----------------------------------------------------------------------------------


def test_events_by_date_window(archive_dir: Path) -> None:
    with Archive(archive_dir) as arc:
        every = arc.events()
        window = arc.event_ids(since="2021-03-10", until="2021-03-11")
    assert [e.date for e in every] == sorted(e.date or "" for e in every)
    expected = [e.event_id for e in every if e.date and "2021-03-10" <= e.date <= "2021-03-11"]
    assert window == expected and window


def test_events_by_tag_come_from_related_links(archive_dir: Path) -> None:
    tagged = {
        url.removesuffix(".md")
        for event in catalog.EVENTS
        for url, _summary, tags in event.related
        if "Orvane River floods" in tags
    }
    with Archive(archive_dir) as arc:
        found = arc.events(tag="orvane river floods")
        assert arc.tags()["Orvane River floods"] == len(found)
        crawled = {e.url.removesuffix(".md").removesuffix(".html") for e in arc.events()}
    assert {e.url.removesuffix(".md").removesuffix(".html") for e in found} == tagged & crawled
    assert len(found) >= 2
    assert all("Orvane River floods" in e.tags for e in found)


def test_events_by_domain_match_cited_or_archived_hosts(archive_dir: Path) -> None:
    with Archive(archive_dir) as arc:
        found = arc.events(domain="tidewatch.net")
        assert found
        for event in found:
            hosts = {s.domain for s in event.sources} | {s.url.split("/")[2] for s in event.sources}
            assert any(h == "tidewatch.net" or h.endswith(".tidewatch.net") for h in hosts)
        assert arc.event_ids(domain="no-such-domain.example") == []


def test_events_by_text_and_combined_filters(archive_dir: Path) -> None:
    with Archive(archive_dir) as arc:
        comet = arc.events(text="comet")
        assert len(comet) == 1 and "comet" in comet[0].headline.lower()
        assert arc.event_ids(text="comet", until="2021-03-01") == []
        flood = arc.event_ids(text="flood", tag="Orvane River floods")
        assert flood and set(flood) <= set(arc.event_ids(tag="Orvane River floods"))


def test_an_event_has_ordered_sources_with_provenance_and_texts(archive_dir: Path) -> None:
    spec = next(e for e in catalog.EVENTS if len(e.sources) >= 3)
    with Archive(archive_dir) as arc:
        event = next(e for e in arc.events() if e.url == spec.url_md)
    assert [s.url for s in event.sources] == [url for _label, url in spec.sources]
    assert [s.position for s in event.sources] == sorted(s.position for s in event.sources)
    for source in event.sources:
        assert source.provenance == catalog.ARTICLES[source.url].expected_outcome
        if source.provenance != "dead":
            assert source.response_record_id and source.capture_date and source.snapshot_date
    assert event.texts == [s.text for s in event.sources if s.text]
    assert event.to_dict()["sources"][0]["provenance"]


def test_resolve_event_id(archive_dir: Path) -> None:
    with Archive(archive_dir) as arc:
        some = arc.event_ids()[-1]
        assert arc.resolve_event_id(some) == some
        assert arc.resolve_event_id(some[-12:]) == some
        with pytest.raises(KeyError, match="matches"):
            arc.resolve_event_id("2021-03")
        with pytest.raises(KeyError, match="no event"):
            arc.event("2000-01-01/none")


# -- snapshots and versions -------------------------------------------------------------------


def test_snapshot_is_decoded_as_the_client_saw_it(archive_dir: Path) -> None:
    with Archive(archive_dir) as arc:
        gzipped = [
            r for r in arc.index.captures("response")
            if r.status == 200 and arc.read_record(r).header("Content-Encoding") == "gzip"
        ]  # fmt: skip
        assert gzipped
        snap = arc.snapshot(gzipped[0].url)
    assert snap.raw_body[:2] == b"\x1f\x8b"
    assert snap.body == gzip.decompress(snap.raw_body)
    assert snap.mime and snap.to_dict(with_body=True)["body"]


def test_versions_and_nearest_snapshot(archive_dir: Path, tmp_path: Path) -> None:
    copy = copy_archive(archive_dir, tmp_path / "archive")
    url = "https://www.tidewatch.net/2021/03/10/later-copy.html"
    store = ArchiveStore(copy, prefix="VERSIONS")
    try:
        for year, words in ((2022, b"first copy"), (2024, b"second copy")):
            body = b"<html><body><p>" + words + b"</p></body></html>"
            store.write_exchange(
                Exchange(
                    url=url, method="GET", request_headers=[], request_body=b"", status=200,
                    protocol="HTTP/1.1", body=body, date=datetime(year, 1, 1, tzinfo=UTC),
                    response_headers=[("Content-Type", "text/html"),
                                      ("Content-Length", str(len(body)))],
                )
            )  # fmt: skip
    finally:
        store.close()
    with Archive(copy) as arc:
        versions = arc.versions(url)
        assert [v.date[:4] for v in versions] == ["2022", "2024"]
        assert b"second" in arc.snapshot(url).body
        assert b"first" in arc.snapshot(url, at="2021-06-01").body
        assert b"first" in arc.snapshot(url, at=datetime(2022, 12, 1, tzinfo=UTC)).body
        assert b"second" in arc.snapshot(url, at="20231201000000").body
        assert arc.versions(url.replace("https://www.", "https://WWW.")) == versions
        with pytest.raises(KeyError):
            arc.snapshot("https://www.tidewatch.net/never")


def test_a_record_cut_short_is_damaged_not_garbage(archive_dir: Path, tmp_path: Path) -> None:
    copy = copy_archive(archive_dir, tmp_path / "archive")
    with Archive(copy) as arc:
        row = max(arc.index.captures("response"), key=lambda r: r.offset)
        path = copy / "warc" / row.warc_file
        with open(path, "r+b") as fh:
            fh.truncate(row.offset + row.length - 10)
        with pytest.raises(DamagedRecord, match="truncated"):
            arc.snapshot_of(row)


def test_a_payload_that_is_itself_a_warc_record_is_unwrapped() -> None:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>kept</p>"
    head = (
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://gone.example/story\r\n"
        "WARC-Date: 2021-04-12T09:30:00Z\r\n"
        "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    )
    inner = io.BytesIO(gzip.compress(head.encode() + http + b"\r\n\r\n"))
    outer = Snapshot(
        url="https://data.example/x.warc.gz", date="2026-01-01T00:00:00Z", status=206,
        headers=[("Content-Type", "application/octet-stream")], body=inner.getvalue(),
        raw_body=inner.getvalue(), record_id="<urn:uuid:1>", warc_file="f", offset=0,
    )  # fmt: skip
    unwrapped = embedded_response(outer)
    assert (unwrapped.url, unwrapped.status, unwrapped.body) == (
        "https://gone.example/story",
        200,
        b"<p>kept</p>",
    )
    assert unwrapped.mime == "text/html" and unwrapped.record_id == "<urn:uuid:1>"
    plain = Snapshot(**{**outer.__dict__, "body": b"just bytes"})
    assert embedded_response(plain) is plain


def test_parse_when_forms() -> None:
    assert parse_when("2021") == datetime(2021, 1, 1, tzinfo=UTC)
    assert parse_when("20210309") == datetime(2021, 3, 9, tzinfo=UTC)
    assert parse_when("2021-03-09T10:11:12Z") == datetime(2021, 3, 9, 10, 11, 12, tzinfo=UTC)
    assert parse_when("2021-03-09T10:11:12.5+01:00").hour == 10
    assert timestamp14("2026-11-22T01:55:22.207755Z") == "20261122015522"
    with pytest.raises(ValueError, match="not a date"):
        parse_when("last tuesday")


# -- search -----------------------------------------------------------------------------------


def test_fts_query_quotes_syntax_away() -> None:
    assert fts_query("flood barrier") == '"flood" "barrier"'
    assert fts_query('"relief fund" OR tram*') == '"relief fund" OR "tram"*'
    assert fts_query('AND ( " NOT') == ""
    assert fts_query("col:umn -x ^y") == '"col umn" "x" "y"'


def test_search_index_is_built_once_and_rebuilt_when_the_index_changes(
    archive_dir: Path, tmp_path: Path
) -> None:
    copy = copy_archive(archive_dir, tmp_path / "archive")
    with Archive(copy) as arc:
        assert arc.search("comet")
        built = (copy / SEARCH_FILE).stat().st_mtime_ns
        assert arc.search("tram")
        assert (copy / SEARCH_FILE).stat().st_mtime_ns == built
    store = ArchiveStore(copy, prefix="MORE")
    try:
        store.index.add_event(
            event_id="2021-04-01/zeppelins-return-0000abcd", url="https://e.example/z.md",
            date="2021-04-01", headline="Zeppelins return to the harbour skies.", lede="",
            day_index_url=None, depth=0, seen=store.now(), sources=[], related=[],
        )  # fmt: skip
    finally:
        store.close()
    with Archive(copy) as arc:
        hits = arc.search("zeppelins")
    assert [h.event_id for h in hits] == ["2021-04-01/zeppelins-return-0000abcd"]
    assert hits[0].matched == ["headline"]


def test_search_on_a_read_only_archive_builds_in_memory(
    archive_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_archive(archive_dir, tmp_path / "archive")
    # root may write anywhere, so the folder's read-only state is simulated where it is asked
    monkeypatch.setattr("archive.search.os.access", lambda path, mode: False)
    with Archive(copy) as arc:
        index = SearchIndex.open(arc)
        assert index.path is None and index.search("comet")
    assert not (copy / SEARCH_FILE).exists()


def test_search_ranks_headline_matches_and_names_sources(archive_dir: Path) -> None:
    with Archive(archive_dir) as arc:
        hits = arc.search("Brenholt Rovers")
        assert hits and "brenholt" in arc.event(hits[0].event_id).headline.lower()
        assert any(m.startswith("source ") for h in hits for m in h.matched)
        assert arc.search("") == [] and arc.search("qqqzzzx") == []


# -- summary and verify pieces ----------------------------------------------------------------


def test_summary_counts(archive_dir: Path) -> None:
    with Archive(archive_dir) as arc:
        summary = summarize(arc)
        assert summary.by_provenance == arc.outcome_counts()
        assert summary.events == len(arc.event_ids())
    dead = {d.domain: d for d in summary.dead_domains}
    assert dead and all(d.dead + d.recovered or d.dead_since for d in dead.values())
    assert not dead["meridian-ledger.com"].all_dead  # one 404 among many good pages
    lost = sum(d.dead for d in summary.domains)
    assert lost == summary.by_provenance.get("dead", 0)
    archived = summary.by_provenance.get("origin", 0) + summary.by_provenance.get("redirect", 0)
    assert 0 < sum(summary.distances.values()) and archived <= sum(summary.distances.values())
    assert summary.to_dict()["dead_domains"]


def test_distance_buckets() -> None:
    assert distance_days("2021-03-09", "2021-03-09T12:00:00Z") == 0.5
    assert bucket(0.5) == "same day" and bucket(3) == "within a week"
    assert bucket(-1) == "before the event" and bucket(400) == "over a year"
    assert distance_days(None, "2021-03-09T12:00:00Z") is None


def test_iter_members_finds_the_cut() -> None:
    members = b"".join(gzip.compress(f"record {i}\n".encode() * 50) for i in range(3))
    whole = list(iter_members(io.BytesIO(members)))
    assert [m.data is not None for m in whole] == [True] * 3
    assert sum(m.length for m in whole) == len(members)
    cut = list(iter_members(io.BytesIO(members[:-7])))
    assert cut[-1].data is None and cut[-1].offset == whole[-1].offset
    assert "truncated" in (cut[-1].error or "")


def test_timedelta_is_days() -> None:
    start = datetime(2021, 3, 9, tzinfo=UTC)
    later = (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert distance_days("2021-03-09", later) == 2


def test_event_texts_written_by_the_workers_match_one_process(
    archive_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crawl writes texts/ with its extraction workers (crawler/eventtexts.py)."""
    import asyncio
    import shutil

    from archive.reader import write_event_texts
    from crawler import eventtexts
    from crawler.eventtexts import write_texts_in_pool
    from crawler.extractpool import ExtractionPool

    def files(root: Path) -> dict[str, bytes]:
        found = (root / "texts").rglob("*.json")
        return {str(p.relative_to(root)): p.read_bytes() for p in found}

    crawled = files(archive_dir)
    assert crawled  # the crawl wrote them with its pool
    alone = copy_archive(archive_dir, tmp_path / "alone")
    shutil.rmtree(alone / "texts")
    assert len(write_event_texts(alone)) == len(crawled)
    assert files(alone) == crawled

    async def in_pool(root: Path, pool: ExtractionPool) -> int:
        return await write_texts_in_pool(pool, root)

    pooled = copy_archive(archive_dir, tmp_path / "pooled")
    shutil.rmtree(pooled / "texts")
    monkeypatch.setattr(eventtexts, "EVENTS_PER_PART", 2)  # several parts, both workers
    assert len(crawled) > 4
    with ExtractionPool(workers=2, timeout=20.0) as pool:
        assert asyncio.run(in_pool(pooled, pool)) == len(crawled)
    assert files(pooled) == crawled
    assert "could not write" not in caplog.text

    # a pool that cannot take the work: the texts are written here, with a warning
    broken = copy_archive(archive_dir, tmp_path / "broken")
    shutil.rmtree(broken / "texts")
    pool = ExtractionPool(workers=1)
    pool.close()
    assert asyncio.run(in_pool(broken, pool)) == len(crawled)
    assert files(broken) == crawled
    assert "could not write the texts" in caplog.text
