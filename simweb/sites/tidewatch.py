"""Tidewatch: an analysis site that moved domain twice (.org -> .info -> .net)."""

from __future__ import annotations

from urllib.parse import urlsplit

from simweb.hosts import Host, MovedHost, Site
from simweb.sites.base import (
    Comment,
    Page,
    Story,
    comment_list,
    esc,
    meta_block,
    paragraphs_html,
    pick,
)

NAME = "tidewatch"
HOST = "www.tidewatch.net"
OLD_HOST = "www.tidewatch-report.org"
MIDDLE_HOST = "tidewatch-report.info"
SITE_NAME = "Tidewatch"

CAPTION = "Image for illustration only."
DOMAIN_NOTICE = (
    "Tidewatch: Valley Analysis",
    "You are reading us at our current address.",
    "From 2016 to 2019 Tidewatch could be found at tidewatch-report.info.",
    "Our first address, tidewatch-report.org, stopped working in 2016 when the registrar "
    "suspended it without giving a reason.",
)
WIDGET_CHROME = (
    "Alert me about",
    "Newest first",
    "Oldest first",
    "Most liked",
    "Show inline replies",
)
RECENT = (
    "The valley's housing numbers do not add up",
    "What the port's accounts say about its future",
    "Ten years of regional budgets in five charts",
    "Why rural bus routes keep disappearing",
)
FOOTER = "Tidewatch is reader-funded. Republishing is welcome with a link to the original."


def make_site() -> Site:
    """Tidewatch's current site: HTTPS with http->https redirect, gzip when asked."""
    return Site(HOST, https_redirect=True, gzip=True, server="nginx/1.18.0", not_found=not_found)


def extra_hosts() -> list[Host]:
    """The two old domains: .org 301 -> .info, .info 301 -> .net, paths preserved."""
    return [
        MovedHost(OLD_HOST, f"https://{MIDDLE_HOST}"),
        MovedHost("tidewatch-report.org", f"https://{MIDDLE_HOST}"),
        MovedHost(MIDDLE_HOST, f"https://{HOST}"),
        MovedHost("www." + MIDDLE_HOST, f"https://{HOST}"),
        MovedHost("tidewatch.net", f"https://{HOST}"),
    ]


def _comment_item(comment: Comment, replies: str) -> str:
    nested = f'<div class="wpd-reply-thread">{replies}</div>' if replies else ""
    return (
        '<div class="wpd-comment"><div class="wpd-comment-header">'
        f'<div class="wpd-comment-author">{esc(comment.author)}</div></div>'
        f'<div class="wpd-comment-text"><p>{esc(comment.text)}</p></div>'
        '<div class="wpd-comment-footer"><span class="wpd-vote-up">+</span>'
        '<span class="wpd-reply-button">Reply</span></div>'
        f"{nested}</div>"
    )


def render(story: Story) -> Page:
    """A Tidewatch analysis page: domain notice, comment widget chrome, recent list."""
    page = Page("")
    page.add(CAPTION, *DOMAIN_NOTICE)
    thread = comment_list(story.comments, page, _comment_item)
    if story.comments:
        page.add(*WIDGET_CHROME)
    recent = pick(RECENT, story.index, 3)
    page.add(*recent, FOOTER)
    canonical = f"https://{HOST}{urlsplit(story.url).path}"
    chrome = "".join(f"<span>{esc(w)}</span> " for w in WIDGET_CHROME[1:])
    recent_html = "".join(
        f'<li><a href="/recent/{i}/">{esc(t)}</a></li>' for i, t in enumerate(recent)
    )
    notice = "".join(f"<p>{esc(line)}</p>" for line in DOMAIN_NOTICE)
    page.html = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(story.title)} &#8212; {SITE_NAME}</title>\n"
        f"{meta_block(story, SITE_NAME, canonical, story.paragraphs[0])}\n</head>\n<body>\n"
        '<div class="site-header"><a class="logo" href="/">TIDEWATCH</a>'
        '<nav><a href="/analysis/">Analysis</a> <a href="/data/">Data</a> '
        '<a href="/support/">Support us</a></nav></div>\n'
        '<div class="breadcrumbs"><a href="/">Home</a> &raquo; '
        f"<span>{esc(story.title)}</span></div>\n"
        '<article class="post-content">\n'
        f'<h1 class="post-title">{esc(story.title)}</h1>\n'
        f'<div class="post-meta"><span class="author-name">{esc(story.author)}</span> &middot; '
        f'<time datetime="{story.published.isoformat()}">{story.published:%Y-%m-%d}</time></div>\n'
        f'<figure class="post-thumb"><img src="/img/{story.index}.jpg" alt="">'
        f"<figcaption>{esc(CAPTION)}</figcaption></figure>\n"
        f'<div class="entry">\n{paragraphs_html(story.paragraphs)}\n</div>\n'
        "</article>\n"
        f'<div class="domain-notice">{notice}</div>\n'
        '<div id="comments" class="wpdiscuz_top_clearing"><div class="wpd-thread-head">'
        f'<span class="wpd-sub">{esc(WIDGET_CHROME[0])}</span> <div class="wpd-sorting">{chrome}'
        f'</div></div><div class="wpd-thread-list">{thread}</div></div>\n'
        f'<aside class="recent-posts"><h4>Recent analysis</h4><ul>{recent_html}</ul></aside>\n'
        f"<footer><p>{esc(FOOTER)}</p></footer>\n</body>\n</html>\n"
    )
    return page


def not_found(path: str) -> bytes:
    """Tidewatch's 404 page."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Not found &#8212; {SITE_NAME}</title></head>\n<body>\n"
        "<h1>Nothing here</h1><p>That page is not on Tidewatch. It may have been lost in one "
        "of our moves.</p>\n</body></html>\n"
    ).encode()
