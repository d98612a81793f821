"""The PostgreSQL search backend (the embedded default): French full text, pg_trgm typos."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from catalogue.database import Connection
from catalogue.errors import UpstreamUnavailableError
from catalogue.search.models import (
    BackendName,
    BackendResult,
    FacetField,
    Hit,
    SearchDocument,
    SearchQuery,
    Sort,
)
from catalogue.search.text import fold, normalise
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.search")
MIN_TYPO_WORD = 4

# Each filter field: the SQL fragment testing it, with {n} its parameter number.
_FILTERS: dict[FacetField, str] = {
    FacetField.LEVEL: "d.levels && ${n}::text[]",
    FacetField.DISCIPLINE: "d.disciplines && ${n}::text[]",
    FacetField.RESOURCE_TYPE: "d.resource_types && ${n}::text[]",
    FacetField.PEDAGOGICAL_TYPE: "d.pedagogical_types && ${n}::text[]",
    FacetField.LICENCE_TYPE: "d.licence_types && ${n}::text[]",
    FacetField.ACCESSIBILITY: "d.accessibility && ${n}::text[]",
    FacetField.LANGUAGE: "d.languages && ${n}::text[]",
    FacetField.PUBLISHER: "d.publisher_id = ANY(${n}::uuid[])",
    FacetField.FREE: "d.free = ANY(${n}::boolean[])",
}
_ORDER = {
    Sort.RELEVANCE: "m.rank DESC, m.published_at DESC, m.id",
    Sort.PRICE_ASC: "m.min_price_cents ASC, m.id",
    Sort.PRICE_DESC: "m.min_price_cents DESC, m.id",
    Sort.NEWEST: "m.published_at DESC, m.id",
}
_STAGING_COLUMNS = [
    "id",
    "title",
    "description",
    "publisher_id",
    "publisher_name",
    "thumbnail_url",
    "levels",
    "disciplines",
    "resource_types",
    "pedagogical_types",
    "levels_tagged",
    "disciplines_tagged",
    "licence_types",
    "accessibility",
    "languages",
    "min_price_cents",
    "free",
    "published_at",
    "title_words",
    "subject_words",
    "description_words",
]


class _Hit(msgspec.Struct):
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


def _record(doc: SearchDocument) -> tuple[Any, ...]:
    subject = " ".join([*doc.keywords, *doc.concept_labels])
    return (
        doc.id,
        doc.title,
        doc.description,
        doc.publisher_id,
        doc.publisher_name,
        doc.thumbnail_url,
        doc.levels,
        doc.disciplines,
        doc.resource_types,
        doc.pedagogical_types,
        doc.levels_tagged,
        doc.disciplines_tagged,
        doc.licence_types,
        doc.accessibility,
        doc.languages,
        doc.min_price_cents,
        doc.free,
        datetime.fromtimestamp(doc.published_at, UTC),
        normalise(doc.title),
        normalise(subject),
        normalise(doc.description),
    )


def _words(doc: SearchDocument) -> set[str]:
    text = " ".join([doc.title, *doc.keywords, *doc.concept_labels])
    return {word for word in fold(text).split() if len(word) >= MIN_TYPO_WORD}


def _filter_value(field: FacetField, values: tuple[str, ...]) -> list[Any]:
    if field is FacetField.FREE:
        return [value == "true" for value in values]
    if field is FacetField.PUBLISHER:
        return [UUID(value) for value in values]
    return list(values)


def marked(snippet: str) -> str:
    """Escape the text, then turn ts_headline's sentinels into <mark> tags."""
    return html.escape(snippet).replace("\x02", "<mark>").replace("\x03", "</mark>")


class PostgresBackend:
    name: BackendName = "postgresql"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def upsert(self, documents: list[SearchDocument]) -> None:
        if not documents:
            return
        words = set().union(*(_words(doc) for doc in documents))
        async with self.pool.acquire() as conn, conn.transaction():
            await self._write(conn, documents, words)

    async def _write(
        self, conn: Connection, documents: list[SearchDocument], words: set[str]
    ) -> None:
        await conn.execute(SQL["create_staging"])
        await conn.copy_records_to_table(
            "staging_documents", records=[_record(d) for d in documents], columns=_STAGING_COLUMNS
        )
        await conn.execute(SQL["merge_documents"])
        await conn.execute("DROP TABLE staging_documents")
        await conn.execute(SQL["add_words"], sorted(words))

    async def delete(self, ids: list[UUID]) -> None:
        async with self.pool.acquire() as conn:
            await conn.execute(SQL["delete_documents"], ids)

    async def rebuild(self, batches: AsyncIterator[list[SearchDocument]]) -> int:
        """One transaction: searches see the old index until the new one is complete."""
        count = 0
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(SQL["truncate_documents"])
            async for batch in batches:
                words = set().union(*(_words(doc) for doc in batch)) if batch else set()
                await self._write(conn, batch, words)
                count += len(batch)
        return count

    async def prepare(self) -> None:
        """The tables come with the migrations."""

    async def aclose(self) -> None:
        """The pool belongs to the app."""

    async def check(self) -> None:
        try:
            async with self.pool.acquire() as conn:
                await conn.fetchval("SELECT count(*) FROM search_words WHERE false")
        except (OSError, asyncpg.PostgresError) as exc:
            raise UpstreamUnavailableError(f"search tables unreachable: {exc}") from None

    async def search(self, query: SearchQuery) -> BackendResult:
        async with self.pool.acquire() as conn:
            groups = await self._with_corrections(conn, query.groups) if query.text else None
            sql, args = self._compose(query, groups)
            row = await conn.fetchrow(sql, *args)
        assert row is not None  # an aggregate query always returns its row
        hits = msgspec.convert(row["hits"], list[_Hit])  # json, decoded by the pool's codec
        facets: dict[FacetField, dict[str, int]] = {field: {} for field in query.facets}
        for facet, value, count in row["facets"]:
            facets[FacetField(facet)][value] = count
        return BackendResult(
            hits=[
                Hit(**{**msgspec.structs.asdict(h), "snippet": marked(h.snippet or "")})
                for h in hits
            ],
            total=row["total"],
            facets=facets,
        )

    async def _with_corrections(
        self, conn: Connection, groups: tuple[tuple[str, ...], ...]
    ) -> list[list[str]]:
        single = [fold(g[0]) for g in groups if len(g) == 1 and len(g[0]) >= MIN_TYPO_WORD]
        nearest: dict[str, list[str]] = {}
        if single:
            for row in await conn.fetch(SQL["corrections"], single):
                nearest.setdefault(row["asked"], []).append(row["known"])
        return [
            [*group, *nearest.get(fold(group[0]), [])] if len(group) == 1 else list(group)
            for group in groups
        ]

    def _compose(self, query: SearchQuery, groups: list[list[str]] | None) -> tuple[str, list[Any]]:
        args: list[Any] = [
            groups or None,  # jsonb: the pool's codec encodes it
            query.per_page,
            (query.page - 1) * query.per_page,
            [str(f) for f in query.facets],
        ]
        where = ["(query.q IS NULL OR d.tsv @@ query.q)"]
        for field, values in query.filters.items():
            if values:
                args.append(_filter_value(field, values))
                where.append(_FILTERS[field].format(n=len(args)))
        sql = SQL["search"].format(where=" AND ".join(where), order=_ORDER[query.sort])
        return sql, args
