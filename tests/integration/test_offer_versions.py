"""A resource that has been sold can still be edited: offers are versioned, never deleted once
sold, and each acquisition keeps the offer and the price it was made at."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from tests.integration.conftest import bearer
from tests.integration.search_corpus import CORPUS

UAI = "0751234J"
FREE = {"licence_type": "teacher", "unit_price_cents": 0, "duration": "perpetual"}
PAID = {"licence_type": "establishment", "unit_price_cents": 5000, "duration": "perpetual"}
EXTRA = {"licence_type": "teacher", "unit_price_cents": 700, "duration": "school_year"}


@dataclass
class Shop:
    client: httpx.AsyncClient
    conn: asyncpg.Connection
    staff: dict[str, str]
    teacher: dict[str, str]

    async def buy(self, offer_id: UUID | str) -> httpx.Response:
        return await self.client.post(
            "/api/v1/acquisitions",
            json={"offer_id": str(offer_id)},
            headers={**self.teacher, "Idempotency-Key": uuid.uuid4().hex},
        )

    async def offers(self, resource_id: UUID | str) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT id, unit_price_cents, status, retired_at FROM offers WHERE resource_id = $1 "
            "ORDER BY created_at, unit_price_cents",
            UUID(str(resource_id)),
        )


@pytest.fixture
async def shop(client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings) -> Shop:
    """An approved publisher's staff, a teacher of a school, an open budget period."""
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Vendues', 'approved') RETURNING id"
    )
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES ($1, 'Collège', 'paris')", UAI
    )
    insert = (
        "INSERT INTO people (issuer, subject, roles, establishment_uai, academie, publisher_id) "
        "VALUES ('urn:test', $1, $2, $3, $4, $5) RETURNING id"
    )
    staff = await conn.fetchval(insert, "staff", ["publisher"], None, None, publisher)
    teacher = await conn.fetchval(insert, "teacher", ["teacher"], UAI, "paris", None)
    national = await conn.fetchval(insert, "national", ["national_admin"], None, None, None)
    opened = await client.post(
        "/api/v1/periods", json={}, headers=await bearer(conn, settings, national)
    )
    assert opened.status_code == 201
    return Shop(
        client, conn, await bearer(conn, settings, staff), await bearer(conn, settings, teacher)
    )


def draft(*offers: dict[str, Any], title: str = "Géométrie vendue") -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(msgspec.to_builtins(CORPUS["geometrie"]))
    return {**body, "title": title, "offers": list(offers)}


async def test_a_sold_resource_is_edited_and_its_sold_offer_retired(shop: Shop) -> None:
    created = await shop.client.post(
        "/api/v1/publisher/resources", json=draft(FREE, PAID, EXTRA), headers=shop.staff
    )
    assert created.status_code == 201, created.text
    resource_id = created.json()["id"]
    free, extra, paid = (row["id"] for row in await shop.offers(resource_id))  # by price
    bought = await shop.buy(free)
    assert bought.status_code == 201, bought.text

    # An upsert (the same resource, found by identifier): the free offer becomes paid, the
    # establishment offer stays, the extra one goes.
    changed = {**FREE, "unit_price_cents": 300}
    upsert = await shop.client.post(
        "/api/v1/publisher/resources",
        json=draft(changed, PAID, title="Nouveau"),
        headers=shop.staff,
    )
    assert upsert.status_code == 201, upsert.text
    assert upsert.json() == {"id": resource_id, "outcome": "updated", "unknown_concepts": []}
    rows = {row["id"]: row for row in await shop.offers(resource_id)}
    assert rows[free]["status"] == "retired"  # sold: kept, off sale
    assert rows[free]["retired_at"] is not None
    assert rows[free]["unit_price_cents"] == 0
    assert rows[paid]["status"] == "published"  # unchanged: the same row
    assert extra not in rows  # never sold: deleted
    (new,) = [row for row in rows.values() if row["id"] not in (free, paid)]
    assert (new["unit_price_cents"], new["status"]) == (300, "published")

    # The acquisition keeps its offer and its price.
    snapshot = await shop.conn.fetchrow(
        "SELECT offer_id, unit_price_cents, total_cents FROM acquisitions"
    )
    assert snapshot is not None
    assert tuple(snapshot) == (free, 0, 0)
    again = await shop.buy(free)
    assert again.status_code == 422
    assert "plus proposée" in again.json()["detail"]

    # A PUT by id, and the read of the resource, work too.
    url = f"/api/v1/publisher/resources/{resource_id}"
    put = await shop.client.put(url, json=draft(PAID, title="Encore"), headers=shop.staff)
    assert put.status_code == 200, put.text
    assert put.json()["outcome"] == "updated"
    view = (await shop.client.get(f"/api/v1/resources/{resource_id}", headers=shop.teacher)).json()
    assert sorted(o["status"] for o in view["offers"]) == ["published", "retired"]
    assert await shop.conn.fetchval("SELECT count(*) FROM offers WHERE id = $1", new["id"]) == 0


async def test_a_connector_re_import_of_a_sold_resource(shop: Shop) -> None:
    record = {**draft(FREE, title="Importée"), "source_id": "notice-1"}
    url = "/api/v1/publisher/imports?connector=json"
    first = await shop.client.post(url, content=msgspec.json.encode(record), headers=shop.staff)
    assert first.status_code == 201, first.text
    resource_id = first.json()["items"][0]["resource_id"]
    (sold,) = [row["id"] for row in await shop.offers(resource_id)]
    assert (await shop.buy(sold)).status_code == 201

    changed = {**record, "title": "Importée, mise à jour", "offers": [EXTRA]}
    again = await shop.client.post(url, content=msgspec.json.encode(changed), headers=shop.staff)
    assert again.status_code == 201, again.text
    report = again.json()
    assert (report["updated"], report["rejected"]) == (1, 0), report
    assert [(r["status"], r["unit_price_cents"]) for r in await shop.offers(resource_id)] == [
        ("retired", 0),
        ("published", 700),
    ]


async def test_the_terms_of_an_offer_never_change_in_place(shop: Shop) -> None:
    created = await shop.client.post(
        "/api/v1/publisher/resources", json=draft(PAID), headers=shop.staff
    )
    (offer,) = await shop.offers(created.json()["id"])
    with pytest.raises(asyncpg.IntegrityConstraintViolationError):
        await shop.conn.execute("UPDATE offers SET unit_price_cents = 1 WHERE id = $1", offer["id"])
