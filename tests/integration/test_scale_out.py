"""Two `catalogue serve` processes and two `catalogue worker` processes on one database behave
as one: a budget is never overspent through both, an Idempotency-Key is one acquisition
whichever process answers, and what one process imports the other finds once a worker has
indexed it."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import msgspec
import pytest

from accounts.ledger import allocate, open_period
from accounts.models import NewAllocation, NewPeriod
from catalogue.config import Settings
from tests.integration.conftest import bearer
from tests.integration.ledger_world import OFFERS, UAI, build_world, ledger_violations
from tests.support.demo_server import CatalogueProcess, Server
from tests.support.waiting import wait_until_async

LOM = Path(__file__).parent.parent / "fixtures" / "lom" / "v3_prefixed.xml"
PUBLIC_URL = "http://catalogue.scale-out.test"  # what a load balancer in front would be
PRICE = OFFERS["teacher"][1]
AFFORDABLE = 5
ATTEMPTS = 12


@pytest.fixture
def cluster(database_url: str, tmp_path: Path) -> Iterator[list[Server]]:
    env = {
        "DATABASE_URL": database_url,
        "CATALOGUE_DATA_DIR": str(tmp_path),
        "CATALOGUE_SECRET_KEY": "s" * 40,
        "CATALOGUE_PUBLIC_URL": PUBLIC_URL,
        "CATALOGUE_EMBEDDED_WORKER": "false",
    }
    servers = [Server(tmp_path / f"serve-{n}.log", env=env) for n in (1, 2)]
    workers = [CatalogueProcess(tmp_path / f"worker-{n}.log", "worker", env=env) for n in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        for worker in workers:  # below the servers' priority (CATALOGUE_WORKER_NICE, 10)
            niceness = [os.getpriority(os.PRIO_PROCESS, worker.process.pid)]
            for _ in range(100):  # it lowers it first thing, once its imports are done
                if niceness[-1] == 10:
                    break
                time.sleep(0.1)
                niceness.append(os.getpriority(os.PRIO_PROCESS, worker.process.pid))
            assert niceness[-1] == 10, niceness
        yield servers
        for worker in workers:
            assert worker.process.poll() is None, worker.log.read_text()
    finally:
        for process in (*servers, *workers):
            process.stop()


async def test_two_apps_and_two_workers_behave_as_one(
    cluster: list[Server], conn: asyncpg.Connection, settings: Settings
) -> None:
    world = await build_world(conn)
    national = world.principal("national")
    async with conn.transaction():
        await open_period(conn, NewPeriod())
        budgets = {"camille": AFFORDABLE * PRICE, "dominique": PRICE}
        total = sum(budgets.values())
        for above in (
            NewAllocation(to_kind="academie", to="paris", amount_cents=total),
            NewAllocation(to_kind="establishment", to=UAI, amount_cents=total),
        ):
            await allocate(conn, national, above)
        for name, cents in budgets.items():
            to = str(world.people[name])
            await allocate(
                conn, national, NewAllocation(to_kind="teacher", to=to, amount_cents=cents)
            )
    platform = msgspec.structs.replace(settings, public_url=PUBLIC_URL)
    headers = {name: await bearer(conn, platform, world.people[name]) for name in world.people}
    offer = {"offer_id": str(world.offers["teacher"])}
    a, b = (httpx.AsyncClient(base_url=s.url, timeout=30) for s in cluster)

    async def buy(http: httpx.AsyncClient, who: str, key: str) -> httpx.Response:
        return await http.post(
            "/api/v1/acquisitions", json=offer, headers={**headers[who], "Idempotency-Key": key}
        )

    async with a, b:
        # One budget, twelve purchases at once through both processes: exactly five fit.
        answers = await asyncio.gather(
            *(buy((a, b)[n % 2], "camille", str(uuid.uuid4())) for n in range(ATTEMPTS))
        )
        statuses = Counter(r.status_code for r in answers)
        assert statuses == {201: AFFORDABLE, 422: ATTEMPTS - AFFORDABLE}, statuses
        refusals = {r.json()["type"] for r in answers if r.status_code == 422}
        assert refusals == {"/problems/insufficient-funds"}
        balance = await conn.fetchval(
            "SELECT balance_cents FROM accounts WHERE kind = 'teacher' AND owner = $1",
            str(world.people["camille"]),
        )
        assert balance == 0

        # One key sent to both processes at once, then again: one acquisition, one answer.
        key = str(uuid.uuid4())
        first = await asyncio.gather(buy(a, "dominique", key), buy(b, "dominique", key))
        assert {r.status_code for r in first} <= {201, 409}, [r.text for r in first]
        again = await buy(b, "dominique", key)
        assert again.status_code == 201, again.text
        created = {r.json()["id"] for r in (*first, again) if r.status_code == 201}
        assert created == {again.json()["id"]}
        stored = await conn.fetchval(
            "SELECT count(*) FROM acquisitions WHERE person_id = $1", world.people["dominique"]
        )
        assert stored == 1

        # Imported through one process, indexed by a worker, found through the other.
        imported = await a.post(
            "/api/v1/publisher/imports",
            content=LOM.read_bytes(),
            headers={**headers["publisher"], "Content-Type": "application/xml"},
        )
        assert imported.status_code == 201, imported.text
        resource_id = imported.json()["items"][0]["resource_id"]

        async def found() -> bool:
            page = await b.get("/api/v1/search", params={"q": "fractions"}, headers=headers["lou"])
            assert page.status_code == 200, page.text
            return resource_id in [hit["id"] for hit in page.json()["hits"]]

        await wait_until_async(
            found, "the import through one process to be found through the other", timeout_s=20
        )

        async def drained() -> bool:
            # Tantivy (the default) commits before the worker deletes the outbox rows.
            remaining: int = await conn.fetchval("SELECT count(*) FROM search_outbox")
            return remaining == 0

        await wait_until_async(drained, "the worker to empty the search outbox", timeout_s=10)

    assert await ledger_violations(conn) == []
