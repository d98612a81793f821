"""The compte ressource through HTTP: periods, allocations, acquisitions, decisions, reports."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from catalogue.config import Settings
from catalogue.demo import load_demo
from catalogue.identity.demo import demo_person_id
from catalogue.identity.secrets import derive_key, pseudonym
from tests.integration.conftest import bearer
from tests.integration.ledger_world import LYON_UAI, OUVRAGE, UAI, World, build_world, ledger_totals


class Api:
    """Calls as one of the world's people, with a real platform-signed token."""

    def __init__(
        self, client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings, world: World
    ) -> None:
        self.client, self.conn, self.settings, self.world = client, conn, settings, world

    async def headers(self, who: str, **extra: str) -> dict[str, str]:
        return {**await bearer(self.conn, self.settings, self.world.people[who]), **extra}

    async def get(self, who: str, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, headers=await self.headers(who), params=params)

    async def post(self, who: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        return await self.client.post(path, json=body, headers=await self.headers(who, **headers))

    async def put(self, who: str, path: str, body: Any) -> httpx.Response:
        return await self.client.put(path, json=body, headers=await self.headers(who))

    async def allocate(self, who: str, to_kind: str, to: str, cents: int) -> httpx.Response:
        return await self.post(
            who, "/api/v1/allocations", {"to_kind": to_kind, "to": to, "amount_cents": cents}
        )

    async def buy(
        self, who: str, offer: str, key: str | None = None, quantity: int = 1
    ) -> httpx.Response:
        body = {"offer_id": str(self.world.offers[offer]), "quantity": quantity}
        return await self.post(
            who, "/api/v1/acquisitions", body, **{"Idempotency-Key": key or uuid.uuid4().hex}
        )

    async def funded(self, teacher: str = "camille", cents: int = 10_000) -> None:
        """An open period, and money down to one teacher."""
        assert (await self.post("national", "/api/v1/periods", {})).status_code == 201
        assert (await self.allocate("national", "academie", "paris", 1_000_000)).status_code == 201
        assert (
            await self.allocate("paris_admin", "establishment", UAI, 100_000)
        ).status_code == 201
        teacher_id = str(self.world.people[teacher])
        assert (await self.allocate("head", "teacher", teacher_id, cents)).status_code == 201

    async def balance(self, teacher: str = "camille") -> int:
        response = await self.get(teacher, "/api/v1/me/account")
        assert response.status_code == 200, response.text
        balance: int = response.json()["balance_cents"]
        return balance


@pytest.fixture
async def api(client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings) -> Api:
    return Api(client, conn, settings, await build_world(conn))


async def test_money_flows_down_to_a_teacher_who_buys_a_licence(
    api: Api, settings: Settings
) -> None:
    await api.funded(cents=5_000)
    response = await api.buy("camille", "teacher", key="achat-1")
    assert response.status_code == 201, response.text
    bought = response.json()
    assert bought["status"] == "completed"
    assert bought["total_cents"] == 1200
    key = derive_key(settings.secret_key or "", "pseudonym")
    expected = pseudonym(key, api.world.people["camille"], api.world.publisher_id)  # type: ignore[arg-type]
    assert bought["licence"]["holder"] == expected
    assert bought["licence"]["holder_kind"] == "teacher"
    assert bought["licence"]["valid_until"] is not None  # the end of the school year

    account = (await api.get("camille", "/api/v1/me/account")).json()
    assert account["balance_cents"] == 3_800
    assert [m["amount_cents"] for m in account["history"]] == [-1200, 5000]
    assert [lic["resource_title"] for lic in account["licences"]] == ["Manuel de mathématiques 6e"]
    assert await ledger_totals(api.conn) == (0, 0)

    statement = await api.get("camille", "/api/v1/me/account.csv")
    assert statement.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(statement.text), delimiter=";"))
    assert rows[0][0] == "date"
    assert [row[1:3] for row in rows[1:]] == [["purchase", "-1200"], ["allocation", "5000"]]


