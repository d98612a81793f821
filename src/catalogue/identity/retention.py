"""The retention of personal data (RGPD): a person who left keeps their internal id, and the
ledger, acquisitions, licences and pseudonyms that point to it, but their name and e-mail are
erased once CATALOGUE_RETENTION_DAYS have passed since their departure. The worker runs it
every night; `catalogue directory erase-departed` runs it at once."""

from __future__ import annotations

import asyncpg
import structlog

from catalogue.identity import repository

log = structlog.get_logger(__name__)
ERASE_DEPARTED = "erase-departed"


async def erase_departed(pool: asyncpg.Pool, retention_days: int) -> int:
    """How many people's name and e-mail were erased now."""
    async with pool.acquire() as conn:
        erased = await repository.erase_departed(conn, retention_days)
    log.info("departed people erased", erased=erased, retention_days=retention_days)
    return erased
