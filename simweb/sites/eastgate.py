"""Eastgate Monitor: a news blog whose article pages run on into a feed of other stories."""

from __future__ import annotations

from simweb.hosts import Site
from simweb.sites.base import Page, Story, esc, meta_block, paragraphs_html, pick

NAME = "eastgate"
HOST = "www.eastgate-monitor.com"
SITE_NAME = "Eastgate Monitor"

LATEST = (
    (
        "Tamsford Bus Drivers to Vote on New Rota",
        (
            "Bus drivers employed by Valley Transit in Tamsford will vote next week on a new "
            "rota that the company says will cut overtime.",
            "The drivers' union said it would not recommend the deal, arguing that it removes "
            "paid breaks on the longest routes.",
        ),
    ),
    (
        "Quarry End Retail Park Plan Refused",
        (
            "Planners have refused permission for a retail park on the edge of Quarry End, "
            "citing traffic on the already congested ring road.",
            "The developer has six months to appeal against the decision.",
        ),
    ),
    (
        "Kessing Library Opening Hours Cut",
        (
            "Kessing's public library will close on Mondays and Wednesdays from next month as "
            "the town council looks for savings of 300,000 crowns.",
            "Campaigners are planning a read-in protest outside the building on Saturday.",
        ),
    ),
    (
        "Island Ferry Fares to Rise by Six Per Cent",
        (
            "Fares on the Port Ansel island ferry will rise by six per cent from April, the "
            "operator announced on Monday.",
            "Season ticket holders will be protected from the increase until their tickets expire.",
        ),
    ),
)
SUBSCRIBE = "Support independent local reporting: become a Monitor member from 3 crowns a month."
FOOTER = "Eastgate Monitor is published by Eastgate Media Cooperative. Powered by WordPress."


def make_site() -> Site:
    """The Monitor's site: HTTP and HTTPS, no redirect, no compression."""
    return Site(
        HOST,
        server="Apache",
        headers=[("X-Pingback", f"http://{HOST}/xmlrpc.php")],
        not_found=not_found,
    )


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en-US">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{esc(title)} | {SITE_NAME}</title>\n"
    )


def _masthead() -> str:
    return (
        '<header class="td-header"><div class="td-logo"><a href="/">Eastgate Monitor</a></div>'
        '<ul class="sf-menu"><li><a href="/category/news/">News</a></li>'
        '<li><a href="/category/politics/">Politics</a></li>'
        '<li><a href="/category/business/">Business</a></li>'
        '<li><a href="/category/community/">Community</a></li></ul></header>\n'
    )


def render(story: Story) -> Page:
    """A Monitor article followed by the 'Latest' feed of other stories and a member box."""
    page = Page("")
    latest = pick(LATEST, story.index, 2)
    feed = []
    for k, (headline, paragraphs) in enumerate(latest):
        page.add(headline, *paragraphs)
        feed.append(
            f'<div class="td-block-span"><h3 class="entry-title td-module-title">'
            f'<a href="/latest/{story.index}-{k}/">{esc(headline)}</a></h3>\n'
            f"{paragraphs_html(paragraphs)}</div>"
        )
    page.add(SUBSCRIBE, FOOTER)
    when = story.published
    page.html = (
        _head(story.title)
        + f"{meta_block(story, SITE_NAME, story.url, story.paragraphs[0])}\n</head>\n"
        '<body class="single">\n'
        + _masthead()
        + '<div class="td-main-content"><article class="post">\n'
        f'<h1 class="entry-title">{esc(story.title)}</h1>\n'
        f'<div class="td-post-header"><div class="td-post-author-name">By '
        f'<a rel="author" href="/author/{story.author.lower().replace(" ", "")}/">'
        f"{esc(story.author)}</a></div>"
        f'<span class="td-post-date"><time class="entry-date updated td-module-date" '
        f'datetime="{when.isoformat()}">{when:%B} {when.day}, {when:%Y}</time></span></div>\n'
        f'<div class="td-post-content">\n{paragraphs_html(story.paragraphs)}\n</div>\n'
        "</article>\n"
        f'<div class="td-member-box"><p>{esc(SUBSCRIBE)}</p></div>\n'
        '<div class="td_block_wrap td_block_latest"><h4 class="block-title">Latest</h4>\n'
        + "\n".join(feed)
        + "\n</div></div>\n"
        f'<footer class="td-footer"><p>{esc(FOOTER)}</p></footer>\n</body>\n</html>\n'
    )
    return page


def not_found(path: str) -> bytes:
    """The Monitor's 404 page."""
    return (
        _head("Page not found")
        + '</head>\n<body class="error404">\n'
        + _masthead()
        + "<h1>Ooops... Error 404</h1><p>Sorry, but the page you are looking for doesn't exist."
        "</p>\n</body></html>\n"
    ).encode()
