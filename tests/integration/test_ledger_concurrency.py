"""Fifty clients on a few hot accounts, through the HTTP API; then the same with connections
killed mid-transaction and clients retrying with the same Idempotency-Key.

After every step of every client: the sum of balances is zero and none is below zero. At the
end: each acquisition has exactly the transfers and the licence its status calls for, each
key the clients used is one acquisition, and every answer a client got is in the database.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.database import connect
from tests.integration.conftest import open_client
from tests.integration.ledger_world import (
    World,
    ledger_totals,
    ledger_violations,
    open_budgets,
)

CLIENTS = 50
STEPS = 10
HOT_TEACHERS = ("camille", "dominique")


@dataclass
class Bank:
    client: httpx.AsyncClient
    checker: asyncpg.Connection
    world: World
    headers: dict[str, dict[str, str]]
    retry: bool
    answers: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    completed: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    interrupted: int = 0  # answers 503: a connection died under the request

    async def call(self, who: str, path: str, body: Any = None, **headers: str) -> httpx.Response:
        """One request; when connections are being killed, again on 503 or 409 (same headers)."""
        for _ in range(50):
            response = await self.client.post(
                path, json=body, headers={**self.headers[who], **headers}
            )
            if not self.retry or response.status_code not in (409, 503):
                return response
            self.interrupted += response.status_code == 503
            if response.status_code == 409 and response.json()["type"] == "/problems/wrong-state":
                return response  # decided by our own earlier attempt, or by another client
            await asyncio.sleep(0.01)  # spacing the client's retries: the load under test
        raise AssertionError(f"{path} never got through")

    async def step(self, rng: random.Random) -> None:
        action = rng.choices(["allocate", "buy", "decide", "refund"], weights=[2, 5, 2, 1])[0]
        if action == "allocate":
            teacher = str(self.world.people[rng.choice(HOT_TEACHERS)])
            body = {"to_kind": "teacher", "to": teacher, "amount_cents": rng.randint(100, 20_000)}
            response = await self.client.post(
                "/api/v1/allocations", json=body, headers=self.headers["head"]
            )
            # Allocations carry no Idempotency-Key: a killed one is not retried blindly.
            assert response.status_code in (201, 422, 503), response.text
        elif action == "buy":
            await self.buy(rng)
        elif action == "decide" and self.pending:
            chosen = rng.choice(self.pending)
            verb = rng.choice(["approval", "rejection"])
            response = await self.call("head", f"/api/v1/acquisitions/{chosen}/{verb}")
            assert response.status_code in (200, 409), response.text
            if response.status_code == 200 and verb == "approval":
                self.completed.append(chosen)
        elif action == "refund" and self.completed:
            response = await self.call(
                "head", f"/api/v1/acquisitions/{rng.choice(self.completed)}/refund"
            )
            assert response.status_code in (200, 409), response.text

    async def buy(self, rng: random.Random) -> None:
        teacher = rng.choice(HOT_TEACHERS)
        offer = rng.choice(["teacher", "class", "school"])
        key = uuid.uuid4().hex
        quantity = rng.randint(1, 2) if offer == "class" else 1  # others are single-seat
        body = {"offer_id": str(self.world.offers[offer]), "quantity": quantity}
        response = await self.call(
            teacher, "/api/v1/acquisitions", body, **{"Idempotency-Key": key}
        )
        assert response.status_code in (201, 202, 422), response.text
        if response.status_code == 422:
            assert response.json()["type"] == "/problems/insufficient-funds", response.text
            return
        answer = response.json()
        self.answers[(teacher, key)] = answer
        if self.retry:  # asked again, the same key gives the same answer
            again = await self.call(
                teacher, "/api/v1/acquisitions", body, **{"Idempotency-Key": key}
            )
            assert again.json() == answer
        (self.pending if response.status_code == 202 else self.completed).append(answer["id"])

    async def run_client(self, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311  # reproducible test choices, not secrets
        for _ in range(STEPS):
            await self.step(rng)
            await self.check()

    async def check(self) -> None:
        async with self.lock:  # one checker connection, shared by all clients
            assert await ledger_totals(self.checker) == (0, 0)


async def _run_bank(settings: Settings, *, kill: bool) -> None:
    # Fifty clients act as a handful of people at once: far beyond the budgets one caller has
    # in production (CATALOGUE_CALLER_*), on purpose; the ledger is under test here, not them.
    settings = msgspec.structs.replace(
        settings, db_pool_size=20, caller_concurrency=CLIENTS, caller_burst=100_000
    )
    checker = await connect(settings.database_url or "")
    try:
        async for client in open_client(create_asgi_app(settings)):
            world, headers = await open_budgets(checker, client, settings)
            bank = Bank(client, checker, world, headers, retry=kill)
            stop = asyncio.Event()
            killer = (
                asyncio.create_task(_kill_backends(settings, stop, spare=checker.get_server_pid()))
                if kill
                else None
            )
            await asyncio.gather(*(bank.run_client(seed) for seed in range(CLIENTS)))
            stop.set()
            if killer is not None:
                assert await killer > 0, "no connection was killed: the test proved nothing"
                assert bank.interrupted > 0, "no request was interrupted"
            assert await ledger_violations(checker) == []
            stored = await checker.fetch(
                "SELECT id::text, person_id, idempotency_key FROM acquisitions"
            )
            by_key = {(str(r["person_id"]), r["idempotency_key"]): r["id"] for r in stored}
            assert len(by_key) == len(stored)
            for (teacher, key), answer in bank.answers.items():
                assert by_key[(str(world.people[teacher]), key)] == answer["id"]
            assert len(bank.answers) > CLIENTS  # the clients did buy, not only fail
    finally:
        await checker.close()


async def _kill_backends(settings: Settings, stop: asyncio.Event, *, spare: int) -> int:
    """Terminate one of the app's connections at random moments, as a failover would."""
    killed = 0
    conn = await connect(settings.database_url or "")
    try:
        while not stop.is_set():
            # Faults at random moments: the behaviour under test.
            await asyncio.sleep(random.uniform(0.005, 0.03))  # noqa: S311  # test timing only
            killed += await conn.fetchval(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM ("
                " SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid NOT IN (pg_backend_pid(), $1)"
                " AND state IN ('active', 'idle in transaction')"
                " ORDER BY random() LIMIT 1) busy",
                spare,
            )
    finally:
        await conn.close()
    return killed


async def test_fifty_clients_on_hot_accounts(settings: Settings) -> None:
    await _run_bank(settings, kill=False)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_killed_connections_neither_double_spend_nor_lose_an_acquisition(
    settings: Settings,
) -> None:
    await _run_bank(settings, kill=True)
