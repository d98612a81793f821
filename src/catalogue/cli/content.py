"""Content from publishers: the connectors, imports of files and OAI-PMH harvests."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from uuid import UUID

import click

from catalogue.cli.common import clear_errors, cli_settings, search_context, stop_on_sigterm
from catalogue.cli_progress import ProgressDisplay
from catalogue.errors import ConfigurationError
from catalogue.harvests import service as harvests
from catalogue.harvests.models import RunView
from catalogue.imports.models import ImportReport
from catalogue.imports.service import run_import
from catalogue.outbound import publisher_client
from connectors import contract as connector_contract


@click.group()
def connectors() -> None:
    """Connectors (plugins of the entry-point group catalogue.connectors)."""


@connectors.command("list")
def connectors_list() -> None:
    """List the installed connectors."""
    for name, connector in sorted(connector_contract.available().items()):
        click.echo(f"{name}\t{connector.description}")


@click.command("import")
@click.argument("connector")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--publisher", "publisher_id", required=True, type=click.UUID)
@click.option("--strict", is_flag=True, help="Valider chaque notice contre le XSD ScoLOMFR.")
@clear_errors
def import_command(
    connector: str, paths: tuple[Path, ...], publisher_id: UUID, strict: bool
) -> None:
    """Import files, folders or zips with a connector (`lom` or `lomfr`, `json`...)."""
    settings = cli_settings()
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


@click.command()
@click.argument("source_id", type=click.UUID)
@clear_errors
def harvest(source_id: UUID) -> None:
    """Harvest an OAI-PMH source now; print the run's counts."""
    settings = cli_settings()
    stop_on_sigterm()

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
