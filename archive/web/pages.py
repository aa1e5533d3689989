"""HTML pages of the web reader: event list and search, an event beside its snapshot, charts.

Pages are rendered on the server and carry no script: the reader's own Content-Security-
Policy forbids every script, and archived pages only ever appear inside a sandboxed frame
loaded from the separate replay origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from urllib.parse import quote, urlencode

from archive.reader import Archive, EventRecord, Source
from archive.search import MARK_END, MARK_START
from archive.summary import summarize
from archive.web.charts import summary_charts

#: Events listed on one page of the index.
PAGE_SIZE = 100

CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2327; background: #f6f7f8; }
header.top { background: #23303b; color: #fff; padding: 8px 16px; display: flex; gap: 18px; }
header.top a { color: #fff; text-decoration: none; font-weight: 600; }
main { padding: 12px 16px; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
form.filters input { font: inherit; padding: 3px 6px; }
table.events { border-collapse: collapse; width: 100%; background: #fff; }
table.events td, table.events th { padding: 5px 8px; border-bottom: 1px solid #e3e5e8;
  text-align: left; vertical-align: top; }
.snip { color: #555; font-size: 13px; }
mark { background: #ffe38a; }
.tag { display: inline-block; background: #e7edf3; border-radius: 3px; padding: 0 5px;
  margin: 1px 2px; font-size: 12px; }
.prov { display: inline-block; border-radius: 3px; padding: 0 6px; font-size: 12px; color: #fff;
  background: #5f6f7f; }
.prov-origin { background: #2f7d4f; } .prov-redirect { background: #4f7fbf; }
.prov-moved { background: #8a6fc0; } .prov-dead { background: #b23b3b; }
.event-head h1 { font-size: 20px; margin: 4px 0; }
ol.sources { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
ol.sources li a { display: block; padding: 4px 8px; background: #fff; border: 1px solid #ccd;
  border-radius: 4px; text-decoration: none; color: inherit; }
ol.sources li.current a { border-color: #23303b; box-shadow: 0 0 0 1px #23303b; }
.split { display: grid; grid-template-columns: minmax(300px, 1fr) minmax(300px, 1.3fr); gap: 14px; }
.text { background: #fff; padding: 10px 14px; border: 1px solid #dde; overflow-wrap: anywhere; }
.text p { margin: 0 0 0.7em; }
.meta { font-size: 13px; color: #555; }
.snapshot iframe { width: 100%; height: 78vh; border: 1px solid #99a; background: #fff; }
.nosnap { padding: 20px; background: #fff; border: 1px dashed #b23b3b; }
.charts { display: flex; flex-wrap: wrap; gap: 20px; }
.chart { background: #fff; border: 1px solid #dde; padding: 6px; }
"""


def _mark(snippet: str) -> str:
    text = escape(" ".join(snippet.split()))
    return text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def _tags(tags: list[str]) -> str:
    return "".join(f'<a class="tag" href="/?{urlencode({"tag": t})}">{escape(t)}</a>' for t in tags)


def event_href(event_id: str, position: int | None = None) -> str:
    """The reader's URL of an event (and one of its sources)."""
    return f"/event/{quote(event_id)}" + (f"?s={position}" if position else "")


