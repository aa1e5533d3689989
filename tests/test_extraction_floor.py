"""The floor under our extraction: a page plain trafilatura gets right must not come out worse.

One test per class of failure seen on real news pages, each rebuilt as a fictional page: an
old table-layout page, an article between a headline list and a copyright line, a reprint
notice beside the story, a standings table that is the story, a round-up of short result
lines, and a page whose site statistics prune every block (or all but one). Every test first
checks that plain ``trafilatura.extract(html, include_comments=False)`` gives the article's
key sentences (so the page is a fair case), then that ``extract_article`` gives them too, and
that the navigation, footer or notice text that plain trafilatura leaves out stays out of ours.
Unit tests of the pure extraction function, no crawl.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest
import trafilatura

from crawler.boilerplate import SiteHint, boilerplate_blocks, page_blocks
from crawler.extraction import extract_article, parse_html

# --------------------------------------------------------------------------- helpers


def _flat(text: str) -> str:
    """Spaces and line breaks collapsed: a sentence broken over lines by ``<br>`` still matches."""
    return " ".join(text.split())


def _missing(text: str, sentences: Iterable[str]) -> list[str]:
    flat = _flat(text)
    return [s for s in sentences if _flat(s) not in flat]


def _found(text: str, fragments: Iterable[str]) -> list[str]:
    flat = _flat(text)
    return [f for f in fragments if _flat(f) in flat]


def plain_text(html: str) -> str:
    """Plain trafilatura on the page: the floor our pipeline must reach."""
    return trafilatura.extract(html, include_comments=False) or ""


def our_text(
    html: str,
    url: str,
    site: SiteHint | Mapping[str, Any] | None = None,
    event: Mapping[str, Any] | None = None,
) -> str:
    """Our pipeline's clean text for the page; fails the test when it finds no article."""
    result = extract_article(html, url, event=event, site=site)
    assert result is not None, f"extract_article found no article on {url}"
    return result.text


def assert_fair_case(html: str, key: Iterable[str], chrome: Iterable[str] = ()) -> str:
    """Plain trafilatura gives every key sentence and none of ``chrome``: a page it gets right."""
    plain = plain_text(html)
    missing = _missing(plain, key)
    assert not missing, f"plain trafilatura misses {missing}: not a fair case\n{plain}"
    kept = _found(plain, chrome)
    assert not kept, f"plain trafilatura keeps {kept}: not a fair case\n{plain}"
    return plain


def assert_has(text: str, key: Iterable[str]) -> None:
    """Our text holds every key sentence."""
    missing = _missing(text, key)
    assert not missing, f"our text misses {missing}; it was:\n{text}"


def assert_lacks(text: str, chrome: Iterable[str]) -> None:
    """Our text holds none of the page's chrome."""
    kept = _found(text, chrome)
    assert not kept, f"our text keeps {kept}; it was:\n{text}"


# --------------------------------------------------------------------------- 1. table layout

TABLE_LAYOUT_URL = "http://www.millbrookcourier.example/news/2004/03/11/footbridge.html"
#: The story as the old CMS printed it: <br>-separated paragraphs in one <font>, then bare <p>s.
_TABLE_STORY = """
            <font face="Arial, Helvetica" size="4"><b>Council votes to reopen Station Road
            footbridge</b></font><br>
            <font face="Arial, Helvetica" size="1" color="#666666">By Harold Penistone,
            Courier Staff Writer</font><br><br>
            <font face="Times New Roman, Times" size="3">
            MILLBROOK &mdash; The footbridge over the railway at Station Road, closed since a
            delivery lorry struck one of its supports in October, will reopen before the
            summer after the town council voted 7-2 on Tuesday night to pay for the repairs
            out of its reserve fund.<br><br>
            The bridge is the only crossing of the line between the High Street and the
            Ashgrove estate, and since it closed pupils walking to Millbrook Middle School
            have faced a detour of almost a mile along the Ferris Lane underpass.<br><br>
            Engineers from Dunmore &amp; Hale told councillors in January that the steel span
            itself was sound but that the damaged pier would have to be rebuilt from its
            footings, at an estimated cost of $186,000.<br><br>
            Councillor Agnes Tremlett, who represents the Ashgrove ward, said parents had
            stopped her in the street every week since the closure. "People have been very
            patient, but you cannot ask an eleven-year-old to walk a mile in the dark along a
            road with no pavement," she said.<br><br>
            The two councillors who voted against the plan, Walter Greaves and Deborah Nunn,
            argued that the town should wait for the railway company's insurers, who have
            not yet accepted that the lorry's owner was at fault.
            </font>
            <p><font face="Times New Roman, Times" size="3">Town manager Philip Ostrander said
            the council would still pursue the insurers, and that any money recovered would be
            returned to the reserve fund rather than spent elsewhere.</font></p>
            <p><font face="Times New Roman, Times" size="3">Work on the new pier is expected
            to begin in April, and the contractor has been told to finish before the school
            year ends on June 18.</font></p>
"""


