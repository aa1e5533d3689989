"""Inline SVG bar charts for the web reader: no script, no CDN, no inline styles (CSP-safe)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from archive.summary import Summary

#: Bar colours by provenance; other values get the neutral colour.
PROVENANCE_COLOURS = {
    "origin": "#2f7d4f",
    "redirect": "#4f7fbf",
    "moved": "#8a6fc0",
    "dead": "#b23b3b",
    "pending": "#999999",
}
NEUTRAL = "#5f6f7f"
#: Colour of sources recovered from an archive service (any provenance not listed above).
FALLBACK = "#b5832f"


def bar_chart(
    title: str,
    items: Sequence[tuple[str, int]],
    colours: dict[str, str] | None = None,
    unit: str = "sources",
) -> str:
    """A horizontal bar chart as an <svg> element with an accessible title."""
    colours = colours or {}
    label_w, bar_w, row_h, top = 210, 300, 24, 30
    height = top + row_h * max(1, len(items)) + 10
    peak = max([v for _, v in items] or [1]) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {label_w + bar_w + 70} {height}"'
        f' width="{label_w + bar_w + 70}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-weight="bold" font-size="14">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="0" y="{top + 16}" font-size="13" fill="#666">nothing yet</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        width = max(2, round(bar_w * value / peak)) if value else 0
        colour = colours.get(label, NEUTRAL)
        shown = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" font-size="13" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{width}" height="{row_h - 8}"'
            f' fill="{colour}"><title>{escape(label)}: {value} {unit}</title></rect>'
            f'<text x="{label_w + width + 6}" y="{y + 16}" font-size="13">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def summary_charts(summary: Summary, top_domains: int = 12) -> list[str]:
    """The reader's charts: sources by provenance, dead domains, snapshot distance."""
    dead = [
        (d.domain + (" (dead)" if d.all_dead else ""), d.dead + d.recovered)
        for d in summary.dead_domains
    ]
    return [
        bar_chart("Sources by provenance", list(summary.by_provenance.items()), PROVENANCE_COLOURS),
        bar_chart(
            "Sources that died at the origin, by domain",
            dead[:top_domains],
            {label: PROVENANCE_COLOURS["dead"] for label, _ in dead},
        ),
        bar_chart("Snapshot taken, counted from the event's date", list(summary.distances.items())),
    ]
