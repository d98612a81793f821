"""The retention of personal data (RGPD): a person who left keeps their internal id, and the
ledger, acquisitions, licences and pseudonyms that point to it, but their name and e-mail are
erased once CATALOGUE_RETENTION_DAYS have passed since their departure. The worker runs it
every night; `catalogue directory erase-departed` runs it at once.

Other contexts keep data on people too (their lists): each erases its part through a
`PeopleErased` hook, run in the same transaction with the ids erased now. identity never
imports those contexts; the worker hands the hooks in (`catalogue.worker.ERASED_ELSEWHERE`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import asyncpg
import structlog

from catalogue.database import Connection
from catalogue.identity import repository

log = structlog.get_logger(__name__)
ERASE_DEPARTED = "erase-departed"

PeopleErased = Callable[[Connection, list[UUID]], Awaitable[None]]
"""Another context's erasure of the people erased now (never called with no one)."""


async def erase_departed(
    pool: asyncpg.Pool, retention_days: int, *, also: Sequence[PeopleErased]
) -> int:
    """How many people's name and e-mail were erased now, with what ``also`` erases of
    them elsewhere: all of it or nothing (one transaction)."""
    async with pool.acquire() as conn, conn.transaction():
        erased = await repository.erase_departed(conn, retention_days)
        if erased:
            for forget in also:
                await forget(conn, erased)
    log.info("departed people erased", erased=len(erased), retention_days=retention_days)
    return len(erased)
