"""Serving HTTP, running the job worker, and tokens for the demo identities."""

from __future__ import annotations

import asyncio
import errno
import os
import socket

import click
import msgspec

from catalogue import demo
from catalogue.bootstrap import prepare_database
from catalogue.cli.common import (
    clear_errors,
    cli_settings,
    search_context,
    stop_on_sigterm,
    with_connection,
)
from catalogue.config import Settings
from catalogue.database import connect, resolve_database_url
from catalogue.errors import ConfigurationError
from catalogue.gar.transport import tls_context
from catalogue.identity.demo import DEMO_IDENTITIES, demo_token, ensure_demo_allowed
from catalogue.identity.secrets import derive_key, resolve_secret_key
from catalogue.outbound import publisher_client
from catalogue.worker import supervised_worker


@click.command()
@click.option("--demo", is_flag=True, help="Charger les données de démonstration.")
@click.option("--host", help="Adresse d'écoute (CATALOGUE_HOST, 127.0.0.1 par défaut).")
@click.option("--port", type=int, help="Port d'écoute (CATALOGUE_PORT, 8000 par défaut).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@clear_errors
def serve(demo: bool, host: str | None, port: int | None, workers: int) -> None:
    """Apply pending migrations, then serve HTTP."""
    settings = cli_settings()
    _check_gar(settings)
    settings = msgspec.structs.replace(
        settings, host=host or settings.host, port=settings.port if port is None else port
    )
    if demo:
        ensure_demo_allowed(settings, settings.host)
    _check_port_free(settings.host, settings.port)
    stop_on_sigterm()
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


def _check_gar(settings: Settings) -> None:
    """With GAR settings, their certificates must be usable: else no start, one line."""
    if settings.gar is not None:
        tls_context(settings.gar)


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


@click.command()
@clear_errors
def worker() -> None:
    """Run the job worker (search indexing, harvests, webhooks, the directory's refresh, the
    erasure of departed people) until SIGINT or SIGTERM."""
    settings = cli_settings()
    _check_gar(settings)
    stop_on_sigterm()
    give_way(settings.worker_nice)
    asyncio.run(_run_worker(settings))


def give_way(nice: int) -> None:
    """Lower this process's CPU priority to ``nice`` (never raise it: that needs privileges),
    before any thread starts: on Linux a thread inherits its creator's."""
    if nice > os.getpriority(os.PRIO_PROCESS, 0):
        os.setpriority(os.PRIO_PROCESS, 0, nice)


async def _run_worker(settings: Settings) -> None:
    async with (
        search_context(settings) as (pool, backend, vocab),
        publisher_client(production=settings.production) as http,
    ):
        webhook_key = derive_key(resolve_secret_key(settings), "webhooks")
        async with supervised_worker(
            settings, pool, backend, vocab, http, webhook_key=webhook_key
        ) as worker:
            await worker.run()


@click.command("demo-token")
@click.argument(
    "role",
    type=click.Choice([role.replace("_", "-") for role in DEMO_IDENTITIES]),
)
@clear_errors
def demo_token_command(role: str) -> None:
    """Print a bearer token for a seeded demo identity."""
    settings = cli_settings()
    ensure_demo_allowed(settings, settings.host)
    key = role.replace("-", "_")
    token = asyncio.run(with_connection(settings, lambda c: demo_token(c, settings, key)))
    click.echo(token)
