"""One oversized notice never stops indexing: connector output is held to the API's limits
(truncated with a warning), and a document the index still refuses is parked with its error
while the rest of its batch is indexed by the real worker."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from subprocess import PIPE
from uuid import UUID

import asyncpg
import httpx
import pytest

from catalogue.database import create_pool
from catalogue.harvests import service as harvests
from catalogue.harvests.models import NewSource
from catalogue.imports.service import run_import
from catalogue.outbound import outbound_client
from catalogue.resources.models import Identifier, IdentifierKind, ResourceDraft, Status
from catalogue.resources.outbox import wake_indexer
from catalogue.resources.service import save_resource
from catalogue.search.outbox import drain
from catalogue.search.pg import PostgresBackend
from catalogue.vocabularies.index import VocabularyIndex
from connectors.contract import get
from tests.support.demo_server import CatalogueProcess, catalogue_env, output_tail
from tests.support.oai_server import Item, Repository, serving
from tests.support.waiting import wait_until_async

LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
HUGE = 3 * 1024 * 1024


def huge_text() -> str:
    """3 MB of distinct words: far more than a tsvector holds (1 MB)."""
    words = []
    size = 0
    n = 0
    while size < HUGE:
        word = f"mot{n:07d}"
        words.append(word)
        size += len(word) + 1
        n += 1
    return " ".join(words)


def notice(description: str, keyword: str) -> bytes:
    return (
        f'<lom xmlns="{LOM_NS}"><general><identifier><catalog>URL</catalog>'
        "<entry>https://editions-test.example/immense</entry></identifier>"
        "<title><string>Une notice immense</string></title>"
        f"<description><string>{description}</string></description>"
        f"<keyword><string>{keyword}</string></keyword>"
        "</general></lom>"
    ).encode()


# The refusal under test is PostgreSQL full text's (a text beyond what a tsvector takes): the
# Tantivy index, the default, takes that text.
POSTGRES = {"CATALOGUE_SEARCH_BACKEND": "postgresql"}


async def cli(*args: str, env: dict[str, str]) -> str:
    """`catalogue ARGS`: its output, once it exited with 0."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "catalogue", *args, env=env, stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode()


@pytest.fixture
async def publisher(conn: asyncpg.Connection) -> UUID:
    found: UUID = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Poison', 'approved') RETURNING id"
    )
    return found


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with await create_pool(database_url, max_size=2) as opened:
        yield opened


async def test_connector_output_is_held_to_the_api_limits_with_warnings(
    pool: asyncpg.Pool, conn: asyncpg.Connection, publisher: UUID
) -> None:
    vocab = await VocabularyIndex.load(conn)
    report = await run_import(
        pool,
        vocab,
        get("lomfr"),
        publisher,
        [("immense.xml", notice(huge_text(), "k" * 300))],
        source="test",
    )
    [item] = report.items
    assert item.outcome == "created", item
    assert any(
        w.startswith("description : ") and "coupé à ses 20000 premiers" in w for w in item.warnings
    ), item.warnings
    assert any(w.startswith("keywords[0] : 300 caractères") for w in item.warnings), item.warnings
    stored = await conn.fetchrow(
        "SELECT length(description) AS description, keywords FROM resources WHERE id = $1",
        item.resource_id,
    )
    assert stored is not None
    assert stored["description"] == 20_000
    assert [len(k) for k in stored["keywords"]] == [200]


async def test_a_document_the_index_refuses_is_parked_and_the_others_are_indexed(
    database_url: str,
    pool: asyncpg.Pool,
    conn: asyncpg.Connection,
    publisher: UUID,
    client: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    vocab = await VocabularyIndex.load(conn)
    # Stored before connector output was validated (or by any other way in): a notice whose
    # text no tsvector can hold, among 100 ordinary ones, all announced in one batch.
    poisoned: UUID | None = None
    for n in range(101):
        description = huge_text() if n == 50 else f"Ressource ordinaire numéro {n}"
        draft = ResourceDraft(
            title=f"Volcans {n}",
            description=description,
            identifiers=[Identifier(IdentifierKind.URL, f"https://poison.example/{n}")],
            status=Status.PUBLISHED,
        )
        saved = await save_resource(conn, vocab, publisher, draft, wake_worker=False)
        if n == 50:
            poisoned = saved.id
    await wake_indexer(conn)

    log = tmp_path / "worker.log"
    worker = CatalogueProcess(
        log,
        "worker",
        env={"DATABASE_URL": database_url, "CATALOGUE_DATA_DIR": str(tmp_path), **POSTGRES},
    )
    try:

        async def indexed_and_parked() -> bool:
            indexed = await conn.fetchval("SELECT count(*) FROM search_documents")
            parked = await conn.fetchval("SELECT count(*) FROM search_outbox_parked")
            return (indexed, parked) == (100, 1)

        took_s = await wait_until_async(
            indexed_and_parked,
            "the worker to index 100 documents and park the poisoned one",
            interval_s=0.2,
            detail=lambda: output_tail(log),
        )
        assert took_s < 15
    finally:
        worker.stop()

    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 0
    entry = await conn.fetchrow("SELECT resource_id, error FROM search_outbox_parked")
    assert entry is not None
    assert entry["resource_id"] == poisoned
    assert "tsvector" in entry["error"]
    text = log.read_text()
    assert "search index refused a document: parked" in text
    assert str(poisoned) in text

    scraped = await client.get("/metrics")
    assert 'catalogue_state{measure="search_outbox_parked"} 1.0' in scraped.text

    env = catalogue_env(
        {"DATABASE_URL": database_url, "CATALOGUE_DATA_DIR": str(tmp_path), **POSTGRES}
    )
    status = await cli("index", "status", env=env)
    assert "parked changes: 1" in status
    assert f"{poisoned} parked " in status

    # Fixed (here: withdrawn) and announced again, it leaves the parked list.
    await conn.execute("UPDATE resources SET status = 'withdrawn' WHERE id = $1", poisoned)
    assert "announced again: 1" in await cli("index", "retry-parked", env=env)
    await drain(pool, PostgresBackend(pool), vocab)
    assert await conn.fetchval("SELECT count(*) FROM search_outbox_parked") == 0


async def test_harvested_records_are_held_to_the_same_limits(
    pool: asyncpg.Pool, conn: asyncpg.Connection, publisher: UUID
) -> None:
    vocab = await VocabularyIndex.load(conn)
    metadata = notice("x" * 25_000, "fractions").decode()
    items = [Item("oai:big:1", "2020-01-01T00:00:00Z", metadata)]
    with serving(Repository(items=items)) as repository:
        async with outbound_client() as http:
            source = await harvests.add_source(
                pool, publisher, NewSource(base_url=repository.url), production=False
            )
            run = await harvests.harvest(pool, vocab, http, source.id, backoff_s=0.01)
    assert (run.status, run.created, run.rejected, run.problems) == ("succeeded", 1, 0, []), run
    assert {
        "identifier": "oai:big:1",
        "message": "description : 25000 caractères, coupé à ses 20000 premiers",
    } in run.warnings
    stored = await conn.fetchval("SELECT length(description) FROM resources")
    assert stored == 20_000
