"""Background work on the PostgreSQL job queue (pgqueuer): the search index, harvests,
webhooks to publishers, GAR subscriptions; run by `catalogue worker`, or inside the web process
(``running_worker``, the embedded default)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from uuid import UUID

import asyncpg
import httpx
import structlog
from pgqueuer import AsyncpgPoolDriver, DatabaseRetryEntrypointExecutor, Job, PgQueuer
from pgqueuer.executors import EntrypointExecutorParameters
from pgqueuer.models import Schedule
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_never

from catalogue.collections import privacy as collections_privacy
from catalogue.communs import privacy as communs_privacy
from catalogue.config import Settings
from catalogue.directory.service import DirectoryService
from catalogue.gar import delivery as gar_delivery
from catalogue.gar import outbox as gar_outbox
from catalogue.gar.outbox import GAR_JOB
from catalogue.gar.transport import KeptClient, kept_client
from catalogue.harvests import service as harvests
from catalogue.identity.retention import ERASE_DEPARTED, PeopleErased, erase_departed
from catalogue.resources.outbox import INDEX_JOB
from catalogue.search import outbox
from catalogue.search.backends import prepare_if_reachable
from catalogue.search.models import SearchBackend
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.webhooks import delivery, events

log = structlog.get_logger(__name__)

# After a failure the worker starts again after 1, 2, 4... seconds, 30 at most; a run that
# lasted longer than that starts the count again.
REFRESH_DIRECTORY = "refresh-directory"
MAX_RESTART_DELAY_S = 30.0
# What the erasure of a departed person erases besides their name and e-mail (the nightly
# job and `catalogue directory erase-departed`): their lists and follows.
ERASED_ELSEWHERE: tuple[PeopleErased, ...] = (
    collections_privacy.forget_people,
    communs_privacy.forget_people,
)


def _retrying(parameters: EntrypointExecutorParameters) -> DatabaseRetryEntrypointExecutor:
    return DatabaseRetryEntrypointExecutor(
        parameters=parameters,
        max_attempts=8,
        initial_delay=timedelta(seconds=1),
        max_delay=timedelta(minutes=5),
    )


def build_worker(
    pool: asyncpg.Pool,
    backend: SearchBackend,
    vocab: VocabularyIndex,
    http: httpx.AsyncClient,
    webhook_key: bytes,
    *,
    directory_url: str | None = None,
    retention_days: int = 365,
    gar: KeptClient | None = None,
) -> PgQueuer:
    pgq = PgQueuer(AsyncpgPoolDriver(pool))

    @pgq.entrypoint(INDEX_JOB, concurrency_limit=1, executor_factory=_retrying)
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

    # Woken by each transaction that writes webhook events; retries are the deliveries' own
    # (backoff per delivery), the queue's retry covers only a lost database.
    @pgq.entrypoint(events.DELIVER_JOB, concurrency_limit=1, executor_factory=_retrying)
    async def deliver_webhooks(_job: Job) -> None:
        await delivery.drain(pool, http, webhook_key)

    # Retries come due with time, not with a new event: a sweep every minute sends them,
    # after announcing the licences that ended since the last one.
    @pgq.schedule("sweep-webhooks", "* * * * *")
    async def sweep_webhooks(_schedule: Schedule) -> None:
        await events.announce_expiries(pool)
        await delivery.drain(pool, http, webhook_key)

    # A departed person's name and e-mail, erased once the retention period has passed.
    @pgq.schedule(ERASE_DEPARTED, "41 2 * * *")
    async def erase_departed_people(_schedule: Schedule) -> None:
        await erase_departed(pool, retention_days, also=ERASED_ELSEWHERE)

    if gar is not None:
        # GAR subscriptions, like the webhooks: woken by the purchases that write them,
        # retries (backoff per delivery) sent by the minute sweep; every drain over the
        # worker's one client and its kept connections (no TLS handshake per job).
        async def drain_gar() -> None:
            async with gar.lease() as client:
                await gar_delivery.drain(pool, gar.settings, http=client)

        @pgq.entrypoint(GAR_JOB, concurrency_limit=1, executor_factory=_retrying)
        async def deliver_gar(_job: Job) -> None:
            await drain_gar()

        @pgq.schedule("sweep-gar-subscriptions", "* * * * *")
        async def sweep_gar(_schedule: Schedule) -> None:
            await gar_outbox.announce_expiries(pool)
            await drain_gar()

    if directory_url:
        # The ministry updates the dataset daily; a night's import changes only what changed.
        @pgq.schedule(REFRESH_DIRECTORY, "17 3 * * *")
        async def refresh_directory(_schedule: Schedule) -> None:
            await DirectoryService(pool).refresh(http, directory_url)

    return pgq


class Supervisor:
    """Runs a worker until shut down, and a new one each time one fails.

    pgqueuer's worker ends on the first error its own loops meet (a dequeue or a heartbeat
    on a database that restarts): without this, a PostgreSQL restart would leave the jobs
    with no worker until the process itself is restarted.
    """

    def __init__(self, make: Callable[[], PgQueuer]) -> None:
        self._make = make
        self._stop = asyncio.Event()
        self._current: PgQueuer | None = None
        self._failures = 0
        self.restarts = 0

    async def run(self) -> None:
        restarting = AsyncRetrying(
            retry=retry_if_exception_type(Exception),  # whatever ended it, start again
            wait=self._delay,
            sleep=self._pause,
            before_sleep=self._log_failure,
            stop=stop_never,
        )
        await restarting(self._run_once)

    async def _run_once(self) -> None:
        if self._stop.is_set():
            return
        self._current = self._make()
        started = time.monotonic()
        try:
            await self._current.run()
        except Exception:
            if self._stop.is_set():
                return
            # Failures in a row lengthen the wait; a worker that ran a while starts it over.
            long_run = time.monotonic() - started > MAX_RESTART_DELAY_S
            self._failures = 1 if long_run else self._failures + 1
            raise

    def _delay(self, _: RetryCallState) -> float:
        return min(2.0 ** (self._failures - 1), MAX_RESTART_DELAY_S)

    def _log_failure(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning("worker failed, starting again", error=repr(error), in_s=state.upcoming_sleep)

    async def _pause(self, delay: float) -> None:
        """The wait before the next worker, cut short by a shutdown."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=delay)
        self.restarts += 1

    def shutdown(self) -> None:
        self._stop.set()
        if self._current is not None:
            self._current.shutdown.set()


