"""The fallback chain of one cited source: moved domain, then archive services near the event.

`SourceRecovery` is a thin asynchronous executor over pure planners and parsers
(crawler/fallbacks.py, archives.py with wayback.py and commoncrawl.py, deadlinks.py). It
fetches through Scrapy's engine (`engine.download_async`), so downloader middlewares, WARC
capture and domain health apply to every request. Each step tried is recorded in `chain`,
which becomes the source's provenance.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response, TextResponse

from crawler.archivefetch import FALLBACK_META, Fetch, ServiceClient
from crawler.archives import (
    Answer,
    ArchiveService,
    Capture,
    Fetched,
    Snapshot,
    distance_days,
    order_captures,
    parse_timestamp,
)
from crawler.capture import CAPTURES_META
from crawler.deadlinks import (
    PageSample,
    Verdict,
    classify_exception,
    classify_page,
    is_home_path,
    judge_page,
    same_as_generic,
    sample_from_dict,
    sample_page,
    sample_to_dict,
)
from crawler.doctype import guess_kind
from crawler.extractpool import ExtractionOutcome, pool_for
from crawler.fallbackctx import FallbackContext
from crawler.items import SourceItem
from crawler.pagework import judge_and_extract

logger = logging.getLogger(__name__)

EXTRACTABLE_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")


def content_type(response: Response) -> str:
    """The response's Content-Type header ('' when absent)."""
    return (response.headers.get("Content-Type") or b"").decode("latin-1")


def page_text(response: Response) -> str | None:
    """The decoded body of an HTML response, else None."""
    mime = content_type(response).split(";")[0].strip().lower()
    return (
        response.text if isinstance(response, TextResponse) and mime in EXTRACTABLE_TYPES else None
    )


def fetched_of(response: Response) -> Fetched:
    """A Scrapy response as the archive services' parsers take it."""
    headers = {
        key.decode("latin-1").lower(): values[-1].decode("latin-1")
        for key in response.headers
        if (values := response.headers.getlist(key))
    }
    return Fetched(response.url, response.status, headers, response.body, page_text(response))