def _table_layout(story: str) -> str:
    """A 2004 page: nested layout tables, a left column of section links, a footer row."""
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<title>Millbrook Courier - Council votes to reopen Station Road footbridge</title>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<meta name="keywords" content="Millbrook, council, footbridge, Station Road, railway">
<meta name="description" content="Local news from the Millbrook Courier.">
<link rel="stylesheet" href="/css/courier.css" type="text/css">
<script language="JavaScript" src="/js/rollover.js"></script>
</head>
<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="760" border="0" cellspacing="0" cellpadding="0" align="center">
  <tr>
    <td colspan="2"><a href="/"><img src="/images/masthead.gif" width="760" height="90"
      border="0" alt="The Millbrook Courier"></a></td>
  </tr>
  <tr>
    <td colspan="2" bgcolor="#003366" height="20"><font face="Verdana" size="1"
      color="#FFFFFF">&nbsp;Thursday, March 11, 2004 &nbsp;|&nbsp; Serving the Millbrook
      valley since 1911</font></td>
  </tr>
  <tr>
    <td width="150" valign="top" bgcolor="#E8E8E8">
      <table width="150" border="0" cellspacing="0" cellpadding="4">
        <tr><td><font face="Verdana" size="1"><b>SECTIONS</b></font></td></tr>
        <tr><td><a href="/news/"><font face="Verdana" size="1">Local News</font></a></td></tr>
        <tr><td><a href="/sports/"><font face="Verdana" size="1">Sports</font></a></td></tr>
        <tr><td><a href="/business/"><font face="Verdana" size="1">Business</font></a></td></tr>
        <tr><td><a href="/opinion/"><font face="Verdana" size="1">Opinion</font></a></td></tr>
        <tr><td><a href="/obits/"><font face="Verdana" size="1">Obituaries</font></a></td></tr>
        <tr><td><a href="/classifieds/"><font face="Verdana" size="1">Classifieds</font></a>
          </td></tr>
        <tr><td><a href="/weather/"><font face="Verdana" size="1">Weather</font></a></td></tr>
        <tr><td><a href="/archives/"><font face="Verdana" size="1">Archives</font></a></td></tr>
        <tr><td><a href="/subscribe/"><font face="Verdana" size="1">Home Delivery</font></a>
          </td></tr>
        <tr><td><a href="/contact/"><font face="Verdana" size="1">Contact Us</font></a></td></tr>
        <tr><td><img src="/images/spacer.gif" width="1" height="12"></td></tr>
        <tr><td><font face="Verdana" size="1"><b>SEARCH</b></font><br>
          <form action="/cgi-bin/search.pl" method="get"><input type="text" name="q"
          size="12"><input type="submit" value="Go"></form></td></tr>
      </table>
    </td>
    <td width="610" valign="top">
      <table width="100%" border="0" cellspacing="0" cellpadding="8">
        <tr>
          <td valign="top">
{story}
            <br>
            <font face="Verdana" size="1"><a href="/news/">&laquo; Back to Local News</a>
            &nbsp;|&nbsp; <a href="javascript:window.print()">Print this story</a>
            &nbsp;|&nbsp; <a href="/cgi-bin/mailstory.pl?id=8812">E-mail this story</a>
            </font>
          </td>
        </tr>
      </table>
    </td>
  </tr>
  <tr>
    <td colspan="2" align="center" bgcolor="#E8E8E8"><font face="Verdana" size="1">
      <a href="/about/">About the Courier</a> | <a href="/advertise/">Advertise</a> |
      <a href="/privacy/">Privacy Policy</a><br>
      Copyright &copy; 2004 Millbrook Courier Publishing Company. All rights reserved.
      Material on this site may not be reproduced without permission.</font></td>
  </tr>
