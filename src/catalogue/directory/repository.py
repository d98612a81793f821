"""Queries on the directory of establishments."""

from __future__ import annotations

import msgspec

from catalogue.database import Connection, fetch_all
from catalogue.directory.dataset import Establishment
from catalogue.directory.models import EstablishmentView
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.directory")
_COLUMNS = list(Establishment.__struct_fields__)


class Merged(msgspec.Struct, frozen=True):
    created: int
    updated: int
    closed: int


async def merge_establishments(conn: Connection, rows: list[Establishment]) -> Merged:
    """The rows (one per UAI) copied in and merged into the directory, in the caller's
    transaction."""
    await conn.execute(SQL["create_load_table"])
    await conn.copy_records_to_table(
        "directory_load", records=[msgspec.structs.astuple(r) for r in rows], columns=_COLUMNS
    )
    row = await conn.fetchrow(SQL["merge_load_table"])
    assert row is not None
    return Merged(row["created"], row["updated"], row["closed"])


async def find_establishments(
    conn: Connection, pattern: str, uai: str, limit: int
) -> list[EstablishmentView]:
    return await fetch_all(conn, EstablishmentView, SQL["find_establishments"], pattern, uai, limit)
