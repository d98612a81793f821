"""Queries of collections (statements in ``collections/sql/``), returning msgspec Structs."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from catalogue.collections.models import (
    CollectionSummary,
    FeatureMade,
    FeatureView,
    FollowedList,
    ItemView,
    ListedResource,
    MyList,
)
from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.collections")


class StoredCollection(msgspec.Struct, kw_only=True):
    id: UUID
    owner_id: UUID | None  # None: its author was erased (a featured public list, kept)
    title: str
    description: str
    visibility: str
    share_token: str | None
    created_at: datetime
    updated_at: datetime


class Followers(msgspec.Struct, kw_only=True):
    followers: int
    followed: bool


class Establishment(msgspec.Struct, kw_only=True):
    uai: str
    name: str
    academie: str


async def insert_collection(
    conn: Connection,
    owner_id: UUID,
    *,
    title: str,
    description: str,
    visibility: str,
    share_token: str | None,
) -> StoredCollection:
    stored = await fetch_one(
        conn,
        StoredCollection,
        SQL["insert_collection"],
        owner_id,
        title,
        description,
        visibility,
        share_token,
    )
    assert stored is not None  # INSERT ... RETURNING returns its row
    return stored


async def collection_by_id(conn: Connection, collection_id: UUID) -> StoredCollection | None:
    return await fetch_one(conn, StoredCollection, SQL["collection_by_id"], collection_id)


async def lock_collection(conn: Connection, collection_id: UUID) -> StoredCollection | None:
    return await fetch_one(conn, StoredCollection, SQL["lock_collection"], collection_id)


async def update_collection(conn: Connection, stored: StoredCollection) -> None:
    await conn.execute(
        SQL["update_collection"],
        stored.id,
        stored.title,
        stored.description,
        stored.visibility,
        stored.share_token,
    )


async def delete_collection(conn: Connection, collection_id: UUID) -> None:
    await conn.execute(SQL["delete_collection"], collection_id)


async def lock_owner(conn: Connection, owner_id: UUID) -> None:
    await conn.execute(SQL["lock_owner"], owner_id)


async def count_owned(conn: Connection, owner_id: UUID) -> int:
    count: int = await conn.fetchval(SQL["count_owned"], owner_id)
    return count


async def touch(conn: Connection, collection_id: UUID) -> None:
    await conn.execute(SQL["touch_collection"], collection_id)


async def items(conn: Connection, collection_id: UUID, *, unavailable: bool) -> list[ItemView]:
    return await fetch_all(conn, ItemView, SQL["items"], collection_id, unavailable)


async def item_ids(conn: Connection, collection_id: UUID) -> list[UUID]:
    ids: list[UUID] = await conn.fetchval(SQL["item_ids"], collection_id)
    return ids


async def published_resource(conn: Connection, resource_id: UUID) -> bool:
    return bool(await conn.fetchval(SQL["published_resource"], resource_id))


async def insert_item(conn: Connection, collection_id: UUID, resource_id: UUID) -> bool:
    """Whether it was added (False: already in the list)."""
    return await conn.fetchval(SQL["insert_item"], collection_id, resource_id) is not None


async def delete_item(conn: Connection, collection_id: UUID, resource_id: UUID) -> bool:
    return await conn.fetchval(SQL["delete_item"], collection_id, resource_id) is not None


async def reorder_items(conn: Connection, collection_id: UUID, order: list[UUID]) -> None:
    await conn.execute(SQL["reorder_items"], collection_id, order)


async def followers(conn: Connection, collection_id: UUID, person_id: UUID | None) -> Followers:
    found = await fetch_one(conn, Followers, SQL["followers"], collection_id, person_id)
    assert found is not None  # an aggregate returns its row
    return found


async def follow(conn: Connection, collection_id: UUID, person_id: UUID) -> None:
    await conn.execute(SQL["follow"], collection_id, person_id)


async def unfollow(conn: Connection, collection_id: UUID, person_id: UUID) -> None:
    await conn.execute(SQL["unfollow"], collection_id, person_id)


async def forget_public(conn: Connection, collection_id: UUID) -> None:
    """A list that stops being public loses its followers and its features."""
    await conn.execute(SQL["forget_follows"], collection_id)
    await conn.execute(SQL["forget_features"], collection_id)


async def features_of(conn: Connection, collection_id: UUID) -> list[FeatureView]:
    return await fetch_all(conn, FeatureView, SQL["features_of"], collection_id)


async def feature(
    conn: Connection, collection_id: UUID, uai: str | None, academie: str | None, by: UUID
) -> None:
    await conn.execute(SQL["feature"], collection_id, uai, academie, by)


async def unfeature(
    conn: Connection, collection_id: UUID, uai: str | None, academie: str | None
) -> None:
    await conn.execute(SQL["unfeature"], collection_id, uai, academie)


async def delete_if_unowned_and_unfeatured(conn: Connection, collection_id: UUID) -> bool:
    return await conn.fetchval(SQL["delete_unowned_unfeatured"], collection_id) is not None


async def own_collections(conn: Connection, owner_id: UUID, limit: int) -> list[CollectionSummary]:
    return await fetch_all(conn, CollectionSummary, SQL["own_collections"], owner_id, limit)


async def followed_collections(
    conn: Connection, person_id: UUID, limit: int
) -> list[CollectionSummary]:
    return await fetch_all(conn, CollectionSummary, SQL["followed_collections"], person_id, limit)


async def search_public(
    conn: Connection, text: str, limit: int, offset: int
) -> tuple[int, list[CollectionSummary]]:
    total: int = await conn.fetchval(SQL["count_public"], text)
    found = await fetch_all(conn, CollectionSummary, SQL["search_public"], text, limit, offset)
    return total, found


async def featured_collections(
    conn: Connection, uai: str | None, academie: str | None, limit: int
) -> list[CollectionSummary]:
    return await fetch_all(
        conn, CollectionSummary, SQL["featured_collections"], uai, academie, limit
    )


async def establishment(conn: Connection, uai: str) -> Establishment | None:
    return await fetch_one(conn, Establishment, SQL["establishment"], uai)


async def academie_known(conn: Connection, academie: str) -> bool:
    return bool(await conn.fetchval(SQL["academie_known"], academie))


# A person's own data (their download) and their erasure


class ListItem(msgspec.Struct, kw_only=True):
    """A resource of one of a person's lists, with the list it is in."""

    collection_id: UUID
    resource_id: UUID
    title: str
    position: int
    added_at: datetime

    def listed(self) -> ListedResource:
        return ListedResource(
            resource_id=self.resource_id,
            title=self.title,
            position=self.position,
            added_at=self.added_at,
        )


