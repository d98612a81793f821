"""GAR subscriptions end to end: written with the money (an outbox), delivered by the worker's
drain to a real HTTPS server on 127.0.0.1 that requires our client certificate, retried with
backoff, logged attempt by attempt, replayed by national administrators."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import GarSettings, Settings
from catalogue.database import create_pool
from catalogue.deliveries import FIRST_DELAY
from catalogue.gar import delivery, outbox
from catalogue.gar.subscriptions import NAMESPACE
from tests.integration.conftest import open_client
from tests.integration.ledger_world import UAI, World, build_world
from tests.integration.test_accounts_api import Api
from tests.integration.test_webhooks import Clock
from tests.support.demo_server import free_port
from tests.support.gar_server import GarService, Pki, Received, serving
from tests.support.waiting import wait_until_async
from tests.unit.test_gar_subscriptions import elements, valid

ARK = "ark:/99999/manuel-6e"
N = f"{{{NAMESPACE}}}"


class Gar(Api):
    """The accounts API of an app whose GAR is the stand-in, and the worker's drain."""

    pool: asyncpg.Pool
    service: GarService
    gar: GarSettings

    async def deliver(self, clock: Clock | None = None) -> int:
        return await delivery.drain(self.pool, self.gar, clock=clock or Clock())

    async def rows(self) -> list[asyncpg.Record]:
        return await self.conn.fetch(
            "SELECT method, status, subscription_id, body FROM gar_deliveries ORDER BY created_at"
        )

    async def log(self, who: str = "national", **params: Any) -> list[dict[str, Any]]:
        response = await self.get(who, "/api/v1/gar/deliveries", **params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


async def flag(conn: asyncpg.Connection, world: World, gar_id: str | None = None) -> None:
    """The world's resource, GAR-referenced under its ARK (or `gar_id`)."""
    await conn.execute(
        "INSERT INTO resource_identifiers (resource_id, publisher_id, kind, value) "
        "VALUES ($1, $2, 'ark', $3)",
        world.resource_id,
        world.publisher_id,
        ARK,
    )
    await conn.execute(
        "UPDATE resources SET gar_referenced = true, gar_resource_id = $2 WHERE id = $1",
        world.resource_id,
        gar_id,
    )


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    folder = tmp_path / "pki"
    folder.mkdir()
    return Pki.make(folder)


@pytest.fixture
def gar_service(pki: Pki) -> Iterator[GarService]:
    with serving(GarService(pki)) as service:
        yield service


async def open_gar(
    settings: Settings, conn: asyncpg.Connection, service: GarService, gar: GarSettings
) -> AsyncIterator[Gar]:
    with_gar = msgspec.structs.replace(settings, gar=gar)
    assert settings.database_url is not None
    async with await create_pool(settings.database_url, max_size=4) as pool:
        async for client in open_client(create_asgi_app(with_gar)):
            opened = Gar(client, conn, with_gar, await build_world(conn))
            opened.pool, opened.service, opened.gar = pool, service, gar
            yield opened


@pytest.fixture
async def gar(
    settings: Settings, conn: asyncpg.Connection, gar_service: GarService
) -> AsyncIterator[Gar]:
    async for opened in open_gar(
        settings, conn, gar_service, gar_service.pki.settings(gar_service.url)
    ):
        yield opened


@pytest.fixture
async def api(client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings) -> Api:
    return Api(client, conn, settings, await build_world(conn))


def call(received: Received) -> tuple[str, str, dict[str, str]]:
    """Method, path and the body's elements (validated against the XSD)."""
    if not received.body:
        return received.method, received.path, {}
    return received.method, received.path, dict(elements(valid(received.body)))


async def test_a_purchase_a_refund_and_a_replay_reach_the_gar(gar: Gar) -> None:
    await flag(gar.conn, gar.world)
    await gar.funded()
    bought = await gar.buy("camille", "teacher")
    assert bought.status_code == 201, bought.text
    licence = bought.json()["licence"]["id"]
    # Written with the purchase, sent by the worker.
    assert [(r["method"], r["status"]) for r in await gar.rows()] == [("PUT", "pending")]
    assert await gar.deliver() == 1
    (created,) = gar.service.received
    method, path, sent = call(created)
    assert (method, path) == ("PUT", f"/abonnements/{licence}")
    assert created.content_type == "application/xml"
    assert sent["idAbonnement"] == licence
    assert sent["idRessource"] == ARK
    assert sent["libelleRessource"] == "Manuel de mathématiques 6e"
    assert sent["uaiEtab"] == UAI
    assert (sent["typeAffectation"], sent["nbLicenceEnseignant"]) == ("INDIV", "1")
    assert sent["publicCible"] == "ENSEIGNANT"
    # A refund deletes the subscription.
    refunded = await gar.post("head", f"/api/v1/acquisitions/{bought.json()['id']}/refund")
    assert refunded.status_code == 200, refunded.text
    assert await gar.deliver() == 1
    assert call(gar.service.received[1]) == ("DELETE", f"/abonnements/{licence}", {})
    # A national administrator replays the creation: the same call, the same body.
    put = next(d for d in await gar.log() if d["method"] == "PUT")
    assert put["status"] == "delivered"
    assert [a["status_code"] for a in put["attempt_log"]] == [201]
    replayed = await gar.post("national", f"/api/v1/gar/deliveries/{put['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    assert (replayed.json()["status"], replayed.json()["attempts"]) == ("pending", 0)
    assert await gar.deliver() == 1
    again = gar.service.received[2]
    assert (again.method, again.body) == ("PUT", created.body)
    put = next(d for d in await gar.log() if d["method"] == "PUT")
    assert [a["status_code"] for a in put["attempt_log"]] == [201, 201]  # the log keeps both


async def test_an_approval_creates_and_the_gar_id_given_by_the_publisher_is_used(
    gar: Gar,
) -> None:
    await flag(gar.conn, gar.world, gar_id="gar-manuel-6e")
    await gar.funded(cents=50_000)
    rules = {"approval_threshold_cents": 20_000}
    assert (await gar.put("head", f"/api/v1/establishments/{UAI}/rules", rules)).status_code == 200
    held = await gar.buy("camille", "school")  # over the threshold: waits for approval
    assert held.status_code == 202, held.text
    assert await gar.rows() == []  # nothing to subscribe before the licence exists
    approved = await gar.post("head", f"/api/v1/acquisitions/{held.json()['id']}/approval")
    assert approved.status_code == 200, approved.text
    assert await gar.deliver() == 1
    method, _, sent = call(gar.service.received[0])
    assert method == "PUT"
    assert sent["idRessource"] == "gar-manuel-6e"
    assert (sent["typeAffectation"], sent["nbLicenceGlobale"]) == ("ETABL", "ILLIMITE")
    assert sent["finValidite"] == "2099-12-31T23:59:59"  # a perpetual licence


async def test_a_non_2xx_answer_is_logged_and_retried_and_the_purchase_stands(gar: Gar) -> None:
    await flag(gar.conn, gar.world)
    await gar.funded()
    gar.service.failure = (503, "Service en maintenance")
    bought = await gar.buy("camille", "teacher")
    assert bought.status_code == 201, bought.text
    clock = Clock()
    assert await gar.deliver(clock) == 1
    (logged,) = await gar.log(status="pending")
    assert (logged["last_status"], logged["last_error"]) == (503, "HTTP 503")
    (attempt,) = logged["attempt_log"]
    assert (attempt["status_code"], attempt["body"]) == (503, "Service en maintenance")
    assert await gar.deliver(clock) == 0  # waits for its backoff
    gar.service.failure = None
    clock.advance(seconds=FIRST_DELAY.total_seconds() + 1)
    assert await gar.deliver(clock) == 1
    (logged,) = await gar.log()
    assert logged["status"] == "delivered"
    assert [a["status_code"] for a in logged["attempt_log"]] == [503, 201]
    assert [r.method for r in gar.service.received] == ["PUT", "PUT"]
    # Where an operator looks: the metrics.
    metrics = (await gar.client.get("/metrics")).text
    assert 'catalogue_state{measure="gar_deliveries_sent"} 1.0' in metrics
    assert 'catalogue_state{measure="gar_deliveries_pending"} 0.0' in metrics


async def test_a_gar_outage_never_blocks_a_purchase(
    settings: Settings, conn: asyncpg.Connection, gar_service: GarService
) -> None:
    nowhere = gar_service.pki.settings(f"https://127.0.0.1:{free_port()}/abonnements")
    async for gar in open_gar(settings, conn, gar_service, nowhere):
        await flag(gar.conn, gar.world)
        await gar.funded()
        bought = await gar.buy("camille", "teacher")
        assert bought.status_code == 201, bought.text
        clock = Clock()
        assert await gar.deliver(clock) == 1
        (logged,) = await gar.log()
        assert logged["status"] == "pending"
        assert logged["last_status"] is None
        assert logged["last_error"].startswith("ConnectError")
        assert logged["next_attempt_at"] > logged["created_at"]


async def test_a_refused_client_certificate_is_logged_as_a_failed_attempt(
    settings: Settings, conn: asyncpg.Connection, gar_service: GarService
) -> None:
    stranger = gar_service.pki.settings(gar_service.url, stranger=True)
    async for gar in open_gar(settings, conn, gar_service, stranger):
        await flag(gar.conn, gar.world)
        await gar.funded()
        assert (await gar.buy("camille", "teacher")).status_code == 201
        assert await gar.deliver() == 1
        (logged,) = await gar.log()
        assert (logged["status"], logged["last_status"]) == ("pending", None)
        assert logged["last_error"]  # a transport error, whichever the TLS version reports
        assert gar_service.received == []  # refused during the handshake


async def test_only_gar_referenced_resources_are_subscribed(gar: Gar) -> None:
    await gar.funded()
    assert (await gar.buy("camille", "teacher")).status_code == 201
    assert await gar.rows() == []


async def test_without_gar_configured_nothing_is_queued(api: Api) -> None:
    await flag(api.conn, api.world)
    await api.funded()
    bought = await api.buy("camille", "teacher")
    assert bought.status_code == 201, bought.text
    assert await api.conn.fetchval("SELECT count(*) FROM gar_deliveries") == 0
    refunded = await api.post("head", f"/api/v1/acquisitions/{bought.json()['id']}/refund")
    assert refunded.status_code == 200
    assert await api.conn.fetchval("SELECT count(*) FROM gar_deliveries") == 0
    # Nothing to replay either.
    replay = await api.post("national", f"/api/v1/gar/deliveries/{bought.json()['id']}/replay")
    assert replay.status_code == 422
    assert "GAR n'est pas configuré" in replay.json()["detail"]


async def test_a_refund_of_a_licence_never_subscribed_deletes_nothing(gar: Gar) -> None:
    await gar.funded()
    bought = await gar.buy("camille", "teacher")  # not GAR-referenced then
    await flag(gar.conn, gar.world)
    refunded = await gar.post("head", f"/api/v1/acquisitions/{bought.json()['id']}/refund")
    assert refunded.status_code == 200, refunded.text
    assert await gar.rows() == []


async def test_only_national_administrators_read_the_log_and_replay(gar: Gar) -> None:
    await flag(gar.conn, gar.world)
    await gar.funded()
    await gar.buy("camille", "teacher")
    (row,) = await gar.log()
    replay = f"/api/v1/gar/deliveries/{row['id']}/replay"
    anonymous = await gar.client.get("/api/v1/gar/deliveries")
    assert anonymous.status_code == 401
    assert (await gar.client.post(replay)).status_code == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}
    assert (await gar.client.post(replay, headers=forged)).status_code == 401
    for who in ("camille", "head", "paris_admin", "publisher"):
        assert (await gar.get(who, "/api/v1/gar/deliveries")).status_code == 403, who
        assert (await gar.post(who, replay)).status_code == 403, who
    unknown = await gar.post("national", f"/api/v1/gar/deliveries/{uuid.uuid4()}/replay")
    assert unknown.status_code == 404
    assert (await gar.get("national", "/api/v1/gar/deliveries", status="lost")).status_code == 400
    assert (await gar.get("national", "/api/v1/gar/deliveries", per_page=10_000)).status_code == 400
    assert (await gar.conn.fetchval("SELECT attempts FROM gar_deliveries")) == 0  # untouched


async def test_a_teacher_sees_which_licences_are_in_the_ent_mediacentre(gar: Gar) -> None:
    await flag(gar.conn, gar.world)
    await gar.funded(cents=50_000)
    await gar.buy("camille", "teacher")

    async def shown() -> list[Any]:
        account = await gar.get("camille", "/api/v1/me/account")
        return [licence["mediacentre"] for licence in account.json()["licences"]]

    assert await shown() == ["pending"]
    await gar.deliver()
    assert await shown() == ["available"]
    await gar.conn.execute("UPDATE resources SET gar_referenced = false")
    await gar.buy("camille", "class")
    assert await shown() == [None, "available"]  # newest first


async def test_an_ended_licence_updates_its_subscription_once(gar: Gar) -> None:
    await flag(gar.conn, gar.world)
    await gar.funded(cents=50_000)
    kept = await gar.buy("camille", "class")  # twelve months
    refunded = await gar.buy("camille", "teacher")
    assert (kept.status_code, refunded.status_code) == (201, 201)
    back = await gar.post("head", f"/api/v1/acquisitions/{refunded.json()['id']}/refund")
    assert back.status_code == 200, back.text
    clock = Clock()
    assert await gar.deliver(clock) == 3  # two creations, one deletion
    assert await outbox.announce_expiries(gar.pool, clock=clock) == 0  # none ended
    clock.advance(days=800)
    assert await outbox.announce_expiries(gar.pool, clock=clock) == 1
    assert await outbox.announce_expiries(gar.pool, clock=clock) == 0  # once
    assert await gar.deliver(clock) == 1
    method, path, sent = call(gar.service.received[-1])
    licence = kept.json()["licence"]
    assert (method, path) == ("POST", f"/abonnements/{licence['id']}")
    assert "uaiEtab" not in sent  # an update leaves the establishment out
    assert (sent["nbLicenceEnseignant"], sent["nbLicenceEleve"]) == ("1", "30")
    audiences = [v for n, v in elements(valid(gar.service.received[-1].body)) if n == "publicCible"]
    assert audiences == ["ENSEIGNANT", "ELEVE"]
    assert sent["finValidite"][:4] == str(int(sent["debutValidite"][:4]) + 1)  # 12 months


async def test_the_worker_in_the_app_sends_a_purchase_to_the_gar(
    settings: Settings, conn: asyncpg.Connection, gar_service: GarService
) -> None:
    """Nothing called by hand: the purchase wakes the embedded worker's GAR job."""
    gar_settings = gar_service.pki.settings(gar_service.url)
    embedded = msgspec.structs.replace(settings, gar=gar_settings, embedded_worker=True)
    world = await build_world(conn)
    await flag(conn, world)
    async for client in open_client(create_asgi_app(embedded)):
        api = Api(client, conn, embedded, world)
        await api.funded()
        bought = await api.buy("camille", "teacher")
        assert bought.status_code == 201, bought.text

        async def received() -> bool:
            return len(gar_service.received) == 1

        await wait_until_async(received, "the worker's PUT at the GAR", timeout_s=30)
        assert gar_service.received[0].path == f"/abonnements/{bought.json()['licence']['id']}"

        async def delivered() -> bool:
            status: str = await conn.fetchval("SELECT status FROM gar_deliveries")
            return status == "delivered"

        await wait_until_async(delivered, "the delivery recorded", timeout_s=10)


async def test_the_purchase_writes_a_small_call_and_the_worker_builds_its_body(gar: Gar) -> None:
    """A purchase pays for one small outbox row; the XML is the worker's to build when it
    first sends the call, and the call keeps the body it sent (what a replay sends again)."""
    await flag(gar.conn, gar.world)
    await gar.funded()
    bought = await gar.buy("camille", "teacher")
    assert bought.status_code == 201, bought.text
    licence = bought.json()["licence"]["id"]
    (row,) = await gar.rows()
    assert (row["method"], row["subscription_id"], row["body"]) == ("PUT", licence, None)
    # Built now from the licence and its resource as they stand: a new title is sent.
    await gar.conn.execute("UPDATE resources SET title = 'Manuel de mathématiques 6e, 2027'")
    assert await gar.deliver() == 1
    (created,) = gar.service.received
    assert call(created)[2]["libelleRessource"] == "Manuel de mathématiques 6e, 2027"
    (row,) = await gar.rows()
    assert (row["status"], row["body"]) == ("delivered", created.body.decode())
    (logged,) = await gar.log()
    assert logged["body"] == created.body.decode()


async def test_a_body_that_cannot_be_built_fails_its_delivery_and_a_replay_sends_it(
    gar: Gar,
) -> None:
    await flag(gar.conn, gar.world)
    await gar.funded()
    assert (await gar.buy("camille", "teacher")).status_code == 201  # the purchase stands
    # Its publisher removes the ARK it was referenced under before the worker sends.
    await gar.conn.execute("DELETE FROM resource_identifiers WHERE kind = 'ark'")
    assert await gar.deliver() == 1
    assert gar.service.received == []  # nothing the GAR would refuse is sent
    (logged,) = await gar.log(status="failed")  # at once: trying again cannot help
    assert logged["body"] is None
    assert logged["last_error"].startswith("body not built: ")
    assert "ARK" in logged["last_error"]
    (attempt,) = logged["attempt_log"]
    assert (attempt["status_code"], attempt["error"]) == (None, logged["last_error"])
    # Once the data is right again, a national administrator's replay sends it.
    await flag(gar.conn, gar.world)
    replayed = await gar.post("national", f"/api/v1/gar/deliveries/{logged['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    assert await gar.deliver() == 1
    (created,) = gar.service.received
    assert call(created)[2]["idRessource"] == ARK
    (logged,) = await gar.log()
    assert (logged["status"], logged["body"]) == ("delivered", created.body.decode())


async def _worker_delivers(
    settings: Settings, conn: asyncpg.Connection, service: GarService, *, purchases: int
) -> None:
    """`purchases` purchases through the app, each delivered by its embedded worker (a job
    of its own, woken by the purchase) before the next; a pause between them of longer than
    the stand-in keeps an idle connection, when it closes them."""
    embedded = msgspec.structs.replace(
        settings, gar=service.pki.settings(service.url), embedded_worker=True
    )
    world = await build_world(conn)
    await flag(conn, world)
    async for client in open_client(create_asgi_app(embedded)):
        api = Api(client, conn, embedded, world)
        await api.funded(cents=50_000)
        for number in range(1, purchases + 1):
            assert (await api.buy("camille", "teacher")).status_code == 201

            async def delivered(count: int = number) -> bool:
                done: int = await conn.fetchval(
                    "SELECT count(*) FROM gar_deliveries WHERE status = 'delivered'"
                )
                return done == count

            await wait_until_async(delivered, f"delivery {number} by the worker", timeout_s=30)
            if service.idle_timeout_s is not None:
                await asyncio.sleep(service.idle_timeout_s * 3)  # the GAR closed it meanwhile


async def test_the_worker_keeps_one_connection_to_the_gar_across_jobs(
    settings: Settings, conn: asyncpg.Connection, gar_service: GarService
) -> None:
    """Each purchase wakes a job of its own; they all go over the worker's one client and
    its kept connection: one TLS handshake with the client certificate, not one a job."""
    await _worker_delivers(settings, conn, gar_service, purchases=3)
    assert [r.method for r in gar_service.received] == ["PUT", "PUT", "PUT"]
    assert gar_service.connections == 1
    attempts = await conn.fetchval("SELECT count(*) FROM gar_attempts")
    assert attempts == 3  # one attempt each: nothing failed or retried


async def test_a_connection_the_gar_closed_while_idle_is_replaced_without_a_failure(
    settings: Settings, conn: asyncpg.Connection, pki: Pki
) -> None:
    """The GAR closes a kept connection after a short idle time (its keep-alive timeout):
    the worker's next call opens a new one, and no attempt fails for it."""
    with serving(GarService(pki, idle_timeout_s=0.2)) as service:
        await _worker_delivers(settings, conn, service, purchases=3)
    assert [r.method for r in service.received] == ["PUT", "PUT", "PUT"]
    assert service.connections == 3  # one a purchase: each kept one was closed by the GAR
    logged = await conn.fetch("SELECT status_code, error FROM gar_attempts")
    assert [(a["status_code"], a["error"]) for a in logged] == [(201, None)] * 3


async def test_closing_a_period_shortens_no_subscription(gar: Gar) -> None:
    """A licence's validity is fixed when it is issued (a school year's ends with its budget
    period's last day) and closing the period moves money, not dates: nothing is sent then;
    its end is announced (POST) once it has passed, as for any licence."""
    await flag(gar.conn, gar.world)
    await gar.funded()
    bought = await gar.buy("camille", "teacher")  # a school year
    assert bought.status_code == 201, bought.text
    licence_id = uuid.UUID(bought.json()["licence"]["id"])
    clock = Clock()
    assert await gar.deliver(clock) == 1
    until = await gar.conn.fetchval("SELECT valid_until FROM licences WHERE id = $1", licence_id)
    period = (await gar.get("national", "/api/v1/periods")).json()[0]
    closed = await gar.post("national", f"/api/v1/periods/{period['id']}/closing")
    assert closed.status_code == 200, closed.text
    assert (
        await gar.conn.fetchval("SELECT valid_until FROM licences WHERE id = $1", licence_id)
        == until
    )
    assert await outbox.announce_expiries(gar.pool, clock=clock) == 0
    assert [r["method"] for r in await gar.rows()] == ["PUT"]  # nothing to update
    clock.advance(days=400)  # past the school year
    assert await outbox.announce_expiries(gar.pool, clock=clock) == 1
    assert await gar.deliver(clock) == 1
    method, _, sent = call(gar.service.received[-1])
    assert method == "POST"
    (created,) = [call(r)[2] for r in gar.service.received if r.method == "PUT"]
    assert sent["finValidite"] == created["finValidite"]  # the end it always had