def layout(title: str, body: str) -> str:
    """A whole reader page."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="referrer" content="no-referrer">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/reader.css"></head><body>'
        '<header class="top"><a href="/">Events</a><a href="/charts">Charts</a>'
        '<span class="where">offline archive reader</span></header>'
        f"<main>{body}</main></body></html>"
    )


def _filter_form(params: Mapping[str, str]) -> str:
    def field(name: str, label: str, kind: str = "text") -> str:
        value = escape(params.get(name, ""), quote=True)
        return f'<label>{label}<input type="{kind}" name="{name}" value="{value}"></label>'

    return (
        '<form class="filters" method="get" action="/">'
        + field("q", "search headlines and texts", "search")
        + field("since", "from", "date")
        + field("until", "to", "date")
        + field("tag", "context tag")
        + field("domain", "source domain")
        + '<button type="submit">Search</button></form>'
    )


def index_page(arc: Archive, params: Mapping[str, str]) -> str:
    """The event list, filtered and searched by the query parameters."""
    q = params.get("q", "").strip()
    filters = {k: params.get(k) or None for k in ("since", "until", "tag", "domain")}
    hits = {}
    try:
        ids = arc.event_ids(**filters)
        if q:
            ids = [h.event_id for h in arc.search(q, None, snippets=False, within=set(ids))]
            hits = {h.event_id: h for h in arc.search(q, PAGE_SIZE, within=set(ids))}
    except ValueError as exc:
        return layout("Events", _filter_form(params) + f"<p>{escape(str(exc))}</p>")
    events = arc.load(ids[:PAGE_SIZE])
    rows = []
    for e in events:
        archived = sum(1 for s in e.sources if s.provenance not in ("dead", "pending"))
        snippet = f'<div class="snip">{_mark(hits[e.event_id].snippet)}</div>' if q else ""
        rows.append(
            f"<tr><td>{escape(e.date or '')}</td>"
            f'<td><a class="event-link" href="{event_href(e.event_id)}">{escape(e.headline)}</a>'
            f"{snippet}</td><td>{_tags(e.tags)}</td><td>{archived}/{len(e.sources)}</td></tr>"
        )
    shown = f"{len(events)} of {len(ids)}" if len(ids) > len(events) else str(len(ids))
    what = f"{shown} events" + (f" matching “{escape(q)}”" if q else "")
    table = (
        '<table class="events"><thead><tr><th>date</th><th>event</th><th>context</th>'
        f"<th>archived</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    return layout("Events", _filter_form(params) + f'<p id="count">{what}</p>' + table)


def replay_src(replay_origin: str, source: Source) -> str | None:
    """The replay URL of the exact record holding a source's copy (None if nothing archived).

    By record id, not by URL: several sources may share one archived URL (Common Crawl WARC
    files fetched by range). Links inside the page are rewritten to `/replay/…` URLs.
    """
    record = (source.response_record_id or "").strip("<>")
    if source.provenance == "dead" or not record.startswith("urn:uuid:"):
        return None
    return f"{replay_origin}/record/{record}"


def _source_text(source: Source) -> str:
    meta = [
        f'<span class="prov prov-{escape(source.provenance)}">{escape(source.provenance)}</span>'
    ]
    if source.snapshot_date:
        meta.append(f"archived {escape(source.snapshot_date[:19].replace('T', ' '))}")
    if source.status:
        meta.append(f"HTTP {source.status}")
    if source.reason:
        meta.append(escape(source.reason))
    lines = [f'<p class="meta">{" · ".join(meta)}</p>']
    lines.append(f'<p class="meta">cited: {escape(source.url)}</p>')
    if source.archived_url and source.archived_url != source.url:
        lines.append(f'<p class="meta">archived: {escape(source.archived_url)}</p>')
    if source.title:
        lines.append(f"<h2>{escape(source.title)}</h2>")
    if source.author or source.published:
        lines.append(
            f'<p class="meta">{escape(source.author or "")} {escape(source.published or "")}</p>'
        )
    if source.text:
        lines.extend(f"<p>{escape(p)}</p>" for p in source.text.split("\n") if p.strip())
    elif source.kind != "document":
        lines.append(f"<p><em>{escape(source.kind)}: archived, not text-extracted</em></p>")
    else:
        lines.append(f"<p><em>no text ({escape(source.text_status or 'not extracted')})</em></p>")
    return f'<section class="text" id="source-text">{"".join(lines)}</section>'


def event_page(event: EventRecord, position: int | None, replay_origin: str, sandbox: str) -> str:
    """An event: headline and sources, the chosen source's text beside its archived snapshot."""
    chosen = next((s for s in event.sources if s.position == position), None)
    if chosen is None:
        archived = [s for s in event.sources if s.response_record_id and s.kind == "document"]
        chosen = next(iter(archived or event.sources), None)
    tabs = "".join(
        f'<li class="{"current" if s is chosen else ""}">'
        f'<a href="{event_href(event.event_id, s.position)}">'
        f'{s.position}. {escape(s.label)} <span class="prov prov-{escape(s.provenance)}">'
        f"{escape(s.provenance)}</span></a></li>"
        for s in event.sources
    )
    head = (
        f'<div class="event-head"><p class="meta">{escape(event.date or "undated")} · '
        f"{escape(event.event_id)}</p><h1>{escape(event.headline)}</h1>"
        f"<p>{escape(event.lede)}</p><p>{_tags(event.tags)}</p></div>"
        f'<ol class="sources">{tabs}</ol>'
    )
    if chosen is None:
        return layout(event.headline, head + "<p>This event cites no sources.</p>")
    src = replay_src(replay_origin, chosen)
    if src:
        frame = (
            f'<iframe id="snapshot" title="archived snapshot" src="{escape(src, quote=True)}"'
            f' sandbox="{sandbox}" referrerpolicy="no-referrer"></iframe>'
        )
    else:
        why = chosen.reason or "no capture of this source"
        frame = f'<div class="nosnap">No archived snapshot: {escape(why)}</div>'
    split = f'{_source_text(chosen)}<section class="snapshot">{frame}</section>'
    return layout(event.headline, head + f'<div class="split">{split}</div>')


def charts_page(arc: Archive) -> str:
    """Charts of what the crawl found."""
    summary = summarize(arc)
    intro = (
        f"<p>{summary.events} events, {summary.citations} citations, "
        f"{sum(summary.by_provenance.values())} distinct sources.</p>"
    )
    charts = "".join(f"<figure>{svg}</figure>" for svg in summary_charts(summary))
    return layout("Charts", intro + f'<div class="charts">{charts}</div>')


def message_page(title: str, message: str) -> str:
    """A page that only says something (not found, bad request)."""
    return layout(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")
