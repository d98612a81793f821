"""Delivering the GAR outbox: each call sent with the platform's client certificate (mutual
TLS), retried with the webhooks' backoff (`catalogue.deliveries`), each attempt logged with
the status and the start of the answer. A non-2xx answer is recorded and tried again; a
subscription's calls go in the order they were written (claim_deliveries.sql)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import httpx
import structlog

from catalogue import deliveries
from catalogue.config import GarSettings
from catalogue.deliveries import LEASE, Outcome, settle
from catalogue.gar import repository, transport
from catalogue.gar.outbox import utcnow
from catalogue.gar.records import DueGarDelivery
from catalogue.gar.transport import GarRequest

log = structlog.get_logger(__name__)


async def _call(http: httpx.AsyncClient, gar: GarSettings, due: DueGarDelivery) -> Outcome:
    request = GarRequest(
        method=due.method,
        subscription_id=due.subscription_id,
        body=None if due.body is None else due.body.encode(),
    )

    async def call() -> tuple[int, str]:
        answer = await transport.send(http, gar, request)
        return answer.status, answer.body

    return await deliveries.attempt(call)


async def _record(pool: asyncpg.Pool, due: DueGarDelivery, outcome: Outcome, at: datetime) -> str:
    attempts = due.attempts + 1
    status, next_attempt = settle(attempts, outcome, at)
    async with pool.acquire() as conn:
        await repository.record_attempt(
            conn,
            due.id,
            at=at,
            status_code=outcome.status_code,
            body=outcome.body or None,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            status=status,
            next_attempt=next_attempt,
        )
    fields = {
        "delivery_id": str(due.id),
        "method": due.method,
        "attempt": attempts,
        "status_code": outcome.status_code,
    }
    if status == "delivered":
        log.info("gar subscription delivered", **fields)
    else:
        log.warning("gar subscription not delivered", outcome=status, **fields)
    return status


async def deliver_once(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    gar: GarSettings,
    *,
    clock: Callable[[], datetime] = utcnow,
    batch: int = deliveries.BATCH,
) -> int:
    """One batch of due calls attempted; how many were."""
    async with pool.acquire() as conn:
        claimed = await repository.claim_deliveries(conn, clock(), batch, LEASE.total_seconds())

    async def send(due: DueGarDelivery) -> Outcome:
        return await _call(http, gar, due)

    async def record(due: DueGarDelivery, outcome: Outcome, at: datetime) -> str:
        return await _record(pool, due, outcome, at)

    return await deliveries.deliver_batch(claimed, send, record, clock)


async def drain(
    pool: asyncpg.Pool,
    gar: GarSettings,
    *,
    http: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """Every call due now attempted once (a failure waits for its backoff), over `http` or
    a client of its own with the platform's certificate."""
    if http is not None:
        return await deliveries.drain(lambda: deliver_once(pool, http, gar, clock=clock))
    async with transport.gar_client(gar) as own:
        return await deliveries.drain(lambda: deliver_once(pool, own, gar, clock=clock))
