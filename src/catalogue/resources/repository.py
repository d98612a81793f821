"""Queries on resources, offers and identifiers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.identity.publishers import PublisherView
from catalogue.resources.models import (
    Contributor,
    Identifier,
    OfferDraft,
    OfferView,
    Status,
)
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.resources")


class Existing(msgspec.Struct, frozen=True):
    """A stored resource that a record of a batch (its number) duplicates, and what its
    content hashed to."""

    record: int
    id: UUID
    content_hash: str | None


class HeldIdentifier(msgspec.Struct, frozen=True):
    """An identifier given to a resource that another resource of the publisher holds."""

    kind: str
    value: str
    owner: UUID


class Lookup(msgspec.Struct, frozen=True):
    """What finds the resource a record duplicates: its source record, its identifiers."""

    connector: str
    source_key: str | None
    identifiers: list[Identifier]


class NewResource(msgspec.Struct, frozen=True):
    """A resource to create: its id, its row by column, identifiers and offers."""

    id: UUID
    row: dict[str, Any]
    identifiers: list[Identifier]
    offers: list[OfferDraft]


async def plan_each_record(conn: Connection) -> None:
    """In the caller's transaction: statements planned for each record's values."""
    await conn.execute(SQL["plan_each_record"])


async def find_existing(
    conn: Connection, publisher_id: UUID, lookups: list[Lookup]
) -> dict[int, Existing]:
    """The resource each record duplicates (same source record, or a shared identifier), by
    the record's position in `lookups`; records that duplicate none are absent."""
    numbered = [(n, i) for n, lookup in enumerate(lookups) for i in lookup.identifiers]
    found = await fetch_all(
        conn,
        Existing,
        SQL["find_existing"],
        publisher_id,
        list(range(len(lookups))),
        [lookup.connector for lookup in lookups],
        [lookup.source_key for lookup in lookups],
        [n for n, _ in numbered],
        [str(i.kind) for _, i in numbered],
        [i.value for _, i in numbered],
    )
    return {existing.record: existing for existing in found}


class _Held(msgspec.Struct, frozen=True):
    resource_id: UUID
    kind: str
    value: str
    owner: UUID


async def create_resources(
    conn: Connection, publisher_id: UUID, resources: list[NewResource]
) -> dict[UUID, list[HeldIdentifier]]:
    """New resources with their identifiers and offers, in one statement; returns, by new
    resource, the identifiers that another resource of the publisher holds, which stay
    with it."""
    identified = [(r.id, i) for r in resources for i in r.identifiers]
    offered = [(r.id, _terms(o)) for r in resources for o in r.offers]
    held: dict[UUID, list[HeldIdentifier]] = {}
    for h in await fetch_all(
        conn,
        _Held,
        SQL["create_resources"],
        publisher_id,
        [{**r.row, "id": r.id} for r in resources],
        [resource_id for resource_id, _ in identified],
        [str(i.kind) for _, i in identified],
        [i.value for _, i in identified],
        [resource_id for resource_id, _ in offered],
        *_offer_columns([terms for _, terms in offered]),
    ):
        held.setdefault(h.resource_id, []).append(HeldIdentifier(h.kind, h.value, h.owner))
    return held


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
) -> list[HeldIdentifier]:
    """Identifiers and offers replaced; returns the identifiers that another resource of the
    publisher holds, which stay with it."""
    held = await fetch_all(
        conn,
        HeldIdentifier,
        SQL["replace_identifiers"],
        resource_id,
        publisher_id,
        [str(i.kind) for i in identifiers],
        [i.value for i in identifiers],
    )
    await replace_offers(conn, resource_id, offers)
    return held


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
        await conn.execute(SQL["insert_offers"], resource_id, *_offer_columns(wanted))


def _offer_columns(terms: list[OfferTerms]) -> list[list[Any]]:
    """Offers' terms as the five arrays the statements unnest (five empty ones for none)."""
    return [list(column) for column in zip(*terms, strict=True)] if terms else [[]] * 5


class StoredResource(msgspec.Struct, kw_only=True):
    """A resource as stored, with its publisher's name, identifiers and offers."""

    id: UUID
    publisher_id: UUID
    publisher_name: str
    visible: bool  # outside its publisher: an approved publisher's, or approved on its own
    status: Status
    title: str
    description: str
    keywords: list[str]
    languages: list[str]
    resource_types: list[str]
    pedagogical_types: list[str]
    audiences: list[str]
    levels: list[str]
    disciplines: list[str]
    accessibility: list[str]
    formats: list[str]
    rights: str | None
    thumbnail_url: str | None
    access_url: str | None
    identifiers: list[Identifier]
    contributors: list[Contributor]
    unknown_concepts: list[str]
    offers: list[OfferView]
    connector: str
    source_id: str | None
    harvested_at: datetime | None
    content_hash: str | None
    source_key: str | None
    created_at: datetime
    updated_at: datetime
    gar_referenced: bool = False
    gar_resource_id: str | None = None


