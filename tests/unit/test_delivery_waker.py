"""A delivery job's wake-ups, shared by concurrent callers, and at most one every `every_s`
for the GAR's (each wake-up is a job and a NOTIFY committed)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import asyncpg
import pytest

from catalogue import deliveries
from catalogue.deliveries import Waker


class _Pool:
    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[None]:
        yield None


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When each job was enqueued (monotonic seconds)."""
    times: list[float] = []

    async def enqueue_job(_conn: Any, _job: str) -> None:
        await asyncio.sleep(0.001)  # a round trip
        times.append(time.monotonic())

    monkeypatch.setattr(deliveries, "enqueue_job", enqueue_job)
    return times


async def test_wake_ups_are_at_most_one_every_every_s_and_none_is_lost(
    enqueued: list[float],
) -> None:
    waker = Waker(cast("asyncpg.Pool", _Pool()), "job", every_s=0.1)
    started = time.monotonic()
    waker.wake_soon()
    await asyncio.sleep(0.01)
    assert len(enqueued) == 1  # the first at once
    last_call = 0.0
    while time.monotonic() - started < 0.35:  # a purchase every 5 ms
        waker.wake_soon()
        last_call = time.monotonic()
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.25)
    gaps = [later - earlier for earlier, later in itertools.pairwise(enqueued)]
    assert 2 <= len(enqueued) <= 5, enqueued  # not one per call (70 calls)
    assert all(gap >= 0.09 for gap in gaps), gaps
    assert enqueued[-1] >= last_call  # the last call still got a job after it


async def test_without_every_s_a_wake_up_is_not_delayed(enqueued: list[float]) -> None:
    waker = Waker(cast("asyncpg.Pool", _Pool()), "job")
    for _ in range(3):
        started = time.monotonic()
        await waker.wake()
        assert time.monotonic() - started < 0.05
    assert len(enqueued) == 3
