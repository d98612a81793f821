"""The collections' use cases, each one unit of work on the pool.

Who reads a list: its owner always; anyone when it is public; whoever holds its link's token
when it is shared. Anyone else is told it does not exist (404, never 403), so that a private
list's existence never shows. Only its owner changes it (404 for anyone else, as for communs).
"""

from __future__ import annotations

import secrets
from typing import TypeAlias
from uuid import UUID

import asyncpg
import msgspec
import structlog
from litestar.di import NamedDependency

from catalogue.collections import repository
from catalogue.collections.models import (
    MAX_ITEMS,
    CollectionPage,
    CollectionSummary,
    CollectionView,
    FeaturedPage,
    FeatureScope,
    ItemOrder,
    NewCollection,
    ShareLink,
    Visibility,
)
from catalogue.collections.repository import StoredCollection
from catalogue.database import Connection
from catalogue.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnprocessableError,
)
from catalogue.identity.models import Principal, Role

log = structlog.get_logger(__name__)

MAX_LISTS = 100  # lists one person owns
MAX_LISTED = 200  # lists on one page of "mes listes", "listes suivies", a featured page
MAX_QUERY = 200
_NOT_FOUND = "Liste introuvable."
_NOT_PUBLIC = "Seule une liste publique peut être suivie ou mise en avant."


def _person(principal: Principal | None) -> UUID:
    person = principal.person_id if principal is not None else None
    if person is None:
        raise ForbiddenError("Collections are for people, not machine clients.")
    return person


def _owns(principal: Principal | None, stored: StoredCollection) -> bool:
    """Whether the reader owns the list (nobody owns a list whose author was erased)."""
    person = principal.person_id if principal is not None else None
    return person is not None and person == stored.owner_id


def _may_read(principal: Principal | None, stored: StoredCollection, token: str | None) -> bool:
    if _owns(principal, stored):
        return True
    if stored.visibility == Visibility.PUBLIC:
        return True
    return (
        stored.visibility == Visibility.SHARED
        and stored.share_token is not None
        and token is not None
        and secrets.compare_digest(stored.share_token.encode(), token.encode())
    )


def _cleaned(new: NewCollection) -> NewCollection:
    title = new.title.strip()
    if not title:
        message = "Le titre de la liste est vide."
        raise UnprocessableError(message, errors=[{"key": "title", "message": message}])
    return NewCollection(
        title=title, description=new.description.strip(), visibility=new.visibility
    )


def _token_for(visibility: Visibility, current: str | None) -> str | None:
    """A shared list keeps its link's token (a new one the first time); others have none."""
    if visibility != Visibility.SHARED:
        return None
    return current or secrets.token_urlsafe(24)


def _scope_of(principal: Principal, scope: FeatureScope) -> tuple[str | None, str | None]:
    """(UAI, académie) an administrator features lists for: their own, by their role."""
    if scope == FeatureScope.ESTABLISHMENT:
        if principal.has(Role.ESTABLISHMENT_ADMIN) and principal.establishment_uai:
            return principal.establishment_uai, None
        raise ForbiddenError("only an establishment's administrator features lists for it")
    if principal.has(Role.ACADEMIE_ADMIN) and principal.academie:
        return None, principal.academie
    raise ForbiddenError("only an académie's administrator features lists for it")


