"""Key sets that verify tokens: cached, and fetched again when an unknown ``kid`` appears."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import msgspec
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import Key, KeySet

from catalogue.errors import UnauthorizedError, UpstreamUnavailableError

KeySetSource = Callable[[], Awaitable[KeySet]]


class KeyCache:
    """Keys of one issuer. An unknown kid triggers one refetch, at most every ``min_refresh_s``."""

    def __init__(self, fetch: KeySetSource, *, min_refresh_s: float = 10.0) -> None:
        self._fetch = fetch
        self._min_refresh_s = min_refresh_s
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Key:
        keys = self._keys or await self._refresh(self._fetched_at)
        try:
            return keys.get_by_kid(kid)
        except InvalidKeyIdError:
            pass
        if time.monotonic() - self._fetched_at < self._min_refresh_s:
            raise UnauthorizedError("unknown signing key (kid)")
        keys = await self._refresh(self._fetched_at)
        try:
            return keys.get_by_kid(kid)
        except InvalidKeyIdError:
            raise UnauthorizedError("unknown signing key (kid)") from None

    async def _refresh(self, seen_at: float) -> KeySet:
        async with self._lock:
            # Another request may have refreshed while this one waited for the lock.
            if self._keys is None or self._fetched_at == seen_at:
                self._keys = await self._fetch()
                self._fetched_at = time.monotonic()
            return self._keys


class ProviderMetadata(msgspec.Struct, kw_only=True):
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None


class OidcProvider:
    """An OpenID Connect provider's discovery document and keys, through our HTTP client."""

    def __init__(self, http: httpx.AsyncClient, issuer: str, *, min_refresh_s: float = 10.0):
        self._http = http
        self.issuer = issuer
        self._metadata: ProviderMetadata | None = None
        self.keys = KeyCache(self._fetch_keys, min_refresh_s=min_refresh_s)

    async def metadata(self) -> ProviderMetadata:
        if self._metadata is None:
            body = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            try:
                metadata = msgspec.convert(body, ProviderMetadata)
            except msgspec.ValidationError as exc:
                raise UpstreamUnavailableError(f"identity provider discovery: {exc}") from None
            if metadata.issuer.rstrip("/") != self.issuer:
                raise UpstreamUnavailableError("identity provider discovery names another issuer")
            self._metadata = metadata
        return self._metadata

    async def _fetch_keys(self) -> KeySet:
        body = await self._get_json((await self.metadata()).jwks_uri)
        try:
            return KeySet.import_key_set(body)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise UpstreamUnavailableError(f"identity provider keys unreadable: {exc}") from None

    async def _get_json(self, url: str) -> Any:
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise UpstreamUnavailableError(
                f"identity provider unreachable ({type(exc).__name__})"
            ) from None
