"""Queries on harvest sources and their runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

import msgspec

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.harvests.models import NewSource, RunView, SourceView
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.harvests")


class Source(msgspec.Struct, kw_only=True):
    """A source as a run reads it: where it is, and where the last run stopped."""

    id: UUID
    publisher_id: UUID
    base_url: str
    set_spec: str | None
    metadata_prefix: str | None
    harvested_until: datetime | None
    resume_token: str | None


class RunCounts(Protocol):
    """What a run has counted so far (``service._Counts``)."""

    created: int
    updated: int
    unchanged: int
    withdrawn: int
    rejected: int
    problems: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    warning_count: int


async def insert_source(conn: Connection, publisher_id: UUID, source: NewSource) -> SourceView:
    added = await fetch_one(
        conn,
        SourceView,
        SQL["insert_source"],
        publisher_id,
        source.base_url,
        source.set_spec,
        source.every_minutes,
    )
    assert added is not None
    return added


async def sources_of_publisher(conn: Connection, publisher_id: UUID) -> list[SourceView]:
    return await fetch_all(conn, SourceView, SQL["sources_of_publisher"], publisher_id)


async def source_by_id(conn: Connection, source_id: UUID) -> Source | None:
    return await fetch_one(conn, Source, SQL["source_by_id"], source_id)


async def due_sources(conn: Connection) -> list[UUID]:
    return [row["id"] for row in await conn.fetch(SQL["due_sources"])]


async def start_run(conn: Connection, source_id: UUID) -> UUID:
    run_id: UUID = await conn.fetchval(SQL["start_run"], source_id)
    return run_id


async def page_done(
    conn: Connection, run_id: UUID, counts: RunCounts, token: str | None, prefix: str
) -> None:
    """A page saved: the run's counts so far, and where the next run resumes."""
    await conn.execute(
        SQL["page_done"],
        run_id,
        counts.created,
        counts.updated,
        counts.unchanged,
        counts.withdrawn,
        counts.rejected,
        counts.problems,
        token,
        prefix,
        counts.warnings,
        counts.warning_count,
    )


async def finish_run(conn: Connection, run_id: UUID, status: str, error: str | None) -> None:
    await conn.execute(SQL["finish_run"], run_id, status, error)


async def run_by_id(conn: Connection, run_id: UUID, publisher_id: UUID) -> RunView | None:
    return await fetch_one(conn, RunView, SQL["run_by_id"], run_id, publisher_id)


async def withdraw_by_source(
    conn: Connection, publisher_id: UUID, connector: str, source_id: str
) -> list[UUID]:
    """The resources saved from a source record that the source has deleted, withdrawn."""
    rows = await conn.fetch(SQL["withdraw_by_source"], publisher_id, connector, source_id)
    return [row["id"] for row in rows]
