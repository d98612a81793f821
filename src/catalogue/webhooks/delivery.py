"""Delivering webhook events: signed POSTs, retried with exponential backoff, each logged.

Deliveries are leased (their next attempt pushed past the lease) in a short transaction, then
POSTed outside any transaction, then recorded one by one: no lock is held during a request,
and a worker that dies mid-request leaves its deliveries to be tried again when the lease
ends. Delivery is at least once: publishers deduplicate on `webhook-id`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import asyncpg
import httpx
import msgspec
import structlog
from cryptography.exceptions import InvalidTag

from catalogue.webhooks import repository, signing
from catalogue.webhooks.events import utcnow
from catalogue.webhooks.models import DeliveryStatus
from catalogue.webhooks.records import DueDelivery

log = structlog.get_logger(__name__)
MAX_ATTEMPTS = 10
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
LEASE = timedelta(minutes=2)
BATCH = 50
CONCURRENCY = 8
_MAX_ERROR = 500


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, 4 min… at most an hour."""
    return min(FIRST_DELAY * (1 << max(attempts - 1, 0)), MAX_DELAY)


class _Outcome(msgspec.Struct, frozen=True):
    status_code: int | None
    error: str | None
    duration_ms: int
    # Trying again cannot help (a URL httpx cannot read): the delivery fails at once.
    final: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def _post(http: httpx.AsyncClient, key: bytes, due: DueDelivery) -> _Outcome:
    body = msgspec.json.encode(due.payload)
    try:
        secret = signing.decrypt(key, due.publisher_id, due.secret_encrypted)
    except InvalidTag:  # the server secret changed since: rotating the webhook's fixes it
        return _Outcome(None, "secret illisible : faites tourner le secret du webhook", 0)
    headers = signing.headers(secret, str(due.id), int(time.time()), body)
    started = time.monotonic()
    try:
        response = await http.post(due.url, content=body, headers=headers)
    except httpx.InvalidURL as exc:
        return _Outcome(None, f"InvalidURL: {exc}"[:_MAX_ERROR], 0, final=True)
    except httpx.HTTPError as exc:
        elapsed = int((time.monotonic() - started) * 1000)
        return _Outcome(None, f"{type(exc).__name__}: {exc}"[:_MAX_ERROR], elapsed)
    elapsed = int((time.monotonic() - started) * 1000)
    error = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return _Outcome(response.status_code, error, elapsed)


async def _record(pool: asyncpg.Pool, due: DueDelivery, outcome: _Outcome, at: datetime) -> str:
    attempts = due.attempts + 1
    status: DeliveryStatus
    if outcome.delivered:
        status, next_attempt = "delivered", at
    elif attempts >= MAX_ATTEMPTS or outcome.final:
        status, next_attempt = "failed", at
    else:
        status, next_attempt = "pending", at + backoff(attempts)
    async with pool.acquire() as conn:
        await repository.record_attempt(
            conn,
            due.id,
            at=at,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            status=status,
            next_attempt=next_attempt,
        )
    fields = {
        "delivery_id": str(due.id),
        "publisher_id": str(due.publisher_id),
        "attempt": attempts,
        "status_code": outcome.status_code,
    }
    if status == "delivered":
        log.info("webhook delivered", **fields)
    else:
        log.warning("webhook not delivered", outcome=status, **fields)
    return status


async def deliver_once(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    key: bytes,
    *,
    clock: Callable[[], datetime] = utcnow,
    batch: int = BATCH,
) -> int:
    """One batch of due deliveries attempted; how many were."""
    now = clock()
    async with pool.acquire() as conn:
        claimed = await repository.claim_deliveries(conn, now, batch, LEASE.total_seconds())
    if not claimed:
        return 0
    limit = asyncio.Semaphore(CONCURRENCY)

    async def attempt(due: DueDelivery) -> None:
        async with limit:
            outcome = await _post(http, key, due)
        await _record(pool, due, outcome, clock())

    await asyncio.gather(*(attempt(due) for due in claimed))
    return len(claimed)


async def drain(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    key: bytes,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """Every delivery due now attempted once (a failure waits for its backoff)."""
    total = 0
    while handled := await deliver_once(pool, http, key, clock=clock):
        total += handled
    return total
