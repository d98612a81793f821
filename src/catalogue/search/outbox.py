"""The transactional outbox between resources and the search index.

A change writes an outbox row and enqueues a pgqueuer job in its own transaction
(`catalogue.resources.outbox.announce_changes`, on the resources' side). The job drains
the outbox in batches: it updates the index, then deletes the rows it handled, in one
transaction, so a worker killed mid-batch leaves the rows for the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec
import structlog

from catalogue.progress import Progress, no_progress
from catalogue.resources.outbox import wake_indexer
from catalogue.search import repository
from catalogue.search.models import (
    DocumentsRefusedError,
    OutdatedIndexError,
    SearchBackend,
    SearchDocument,
)
from catalogue.search.repository import ParkedChange
from catalogue.vocabularies.index import VocabularyIndex

log = structlog.get_logger(__name__)
BATCH = 500


def to_documents(
    resources: list[repository.SearchableResource], vocab: VocabularyIndex
) -> list[SearchDocument]:
    """The index's documents: vocabulary fields with their ancestors, and their labels."""
    documents = []
    for resource in resources:
        levels = vocab.with_ancestors(resource.levels)
        disciplines = vocab.with_ancestors(resource.disciplines)
        resource_types = vocab.with_ancestors(resource.resource_types)
        pedagogical = vocab.with_ancestors(resource.pedagogical_types)
        labels = (
            vocab.labels(resource.levels)
            | vocab.labels(resource.disciplines)
            | vocab.labels(resource.resource_types)
            | vocab.labels(resource.pedagogical_types)
        )
        documents.append(
            SearchDocument(
                id=resource.id,
                title=resource.title,
                description=resource.description,
                keywords=resource.keywords,
                publisher_id=resource.publisher_id,
                publisher_name=resource.publisher_name,
                thumbnail_url=resource.thumbnail_url,
                levels=levels,
                disciplines=disciplines,
                resource_types=resource_types,
                pedagogical_types=pedagogical,
                levels_tagged=resource.levels,
                disciplines_tagged=resource.disciplines,
                concept_labels=sorted(labels),
                licence_types=sorted(resource.licence_types),
                accessibility=resource.accessibility,
                languages=resource.languages,
                audiences=vocab.with_ancestors(resource.audiences),
                min_price_cents=resource.min_price_cents,
                free=resource.min_price_cents == 0,
                commun=resource.commun,
                published_at=int(resource.published_at.timestamp()),
            )
        )
    return documents


async def drain_once(
    pool: asyncpg.Pool, backend: SearchBackend, vocab: VocabularyIndex, *, batch: int = BATCH
) -> int:
    """Index one batch of announced changes; the number of outbox rows handled.

    A document the index refuses is parked with its error (search_outbox_parked) and the rest
    of the batch goes in: one bad document never holds the queue up.
    """
    async with pool.acquire() as conn, conn.transaction():
        entries = await repository.lock_outbox_batch(conn, batch)
        if not entries:
            return 0
        ids = list({entry.resource_id for entry in entries})
        documents = to_documents(await repository.documents_for(conn, ids), vocab)
        refused = await upsert_isolating(backend, documents)
        indexed = {doc.id for doc in documents}
        await backend.delete([i for i in ids if i not in indexed])
        for resource_id, error in refused.items():
            log.warning(
                "search index refused a document: parked", resource=str(resource_id), error=error
            )
            await repository.park(conn, resource_id, error)
        await repository.unpark(conn, [i for i in ids if i not in refused])
        await repository.delete_outbox_entries(conn, [entry.id for entry in entries])
    log.info(
        "index updated",
        changes=len(entries),
        indexed=len(indexed) - len(refused),
        parked=len(refused),
    )
    return len(entries)


# What the engine answers about a document itself (its content), as opposed to an outage:
# text beyond what PostgreSQL's full text takes (54000), values it refuses (22, 23), or a
# Meilisearch task that failed on the documents.
_REFUSALS = (
    asyncpg.ProgramLimitExceededError,
    asyncpg.DataError,
    asyncpg.IntegrityConstraintViolationError,
    DocumentsRefusedError,
)


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:500]


