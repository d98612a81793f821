"""Publishers' machine clients: registration, rotation, revocation, client-credentials tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from uuid import UUID

import asyncpg

from catalogue.config import Settings
from catalogue.errors import ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError
from catalogue.identity import repository
from catalogue.identity.models import (
    ClientInfo,
    ClientSecret,
    NewClient,
    Principal,
    Role,
    Scope,
    TokenResponse,
)
from catalogue.identity.tokens import issue_access_token

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
        allowed = set(client.scopes)
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
            extra={"client_id": client_id, "publisher_id": str(client.publisher_id)},
        )
    return TokenResponse(
        access_token=token,
        token_type="Bearer",  # noqa: S106  # the OAuth token type, not a secret
        expires_in=CLIENT_TOKEN_LIFETIME_S,
        scope=granted,
    )
