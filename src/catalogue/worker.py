"""Background work on the PostgreSQL job queue (pgqueuer): today, feeding the search index."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import structlog
from pgqueuer import AsyncpgPoolDriver, DatabaseRetryEntrypointExecutor, Job, PgQueuer
from pgqueuer.executors import EntrypointExecutorParameters
from pgqueuer.models import Schedule

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


def build_worker(pool: asyncpg.Pool, backend: SearchBackend, vocab: VocabularyIndex) -> PgQueuer:
    pgq = PgQueuer(AsyncpgPoolDriver(pool))

    @pgq.entrypoint(outbox.INDEX_JOB, concurrency_limit=1, executor_factory=_retrying)
    async def index_changes(_job: Job) -> None:
        await outbox.drain(pool, backend, vocab)

    # A change announced while a drain was finishing is picked up at the next minute.
    @pgq.schedule("sweep-search-outbox", "* * * * *")
    async def sweep(_schedule: Schedule) -> None:
        await outbox.drain(pool, backend, vocab)

    return pgq
