"""Unit tests for the event-page parsers, event ids and the document-kind guesser."""

from __future__ import annotations

import dataclasses
import datetime
import random
import re
from collections.abc import Callable

import pytest

from crawler.doctype import guess_kind
from crawler.eventid import SLUG_MAX, event_id
from crawler.eventpage import (
    DayIndex,
    Event,
    ParseResult,
    RelatedLink,
    SourceLink,
    parse_html,
    parse_markdown,
    parse_page,
)

# All pages below are fictional: an invented harbour town, invented publishers, .example hosts.

SITE = "https://timeline.example"
PAGE_URL = f"{SITE}/news/2031/3/7/veltmoor-harbour-authority-reopens-the-north-quay.md"
DAY_URL = f"{SITE}/news/2031/3/7/index.md"

HEADLINE = (
    "The harbour authority of Veltmoor reopens the north quay after a three-week dredging "
    "operation, ahead of the spring ferry timetable."
)
LEDE = "Dredgers removed silt left by the January storm surge, the port operator says."

STORM_URL = (
    f"{SITE}/news/2031/1/18/storm-surge-floods-the-veltmoor-waterfront-and-silts-the-quay.md"
)
FERRY_URL = f"{SITE}/news/2031/2/2/ferry-operators-announce-the-spring-timetable.md"

EVENT_MD = f"""### [2031-3-7](/news/2031/3/7/index.md)

# {HEADLINE} 

{LEDE}


### Source:

1. [Veltmoor Gazette](http://www.veltmoor-gazette.example/news/2031/03/quay-reopens.html)
2. [Coastal Freight Weekly](https://freight-weekly.example/articles/north-quay-dredging)
3. [Harbour Notice](http://harbour.example/notices/2031-07.pdf)
3. [Cover Image](http://img.veltmoor-gazette.example/2031/03/Quay%20Dawn.JPG)

### Related:

1. [Storm surge floods the Veltmoor waterfront and silts the quay. ](/news/2031/1/18/storm-surge-floods-the-veltmoor-waterfront-and-silts-the-quay.md) _Context: Veltmoor, Storms_
2. [Ferry operators announce the spring timetable. ](/news/2031/2/2/ferry-operators-announce-the-spring-timetable.md) _Context: Ferries_
"""  # noqa: W291, E501

EVENT_HTML = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Timeline | Veltmoor</title>
<script>var tracker = "<h1>not a headline</h1>";</script></head>
<body>
<header class="site"><a class="logo" href="/">Timeline</a>
  <nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li></ul></nav>
</header>
<article class="event">
  <h3><a href="/news/2031/3/7/index.md">2031-3-7</a></h3>
  <h1>{HEADLINE}</h1>
  <p>{LEDE}</p>
  <h3>Source:</h3>
  <ol>
    <li><a href="http://www.veltmoor-gazette.example/news/2031/03/quay-reopens.html">Veltmoor
      Gazette</a></li>
    <li><a href="https://freight-weekly.example/articles/north-quay-dredging">Coastal Freight
      Weekly</a></li>
    <li><a href="http://harbour.example/notices/2031-07.pdf">Harbour Notice</a></li>
    <li><a href="http://img.veltmoor-gazette.example/2031/03/Quay%20Dawn.JPG">Cover Image</a></li>
  </ol>
  <h3>Related:</h3>
  <ol>
    <li><a href="/news/2031/1/18/storm-surge-floods-the-veltmoor-waterfront-and-silts-the-quay.md"
      >Storm surge floods the Veltmoor waterfront and silts the quay. </a>
      <em>Context: Veltmoor, Storms</em></li>
    <li><a href="/news/2031/2/2/ferry-operators-announce-the-spring-timetable.md">Ferry operators
      announce the spring timetable. </a> <em>Context: Ferries</em></li>
  </ol>
