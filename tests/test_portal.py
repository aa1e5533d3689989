"""Unit tests for the Current Events Portal parser, its URLs and ids, and the portal spider's args.

Every page below is fictional (invented places, publishers on .example hosts) but written in
the portal's real markup of several eras.
"""

from __future__ import annotations

import datetime
import random
import re

import pytest

from crawler.eventid import bullet_event_id
from crawler.options import OptionError
from crawler.portal import PortalPage, parse_portal
from crawler.portalurls import PortalPlan, date_from_text, day_url, month_url, page_date
from simweb import portalspec
from simweb.sites import portal as portal_site

WIKI = "https://en.wikipedia.org"
DAY_URL = f"{WIKI}/wiki/Portal:Current_events/2031_October_4"
MONTH_URL = f"{WIKI}/wiki/Portal:Current_events/October_2031"
ID_RULE = re.compile(r"\d{4}-\d{2}-\d{2}/[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{8}")


def _src(url: str, label: str) -> str:
    return f'<a rel="nofollow" class="external text" href="{url}">({label})</a>'


def _page(body: str, title: str = "Portal:Current events/2031 October 4") -> str:
    """A wiki page around `body`, with skin links that must never become events or sources."""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        '<div id="mw-navigation"><ul><li><a href="/wiki/Main_Page">Main page</a></li>'
        '<li><a class="external text" href="https://donate.example/">Donate</a></li></ul></div>'
        f'<div id="mw-content-text"><div class="mw-parser-output">{body}</div></div>'
        '<footer><ul><li><a class="external" href="https://licence.example/">Licence</a></li>'
        "</ul></footer></body></html>"
    )


# The portal since 2022: a current-events-main vevent box, bold paragraph categories.
CURRENT = _page(
    '<div class="current-events"><div role="region" id="2031_October_4"'
    ' class="current-events-main vevent"><div class="current-events-heading plainlinks">'
    '<div class="current-events-title" role="heading"><span class="summary">October&#160;4,'
    '&#160;2031<span style="display:none">&#160;(<span class="bday dtstart published updated">'
    "2031-10-04</span>)</span> (Saturday)</span></div>"
    '<ul class="current-events-navbar editlink noprint"><li><a class="external text" href="'
    f'{WIKI}/w/index.php?title=Portal:Current_events/2031_October_4&amp;action=edit">edit</a>'
    "</li></ul></div>"
    '<div class="current-events-content description">'
    "<p><b>Armed conflicts and attacks</b>\n</p>"
    '<ul><li><a href="/wiki/Velt_border_conflict" title="Velt border conflict">Velt border'
    " conflict</a>\n<ul><li>Militia fighters shell the customs post at "
    '<a href="/wiki/Harrowgate_Pass">Harrowgate Pass</a>, injuring four guards. '
    + _src("https://wire.example/harrowgate-shelling", "<i>Wire Example</i>")
    + " "
    + _src("https://daily.example/2031/10/04/pass", "Daily Example")
    + "</li></ul></li></ul>"
    "<p><b>Business and economy</b></p>"
    '<ul><li>The <a href="/wiki/Central_Bank_of_Velt">Central Bank of Velt</a> raises its'
    " main rate to 4.5%."
    + _src("https://money.example/velt-rate", "Money Example")
    + "</li></ul></div></div></div>"
)

# 2018-2021: div.current-events with a heading, a content div and content-heading categories.
BOX_2019 = _page(
    '<div class="current-events"><div class="current-events-heading">'
    '<span class="summary">October 4, 2031 (2031-10-04) (Saturday)</span>'
    '<ul class="current-events-navbar noprint"><li><a href="/w/index.php?action=edit">edit'
    "</a></li></ul></div>"
    '<div class="current-events-content">'
    '<div class="current-events-content-heading" role="heading">Disasters and accidents</div>'
    '<ul><li>A ferry runs aground off <a href="/wiki/Kell_Island">Kell Island</a>; all 212'
    " passengers are rescued." + _src("https://coast.example/ferry", "Coast Example") + "</li>"
    "</ul>"
    '<div class="current-events-content-heading" role="heading">Sports</div>'
    "<ul><li>Velt beat Ostmark 3–1 to reach the regional final."
    + _src("https://sport.example/velt-ostmark", "Sport Example")
    + "</li></ul></div></div>"
)