async def test_an_idempotency_key_replays_refuses_and_waits(api: Api) -> None:
    await api.funded(cents=5_000)
    first = await api.buy("camille", "teacher", key="k-1")
    again = await api.buy("camille", "teacher", key="k-1")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert await api.balance() == 3_800  # charged once

    other_body = await api.buy("camille", "teacher", key="k-1", quantity=2)
    assert other_body.status_code == 422
    assert other_body.json()["type"] == "/problems/idempotency-key-reused"

    # Another request holds the key: the same advisory lock the service takes.
    person = api.world.people["camille"]
    holder = await asyncpg.connect(api.settings.database_url)
    try:
        await holder.execute(
            "SELECT pg_advisory_lock(hashtextextended($1::uuid::text || ':' || $2, 0))",
            person,
            "k-2",
        )
        in_flight = await api.buy("camille", "teacher", key="k-2")
        assert in_flight.status_code == 409
        assert in_flight.json()["type"] == "/problems/request-in-flight"
    finally:
        await holder.close()
    assert (await api.buy("camille", "teacher", key="k-2")).status_code == 201

    missing = await api.post(
        "camille", "/api/v1/acquisitions", {"offer_id": str(api.world.offers["teacher"])}
    )
    assert missing.status_code == 400


async def test_licences_follow_the_offer(api: Api) -> None:
    await api.funded(cents=100_000)
    seats = (await api.buy("camille", "class", quantity=2)).json()
    assert (seats["total_cents"], seats["licence"]["seats"]) == (9000, 60)
    school = (await api.buy("camille", "school")).json()
    assert (school["licence"]["holder_kind"], school["licence"]["holder"]) == ("establishment", UAI)
    assert school["licence"]["valid_until"] is None
    free = await api.buy("camille", "free")
    assert free.status_code == 201
    assert free.json()["licence"] is not None
    assert await api.balance() == 100_000 - 9000 - 25_000


