"""Queries of the webhooks, returning msgspec Structs (statements in ``webhooks/sql/``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.sqlfiles import load_queries
from catalogue.webhooks.models import DeliveryStatus, DeliveryView, WebhookEvent
from catalogue.webhooks.records import (
    DueDelivery,
    ExpiredLicence,
    SealedSecret,
    StoredAttempt,
    StoredWebhook,
)

SQL = load_queries("catalogue.webhooks")


# Events.


async def insert_delivery(conn: Connection, publisher_id: UUID, event: WebhookEvent) -> bool:
    """The event to deliver, only when the publisher has a webhook; whether it was written."""
    written = await conn.fetchval(
        SQL["insert_delivery"], event.id, publisher_id, event.type, event, event.created_at
    )
    return written is not None


async def see_expired_licences(conn: Connection, now: datetime, batch: int) -> list[ExpiredLicence]:
    """In the caller's transaction: licences ended by ``now`` and not seen yet, marked seen."""
    return await fetch_all(conn, ExpiredLicence, SQL["see_expired_licences"], now, batch)


# Webhooks and their secrets.


async def publisher_exists(conn: Connection, publisher_id: UUID) -> bool:
    return bool(await conn.fetchval(SQL["publisher_exists"], publisher_id))


async def upsert_webhook(
    conn: Connection, publisher_id: UUID, url: str, sealed: bytes
) -> StoredWebhook:
    """Created with its sealed secret, or (already there) given the new URL only."""
    webhook = await fetch_one(conn, StoredWebhook, SQL["upsert_webhook"], publisher_id, url, sealed)
    assert webhook is not None  # an upsert returns its row
    return webhook


async def rotate_secret(
    conn: Connection, publisher_id: UUID, sealed: bytes
) -> StoredWebhook | None:
    return await fetch_one(conn, StoredWebhook, SQL["rotate_webhook_secret"], publisher_id, sealed)


async def webhook(conn: Connection, publisher_id: UUID) -> StoredWebhook | None:
    return await fetch_one(conn, StoredWebhook, SQL["webhook"], publisher_id)


async def delete_webhook(conn: Connection, publisher_id: UUID) -> bool:
    """Whether there was one."""
    return await conn.fetchval(SQL["delete_webhook"], publisher_id) is not None


async def sealed_secrets(conn: Connection) -> list[SealedSecret]:
    """In the caller's transaction: every webhook secret, locked (FOR UPDATE)."""
    return await fetch_all(conn, SealedSecret, SQL["webhook_secrets"])


async def reseal(conn: Connection, publisher_id: UUID, sealed: bytes) -> None:
    await conn.execute(SQL["reseal_webhook_secret"], publisher_id, sealed)


# Deliveries.


async def abandon_deliveries(conn: Connection, publisher_id: UUID, reason: str) -> None:
    """A removed webhook's pending deliveries fail with ``reason``."""
    await conn.execute(SQL["abandon_deliveries"], publisher_id, reason)


async def deliveries(
    conn: Connection,
    publisher_id: UUID,
    status: DeliveryStatus | None,
    *,
    limit: int,
    offset: int,
) -> list[DeliveryView]:
    """A publisher's deliveries, newest first; of one status, or all."""
    return await fetch_all(
        conn, DeliveryView, SQL["deliveries"], publisher_id, status, limit, offset
    )


async def count_deliveries(
    conn: Connection, publisher_id: UUID, status: DeliveryStatus | None
) -> int:
    count: int = await conn.fetchval(SQL["count_deliveries"], publisher_id, status)
    return count


async def attempts_of(conn: Connection, delivery_ids: list[UUID]) -> list[StoredAttempt]:
    """The attempts of these deliveries, by delivery then in order."""
    return await fetch_all(conn, StoredAttempt, SQL["attempts_of"], delivery_ids)


async def delivery_publisher(conn: Connection, delivery_id: UUID) -> UUID | None:
    publisher_id: UUID | None = await conn.fetchval(SQL["delivery_publisher"], delivery_id)
    return publisher_id


async def replay_delivery(conn: Connection, delivery_id: UUID) -> DeliveryView | None:
    """Due again now, with a fresh count of attempts (the log keeps the earlier ones)."""
    return await fetch_one(conn, DeliveryView, SQL["replay_delivery"], delivery_id)


async def claim_deliveries(
    conn: Connection, now: datetime, batch: int, lease_s: float
) -> list[DueDelivery]:
    """At most ``batch`` due deliveries, leased for ``lease_s`` seconds (SKIP LOCKED)."""
    return await fetch_all(conn, DueDelivery, SQL["claim_deliveries"], now, batch, lease_s)


async def record_attempt(
    conn: Connection,
    delivery_id: UUID,
    *,
    at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    status: DeliveryStatus,
    next_attempt: datetime,
) -> None:
    """One attempt in the log, and where its delivery stands after it."""
    await conn.execute(
        SQL["record_attempt"],
        delivery_id,
        at,
        status_code,
        error,
        duration_ms,
        status,
        next_attempt,
    )
