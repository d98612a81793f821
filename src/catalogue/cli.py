"""The ``catalogue`` command."""

from __future__ import annotations

import asyncio
import errno
import functools
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

import asyncpg
import click
import msgspec

from catalogue import demo, migrations
from catalogue.bootstrap import prepare_database
from catalogue.cli_progress import ProgressDisplay
from catalogue.config import Settings, settings_from
from catalogue.database import connect, create_pool, resolve_database_url
from catalogue.errors import CatalogueError, ConfigurationError
from catalogue.gar.transport import tls_context
from catalogue.harvests import service as harvests
from catalogue.harvests.models import RunView
from catalogue.identity.demo import DEMO_IDENTITIES, demo_token, ensure_demo_allowed
from catalogue.identity.keys import (
    key_sealer,
    kid_of,
    reseal_signing_keys,
    rotate_signing_key,
)
from catalogue.identity.secrets import derive_key, resolve_secret_key
from catalogue.imports.models import ImportReport
from catalogue.imports.service import run_import
from catalogue.logs import configure_logging
from catalogue.outbound import publisher_client
from catalogue.search import outbox
from catalogue.search.backends import search_backend
from catalogue.search.models import SearchBackend
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.webhooks import service as webhooks
from catalogue.worker import Supervisor, build_worker
from connectors import contract as connector_contract

P = ParamSpec("P")
T = TypeVar("T")


def _clear_errors(command: Callable[P, T]) -> Callable[P, T]:
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


def _settings() -> Settings:
    settings = settings_from(os.environ)
    configure_logging(settings)
    return settings


def _check_gar(settings: Settings) -> None:
    """With GAR settings, their certificates must be usable: else no start, one line."""
    if settings.gar is not None:
        tls_context(settings.gar)


def _stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the embedded PostgreSQL is stopped at exit."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


