"""Queries of the search context, returning msgspec Structs: the PostgreSQL index (a search
page, typo corrections, staging, rebuild), the outbox it drains, and the resources it
projects (the ``searchable_documents`` view). Statements in ``search/sql/``."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.search.models import FacetField, SearchDocument
from catalogue.search.tantivy_concepts import Concept
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.search")

# Vocabulary fields are stored as the id of their value set (see migration 0008).
SET_COLUMN = {
    FacetField.LEVEL: "levels_set",
    FacetField.DISCIPLINE: "disciplines_set",
    FacetField.RESOURCE_TYPE: "resource_types_set",
    FacetField.PEDAGOGICAL_TYPE: "pedagogical_types_set",
    FacetField.LICENCE_TYPE: "licence_types_set",
    FacetField.ACCESSIBILITY: "accessibility_set",
    FacetField.LANGUAGE: "languages_set",
    FacetField.AUDIENCE: "audiences_set",
}
_STAGING_COLUMNS = [
    "id",
    "title",
    "description",
    "publisher_id",
    "publisher_name",
    "thumbnail_url",
    "levels_tagged",
    "disciplines_tagged",
    *SET_COLUMN.values(),
    "min_price_cents",
    "free",
    "commun",
    "published_at",
    "title_words",
    "subject_words",
    "description_words",
]
# Per search document; the order of SET_COLUMN.
_SET_VALUES: list[Callable[[SearchDocument], list[str]]] = [
    lambda d: d.levels,
    lambda d: d.disciplines,
    lambda d: d.resource_types,
    lambda d: d.pedagogical_types,
    lambda d: d.licence_types,
    lambda d: d.accessibility,
    lambda d: d.languages,
    lambda d: d.audiences,
]


class PageHit(msgspec.Struct):
    """One hit of a search page as search.sql builds it (its snippet not yet marked up)."""

    id: UUID
    title: str
    snippet: str | None
    publisher_id: UUID
    publisher_name: str
    levels_tagged: list[str]
    disciplines_tagged: list[str]
    min_price_cents: int
    free: bool
    thumbnail_url: str | None
    licence_types: list[str] = msgspec.field(default_factory=list)


class SearchPage(msgspec.Struct):
    """The one row of search.sql: the matches' total, the page's hits, and the facet counts
    asked as (facet, value, count)."""

    total: int
    hits: list[PageHit]
    facets: list[tuple[str, str, int]]


class Correction(msgspec.Struct):
    """A word of the index near a query word unknown to it."""

    asked: str
    known: str


class Likeness(msgspec.Struct):
    """How much text a resource shares with another (0 to 1)."""

    id: UUID
    likeness: float


class PublisherName(msgspec.Struct):
    id: str
    name: str


class SearchableResource(msgspec.Struct):
    """A row of the ``searchable_documents`` view: a published resource, before its
    vocabulary fields get their ancestors (``search.outbox.to_documents``)."""

    id: UUID
    title: str
    description: str
    keywords: list[str]
    publisher_id: UUID
    publisher_name: str
    thumbnail_url: str | None
    levels: list[str]
    disciplines: list[str]
    resource_types: list[str]
    pedagogical_types: list[str]
    accessibility: list[str]
    languages: list[str]
    published_at: datetime
    licence_types: list[str]
    min_price_cents: int
    audiences: list[str]
    commun: bool = False


class OutboxEntry(msgspec.Struct):
    id: int
    resource_id: UUID


class OutboxLag(msgspec.Struct):
    pending: int
    oldest: datetime | None
    parked: int


class ParkedChange(msgspec.Struct):
    resource_id: UUID
    error: str
    parked_at: datetime


# The PostgreSQL index.


async def plan_each_search(conn: Connection, timeout_ms: int | None) -> None:
    """In the caller's transaction: searches planned with their own words every time (a
    cached generic plan does not see how selective they are), and at most ``timeout_ms``."""
    await conn.fetchval(SQL["plan_each_search"], None if timeout_ms is None else str(timeout_ms))


async def search_page(conn: Connection, statement: str, *args: Any) -> SearchPage:
    """One search, composed by ``pg.PostgresBackend.compose`` from search.sql."""
    page = await fetch_one(conn, SearchPage, statement, *args)
    assert page is not None  # an aggregate query always returns its row
    return page


async def corrections(conn: Connection, words: list[str]) -> list[Correction]:
    return await fetch_all(conn, Correction, SQL["corrections"], words)


async def probe(conn: Connection) -> None:
    """Raises when the search tables cannot be read."""
    await conn.fetchval(SQL["probe"])


def value_set_id(values: list[str]) -> UUID:
    """A value list's id: the md5 of its values joined by U+001F, as migration 0008 has it."""
    return UUID(bytes=hashlib.md5("\x1f".join(values).encode(), usedforsecurity=False).digest())


def _record(doc: SearchDocument, set_ids: list[UUID]) -> tuple[Any, ...]:
    subject = " ".join([*doc.keywords, *doc.concept_labels])
    return (
        doc.id,
        doc.title,
        doc.description,
        doc.publisher_id,
        doc.publisher_name,
        doc.thumbnail_url,
        doc.levels_tagged,
        doc.disciplines_tagged,
        *set_ids,
        doc.min_price_cents,
        doc.free,
        doc.commun,
        datetime.fromtimestamp(doc.published_at, UTC),
        # PostgreSQL's parser and the catalogue_fr configuration handle elisions, typographic
        # apostrophes, ligatures (unaccent) and case themselves: raw text goes in.
        doc.title,
        subject,
        doc.description,
    )


