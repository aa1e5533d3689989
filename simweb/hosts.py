"""Virtual hosts of the simulated web: a registry of hostname -> behaviour."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from simweb.wire import (
    Request,
    Response,
    etag_for,
    gzip_bytes,
    html_page,
    http_date,
    make_response,
    squid_error,
)

DNS_FAIL = "ERR_DNS_FAIL 0"
CONNECT_FAIL = "ERR_CONNECT_FAIL 111"
DEFAULT_ROBOTS = "User-agent: *\nDisallow: /private/\n"
COMPRESSIBLE = ("text/", "application/json", "application/xml", "application/javascript")


class Host:
    """Base class: one hostname and how it answers CONNECTs and requests."""

    kind = "host"

    def __init__(self, name: str) -> None:
        self.name = name.lower()

    def connect(self, request: Request) -> Response | None:
        """Answer a CONNECT: None opens the tunnel, a Response refuses it."""
        return None

    def respond(self, request: Request) -> Response | None:
        """Answer a request at once; None closes the connection without an answer."""
        return make_response(404, b"", server="simweb")

    async def handle(self, request: Request) -> Response | None:
        """Answer a request (the server awaits this); by default `respond`."""
        return self.respond(request)

    @property
    def tls(self) -> bool:
        """True when the host can be reached through a CONNECT tunnel."""
        return True


class DeadHost(Host):
    """A hostname that no longer resolves: Squid's ERR_DNS_FAIL for every access."""

    kind = "dead"

    def connect(self, request: Request) -> Response | None:
        """Refuse the tunnel as Squid does when DNS fails."""
        return squid_error(f"{self.name}:{request.port}", self.name, DNS_FAIL)

    def respond(self, request: Request) -> Response | None:
        """Answer with Squid's DNS-failure page."""
        return squid_error(request.url, self.name, DNS_FAIL)

    @property
    def tls(self) -> bool:
        """Dead hosts have no certificate."""
        return False


class RefusedHost(DeadHost):
    """A host that resolves but refuses TCP connections: Squid's ERR_CONNECT_FAIL."""

    kind = "refused"

    def connect(self, request: Request) -> Response | None:
        """Refuse the tunnel with a connection-refused error."""
        return squid_error(f"{self.name}:{request.port}", self.name, CONNECT_FAIL)

    def respond(self, request: Request) -> Response | None:
        """Answer with Squid's connection-refused page."""
        return squid_error(request.url, self.name, CONNECT_FAIL)


class HangingHost(Host):
    """A host that accepts requests and never answers until the client goes away."""

    kind = "hanging"

    def respond(self, request: Request) -> Response | None:
        """Never answer."""
        return None

    async def handle(self, request: Request) -> Response | None:
        """Wait for the client to disconnect, then close without an answer."""
        if request.wait_disconnect is not None:
            await request.wait_disconnect()
        return None


class MovedHost(Host):
    """A host whose every URL redirects to the same path on `target` (scheme://host)."""

    kind = "moved"

    def __init__(self, name: str, target: str, status: int = 301, server: str = "nginx") -> None:
        super().__init__(name)
        self.target = target.rstrip("/")
        self.status = status
        self.server = server

    def location(self, request: Request) -> str:
        """The redirect target for `request`, path and query preserved."""
        return self.target + request.path

    def respond(self, request: Request) -> Response | None:
        """Redirect to the same path on the new origin."""
        return redirect(request, self.location(request), self.status, self.server)


