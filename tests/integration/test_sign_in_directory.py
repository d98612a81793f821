"""A sign-in meets the directory: a person the identity provider now places in another
establishment moves through the ledger (as a SCIM move does), and a first sign-in that two
provisioned people match is refused (never a second person, never a guess)."""

from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg
import httpx

from catalogue.config import Settings
from tests.integration.conftest import bearer
from tests.integration.ledger_world import OTHER_UAI, UAI, build_world
from tests.logs import capture_logs
from tests.support.oidc_provider import FakeProvider

ISSUER = "https://idp.test"
LEDGER_HOLDS = """
SELECT (SELECT coalesce(sum(balance_cents), 0) FROM accounts) = 0
   AND NOT EXISTS (SELECT 1 FROM accounts WHERE kind <> 'funding' AND balance_cents < 0)
   AND NOT EXISTS (
       SELECT 1 FROM accounts a
       WHERE a.balance_cents
             <> coalesce((SELECT sum(amount_cents) FROM transfers WHERE to_account = a.id), 0)
              - coalesce((SELECT sum(amount_cents) FROM transfers WHERE from_account = a.id), 0))
"""
SCHOOL = "SELECT balance_cents FROM accounts WHERE kind = 'establishment' AND owner = $1"


async def _allocated_teacher(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> asyncpg.Record:
    """A teacher known from an earlier sign-in (not provisioned) at UAI, given 40 euros."""
    world = await build_world(conn)
    headers = {n: await bearer(conn, settings, p) for n, p in world.people.items()}
    teacher = await conn.fetchrow(
        "INSERT INTO people (issuer, subject, display_name, roles, establishment_uai, academie) "
        "VALUES ($1, 'idp-noe', 'Noé', '{teacher}', $2, 'paris') RETURNING id",
        ISSUER,
        UAI,
    )
    assert teacher is not None
    for who, body in (
        ("national", {}),
        ("national", {"to_kind": "academie", "to": "paris", "amount_cents": 1_000_000}),
        ("paris_admin", {"to_kind": "establishment", "to": UAI, "amount_cents": 100_000}),
        ("head", {"to_kind": "teacher", "to": str(teacher["id"]), "amount_cents": 4_000}),
    ):
        path = "/api/v1/periods" if not body else "/api/v1/allocations"
        answer = await client.post(path, json=body, headers=headers[who])
        assert answer.status_code == 201, answer.text
    assert await conn.fetchval(SCHOOL, UAI) == 96_000
    return teacher


async def _browser_sign_in(client: httpx.AsyncClient, provider: FakeProvider) -> httpx.Response:
    start = await client.get("/auth/login", params={"next": "/compte"})
    assert start.status_code == 302
    back = urlsplit(provider.authorize(start.headers["location"]))
    return await client.get(
        f"{back.path}?{back.query}",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )


async def test_a_sign_in_from_another_establishment_moves_the_envelope_in_the_ledger(
    oidc_client: httpx.AsyncClient,
    provider: FakeProvider,
    conn: asyncpg.Connection,
    oidc_settings: Settings,
) -> None:
    teacher = await _allocated_teacher(oidc_client, conn, oidc_settings)
    provider.person = {
        "sub": "idp-noe",
        "name": "Noé",
        "roles": ["teacher"],
        "uai": OTHER_UAI,
        "academie": "paris",
    }
    with capture_logs() as logs:
        done = await _browser_sign_in(oidc_client, provider)
    assert done.status_code == 302, done.text
    me = (await oidc_client.get("/api/v1/me")).json()
    assert (me["id"], me["establishment_uai"]) == (str(teacher["id"]), OTHER_UAI)
    # The envelope went back to the former school by a transfer with its reason...
    assert await conn.fetchval(SCHOOL, UAI) == 100_000
    transfer = await conn.fetchrow(
        "SELECT amount_cents, reason FROM transfers WHERE kind = 'mobility' ORDER BY id DESC"
    )
    assert transfer is not None
    assert (transfer["amount_cents"], transfer["reason"]) == (4_000, "mobilité (connexion)")
    # ... the move is recorded with its reason, and the ledger holds.
    moves = await conn.fetch(
        "SELECT kind, from_uai, to_uai, envelope, reason FROM person_movements "
        "WHERE person_id = $1",
        teacher["id"],
    )
    assert [tuple(m) for m in moves] == [
        ("move", UAI, OTHER_UAI, "returned", "mobilité (connexion)")
    ]
    assert await conn.fetchval(LEDGER_HOLDS)
    assert (
        await conn.fetchval("SELECT academie FROM people WHERE id = $1", teacher["id"]) == "paris"
    )
    # Ids only in the logs: never the UAI of a person.
    assert not [line for line in logs if OTHER_UAI in str(line) or "Noé" in str(line)]

    # Signing in again from the same place moves nothing more.
    again = await _browser_sign_in(oidc_client, provider)
    assert again.status_code == 302, again.text
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM person_movements WHERE person_id = $1", teacher["id"]
        )
        == 1
    )


