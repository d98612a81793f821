"""Harvesting an OAI-PMH source into a publisher's catalogue, page by page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import structlog
from pgqueuer import AsyncpgDriver, Queries

from catalogue.database import Connection
from catalogue.errors import NotFoundError, UnprocessableError
from catalogue.harvests import repository
from catalogue.harvests.models import NewSource, RunView, SourceView
from catalogue.imports.service import record_warnings
from catalogue.outbound import url_problem
from catalogue.progress import Progress, no_progress
from catalogue.resources.models import Provenance, ResourceDraft
from catalogue.resources.outbox import announce_changes, wake_indexer
from catalogue.resources.service import save_batch
from catalogue.resources.validation import validate
from catalogue.vocabularies.index import VocabularyIndex
from connectors.contract import Context, Record
from connectors.lomfr import LomFrConnector
from connectors.oaipmh import OaiClient, OaiError, OaiPage

log = structlog.get_logger(__name__)
CONNECTOR = "oaipmh"
MAX_PROBLEMS = 1000
MAX_WARNINGS = 1000
HARVEST_JOB = "harvest-source"


class _Counts(msgspec.Struct):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: int = 0
    problems: list[dict[str, Any]] = msgspec.field(default_factory=list)
    warnings: list[dict[str, Any]] = msgspec.field(default_factory=list)
    warning_count: int = 0

    def problem(self, identifier: str, message: str) -> None:
        self.rejected += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"identifier": identifier, "message": message})

    def warn(self, identifier: str, messages: list[str]) -> None:
        self.warning_count += len(messages)
        room = max(0, MAX_WARNINGS - len(self.warnings))
        self.warnings.extend({"identifier": identifier, "message": m} for m in messages[:room])


async def add_source(
    pool: asyncpg.Pool, publisher_id: UUID, source: NewSource, *, production: bool
) -> SourceView:
    """Declare a source; its first harvest is scheduled at once."""
    problem = url_problem(source.base_url, production=production, https_only=False)
    if problem:
        raise UnprocessableError(
            f"URL d'entrepôt refusée : {problem}.", errors=[{"key": "base_url", "message": problem}]
        )
    async with pool.acquire() as conn, conn.transaction():
        added = await repository.insert_source(conn, publisher_id, source)
        await schedule_harvest(conn, added.id)
    return added


async def list_sources(pool: asyncpg.Pool, publisher_id: UUID) -> list[SourceView]:
    async with pool.acquire() as conn:
        return await repository.sources_of_publisher(conn, publisher_id)


async def request_harvest(pool: asyncpg.Pool, publisher_id: UUID, source_id: UUID) -> None:
    async with pool.acquire() as conn:
        source = await repository.source_by_id(conn, source_id)
        if source is None or source.publisher_id != publisher_id:
            raise NotFoundError("Source introuvable.")
        await schedule_harvest(conn, source_id)


async def read_run(pool: asyncpg.Pool, publisher_id: UUID, run_id: UUID) -> RunView:
    async with pool.acquire() as conn:
        run = await repository.run_by_id(conn, run_id, publisher_id)
    if run is None:
        raise NotFoundError("Moisson introuvable.")
    return run


async def schedule_harvest(conn: Connection, source_id: UUID) -> None:
    """Ask the worker to harvest a source (at most one waiting run per source)."""
    await Queries(AsyncpgDriver(conn)).enqueue(  # type: ignore[arg-type]
        HARVEST_JOB, str(source_id).encode(), dedupe_key=f"harvest:{source_id}", on_conflict="skip"
    )


async def schedule_due_harvests(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        due = await repository.due_sources(conn)
        for source_id in due:
            await schedule_harvest(conn, source_id)
    return len(due)


async def harvest(
    pool: asyncpg.Pool,
    vocab: VocabularyIndex,
    http: httpx.AsyncClient,
    source_id: UUID,
    *,
    backoff_s: float = 0.5,
    progress: Progress = no_progress,
) -> RunView:
    """One run: incremental from the last success, resumed from the last token if cut short.

    What was saved stays saved when the run fails; the run records the reason. `progress` is
    told after each page how many records were read, of the list's size when the source
    gives it (`completeListSize`).
    """
    async with pool.acquire() as conn:
        source = await repository.source_by_id(conn, source_id)
        if source is None:
            raise NotFoundError("Source de moisson introuvable.")
        run_id = await repository.start_run(conn, source_id)
        counts = _Counts()
        client = OaiClient(http, source.base_url, backoff_s=backoff_s)
        status, error = "succeeded", None
        try:
            prefix = source.metadata_prefix or await client.lom_prefix()
            granularity = await client.granularity()
            pages = client.list_records(
                prefix,
                since=source.harvested_until,
                granularity=granularity,
                set_spec=source.set_spec,
                token=source.resume_token,
            )
            read, size = 0, None
            async for page in pages:
                # One transaction a page (each record in its own savepoint): the stored token
                # always matches what was saved, and commits do not dominate the run.
                async with conn.transaction():
                    await _store(conn, vocab, source.publisher_id, page, counts)
                    await wake_indexer(conn)
                    await repository.page_done(conn, run_id, counts, page.token, prefix)
                read += len(page.records)
                size = page.size if page.size is not None else size  # the last page may not say
                progress(read, size)
        except OaiError as exc:
            status, error = "failed", str(exc)
        except httpx.InvalidURL as exc:  # stored before URLs were read by httpx when given
            status, error = "failed", f"URL illisible : {exc}"
        await repository.finish_run(conn, run_id, status, error)
        run = await repository.run_by_id(conn, run_id, source.publisher_id)
    assert run is not None
    log.info("harvest finished", source=str(source_id), status=status, error=error)
    return run


async def _store(
    conn: Connection,
    vocab: VocabularyIndex,
    publisher_id: UUID,
    page: OaiPage,
    counts: _Counts,
) -> None:
    lom = LomFrConnector()
    context = Context(concept_for_label=vocab.concept_for_label, concept=vocab.lookup)
    valid: list[tuple[str, Record, list[str]]] = []
    drafts: list[tuple[ResourceDraft, Provenance]] = []
    for record in page.records:
        if record.deleted:
            async with conn.transaction():
                gone = await repository.withdraw_by_source(
                    conn, publisher_id, CONNECTOR, record.identifier
                )
                if gone:
                    await announce_changes(conn, gone)
                    counts.withdrawn += len(gone)
            continue
        results = list(lom.read(record.metadata or b"", context)) if record.metadata else []
        found = [r for r in results if isinstance(r, Record)]
        if not found:
            reason = next(
                (r.message for r in results if not isinstance(r, Record)), "pas de métadonnées"
            )
            counts.problem(record.identifier, reason)
            continue
        try:
            draft, changes = validate(found[0].draft)
        except UnprocessableError as exc:
            counts.problem(record.identifier, exc.detail)
            continue
        provenance = Provenance(
            connector=CONNECTOR, source_id=record.identifier, harvested_at=_parse(record.datestamp)
        )
        valid.append((record.identifier, found[0], changes))
        drafts.append((draft, provenance))
    saved = await save_batch(conn, vocab, publisher_id, drafts)
    for (identifier, found_record, changes), outcome in zip(valid, saved, strict=True):
        if isinstance(outcome, str):
            counts.problem(identifier, outcome)
            continue
        setattr(counts, outcome.outcome, getattr(counts, outcome.outcome) + 1)
        counts.warn(identifier, record_warnings(found_record, outcome, changes))


def _parse(datestamp: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(datestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
