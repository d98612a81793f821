"""The one HTTP client for outside calls (identity provider, OAI-PMH sources, search engine)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import httpx

from catalogue.identity.demo import is_loopback

# Bounded waits, and a retry of failed connections (never of requests already sent).
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
RETRIES = 2


def outbound_client(transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """Tests hand in an ``httpx.MockTransport`` so that nothing leaves the machine."""
    return httpx.AsyncClient(
        transport=transport or httpx.AsyncHTTPTransport(retries=RETRIES),
        timeout=TIMEOUT,
        headers={"User-Agent": "catalogue-ressources"},
    )


def url_problem(url: str, *, production: bool) -> str | None:
    """Why a URL a publisher gives us (webhook, tool endpoint, keys) must be refused, if it must.

    https, no credentials in it; http only to this machine outside production. In production
    a literal private, loopback, link-local or reserved address is refused too, so that a
    publisher cannot point our requests at the platform's own network.
    """
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        return "une URL absolue https:// est attendue"
    if parts.username is not None or parts.password is not None:
        return "pas d'identifiants dans l'URL"
    if parts.scheme == "http" and (production or not is_loopback(host)):
        return "https est requis (http seulement vers localhost, hors production)"
    if production and (host == "localhost" or _internal_address(host)):
        return "adresse interne refusée"
    return None


def _internal_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )
