"""The retry policies keep their exact behaviour: how many attempts, on which errors, how long
between them (they run through tenacity)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from accounts import ledger
from catalogue.database import Connection, create_pool
from catalogue.identity import listener


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with await create_pool(database_url, max_size=2) as opened:
        yield opened


class Flaky:
    """Work that writes in its transaction, then fails `failures` times with `error`."""

    def __init__(self, failures: int, error: type[Exception]) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    async def __call__(self, conn: Connection) -> int:
        self.calls += 1
        await conn.execute("INSERT INTO retry_probe VALUES ($1)", self.calls)
        if self.calls <= self.failures:
            raise self.error("conflict")
        return self.calls


@pytest.fixture
async def probe(conn: asyncpg.Connection) -> asyncpg.Connection:
    await conn.execute("CREATE TABLE retry_probe (attempt int)")
    return conn


@pytest.mark.parametrize("error", [asyncpg.SerializationError, asyncpg.DeadlockDetectedError])
async def test_the_ledger_retries_a_conflict_in_a_new_transaction_up_to_five_times(
    pool: asyncpg.Pool, probe: asyncpg.Connection, error: type[Exception]
) -> None:
    work = Flaky(4, error)
    assert await ledger.retrying(pool, work) == 5
    # Each failed attempt rolled back alone: only the last one's write stays.
    assert await probe.fetchval("SELECT array_agg(attempt) FROM retry_probe") == [5]

    work = Flaky(5, error)
    with pytest.raises(error):
        await ledger.retrying(pool, work)
    assert work.calls == 5


@pytest.mark.usefixtures("probe")
async def test_the_ledger_never_retries_another_error(pool: asyncpg.Pool) -> None:
    work = Flaky(1, asyncpg.ConnectionDoesNotExistError)  # its commit may have happened
    with pytest.raises(asyncpg.ConnectionDoesNotExistError):
        await ledger.retrying(pool, work)
    assert work.calls == 1


async def test_the_listener_connects_again_after_growing_waits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """0.2, 0.5, 1, 2, 5 s between attempts, then 5 s each time, until it connects."""
    slept: list[float] = []
    attempts = 0

    async def refuse(_: str) -> asyncpg.Connection:
        nonlocal attempts
        attempts += 1
        if attempts == 8:
            raise asyncio.CancelledError  # stop the test there: the listener runs forever
        raise OSError("refused")

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(listener, "connect", refuse)
    monkeypatch.setattr("catalogue.identity.listener.asyncio.sleep", sleep)
    with pytest.raises(asyncio.CancelledError):
        await listener.Listener("postgresql://unused", {}, lambda: None).run()
    assert slept == [0.2, 0.5, 1.0, 2.0, 5.0, 5.0, 5.0]
