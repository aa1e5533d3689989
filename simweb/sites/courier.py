"""The Orvane Courier: a regional paper on an old WordPress theme (HTTP only, chunked)."""

from __future__ import annotations

from datetime import timedelta

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
    slug_of,
)

NAME = "courier"
HOST = "www.orvanecourier.co.uk"
SITE_NAME = "Orvane Courier"

COOKIE = "This website uses cookies to make sure you get the best experience on our site."
REPLY_NOTE = "Your email address will not be published. Required fields are marked *"
FOOTER = "Orvane Courier is part of Valley Press Group. Registered office: 4 Market Row, Tamsford."
MENU = ("Home", "News", "Sport", "What's On", "Property", "Jobs", "Announcements")
MOST_READ = (
    "Bin collections to change across Lisswick from April",
    "Tamsford cafe named best in the valley for second year",
    "Appeal after sheep worried by dogs near Kessing Ridge",
    "Primary school celebrates outstanding inspection report",
    "Roadworks on the Brenholt bypass to last until June",
    "Plans lodged for 40 homes on former dairy site",
)


def make_site() -> Site:
    """The Courier's site: plain HTTP only, every page sent chunked."""
    return Site(
        HOST,
        schemes=("http",),
        chunk_size=1024,
        server="Apache/2.4.29 (Ubuntu)",
        headers=[("X-Powered-By", "PHP/7.2.24"), ("Link", f'<http://{HOST}/wp-json/>; rel="api"')],
        not_found=not_found,
    )


def extra_hosts() -> list[Host]:
    """The bare domain, which redirects to www."""
    return [MovedHost("orvanecourier.co.uk", "http://" + HOST, server="Apache/2.4.29 (Ubuntu)")]


def _comment_item(comment: Comment, replies: str) -> str:
    image = (
        '<figure class="comment-image"><img src="/wp-content/uploads/comments/photo.jpg" '
        'alt="comment image"><figcaption>comment image</figcaption></figure>'
        if comment.image
        else ""
    )
    children = f'<ol class="children">\n{replies}\n</ol>' if replies else ""
    return (
        '<li class="comment"><article class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><b class="fn">{esc(comment.author)}</b> '
        '<span class="says">says:</span></div>'
        f'<div class="comment-metadata"><time>{esc(comment.when)}</time></div></footer>'
        f'<div class="comment-content"><p>{esc(comment.text)}</p>{image}</div>'
        '<div class="reply"><a class="comment-reply-link" href="#respond">Reply</a></div>'
        f"</article>{children}</li>"
    )


def _with_times(comments: tuple[Comment, ...], story: Story, start: int = 1) -> list[Comment]:
    """Give comments wall-clock times after publication, in thread order."""
    out = []
    for k, c in enumerate(comments):
        when = story.published + timedelta(minutes=37 * (start + k) + 11)
        stamp = f"{when:%B} {when.day}, {when:%Y} at {when:%I:%M %p}".replace(" 0", " ")
        out.append(
            Comment(
                c.author,
                c.text,
                c.when or stamp,
                tuple(_with_times(c.replies, story, k + 5)),
                c.image,
            )
        )
    return out


def _header(page: Page) -> str:
    menu = "".join(
        f'<li class="menu-item"><a href="/{slug_of(m)}/">{esc(m)}</a></li>' for m in MENU
    )
    return (
        '<div id="page" class="site"><header id="masthead" class="site-header">'
        f'<p class="site-title"><a href="/" rel="home">{SITE_NAME}</a></p>'
        '<p class="site-description">News from Lisswick, Tamsford and the valley</p>'
        f'<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">'
        f"{menu}</ul></nav></header>\n"
    )


def _footer(page: Page) -> str:
    page.add(COOKIE, FOOTER)
    return (
        f'<footer id="colophon" class="site-footer"><div class="site-info">{esc(FOOTER)}</div>'
        "</footer></div>\n"
        f'<div class="cc-window cc-banner" role="dialog"><span class="cc-message">{esc(COOKIE)}'
        '</span><a class="cc-btn cc-dismiss">Got it!</a></div>\n'
    )


def render(story: Story) -> Page:
    """A Courier article: menu, entry, comment thread with replies, reply form, sidebar."""
    page = Page("")
    comments = _with_times(story.comments, story)
    thread = comment_list(comments, page, _comment_item)
    count = sum(1 + len(c.replies) for c in comments)
    most_read = pick(MOST_READ, story.index, 4)
    page.add(*most_read, REPLY_NOTE)
    if any(c.image for c in comments) or any(r.image for c in comments for r in c.replies):
        page.add("comment image")
    published = story.published
    human = f"{published:%B} {published.day}, {published:%Y}"
    sidebar = "".join(
        f'<li><a href="/news/most-read/{i}">{esc(t)}</a></li>' for i, t in enumerate(most_read)
    )
    page.html = (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="UTF-8">\n'
        f"<title>{esc(story.title)} &#8211; {SITE_NAME}</title>\n"
        f"{meta_block(story, SITE_NAME, story.url, story.paragraphs[0])}\n"
        '</head>\n<body class="post-template-default single single-post">\n'
        + _header(page)
        + '<div id="content" class="site-content"><div id="primary" class="content-area">'
        '<main id="main" class="site-main">\n'
        '<article class="post type-post status-publish format-standard hentry">\n'
        f'<header class="entry-header"><h1 class="entry-title">{esc(story.title)}</h1>\n'
        '<div class="entry-meta"><span class="posted-on">Posted on '
        f'<time class="entry-date published" datetime="{published.isoformat()}">{human}</time>'
        '</span> <span class="byline">by <span class="author vcard">'
        f'<a class="url fn n" href="/author/{slug_of(story.author)}/">{esc(story.author)}</a>'
        "</span></span></div></header>\n"
        f'<div class="entry-content">\n{paragraphs_html(story.paragraphs)}\n</div>\n'
        f'<footer class="entry-footer"><span class="cat-links">Posted in '
        f'<a href="/{slug_of(story.section)}/" rel="category tag">{esc(story.section)}</a>'
        "</span></footer>\n</article>\n"
        '<div id="comments" class="comments-area">\n'
        f'<h2 class="comments-title">{count} thoughts on &ldquo;{esc(story.title)}&rdquo;</h2>\n'
        f'<ol class="comment-list">\n{thread}\n</ol>\n'
        '<div id="respond" class="comment-respond"><h3 class="comment-reply-title">'
        'Leave a Reply</h3><form class="comment-form"><p class="comment-notes">'
        f"{esc(REPLY_NOTE)}</p>"
        '<textarea name="comment"></textarea><input type="submit" value="Post Comment"></form>'
        "</div></div>\n</main></div>\n"
        '<aside id="secondary" class="widget-area"><section class="widget widget_most_read">'
        f'<h2 class="widget-title">Most Read</h2><ul>{sidebar}</ul></section></aside></div>\n'
        + _footer(page)
        + "</body>\n</html>\n"
    )
    return page


def not_found(path: str) -> bytes:
    """The Courier's themed 404 page."""
    page = Page("")
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="UTF-8">'
        f'<title>Page not found &#8211; {SITE_NAME}</title></head>\n<body class="error404">\n'
        + _header(page)
        + '<main id="main" class="site-main"><section class="error-404 not-found">'
        '<h1 class="page-title">Oops! That page can&rsquo;t be found.</h1>'
        "<p>It looks like nothing was found at this location. Maybe try a search?</p>"
        "</section></main>\n" + _footer(page) + "</body></html>\n"
    ).encode()