class SourceRecovery:
    """Recover one cited source whose origin failed, or whose page is not the article."""

    def __init__(
        self, ctx: FallbackContext, fetch: Fetch, cited_url: str, kind: str, event: dict[str, Any]
    ) -> None:
        self.ctx = ctx
        self.fetch = fetch
        self.services = ServiceClient(ctx, fetch)
        self.cited = cited_url
        self.kind = kind
        self.citing_event = event
        self.event_date = dt.date.fromisoformat(event["date"]) if event.get("date") else None
        self.chain: list[dict[str, Any]] = []
        self.origin_reason: str | None = None
        self.origin_status: int | None = None
        self.origin_hops: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._steps: deque[tuple[str, str]] = deque(self._plan())
        self._pending: deque[Capture] = deque()
        self._rejected_digests: set[str] = set()
        #: The origin page's extraction, when `check_origin` was given options and the page
        #: passed (the same worker call did both; the pipeline then does not extract again).
        self.extracted: ExtractionOutcome | None = None
        assert ctx.stats is not None
        self.stats = ctx.stats

    def _plan(self) -> list[tuple[str, str]]:
        entry = self.ctx.fallbacks.lookup(self.cited)
        moved = entry.rewrite(self.cited) if entry is not None else None
        steps = [("moved", moved)] if moved else []
        services = self.ctx.config.services
        if entry is not None and entry.archives is not None:
            services = entry.archives  # may be empty: no archive for this domain
        steps += [("service", name) for name in services]
        return steps

    def _note(
        self, step: str, url: str | None, result: str, reason: str = "", **extra: Any
    ) -> None:
        entry = {"step": step, "url": url, "result": result, "reason": reason, **extra}
        self.chain.append({k: v for k, v in entry.items() if v not in (None, "")})
        self.stats.inc_value(f"fallback/{step}/{result}")

    # -- the origin -----------------------------------------------------------------------

    async def check_origin(
        self, response: Response, html: str | None, extract: dict[str, Any] | None = None
    ) -> Verdict:
        """Judge a page the origin served: parked, soft 404 (redirect, error or generic).

        With ``extract`` (the extraction pool's options for this page), a page that passes
        is extracted in the same worker call and the outcome is left in `extracted`.
        """
        self.extracted = None
        verdict = await self._judge_live(self.cited, response, html, extract)
        if verdict.dead:
            self.extracted = None
        return verdict

    def origin_failed(
        self, url: str, status: int | None, verdict: Verdict, hops: list[dict[str, Any]]
    ) -> None:
        """Record why the origin gave no article; the chain starts from here."""
        self.origin_reason, self.origin_status, self.origin_hops = verdict.reason, status, hops
        self.stats.inc_value(f"fallback/signal/{verdict.signal}")
        self._note("origin", url, "rejected" if status == 200 else "failed", verdict.reason)
        logger.info(
            "Source %s failed at its origin (%s); trying fallbacks", self.cited, verdict.reason
        )

    def origin_accepted(self, url: str, status: int) -> None:
        """Remember the origin's page, in case its extraction finds no article."""
        self._current = {"step": "origin", "url": url, "status": status}

    async def _judge_live(
        self,
        cited: str,
        response: Response,
        html: str | None,
        extract: dict[str, Any] | None = None,
    ) -> Verdict:
        if html is None:
            return Verdict.ok()
        compare = self.ctx.config.soft404_probe and not is_home_path(urlsplit(cited).path)
        known, generic = self.ctx.known_page(self._probe_key(response.url))
        if compare and known:  # one call does it all: the site's generic page is known
            verdict, page = await self._judge(html, cited, response.url, generic, False, extract)
            return verdict
        verdict, page = await self._judge(html, cited, response.url, None, compare, extract)
        if verdict.dead or not compare or page is None:
            return verdict
        generic = await self._site_generic(response.url)
        if generic is not None and same_as_generic(page, generic):
            return Verdict(True, "soft404_content", "soft 404: the site's generic page")
        return verdict

    # -- the chain ------------------------------------------------------------------------

    async def run(self) -> SourceItem:
        """The first good copy along the chain, or a dead item that lists every step."""
        item = await self.next_item()
        if item is not None:
            return item
        logger.warning(
            "Source %s is dead: %s; no fallback had a copy", self.cited, self.origin_reason
        )
        return SourceItem(
            cited_url=self.cited,
            kind=self.kind,
            outcome="dead",
            final_url=None,
            status=self.origin_status,
            reason=self.origin_reason,
            hops=self.origin_hops,
            citing_event=self.citing_event,
            fallback=self.chain,
        )

    async def after_empty(self, reason: str) -> SourceItem | None:
        """The last copy had no article text (trafilatura found none either, see
        :func:`crawler.deadlinks.classify_extraction`): the next good copy, or None to keep
        that one. Never called for an extraction that timed out or failed."""
        if self._current is not None:
            current, self._current = self._current, None
            self._note(current.pop("step"), current.pop("url"), "rejected", reason, **current)
            self.origin_reason = self.origin_reason or reason
        self.stats.inc_value("fallback/signal/no_article")
        return await self.next_item()

    async def next_item(self) -> SourceItem | None:
        """Walk the remaining steps until one gives a copy that passes the page checks."""
        while True:
            if self._pending:
                item = await self._try_capture(self._pending.popleft())
                if item is not None:
                    return item
            elif self._steps:
                kind, arg = self._steps.popleft()
                if kind == "moved":
                    item = await self._try_moved(arg)
                    if item is not None:
                        return item
                else:
                    await self._lookup(self.ctx.services[arg])
            else:
                return None

    async def _try_moved(self, url: str) -> SourceItem | None:
        request = Request(url, meta={CAPTURES_META: [], FALLBACK_META: "moved"}, dont_filter=True)
        try:
            response = await self.fetch(request)
        except Exception as exc:
            self._note("moved", url, "failed", classify_exception(exc).reason)
            return None
        if response.status != 200:
            self._note("moved", url, "failed", f"HTTP {response.status}", status=response.status)
            return None
        html = page_text(response)
        verdict = await self._judge_live(url, response, html)
        if verdict.dead:
            self._note("moved", response.url, "rejected", verdict.reason, status=200)
            return None
        self._note("moved", response.url, "ok", status=200)
        self._current = {"step": "moved", "url": response.url, "status": 200}
        return self._item("moved", response, html, None)

    async def _lookup(self, service: ArchiveService) -> None:
        async def ask(api_url: str) -> Answer | None:
            return await self.services.ask(service.name, api_url)

        captures = await service.lookup(self.cited, self.event_date, ask)
        ordered = order_captures(captures, self.event_date, self.ctx.config.window_days)
        chosen = ordered[: self.ctx.config.max_snapshots]
        if not chosen:
            self._note(service.name, None, "none", "no capture")
        self._pending.extend(chosen)

    async def _try_capture(self, capture: Capture) -> SourceItem | None:
        name = capture.service
        service = self.ctx.services[name]
        if capture.digest and capture.digest in self._rejected_digests:
            reason = "same content as a rejected capture"
            self._note(name, capture.fetch_url, "rejected", reason, snapshot=capture.timestamp)
            return None
        response = await self.services.get(name, capture.fetch_url, capture.fetch_headers)
        if response is None:
            self._note(name, capture.fetch_url, "failed", "the service gave no answer")
            return None
        snapshot = service.unwrap(capture, fetched_of(response))
        if snapshot is None or snapshot.status != 200:
            status = snapshot.status if snapshot else response.status
            self._note(name, response.url, "rejected", f"archived status {status}")
            return None
        verdict = await self._judge_snapshot(service, capture, snapshot)
        if verdict.dead:
            if capture.digest:
                self._rejected_digests.add(capture.digest)
            self._note(name, response.url, "rejected", verdict.reason, snapshot=snapshot.timestamp)
            return None
        days = distance_days(snapshot.timestamp, self.event_date)
        self._note(name, response.url, "ok", snapshot=snapshot.timestamp, distance_days=days)
        self._current = {"step": name, "url": response.url, "snapshot": snapshot.timestamp}
        return self._item(name, response, snapshot.html, snapshot)

    async def _judge_snapshot(
        self, service: ArchiveService, capture: Capture, snapshot: Snapshot
    ) -> Verdict:
        if snapshot.html is None:
            mime = snapshot.content_type.split(";")[0].strip().lower()
            if mime in EXTRACTABLE_TYPES:
                return Verdict(True, "undecodable", "the archived page could not be decoded")
            return Verdict.ok()
        page = sample_page(snapshot.html)
        verdict = classify_page(self.cited, snapshot.original_url, page)
        if verdict.dead or is_home_path(urlsplit(self.cited).path):
            return verdict
        home = await self._archived_home(service, capture)
        if home is not None and same_as_generic(page, home):
            return Verdict(True, "soft404_content", "soft 404: the copy is the site's home page")
        return verdict

    # -- generic pages, cached per host ---------------------------------------------------

    async def _judge(
        self,
        html: str,
        cited: str,
        url: str,
        generic: PageSample | None,
        want_sample: bool,
        extract: dict[str, Any] | None = None,
    ) -> tuple[Verdict, PageSample | None]:
        """``judge_page`` in the crawl's extraction pool (off the reactor), else in-process.

        With ``extract``, one worker call also extracts a page that passes
        (:func:`crawler.pagework.judge_and_extract`); the outcome goes to `extracted`.
        """
        pool = pool_for(self.ctx.crawler)
        if pool is not None:
            judge = {
                "cited_url": cited,
                "generic": sample_to_dict(generic) if generic is not None else None,
                "want_sample": want_sample,
            }
            if extract is not None:
                status, data, reason = await pool.call(
                    judge_and_extract, html, url, judge=judge, extract=extract, extractor=pool.func
                )
                if status == "timeout":  # the page's extraction would time out again
                    self.extracted = pool.outcome(status, None, reason)
                elif status == "ok" and data is not None and "extract" in data:
                    done = data["extract"]
                    self.extracted = pool.outcome(
                        done["status"], done.get("data"), done.get("reason")
                    )
            else:
                status, data, reason = await pool.call(judge_page, html, url, **judge)
            if status == "ok" and data is not None:
                sample = data.get("sample")
                return Verdict(**data["verdict"]), (
                    sample_from_dict(sample) if sample is not None else None
                )
            logger.info("Page check of %s in the pool failed (%s); checking here", url, reason)
        page = sample_page(html)
        return classify_page(cited, url, page, generic), page

    @staticmethod
    def _probe_key(url: str) -> tuple[str, str]:
        return ("probe", urlsplit(url).netloc.lower())

    async def _site_generic(self, url: str) -> PageSample | None:
        """What the site serves for a made-up path beside `url` (None: an honest 404)."""
        parts = urlsplit(url)
        folder, _, last = parts.path.rpartition("/")
        suffix = ("." + last.rsplit(".", 1)[1]) if "." in last else ("" if last else "/")
        name = f"{secrets.token_hex(6)}-no-such-page"
        probe = f"{parts.scheme}://{parts.netloc}{folder}/{name}{suffix}"

        async def fetch_probe() -> PageSample | None:
            meta = {CAPTURES_META: [], FALLBACK_META: "probe", "dont_retry": True}
            self.stats.inc_value("fallback/probe/requests")
            try:
                response = await self.fetch(Request(probe, meta=meta, dont_filter=True))
            except Exception as exc:
                logger.info("Soft-404 probe %s failed: %s", probe, classify_exception(exc).reason)
                return None
            html = page_text(response)
            if response.status != 200 or html is None:
                return None  # the site answers a missing page honestly
            logger.info("Site %s serves a page for the made-up path %s", parts.netloc, probe)
            return sample_page(html)

        return await self.ctx.shared_page(self._probe_key(url), fetch_probe)

    async def _archived_home(self, service: ArchiveService, capture: Capture) -> PageSample | None:
        """The site's home page as the service archived it near `capture`."""
        home = service.home_capture(capture)
        if home is None:
            return None

        async def fetch_home() -> PageSample | None:
            response = await self.services.get(service.name, home.fetch_url, home.fetch_headers)
            snapshot = service.unwrap(home, fetched_of(response)) if response is not None else None
            if snapshot is None or snapshot.status != 200 or snapshot.html is None:
                return None
            return sample_page(snapshot.html)

        host = (urlsplit(home.original_url).hostname or "").lower()
        return await self.ctx.shared_page((service.name, host), fetch_home)

    # -- items ----------------------------------------------------------------------------

    def _item(
        self, outcome: str, response: Response, html: str | None, snapshot: Snapshot | None
    ) -> SourceItem:
        mime = snapshot.content_type if snapshot else content_type(response)
        kind = guess_kind(snapshot.original_url if snapshot else response.url, mime or None)
        keep = html if kind == "document" else None
        pdf = mime.split(";")[0].strip().lower() in PDF_TYPES and kind == "document"
        when = parse_timestamp(snapshot.timestamp) if snapshot else None
        logger.info("Source %s recovered via %s: %s", self.cited, outcome, response.url)
        return SourceItem(
            cited_url=self.cited,
            kind=kind,
            outcome=outcome,
            final_url=response.url,
            status=snapshot.status if snapshot else response.status,
            reason=self.origin_reason,
            hops=list(response.meta.get(CAPTURES_META, [])),
            html=keep,
            body=(snapshot.body if snapshot else response.body) if pdf else None,
            content_type=mime or None,
            citing_event=self.citing_event,
            service=outcome if snapshot else None,
            snapshot_date=when.strftime("%Y-%m-%dT%H:%M:%SZ") if when else None,
            distance_days=distance_days(snapshot.timestamp, self.event_date) if snapshot else None,
            fallback=self.chain,
            recover=self.after_empty if keep is not None else None,
        )
