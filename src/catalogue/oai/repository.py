"""Queries of the OAI-PMH provider, returning msgspec Structs (statements in ``oai/sql/``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from catalogue.database import Connection, fetch_all, fetch_one
from catalogue.oai.records import OaiRecord, OaiSet
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.oai")


async def earliest(conn: Connection) -> datetime | None:
    """The oldest datestamp of the repository; None when it holds no resource."""
    moment: datetime | None = await conn.fetchval(SQL["earliest"])
    return moment


async def sets(conn: Connection) -> list[OaiSet]:
    return await fetch_all(conn, OaiSet, SQL["sets"])


async def record(conn: Connection, resource_id: UUID) -> OaiRecord | None:
    """A published or withdrawn visible resource."""
    return await fetch_one(conn, OaiRecord, SQL["record"], resource_id)


async def records(
    conn: Connection,
    *,
    since: datetime | None,
    until: datetime | None,
    publisher: UUID | None,
    after: tuple[datetime, UUID],
    limit: int,
) -> list[OaiRecord]:
    """Records by datestamp then id, after the cursor ``after``, in [since, until)."""
    return await fetch_all(
        conn, OaiRecord, SQL["records"], since, until, publisher, after[0], after[1], limit
    )
