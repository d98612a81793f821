"""The PostgreSQL search backend (the embedded default): French full text, pg_trgm typos."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from catalogue.database import Connection
from catalogue.errors import UpstreamUnavailableError
from catalogue.search import repository
from catalogue.search.models import (
    BackendName,
    BackendResult,
    FacetField,
    Hit,
    SearchDocument,
    SearchQuery,
    Sort,
)
from catalogue.search.repository import SET_COLUMN
from catalogue.search.text import fold

MIN_TYPO_WORD = 4
MAX_DROPPED_WORDS = 4

_SCALAR_COLUMN = {
    FacetField.PUBLISHER: "publisher_id",
    FacetField.FREE: "free",
    FacetField.COMMUN: "commun",
}
_FACET_COLUMN = {**SET_COLUMN, **_SCALAR_COLUMN}
# Facet columns `matched` reads only when their facet is asked (the others it always reads).
_EXTRA_COLUMNS = frozenset({*SET_COLUMN, FacetField.COMMUN})
# Relevance in two steps. ts_rank weighs matches by field (title first) and frequency, at a
# quarter of ts_rank_cd's cost: it ranks every match. ts_rank_cd, which also rewards the
# query's words standing close together, then orders the best RERANKED of them. A deliberate
# trade-off: a document outside those cannot reach the first pages, whatever its
# ts_rank_cd. ts_rank's default weights (D to A: 0.1, 0.2, 0.4, 1) are divided by ten: with
# them, multi-word queries reach its ceiling of 1, where every title match ties.
# Both ranks are normalised into [0, 1) (flag 32: rank / (rank + 1), the same order), so that
# a document matching the words as typed (stemmed) gets 1 more than any matching only their
# typo corrections: "floraison" finds "Floraisons" before three titles on "raison", as
# Meilisearch ranks fewer typos first.
RERANKED = 100
_WEIGHTS = "'{0.01, 0.02, 0.04, 0.1}'::float4[]"
_NO_FACET = "SELECT NULL::text AS facet, NULL::text AS value, 0::bigint AS n WHERE false"


def _filter(field: FacetField, n: int) -> str:
    """The SQL fragment testing one filter field, its values being parameter n."""
    if field is FacetField.PUBLISHER:
        return f"d.publisher_id = ANY(${n}::uuid[])"
    if field in (FacetField.FREE, FacetField.COMMUN):
        return f"d.{_SCALAR_COLUMN[field]} = ANY(${n}::boolean[])"
    # The few sets holding one of the values are found first (a GIN lookup in a small table).
    return (
        f"d.{SET_COLUMN[field]} = ANY(ARRAY("
        f"SELECT id FROM search_value_sets WHERE vals && ${n}::text[]))"
    )


def _facet_branch(field: FacetField) -> str:
    column = _FACET_COLUMN[field]
    if field in _SCALAR_COLUMN:
        return (
            f"SELECT '{field}' AS facet, m.{column}::text AS value, count(*) AS n "
            f"FROM matched m GROUP BY m.{column}"
        )
    # Documents are counted per value set, then each set's count goes to each of its values.
    return (
        f"SELECT '{field}' AS facet, v AS value, sum(g.n)::bigint AS n "
        f"FROM (SELECT m.{column} AS set_id, count(*) AS n FROM matched m GROUP BY 1) g "
        f"JOIN search_value_sets s ON s.id = g.set_id CROSS JOIN unnest(s.vals) AS v GROUP BY v"
    )


_ORDER = {
    Sort.RELEVANCE: "m.rank DESC, m.published_at DESC, m.id",
    Sort.PRICE_ASC: "m.min_price_cents ASC, m.id",
    Sort.PRICE_DESC: "m.min_price_cents DESC, m.id",
    Sort.NEWEST: "m.published_at DESC, m.id",
}


def _filter_value(field: FacetField, values: tuple[str, ...]) -> list[Any]:
    if field in (FacetField.FREE, FacetField.COMMUN):
        return [value == "true" for value in values]
    if field is FacetField.PUBLISHER:
        return [UUID(value) for value in values]
    return list(values)


def marked(snippet: str) -> str:
    """Escape the text, then turn ts_headline's sentinels into <mark> tags."""
    return html.escape(snippet).replace("\x02", "<mark>").replace("\x03", "</mark>")


