"""The GAR outbox: calls to the subscription service, written in the transaction that moves
the money (the compte ressource calls `enqueue`, or writes the creation in its purchase's own
statement), and announced to the worker after the commit (`GarOutbox.waker`).

A call is written as its method and its licence (`call`): the worker builds a PUT's or a
POST's body when it first sends it (`catalogue.gar.delivery`), so that a purchase pays for one
small row, not for the XML. With GAR not configured (no ``CATALOGUE_GAR_URL``), there is no
`GarOutbox` and nothing is written.
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
from catalogue.gar.transport import GarRequest, Method

log = structlog.get_logger(__name__)
GAR_JOB = "deliver-gar-subscriptions"
EXPIRY_BATCH = 500
# Purchases wake the GAR's worker at most this often (seconds): each wake-up is a job and a
# NOTIFY committed, and one drain sends every call written since the last.
WAKE_EVERY_S = 0.5


class GarOutbox:
    """What writing to the GAR outbox needs: the settings (GAR sync is on), and the wake-ups
    of the delivery job shared by concurrent purchases, at most one every WAKE_EVERY_S."""

    def __init__(self, pool: asyncpg.Pool, settings: GarSettings) -> None:
        self.settings = settings
        self.waker = Waker(pool, GAR_JOB, every_s=WAKE_EVERY_S)


def call(method: Method, licence_id: UUID) -> GarRequest:
    """A call to the licence's subscription as the outbox holds it: without a body, which
    the worker builds (PUT, POST) when it first sends it."""
    return GarRequest(method=method, subscription_id=str(licence_id))


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
    *,
    clock: Callable[[], datetime] = utcnow,
    batch: int = EXPIRY_BATCH,
) -> int:
    """An update (POST), once, of the subscription of each licence that has ended, so that
    the GAR holds its validity as it ended; how many written. Called with GAR sync on; the
    worker builds the bodies with the settings."""
    written = 0
    while True:
        now = clock()
        async with pool.acquire() as conn, conn.transaction():
            ended = await repository.see_expired_subscriptions(conn, now, batch)
            in_batch = 0
            for licence in ended:
                if licence.subscribed:
                    update = call("POST", licence.licence_id)
                    in_batch += await enqueue(conn, licence.licence_id, update, now, wake=False)
            if in_batch:
                await wake_delivery(conn)
        written += in_batch
        if len(ended) < batch:
            break
    if written:
        log.info("gar subscription expiries announced", updates=written)
    return written
