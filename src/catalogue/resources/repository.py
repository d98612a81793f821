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
    source_key: str | None,
) -> UUID | None:
    """The resource this one duplicates: same source record, or a shared identifier."""
    if source_key:
        found: UUID | None = await conn.fetchval(
            SQL["find_by_source"], publisher_id, connector, source_key
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


OfferTerms = tuple[str, int, str, int | None, int | None]


def _terms(offer: OfferDraft | asyncpg.Record) -> OfferTerms:
    if isinstance(offer, OfferDraft):
        return (
            str(offer.licence_type),
            offer.unit_price_cents,
            str(offer.duration),
            offer.duration_months,
            offer.seats,
        )
    return (
        offer["licence_type"],
        offer["unit_price_cents"],
        offer["duration"],
        offer["duration_months"],
        offer["seats"],
    )


async def replace_children(
    conn: Connection,
    resource_id: UUID,
    publisher_id: UUID,
    identifiers: list[Identifier],
    offers: list[OfferDraft],
) -> list[tuple[str, str, UUID]]:
    """Identifiers and offers replaced; returns the identifiers (kind, value, owner) that
    another resource of the publisher holds, which stay with it."""
    held = await conn.fetch(
        SQL["replace_identifiers"],
        resource_id,
        publisher_id,
        [str(i.kind) for i in identifiers],
        [i.value for i in identifiers],
    )
    await replace_offers(conn, resource_id, offers)
    return [(row["kind"], row["value"], row["resource_id"]) for row in held]


async def replace_offers(conn: Connection, resource_id: UUID, offers: list[OfferDraft]) -> None:
    """Versioned offers: an unchanged offer keeps its row; a changed or dropped one leaves
    sale (retired when sold, deleted otherwise) and a changed one comes back as a new row."""
    wanted = [_terms(o) for o in offers]
    leaving = []
    for row in await conn.fetch(SQL["lock_offers"], resource_id):
        if _terms(row) in wanted:
            wanted.remove(_terms(row))
        else:
            leaving.append(row["id"])
    if leaving:
        await conn.execute(SQL["retire_offers"], leaving)
    if wanted:
        columns = [list(column) for column in zip(*wanted, strict=True)]
        await conn.execute(SQL["insert_offers"], resource_id, *columns)


async def resource_by_id(conn: Connection, resource_id: UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(SQL["resource_by_id"], resource_id)


async def documents_for(conn: Connection, ids: list[UUID]) -> list[asyncpg.Record]:
    return await conn.fetch(SQL["documents_for"], ids)


async def documents_after(conn: Connection, after: UUID, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(SQL["documents_after"], after, limit)


async def enqueue_outbox(conn: Connection, ids: list[UUID]) -> None:
    await conn.execute(SQL["enqueue_outbox"], ids)