async def _with_connection(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    conn = await connect(await resolve_database_url(settings))
    try:
        return await work(conn)
    finally:
        await conn.close()


@click.group()
@click.version_option(package_name="catalogue-ressources")
def main() -> None:
    """Catalogue de ressources numériques éducatives et compte ressource."""


@main.command()
@click.option("--demo", is_flag=True, help="Charger les données de démonstration.")
@click.option("--host", help="Adresse d'écoute (CATALOGUE_HOST, 127.0.0.1 par défaut).")
@click.option("--port", type=int, help="Port d'écoute (CATALOGUE_PORT, 8000 par défaut).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@_clear_errors
def serve(demo: bool, host: str | None, port: int | None, workers: int) -> None:
    """Apply pending migrations, then serve HTTP."""
    settings = _settings()
    _check_gar(settings)
    settings = msgspec.structs.replace(
        settings, host=host or settings.host, port=settings.port if port is None else port
    )
    if demo:
        ensure_demo_allowed(settings, settings.host)
    _check_port_free(settings.host, settings.port)
    _stop_on_sigterm()
    url = asyncio.run(_prepare(settings, load_demo=demo))
    # The app (in this process or in server workers) reads its settings from the
    # environment: hand it what the command line decided, and the resolved database
    # (the embedded one has no DATABASE_URL of its own).
    os.environ.update(
        DATABASE_URL=url,
        CATALOGUE_HOST=settings.host,
        CATALOGUE_PORT=str(settings.port),
        CATALOGUE_DEMO="true" if demo else "false",
    )
    import uvicorn  # noqa: PLC0415  # only `serve` needs the server

    uvicorn.run(
        "catalogue.app:create_asgi_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=10,
    )


async def _prepare(settings: Settings, *, load_demo: bool) -> str:
    url = await resolve_database_url(settings)
    conn = await connect(url)
    try:
        await prepare_database(conn)
        if load_demo:
            await demo.load_demo(conn, settings)
    finally:
        await conn.close()
    return url


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigurationError(
                    f"{host}:{port} is already in use (another `catalogue serve`?); "
                    "choose another with --port"
                ) from None
            raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("migrate")
@_clear_errors
def db_migrate() -> None:
    """Apply pending migrations."""
    settings = _settings()
    _stop_on_sigterm()
    applied = asyncio.run(_with_connection(settings, prepare_database))
    if applied:
        for migration in applied:
            click.echo(f"applied {migration.label}")
    else:
        click.echo("nothing to apply: the database is up to date")


@db.command("status")
@_clear_errors
def db_status() -> None:
    """Show applied and pending migrations; exit 1 when some are pending."""
    settings = _settings()
    state = asyncio.run(_with_connection(settings, migrations.status))
    for migration in migrations.available():
        mark = "applied" if migration.version in state.applied else "pending"
        click.echo(f"{migration.label}  {mark}")
    if not state.current:
        sys.exit(1)


@main.group()
def keys() -> None:
    """The platform's signing keys (tokens, LTI messages)."""


@keys.command("rotate")
@click.option(
    "--reencrypt",
    is_flag=True,
    help="After a change of CATALOGUE_SECRET_KEY: also seal under the new secret what was "
    "sealed under the former one (CATALOGUE_PREVIOUS_SECRET_KEY): signing keys, webhook secrets.",
)
@_clear_errors
def keys_rotate(reencrypt: bool) -> None:
    """Sign with a new key from now on; the previous one stays published until its tokens
    expire."""
    settings = _settings()
    if reencrypt and not settings.previous_secret_key:
        raise ConfigurationError(
            "--reencrypt needs the former secret in CATALOGUE_PREVIOUS_SECRET_KEY"
        )
    sealer = key_sealer(settings)

    async def rotate(conn: asyncpg.Connection) -> tuple[str, int, int]:
        keys_resealed = webhooks_resealed = 0
        if reencrypt:
            assert settings.previous_secret_key is not None  # checked above
            keys_resealed = await reseal_signing_keys(conn, sealer)
            webhooks_resealed = await webhooks.reseal_secrets(
                conn,
                derive_key(resolve_secret_key(settings), "webhooks"),
                derive_key(settings.previous_secret_key, "webhooks"),
            )
        key = await rotate_signing_key(conn, sealer)
        return kid_of(key), keys_resealed, webhooks_resealed

    kid, keys_resealed, webhooks_resealed = asyncio.run(_with_connection(settings, rotate))
    if reencrypt:
        click.echo(
            f"sealed under the new secret: {keys_resealed} signing key(s), "
            f"{webhooks_resealed} webhook secret(s)"
        )
    click.echo(f"signing with key {kid}; the previous key stays in the JWKS for an hour")


@main.command()
@_clear_errors
def worker() -> None:
    """Run the job worker (search indexing, harvests, webhooks) until SIGINT or SIGTERM."""
    settings = _settings()
    _check_gar(settings)
    _stop_on_sigterm()
    asyncio.run(_run_worker(settings))


async def _run_worker(settings: Settings) -> None:
    async with (
        search_context(settings) as (pool, backend, vocab),
        publisher_client(production=settings.production) as http,
    ):
        webhook_key = derive_key(resolve_secret_key(settings), "webhooks")
        await Supervisor(lambda: build_worker(pool, backend, vocab, http, webhook_key)).run()


@main.group()
def index() -> None:
    """The search index."""


@index.command("rebuild")
@_clear_errors
def index_rebuild() -> None:
    """Rebuild the whole index from PostgreSQL."""
    settings = _settings()

    async def run() -> tuple[int, float]:
        async with (
            search_context(settings) as (pool, backend, vocab),
            ProgressDisplay("index rebuild", "resources") as progress,
        ):
            started = time.perf_counter()
            count = await outbox.rebuild(pool, backend, vocab, progress=progress)
            return count, time.perf_counter() - started

    count, seconds = asyncio.run(run())
    click.echo(f"indexed {count} resources in {seconds:.1f} s ({count / max(seconds, 1e-9):.0f}/s)")


@index.command("status")
@_clear_errors
def index_status() -> None:
    """Show the backend and the changes not yet indexed (the lag)."""
    settings = _settings()

    async def run() -> outbox.IndexStatus:
        async with search_context(settings) as (pool, backend, _):
            return await outbox.status(pool, backend)

    state = asyncio.run(run())
    oldest = state.oldest_pending.isoformat() if state.oldest_pending else "-"
    click.echo(f"backend: {state.backend}")
    click.echo(f"pending changes: {state.pending_changes} (oldest: {oldest})")
    click.echo(f"parked changes: {state.parked_changes}")
    for parked in state.parked:
        click.echo(f"  {parked.resource_id} parked {parked.parked_at.isoformat()}: {parked.error}")


@index.command("retry-parked")
@_clear_errors
def index_retry_parked() -> None:
    """Announce the parked changes again (once their resources are fixed)."""
    settings = _settings()

    async def run() -> int:
        async with search_context(settings) as (pool, _, _):
            return await outbox.retry_parked(pool)

    click.echo(f"announced again: {asyncio.run(run())}")


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


@main.group()
def connectors() -> None:
    """Connectors (plugins of the entry-point group catalogue.connectors)."""


@connectors.command("list")
def connectors_list() -> None:
    """List the installed connectors."""
    for name, connector in sorted(connector_contract.available().items()):
        click.echo(f"{name}\t{connector.description}")


@main.command("import")
@click.argument("connector")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--publisher", "publisher_id", required=True, type=click.UUID)
@click.option("--strict", is_flag=True, help="Valider chaque notice contre le XSD ScoLOMFR.")
@_clear_errors
def import_command(
    connector: str, paths: tuple[Path, ...], publisher_id: UUID, strict: bool
) -> None:
    """Import files, folders or zips with a connector (`lom` or `lomfr`, `json`...)."""
    settings = _settings()
    try:
        reader = connector_contract.get("lomfr" if connector == "lom" else connector)
    except connector_contract.UnknownConnectorError as exc:
        raise ConfigurationError(str(exc)) from None
    uploads = [
        (str(file), file.read_bytes())
        for path in paths
        for file in (sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    ]

    async def run() -> ImportReport:
        async with (
            search_context(settings) as (pool, _, vocab),
            ProgressDisplay("import", "documents") as progress,
        ):
            return await run_import(
                pool,
                vocab,
                reader,
                publisher_id,
                uploads,
                source="cli",
                strict=strict,
                progress=progress,
            )

    report = asyncio.run(run())
    for item in report.items:
        where = f"{item.document}:{item.line}" if item.line else item.document
        detail = item.message or "; ".join(item.warnings)
        click.echo(f"{item.outcome:9} {where}  {detail}".rstrip())
    click.echo(
        f"import {report.id}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.rejected} rejected"
    )


@main.command()
@click.argument("source_id", type=click.UUID)
@_clear_errors
def harvest(source_id: UUID) -> None:
    """Harvest an OAI-PMH source now; print the run's counts."""
    settings = _settings()
    _stop_on_sigterm()

    async def run() -> RunView:
        async with (
            search_context(settings) as (pool, _, vocab),
            publisher_client(production=settings.production) as http,
            ProgressDisplay("harvest", "records") as progress,
        ):
            return await harvests.harvest(pool, vocab, http, source_id, progress=progress)

    result = asyncio.run(run())
    click.echo(
        f"harvest {result.id}: {result.status}, {result.pages} pages, {result.created} created, "
        f"{result.updated} updated, {result.unchanged} unchanged, {result.withdrawn} withdrawn, "
        f"{result.rejected} rejected"
    )
    for problem in result.problems:
        click.echo(f"  rejected {problem['identifier']}: {problem['message']}")
    for warning in result.warnings:
        click.echo(f"  warning {warning['identifier']}: {warning['message']}")
    if result.warning_count > len(result.warnings):
        click.echo(f"  ... {result.warning_count - len(result.warnings)} more warnings not kept")
    if result.error:
        click.echo(f"catalogue: error: {result.error}", err=True)
        sys.exit(1)


@main.command("demo-token")
@click.argument(
    "role",
    type=click.Choice([role.replace("_", "-") for role in DEMO_IDENTITIES]),
)
@_clear_errors
def demo_token_command(role: str) -> None:
    """Print a bearer token for a seeded demo identity."""
    settings = _settings()
    ensure_demo_allowed(settings, settings.host)
    key = role.replace("-", "_")
    token = asyncio.run(_with_connection(settings, lambda c: demo_token(c, settings, key)))
    click.echo(token)
