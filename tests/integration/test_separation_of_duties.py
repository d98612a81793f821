"""Separation of duties: a person holding a teacher and an administrator role never decides on
their own acquisition nor funds themselves, through the API or the pages."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo import load_demo
from catalogue.identity.demo import demo_person_id
from tests.integration.conftest import bearer, open_client
from tests.integration.ledger_world import UAI, build_world
from tests.integration.test_accounts_api import Api, post_csv
from tests.integration.test_pages import csrf, sign_in

OWN = "/problems/own-decision"


@pytest.fixture
async def api(client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings) -> Api:
    """The world, its establishment head also a teacher there, funded by the académie."""
    world = await build_world(conn)
    await conn.execute(
        "UPDATE people SET roles = roles || '{teacher}' WHERE id = $1", world.people["head"]
    )
    api = Api(client, conn, settings, world)
    await api.funded()
    head = str(world.people["head"])
    assert (await api.allocate("paris_admin", "teacher", head, 60_000)).status_code == 201
    rules = {"approval_threshold_cents": 20_000}
    assert (await api.put("paris_admin", f"/api/v1/establishments/{UAI}/rules", rules)).is_success
    return api


def refused_as_own(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == OWN


async def test_an_admin_who_teaches_cannot_fund_themselves(api: Api) -> None:
    head = str(api.world.people["head"])
    before = await api.conn.fetchval("SELECT count(*) FROM transfers")
    refused_as_own(await api.allocate("head", "teacher", head, 500))
    refused_as_own(await api.allocate("head", "teacher", "head@ac-test.invalid", 500))
    assert await api.conn.fetchval("SELECT count(*) FROM transfers") == before
    # Another teacher of the school, or the head funded by someone else, stays possible.
    camille = str(api.world.people["camille"])
    assert (await api.allocate("head", "teacher", camille, 500)).status_code == 201
    assert (await api.allocate("paris_admin", "teacher", head, 500)).status_code == 201


async def test_a_csv_line_funding_oneself_is_a_line_error(api: Api) -> None:
    head, camille = api.world.people["head"], api.world.people["camille"]
    before = await api.balance("head")
    body = f"{UAI};{camille};5\n{UAI};{head};10\n{UAI};HEAD@ac-test.invalid;10\n".encode()
    response = await post_csv(api, "head", body)
    assert response.status_code == 422, response.text
    errors = {e["line"]: e["error"] for e in response.json()["errors"]}
    assert set(errors) == {2, 3}
    assert all("vous doter vous-même" in error for error in errors.values())
    assert await api.balance("head") == before
    assert await api.balance("camille") == 10_000  # nothing applied


@pytest.mark.parametrize("decision", ["approval", "rejection"])
async def test_nobody_decides_on_their_own_request(api: Api, decision: str) -> None:
    asked = await api.buy("head", "school")  # 250 euros: above the threshold
    assert asked.status_code == 202, asked.text
    path = f"/api/v1/acquisitions/{asked.json()['id']}/{decision}"
    refused_as_own(await api.post("head", path))
    assert await api.conn.fetchval(
        "SELECT status FROM acquisitions WHERE id = $1", uuid.UUID(asked.json()["id"])
    ) == ("pending_approval")
    assert (await api.post("paris_admin", path)).status_code == 200


async def test_nobody_refunds_their_own_acquisition(api: Api) -> None:
    bought = await api.buy("head", "teacher")
    assert bought.status_code == 201, bought.text
    path = f"/api/v1/acquisitions/{bought.json()['id']}/refund"
    balance = await api.balance("head")
    refused_as_own(await api.post("head", path))
    assert await api.balance("head") == balance
    assert (await api.post("paris_admin", path)).json()["status"] == "refunded"
    # The teacher's own cancellation of a pending request is theirs to make.
    asked = await api.buy("head", "school")
    cancelled = await api.post("head", f"/api/v1/acquisitions/{asked.json()['id']}/cancellation")
    assert cancelled.json()["status"] == "cancelled"


# The pages: the demo's establishment head also teaches at the demo school.


@pytest.fixture
async def web(settings: Settings, conn: asyncpg.Connection) -> AsyncIterator[httpx.AsyncClient]:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    head = await demo_person_id(conn, "establishment_admin")
    await conn.execute("UPDATE people SET roles = roles || '{teacher}' WHERE id = $1", head)
    async for c in open_client(create_asgi_app(demo)):
        yield c


async def test_the_pages_refuse_funding_oneself(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    head = await demo_person_id(conn, "establishment_admin")
    await sign_in(web, "establishment_admin")
    await web.get("/admin/dotations")
    before = await conn.fetchval("SELECT count(*) FROM transfers")
    form = {"_csrf_token": csrf(web), "type": "teacher", "destinataire": str(head)}
    refused = await web.post("/admin/dotations", data={**form, "montant": "10"})
    assert refused.status_code == 403
    assert "vous doter vous-même" in refused.text
    csv = f"0751234J;{head};10\n".encode()
    line = await web.post(
        "/admin/dotations/csv",
        data={"_csrf_token": csrf(web)},
        files={"fichier": ("d.csv", csv, "text/csv")},
    )
    assert line.status_code == 422
    assert "vous doter vous-même" in line.text
    assert await conn.fetchval("SELECT count(*) FROM transfers") == before


async def test_the_approval_page_refuses_deciding_on_ones_own_request(
    web: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    head = await demo_person_id(conn, "establishment_admin")
    academie = await demo_person_id(conn, "academie_admin")
    offer = await conn.fetchval(
        "SELECT o.id FROM offers o JOIN resources r ON r.id = o.resource_id "
        "WHERE o.status = 'published' AND r.status = 'published' AND o.unit_price_cents > 0 "
        "ORDER BY o.unit_price_cents LIMIT 1"
    )
    await conn.execute(
        "INSERT INTO acquisition_rules (scope_kind, scope, approval_threshold_cents) "
        "VALUES ('establishment', '0751234J', 1)"
    )
    as_academie = await bearer(conn, settings, academie)
    funded = await web.post(
        "/api/v1/allocations",
        json={"to_kind": "teacher", "to": str(head), "amount_cents": 100_000},
        headers=as_academie,
    )
    assert funded.status_code == 201, funded.text
    asked = await web.post(
        "/api/v1/acquisitions",
        json={"offer_id": str(offer)},
        headers={**await bearer(conn, settings, head), "Idempotency-Key": "own-request"},
    )
    assert asked.status_code == 202, asked.text
    await sign_in(web, "establishment_admin")
    await web.get("/admin/approbations")
    refused = await web.post(
        f"/admin/approbations/{asked.json()['id']}",
        data={"_csrf_token": csrf(web), "decision": "approve"},
    )
    assert refused.status_code == 403
    assert "votre propre acquisition" in refused.text
    status = await conn.fetchval(
        "SELECT status FROM acquisitions WHERE id = $1", uuid.UUID(asked.json()["id"])
    )
    assert status == "pending_approval"