# The vevent variant: div.vevent, span.summary, div.description, role=heading categories.
VEVENT_DIV = _page(
    '<div class="vevent" id="2031_October_4" style="margin:0.5em 0">'
    '<div role="heading" style="font-weight:bold"><span class="summary">October 4, 2031'
    ' <span style="display:none">(<span class="bday dtstart">2031-10-04</span>)</span>'
    " (Saturday)</span></div>"
    '<div class="description">'
    '<div role="heading" style="margin-top:0.3em">Law and crime</div>'
    '<ul><li>A court in <a href="/wiki/Ostmark">Ostmark</a> jails three former ministers'
    " for fraud." + _src("https://courts.example/ostmark-ministers", "Courts Example") + "</li>"
    "</ul></div></div>"
)

# 2004-2017: table.vevent with td.description and <dl><dt> categories.
VEVENT_TABLE = _page(
    '<table class="vevent" style="width:100%"><tr><td>'
    '<span class="summary">October 4, 2031 (2031-10-04) (Saturday)</span>'
    ' <span class="noprint"><a href="/w/index.php?title=x&amp;action=edit">edit</a></span>'
    '</td></tr><tr><td class="description">'
    "<dl><dt>Politics and elections</dt></dl>"
    '<ul><li><a href="/wiki/2031_Velt_general_election">2031 Velt general election</a>'
    "<ul><li>Turnout reaches 71% as polls close across the country."
    + _src("https://vote.example/turnout", "Vote Example")
    + "</li></ul></li></ul>"
    "<dl><dt>Science</dt></dl>"
    "<ul><li>Engineers test the first tidal turbine in the Kell strait."
    + _src("https://science.example/tidal", "Science Example")
    + "</li></ul></td></tr></table>"
)

# Older plain lists: date headings, then bullets; categories as <b> paragraphs or <dl><dt>.
PLAIN = _page(
    '<div id="toc" class="toc"><ul><li><a href="#October_4,_2031">October 4</a></li></ul></div>'
    '<h2><span class="mw-headline">October 4, 2031</span></h2>'
    "<p><b>International relations</b></p>"
    "<ul><li>Velt and Ostmark reopen their border crossing after five years."
    + _src("https://border.example/reopen", "Border Example")
    + "</li></ul>"
    '<h2><span class="mw-headline">October 5, 2031</span><span class="mw-editsection">'
    '[<a href="/w/index.php?title=x&amp;action=edit&amp;section=2">edit</a>]</span></h2>'
    "<dl><dt>Health</dt></dl>"
    "<ul><li>Kell Island reports its first case of river fever, 40 km<sup>2</sup> from town."
    + _src("https://health.example/kell", "Health Example")
    + "</li></ul>",
    title="Portal:Current events/October 2031",
)


def _parse(html: str, url: str = DAY_URL) -> PortalPage:
    page = parse_portal(html, url)
    for result in page.results:
        if result.event is not None:
            assert ID_RULE.fullmatch(result.event.event_id), result.event.event_id
    return page