class OwnResource(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    status: Status
    connector: str
    source_id: str | None
    unknown_concepts: list[str]
    updated_at: datetime
    gar_referenced: bool = False  # referenced in the GAR (its licences become subscriptions)
    gar_resource_id: str | None = None  # the GAR's id for it, when not its ARK


class ApprovedResource(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    status: Status


class AwaitingResource(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    publisher_name: str


async def resource_by_id(conn: Connection, resource_id: UUID) -> StoredResource | None:
    return await fetch_one(conn, StoredResource, SQL["resource_by_id"], resource_id)


async def public_thumbnail_url(conn: Connection, resource_id: UUID) -> str | None:
    """None for a resource that is not published and visible, or has no thumbnail."""
    url: str | None = await conn.fetchval(SQL["public_thumbnail_url"], resource_id)
    return url


async def resource_owner(conn: Connection, resource_id: UUID) -> UUID | None:
    owner: UUID | None = await conn.fetchval(SQL["resource_owner"], resource_id)
    return owner


async def withdraw_resource(conn: Connection, resource_id: UUID, publisher_id: UUID) -> bool:
    """False when the publisher has no such resource."""
    found = await conn.fetchval(SQL["withdraw_resource"], resource_id, publisher_id)
    return found is not None


async def own_resources(
    conn: Connection, publisher_id: UUID, limit: int, offset: int
) -> tuple[list[OwnResource], int]:
    """One page of a publisher's resources, and how many it has."""
    page = await fetch_all(conn, OwnResource, SQL["own_resources"], publisher_id, limit, offset)
    total: int = await conn.fetchval(SQL["count_own_resources"], publisher_id)
    return page, total


async def approve_resource(conn: Connection, resource_id: UUID) -> ApprovedResource | None:
    return await fetch_one(conn, ApprovedResource, SQL["approve_resource"], resource_id)


async def set_publisher_status(
    conn: Connection, publisher_id: UUID, status: str
) -> PublisherView | None:
    return await fetch_one(conn, PublisherView, SQL["set_publisher_status"], publisher_id, status)


async def resources_of_publisher(conn: Connection, publisher_id: UUID) -> list[UUID]:
    return [row["id"] for row in await conn.fetch(SQL["resources_of_publisher"], publisher_id)]


async def moderation_publishers(conn: Connection, limit: int) -> list[PublisherView]:
    return await fetch_all(conn, PublisherView, SQL["moderation_publishers"], limit)


async def moderation_resources(conn: Connection, limit: int) -> list[AwaitingResource]:
    return await fetch_all(conn, AwaitingResource, SQL["moderation_resources"], limit)


async def enqueue_outbox(conn: Connection, ids: list[UUID]) -> None:
    await conn.execute(SQL["enqueue_outbox"], ids)


async def ensure_publishers(conn: Connection, names: list[str]) -> dict[str, UUID]:
    """The id of each named publisher, created (approved) when missing: for bulk loading."""
    return {row["name"]: row["id"] for row in await conn.fetch(SQL["ensure_publishers"], names)}


async def enqueue_connector_outbox(conn: Connection, connector: str) -> None:
    """Every resource saved through a connector announced to the search index."""
    await conn.execute(SQL["outbox_for_connector"], connector)


async def count_by_connector(conn: Connection, connector: str) -> int:
    count: int = await conn.fetchval(SQL["count_by_connector"], connector)
    return count


async def copy_resources(
    conn: Connection,
    resource_columns: list[str],
    resources: list[tuple[Any, ...]],
    offers: list[tuple[Any, ...]],
    identifiers: list[tuple[Any, ...]],
) -> None:
    """Rows of new resources, their offers (resource id, licence type, price, duration,
    months, seats) and identifiers (resource id, publisher id, kind, value) copied in."""
    await conn.copy_records_to_table("resources", records=resources, columns=resource_columns)
    await conn.copy_records_to_table(
        "offers",
        records=offers,
        columns=[
            "resource_id", "licence_type", "unit_price_cents", "duration", "duration_months",
            "seats",
        ],
    )  # fmt: skip
    await conn.copy_records_to_table(
        "resource_identifiers",
        records=identifiers,
        columns=["resource_id", "publisher_id", "kind", "value"],
    )
