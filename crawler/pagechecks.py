"""Is a served HTML page the cited article? Parked, soft 404, error page, no article text.

Split from :mod:`crawler.deadlinks` (pure, no Scrapy or Twisted) so the extraction pool's
workers can judge pages: the reactor hands them the HTML and gets a verdict back. The
verdict on an extraction's outcome (:func:`classify_extraction`) is here for the same
reason: the closing pass of the texts, which runs without Scrapy, uses it too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.etree

#: A page with fewer visible words than this may be a parking or error page.
SHORT_PAGE_WORDS = 400


@dataclass(frozen=True)
class Verdict:
    """A judgement on one attempt: is the source dead there, why, and is the domain at fault."""

    dead: bool
    signal: str  # "ok", "dns", "refused", "timeout", "http_404", "parked", "soft404_redirect", …
    reason: str
    hard: bool = False  # the domain did not answer at all: counts against its health

    @classmethod
    def ok(cls) -> Verdict:
        """A page that looks like the article."""
        return cls(False, "ok", "")


# -- pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageSample:
    """What the page checks need from an HTML page: title, visible words, linked hosts."""

    title: str
    h1: str
    words: tuple[str, ...]
    hosts: frozenset[str] = field(default_factory=frozenset)

    @property
    def text(self) -> str:
        """The visible text, one space between words."""
        return " ".join(self.words)


_INVISIBLE = ("script", "style", "noscript", "template", "svg")
# Compiled once; smart_strings=False: plain str results, no link back to the tree.
_VISIBLE_TEXT = lxml.etree.XPath(
    "//text()[not(" + " or ".join(f"ancestor::{tag}" for tag in _INVISIBLE) + ")]",
    smart_strings=False,
)
_LINKS = lxml.etree.XPath(
    "|".join(
        f"//{tag}/@{attr}"
        for tag, attr in (
            ("script", "src"),
            ("iframe", "src"),
            ("a", "href"),
            ("form", "action"),
            ("link", "href"),
            ("img", "src"),
        )
    ),
    smart_strings=False,
)
_SCRIPT_TEXT = lxml.etree.XPath("//script/text()", smart_strings=False)
_SCRIPT_HOST = re.compile(r"//([a-z0-9.-]+\.[a-z]{2,})")


def sample_tree(tree: Any) -> PageSample:
    """A PageSample from a parsed page (lxml or lxml.html), without changing the tree.

    The extraction pool's workers judge the tree they then extract from: one parse a page.
    Visible words leave out the text inside script, style, noscript, template and svg (the
    text after them counts) and comments.
    """
    hosts = set()
    for value in _LINKS(tree):
        if "//" in value:
            hosts.add((urlsplit(value if "://" in value else "http:" + value).hostname) or "")
    for text in _SCRIPT_TEXT(tree):
        hosts.update(m.lower() for m in _SCRIPT_HOST.findall(text))
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "refresh":
            target = (meta.get("content") or "").partition("=")[2].strip("'\" ")
            hosts.add(urlsplit(target).hostname or "")
    title = " ".join((tree.findtext(".//title") or "").split())
    h1_el = next(tree.iter("h1"), None)
    h1 = " ".join("".join(h1_el.itertext()).split()) if h1_el is not None else ""
    words = tuple(" ".join(_VISIBLE_TEXT(tree)).split())
    return PageSample(title, h1, words, frozenset(h for h in hosts if h))


def sample_page(html: str) -> PageSample:
    """Parse an HTML page into a PageSample (empty sample when it cannot be parsed)."""
    try:
        # plain lxml elements: lxml.html's per-element class lookup costs more here
        tree = lxml.etree.fromstring(html, lxml.etree.HTMLParser()) if html.strip() else None
    except (lxml.etree.LxmlError, ValueError):
        tree = None
    if tree is None:
        return PageSample("", "", ())
    return sample_tree(tree)


def sample_to_dict(page: PageSample) -> dict[str, Any]:
    """Plain data for a process boundary."""
    return {
        "title": page.title,
        "h1": page.h1,
        "words": list(page.words),
        "hosts": sorted(page.hosts),
    }


def sample_from_dict(data: Mapping[str, Any]) -> PageSample:
    """Rebuild a :class:`PageSample` from :func:`sample_to_dict` output."""
    return PageSample(
        str(data["title"]), str(data["h1"]), tuple(data["words"]), frozenset(data["hosts"])
    )


def judge_page(
    html: str,
    final_url: str,
    *,
    cited_url: str,
    generic: Mapping[str, Any] | None = None,
    want_sample: bool = False,
    tree: Any = None,
) -> dict[str, Any]:
    """:func:`classify_page` on HTML, as plain data (the extraction pool's workers run it).

    ``generic`` is the site's generic page (:func:`sample_to_dict` form) when already known;
    with ``want_sample`` the page's sample comes back too, for a comparison made later.
    ``tree``: the page already parsed (by the extractor, in the same worker), else None.
    """
    page = sample_tree(tree) if tree is not None else sample_page(html)
    verdict = classify_page(
        cited_url, final_url, page, sample_from_dict(generic) if generic is not None else None
    )
    out: dict[str, Any] = {"verdict": asdict(verdict)}
    if want_sample and not verdict.dead:
        out["sample"] = sample_to_dict(page)
    return out


#: Hosts of the parking and domain-sale services whose pages stand in for expired domains.
PARKING_HOSTS = {
    "sedoparking.com": "sedo",
    "sedo.com": "sedo",
    "parkingcrew.net": "parkingcrew",
    "bodis.com": "bodis",
    "above.com": "above",
    "dan.com": "dan",
    "afternic.com": "afternic",
    "hugedomains.com": "hugedomains",
    "undeveloped.com": "undeveloped",
    "parklogic.com": "parklogic",
    "domainmarket.com": "domainmarket",
    "sav.com": "sav",
    "park.io": "parkio",
    "porkbun.com": "porkbun",
}
#: Phrases of parking and "domain for sale" pages, with the template they suggest.
PARKING_PHRASES = tuple(
    (re.compile(pattern, re.I), name)
    for pattern, name in (
        (r"\bcourtesy of godaddy\b", "godaddy"),
        (r"\b(this|the) (web ?page|domain|web ?site) (is|has been) parked\b", "parked"),
        (r"\bparked free\b", "godaddy"),
        (
            r"\b(this|the) domain( name)? [\w.-]* ?(is|may be|might be|could be) for sale\b",
            "for-sale",
        ),
        (r"\bdomain( name)? (is )?for sale\b", "for-sale"),
        (r"\b[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,} (is|may be|might be) for sale\b", "for-sale"),
        (r"\b(buy|purchase|make an offer on|inquire about|get) (this|the) domain\b", "for-sale"),
        (r"\b(this|the) domain( name)? (has )?expired\b", "expired"),
        (r"\brelated searches\b", "ppc-lander"),
    )
)


def parked_template(page: PageSample) -> str | None:
    """The parking template a page matches ("sedo", "godaddy", "for-sale", …), or None."""
    short = len(page.words) < SHORT_PAGE_WORDS
    if short:
        for host in page.hosts:
            for marker, name in PARKING_HOSTS.items():
                if host == marker or host.endswith("." + marker):
                    return name
    for phrase, name in PARKING_PHRASES:
        if phrase.search(page.title):
            return name
    if not short:
        return None
    text = page.text
    for phrase, name in PARKING_PHRASES:
        if phrase.search(text):
            return name
    return None


_INDEX_PATH = re.compile(r"^/?((index|default|home|start)(\.[a-z]+)?)?/?$", re.I)
_ERROR_PATH = re.compile(
    r"(^|/)(404|410|error|errors|not[-_]?found|page[-_]?not[-_]?found|gone)(\.[a-z]+)?/?$", re.I
)


def is_home_path(path: str) -> bool:
    """True for a site's root or an index page path (`/`, `/index.html`, `/home`)."""
    return bool(_INDEX_PATH.match(path or "/"))


def soft404_redirect(cited_url: str, final_url: str) -> bool:
    """True when an article URL ended, through redirects, on a home, index or error page."""
    cited, final = urlsplit(cited_url), urlsplit(final_url)
    if is_home_path(cited.path):
        return False  # the citation is a home page itself
    if cited.path.rstrip("/") == final.path.rstrip("/") and cited.query == final.query:
        return False
    if is_home_path(final.path) and not final.query:
        return True
    return bool(_ERROR_PATH.search(final.path) or re.search(r"\b(404|notfound)\b", final.query))


_ERROR_TITLES = re.compile(
    r"^\s*(error\s*)?(404|410)\b|\bpage (was )?not found\b|^\s*not found\b"
    r"|^\s*nothing (here|found)\b"
    r"|\b(page|article|story|content)( you (requested|are looking for))? (is )?"
    r"(no longer available|not available|does not exist|cannot be found|could not be found)\b"
    r"|\bcan.t find (that|this|the) page\b|^\s*oops\b",
    re.I,
)


def error_page(page: PageSample) -> bool:
    """True when a short page's title or main heading says "not found"."""
    if len(page.words) >= SHORT_PAGE_WORDS:
        return False
    return bool(_ERROR_TITLES.search(page.title) or _ERROR_TITLES.search(page.h1))


def _shingles(words: Iterable[str], size: int = 4) -> set[tuple[str, ...]]:
    lowered = [w.lower() for w in words]
    if len(lowered) < size:
        return {tuple(lowered)} if lowered else set()
    return {tuple(lowered[i : i + size]) for i in range(len(lowered) - size + 1)}


def similarity(a: PageSample, b: PageSample) -> float:
    """Jaccard similarity of two pages' visible text (word 4-shingles), 0.0 to 1.0."""
    sa, sb = _shingles(a.words), _shingles(b.words)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def same_as_generic(page: PageSample, generic: PageSample) -> bool:
    """True when a page is the site's generic page (same title and text, or the same text)."""
    score = similarity(page, generic)
    if page.title and page.title == generic.title:
        return score >= 0.6
    return score >= 0.9


def classify_page(
    cited_url: str, final_url: str, page: PageSample, generic: PageSample | None = None
) -> Verdict:
    """Is a 200 HTML page the cited article? Parked, soft 404 (redirect or content), error page.

    `generic` is the site's own answer for a page that does not exist (a probe of a random
    path), or the site's home page; without it the content test is skipped.
    """
    template = parked_template(page)
    if template is not None:
        return Verdict(True, "parked", f"parked domain page ({template})")
    if soft404_redirect(cited_url, final_url):
        return Verdict(True, "soft404_redirect", f"soft 404: redirected to {final_url}")
    if error_page(page):
        title = page.title or page.h1
        return Verdict(True, "soft404_error", f"soft 404: the page says {title!r}")
    if generic is not None and not is_home_path(urlsplit(cited_url).path):
        if same_as_generic(page, generic):
            return Verdict(True, "soft404_content", "soft 404: the site's generic page")
    return Verdict.ok()


def classify_extraction(status: str, url: str, reason: str | None = None) -> Verdict:
    """Is an extraction's outcome a dead-link signal, or a problem of the extraction?

    Only ``"empty"`` is a signal (``no_article``): the extraction returns nothing only when
    trafilatura's plain result on the untouched page is empty too (the floor in
    :mod:`crawler.extraction`), so there is no article text on that copy and the next copy
    along the fallback chain may have it. ``"ok"`` is the article. Anything else (a time-out,
    an error of the extractor or of its worker, a pool that failed) says nothing about the
    page: not dead (signal ``extraction_<status>``, the extraction's reason kept), so the
    copy in hand is kept without text and never replaced by an archive's copy for that.
    """
    if status == "ok":
        return Verdict.ok()
    if status == "empty":
        return Verdict(True, "no_article", f"no article text at {url}")
    return Verdict(False, f"extraction_{status}", reason or f"extraction {status}")