</table>
</body>
</html>
"""


#: The story straight in the layout cell (plain trafilatura renders the whole layout as a
#: table, chrome included), and the same story in the CMS's <div id="story"> (plain
#: trafilatura takes the div alone).
TABLE_LAYOUTS = {
    "story-in-td": (_table_layout(_TABLE_STORY), ()),
    "story-div-in-td": (
        _table_layout(f'<div id="story">{_TABLE_STORY}</div>'),
        (
            "Obituaries",
            "Classifieds",
            "Home Delivery",
            "Serving the Millbrook valley since 1911",
            "Millbrook Courier Publishing Company",
            "may not be reproduced without permission",
        ),
    ),
}
TABLE_LAYOUT_KEY = (
    "The footbridge over the railway at Station Road, closed since a delivery lorry struck one"
    " of its supports in October, will reopen before the summer",
    "pupils walking to Millbrook Middle School have faced a detour of almost a mile",
    "the damaged pier would have to be rebuilt from its footings",
    "you cannot ask an eleven-year-old to walk a mile in the dark",
    "who have not yet accepted that the lorry's owner was at fault.",
    "any money recovered would be returned to the reserve fund rather than spent elsewhere.",
    "the contractor has been told to finish before the school year ends on June 18.",
)


@pytest.mark.parametrize("layout", TABLE_LAYOUTS)
def test_old_table_layout_page_keeps_the_story(layout: str) -> None:
    html, chrome = TABLE_LAYOUTS[layout]
    assert_fair_case(html, TABLE_LAYOUT_KEY, chrome)
    text = our_text(html, TABLE_LAYOUT_URL)
    assert_has(text, TABLE_LAYOUT_KEY)
    assert_lacks(text, chrome)


# --------------------------------------------------------------------------- 2. headline list

HEADLINES_URL = "https://www.valleytribune.example/local/2023/05/17/orchard-frost-losses"
HEADLINES = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Late frost costs Corran Valley orchards half their cherry crop | Valley Tribune</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="Growers count losses after two nights below freezing.">
<meta property="og:site_name" content="Valley Tribune">
<meta property="og:type" content="article">
<link rel="canonical"
  href="https://www.valleytribune.example/local/2023/05/17/orchard-frost-losses">
</head>
<body class="story-page">
<div id="top-bar">
  <a class="logo" href="/">Valley Tribune</a>
  <ul class="menu">
    <li><a href="/local/">Local</a></li>
    <li><a href="/farming/">Farming</a></li>
    <li><a href="/sport/">Sport</a></li>
    <li><a href="/what-s-on/">What's On</a></li>
    <li><a href="/jobs/">Jobs and Careers</a></li>
  </ul>
</div>
<div id="wrapper">
  <div class="col-main article-body">
    <h1>Late frost costs Corran Valley orchards half their cherry crop</h1>
    <div class="byline">By Imogen Castellane, farming reporter &middot; 17 May 2023</div>
    <div class="story-text" style="border-top:1px dotted #ddd;padding-top:10px">
      <p>Fruit growers in the Corran Valley say they have lost about half of this year's
      cherry crop after temperatures fell to minus three degrees on two consecutive nights
      last week, just as the trees came into full blossom.</p>
      <p>The frost struck on the nights of 9 and 10 May, when clear skies followed a week of
      unusually warm weather that had brought the blossom out early across the valley.</p>
      <p>At Hollins Farm near Ellesby, Martin Abernathy walked his rows of Kordia and Sweetheart
      trees on Thursday morning and found most of the open flowers blackened at the centre.
      "You can see it straight away when you split a flower," he said. "The bit that would
      have become the cherry is brown and dead."</p>
      <p>Growers who had frost fans or overhead sprinklers fared better. The Dunstan family at
      Ridgeway Orchards ran their sprinklers through both nights, coating the blossom in ice
      that kept the flowers just above the temperature at which they are damaged.</p>
      <p>The <a href="/tags/corran-valley-fruit-growers">Corran Valley Fruit Growers'
      Association</a> estimates that losses across its forty members will come to more than
      900 tonnes, worth around two million pounds at last year's prices.</p>
      <p>Its chairwoman, Lorna Fairweather, said the association would ask the county council
      to help smaller farms pay for frost protection, which can cost tens of thousands of
      pounds a hectare to install.</p>
      <p>Apple and pear trees, which blossom later, appear to have escaped the worst of the
      cold, and pickers' jobs at the larger farms are expected to go ahead in July as
      planned.</p>
    </div>
    <div class="more-news">
      <h3>More from the Valley</h3>
      <ul class="latest">
        <li><a href="/local/2023/05/17/bypass-inquiry">Bypass inquiry to reopen in autumn</a>
          <span>Planning inspector asks for new traffic counts on the A614.</span></li>
        <li><a href="/sport/2023/05/16/corran-rfc">Corran RFC promoted after final-day win</a>
          <span>A late try at Ellesby sealed the title by a single point.</span></li>
        <li><a href="/local/2023/05/16/library-hours">Library opening hours cut from June</a>
          <span>Three branches will close on Wednesdays to save staff costs.</span></li>
        <li><a href="/farming/2023/05/15/milk-price">Dairy farmers warn of milk price
          squeeze</a> <span>Buyers have lowered the price paid per litre for a third
          month.</span></li>
        <li><a href="/local/2023/05/15/bus-route">Bus route 42 saved by parish councils</a>
          <span>Five parishes will share the subsidy for the rural service.</span></li>
      </ul>
    </div>
    <p class="copyright">&copy; 2023 Valley Tribune Media Ltd. All rights reserved. No part
    of this site may be reproduced without the written permission of the publisher.</p>
  </div>
  <div class="col-right">
    <div class="advert"><span>Advertisement</span></div>
  </div>
</div>
<div id="footer" class="site-footer">
  <p><a href="/terms/">Terms and conditions</a> | <a href="/privacy/">Privacy notice</a> |
  <a href="/contact/">Contact the newsroom</a></p>
</div>
</body>
</html>
"""
HEADLINES_KEY = (
    "Fruit growers in the Corran Valley say they have lost about half of this year's cherry crop",
    "The frost struck on the nights of 9 and 10 May",
    "The bit that would have become the cherry is brown and dead.",
    "coating the blossom in ice that kept the flowers just above the temperature",
    "The Corran Valley Fruit Growers' Association estimates that losses across its forty"
    " members will come to more than 900 tonnes",
    "pickers' jobs at the larger farms are expected to go ahead in July as planned.",
)
HEADLINES_CHROME = ("What's On", "Jobs and Careers", "Terms and conditions", "Contact the newsroom")


