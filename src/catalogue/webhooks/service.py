"""Publishers' webhooks: registration, secret rotation, removal, the delivery log, replays."""

from __future__ import annotations

from collections import defaultdict
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
from catalogue.webhooks import repository, signing
from catalogue.webhooks.events import wake_deliveries
from catalogue.webhooks.models import (
    AttemptView,
    Deliveries,
    DeliveryStatus,
    DeliveryView,
    WebhookSecret,
    WebhookView,
)
from catalogue.webhooks.records import StoredWebhook

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
        if not await repository.publisher_exists(conn, publisher_id):
            raise NotFoundError("Éditeur inconnu.")
        webhook = await repository.upsert_webhook(
            conn, publisher_id, url, signing.encrypt(key, publisher_id, secret)
        )
    created = webhook.created
    return created, _secret_view(webhook, signing.shown(secret) if created else None)


async def rotate(pool: asyncpg.Pool, key: bytes, publisher_id: UUID) -> WebhookSecret:
    """A new secret; the previous one stops signing at once (deliveries still pending
    are signed with the new one)."""
    secret = signing.new_secret()
    async with pool.acquire() as conn:
        webhook = await repository.rotate_secret(
            conn, publisher_id, signing.encrypt(key, publisher_id, secret)
        )
    if webhook is None:
        raise NotFoundError("Aucun webhook pour cet éditeur.")
    return _secret_view(webhook, signing.shown(secret))


async def read(pool: asyncpg.Pool, publisher_id: UUID) -> WebhookView:
    async with pool.acquire() as conn:
        webhook = await repository.webhook(conn, publisher_id)
    if webhook is None:
        raise NotFoundError("Aucun webhook pour cet éditeur.")
    return WebhookView(
        publisher_id=webhook.publisher_id,
        url=webhook.url,
        created_at=webhook.created_at,
        rotated_at=webhook.rotated_at,
    )


async def remove(pool: asyncpg.Pool, publisher_id: UUID) -> None:
    async with pool.acquire() as conn, conn.transaction():
        if not await repository.delete_webhook(conn, publisher_id):
            raise NotFoundError("Aucun webhook pour cet éditeur.")
        await repository.abandon_deliveries(conn, publisher_id, REMOVED)


async def deliveries(
    pool: asyncpg.Pool,
    publisher_id: UUID,
    *,
    status: DeliveryStatus | None,
    page: int,
    per_page: int,
) -> Deliveries:
    async with pool.acquire() as conn:
        stored = await repository.deliveries(
            conn, publisher_id, status, limit=per_page, offset=(page - 1) * per_page
        )
        total = await repository.count_deliveries(conn, publisher_id, status)
        attempts = await repository.attempts_of(conn, [one.id for one in stored])
    log: dict[UUID, list[AttemptView]] = defaultdict(list)
    for attempt in attempts:
        log[attempt.delivery_id].append(
            AttemptView(
                at=attempt.at,
                status_code=attempt.status_code,
                error=attempt.error,
                duration_ms=attempt.duration_ms,
            )
        )
    return Deliveries(
        items=[_delivery(one, log[one.id]) for one in stored],
        total=total,
        page=page,
        per_page=per_page,
    )


async def replay(pool: asyncpg.Pool, principal: Principal, delivery_id: UUID) -> DeliveryView:
    """Send a delivery again, whatever became of it; its log keeps the earlier attempts."""
    async with pool.acquire() as conn, conn.transaction():
        publisher_id = await repository.delivery_publisher(conn, delivery_id)
        if publisher_id is None or not _may_see(principal, publisher_id):
            raise NotFoundError("Envoi introuvable.")
        if await repository.webhook(conn, publisher_id) is None:
            raise UnprocessableError("Cet éditeur n'a plus de webhook : rien où renvoyer.")
        replayed = await repository.replay_delivery(conn, delivery_id)
        assert replayed is not None  # its publisher was read in this transaction
        await wake_deliveries(conn)
    return _delivery(replayed, [])


def _may_see(principal: Principal, publisher_id: UUID) -> bool:
    try:
        ensure_manages(principal, publisher_id)
    except ForbiddenError:
        return False
    return True


def _secret_view(webhook: StoredWebhook, secret: str | None) -> WebhookSecret:
    return WebhookSecret(
        publisher_id=webhook.publisher_id,
        url=webhook.url,
        secret=secret,
        created_at=webhook.created_at,
        rotated_at=webhook.rotated_at,
    )


def _delivery(stored: DeliveryView, attempts: list[AttemptView]) -> DeliveryView:
    return msgspec.structs.replace(stored, attempt_log=attempts)


async def reseal_secrets(conn: Connection, key: bytes, previous_key: bytes) -> int:
    """After a change of CATALOGUE_SECRET_KEY: seal under ``key`` the webhook secrets sealed
    under ``previous_key``, so publishers keep their secrets. Returns how many changed."""
    count = 0
    async with conn.transaction():
        for sealed in await repository.sealed_secrets(conn):
            publisher_id, stored = sealed.publisher_id, sealed.secret_encrypted
            if _opens(key, publisher_id, stored):
                continue  # already under the current secret
            try:
                secret = signing.decrypt(previous_key, publisher_id, stored)
            except InvalidTag:
                log.warning("webhook secret opens with neither secret", publisher_id=publisher_id)
                continue  # delivery says so; rotating the webhook's secret fixes it
            resealed = signing.encrypt(key, publisher_id, secret)
            await repository.reseal(conn, publisher_id, resealed)
            count += 1
    return count


def _opens(key: bytes, publisher_id: UUID, stored: bytes) -> bool:
    try:
        signing.decrypt(key, publisher_id, stored)
    except InvalidTag:
        return False
    return True
