"""The database's migrations and the platform's signing keys."""

from __future__ import annotations

import asyncio
import sys

import asyncpg
import click

from catalogue import migrations
from catalogue.bootstrap import prepare_database
from catalogue.cli.common import clear_errors, cli_settings, stop_on_sigterm, with_connection
from catalogue.errors import ConfigurationError
from catalogue.identity.keys import (
    key_sealer,
    kid_of,
    reseal_signing_keys,
    rotate_signing_key,
)
from catalogue.identity.secrets import derive_key, resolve_secret_key
from catalogue.webhooks import service as webhooks


@click.group()
def db() -> None:
    """Database migrations."""


@db.command("migrate")
@clear_errors
def db_migrate() -> None:
    """Apply pending migrations."""
    settings = cli_settings()
    stop_on_sigterm()
    applied = asyncio.run(with_connection(settings, prepare_database))
    if applied:
        for migration in applied:
            click.echo(f"applied {migration.label}")
    else:
        click.echo("nothing to apply: the database is up to date")


@db.command("status")
@clear_errors
def db_status() -> None:
    """Show applied and pending migrations; exit 1 when some are pending."""
    settings = cli_settings()
    state = asyncio.run(with_connection(settings, migrations.status))
    for migration in migrations.available():
        mark = "applied" if migration.version in state.applied else "pending"
        click.echo(f"{migration.label}  {mark}")
    if not state.current:
        sys.exit(1)


@click.group()
def keys() -> None:
    """The platform's signing keys (tokens, LTI messages)."""


@keys.command("rotate")
@click.option(
    "--reencrypt",
    is_flag=True,
    help="After a change of CATALOGUE_SECRET_KEY: also seal under the new secret what was "
    "sealed under the former one (CATALOGUE_PREVIOUS_SECRET_KEY): signing keys, webhook secrets.",
)
@clear_errors
def keys_rotate(reencrypt: bool) -> None:
    """Sign with a new key from now on; the previous one stays published until its tokens
    expire."""
    settings = cli_settings()
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

    kid, keys_resealed, webhooks_resealed = asyncio.run(with_connection(settings, rotate))
    if reencrypt:
        click.echo(
            f"sealed under the new secret: {keys_resealed} signing key(s), "
            f"{webhooks_resealed} webhook secret(s)"
        )
    click.echo(f"signing with key {kid}; the previous key stays in the JWKS for an hour")
