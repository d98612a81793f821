"""Who is calling: bearer tokens (ours or the identity provider's) and browser sessions."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import structlog
from joserfc.jwk import KeySet

from catalogue.config import Settings
from catalogue.errors import PublisherSuspendedError, UnauthorizedError
from catalogue.identity import repository
from catalogue.identity.claims import Access, map_claims
from catalogue.identity.jwks import KeyCache, OidcProvider
from catalogue.identity.keys import public_key_set
from catalogue.identity.models import Principal, Role
from catalogue.identity.tokens import API_AUDIENCE
from catalogue.identity.verifier import unverified_header_and_issuer, verify_jwt

log = structlog.get_logger(__name__)

SESSION_LIFETIME_S = 8 * 3600
_PEOPLE_CACHE_SIZE = 10_000
# A person's roles and scope, read at most this often per process: every request carries a
# token or a session, and a change of rights takes effect within these seconds.
PERSON_TTL_S = 5.0


class Authenticator:
    def __init__(
        self,
        settings: Settings,
        pool: asyncpg.Pool,
        provider: OidcProvider | None,
        *,
        min_refresh_s: float = 10.0,
    ) -> None:
        self.settings = settings
        self.pool = pool
        self.provider = provider
        self.platform_keys = KeyCache(self._platform_key_set, min_refresh_s=min_refresh_s)
        # (issuer, subject, access) -> principal: skips a write when nothing changed.
        self._known: OrderedDict[tuple[str, str, Access], Principal] = OrderedDict()
        self._people: OrderedDict[UUID, tuple[float, Principal | None]] = OrderedDict()
        self._suspended: dict[UUID, tuple[float, bool]] = {}

    async def _platform_key_set(self) -> KeySet:
        async with self.pool.acquire() as conn:
            return await public_key_set(conn)

    async def from_bearer(self, token: str) -> Principal:
        return await self.with_publisher_status(await self._from_bearer(token))

    async def _from_bearer(self, token: str) -> Principal:
        header, issuer = unverified_header_and_issuer(token)
        if issuer == self.settings.issuer:
            claims = await verify_jwt(
                token,
                header,
                self.platform_keys,
                issuer=issuer,
                audience=API_AUDIENCE,
                access_token=True,
            )
            return await self._platform_principal(claims)
        if self.provider is not None and issuer == self.provider.issuer:
            assert self.settings.oidc is not None  # a provider exists only when configured
            claims = await verify_jwt(
                token,
                header,
                self.provider.keys,
                issuer=issuer,
                audience=self.settings.oidc.api_audience,
                access_token=True,
            )
            access = map_claims(claims, self.settings.claims)
            return await self.remember_person(issuer, claims["sub"], access)
        raise UnauthorizedError("token from an unknown issuer")

    async def from_session(self, session: dict[str, Any]) -> Principal | None:
        person = session.get("person_id")
        expires_at = session.get("expires_at", 0)
        if not isinstance(person, str) or not isinstance(expires_at, int):
            return None
        if expires_at < time.time():
            return None
        principal = await self.person(UUID(person))
        return None if principal is None else await self.with_publisher_status(principal)

    async def with_publisher_status(self, principal: Principal) -> Principal:
        """A publisher's staff member, marked when the publisher is suspended (read at most
        every PERSON_TTL_S seconds per process, like a person's rights)."""
        publisher_id = principal.publisher_id
        if publisher_id is None or principal.kind != "person":
            return principal
        now = time.monotonic()
        cached = self._suspended.get(publisher_id)
        if cached is None or cached[0] <= now:
            async with self.pool.acquire() as conn:
                status = await repository.publisher_status(conn, publisher_id)
            cached = (now + PERSON_TTL_S, status == "suspended")
            if len(self._suspended) >= _PEOPLE_CACHE_SIZE:
                self._suspended.clear()
            self._suspended[publisher_id] = cached
        if not cached[1]:
            return principal
        return msgspec.structs.replace(principal, publisher_suspended=True)

    async def person(self, person_id: UUID) -> Principal | None:
        cached = self._people.get(person_id)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        async with self.pool.acquire() as conn:
            row = await repository.person_by_id(conn, person_id)
        principal = None
        if row is not None:
            access = Access(
                roles=frozenset(Role(r) for r in row["roles"]),
                establishment_uai=row["establishment_uai"],
                academie=row["academie"],
                publisher_id=row["publisher_id"],
            )
            principal = _person_principal(person_id, access)
        self._people[person_id] = (now + PERSON_TTL_S, principal)
        self._people.move_to_end(person_id)
        if len(self._people) > _PEOPLE_CACHE_SIZE:
            self._people.popitem(last=False)
        return principal

    async def _platform_principal(self, claims: dict[str, Any]) -> Principal:
        subject = claims["sub"]
        if claims.get("client_id") == subject:
            return await self._client_principal(subject, claims)
        try:
            person_id = UUID(subject)
        except ValueError:
            raise UnauthorizedError("unknown subject") from None
        principal = await self.person(person_id)
        if principal is None:
            raise UnauthorizedError("unknown subject")
        return principal

    async def _client_principal(self, client_id: str, claims: dict[str, Any]) -> Principal:
        async with self.pool.acquire() as conn:
            client = await repository.client_by_id(conn, client_id)
        if client is None or client["revoked_at"] is not None:
            raise UnauthorizedError("client revoked")
        if client["publisher_status"] == "suspended":
            raise PublisherSuspendedError
        granted = str(claims.get("scope", "")).split()
        return Principal(
            kind="client",
            id=client_id,
            roles=frozenset({Role.PUBLISHER}),
            publisher_id=client["publisher_id"],
            scopes=frozenset(granted) & frozenset(client["scopes"]),
        )

    async def remember_person(
        self,
        issuer: str,
        subject: str,
        access: Access,
        *,
        display_name: str | None = None,
        email: str | None = None,
    ) -> Principal:
        """Record (or refresh) a person known to the identity provider."""
        key = (issuer, subject, access)
        known = self._known.get(key)
        if known is not None and display_name is None and email is None:
            self._known.move_to_end(key)
            return known
        async with self.pool.acquire() as conn:
            person_id, stored = await repository.upsert_person(
                conn, issuer, subject, access, display_name=display_name, email=email
            )
        principal = _person_principal(person_id, stored)
        self._people.pop(person_id, None)  # its rights may have just changed
        self._known[key] = principal
        if len(self._known) > _PEOPLE_CACHE_SIZE:
            self._known.popitem(last=False)
        return principal


def _person_principal(person_id: UUID, access: Access) -> Principal:
    return Principal(
        kind="person",
        id=str(person_id),
        roles=access.roles,
        establishment_uai=access.establishment_uai,
        academie=access.academie,
        publisher_id=access.publisher_id,
    )


def new_session(person_id: UUID) -> dict[str, Any]:
    return {"person_id": str(person_id), "expires_at": int(time.time()) + SESSION_LIFETIME_S}
