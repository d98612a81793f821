"""Queries of the GAR outbox, returning msgspec Structs (statements in ``gar/sql/``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.deliveries import DeliveryStatus
from catalogue.gar.models import GarDeliveryView
from catalogue.gar.records import (
    DueGarDelivery,
    EndedLicence,
    GarAttemptRecord,
    StoredGarAttempt,
)
from catalogue.gar.transport import GarRequest
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.gar")


async def insert_delivery(
    conn: Connection, delivery_id: UUID, licence_id: UUID, request: GarRequest, at: datetime
) -> bool:
    """The call, due at once (a PUT or a POST without its body: the worker builds it); a
    DELETE only for a subscription created before. Whether it was written."""
    body = None if request.body is None else request.body.decode()
    written = await conn.fetchval(
        SQL["insert_delivery"],
        delivery_id,
        licence_id,
        request.subscription_id,
        request.method,
        body,
        at,
    )
    return written is not None


async def claim_deliveries(
    conn: Connection, now: datetime, batch: int, lease_s: float
) -> list[DueGarDelivery]:
    """At most ``batch`` due deliveries, leased for ``lease_s`` seconds (SKIP LOCKED), with
    what the bodies they lack are built from."""
    return await fetch_all(conn, DueGarDelivery, SQL["claim_deliveries"], now, batch, lease_s)


async def record_attempts(conn: Connection, attempts: list[GarAttemptRecord]) -> None:
    """The attempts in the log, and where each delivery stands after its own: one statement."""
    await conn.execute(
        SQL["record_attempts"],
        [a.delivery_id for a in attempts],
        [a.at for a in attempts],
        [a.status_code for a in attempts],
        [a.body for a in attempts],
        [a.error for a in attempts],
        [a.duration_ms for a in attempts],
        [a.status for a in attempts],
        [a.next_attempt for a in attempts],
        [a.sent for a in attempts],
    )


async def deliveries(
    conn: Connection, status: DeliveryStatus | None, *, limit: int, offset: int
) -> list[GarDeliveryView]:
    """The deliveries, newest first; of one status, or all."""
    return await fetch_all(conn, GarDeliveryView, SQL["deliveries"], status, limit, offset)


async def count_deliveries(conn: Connection, status: DeliveryStatus | None) -> int:
    count: int = await conn.fetchval(SQL["count_deliveries"], status)
    return count


async def attempts_of(conn: Connection, delivery_ids: list[UUID]) -> list[StoredGarAttempt]:
    """The attempts of these deliveries, by delivery then in order."""
    return await fetch_all(conn, StoredGarAttempt, SQL["attempts_of"], delivery_ids)


async def replay_delivery(conn: Connection, delivery_id: UUID) -> GarDeliveryView | None:
    """Due again now, with a fresh count of attempts (the log keeps the earlier ones)."""
    return await fetch_one(conn, GarDeliveryView, SQL["replay_delivery"], delivery_id)


async def see_expired_subscriptions(
    conn: Connection, now: datetime, batch: int
) -> list[EndedLicence]:
    """In the caller's transaction: licences ended by ``now`` and not seen yet, marked seen."""
    return await fetch_all(conn, EndedLicence, SQL["see_expired_subscriptions"], now, batch)