@contextlib.asynccontextmanager
async def supervised_worker(
    settings: Settings,
    pool: asyncpg.Pool,
    backend: SearchBackend,
    vocab: VocabularyIndex,
    http: httpx.AsyncClient,
    *,
    webhook_key: bytes,
) -> AsyncIterator[Supervisor]:
    """The worker as `catalogue worker` and `serve`'s embedded worker run it: rebuilt by its
    supervisor after a crash, its jobs configured from the settings. Its GAR client (with
    GAR settings) lasts as long as it, through restarts, and is closed on the way out."""
    async with kept_client(settings.gar) as gar:
        yield Supervisor(
            lambda: build_worker(
                pool,
                backend,
                vocab,
                http,
                webhook_key,
                directory_url=settings.directory_url,
                retention_days=settings.retention_days,
                gar=gar,
            )
        )


@contextlib.asynccontextmanager
async def running_worker(
    settings: Settings,
    pool: asyncpg.Pool,
    backend: SearchBackend,
    vocab: VocabularyIndex,
    http: httpx.AsyncClient,
    *,
    webhook_key: bytes,
) -> AsyncIterator[None]:
    """The job worker inside this process (the embedded default), stopped on the way out."""
    await prepare_if_reachable(backend)
    if not settings.embedded_worker:
        yield
        return
    async with supervised_worker(
        settings, pool, backend, vocab, http, webhook_key=webhook_key
    ) as worker:
        task = asyncio.create_task(worker.run())
        try:
            yield
        finally:
            worker.shutdown()
            await asyncio.wait_for(task, timeout=30)