def test_current_markup_day_box() -> None:
    page = _parse(CURRENT)
    assert page.days == (datetime.date(2031, 10, 4),) and page.warnings == ()
    shelling, rate = page.events
    assert shelling.headline == (
        "Militia fighters shell the customs post at Harrowgate Pass, injuring four guards."
    )
    assert [(s.position, s.label, s.url) for s in shelling.sources] == [
        (1, "Wire Example", "https://wire.example/harrowgate-shelling"),
        (2, "Daily Example", "https://daily.example/2031/10/04/pass"),
    ]
    assert shelling.category == "Armed conflicts and attacks"
    assert shelling.context == ("Armed conflicts and attacks", "Velt border conflict")
    assert [(r.url, r.summary) for r in shelling.related] == [
        (f"{WIKI}/wiki/Velt_border_conflict", "Velt border conflict")
    ]
    assert shelling.date == datetime.date(2031, 10, 4) and shelling.url == DAY_URL
    assert shelling.day_index_url == DAY_URL and shelling.lede == ""
    assert rate.headline == "The Central Bank of Velt raises its main rate to 4.5%."
    assert rate.category == "Business and economy" and rate.related == ()
    assert rate.context == ("Business and economy",)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            BOX_2019,
            [
                ("Disasters and accidents", "A ferry runs aground off Kell Island; all 212"),
                ("Sports", "Velt beat Ostmark 3–1 to reach the regional final."),
            ],
        ),
        (VEVENT_DIV, [("Law and crime", "A court in Ostmark jails three former ministers")]),
        (
            VEVENT_TABLE,
            [
                ("Politics and elections", "Turnout reaches 71% as polls close"),
                ("Science", "Engineers test the first tidal turbine in the Kell strait."),
            ],
        ),
    ],
    ids=["current-events-2019", "vevent-div", "vevent-table"],
)
def test_older_day_box_variants(html: str, expected: list[tuple[str, str]]) -> None:
    page = _parse(html)
    assert page.warnings == () and page.days == (datetime.date(2031, 10, 4),)
    assert [
        (e.category, e.headline[: len(text)])
        for e, (_c, text) in zip(page.events, expected, strict=True)
    ] == expected
    for event in page.events:
        assert [s.url.split("/")[2].endswith(".example") for s in event.sources] == [True]
        assert "edit" not in event.headline


def test_table_variant_keeps_the_story_line() -> None:
    turnout = _parse(VEVENT_TABLE).events[0]
    assert turnout.context == ("Politics and elections", "2031 Velt general election")
    assert turnout.related[0].url == f"{WIKI}/wiki/2031_Velt_general_election"


def test_plain_lists_under_date_headings() -> None:
    page = _parse(PLAIN, MONTH_URL)
    assert page.warnings == ()
    assert page.days == (datetime.date(2031, 10, 4), datetime.date(2031, 10, 5))
    border, fever = page.events
    assert (border.date, border.category) == (datetime.date(2031, 10, 4), "International relations")
    assert (fever.date, fever.category) == (datetime.date(2031, 10, 5), "Health")
    assert fever.headline == "Kell Island reports its first case of river fever, 40 km2 from town."
    assert fever.day_index_url == f"{WIKI}/wiki/Portal:Current_events/2031_October_5"
    assert border.sources[0].url == "https://border.example/reopen"


def test_plain_day_page_without_date_heading_uses_the_url_date() -> None:
    html = _page("<p><b>Sports</b></p><ul><li>Kell wins the island regatta.</li></ul>")
    (event,) = _parse(html).events
    assert event.date == datetime.date(2031, 10, 4) and event.category == "Sports"


def _day_box(day: int, body: str) -> str:
    return (
        f'<div class="current-events"><div id="2031_October_{day}"'
        ' class="current-events-main vevent"><div class="current-events-heading">'
        f'<span class="summary">October {day}, 2031</span></div>'
        f'<div class="current-events-content description">{body}</div></div></div>'
    )


NESTED_DAY_5 = (
    "<p><b>Disasters and accidents</b></p><ul>"
    '<li><a href="/wiki/2031_Kell_floods">2031 Kell floods</a>, '
    '<a href="/wiki/Kell_River">Kell River</a>'
    '<ul><li><a href="/wiki/Kell_water_crisis">Kell water crisis</a>'
    "<ul><li>Kell's water plant is shut after flooding."
    + _src("https://water.example/plant", "Water Example")
    + "</li><li>Bottled water is handed out in the old town."
    + _src("https://water.example/bottles", "Water Example")
    + "</li></ul></li>"
    "<li>The Kell River peaks at 6.2 metres."
    + _src("https://river.example/peak", "River Example")
    + "</li></ul></li>"
    '<li><a class="new" href="/w/index.php?title=Harbin_dam&amp;action=edit&amp;redlink=1">'
    "Harbin dam</a><ul><li>Engineers inspect the Harbin dam for cracks."
    + _src("https://dam.example/inspect", "Dam Example")
    + "</li></ul></li></ul>"
)
MONTH = _page(
    _day_box(4, CURRENT.split('description">', 1)[1].split("</div></div></div>")[0])
    + _day_box(5, NESTED_DAY_5)
    + _day_box(6, ""),
    title="Portal:Current events/October 2031",
)


