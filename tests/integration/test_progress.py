"""Long work tells its progress: the services' callbacks in-process, the command's lines."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from catalogue.database import create_pool
from catalogue.harvests import service as harvests
from catalogue.harvests.models import NewSource
from catalogue.imports import service as imports
from catalogue.outbound import outbound_client
from catalogue.resources.service import save_resource
from catalogue.search import outbox
from catalogue.search.pg import PostgresBackend
from catalogue.vocabularies.index import VocabularyIndex
from connectors.contract import get
from tests.integration.search_corpus import CORPUS
from tests.support.oai_server import Item, Repository, lom, serving

CATALOGUE = [sys.executable, "-m", "catalogue"]
LOM = Path(__file__).parent.parent / "fixtures" / "lom"


class Calls(list[tuple[int, int | None]]):
    """A `Progress` that remembers each call."""

    def __call__(self, done: int, total: int | None) -> None:
        self.append((done, total))


@pytest.fixture
async def publisher(conn: asyncpg.Connection) -> UUID:
    found: UUID = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Suivi', 'approved') RETURNING id"
    )
    return found


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with await create_pool(database_url, max_size=2) as opened:
        yield opened


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


async def test_an_import_counts_its_documents_after_each_batch(
    pool: asyncpg.Pool,
    conn: asyncpg.Connection,
    publisher: UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Five files in a zip, then one file of three notices: six documents, eight records."""
    monkeypatch.setattr(imports, "COMMIT_EVERY", 2)
    notices = {f"{n}.xml": lom(f"Notice {n}", f"https://suivi.example/{n}") for n in "abcde"}
    uploads = [("lot.zip", _zip(notices)), ("batch.xml", (LOM / "batch.xml").read_bytes())]
    calls = Calls()
    report = await imports.run_import(
        pool,
        await VocabularyIndex.load(conn),
        get("lomfr"),
        publisher,
        uploads,
        source="test",
        progress=calls,
    )
    assert len(report.items) == 8
    assert calls == [(2, 6), (4, 6), (6, 6), (6, 6), (6, 6)]


async def test_a_harvest_counts_its_records_after_each_page(
    pool: asyncpg.Pool, conn: asyncpg.Connection, publisher: UUID
) -> None:
    """Two records a page, five in all: the source says so (completeListSize)."""
    items = [
        Item(f"oai:suivi:{n}", "2020-01-01T00:00:00Z", lom(f"R{n}", f"https://oai.example/{n}"))
        for n in range(5)
    ]
    calls = Calls()
    with serving(Repository(items=items)) as repository:
        async with outbound_client() as http:
            source = await harvests.add_source(
                pool, publisher, NewSource(base_url=repository.url), production=False
            )
            run = await harvests.harvest(
                pool, await VocabularyIndex.load(conn), http, source.id, progress=calls
            )
    assert run.status == "succeeded"
    assert calls == [(2, 5), (4, 5), (5, 5)]


async def test_a_rebuild_counts_the_resources_handed_to_the_backend(
    pool: asyncpg.Pool, conn: asyncpg.Connection, publisher: UUID
) -> None:
    vocab = await VocabularyIndex.load(conn)
    for draft in CORPUS.values():
        await save_resource(conn, vocab, publisher, draft)
    calls = Calls()
    count = await outbox.rebuild(pool, PostgresBackend(pool), vocab, batch=2, progress=calls)
    assert count == 5
    assert calls == [(2, 5), (4, 5), (5, 5)]


def test_the_import_command_prints_plain_progress_lines_off_a_terminal(
    database_url: str, publisher: UUID, tmp_path: Path
) -> None:
    folder = tmp_path / "notices"
    folder.mkdir()
    for n in range(3):
        (folder / f"{n}.xml").write_text(lom(f"Notice {n}", f"https://suivi.example/{n}"))
    result = subprocess.run(
        [*CATALOGUE, "import", "lomfr", str(folder), "--publisher", str(publisher)],
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # One batch: its line is the last one too (nothing is drawn twice); never on stdout.
    [line] = [line for line in result.stderr.splitlines() if line.startswith("import: ")]
    assert line.startswith("import: 3/3 documents, ")
    assert line.endswith("/s")
    assert "import:" not in result.stdout
    assert result.stdout.splitlines()[-1].endswith("3 created, 0 updated, 0 unchanged, 0 rejected")