def test_article_between_headline_list_and_copyright_line() -> None:
    assert_fair_case(HEADLINES, HEADLINES_KEY, HEADLINES_CHROME)
    text = our_text(HEADLINES, HEADLINES_URL)
    assert_has(text, HEADLINES_KEY)
    assert_lacks(text, HEADLINES_CHROME)


# --------------------------------------------------------------------------- 3. reprint notice

REPRINT_URL = "https://www.eastgateherald.example/business/2022/10/04/kiln-works-sale"
REPRINT_NOTICE = (
    "This copy is for your personal, non-commercial use only. To order copies of this"
    " article for distribution to colleagues, clients or customers, contact the Eastgate"
    " Herald reprints desk or use the Reprints link at the foot of any article."
)
REPRINT = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Kiln Works pottery sold to Norwegian tableware group - Eastgate Herald</title>
<meta name="description" content="The 140-year-old Kiln Works is bought by Fjellstad.">
<meta property="og:title" content="Kiln Works pottery sold to Norwegian tableware group">
<meta property="og:site_name" content="Eastgate Herald">
<meta name="author" content="Rupert Okonjo">
<meta property="article:published_time" content="2022-10-04T07:30:00+01:00">
</head>
<body>
<header class="masthead">
  <a href="/" class="brand">Eastgate Herald</a>
  <nav class="primary-nav">
    <a href="/news/">News</a> <a href="/business/">Business</a> <a href="/sport/">Sport</a>
    <a href="/culture/">Culture</a> <a href="/property/">Homes and Property</a>
  </nav>
</header>
<main class="page">
  <div class="article-content">
    <div class="reprint-notice">
      <p>{REPRINT_NOTICE}</p>
    </div>
    <h1>Kiln Works pottery sold to Norwegian tableware group</h1>
    <p class="dateline">By Rupert Okonjo &mdash; Tuesday 4 October 2022</p>
    <div class="article-text" style="border-top:1px solid #e4e4e4;padding-top:14px">
      <p>The Kiln Works, the pottery on Canal Street that has made plates and teapots in
      Eastgate since 1882, has been sold to the Norwegian tableware group Fjellstad for an
      undisclosed sum, the company's owners said on Monday.</p>
      <p>The sale ends more than a century of ownership by the Ravenscroft family, whose
      great-great-grandfather built the first bottle kiln on the site beside the canal.</p>
      <p>Fjellstad, which already owns factories in Bergen and in northern Portugal, said it
      would keep all 212 jobs at the works and would invest in a second electric kiln to cut
      the pottery's gas bills, which have tripled in the past year.</p>
      <p>Managing director Helen Ravenscroft said the family had looked for a buyer for two
      years. "We wanted someone who would keep making pots in Eastgate, not someone who would
      buy the name and close the factory," she said.</p>
      <p>The works' shop and museum, which draw around 40,000 visitors a year, will stay
      open, and the Ravenscroft name will remain on the back of every plate.</p>
      <p>Union officials welcomed the promise on jobs but said they would seek talks with
      the new owners about pay, which has been frozen since the spring.</p>
    </div>
  </div>
  <aside class="most-read">
    <h2>Most read</h2>
    <ol>
      <li><a href="/news/2022/10/03/ring-road">Ring road lane closures for six weeks</a></li>
      <li><a href="/sport/2022/10/02/eastgate-town">Eastgate Town sack manager</a></li>
      <li><a href="/property/2022/10/01/mill">Old flax mill to become flats</a></li>
    </ol>
  </aside>
