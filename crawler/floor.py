"""The floor under every page: when trafilatura's plain result beats what our rules made of it.

Our rules (site boilerplate, story choice, link teasers, line rules) may only improve on
trafilatura's own result for the untouched page, never replace a good one with nothing. Our
text gives way to the plain one when it is empty, a small fraction of it, only a notice
(copyright, reprint, cookie or subscription text) or only a list of other headlines while the
plain text is not. Pure string functions, measured on the real extraction sets
(``bench/extraction.py --sets``).
"""

from __future__ import annotations

import re

__all__ = ["FRACTION", "floor_reason", "is_headline_list", "is_notice", "no_article"]

_WORD = re.compile(r"\w+")
#: Our text is "a fraction of the plain one" below this share of its words.
FRACTION = 0.25
#: Below this many words our text is doubtful enough to compute the plain result to compare.
DOUBTFUL_WORDS = 60
_NOTICE_MAX_WORDS = 150
_NOTICE = re.compile(
    r"copyright|©|\(c\)\s*\d{4}|all rights reserved|reprint|non-?commercial use|personal use"
    r"|redistribut|cookies?\b|privacy (?:policy|notice)|terms (?:of|and) (?:use|service|conditions)"
    r"|subscri(?:be|ption|ber)|sign (?:in|up)\b|log ?in\b|register\b|newsletter",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?;:…»”\"')]\s*$")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def is_notice(text: str) -> bool:
    """Only notices: a short text whose lines (most of its words) are copyright, reprint,
    cookie, subscription or sign-in text."""
    lines = _lines(text)
    total = sum(_words(line) for line in lines)
    if not lines or total > _NOTICE_MAX_WORDS:
        return False
    noticed = sum(_words(line) for line in lines if _NOTICE.search(line))
    return noticed >= 0.5 * total


def is_headline_list(text: str) -> bool:
    """A list of headlines: three lines or more, every one short, few ending a sentence."""
    lines = _lines(text)
    if len(lines) < 3 or any(_words(line) > 14 for line in lines):
        return False
    ended = sum(1 for line in lines if _SENTENCE_END.search(line))
    return ended <= 0.2 * len(lines)


#: A headline list this short is a page's navigation, not an article.
_NAV_MAX_WORDS = 20


def no_article(text: str) -> bool:
    """Nothing of an article is left: no text, or a handful of short labels (a page of links)."""
    return not _words(text) or (_words(text) < _NAV_MAX_WORDS and is_headline_list(text))


def floor_reason(text: str, plain: str | None) -> str | None:
    """Why ``plain`` (trafilatura on the untouched page) should replace our ``text``, or None.

    With ``plain`` None (not computed): a reason when our text is doubtful (empty, short, a
    notice or a headline list), so that the caller computes the plain result and asks again.
    """
    words = _words(text)
    if plain is None:
        if not words:
            return "empty"
        if is_notice(text):
            return "notice"
        if is_headline_list(text):
            return "headlines"
        return "short" if words < DOUBTFUL_WORDS else None
    plain_words = _words(plain)
    if not plain_words or is_notice(plain) or is_headline_list(plain):
        return None  # nothing better to offer: a page of links or notices has no article
    if not words:
        return "empty"
    if words < FRACTION * plain_words:
        return "fraction"
    if is_notice(text) and not is_notice(plain):
        return "notice"
    if is_headline_list(text) and not is_headline_list(plain):
        return "headlines"
    return None
