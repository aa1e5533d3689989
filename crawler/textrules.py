"""General cleaning rules around the extractor: before it on the tree, after it on the text.

No rule is keyed to one site: link-only teaser paragraphs ("READ MORE: …", "Lire aussi : …"),
a comment widget's heading and everything after it, bylines, the headline and its kicker
repeated in the body, and the standfirst that templates keep outside the article body
(recovered when the page's own description names it). Pure lxml and strings, no Scrapy.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

__all__ = [
    "clean_lines",
    "cut_at_comments",
    "is_comment_marker",
    "drop_link_teasers",
    "teaser_texts",
    "page_description",
    "recover_standfirst",
]

_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
#: Headings and chrome that open a comment thread, in the languages of our sources.
_COUNT = r"(?:\s*\(\d+\))?\s*:?\s*$"
_COMMENT_MARKERS = re.compile(
    r"^(?:\d+\s+)?(?:comments?|reader comments|commentaires?|réactions?|réagissez"
    r"|комментари[йия]|отзывы|التعليقات|تعليقات|kommentare|comentarios)"
    + _COUNT
    + r"|^\d+\s+(?:thoughts? on|responses? to|replies to)\b"
    r"|^(?:leave|post|add|write) a (?:reply|comment)\b|^join the (?:discussion|conversation)\b"
    r"|^notify of\b|^(?:newest|oldest) (?:most voted|first)\b|^inline feedbacks\b"
    r"|^(?:show|load|view|read) (?:all )?(?:\d+ )?comments\b|^you must be logged in to\b"
    r"|^your email address will not be published\b|^vous devez être connecté pour réagir"
    r"|^оставьте комментарий|^أضف تعليق",
    re.IGNORECASE,
)
_TEASER_MAX_WORDS = 30
_TEASER_TAGS = ("p", "li", "div", "aside")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


#: (words, starts with a word character, ends with one) of a text; None for "".
_Span = tuple[int, bool, bool] | None


def _span(text: str | None) -> _Span:
    if not text:
        return None
    first, last = _WORD_CHAR.match(text[0]), _WORD_CHAR.match(text[-1])
    return (_words(text), first is not None, last is not None)


def _join(left: _Span, right: _Span) -> _Span:
    """The span of two texts put together: a word cut by a tag boundary counts once."""
    if left is None:
        return right
    if right is None:
        return left
    merged = 1 if left[2] and right[1] else 0
    return (left[0] + right[0] - merged, left[1], right[2])


def _word_counts(root: Any) -> dict[Any, tuple[int, int]]:
    """Every element's (words of its ``text_content()``, words inside its ``<a>`` elements).

    One pass, children before parents: the same counts as ``_words(e.text_content())`` and
    ``sum(_words(a.text_content()) for a in e.iter("a"))`` element by element, which cost
    quadratic time on deep pages.
    """
    spans: dict[Any, _Span] = {}
    counts: dict[Any, tuple[int, int]] = {}
    for element in reversed(list(root.iter())):
        if not isinstance(element.tag, str):
            continue
        span = _span(element.text)
        linked = 0
        for child in element:
            if isinstance(child.tag, str):
                span = _join(span, spans[child])
                linked += counts[child][1]
            span = _join(span, _span(child.tail))
        words = span[0] if span is not None else 0
        if element.tag == "a":
            linked += words
        spans[element] = span
        counts[element] = (words, linked)
    return counts


def _is_score_line(element: Any) -> bool:
    """Linked names with only numbers beside them ("Northfield 3, Lakeview 1"): a result."""
    unlinked = Counter(_WORD.findall(element.text_content()))
    for link in element.iter("a"):
        unlinked -= Counter(_WORD.findall(link.text_content()))
    return bool(unlinked) and all(word.isdigit() for word in unlinked)


def drop_link_teasers(tree: Any) -> int:
    """Remove short blocks that are a link with at most a label: teasers for other stories."""
    body = tree.find(".//body")
    if body is None:
        return 0
    removed = 0
    counts = _word_counts(body)  # a drop changes no later element's counts (pre-order walk)
    for element in list(body.iter(*_TEASER_TAGS)):
        if element.getparent() is None:
            continue
        total, linked = counts[element]
        if _is_teaser(total, linked) and not _is_score_line(element):
            element.drop_tree()
            removed += 1
    return removed


def _is_teaser(total: int, linked: int) -> bool:
    return 0 < total <= _TEASER_MAX_WORDS and linked >= 0.6 * total and total - linked <= 3


def teaser_texts(tree: Any) -> set[str]:
    """The texts (case and spacing folded) of the page's link teasers, the tree unchanged.

    The rule of :func:`drop_link_teasers`, to be applied to trafilatura's result rather than
    to the page before it: removing blocks from the page changes which part of it
    trafilatura takes for the article.
    """
    body = tree.find(".//body")
    if body is None:
        return set()
    found = set()
    for element in body.iter(*_TEASER_TAGS):
        text = element.text_content()
        total = _words(text)
        if not total or total > _TEASER_MAX_WORDS:
            continue
        linked = sum(_words(a.text_content()) for a in element.iter("a"))
        if _is_teaser(total, linked):
            found.add(_norm(text))
    return found


def page_description(tree: Any) -> str | None:
    """The page's own summary: ``<meta name=description>`` or ``og:description``."""
    for meta in tree.iterfind(".//head/meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in ("description", "og:description"):
            content = " ".join((meta.get("content") or "").split())
            if content:
                return content
    return None


def recover_standfirst(tree: Any, text: str) -> str:
    """Put back the standfirst: the page's description, shown in its body, missing from the text."""
    description = page_description(tree)
    if not description or _words(description) < 6 or _norm(description) in _norm(text):
        return text
    wanted = _norm(description)
    body = tree.find(".//body")
    if body is None:
        return text
    for element in body.iter("p", "h2", "div", "span", "strong"):
        if _norm(element.text_content()) == wanted:
            return f"{description}\n{text}" if text else description
    return text


def is_comment_marker(text: str) -> bool:
    """A comment widget's heading or chrome ("Comments (12)", "Leave a reply", ...)."""
    return _words(text) <= 12 and _COMMENT_MARKERS.match(text.strip()) is not None


def cut_at_comments(lines: list[str]) -> list[str]:
    """Drop a comment thread: from the first comment-widget line on, unless it opens the text."""
    total = sum(_words(line) for line in lines)
    seen = 0
    for k, line in enumerate(lines):
        if is_comment_marker(line):
            if seen >= total / 3:
                return lines[:k]
            return lines[:k] + cut_at_comments(lines[k + 1 :])
        seen += _words(line)
    return lines


def _is_byline(line: str, author: str | None) -> bool:
    if not author or _words(line) > 15:
        return False
    first = author.split(";")[0].strip()
    if not first:
        return False
    return re.match(rf"^\W*(?:\w+\W+)?{re.escape(first)}\b", line, re.IGNORECASE) is not None


#: What is left of a byline whose name was a link: the word for "by" alone on its line.
_BY_WORDS = frozenset({"by", "par", "von", "por", "di", "door", "av", "af", "от", "автор"})


def clean_lines(text: str, title: str | None, author: str | None) -> list[str]:
    """The text's lines without the repeated headline (and its kicker), bylines and comments."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if title:
        wanted = _norm(title)
        for k, line in enumerate(lines[:4]):
            if _norm(line) == wanted:
                # a kicker or section label just above the headline goes with it
                head = [x for x in lines[:k] if _words(x) > 3]
                lines = head + lines[k + 1 :]
                break
    lines = [
        line for line in lines if not _is_byline(line, author) and _norm(line) not in _BY_WORDS
    ]
    return cut_at_comments(lines)