</main>
<footer class="site-footer">
  <p>&copy; Eastgate Herald Newspapers 2022. Registered in England No. 0418877.</p>
  <p><a href="/about/">About us</a> <a href="/reprints/">Reprints</a>
  <a href="/cookies/">Cookie policy</a></p>
</footer>
</body>
</html>
"""
REPRINT_KEY = (
    "has made plates and teapots in Eastgate since 1882, has been sold to the Norwegian"
    " tableware group Fjellstad",
    "whose great-great-grandfather built the first bottle kiln",
    "it would keep all 212 jobs at the works",
    "not someone who would buy the name and close the factory",
    "the Ravenscroft name will remain on the back of every plate.",
    "about pay, which has been frozen since the spring.",
)
REPRINT_CHROME = (
    "Homes and Property",
    "Ring road lane closures",
    "Old flax mill to become flats",
    "Registered in England",
    "Cookie policy",
)


def test_reprint_notice_beside_the_article() -> None:
    assert_fair_case(REPRINT, REPRINT_KEY, REPRINT_CHROME)
    text = our_text(REPRINT, REPRINT_URL)
    # the article, not only the notice (plain trafilatura keeps the notice too: it may stay)
    assert_has(text, REPRINT_KEY)
    assert_lacks(text, REPRINT_CHROME)


# --------------------------------------------------------------------------- 4. standings table

STANDINGS_URL = "https://www.northshoresentinel.example/sport/hockey/2024/02/12/standings"
STANDINGS_ROWS = (
    ("Harbour Hawks", 24, 18, 6, 54),
    ("Pinecrest Rangers", 24, 16, 8, 48),
    ("Eastbay Mariners", 24, 14, 10, 42),
    ("Cold Spring Bears", 24, 11, 13, 33),
    ("Lindell Lakers", 24, 9, 15, 27),
    ("Quarry Town Miners", 24, 4, 20, 12),
)
_STANDINGS_TBODY = "\n".join(
    f'        <tr><td>{k}</td><td class="team">{team}</td><td>{played}</td><td>{won}</td>'
    f"<td>{lost}</td><td><strong>{points}</strong></td></tr>"
    for k, (team, played, won, lost, points) in enumerate(STANDINGS_ROWS, start=1)
)
STANDINGS = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>North Shore league standings after week 24 | North Shore Sentinel</title>
<meta name="description" content="Harbour Hawks stay six points clear at the top.">
<meta property="og:site_name" content="North Shore Sentinel">
<meta property="og:type" content="article">
</head>
<body>
<nav class="site-nav">
  <ul>
    <li><a href="/">Home</a></li><li><a href="/news/">News</a></li>
    <li><a href="/sport/">Sport</a></li><li><a href="/sport/hockey/">Hockey</a></li>
    <li><a href="/obituaries/">Death notices</a></li>
  </ul>
</nav>
<div class="container">
  <article class="story">
    <h1>North Shore league standings after week 24</h1>
    <p class="meta">Sentinel sports desk &middot; February 12, 2024</p>
    <p>The Harbour Hawks stay six points clear at the top of the North Shore senior hockey
    league after beating Lindell 4-2 on Saturday, while Quarry Town remain rooted to the
    bottom with six games left to play.</p>
    <p>Three points are awarded for a win. The top four teams qualify for the playoffs,
    which begin on March 23.</p>
    <table class="standings">
      <thead>
        <tr><th>Pos</th><th>Team</th><th>P</th><th>W</th><th>L</th><th>Pts</th></tr>
      </thead>
      <tbody>
{_STANDINGS_TBODY}
      </tbody>
    </table>
    <p class="note">Standings include all games played up to and including Sunday.</p>
  </article>
  <aside class="sidebar">
    <h2>More hockey</h2>
    <ul>
      <li><a href="/sport/hockey/2024/02/11/hawks-lindell">Hawks see off Lindell</a></li>
      <li><a href="/sport/hockey/2024/02/10/miners-coach">Miners part with coach</a></li>
    </ul>
  </aside>
</div>
<footer>
  <p>North Shore Sentinel, 18 Wharf Street, Eastbay. &copy; 2024 Sentinel Media Group.</p>
</footer>
</body>
</html>
"""
STANDINGS_KEY = (
    "The Harbour Hawks stay six points clear at the top of the North Shore senior hockey league",
    "The top four teams qualify for the playoffs, which begin on March 23.",
    "Standings include all games played up to and including Sunday.",
)
STANDINGS_CHROME = ("Death notices", "Hawks see off Lindell", "Miners part with coach", "18 Wharf")


