"""The Tantivy index's writer killed (SIGKILL) while it commits a batch of the outbox, then a
`catalogue worker` started on the same index.

Each batch is committed to the index before its outbox rows are deleted, in the transaction
that holds them: killed mid-commit, the index keeps its last commit (Tantivy swaps its
meta.json in one rename), the operating system drops the writer's lock, and the rows are
still there for the next worker, which indexes them (again, if the commit had gone through:
a document replaces the one of the same id)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from uuid import UUID

import asyncpg

from catalogue.demo.generator import generate
from catalogue.resources.bulk import bulk_load
from catalogue.search.tantivy_index import TantivyBackend
from catalogue.search.tantivy_search import indexed_ids
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from tests.faults.conftest import Tally, count, wait_for_empty_outbox
from tests.support.demo_server import CatalogueProcess, catalogue_env

IMPORTED = 1500  # three batches of the outbox

# One batch drained by a backend whose commit is cut by SIGKILL a few milliseconds in.
KILLED_MID_COMMIT = textwrap.dedent(
    """
    import asyncio, os, signal, sys, threading
    from pathlib import Path

    from catalogue.database import create_pool
    from catalogue.search import outbox
    from catalogue.search.tantivy_index import (
        WRITER_HEAP, TantivyBackend, _add_all, current_generation,
    )
    from catalogue.search.tantivy_layout import open_index
    from catalogue.vocabularies.index import VocabularyIndex

    class KilledMidCommit(TantivyBackend):
        def _commit(self, documents, removed):
            writer = self._acquire(open_index(current_generation(self.root)), WRITER_HEAP)
            _add_all(writer, documents)
            kill = threading.Timer(0.002, os.kill, (os.getpid(), signal.SIGKILL))
            kill.start()
            writer.commit()
            kill.join()  # the commit went through first: killed before the outbox's commit

    async def main(url, root):
        async with await create_pool(url, max_size=2) as pool:
            async with pool.acquire() as conn:
                vocab = await VocabularyIndex.load(conn)
            backend = KilledMidCommit(Path(root), pool)
            await backend.prepare()
            await outbox.drain_once(pool, backend, vocab)

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


def ids_in(root: Path) -> list[UUID]:
    backend = TantivyBackend(root)
    backend.reload()
    return indexed_ids(backend.searcher())


async def test_the_index_writer_killed_mid_commit(
    database_url: str, conn: asyncpg.Connection, tmp_path: Path, tally: Tally
) -> None:
    vocab = await VocabularyIndex.load(conn)
    concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
    items = ((i.publisher, i.draft) for i in generate(IMPORTED, concepts, seed=5))
    await bulk_load(conn, vocab, items, connector="faults")
    root = tmp_path / "search-index"

    child = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", KILLED_MID_COMMIT, database_url, str(root)],
        env=catalogue_env({"CATALOGUE_DATA_DIR": str(tmp_path)}),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    tally.faults += 1
    assert await count(conn, "search_outbox") == IMPORTED, "a batch left the outbox unindexed"
    survived = ids_in(root)  # the index opens, at its last commit
    tally.notes.append(f"{len(survived)} documents committed before the kill")

    env = {
        "DATABASE_URL": database_url,
        "CATALOGUE_DATA_DIR": str(tmp_path),
        "CATALOGUE_SECRET_KEY": "t" * 40,
        "CATALOGUE_SEARCH_BACKEND": "tantivy",
    }
    worker = CatalogueProcess(tmp_path / "worker.log", "worker", env=env)
    try:
        await wait_for_empty_outbox(conn, "the worker to drain the outbox")
    finally:
        worker.stop()
    tally.retried += 1
    published = {
        row["id"] for row in await conn.fetch("SELECT id FROM resources WHERE status = 'published'")
    }
    found = ids_in(root)
    if len(found) != len(set(found)):
        tally.broken.append(f"{len(found) - len(set(found))} documents indexed twice")
    tally.lost.extend(f"resource {i} not in the index" for i in published - set(found))
    tally.check()
