"""What publishers do with their own offerings through the API, and their moderation."""

from __future__ import annotations

from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import msgspec
from litestar.di import NamedDependency

from catalogue.errors import ForbiddenError, NotFoundError, UnprocessableError
from catalogue.identity.models import Principal, Role, Scope
from catalogue.identity.publishers import PublisherView
from catalogue.resources import repository
from catalogue.resources.models import Provenance, ResourceDraft, ResourceView
from catalogue.resources.outbox import announce_changes
from catalogue.resources.repository import ApprovedResource, AwaitingResource, OwnResource
from catalogue.resources.service import (
    VOCABULARY_FIELDS,
    SaveOutcome,
    read_resource,
    save_resource,
)
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.languages import normalise_language


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
                errors.append({"key": f"{field}[{index}]", "message": f"concept inconnu {uri!r}"})
    for index, language in enumerate(draft.languages):
        found = normalise_language(language)
        if found is None or not found.known:
            errors.append(
                {"key": f"languages[{index}]", "message": f"code de langue inconnu {language!r}"}
            )
    if errors:
        detail = "; ".join(f"{e['key']}: {e['message']}" for e in errors)
        raise UnprocessableError(detail, errors=errors)


class ModerationQueue(msgspec.Struct, kw_only=True):
    publishers: list[PublisherView]
    resources: list[AwaitingResource]


class ResourceService:
    """The resources' use cases over HTTP, each one unit of work on the pool."""

    def __init__(self, pool: asyncpg.Pool, vocab: VocabularyIndex) -> None:
        self._pool = pool
        self._vocab = vocab

    async def read(self, resource_id: UUID, *, publisher_id: UUID | None) -> ResourceView:
        """A published resource for everyone; any status for its own publisher."""
        async with self._pool.acquire() as conn:
            return await read_resource(conn, self._vocab, resource_id, publisher_id=publisher_id)

    async def public_thumbnail_url(self, resource_id: UUID) -> str | None:
        """A published resource's thumbnail address, without reading the whole resource."""
        async with self._pool.acquire() as conn:
            return await repository.public_thumbnail_url(conn, resource_id)

    async def put(
        self, publisher_id: UUID, draft: ResourceDraft, *, resource_id: UUID | None = None
    ) -> SaveOutcome:
        """Create, or replace one of the publisher's resources (by id, or by identifier)."""
        check_concepts(draft, self._vocab)
        async with self._pool.acquire() as conn:
            if resource_id is not None and (
                await repository.resource_owner(conn, resource_id) != publisher_id
            ):
                raise NotFoundError("Ressource introuvable.")
            return await save_resource(
                conn,
                self._vocab,
                publisher_id,
                draft,
                Provenance(connector="api"),
                resource_id=resource_id,
            )

    async def withdraw(self, publisher_id: UUID, resource_id: UUID) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            if not await repository.withdraw_resource(conn, resource_id, publisher_id):
                raise NotFoundError("Ressource introuvable.")
            await announce_changes(conn, [resource_id])

    async def list_own(self, publisher_id: UUID, page: int, per_page: int) -> OwnResources:
        async with self._pool.acquire() as conn:
            items, total = await repository.own_resources(
                conn, publisher_id, per_page, (page - 1) * per_page
            )
        return OwnResources(items=items, total=total, page=page, per_page=per_page)

    async def approve(self, resource_id: UUID) -> ApprovedResource:
        """Moderation of one offering: visible although its publisher is still under review."""
        async with self._pool.acquire() as conn, conn.transaction():
            approved = await repository.approve_resource(conn, resource_id)
            if approved is None:
                raise NotFoundError("Ressource introuvable.")
            await announce_changes(conn, [resource_id])
        return approved

    async def set_publisher_status(self, publisher_id: UUID, status: str) -> PublisherView:
        """Moderation: a publisher's offerings become searchable once it is approved."""
        async with self._pool.acquire() as conn, conn.transaction():
            publisher = await repository.set_publisher_status(conn, publisher_id, status)
            if publisher is None:
                raise NotFoundError("Éditeur inconnu.")
            if ids := await repository.resources_of_publisher(conn, publisher_id):
                await announce_changes(conn, ids)
        return publisher

    async def moderation_queue(self, limit: int = 200) -> ModerationQueue:
        """Publishers (those awaiting moderation first) and the offerings of pending
        publishers not yet approved one by one."""
        async with self._pool.acquire() as conn:
            return ModerationQueue(
                publishers=await repository.moderation_publishers(conn, limit),
                resources=await repository.moderation_resources(conn, limit),
            )


Resources: TypeAlias = NamedDependency[ResourceService]
"""The resources' use cases (``resources``), as handlers ask for them."""