def test_month_page_with_nested_bullets() -> None:
    page = _parse(MONTH, MONTH_URL)
    assert page.days == tuple(datetime.date(2031, 10, d) for d in (4, 5, 6))
    assert page.warnings == ("2031-10-06: no events",)
    day5 = [e for e in page.events if e.date == datetime.date(2031, 10, 5)]
    assert [e.headline for e in day5] == [
        "Kell's water plant is shut after flooding.",
        "Bottled water is handed out in the old town.",
        "The Kell River peaks at 6.2 metres.",
        "Engineers inspect the Harbin dam for cracks.",
    ]
    plant, bottles, peak, dam = day5
    assert plant.context == (
        "Disasters and accidents",
        "2031 Kell floods",
        "Kell River",
        "Kell water crisis",
    )
    assert bottles.context == plant.context
    assert [(r.url, r.context) for r in plant.related] == [
        (f"{WIKI}/wiki/2031_Kell_floods", ("Disasters and accidents",)),
        (f"{WIKI}/wiki/Kell_River", ("Disasters and accidents",)),
        (
            f"{WIKI}/wiki/Kell_water_crisis",
            ("Disasters and accidents", "2031 Kell floods", "Kell River"),
        ),
    ]
    assert peak.context == ("Disasters and accidents", "2031 Kell floods", "Kell River")
    assert dam.context == ("Disasters and accidents", "Harbin dam") and dam.related == ()


def test_month_page_and_day_page_give_the_same_ids() -> None:
    month = {e.event_id: e for e in _parse(MONTH, MONTH_URL).events}
    for event in _parse(CURRENT).events:
        assert month[event.event_id].headline == event.headline
        assert month[event.event_id].sources == event.sources


def test_day_without_sources() -> None:
    html = _page(
        _day_box(4, "<p><b>Arts and culture</b></p><ul><li>The Kell museum reopens.</li></ul>")
    )
    page = _parse(html)
    (result,) = page.results
    assert result.event is not None and result.event.sources == ()
    assert result.warnings == ("no source links",)
    assert page.warnings == ()


def test_source_cited_twice_on_one_day() -> None:
    shared = "https://wire.example/kell-storm"
    html = _page(
        _day_box(
            4,
            "<ul><li>A storm cuts power to Kell."
            + _src(shared, "Wire")
            + "</li><li>Kell's schools close for the day."
            + _src(shared, "Wire")
            + _src(shared, "Wire again")
            + "</li></ul>",
        )
    )
    power, schools = _parse(html).results
    assert power.event is not None and schools.event is not None
    assert [s.url for s in power.event.sources] == [shared]
    assert [s.url for s in schools.event.sources] == [shared]
    assert schools.warnings == (f"duplicate source URL '{shared}'",)
    assert power.event.event_id != schools.event.event_id


def test_identical_bullets_get_distinct_stable_ids() -> None:
    bullet = "<li>Kell votes." + _src("https://vote.example/kell", "Vote") + "</li>"
    html = _page(_day_box(4, f"<ul>{bullet}{bullet}</ul>"))
    first, second = (e.event_id for e in _parse(html).events)
    assert first != second
    assert first == bullet_event_id(datetime.date(2031, 10, 4), "Kell votes.")
    assert second == bullet_event_id(datetime.date(2031, 10, 4), "Kell votes.", 2)
    assert [e.event_id for e in _parse(html).events] == [first, second]


def test_bullet_ids_are_readable_and_depend_on_date_and_text() -> None:
    day = datetime.date(2031, 10, 4)
    text = "Élodie Marchetti wins the Ostmark mayoral race by 212 votes, a recount confirms."
    event_id = bullet_event_id(day, text)
    assert event_id.startswith("2031-10-04/elodie-marchetti-wins-the-ostmark-mayoral-race-by-")
    assert ID_RULE.fullmatch(event_id)
    assert bullet_event_id(day, "  " + text.replace(" ", "\n ")) == event_id
    assert bullet_event_id(day + datetime.timedelta(days=1), text) != event_id
    assert bullet_event_id(day, "!!!").startswith("2031-10-04/event-")


