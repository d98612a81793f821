"""The GAR delivery log and replays, for national administrators (API and pages)."""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

import asyncpg
import msgspec
import structlog

from catalogue.config import GarSettings
from catalogue.deliveries import DeliveryStatus
from catalogue.errors import NotFoundError, UnprocessableError
from catalogue.gar import repository
from catalogue.gar.models import GarAttemptView, GarDeliveries, GarDeliveryView
from catalogue.gar.outbox import wake_delivery

log = structlog.get_logger(__name__)


async def deliveries(
    pool: asyncpg.Pool, *, status: DeliveryStatus | None, page: int, per_page: int
) -> GarDeliveries:
    """The calls to the GAR, newest first, each with its attempts."""
    async with pool.acquire() as conn:
        stored = await repository.deliveries(
            conn, status, limit=per_page, offset=(page - 1) * per_page
        )
        total = await repository.count_deliveries(conn, status)
        attempts = await repository.attempts_of(conn, [one.id for one in stored])
    attempt_log: dict[UUID, list[GarAttemptView]] = defaultdict(list)
    for attempt in attempts:
        attempt_log[attempt.delivery_id].append(
            GarAttemptView(
                at=attempt.at,
                status_code=attempt.status_code,
                body=attempt.body,
                error=attempt.error,
                duration_ms=attempt.duration_ms,
            )
        )
    return GarDeliveries(
        items=[msgspec.structs.replace(one, attempt_log=attempt_log[one.id]) for one in stored],
        total=total,
        page=page,
        per_page=per_page,
    )


async def replay(pool: asyncpg.Pool, gar: GarSettings | None, delivery_id: UUID) -> GarDeliveryView:
    """Send a call again, whatever became of it; its log keeps the earlier attempts."""
    if gar is None:
        raise UnprocessableError("Le GAR n'est pas configuré : rien où renvoyer.")
    async with pool.acquire() as conn, conn.transaction():
        replayed = await repository.replay_delivery(conn, delivery_id)
        if replayed is None:
            raise NotFoundError("Envoi au GAR introuvable.")
        await wake_delivery(conn)
    log.info("gar delivery replayed", delivery_id=str(delivery_id))
    return replayed
