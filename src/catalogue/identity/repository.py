"""Queries on people, establishments, publishers and machine clients."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from catalogue.database import Connection
from catalogue.errors import ConflictError
from catalogue.identity.claims import Access
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.identity")


async def person_by_id(conn: Connection, person_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(SQL["person_by_id"], person_id)


async def upsert_person(
    conn: Connection,
    issuer: str,
    subject: str,
    access: Access,
    *,
    display_name: str | None,
    email: str | None,
) -> tuple[UUID, Access]:
    """The person's id and the access actually stored (an unknown publisher is dropped)."""
    async with conn.transaction():
        if access.establishment_uai:
            await conn.execute(
                SQL["ensure_establishment"], access.establishment_uai, access.academie
            )
        publisher_id = access.publisher_id
        if publisher_id and await conn.fetchval(SQL["publisher_status"], publisher_id) is None:
            publisher_id = None
        person_id: UUID = await conn.fetchval(
            SQL["upsert_person"],
            issuer,
            subject,
            display_name,
            email,
            sorted(access.roles),
            access.establishment_uai,
            access.academie,
            publisher_id,
        )
    return person_id, msgspec.structs.replace(access, publisher_id=publisher_id)


async def person_in_scope(
    conn: Connection,
    person_id: UUID,
    *,
    everyone: bool,
    caller: UUID | None,
    uai: str | None,
    academie: str | None,
) -> asyncpg.Record | None:
    return await conn.fetchrow(SQL["person_in_scope"], person_id, everyone, caller, uai, academie)


async def people_of_establishment(conn: Connection, uai: str) -> list[asyncpg.Record]:
    return await conn.fetch(SQL["people_of_establishment"], uai)


async def establishment_academie(conn: Connection, uai: str) -> str | None:
    academie: str | None = await conn.fetchval(SQL["establishment_academie"], uai)
    return academie


async def publisher_status(conn: Connection, publisher_id: UUID) -> str | None:
    status: str | None = await conn.fetchval(SQL["publisher_status"], publisher_id)
    return status


async def insert_publisher(conn: Connection, name: str) -> asyncpg.Record:
    try:
        row = await conn.fetchrow(SQL["insert_publisher"], name)
    except asyncpg.UniqueViolationError:
        raise ConflictError(f"un éditeur nommé {name!r} existe déjà") from None
    assert row is not None  # INSERT ... RETURNING gives its row
    return row


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


async def client_by_id(conn: Connection, client_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(SQL["client_by_id"], client_id)


async def clients_of_publisher(conn: Connection, publisher_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(SQL["clients_of_publisher"], publisher_id)


async def rotate_client_secret(
    conn: Connection, client_id: str, publisher_id: UUID, secret_hash: bytes
) -> asyncpg.Record | None:
    return await conn.fetchrow(SQL["rotate_client_secret"], client_id, publisher_id, secret_hash)


async def revoke_client(conn: Connection, client_id: str, publisher_id: UUID) -> bool:
    return await conn.fetchval(SQL["revoke_client"], client_id, publisher_id) is not None
