""" "Ressources similaires" on PostgreSQL (issue 19): the resources sharing the concepts,
ordered by the text they share with the resource (the other backends keep the newest first:
tests/integration/test_search_conformance.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import pytest

from catalogue.database import create_pool
from catalogue.resources.models import ResourceDraft, Status
from catalogue.resources.service import save_resource
from catalogue.search import outbox
from catalogue.search.pg import PostgresBackend
from catalogue.search.service import SearchService
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.search_corpus import MATHS, SECONDE, SIXIEME, offer


def draft(title: str, description: str, levels: list[str]) -> ResourceDraft:
    return ResourceDraft(
        title=title,
        description=description,
        languages=["fre"],
        levels=levels,
        disciplines=[MATHS],
        offers=[offer(500)],
        status=Status.PUBLISHED,
    )


# Saved in this order: "triangles" and "fractions-2de" are the newest.
DRAFTS = {
    "source": draft(
        "Fractions et nombres décimaux",
        "Comparer des fractions, passer d'une fraction à un nombre décimal.",
        [SIXIEME],
    ),
    "fractions": draft(
        "Les fractions décimales en exercices",
        "Des fractions aux nombres décimaux : comparer, ranger, calculer.",
        [SIXIEME],
    ),
    "proportions": draft(
        "Proportionnalité au quotidien",
        "Recettes, échelles et pourcentages : des fractions dans la vie courante.",
        [SIXIEME],
    ),
    "triangles": draft(
        "Triangles et cercles",
        "Construire des triangles au compas, tracer des cercles et leurs rayons.",
        [SIXIEME],
    ),
    "fractions-2de": draft(
        "Fractions et nombres décimaux, révisions",
        "Fractions, nombres décimaux : comparer avant la seconde.",
        [SECONDE],
    ),
}


@pytest.fixture
async def catalogue(
    database_url: str, conn: asyncpg.Connection
) -> AsyncIterator[tuple[SearchService, dict[str, UUID]]]:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Semblables', 'approved') "
        "RETURNING id"
    )
    vocab = await VocabularyIndex.load(conn)
    ids = {}
    for number, (key, resource) in enumerate(DRAFTS.items()):
        ids[key] = (await save_resource(conn, vocab, publisher, resource)).id
        await conn.execute(
            "UPDATE resources SET published_at = now() + make_interval(mins => $2) WHERE id = $1",
            ids[key],
            number,
        )
    async with await create_pool(database_url, max_size=2) as pool:
        backend = PostgresBackend(pool)
        await outbox.drain(pool, backend, vocab)
        yield SearchService(backend, vocab, pool), ids


async def test_shared_concepts_first_then_shared_text(
    catalogue: tuple[SearchService, dict[str, UUID]],
) -> None:
    service, ids = catalogue
    by_id = {v: k for k, v in ids.items()}
    similar = await service.similar(ids["source"], disciplines=[MATHS], levels=[SIXIEME])
    # Same level and discipline, closest text first (newest first would put triangles first);
    # the 2de revision shares the most words but not the level: after them.
    assert [by_id[h.id] for h in similar] == [
        "fractions",
        "proportions",
        "triangles",
        "fractions-2de",
    ]
    two = await service.similar(ids["source"], disciplines=[MATHS], levels=[SIXIEME], limit=2)
    assert [by_id[h.id] for h in two] == ["fractions", "proportions"]


async def test_likeness_is_the_share_of_indexed_words(
    catalogue: tuple[SearchService, dict[str, UUID]],
) -> None:
    service, ids = catalogue
    backend = service.backend
    assert isinstance(backend, PostgresBackend)
    likeness = await backend.text_likeness(ids["source"], [ids["fractions"], ids["triangles"]])
    assert 0 < likeness[ids["triangles"]] < likeness[ids["fractions"]] < 1
    assert await backend.text_likeness(ids["source"], []) == {}
    # A resource not in the index (a draft): nothing to compare, nothing reordered.
    unknown = UUID(int=1)
    assert await backend.text_likeness(unknown, [ids["fractions"]]) == {}
