"""The journey of a provisioned teacher: provisioned by SCIM -> allocated a budget (one by one
and by CSV) before ever signing in -> first OIDC sign-in, linked to the provisioned record
(never a second person) -> buys: the envelope and the licences waited for them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import ClaimMapping, Settings
from tests.integration.conftest import bearer, open_client
from tests.integration.ledger_world import OTHER_UAI, UAI, build_world
from tests.integration.platform import client_token, platform_client, platform_headers
from tests.integration.test_scim import ENTERPRISE, user
from tests.integration.test_signin import sign_in
from tests.support.oidc_provider import FakeProvider


async def test_provisioned_allocated_first_sign_in_then_buys(
    oidc_client: httpx.AsyncClient,
    provider: FakeProvider,
    conn: asyncpg.Connection,
    oidc_settings: Settings,
) -> None:
    client = oidc_client
    world = await build_world(conn)
    headers = {n: await bearer(conn, oidc_settings, p) for n, p in world.people.items()}
    scim, platform_id = await platform_headers(client, headers["national"], "scim:write")
    alice = await client.post("/scim/v2/Users", json=user("alice", UAI), headers=scim)
    bruno = await client.post("/scim/v2/Users", json=user("bruno", UAI), headers=scim)
    assert alice.status_code == bruno.status_code == 201, alice.text
    alice_scim = alice.json()["id"]  # her pseudonym for this platform
    alice_id = str(await conn.fetchval("SELECT id FROM people WHERE user_name = 'alice'"))
    people = await conn.fetchval("SELECT count(*) FROM people")

    # Budgets before anyone signed in: one by one (by id) and by CSV (by e-mail).
    for who, body in (
        ("national", {}),
        ("national", {"to_kind": "academie", "to": "paris", "amount_cents": 1_000_000}),
        ("paris_admin", {"to_kind": "establishment", "to": UAI, "amount_cents": 100_000}),
        ("head", {"to_kind": "teacher", "to": alice_id, "amount_cents": 3_000}),
    ):
        path = "/api/v1/periods" if not body else "/api/v1/allocations"
        answer = await client.post(path, json=body, headers=headers[who])
        assert answer.status_code == 201, answer.text
    csv = f"UAI;enseignant;montant\n{UAI};bruno@ac-paris.fr;20\n{UAI};ALICE@ac-paris.fr;5\n"
    allocated = await client.post(
        "/api/v1/allocations/csv",
        content=csv.encode(),
        headers={**headers["head"], "Content-Type": "text/csv"},
    )
    assert allocated.status_code == 200, allocated.text
    assert allocated.json()["applied"] is True
    # An establishment licence bought meanwhile by a colleague: it waits for them too.
    await client.post(
        "/api/v1/allocations",
        json={"to_kind": "teacher", "to": str(world.people["camille"]), "amount_cents": 30_000},
        headers=headers["head"],
    )
    school = await client.post(
        "/api/v1/acquisitions",
        json={"offer_id": str(world.offers["school"])},
        headers={**headers["camille"], "Idempotency-Key": "licence-de-l-etablissement"},
    )
    assert school.status_code == 201, school.text

    # First sign-in through the identity provider: the provisioned person, not a new one.
    provider.person = {
        "sub": "idp-alice",
        "name": "Alice",
        "email": "alice@ac-paris.fr",
        "email_verified": True,
        "roles": ["teacher"],
        "academie": "paris",
    }
    await sign_in(client, provider, "/enseignant/compte")
    me = (await client.get("/api/v1/me")).json()
    assert me["id"] == alice_id
    assert me["establishment_uai"] == UAI  # the directory's, the claims named none
    assert await conn.fetchval("SELECT count(*) FROM people") == people
    assert await conn.fetchval(
        "SELECT (issuer, subject) = ('https://idp.test', 'idp-alice') FROM people "
        "WHERE id = $1::uuid",
        alice_id,
    )
    account = (await client.get("/api/v1/me/account")).json()
    assert account["balance_cents"] == 3_500
    listed = (await client.get("/api/v1/me/mediacentre")).json()
    assert [r["nomRessource"] for r in listed["listeRessources"]["ressource"]] == [
        "Manuel de mathématiques 6e"
    ]

    # They buy with the provider's own access token, as the same person.
    token = provider.access_token(sub="idp-alice", email="alice@ac-paris.fr", uai=None)
    bought = await client.post(
        "/api/v1/acquisitions",
        json={"offer_id": str(world.offers["teacher"])},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "premier-achat"},
    )
    assert bought.status_code == 201, bought.text
    account = (await client.get("/api/v1/me/account")).json()
    assert account["balance_cents"] == 3_500 - 1_200
    assert await conn.fetchval("SELECT count(*) FROM people") == people
    # The SCIM view still shows them, active, where the directory put them.
    read = await client.get(f"/scim/v2/Users/{alice_scim}", headers=scim)
    assert read.json()[ENTERPRISE] == {"organization": UAI}
    # The ENT's médiacentre client (the same platform) asks for her by that same id.
    ent_id, ent_secret, same = await platform_client(
        client, headers["national"], "mediacentre:read", platform_id=platform_id
    )
    assert same == platform_id
    ent_token = (await client_token(client, ent_id, ent_secret)).json()["access_token"]
    listed = await client.get(
        f"/api/v1/platform/mediacentre/{alice_scim}",
        headers={"Authorization": f"Bearer {ent_token}"},
    )
    assert listed.status_code == 200, listed.text
    assert listed.json() == (await client.get("/api/v1/me/mediacentre")).json()


@pytest.fixture
async def match_by_sub(
    oidc_settings: Settings, provider: FakeProvider
) -> AsyncIterator[httpx.AsyncClient]:
    """The app linking provisioned people by the provider's `sub` against their externalId
    (CATALOGUE_SCIM_MATCH_CLAIM=sub)."""
    settings = msgspec.structs.replace(oidc_settings, claims=ClaimMapping(match_claim="sub"))
    app = create_asgi_app(settings, http_transport=provider.transport, key_refresh_s=0)
    async for c in open_client(app):
        yield c


async def test_the_matching_claim_is_configured_and_never_makes_a_second_person(
    match_by_sub: httpx.AsyncClient,
    provider: FakeProvider,
    conn: asyncpg.Connection,
    oidc_settings: Settings,
) -> None:
    client = match_by_sub
    world = await build_world(conn)
    admin = await bearer(conn, oidc_settings, world.people["national"])
    scim, _ = await platform_headers(client, admin, "scim:write")
    body = user("bruno", UAI, externalId="agent-bruno")
    bruno = (await client.post("/scim/v2/Users", json=body, headers=scim)).json()
    bruno_id = str(await conn.fetchval("SELECT id FROM people WHERE user_name = 'bruno'"))
    people = await conn.fetchval("SELECT count(*) FROM people")
    # Another e-mail at the provider: the externalId finds them all the same.
    token = provider.access_token(sub="agent-bruno", email="b.other@example.org")
    for _ in range(2):
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["id"] == bruno_id
    assert await conn.fetchval("SELECT count(*) FROM people") == people
    # Deactivated through SCIM: the sign-in is refused, no new person appears.
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    assert (
        await client.patch(f"/scim/v2/Users/{bruno['id']}", json=patch, headers=scim)
    ).status_code == 204
    refused = await client.get(
        "/api/v1/me",
        headers={"Authorization": f"Bearer {provider.access_token(sub='agent-bruno', name='x')}"},
    )
    assert refused.status_code == 401
    assert await conn.fetchval("SELECT count(*) FROM people") == people


async def test_a_scim_move_and_deactivation_move_the_money_in_the_ledger(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    """SCIM moves a funded teacher to another establishment, then deactivates them: the
    unspent envelope goes back to the first establishment by a transfer with its reason, the
    move and the departure are recorded, and no balance is left anywhere but in the ledger."""
    world = await build_world(conn)
    headers = {n: await bearer(conn, settings, p) for n, p in world.people.items()}
    scim, _ = await platform_headers(client, headers["national"], "scim:write")
    created = await client.post("/scim/v2/Users", json=user("eve", UAI), headers=scim)
    assert created.status_code == 201, created.text
    eve = await conn.fetchval("SELECT id FROM people WHERE user_name = 'eve'")
    for who, body in (
        ("national", {}),
        ("national", {"to_kind": "academie", "to": "paris", "amount_cents": 1_000_000}),
        ("paris_admin", {"to_kind": "establishment", "to": UAI, "amount_cents": 100_000}),
        ("head", {"to_kind": "teacher", "to": str(eve), "amount_cents": 4_000}),
    ):
        path = "/api/v1/periods" if not body else "/api/v1/allocations"
        answer = await client.post(path, json=body, headers=headers[who])
        assert answer.status_code == 201, answer.text
    school = "SELECT balance_cents FROM accounts WHERE kind = 'establishment' AND owner = $1"
    assert await conn.fetchval(school, UAI) == 96_000

    scim_id = created.json()["id"]
    moved = await client.put(f"/scim/v2/Users/{scim_id}", json=user("eve", OTHER_UAI), headers=scim)
    assert moved.status_code == 200, moved.text
    assert await conn.fetchval(school, UAI) == 100_000  # the envelope came back
    assert (
        await conn.fetchval(
            "SELECT reason FROM transfers WHERE kind = 'mobility' ORDER BY id DESC LIMIT 1"
        )
        == "mobilité (annuaire)"
    )
    assert (
        await conn.fetchval("SELECT establishment_uai FROM people WHERE id = $1", eve) == OTHER_UAI
    )

    gone = await client.put(
        f"/scim/v2/Users/{scim_id}", json=user("eve", OTHER_UAI, active=False), headers=scim
    )
    assert gone.status_code == 200, gone.text
    kinds = await conn.fetch(
        "SELECT kind, from_uai, to_uai FROM person_movements WHERE person_id = $1 ORDER BY id", eve
    )
    assert [tuple(row) for row in kinds] == [
        ("move", UAI, OTHER_UAI),
        ("departure", OTHER_UAI, None),
    ]
    assert await conn.fetchval("SELECT deactivated_at IS NOT NULL FROM people WHERE id = $1", eve)
    assert await conn.fetchval("SELECT sum(balance_cents) FROM accounts") == 0