def test_summary_reduces_links_and_drops_sources_and_hidden_parts() -> None:
    html = _page(
        _day_box(
            4,
            '<ul><li><a href="/wiki/Kell">Kell</a> elects a new mayor<sup class="reference">'
            '<a href="#cite-1">[1]</a></sup>, <a class="extiw" href="https://fr.example.org/'
            'wiki/Kell">Kell</a> notes<span style="display:none">hidden</span> ('
            '<a class="external text" rel="nofollow" href="https://mayor.example/">Mayor News'
            "</a>).</li></ul>",
        )
    )
    (event,) = _parse(html).events
    assert event.headline == "Kell elects a new mayor, Kell notes."
    assert [(s.label, s.url) for s in event.sources] == [("Mayor News", "https://mayor.example/")]


def test_links_to_the_wiki_itself_are_not_sources() -> None:
    html = _page(
        _day_box(
            4,
            "<ul><li>Kell floods."
            f'<a class="external text" href="{WIKI}/w/index.php?title=Kell">(talk)</a>'
            + _src("https://flood.example/", "Flood")
            + "</li></ul>",
        )
    )
    (result,) = _parse(html).results
    assert result.event is not None
    assert [s.url for s in result.event.sources] == ["https://flood.example/"]
    assert result.warnings == ("source link skipped: a link to the wiki itself",)


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        (
            _page(
                "<p>Kell is an island in the north.</p><ul><li>Geography</li></ul>", title="Kell"
            ),
            "no Current events day box, dated heading or day page URL found",
        ),
        (_page(_day_box(4, "")), "2031-10-04: no events"),
        ("", "empty page"),
        ("\x00\x01\x02binary\xff" * 200, "body is binary, not text"),
    ],
    ids=["no-day-box", "empty-day", "empty", "binary"],
)
def test_broken_pages_give_warnings_not_events(body: str, warning: str) -> None:
    url = f"{WIKI}/wiki/Kell" if "Kell is an island" in body else DAY_URL
    page = parse_portal(body, url)
    assert page.events == ()
    assert warning in page.warnings


def test_day_box_without_a_date_on_a_month_page() -> None:
    html = _page(
        '<div class="vevent"><div class="description"><ul><li>Undated.</li></ul></div></div>'
    )
    page = parse_portal(html, MONTH_URL)
    assert page.events == () and page.warnings == ("day box 1 has no date; skipped",)


def test_garbage_never_raises() -> None:
    rng = random.Random(20311004)
    pieces = [CURRENT, MONTH, PLAIN, VEVENT_TABLE, "<ul><li>", "</div>", "<dl><dt>", "\x00"]
    for _ in range(300):
        text = "".join(
            rng.choice(pieces)[rng.randrange(0, 400) :][: rng.randrange(0, 900)]
            for _ in range(rng.randrange(1, 6))
        )
        page = parse_portal(text, rng.choice([DAY_URL, MONTH_URL, "not a url"]))
        assert isinstance(page, PortalPage)
    assert parse_portal(b"<html>" * 3, DAY_URL).events == ()  # type: ignore[arg-type]
    assert parse_portal(None, DAY_URL).warnings  # type: ignore[arg-type]


def test_the_simulated_portal_parses_into_its_spec() -> None:
    for day in portalspec.DAYS:
        page = parse_portal(portal_site.day_page(day), day.url)
        assert page.days == (day.date,)
        assert len(page.results) == len(day.bullets)
        for bullet, result in zip(day.bullets, page.results, strict=True):
            event = result.event
            assert event is not None
            assert event.headline == bullet.summary
            assert event.category == bullet.category and event.context == bullet.context
            assert tuple(r.url for r in event.related) == bullet.related
            assert [(s.label, s.url) for s in event.sources] == list(bullet.sources)
    month = parse_portal(portal_site.month_page(portalspec.DAYS), portalspec.MONTH_URL)
    days = [parse_portal(portal_site.day_page(d), d.url) for d in portalspec.DAYS]
    assert [e.event_id for e in month.events] == [e.event_id for p in days for e in p.events]


def test_related_topics_are_shared_across_days() -> None:
    topic = portalspec.article_url("2021 Orvane floods")
    sharing = {
        day.date
        for day in portalspec.DAYS
        for event in parse_portal(portal_site.day_page(day), day.url).events
        if topic in {r.url for r in event.related}
    }
    assert sharing == {datetime.date(2021, 3, d) for d in (9, 10, 11)}