def _records(
    documents: list[SearchDocument], known: dict[tuple[str, ...], UUID]
) -> tuple[list[tuple[Any, ...]], list[tuple[UUID, list[str]]]]:
    """The staging rows, and the value sets not in ``known`` (which gets them): a rebuild
    hashes each distinct set once."""
    records = []
    new_sets = []
    for doc in documents:
        set_ids = []
        for values_of in _SET_VALUES:
            values = values_of(doc)
            key = tuple(values)
            set_id = known.get(key)
            if set_id is None:
                set_id = known[key] = value_set_id(values)
                new_sets.append((set_id, values))
            set_ids.append(set_id)
        records.append(_record(doc, set_ids))
    return records, new_sets


async def stage(
    conn: Connection, documents: list[SearchDocument], known: dict[tuple[str, ...], UUID]
) -> None:
    """In the caller's transaction: staging tables filled with the documents, and
    search_value_sets with their value sets that ``known`` (those already stored) lacks."""
    records, new_sets = _records(documents, known)
    await conn.execute(SQL["create_staging"])
    await conn.copy_records_to_table("staging_documents", records=records, columns=_STAGING_COLUMNS)
    if new_sets:
        await conn.copy_records_to_table("staging_value_sets", records=new_sets)
        await conn.execute(SQL["add_value_sets"])


async def merge_staged(conn: Connection) -> None:
    """The staged documents into the live index, their words into search_words."""
    await conn.execute(SQL["merge_documents"])
    await conn.execute(SQL["add_words"])
    await conn.execute(SQL["drop_staging"])


async def delete_documents(conn: Connection, ids: list[UUID]) -> None:
    await conn.execute(SQL["delete_documents"], ids)


async def rebuild_begin(conn: Connection) -> None:
    await conn.execute(SQL["rebuild_begin"])


async def rebuild_insert(conn: Connection) -> None:
    """The staged documents into the tables being rebuilt."""
    await conn.execute(SQL["rebuild_insert"])


async def rebuild_index(conn: Connection) -> None:
    await conn.execute(SQL["rebuild_index"])


async def rebuild_swap(conn: Connection) -> None:
    await conn.execute(SQL["rebuild_swap"])


async def concepts(conn: Connection) -> list[Concept]:
    """Every concept's URI, scheme, label and ancestors (the Tantivy backend's lexicon)."""
    return [Concept(*row) for row in await conn.fetch(SQL["concepts"])]


async def publisher_names(conn: Connection, ids: list[str]) -> list[PublisherName]:
    return await fetch_all(conn, PublisherName, SQL["publisher_names"], ids)


# The resources the index projects.


async def text_likeness(conn: Connection, resource_id: UUID, ids: list[UUID]) -> list[Likeness]:
    return await fetch_all(conn, Likeness, SQL["text_likeness"], resource_id, ids)


async def documents_for(conn: Connection, ids: list[UUID]) -> list[SearchableResource]:
    """The searchable ones among these resources."""
    return await fetch_all(conn, SearchableResource, SQL["searchable_by_id"], ids)


async def documents_after(conn: Connection, after: UUID, limit: int) -> list[SearchableResource]:
    """A page of searchable resources in id order (keyset pagination), for a rebuild."""
    return await fetch_all(conn, SearchableResource, SQL["searchable_after"], after, limit)


async def searchable_batches(
    conn: Connection, batch: int
) -> AsyncIterator[list[SearchableResource]]:
    """Every searchable resource, ``batch`` at a time, through one server-side cursor (in the
    caller's transaction): one statement and one snapshot, not a query per page. Rows become
    Structs by position (a tenth of the time of converting them by name): the statement's
    columns are checked against the Struct's fields first."""
    statement = await conn.prepare(SQL["searchable_all"])
    columns = tuple(attribute.name for attribute in statement.get_attributes())
    if columns != SearchableResource.__struct_fields__:
        raise RuntimeError(f"searchable_all.sql's columns {columns} are not SearchableResource's")
    cursor = await statement.cursor()
    while rows := await cursor.fetch(batch):
        yield [SearchableResource(*row) for row in rows]


async def count_searchable(conn: Connection) -> int:
    count: int = await conn.fetchval(SQL["count_searchable"])
    return count


# The outbox.


async def lock_outbox_batch(conn: Connection, batch: int) -> list[OutboxEntry]:
    """In the caller's transaction: the oldest announced changes, locked (SKIP LOCKED)."""
    return await fetch_all(conn, OutboxEntry, SQL["lock_outbox_batch"], batch)


async def park(conn: Connection, resource_id: UUID, error: str) -> None:
    await conn.execute(SQL["park_outbox_entry"], resource_id, error)


async def unpark(conn: Connection, resource_ids: list[UUID]) -> None:
    await conn.execute(SQL["unpark_outbox_entries"], resource_ids)


async def delete_outbox_entries(conn: Connection, ids: list[int]) -> None:
    await conn.execute(SQL["delete_outbox_rows"], ids)


async def outbox_lag(conn: Connection) -> OutboxLag:
    lag = await fetch_one(conn, OutboxLag, SQL["outbox_lag"])
    assert lag is not None  # an aggregate
    return lag


async def parked_changes(conn: Connection, shown: int) -> list[ParkedChange]:
    return await fetch_all(conn, ParkedChange, SQL["parked_outbox_entries"], shown)


async def retry_parked(conn: Connection) -> int:
    """Every parked change announced again; how many."""
    retried: str = await conn.execute(SQL["retry_parked_entries"])
    return int(retried.rsplit(" ", 1)[-1])


INDEX_CHANGED = "catalogue_search_index"  # the channel of notify_index_changed.sql


async def notify_index_changed(conn: Connection) -> None:
    """Tell every serving process that the embedded index has a new commit."""
    await conn.execute(SQL["notify_index_changed"])