</article>
<footer><ul><li><a href="/contact">Contact</a></li><li><a href="/feed">Feed</a></li></ul>
<p>Fictional timeline, all rights reserved.</p></footer>
</body></html>
"""

EXPECTED_SOURCES = (
    SourceLink(
        1,
        "Veltmoor Gazette",
        "http://www.veltmoor-gazette.example/news/2031/03/quay-reopens.html",
        "document",
    ),
    SourceLink(
        2,
        "Coastal Freight Weekly",
        "https://freight-weekly.example/articles/north-quay-dredging",
        "document",
    ),
    SourceLink(3, "Harbour Notice", "http://harbour.example/notices/2031-07.pdf", "document"),
    SourceLink(
        4, "Cover Image", "http://img.veltmoor-gazette.example/2031/03/Quay%20Dawn.JPG", "image"
    ),
)
EXPECTED_RELATED = (
    RelatedLink(
        STORM_URL,
        "Storm surge floods the Veltmoor waterfront and silts the quay.",
        ("Veltmoor", "Storms"),
    ),
    RelatedLink(FERRY_URL, "Ferry operators announce the spring timetable.", ("Ferries",)),
)

SAFE_ID = re.compile(r"(?:\d{4}-\d{2}-\d{2}|undated)/[a-z0-9][a-z0-9-]*")


def md_event(body: str, url: str = PAGE_URL) -> tuple[Event, tuple[str, ...]]:
    """Parse markdown that must give an event; return it with the warnings."""
    result = parse_markdown(body, url)
    assert result.event is not None, result.warnings
    assert result.day_index is None
    return result.event, result.warnings


def html_event(body: str, url: str = PAGE_URL) -> tuple[Event, tuple[str, ...]]:
    """Parse HTML that must give an event; return it with the warnings."""
    result = parse_html(body, url)
    assert result.event is not None, result.warnings
    assert result.day_index is None
    return result.event, result.warnings


def md_page(sources: str = "", related: str = "", lede: str = "A short lede.") -> str:
    """Build a small markdown event page from list bodies."""
    parts = ["### [2031-3-7](/news/2031/3/7/index.md)", "", "# Quay works resume", ""]
    if lede:
        parts += [lede, ""]
    if sources:
        parts += ["### Source:", "", sources, ""]
    if related:
        parts += ["### Related:", "", related, ""]
    return "\n".join(parts)


# --------------------------------------------------------------------------------------------
# The reference page in both formats
# --------------------------------------------------------------------------------------------


def test_markdown_event_fields() -> None:
    """Every field of the reference markdown page is parsed, with no warnings."""
    event, warnings = md_event(EVENT_MD)
    assert warnings == ()
    assert event.url == PAGE_URL
    assert event.date == datetime.date(2031, 3, 7)
    assert event.headline == HEADLINE
    assert event.lede == LEDE
    assert event.sources == EXPECTED_SOURCES
    assert event.related == EXPECTED_RELATED
    assert event.day_index_url == DAY_URL
    assert event.event_id == event_id(PAGE_URL, datetime.date(2031, 3, 7))
    assert event.event_id.startswith(
        "2031-03-07/veltmoor-harbour-authority-reopens-the-north-quay-"
    )


def test_html_event_equals_markdown_event() -> None:
    """The HTML rendering (with site chrome and a script) gives the same Event."""
    event, warnings = html_event(EVENT_HTML)
    assert warnings == ()
    assert event == md_event(EVENT_MD)[0]


def _variant_no_article(page: str) -> str:
    return page.replace('<article class="event">', "<div>").replace("</article>", "</div>")


def _variant_h2_ul_sources(page: str) -> str:
    page = page.replace("<h3>Source:</h3>", "<h2>Sources:</h2>")
    page = page.replace("<h3>Related:</h3>", "<h4>Related</h4>")
    return page.replace("<ol>", "<ul>").replace("</ol>", "</ul>")


def _variant_upper_source(page: str) -> str:
    return page.replace("<h3>Source:</h3>", "<h3><strong>SOURCE</strong></h3>")


@pytest.mark.parametrize(
    "variant", [_variant_no_article, _variant_h2_ul_sources, _variant_upper_source]
)
def test_html_variants_equal_markdown(variant: Callable[[str], str]) -> None:
    """Heading levels, ul/ol, spelling of 'Source' and a missing wrapper do not matter."""
    event, warnings = html_event(variant(EVENT_HTML))
    assert warnings == ()
    assert event == md_event(EVENT_MD)[0]


def test_markdown_heading_variants() -> None:
    """Markdown accepts '## Sources', '#### Source' and setext-free headings alike."""
    body = EVENT_MD.replace("### Source:", "## Sources").replace("### Related:", "#### Related")
    assert md_event(body)[0] == md_event(EVENT_MD)[0]


def test_parse_page_dispatch() -> None:
    """parse_page picks HTML by content type or by sniffing, markdown otherwise."""
    reference = md_event(EVENT_MD)[0]
    for body, ctype in [
        (EVENT_MD, None),
        (EVENT_MD, "text/markdown; charset=utf-8"),
        (EVENT_MD, "text/plain"),
        (EVENT_MD, "application/octet-stream"),
        (EVENT_HTML, None),
        (EVENT_HTML, "text/html; charset=UTF-8"),
        (EVENT_HTML, "text/plain"),
        (EVENT_MD, "text/html"),
        ("<article class='event'>" + EVENT_HTML.split('<article class="event">')[1], None),
    ]:
        result = parse_page(body, PAGE_URL, ctype)
        assert result.event == reference, (ctype, result.warnings)


def test_results_are_frozen() -> None:
    """Results are immutable dataclasses holding tuples."""
    event = md_event(EVENT_MD)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.headline = "changed"  # type: ignore[misc]
    assert isinstance(event.sources, tuple) and isinstance(event.related, tuple)
    assert isinstance(event.related[0].context, tuple)


# --------------------------------------------------------------------------------------------
# Quirks
# --------------------------------------------------------------------------------------------


def test_repeated_list_numbers_use_list_order() -> None:
    """Positions follow the list order, not the printed numbers."""
    body = md_page(
        "1. [A](http://a.example/1)\n1. [B](http://b.example/2)\n1. [C](http://c.example/3)"
    )
    event, _ = md_event(body)
    assert [(s.position, s.label) for s in event.sources] == [(1, "A"), (2, "B"), (3, "C")]


def test_image_sources_both_forms() -> None:
    """'[Cover Image](x.JPG)' and '![alt](x)' are images; a linked thumbnail is not."""
    body = md_page(
        "1. [Cover Image](http://img.example/quay.JPG)\n"
        "2. ![Quay at dawn](http://img.example/photo?id=7)\n"
        "3. ![](https://img.example/dawn.jpeg)\n"
        "4. [![thumb](http://img.example/t.png)](http://gazette.example/story.html)"
    )
    event, warnings = md_event(body)
    assert warnings == ()
    assert [(s.label, s.kind) for s in event.sources] == [
        ("Cover Image", "image"),
        ("Quay at dawn", "image"),
        ("", "image"),
        ("thumb", "document"),
    ]
    assert event.sources[3].url == "http://gazette.example/story.html"

    html = (
        "<article class='event'><h3>2031-3-7</h3><h1>Quay works resume</h1><h3>Source:</h3>"
        "<ol><li><a href='http://img.example/quay.JPG'>Cover Image</a></li>"
        "<li><img src='http://img.example/photo?id=7' alt='Quay at dawn'></li>"
        "<li><img src='https://img.example/dawn.jpeg'></li>"
        "<li><a href='http://gazette.example/story.html'><img src='http://img.example/t.png' "
        "alt='thumb'></a></li></ol></article>"
    )
    html_ev, html_warnings = html_event(html)
    assert html_warnings == ()
    assert html_ev.sources == event.sources


def test_truncated_slugs_are_kept() -> None:
    """A related link whose slug was cut at ~150 characters is resolved untouched."""
    slug = ("harbour-master-confirms-that-the-north-quay-will-stay-closed-" * 3)[:150]
    body = md_page(
        "1. [Gazette](http://gazette.example/a.html)",
        f"1. [Quay stays closed. ](/news/2031/2/20/{slug}.md) _Context: Veltmoor_",
    )
    event, _ = md_event(body)
    assert event.related[0].url == f"{SITE}/news/2031/2/20/{slug}.md"
    rid = event_id(event.related[0].url, datetime.date(2031, 2, 20))
    name = rid.split("/")[1]
    assert len(name) <= SLUG_MAX + 9 and not name.startswith("-")
    assert name.rsplit("-", 1)[0] in slug


def test_relative_links_resolve_against_page() -> None:
    """Site-relative, ../ and scheme-relative links resolve; absolute ones are only stripped."""
    body = md_page(
        "1. [Abs]( http://gazette.example/x.html )\n"
        "2. [Site](/archive/quay.html)\n"
        "3. [Up](../6/earlier.md)\n"
        "4. [Here](sibling.md)\n"
        "5. [Cdn](//cdn.example/img/quay.png)",
    )
    event, warnings = md_event(body)
    assert warnings == ()
    assert [s.url for s in event.sources] == [
        "http://gazette.example/x.html",
        f"{SITE}/archive/quay.html",
        f"{SITE}/news/2031/3/6/earlier.md",
        f"{SITE}/news/2031/3/7/sibling.md",
        "https://cdn.example/img/quay.png",
    ]
    html = (
        "<h3>2031-3-7</h3><h1>Quay works resume</h1><h3>Source</h3><ol>"
        "<li><a href='\n http://gazette.example/x.html \t'>Abs</a></li>"
        "<li><a href='../6/earlier.md'>Up</a></li></ol>"
    )
    html_ev, _ = html_event(html)
    assert [s.url for s in html_ev.sources] == [
        "http://gazette.example/x.html",
        f"{SITE}/news/2031/3/6/earlier.md",
    ]


def test_bad_schemes_and_invalid_urls_are_dropped_with_warnings() -> None:
    """javascript:, mailto: and malformed URLs are dropped; positions keep list order."""
    body = md_page(
        "1. [Script](javascript:alert(1))\n"
        "2. [Mail](mailto:desk@gazette.example)\n"
        "3. [Typo](htp:/x)\n"
        "4. [Hostless](http://)\n"
        "5. [Bad port](http://gazette.example:99999/x)\n"
        "6. [Spaces in host](http://gaz ette.example/x)\n"
        "7. [Fine](http://gazette.example/fine.html)\n"
        "8. Just a label with no link"
    )
    event, warnings = md_event(body)
    assert event.sources == (SourceLink(7, "Fine", "http://gazette.example/fine.html", "document"),)
    assert "source 1: unsupported URL 'javascript:alert(1)'" in warnings
    assert "source 2: unsupported URL 'mailto:desk@gazette.example'" in warnings
    assert "source 3: invalid URL 'htp:/x'" in warnings
    assert "source 4: invalid URL 'http://'" in warnings
    assert "source 5: invalid URL 'http://gazette.example:99999/x'" in warnings
    assert any(w.startswith("source 6: invalid URL") for w in warnings)
    assert "source 8: no link in 'Just a label with no link'" in warnings


def test_stray_blank_lines_inside_lists() -> None:
    """Blank lines between list items do not end the list."""
    body = md_page(
        "1. [A](http://a.example/1)\n\n\n2. [B](http://b.example/2)\n\n3. [C](http://c.example/3)",
        "1. [R1](/news/2031/1/1/r1.md) _Context: X_\n\n\n2. [R2](/news/2031/1/2/r2.md)",
    )
    event, _ = md_event(body)
    assert [s.label for s in event.sources] == ["A", "B", "C"]
    assert [r.summary for r in event.related] == ["R1", "R2"]


def test_wrapped_list_items_continue() -> None:
    """A list item wrapped onto an indented or lazy continuation line stays one item."""
    body = md_page(
        "1. [Veltmoor\n   Gazette](http://gazette.example/1)\n2. [Freight](http://f.example/2)",
        "1. [Storm surge floods the\nwaterfront. ](/news/2031/1/18/s.md)\n   _Context: Storms_",
    )
    event, _ = md_event(body)
    assert [s.label for s in event.sources] == ["Veltmoor Gazette", "Freight"]
    assert event.related[0].summary == "Storm surge floods the waterfront."
    assert event.related[0].context == ("Storms",)


def test_crlf_and_bom() -> None:
    """CRLF (and old-Mac CR) line endings and a leading BOM parse like plain LF."""
    reference = md_event(EVENT_MD)[0]
    assert md_event("\ufeff" + EVENT_MD.replace("\n", "\r\n"))[0] == reference
    assert md_event(EVENT_MD.replace("\n", "\r"))[0] == reference
    assert parse_page("\ufeff" + EVENT_MD, PAGE_URL).event == reference
    assert parse_page("\ufeff" + EVENT_HTML, PAGE_URL).event == reference


def test_missing_related_source_and_lede() -> None:
    """Missing sections give empty fields; only a missing Source section is warned about."""
    no_related, warnings = md_event(md_page("1. [A](http://a.example/1)"))
    assert no_related.related == () and warnings == ()

    no_source, warnings = md_event(md_page(related="1. [R](/news/2031/1/1/r.md)"))
    assert no_source.sources == () and warnings == ("no Source section",)

    no_lede, warnings = md_event(md_page("1. [A](http://a.example/1)", lede=""))
    assert no_lede.lede == "" and warnings == ()

    html = "<article class='event'><h3>2031-3-7</h3><h1>Quay works resume</h1></article>"
    bare, warnings = html_event(html)
    assert (bare.lede, bare.sources, bare.related) == ("", (), ())
    assert warnings == ("no Source section",)


def test_empty_source_section_is_warned() -> None:
    """A Source heading with nothing usable under it is reported."""
    event, warnings = md_event(md_page("1. [Mail](mailto:x@y.example)"))
    assert event.sources == ()
    assert "Source section has no usable links" in warnings


def test_summaries_whitespace_and_missing_context() -> None:
    """Summary whitespace is collapsed and stripped; a missing _Context:_ gives ()."""
    body = md_page(
        "1. [A](http://a.example/1)",
        "1. [  Quay   reopens\tfor ferries.   ](/news/2031/3/1/q.md)\n"
        "2. [Dredging starts. ](/news/2031/2/1/d.md) *Context:  Veltmoor ,  Ports ,*\n"
        "3. [No tags here](/news/2031/2/3/n.md) _Context:_",
    )
    event, _ = md_event(body)
    assert event.related[0] == RelatedLink(
        f"{SITE}/news/2031/3/1/q.md", "Quay reopens for ferries.", ()
    )
    assert event.related[1].context == ("Veltmoor", "Ports")
    assert event.related[2].context == ()


def test_emphasis_and_nested_brackets_in_labels() -> None:
    """Markdown emphasis is removed and nested or escaped brackets survive in labels."""
    body = md_page(
        "1. [*The Quay* Review](http://a.example/1)\n"
        "2. [Veltmoor [Evening] Post](http://b.example/2)\n"
        "3. [**Freight** \\[weekly\\] __digest__](http://c.example/3)\n"
        "4. [snake_case_name &amp; co](http://d.example/4)"
    )
    event, _ = md_event(body)
    assert [s.label for s in event.sources] == [
        "The Quay Review",
        "Veltmoor [Evening] Post",
        "Freight [weekly] digest",
        "snake_case_name & co",
    ]


def test_urls_with_parentheses() -> None:
    """Wikipedia-style URLs with parentheses are kept whole, in markdown and HTML."""
    wiki = "https://en.wikipedia.org/wiki/Veltmoor_(town)"
    body = md_page(
        f"1. [Veltmoor (town)]({wiki})\n"
        '2. [Quay](https://en.wikipedia.org/wiki/North_Quay_(Veltmoor)_(1902) "title")\n'
        f"3. <{wiki}#History>\n"
        f"4. See {wiki.replace('Veltmoor', 'Brackfield')}."
    )
    event, warnings = md_event(body)
    assert warnings == ()
    assert [s.url for s in event.sources] == [
        wiki,
        "https://en.wikipedia.org/wiki/North_Quay_(Veltmoor)_(1902)",
        f"{wiki}#History",
        "https://en.wikipedia.org/wiki/Brackfield_(town)",
    ]
    assert event.sources[0].label == "Veltmoor (town)"
    html = f"<h3>2031-3-7</h3><h1>Quay</h1><h3>Source:</h3><ol><li><a href='{wiki}'>W</a></li></ol>"
    assert html_event(html)[0].sources[0].url == wiki


def test_duplicate_sources_keep_first() -> None:
    """A source URL cited twice is kept once (first position) with a warning."""
    body = md_page(
        "1. [Gazette](http://gazette.example/a.html)\n"
        "2. [Freight](http://f.example/b.html)\n"
        "3. [Gazette again](http://gazette.example/a.html)"
    )
    event, warnings = md_event(body)
    assert [(s.position, s.label) for s in event.sources] == [(1, "Gazette"), (2, "Freight")]
    assert warnings == (
        "source 3: duplicate URL 'http://gazette.example/a.html' (same as source 1)",
    )


def test_links_in_headline_and_lede_become_text() -> None:
    """Headline and lede keep link text only, with whitespace collapsed; paragraphs kept."""
    body = (
        "### [2031-3-7](/news/2031/3/7/index.md)\n\n"
        "#   The [harbour authority](http://h.example/)   reopens the *north* quay  \n\n"
        "Dredgers removed [silt](http://s.example/)\nleft by the storm.\n\n"
        "A second   paragraph.\n\n### Source:\n\n1. [A](http://a.example/1)\n"
    )
    event, _ = md_event(body)
    assert event.headline == "The harbour authority reopens the north quay"
    assert event.lede == "Dredgers removed silt left by the storm.\n\nA second paragraph."
    html = (
        "<h3><a href='/news/2031/3/7/index.md'>2031-3-7</a></h3>"
        "<h1>The <a href='http://h.example/'>harbour authority</a>\n reopens the <em>north</em>"
        " quay</h1><p>Dredgers removed <a href='http://s.example/'>silt</a>\nleft by the storm."
        "</p><p>A second   paragraph.</p><h3>Source:</h3><ol><li><a href='http://a.example/1'>A"
        "</a></li></ol>"
    )
    assert html_event(html)[0] == event


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def test_date_falls_back_to_path() -> None:
    """Without a date heading the /news/YYYY/M/D/ path gives the date."""
    body = "# Quay works resume\n\n### Source:\n\n1. [A](http://a.example/1)\n"
    event, warnings = md_event(body)
    assert event.date == datetime.date(2031, 3, 7)
    assert event.day_index_url is None
    assert warnings == ()


def test_no_date_anywhere() -> None:
    """No date heading and no dated path: date None, undated id, a warning."""
    body = "# Quay works resume\n\n### Source:\n\n1. [A](http://a.example/1)\n"
    event, warnings = md_event(body, "https://timeline.example/events/quay-works.md")
    assert event.date is None
    assert event.event_id.startswith("undated/quay-works-")
    assert warnings == ("no date",)


def test_impossible_dates() -> None:
    """Impossible dates warn and give None (the path still serves when it is valid)."""
    body = md_page("1. [A](http://a.example/1)").replace("2031-3-7]", "2017-13-45]")
    event, warnings = md_event(body, "https://timeline.example/events/quay.md")
    assert event.date is None
    assert "date '2017-13-45' is not a valid date" in warnings

    event, warnings = md_event(body, "https://timeline.example/news/2017/13/45/quay.md")
    assert event.date is None
    assert "path date '2017/13/45' is not a valid date" in warnings

    event, warnings = md_event(body)
    assert event.date == datetime.date(2031, 3, 7)
    assert warnings == ("date '2017-13-45' is not a valid date",)


def test_heading_date_wins_over_path_date() -> None:
    """When heading and path disagree the heading wins, with a warning."""
    event, warnings = md_event(md_page("1. [A](http://a.example/1)"), f"{SITE}/news/2031/3/8/q.md")
    assert event.date == datetime.date(2031, 3, 7)
    assert warnings == ("date 2031-03-07 differs from path date 2031-03-08",)


def test_zero_padded_dates() -> None:
    """Zero-padded heading and path dates parse too."""
    body = md_page("1. [A](http://a.example/1)").replace("2031-3-7", "2031-03-07")
    event, warnings = md_event(body, f"{SITE}/news/2031/03/07/q.md")
    assert event.date == datetime.date(2031, 3, 7) and warnings == ()


# --------------------------------------------------------------------------------------------
# Broken pages
# --------------------------------------------------------------------------------------------

ERROR_PAGE = """<!DOCTYPE html><html><head><title>404 Not Found</title></head>
<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>
<hr><address>Apache Server at timeline.example Port 443</address></body></html>"""

NOT_EVENT = "not an event page (no date heading, Source or Related section)"


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        ("", "empty page"),
        ("  \r\n\t\n", "empty page"),
        ("\ufeff", "empty page"),
        ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "body is binary, not text"),
        ("".join(chr(i % 32) for i in range(400)), "body is binary, not text"),
        (ERROR_PAGE, NOT_EVENT),
        ("404 page not found\n", NOT_EVENT),
        ("# 404 Not Found\n\nNothing lives here.\n", NOT_EVENT),
    ],
)
def test_broken_pages_give_no_event(body: str, warning: str) -> None:
    """Empty, binary and error pages give no event and a readable warning."""
    for result in (parse_page(body, PAGE_URL), parse_markdown(body, PAGE_URL)):
        assert result.event is None and result.day_index is None
        assert result.warnings == (warning,) or warning in result.warnings
    html_result = parse_html(body, PAGE_URL)
    assert html_result.event is None and html_result.warnings


def test_page_without_headline() -> None:
    """A page with sources but no headline is an event with an empty headline and a warning."""
    body = "### [2031-3-7](/news/2031/3/7/index.md)\n\nLede only.\n\n### Source:\n\n1. [A](http://a.example/1)\n"
    event, warnings = md_event(body)
    assert event.headline == "" and event.lede == "Lede only."
    assert warnings == ("no headline",)


def test_bytes_body_does_not_raise() -> None:
    """A bytes body (wrong type) is decoded rather than crashing."""
    result = parse_page(EVENT_MD.encode(), PAGE_URL)  # type: ignore[arg-type]
    assert result.event == md_event(EVENT_MD)[0]


def test_never_raises_on_mangled_input() -> None:
    """Truncations, shuffles and random noise never raise nor hit the internal-error guard."""
    rng = random.Random(20310307)
    samples = [EVENT_MD, EVENT_HTML, DAY_MD, DAY_HTML, ERROR_PAGE]
    bodies: list[str] = []
    for sample in samples:
        bodies += [sample[:cut] for cut in range(0, len(sample), 37)]
        for _ in range(20):
            chars = list(sample)
            for _ in range(30):
                chars[rng.randrange(len(chars))] = rng.choice("[]()<>!#*_\\\n\r\x00\ufffd&;:/ ")
            bodies.append("".join(chars))
    bodies += ["[" * 5000 + "(" * 5000, "](" * 3000, "<" * 4000, "#" * 3000, "1. " * 3000]
    bodies += ["".join(chr(rng.randrange(1, 0x3000)) for _ in range(300)) for _ in range(30)]
    bodies += ["<div>" * 3000 + "x" + "</div>" * 3000, "<ol>" + "<li><a href=x>" * 500]
    for body in bodies:
        for url in (PAGE_URL, DAY_URL, "", "not a url", "http://[::1/x"):
            for result in (
                parse_page(body, url),
                parse_markdown(body, url),
                parse_html(body, url),
            ):
                assert isinstance(result, ParseResult)
                assert not any("could not be parsed" in w for w in result.warnings), result
                if result.event is not None:
                    assert SAFE_ID.fullmatch(result.event.event_id)


def test_link_destination_forms() -> None:
    """Angle-bracket targets, titles and (invalid but common) spaces in targets are handled."""
    body = md_page(
        "1. [A](<http://a.example/with space.html>)\n"
        "2. [B](http://b.example/x.html 'B title')\n"
        "3. [C](http://c.example/my file.html)\n"
        "4. [D] (http://d.example/bare.html)"
    )
    event, warnings = md_event(body)
    assert [s.url for s in event.sources] == [
        "http://a.example/with space.html",
        "http://b.example/x.html",
        "http://c.example/my file.html",
        "http://d.example/bare.html",  # not a markdown link, but a bare URL is still found
    ]
    assert warnings == ()


def test_warnings_are_capped() -> None:
    """A page with thousands of problems yields a bounded warning list."""
    body = md_page("\n".join(f"{i}. [X](http://a.example/same)" for i in range(1, 3000)))
    event, warnings = md_event(body)
    assert len(event.sources) == 1
    assert len(warnings) == 51 and warnings[-1] == "2948 more warnings not shown"


@pytest.mark.timeout(20)
def test_hostile_inputs_stay_fast() -> None:
    """Pathological bracket, emphasis and nesting patterns parse in bounded time."""
    bodies = [
        "[](" * 30000,
        "[a](http://x " * 10000,
        "**a " * 10000,
        " _a" * 10000,
        "[" * 20000 + "a" + "](http://x)" * 20000,
        "<div>" * 20000 + "x" + "</div>" * 20000,
        "### Source:\n" + "1. [A](http://a.example/x)\n" * 20000,
    ]
    for body in bodies:
        assert isinstance(parse_page(body, PAGE_URL), ParseResult)


# --------------------------------------------------------------------------------------------
# Day indexes
# --------------------------------------------------------------------------------------------

DAY_MD = """# 2031-3-7