@pytest.mark.parametrize(
    "amount",
    [0, -100, 1.5, 10**15, None],
    ids=["zero", "negative", "fractional-cent", "absurd", "missing"],
)
async def test_bad_amounts_are_refused(api: Api, amount: object) -> None:
    assert (await api.post("national", "/api/v1/periods", {})).status_code == 201
    response = await api.post(
        "national",
        "/api/v1/allocations",
        {"to_kind": "academie", "to": "paris", "amount_cents": amount},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert await api.conn.fetchval("SELECT count(*) FROM transfers") == 0


async def test_nobody_spends_what_they_do_not_have(api: Api) -> None:
    assert (await api.post("national", "/api/v1/periods", {})).status_code == 201
    assert (await api.allocate("national", "academie", "paris", 10_000)).status_code == 201
    above_parent = await api.allocate("paris_admin", "establishment", UAI, 10_001)
    assert above_parent.status_code == 422
    assert above_parent.json()["type"] == "/problems/insufficient-funds"
    assert (await api.allocate("paris_admin", "establishment", UAI, 10_000)).status_code == 201
    camille = str(api.world.people["camille"])
    assert (await api.allocate("head", "teacher", camille, 1_000)).status_code == 201
    too_dear = await api.buy("camille", "teacher")
    assert too_dear.status_code == 422
    assert too_dear.json()["type"] == "/problems/insufficient-funds"
    assert await api.balance() == 1_000
    assert await api.conn.fetchval("SELECT count(*) FROM acquisitions") == 0
    assert await ledger_totals(api.conn) == (0, 0)


async def test_withdrawn_excluded_and_too_dear_offers_are_refused(api: Api) -> None:
    await api.funded(cents=100_000)
    withdrawn = await api.buy("camille", "withdrawn")
    assert withdrawn.status_code == 422
    assert "plus proposée" in withdrawn.json()["detail"]

    rules = await api.put(
        "paris_admin", "/api/v1/academies/paris/rules", {"excluded_resource_types": [OUVRAGE]}
    )
    assert rules.status_code == 200, rules.text
    excluded = await api.buy("camille", "teacher")
    assert excluded.status_code == 422
    assert excluded.json()["type"] == "/problems/refused-by-rule"
    assert "ouvrage" in excluded.json()["detail"]

    assert (await api.put("paris_admin", "/api/v1/academies/paris/rules", {})).status_code == 200
    assert (
        await api.put(
            "head", f"/api/v1/establishments/{UAI}/rules", {"max_per_acquisition_cents": 20_000}
        )
    ).status_code == 200
    assert (await api.buy("camille", "school")).status_code == 422
    assert (await api.buy("camille", "teacher")).status_code == 201

    unknown = await api.put(
        "head", f"/api/v1/establishments/{UAI}/rules", {"excluded_resource_types": ["urn:x"]}
    )
    assert unknown.status_code == 422
    assert (await api.put("head", "/api/v1/establishments/0755555F/rules", {})).status_code == 403
    assert await api.balance() == 100_000 - 1200


async def test_approval_holds_funds_until_an_admin_decides(api: Api) -> None:
    await api.funded(cents=100_000)
    assert (
        await api.put(
            "head", f"/api/v1/establishments/{UAI}/rules", {"approval_threshold_cents": 5_000}
        )
    ).status_code == 200
    held = await api.buy("camille", "school")
    assert held.status_code == 202, held.text
    assert held.json()["status"] == "pending_approval"
    assert held.json()["licence"] is None
    assert await api.balance() == 75_000
    pending = (await api.get("head", "/api/v1/acquisitions", status="pending_approval")).json()
    assert [p["id"] for p in pending] == [held.json()["id"]]

    approved = await api.post("head", f"/api/v1/acquisitions/{held.json()['id']}/approval")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "completed"
    assert approved.json()["licence"]["holder"] == UAI
    again = await api.post("head", f"/api/v1/acquisitions/{held.json()['id']}/approval")
    assert again.status_code == 409

    second = (await api.buy("camille", "school")).json()
    assert (
        await api.post("other_head", f"/api/v1/acquisitions/{second['id']}/rejection")
    ).status_code == 403
    assert (await api.post("head", f"/api/v1/acquisitions/{second['id']}/rejection")).json()[
        "status"
    ] == "rejected"
    third = (await api.buy("camille", "school")).json()
    assert (
        await api.post("dominique", f"/api/v1/acquisitions/{third['id']}/cancellation")
    ).status_code == 404
    assert (await api.post("camille", f"/api/v1/acquisitions/{third['id']}/cancellation")).json()[
        "status"
    ] == "cancelled"
    assert await api.balance() == 75_000

    kinds = await api.conn.fetch(
        "SELECT kind FROM transfers WHERE acquisition_id IS NOT NULL ORDER BY id"
    )
    assert [k["kind"] for k in kinds] == [
        "hold",
        "capture",
        "hold",
        "release",
        "hold",
        "cancellation",
    ]
    assert await ledger_totals(api.conn) == (0, 0)


async def test_refunds_are_new_transfers_within_the_window(api: Api) -> None:
    await api.funded(cents=10_000)
    bought = (await api.buy("camille", "teacher")).json()
    refunded = await api.post("head", f"/api/v1/acquisitions/{bought['id']}/refund")
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["status"] == "refunded"
    assert refunded.json()["licence"]["revoked_at"] is not None
    assert await api.balance() == 10_000
    assert (
        await api.post("head", f"/api/v1/acquisitions/{bought['id']}/refund")
    ).status_code == 409

    late = (await api.buy("camille", "teacher")).json()
    await api.conn.execute(
        "UPDATE acquisitions SET completed_at = now() - interval '31 days' WHERE id = $1",
        uuid.UUID(late["id"]),
    )
    too_late = await api.post("head", f"/api/v1/acquisitions/{late['id']}/refund")
    assert too_late.status_code == 422
    assert "délai" in too_late.json()["detail"]
    assert (
        await api.post("camille", f"/api/v1/acquisitions/{late['id']}/refund")
    ).status_code == 403


async def test_the_database_keeps_the_ledger_honest(api: Api) -> None:
    await api.funded()
    for statement in (
        "UPDATE transfers SET amount_cents = 1",
        "DELETE FROM transfers",
        "TRUNCATE transfers CASCADE",
        "UPDATE accounts SET balance_cents = balance_cents + 100 WHERE kind = 'teacher'",
        "DELETE FROM accounts WHERE kind = 'teacher'",
    ):
        with pytest.raises(asyncpg.PostgresError):
            await api.conn.execute(statement)
    with pytest.raises(asyncpg.CheckViolationError):
        await api.conn.execute(
            "INSERT INTO transfers (period_id, from_account, to_account, amount_cents, kind) "
            "SELECT period_id, id, (SELECT id FROM accounts WHERE kind = 'funding'), "
            "balance_cents + 1, 'expiry' "
            "FROM accounts WHERE kind = 'teacher'"
        )
    assert await ledger_totals(api.conn) == (0, 0)


async def test_every_endpoint_is_scoped(api: Api) -> None:
    await api.funded()
    camille = str(api.world.people["camille"])
    assert (await api.allocate("camille", "teacher", camille, 100)).status_code == 403
    assert (await api.allocate("other_head", "teacher", camille, 100)).status_code == 403
    assert (await api.allocate("lyon_admin", "establishment", UAI, 100)).status_code == 403
    assert (await api.allocate("paris_admin", "academie", "paris", 100)).status_code == 403
    assert (await api.allocate("head", "establishment", UAI, 100)).status_code == 403
    assert (await api.allocate("paris_admin", "establishment", LYON_UAI, 100)).status_code == 403
    assert (await api.post("head", "/api/v1/periods", {})).status_code == 403
    assert (await api.get("lyon_admin", f"/api/v1/establishments/{UAI}/account")).status_code == 403
    assert (await api.get("other_head", f"/api/v1/establishments/{UAI}/account")).status_code == 403
    assert (await api.get("head", "/api/v1/academies/paris/account")).status_code == 403
    assert (await api.get("camille", "/api/v1/reports/spend")).status_code == 403
    assert (await api.get("head", "/api/v1/me/account")).status_code == 403
    assert (await api.buy("head", "teacher")).status_code == 403
    assert (await api.get("publisher", "/api/v1/me/account")).status_code == 403

    view = (await api.get("head", f"/api/v1/establishments/{UAI}/account")).json()
    assert [(c["name"], c["balance_cents"]) for c in view["children"]] == [("Camille", 10_000)]
    academie = (await api.get("paris_admin", "/api/v1/academies/paris/account")).json()
    assert [(c["owner"], c["allocated_cents"]) for c in academie["children"]] == [(UAI, 100_000)]
    # An establishment admin's report is narrowed to their UAI whatever they ask.
    assert (await api.get("other_head", "/api/v1/reports/spend", uai=UAI)).status_code == 403


async def test_reports_and_sales_show_pseudonyms_only(api: Api) -> None:
    await api.funded(cents=100_000)
    assert (await api.buy("camille", "teacher")).status_code == 201
    assert (await api.buy("camille", "class")).status_code == 201
    by_publisher = (await api.get("national", "/api/v1/reports/spend", by="publisher")).json()
    assert [(r["label"], r["amount_cents"], r["acquisitions"]) for r in by_publisher["rows"]] == [
        ("Éditions du Ledger", 5700, 2)
    ]
    by_discipline = (await api.get("paris_admin", "/api/v1/reports/spend", by="discipline")).json()
    assert by_discipline["rows"][0]["label"] == "mathématiques"
    by_month = (await api.get("head", "/api/v1/reports/spend.csv", by="month")).text
    assert by_month.splitlines()[0] == "month;libelle;acquisitions;montant_centimes"
    assert (await api.get("head", "/api/v1/reports/spend", by="weekday")).status_code == 400

    sales = (await api.get("publisher", "/api/v1/publisher/sales")).json()["items"]
    assert len(sales) == 2
    camille = api.world.people["camille"]
    raw = (await api.get("publisher", "/api/v1/publisher/sales.csv")).text
    for leak in (str(camille), "Camille", "camille@"):
        assert leak not in raw
        assert leak not in str(sales)
    assert {s["holder"] for s in sales} == {sales[0]["holder"]}
    assert len(sales[0]["holder"]) == 32


async def test_period_closing_expires_or_carries_over(api: Api) -> None:
    await api.funded(cents=10_000)
    period = (await api.get("national", "/api/v1/periods")).json()[0]
    assert (await api.buy("camille", "teacher")).status_code == 201
    assert (
        await api.put("paris_admin", "/api/v1/academies/paris/rules", {"leftover": "carry_over"})
    ).status_code == 200
    refused = await api.post("national", f"/api/v1/periods/{period['id']}/closing")
    assert refused.status_code == 422  # carried over, but to which period?
    assert "période suivante" in refused.json()["detail"]

    year = int(period["ends_on"][:4])
    following = await api.post(
        "national",
        "/api/v1/periods",
        {"starts_on": f"{year}-09-01", "ends_on": f"{year + 1}-08-31"},
    )
    assert following.status_code == 201, following.text
    assert (
        await api.put("head", f"/api/v1/establishments/{UAI}/rules", {"leftover": "expire"})
    ).status_code == 200
    closed = await api.post("national", f"/api/v1/periods/{period['id']}/closing")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"

    moved = await api.conn.fetch(
        "SELECT a.kind, t.kind AS transfer, t.amount_cents FROM transfers t "
        "JOIN accounts a ON a.id = t.from_account "
        "WHERE t.kind IN ('expiry', 'carry_over') ORDER BY a.kind"
    )
    assert [(m["kind"], m["transfer"], m["amount_cents"]) for m in moved] == [
        ("academie", "carry_over", 900_000),
        ("establishment", "expiry", 90_000),
        ("teacher", "expiry", 8_800),
    ]
    assert await ledger_totals(api.conn) == (0, 0)
    # History stays readable; the closed period refuses new movements.
    assert len((await api.get("camille", "/api/v1/me/account")).json()["history"]) == 3
    late = await api.post(
        "national",
        "/api/v1/allocations",
        {"to_kind": "academie", "to": "paris", "amount_cents": 1, "period_id": period["id"]},
    )
    assert late.status_code == 422
    assert (
        await api.post("national", f"/api/v1/periods/{period['id']}/closing")
    ).status_code == 422


async def test_periods_do_not_overlap(api: Api) -> None:
    assert (await api.post("national", "/api/v1/periods", {})).status_code == 201
    again = await api.post("national", "/api/v1/periods", {"name": "bis"})
    assert again.status_code == 409
    backwards = await api.post(
        "national", "/api/v1/periods", {"starts_on": "2031-09-01", "ends_on": "2031-01-01"}
    )
    assert backwards.status_code == 422


async def post_csv(api: Api, who: str, body: bytes) -> httpx.Response:
    headers = await api.headers(who, **{"Content-Type": "text/csv"})
    return await api.client.post("/api/v1/allocations/csv", content=body, headers=headers)


async def test_a_good_csv_is_applied_whole(api: Api) -> None:
    await api.funded(cents=1_000)
    camille, dominique = api.world.people["camille"], api.world.people["dominique"]
    body = (
        f"\ufeffUAI;enseignant;montant\n{UAI};{camille};12,50\n{UAI};DOMINIQUE@ac-test.invalid;40\n"
    )
    response = await post_csv(api, "head", body.encode())
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["applied"], report["total_cents"]) == (True, 5_250)
    assert [line["line"] for line in report["lines"]] == [2, 3]
    assert await api.balance("camille") == 2_250
    assert await api.balance("dominique") == 4_000
    assert dominique  # found by e-mail, whatever its case


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{uai};{camille};=HYPERLINK("http://evil")', "montant illisible"),
        ('=HYPERLINK("http://evil");{camille};10', "formule"),
        ("{uai};@SUM(A1);10", "formule"),
        ("{uai};{camille};-5", "négatif"),
        ("{uai};{camille};0", "nul"),
        ("{uai};{camille};1.234", "illisible"),
        ("{uai};{camille};99999999999", "illisible"),
        ("{uai};{camille}", "3 colonnes"),
        ("{uai};{lou};10", "aucun enseignant"),
        ("0691234S;{camille};10", "aucun enseignant"),
        ("{uai};{dominique};10\n{uai};{dominique};5", "doublon de la ligne 2"),
        ("{uai};{dominique};2000", "dispose de"),
    ],
)
async def test_a_csv_with_one_bad_line_applies_nothing(api: Api, line: str, message: str) -> None:
    await api.funded(cents=1_000)
    people = {k: api.world.people[k] for k in ("camille", "dominique", "lou")}
    text = f"{UAI};{people['camille']};5\n" + line.format(uai=UAI, **people) + "\n"
    before = await api.conn.fetchval("SELECT count(*) FROM transfers")
    response = await post_csv(api, "head", text.encode())
    assert response.status_code == 422, response.text
    problem = response.json()
    assert any(message in e["error"] for e in problem["errors"]), problem
    assert await api.conn.fetchval("SELECT count(*) FROM transfers") == before
    assert await api.balance() == 1_000


