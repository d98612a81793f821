"""PostgreSQL restarted under load: a real `catalogue serve` process (its embedded worker
indexing), teachers buying with an Idempotency-Key and a publisher creating resources, while
the database is stopped and started again twice.

During each outage the API answers 503 problem+json (never 500, never a hang) and /readyz
says 503; afterwards the same server, not restarted, answers again. At the end every answer
a client got is in the database, each key is one acquisition, the ledger holds, and every
resource created is in the search index.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from catalogue.bootstrap import prepare_database
from catalogue.config import Settings
from catalogue.database import connect, ensure_database, with_database
from tests.faults.conftest import Tally, draft, take_over, wait_for_empty_outbox
from tests.integration.ledger_world import World, ledger_violations, open_budgets
from tests.support.demo_server import Server, wait_ready_async
from tests.support.postgres import RestartablePostgres

CLIENTS = 6
RESTARTS = 2
OUTAGE_S = 1.0
TEACHERS = ("camille", "dominique")
RETRY_S = 0.05
MAX_ATTEMPTS = 400  # 20 s of refusals: the server did not recover
REQUEST_TIMEOUT_S = 20.0  # an answer slower than this is a hang


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[RestartablePostgres]:
    server = RestartablePostgres(tmp_path / "restartable")
    yield server
    server.stop()


@pytest.fixture
async def database_url(postgres: RestartablePostgres) -> str:
    await ensure_database(postgres.admin_url, "catalogue")
    url = with_database(postgres.admin_url, "catalogue")
    conn = await connect(url)
    try:
        await prepare_database(conn)
    finally:
        await conn.close()
    return url


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    env = {
        "DATABASE_URL": database_url,
        "CATALOGUE_DATA_DIR": str(tmp_path),
        "CATALOGUE_SECRET_KEY": "f" * 40,
        # The PostgreSQL index is what this test reads (search_documents): the Tantivy index,
        # the default, has its own worker test (tests/faults/test_tantivy_killed_mid_commit.py).
        "CATALOGUE_SEARCH_BACKEND": "postgresql",
        # The load is six clients with no pause; the per-caller limit is not under test
        # here (test_security_abuse is), and a fast machine went past its burst.
        "CATALOGUE_CALLER_RATE": "100000",
        "CATALOGUE_CALLER_BURST": "100000",
    }
    serving = Server(tmp_path / "serve.log", env=env)
    try:
        serving.wait_ready(timeout=60)
        yield serving
    finally:
        serving.stop()


@dataclass
class Load:
    client: httpx.AsyncClient
    world: World
    headers: dict[str, dict[str, str]]
    tally: Tally
    acquired: dict[tuple[str, str], str] = field(default_factory=dict)  # (teacher, key) -> id
    created: dict[int, str] = field(default_factory=dict)  # draft number -> resource id
    unavailable: int = 0  # 503 answers
    statuses: Counter[int] = field(default_factory=Counter)
    numbers: itertools.count[int] = field(default_factory=itertools.count)

    async def send(self, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
        """The same request (same Idempotency-Key) until it is not refused for the outage."""
        for _ in range(MAX_ATTEMPTS):
            response = await self.client.post(path, json=body, headers=headers)
            self.statuses[response.status_code] += 1
            if response.status_code == 503:
                assert response.headers["content-type"] == "application/problem+json"
                assert response.headers["retry-after"] == "1"
                self.unavailable += 1
            elif response.status_code != 409 or response.json()["type"] != (
                "/problems/request-in-flight"
            ):
                return response
            self.tally.retried += 1
            await asyncio.sleep(RETRY_S)  # spacing the retries: the load under test
        pytest.fail(f"{path} was refused {MAX_ATTEMPTS} times in a row")

    async def buy(self, rng: random.Random) -> None:
        teacher, key = rng.choice(TEACHERS), uuid.uuid4().hex
        body = {"offer_id": str(self.world.offers["teacher"])}
        headers = {**self.headers[teacher], "Idempotency-Key": key}
        response = await self.send("/api/v1/acquisitions", body, headers)
        assert response.status_code == 201, response.text
        self.acquired[(teacher, key)] = response.json()["id"]

    async def publish(self) -> None:
        n = next(self.numbers)
        response = await self.send(
            "/api/v1/publisher/resources", draft(n), self.headers["publisher"]
        )
        assert response.status_code in (200, 201), response.text
        self.created[n] = response.json()["id"]

    async def run_client(self, seed: int, stop: asyncio.Event) -> None:
        rng = random.Random(seed)  # noqa: S311  # reproducible test choices, not secrets
        while not stop.is_set():
            await self.buy(rng)
            await self.publish()


async def _restart(postgres: RestartablePostgres, server: Server, tally: Tally) -> None:
    """Stop PostgreSQL, check the server says so, start it, wait until it is ready again."""
    await asyncio.to_thread(postgres.stop)
    tally.faults += 1
    async with httpx.AsyncClient(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as probe:
        ready = await probe.get("/readyz")
        assert ready.status_code == 503, ready.text
        assert ready.headers["content-type"] == "application/problem+json"
        await asyncio.sleep(OUTAGE_S)  # the outage under test lasts this long
        await asyncio.to_thread(postgres.start)
        # The server is ready again soon after PostgreSQL is back.
        await wait_ready_async(probe, timeout_s=10, log=server.log)


async def _audit(conn: asyncpg.Connection, load: Load, tally: Tally) -> None:
    stored = await conn.fetch("SELECT id::text, person_id, idempotency_key FROM acquisitions")
    by_key = {(r["person_id"], r["idempotency_key"]): r["id"] for r in stored}
    if len(by_key) != len(stored):
        tally.broken.append(f"{len(stored) - len(by_key)} key(s) with two acquisitions")
    for (teacher, key), acquisition in load.acquired.items():
        if by_key.get((load.world.people[teacher], key)) != acquisition:
            tally.lost.append(f"acquisition {acquisition} ({teacher}, {key})")
    tally.broken.extend(await ledger_violations(conn))

    rows = await conn.fetch(
        "SELECT r.id::text, r.status, d.id IS NOT NULL AS indexed, "
        "(SELECT array_agg(value) FROM resource_identifiers i WHERE i.resource_id = r.id) AS ids "
        "FROM resources r LEFT JOIN search_documents d ON d.id = r.id "
        "WHERE r.publisher_id = $1",
        load.world.publisher_id,
    )
    found = {r["id"]: r for r in rows}
    for n, resource in load.created.items():
        row = found.get(resource)
        if row is None or row["status"] != "published":
            tally.lost.append(f"resource {resource} (draft {n})")
        elif not row["indexed"]:
            tally.lost.append(f"resource {resource} not in the search index")
    urls = Counter(url for r in rows for url in r["ids"] or [])
    tally.broken.extend(f"{url} stored {count} times" for url, count in urls.items() if count > 1)


async def test_postgresql_restarted_under_load(
    postgres: RestartablePostgres,
    database_url: str,
    server: Server,
    tally: Tally,
) -> None:
    conn = await connect(database_url)
    timeout = httpx.Timeout(REQUEST_TIMEOUT_S)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=timeout) as client:
            settings = Settings(port=server.port)  # the server's issuer, for the tokens
            world, headers = await open_budgets(conn, client, settings)
            for teacher in TEACHERS:
                body = {
                    "to_kind": "teacher",
                    "to": str(world.people[teacher]),
                    "amount_cents": 10**6,
                }
                answer = await client.post(
                    "/api/v1/allocations", json=body, headers=headers["head"]
                )
                assert answer.status_code == 201, answer.text
            await conn.close()  # the restarts would cut it

            load = Load(client, world, headers, tally)
            stop = asyncio.Event()
            clients = [asyncio.create_task(load.run_client(i, stop)) for i in range(CLIENTS)]
            for _ in range(RESTARTS):
                await asyncio.sleep(1.0)  # load between the faults: the behaviour under test
                await _restart(postgres, server, tally)
            await asyncio.sleep(1.0)  # and load after the last one
            stop.set()
            await asyncio.gather(*clients)

            conn = await connect(database_url)
            # The worker that failed with the database held an indexing job: the new one
            # takes it over, at the next change, once its heartbeat is old enough.
            tally.retried += await take_over(conn)
            await load.publish()
            await wait_for_empty_outbox(conn, "the worker to index the changes after the restarts")
        await _audit(conn, load, tally)
    finally:
        await conn.close()
    tally.notes.append(
        f"{len(load.acquired)} acquisitions and {len(load.created)} resources acknowledged; "
        f"answers {dict(sorted(load.statuses.items()))}"
    )
    assert load.unavailable > 0, "no request met the outage"
    assert set(load.statuses) <= {200, 201, 409, 503}, load.statuses
    tally.check()
