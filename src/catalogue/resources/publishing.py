"""What publishers do with their own offerings through the API, and their moderation."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from catalogue.database import Connection
from catalogue.errors import ForbiddenError, NotFoundError, UnprocessableError
from catalogue.identity.models import Principal, Role, Scope
from catalogue.identity.publishers import PublisherView
from catalogue.resources.models import Provenance, ResourceDraft, Status
from catalogue.resources.outbox import announce_changes
from catalogue.resources.service import VOCABULARY_FIELDS, SaveOutcome, save_resource
from catalogue.sqlfiles import load_queries
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.languages import normalise_language

SQL = load_queries("catalogue.resources")


class OwnResource(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    status: Status
    connector: str
    source_id: str | None
    unknown_concepts: list[str]
    updated_at: datetime


class OwnResources(msgspec.Struct, kw_only=True):
    items: list[OwnResource]
    total: int
    page: int
    per_page: int


def acting_publisher(principal: Principal, scope: Scope) -> UUID:
    """The publisher a caller acts for; a machine client also needs the scope."""
    if principal.publisher_id is None or not principal.has(Role.PUBLISHER):
        raise ForbiddenError("Réservé aux éditeurs.")
    if principal.kind == "client" and scope not in principal.scopes:
        # The client's own configuration: telling it names nobody else's data.
        message = f"Ce client n'a pas la portée {scope}."
        raise ForbiddenError(message, public=message)
    return principal.publisher_id


def check_concepts(draft: ResourceDraft, vocab: VocabularyIndex) -> None:
    """Through the API, an unknown concept or language is refused (422 naming the field), not
    stored."""
    errors: list[dict[str, Any]] = []
    for field, schemes in VOCABULARY_FIELDS.items():
        for index, uri in enumerate(getattr(draft, field)):
            if vocab.normalise([uri], schemes).unknown:
                errors.append({"key": f"{field}[{index}]", "message": f"unknown concept {uri!r}"})
    for index, language in enumerate(draft.languages):
        found = normalise_language(language)
        if found is None or not found.known:
            errors.append(
                {"key": f"languages[{index}]", "message": f"unknown language code {language!r}"}
            )
    if errors:
        detail = "; ".join(f"{e['key']}: {e['message']}" for e in errors)
        raise UnprocessableError(detail, errors=errors)


async def _owned(conn: Connection, resource_id: UUID, publisher_id: UUID) -> None:
    if await conn.fetchval(SQL["resource_owner"], resource_id) != publisher_id:
        raise NotFoundError("Ressource introuvable.")


async def put_resource(
    conn: Connection,
    vocab: VocabularyIndex,
    publisher_id: UUID,
    draft: ResourceDraft,
    *,
    resource_id: UUID | None = None,
) -> SaveOutcome:
    """Create, or replace one of the publisher's resources (by id, or by identifier)."""
    check_concepts(draft, vocab)
    if resource_id is not None:
        await _owned(conn, resource_id, publisher_id)
    return await save_resource(
        conn, vocab, publisher_id, draft, Provenance(connector="api"), resource_id=resource_id
    )


async def withdraw(conn: Connection, publisher_id: UUID, resource_id: UUID) -> None:
    async with conn.transaction():
        if await conn.fetchval(SQL["withdraw_resource"], resource_id, publisher_id) is None:
            raise NotFoundError("Ressource introuvable.")
        await announce_changes(conn, [resource_id])


async def list_own(conn: Connection, publisher_id: UUID, page: int, per_page: int) -> OwnResources:
    rows = await conn.fetch(SQL["own_resources"], publisher_id, per_page, (page - 1) * per_page)
    total: int = await conn.fetchval(SQL["count_own_resources"], publisher_id)
    return OwnResources(
        items=[msgspec.convert(dict(row), OwnResource) for row in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


class ApprovedResource(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    status: Status


async def approve_resource(pool: asyncpg.Pool, resource_id: UUID) -> ApprovedResource:
    """Moderation of one offering: visible although its publisher is still under review."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(SQL["approve_resource"], resource_id)
        if row is None:
            raise NotFoundError("Ressource introuvable.")
        await announce_changes(conn, [resource_id])
    return msgspec.convert(dict(row), ApprovedResource)


async def set_publisher_status(
    pool: asyncpg.Pool, publisher_id: UUID, status: str
) -> PublisherView:
    """Moderation: a publisher's offerings become searchable once it is approved."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(SQL["set_publisher_status"], publisher_id, status)
        if row is None:
            raise NotFoundError("Éditeur inconnu.")
        ids = [r["id"] for r in await conn.fetch(SQL["resources_of_publisher"], publisher_id)]
        if ids:
            await announce_changes(conn, ids)
    return PublisherView(id=row["id"], name=row["name"], status=row["status"])


class AwaitingResource(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    publisher_name: str


class ModerationQueue(msgspec.Struct, kw_only=True):
    publishers: list[PublisherView]
    resources: list[AwaitingResource]


async def moderation_queue(conn: Connection, limit: int = 200) -> ModerationQueue:
    """Publishers (those awaiting moderation first) and the offerings of pending publishers
    not yet approved one by one."""
    publishers = await conn.fetch(SQL["moderation_publishers"], limit)
    resources = await conn.fetch(SQL["moderation_resources"], limit)
    return ModerationQueue(
        publishers=[
            PublisherView(id=r["id"], name=r["name"], status=r["status"]) for r in publishers
        ],
        resources=[msgspec.convert(dict(r), AwaitingResource) for r in resources],
    )
