"""Kestrel Post: a busy news portal with a live-score widget and inline 'Also read' boxes."""

from __future__ import annotations

import hashlib
from typing import Any

from simweb.hosts import Host, MovedHost, Site
from simweb.sites.base import Page, Story, esc, meta_block, pick

NAME = "kestrel"
HOST = "www.kestrelpost.com"
SITE_NAME = "Kestrel Post"

LIVE_SCORES = (
    ("Tamsford City vs Port Ansel Mariners", "Tamsford City 1 - 0 Port Ansel Mariners (63')"),
    ("Kessing Harriers vs Lisswick Town", "Kessing Harriers 2 - 2 Lisswick Town (HT)"),
    ("Quarry End Reserves vs Brenholt Colts", "Quarry End Reserves 0 - 3 Brenholt Colts (FT)"),
)
ALSO_READ = (
    ("Kessing Ridge road to close for resurfacing", "Contractors at work on the ridge road."),
    ("Tamsford airport adds summer flights to the islands", "A turboprop on the apron."),
    ("Police seize 300 fake handbags at Port Ansel market", "Goods laid out on a trestle table."),
    ("Valley choir reaches national final", "Singers rehearsing in a church hall."),
    ("Price of diesel tops two crowns a litre", "Queues at a filling station forecourt."),
)
TRENDING = (
    "Lottery winner from Brenholt to share prize with neighbours",
    "Storm damage closes two beaches near Port Ansel",
    "Watch: seal pup rescued from harbour steps",
    "New cycle lanes divide opinion in Tamsford",
)
APP_BOX = "Get breaking news alerts on your phone with the Kestrel Post app."
FOOTER = (
    "Kestrel Post Digital Pvt. Ltd. All rights reserved. "
    "Reproduction without permission is prohibited."
)


def make_site() -> Site:
    """Kestrel Post's site: HTTPS, http->https redirect, gzip when asked."""
    return Site(
        HOST,
        https_redirect=True,
        gzip=True,
        server="cloudflare",
        headers=[("Cache-Control", "private, max-age=0"), ("CF-Cache-Status", "DYNAMIC")],
        not_found=not_found,
    )


def extra_hosts() -> list[Host]:
    """The bare domain, which redirects to www."""
    return [MovedHost("kestrelpost.com", "https://" + HOST, server="cloudflare")]


def page_options(story: Story) -> dict[str, Any]:
    """Two Set-Cookie headers on every article; sport pages also go out chunked."""
    sid = hashlib.sha1(story.url.encode()).hexdigest()[:24]
    options: dict[str, Any] = {
        "headers": [
            ("Set-Cookie", f"kp_session={sid}; Path=/; Secure; HttpOnly; SameSite=Lax"),
            ("Set-Cookie", "kp_consent=pending; Path=/; Max-Age=31536000; Secure"),
        ]
    }
    if story.section.lower() == "sport":
        options["chunk_size"] = 2048
    return options


def _top(page: Page, index: int) -> str:
    match, score = LIVE_SCORES[index % len(LIVE_SCORES)]
    title = f"{match} Live Score"
    page.add(title, score)
    return (
        '<div class="top-bar"><a class="brand" href="/">Kestrel<span>Post</span></a>'
        '<ul class="nav"><li><a href="/news/">News</a></li><li><a href="/business/">Business</a>'
        '</li><li><a href="/sport/">Sport</a></li><li><a href="/entertainment/">Entertainment</a>'
        '</li><li><a href="/videos/">Videos</a></li></ul></div>\n'
        f'<div class="live-score-widget" data-match="{index}"><div class="ls-title">{esc(title)}'
        f'</div><div class="ls-score">{esc(score)}</div><a class="ls-more" href="/sport/live/">'
        "Full scorecard</a></div>\n"
    )


def _body(story: Story, page: Page) -> str:
    boxes = pick(ALSO_READ, story.index, 2)
    parts = []
    for k, paragraph in enumerate(story.paragraphs):
        parts.append(f"<p>{esc(paragraph)}</p>")
        if k == 1 and boxes:
            head = boxes[0][0]
            page.add(head)
            parts.append(
                f'<div class="also-read"><span class="label">ALSO READ</span>'
                f'<a href="/news/also-{story.index}.html">{esc(head)}</a></div>'
            )
        if k == 3 and len(boxes) > 1:
            head, caption = boxes[1]
            page.add(head, caption)
            parts.append(
                '<div class="inline-story"><a href="/news/inline.html">'
                f'<img src="/img/inline-{story.index}.jpg" alt=""><h4>{esc(head)}</h4></a>'
                f'<p class="caption">{esc(caption)}</p></div>'
            )
    return "\n".join(parts)


def render(story: Story) -> Page:
    """A Kestrel Post article: live-score bar, inline boxes, trending list, app promo."""
    page = Page("")
    trending = pick(TRENDING, story.index, 3)
    page.add(*trending, APP_BOX, FOOTER)
    stamp = f"{story.published:%b %d, %Y, %H:%M}"
    trend_html = "".join(
        f'<li><a href="/trending/{i}">{esc(t)}</a></li>' for i, t in enumerate(trending)
    )
    page.html = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(story.title)} - {SITE_NAME}</title>\n"
        f"{meta_block(story, SITE_NAME, story.url, story.paragraphs[0])}\n"
        '<script async src="/js/ads.js"></script>\n</head>\n<body>\n'
        + _top(page, story.index)
        + '<div class="container"><div class="main-col">\n'
        f'<ul class="breadcrumb"><li><a href="/">Home</a></li><li>{esc(story.section)}</li></ul>\n'
        f'<h1 class="art-title">{esc(story.title)}</h1>\n'
        f'<div class="auth-info"><span class="auth-name">By {esc(story.author)}</span> | '
        f'Updated: <time datetime="{story.published.isoformat()}">{stamp}</time></div>\n'
        '<div class="share"><a>Facebook</a><a>Twitter</a><a>WhatsApp</a></div>\n'
        f'<div class="article-body" itemprop="articleBody">\n{_body(story, page)}\n</div>\n'
        f'<div class="app-promo"><p>{esc(APP_BOX)}</p><a href="/app">Download</a></div>\n'
        "</div>\n"
        f'<div class="side-col"><div class="trending"><h3>Trending Now</h3><ol>{trend_html}</ol>'
        "</div></div></div>\n"
        f'<footer class="kp-footer"><p>{esc(FOOTER)}</p></footer>\n</body>\n</html>\n'
    )
    return page


def not_found(path: str) -> bytes:
    """Kestrel Post's 404 page."""
    page = Page("")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>404 - Page Not Found - {SITE_NAME}</title></head>\n<body>\n"
        + _top(page, 0)
        + '<div class="container"><h1>404</h1><p>The page you are looking for does not exist '
        'or has been removed.</p><a href="/">Go to homepage</a></div>\n'
        f'<footer class="kp-footer"><p>{esc(FOOTER)}</p></footer>\n</body></html>\n'
    ).encode()
