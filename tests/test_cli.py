"""`python -m archive` run in-process (`main([...])`) on a real crawl of the simulated web."""

from __future__ import annotations

import io
import json
import urllib.request
from pathlib import Path

import pytest

from archive import Archive
from archive.cli import COMMANDS, main
from archive.textout import Progress, table
from archive.web.server import ReaderServers
from simweb import catalog
from simweb.runner import SimWeb
from tests.reader_kit import copy_archive, crawl_demo, truncate_capture_warc


@pytest.fixture(scope="module")
def archive_dir(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of the demo web, shared by this module's tests (they only read it)."""
    return crawl_demo(simweb, tmp_path_factory, "cli")


@pytest.fixture(scope="module")
def truncated(archive_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A copy of the archive whose capture WARC lost its last 40 %."""
    copy = copy_archive(archive_dir, tmp_path_factory.mktemp("cut") / "archive")
    _path, size = truncate_capture_warc(copy)
    return copy, size


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line; return (exit status, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _failed_domain(archive_dir: Path) -> str:
    """A registered domain where some source could not be fetched from the origin."""
    from archive.summary import registered_domain

    with Archive(archive_dir) as arc:
        for event in arc.events():
            for s in event.sources:
                if s.provenance not in ("origin", "redirect"):
                    return registered_domain(s.url.split("/")[2])
    raise AssertionError("the demo web has dead sources")


def _an_event(archive_dir: Path, with_dead: bool = False) -> str:
    with Archive(archive_dir) as arc:
        for event in arc.events():
            if not with_dead or any(s.provenance == "dead" for s in event.sources):
                return event.event_id
    raise AssertionError("no such event")


# -- the command line as a whole ------------------------------------------------------------


def test_every_command_is_registered_and_helps(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("events", "search", "show", "snapshot", "export", "verify", "stats", "serve"):
        assert name in COMMANDS
        code, out, _err = run(capsys, name, "--help")
        assert code == 0 and "usage:" in out


def test_no_command_or_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys)
    assert code == 2 and "required" in err
    code, _out, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in err


def test_missing_archive_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "--dir", str(tmp_path / "nowhere"), "events")
    assert code == 2 and out == ""
    assert "is not an archive" in err and "ARCHIVE_DIR" in err


# -- events and search ------------------------------------------------------------------------


def test_events_lists_every_crawled_event(
    capsys: pytest.CaptureFixture[str], archive_dir: Path
) -> None:
    code, out, _ = run(capsys, "--dir", str(archive_dir), "events")
    assert code == 0
    with Archive(archive_dir) as arc:
        ids = arc.event_ids()
    assert len(ids) >= sum(1 for e in catalog.EVENTS if e.in_day_index)
    for event_id in ids:
        assert event_id in out
    assert f"{len(ids)} events" in out


def test_events_filters_and_json(capsys: pytest.CaptureFixture[str], archive_dir: Path) -> None:
    code, out, _ = run(
        capsys, "events", "--dir", str(archive_dir), "--json", "--since", "2021-03-10",
        "--until", "2021-03-10",
    )  # fmt: skip
    assert code == 0
    events = json.loads(out)
    assert events and {e["date"] for e in events} == {"2021-03-10"}
    code, out, _ = run(capsys, "--dir", str(archive_dir), "--json", "events", "--tag", "WEATHER")
    assert code == 0 and all("Weather" in e["tags"] for e in json.loads(out))
    assert json.loads(out)
    code, out, _ = run(
        capsys, "--dir", str(archive_dir), "--json", "events", "--domain", "orvanecourier.co.uk"
    )
    citing = {
        e.url_md for e in catalog.EVENTS if any("orvanecourier.co.uk" in u for _l, u in e.sources)
    }
    assert code == 0 and {e["url"] for e in json.loads(out)} == citing
    code, out, _ = run(capsys, "--dir", str(archive_dir), "--json", "events", "-q", "comet")
    assert code == 0 and len(json.loads(out)) == 1
    code, out, _ = run(capsys, "--dir", str(archive_dir), "events", "--tags")
    assert code == 0 and "Orvane River floods" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["events", "--since", "2021-13-01"], "YYYY-MM-DD"),
        (["events", "--since", "2021-03-11", "--until", "2021-03-01"], "is after"),
        (["events", "--limit", "0"], "at least 1"),
        (["search"], "required"),
        (["show"], "required"),
        (["snapshot", "http://x.example/", "--at", "yesterday"], "not a date"),
        (["export", "--format", "csv"], "invalid choice"),
        (["export", "--format", "parquet"], "give a file with -o"),
        (["serve", "--port", "http"], "port number"),
        (["serve", "--port", "9000", "--replay-port", "9000"], "must differ"),
    ],
)
def test_bad_arguments_get_a_message_and_status_2(
    capsys: pytest.CaptureFixture[str], archive_dir: Path, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "--dir", str(archive_dir), *argv)
    assert code == 2, (out, err)
    assert message in err


def test_search_ranks_and_shows_where(
    capsys: pytest.CaptureFixture[str], archive_dir: Path
) -> None:
    code, out, _ = run(capsys, "--dir", str(archive_dir), "search", "flood", "barrier")
    assert code == 0
    assert "*flood*" in out and "*barrier*" in out and " 1. " in out
    code, out, _ = run(capsys, "--dir", str(archive_dir), "--json", "search", '"relief fund"')
    hits = json.loads(out)
    assert hits and all("«" in h["snippet"] for h in hits)
    code, out, _ = run(capsys, "--dir", str(archive_dir), "search", "zeppelinxyz")
    assert code == 0 and "nothing matches" in out
    code, out, _ = run(capsys, "--dir", str(archive_dir), "search", 'AND "(*', "NOT")
    assert code == 0  # FTS syntax in the input is quoted away, never an error


# -- show and snapshot ------------------------------------------------------------------------


def test_show_prints_sources_provenance_and_texts(
    capsys: pytest.CaptureFixture[str], archive_dir: Path
) -> None:
    event_id = _an_event(archive_dir, with_dead=True)
    code, out, _ = run(capsys, "--dir", str(archive_dir), "show", event_id)
    assert code == 0
    with Archive(archive_dir) as arc:
        event = arc.event(event_id)
    assert event.headline[:50] in out
    assert "dead" in out and "provenance" in out
    for source in event.sources:
        if source.text:
            assert source.text[:60] in out
    code, out, _ = run(capsys, "--dir", str(archive_dir), "show", "--json", event_id[:25])
    assert code == 0 and json.loads(out)["event_id"] == event_id


def test_show_unknown_or_ambiguous_event(
    capsys: pytest.CaptureFixture[str], archive_dir: Path
) -> None:
    code, _out, err = run(capsys, "--dir", str(archive_dir), "show", "1999-01-01/nothing")
    assert code == 2 and "no event" in err
    code, _out, err = run(capsys, "--dir", str(archive_dir), "show", "2021-03")
    assert code == 2 and "matches" in err


def _document_url(archive_dir: Path) -> str:
    with Archive(archive_dir) as arc:
        for event in arc.events():
            for s in event.sources:
                if s.kind == "document" and s.text and s.archived_url:
                    return s.archived_url
    raise AssertionError("no document")


def test_snapshot_prints_status_headers_and_body(
    capsys: pytest.CaptureFixture[str], archive_dir: Path, tmp_path: Path
) -> None:
    url = _document_url(archive_dir)
    code, out, _ = run(capsys, "--dir", str(archive_dir), "snapshot", url)
    assert code == 0 and out.startswith("HTTP 200") and "<html" in out.lower()
    code, out, _ = run(capsys, "--dir", str(archive_dir), "snapshot", url, "--headers")
    assert code == 0 and "Content-Type:" in out and "<html" not in out.lower()
    code, out, _ = run(capsys, "--dir", str(archive_dir), "snapshot", url, "--at", "2021-03-01")
    assert code == 0 and out.startswith("HTTP 200")
    code, out, _ = run(capsys, "--dir", str(archive_dir), "--json", "snapshot", url)
    data = json.loads(out)
    assert data["status"] == 200 and "<html" in data["body"].lower()
    code, out, _ = run(capsys, "--dir", str(archive_dir), "snapshot", url, "--versions")
    assert code == 0 and "response" in out
    image = next(u for u, s in catalog.ARTICLES.items() if s.kind == "image")
    target = tmp_path / "image.bin"
    code, _out, err = run(capsys, "--dir", str(archive_dir), "snapshot", image, "-o", str(target))
    assert code == 0 and "written to" in err
    assert target.read_bytes()[:2] in (b"\x89P", b"\xff\xd8")


def test_snapshot_of_an_unarchived_url(
    capsys: pytest.CaptureFixture[str], archive_dir: Path
) -> None:
    code, _out, err = run(capsys, "--dir", str(archive_dir), "snapshot", "https://nowhere.example/")
    assert code == 2 and "was not captured" in err
    code, _out, err = run(
        capsys, "--dir", str(archive_dir), "snapshot", "https://nowhere.example/", "--versions"
    )
    assert code == 2 and "was not captured" in err


# -- export, verify, stats --------------------------------------------------------------------


def test_export_jsonl_to_stdout_and_file(
    capsys: pytest.CaptureFixture[str], archive_dir: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, "--dir", str(archive_dir), "export")
    assert code == 0 and "exported" in err
    records = [json.loads(line) for line in out.splitlines()]
    with Archive(archive_dir) as arc:
        assert [r["event_id"] for r in records] == arc.event_ids()
    assert all(isinstance(r["sources"], list) and "texts" in r for r in records)
    target = tmp_path / "events.jsonl"
    code, _out, _err = run(
        capsys, "--dir", str(archive_dir), "export", "-o", str(target), "--tag", "Weather"
    )
    assert code == 0 and len(target.read_text().splitlines()) == 1


def test_export_parquet_loads_with_pandas_one_row_per_event(
    capsys: pytest.CaptureFixture[str], archive_dir: Path, tmp_path: Path
) -> None:
    pandas = pytest.importorskip("pandas")
    target = tmp_path / "events.parquet"
    code, _out, err = run(
        capsys, "--dir", str(archive_dir), "export", "--format", "parquet", "-o", str(target)
    )
    assert code == 0, err
    frame = pandas.read_parquet(target)
    with Archive(archive_dir) as arc:
        events = arc.events()
    assert len(frame) == len(events)
    assert list(frame["event_id"]) == [e.event_id for e in events]
    first = frame.iloc[0]
    assert len(first["sources"]) == len(events[0].sources)
    assert list(first["texts"]) == events[0].texts


def test_verify_passes_on_a_whole_archive(
    capsys: pytest.CaptureFixture[str], archive_dir: Path
) -> None:
    code, out, _ = run(capsys, "--dir", str(archive_dir), "verify")
    assert code == 0 and "OK: archive verified" in out
    code, out, _ = run(capsys, "--dir", str(archive_dir), "--json", "verify")
    report = json.loads(out)
    assert report["ok"] and report["index_rows"] > 0
    assert all(f["records"] == f["digests_checked"] for f in report["files"])


def test_stats_text_and_json(capsys: pytest.CaptureFixture[str], archive_dir: Path) -> None:
    code, out, _ = run(capsys, "--dir", str(archive_dir), "stats")
    failed = _failed_domain(archive_dir)
    assert code == 0 and "provenance" in out and failed in out
    code, out, _ = run(capsys, "--dir", str(archive_dir), "stats", "--json")
    data = json.loads(out)
    with Archive(archive_dir) as arc:
        assert data["by_provenance"] == dict(arc.outcome_counts())
    assert failed in {d["domain"] for d in data["domains"] if d["dead"] or d["recovered"]}


def test_serve_answers_then_stops(
    capsys: pytest.CaptureFixture[str], archive_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, str] = {}

    def probe(servers: ReaderServers) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(servers.reader_url, timeout=10) as response:
            seen["page"] = response.read().decode()

    monkeypatch.setattr(ReaderServers, "wait", probe)
    code, out, _ = run(capsys, "--dir", str(archive_dir), "serve", "--port", "0")
    assert code == 0 and "Reader: http://127.0.0.1:" in out
    assert "events" in seen["page"]


# -- an archive with a truncated WARC file ----------------------------------------------------


def test_verify_reports_the_truncated_warc(
    capsys: pytest.CaptureFixture[str], truncated: tuple[Path, int]
) -> None:
    copy, size = truncated
    code, out, _ = run(capsys, "--dir", str(copy), "verify")
    assert code == 1 and "FAILED" in out and "truncated" in out
    code, out, _ = run(capsys, "--dir", str(copy), "--json", "verify")
    report = json.loads(out)
    cut = [f for f in report["files"] if f["truncated_at"] is not None]
    assert len(cut) == 1 and cut[0]["truncated_at"] <= size
    assert any("not found in" in p for p in report["index_problems"])


def test_other_commands_keep_working_on_what_is_intact(
    capsys: pytest.CaptureFixture[str], truncated: tuple[Path, int], tmp_path: Path
) -> None:
    copy, size = truncated
    for argv in (["events"], ["stats"], ["search", "flood"], ["export", "-o", str(tmp_path / "x")]):
        code, _out, err = run(capsys, "--dir", str(copy), *argv)
        assert code == 0, (argv, err)
    code, _out, _err = run(capsys, "--dir", str(copy), "show", _an_event(copy))
    assert code == 0
    with Archive(copy) as arc:
        rows = arc.index.captures("response")
    whole = next(r for r in rows if r.offset + r.length <= size and r.status == 200)
    lost = next(r for r in rows if r.offset >= size)
    code, out, _ = run(capsys, "--dir", str(copy), "snapshot", whole.url, "--headers")
    assert code == 0 and out.startswith("HTTP 200")
    code, _out, err = run(capsys, "--dir", str(copy), "snapshot", lost.url)
    assert code == 1 and "damaged archive" in err and "truncated" in err


# -- terminal output helpers ------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_table_fits_the_width_by_cutting_the_flexible_column() -> None:
    rows = [("2021-03-09/an-id", "x" * 200)]
    lines = table(rows, ("event", "headline"), width=60, flex=1).splitlines()
    assert all(len(line) <= 60 for line in lines) and lines[2].endswith("…")
    assert table(rows, ("event", "headline")).splitlines()[2].endswith("x")


def test_progress_bar_draws_only_on_a_terminal() -> None:
    plain, tty = io.StringIO(), _Tty()
    for stream in (plain, tty):
        with Progress(4, "work", stream) as bar:
            for _ in range(4):
                bar.advance()
    assert plain.getvalue() == ""
    assert "100.0%" in tty.getvalue() and tty.getvalue().endswith("\n")
