"""Queries on imports: their reports, and the per-publisher slots that bound them."""

from __future__ import annotations

from uuid import UUID

import msgspec

from catalogue.database import Connection, fetch_one
from catalogue.imports.models import ImportReport
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.imports")


async def publisher_exists(conn: Connection, publisher_id: UUID) -> bool:
    return await conn.fetchval(SQL["publisher_exists"], publisher_id) is not None


async def take_import_slot(conn: Connection, publisher_id: UUID, slot: int) -> bool:
    """The slot, held by this session until released; False when another session holds it."""
    return bool(await conn.fetchval(SQL["take_import_slot"], publisher_id, slot))


async def release_import_slot(conn: Connection, publisher_id: UUID, slot: int) -> None:
    await conn.fetchval(SQL["release_import_slot"], publisher_id, slot)


async def insert_import(conn: Connection, report: ImportReport) -> ImportReport:
    """The report stored; returned with the id and the finishing time the database gave."""
    row = await conn.fetchrow(
        SQL["insert_import"],
        report.publisher_id,
        report.connector,
        report.source,
        report.started_at,
        report.created,
        report.updated,
        report.unchanged,
        report.rejected,
        msgspec.to_builtins(report.items),
    )
    assert row is not None
    return msgspec.structs.replace(report, id=row["id"], finished_at=row["finished_at"])


async def import_by_id(
    conn: Connection, import_id: UUID, publisher_id: UUID
) -> ImportReport | None:
    return await fetch_one(conn, ImportReport, SQL["import_by_id"], import_id, publisher_id)
