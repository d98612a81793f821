"""Machine clients of the platform (an ENT, an identity provider): created by a national
administrator, client-credentials tokens with platform scopes only, never a publisher's
route; and the ENT médiacentre asked for one teacher by their pseudonym for that ENT."""

from __future__ import annotations

import time
import uuid

import asyncpg
import httpx
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from catalogue.config import Settings
from catalogue.identity.secrets import derive_key, platform_pseudonym, resolve_secret_key
from catalogue.identity.tokens import API_AUDIENCE, issue_access_token
from tests.integration.conftest import bearer
from tests.integration.ledger_world import open_budgets
from tests.integration.platform import (
    client_token,
    national_admin,
    platform_client,
    platform_headers,
)
from tests.integration.test_mediacentre import SHAPE, mismatches


async def test_a_national_administrator_creates_a_platform_client_and_nobody_else(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    admin = await national_admin(conn, settings)
    client_id, secret, platform_id = await platform_client(
        client, admin, "mediacentre:read", "scim:write"
    )
    assert client_id.startswith("plt_")
    stored = await conn.fetchrow(
        "SELECT publisher_id, platform_id, scopes FROM api_clients WHERE client_id = $1",
        client_id,
    )
    assert stored is not None
    assert (stored["publisher_id"], stored["platform_id"]) == (None, platform_id)
    assert sorted(stored["scopes"]) == ["mediacentre:read", "scim:write"]
    # A second client of the same platform shares its id (and so its pseudonyms).
    _, _, same = await platform_client(client, admin, "scim:write", platform_id=platform_id)
    assert same == platform_id

    teacher = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles) VALUES ('urn:test', 't', '{teacher}') "
        "RETURNING id"
    )
    body = {"name": "ENT", "scopes": ["scim:write"]}
    refused = await client.post(
        "/api/v1/platform-clients", json=body, headers=await bearer(conn, settings, teacher)
    )
    assert refused.status_code == 403
    assert (await client.post("/api/v1/platform-clients", json=body)).status_code == 401
    # A publisher's scope is not a platform's, and an empty list is refused.
    for scopes, status in ((["publisher:resources"], 422), ([], 400)):
        bad = await client.post(
            "/api/v1/platform-clients", json={"name": "ENT", "scopes": scopes}, headers=admin
        )
        assert bad.status_code == status, bad.text

    issued = await client_token(client, client_id, secret)
    assert issued.status_code == 200, issued.text
    assert issued.json()["scope"] == "mediacentre:read scim:write"
    jwks = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    claims = jwt.decode(issued.json()["access_token"], jwks).claims
    assert claims["platform_id"] == str(platform_id)
    assert "publisher_id" not in claims
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {issued.json()['access_token']}"}
    )
    assert (me.json()["kind"], me.json()["roles"], me.json()["publisher_id"]) == (
        "client",
        [],
        None,
    )

    # Revoked: no more tokens.
    assert (
        await client.delete(f"/api/v1/platform-clients/{client_id}", headers=admin)
    ).status_code == 204
    assert (await client_token(client, client_id, secret)).status_code == 401


