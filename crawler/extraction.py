"""Article text and metadata extraction from decoded HTML with trafilatura (pure, no Scrapy)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import trafilatura
from trafilatura.utils import load_html

__all__ = ["EXTRACTOR", "ExtractedText", "extract_article"]

EXTRACTOR = f"trafilatura {trafilatura.__version__}"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# primary language subtag of a BCP 47 tag such as "en", "fr-FR", "pt_BR", "zh-Hant-TW"
_LANG_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_OPTIONAL_FIELDS = ("title", "author", "date", "language", "sitename")


@dataclass(frozen=True)
class ExtractedText:
    """Clean article text of one page plus the metadata found with it."""

    text: str
    title: str | None
    author: str | None
    date: str | None  # ISO YYYY-MM-DD
    language: str | None  # ISO 639 primary subtag, lower case ("en", "fr", "ru")
    sitename: str | None
    extractor: str  # e.g. "trafilatura 2.3.1"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of all fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExtractedText:
        """Rebuild from ``to_dict()`` output; raise TypeError/ValueError on malformed data."""
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a mapping, got {type(data).__name__}")
        text = data.get("text")
        extractor = data.get("extractor")
        if not isinstance(text, str) or not isinstance(extractor, str):
            raise ValueError("'text' and 'extractor' must be strings")
        optional: dict[str, str | None] = {}
        for name in _OPTIONAL_FIELDS:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name!r} must be a string or None, got {type(value).__name__}")
            optional[name] = value
        return cls(text=text, extractor=extractor, **optional)


def _clean(value: Any) -> str | None:
    """Return a stripped non-empty string or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _normalise_language(tag: Any) -> str | None:
    """Reduce a language tag to its lower-case primary subtag, or None if it is not one."""
    if not isinstance(tag, str):
        return None
    match = _LANG_TAG.match(tag)
    return match.group(1).lower() if match else None


def _html_language(tree: Any) -> str | None:
    """Read the language declared by the page itself: <html lang>, xml:lang, Content-Language."""
    for value in (tree.get("lang"), tree.get(_XML_LANG)):
        language = _normalise_language(value)
        if language:
            return language
    for meta in tree.iterfind(".//head/meta[@http-equiv]"):
        if str(meta.get("http-equiv", "")).lower() == "content-language":
            # may be a list ("en, fr"): take the first
            language = _normalise_language(str(meta.get("content", "")).split(",")[0])
            if language:
                return language
    return None


def _drop_title_line(text: str, title: str | None) -> str:
    """Remove the headline when trafilatura repeats it as the first line of the body."""
    if not title:
        return text
    first, sep, rest = text.partition("\n")
    if " ".join(first.split()) == " ".join(title.split()):
        return rest.strip() if sep else ""
    return text


def extract_article(html: str, url: str) -> ExtractedText | None:
    """Extract the main article text and metadata from decoded HTML; None if there is none."""
    if not isinstance(html, str):
        raise TypeError(f"html must be a decoded str, got {type(html).__name__}")
    if not html.strip():
        return None
    # Parse once: the same tree gives the declared language and goes to trafilatura
    # (which copies it before pruning).
    tree = load_html(html)
    if tree is None:
        return None
    raw = trafilatura.extract(
        tree,
        url=url or None,
        output_format="json",
        with_metadata=True,
        include_comments=False,  # default True: reader comments would be appended
        favor_precision=True,
        deduplicate=False,  # True uses a process-wide cache: output would depend on history
        include_tables=False,  # tables on news pages are mostly score/market/standing widgets
        include_images=False,
        include_links=False,
    )
    if not raw:
        return None
    data = json.loads(raw)
    title = _clean(data.get("title"))
    text = _drop_title_line(str(data.get("text") or "").strip(), title)
    if not text:
        return None
    date = _clean(data.get("date"))
    if date is not None and not _ISO_DATE.match(date):
        date = None
    # trafilatura only fills "language" when asked to detect one (target_language + py3langid)
    language = _normalise_language(data.get("language")) or _html_language(tree)
    return ExtractedText(
        text=text,
        title=title,
        author=_clean(data.get("author")),
        date=date,
        language=language,
        sitename=_clean(data.get("source-hostname")),
        extractor=EXTRACTOR,
    )
