"""HTTP clients for outside calls: ours (identity provider, search engine), and the one for
the addresses publishers give (webhooks, tool keys, OAI-PMH sources), which in production
reaches public addresses only."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

import httpx

# Bounded waits, and a retry of failed connections (never of requests already sent).
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRIES = 2


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine: "localhost", 127.0.0.0/8 or ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def outbound_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """Tests hand in an ``httpx.MockTransport`` so that nothing leaves the machine."""
    return httpx.AsyncClient(
        transport=transport or httpx.AsyncHTTPTransport(retries=RETRIES),
        timeout=TIMEOUT,
        headers={"User-Agent": "catalogue-ressources"},
    )


def publisher_client(
    *, production: bool, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The client for publishers' URLs: in production, through ``PublicOnlyTransport``."""
    return outbound_client(PublicOnlyTransport(transport) if production else transport)


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class PublicOnlyTransport(httpx.AsyncBaseTransport):
    """Connects to public addresses only, whatever a name resolves to.

    `url_problem` refuses a literal internal address when a publisher gives a URL; a name can
    still resolve to one, then or later. Here the name is resolved at each request, every
    address it gives is checked, and the request goes to the checked address (the name kept
    for the Host header and for TLS: SNI and certificate), so the answer cannot change
    between the check and the connection. Connections are not kept for reuse: the pool knows
    them by address, and a connection verified for one name must not carry another's request.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver = resolve,
        *,
        allow_loopback: bool = False,
    ) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport(
            retries=RETRIES, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self._resolve = resolver
        self._allow_loopback = allow_loopback  # tests' servers on 127.0.0.1, never production

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            addresses = await self._resolve(host, port)
        except OSError as exc:
            raise httpx.ConnectError(f"{host}: cannot resolve ({exc})", request=request) from exc
        checked = [_address(address) for address in addresses]
        if not checked or any(a is None or self._refused(a) for a in checked):
            raise httpx.ConnectError(f"{host}: internal address refused", request=request)
        request.url = request.url.copy_with(host=addresses[0])
        request.extensions = {**request.extensions, "sni_hostname": host}
        return await self._inner.handle_async_request(request)

    def _refused(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return _internal(address) and not (self._allow_loopback and address.is_loopback)

    async def aclose(self) -> None:
        await self._inner.aclose()


def url_problem(url: str, *, production: bool, https_only: bool = True) -> str | None:
    """Why a URL a publisher gives us (webhook, tool endpoint, keys, OAI-PMH source) must be
    refused, if it must.

    It is read by httpx, the parser that will use it: a URL httpx cannot read would otherwise
    be accepted here and fail later in the worker. https (unless ``https_only`` is off: OAI-PMH
    sources, which receive no secret), no credentials in it; http only to this machine outside
    production. In production a literal internal address is refused too, so that a publisher
    cannot point our requests at the platform's own network (names are checked at each
    request: PublicOnlyTransport).
    """
    try:
        parsed = httpx.URL(url.strip())
        port = parsed.port
    except (httpx.InvalidURL, ValueError) as exc:
        return f"URL illisible ({exc})"
    host = parsed.host.rstrip(".")
    if parsed.scheme not in ("https", "http") or not host:
        return "une URL absolue https:// est attendue"
    if port is not None and not 0 < port < 65536:
        return f"URL illisible (port {port} hors de 1 à 65535)"
    if parsed.userinfo:
        return "pas d'identifiants dans l'URL"
    if https_only and parsed.scheme == "http" and (production or not is_loopback(host)):
        return "https est requis (http seulement vers localhost, hors production)"
    return _host_problem(host, production=production)


def _host_problem(host: str, *, production: bool) -> str | None:
    address = _address(host)
    if address is None and _numeric_ipv4(host):
        return f"URL illisible (adresse IPv4 ambiguë {host!r} : écrivez-la en décimal pointé)"
    if production and (host == "localhost" or (address is not None and _internal(address))):
        return "adresse interne refusée"
    return None


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.partition("%")[0])  # an IPv6 zone is dropped
    except ValueError:
        return None  # a name, not an address


def _numeric_ipv4(host: str) -> bool:
    """A host the system resolver reads as an IPv4 address in a legacy form (``127.1``,
    ``0x7f000001``, ``2130706433``, octal parts) that httpx takes for a name."""
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


# Addresses that lead somewhere else than themselves: translators (NAT64), tunnels (6to4,
# Teredo), the IPv4-compatible and IPv4-mapped forms (the IPv4 address is the destination),
# and deprecated site-local addresses, still routed inside some networks. None of them is
# a publisher's server, whatever IPv4 address it embeds.
_INDIRECT = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "2002::/16",
        "2001::/32",
        "::/96",
        "::ffff:0:0/96",
        "fec0::/10",
    )
)


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Private, loopback, link-local, shared, reserved, unspecified or multicast, or an IPv6
    address that leads to another one (see ``_INDIRECT``)."""
    indirect = isinstance(address, ipaddress.IPv6Address) and any(
        address in network for network in _INDIRECT
    )
    return indirect or not address.is_global or address.is_multicast
