"""Publishers' webhooks: registration, secret rotation, removal, the delivery log, replays."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
import msgspec
import structlog
from cryptography.exceptions import InvalidTag

from catalogue.database import Connection
from catalogue.errors import ForbiddenError, NotFoundError, UnprocessableError
from catalogue.identity.models import Principal, Role, Scope
from catalogue.outbound import url_problem
from catalogue.resources.publishing import acting_publisher
from catalogue.webhooks import signing
from catalogue.webhooks.events import SQL, wake_deliveries
from catalogue.webhooks.models import (
    AttemptView,
    Deliveries,
    DeliveryStatus,
    DeliveryView,
    WebhookSecret,
    WebhookView,
)

log = structlog.get_logger(__name__)
REMOVED = "webhook supprimé"


def ensure_manages(principal: Principal, publisher_id: UUID) -> None:
    """National administrators manage every publisher's webhook; publishers only their own
    (their staff, or a machine client with the sales scope)."""
    if principal.has(Role.NATIONAL_ADMIN):
        return
    if acting_publisher(principal, Scope.SALES) != publisher_id:
        raise ForbiddenError("Cet éditeur n'est pas le vôtre.")


def check_url(url: str, *, production: bool) -> str:
    """https, or http to this machine outside production (a publisher's test receiver)."""
    parts = urlsplit(url.strip())
    problem = url_problem(url, production=production)
    if problem is None and parts.fragment:
        problem = "pas de fragment (#…) dans l'URL"
    if problem:
        raise UnprocessableError(
            f"URL de webhook refusée : {problem}.", errors=[{"key": "url", "message": problem}]
        )
    return parts.geturl()


async def register(
    pool: asyncpg.Pool, key: bytes, publisher_id: UUID, url: str, *, production: bool
) -> tuple[bool, WebhookSecret]:
    """Create the webhook (its secret shown once), or change the URL of the existing one."""
    url = check_url(url, production=production)
    secret = signing.new_secret()
    async with pool.acquire() as conn:
        if not await conn.fetchval(SQL["publisher_exists"], publisher_id):
            raise NotFoundError("Éditeur inconnu.")
        row = await conn.fetchrow(
            SQL["upsert_webhook"], publisher_id, url, signing.encrypt(key, publisher_id, secret)
        )
    assert row is not None
    created: bool = row["created"]
    return created, _secret_view(row, signing.shown(secret) if created else None)


async def rotate(pool: asyncpg.Pool, key: bytes, publisher_id: UUID) -> WebhookSecret:
    """A new secret; the previous one stops signing at once (deliveries still pending
    are signed with the new one)."""
    secret = signing.new_secret()
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            SQL["rotate_webhook_secret"], publisher_id, signing.encrypt(key, publisher_id, secret)
        )
    if row is None:
        raise NotFoundError("Aucun webhook pour cet éditeur.")
    return _secret_view(row, signing.shown(secret))


async def read(pool: asyncpg.Pool, publisher_id: UUID) -> WebhookView:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(SQL["webhook"], publisher_id)
    if row is None:
        raise NotFoundError("Aucun webhook pour cet éditeur.")
    return msgspec.convert(dict(row), WebhookView)


async def remove(pool: asyncpg.Pool, publisher_id: UUID) -> None:
    async with pool.acquire() as conn, conn.transaction():
        if await conn.fetchval(SQL["delete_webhook"], publisher_id) is None:
            raise NotFoundError("Aucun webhook pour cet éditeur.")
        await conn.execute(SQL["abandon_deliveries"], publisher_id, REMOVED)


async def deliveries(
    pool: asyncpg.Pool,
    publisher_id: UUID,
    *,
    status: DeliveryStatus | None,
    page: int,
    per_page: int,
) -> Deliveries:
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            SQL["deliveries"], publisher_id, status, per_page, (page - 1) * per_page
        )
        total: int = await conn.fetchval(SQL["count_deliveries"], publisher_id, status)
        attempts = await conn.fetch(SQL["attempts_of"], [row["id"] for row in rows])
    log: dict[UUID, list[AttemptView]] = defaultdict(list)
    for attempt in attempts:
        fields = {k: attempt[k] for k in AttemptView.__struct_fields__}
        log[attempt["delivery_id"]].append(AttemptView(**fields))
    return Deliveries(
        items=[_delivery(row, log[row["id"]]) for row in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


async def replay(pool: asyncpg.Pool, principal: Principal, delivery_id: UUID) -> DeliveryView:
    """Send a delivery again, whatever became of it; its log keeps the earlier attempts."""
    async with pool.acquire() as conn, conn.transaction():
        publisher_id = await conn.fetchval(SQL["delivery_publisher"], delivery_id)
        if publisher_id is None or not _may_see(principal, publisher_id):
            raise NotFoundError("Envoi introuvable.")
        if await conn.fetchrow(SQL["webhook"], publisher_id) is None:
            raise UnprocessableError("Cet éditeur n'a plus de webhook : rien où renvoyer.")
        row = await conn.fetchrow(SQL["replay_delivery"], delivery_id)
        assert row is not None
        await wake_deliveries(conn)
    return _delivery(row, [])


def _may_see(principal: Principal, publisher_id: UUID) -> bool:
    try:
        ensure_manages(principal, publisher_id)
    except ForbiddenError:
        return False
    return True


def _secret_view(row: Any, secret: str | None) -> WebhookSecret:
    return WebhookSecret(
        publisher_id=row["publisher_id"],
        url=row["url"],
        secret=secret,
        created_at=row["created_at"],
        rotated_at=row["rotated_at"],
    )


def _delivery(row: Any, attempts: list[AttemptView]) -> DeliveryView:
    fields = {k: row[k] for k in DeliveryView.__struct_fields__ if k != "attempt_log"}
    return msgspec.convert({**fields, "attempt_log": attempts}, DeliveryView, from_attributes=True)


async def reseal_secrets(conn: Connection, key: bytes, previous_key: bytes) -> int:
    """After a change of CATALOGUE_SECRET_KEY: seal under ``key`` the webhook secrets sealed
    under ``previous_key``, so publishers keep their secrets. Returns how many changed."""
    count = 0
    async with conn.transaction():
        for row in await conn.fetch(SQL["webhook_secrets"]):
            publisher_id, stored = row["publisher_id"], bytes(row["secret_encrypted"])
            if _opens(key, publisher_id, stored):
                continue  # already under the current secret
            try:
                secret = signing.decrypt(previous_key, publisher_id, stored)
            except InvalidTag:
                log.warning("webhook secret opens with neither secret", publisher_id=publisher_id)
                continue  # delivery says so; rotating the webhook's secret fixes it
            resealed = signing.encrypt(key, publisher_id, secret)
            await conn.execute(SQL["reseal_webhook_secret"], publisher_id, resealed)
            count += 1
    return count


def _opens(key: bytes, publisher_id: UUID, stored: bytes) -> bool:
    try:
        signing.decrypt(key, publisher_id, stored)
    except InvalidTag:
        return False
    return True
