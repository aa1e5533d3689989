"""Site templates of the English broadsheet, regional daily and wire agency (evaluation set)."""

from __future__ import annotations

from bench.evalset.common import (
    Article,
    body_html,
    charset_meta,
    comment_count,
    esc,
    json_ld,
    og_meta,
    rotate,
)


def _head(art: Article, title: str, extra: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{art.site["lang"]}">\n<head>\n{charset_meta(art)}\n'
        f"<title>{esc(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{extra}\n"
        '<link rel="stylesheet" href="/assets/site.css">\n'
        '<script async src="/assets/analytics.js"></script>\n</head>\n'
    )


# ------------------------------------------------------------------- The Harbourline Times

HL_COOKIE = (
    "We use cookies and similar technologies to personalise content, measure how our site "
    "is used and show you relevant adverts. You can change your choices at any time."
)
HL_NEWSLETTER = (
    "Sign up to Morning Tide, our free daily briefing: the news you need to start the day, "
    "in your inbox at 7am."
)
HL_FOOTER = (
    "© 2024 Harbourline Times Media Ltd. Registered in England and Wales No. 04417213. "
    "All rights reserved."
)
HL_MOST_READ = [
    "Council tax bills to rise across the coast",
    "Harbour seals return to Caddon sandbanks",
    "Ferry firm apologises for week of delays",
    "School places: what parents need to know",
    "Tollard fish market to close after 140 years",
    "Review: the best fish and chips on the coast",
]


