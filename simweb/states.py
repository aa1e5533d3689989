"""Named states of the simulated web, switched at run time: `POST /__simweb/state?name=…`.

`default` is the bundled web as built by `catalog.build_registry()`. `incremental` is the
same web some days later, for incremental re-crawls: an event page gains a source, another
event page is edited, a host that was down is back, and the day index of 2021-03-09 is
served by a server that ignores conditional requests (it answers 200 with the same bytes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from simweb import catalog
from simweb.hosts import Registry, Resource, Site
from simweb.sites import eastgate, eventsite
from simweb.wire import html_page

__all__ = ["STATES", "registry_for"]

DAY = catalog.DAY_INDEXES[0]  # the 2021-03-09 day index
#: The new source the Port Ansel strike event cites in the `incremental` state.
NEW_SOURCE = "http://www.eastgate-monitor.com/2021/03/11/port-ansel-strike-talks-resume/"
#: The host that was down and is back in the `incremental` state, with its cited page.
BACK_HOST = "news.portansel-today.com"
BACK_URL = f"http://{BACK_HOST}/local/strike-day-one"
#: Event pages of 2021-03-09 that change in the `incremental` state (by headline start).
GAINS_SOURCE = "Dock workers at Port Ansel"
EDITED = "Astronomers at the Kessing Ridge"
LATER = 1_615_766_400.0  # 2021-03-15 00:00 UTC: Last-Modified of the changed pages


def _article(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return html_page(title, f"<article><h1>{title}</h1>{body}</article>")


def _event(prefix: str) -> catalog.EventSpec:
    return next(e for e in catalog.EVENTS if e.headline.startswith(prefix))


def _incremental(registry: Registry) -> None:
    site = registry.get(eventsite.HOST)
    assert isinstance(site, Site)
    gains = _event(GAINS_SOURCE)
    gains = dataclasses.replace(gains, sources=[*gains.sources, ("Eastgate Monitor", NEW_SOURCE)])
    edited = _event(EDITED)
    edited = dataclasses.replace(edited, lede=edited.lede + ", the observatory adds")
    for event in (gains, edited):
        site.add(
            eventsite.relative(event.url_md),
            Resource(
                eventsite.render_markdown(event).encode(), eventsite.MARKDOWN, last_modified=LATER
            ),
        )
    site.routes[eventsite.relative(DAY)].conditional = False
    monitor = registry.get(eastgate.HOST)
    assert isinstance(monitor, Site)
    monitor.page(
        NEW_SOURCE.removeprefix(f"http://{eastgate.HOST}"),
        _article(
            "Port Ansel strike talks resume",
            [
                "Talks between the Harbour Workers' Union and the port's operators resumed "
                "on Thursday, two days after the end of the 48-hour strike at Port Ansel.",
                "Both sides agreed to bring in a mediator from the regional labour office, "
                "and the union said night-shift rates remained the main point of dispute.",
            ],
        ),
        last_modified=LATER,
    )
    back = registry.add(Site(BACK_HOST, schemes=("http",)))
    assert isinstance(back, Site)
    back.page(
        "/local/strike-day-one",
        _article(
            "Strike day one: the quays fall silent",
            [
                "The cranes at Port Ansel stood still on Tuesday morning as dock workers "
                "began a 48-hour strike over shift pay and staffing.",
                "Container ships waited at anchor outside the harbour wall while pickets "
                "gathered at the main gate on Quay Road.",
            ],
        ),
        last_modified=LATER,
    )


STATES: dict[str, Callable[[Registry], None] | None] = {
    "default": None,
    "incremental": _incremental,
}


def registry_for(name: str) -> Registry:
    """A fresh registry of the simulated web in state `name` (KeyError if unknown)."""
    change = STATES[name]
    registry = catalog.build_registry()
    if change is not None:
        change(registry)
    return registry
