"""One suite for every search backend: PostgreSQL, the embedded Tantivy index and the
Meilisearch backend over the fake engine (tests/support/fake_meili.py) on every run, and a
real Meilisearch when MEILI_URL is set (scripts/meili-conformance starts one).

The fake engine has no typo tolerance and no ranking rules: assertions about them run on
PostgreSQL and on a real engine only (``ENGINE_ONLY``), never on the fake."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import msgspec
import pytest

from catalogue.communs.repository import COMMUN_CONNECTOR, COMMUNS_PUBLISHER
from catalogue.database import create_pool
from catalogue.errors import InvalidInputError
from catalogue.resources.models import Provenance, ResourceDraft, Status
from catalogue.resources.service import save_resource
from catalogue.search import outbox
from catalogue.search.meili import MeiliBackend
from catalogue.search.models import FacetField, SearchBackend, Sort
from catalogue.search.pg import PostgresBackend
from catalogue.search.service import SearchResponse, SearchService
from catalogue.search.tantivy_index import TantivyBackend
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.search_corpus import (
    COLLEGE,
    CORPUS,
    CYCLE_3,
    ENGLISH,
    LEARNER,
    MATHS,
    SECONDE,
    SIXIEME,
    TEACHER,
)
from tests.support.fake_meili import FakeMeili
from tests.support.meili_contract import CheckedTransport

REAL_ENGINE = ["meilisearch"] if os.environ.get("MEILI_URL") else []
BACKENDS = ["postgresql", "tantivy", "meilisearch-fake", *REAL_ENGINE]
# What only a real engine does (typo tolerance, ranking): the fake is left out.
ENGINE_ONLY = ["postgresql", "tantivy", *REAL_ENGINE]


class Catalogue(msgspec.Struct):
    service: SearchService
    ids: dict[str, UUID]
    publisher: UUID


@pytest.fixture(params=BACKENDS)
async def catalogue(
    request: pytest.FixtureRequest, database_url: str, conn: asyncpg.Connection, tmp_path: Path
) -> AsyncIterator[Catalogue]:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Conformes', 'approved') "
        "RETURNING id"
    )
    vocab = await VocabularyIndex.load(conn)
    ids = {
        key: (await save_resource(conn, vocab, publisher, draft)).id
        for key, draft in CORPUS.items()
    }
    checked = CheckedTransport()
    async with await create_pool(database_url, max_size=4) as pool:
        backend: SearchBackend
        if request.param == "meilisearch":
            backend = MeiliBackend.from_url(
                os.environ["MEILI_URL"],
                os.environ.get("MEILI_MASTER_KEY"),
                index=f"t{publisher.hex}",
                transport=checked,  # the real engine's answers held to the contract
            )
        elif request.param == "tantivy":
            backend = TantivyBackend(tmp_path / "search-index", pool)
        elif request.param == "meilisearch-fake":
            fake = FakeMeili()
            backend = MeiliBackend.from_url("http://meili.test", "key", transport=fake.transport)
        else:
            backend = PostgresBackend(pool)
        await backend.prepare()
        await outbox.drain(pool, backend, vocab)
        yield Catalogue(service=SearchService(backend, vocab, pool), ids=ids, publisher=publisher)
        await backend.aclose()
    await checked.aclose()


async def find(
    catalogue: Catalogue,
    text: str = "",
    *,
    filters: dict[FacetField, list[str]] | None = None,
    facets: list[FacetField] | None = None,
    sort: Sort = Sort.RELEVANCE,
    page: int = 1,
    per_page: int = 20,
) -> SearchResponse:
    query = catalogue.service.query(
        text, filters=filters or {}, facets=facets or [], sort=sort, page=page, per_page=per_page
    )
    return await catalogue.service.search(query)


def keys(catalogue: Catalogue, response: SearchResponse) -> set[str]:
    by_id = {v: k for k, v in catalogue.ids.items()}
    return {by_id[hit.id] for hit in response.hits}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("geometrie", {"geometrie"}),  # accents
        ("GÉOMÉTRIE", {"geometrie"}),  # case
        ("oeuvre", {"oeuvre"}),  # ligature written out
        ("œuvres", {"oeuvre"}),  # ligature and plural
        ("l’école d’autrefois", {"ecole"}),  # typographic apostrophes, elisions
        ("l'ecole d'autrefois", {"ecole"}),  # straight apostrophes, no accent
        ("figure", {"geometrie"}),  # stemming
        ("svt", {"svt"}),  # acronym synonym
        ("sciences vie terre", {"svt"}),
        ("english", {"english"}),
        ("anglais 6e", {"english"}),  # concept label and level
        ("sixième anglais", {"english"}),  # level synonym
        ("géométrie brevet", {"geometrie"}),  # no document has every word: the best partial
    ],
)
async def test_french_text(catalogue: Catalogue, text: str, expected: set[str]) -> None:
    assert keys(catalogue, await find(catalogue, text)) == expected


@pytest.mark.parametrize("catalogue", ENGINE_ONLY, indirect=True)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("photosyntese", {"svt"}),  # a typo
        ("geometrei", {"geometrie"}),  # another typo
    ],
)
async def test_typos(catalogue: Catalogue, text: str, expected: set[str]) -> None:
    """Typo tolerance: PostgreSQL's trigram corrections and the engine's own; the fake engine
    has none, so this runs on PostgreSQL and on a real engine only."""
    assert keys(catalogue, await find(catalogue, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mathématiques", {"geometrie"}),  # an ancestor's label (solides et figures: maths)
        ("collège", {"geometrie", "english"}),  # the text of one, a level's ancestor of both
        ("anglais collège", {"english"}),  # two labels, neither word in the text
    ],
)
async def test_the_labels_of_a_documents_concepts_are_its_words(
    catalogue: Catalogue, text: str, expected: set[str]
) -> None:
    """Tantivy finds labels in its concept lexicon (search/tantivy_concepts.py), not in the
    documents: the same words match on every backend."""
    assert keys(catalogue, await find(catalogue, text)) == expected


@pytest.mark.parametrize("catalogue", ENGINE_ONLY, indirect=True)
async def test_a_typo_in_a_concept_label(catalogue: Catalogue) -> None:
    assert keys(catalogue, await find(catalogue, "mathematiqes")) == {"geometrie"}


async def test_drafts_are_never_found(catalogue: Catalogue) -> None:
    response = await find(catalogue, "préparation")
    assert response.total == 0
    everything = await find(catalogue)
    assert "brouillon" not in keys(catalogue, everything)
    assert everything.total == 5


async def test_a_broad_concept_matches_its_narrower_ones(catalogue: Catalogue) -> None:
    # Cycle 3 (2016) is CM1, CM2 and 6e.
    assert keys(catalogue, await find(catalogue, filters={FacetField.LEVEL: [CYCLE_3]})) == {
        "geometrie",
        "english",
        "oeuvre",
        "ecole",
    }
    assert keys(catalogue, await find(catalogue, filters={FacetField.LEVEL: [COLLEGE]})) == {
        "geometrie",
        "english",
    }
    assert keys(catalogue, await find(catalogue, filters={FacetField.DISCIPLINE: [MATHS]})) == {
        "geometrie"
    }


async def test_filters_combine_or_within_and_across_fields(catalogue: Catalogue) -> None:
    response = await find(
        catalogue,
        filters={FacetField.LEVEL: [SIXIEME], FacetField.LANGUAGE: ["eng", "deu"]},
    )
    assert keys(catalogue, response) == {"english"}
    free = await find(catalogue, filters={FacetField.FREE: ["true"]})
    assert keys(catalogue, free) == {"oeuvre"}
    seats = await find(catalogue, filters={FacetField.LICENCE_TYPE: ["class_seats"]})
    assert keys(catalogue, seats) == {"geometrie"}
    captions = await find(catalogue, filters={FacetField.ACCESSIBILITY: ["captions"]})
    assert keys(catalogue, captions) == {"english"}
    mine = await find(catalogue, filters={FacetField.PUBLISHER: [str(catalogue.publisher)]})
    assert mine.total == 5


async def test_facet_counts_with_labels(catalogue: Catalogue) -> None:
    response = await find(
        catalogue, facets=[FacetField.LEVEL, FacetField.FREE, FacetField.DISCIPLINE]
    )
    levels = {v.value: (v.label, v.count) for v in response.facets[FacetField.LEVEL]}
    assert levels[SIXIEME] == ("6e", 2)
    assert levels[CYCLE_3] == ("cycle 3 (2016)", 4)
    assert levels[COLLEGE][1] == 2
    free = {v.value: (v.label, v.count) for v in response.facets[FacetField.FREE]}
    assert free == {"true": ("gratuit", 1), "false": ("payant", 4)}
    disciplines = {v.value: v.count for v in response.facets[FacetField.DISCIPLINE]}
    assert disciplines[MATHS] == 1
    assert disciplines[ENGLISH] == 1


async def test_sorting_and_pagination(catalogue: Catalogue) -> None:
    cheapest = await find(catalogue, sort=Sort.PRICE_ASC)
    prices = [hit.lowest_price_cents for hit in cheapest.hits]
    assert prices == sorted(prices)
    assert prices[0] == 0
    dearest = await find(catalogue, sort=Sort.PRICE_DESC)
    assert [hit.lowest_price_cents for hit in dearest.hits] == sorted(prices, reverse=True)

    first = await find(catalogue, sort=Sort.PRICE_ASC, per_page=2)
    second = await find(catalogue, sort=Sort.PRICE_ASC, per_page=2, page=2)
    assert first.total == second.total == 5
    assert [h.id for h in first.hits + second.hits] == [h.id for h in cheapest.hits[:4]]
    past_the_end = await find(catalogue, page=50)
    assert past_the_end.hits == []
    assert past_the_end.total == 5


async def test_snippets_mark_matches_and_escape_html(catalogue: Catalogue) -> None:
    hit = (await find(catalogue, "grandes oeuvres")).hits[0]
    assert "<mark>" in hit.snippet
    assert "illustré" in hit.snippet
    assert "<b>" not in hit.snippet  # markup in a description never reaches the page as markup
    assert hit.publisher.name == "Éditions Conformes"
    assert [level.label for level in hit.levels] == ["CM1"]


async def test_withdrawal_leaves_the_index(catalogue: Catalogue, conn: asyncpg.Connection) -> None:
    vocab = catalogue.service.vocab
    draft = msgspec.structs.replace(CORPUS["english"], status=Status.WITHDRAWN)
    outcome = await save_resource(conn, vocab, catalogue.publisher, draft)
    assert outcome.outcome == "updated"
    await outbox.drain(catalogue.service.pool, catalogue.service.backend, vocab)
    assert (await find(catalogue, "english")).total == 0


async def test_a_stemmed_exact_match_ranks_above_typo_corrections(
    catalogue: Catalogue, conn: asyncpg.Connection
) -> None:
    vocab = catalogue.service.vocab
    titles = {
        "raison": "La raison et le raisonnement",
        "raisons": "Les raisons de la colère : raison et passion",
        "raisonner": "Raisonner, c'est la raison même",
        "floraison": "Floraisons",
    }
    ids = {}
    for key, title in titles.items():
        draft = ResourceDraft(title=title, description=title, status=Status.PUBLISHED)
        ids[key] = (await save_resource(conn, vocab, catalogue.publisher, draft)).id
    await outbox.drain(catalogue.service.pool, catalogue.service.backend, vocab)
    response = await find(catalogue, "floraison")
    assert response.hits[0].id == ids["floraison"]
    assert (await find(catalogue, "floraisons")).hits[0].id == ids["floraison"]


async def test_audience_filter_and_facet(catalogue: Catalogue) -> None:
    teachers = await find(catalogue, filters={FacetField.AUDIENCE: [TEACHER]})
    assert keys(catalogue, teachers) == {"geometrie", "english"}
    learners = await find(catalogue, filters={FacetField.AUDIENCE: [LEARNER, TEACHER]})
    assert keys(catalogue, learners) == {"geometrie", "english"}
    both = await find(
        catalogue, filters={FacetField.AUDIENCE: [LEARNER], FacetField.LEVEL: [SIXIEME]}
    )
    assert keys(catalogue, both) == {"geometrie"}
    response = await find(catalogue, facets=[FacetField.AUDIENCE])
    audiences = {v.value: (v.label, v.count) for v in response.facets[FacetField.AUDIENCE]}
    assert audiences == {TEACHER: ("enseignant", 2), LEARNER: ("apprenant", 1)}
    with pytest.raises(InvalidInputError, match="audience"):
        await find(catalogue, filters={FacetField.AUDIENCE: [SIXIEME]})  # a level


async def test_a_language_filter_takes_a_code_in_any_form(catalogue: Catalogue) -> None:
    for given in ("en", "eng", "en-GB", "http://id.loc.gov/vocabulary/iso639-2/eng"):
        response = await find(catalogue, filters={FacetField.LANGUAGE: [given]})
        assert keys(catalogue, response) == {"english"}, given
    with pytest.raises(InvalidInputError, match="language"):
        await find(catalogue, filters={FacetField.LANGUAGE: ["klingon"]})


async def test_communs_are_a_filter_and_a_facet(
    catalogue: Catalogue, conn: asyncpg.Connection
) -> None:
    """A teacher's commun (a resource of the communs' publisher) is told apart from offerings."""
    vocab = await VocabularyIndex.load(conn)
    commun = ResourceDraft(
        title="Géométrie partagée", description="Un commun numérique", status=Status.PUBLISHED
    )
    saved = await save_resource(
        conn, vocab, COMMUNS_PUBLISHER, commun, Provenance(connector=COMMUN_CONNECTOR)
    )
    await outbox.drain(catalogue.service.pool, catalogue.service.backend, vocab)
    only = await find(catalogue, filters={FacetField.COMMUN: ["true"]}, facets=[FacetField.COMMUN])
    assert [hit.id for hit in only.hits] == [saved.id]
    assert only.hits[0].free
    everything = await find(catalogue, facets=[FacetField.COMMUN])
    counts = {v.value: (v.label, v.count) for v in everything.facets[FacetField.COMMUN]}
    assert counts == {"true": ("commun numérique", 1), "false": ("offre d'éditeur", 5)}
    offerings = await find(catalogue, filters={FacetField.COMMUN: ["false"]})
    assert offerings.total == 5


async def test_similar_resources_share_concepts_on_every_backend(catalogue: Catalogue) -> None:
    """ "Ressources similaires" (issue 19): a filter query on the shared disciplines and
    levels, then on the disciplines alone; never the resource itself, never a draft."""
    service = catalogue.service
    by_id = {v: k for k, v in catalogue.ids.items()}
    other = uuid4()
    both = await service.similar(other, disciplines=[ENGLISH], levels=[SIXIEME])
    assert [by_id[h.id] for h in both] == ["english"]
    # The level shares nothing: the disciplines alone still find it.
    widened = await service.similar(other, disciplines=[ENGLISH], levels=[SECONDE])
    assert [by_id[h.id] for h in widened] == ["english"]
    itself = await service.similar(catalogue.ids["english"], disciplines=[ENGLISH], levels=[])
    assert itself == []
    # No discipline: the level alone (published ones only: the 6e draft is not among them).
    level_only = await service.similar(other, disciplines=[], levels=[SIXIEME])
    assert {by_id[h.id] for h in level_only} == {"geometrie", "english"}
    assert await service.similar(other, disciplines=[], levels=[]) == []
