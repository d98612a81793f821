"""Money and quantities are integers, decoded strictly: "1", 1e3 and 1.0 are refused with 422
naming the field, and a single-seat licence is bought one at a time."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from tests.integration.ledger_world import UAI, build_world
from tests.integration.search_corpus import CORPUS
from tests.integration.test_accounts_api import Api


@pytest.fixture
async def api(client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings) -> Api:
    api = Api(client, conn, settings, await build_world(conn))
    await api.funded(cents=100_000)
    return api


async def send(api: Api, who: str, method: str, path: str, raw: str) -> httpx.Response:
    headers = await api.headers(
        who, **{"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex}
    )
    return await api.client.request(method, path, content=raw.encode(), headers=headers)


def refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.json()["detail"]


LAX = ['"1"', "1e3", "1.0"]


@pytest.mark.parametrize("quantity", LAX)
async def test_a_quantity_must_be_an_integer(api: Api, quantity: str) -> None:
    offer = api.world.offers["class"]
    raw = f'{{"offer_id": "{offer}", "quantity": {quantity}}}'
    refused(await send(api, "camille", "POST", "/api/v1/acquisitions", raw), "quantity")
    assert await api.conn.fetchval("SELECT count(*) FROM acquisitions") == 0


@pytest.mark.parametrize("amount", ['"100"', "1e3", "100.0"])
async def test_amounts_and_prices_must_be_integers(
    api: Api, amount: str, conn: asyncpg.Connection
) -> None:
    camille = api.world.people["camille"]
    before = await conn.fetchval("SELECT count(*) FROM transfers")
    raw = f'{{"to_kind": "teacher", "to": "{camille}", "amount_cents": {amount}}}'
    refused(await send(api, "head", "POST", "/api/v1/allocations", raw), "amount_cents")
    assert await conn.fetchval("SELECT count(*) FROM transfers") == before

    rules = f'{{"approval_threshold_cents": {amount}}}'
    path = f"/api/v1/establishments/{UAI}/rules"
    refused(await send(api, "head", "PUT", path, rules), "approval_threshold_cents")

    draft: dict[str, Any] = msgspec.to_builtins(CORPUS["geometrie"])
    text = msgspec.json.encode(draft).decode()
    first_price = f'"unit_price_cents":{draft["offers"][0]["unit_price_cents"]}'
    assert first_price in text
    text = text.replace(first_price, f'"unit_price_cents":{amount}', 1)
    refused(
        await send(api, "publisher", "POST", "/api/v1/publisher/resources", text),
        "offers[0].unit_price_cents",
    )
    assert await conn.fetchval("SELECT count(*) FROM resources WHERE title LIKE 'Géo%'") == 0


@pytest.mark.parametrize("offer", ["teacher", "school", "free"])
async def test_a_single_seat_licence_is_bought_one_at_a_time(api: Api, offer: str) -> None:
    response = await api.buy("camille", offer, quantity=2)
    refused(response, "quantité 1")
    assert response.json()["errors"] == [
        {"key": "quantity", "message": "must be 1 for this licence type"}
    ]
    assert await api.balance() == 100_000
    assert (await api.buy("camille", offer, quantity=1)).status_code == 201
    # Class seats come in several copies: 2 x 30 seats.
    seats = await api.buy("camille", "class", quantity=2)
    assert seats.json()["licence"]["seats"] == 60