class PostgresBackend:
    """Each method one unit of work on one pooled connection; the statements are
    `search.repository`'s."""

    name: BackendName = "postgresql"

    def __init__(self, pool: asyncpg.Pool, *, search_timeout_ms: int | None = None) -> None:
        self.pool = pool
        self.search_timeout_ms = search_timeout_ms

    async def upsert(self, documents: list[SearchDocument]) -> None:
        if not documents:
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await repository.stage(conn, documents, {})
            await repository.merge_staged(conn)

    async def delete(self, ids: list[UUID]) -> None:
        async with self.pool.acquire() as conn:
            await repository.delete_documents(conn, ids)

    async def rebuild(self, batches: AsyncIterator[list[SearchDocument]]) -> int:
        """Fill new tables, index them, then swap them in: searches never wait nor see a gap."""
        count = 0
        async with self.pool.acquire() as conn:
            await repository.rebuild_begin(conn)
            known: dict[tuple[str, ...], UUID] = {}
            async for batch in batches:
                async with conn.transaction():
                    await repository.stage(conn, batch, known)
                    await repository.rebuild_insert(conn)
                count += len(batch)
            await repository.rebuild_index(conn)
            async with conn.transaction():
                await repository.rebuild_swap(conn)
        return count

    async def prepare(self) -> None:
        """The tables come with the migrations."""

    async def aclose(self) -> None:
        """The pool belongs to the app."""

    async def check(self) -> None:
        try:
            async with self.pool.acquire() as conn:
                await repository.probe(conn)
        except (OSError, asyncpg.PostgresError) as exc:
            raise UpstreamUnavailableError(f"search tables unreachable: {exc}") from None

    async def text_likeness(self, resource_id: UUID, candidates: list[UUID]) -> dict[UUID, float]:
        """How much text each candidate shares with the resource, 0 to 1 (the Jaccard index
        of their indexed words); a candidate or resource not indexed is left out."""
        if not candidates:
            return {}
        async with self.pool.acquire() as conn:
            rows = await repository.text_likeness(conn, resource_id, candidates)
        return {row.id: row.likeness for row in rows}

    async def search(self, query: SearchQuery) -> BackendResult:
        """Documents matching every word; when none does, the last words are dropped one by
        one (as Meilisearch's default matching strategy does), a few times at most."""
        async with self.pool.acquire() as conn, conn.transaction():
            # Planned with its own words every time: a cached generic plan does not see how
            # selective they are. Only searches pay for planning each statement. A search
            # past its time answers 503 (Retry-After) instead of holding a connection that
            # other requests wait for.
            await repository.plan_each_search(conn, self.search_timeout_ms)
            groups = await self.with_corrections(conn, query.groups) if query.text else None
            page = await repository.search_page(conn, *self.compose(query, groups))
            for _ in range(MAX_DROPPED_WORDS):
                if page.total or not groups or len(groups) < 2:
                    break
                groups = groups[:-1]
                page = await repository.search_page(conn, *self.compose(query, groups))
        facets: dict[FacetField, dict[str, int]] = {field: {} for field in query.facets}
        for facet, value, count in page.facets:
            facets[FacetField(facet)][value] = count
        return BackendResult(
            hits=[
                Hit(**{**msgspec.structs.asdict(h), "snippet": marked(h.snippet or "")})
                for h in page.hits
            ],
            total=page.total,
            facets=facets,
        )

    async def with_corrections(
        self, conn: Connection, groups: tuple[tuple[str, ...], ...]
    ) -> list[list[str]]:
        """Each query word unknown to the index gets its nearest known words as alternatives."""
        single = [fold(g[0]) for g in groups if len(g) == 1 and len(g[0]) >= MIN_TYPO_WORD]
        nearest: dict[str, list[str]] = {}
        if single:
            for near in await repository.corrections(conn, single):
                nearest.setdefault(near.asked, []).append(near.known)
        return [
            [*group, *nearest.get(fold(group[0]), [])] if len(group) == 1 else list(group)
            for group in groups
        ]

    def compose(self, query: SearchQuery, groups: list[list[str]] | None) -> tuple[str, Any]:
        """The SQL and the arguments of one search (the benchmark also runs it bare)."""
        args: list[Any] = [
            groups or None,  # jsonb: the pool's codec encodes it
            query.per_page,
            (query.page - 1) * query.per_page,
        ]
        tsquery = "catalogue_tsquery($1::jsonb)"
        where = [f"d.tsv @@ {tsquery}"] if groups else ["true"]
        for field, values in query.filters.items():
            if values:
                args.append(_filter_value(field, values))
                where.append(_filter(field, len(args)))
        exact = ""
        # Corrections only add alternatives to the groups; the words as typed are the same
        # groups without them (as many as are left after dropping the last ones).
        typed = [list(group) for group in query.groups[: len(groups or [])]]
        if groups and typed != groups:
            args.append(typed)
            exact = f" + (d.tsv @@ catalogue_tsquery(${len(args)}::jsonb))::int"
        sql = repository.SQL["search"].format(
            rank=f"ts_rank({_WEIGHTS}, d.tsv, {tsquery}, 32){exact}" if groups else "0",
            fine_rank=f"ts_rank_cd(d.tsv, {tsquery}, 32){exact}" if groups else "0",
            candidates=RERANKED if groups and query.sort is Sort.RELEVANCE else 0,
            where=" AND ".join(where),
            order=_ORDER[query.sort],
            facet_columns="".join(
                f", d.{_FACET_COLUMN[f]}" for f in query.facets if f in _EXTRA_COLUMNS
            ),
            facets=" UNION ALL ".join(_facet_branch(f) for f in query.facets) or _NO_FACET,
        )
        return sql, *args
