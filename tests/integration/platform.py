"""Machine clients of the platform (an ENT, an identity provider) for the tests: created by a
national administrator through the API, with their client-credentials tokens."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx

from catalogue.config import Settings
from tests.integration.conftest import bearer


async def national_admin(
    conn: asyncpg.Connection, settings: Settings, subject: str = "national-admin"
) -> dict[str, str]:
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles) "
        "VALUES ('urn:test', $1, '{national_admin}') RETURNING id",
        subject,
    )
    return await bearer(conn, settings, person)


async def platform_client(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    *scopes: str,
    platform_id: UUID | None = None,
) -> tuple[str, str, UUID]:
    """A platform client created through the API: (client id, secret, platform id)."""
    body: dict[str, object] = {"name": "ENT de test", "scopes": list(scopes)}
    if platform_id is not None:
        body["platform_id"] = str(platform_id)
    created = await client.post("/api/v1/platform-clients", json=body, headers=admin)
    assert created.status_code == 201, created.text
    answer = created.json()
    return answer["client_id"], answer["client_secret"], UUID(answer["platform_id"])


async def client_token(
    client: httpx.AsyncClient, client_id: str, secret: str, scope: str | None = None
) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    if scope is not None:
        form["scope"] = scope
    return await client.post("/oauth/token", data=form)


async def platform_headers(
    client: httpx.AsyncClient, admin: dict[str, str], *scopes: str
) -> tuple[dict[str, str], UUID]:
    """Bearer headers of a new platform client holding ``scopes``, and its platform id."""
    client_id, secret, platform_id = await platform_client(client, admin, *scopes)
    issued = await client_token(client, client_id, secret)
    assert issued.status_code == 200, issued.text
    return {"Authorization": f"Bearer {issued.json()['access_token']}"}, platform_id
