"""`scrapy extract`: the pure logic (crawler.savedpages) and the command run as users run it."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.evalset.pdfwriter import make_pdf
from crawler.savedpages import (
    ROW_KEYS,
    FileText,
    UnreadableFile,
    extract_files,
    load_document,
    read_body,
    write_results,
)

ROOT = Path(__file__).resolve().parent.parent
_SCRIPT = Path(sys.executable).with_name("scrapy")  # the virtualenv's `scrapy`
SCRAPY = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "scrapy"]

SITE = "Millbrook Courier"
URL = "https://www.millbrook-courier.example/news/2024/05/02/flood-wall-finished"
# A reader-funding box the site puts inside every article body: one page alone cannot tell
# it from the story, three pages of the site can.
SHARED = (
    "The Millbrook Courier is paid for by its readers: become a member from four pounds a"
    " month and keep local reporting alive."
)
NAV = (
    '<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>'
    '<li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav>'
)
ASIDE = (
    '<aside><h2>Most read</h2><ul><li><a href="/a">Council approves new car park</a></li>'
    '<li><a href="/b">Rovers win the derby at Hexham</a></li></ul></aside>'
)
FOOTER = (
    "<footer><p>© 2024 Millbrook Courier Ltd. All rights reserved.</p>"
    '<p><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer>'
)
# A saved script-rendered page: the shell, no text until a browser runs the script.
APP_SHELL = (
    '<html><head><meta charset="utf-8"><title>Millbrook Courier</title></head><body>'
    '<div id="app"></div><script src="/static/app.js"></script></body></html>'
)

FLOOD = (
    "Flood defences on the River Mill finished two months early",
    [
        "Engineers completed the new flood wall along the River Mill on Tuesday, two months"
        " ahead of the schedule agreed with the Environment Agency last spring.",
        "The wall, which runs for 1.2 kilometres between the old tannery and the railway"
        " bridge, is designed to hold back a flood of the kind the town last saw in 2007.",
        "Residents of Weir Street, where more than forty homes were flooded that year, said"
        ' the work had been noisy but worth it. "We can sleep through a wet night again,"'
        " said Joan Treloar, 71.",
        "The council said the final cost, 14.6 million pounds, was within the budget, and"
        " that the footpath along the top of the wall would open to walkers in June.",
    ],
)
LIBRARY = (
    "Millbrook library reopens after a year of repairs",
    [
        "The town library on Market Square reopened on Saturday after a year-long repair of"
        " its roof, which had leaked since a storm in the winter of 2022.",
        "Hundreds of readers queued before the doors opened at nine, and the children's"
        " corner, moved to the first floor, was full within the hour.",
        "The librarian, Tom Ashdown, said that 3,000 books damaged by the water had been"
        " replaced with the help of a grant from the county.",
    ],
)
KEEPER = (
    "Rovers sign a new goalkeeper from the county league",
    [
        "Millbrook Rovers have signed the goalkeeper Sam Okafor from Penrith Athletic on a"
        " two-year contract, the club announced on Thursday evening.",
        "Okafor, 24, kept eighteen clean sheets last season and was named the county league's"
        " player of the year by the supporters' association.",
        "The manager, Rita Calloway, said he would start against Hexham on Saturday, when the"
        " club hopes for its first home win since February.",
    ],
)
MARCHE = (
    "Le marché couvert de Lurençon rouvre ses portes",
    [
        "Après dix-huit mois de travaux, le marché couvert de Lurençon a rouvert samedi matin,"
        " et les premiers clients faisaient déjà la queue devant la halle à sept heures.",
        "La charpente métallique, datée de 1896, a été entièrement restaurée, et une verrière"
        " neuve laisse désormais entrer la lumière au-dessus des étals de fromages.",
        "« Nous avons retrouvé nos habitudes du samedi », se réjouit Mireille Fabre, qui vend"
        " ses légumes sur le même emplacement depuis trente ans.",
    ],
)


def article(
    story: tuple[str, list[str]],
    *,
    lang: str = "en",
    titled: bool = True,
    charset: str | None = "utf-8",
) -> str:
    """A news page: header and nav, the article (with the site's funding box), aside, footer.

    In-process tests keep the charset declared: for an undeclared page, ``decode_body`` (like
    Scrapy's ``TextResponse``) takes a path of w3lib 2.6 that raises a DeprecationWarning,
    an error under this suite's settings; the command is run on one instead.
    """
    title, paragraphs = story
    body = "".join(f"<p>{p}</p>" for p in paragraphs[:2]) + f"<p>{SHARED}</p>"
    body += "".join(f"<p>{p}</p>" for p in paragraphs[2:])
    head_title = f"<title>{title} | {SITE}</title>" if titled else ""
    heading = f"<h1>{title}</h1>" if titled else ""
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head>{meta}{head_title}'
        '<meta name="author" content="Ada Penhallow">'
        '<meta property="article:published_time" content="2024-05-02T08:00:00Z">'
        f'</head><body><header><a href="/" class="logo">{SITE}</a>{NAV}</header>'
        f'<main><article>{heading}<p class="byline">By Ada Penhallow</p>{body}</article></main>'
        f"{ASIDE}{FOOTER}</body></html>"
    )


def write(folder: Path, name: str, page: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(page.encode("utf-8") if isinstance(page, str) else page)
    return path


def pdf_report() -> bytes:
    """A two-page bulletin with a running head and page numbers (running heads need two)."""
    findings = [
        f"Station {n} recorded {n * 3 + 9} micrograms of fine particulate matter per cubic metre"
        f" at its afternoon peak, and readings at the station returned to the normal"
        f" background level by ten in the evening."
        for n in range(1, 7)
    ]
    return make_pdf(
        "Air quality around the Tarnholm refinery after the fire",
        "Ministry of Environment",
        "2024-05-20",
        "Ministry of Environment - Air quality bulletin",
        [
            "The Ministry has deployed four mobile air quality stations around the Tarnholm"
            " refinery following the fire that broke out in a distillation unit on 14 May.",
            *findings,
            "No exceedance of the hourly limit values for sulphur dioxide or nitrogen dioxide"
            " was recorded at any station during the week after the fire.",
        ],
    )


@pytest.fixture
def three_pages(tmp_path: Path) -> list[Path]:
    """Three pages of one site, each with the site's funding box inside the article."""
    return [
        write(tmp_path, f"{name}.html", article(story))
        for name, story in (("flood", FLOOD), ("library", LIBRARY), ("keeper", KEEPER))
    ]


# -- the pure logic: crawler.savedpages --------------------------------------------------------


def test_read_body_undoes_gzip_by_magic_bytes_whatever_the_name(tmp_path: Path) -> None:
    page = article(FLOOD).encode()
    assert read_body(write(tmp_path, "page.html", page)) == page
    assert read_body(write(tmp_path, "page.html.gz", gzip.compress(page))) == page
    assert read_body(write(tmp_path, "saved-page", gzip.compress(page))) == page


def test_unreadable_files_say_why(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="No such file or directory"):
        read_body(tmp_path / "missing.html")
    with pytest.raises(UnreadableFile, match="Is a directory"):
        read_body(tmp_path)
    cut = gzip.compress(article(FLOOD).encode())[:60]
    with pytest.raises(UnreadableFile, match="not a readable gzip file"):
        read_body(write(tmp_path, "cut.html.gz", cut))


def test_load_document_decodes_html_as_the_crawl_and_keeps_pdf_bytes(tmp_path: Path) -> None:
    # no HTTP header for a file: the <meta> charset decides, as for a response without one
    page = article(MARCHE, lang="fr", charset="windows-1252").encode("cp1252")
    text = load_document(write(tmp_path, "marche.html", page))
    assert isinstance(text, str) and "Lurençon rouvre" in text and "« Nous avons" in text
    pdf = pdf_report()
    assert load_document(write(tmp_path, "report.pdf", pdf)) == pdf
    assert load_document(write(tmp_path, "report.pdf.gz", gzip.compress(pdf))) == pdf


def test_one_page_row_has_the_text_and_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, "flood.html", article(FLOOD))
    [got] = extract_files([str(path)], URL)
    assert got.status == "ok"
    row = got.row()
    assert tuple(row) == ROW_KEYS
    assert row["file"] == str(path) and row["url"] == URL
    assert row["title"] == FLOOD[0]
    assert row["author"] == "Ada Penhallow"
    assert row["date"] == "2024-05-02"
    assert row["language"] == "en"
    for paragraph in FLOOD[1]:
        assert paragraph in row["text"]
    assert SHARED in row["text"]  # one page alone: the funding box looks like the story
    for chrome in ("Most read", "All rights reserved", "Opinion"):
        assert chrome not in row["text"]
    [nourl] = extract_files([str(path)])
    assert nourl.row()["url"] is None and nourl.text == got.text


def test_pdf_goes_to_pypdf(tmp_path: Path) -> None:
    [got] = extract_files([str(write(tmp_path, "bulletin", pdf_report()))])
    row = got.row()
    assert row["status"] == "ok"
    assert row["title"] == "Air quality around the Tarnholm refinery after the fire"
    assert row["author"] == "Ministry of Environment" and row["date"] == "2024-05-20"
    assert "four mobile air quality stations" in row["text"]
    assert "Air quality bulletin" not in row["text"]  # the running head is dropped


def test_error_and_empty_rows(tmp_path: Path) -> None:
    shell = write(tmp_path, "app.html", APP_SHELL)
    missing, empty = extract_files([str(tmp_path / "gone.html"), str(shell)])
    assert missing.row() == {
        "file": str(tmp_path / "gone.html"),
        "url": None,
        "status": "error",
        "text": "",
        "title": None,
        "author": None,
        "date": None,
        "language": None,
        "reason": "No such file or directory",
    }
    assert empty.status == "empty" and empty.row()["text"] == "" and "reason" not in empty.row()


def test_site_statistics_drop_the_block_the_pages_share(three_pages: list[Path]) -> None:
    files = [str(p) for p in three_pages]
    alone = list(extract_files(files, URL))
    together = list(extract_files(files, URL, site_min_pages=3))
    assert [r.status for r in alone + together] == ["ok"] * 6
    for one, both, story in zip(alone, together, (FLOOD, LIBRARY, KEEPER), strict=True):
        assert SHARED in one.text and SHARED not in both.text
        for paragraph in story[1]:
            assert paragraph in both.text
    # two pages of a site are not enough for a block on three pages
    for got in extract_files(files[:2], URL, site_min_pages=3):
        assert SHARED in got.text


def test_untitled_pages_of_one_url_still_count_as_several(tmp_path: Path) -> None:
    # An untitled page's identity is its URL: one --url for all would make them one page.
    files = [
        str(write(tmp_path, f"{n}.html", article(story, titled=False)))
        for n, story in enumerate((FLOOD, LIBRARY, KEEPER))
    ]
    got = list(extract_files(files, URL, site_min_pages=3))
    assert [g.status for g in got] == ["ok"] * 3
    for one, story in zip(got, (FLOOD, LIBRARY, KEEPER), strict=True):
        assert SHARED not in one.text and one.text.startswith(story[1][0])


def test_site_mode_keeps_errors_and_pdfs_in_order(three_pages: list[Path], tmp_path: Path) -> None:
    pdf = write(tmp_path, "bulletin.pdf", pdf_report())
    files = [str(three_pages[0]), str(tmp_path / "gone.html"), str(pdf), *map(str, three_pages[1:])]
    got = list(extract_files(files, site_min_pages=3))
    assert [g.file for g in got] == files
    assert [g.status for g in got] == ["ok", "error", "ok", "ok", "ok"]
    assert "four mobile air quality stations" in got[2].text
    assert all(SHARED not in g.text for g in got)


def _ok(tmp_path: Path, name: str, story: tuple[str, list[str]]) -> FileText:
    [got] = extract_files([str(write(tmp_path, name, article(story)))])
    return FileText(name, None, got.status, got.result)


def test_write_results_text_mode_is_like_head(tmp_path: Path) -> None:
    results = [
        _ok(tmp_path, "a.html", FLOOD),
        FileText("gone.html", None, "error", reason="No such file or directory"),
        FileText("app.html", None, "empty"),
    ]
    out, err = io.StringIO(), io.StringIO()
    assert write_results(results, out, err, headers=True) is False
    text = out.getvalue()
    assert text.startswith("==> a.html <==\nEngineers completed the new flood wall")
    assert text.endswith("open to walkers in June.\n\n==> app.html <==\n")
    assert "gone.html" not in text
    assert err.getvalue() == (
        "scrapy extract: gone.html: No such file or directory\n"
        "scrapy extract: app.html: no text found\n"
    )
    out = io.StringIO()
    assert write_results(results[:1], out, io.StringIO()) is True
    assert not out.getvalue().startswith("==>")


def test_write_results_json_mode_one_line_per_file(tmp_path: Path) -> None:
    results = [
        _ok(tmp_path, "a.html", FLOOD),
        FileText("gone.html", None, "error", reason="No such file or directory"),
    ]
    out, err = io.StringIO(), io.StringIO()
    assert write_results(results, out, err, as_json=True, headers=True) is False
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["status"] for r in rows] == ["ok", "error"] and err.getvalue() == ""
    assert rows[0]["title"] == FLOOD[0] and rows[1]["reason"] == "No such file or directory"


