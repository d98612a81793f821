"""The directory of establishments: importing the national open dataset."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from catalogue.cli.common import clear_errors, cli_settings, search_context
from catalogue.directory.models import DirectoryReport
from catalogue.directory.service import DirectoryService
from catalogue.errors import ConfigurationError
from catalogue.identity.retention import erase_departed
from catalogue.outbound import outbound_client
from catalogue.worker import ERASED_ELSEWHERE


@click.group()
def directory() -> None:
    """The directory of establishments (the ministry's "Annuaire de l'éducation")."""


@directory.command("establishments")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@clear_errors
def establishments(file: Path) -> None:
    """Import the dataset's CSV (`;`) or JSON export: establishments created or updated."""
    settings = cli_settings()
    data = file.read_bytes()

    async def run() -> DirectoryReport:
        async with search_context(settings) as (pool, _, _):
            return await DirectoryService(pool).import_establishments(data)

    _echo_report(asyncio.run(run()))


@directory.command("refresh")
@clear_errors
def refresh() -> None:
    """Fetch the dataset from CATALOGUE_DIRECTORY_URL and import it (what the worker does
    every night)."""
    settings = cli_settings()
    url = settings.directory_url
    if url is None:
        raise ConfigurationError("CATALOGUE_DIRECTORY_URL is not set")

    async def run() -> DirectoryReport:
        async with search_context(settings) as (pool, _, _), outbound_client() as http:
            return await DirectoryService(pool).refresh(http, url)

    _echo_report(asyncio.run(run()))


@directory.command("erase-departed")
@click.option(
    "--days",
    type=click.IntRange(1, 36_500),
    default=None,
    help="Retention period in days (default: CATALOGUE_RETENTION_DAYS).",
)
@clear_errors
def erase_departed_people(days: int | None) -> None:
    """Erase the name and e-mail of people deactivated more than the retention period ago,
    and their lists and follows (what the worker does every night); their ledger,
    acquisitions and licences stay."""
    settings = cli_settings()
    retention = days or settings.retention_days

    async def run() -> int:
        async with search_context(settings) as (pool, _, _):
            return await erase_departed(pool, retention, also=ERASED_ELSEWHERE)

    erased = asyncio.run(run())
    click.echo(f"{erased} departed person(s) erased (left more than {retention} days ago)")


def _echo_report(report: DirectoryReport) -> None:
    for problem in report.problems:
        click.echo(f"line {problem.line}: {problem.message}")
    if report.rejected > len(report.problems):
        click.echo(f"... and {report.rejected - len(report.problems)} more lines refused")
    click.echo(
        f"{report.read} read: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.closed} closed, {report.rejected} refused"
    )
