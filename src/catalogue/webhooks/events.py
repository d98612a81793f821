"""Webhook events, written in the caller's transaction (an outbox) and announced to the worker.

An event exists only if its publisher has a webhook when the money moves; it is committed or
rolled back with the movement, so a publisher never hears of a purchase that did not happen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeAlias
from uuid import UUID, uuid4

import asyncpg
import structlog
from litestar.di import NamedDependency

from catalogue import deliveries
from catalogue.database import Connection
from catalogue.deliveries import enqueue_job
from catalogue.webhooks import repository
from catalogue.webhooks.models import EventData, EventLicence, EventType, WebhookEvent
from catalogue.webhooks.records import ExpiredLicence

log = structlog.get_logger(__name__)
DELIVER_JOB = "deliver-webhooks"
EXPIRY_BATCH = 500


def utcnow() -> datetime:
    return datetime.now(UTC)


def event(
    event_type: EventType,
    *,
    acquisition_id: UUID,
    offer_id: UUID,
    resource_id: UUID,
    quantity: int,
    total_cents: int,
    licence: EventLicence,
    at: datetime,
) -> WebhookEvent:
    return WebhookEvent(
        id=uuid4(),
        type=event_type,
        created_at=at,
        data=EventData(
            acquisition_id=acquisition_id,
            offer_id=offer_id,
            resource_id=resource_id,
            quantity=quantity,
            total_cents=total_cents,
            licence=licence,
        ),
    )


async def emit(
    conn: Connection, publisher_id: UUID, webhook_event: WebhookEvent, *, wake: bool = True
) -> bool:
    """Write the event if the publisher has a webhook; call inside the money's transaction.
    A batch of events wakes the worker once at its end instead (`wake_deliveries`)."""
    written = await repository.insert_delivery(conn, publisher_id, webhook_event)
    if written and wake:
        await wake_deliveries(conn)
    return written


async def wake_deliveries(conn: Connection) -> None:
    """A delivery job, visible to the worker when the caller's transaction commits."""
    await enqueue_job(conn, DELIVER_JOB)


class Waker(deliveries.Waker):
    """Wakes the webhook delivery job after commit, sharing wake-ups between concurrent
    purchases (`catalogue.deliveries.Waker`)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, DELIVER_JOB)


def _licence_of(licence: ExpiredLicence) -> EventLicence:
    return EventLicence(
        id=licence.id,
        holder_kind=licence.holder_kind,
        holder=licence.holder,
        seats=licence.seats,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
    )


async def announce_expiries(
    pool: asyncpg.Pool, *, clock: Callable[[], datetime] = utcnow, batch: int = EXPIRY_BATCH
) -> int:
    """A `licence.expired` event, once, for each licence that has ended; how many written."""
    written = 0
    while True:
        now = clock()
        async with pool.acquire() as conn, conn.transaction():
            licences = await repository.see_expired_licences(conn, now, batch)
            in_batch = 0
            for licence in licences:
                if not licence.wanted:
                    continue
                expired = event(
                    "licence.expired",
                    acquisition_id=licence.acquisition_id,
                    offer_id=licence.offer_id,
                    resource_id=licence.resource_id,
                    quantity=licence.quantity,
                    total_cents=licence.total_cents,
                    licence=_licence_of(licence),
                    at=now,
                )
                in_batch += await emit(conn, licence.publisher_id, expired, wake=False)
            if in_batch:
                await wake_deliveries(conn)
        written += in_batch
        if len(licences) < batch:
            break
    if written:
        log.info("licence expiries announced", events=written)
    return written


WebhookWaker: TypeAlias = NamedDependency[Waker]
"""Wakes the webhook delivery after a commit (``webhook_waker``)."""
