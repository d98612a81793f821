"""The job queue's tables follow pgqueuer's releases: prepare_database runs its upgrade."""

from __future__ import annotations

import asyncpg
from pgqueuer import AsyncpgDriver, Queries

from catalogue.bootstrap import prepare_database

COLUMNS = "SELECT column_name FROM information_schema.columns WHERE table_name = 'pgqueuer'"
INDEXES = "SELECT indexname FROM pg_indexes WHERE tablename = 'pgqueuer'"


async def test_an_older_queue_schema_is_upgraded(conn: asyncpg.Connection) -> None:
    """As an earlier pgqueuer left it: without a column and an index later releases add."""
    await conn.execute("DROP INDEX pgqueuer_picked_slot_idx")
    await conn.execute("ALTER TABLE pgqueuer DROP COLUMN headers")
    queue = Queries(AsyncpgDriver(conn))
    assert (await queue.plan_upgrade()).statements  # there is something to upgrade

    await prepare_database(conn)

    assert "headers" in {row["column_name"] for row in await conn.fetch(COLUMNS)}
    assert "pgqueuer_picked_slot_idx" in {row["indexname"] for row in await conn.fetch(INDEXES)}
    assert (await queue.plan_upgrade()).statements == ()


async def test_an_up_to_date_queue_schema_is_left_as_it_is(conn: asyncpg.Connection) -> None:
    queue = Queries(AsyncpgDriver(conn))
    before = (await conn.fetch(COLUMNS), await conn.fetch(INDEXES))
    await prepare_database(conn)
    await prepare_database(conn)
    assert (await conn.fetch(COLUMNS), await conn.fetch(INDEXES)) == before
    assert (await queue.plan_upgrade()).statements == ()
