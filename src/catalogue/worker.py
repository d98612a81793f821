"""Background work on the PostgreSQL job queue (pgqueuer): the search index, harvests."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import asyncpg
import httpx
import structlog
from pgqueuer import AsyncpgPoolDriver, DatabaseRetryEntrypointExecutor, Job, PgQueuer
from pgqueuer.executors import EntrypointExecutorParameters
from pgqueuer.models import Schedule

from catalogue.harvests import service as harvests
from catalogue.search import outbox
from catalogue.search.models import SearchBackend
from catalogue.vocabularies.index import VocabularyIndex

log = structlog.get_logger(__name__)


def _retrying(parameters: EntrypointExecutorParameters) -> DatabaseRetryEntrypointExecutor:
    return DatabaseRetryEntrypointExecutor(
        parameters=parameters,
        max_attempts=8,
        initial_delay=timedelta(seconds=1),
        max_delay=timedelta(minutes=5),
    )


def build_worker(
    pool: asyncpg.Pool, backend: SearchBackend, vocab: VocabularyIndex, http: httpx.AsyncClient
) -> PgQueuer:
    pgq = PgQueuer(AsyncpgPoolDriver(pool))

    @pgq.entrypoint(outbox.INDEX_JOB, concurrency_limit=1, executor_factory=_retrying)
    async def index_changes(_job: Job) -> None:
        await outbox.drain(pool, backend, vocab)

    # A change announced while a drain was finishing is picked up at the next minute.
    @pgq.schedule("sweep-search-outbox", "* * * * *")
    async def sweep(_schedule: Schedule) -> None:
        await outbox.drain(pool, backend, vocab)

    # A harvest keeps its own retries and records its failures: no queue retry on top.
    @pgq.entrypoint(harvests.HARVEST_JOB, concurrency_limit=2)
    async def harvest_source(job: Job) -> None:
        await harvests.harvest(pool, vocab, http, UUID((job.payload or b"").decode()))

    @pgq.schedule("schedule-due-harvests", "* * * * *")
    async def due_harvests(_schedule: Schedule) -> None:
        await harvests.schedule_due_harvests(pool)

    return pgq