async def upsert_isolating(
    backend: SearchBackend, documents: list[SearchDocument]
) -> dict[UUID, str]:
    """Upsert the documents; those the index refuses are left out, by halves until each
    refused one stands alone. Their errors, by id. An outage is raised as it is (the queue
    retries the batch later): only a refusal of content isolates a document."""
    try:
        await backend.upsert(documents)
    except _REFUSALS as exc:
        if len(documents) == 1:
            return {documents[0].id: _reason(exc)}
        half = len(documents) // 2
        return {
            **await upsert_isolating(backend, documents[:half]),
            **await upsert_isolating(backend, documents[half:]),
        }
    return {}


async def drain(pool: asyncpg.Pool, backend: SearchBackend, vocab: VocabularyIndex) -> int:
    """Index every announced change. An index an earlier version built (after an upgrade
    that changed its layout) is first rebuilt from PostgreSQL: the changes wait in the outbox
    meanwhile, and searches answer 503 until the new index is swapped in."""
    try:
        return await _drain_all(pool, backend, vocab)
    except OutdatedIndexError as exc:
        log.warning("search index of an earlier version: rebuilding it", reason=exc.detail)
        await rebuild(pool, backend, vocab)
        return await _drain_all(pool, backend, vocab)


async def _drain_all(pool: asyncpg.Pool, backend: SearchBackend, vocab: VocabularyIndex) -> int:
    total = 0
    while handled := await drain_once(pool, backend, vocab):
        total += handled
    return total


async def _all_documents(
    pool: asyncpg.Pool, vocab: VocabularyIndex, batch: int, progress: Progress
) -> AsyncIterator[list[SearchDocument]]:
    """Every searchable resource, batch after batch, read through one cursor; the next
    batches are read while the backend writes the current one. `progress` is told after the
    backend took each batch."""
    pages: asyncio.Queue[list[SearchDocument] | None] = asyncio.Queue(maxsize=4)
    async with pool.acquire() as conn:
        total = await repository.count_searchable(conn)
    done = 0

    async def read() -> None:
        try:
            async with pool.acquire() as conn, conn.transaction(readonly=True):
                async for resources in repository.searchable_batches(conn, batch):
                    await pages.put(to_documents(resources, vocab))
        finally:
            await pages.put(None)  # on failure too: the consumer then sees the error below

    reader = asyncio.create_task(read())
    try:
        while (page := await pages.get()) is not None:
            yield page
            done += len(page)
            progress(done, max(total, done))  # resources may be added meanwhile
        await reader
    finally:
        reader.cancel()


async def rebuild(
    pool: asyncpg.Pool,
    backend: SearchBackend,
    vocab: VocabularyIndex,
    *,
    batch: int = 2000,
    progress: Progress = no_progress,
) -> int:
    """The whole index again from PostgreSQL, the source of truth; `progress` counts the
    resources handed to the backend, of those searchable when it began."""
    with _no_cycle_collection():
        return await backend.rebuild(_all_documents(pool, vocab, batch, progress))


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector off meanwhile, one collection after. A rebuild makes millions
    of short-lived lists and Structs, without cycles: reference counting frees them, and the
    collector, run after every 700 of them and over every page still queued, took half of
    the Python time of making documents (docs/benchmarks.md)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect()


class IndexStatus(msgspec.Struct):
    backend: str
    pending_changes: int
    oldest_pending: datetime | None
    parked_changes: int = 0
    parked: list[ParkedChange] = msgspec.field(default_factory=list)


async def status(pool: asyncpg.Pool, backend: SearchBackend, *, shown: int = 20) -> IndexStatus:
    async with pool.acquire() as conn:
        lag = await repository.outbox_lag(conn)
        parked = await repository.parked_changes(conn, shown)
    return IndexStatus(
        backend=backend.name,
        pending_changes=lag.pending,
        oldest_pending=lag.oldest,
        parked_changes=lag.parked,
        parked=parked,
    )


async def retry_parked(pool: asyncpg.Pool) -> int:
    """Announce every parked change again (after the resources were fixed); how many."""
    async with pool.acquire() as conn, conn.transaction():
        retried = await repository.retry_parked(conn)
        await wake_indexer(conn)
    return retried
