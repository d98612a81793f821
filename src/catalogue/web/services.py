"""The service behind the publisher's pages (their own resources come from ``Resources``,
their sales from ``Accounts``).

Each method is one use case: it takes a connection from the pool (and a transaction where the
context's service opens one) and hands back typed values, so that a page's handler only
translates HTTP to a call and back. Handlers declare it by name (``space: PublisherSpace``);
``PAGE_SERVICES`` provides it, per request.
"""

from __future__ import annotations

from typing import TypeAlias
from uuid import UUID

import asyncpg
from litestar.di import NamedDependency, Provide

from catalogue.dependencies import Pool
from catalogue.harvests.models import RunView, SourceView
from catalogue.harvests.service import list_sources, read_run
from catalogue.imports.models import ImportReport
from catalogue.imports.service import run_import
from catalogue.lti.records import PublisherTool
from catalogue.lti.service import tools_of_publisher
from catalogue.vocabularies.index import Vocabulary, VocabularyIndex
from connectors.contract import get as get_connector


class PublisherSpaceService:
    """What a publisher's pages read and run: imports, harvests, LTI tools."""

    def __init__(self, pool: asyncpg.Pool, vocab: VocabularyIndex) -> None:
        self.pool = pool
        self.vocab = vocab

    async def import_sources(self, publisher_id: UUID) -> list[SourceView]:
        """The publisher's OAI-PMH sources, shown beside the import form."""
        return await list_sources(self.pool, publisher_id)

    async def run_import(
        self, publisher_id: UUID, connector: str, name: str, body: bytes, *, strict: bool
    ) -> ImportReport:
        """One uploaded file read by a connector (``UnknownConnectorError``: no such one)."""
        return await run_import(
            self.pool,
            self.vocab,
            get_connector(connector),
            publisher_id,
            [(name, body)],
            source="web",
            strict=strict,
        )

    async def harvest_run(self, publisher_id: UUID, run_id: UUID) -> RunView:
        return await read_run(self.pool, publisher_id, run_id)

    async def tools(self, publisher_id: UUID) -> list[PublisherTool]:
        return await tools_of_publisher(self.pool, publisher_id)


def provide_publisher_space(pool: Pool, vocab: Vocabulary) -> PublisherSpaceService:
    return PublisherSpaceService(pool, vocab)


PublisherSpace: TypeAlias = NamedDependency[PublisherSpaceService]
"""The publisher pages' service (``space``)."""

PAGE_SERVICES = {
    "space": Provide(provide_publisher_space, sync_to_thread=False),
}
