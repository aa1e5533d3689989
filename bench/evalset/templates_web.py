"""Site templates of the blog, tabloid, island paper, moved site and policy review (eval set)."""

from __future__ import annotations

from bench.evalset.common import (
    Article,
    body_html,
    charset_meta,
    esc,
    json_ld,
    og_meta,
    rotate,
)


def _head(art: Article, title: str, extra: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{art.site["lang"]}">\n<head>\n{charset_meta(art)}\n'
        f"<title>{esc(title)}</title>\n{extra}\n</head>\n"
    )


# ------------------------------------------------------------------- Civic Ledger

CL_DONATE = (
    "Civic Ledger is a nonprofit newsroom. We rely on readers like you to keep our reporting "
    "free for everyone. Become a member today."
)
CL_BIOS = {
    "Miriam Castellane": "Miriam Castellane covers transportation, schools and utilities for "
    "Civic Ledger. Reach her at miriam@civicledger.example.",
    "Ray Okonkwo": "Ray Okonkwo is Civic Ledger's public safety reporter. He previously worked "
    "at the Dunmore Herald.",
}


def civicledger(art: Article, others: list[Article]) -> str:
    """Nonprofit analysis blog: donation box, author bio, tags, hosted comment widget."""
    site = art.site
    comments = "".join(
        f'<li class="post"><div class="post-byline"><span class="author">{esc(n)}</span> '
        f'<span class="time-ago">{2 + k} days ago</span></div><div class="post-message">'
        f"<p>{esc(t)}</p></div><menu><a>Upvote</a> <a>Reply</a> <a>Share ›</a></menu></li>"
        for k, (n, t) in enumerate(art.comments)
    )
    minutes = max(3, len(" ".join(art.body).split()) // 180)
    keep = "".join(
        f'<li><a href="{esc(o.url)}">{esc(o.title)}</a></li>' for o in rotate(others, art.number, 2)
    )
    return (
        _head(
            art,
            f"{art.title} – {site['name']}",
            og_meta(art, site["name"]) + '\n<meta name="author" content="' + esc(art.author) + '">',
        )
        + '<body class="post-template">\n'
        '<div class="site-nav"><a class="site-title">Civic Ledger</a> <a>Transit</a> '
        '<a>Schools</a> <a>Public Safety</a> <a>Data</a> <a>About</a> <a class="cta">Donate</a>'
        "</div>\n"
        '<main class="site-main"><div class="post-full">\n'
        f'<div class="post-full-tags"><a>{esc(art.section)}</a></div>\n'
        f'<h1 class="post-full-title">{esc(art.title)}</h1>\n'
        + (f'<p class="post-full-excerpt">{esc(art.standfirst)}</p>\n' if art.standfirst else "")
        + f'<div class="post-meta">By {esc(art.author)} · '
        f'<time datetime="{art.published:%Y-%m-%d}">'
        f"{art.published:%B} {art.published.day}, {art.published:%Y}</time> · "
        f"{minutes} min read</div>\n"
        '<section class="post-full-content"><div class="post-content">\n'
        + "\n".join(body_html(art))
        + "\n</div></section>\n"
        f'<div class="donate-box"><p>{esc(CL_DONATE)}</p><a class="btn">Donate</a></div>\n'
        f'<div class="author-card"><h4>{esc(art.author)}</h4>'
        f"<p>{esc(CL_BIOS[art.author])}</p></div>\n"
        f'<div class="keep-reading"><h3>Keep reading</h3><ul>{keep}</ul></div>\n'
        '<div id="disqus_thread"><div class="thread-header"><span class="comment-count">'
        f"{len(art.comments)} Comments</span> <a>Login</a></div>"
        '<div class="thread-sort">Sort by <b>Best</b></div>'
        '<div class="textarea-wrapper"><p>Join the discussion…</p></div>'
        f'<ul class="post-list">{comments}</ul>'
        '<p class="powered">Powered by Discuss.example</p></div>\n'
        "</div></main>\n"
        '<footer class="site-footer"><p>Civic Ledger is a 501(c)(3) nonprofit newsroom serving '
        "Ashford County.</p><p>Republish our stories for free under a Creative Commons license."
        "</p></footer>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------- Metro Daily

MD_NEWSLETTER = "Get the biggest stories first with our free daily newsletter. Sign up here."
MD_TIPS = (
    "Got a story for us? Email newsdesk@metrodaily.example or call 0800 555 0199. You can also "
    "send us pictures and video."
)
MD_POPULAR = [
    ("Soap star reveals secret wedding in Tuscany", "Showbiz"),
    ("Shoppers queue overnight for discount supermarket opening", "UK News"),
    ("Pensioner, 91, passes driving test first time", "UK News"),
    ("Reality show couple split after six weeks", "Showbiz"),
    ("Dog walks 40 miles home after getting lost on holiday", "UK News"),
    ("Holiday hotspot bans flip-flops in town centre", "Travel"),
]


def metrodaily(art: Article, others: list[Article]) -> str:
    """Tabloid: READ MORE links and a video promo inside the body, popular carousel."""
    site = art.site
    reads = rotate(others, art.number, 2)
    inserts = {
        1: f'<p class="read-more"><strong>READ MORE: <a href="{esc(reads[0].url)}">'
        f"{esc(reads[0].title)}</a></strong></p>",
        2: '<div class="video-player"><div class="vp-title">WATCH: Latest news videos</div>'
        '<div class="vp-caption">Video unavailable</div></div>',
        3: f'<p class="read-more"><strong>MORE: <a href="{esc(reads[1].url)}">'
        f"{esc(reads[1].title)}</a></strong></p>",
    }
    popular = "".join(
        f'<div class="card"><span class="tag">{esc(s)}</span><a>{esc(t)}</a></div>'
        for t, s in rotate(MD_POPULAR, art.number, 4)
    )
    return (
        _head(
            art,
            f"{art.title} | {site['name']}",
            og_meta(art, site["name"]) + json_ld(art, site["name"]),
        )
        + "<body>\n"
        '<div class="topnav"><a class="logo">METRO DAILY</a> <a>News</a> <a>Showbiz</a> '
        "<a>Sport</a> <a>Money</a> <a>Travel</a> <a>Puzzles</a></div>\n"
        '<div class="article-wrapper">\n'
        f'<h1 class="article-title">{esc(art.title)}</h1>\n'
        f'<h2 class="article-standfirst">{esc(art.standfirst)}</h2>\n'
        f'<div class="author-row"><span class="author">By {esc(art.author)}</span> '
        f'<span class="published">{art.published:%H:%M, %a, %b %d, %Y}</span> | '
        '<a class="comments-link">Comments</a></div>\n'
        '<div class="share-row"><a>Share</a> <a>Facebook</a> <a>WhatsApp</a></div>\n'
        f'<figure class="lead"><img src="/pix/lead.jpg"><figcaption>{esc(art.caption)}'
        "</figcaption></figure>\n"
        '<div class="article-body" itemprop="articleBody">\n'
        + "\n".join(body_html(art, inserts))
        + "\n"
        f'<div class="newsletter-inline"><p>{esc(MD_NEWSLETTER)}</p></div>\n'
        f'<p class="tips"><em>{esc(MD_TIPS)}</em></p>\n</div>\n'
        f'<div class="most-popular"><h3>MOST POPULAR</h3>{popular}</div>\n'
        "</div>\n"
        "<footer><p>© Metro Daily Newspapers Ltd 2024. Part of Tabloid Group.</p>"
        "<p><a>Terms</a> <a>Privacy</a> <a>Do not sell my data</a></p></footer>\n"
        "</body>\n</html>\n"
    )


# ------------------------------------------------------------------- The Island Gazette

IG_WEATHER = [
    ("14°C, light rain", "06:12", "18:37"),
    ("17°C, sunny intervals", "07:05", "19:22"),
    ("12°C, fog clearing", "08:41", "21:03"),
]
IG_FERRY = "Ferry times: dep. St Brannoc 08:15, 12:00, 15:00, 18:30 (check for disruption)"


def islandgazette(art: Article, others: list[Article]) -> str:
    """Island weekly: weather and ferry widgets, live blogs, round-ups of several stories."""
    site = art.site
    sky, high, low = IG_WEATHER[art.number % len(IG_WEATHER)]
    if art.kind == "live":
        entries = "".join(
            f'<div class="live-entry"><time class="entry-time">{when}</time>'
            f'<div class="entry-body"><p>{esc(text)}</p></div></div>'
            for when, text in zip(art.times, art.body, strict=True)
        )
        main = (
            '<div class="live-badge">LIVE</div>'
            f'<h1>{esc(art.title)}</h1><p class="byline">{esc(art.author)}</p>'
            f'<div class="live-feed">{entries}</div>'
        )
    elif art.kind == "roundup":
        items = "".join(
            f'<section class="brief"><h2>{esc(b["heading"])}</h2>'
            + "".join(f"<p>{esc(p)}</p>" for p in b["body"])
            + "</section>"
            for b in art.briefs
        )
        main = f'<h1>{esc(art.title)}</h1><p class="byline">{esc(art.author)}</p>{items}'
    else:
        main = (
            f'<h1>{esc(art.title)}</h1><p class="byline">By {esc(art.author)}, '
            f"{art.published:%d %B %Y}</p>" + "".join(body_html(art))
        )
    latest = "".join(f"<li><a>{esc(o.title)}</a></li>" for o in rotate(others, art.number, 3))
    return (
        _head(art, f"{art.title} - {site['name']}", og_meta(art, site["name"])) + "<body>\n"
        '<div id="top"><a class="logo">The Island Gazette</a><span class="tagline">Serving '
        "St Brannoc and the outer isles since 1889</span></div>\n"
        '<div id="navbar"><a>News</a> <a>Live</a> <a>Sport</a> <a>Notices</a> <a>Ferries</a>'
        "</div>\n"
        f'<div id="content"><div class="story">{main}</div>\n'
        '<div class="notices"><p>Family notices, births, marriages and deaths: call the '
        "Gazette office on 01720 555 310.</p></div></div>\n"
        f'<div id="sidebar"><div class="weather-widget"><h4>St Brannoc weather</h4>'
        f"<p>Today: {sky}</p><p>High tide {high}, low tide {low}</p></div>"
        f'<div class="ferry-widget"><p>{esc(IG_FERRY)}</p></div>'
        f'<div class="latest"><h4>Latest news</h4><ul>{latest}</ul></div></div>\n'
        '<div id="footer">The Island Gazette, Harbour Street, St Brannoc. '
        "Printed and published every Friday.</div>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------- The Coastal Observer

CO_MOVED = (
    "The Coastal Observer has a new home! We are NOW hosted at coastal-observer.example. "
    "Previously the Observer was at coastalobserver.org. The .org domain name was suspended by "
    "its registrar in 2022, so please update your bookmarks and links."
)


def coastalobserver(art: Article, others: list[Article]) -> str:
    """Small independent site: moved-domain notice, feedback widget chrome with comments."""
    site = art.site
    n = len(art.comments)
    comments = "".join(
        f'<div class="wpd-comment"><div class="wpd-comment-author">{esc(name)}</div>'
        f'<div class="wpd-comment-date">{k + 1} months ago</div>'
        f'<div class="wpd-comment-text"><p>{esc(text)}</p></div>'
        '<div class="wpd-comment-footer"><span class="wpd-vote">0</span> <span>Reply</span>'
        "</div></div>"
        for k, (name, text) in enumerate(art.comments)
    )
    recent = "".join(f"<li><a>{esc(o.title)}</a></li>" for o in rotate(others, art.number, 3))
    return (
        _head(
            art,
            f"{art.title} – {site['name']}",
            og_meta(art, site["name"]) + json_ld(art, site["name"]),
        )
        + "<body>\n"
        f'<div class="site-notice"><p><strong>{esc(CO_MOVED)}</strong></p></div>\n'
        '<div id="page"><header id="masthead"><p class="site-title"><a>The Coastal Observer</a>'
        '</p><p class="site-description">Independent news from the Marrow coast</p></header>\n'
        '<div id="content"><div id="primary"><main id="main">\n'
        '<article class="post hentry">\n'
        f'<header class="entry-header"><h1 class="entry-title">{esc(art.title)}</h1>'
        f'<div class="entry-meta">Posted on <time>{art.published:%B %d, %Y}</time> by '
        f'<span class="author vcard">{esc(art.author)}</span></div></header>\n'
        '<div class="entry-content">\n' + "\n".join(body_html(art)) + "\n</div>\n"
        f'<footer class="entry-footer">Posted in <a>{esc(art.section)}</a></footer>\n'
        "</article>\n"
        '<div class="wpd-thread"><div class="wpd-thread-head"><div class="wpd-subscribe">'
        'Subscribe</div><div class="wpd-notify">Notify of new follow-up comments</div></div>'
        '<div class="wpd-form"><p>Please login to comment</p></div>'
        f'<div class="wpd-thread-info">{n} Comments</div>'
        '<div class="wpd-sort">Newest Most Voted</div>'
        '<div class="wpd-filter">Inline Feedbacks</div>'
        f"{comments}"
        '<div class="wpd-view-all">View all comments</div></div>\n'
        f'</main></div><aside id="secondary"><h2>Recent Posts</h2><ul>{recent}</ul></aside>'
        "</div></div>\n"
        '<footer id="colophon"><p>The Coastal Observer — reader-funded since 2011.</p></footer>\n'
        "</body>\n</html>\n"
    )


# ------------------------------------------------------------------- Tech & Policy Review

TP_PAYWALL = (
    "You've read {n} of 3 free articles this month. Subscribe to Tech & Policy Review for "
    "unlimited access to our reporting on the people and laws shaping technology."
)
TP_BRIEF = (
    "Get the Morning Brief: the day's most important tech policy stories, every weekday. "
    "Enter your email to subscribe."
)


def techpolicy(art: Article, others: list[Article]) -> str:
    """Subscription site: a related-article box in the body, paywall modal, newsletter form."""
    site = art.site
    rel = rotate(others, art.number, 1)[0]
    related = (
        '<aside class="related-inline"><span class="kicker">Related</span>'
        f'<a href="{esc(rel.url)}"><h3>{esc(rel.title)}</h3></a>'
        f"<p>{esc(rel.standfirst or rel.body[0][:140])}</p></aside>"
    )
    return (
        _head(
            art,
            f"{art.title} | {site['name']}",
            og_meta(art, site["name"]) + json_ld(art, site["name"]),
        )
        + "<body>\n"
        '<nav class="global"><a class="wordmark">Tech &amp; Policy Review</a> <a>Privacy</a> '
        "<a>AI</a> <a>Telecom</a> <a>Consumer</a> <a>Events</a> <a>Log in</a></nav>\n"
        '<div class="layout"><article class="story">\n'
        f'<p class="rubric">{esc(art.section)}</p><h1>{esc(art.title)}</h1>\n'
        + (f'<p class="dek">{esc(art.standfirst)}</p>\n' if art.standfirst else "")
        + f'<p class="credit">{esc(art.author)} | {art.published:%B %d, %Y}</p>\n'
        '<div class="story-text">\n' + "\n".join(body_html(art, {1: related})) + "\n</div>\n"
        f'<div class="bio"><p>{esc(art.author)} is a staff writer at Tech &amp; Policy Review.'
        "</p></div>\n</article>\n"
        f'<div class="newsletter-box"><h3>Morning Brief</h3><p>{esc(TP_BRIEF)}</p>'
        '<form><input type="email"><button>Subscribe</button></form></div>\n</div>\n'
        '<div class="paywall-modal" aria-hidden="true">'
        f"<p>{esc(TP_PAYWALL.format(n=1 + art.number % 3))}"
        "</p><a>See subscription options</a></div>\n"
        "<footer><p>© 2024 Tech &amp; Policy Review. All rights reserved.</p></footer>\n"
        "</body>\n</html>\n"
    )
