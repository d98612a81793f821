"""The ``catalogue`` command (``main``, the entry point), one module per group of commands:
``serving`` (serve, worker, demo-token), ``database`` (db, keys), ``indexing`` (index),
``content`` (connectors, import, harvest), ``directory``, ``clients`` (the platform's
machine clients); ``common`` holds what they share."""

from __future__ import annotations

import click

from catalogue.cli.clients import clients
from catalogue.cli.content import connectors, harvest, import_command
from catalogue.cli.database import db, keys
from catalogue.cli.directory import directory
from catalogue.cli.indexing import index
from catalogue.cli.serving import demo_token_command, serve, worker


@click.group()
@click.version_option(package_name="catalogue-ressources")
def main() -> None:
    """Catalogue de ressources numériques éducatives et compte ressource."""


for _command in (
    serve,
    db,
    keys,
    worker,
    index,
    connectors,
    import_command,
    harvest,
    directory,
    demo_token_command,
    clients,
):
    main.add_command(_command)

__all__ = ["main"]