class ListFeature(FeatureView, kw_only=True):
    collection_id: UUID


class ErasedLists(msgspec.Struct, kw_only=True):
    deleted: int  # lists deleted
    kept: int  # featured public lists kept without their author
    follows: int  # follows removed
    features: int  # features whose administrator is forgotten


async def personal_lists(conn: Connection, person_id: UUID) -> list[MyList]:
    return await fetch_all(conn, MyList, SQL["personal_lists"], person_id)


async def personal_items(conn: Connection, person_id: UUID) -> list[ListItem]:
    return await fetch_all(conn, ListItem, SQL["personal_items"], person_id)


async def personal_list_features(conn: Connection, person_id: UUID) -> list[ListFeature]:
    return await fetch_all(conn, ListFeature, SQL["personal_list_features"], person_id)


async def personal_follows(conn: Connection, person_id: UUID) -> list[FollowedList]:
    return await fetch_all(conn, FollowedList, SQL["personal_follows"], person_id)


async def personal_features(conn: Connection, person_id: UUID) -> list[FeatureMade]:
    return await fetch_all(conn, FeatureMade, SQL["personal_features"], person_id)


async def erase_people(conn: Connection, people: list[UUID]) -> ErasedLists:
    """The lists, follows and features of erased people; in this order (the lists deleted
    first, so that only the kept ones are disowned)."""
    deleted: int = await conn.fetchval(SQL["erase_lists"], people)
    kept: int = await conn.fetchval(SQL["disown_lists"], people)
    follows: int = await conn.fetchval(SQL["erase_follows"], people)
    features: int = await conn.fetchval(SQL["erase_featured_by"], people)
    return ErasedLists(deleted=deleted, kept=kept, follows=follows, features=features)
