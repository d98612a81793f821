"""An index built by another version of the catalogue (another layout of fields and analysis)
is neither read nor written: searches answer 503, the worker's changes stay in the outbox,
`catalogue index status` says to rebuild, and `catalogue index rebuild` replaces it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import tantivy

from catalogue.database import create_pool
from catalogue.errors import UpstreamUnavailableError
from catalogue.resources.service import save_resource
from catalogue.search import outbox
from catalogue.search.models import SearchQuery
from catalogue.search.tantivy_index import TantivyBackend, current_generation
from catalogue.search.text import query_groups
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.search_corpus import CORPUS


def asked(text: str = "") -> SearchQuery:
    return SearchQuery(text=text, groups=tuple(query_groups(text)))


def legacy_index(root: Path) -> Path:
    """A generation as the first layout made them (no layout recorded; its own fields: the
    description indexed and stored apart, every text in the body), holding one document."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", index_option="freq")
    builder.add_text_field("body", index_option="freq")
    builder.add_text_field("description", stored=True, index_option="basic")
    builder.add_text_field("words", index_option="basic")
    builder.add_bytes_field("hit", stored=True)
    generation = root / "gen-1"
    generation.mkdir(parents=True)
    index = tantivy.Index(builder.build(), path=str(generation))
    writer = index.writer(15_000_000, 1)
    writer.add_document(tantivy.Document(id="x", title="Géométrie", description="ancienne"))
    writer.commit()
    writer.wait_merging_threads()
    (root / "current").symlink_to(generation.name)
    return generation


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with await create_pool(database_url, max_size=4) as pool:
        yield pool


async def test_an_index_of_another_layout_is_refused_until_rebuilt(
    conn: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    root = tmp_path / "search-index"
    legacy = legacy_index(root)
    vocab = await VocabularyIndex.load(conn)
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Tantivy', 'approved') RETURNING id"
    )
    await save_resource(conn, vocab, publisher, CORPUS["geometrie"])
    backend = TantivyBackend(root, pool, writer_wait_s=0.3)
    await backend.prepare()  # a serving process starts all the same

    advice = (
        r"built with layout 1 .* reads layout \d+: "
        r"the worker rebuilds it .*, or run `catalogue index rebuild`"
    )
    with pytest.raises(UpstreamUnavailableError, match=advice):
        await backend.search(asked("géométrie"))
    assert backend.measures() == {"search_engine_up": 0.0}
    lines = await backend.index_lines()
    assert any("run `catalogue index rebuild`" in line for line in lines), lines
    # Nothing writes into it: the change waits in the outbox (drain rebuilds first, below).
    with pytest.raises(UpstreamUnavailableError, match=advice):
        await outbox.drain_once(pool, backend, vocab)
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 1

    assert await outbox.rebuild(pool, backend, vocab) == 1
    rebuilt = current_generation(root)
    assert rebuilt is not None
    assert rebuilt != legacy
    assert (await backend.search(asked("géométrie"))).total == 1
    assert backend.measures()["search_engine_up"] == 1.0
    assert not any("rebuild" in line for line in await backend.index_lines())
    assert await outbox.drain(pool, backend, vocab) == 1  # the worker writes again
    await backend.aclose()


async def test_the_worker_rebuilds_an_index_of_an_earlier_layout(
    conn: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    """After an upgrade, no one has to think of `catalogue index rebuild`: the worker's next
    drain rebuilds the index from PostgreSQL, then indexes what waited in the outbox."""
    root = tmp_path / "search-index"
    legacy = legacy_index(root)
    vocab = await VocabularyIndex.load(conn)
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Tantivy', 'approved') RETURNING id"
    )
    await save_resource(conn, vocab, publisher, CORPUS["geometrie"])
    await conn.execute("TRUNCATE search_outbox")  # an offering indexed before the upgrade
    await save_resource(conn, vocab, publisher, CORPUS["svt"])  # and one waiting
    reader = TantivyBackend(root, pool, writer_wait_s=0.3)  # a serving process
    worker = TantivyBackend(root, pool, writer_wait_s=0.3)
    with pytest.raises(UpstreamUnavailableError):
        await reader.search(asked())

    assert await outbox.drain(pool, worker, vocab) == 1
    assert current_generation(root) not in (None, legacy)
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 0
    reader.reload()  # on the worker's notice
    assert (await reader.search(asked())).total == 2
    await reader.aclose()
    await worker.aclose()


async def test_an_index_of_a_later_layout_is_not_rebuilt_by_an_earlier_worker(
    conn: asyncpg.Connection, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    """During an upgrade, a worker of the earlier version must not undo the new index."""
    backend = TantivyBackend(tmp_path / "search-index", pool, writer_wait_s=0.3)
    await backend.prepare()
    generation = current_generation(backend.root)
    assert generation is not None
    (generation / "catalogue-layout").write_text("999\n")
    vocab = await VocabularyIndex.load(conn)
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Tantivy', 'approved') RETURNING id"
    )
    await save_resource(conn, vocab, publisher, CORPUS["geometrie"])
    with pytest.raises(UpstreamUnavailableError, match="by a later version"):
        await outbox.drain(pool, backend, vocab)
    assert current_generation(backend.root) == generation
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 1
    await backend.aclose()


async def test_a_generation_of_a_later_layout_is_refused_too(tmp_path: Path) -> None:
    """A process of an earlier version reading an index a newer one rebuilt."""
    backend = TantivyBackend(tmp_path / "search-index")
    await backend.prepare()
    generation = current_generation(backend.root)
    assert generation is not None
    assert (await backend.search(asked())).total == 0
    (generation / "catalogue-layout").write_text("999\n")
    reader = TantivyBackend(backend.root)
    with pytest.raises(UpstreamUnavailableError, match="built with layout 999 "):
        await reader.search(asked())
    await reader.aclose()
    await backend.aclose()
