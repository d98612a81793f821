"""The search index: rebuild, status, parked changes."""

from __future__ import annotations

import asyncio
import time

import click

from catalogue.cli.common import clear_errors, cli_settings, search_context
from catalogue.cli_progress import ProgressDisplay
from catalogue.search import outbox
from catalogue.search.backends import engine_lines, engine_status, index_lines, rebuild_line


@click.group()
def index() -> None:
    """The search index."""


@index.command("rebuild")
@clear_errors
def index_rebuild() -> None:
    """Rebuild the whole index from PostgreSQL."""
    settings = cli_settings()

    async def run() -> str:
        async with (
            search_context(settings) as (pool, backend, vocab),
            ProgressDisplay("index rebuild", "resources") as progress,
        ):
            started = time.perf_counter()
            count = await outbox.rebuild(pool, backend, vocab, progress=progress)
            return rebuild_line(backend, count, time.perf_counter() - started)

    click.echo(asyncio.run(run()))


@index.command("status")
@clear_errors
def index_status() -> None:
    """Show the backend and the changes not yet indexed (the lag)."""
    settings = cli_settings()

    async def run() -> tuple[outbox.IndexStatus, list[str]]:
        async with search_context(settings) as (pool, backend, _):
            engine = engine_lines(await engine_status(backend)) + await index_lines(backend)
            return await outbox.status(pool, backend), engine

    state, engine = asyncio.run(run())
    oldest = state.oldest_pending.isoformat() if state.oldest_pending else "-"
    click.echo(f"backend: {state.backend}")
    click.echo(f"pending changes: {state.pending_changes} (oldest: {oldest})")
    click.echo(f"parked changes: {state.parked_changes}")
    for parked in state.parked:
        click.echo(f"  {parked.resource_id} parked {parked.parked_at.isoformat()}: {parked.error}")
    for line in engine:
        click.echo(line)


@index.command("retry-parked")
@clear_errors
def index_retry_parked() -> None:
    """Announce the parked changes again (once their resources are fixed)."""
    settings = cli_settings()

    async def run() -> int:
        async with search_context(settings) as (pool, _, _):
            return await outbox.retry_parked(pool)

    click.echo(f"announced again: {asyncio.run(run())}")
