"""A `catalogue worker` process killed (SIGKILL) in the middle of its work, then a new one
started: first while it drains the search outbox of a large import, then during an OAI-PMH
harvest of many pages.

A killed worker's job stays taken until its heartbeat is older than pgqueuer's timeout
(30 s); the tests age it at once instead of waiting, as that much silence would, and the new
worker takes the job over at its first look at the queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from catalogue.database import create_pool
from catalogue.demo.generator import generate
from catalogue.harvests import service as harvests
from catalogue.harvests.models import NewSource
from catalogue.resources.bulk import bulk_load
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from tests.faults.conftest import Tally, count, take_over, wait_for, wait_for_empty_outbox
from tests.support.demo_server import CatalogueProcess
from tests.support.oai_server import Item, Repository, lom, serving

IMPORTED = 4000  # eight batches of the outbox
HARVESTED = 60  # thirty pages of two records
PAGE_DELAY_S = 0.1
OLD = "2020-01-01T00:00:00Z"


@pytest.fixture
def workers(database_url: str, tmp_path: Path) -> Iterator[Callable[[str], CatalogueProcess]]:
    started: list[CatalogueProcess] = []

    def start(name: str) -> CatalogueProcess:
        env = {
            "DATABASE_URL": database_url,
            "CATALOGUE_DATA_DIR": str(tmp_path),
            "CATALOGUE_SECRET_KEY": "w" * 40,
            # The PostgreSQL index is what this test reads (search_documents): the Tantivy index,
            # the default, has its own worker test (tests/faults/test_tantivy_killed_mid_commit.py).
            "CATALOGUE_SEARCH_BACKEND": "postgresql",
        }
        worker = CatalogueProcess(tmp_path / f"{name}.log", "worker", env=env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


async def test_worker_killed_while_draining_the_outbox(
    conn: asyncpg.Connection, workers: Callable[[str], CatalogueProcess], tally: Tally
) -> None:
    vocab = await VocabularyIndex.load(conn)
    concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
    items = ((i.publisher, i.draft) for i in generate(IMPORTED, concepts, seed=9))
    await bulk_load(conn, vocab, items, connector="faults")  # one wake-up, as an import does
    assert await count(conn, "search_outbox") == IMPORTED

    first = workers("first")

    async def some_indexed() -> bool:
        return await count(conn, "search_documents") > 0

    await wait_for(some_indexed, "the first batches")
    first.kill()
    tally.faults += 1
    indexed, pending = await count(conn, "search_documents"), await count(conn, "search_outbox")
    assert 0 < indexed < IMPORTED, "the worker was not killed in the middle of the drain"
    # Each batch commits with its index writes: what was not indexed is still announced.
    unannounced = await conn.fetchval(
        "SELECT count(*) FROM resources r WHERE NOT EXISTS "
        "(SELECT 1 FROM search_documents d WHERE d.id = r.id) "
        "AND NOT EXISTS (SELECT 1 FROM search_outbox o WHERE o.resource_id = r.id)"
    )
    if unannounced:
        tally.lost.append(f"{unannounced} resource(s) neither indexed nor announced after the kill")

    tally.retried += await take_over(conn)
    workers("second")

    await wait_for_empty_outbox(conn, "the second worker to drain the outbox")
    missing = await conn.fetch(
        "SELECT r.id FROM resources r LEFT JOIN search_display d ON d.id = r.id "
        "WHERE r.status = 'published' AND d.title IS DISTINCT FROM r.title"
    )
    tally.lost.extend(f"resource {row['id']} not (or not as it is) in the index" for row in missing)
    if (documents := await count(conn, "search_documents")) != IMPORTED:
        tally.broken.append(f"{documents} documents in the index for {IMPORTED} resources")
    tally.notes.append(f"killed with {indexed} of {IMPORTED} indexed and {pending} pending")
    tally.check()


def _items() -> list[Item]:
    return [
        Item(
            f"oai:faults:{n}",
            "2020-01-01T00:00:00Z",
            lom(f"Notice {n}", f"https://oai.example/{n}"),
        )
        for n in range(HARVESTED)
    ]


async def test_worker_killed_during_a_harvest(
    database_url: str,
    conn: asyncpg.Connection,
    workers: Callable[[str], CatalogueProcess],
    tally: Tally,
) -> None:
    publisher: UUID = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Entrepôt lent', 'approved') RETURNING id"
    )
    with serving(Repository(items=_items(), page_delay_s=PAGE_DELAY_S)) as repository:
        async with await create_pool(database_url, max_size=2) as pool:
            source = NewSource(base_url=repository.url)
            await harvests.add_source(pool, publisher, source, production=False)
        first = workers("first")

        async def some_pages() -> bool:
            return bool(await conn.fetchval("SELECT pages >= 5 FROM harvest_runs"))

        await wait_for(some_pages, "the first pages of the harvest")
        first.kill()
        tally.faults += 1
        stored = await conn.fetchrow(
            "SELECT r.id, r.pages, s.resume_token FROM harvest_runs r "
            "JOIN harvest_sources s ON s.id = r.source_id"
        )
        assert stored is not None
        assert stored["resume_token"], "killed before its first page was saved"
        assert stored["pages"] < HARVESTED // 2, "the harvest ended before the kill"
        asked_before = len(repository.requests)

        tally.retried += await take_over(conn)
        workers("second")

        async def finished() -> bool:
            return bool(
                await conn.fetchval("SELECT count(*) FROM harvest_runs WHERE status = 'succeeded'")
            )

        await wait_for(finished, "the harvest to end")
        resumed = [r for r in repository.requests[asked_before:] if r.get("verb") == "ListRecords"]

    assert resumed[0] == {"verb": "ListRecords", "resumptionToken": stored["resume_token"]}
    rows = await conn.fetch(
        "SELECT source_id, count(*) AS copies FROM resources WHERE publisher_id = $1 "
        "GROUP BY source_id",
        publisher,
    )
    copies = {row["source_id"]: row["copies"] for row in rows}
    tally.lost.extend(i.identifier for i in _items() if i.identifier not in copies)
    tally.broken.extend(f"{s} stored {n} times" for s, n in copies.items() if n > 1)
    runs = await conn.fetch("SELECT status, pages, error FROM harvest_runs ORDER BY started_at")
    assert [(r["status"], r["pages"]) for r in runs] == [
        ("failed", stored["pages"]),  # closed when the next run started
        ("succeeded", HARVESTED // 2 - stored["pages"]),  # resumed: the pages not yet saved
    ]
    assert runs[0]["error"].startswith("interrompue")
    tally.notes.append(f"killed after {stored['pages']} of {HARVESTED // 2} pages")
    tally.check()
