"""The GAR outbox: calls to the subscription service, written in the transaction that moves
the money (the compte ressource calls `enqueue`, or writes the creation in its purchase's own
statement), and announced to the worker after the commit (`GarOutbox.waker`).

With GAR not configured (no ``CATALOGUE_GAR_URL``), there is no `GarOutbox` and nothing is
written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import structlog

from catalogue.config import GarSettings
from catalogue.database import Connection
from catalogue.deliveries import Waker, enqueue_job
from catalogue.gar import repository
from catalogue.gar.licences import Subscribed, update_of
from catalogue.gar.records import EndedLicence
from catalogue.gar.transport import GarRequest

log = structlog.get_logger(__name__)
GAR_JOB = "deliver-gar-subscriptions"
EXPIRY_BATCH = 500


class GarOutbox:
    """What writing to the GAR outbox needs: the settings the bodies are built with, and
    the wake-ups of the delivery job shared by concurrent purchases."""

    def __init__(self, pool: asyncpg.Pool, settings: GarSettings) -> None:
        self.settings = settings
        self.waker = Waker(pool, GAR_JOB)


async def enqueue(
    conn: Connection, licence_id: UUID, request: GarRequest, at: datetime, *, wake: bool = True
) -> bool:
    """Write the call in the caller's transaction (a DELETE only for a subscription that was
    created); with `wake`, the delivery job commits with it. Whether it was written."""
    written = await repository.insert_delivery(conn, uuid4(), licence_id, request, at)
    if written and wake:
        await wake_delivery(conn)
    return written


async def wake_delivery(conn: Connection) -> None:
    """A delivery job, visible to the worker when the caller's transaction commits."""
    await enqueue_job(conn, GAR_JOB)


def utcnow() -> datetime:
    return datetime.now(UTC)


async def announce_expiries(
    pool: asyncpg.Pool,
    gar: GarSettings,
    *,
    clock: Callable[[], datetime] = utcnow,
    batch: int = EXPIRY_BATCH,
) -> int:
    """An update (POST), once, of the subscription of each licence that has ended, so that
    the GAR holds its validity as it ended; how many written."""
    written = 0
    while True:
        now = clock()
        async with pool.acquire() as conn, conn.transaction():
            ended = await repository.see_expired_subscriptions(conn, now, batch)
            in_batch = 0
            for licence in ended:
                if not licence.subscribed or licence.gar_id is None:
                    continue
                request = update_of(gar, _subscribed(licence, licence.gar_id))
                if request is not None:
                    in_batch += await enqueue(conn, licence.licence_id, request, now, wake=False)
            if in_batch:
                await wake_delivery(conn)
        written += in_batch
        if len(ended) < batch:
            break
    if written:
        log.info("gar subscription expiries announced", updates=written)
    return written


def _subscribed(licence: EndedLicence, gar_id: str) -> Subscribed:
    return Subscribed(
        licence_id=licence.licence_id,
        seats=licence.seats,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        gar_id=gar_id,
        title=licence.title,
        licence_type=licence.licence_type,
        offer_seats=licence.offer_seats,
        uai=licence.uai,
    )