def _rows_missing(text: str) -> list[str]:
    """Teams whose row is not in ``text``: a line with the team, then its numbers in order."""
    missing = []
    for team, *numbers in STANDINGS_ROWS:
        wanted = [str(n) for n in numbers]
        lines = [line.split(team, 1)[1] for line in text.split("\n") if team in line]
        digits = [[t for t in rest.replace("|", " ").split() if t.isdigit()] for rest in lines]
        if not any(found[: len(wanted)] == wanted for found in digits):
            missing.append(team)
    return missing


def test_standings_table_is_the_article() -> None:
    plain = assert_fair_case(STANDINGS, STANDINGS_KEY, STANDINGS_CHROME)
    assert _rows_missing(plain) == [], f"plain trafilatura lacks rows: not a fair case\n{plain}"
    text = our_text(STANDINGS, STANDINGS_URL)
    assert_has(text, STANDINGS_KEY)
    missing = _rows_missing(text)
    assert not missing, f"our text lacks the rows of {missing}; it was:\n{text}"
    assert_lacks(text, STANDINGS_CHROME)


# --------------------------------------------------------------------------- 5. results round-up

ROUNDUP_URL = "https://www.lakecountyledger.example/sports/preps/2023/10/06/thursday-roundup"


def _team(name: str) -> str:
    slug = "".join(c for c in name.lower().replace(" ", "-") if c.isalnum() or c == "-")
    return f'<a href="/sports/preps/teams/{slug}">{name}</a>'


def _result(home: str, home_score: str, away: str, away_score: str, note: str = "") -> str:
    """One result line as the page shows it (school names link to the schools' pages)."""
    line = f"{_team(home)} {home_score}, {_team(away)} {away_score}"
    return f"{line}: {note}" if note else line


#: (home, score, away, score, note) per result: girls soccer and football lines with a note,
#: each a <p>; boys soccer lines bare, each a <p>; volleyball lines bare, each an <li>.
_SOCCER = (
    ("Northfield", "3", "Lakeview", "1", "Dana Whitcombe scored twice in the second half."),
    ("St. Brendan's", "2", "Millard", "2", "Keeper Rosa Linden made eleven saves."),
    ("Cedar Ridge", "5", "Oak Hill", "0", "Five different players scored for the Hornets."),
    ("Harlow", "1", "West Bluff", "0", "Priya Anand's header in the 71st minute settled it."),
    ("Eastwood", "4", "Granger", "2", "Molly Tarrant had a hat trick for the Eagles."),
    ("Pike Valley", "2", "Sutton", "1", "Jess Okafor scored the winner in overtime."),
)
_BOYS_SOCCER = (
    ("Cedar Ridge", "4", "Harlow", "0"),
    ("West Bluff", "1", "Pike Valley", "1"),
    ("Northfield", "2", "Oak Hill", "1"),
    ("St. Brendan's", "3", "Granger", "2"),
)
_VOLLEYBALL = (
    ("Lakeview", "3", "Millard", "0"),
    ("Granger", "3", "Northfield", "1"),
    ("Oak Hill", "3", "Cedar Ridge", "2"),
    ("West Bluff", "3", "St. Brendan's", "1"),
    ("Pike Valley", "3", "Eastwood", "0"),
)
_FOOTBALL = (
    ("West Bluff", "38", "Harlow", "14", "Marcus Bell ran for 212 yards and three scores."),
    ("Sutton", "21", "Eastwood", "20", "A blocked extra point with a minute left decided it."),
    ("Pike Valley", "35", "St. Brendan's", "7", "Eli Sandoval threw four touchdown passes."),
)


def _as_text(home: str, home_score: str, away: str, away_score: str, note: str = "") -> str:
    """The same result line as text, as plain trafilatura gives it."""
    line = f"{home} {home_score}, {away} {away_score}"
    return f"{line}: {note}" if note else line


ROUNDUP_LINES = tuple(_as_text(*r) for r in (*_SOCCER, *_BOYS_SOCCER, *_VOLLEYBALL, *_FOOTBALL))


def _paragraphs(results: Iterable[tuple[str, ...]]) -> str:
    return "\n".join(f"      <p>{_result(*r)}</p>" for r in results)


