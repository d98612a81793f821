"""Queries on people, establishments, publishers, machine clients, sessions and signing keys.

The only module of ``catalogue.identity`` that runs SQL: every row leaves it as a msgspec
Struct (or a plain value), never as a database record. Transactions are the callers'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.errors import ConflictError
from catalogue.identity.models import ClientInfo, PersonView
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.identity")


class StoredPerson(msgspec.Struct, frozen=True, kw_only=True):
    """A person's rights as stored (roles as the identity provider last gave them)."""

    id: UUID
    display_name: str
    roles: list[str]
    establishment_uai: str | None
    academie: str | None
    publisher_id: UUID | None


class UpsertedPerson(msgspec.Struct, frozen=True, kw_only=True):
    """A person as stored after a sign-in (a provisioned person keeps the directory's rights)."""

    id: UUID
    roles: list[str]
    establishment_uai: str | None
    academie: str | None
    publisher_id: UUID | None
    deactivated: bool


class SigningIn(msgspec.Struct, frozen=True, kw_only=True):
    """A known person as their sign-in finds them (before the claims are stored)."""

    id: UUID
    establishment_uai: str | None
    provisioned: bool  # by SCIM: the directory owns their establishment
    deactivated: bool


class ProvisionedLink(msgspec.Struct, frozen=True, kw_only=True):
    """A first sign-in's link: the person linked, or the candidates when not one alone."""

    linked: UUID | None
    candidates: list[UUID]