async def test_a_csv_cell_over_128_kib_is_a_400_naming_the_line(api: Api) -> None:
    await api.funded(cents=1_000)
    camille = api.world.people["camille"]
    body = f"{UAI};{camille};5\n{UAI};{'x' * (128 * 1024 + 1)};5\n".encode()
    response = await post_csv(api, "head", body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "ligne 2" in response.json()["detail"]
    assert await api.balance() == 1_000


async def test_a_csv_in_another_encoding_or_scope_is_refused(api: Api) -> None:
    await api.funded(cents=1_000)
    camille = api.world.people["camille"]
    latin1 = f"{UAI};{camille};10\n# é\n".encode("latin-1")
    wrong = await post_csv(api, "head", latin1)
    assert wrong.status_code == 400
    assert "UTF-8" in wrong.json()["detail"]
    assert (await post_csv(api, "head", b"")).status_code == 400
    outside = await post_csv(api, "other_head", f"{UAI};{camille};10\n".encode())
    assert outside.status_code == 422
    assert "périmètre" in outside.json()["errors"][0]["error"]
    assert (await post_csv(api, "camille", f"{UAI};{camille};10\n".encode())).status_code == 403
    assert await api.balance() == 1_000


async def test_demo_data_gives_the_demo_teacher_a_budget_and_history(
    conn: asyncpg.Connection, settings: Settings, client: httpx.AsyncClient
) -> None:
    await load_demo(conn, settings)
    await load_demo(conn, settings)  # idempotent: serve --demo runs it at every start
    teacher = await demo_person_id(conn, "teacher")
    account = (
        await client.get("/api/v1/me/account", headers=await bearer(conn, settings, teacher))
    ).json()
    assert 0 < account["balance_cents"] < 30_000
    assert [m["kind"] for m in account["history"]] == ["purchase", "allocation"]
    assert len(account["licences"]) == 1
    assert await ledger_totals(conn) == (0, 0)


async def test_an_unknown_decision_is_refused(api: Api) -> None:
    await api.funded()
    bought = (await api.buy("camille", "teacher")).json()
    response = await api.post("head", f"/api/v1/acquisitions/{bought['id']}/erasure")
    assert response.status_code == 400
    assert (
        await api.post("head", f"/api/v1/acquisitions/{uuid.uuid4()}/refund")
    ).status_code == 404


async def test_a_nul_character_is_refused_not_a_server_error(api: Api) -> None:
    response = await api.get("national", "/api/v1/acquisitions", academie="a\x00b")
    assert response.status_code == 400
    assert "U+0000" in response.json()["detail"]
    body = {"to_kind": "academie", "to": "pa\x00ris", "amount_cents": 100}
    assert (await api.post("national", "/api/v1/periods", {})).status_code == 201
    assert (await api.post("national", "/api/v1/allocations", body)).status_code == 400
