"""Pick the right story on pages that carry several, using the page title and the event headline.

Two shapes are handled, both general: several top-level ``<article>`` elements (a story with
the next one loaded below it, "infinite scroll"), and one container holding three or more
headed sections on unrelated topics (a news-in-brief round-up). The stories that do not
match are removed from the tree before extraction. Pure lxml, no Scrapy.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["content_words", "pick_story", "relevance"]

_WORD = re.compile(r"\w+")
_MIN_STORY_WORDS = 40
_SECTION_HEADINGS = ("h2", "h3")


def content_words(text: str) -> set[str]:
    """Crude stems (first five letters) of the words of four letters or more in ``text``."""
    return {w[:5] for w in _WORD.findall(text.casefold()) if len(w) >= 4 and not w.isdigit()}


def relevance(query: set[str], text: str) -> float:
    """Share of the query's stems found in ``text`` (0 when the query is empty)."""
    if not query:
        return 0.0
    return len(query & content_words(text)) / len(query)


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _top_articles(root: Any) -> list[Any]:
    found = []
    for element in root.iter("article"):
        if any(a.tag == "article" for a in element.iterancestors()):
            continue
        if len(_text(element).split()) >= _MIN_STORY_WORDS:
            found.append(element)
    return found


def _pick_article(articles: list[Any], title: str, event: str) -> Any:
    """The article whose own heading is the page title, else the one nearest the event."""
    wanted = " ".join(title.casefold().split())
    for article in articles:
        for heading in article.iter("h1", "h2"):
            text = " ".join(heading.text_content().casefold().split())
            if text and (text == wanted or (len(text) > 20 and text in wanted)):
                return article
    query = content_words(event) or content_words(title)
    return max(articles, key=lambda a: relevance(query, _text(a)))


def _sections(container: Any) -> list[list[Any]]:
    """Split a container's children into sections that each start with an h2/h3 heading."""
    sections: list[list[Any]] = []
    for child in container:
        if not isinstance(child.tag, str):
            continue
        heading = child.tag in _SECTION_HEADINGS or (
            child.tag in ("section", "div") and len(child) and child[0].tag in _SECTION_HEADINGS
        )
        if heading:
            sections.append([child])
        elif sections:
            sections[-1].append(child)
    return sections


def _roundup_choice(container: Any, event: str) -> list[list[Any]] | None:
    """The sections to remove when ``container`` is a round-up with one story about the event."""
    sections = _sections(container)
    if len(sections) < 3:
        return None
    texts = [" ".join(_text(e) for e in s) for s in sections]
    words = [content_words(t) for t in texts]
    for i in range(len(words)):
        for j in range(i + 1, len(words)):
            union = words[i] | words[j]
            if union and len(words[i] & words[j]) / len(union) >= 0.12:
                return None  # the sections share their subject: one story with subheadings
    query = content_words(event)
    scores = [relevance(query, t) for t in texts]
    best = max(range(len(scores)), key=scores.__getitem__)
    runner_up = max(s for k, s in enumerate(scores) if k != best)
    if scores[best] < 0.3 or scores[best] < 2 * runner_up:
        return None
    return [s for k, s in enumerate(sections) if k != best]


def pick_story(tree: Any, title: str | None, event: str | None) -> int:
    """Remove the stories of ``tree`` that are not the page's own; return how many were removed."""
    body = tree.find(".//body")
    if body is None:
        return 0
    removed = 0
    articles = _top_articles(body)
    if len(articles) >= 2:
        keep = _pick_article(articles, title or "", event or "")
        for article in articles:
            if article is not keep:
                article.drop_tree()
                removed += 1
    if not event:
        return removed
    for container in list(body.iter()):
        if (
            not isinstance(container.tag, str)
            or container.getparent() is None
            and container is not body
        ):
            continue
        others = _roundup_choice(container, event)
        if others:
            for section in others:
                for element in section:
                    element.drop_tree()
            return removed + len(others)
    return removed
