"""The transactional outbox between resources and the search index.

A change writes an outbox row and enqueues a pgqueuer job in its own transaction. The job
drains the outbox in batches: it updates the index, then deletes the rows it handled, in
one transaction, so a worker killed mid-batch leaves the rows for the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec
import structlog
from pgqueuer import AsyncpgDriver, Queries

from catalogue.database import Connection
from catalogue.resources import repository
from catalogue.search.models import SearchBackend, SearchDocument
from catalogue.sqlfiles import load_queries
from catalogue.vocabularies.index import VocabularyIndex

log = structlog.get_logger(__name__)
SQL = load_queries("catalogue.search")
INDEX_JOB = "index-search-outbox"
BATCH = 500


async def announce_changes(
    conn: Connection, resource_ids: list[UUID], *, wake_worker: bool = True
) -> None:
    """Call inside the transaction that changed the resources. A batch of changes (an
    import) wakes the worker once at its end instead (`wake_indexer`)."""
    await repository.enqueue_outbox(conn, resource_ids)
    if wake_worker:
        await wake_indexer(conn)


async def wake_indexer(conn: Connection) -> None:
    await Queries(AsyncpgDriver(conn)).enqueue(INDEX_JOB, None)  # type: ignore[arg-type]


def to_documents(rows: list[asyncpg.Record], vocab: VocabularyIndex) -> list[SearchDocument]:
    documents = []
    for row in rows:
        levels = vocab.with_ancestors(row["levels"])
        disciplines = vocab.with_ancestors(row["disciplines"])
        resource_types = vocab.with_ancestors(row["resource_types"])
        pedagogical = vocab.with_ancestors(row["pedagogical_types"])
        labels = [
            vocab.label(uri) for uri in (*levels, *disciplines, *resource_types, *pedagogical)
        ]
        published: datetime = row["published_at"]
        documents.append(
            SearchDocument(
                id=row["id"],
                title=row["title"],
                description=row["description"],
                keywords=row["keywords"],
                publisher_id=row["publisher_id"],
                publisher_name=row["publisher_name"],
                thumbnail_url=row["thumbnail_url"],
                levels=levels,
                disciplines=disciplines,
                resource_types=resource_types,
                pedagogical_types=pedagogical,
                levels_tagged=row["levels"],
                disciplines_tagged=row["disciplines"],
                concept_labels=sorted(set(labels)),
                licence_types=sorted(row["licence_types"]),
                accessibility=row["accessibility"],
                languages=row["languages"],
                min_price_cents=row["min_price_cents"],
                free=row["min_price_cents"] == 0,
                published_at=int(published.timestamp()),
            )
        )
    return documents


async def drain_once(
    pool: asyncpg.Pool, backend: SearchBackend, vocab: VocabularyIndex, *, batch: int = BATCH
) -> int:
    """Index one batch of announced changes; the number of outbox rows handled."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await conn.fetch(SQL["lock_outbox_batch"], batch)
        if not rows:
            return 0
        ids = list({row["resource_id"] for row in rows})
        documents = to_documents(await repository.documents_for(conn, ids), vocab)
        await backend.upsert(documents)
        indexed = {doc.id for doc in documents}
        await backend.delete([i for i in ids if i not in indexed])
        await conn.execute(SQL["delete_outbox_rows"], [row["id"] for row in rows])
    log.info("index updated", changes=len(rows), indexed=len(indexed))
    return len(rows)


async def drain(pool: asyncpg.Pool, backend: SearchBackend, vocab: VocabularyIndex) -> int:
    total = 0
    while handled := await drain_once(pool, backend, vocab):
        total += handled
    return total


async def _all_documents(
    pool: asyncpg.Pool, vocab: VocabularyIndex, batch: int
) -> AsyncIterator[list[SearchDocument]]:
    """Every searchable resource, batch after batch; the next batch is read while the
    backend writes the current one."""
    pages: asyncio.Queue[list[SearchDocument] | None] = asyncio.Queue(maxsize=2)

    async def read() -> None:
        after = UUID(int=0)
        try:
            async with pool.acquire() as conn:
                while rows := await repository.documents_after(conn, after, batch):
                    await pages.put(to_documents(rows, vocab))
                    after = rows[-1]["id"]
        finally:
            await pages.put(None)  # on failure too: the consumer then sees the error below

    reader = asyncio.create_task(read())
    try:
        while (page := await pages.get()) is not None:
            yield page
        await reader
    finally:
        reader.cancel()


async def rebuild(
    pool: asyncpg.Pool, backend: SearchBackend, vocab: VocabularyIndex, *, batch: int = 2000
) -> int:
    """The whole index again from PostgreSQL, the source of truth."""
    return await backend.rebuild(_all_documents(pool, vocab, batch))


class IndexStatus(msgspec.Struct):
    backend: str
    pending_changes: int
    oldest_pending: datetime | None


async def status(pool: asyncpg.Pool, backend: SearchBackend) -> IndexStatus:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(SQL["outbox_lag"])
    assert row is not None
    return IndexStatus(
        backend=backend.name, pending_changes=row["pending"], oldest_pending=row["oldest"]
    )
