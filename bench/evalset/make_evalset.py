"""Rebuild the evaluation pages from content/*.toml: `python -m bench.evalset.make_evalset`.

Each page is written as served (HTML in its declared charset, or PDF bytes) beside a JSON
manifest with the URL, the HTTP Content-Type, the citing event and the expected text.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bench.evalset import PAGES_DIR
from bench.evalset.common import Article
from bench.evalset.pdfwriter import make_pdf
from bench.evalset.templates_intl import alwaha, echo, kurier
from bench.evalset.templates_news import harbourline, northwire, valleypost
from bench.evalset.templates_web import (
    civicledger,
    coastalobserver,
    islandgazette,
    metrodaily,
    techpolicy,
)

CONTENT = Path(__file__).resolve().parent / "content"
Template = Callable[[Article, list[Article]], str]
TEMPLATES: dict[str, Template] = {
    "harbourline": harbourline,
    "valleypost": valleypost,
    "northwire": northwire,
    "civicledger": civicledger,
    "metrodaily": metrodaily,
    "islandgazette": islandgazette,
    "coastalobserver": coastalobserver,
    "techpolicy": techpolicy,
    "echo_vallees": echo,
    "severny_kurier": kurier,
    "alwaha": alwaha,
}


def load_site(path: Path) -> list[Article]:
    """The articles of one content file."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    site = dict(data["site"], key=path.stem)
    out = []
    for number, raw in enumerate(data["article"]):
        raw = dict(raw)
        raw.setdefault("body", [])
        out.append(
            Article(
                id=raw.pop("id"),
                url="https://" + site["host"] + raw.pop("path"),
                site=site,
                published=datetime.fromisoformat(raw.pop("published")),
                briefs=raw.pop("brief", []),
                number=number,
                **raw,
            )
        )
    return out


def content_type(art: Article) -> str:
    """The Content-Type header the page is served with."""
    if art.kind == "pdf":
        return "application/pdf"
    if art.charset_in == "meta":
        return "text/html"
    return f"text/html; charset={art.charset}"


def render(art: Article, others: list[Article]) -> bytes:
    """The page's bytes as served."""
    if art.kind == "pdf":
        head = f"{art.site['name']} | {art.section}"
        return make_pdf(art.title, art.author, art.published.strftime("%Y-%m-%d"), head, art.body)
    html = TEMPLATES[art.site["key"]](art, others)
    return html.encode(art.charset, errors="xmlcharrefreplace")


def main() -> None:
    """Write every page and its manifest into pages/."""
    PAGES_DIR.mkdir(exist_ok=True)
    for old in PAGES_DIR.iterdir():
        old.unlink()
    count = 0
    for path in sorted(CONTENT.glob("*.toml")):
        articles = load_site(path)
        for art in articles:
            others = [o for o in articles if o is not art]
            ext = "pdf" if art.kind == "pdf" else "html"
            name = f"{art.id}.{ext}"
            (PAGES_DIR / name).write_bytes(render(art, others))
            manifest = {
                "id": art.id,
                "file": name,
                "site": art.site["host"],
                "url": art.url,
                "content_type": content_type(art),
                "charset_declared_in": None if art.kind == "pdf" else art.charset_in,
                "kind": art.kind,
                "event": {"headline": art.event, "date": art.event_date},
                "title": art.title,
                "author": art.author,
                "date": art.published.strftime("%Y-%m-%d"),
                "language": art.site["lang"].split("-")[0],
                "sitename": art.site["name"],
                "expected_text": art.expected_text(),
            }
            (PAGES_DIR / f"{art.id}.json").write_text(
                json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            count += 1
    print(f"wrote {count} pages to {PAGES_DIR}")


if __name__ == "__main__":
    main()
