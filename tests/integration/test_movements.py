"""Mobility and departures in the ledger, and UAIs refused wherever one is typed (issue 18).

A teacher who moves keeps their licences; their unspent envelope returns to the old
establishment by transfer (or follows them, by the académie's rule); requests waiting for
approval are cancelled first. A departure returns the envelope. Every movement is a transfer
with its reason; nothing changes when a move is refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from catalogue.config import Settings
from tests.integration.ledger_world import (
    LYON_UAI,
    OTHER_UAI,
    UAI,
    build_world,
    ledger_violations,
)
from tests.integration.test_accounts_api import Api
from tests.logs import capture_logs
from tests.support.oidc_provider import FakeProvider
from tests.support.waiting import wait_until_async


@pytest.fixture
async def api(client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings) -> Api:
    return Api(client, conn, settings, await build_world(conn))


def move_path(api: Api, who: str) -> str:
    return f"/api/v1/people/{api.world.people[who]}/move"


async def establishment_balance(conn: asyncpg.Connection, uai: str) -> int:
    found: int | None = await conn.fetchval(
        "SELECT balance_cents FROM accounts WHERE kind = 'establishment' AND owner = $1", uai
    )
    return found or 0


async def teacher_balance(api: Api, who: str) -> int:
    found: int | None = await api.conn.fetchval(
        "SELECT balance_cents FROM accounts WHERE kind = 'teacher' AND owner = $1",
        str(api.world.people[who]),
    )
    return found or 0


async def snapshot(conn: asyncpg.Connection) -> tuple[Any, ...]:
    """Everything a refused movement must leave as it was."""
    return (
        await conn.fetchval("SELECT count(*) FROM transfers"),
        await conn.fetch("SELECT id, establishment_uai, deactivated_at FROM people ORDER BY id"),
        await conn.fetch("SELECT id, status FROM acquisitions ORDER BY id"),
        await conn.fetch("SELECT id, balance_cents, establishment_uai FROM accounts ORDER BY id"),
        await conn.fetchval("SELECT count(*) FROM person_movements"),
    )


async def pending_purchase(api: Api) -> str:
    """Camille, funded with 10,000 cents, buys a 1,200 licence and asks for a 4,500 one."""
    await api.funded(cents=10_000)
    assert (await api.buy("camille", "teacher")).status_code == 201
    rules = {"approval_threshold_cents": 4_000}
    assert (await api.put("head", f"/api/v1/establishments/{UAI}/rules", rules)).status_code == 200
    pending = await api.buy("camille", "class")
    assert pending.status_code == 202, pending.text
    acquisition_id: str = pending.json()["id"]
    return acquisition_id


async def test_a_teacher_who_moves_keeps_licences_and_the_envelope_returns(api: Api) -> None:
    pending = await pending_purchase(api)
    before = await establishment_balance(api.conn, UAI)

    moved = await api.post(
        "paris_admin", move_path(api, "camille"), {"to_uai": OTHER_UAI, "reason": "mutation"}
    )

    assert moved.status_code == 200, moved.text
    result = moved.json()
    assert result["cancelled"] == [pending]
    assert result["movement"]["kind"] == "move"
    assert (result["movement"]["from_uai"], result["movement"]["to_uai"]) == (UAI, OTHER_UAI)
    assert result["movement"]["envelope"] == "returned"
    assert len(result["transfers"]) == 1
    # 10,000 allocated, 1,200 spent; the 4,500 held came back before the envelope returned.
    assert await establishment_balance(api.conn, UAI) == before + 8_800
    assert await teacher_balance(api, "camille") == 0
    account = (await api.get("camille", "/api/v1/me/account")).json()
    assert [lic["resource_title"] for lic in account["licences"]] == ["Manuel de mathématiques 6e"]
    assert [(m["kind"], m["amount_cents"], m["reason"]) for m in account["history"][:2]] == [
        ("mobility", -8_800, "mutation"),
        ("cancellation", 4_500, "mutation"),
    ]
    statuses = {a["id"]: a["status"] for a in account["acquisitions"]}
    assert statuses[pending] == "cancelled"
    person = api.world.people["camille"]
    assert (
        await api.conn.fetchval("SELECT establishment_uai FROM people WHERE id = $1", person)
        == OTHER_UAI
    )
    assert (
        await api.conn.fetchval(
            "SELECT establishment_uai FROM accounts WHERE kind = 'teacher' AND owner = $1",
            str(person),
        )
        == OTHER_UAI
    )
    assert (
        await api.conn.fetchval(
            "SELECT count(*) FROM transfers WHERE kind = 'mobility' AND reason = 'mutation'"
        )
        == 1
    )
    assert await ledger_violations(api.conn) == []
    arrivals = await api.get("paris_admin", f"/api/v1/establishments/{OTHER_UAI}/movements")
    assert [m["reason"] for m in arrivals.json()] == ["mutation"]
    # The new establishment funds them from now on, and sees them among its teachers.
    assert (await api.allocate("paris_admin", "establishment", OTHER_UAI, 5_000)).status_code == 201
    assert (await api.allocate("other_head", "teacher", str(person), 2_000)).status_code == 201
    envelope = (await api.get("other_head", f"/api/v1/establishments/{OTHER_UAI}/account")).json()
    assert [c["owner"] for c in envelope["children"]] == [str(person)]


async def test_the_academie_rule_lets_the_envelope_follow_within_it(api: Api) -> None:
    await api.funded(cents=10_000)
    rule = {"envelope_on_move": "follow"}
    answer = await api.put("paris_admin", "/api/v1/academies/paris/rules", rule)
    assert answer.status_code == 200, answer.text
    on_school = await api.put("head", f"/api/v1/establishments/{UAI}/rules", rule)
    assert on_school.status_code == 422  # an académie's rule only
    schools = (await establishment_balance(api.conn, UAI), 0)

    moved = await api.post(
        "paris_admin", move_path(api, "camille"), {"to_uai": OTHER_UAI, "reason": "mutation"}
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["movement"]["envelope"] == "followed"
    assert len(moved.json()["transfers"]) == 3  # back, over, down: each school's statement
    assert await teacher_balance(api, "camille") == 10_000
    assert (
        await establishment_balance(api.conn, UAI),
        await establishment_balance(api.conn, OTHER_UAI),
    ) == schools
    # Across académies the envelope returns, whatever the rule.
    across = await api.post(
        "national", move_path(api, "camille"), {"to_uai": LYON_UAI, "reason": "mutation"}
    )
    assert across.status_code == 200, across.text
    assert across.json()["movement"]["envelope"] == "returned"
    assert await establishment_balance(api.conn, OTHER_UAI) == 10_000
    assert await ledger_violations(api.conn) == []


async def test_a_move_to_an_unknown_or_invalid_uai_changes_nothing(api: Api) -> None:
    await pending_purchase(api)
    before = await snapshot(api.conn)
    path = move_path(api, "camille")

    wrong_letter = await api.post("paris_admin", path, {"to_uai": "0750654E", "reason": "x"})
    unknown = await api.post("paris_admin", path, {"to_uai": "0750654D", "reason": "x"})
    no_reason = await api.post("paris_admin", path, {"to_uai": OTHER_UAI, "reason": "  "})
    too_long = await api.post("paris_admin", path, {"to_uai": OTHER_UAI, "reason": "x" * 501})
    same = await api.post("paris_admin", path, {"to_uai": UAI, "reason": "x"})

    assert wrong_letter.status_code == 422
    assert "la lettre de contrôle de 0750654 est D" in wrong_letter.json()["detail"]
    assert unknown.status_code == 422
    assert "Établissement inconnu : 0750654D" in unknown.json()["detail"]
    assert (no_reason.status_code, too_long.status_code, same.status_code) == (422, 422, 422)
    assert await snapshot(api.conn) == before


async def test_only_an_administrator_of_both_ends_moves_someone(
    api: Api, client: httpx.AsyncClient
) -> None:
    await api.funded()
    body = {"to_uai": OTHER_UAI, "reason": "mutation"}
    path = move_path(api, "camille")
    before = await snapshot(api.conn)

    anonymous = await client.post(path, json=body)
    teacher = await api.post("dominique", path, body)
    head = await api.post("head", path, body)  # administers the old school only
    elsewhere = await api.post("lyon_admin", path, body)
    forged = await client.post(path, json=body, headers={"Authorization": "Bearer not.a.token"})
    departure = f"/api/v1/people/{api.world.people['camille']}/deactivation"
    anonymous_departure = await client.post(departure, json={})
    csv_anonymous = await client.post("/api/v1/moves/csv", content=b"x")
    listing = await client.get(f"/api/v1/establishments/{UAI}/movements")
    malformed = await api.post("paris_admin", path, {"to_uai": OTHER_UAI})
    unknown_field = await api.post("paris_admin", path, {**body, "amount_cents": 1})

    assert anonymous.status_code == 401
    assert teacher.status_code == 403
    assert head.status_code == 403
    assert elsewhere.status_code == 403
    assert forged.status_code == 401
    assert anonymous_departure.status_code == 401
    assert csv_anonymous.status_code == 401
    assert listing.status_code == 401
    assert malformed.status_code in (400, 422)
    assert unknown_field.status_code in (400, 422)
    other_school = await api.get("other_head", f"/api/v1/establishments/{UAI}/movements")
    assert other_school.status_code == 403
    assert await snapshot(api.conn) == before


async def test_a_departure_returns_the_envelope_and_ends_allocations(api: Api) -> None:
    pending = await pending_purchase(api)
    camille = str(api.world.people["camille"])
    before = await establishment_balance(api.conn, UAI)

    gone = await api.post("head", f"/api/v1/people/{camille}/deactivation", {"reason": "retraite"})

    assert gone.status_code == 200, gone.text
    assert gone.json()["cancelled"] == [pending]
    assert gone.json()["movement"]["kind"] == "departure"
    assert gone.json()["movement"]["envelope"] == "returned"
    assert await establishment_balance(api.conn, UAI) == before + 8_800
    assert (
        await api.conn.fetchval(
            "SELECT count(*) FROM transfers WHERE kind = 'departure' AND reason = 'retraite'"
        )
        == 1
    )
    refused = await api.allocate("head", "teacher", camille, 1_000)
    assert refused.status_code == 422
    assert refused.json()["type"] == "/problems/inactive"
    assert camille in refused.json()["detail"]
    by_file = await api.client.post(
        "/api/v1/allocations/csv",
        content=f"UAI;enseignant;montant\n{UAI};{camille};10\n".encode(),
        headers=await api.headers("head"),
    )
    assert by_file.status_code == 422
    assert "a quitté le service" in str(by_file.json()["errors"])
    again = await api.post("head", f"/api/v1/people/{camille}/deactivation", {})
    assert again.status_code == 409
    # Their credentials no longer open anything: at the notice of their ended sessions,
    # within the cache's few seconds at worst.

    async def signed_out() -> bool:
        return (await api.get("camille", "/api/v1/me/account")).status_code == 401

    await wait_until_async(signed_out, "a deactivated person's token refused", timeout_s=10)
    assert await ledger_violations(api.conn) == []


async def test_allocations_to_a_closed_establishment_are_refused_naming_it(api: Api) -> None:
    await api.funded()
    await api.conn.execute("UPDATE establishments SET state = 'closed' WHERE uai = $1", OTHER_UAI)
    lou = str(api.world.people["lou"])

    school = await api.allocate("paris_admin", "establishment", OTHER_UAI, 1_000)
    teacher = await api.allocate("paris_admin", "teacher", lou, 1_000)
    move = await api.post(
        "paris_admin", move_path(api, "camille"), {"to_uai": OTHER_UAI, "reason": "mutation"}
    )

    for answer in (school, teacher, move):
        assert answer.status_code == 422, answer.text
        assert answer.json()["type"] == "/problems/inactive"
        assert OTHER_UAI in answer.json()["detail"]


async def test_a_uai_with_a_wrong_check_letter_is_refused_naming_the_letter(api: Api) -> None:
    await api.funded()

    allocation = await api.allocate("paris_admin", "establishment", "0755555K", 1_000)
    rules = await api.put("paris_admin", "/api/v1/establishments/0755555K/rules", {})
    account = await api.get("paris_admin", "/api/v1/establishments/0755555K/account")
    by_file = await api.client.post(
        "/api/v1/allocations/csv",
        content=f"0751234K;{api.world.people['camille']};10\n".encode(),
        headers=await api.headers("head"),
    )

    for answer in (allocation, rules, account):
        assert answer.status_code == 422, answer.text
        assert "la lettre de contrôle de 0755555 est F" in answer.json()["detail"]
    assert by_file.status_code == 422
    assert by_file.json()["errors"][0]["error"] == (
        "UAI invalide '0751234K' : la lettre de contrôle de 0751234 est J"
    )


async def test_moves_from_a_file_apply_all_or_nothing(api: Api) -> None:
    await api.funded()
    camille, dominique = (str(api.world.people[n]) for n in ("camille", "dominique"))
    headers = await api.headers("paris_admin")
    before = await snapshot(api.conn)

    bad = (
        "UAI;personne;nouvelle UAI;motif\n"
        f"{UAI};{camille};{OTHER_UAI};mutation\n"
        f"{UAI};dominique@ac-test.invalid;0000000A;mutation\n"
        f"{UAI};{dominique};0755555K;mutation\n"
        f"{UAI};personne@nulle.part;{OTHER_UAI};mutation\n"
        f"{UAI};{camille};{OTHER_UAI};=cmd()\n"
    )
    refused = await api.client.post("/api/v1/moves/csv", content=bad.encode(), headers=headers)

    assert refused.status_code == 422, refused.text
    errors = {e["line"]: e["error"] for e in refused.json()["errors"]}
    assert "lettre de contrôle de 0755555 est F" in errors[4]
    assert "aucune personne 'personne@nulle.part'" in errors[5]
    assert "formule" in errors[6]
    assert await snapshot(api.conn) == before
    # A line valid on its own but refused when applied (an unknown UAI) rolls back them all.
    unknown = f"{UAI};{camille};{OTHER_UAI};mutation\n{UAI};{dominique};0000000A;mutation\n"
    answer = await api.client.post("/api/v1/moves/csv", content=unknown.encode(), headers=headers)
    assert answer.status_code == 422
    assert "0000000A" in str(answer.json()["errors"])
    assert await snapshot(api.conn) == before

    good = (
        f"{UAI};{camille};{OTHER_UAI};mutation\n"
        f"{UAI};dominique@ac-test.invalid;{OTHER_UAI};mutation\n"
    )
    applied = await api.client.post("/api/v1/moves/csv", content=good.encode(), headers=headers)
    assert applied.status_code == 200, applied.text
    assert applied.json()["applied"] is True
    assert (
        await api.conn.fetchval(
            "SELECT count(*) FROM people WHERE establishment_uai = $1 AND 'teacher' = ANY (roles)",
            OTHER_UAI,
        )
        == 3
    )
    assert await ledger_violations(api.conn) == []


async def test_a_sign_in_whose_uai_has_a_wrong_check_letter_is_refused_and_stores_nothing(
    oidc_client: httpx.AsyncClient, provider: FakeProvider, conn: asyncpg.Connection
) -> None:
    provider.person = {**provider.person, "sub": "enseignant-9", "uai": "0754321K"}
    start = await oidc_client.get("/auth/login")
    back = urlsplit(provider.authorize(start.headers["location"]))
    with capture_logs() as logs:
        page = await oidc_client.get(f"{back.path}?{back.query}", headers={"Accept": "text/html"})

    assert page.status_code == 401
    assert "la lettre de contrôle de 0754321 est P" in page.text
    assert await conn.fetchval("SELECT count(*) FROM people WHERE subject = 'enseignant-9'") == 0
    assert any("check letter" in line["event"] for line in logs)
    token = provider.access_token(uai="0754321K", sub="agent-99")
    api_call = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api_call.status_code == 401
    assert await conn.fetchval("SELECT count(*) FROM people WHERE subject = 'agent-99'") == 0