async def test_publisher_and_platform_scopes_never_cross(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    admin = await national_admin(conn, settings)
    publisher = await client.post("/api/v1/publishers", json={"name": "Éditions"}, headers=admin)
    publisher_id = publisher.json()["id"]
    created = await client.post(
        f"/api/v1/publishers/{publisher_id}/clients",
        json={"name": "Connecteur", "scopes": ["publisher:resources"]},
        headers=admin,
    )
    pub_id, pub_secret = created.json()["client_id"], created.json()["client_secret"]
    # A publisher's client never gets a platform scope: asked for, refused...
    asked = await client_token(client, pub_id, pub_secret, scope="scim:write")
    assert asked.status_code == 400
    assert asked.json()["error"] == "invalid_scope"
    # ... and not even when its row says so (written behind the API's back).
    await conn.execute(
        "UPDATE api_clients SET scopes = '{publisher:resources,scim:write,mediacentre:read}' "
        "WHERE client_id = $1",
        pub_id,
    )
    assert (await client_token(client, pub_id, pub_secret, scope="scim:write")).status_code == 400
    granted = await client_token(client, pub_id, pub_secret)
    assert granted.json()["scope"] == "publisher:resources"
    pub_headers = {"Authorization": f"Bearer {granted.json()['access_token']}"}
    assert (
        await client.get("/api/v1/platform/mediacentre/x", headers=pub_headers)
    ).status_code == 403
    assert (await client.get("/scim/v2/Users", headers=pub_headers)).status_code == 403

    # A platform's token reaches no publisher route.
    ent, _ = await platform_headers(client, admin, "mediacentre:read", "scim:write")
    for method, path in (
        ("GET", "/api/v1/publisher/resources"),
        ("GET", f"/api/v1/publishers/{publisher_id}/clients"),
        ("GET", "/api/v1/publisher/harvest-sources"),
        ("GET", "/api/v1/publisher/sales"),
        ("GET", "/api/v1/me/account"),
        ("GET", "/api/v1/me/mediacentre"),
    ):
        answer = await client.request(method, path, headers=ent)
        assert answer.status_code == 403, (path, answer.status_code)


async def test_an_ent_lists_a_teacher_s_resources_by_their_pseudonym_for_it(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    world, headers = await open_budgets(conn, client, settings)
    await client.post(
        "/api/v1/allocations",
        json={"to_kind": "teacher", "to": str(world.people["camille"]), "amount_cents": 5_000},
        headers=headers["head"],
    )
    bought = await client.post(
        "/api/v1/acquisitions",
        json={"offer_id": str(world.offers["teacher"])},
        headers={**headers["camille"], "Idempotency-Key": "ent-licence"},
    )
    assert bought.status_code == 201, bought.text
    admin = headers["national"]
    ent, platform_id = await platform_headers(client, admin, "mediacentre:read")
    key = derive_key(resolve_secret_key(settings), "pseudonym")
    camille = platform_pseudonym(key, world.people["camille"], platform_id)

    listed = await client.get(f"/api/v1/platform/mediacentre/{camille}", headers=ent)
    assert listed.status_code == 200, listed.text
    assert mismatches(listed.json(), SHAPE) == []
    mine = await client.get("/api/v1/me/mediacentre", headers=headers["camille"])
    assert listed.json() == mine.json()
    (item,) = listed.json()["listeRessources"]["ressource"]
    assert item["nomRessource"] == "Manuel de mathématiques 6e"

    # Another ENT's pseudonym for the same teacher, a forged one, a non-teacher: not found.
    other, other_platform = await platform_headers(client, admin, "mediacentre:read")
    assert other_platform != platform_id
    assert (
        await client.get(f"/api/v1/platform/mediacentre/{camille}", headers=other)
    ).status_code == 404
    head = platform_pseudonym(key, world.people["head"], platform_id)
    for pseudonym in (head, "A" * 64, "x", camille[:-2] + "AA"):
        answer = await client.get(f"/api/v1/platform/mediacentre/{pseudonym}", headers=ent)
        assert answer.status_code == 404, pseudonym
        assert answer.headers["content-type"].startswith("application/problem+json")

    # Who may not ask: anonymous, a person, a platform client without the scope, an expired
    # or forged token.
    url = f"/api/v1/platform/mediacentre/{camille}"
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=headers["camille"])).status_code == 403
    assert (await client.get(url, headers=headers["national"])).status_code == 403
    scim_only, _ = await platform_headers(client, admin, "scim:write")
    assert (await client.get(url, headers=scim_only)).status_code == 403
    client_id = await conn.fetchval(
        "SELECT client_id FROM api_clients WHERE platform_id = $1", platform_id
    )
    expired = await issue_access_token(
        conn,
        settings,
        subject=client_id,
        scope="mediacentre:read",
        lifetime_s=-600,  # signed by the platform's own key, expired ten minutes ago
        extra={"client_id": client_id, "platform_id": str(platform_id)},
    )
    for token in (expired, _forged(settings, platform_id)):
        answer = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401


def _claims(settings: Settings, platform_id: uuid.UUID, **changes: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "iss": settings.issuer,
        "aud": API_AUDIENCE,
        "sub": "plt_forged",
        "client_id": "plt_forged",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "scope": "mediacentre:read",
        "platform_id": str(platform_id),
        **changes,
    }


def _forged(settings: Settings, platform_id: uuid.UUID) -> str:
    """A well-formed token signed by a key that is not the platform's."""
    key = RSAKey.generate_key(2048, parameters={"kid": "forged"})
    header = {"alg": "RS256", "kid": "forged", "typ": "at+jwt"}
    return jwt.encode(header, _claims(settings, platform_id), key)
