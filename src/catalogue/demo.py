"""The one registration point for demo data: each context appends its loader to LOADERS.

Loaders run in order, in one transaction, and must be idempotent (``serve --demo`` runs
them at every start). Each gets the connection and the settings (for keys derived from the
server secret).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from accounts.demo import seed_accounts
from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.identity.demo import seed_identities
from catalogue.resources.demo import seed_catalogue

DemoLoader = Callable[[Connection, Settings], Awaitable[None]]


async def _identities(conn: Connection, _: Settings) -> None:
    await seed_identities(conn)


async def _catalogue(conn: Connection, _: Settings) -> None:
    await seed_catalogue(conn)


LOADERS: list[DemoLoader] = [_identities, _catalogue, seed_accounts]


async def load_demo(conn: Connection, settings: Settings) -> None:
    async with conn.transaction():
        for loader in LOADERS:
            await loader(conn, settings)
