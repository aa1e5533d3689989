"""The Meridian Ledger: a national broadsheet (HTTPS, http->https redirect, gzip)."""

from __future__ import annotations

from simweb.hosts import Host, MovedHost, Site
from simweb.sites.base import Page, Story, esc, long_date, meta_block, paragraphs_html, pick

NAME = "meridian"
HOST = "www.meridian-ledger.com"
IMAGE_HOST = "img.meridian-ledger.com"
SITE_NAME = "The Meridian Ledger"

COOKIE = (
    "We and our partners use cookies to remember your settings, measure readership "
    "and show you relevant advertising."
)
NEWSLETTER = (
    "Start every weekday with the five stories you need to know, sent to your inbox at 6am."
)
FOOTER = "Copyright 2021 Meridian Ledger Media Ltd. All rights reserved."
NAV = ("World", "Business", "Science", "Sport", "Culture", "Weather", "Opinion")

MORE_STORIES = (
    (
        "Ferry operators warn of summer timetable cuts",
        "Three coastal routes could lose their evening sailings as crew shortages bite.",
    ),
    (
        "Inside the race to map the valley's lost canals",
        "Volunteers with drones are tracing waterways that vanished from maps a century ago.",
    ),
    (
        "Regional assembly rejects plan for a fourth casino licence",
        "Members voted down the proposal after a late rebellion by rural representatives.",
    ),
    (
        "Why apple growers are replanting with older varieties",
        "Orchards say heritage trees cope better with wetter springs and late frosts.",
    ),
    (
        "Hospital waiting lists fall for the third month running",
        "The number of patients waiting more than a year for surgery is at its lowest since 2018.",
    ),
    (
        "The violin maker who learned her trade from old radio programmes",
        "A workshop above a bakery now supplies instruments to two national orchestras.",
    ),
)


def make_site() -> Site:
    """The Meridian Ledger's web site, pages added by the catalog."""
    return Site(
        HOST,
        schemes=("http", "https"),
        https_redirect=True,
        gzip=True,
        server="nginx",
        headers=[("Cache-Control", "max-age=300"), ("X-Frame-Options", "SAMEORIGIN")],
        not_found=not_found,
    )


def make_image_site() -> Site:
    """The Ledger's image host (serves JPEGs; pages added by the catalog)."""
    return Site(IMAGE_HOST, server="nginx", headers=[("Cache-Control", "max-age=86400")])


def extra_hosts() -> list[Host]:
    """The bare domain, which redirects to www."""
    return [MovedHost("meridian-ledger.com", "https://" + HOST)]


def _chrome_top(page: Page) -> str:
    page.add(COOKIE)
    nav = "".join(f'<li><a href="/{n.lower()}/">{n}</a></li>' for n in NAV)
    return (
        '<div id="cookie-consent" class="cookie-banner" role="dialog" aria-label="Cookies">'
        f"<p>{esc(COOKIE)}</p><button>Accept all</button> <button>Manage preferences</button>"
        "</div>\n"
        '<header class="masthead"><a class="logo" href="/">The Meridian Ledger</a>\n'
        f'<nav class="primary-nav" aria-label="Sections"><ul>{nav}</ul></nav>\n'
        '<a class="subscribe" href="/subscribe">Subscribe</a> <a href="/login">Sign in</a>'
        "</header>\n"
    )


def _chrome_bottom(page: Page) -> str:
    page.add(FOOTER)
    return (
        '<footer class="site-footer"><ul><li><a href="/about">About us</a></li>'
        '<li><a href="/contact">Contact</a></li><li><a href="/privacy">Privacy</a></li>'
        f"</ul><p>{esc(FOOTER)}</p></footer>\n"
    )


def render(story: Story) -> Page:
    """A Ledger article page: cookie banner, nav, story, newsletter box, more stories, footer."""
    page = Page("")
    canonical = story.url.replace("http://", "https://", 1)
    section = story.section
    more = pick(MORE_STORIES, story.index, 3)
    page.add(NEWSLETTER, *(h for h, _ in more), *(t for _, t in more))
    more_html = "\n".join(
        f'<li class="card"><a href="/{section.lower()}/more-{i}.html"><h3>{esc(h)}</h3></a>'
        f'<p class="teaser">{esc(t)}</p></li>'
        for i, (h, t) in enumerate(more)
    )
    head = meta_block(story, SITE_NAME, canonical, story.paragraphs[0])
    page.html = (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(story.title)} | {SITE_NAME}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'{head}\n<link rel="stylesheet" href="/assets/ledger.css">\n</head>\n'
        '<body class="article-page">\n'
        + _chrome_top(page)
        + '<main id="content">\n<article class="story">\n<header class="story-header">'
        f'<p class="kicker"><a href="/{section.lower()}/">{esc(section)}</a></p>\n'
        f'<h1 class="headline">{esc(story.title)}</h1>\n'
        f'<p class="byline">By <a rel="author" href="/profile/'
        f'{story.author.lower().replace(" ", "-")}">{esc(story.author)}</a></p>\n'
        f'<time class="dateline" datetime="{story.published.isoformat()}">'
        f"{long_date(story.published)}</time></header>\n"
        f'<div class="story-body">\n{paragraphs_html(story.paragraphs)}\n</div>\n'
        '<aside class="newsletter-signup"><h3>The Morning Ledger</h3>'
        f"<p>{esc(NEWSLETTER)}</p>"
        '<form action="/newsletters/subscribe" method="post"><input type="email" '
        'name="email" placeholder="Your email address"><button>Sign up</button></form></aside>\n'
        "</article>\n"
        f'<section class="more-stories"><h2>More from {esc(section)}</h2>\n'
        f'<ul class="cards">\n{more_html}\n</ul></section>\n</main>\n'
        + _chrome_bottom(page)
        + "</body>\n</html>\n"
    )
    return page


def not_found(path: str) -> bytes:
    """The Ledger's 404 page."""
    page = Page("")
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Page not found | {SITE_NAME}</title></head>\n<body>\n"
        + _chrome_top(page)
        + '<main class="error-page"><h1>Sorry, we can\u2019t find that page</h1>'
        "<p>The page you asked for may have been moved or taken down. "
        'Try our <a href="/">home page</a> or search the archive.</p>'
        '<form action="/search"><input name="q" placeholder="Search"></form></main>\n'
        + _chrome_bottom(page)
        + "</body></html>\n"
    ).encode()