async def test_a_bearer_token_from_another_establishment_moves_through_the_ledger_too(
    oidc_client: httpx.AsyncClient,
    provider: FakeProvider,
    conn: asyncpg.Connection,
    oidc_settings: Settings,
) -> None:
    teacher = await _allocated_teacher(oidc_client, conn, oidc_settings)
    token = provider.access_token(sub="idp-noe", uai=OTHER_UAI, academie="paris")
    me = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    assert me.json()["establishment_uai"] == OTHER_UAI
    assert await conn.fetchval(SCHOOL, UAI) == 100_000
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM person_movements WHERE person_id = $1 AND reason = $2",
            teacher["id"],
            "mobilité (connexion)",
        )
        == 1
    )
    assert await conn.fetchval(LEDGER_HOLDS)


async def test_a_sign_in_without_an_establishment_claim_moves_nobody(
    oidc_client: httpx.AsyncClient,
    provider: FakeProvider,
    conn: asyncpg.Connection,
    oidc_settings: Settings,
) -> None:
    """A claim the identity provider leaves out is not a move: the teacher stays in their
    establishment with their envelope (clearing it would leave the envelope without a
    school, outside the ledger's movements)."""
    teacher = await _allocated_teacher(oidc_client, conn, oidc_settings)
    provider.person = {"sub": "idp-noe", "name": "Noé", "roles": ["teacher"]}
    done = await _browser_sign_in(oidc_client, provider)
    assert done.status_code == 302, done.text
    me = (await oidc_client.get("/api/v1/me")).json()
    assert (me["id"], me["establishment_uai"]) == (str(teacher["id"]), UAI)
    stored = await conn.fetchrow(
        "SELECT establishment_uai, academie FROM people WHERE id = $1", teacher["id"]
    )
    assert stored is not None
    assert tuple(stored) == (UAI, "paris")
    assert await conn.fetchval(SCHOOL, UAI) == 96_000
    assert await conn.fetchval("SELECT count(*) FROM person_movements") == 0
    assert await conn.fetchval(LEDGER_HOLDS)


async def test_a_sign_in_to_a_closed_establishment_is_refused_and_changes_nothing(
    oidc_client: httpx.AsyncClient,
    provider: FakeProvider,
    conn: asyncpg.Connection,
    oidc_settings: Settings,
) -> None:
    teacher = await _allocated_teacher(oidc_client, conn, oidc_settings)
    await conn.execute("UPDATE establishments SET state = 'closed' WHERE uai = $1", OTHER_UAI)
    token = provider.access_token(sub="idp-noe", uai=OTHER_UAI, academie="paris")
    refused = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 422, refused.text
    assert OTHER_UAI in refused.json()["detail"]
    stored = await conn.fetchrow(
        "SELECT establishment_uai FROM people WHERE id = $1", teacher["id"]
    )
    assert stored is not None
    assert stored["establishment_uai"] == UAI
    assert await conn.fetchval(SCHOOL, UAI) == 96_000
    assert await conn.fetchval("SELECT count(*) FROM person_movements") == 0


async def test_a_first_sign_in_matching_two_provisioned_people_is_refused(
    oidc_client: httpx.AsyncClient,
    provider: FakeProvider,
    conn: asyncpg.Connection,
) -> None:
    await build_world(conn)
    twins = [
        await conn.fetchval(
            "INSERT INTO people (user_name, email, display_name, roles, establishment_uai, "
            "academie) VALUES ($1, 'sam@ac-paris.fr', 'Sam', '{teacher}', $2, 'paris') "
            "RETURNING id",
            user_name,
            UAI,
        )
        for user_name in ("sam.a", "sam.b")
    ]
    people = await conn.fetchval("SELECT count(*) FROM people")
    provider.person = {
        "sub": "idp-sam",
        "name": "Sam",
        "email": "sam@ac-paris.fr",
        "email_verified": True,
        "roles": ["teacher"],
        "academie": "paris",
    }
    with capture_logs() as logs:
        page = await _browser_sign_in(oidc_client, provider)
    assert page.status_code == 401
    assert page.headers["content-type"].startswith("text/html")
    assert "Connexion refusée" in page.text
    assert "plusieurs personnes" in page.text
    # Neither is linked, and nobody new appears.
    assert await conn.fetchval("SELECT count(*) FROM people") == people
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM people WHERE issuer IS NOT NULL AND id = ANY($1::uuid[])", twins
        )
        == 0
    )
    assert (await oidc_client.get("/api/v1/me")).status_code == 401
    # The log names the two people by id, never by e-mail.
    ambiguous = [line for line in logs if line["event"] == "first sign-in matches several people"]
    assert len(ambiguous) == 1
    assert sorted(ambiguous[0]["person_ids"]) == sorted(str(t) for t in twins)
    assert not [line for line in logs if "sam@ac-paris.fr" in str(line)]

    # The API (a bearer token of the provider) gets a problem in French, and no person.
    token = provider.access_token(sub="idp-sam", email="sam@ac-paris.fr")
    problem = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert problem.status_code == 401
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert "plusieurs personnes" in problem.json()["detail"]
    assert await conn.fetchval("SELECT count(*) FROM people") == people
