"""The Tantivy index on disk: one writer (the worker), readers that reload on its notice, a
rebuild beside the current index swapped in at once, and the outbox as the source of what
remains to index. What it finds is the conformance suite's (test_search_conformance.py)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.errors import UpstreamUnavailableError
from catalogue.identity.listener import Listener
from catalogue.resources.models import Status
from catalogue.resources.service import save_resource
from catalogue.search import outbox, repository
from catalogue.search.models import SearchDocument, SearchQuery
from catalogue.search.tantivy_index import TantivyBackend, current_generation
from catalogue.search.tantivy_layout import open_index
from catalogue.search.text import query_groups
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.conftest import bearer, open_client
from tests.integration.search_corpus import CORPUS
from tests.support.demo_server import catalogue_env, wait_ready_async
from tests.support.waiting import wait_until_async


def asked(text: str = "") -> SearchQuery:
    return SearchQuery(text=text, groups=tuple(query_groups(text)))


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with await create_pool(database_url, max_size=4) as pool:
        yield pool


@pytest.fixture
async def writer(pool: asyncpg.Pool, tmp_path: Path) -> AsyncIterator[TantivyBackend]:
    backend = TantivyBackend(tmp_path / "search-index", pool, writer_wait_s=0.3)
    await backend.prepare()
    yield backend
    await backend.aclose()


@pytest.fixture
async def reader(database_url: str, tmp_path: Path) -> AsyncIterator[TantivyBackend]:
    """A serving process's backend: it never writes, it reloads on the worker's notice."""
    backend = TantivyBackend(tmp_path / "search-index")
    listener = Listener(database_url, backend.notice_handlers(), backend.reload)
    listening = asyncio.create_task(listener.run())
    await asyncio.wait_for(listener.listening.wait(), timeout=10)
    yield backend
    listening.cancel()
    await asyncio.gather(listening, return_exceptions=True)
    await backend.aclose()


async def publish(conn: asyncpg.Connection, *keys: str) -> VocabularyIndex:
    vocab = await VocabularyIndex.load(conn)
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Tantivy', 'approved') "
        "ON CONFLICT (name) DO UPDATE SET status = 'approved' RETURNING id"
    )
    for key in keys:
        await save_resource(conn, vocab, publisher, CORPUS[key])
    return vocab


async def test_a_serving_process_sees_a_commit_within_a_second(
    conn: asyncpg.Connection,
    pool: asyncpg.Pool,
    writer: TantivyBackend,
    reader: TantivyBackend,
    tmp_path: Path,
) -> None:
    vocab = await publish(conn, "svt")
    await outbox.drain(pool, writer, vocab)  # the first drain builds the index (a generation)
    deaf = TantivyBackend(tmp_path / "search-index")  # a reader that gets no notice
    assert (await reader.search(asked("géométrie"))).total == 0
    assert (await deaf.search(asked("géométrie"))).total == 0
    vocab = await publish(conn, "geometrie")
    await outbox.drain(pool, writer, vocab)  # a commit in the same generation
    committed = time.monotonic()

    async def seen() -> bool:
        return (await reader.search(asked("géométrie"))).total == 1

    await wait_until_async(seen, "the reader to see the commit", timeout_s=1)
    assert time.monotonic() - committed < 1
    # The reader reloads on the notice alone: without it, the commit stays unseen.
    assert (await deaf.search(asked("géométrie"))).total == 0
    deaf.reload()
    assert (await deaf.search(asked("géométrie"))).total == 1
    await deaf.aclose()


async def test_an_index_made_empty_is_built_from_postgresql_at_the_first_drain(
    conn: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    """Tantivy became the default: an installation that ran PostgreSQL full text finds an
    empty index at its first start, and its resources are all in it after the worker's
    first drain, whatever the outbox holds."""
    vocab = await publish(conn, "geometrie", "english", "svt")
    await conn.execute("TRUNCATE search_outbox")  # indexed by the former backend, say
    backend = TantivyBackend(tmp_path / "search-index", pool)
    await backend.prepare()
    assert (await backend.search(asked(""))).total == 0
    assert "empty, built by the worker at its next drain" in "\n".join(await backend.index_lines())
    await publish(conn, "ecole")  # one change reaches the outbox
    assert await outbox.drain(pool, backend, vocab) == 1
    assert (await backend.search(asked(""))).total == 4
    assert "documents: 4" in await backend.index_lines()
    await backend.aclose()


async def test_a_rebuild_is_built_beside_and_swapped_in(
    conn: asyncpg.Connection,
    pool: asyncpg.Pool,
    writer: TantivyBackend,
    reader: TantivyBackend,
) -> None:
    vocab = await publish(conn, "geometrie", "english", "svt")
    await outbox.drain(pool, writer, vocab)
    first = current_generation(writer.root)
    await _eventually(reader, 3)
    reading, release = asyncio.Event(), asyncio.Event()

    async def slow() -> AsyncIterator[list[SearchDocument]]:
        async with pool.acquire() as c:
            resources = await repository.documents_after(c, UUID(int=0), 100)
        reading.set()
        await release.wait()
        yield outbox.to_documents(resources, vocab)

    rebuilding = asyncio.create_task(writer.rebuild(slow()))
    await asyncio.wait_for(reading.wait(), timeout=10)
    # Meanwhile the current index answers, whole, and the worker's writes wait.
    assert (await reader.search(asked())).total == 3
    with pytest.raises(UpstreamUnavailableError, match="LockBusy"):
        await writer.delete([UUID(int=1)])
    release.set()
    assert await rebuilding == 3
    second = current_generation(writer.root)
    assert first is not None
    assert second is not None
    assert second != first
    assert first.exists()  # kept for a process that has not reloaded yet

    async def swapped() -> bool:
        return reader.generation() == second

    await wait_until_async(swapped, "the reader to open the new generation", timeout_s=1)
    assert (await reader.search(asked())).total == 3
    # At the next rebuild, the generation before the previous one goes.
    assert await outbox.rebuild(pool, writer, vocab) == 3
    assert not first.exists()
    assert second.exists()


async def test_changes_that_wait_for_a_rebuild_stay_in_the_outbox(
    conn: asyncpg.Connection, pool: asyncpg.Pool, writer: TantivyBackend
) -> None:
    vocab = await publish(conn, "geometrie")
    await outbox.drain(pool, writer, vocab)
    generation = current_generation(writer.root)
    assert generation is not None
    held = writer._acquire(open_index(generation), 15_000_000)  # as a rebuild holds it
    vocab_draft = msgspec.structs.replace(CORPUS["geometrie"], status=Status.WITHDRAWN)
    publisher = await conn.fetchval("SELECT id FROM publishers WHERE name = 'Éditions Tantivy'")
    await save_resource(conn, vocab, publisher, vocab_draft)
    with pytest.raises(UpstreamUnavailableError, match="LockBusy"):
        await outbox.drain_once(pool, writer, vocab)
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 1
    held.wait_merging_threads()  # the rebuild ends
    assert await outbox.drain(pool, writer, vocab) == 1
    assert (await writer.search(asked("géométrie"))).total == 0


async def _eventually(reader: TantivyBackend, total: int) -> None:
    async def seen() -> bool:
        return (await reader.search(asked())).total == total

    await wait_until_async(seen, f"the reader to see {total} documents", timeout_s=1)


async def test_the_app_searches_the_index_its_embedded_worker_writes(
    conn: asyncpg.Connection, settings: Settings
) -> None:
    await publish(conn, "geometrie", "english")
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles) VALUES ('urn:test', 't', '{teacher}') "
        "RETURNING id"
    )
    teacher = await bearer(conn, settings, person)
    chosen = msgspec.structs.replace(settings, embedded_worker=True, search_backend="tantivy")
    async for client in open_client(create_asgi_app(chosen)):
        await wait_ready_async(client)

        async def indexed(http: httpx.AsyncClient = client) -> bool:
            found = await http.get("/api/v1/search", params={"q": "géometrie"}, headers=teacher)
            return found.status_code == 200 and found.json()["total"] == 1

        await wait_until_async(indexed, "the embedded worker to index the corpus")
        response = await client.get(
            "/api/v1/search", params={"q": "anglais 6e", "facets": ["level"]}, headers=teacher
        )
        body = response.json()
        assert body["backend"] == "tantivy"
        assert [hit["title"] for hit in body["hits"]] == ["English vocabulary games"]
        assert body["facets"]["level"]
        # The catalogue is public: an anonymous caller gets the same results.
        anonymous = await client.get("/api/v1/search", params={"q": "anglais 6e"})
        assert anonymous.status_code == 200
        assert [hit["title"] for hit in anonymous.json()["hits"]] == ["English vocabulary games"]
    assert (settings.data_dir / "search-index" / "current").is_symlink()


def catalogue(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalogue", *args],
        env=catalogue_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_rebuild_and_status_commands(
    conn: asyncpg.Connection, database_url: str, tmp_path: Path
) -> None:
    await publish(conn, "geometrie", "english", "svt")
    env = {
        "DATABASE_URL": database_url,
        "CATALOGUE_DATA_DIR": str(tmp_path),
        "CATALOGUE_SEARCH_BACKEND": "tantivy",
    }
    status = await asyncio.to_thread(catalogue, "index", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "backend: tantivy" in status.stdout
    assert "index: none yet" in status.stdout
    rebuilt = await asyncio.to_thread(catalogue, "index", "rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith("indexed 3 resources in ")
    status = await asyncio.to_thread(catalogue, "index", "status", env=env)
    assert "documents: 3" in status.stdout
    assert f"index: {tmp_path / 'search-index' / 'gen-'}" in status.stdout
    reader = TantivyBackend(tmp_path / "search-index")
    assert (await reader.search(asked("photosynthèse"))).total == 1
    await reader.aclose()
    wrong = await asyncio.to_thread(
        catalogue, "index", "status", env={**env, "CATALOGUE_SEARCH_BACKEND": "lucene"}
    )
    assert wrong.returncode != 0
    assert "CATALOGUE_SEARCH_BACKEND must be postgresql or tantivy" in wrong.stderr
    assert "Traceback" not in wrong.stderr


STATE = 'catalogue_state{measure="%s"}'


def _measure(text: str, name: str) -> float:
    found = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.MULTILINE)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


async def test_metrics_show_the_index_this_process_reads_and_its_searches(
    conn: asyncpg.Connection, pool: asyncpg.Pool, writer: TantivyBackend, settings: Settings
) -> None:
    vocab = await publish(conn, "geometrie", "english")
    await outbox.drain(pool, writer, vocab)
    generation = current_generation(writer.root)
    assert generation is not None
    chosen = msgspec.structs.replace(settings, search_backend="tantivy")
    async for client in open_client(create_asgi_app(chosen)):
        for text in ("géométrie", "anglais"):
            found = await client.get("/api/v1/search", params={"q": text})
            assert found.status_code == 200
        scraped = (await client.get("/metrics")).text
        assert _measure(scraped, STATE % "search_engine_up") == 1.0
        assert _measure(scraped, STATE % "search_engine_documents") == 2.0
        built = int(generation.name.removeprefix("gen-")) / 1e9
        assert abs(_measure(scraped, STATE % "search_index_generation") - built) < 1e-3
        assert _measure(scraped, STATE % "search_index_reload_age_seconds") >= 0.0
        assert _measure(scraped, STATE % "search_index_unseen_commit_seconds") == 0.0
        searches = 'catalogue_search_duration_seconds_%s{backend="tantivy"}'
        assert _measure(scraped, searches % "count") == 2.0
        assert 0.0 < _measure(scraped, searches % "sum") < 10.0

        # A commit whose notice this process missed shows, with how long it has waited.
        deaf_writer = TantivyBackend(writer.root)  # no pool: it sends no notice
        await deaf_writer.delete([UUID(int=1)])
        await deaf_writer.aclose()
        await asyncio.sleep(0.05)
        scraped = (await client.get("/metrics")).text
        assert _measure(scraped, STATE % "search_index_unseen_commit_seconds") >= 0.05
        assert _measure(scraped, STATE % "search_index_reload_age_seconds") >= 0.05
        # Seen after the next notice: the lag is gone.
        await writer.notify()

        async def seen(http: httpx.AsyncClient = client) -> bool:
            text = (await http.get("/metrics")).text
            return _measure(text, STATE % "search_index_unseen_commit_seconds") == 0.0

        await wait_until_async(seen, "the app to reload the index on the notice", timeout_s=2)


async def test_a_rebuild_reads_every_resource_through_one_cursor_in_batches(
    conn: asyncpg.Connection, pool: asyncpg.Pool, writer: TantivyBackend
) -> None:
    vocab = await publish(conn, "geometrie", "english", "svt")
    seen: list[int] = []
    indexed = await outbox.rebuild(
        pool, writer, vocab, batch=2, progress=lambda done, _total: seen.append(done)
    )
    assert indexed == 3
    assert seen == [2, 3]
    found = await writer.search(asked("photosynthèse"))
    assert found.total == 1
    assert found.hits[0].publisher_name == "Éditions Tantivy"
    async with pool.acquire() as c, c.transaction():
        batches = [len(b) async for b in repository.searchable_batches(c, 2)]
    assert batches == [2, 1]