1. [Veltmoor harbour authority reopens the north quay.](/news/2031/3/7/veltmoor-harbour-authority-reopens-the-north-quay.md)
2. [Ferry crews vote to end their strike. ](ferry-crews-vote-to-end-their-strike.md)

3. [Glassworks fire in Brackfield is put out overnight.](https://timeline.example/news/2031/3/7/glassworks-fire.md)
3. [Glassworks fire (duplicate entry)](/news/2031/3/7/glassworks-fire.md)
4. [Previous day](/news/2031/3/6/index.md)
"""  # noqa: E501

DAY_HTML = """<!DOCTYPE html><html><head><title>2031-3-7</title></head><body>
<header><nav><ol><li><a href="/">Home</a></li></ol></nav></header>
<main><h1>2031-3-7</h1>
<ol>
<li><a href="/news/2031/3/7/veltmoor-harbour-authority-reopens-the-north-quay.md">Veltmoor
 harbour authority reopens the north quay.</a></li>
<li><a href="ferry-crews-vote-to-end-their-strike.md">Ferry crews vote to end their strike.</a></li>
<li><a href="https://timeline.example/news/2031/3/7/glassworks-fire.md">Glassworks fire.</a></li>
</ol></main>
<footer><ul><li><a href="/contact">Contact</a></li></ul></footer></body></html>"""

DAY_EVENTS = (
    PAGE_URL,
    f"{SITE}/news/2031/3/7/ferry-crews-vote-to-end-their-strike.md",
    f"{SITE}/news/2031/3/7/glassworks-fire.md",
)


def test_markdown_day_index() -> None:
    """The markdown day index lists resolved, de-duplicated event URLs (no index links)."""
    result = parse_page(DAY_MD, DAY_URL)
    assert result.event is None
    assert result.day_index == DayIndex(DAY_URL, datetime.date(2031, 3, 7), DAY_EVENTS)
    assert result.warnings == ()


def test_html_day_index() -> None:
    """The HTML day index gives the same list; site chrome is ignored."""
    result = parse_page(DAY_HTML, DAY_URL)
    assert result.day_index == DayIndex(DAY_URL, datetime.date(2031, 3, 7), DAY_EVENTS)
    assert result.warnings == ()


def test_day_index_detected_by_content_and_by_path() -> None:
    """A date heading over a list with no Source is an index at any path; index.md always is."""
    other_url = f"{SITE}/days/2031-3-7"
    result = parse_markdown(DAY_MD, other_url)
    assert result.day_index is not None and result.day_index.date == datetime.date(2031, 3, 7)
    assert parse_page(DAY_MD, f"{SITE}/news/2031/3/7/").day_index is not None
    html_url = f"{SITE}/news/2031/3/7/index.html"
    assert parse_page(DAY_HTML.replace("<h1>2031-3-7</h1>", ""), html_url).day_index == DayIndex(
        html_url, datetime.date(2031, 3, 7), DAY_EVENTS
    )


def test_empty_and_broken_day_index() -> None:
    """A day index with no links, or with bad links, warns and still returns a DayIndex."""
    result = parse_markdown("# 2031-3-7\n\nNothing happened.\n", DAY_URL)
    assert result.day_index == DayIndex(DAY_URL, datetime.date(2031, 3, 7), ())
    assert result.warnings == ("no event links",)
    result = parse_markdown(
        "# 2031-3-7\n\n1. [X](javascript:void(0))\n2. [Y](/news/2031/3/7/y.md)\n", DAY_URL
    )
    assert result.day_index is not None
    assert result.day_index.event_urls == (f"{SITE}/news/2031/3/7/y.md",)
    assert result.warnings == ("entry 1: unsupported URL 'javascript:void(0)'",)


# --------------------------------------------------------------------------------------------
# Event ids
# --------------------------------------------------------------------------------------------

D = datetime.date(2031, 3, 7)


def test_event_id_readable_and_stable() -> None:
    """Ids are date/slug-hash, the same on every call."""
    eid = event_id(PAGE_URL, D)
    assert re.fullmatch(
        r"2031-03-07/veltmoor-harbour-authority-reopens-the-north-quay-[0-9a-f]{8}", eid
    )
    assert eid == event_id(PAGE_URL, D)
    assert eid == event_id(f"  {PAGE_URL}?utm=x#top ", D)
    assert event_id(PAGE_URL, datetime.datetime(2031, 3, 7, 12, 30)) == eid


def test_event_id_collision_free_across_hosts_and_formats() -> None:
    """Same path on two hosts, or .md vs .html, gives different ids; host case does not."""
    path = "/news/2031/3/7/quay.md"
    a = event_id(f"https://timeline.example{path}", D)
    b = event_id(f"https://mirror.example{path}", D)
    c = event_id(f"https://timeline.example{path[:-3]}.html", D)
    assert len({a, b, c}) == 3
    assert a.rsplit("-", 1)[0] == b.rsplit("-", 1)[0] == "2031-03-07/quay"
    assert event_id(f"http://TimeLine.Example{path}", D) == a
    assert event_id(f"http://user@timeline.example:8080{path}", D) == a  # port-independent


def test_event_id_slug_rules() -> None:
    """Percent-decoding, accents, index pages, empty slugs, undated and the 60-char cut."""
    assert event_id(f"{SITE}/news/2031/3/7/Caf%C3%A9%20Fire%21.md", D).startswith(
        "2031-03-07/cafe-fire-"
    )
    assert re.fullmatch(r"2031-03-07/event-[0-9a-f]{8}", event_id(DAY_URL, D))
    assert re.fullmatch(r"undated/event-[0-9a-f]{8}", event_id("https://timeline.example/", None))
    assert re.fullmatch(r"undated/event-[0-9a-f]{8}", event_id(f"{SITE}/%E2%9C%93.md", None))
    long_slug = "-".join(["harbour"] * 30)
    name = event_id(f"{SITE}/news/{long_slug}.md", None).split("/")[1]
    slug = name.rsplit("-", 1)[0]
    assert len(slug) <= SLUG_MAX and slug.endswith("harbour") and not slug.endswith("-")
    unbroken = "q" * 200
    assert len(event_id(f"{SITE}/{unbroken}", None).split("/")[1]) == SLUG_MAX + 9


NASTY_URLS = [
    "",
    " ",
    "/",
    "..",
    "../../etc/passwd",
    "http://timeline.example/../../../etc/passwd",
    "http://timeline.example/news/%2e%2e/%2e%2e/x.md",
    "http://timeline.example/a/..%2F..%2Fsecret.md",
    "file:///C:/Windows/system32/cmd.exe",
    "C:\\Users\\x\\evil.md",
    "http://timeline.example/a\\b\\c.md",
    "http://timeline.example/nul%00byte.md",
    "http://timeline.example/\x00\x01\x02.md",
    "http://[::1/broken",
    "http://user:pw@Timeline.Example:8080/x.md?q=1#f",
    "http://例え.テスト/ニュース/記事.md",
    "http://timeline.example/" + "%F0%9F%92%A5" * 50,
    "http://timeline.example/" + "a/" * 500,
    "http://timeline.example/CON.md",
    "http://timeline.example/.hidden",
    "http://timeline.example/-.-.-",
    "javascript:alert(1)",
    "//x/y/z.md",
    "\ud800\udfff",
]


def _check_safe(eid: str) -> None:
    assert SAFE_ID.fullmatch(eid), eid
    assert eid.count("/") == 1 and ".." not in eid and not eid.startswith("/")
    assert "\\" not in eid and "\x00" not in eid
    assert set(eid) <= set("abcdefghijklmnopqrstuvwxyz0123456789-/")


def test_event_ids_are_safe_for_nasty_and_random_urls() -> None:
    """Property check (hypothesis is not installed): arbitrary URLs give safe ids."""
    rng = random.Random(7)
    alphabet = "abcXYZ019-_./\\%:?#@[]()~ \t\n\x00é✓💥"
    urls = list(NASTY_URLS)
    for _ in range(3000):
        length = rng.randrange(0, 60)
        urls.append("".join(rng.choice(alphabet) for _ in range(length)))
        urls.append(
            "http://h.example/" + "".join(chr(rng.randrange(0, 0x11000)) for _ in range(20))
        )
    dates = [None, D, datetime.date(1, 1, 1), datetime.date(9999, 12, 31)]
    for url in urls:
        for date in dates:
            _check_safe(event_id(url, date))


# --------------------------------------------------------------------------------------------
# guess_kind
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "content_type", "kind"),
    [
        ("http://a.example/story.html", None, "document"),
        ("http://a.example/story.HTM", None, "document"),
        ("http://a.example/story", None, "document"),
        ("http://a.example/", None, "document"),
        ("http://a.example/story.ece", None, "document"),
        ("http://a.example/report.PDF", None, "document"),
        ("http://a.example/notes.txt", None, "document"),
        ("http://a.example/news/2031/3/7/q.md", None, "document"),
        ("http://a.example/p/Quay%20Dawn.JPG", None, "image"),
        ("http://a.example/p/x.webp?w=300", None, "image"),
        ("http://a.example/p/logo.svg#frag", None, "image"),
        ("http://a.example/v/clip.mp4", None, "other"),
        ("http://a.example/a/pod.MP3", None, "other"),
        ("http://a.example/d/data.zip", None, "other"),
        ("http://a.example/f/font.woff2", None, "other"),
        ("http://a.example/p/x.jpg", "text/html; charset=utf-8", "document"),
        ("http://a.example/story.html", "image/jpeg", "image"),
        ("http://a.example/story.html", "video/mp4", "other"),
        ("http://a.example/doc", "application/pdf", "document"),
        ("http://a.example/doc", "application/xhtml+xml", "document"),
        ("http://a.example/doc", "TEXT/PLAIN;charset=latin-1", "document"),
        ("http://a.example/doc", "text/markdown", "document"),
        ("http://a.example/doc", "application/zip", "other"),
        ("http://a.example/p/x.png", "application/octet-stream", "image"),
        ("http://a.example/p/x.png", "", "image"),
        ("http://[::1/broken.png", None, "document"),
    ],
)
def test_guess_kind(url: str, content_type: str | None, kind: str) -> None:
    """Content type wins (parameters ignored, generic types fall back); else the extension."""
    assert guess_kind(url, content_type) == kind