# -- URLs, dates and the spider's arguments ------------------------------------------------


def test_portal_urls_and_dates() -> None:
    day = datetime.date(2017, 10, 4)
    assert day_url(WIKI, day) == f"{WIKI}/wiki/Portal:Current_events/2017_October_4"
    assert month_url(WIKI + "/", 2017, 10) == f"{WIKI}/wiki/Portal:Current_events/October_2017"
    assert page_date(day_url(WIKI, day)) == ("day", day)
    assert page_date(f"{WIKI}/wiki/Portal:Current%20events/2017%20October%204") == ("day", day)
    assert page_date(month_url(WIKI, 2017, 10)) == ("month", datetime.date(2017, 10, 1))
    assert page_date(f"{WIKI}/wiki/Portal:Current_events/2017_February_30") == ("day", None)
    assert page_date(f"{WIKI}/wiki/Kell") == (None, None)
    for text in (
        "October 4, 2017 (Wednesday)",
        "4 October 2017",
        "2017 October 4",
        "x (2017-10-04) y",
        "october 4 2017",
    ):
        assert date_from_text(text) == day, text
    assert date_from_text("Armed conflicts and attacks") is None
    assert date_from_text("February 30, 2017") is None


def test_plan_builds_day_and_month_pages() -> None:
    plan = PortalPlan.from_args("2017-09-29", "2017-10-02")
    assert plan.urls() == [
        day_url(WIKI, datetime.date(2017, 9, 29)),
        day_url(WIKI, datetime.date(2017, 9, 30)),
        day_url(WIKI, datetime.date(2017, 10, 1)),
        day_url(WIKI, datetime.date(2017, 10, 2)),
    ]
    months = PortalPlan.from_args("2017-09-29", "2017-11-02", "http://mirror.example/", "month")
    assert months.urls() == [month_url("http://mirror.example", 2017, m) for m in (9, 10, 11)]
    assert PortalPlan.from_args("2017-10-04", None).urls() == [
        day_url(WIKI, datetime.date(2017, 10, 4))
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((None, None), "no dates: give -a from=YYYY-MM-DD"),
        (("2017-10-32", None), "-a from='2017-10-32': use a date as YYYY-MM-DD"),
        (("2017-10-04", "2017-10-01"), "-a from=2017-10-04 is after -a to=2017-10-01"),
        (("2017-10-04", None, "ftp://x"), "-a portal='ftp://x': give the portal's http(s)"),
        (("2017-10-04", None, None, "week"), "-a pages='week': use one of day, month"),
    ],
)
def test_plan_errors_name_the_fix(args: tuple[str | None, ...], message: str) -> None:
    with pytest.raises(OptionError, match=re.escape(message)):
        PortalPlan.from_args(*args)


def test_spider_arguments() -> None:
    from spiders.portal import PortalSpider

    spider = PortalSpider(**{"from": "2021-03-09", "to": "2021-03-10", "portal": WIKI})
    assert spider.options.start_urls == (
        portalspec.day_url(datetime.date(2021, 3, 9)),
        portalspec.day_url(datetime.date(2021, 3, 10)),
    )
    assert spider.options.depth == 0
    assert spider.options.in_window(datetime.date(2021, 3, 10))
    assert not spider.options.in_window(datetime.date(2021, 3, 11))
    with pytest.raises(OptionError, match="-a start: the portal spider takes -a from"):
        PortalSpider(**{"from": "2021-03-09", "start": WIKI})


def test_story_line_with_its_own_source_is_an_event_too() -> None:
    html = _page(
        _day_box(
            4,
            '<ul><li><a href="/wiki/Kell_strike">Kell strike</a>: ferry crews walk out.'
            + _src("https://ferry.example/strike", "Ferry")
            + "<ul><li>Island shops run short of milk."
            + _src("https://ferry.example/milk", "Ferry")
            + "</li></ul></li></ul>",
        )
    )
    line, leaf = _parse(html).events
    assert line.headline == "Kell strike: ferry crews walk out." and line.context == ()
    assert leaf.context == ("Kell strike",)
    assert [r.url for r in leaf.related] == [f"{WIKI}/wiki/Kell_strike"]
