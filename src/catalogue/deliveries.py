"""Delivering an outbox to an outside party, the way the webhooks and the GAR subscriptions
both do: due rows leased in a short transaction, sent outside any transaction (at most
`CONCURRENCY` at once), each attempt recorded with where its row stands after it. A failure
waits for a backoff stored in its row (`backoff`), not in a loop; after `MAX_ATTEMPTS` the
row fails until someone replays it. A worker that dies mid-request leaves its rows to be
tried again when their lease ends: delivery is at least once.

The wake-ups of a delivery job after a commit (`Waker`) live here too.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Literal, TypeVar

import asyncpg
import httpx
import msgspec
import structlog
from pgqueuer import AsyncpgDriver, Queries

from catalogue.database import Connection

log = structlog.get_logger(__name__)
DeliveryStatus = Literal["pending", "delivered", "failed"]
MAX_ATTEMPTS = 10
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
LEASE = timedelta(minutes=2)
BATCH = 50
CONCURRENCY = 8
MAX_ERROR = 500  # characters of an error kept in the log
T = TypeVar("T")


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, 4 min… at most an hour."""
    return min(FIRST_DELAY * (1 << max(attempts - 1, 0)), MAX_DELAY)


class Outcome(msgspec.Struct, frozen=True):
    """What one attempt got: an HTTP status (and the start of the answer's body), or why
    there was none."""

    status_code: int | None
    error: str | None
    duration_ms: int
    # Trying again cannot help (a URL httpx cannot read): the delivery fails at once.
    final: bool = False
    body: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def settle(attempts: int, outcome: Outcome, at: datetime) -> tuple[DeliveryStatus, datetime]:
    """Where a delivery stands after its `attempts`-th attempt, and when it is due again."""
    if outcome.delivered:
        return "delivered", at
    if attempts >= MAX_ATTEMPTS or outcome.final:
        return "failed", at
    return "pending", at + backoff(attempts)


async def attempt(call: Callable[[], Awaitable[tuple[int, str | None]]]) -> Outcome:
    """One request (`call` answers its status and what of its body to keep), timed; a
    failure to get an answer is an outcome too, never an exception."""
    started = time.monotonic()
    try:
        status, body = await call()
    except httpx.InvalidURL as exc:
        return Outcome(None, f"InvalidURL: {exc}"[:MAX_ERROR], 0, final=True)
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR], _since(started))
    error = None if 200 <= status < 300 else f"HTTP {status}"
    return Outcome(status, error, _since(started), body=body)


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


async def deliver_batch(
    claimed: Sequence[T],
    send: Callable[[T], Awaitable[Outcome]],
    record: Callable[[T, Outcome, datetime], Awaitable[object]],
    clock: Callable[[], datetime],
) -> int:
    """Each leased row sent (at most CONCURRENCY at once) and its attempt recorded."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(due: T) -> None:
        async with limit:
            outcome = await send(due)
        await record(due, outcome, clock())

    await asyncio.gather(*(one(due) for due in claimed))
    return len(claimed)


async def send_all(claimed: Sequence[T], send: Callable[[T], Awaitable[Outcome]]) -> list[Outcome]:
    """Each leased row sent (at most CONCURRENCY at once); their outcomes, in their order,
    for the caller to record in one go."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(due: T) -> Outcome:
        async with limit:
            return await send(due)

    return list(await asyncio.gather(*(one(due) for due in claimed)))


async def drain(once: Callable[[], Awaitable[int]]) -> int:
    """Batches attempted until none is due (a failure waits for its backoff)."""
    total = 0
    while handled := await once():
        total += handled
    return total


async def enqueue_job(conn: Connection, job: str) -> None:
    """A job, visible to the worker when the caller's transaction commits."""
    await Queries(AsyncpgDriver(conn)).enqueue(job, None)  # type: ignore[arg-type]


class Waker:
    """Wake-ups of a delivery job after commit, shared by concurrent callers.

    Each job enqueued commits a NOTIFY, and PostgreSQL serialises committing transactions
    that notify: one job per purchase would make purchases queue on each other's commits.
    A caller instead waits for a job enqueued after it called (so after its own commit); all
    the callers that arrive while one job is being enqueued share the next one. With
    `every_s`, jobs are enqueued at most that often: the callers of the wait share one.
    """

    def __init__(self, pool: asyncpg.Pool, job: str, *, every_s: float = 0.0) -> None:
        self._pool = pool
        self._job = job
        self._every_s = every_s
        self._last = -math.inf  # when the last job was enqueued (monotonic)
        self._running: asyncio.Future[None] | None = None
        self._queued: asyncio.Future[None] | None = None

    async def wake(self) -> None:
        await asyncio.shield(self._next())

    def wake_soon(self) -> None:
        """The same wake-up, without waiting for it: for rows nobody waits on (a lost
        wake-up, the process ending first, leaves them to the minute sweep)."""
        self._next()

    def _next(self) -> asyncio.Future[None]:
        if self._queued is None:
            self._queued = asyncio.ensure_future(self._enqueue(self._running))
        return self._queued

    async def _enqueue(self, previous: asyncio.Future[None] | None) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        if (wait := self._last + self._every_s - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        self._running, self._queued = self._queued, None
        self._last = time.monotonic()
        try:
            async with self._pool.acquire() as conn:
                await enqueue_job(conn, self._job)
        except Exception:  # the rows are committed: the minute sweep sends them
            log.warning("delivery job not enqueued", job=self._job, exc_info=True)