def harbourline(art: Article, others: list[Article]) -> str:
    """WordPress-style broadsheet: cookie banner, inline newsletter box, pull quote, comments."""
    site = art.site
    pull = (
        f'<aside class="pullquote"><blockquote><p>{esc(art.pull)}</p></blockquote></aside>'
        if art.pull
        else ""
    )
    newsletter = (
        '<div class="newsletter-signup"><h3>Morning Tide</h3>'
        f'<p>{esc(HL_NEWSLETTER)}</p><form><input type="email" placeholder="Email address">'
        '<button>Sign up</button></form><p class="small">Privacy notice: we will only use '
        "your email to send you the newsletter.</p></div>"
    )
    body = body_html(art, {1: newsletter, 3: pull})
    related = "".join(
        f'<li><a href="{esc(o.url)}">{esc(o.title)}</a></li>' for o in rotate(others, art.number, 3)
    )
    comments = "".join(
        f'<li class="comment"><div class="comment-author"><cite class="fn">{esc(name)}</cite> '
        f'<span class="says">says:</span></div><div class="comment-meta">{art.published:%d %B %Y}'
        f' at {10 + k}:{15 + 7 * k} am</div><div class="comment-content"><p>{esc(text)}</p>'
        '</div><div class="reply"><a class="comment-reply-link">Reply</a></div></li>'
        for k, (name, text) in enumerate(art.comments)
    )
    most_read = "".join(f"<li><a>{esc(t)}</a></li>" for t in rotate(HL_MOST_READ, art.number, 5))
    n = len(art.comments)
    return (
        _head(art, f"{art.title} | {site['name']}", og_meta(art, site["name"]))
        + '<body class="single single-post">\n'
        f'<div id="cookie-notice" role="dialog"><p>{esc(HL_COOKIE)}</p>'
        "<button>Accept all</button><button>Manage preferences</button></div>\n"
        '<header class="site-header"><a class="logo" href="/">The Harbourline Times</a>'
        '<nav><ul><li><a href="/news/">News</a></li><li><a href="/politics/">Politics</a></li>'
        '<li><a href="/business/">Business</a></li><li><a href="/science/">Science</a></li>'
        '<li><a href="/culture/">Culture</a></li><li><a href="/subscribe/">Subscribe</a></li>'
        "</ul></nav></header>\n"
        '<div class="wrap"><main id="main">\n<article class="post type-post">\n'
        f'<header class="entry-header"><span class="cat-links">{esc(art.section)}</span>'
        f'<h1 class="entry-title">{esc(art.title)}</h1>'
        + (f'<p class="standfirst">{esc(art.standfirst)}</p>' if art.standfirst else "")
        + f'<div class="byline">By <a rel="author" href="/author/">{esc(art.author)}</a> '
        f'<time class="entry-date" datetime="{art.published.isoformat()}">'
        f"{art.published:%a %d %b %Y %H.%M}</time></div></header>\n"
        '<figure class="wp-caption"><img src="/wp-content/uploads/lead.jpg" alt="">'
        f'<figcaption class="wp-caption-text">{esc(art.caption)}</figcaption></figure>\n'
        '<div class="entry-content">\n' + "\n".join(body) + "\n</div>\n"
        '<footer class="entry-footer"><div class="share">Share this: <a>Facebook</a> '
        "<a>X</a> <a>Email</a></div>"
        f'<div class="tags">Topics: <a>{esc(art.section)}</a></div></footer>\n</article>\n'
        f'<section class="related-posts"><h2>More from {esc(art.section)}</h2><ul>{related}'
        "</ul></section>\n"
        f'<div id="comments" class="comments-area"><h2 class="comments-title">'
        f"{comment_count(n, 'thought', 'thoughts')} on &ldquo;{esc(art.title)}&rdquo;</h2>"
        f'<ol class="comment-list">{comments}</ol>'
        '<div id="respond"><h3>Leave a Reply</h3><p>Your email address will not be published. '
        "Required fields are marked *</p></div></div>\n"
        f'</main><aside class="sidebar"><h3>Most read</h3><ol>{most_read}</ol></aside></div>\n'
        f'<footer class="site-footer"><p>{esc(HL_FOOTER)}</p><a>Privacy policy</a> '
        "<a>Terms</a> <a>Contact us</a></footer>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------- Valley Post

VP_METER = (
    "You have read {n} of your 5 free articles this month. Subscribe for unlimited access "
    "to the Valley Post from just £1 a week."
)
VP_TICKER = [
    "LIVE: Kelbridge Rovers 1-0 Aberlyn Town (67')",
    "LIVE: Valley Warriors 12-10 Porthcawr (HT)",
    "FT: Brennock Athletic 2-2 Pentref United",
    "LIVE: Glamorgan Vale 188-4 (32 ov)",
]
VP_MOST_READ = [
    "Man charged after crash on the A470",
    "Much-loved butcher closes after 60 years",
    "Snow warning for the valleys this weekend",
    "New cafe opens in former bank building",
    "Pictures: Brennock's winter fair in full swing",
    "Road to close for three weeks for resurfacing",
]
VP_SPONSORED = [
    ("Homeowners in Wales are switching to this boiler scheme", "EnergySaver Today"),
    ("The walking shoe podiatrists are recommending", "StepWell"),
    ("Valley residents could be owed money for mis-sold plans", "ClaimCheck"),
]


def valleypost(art: Article, others: list[Article]) -> str:
    """Regional daily: score ticker, metered paywall notice, div soup, sponsored links."""
    site = art.site
    ticker = " | ".join(rotate(VP_TICKER, art.number, 2))
    meter = VP_METER.format(n=1 + art.number % 4)
    body = body_html(art, {2: '<div class="ad-slot mpu" data-slot="inline-1"></div>'}, "h3")
    more = "".join(
        f'<div class="teaser"><a href="{esc(o.url)}"><h4>{esc(o.title)}</h4></a></div>'
        for o in rotate(others, art.number + 1, 2)
    )
    sponsored = "".join(
        f'<div class="sp-item"><a>{esc(t)}</a><span class="sp-src">{esc(s)}</span></div>'
        for t, s in VP_SPONSORED
    )
    most = "".join(f"<li>{esc(t)}</li>" for t in rotate(VP_MOST_READ, art.number * 2, 5))
    return (
        _head(
            art,
            f"{art.title} - {site['name']}",
            og_meta(art, site["name"]) + json_ld(art, site["name"]),
        )
        + "<body>\n"
        f'<div class="score-ticker"><span class="ticker-label">Sport</span> {esc(ticker)}</div>\n'
        '<div class="masthead"><a href="/"><img alt="Valley Post" src="/logo.svg"></a>'
        '<div class="nav"><a>News</a> <a>Sport</a> <a>What\'s On</a> <a>Jobs</a> '
        "<a>Announcements</a> <a>Subscribe</a></div></div>\n"
        '<div class="page"><div class="col-main">\n'
        f'<div class="crumbs"><a>Home</a> &gt; <a>{esc(art.section)}</a></div>\n'
        f'<h1 class="headline">{esc(art.title)}</h1>\n'
        f'<div class="meta"><span class="author">{esc(art.author)}</span>'
        f'<span class="date">{art.published:%H:%M, %d %b %Y}</span></div>\n'
        '<div class="image"><img src="/images/story-main.jpg">'
        f'<div class="image-caption">{esc(art.caption)}</div></div>\n'
        '<div class="story-body">\n' + "\n".join(body) + "\n</div>\n"
        f'<div class="meter-notice"><p>{esc(meter)}</p><a class="btn">Subscribe now</a> '
        '<a class="login">Already a subscriber? Log in</a></div>\n'
        f'<div class="more-on-this"><h3>More on this story</h3>{more}</div>\n'
        f'<div class="sponsored"><h3>You may also like</h3>{sponsored}'
        '<span class="by">Sponsored links by AdNexus</span></div>\n'
        "</div>\n"
        f'<div class="col-side"><div class="most-read"><h3>Most Read</h3><ol>{most}</ol></div>'
        "</div></div>\n"
        '<div class="footer"><p>Valley Post is part of Cambrian Media Group. Cambrian Media '
        "Group Ltd, Unit 5, Foundry Park, Kelbridge. Registered in Wales No. 7712093.</p>"
        "<p><a>Contact us</a> <a>Advertise</a> <a>Privacy</a> <a>Cookie settings</a></p>"
        "</div>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------- Northwire

NW_MARKETS = ["KSX 30 1,412.6 +0.4%", "EUR/KSC 11.42 -0.1%", "Brent $83.10 +0.6%"]
NW_TRUST = "Our Standards: The Northwire Trust Principles."


def _nw_article(art: Article, others: list[Article], main: bool) -> str:
    related = "".join(
        f'<li><a href="{esc(o.url)}">{esc(o.title)}</a></li>' for o in rotate(others, art.number, 3)
    )
    paras = "".join(
        f'<p data-testid="paragraph-{k}" class="text__paragraph">{esc(p)}</p>'
        for k, p in enumerate(art.body)
    )
    minutes = max(2, len(" ".join(art.body).split()) // 200)
    return (
        f'<article class="article" data-main="{str(main).lower()}">'
        f'<div class="article-header"><a class="section-link">{esc(art.section)}</a>'
        f'<h1 data-testid="Heading">{esc(art.title)}</h1>'
        f'<div class="info"><address>By <a rel="author">{esc(art.author)}</a></address>'
        f'<time datetime="{art.published.isoformat()}">{art.published:%B %d, %Y %I:%M %p} UTC'
        f"</time><span>{minutes} minute read</span></div></div>"
        f'<div class="article-body"><div class="related-coverage"><h2>Related coverage</h2>'
        f"<ul>{related}</ul></div>{paras}"
        f'<p class="trust-principles"><a>{esc(NW_TRUST)}</a></p></div></article>'
    )


def northwire(art: Article, others: list[Article]) -> str:
    """Wire agency: related coverage inside the article, the next story loaded below it."""
    site = art.site
    nxt = others[art.number % len(others)]
    markets = "".join(f"<li>{esc(m)}</li>" for m in NW_MARKETS)
    return (
        _head(art, f"{art.title} | {site['name']}", og_meta(art, site["name"], art.body[0]))
        + "<body>\n"
        f'<div class="markets-bar"><ul>{markets}</ul></div>\n'
        '<header><a class="brand">Northwire</a><nav><a>World</a> <a>Business</a> '
        "<a>Markets</a> <a>Breakingviews</a> <a>Technology</a></nav></header>\n"
        "<main>\n" + _nw_article(art, others, True) + "\n"
        '<div class="next-article"><span class="label">Next article</span>\n'
        + _nw_article(nxt, [o for o in others if o is not nxt] + [art], False)
        + "\n</div>\n</main>\n"
        "<footer><p>All quotes delayed a minimum of 15 minutes.</p><p>© 2024 Northwire. "
        "Northwire and the Northwire logo are trademarks of Northwire Group.</p></footer>\n"
        "</body>\n</html>\n"
    )