def redirect(request: Request, location: str, status: int, server: str) -> Response:
    """An nginx-style redirect response to `location`."""
    reason = {301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect"}.get(status, "")
    body = html_page(f"{status} {reason}", f"<center><h1>{status} {reason}</h1></center>")
    return make_response(
        status,
        body,
        [("Content-Type", "text/html"), ("Location", location)],
        server=server,
    )


@dataclass
class Resource:
    """One served document: its body, type and wire options."""

    body: bytes
    content_type: str
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    last_modified: float | None = None
    gzip: bool | None = None
    chunk_size: int | None = None
    chunk_delay: float = 0.0
    conditional: bool = True  # False: ignore If-None-Match / If-Modified-Since (always 200)


#: How a site answers a path it does not have: an honest 404, a redirect to its home page,
#: or its home page itself with 200 (the two kinds of soft 404).
MISSING_MODES = ("404", "home-redirect", "home-page")


class Site(Host):
    """A live web site serving a table of paths, robots.txt and a 404 page (or a soft 404)."""

    kind = "site"

    def __init__(
        self,
        name: str,
        *,
        schemes: Iterable[str] = ("http", "https"),
        https_redirect: bool = False,
        gzip: bool = False,
        chunk_size: int | None = None,
        server: str = "nginx",
        headers: Iterable[tuple[str, str]] = (),
        robots: str = DEFAULT_ROBOTS,
        not_found: Callable[[str], bytes] | None = None,
        missing: str = "404",
    ) -> None:
        super().__init__(name)
        if missing not in MISSING_MODES:
            raise ValueError(f"missing={missing!r}: use one of {MISSING_MODES}")
        self.missing = missing
        self.schemes = tuple(schemes)
        self.https_redirect = https_redirect
        self.gzip = gzip
        self.chunk_size = chunk_size
        self.server = server
        self.headers = list(headers)
        self.not_found = not_found or default_not_found
        self.routes: dict[str, Resource] = {}
        self.add("/robots.txt", Resource(robots.encode(), "text/plain; charset=utf-8"))

    def add(self, path: str, resource: Resource) -> Resource:
        """Serve `resource` at `path` (a path with an optional query string)."""
        self.routes[path] = resource
        return resource

    def page(self, path: str, html: str | bytes, **options: object) -> Resource:
        """Serve an HTML page at `path`; options are Resource fields."""
        body = html.encode() if isinstance(html, str) else html
        resource = Resource(body, "text/html; charset=utf-8")
        for key, value in options.items():
            setattr(resource, key, value)
        return self.add(path, resource)

    def connect(self, request: Request) -> Response | None:
        """Open the tunnel when the site speaks HTTPS, else refuse like a closed port."""
        if "https" in self.schemes:
            return None
        return squid_error(f"{self.name}:{request.port}", self.name, CONNECT_FAIL)

    @property
    def tls(self) -> bool:
        """True when the site has an HTTPS endpoint."""
        return "https" in self.schemes

    def respond(self, request: Request) -> Response | None:
        """Serve the route for the request's path, a redirect to HTTPS, or the 404 page."""
        if request.scheme == "http" and self.https_redirect:
            return redirect(request, "https://" + self.name + request.path, 301, self.server)
        resource = self.routes.get(request.path) or self.routes.get(request.path_only)
        if resource is None and self.missing == "home-redirect" and request.path_only != "/":
            return redirect(request, f"{request.scheme}://{self.name}/", 301, self.server)
        if resource is None and self.missing == "home-page":
            resource = self.routes.get("/")
        if resource is None:
            resource = Resource(self.not_found(request.path), "text/html; charset=utf-8", 404)
        if request.method not in ("GET", "HEAD"):
            return make_response(
                405, b"", [("Allow", "GET, HEAD"), *self.headers], server=self.server
            )
        return self.render(request, resource)

    def render(self, request: Request, resource: Resource) -> Response:
        """Turn a resource into a response honouring conditionals and Accept-Encoding."""
        body = resource.body
        etag = etag_for(body)
        headers: list[tuple[str, str]] = [("Content-Type", resource.content_type)]
        if resource.last_modified is not None:
            headers.append(("Last-Modified", http_date(resource.last_modified)))
        if resource.status == 200:
            headers.append(("ETag", etag))
            if resource.conditional and _not_modified(request, etag, resource.last_modified):
                return make_response(304, b"", headers + self.headers, server=self.server)
        use_gzip = self.gzip if resource.gzip is None else resource.gzip
        if use_gzip and resource.content_type.startswith(COMPRESSIBLE):
            headers.append(("Vary", "Accept-Encoding"))
            if request.accepts_gzip():
                body = gzip_bytes(body)
                headers.append(("Content-Encoding", "gzip"))
        chunk = self.chunk_size if resource.chunk_size is None else resource.chunk_size
        response = make_response(
            resource.status,
            body,
            headers + resource.headers + self.headers,
            server=self.server,
            chunk_size=chunk or None,
        )
        response.chunk_delay = resource.chunk_delay
        return response


def _not_modified(request: Request, etag: str, last_modified: float | None) -> bool:
    """True when the request's validators show the client already has this version."""
    if_none_match = request.header("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.header("If-Modified-Since")
    if since and last_modified is not None:
        try:
            return parsedate_to_datetime(since).timestamp() >= int(last_modified)
        except (TypeError, ValueError):
            return False
    return False


def default_not_found(path: str) -> bytes:
    """nginx's plain 404 page."""
    return html_page(
        "404 Not Found", "<center><h1>404 Not Found</h1></center><hr><center>nginx</center>"
    )


class Registry:
    """The hostnames of the simulated web; unknown names behave as DNS failures."""

    def __init__(self, hosts: Iterable[Host] = ()) -> None:
        self._hosts: dict[str, Host] = {}
        for host in hosts:
            self.add(host)

    def add(self, host: Host) -> Host:
        """Register `host`, replacing any host of the same name."""
        self._hosts[host.name] = host
        return host

    def get(self, name: str) -> Host | None:
        """The host registered under `name` (case and trailing dot ignored), if any."""
        return self._hosts.get(name.lower().rstrip("."))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __iter__(self) -> Iterator[Host]:
        return iter(self._hosts.values())

    def __len__(self) -> int:
        return len(self._hosts)

    def tls_names(self) -> list[str]:
        """Hostnames that need a certificate (reachable through CONNECT)."""
        return sorted(h.name for h in self._hosts.values() if h.tls)


def trace(registry: Registry, url: str, max_hops: int = 10) -> list[tuple[str, int]]:
    """Follow `url` through the registry in-process: [(url, status), ...] hop by hop.

    A hop whose host never answers (hanging) is reported with status 0.
    """
    hops: list[tuple[str, int]] = []
    while len(hops) < max_hops:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or (443 if scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        target = f"{parts.hostname}:{port}" if scheme == "https" else url
        request = Request("GET", target, "HTTP/1.1", [("Host", parts.netloc)])
        request.scheme, request.host, request.port = scheme, parts.hostname or "", port
        host = registry.get(request.host)
        response: Response | None
        if host is None:
            response = squid_error(url, request.host, DNS_FAIL)
        else:
            response = host.connect(request) if scheme == "https" else None
            if response is None:
                request.target, request.path = path, path
                response = host.respond(request)
        if response is None:
            hops.append((url, 0))
            break
        hops.append((url, response.status))
        location = response.header("Location")
        if not 300 <= response.status < 400 or not location:
            break
        url = urljoin(url, location)
    return hops