class StoredPublisher(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    status: str
    created_at: datetime


class StoredClient(msgspec.Struct, frozen=True, kw_only=True):
    """A machine client, with its secret's hash and its publisher's status."""

    client_id: str
    publisher_id: UUID | None  # None: a client of the platform (an ENT, an identity provider)
    platform_id: UUID | None
    name: str
    secret_hash: bytes
    scopes: list[str]
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None
    publisher_status: str | None


class RotatedClient(msgspec.Struct, frozen=True, kw_only=True):
    client_id: str
    publisher_id: UUID
    scopes: list[str]


class SealedKey(msgspec.Struct, frozen=True, kw_only=True):
    """A signing key's id and its private half sealed (None: retired, or still in clear)."""

    kid: str
    private_sealed: bytes | None


class ClearKey(msgspec.Struct, frozen=True, kw_only=True):
    """A private key written in clear before keys were sealed (migration 0017)."""

    kid: str
    private_jwk: dict[str, Any]


class PublishedKey(msgspec.Struct, frozen=True, kw_only=True):
    """A key of the JWKS, and the seconds before it leaves it (None: the current key)."""

    public_jwk: dict[str, Any]
    unpublished_in_s: float | None


# People and establishments


async def person_by_id(conn: Connection, person_id: UUID) -> StoredPerson | None:
    return await fetch_one(conn, StoredPerson, SQL["person_by_id"], person_id)


async def find_person_id(conn: Connection, issuer: str, subject: str) -> UUID | None:
    person_id: UUID | None = await conn.fetchval(SQL["find_person"], issuer, subject)
    return person_id


async def ensure_establishment(conn: Connection, uai: str, academie: str | None) -> None:
    await conn.execute(SQL["ensure_establishment"], uai, academie)


async def upsert_person(
    conn: Connection,
    issuer: str,
    subject: str,
    *,
    display_name: str | None,
    email: str | None,
    roles: list[str],
    establishment_uai: str | None,
    academie: str | None,
    publisher_id: UUID | None,
) -> UpsertedPerson:
    person = await fetch_one(
        conn,
        UpsertedPerson,
        SQL["upsert_person"],
        issuer,
        subject,
        display_name,
        email,
        roles,
        establishment_uai,
        academie,
        publisher_id,
    )
    assert person is not None  # INSERT ... ON CONFLICT DO UPDATE ... RETURNING gives its row
    return person


async def person_signing_in(conn: Connection, issuer: str, subject: str) -> SigningIn | None:
    """The person of this issuer and subject, locked for their sign-in (None: first one)."""
    return await fetch_one(conn, SigningIn, SQL["person_signing_in"], issuer, subject)


async def link_provisioned_person(
    conn: Connection, issuer: str, subject: str, *, match: str, value: str
) -> ProvisionedLink:
    """Give a provisioned person who never signed in this issuer and subject, found by the
    matching claim's value (``match``: "email", or anything else for the externalId); with
    two candidates, nobody is linked and both are named."""
    link = await fetch_one(
        conn, ProvisionedLink, SQL["link_provisioned_person"], issuer, subject, match, value
    )
    assert link is not None  # a SELECT of two subqueries gives its row
    return link


async def person_in_scope(
    conn: Connection,
    person_id: UUID,
    *,
    everyone: bool,
    caller: UUID | None,
    uai: str | None,
    academie: str | None,
) -> PersonView | None:
    return await fetch_one(
        conn, PersonView, SQL["person_in_scope"], person_id, everyone, caller, uai, academie
    )


async def people_of_establishment(conn: Connection, uai: str) -> list[PersonView]:
    return await fetch_all(conn, PersonView, SQL["people_of_establishment"], uai)


async def establishment_academie(conn: Connection, uai: str) -> str | None:
    academie: str | None = await conn.fetchval(SQL["establishment_academie"], uai)
    return academie


# Publishers and their machine clients


async def publisher_status(conn: Connection, publisher_id: UUID) -> str | None:
    status: str | None = await conn.fetchval(SQL["publisher_status"], publisher_id)
    return status


async def insert_publisher(conn: Connection, name: str) -> StoredPublisher:
    try:
        publisher = await fetch_one(conn, StoredPublisher, SQL["insert_publisher"], name)
    except asyncpg.UniqueViolationError:
        raise ConflictError(f"un éditeur nommé {name!r} existe déjà") from None
    assert publisher is not None  # INSERT ... RETURNING gives its row
    return publisher


async def insert_client(
    conn: Connection,
    *,
    client_id: str,
    publisher_id: UUID,
    name: str,
    secret_hash: bytes,
    scopes: list[str],
    created_by: UUID | None,
) -> None:
    await conn.execute(
        SQL["insert_client"], client_id, publisher_id, name, secret_hash, scopes, created_by
    )


async def insert_platform_client(
    conn: Connection,
    *,
    client_id: str,
    platform_id: UUID,
    name: str,
    secret_hash: bytes,
    scopes: list[str],
    created_by: UUID | None,
) -> None:
    await conn.execute(
        SQL["insert_platform_client"], client_id, platform_id, name, secret_hash, scopes, created_by
    )


async def client_by_id(conn: Connection, client_id: str) -> StoredClient | None:
    return await fetch_one(conn, StoredClient, SQL["client_by_id"], client_id)


async def clients_of_publisher(conn: Connection, publisher_id: UUID) -> list[ClientInfo]:
    return await fetch_all(conn, ClientInfo, SQL["clients_of_publisher"], publisher_id)


async def rotate_client_secret(
    conn: Connection, client_id: str, publisher_id: UUID, secret_hash: bytes
) -> RotatedClient | None:
    return await fetch_one(
        conn, RotatedClient, SQL["rotate_client_secret"], client_id, publisher_id, secret_hash
    )


async def revoke_platform_client(conn: Connection, client_id: str) -> bool:
    return await conn.fetchval(SQL["revoke_platform_client"], client_id) is not None


async def revoke_client(conn: Connection, client_id: str, publisher_id: UUID) -> bool:
    return await conn.fetchval(SQL["revoke_client"], client_id, publisher_id) is not None


# Browser sessions


async def forget_expired_sessions(conn: Connection, person_id: UUID) -> None:
    await conn.execute(SQL["forget_expired_sessions"], person_id)


async def insert_session(
    conn: Connection, id_hash: bytes, person_id: UUID, expires_at: int
) -> None:
    await conn.execute(SQL["insert_session"], id_hash, person_id, expires_at)


async def session_person(conn: Connection, id_hash: bytes) -> UUID | None:
    """The person of a session that is neither ended nor expired."""
    person: UUID | None = await conn.fetchval(SQL["session_person"], id_hash)
    return person


async def end_session(conn: Connection, id_hash: bytes) -> None:
    await conn.execute(SQL["end_session"], id_hash)


async def end_sessions_of_person(conn: Connection, person_id: UUID) -> int:
    ended: int = await conn.fetchval(SQL["end_sessions_of_person"], person_id)
    return ended


# Signing keys


async def lock_signing_keys(conn: Connection, lock: int) -> None:
    """A transaction-level advisory lock: one process at a time changes the keys."""
    await conn.execute(SQL["lock_signing_keys"], lock)


async def current_signing_key(conn: Connection) -> SealedKey | None:
    """The newest key that is not retired."""
    return await fetch_one(conn, SealedKey, SQL["current_signing_key"])


async def sealed_signing_keys(conn: Connection) -> list[SealedKey]:
    return await fetch_all(conn, SealedKey, SQL["sealed_signing_keys"])


async def clear_signing_keys(conn: Connection) -> list[ClearKey]:
    return await fetch_all(conn, ClearKey, SQL["clear_signing_keys"])


async def seal_signing_key(conn: Connection, kid: str, sealed: bytes) -> None:
    await conn.execute(SQL["seal_signing_key"], kid, sealed)


async def insert_signing_key(
    conn: Connection, kid: str, public_jwk: dict[str, Any], sealed: bytes
) -> None:
    await conn.execute(SQL["insert_signing_key"], kid, public_jwk, sealed)


async def retire_signing_keys(conn: Connection) -> None:
    await conn.execute(SQL["retire_signing_keys"])


async def published_signing_keys(conn: Connection, retired_for_s: float) -> list[PublishedKey]:
    return await fetch_all(conn, PublishedKey, SQL["published_signing_keys"], retired_for_s)


# Notices


async def notify(conn: Connection, channel: str, payload: str) -> None:
    """A notice to every listening process, sent when the transaction commits."""
    await conn.execute(SQL["notify"], channel, payload)


async def erase_departed(conn: Connection, retention_days: int) -> list[UUID]:
    """The people whose name and e-mail were erased now."""
    erased: list[UUID] = await conn.fetchval(SQL["erase_departed"], retention_days)
    return erased