def _items(results: Iterable[tuple[str, ...]]) -> str:
    items = "\n".join(f"        <li>{_result(*r)}</li>" for r in results)
    return f'      <ul class="results">\n{items}\n      </ul>'


ROUNDUP = f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="utf-8">
<title>Prep roundup: Cedar Ridge stays unbeaten in girls soccer | Lake County Ledger</title>
<meta name="description" content="Thursday's high school results from around Lake County.">
<meta property="og:site_name" content="Lake County Ledger">
<meta property="og:type" content="article">
</head>
<body>
<header id="site-header">
  <a href="/" class="logo">Lake County Ledger</a>
  <nav><a href="/news/">News</a> <a href="/sports/">Sports</a> <a href="/sports/preps/">Preps</a>
  <a href="/opinion/">Opinion</a> <a href="/eedition/">Digital replica edition</a></nav>
</header>
<div id="content">
  <article class="post">
    <h1>Prep roundup: Cedar Ridge stays unbeaten in girls soccer</h1>
    <p class="byline">By Ledger staff &middot; October 6, 2023</p>
    <div class="entry-content">
      <p>Cedar Ridge kept its perfect record in girls soccer with a 5-0 win over Oak Hill on
      Thursday, and Pike Valley needed overtime to get past Sutton. Results reported to the
      Ledger:</p>
      <h3>Girls soccer</h3>
{_paragraphs(_SOCCER)}
      <h3>Boys soccer</h3>
{_paragraphs(_BOYS_SOCCER)}
      <h3>Volleyball</h3>
{_items(_VOLLEYBALL)}
      <h3>Football</h3>
{_paragraphs(_FOOTBALL)}
      <p>Coaches can report results to the sports desk by 10 p.m. on game nights.</p>
    </div>
  </article>
  <aside class="rail">
    <h2>Trending</h2>
    <ul>
      <li><a href="/news/2023/10/05/fair">County fair attendance sets record</a></li>
      <li><a href="/news/2023/10/05/road">Route 9 repaving starts Monday</a></li>
    </ul>
  </aside>
</div>
<footer><p>&copy; 2023 Lake County Ledger. All rights reserved.</p></footer>
</body>
</html>
"""
ROUNDUP_FRAME = (
    "Cedar Ridge kept its perfect record in girls soccer with a 5-0 win over Oak Hill",
    "Coaches can report results to the sports desk by 10 p.m. on game nights.",
)
ROUNDUP_CHROME = (
    "Digital replica edition",
    "County fair attendance sets record",
    "Route 9 repaving",
    "All rights reserved",
)


#: Alone, and cited by an event about one of its results (as the crawl extracts it).
ROUNDUP_EVENTS = {
    "no-event": None,
    "event": {"headline": "Cedar Ridge girls soccer team stays unbeaten", "date": "2023-10-05"},
}


@pytest.mark.parametrize("event", ROUNDUP_EVENTS)
def test_results_roundup_keeps_most_lines(event: str) -> None:
    assert_fair_case(ROUNDUP, (*ROUNDUP_FRAME, *ROUNDUP_LINES), ROUNDUP_CHROME)
    text = our_text(ROUNDUP, ROUNDUP_URL, event=ROUNDUP_EVENTS[event])
    assert_has(text, ROUNDUP_FRAME)
    missing = _missing(text, ROUNDUP_LINES)
    kept = len(ROUNDUP_LINES) - len(missing)
    assert kept >= 0.8 * len(ROUNDUP_LINES), (
        f"our text keeps {kept} of {len(ROUNDUP_LINES)} result lines, misses {missing}:\n{text}"
    )
    # whatever else goes, the first line, a bare score line and the last line stay
    middle = ROUNDUP_LINES.index(_as_text(*_VOLLEYBALL[2]))
    assert_has(text, (ROUNDUP_LINES[0], ROUNDUP_LINES[middle], ROUNDUP_LINES[-1]))
    assert_lacks(text, ROUNDUP_CHROME)


# --------------------------------------------------------------------------- 6. pruned to nothing

PRUNED_URL = "https://www.riverbendpost.example/news/2024/06/03/ferry-timetable"
PRUNED = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Riverbend ferry to run every twenty minutes from July | Riverbend Post</title>
<meta name="description" content="A second boat joins the Riverbend ferry crossing.">
<meta property="og:site_name" content="Riverbend Post">
<meta property="og:type" content="article">
<meta name="author" content="Tomasz Wielgosz">
</head>
<body>
<div class="cookie-bar"><p>We use cookies to improve your experience on our site.
  <a href="/cookies">Find out more</a></p></div>
<header class="site-header">
  <a class="brand" href="/">Riverbend Post</a>
  <nav><ul>
    <li><a href="/news/">News</a></li><li><a href="/transport/">Transport</a></li>
    <li><a href="/sport/">Sport</a></li><li><a href="/events/">Events and listings</a></li>
  </ul></nav>
</header>
<main>
  <article class="story">
    <h1>Riverbend ferry to run every twenty minutes from July</h1>
    <p class="byline">By Tomasz Wielgosz</p>
    <div class="story-body">
      <p>The ferry between Riverbend quay and Saltings Point will run every twenty minutes
      from the first of July, when a second boat joins the crossing for the first time in
      eleven years.</p>
      <p>The new vessel, the Marsh Heron, was built at a yard in Hull and can carry sixty
      foot passengers and twenty bicycles, twice as many as the Dunlin, which has worked the
      route alone since 2013.</p>
      <p>Queues at Saltings Point on summer weekends have grown so long that some passengers
      wait more than an hour, and the <a href="/tags/harbour-board">harbour board</a> has been
      under pressure from businesses on both banks to add sailings.</p>
      <p>"Two boats means nobody should ever have to watch the ferry leave without them
      twice," said harbour master Caroline Ebdon.</p>
      <p>Fares will stay at two pounds for a single crossing, with children and holders of
      the county travel card carried free.</p>
      <p>The Dunlin will be taken out of service for a refit in November, and the Marsh Heron
      will run the winter timetable on its own until the spring.</p>
    </div>
  </article>
  <aside class="related">
    <h2>Related</h2>
    <ul><li><a href="/transport/2024/05/20/bridge">Toll bridge fees to rise</a></li></ul>
  </aside>
</main>
<footer class="site-footer">
  <p>Riverbend Post is part of Estuary Media. &copy; 2024 All rights reserved.</p>
</footer>
</body>
</html>
"""
PRUNED_KEY = (
    "The ferry between Riverbend quay and Saltings Point will run every twenty minutes",
    "can carry sixty foot passengers and twenty bicycles",
    "and the harbour board has been under pressure from businesses on both banks",
    "nobody should ever have to watch the ferry leave without them twice",
    "the Marsh Heron will run the winter timetable on its own until the spring.",
)
PRUNED_CHROME = ("We use cookies", "Events and listings", "Toll bridge fees", "Estuary Media")
#: The short paragraph the second hint leaves: the only block not counted as boilerplate.
PRUNED_SURVIVOR = (
    "Fares will stay at two pounds for a single crossing, with children and holders of the"
    " county travel card carried free."
)


