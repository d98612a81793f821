"""Who is calling: bearer tokens (ours or the identity provider's) and browser sessions."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import msgspec
import structlog
from joserfc.jwk import KeySet
from litestar.di import NamedDependency

from catalogue.config import Settings
from catalogue.errors import PublisherSuspendedError, UnauthorizedError
from catalogue.identity import repository, sessions
from catalogue.identity.claims import Access, map_claims
from catalogue.identity.client_cache import ClientCache
from catalogue.identity.clients import CLIENTS_CHANNEL
from catalogue.identity.demo import demo_person_id
from catalogue.identity.jwks import KeyCache, OidcProvider
from catalogue.identity.keys import KEYS_CHANNEL, published_keys
from catalogue.identity.listener import Handler
from catalogue.identity.models import PLATFORM_SCOPES, PUBLISHER_SCOPES, Principal, Role
from catalogue.identity.sessions import PERSON_PREFIX, SESSIONS_CHANNEL
from catalogue.identity.signing_in import PersonMoves, store_person
from catalogue.identity.tokens import API_AUDIENCE
from catalogue.identity.verifier import (
    VerifiedSignatures,
    unverified_header_and_issuer,
    verify_jwt,
)

log = structlog.get_logger(__name__)

SESSION_LIFETIME_S = 8 * 3600
_PEOPLE_CACHE_SIZE = 10_000
# A person's roles and scope, and whether a session is still open, read at most this often per
# process: every request carries a token or a session, and a change of rights takes effect
# within these seconds. A session ended on this process is refused at once; one ended on
# another process is refused when its notice arrives (milliseconds), within these seconds at
# worst (the notice was missed).
PERSON_TTL_S = 5.0


class Authenticator:
    def __init__(
        self,
        settings: Settings,
        pool: asyncpg.Pool,
        provider: OidcProvider | None,
        *,
        min_refresh_s: float = 10.0,
        on_move: PersonMoves | None = None,
    ) -> None:
        self.settings = settings
        self.on_move = on_move
        self.pool = pool
        self.provider = provider
        self.platform_keys = KeyCache(self._platform_key_set, min_refresh_s=min_refresh_s)
        # (issuer, subject, access) -> principal: skips a write when nothing changed.
        self._known: OrderedDict[tuple[str, str, Access], Principal] = OrderedDict()
        self._people: OrderedDict[UUID, tuple[float, Principal | None]] = OrderedDict()
        self._suspended: dict[UUID, tuple[float, bool]] = {}
        # session id hash -> (when it was read, its person; None: ended, expired or unknown)
        self._sessions: OrderedDict[bytes, tuple[float, UUID | None]] = OrderedDict()
        # When sessions (by hash) and every session of a person (by id) were last ended: a
        # reading of the database older than that is stale.
        self._ended: OrderedDict[bytes | UUID, float] = OrderedDict()
        self.clients = ClientCache(pool)  # platform clients, kept CLIENT_TTL_S
        # Bearer tokens' signatures already checked (with the key still published).
        self.signatures = VerifiedSignatures()

    async def _platform_key_set(self) -> KeySet:
        async with self.pool.acquire() as conn:
            published = await published_keys(conn)
        if published.changes_in_s is not None:
            self.platform_keys.expire_within(published.changes_in_s)
        return published.keys

    def notice_handlers(self) -> dict[str, Handler]:
        """What to drop when another process rotates the keys or ends sessions."""
        return {
            KEYS_CHANNEL: lambda _kid: self.platform_keys.invalidate(),
            SESSIONS_CHANNEL: self.sessions_ended,
            CLIENTS_CHANNEL: self.clients.forget,
        }

    def forget_cached_state(self) -> None:
        """Notices may have been missed (the listener connects again): read everything anew."""
        self.platform_keys.invalidate()
        self._sessions.clear()
        self.clients.clear()

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
                verified=self.signatures,
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
                verified=self.signatures,
            )
            access = map_claims(claims, self.settings.claims)
            if access.refused_uai is not None:
                raise UnauthorizedError(
                    "the identity provider's UAI claim has a wrong check letter",
                    public=f"Jeton refusé : {access.refused_uai}.",
                )
            return await self.remember_person(
                issuer, claims["sub"], access, match_value=match_value(claims, self.settings)
            )
        raise UnauthorizedError("token from an unknown issuer")

    async def from_session(self, session: dict[str, Any]) -> Principal | None:
        session_id = session.get("sid")
        person = session.get("person_id")
        expires_at = session.get("expires_at", 0)
        if not isinstance(session_id, str) or not isinstance(expires_at, int):
            return None
        if expires_at < time.time():
            return None
        person_id = await self._session_person(sessions.id_hash(session_id))
        if person_id is None or str(person_id) != person:
            return None
        principal = await self.person(person_id)
        return None if principal is None else await self.with_publisher_status(principal)

    async def _session_person(self, hashed: bytes) -> UUID | None:
        now = time.monotonic()
        cached = self._sessions.get(hashed)
        if (
            cached is not None
            and now - cached[0] < PERSON_TTL_S
            and not self._stale(hashed, cached)
        ):
            return cached[1]
        async with self.pool.acquire() as conn:
            person_id = await sessions.session_person(conn, hashed)
        self._sessions[hashed] = (now, person_id)
        self._sessions.move_to_end(hashed)
        if len(self._sessions) > _PEOPLE_CACHE_SIZE:
            self._sessions.popitem(last=False)
        return person_id if not self._stale(hashed, (now, person_id)) else None

    def _stale(self, hashed: bytes, read: tuple[float, UUID | None]) -> bool:
        read_at, person_id = read
        if self._ended.get(hashed, -1.0) >= read_at:
            return True
        return person_id is not None and self._ended.get(person_id, -1.0) >= read_at

    async def open_session(self, person_id: UUID) -> dict[str, Any]:
        """What the session cookie holds for a person who just signed in."""
        async with self.pool.acquire() as conn:
            return await sessions.open_session(conn, person_id, SESSION_LIFETIME_S)

    async def end_session(self, session: dict[str, Any]) -> None:
        session_id = session.get("sid")
        if not isinstance(session_id, str):
            return
        hashed = sessions.id_hash(session_id)
        async with self.pool.acquire() as conn:
            await sessions.end_session(conn, hashed)
        # After the commit: any reading that began before it is stale from now on.
        self._mark_ended(hashed)

    async def end_all_sessions(self, person_id: UUID) -> int:
        """Sign a person out everywhere: every browser session they have open."""
        async with self.pool.acquire() as conn:
            ended = await sessions.end_all_sessions(conn, person_id)
        self._mark_ended(person_id)  # after the commit, as for one session
        log.info("signed out everywhere", person_id=str(person_id), sessions=ended)
        return ended

    def sessions_ended(self, payload: str) -> None:
        """A notice: one session (its hash, hex) or every session of a person ended."""
        try:
            if payload.startswith(PERSON_PREFIX):
                self._mark_ended(UUID(payload.removeprefix(PERSON_PREFIX)))
            else:
                self._mark_ended(bytes.fromhex(payload))
        except ValueError:
            log.warning("unreadable session notice")

    def _mark_ended(self, what: bytes | UUID) -> None:
        now = time.monotonic()
        self._ended[what] = now
        self._ended.move_to_end(what)
        # A mark matters only while a reading older than it may still be cached.
        while self._ended:
            oldest, at = next(iter(self._ended.items()))
            if now - at <= 2 * PERSON_TTL_S:
                break
            del self._ended[oldest]

    def forget_person(self, person_id: UUID) -> None:
        """Drop what this process remembers of a person (deactivated: refused from now on)."""
        self._people.pop(person_id, None)
        for key in [k for k, p in self._known.items() if p.id == str(person_id)]:
            del self._known[key]

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
        # Fresh, and read after the person's sessions were last all ended (a departure ends
        # them: their bearer tokens stop at the notice too, not at the cache's expiry).
        if (
            cached is not None
            and cached[0] > now
            and self._ended.get(person_id, -1.0) < cached[0] - PERSON_TTL_S
        ):
            return cached[1]
        async with self.pool.acquire() as conn:
            stored = await repository.person_by_id(conn, person_id)
        principal = None
        if stored is not None:
            access = Access(
                roles=frozenset(Role(r) for r in stored.roles),
                establishment_uai=stored.establishment_uai,
                academie=stored.academie,
                publisher_id=stored.publisher_id,
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
        client = await self.clients.client(client_id)
        if client is None or client.revoked_at is not None:
            raise UnauthorizedError("client revoked")
        if client.publisher_status == "suspended":
            raise PublisherSuspendedError
        granted = frozenset(str(claims.get("scope", "")).split()) & frozenset(client.scopes)
        if client.publisher_id is None:
            # The platform's own client (an ENT, an identity provider): no role, so no route
            # of a publisher or a person; only its platform scopes.
            return Principal(
                kind="client",
                id=client_id,
                roles=frozenset(),
                platform_id=client.platform_id,
                scopes=granted & PLATFORM_SCOPES,
            )
        return Principal(
            kind="client",
            id=client_id,
            roles=frozenset({Role.PUBLISHER}),
            publisher_id=client.publisher_id,
            scopes=granted & PUBLISHER_SCOPES,
        )

    async def remember_person(
        self,
        issuer: str,
        subject: str,
        access: Access,
        *,
        display_name: str | None = None,
        email: str | None = None,
        match_value: str | None = None,
    ) -> Principal:
        """Record (or refresh) a person known to the identity provider. At their first
        sign-in, a person provisioned by SCIM is found by ``match_value`` (the configured
        matching claim's value) and linked: never a second person."""
        key = (issuer, subject, access)
        known = self._known.get(key)
        if known is not None and display_name is None and email is None:
            self._known.move_to_end(key)
            if await self.person(UUID(known.id)) is None:  # deactivated since
                raise UnauthorizedError("person deactivated")
            return known
        person_id, stored = await self._store_person(
            issuer, subject, access, display_name=display_name, email=email, match_value=match_value
        )
        principal = _person_principal(person_id, stored)
        self._people.pop(person_id, None)  # its rights may have just changed
        self._known[key] = principal
        if len(self._known) > _PEOPLE_CACHE_SIZE:
            self._known.popitem(last=False)
        return principal

    async def _store_person(
        self,
        issuer: str,
        subject: str,
        access: Access,
        *,
        display_name: str | None,
        email: str | None,
        match_value: str | None,
    ) -> tuple[UUID, Access]:
        """The person's id and the access actually stored (``signing_in.store_person``)."""
        async with self.pool.acquire() as conn, conn.transaction():
            stored = await store_person(
                conn,
                issuer,
                subject,
                access,
                display_name=display_name,
                email=email,
                match_claim=self.settings.claims.match_claim,
                match_value=match_value,
                on_move=self.on_move,
            )
        if stored.deactivated:
            raise UnauthorizedError("person deactivated")
        return stored.id, Access(
            roles=frozenset(Role(r) for r in stored.roles),
            establishment_uai=stored.establishment_uai,
            academie=stored.academie,
            publisher_id=stored.publisher_id,
        )

    async def open_demo_session(self, role: str) -> dict[str, Any]:
        """What the session cookie holds for someone signing in as a demo identity."""
        async with self.pool.acquire() as conn:
            person_id = await demo_person_id(conn, role)
            return await sessions.open_session(conn, person_id, SESSION_LIFETIME_S)


def match_value(claims: dict[str, Any], settings: Settings) -> str | None:
    """The value of the claim that finds a provisioned person at their first sign-in."""
    name = settings.claims.match_claim
    if name == "email" and claims.get("email_verified") is False:
        return None  # an address the provider has not verified finds nobody
    value = claims.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _person_principal(person_id: UUID, access: Access) -> Principal:
    return Principal(
        kind="person",
        id=str(person_id),
        roles=access.roles,
        establishment_uai=access.establishment_uai,
        academie=access.academie,
        publisher_id=access.publisher_id,
    )


AppAuthenticator: TypeAlias = NamedDependency[Authenticator]
