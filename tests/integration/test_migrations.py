from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import msgspec
import pytest

from catalogue import migrations
from catalogue.database import connect
from catalogue.errors import MigrationError


async def _applied_rows(url: str) -> list[tuple[int, str]]:
    conn = await connect(url)
    try:
        rows = await conn.fetch("SELECT version, name FROM schema_migrations ORDER BY version")
    finally:
        await conn.close()
    return [(row["version"], row["name"]) for row in rows]


def _shipped() -> list[tuple[int, str]]:
    return [(m.version, m.name) for m in migrations.available()]


async def test_migrate_applies_everything_once_then_nothing(empty_database_url: str) -> None:
    conn = await connect(empty_database_url)
    try:
        assert not (await migrations.status(conn)).current
        first = await migrations.migrate(conn)
        second = await migrations.migrate(conn)
        state = await migrations.status(conn)
    finally:
        await conn.close()
    assert [(m.version, m.name) for m in first] == _shipped()
    assert second == []
    assert state.current
    assert await _applied_rows(empty_database_url) == _shipped()


async def test_two_processes_migrating_at_once_apply_each_file_once(
    empty_database_url: str,
) -> None:
    env = {**os.environ, "DATABASE_URL": empty_database_url}
    command = [sys.executable, "-m", "catalogue", "db", "migrate"]

    async def run() -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        out, _ = await process.communicate()
        return process.returncode or 0, out.decode()

    results = await asyncio.gather(run(), run(), run())

    assert [code for code, _ in results] == [0, 0, 0]
    applied_lines = [line for _, out in results for line in out.splitlines() if "applied" in line]
    assert sorted(applied_lines) == sorted(f"applied {v:04d}_{n}" for v, n in _shipped())
    assert await _applied_rows(empty_database_url) == _shipped()


async def test_a_failing_migration_is_rolled_back_and_not_recorded(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = migrations.available()
    expected = _shipped()
    broken = migrations.Migration(
        version=9999, name="broken", sql="CREATE TABLE half_done (id int); SELECT 1/0;"
    )
    monkeypatch.setattr(migrations, "available", lambda: (*good, broken))
    conn = await connect(empty_database_url)
    try:
        with pytest.raises(MigrationError, match="9999_broken failed"):
            await migrations.migrate(conn)
        half_done = await conn.fetchval("SELECT to_regclass('half_done')")
    finally:
        await conn.close()
    assert half_done is None
    assert await _applied_rows(empty_database_url) == expected


async def test_an_edited_migration_is_refused(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, *rest = migrations.available()
    edited = msgspec.structs.replace(first, sql=first.sql + "\n-- edited\n")
    monkeypatch.setattr(migrations, "available", lambda: (edited, *rest))
    conn = await connect(database_url)
    try:
        with pytest.raises(MigrationError, match="edited after it was applied"):
            await migrations.migrate(conn)
    finally:
        await conn.close()
