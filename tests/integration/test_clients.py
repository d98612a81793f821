"""Publishers' machine clients: registered by an admin, secret shown once, rotated, revoked."""

from __future__ import annotations

import base64
import hashlib
from uuid import UUID

import asyncpg
import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from catalogue.config import Settings
from tests.integration.conftest import bearer


@pytest.fixture
async def admin(conn: asyncpg.Connection, settings: Settings) -> dict[str, str]:
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles) VALUES ('urn:test', 'n', '{national_admin}') "
        "RETURNING id"
    )
    return await bearer(conn, settings, person)


@pytest.fixture
async def publisher(client: httpx.AsyncClient, admin: dict[str, str]) -> UUID:
    response = await client.post("/api/v1/publishers", json={"name": "Éditions Un"}, headers=admin)
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    return UUID(response.json()["id"])


def basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def get_token(
    client: httpx.AsyncClient, client_id: str, secret: str, **form: str
) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", **form},
        headers=basic(client_id, secret),
    )


async def test_register_then_call_the_api_with_a_short_lived_token(
    client: httpx.AsyncClient, admin: dict[str, str], publisher: UUID, conn: asyncpg.Connection
) -> None:
    created = await client.post(
        f"/api/v1/publishers/{publisher}/clients",
        json={"name": "Connecteur ENT", "scopes": ["publisher:resources", "publisher:sales"]},
        headers=admin,
    )
    assert created.status_code == 201
    secret = created.json()["client_secret"]
    client_id = created.json()["client_id"]

    stored = await conn.fetchrow(
        "SELECT secret_hash FROM api_clients WHERE client_id = $1", client_id
    )
    assert stored is not None
    assert bytes(stored["secret_hash"]) == hashlib.sha256(secret.encode()).digest()
    listing = await client.get(f"/api/v1/publishers/{publisher}/clients", headers=admin)
    assert secret not in listing.text
    assert [c["client_id"] for c in listing.json()] == [client_id]

    issued = await get_token(client, client_id, secret, scope="publisher:sales")
    assert issued.status_code == 200
    body = issued.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "Bearer",
        300,
        "publisher:sales",
    )
    jwks = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    claims = jwt.decode(body["access_token"], jwks).claims
    assert claims["exp"] - claims["iat"] == 300

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {
        "id": client_id,
        "kind": "client",
        "roles": ["publisher"],
        "establishment_uai": None,
        "academie": None,
        "publisher_id": str(publisher),
        "scopes": ["publisher:sales"],
    }


async def test_client_secret_post_is_accepted(
    client: httpx.AsyncClient, admin: dict[str, str], publisher: UUID
) -> None:
    created = (
        await client.post(
            f"/api/v1/publishers/{publisher}/clients", json={"name": "c"}, headers=admin
        )
    ).json()
    response = await client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "publisher:imports publisher:resources publisher:sales"


async def test_token_endpoint_errors_follow_oauth_and_problem_json(
    client: httpx.AsyncClient, admin: dict[str, str], publisher: UUID
) -> None:
    created = (
        await client.post(
            f"/api/v1/publishers/{publisher}/clients",
            json={"name": "c", "scopes": ["publisher:resources"]},
            headers=admin,
        )
    ).json()
    cid, secret = created["client_id"], created["client_secret"]

    wrong = await get_token(client, cid, "not-the-secret")
    unknown = await get_token(client, "pub_nobody", secret)
    grant = await client.post(
        "/oauth/token", data={"grant_type": "password"}, headers=basic(cid, secret)
    )
    scope = await get_token(client, cid, secret, scope="publisher:sales")
    anonymous = await client.post("/oauth/token", data={"grant_type": "client_credentials"})

    for response, status, error in [
        (wrong, 401, "invalid_client"),
        (unknown, 401, "invalid_client"),
        (grant, 400, "unsupported_grant_type"),
        (scope, 400, "invalid_scope"),
        (anonymous, 401, "invalid_client"),
    ]:
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["error"] == error


async def test_rotation_replaces_the_secret_and_revocation_stops_tokens(
    client: httpx.AsyncClient, admin: dict[str, str], publisher: UUID
) -> None:
    created = (
        await client.post(
            f"/api/v1/publishers/{publisher}/clients", json={"name": "c"}, headers=admin
        )
    ).json()
    cid, old = created["client_id"], created["client_secret"]
    token = (await get_token(client, cid, old)).json()["access_token"]

    rotated = await client.post(
        f"/api/v1/publishers/{publisher}/clients/{cid}/rotation", headers=admin
    )
    assert rotated.status_code == 201
    new = rotated.json()["client_secret"]
    assert new != old
    assert (await get_token(client, cid, old)).status_code == 401
    assert (await get_token(client, cid, new)).status_code == 200

    revoked = await client.delete(f"/api/v1/publishers/{publisher}/clients/{cid}", headers=admin)
    assert revoked.status_code == 204
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    assert (await get_token(client, cid, new)).status_code == 401
    again = await client.delete(f"/api/v1/publishers/{publisher}/clients/{cid}", headers=admin)
    assert again.status_code == 404


async def test_registration_refuses_bad_input(
    client: httpx.AsyncClient, admin: dict[str, str], publisher: UUID
) -> None:
    unknown_scope = await client.post(
        f"/api/v1/publishers/{publisher}/clients",
        json={"name": "c", "scopes": ["everything"]},
        headers=admin,
    )
    assert unknown_scope.status_code == 422
    no_publisher = await client.post(
        "/api/v1/publishers/00000000-0000-0000-0000-000000000000/clients",
        json={"name": "c"},
        headers=admin,
    )
    assert no_publisher.status_code == 404
    duplicate = await client.post("/api/v1/publishers", json={"name": "Éditions Un"}, headers=admin)
    assert duplicate.status_code == 409
    empty = await client.post("/api/v1/publishers", json={"name": ""}, headers=admin)
    assert empty.status_code == 422
