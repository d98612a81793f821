"""A suspended publisher writes nothing and launches nothing: every write route its staff
reaches (read from the app's route table) answers 403 naming the suspension."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo import load_demo
from catalogue.identity.demo import demo_person_id
from catalogue.identity.models import Role
from catalogue.identity.tokens import issue_access_token
from tests.integration.conftest import bearer, open_client
from tests.integration.test_pages import csrf, sign_in
from tests.support.routes import SAFE, Endpoint, endpoints

SUSPENDED = "/problems/publisher-suspended"
WRITES = [
    e for e in endpoints() if not e.public and e.method not in SAFE and e.admits(Role.PUBLISHER)
]


@dataclass
class Suspended:
    publisher: UUID
    staff: dict[str, str]
    client: dict[str, str]


@pytest.fixture
async def suspended(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> Suspended:
    """A publisher with staff and a machine client, suspended by the national administration."""
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Suspendues', 'approved') "
        "RETURNING id"
    )
    insert = (
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:test', $1, $2, $3) RETURNING id"
    )
    staff = await conn.fetchval(insert, "staff", ["publisher"], publisher)
    national = await conn.fetchval(insert, "national", ["national_admin"], None)
    await conn.execute(
        "INSERT INTO api_clients (client_id, publisher_id, name, secret_hash, scopes) "
        "VALUES ('client-s', $1, 'S', '\\x00', ARRAY['publisher:resources'])",
        publisher,
    )
    token = await issue_access_token(
        conn,
        settings,
        subject="client-s",
        scope="publisher:resources",
        extra={"client_id": "client-s", "publisher_id": str(publisher)},
    )
    done = await client.post(
        f"/api/v1/publishers/{publisher}/suspension", headers=await bearer(conn, settings, national)
    )
    assert done.json()["status"] == "suspended"
    return Suspended(
        publisher, await bearer(conn, settings, staff), {"Authorization": f"Bearer {token}"}
    )


def refused_as_suspended(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == SUSPENDED
    assert "suspendu" in problem["detail"]


def test_the_route_table_has_the_publisher_writes() -> None:
    ids = {e.id for e in WRITES}
    assert {
        "POST /api/v1/publisher/resources",
        "PUT /api/v1/publishers/{publisher_id:uuid}/webhook",
        "POST /api/v1/publishers/{publisher_id:uuid}/clients/{client_id:str}/rotation",
        "POST /api/v1/publisher/lti/tools",
    } <= ids


@pytest.mark.parametrize("endpoint", WRITES, ids=[e.id for e in WRITES])
async def test_every_publisher_write_is_refused_to_a_suspended_publisher(
    client: httpx.AsyncClient, suspended: Suspended, endpoint: Endpoint
) -> None:
    values = {name: str(uuid.uuid4()) if kind == "uuid" else "x" for name, kind in endpoint.params}
    if "publisher_id" in values:
        values["publisher_id"] = str(suspended.publisher)
    if "client_id" in values:
        values["client_id"] = "client-s"
    url = endpoint.url(**values)
    for headers in (suspended.staff, suspended.client):
        response = await client.request(endpoint.method, url, json={}, headers=headers)
        refused_as_suspended(response)


async def test_a_suspended_publisher_still_reads_its_own(
    client: httpx.AsyncClient, suspended: Suspended, conn: asyncpg.Connection
) -> None:
    listing = await client.get("/api/v1/publisher/resources", headers=suspended.staff)
    assert listing.status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM resources") == 0
    # Its client's tokens stop at once, reads included; no new token is issued either.
    refused_as_suspended(await client.get("/api/v1/publisher/resources", headers=suspended.client))


# Pages, LTI launches and Dynamic Registration: the demo publisher, suspended.


@pytest.fixture
async def web(settings: Settings, conn: asyncpg.Connection) -> AsyncIterator[httpx.AsyncClient]:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    await conn.execute(
        "UPDATE publishers SET status = 'suspended' WHERE id = "
        "(SELECT publisher_id FROM people WHERE id = $1)",
        await demo_person_id(conn, "publisher"),
    )
    async for c in open_client(create_asgi_app(demo)):
        yield c


PAGE_WRITES = [
    e for e in endpoints() if e.public and e.path.startswith("/editeur") and e.method not in SAFE
]


@pytest.mark.parametrize("endpoint", PAGE_WRITES, ids=[e.id for e in PAGE_WRITES])
async def test_publisher_pages_refuse_writes_when_suspended(
    web: httpx.AsyncClient, endpoint: Endpoint
) -> None:
    await sign_in(web, "publisher")
    values = {name: str(uuid.uuid4()) for name, _ in endpoint.params}
    response = await web.request(
        endpoint.method,
        endpoint.url(**values),
        data={"_csrf_token": csrf(web), "format": "json"},
        files={"fichier": ("r.json", b'{"title": "x"}', "application/json")},
    )
    assert response.status_code == 403
    assert "suspendu" in response.text


async def test_launches_of_a_suspended_publishers_tools_are_refused(
    web: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    resource_id = await conn.fetchval(
        "SELECT l.resource_id FROM licences l JOIN people p ON p.id = l.person_id "
        "WHERE p.subject = 'demo-enseignant' LIMIT 1"
    )
    tool = await conn.fetchval(
        "INSERT INTO lti_tools (publisher_id, client_id, deployment_id, name, "
        "initiate_login_uri, redirect_uris, jwks_uri, target_link_uri, registered_by) "
        "SELECT publisher_id, 'c', 'd', 'Outil', 'https://t.example/login', "
        "ARRAY['https://t.example/launch'], 'https://t.example/jwks', "
        "'https://t.example/launch', 'api' FROM resources WHERE id = $1 RETURNING id",
        resource_id,
    )
    await conn.execute("UPDATE resources SET lti_tool_id = $2 WHERE id = $1", resource_id, tool)
    await conn.execute(
        "UPDATE publishers SET status = 'suspended' WHERE id = "
        "(SELECT publisher_id FROM resources WHERE id = $1)",
        resource_id,
    )
    teacher = await bearer(conn, settings, await demo_person_id(conn, "teacher"))
    launch = await web.get(f"/lti/launch/{resource_id}", headers=teacher)
    assert launch.status_code == 403
    assert "suspendu" in launch.text
    await conn.execute(
        "UPDATE publishers SET status = 'approved' WHERE id = "
        "(SELECT publisher_id FROM resources WHERE id = $1)",
        resource_id,
    )
    assert (await web.get(f"/lti/launch/{resource_id}", headers=teacher)).status_code == 302


async def test_dynamic_registration_for_a_suspended_publisher_is_refused(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    publisher = await conn.fetchval(
        "SELECT publisher_id FROM people WHERE id = $1", await demo_person_id(conn, "publisher")
    )
    await conn.execute(
        "INSERT INTO lti_registration_tokens (token_hash, publisher_id, expires_at) "
        "VALUES ($1, $2, now() + interval '1 hour')",
        hashlib.sha256(b"registration-token").digest(),
        publisher,
    )
    before = await conn.fetchval("SELECT count(*) FROM lti_tools")
    response = await web.post(
        "/lti/register",
        json={"client_name": "Outil", "redirect_uris": ["https://t.example/launch"]},
        headers={"Authorization": "Bearer registration-token"},
    )
    refused_as_suspended(response)
    assert await conn.fetchval("SELECT count(*) FROM lti_tools") == before