# -- the command, as users run it --------------------------------------------------------------


def scrapy_extract(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `scrapy extract ARGS` from the project's root; no traffic may leave loopback."""
    netguard = tmp_path / "netguard.log"
    env = dict(os.environ, NETGUARD_LOG=str(netguard), PYTHONIOENCODING="utf-8")
    result = subprocess.run(
        [*SCRAPY, "extract", *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert not netguard.exists() or netguard.read_text() == ""
    return result


def test_command_prints_the_text_of_one_page(tmp_path: Path) -> None:
    result = scrapy_extract(tmp_path, write(tmp_path, "flood.html", article(FLOOD)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == FLOOD[1][:2]
    assert result.stdout.rstrip("\n").endswith(FLOOD[1][-1])
    assert "==>" not in result.stdout and "Most read" not in result.stdout
    assert result.stderr == ""  # no crawl log lines for a text tool


def test_command_heads_each_of_several_files(tmp_path: Path, three_pages: list[Path]) -> None:
    result = scrapy_extract(tmp_path, *three_pages)
    assert result.returncode == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith("==> ")]
    assert headers == [f"==> {p} <==" for p in three_pages]
    sections = result.stdout.split("\n\n==> ")
    assert len(sections) == 3
    assert LIBRARY[1][0] in sections[1] and KEEPER[1][-1] in sections[2]


def test_command_json_rows(tmp_path: Path) -> None:
    flood = write(tmp_path, "flood.html", article(FLOOD))
    marche = write(tmp_path, "marche.html", article(MARCHE, lang="fr-FR"))
    result = scrapy_extract(tmp_path, "--json", "--url", URL, flood, marche)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [tuple(row) for row in rows] == [ROW_KEYS, ROW_KEYS]
    assert rows[0]["file"] == str(flood) and rows[0]["url"] == URL
    assert rows[0]["status"] == "ok" and rows[0]["title"] == FLOOD[0]
    assert rows[0]["language"] == "en" and rows[0]["author"] == "Ada Penhallow"
    assert rows[0]["date"] == "2024-05-02"
    assert rows[0]["text"].startswith(FLOOD[1][0])
    assert rows[1]["title"] == MARCHE[0] and rows[1]["language"] == "fr"
    assert "« Nous avons retrouvé nos habitudes du samedi »" in rows[1]["text"]
    assert rows[1]["url"] == URL  # one --url: the address of every file given


def test_command_reads_gzip_and_pdf(tmp_path: Path) -> None:
    saved = write(tmp_path, "flood.html.gz", gzip.compress(article(FLOOD).encode()))
    pdf = write(tmp_path, "bulletin.pdf", pdf_report())
    result = scrapy_extract(tmp_path, "--json", saved, pdf)
    assert result.returncode == 0, result.stderr
    html_row, pdf_row = (json.loads(line) for line in result.stdout.splitlines())
    assert html_row["status"] == "ok" and html_row["title"] == FLOOD[0]
    assert FLOOD[1][2] in html_row["text"]
    assert pdf_row["title"] == "Air quality around the Tarnholm refinery after the fire"
    assert "No exceedance of the hourly limit values" in pdf_row["text"]


def test_command_detects_the_charset_of_an_undeclared_page(tmp_path: Path) -> None:
    page = write(tmp_path, "marche.html", article(MARCHE, lang="fr", charset=None))
    assert b"charset" not in page.read_bytes()
    result = scrapy_extract(tmp_path, page)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith(MARCHE[1][0])
    assert "« Nous avons retrouvé nos habitudes du samedi »" in result.stdout


def test_command_missing_file_is_an_error_row_and_exit_1(tmp_path: Path) -> None:
    flood = write(tmp_path, "flood.html", article(FLOOD))
    missing = tmp_path / "not-saved.html"
    result = scrapy_extract(tmp_path, "--json", missing, flood)
    assert result.returncode == 1
    error, ok = (json.loads(line) for line in result.stdout.splitlines())
    assert error == {
        "file": str(missing),
        "url": None,
        "status": "error",
        "text": "",
        "title": None,
        "author": None,
        "date": None,
        "language": None,
        "reason": "No such file or directory",
    }
    assert ok["status"] == "ok" and ok["text"].startswith(FLOOD[1][0])
    text_mode = scrapy_extract(tmp_path, missing, flood)
    assert text_mode.returncode == 1
    assert f"{missing}: No such file or directory" in text_mode.stderr
    assert f"==> {flood} <==\n{FLOOD[1][0]}" in text_mode.stdout
    assert str(missing) not in text_mode.stdout


def test_command_empty_page_exits_1(tmp_path: Path) -> None:
    shell = write(tmp_path, "app.html", APP_SHELL)
    result = scrapy_extract(tmp_path, "--json", shell)
    assert result.returncode == 1
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert row["status"] == "empty" and row["text"] == "" and "reason" not in row


def test_command_site_drops_the_shared_paragraph(tmp_path: Path, three_pages: list[Path]) -> None:
    alone = scrapy_extract(tmp_path, "--json", *three_pages)
    site = scrapy_extract(tmp_path, "--json", "--site", *three_pages)
    assert alone.returncode == site.returncode == 0, alone.stderr + site.stderr
    alone_rows = [json.loads(line) for line in alone.stdout.splitlines()]
    site_rows = [json.loads(line) for line in site.stdout.splitlines()]
    for before, after, story in zip(alone_rows, site_rows, (FLOOD, LIBRARY, KEEPER), strict=True):
        assert SHARED in before["text"]
        assert SHARED not in after["text"]
        assert after["text"] == "\n".join(story[1])
    # the threshold is the crawl's setting: four pages needed, three given, nothing dropped
    strict = scrapy_extract(
        tmp_path, "--site", "-s", "ARCHIVE_BOILERPLATE_MIN_PAGES=4", *three_pages
    )
    assert strict.returncode == 0 and strict.stdout.count(SHARED) == 3


def test_command_usage_errors_exit_2(tmp_path: Path) -> None:
    bare = scrapy_extract(tmp_path)
    assert bare.returncode == 2
    assert "scrapy extract [--url URL] [--json] [--site] FILE" in bare.stdout
    typo = scrapy_extract(tmp_path, "--jsn", tmp_path / "x.html")
    assert typo.returncode == 2 and "no such option: --jsn" in typo.stderr
