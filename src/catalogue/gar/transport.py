"""Sending subscription bodies to the GAR: XML over HTTPS with the platform's client
certificate (mutual TLS). PUT ``{url}/{idAbonnement}`` creates, POST updates, DELETE removes.

The worker keeps one client for its lifetime (`KeptClient`): its kept connections carry every
job's calls, so a job pays no TLS handshake while one is still open.

Any HTTP answer comes back as a ``GarAnswer`` (status and body), 2xx or not: whoever sends
records it and decides to retry. A connection that fails, the TLS handshake included (the
GAR refusing our certificate, or we refusing its), raises ``httpx.TransportError``.
"""

from __future__ import annotations

import contextlib
import ssl
from collections import Counter
from collections.abc import AsyncIterator, Callable
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
# How long a connection to the GAR is kept idle for the next call (httpx's default): purchases
# wake the worker every half second at most, so a busy worker keeps its connections.
KEEPALIVE_S = 5.0


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
    """The client of the subscription service: mutual TLS, HTTP/1.1, bounded waits,
    connection failures retried (never a request already sent). It keeps no more connections
    than the calls a worker sends at once, each for KEEPALIVE_S idle at most; before every
    call the pool checks its kept connection, and one the GAR closed meanwhile is replaced
    by a new one (a new handshake), not used."""
    limits = httpx.Limits(
        max_connections=CONCURRENCY,
        max_keepalive_connections=CONCURRENCY,
        keepalive_expiry=KEEPALIVE_S,
    )
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


def _files_stamp(gar: GarSettings) -> tuple[tuple[int, int, int] | None, ...]:
    """What the certificate, key and CA bundle files are now (inode, size, modification),
    None for a file that cannot be read: a renewal changes it."""
    stamps: list[tuple[int, int, int] | None] = []
    for path in (gar.client_cert, gar.client_key, gar.ca_bundle):
        try:
            stat = path.stat() if path is not None else None
        except OSError:
            stat = None
        stamps.append(None if stat is None else (stat.st_ino, stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


class KeptClient:
    """The worker's GAR client, one for its lifetime (`kept_client`), shared by its jobs.

    A certificate, key or CA bundle renewed on disk (files replaced at the same paths) is
    taken up at the next `lease`, as when each job opened its own client: a new client is
    built, and the old one closed once no drain uses it. Files that cannot be read or used
    raise ConfigurationError, as `gar_client` does, and the old client stays for the next try.
    """

    def __init__(
        self, settings: GarSettings, make: Callable[[GarSettings], httpx.AsyncClient] = gar_client
    ) -> None:
        self.settings = settings
        self._make = make
        self._client: httpx.AsyncClient | None = None
        self._stamp: tuple[tuple[int, int, int] | None, ...] = ()
        self._users: Counter[httpx.AsyncClient] = Counter()
        self.built = 0  # clients built: one, plus one a renewal

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[httpx.AsyncClient]:
        """The current client, for one drain."""
        client = await self._current()
        self._users[client] += 1
        try:
            yield client
        finally:
            self._users[client] -= 1
            if client is not self._client and not self._users[client]:
                await self._retire(client)

    async def _current(self) -> httpx.AsyncClient:
        stamp = _files_stamp(self.settings)
        if self._client is None or stamp != self._stamp:
            fresh = self._make(self.settings)
            retired, self._client, self._stamp = self._client, fresh, stamp
            self.built += 1
            if retired is not None and not self._users[retired]:
                await self._retire(retired)
        return self._client

    async def _retire(self, client: httpx.AsyncClient) -> None:
        """A client no drain uses any more, closed with its kept connections."""
        self._users.pop(client, None)
        await client.aclose()

    async def aclose(self) -> None:
        clients = {*self._users, *([self._client] if self._client is not None else [])}
        self._client, self._users = None, Counter()
        for client in clients:
            await client.aclose()


@contextlib.asynccontextmanager
async def kept_client(settings: GarSettings | None) -> AsyncIterator[KeptClient | None]:
    """The worker's GAR client while it runs (None: GAR sync off), closed on the way out."""
    if settings is None:
        yield None
        return
    kept = KeptClient(settings)
    try:
        yield kept
    finally:
        await kept.aclose()
