"""Sending subscription bodies to the GAR: XML over HTTPS with the platform's client
certificate (mutual TLS). PUT ``{url}/{idAbonnement}`` creates, POST updates, DELETE removes.

Any HTTP answer comes back as a ``GarAnswer`` (status and body), 2xx or not: whoever sends
records it and decides to retry. A connection that fails, the TLS handshake included (the
GAR refusing our certificate, or we refusing its), raises ``httpx.TransportError``.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Literal
from urllib.parse import quote

import httpx
import msgspec

from catalogue.config import GarSettings
from catalogue.deliveries import CONCURRENCY
from catalogue.errors import ConfigurationError
from catalogue.gar.subscriptions import CONTENT_TYPE, Subscription, body
from catalogue.outbound import RETRIES, TIMEOUT

Method = Literal["PUT", "POST", "DELETE"]
MAX_ANSWER_CHARS = 2_000  # what an answer's body keeps, for the delivery log
_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


class GarRequest(msgspec.Struct, frozen=True, kw_only=True):
    """One call to the subscription service: what an outbox row will hold."""

    method: Method
    subscription_id: str
    body: bytes | None = None


class GarAnswer(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    body: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def creation(subscription: Subscription) -> GarRequest:
    return GarRequest(method="PUT", subscription_id=subscription.id, body=body(subscription))


def update(subscription: Subscription) -> GarRequest:
    return GarRequest(
        method="POST", subscription_id=subscription.id, body=body(subscription, update=True)
    )


def deletion(subscription_id: str) -> GarRequest:
    return GarRequest(method="DELETE", subscription_id=subscription_id)


def _read(setting: str, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"{setting}: cannot read {path}: {exc.strerror or exc}") from None


def tls_context(gar: GarSettings) -> ssl.SSLContext:
    """The TLS context of GAR calls: our certificate and key, the service checked against
    the CA bundle (the system's CAs without one). A file that cannot be read or used is a
    ConfigurationError naming its setting, so that ``serve`` refuses to start."""
    if _PEM_CERTIFICATE not in _read("CATALOGUE_GAR_CLIENT_CERT", gar.client_cert):
        raise ConfigurationError(
            f"CATALOGUE_GAR_CLIENT_CERT: {gar.client_cert} holds no PEM certificate"
        )
    _read("CATALOGUE_GAR_CLIENT_KEY", gar.client_key)
    if gar.ca_bundle is not None:
        _read("CATALOGUE_GAR_CA_BUNDLE", gar.ca_bundle)
    try:
        context = ssl.create_default_context(
            cafile=str(gar.ca_bundle) if gar.ca_bundle is not None else None
        )
    except ssl.SSLError as exc:
        raise ConfigurationError(
            f"CATALOGUE_GAR_CA_BUNDLE: {gar.ca_bundle} holds no usable CA certificate ({exc})"
        ) from None
    try:
        context.load_cert_chain(gar.client_cert, gar.client_key)
    except ssl.SSLError as exc:
        raise ConfigurationError(
            f"CATALOGUE_GAR_CLIENT_KEY: {gar.client_key} is not a usable private key of "
            f"CATALOGUE_GAR_CLIENT_CERT ({exc.reason or exc})"
        ) from None
    return context


def gar_client(gar: GarSettings) -> httpx.AsyncClient:
    """The client of the subscription service: mutual TLS, bounded waits, connection
    failures retried (never a request already sent). It keeps no more connections than the
    calls a worker sends at once: the pool checks each kept connection before every call."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    return httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(verify=tls_context(gar), retries=RETRIES, limits=limits),
        timeout=TIMEOUT,
        headers={"User-Agent": "catalogue-ressources"},
    )


async def send(client: httpx.AsyncClient, gar: GarSettings, request: GarRequest) -> GarAnswer:
    """One call; its answer, whatever its status. A TLS or connection failure raises
    `httpx.TransportError`: under TLS 1.3 a refused client certificate may reach the client
    only as it reads the answer, as a bare `ssl.SSLError`, which is raised as one too."""
    try:
        response = await client.request(
            request.method,
            f"{gar.url}/{quote(request.subscription_id, safe='')}",
            content=request.body,
            headers={"Content-Type": CONTENT_TYPE} if request.body is not None else None,
        )
    except ssl.SSLError as exc:
        raise httpx.ConnectError(f"TLS refused: {exc}") from exc
    return GarAnswer(status=response.status_code, body=response.text[:MAX_ANSWER_CHARS])