def _hint_all_but(html: str, keep: str | None = None) -> dict[str, Any]:
    """A site hint (dict form) counting every block of the page but the one holding ``keep``
    on 5 of 6 other pages: boilerplate by the site rule, long blocks included."""
    df = {
        fp: 5
        for element, fp, _words in page_blocks(parse_html(html))
        if keep is None or _flat(keep) not in _flat(element.text_content())
    }
    return {"pages": 6, "df": df, "min_pages": 3}


def _boilerplate_share(html: str, site: Mapping[str, Any]) -> tuple[int, int]:
    """(blocks the hint makes boilerplate, blocks of the page)."""
    blocks = {fp: words for _element, fp, words in page_blocks(parse_html(html))}
    return len(boilerplate_blocks(blocks, SiteHint.from_dict(site))), len(blocks)


def test_pruning_everything_falls_back_to_the_plain_result() -> None:
    assert_fair_case(PRUNED, PRUNED_KEY, PRUNED_CHROME)
    site = _hint_all_but(PRUNED)
    removed, blocks = _boilerplate_share(PRUNED, site)
    assert removed == blocks > 10  # the hint does make every block of the page boilerplate
    text = our_text(PRUNED, PRUNED_URL, site=site)
    assert_has(text, PRUNED_KEY)
    assert_lacks(text, PRUNED_CHROME)


def test_pruning_all_but_one_paragraph_falls_back_to_the_plain_result() -> None:
    assert_fair_case(PRUNED, (*PRUNED_KEY, PRUNED_SURVIVOR), PRUNED_CHROME)
    site = _hint_all_but(PRUNED, keep=PRUNED_SURVIVOR)
    removed, blocks = _boilerplate_share(PRUNED, site)
    assert removed == blocks - 1  # the survivor alone is not boilerplate
    # the same hint as a SiteHint and as its dict form
    for hint in (site, SiteHint.from_dict(site)):
        text = our_text(PRUNED, PRUNED_URL, site=hint)
        assert_has(text, (*PRUNED_KEY, PRUNED_SURVIVOR))
        assert_lacks(text, PRUNED_CHROME)
