"""Queries on resources, offers and identifiers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from catalogue.database import Connection
from catalogue.resources.models import Identifier, OfferDraft
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.resources")


async def find_existing(
    conn: Connection,
    publisher_id: UUID,
    identifiers: list[Identifier],
    connector: str,
    source_id: str | None,
) -> UUID | None:
    """The resource this one duplicates: same source record, or a shared identifier."""
    if source_id:
        found: UUID | None = await conn.fetchval(
            SQL["find_by_source"], publisher_id, connector, source_id
        )
        if found:
            return found
    if not identifiers:
        return None
    rows = await conn.fetch(
        SQL["find_by_identifiers"],
        publisher_id,
        [str(i.kind) for i in identifiers],
        [i.value for i in identifiers],
    )
    return rows[0]["resource_id"] if rows else None


async def insert_resource(conn: Connection, values: list[Any]) -> UUID:
    resource_id: UUID = await conn.fetchval(SQL["insert_resource"], *values)
    return resource_id


async def update_resource(conn: Connection, resource_id: UUID, values: list[Any]) -> bool:
    """False when the stored content hash is the same: nothing to change."""
    return await conn.fetchval(SQL["update_resource"], resource_id, *values[1:]) is not None


async def replace_children(
    conn: Connection,
    resource_id: UUID,
    publisher_id: UUID,
    identifiers: list[Identifier],
    offers: list[OfferDraft],
) -> None:
    await conn.execute(
        SQL["replace_identifiers"],
        resource_id,
        publisher_id,
        [str(i.kind) for i in identifiers],
        [i.value for i in identifiers],
    )
    await conn.execute(SQL["delete_offers"], resource_id)
    if offers:
        await conn.execute(
            SQL["insert_offers"],
            resource_id,
            [str(o.licence_type) for o in offers],
            [o.unit_price_cents for o in offers],
            [str(o.duration) for o in offers],
            [o.duration_months for o in offers],
            [o.seats for o in offers],
        )


async def resource_by_id(conn: Connection, resource_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(SQL["resource_by_id"], resource_id)


async def documents_for(conn: Connection, ids: list[UUID]) -> list[asyncpg.Record]:
    return await conn.fetch(SQL["documents_for"], ids)


async def documents_after(conn: Connection, after: UUID, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(SQL["documents_after"], after, limit)


async def enqueue_outbox(conn: Connection, ids: list[UUID]) -> None:
    await conn.execute(SQL["enqueue_outbox"], ids)
