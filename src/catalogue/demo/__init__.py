"""Demo and benchmark data, apart from the product: generated offerings, the demo identities
in the database, an open school year with its envelopes.

Each module of this package registers its loader with ``@demo_loader(step=N)``; the package
imports all its modules, so a new one is found without a list to keep. ``load_demo`` runs
the loaders by step, in one transaction. They must be idempotent (``serve --demo`` runs them
at every start). Each gets the connection and the settings (for keys derived from the
server secret).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable

from catalogue.config import Settings
from catalogue.database import Connection

DemoLoader = Callable[[Connection, Settings], Awaitable[None]]

LOADERS: list[DemoLoader] = []
_STEPS: dict[DemoLoader, int] = {}


def demo_loader(step: int) -> Callable[[DemoLoader], DemoLoader]:
    """Registers a loader; lower steps run first (identities, then the catalogue, ...)."""

    def register(loader: DemoLoader) -> DemoLoader:
        _STEPS[loader] = step
        LOADERS.append(loader)
        LOADERS.sort(key=_STEPS.__getitem__)
        return loader

    return register


async def load_demo(conn: Connection, settings: Settings) -> None:
    async with conn.transaction():
        for loader in LOADERS:
            await loader(conn, settings)


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
