"""Numbered raw-SQL migrations, applied in order under an advisory lock.

Files are named ``NNNN_what_it_does.sql``. Each runs in its own transaction and is recorded
in ``schema_migrations`` with a checksum; an applied file must never be edited afterwards.
"""

from __future__ import annotations

import functools
import hashlib
import re
from importlib import resources

import asyncpg
import msgspec
import structlog

from catalogue.database import Connection
from catalogue.errors import MigrationError

log = structlog.get_logger(__name__)

# Any constant works; all processes migrating one database must agree on it.
ADVISORY_LOCK_KEY = 0x6361_7461_6C6F_67  # "catalog"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""
_RECORD = "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"


class Migration(msgspec.Struct, frozen=True):
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:04d}_{self.name}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


class MigrationState(msgspec.Struct, frozen=True):
    applied: list[int]
    pending: list[Migration]

    @property
    def current(self) -> bool:
        return not self.pending


@functools.cache
def available() -> tuple[Migration, ...]:
    """The migrations shipped in this package, in order."""
    found: list[Migration] = []
    for entry in resources.files(__name__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a number: {versions}")
    return tuple(found)


async def _applied(conn: Connection) -> dict[int, str]:
    try:
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
    except asyncpg.UndefinedTableError:
        return {}  # a database no migration has touched yet
    return {row["version"]: row["checksum"] for row in rows}


def _pending(applied: dict[int, str], shipped: tuple[Migration, ...]) -> list[Migration]:
    for migration in shipped:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationError(f"migration {migration.label} was edited after it was applied")
    return [m for m in shipped if m.version not in applied]


async def status(conn: Connection) -> MigrationState:
    applied = await _applied(conn)
    return MigrationState(applied=sorted(applied), pending=_pending(applied, available()))


async def migrate(conn: Connection) -> list[Migration]:
    """Apply every pending migration; return those this call applied."""
    done: list[Migration] = []
    await conn.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        for migration in _pending(await _applied(conn), available()):
            try:
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        _RECORD,
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"migration {migration.label} failed: {exc}") from exc
            log.info("migration applied", version=migration.version, name=migration.name)
            done.append(migration)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
    return done