class CollectionService:
    """Collections over HTTP (the API and the pages make one call each)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, principal: Principal, new: NewCollection) -> CollectionView:
        person = _person(principal)
        new = _cleaned(new)
        async with self._pool.acquire() as conn, conn.transaction():
            await repository.lock_owner(conn, person)
            if await repository.count_owned(conn, person) >= MAX_LISTS:
                raise UnprocessableError(f"Vous avez déjà {MAX_LISTS} listes : c'est le maximum.")
            stored = await repository.insert_collection(
                conn,
                person,
                title=new.title,
                description=new.description,
                visibility=new.visibility,
                share_token=_token_for(new.visibility, None),
            )
            log.info("collection created", collection=str(stored.id), visibility=new.visibility)
            return await self._view(conn, principal, stored.id)

    async def read(
        self, principal: Principal | None, collection_id: UUID, token: str | None = None
    ) -> CollectionView:
        async with self._pool.acquire() as conn:
            stored = await repository.collection_by_id(conn, collection_id)
            if stored is None or not _may_read(principal, stored, token):
                raise NotFoundError(_NOT_FOUND)
            return await self._view(conn, principal, stored.id)

    async def edit(
        self, principal: Principal, collection_id: UUID, new: NewCollection
    ) -> CollectionView:
        """Title, description and visibility. A list that stops being public loses its
        followers and its features; one that stops being shared, its link."""
        new = _cleaned(new)
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await self._owned(conn, principal, collection_id)
            if stored.visibility == Visibility.PUBLIC and new.visibility != Visibility.PUBLIC:
                await repository.forget_public(conn, collection_id)
            changed = msgspec.structs.replace(
                stored,
                title=new.title,
                description=new.description,
                visibility=new.visibility,
                share_token=_token_for(new.visibility, stored.share_token),
            )
            await repository.update_collection(conn, changed)
            log.info("collection edited", collection=str(collection_id), visibility=new.visibility)
            return await self._view(conn, principal, collection_id)

    async def delete(self, principal: Principal, collection_id: UUID) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await self._owned(conn, principal, collection_id)
            await repository.delete_collection(conn, collection_id)
        log.info("collection deleted", collection=str(collection_id))

    async def new_link(self, principal: Principal, collection_id: UUID) -> ShareLink:
        """The list becomes shared by a new link; an earlier link stops working."""
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await self._owned(conn, principal, collection_id)
            if stored.visibility == Visibility.PUBLIC:
                raise ConflictError(
                    "Une liste publique est lisible par tous : rendez-la privée avant de la "
                    "partager par un lien."
                )
            token = secrets.token_urlsafe(24)
            changed = msgspec.structs.replace(
                stored, visibility=Visibility.SHARED, share_token=token
            )
            await repository.update_collection(conn, changed)
        log.info("collection link renewed", collection=str(collection_id))
        return ShareLink(token=token, path=f"/listes/{collection_id}?lien={token}")

    async def revoke_link(self, principal: Principal, collection_id: UUID) -> CollectionView:
        """The link stops working; the list is private again."""
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await self._owned(conn, principal, collection_id)
            changed = stored
            if stored.visibility == Visibility.SHARED:
                changed = msgspec.structs.replace(
                    stored, visibility=Visibility.PRIVATE, share_token=None
                )
                await repository.update_collection(conn, changed)
            log.info("collection link revoked", collection=str(collection_id))
            return await self._view(conn, principal, collection_id)

    async def add_item(
        self, principal: Principal, collection_id: UUID, resource_id: UUID
    ) -> CollectionView:
        """A published resource at the end of the list (409 if it is there already)."""
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await self._owned(conn, principal, collection_id)
            if not await repository.published_resource(conn, resource_id):
                raise NotFoundError("Ressource introuvable ou non publiée.")
            if len(await repository.item_ids(conn, collection_id)) >= MAX_ITEMS:
                raise UnprocessableError(f"Une liste compte au plus {MAX_ITEMS} ressources.")
            if not await repository.insert_item(conn, collection_id, resource_id):
                raise ConflictError("Cette ressource est déjà dans la liste.")
            await repository.touch(conn, collection_id)
            return await self._view(conn, principal, stored.id)

    async def remove_item(
        self, principal: Principal, collection_id: UUID, resource_id: UUID
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await self._owned(conn, principal, collection_id)
            if not await repository.delete_item(conn, collection_id, resource_id):
                raise NotFoundError("Cette ressource n'est pas dans la liste.")
            await repository.touch(conn, collection_id)

    async def reorder(
        self, principal: Principal, collection_id: UUID, order: ItemOrder
    ) -> CollectionView:
        """Every resource of the list, once each, in their new order (422 otherwise)."""
        async with self._pool.acquire() as conn, conn.transaction():
            stored = await self._owned(conn, principal, collection_id)
            current = await repository.item_ids(conn, collection_id)
            wanted = order.resource_ids
            if len(set(wanted)) != len(wanted) or set(wanted) != set(current):
                raise UnprocessableError(
                    "Le nouvel ordre doit citer chaque ressource de la liste, une fois chacune.",
                    errors=[{"key": "resource_ids", "message": "Ordre incomplet ou répété."}],
                )
            await repository.reorder_items(conn, collection_id, wanted)
            await repository.touch(conn, collection_id)
            return await self._view(conn, principal, stored.id)

    async def move_item(
        self, principal: Principal, collection_id: UUID, resource_id: UUID, *, up: bool
    ) -> None:
        """One place up or down (the pages' buttons); at an end, nothing moves."""
        async with self._pool.acquire() as conn, conn.transaction():
            await self._owned(conn, principal, collection_id)
            order = await repository.item_ids(conn, collection_id)
            if resource_id not in order:
                raise NotFoundError("Cette ressource n'est pas dans la liste.")
            at = order.index(resource_id)
            to = at - 1 if up else at + 1
            if 0 <= to < len(order):
                order[at], order[to] = order[to], order[at]
                await repository.reorder_items(conn, collection_id, order)
                await repository.touch(conn, collection_id)

    async def follow(self, principal: Principal, collection_id: UUID, *, on: bool) -> None:
        person = _person(principal)
        async with self._pool.acquire() as conn, conn.transaction():
            await self._public(conn, principal, collection_id)
            if on:
                await repository.follow(conn, collection_id, person)
            else:
                await repository.unfollow(conn, collection_id, person)

    async def feature(
        self, principal: Principal, collection_id: UUID, scope: FeatureScope, *, on: bool
    ) -> None:
        """An administrator features a public list on their establishment's or académie's
        page (or stops), only their own."""
        person = _person(principal)
        uai, academie = _scope_of(principal, scope)
        async with self._pool.acquire() as conn, conn.transaction():
            await self._public(conn, principal, collection_id)
            if on:
                await repository.feature(conn, collection_id, uai, academie, person)
            else:
                await repository.unfeature(conn, collection_id, uai, academie)
                # A list kept only because a page featured it when its author was erased
                # (collections.privacy) goes with its last feature.
                if await repository.delete_if_unowned_and_unfeatured(conn, collection_id):
                    log.info("unowned collection deleted", collection=str(collection_id))
        log.info("collection featured", collection=str(collection_id), scope=scope, on=on)

    async def own(self, principal: Principal) -> list[CollectionSummary]:
        person = _person(principal)
        async with self._pool.acquire() as conn:
            return await repository.own_collections(conn, person, MAX_LISTED)

    async def followed(self, principal: Principal) -> list[CollectionSummary]:
        person = _person(principal)
        async with self._pool.acquire() as conn:
            return await repository.followed_collections(conn, person, MAX_LISTED)

    async def search(self, text: str, limit: int, offset: int) -> CollectionPage:
        """Public lists, by their title and description (French stemming)."""
        text = " ".join(text.split())[:MAX_QUERY]
        async with self._pool.acquire() as conn:
            total, found = await repository.search_public(conn, text, limit, offset)
        return CollectionPage(total=total, collections=found)

    async def featured(self, *, uai: str | None, academie: str | None) -> FeaturedPage:
        """What an establishment's page (``uai``) or an académie's shows."""
        if (uai is None) == (academie is None):
            raise InvalidInputError("Indiquez un établissement ou une académie, l'un des deux.")
        async with self._pool.acquire() as conn:
            if uai is not None:
                school = await repository.establishment(conn, uai)
                if school is None:
                    raise NotFoundError("Établissement introuvable.")
                found = await repository.featured_collections(conn, uai, None, MAX_LISTED)
                return FeaturedPage(
                    scope=FeatureScope.ESTABLISHMENT,
                    establishment_uai=uai,
                    academie=school.academie,
                    name=school.name,
                    collections=found,
                )
            assert academie is not None
            if not await repository.academie_known(conn, academie):
                raise NotFoundError("Académie introuvable.")
            found = await repository.featured_collections(conn, None, academie, MAX_LISTED)
            return FeaturedPage(
                scope=FeatureScope.ACADEMIE,
                establishment_uai=None,
                academie=academie,
                name=academie,
                collections=found,
            )

    async def _owned(
        self, conn: Connection, principal: Principal, collection_id: UUID
    ) -> StoredCollection:
        _person(principal)
        stored = await repository.lock_collection(conn, collection_id)
        if stored is None or not _owns(principal, stored):
            raise NotFoundError(_NOT_FOUND)
        return stored

    async def _public(
        self, conn: Connection, principal: Principal, collection_id: UUID
    ) -> StoredCollection:
        """A public list; its owner's other lists are a 409, anyone else's a 404."""
        stored = await repository.collection_by_id(conn, collection_id)
        if stored is None or not _may_read(principal, stored, None):
            raise NotFoundError(_NOT_FOUND)
        if stored.visibility != Visibility.PUBLIC:
            raise ConflictError(_NOT_PUBLIC)
        return stored

    async def _view(
        self, conn: Connection, principal: Principal | None, collection_id: UUID
    ) -> CollectionView:
        """The list as it now stands, for this reader."""
        stored = await repository.collection_by_id(conn, collection_id)
        if stored is None:
            raise NotFoundError(_NOT_FOUND)
        person = principal.person_id if principal is not None else None
        mine = _owns(principal, stored)
        follows = await repository.followers(conn, stored.id, person)
        return CollectionView(
            id=stored.id,
            title=stored.title,
            description=stored.description,
            visibility=Visibility(stored.visibility),
            mine=mine,
            followed=follows.followed,
            followers=follows.followers,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            items=await repository.items(conn, stored.id, unavailable=mine),
            share_token=stored.share_token if mine else None,
            featured=await repository.features_of(conn, stored.id),
        )


Collections: TypeAlias = NamedDependency[CollectionService]
"""The collections' use cases (``collections``), as handlers ask for them."""
