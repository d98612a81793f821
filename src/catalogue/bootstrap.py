"""Everything a database needs before the service uses it, idempotent and safe to race."""

from __future__ import annotations

import structlog
from pgqueuer import AsyncpgDriver, Queries

from catalogue import migrations
from catalogue.database import Connection
from catalogue.vocabularies.loader import load_vocabularies

log = structlog.get_logger(__name__)


async def prepare_database(conn: Connection) -> list[migrations.Migration]:
    """Migrations, the job queue's tables (pgqueuer's own installer, then its own upgrade
    when a newer release declares more), the vocabularies."""
    # Session advisory locks nest: migrate() takes and releases the same lock inside.
    await conn.execute("SELECT pg_advisory_lock($1)", migrations.ADVISORY_LOCK_KEY)
    try:
        applied = await migrations.migrate(conn)
        queue = Queries(AsyncpgDriver(conn))  # type: ignore[arg-type]
        if not await queue.schema_is_installed():
            await queue.install()
        else:  # what this pgqueuer release adds (nothing when up to date), under its own lock
            done = await queue.apply_upgrade()
            if done.statements:
                log.info("job queue schema upgraded", statements=len(done.statements))
        await load_vocabularies(conn)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", migrations.ADVISORY_LOCK_KEY)
    return applied
