"""The one registration point for demo data: each context appends its loader to LOADERS.

Loaders run in order, in one transaction, and must be idempotent (``serve --demo`` runs
them at every start).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from catalogue.database import Connection
from catalogue.identity.demo import seed_identities
from catalogue.resources.demo import seed_catalogue

DemoLoader = Callable[[Connection], Awaitable[None]]

LOADERS: list[DemoLoader] = [
    seed_identities,
    seed_catalogue,
]


async def load_demo(conn: Connection) -> None:
    async with conn.transaction():
        for loader in LOADERS:
            await loader(conn)
