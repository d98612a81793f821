"""Key sets that verify tokens: cached, and read again when they change or age, or when an
unknown ``kid`` appears."""

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
# A provider's keys are read again at least this often: a key it no longer publishes stops
# verifying within this delay (it announces no rotation to us).
PROVIDER_KEYS_MAX_AGE_S = 60.0
# What API callers read when the identity provider fails us (the reason goes to the log).
PROVIDER_AWAY = "Le fournisseur d'identité ne répond pas : réessayez dans un moment."


class KeyCache:
    """Keys of one issuer, as published now.

    The set is read again when it is invalidated (a rotation was announced), when it is older
    than ``max_age_s`` or past a change its source announced (``expire_within``), and on an
    unknown kid, at most every ``min_refresh_s`` for those.
    """

    def __init__(
        self,
        fetch: KeySetSource,
        *,
        min_refresh_s: float = 10.0,
        max_age_s: float | None = None,
    ) -> None:
        self._fetch = fetch
        self._min_refresh_s = min_refresh_s
        self._max_age_s = max_age_s
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._deadline: float | None = None
        self._generation = 0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """The published keys changed: read them again before the next verification."""
        self._keys = None
        self._generation += 1

    def expire_within(self, seconds: float) -> None:
        """For a source that knows when its set changes by itself (a retired key leaving)."""
        deadline = time.monotonic() + seconds
        if self._deadline is None or deadline < self._deadline:
            self._deadline = deadline

    async def key(self, kid: str) -> Key:
        keys = await self._current()
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

    async def only_key(self) -> Key:
        """The key of a token without kid: allowed only while one key is published (OIDC
        Core 1.0, section 10.1)."""
        keys = await self._current()
        if len(keys.keys) != 1:
            raise UnauthorizedError("token without key id (kid) while several keys are published")
        return keys.keys[0]

    async def _current(self) -> KeySet:
        keys = self._keys
        if keys is None or (self._deadline is not None and time.monotonic() >= self._deadline):
            return await self._refresh(self._fetched_at)
        return keys

    async def _refresh(self, seen_at: float) -> KeySet:
        async with self._lock:
            # Another request may have refreshed while this one waited for the lock.
            if self._keys is None or self._fetched_at == seen_at:
                generation = self._generation
                self._deadline = (
                    None if self._max_age_s is None else time.monotonic() + self._max_age_s
                )
                keys = await self._fetch()
                self._keys = keys
                self._fetched_at = time.monotonic()
                if generation != self._generation:
                    self._deadline = 0.0  # invalidated while reading: read again next time
                return keys
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
        self.keys = KeyCache(
            self._fetch_keys, min_refresh_s=min_refresh_s, max_age_s=PROVIDER_KEYS_MAX_AGE_S
        )

    async def metadata(self) -> ProviderMetadata:
        if self._metadata is None:
            body = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            try:
                metadata = msgspec.convert(body, ProviderMetadata)
            except msgspec.ValidationError as exc:
                raise UpstreamUnavailableError(
                    f"identity provider discovery: {exc}", public=PROVIDER_AWAY
                ) from None
            if metadata.issuer.rstrip("/") != self.issuer:
                raise UpstreamUnavailableError(
                    "identity provider discovery names another issuer", public=PROVIDER_AWAY
                )
            self._metadata = metadata
        return self._metadata

    async def _fetch_keys(self) -> KeySet:
        body = await self._get_json((await self.metadata()).jwks_uri)
        try:
            return KeySet.import_key_set(body)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise UpstreamUnavailableError(
                f"identity provider keys unreadable: {exc}", public=PROVIDER_AWAY
            ) from None

    async def _get_json(self, url: str) -> Any:
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise UpstreamUnavailableError(
                f"identity provider unreachable ({type(exc).__name__})", public=PROVIDER_AWAY
            ) from None
