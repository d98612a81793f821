from __future__ import annotations

import asyncio

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
