"""Delivering the GAR outbox: each call sent with the platform's client certificate (mutual
TLS), retried with the webhooks' backoff (`catalogue.deliveries`), each attempt logged with
the status and the start of the answer. A non-2xx answer is recorded and tried again; a
subscription's calls go in the order they were written (claim_deliveries.sql).

A batch costs the database two statements whatever its size: one leases the due calls with
what the bodies they lack are built from, one records every attempt. A PUT's or a POST's body
is built here when the call is first sent, from the licence and its resource as they stand
then, and kept with the call: a retry or a replay sends the same body. A body that cannot be
built (data the GAR would refuse) fails its delivery at once, with why, until replayed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
import httpx
import msgspec
import structlog

from catalogue import deliveries
from catalogue.config import GarSettings
from catalogue.deliveries import LEASE, MAX_ERROR, Outcome, settle
from catalogue.gar import repository, transport
from catalogue.gar.licences import Subscribed, body_of
from catalogue.gar.outbox import utcnow
from catalogue.gar.records import DueGarDelivery, GarAttemptRecord
from catalogue.gar.transport import GarRequest

log = structlog.get_logger(__name__)


class _UnbuiltError(Exception):
    """A call's body could not be built: its delivery fails with this reason."""


def _licence(due: DueGarDelivery) -> Subscribed:
    """What the body of a call without one is built from."""
    if due.gar_id is None:
        raise _UnbuiltError("the resource has neither a GAR id nor an ARK")
    try:
        return msgspec.convert(
            {
                "licence_id": due.licence_id,
                "seats": due.seats,
                "valid_from": due.valid_from,
                "valid_until": due.valid_until,
                "gar_id": due.gar_id,
                "title": due.title,
                "licence_type": due.licence_type,
                "offer_seats": due.offer_seats,
                "uai": due.uai,
            },
            Subscribed,
        )
    except msgspec.ValidationError as exc:
        raise _UnbuiltError(f"its licence, offer or resource is gone ({exc})") from None


def request_of(gar: GarSettings, due: DueGarDelivery) -> GarRequest:
    """The call to send: its body as kept, or built now (a PUT or a POST never sent)."""
    if due.body is not None:
        return GarRequest(
            method=due.method, subscription_id=due.subscription_id, body=due.body.encode()
        )
    if due.method == "DELETE":
        return GarRequest(method="DELETE", subscription_id=due.subscription_id)
    try:
        built = body_of(gar, due.method, _licence(due))
    except (msgspec.ValidationError, ValueError) as exc:
        raise _UnbuiltError(str(exc)) from None
    return GarRequest(method=due.method, subscription_id=due.subscription_id, body=built)


async def _call(http: httpx.AsyncClient, gar: GarSettings, request: GarRequest) -> Outcome:
    async def call() -> tuple[int, str]:
        answer = await transport.send(http, gar, request)
        return answer.status, answer.body

    return await deliveries.attempt(call)


def _unbuilt(due: DueGarDelivery, reason: str) -> Outcome:
    log.warning("gar subscription not built", delivery_id=str(due.id), error=reason)
    return Outcome(None, f"body not built: {reason}"[:MAX_ERROR], 0, final=True)


def _recorded(
    due: DueGarDelivery, request: GarRequest | None, outcome: Outcome, at: datetime
) -> GarAttemptRecord:
    status, next_attempt = settle(due.attempts + 1, outcome, at)
    if status != "delivered":
        log.warning(
            "gar subscription not delivered",
            delivery_id=str(due.id),
            method=due.method,
            attempt=due.attempts + 1,
            status_code=outcome.status_code,
            outcome=status,
        )
    sent = None if request is None or request.body is None else request.body.decode()
    return GarAttemptRecord(
        delivery_id=due.id,
        at=at,
        status_code=outcome.status_code,
        body=outcome.body or None,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
        status=status,
        next_attempt=next_attempt,
        sent=sent if due.body is None else None,
    )


async def deliver_once(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    gar: GarSettings,
    *,
    clock: Callable[[], datetime] = utcnow,
    batch: int = deliveries.BATCH,
) -> int:
    """One batch of due calls attempted, and recorded in one statement; how many were."""
    async with pool.acquire() as conn:
        claimed = await repository.claim_deliveries(conn, clock(), batch, LEASE.total_seconds())
    if not claimed:
        return 0
    requests: dict[int, GarRequest] = {}
    unbuilt: dict[int, Outcome] = {}
    for number, due in enumerate(claimed):
        try:
            requests[number] = request_of(gar, due)
        except _UnbuiltError as exc:
            unbuilt[number] = _unbuilt(due, str(exc))

    async def send(number: int) -> Outcome:
        return await _call(http, gar, requests[number])

    outcomes = unbuilt | dict(
        zip(requests, await deliveries.send_all(list(requests), send), strict=True)
    )
    at = clock()
    records = [
        _recorded(due, requests.get(number), outcomes[number], at)
        for number, due in enumerate(claimed)
    ]
    async with pool.acquire() as conn:
        await repository.record_attempts(conn, records)
    delivered = sum(record.status == "delivered" for record in records)
    log.info("gar subscriptions attempted", attempted=len(records), delivered=delivered)
    return len(claimed)


async def drain(
    pool: asyncpg.Pool,
    gar: GarSettings,
    *,
    http: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> int:
    """Every call due now attempted once (a failure waits for its backoff), over `http` or
    a client of its own with the platform's certificate (one for the whole drain)."""
    if http is not None:
        return await deliveries.drain(lambda: deliver_once(pool, http, gar, clock=clock))
    async with transport.gar_client(gar) as own:
        return await deliveries.drain(lambda: deliver_once(pool, own, gar, clock=clock))
