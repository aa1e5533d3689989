"""Parked domains: the kinds of page a reseller or registrar puts on an expired news domain.

Each template imitates the structure of a common kind of parking page (a "may be for sale"
page with sponsored searches, a registrar's free parking page, a marketplace "buy now" page,
a near-empty script lander, an expiry notice), in wording written for this project. A
parked host answers every path with its page and status 200, as real parking does.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from simweb.hosts import Host
from simweb.wire import Request, Response, make_response

SEARCHES = ("Local News Today", "Breaking Headlines", "Weather Forecast", "Cheap Flights")


def _searches() -> str:
    return "".join(f'<li><a href="/?q={escape(s)}">{escape(s)}</a></li>' for s in SEARCHES)


def sedo_style(domain: str) -> str:
    """A 'this domain may be for sale' page with sponsored searches."""
    return (
        f"<!DOCTYPE html><html><head><title>{domain} - This domain may be for sale!</title>"
        '<script src="https://img.sedoparking.com/templates/js/lander.js"></script></head>'
        f'<body><div class="header"><h1>{domain}</h1></div><div class="sale">'
        f'<p>This domain may be for sale. <a href="https://sedo.com/search/details/?domain='
        f'{domain}">Make an offer</a></p></div><div class="searches"><h2>Related Searches</h2>'
        f"<ul>{_searches()}</ul></div><p>Copyright. All rights reserved. Privacy Policy</p>"
        "</body></html>"
    )


def registrar_style(domain: str) -> str:
    """A registrar's free parking page."""
    return (
        f"<!DOCTYPE html><html><head><title>{domain}</title></head><body>"
        f'<div id="parked"><h1>{domain}</h1><p>This web page is parked FREE, courtesy of '
        'GoDaddy.com.</p><p><a href="https://www.godaddy.com/domains">Get your own domain '
        "name</a> and start building your site today.</p></div>"
        f'<div class="ads"><h3>Sponsored listings</h3><ul>{_searches()}</ul></div></body></html>'
    )


def marketplace_style(domain: str) -> str:
    """A domain marketplace's 'buy now' page."""
    return (
        f"<!DOCTYPE html><html><head><title>{domain} is for sale</title>"
        '<link rel="stylesheet" href="https://dan.com/assets/lander.css"></head><body>'
        f'<main><h1>The domain name {domain} is for sale</h1><p class="price">Buy now for '
        '3,495 USD or pay in monthly instalments.</p><a class="cta" href="https://dan.com/'
        f'buy-domain/{domain}">Buy this domain</a><ul class="trust"><li>Buyer protection</li>'
        "<li>Fast and easy transfers</li><li>Hassle-free payments</li></ul></main></body></html>"
    )


def script_lander(domain: str) -> str:
    """A near-empty page whose script loads sponsored results from a parking network."""
    return (
        f"<!DOCTYPE html><html><head><title>{domain}</title>"
        '<script src="https://parking.bodis.com/lander/v3.js"></script></head>'
        '<body><div id="target"></div><noscript>Please enable JavaScript.</noscript>'
        "</body></html>"
    )


def expired_notice(domain: str) -> str:
    """An expiry notice shown after a registration lapsed."""
    return (
        f"<!DOCTYPE html><html><head><title>{domain} has expired</title></head><body>"
        f"<h1>{domain}</h1><p>This domain name has expired. If you are the registrant, renew "
        "it from your account to restore your website and email.</p></body></html>"
    )


TEMPLATES: dict[str, Callable[[str], str]] = {
    "sedo": sedo_style,
    "registrar": registrar_style,
    "marketplace": marketplace_style,
    "lander": script_lander,
    "expired": expired_notice,
}


class ParkedHost(Host):
    """A parked domain: every path answers 200 with the parking page."""

    kind = "parked"

    def __init__(self, name: str, template: str) -> None:
        super().__init__(name)
        self.template = template
        domain = name.removeprefix("www.")
        self.body = TEMPLATES[template](domain).encode()

    def respond(self, request: Request) -> Response | None:
        """The parking page, whatever the path."""
        headers = [("Content-Type", "text/html; charset=UTF-8"), ("Cache-Control", "no-cache")]
        return make_response(200, self.body, headers, server="nginx")
