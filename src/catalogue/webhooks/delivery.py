"""Delivering webhook events: signed POSTs, retried with exponential backoff, each logged.

Deliveries are leased (their next attempt pushed past the lease) in a short transaction, then
POSTed outside any transaction, then recorded one by one: no lock is held during a request,
and a worker that dies mid-request leaves its deliveries to be tried again when the lease
ends. Delivery is at least once: publishers deduplicate on `webhook-id`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import asyncpg
import httpx
import msgspec
import structlog
from cryptography.exceptions import InvalidTag

from catalogue import deliveries
from catalogue.deliveries import FIRST_DELAY, LEASE, MAX_ATTEMPTS, Outcome, backoff, settle
from catalogue.webhooks import repository, signing
from catalogue.webhooks.events import utcnow
from catalogue.webhooks.records import DueDelivery

__all__ = ["FIRST_DELAY", "MAX_ATTEMPTS", "backoff", "deliver_once", "drain"]
log = structlog.get_logger(__name__)


async def _post(http: httpx.AsyncClient, key: bytes, due: DueDelivery) -> Outcome:
    body = msgspec.json.encode(due.payload)
    try:
        secret = signing.decrypt(key, due.publisher_id, due.secret_encrypted)
    except InvalidTag:  # the server secret changed since: rotating the webhook's fixes it
        return Outcome(None, "secret illisible : faites tourner le secret du webhook", 0)
    headers = signing.headers(secret, str(due.id), int(time.time()), body)

    async def call() -> tuple[int, None]:
        response = await http.post(due.url, content=body, headers=headers)
        return response.status_code, None

    return await deliveries.attempt(call)


async def _record(pool: asyncpg.Pool, due: DueDelivery, outcome: Outcome, at: datetime) -> str:
    attempts = due.attempts + 1
    status, next_attempt = settle(attempts, outcome, at)
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
    batch: int = deliveries.BATCH,
) -> int:
    """One batch of due deliveries attempted; how many were."""
    async with pool.acquire() as conn:
        claimed = await repository.claim_deliveries(conn, clock(), batch, LEASE.total_seconds())

    async def send(due: DueDelivery) -> Outcome:
        return await _post(http, key, due)

    async def record(due: DueDelivery, outcome: Outcome, at: datetime) -> str:
        return await _record(pool, due, outcome, at)

    return await deliveries.deliver_batch(claimed, send, record, clock)


async def drain(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    key: bytes,
    *,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """Every delivery due now attempted once (a failure waits for its backoff)."""
    return await deliveries.drain(lambda: deliver_once(pool, http, key, clock=clock))
