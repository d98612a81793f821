"""What every command shares: settings, one readable line per failure, connections."""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, ParamSpec, TypeVar

import asyncpg
import click

from catalogue.bootstrap import prepare_database
from catalogue.config import Settings, settings_from
from catalogue.database import connect, create_pool, resolve_database_url
from catalogue.errors import CatalogueError
from catalogue.logs import configure_logging
from catalogue.search.backends import search_backend
from catalogue.search.models import SearchBackend
from catalogue.vocabularies.index import VocabularyIndex

P = ParamSpec("P")
T = TypeVar("T")


def clear_errors(command: Callable[P, T]) -> Callable[P, T]:
    """Expected failures end the command with one readable line and a non-zero status."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return command(*args, **kwargs)
        except CatalogueError as exc:
            click.echo(f"catalogue: error: {exc.detail}", err=True)
            sys.exit(1)
        except asyncpg.UndefinedTableError:
            click.echo(
                "catalogue: error: the database has no tables yet: "
                "run `catalogue db migrate` (or `catalogue serve`) first",
                err=True,
            )
            sys.exit(1)
        except KeyboardInterrupt:
            sys.exit(130)

    return wrapper


def cli_settings() -> Settings:
    settings = settings_from(os.environ)
    configure_logging(settings)
    return settings


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the embedded PostgreSQL is stopped at exit."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


async def with_connection(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    conn = await connect(await resolve_database_url(settings))
    try:
        return await work(conn)
    finally:
        await conn.close()


@asynccontextmanager
async def search_context(
    settings: Settings,
) -> AsyncIterator[tuple[asyncpg.Pool, SearchBackend, VocabularyIndex]]:
    url = await resolve_database_url(settings)
    async with await create_pool(url, max_size=4) as pool:
        async with pool.acquire() as conn:
            await prepare_database(conn)
            vocab = await VocabularyIndex.load(conn)
        yield pool, search_backend(settings, pool), vocab
