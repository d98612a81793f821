from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from catalogue import limits
from catalogue.limits import TokenBuckets, TooManyRequestsError, Turns


def test_a_bucket_allows_its_burst_then_its_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate=2, burst=3, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.5)
    assert buckets.take("b") == 0.0  # each key its own bucket
    now[0] += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_full_buckets_are_forgotten_beyond_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_REMEMBERED", 3)
    now = [0.0]
    buckets = TokenBuckets(rate=1, burst=1, clock=lambda: now[0])
    for key in "abc":
        buckets.take(key)
    now[0] += 10  # all full again
    buckets.take("d")
    assert len(buckets._buckets) == 1


async def test_turns_let_a_few_run_at_once_and_refuse_after_waiting() -> None:
    turns = Turns(limit=2, wait_s=0.05)
    release = asyncio.Event()
    running = 0

    async def work() -> None:
        nonlocal running
        running += 1
        await release.wait()

    first = [asyncio.create_task(turns.run("k", work)) for _ in range(2)]
    await asyncio.sleep(0)  # one turn of the loop: both have started
    with pytest.raises(TooManyRequestsError) as refused:
        await turns.run("k", work)
    assert refused.value.headers == {"Retry-After": "1"}
    await turns.run("other", lambda: asyncio.sleep(0))  # another caller is not held up
    release.set()
    await asyncio.gather(*first)
    assert running == 2
    assert turns._slots == {}


async def test_a_free_turn_is_taken_at_once_and_a_newcomer_never_passes_one_waiting() -> None:
    """The fast path (a free slot, nobody waiting: no timer task) keeps the turns' order."""
    turns = Turns(limit=1, wait_s=1.0)
    started: list[str] = []
    release = {name: asyncio.Event() for name in "abc"}

    def work(name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            started.append(name)
            await release[name].wait()

        return run

    a = asyncio.create_task(turns.run("k", work("a")))
    try:
        await asyncio.sleep(0)
        assert started == ["a"]  # a free turn: taken in the same step of the loop
        b = asyncio.create_task(turns.run("k", work("b")))
        await asyncio.sleep(0.01)  # b waits for a's turn
        release["a"].set()
        await a
        c = asyncio.create_task(turns.run("k", work("c")))  # arrives as a's turn goes to b
        await asyncio.sleep(0.01)
        assert started == ["a", "b"]
    finally:
        for event in release.values():
            event.set()
    await asyncio.gather(b, c)
    assert started == ["a", "b", "c"]
    assert turns._slots == {}
