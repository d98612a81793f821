"""Machine clients: publishers' (registration, rotation, revocation) and the platform's own
(an ENT, an identity provider), and their client-credentials tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from uuid import UUID, uuid4

import asyncpg

from catalogue.config import Settings
from catalogue.errors import ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError
from catalogue.identity import repository
from catalogue.identity.models import (
    PLATFORM_SCOPES,
    PUBLISHER_SCOPES,
    ClientInfo,
    ClientSecret,
    NewClient,
    NewPlatformClient,
    PlatformClientSecret,
    Principal,
    Role,
    Scope,
    TokenResponse,
)
from catalogue.identity.tokens import issue_access_token

# A notice: a platform client (its id) was revoked.
CLIENTS_CHANNEL = "catalogue_clients"

CLIENT_TOKEN_LIFETIME_S = 300


class InvalidClientError(UnauthorizedError):
    slug = "invalid-client"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, error="invalid_client")  # the OAuth 2.0 error code


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def ensure_manages(principal: Principal, publisher_id: UUID) -> None:
    """National administrators manage every publisher; a publisher's staff only their own."""
    if principal.has(Role.NATIONAL_ADMIN):
        return
    if principal.kind == "person" and principal.publisher_id == publisher_id:
        return
    raise ForbiddenError("Cet éditeur n'est pas le vôtre.")


async def register(
    pool: asyncpg.Pool, principal: Principal, publisher_id: UUID, request: NewClient
) -> ClientSecret:
    secret = secrets.token_urlsafe(32)
    client_id = f"pub_{secrets.token_urlsafe(12)}"
    async with pool.acquire() as conn:
        if await repository.publisher_status(conn, publisher_id) is None:
            raise NotFoundError("Éditeur inconnu.")
        await repository.insert_client(
            conn,
            client_id=client_id,
            publisher_id=publisher_id,
            name=request.name,
            secret_hash=_hash(secret),
            scopes=sorted(set(request.scopes)),
            created_by=principal.person_id,
        )
    return ClientSecret(
        client_id=client_id,
        client_secret=secret,
        publisher_id=publisher_id,
        scopes=sorted(set(request.scopes)),
    )


async def register_platform_client(
    pool: asyncpg.Pool, principal: Principal, request: NewPlatformClient
) -> PlatformClientSecret:
    """A client of an ENT or an identity provider (a national administrator's act)."""
    if not request.name.strip():
        raise InvalidInputError("Le nom du client est vide.")
    if not request.scopes:
        raise InvalidInputError("Un client de la plateforme a besoin d'au moins une portée.")
    secret = secrets.token_urlsafe(32)
    client_id = f"plt_{secrets.token_urlsafe(12)}"
    platform_id = request.platform_id or uuid4()
    scopes = sorted(set(request.scopes))
    async with pool.acquire() as conn:
        await repository.insert_platform_client(
            conn,
            client_id=client_id,
            platform_id=platform_id,
            name=request.name.strip(),
            secret_hash=_hash(secret),
            scopes=list(scopes),
            created_by=principal.person_id,
        )
    return PlatformClientSecret(
        client_id=client_id, client_secret=secret, platform_id=platform_id, scopes=scopes
    )


async def revoke_platform_client(pool: asyncpg.Pool, client_id: str) -> None:
    """Revoked, and every process told (``CLIENTS_CHANNEL``): their bearer check keeps a
    platform client a few seconds (``authn.CLIENT_TTL_S``)."""
    async with pool.acquire() as conn, conn.transaction():
        if not await repository.revoke_platform_client(conn, client_id):
            raise NotFoundError("Client de la plateforme inconnu ou déjà révoqué.")
        await repository.notify(conn, CLIENTS_CHANNEL, client_id)


async def rotate(pool: asyncpg.Pool, publisher_id: UUID, client_id: str) -> ClientSecret:
    """A new secret; the previous one stops working at once."""
    secret = secrets.token_urlsafe(32)
    async with pool.acquire() as conn:
        rotated = await repository.rotate_client_secret(
            conn, client_id, publisher_id, _hash(secret)
        )
    if rotated is None:
        raise NotFoundError("Client inconnu ou révoqué.")
    return ClientSecret(
        client_id=client_id,
        client_secret=secret,
        publisher_id=publisher_id,
        scopes=[Scope(s) for s in rotated.scopes],
    )


async def revoke(pool: asyncpg.Pool, publisher_id: UUID, client_id: str) -> None:
    async with pool.acquire() as conn:
        if not await repository.revoke_client(conn, client_id, publisher_id):
            raise NotFoundError("Client inconnu ou déjà révoqué.")


async def list_clients(pool: asyncpg.Pool, publisher_id: UUID) -> list[ClientInfo]:
    async with pool.acquire() as conn:
        return await repository.clients_of_publisher(conn, publisher_id)


async def client_credentials_token(
    pool: asyncpg.Pool,
    settings: Settings,
    *,
    client_id: str,
    client_secret: str,
    scope: str | None,
) -> TokenResponse:
    async with pool.acquire() as conn:
        client = await repository.client_by_id(conn, client_id)
        expected = client.secret_hash if client else _hash(secrets.token_urlsafe(32))
        # Compared even for unknown clients, so timing does not tell which ids exist.
        matches = hmac.compare_digest(expected, _hash(client_secret))
        if client is None or not matches or client.revoked_at is not None:
            raise InvalidClientError("unknown client or wrong secret")
        if client.publisher_status == "suspended":
            raise InvalidClientError("publisher suspended")
        # A publisher's client never holds a platform scope, nor a platform's client a
        # publisher's, whatever its row says.
        allowed = set(client.scopes) & (
            PUBLISHER_SCOPES if client.publisher_id is not None else PLATFORM_SCOPES
        )
        wanted = set(scope.split()) if scope else allowed
        if not wanted <= allowed:
            raise InvalidInputError(
                f"Portée non accordée à ce client : {' '.join(sorted(wanted - allowed))}.",
                error="invalid_scope",
            )
        granted = " ".join(sorted(wanted))
        token = await issue_access_token(
            conn,
            settings,
            subject=client_id,
            scope=granted,
            lifetime_s=CLIENT_TOKEN_LIFETIME_S,
            extra={"client_id": client_id, **_owner(client)},
        )
    return TokenResponse(
        access_token=token,
        token_type="Bearer",  # noqa: S106  # the OAuth token type, not a secret
        expires_in=CLIENT_TOKEN_LIFETIME_S,
        scope=granted,
    )


def _owner(client: repository.StoredClient) -> dict[str, str]:
    """The claim naming whom a client acts for: its publisher, or its platform."""
    if client.publisher_id is not None:
        return {"publisher_id": str(client.publisher_id)}
    return {"platform_id": str(client.platform_id)}
