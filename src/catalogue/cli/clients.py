"""Machine clients of the platform itself (an ENT, an identity provider), as the operator
creates them: the same act as a national administrator's POST /api/v1/platform-clients."""

from __future__ import annotations

import asyncio
from uuid import UUID

import click

from catalogue.cli.common import clear_errors, cli_settings, search_context
from catalogue.identity import clients as identity_clients
from catalogue.identity.models import (
    NewPlatformClient,
    PlatformClientSecret,
    PlatformScope,
    Principal,
    Role,
)

# The operator at the command line acts as a national administrator, without a person id.
_OPERATOR = Principal(kind="client", id="cli", roles=frozenset({Role.NATIONAL_ADMIN}))


@click.group()
def clients() -> None:
    """Machine clients of the platform (an ENT's médiacentre, an identity provider's SCIM)."""


@clients.command("create")
@click.option("--name", required=True, help="Who the client is, e.g. 'ENT Paris Classe'.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([s.value for s in PlatformScope]),
    help="mediacentre:read and/or scim:write (repeat the option).",
)
@click.option(
    "--platform-id",
    type=click.UUID,
    default=None,
    help="Another client of the same platform: its platform id (its pseudonyms are the same).",
)
@clear_errors
def create(name: str, scopes: tuple[str, ...], platform_id: UUID | None) -> None:
    """Create a platform client; its secret is printed once, only its hash is kept."""
    settings = cli_settings()
    request = NewPlatformClient(
        name=name, scopes=[PlatformScope(s) for s in scopes], platform_id=platform_id
    )

    async def run() -> PlatformClientSecret:
        async with search_context(settings) as (pool, _, _):  # migrated first
            return await identity_clients.register_platform_client(pool, _OPERATOR, request)

    created = asyncio.run(run())
    click.echo(f"client_id: {created.client_id}")
    click.echo(f"client_secret: {created.client_secret}")
    click.echo(f"platform_id: {created.platform_id}")
    click.echo(f"scopes: {' '.join(created.scopes)}")
