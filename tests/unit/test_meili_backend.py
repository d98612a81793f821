"""The Meilisearch backend against a fake engine in httpx.MockTransport: no server, no network."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from catalogue.errors import UpstreamUnavailableError
from catalogue.search.backends import prepare_if_reachable
from catalogue.search.meili import MeiliBackend
from catalogue.search.meili_schema import filter_expression
from catalogue.search.models import FacetField, SearchDocument, SearchQuery, Sort
from tests.support.fake_meili import FakeMeili

PUBLISHER = UUID("7d1c1c43-6a38-4c7e-9d0e-6f5a0e1c2b3a")
# What a page of an empty search answers (the contract asks for it).
NO_HITS = {"hitsPerPage": 20, "page": 1, "totalPages": 0, "totalHits": 0}


@pytest.fixture
def meili() -> FakeMeili:
    return FakeMeili(indexes={"resources"})


@pytest.fixture
async def backend(meili: FakeMeili) -> AsyncIterator[MeiliBackend]:
    transport = httpx.MockTransport(meili)
    built = MeiliBackend.from_url("http://meili.test", "master-key", transport=transport)
    await built.prepare()  # as the app does at start
    meili.requests.clear()
    yield built
    await built.aclose()


def document(**changes: Any) -> SearchDocument:
    fields: dict[str, Any] = {
        "id": uuid4(),
        "title": "Les fractions en 6e",
        "description": "Exercices sur les fractions.",
        "keywords": ["fractions"],
        "publisher_id": PUBLISHER,
        "publisher_name": "Éditions Lumière",
        "thumbnail_url": None,
        "levels": ["http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-022-num-027"],
        "disciplines": ["http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-015-num-1"],
        "resource_types": [],
        "pedagogical_types": [],
        "levels_tagged": [],
        "disciplines_tagged": [],
        "concept_labels": ["6e", "mathématiques"],
        "licence_types": [],
        "accessibility": [],
        "languages": ["fre"],
        "min_price_cents": 0,
        "free": True,
        "published_at": 1_700_000_000,
    }
    return SearchDocument(**(fields | changes))


async def test_ensure_index_creates_the_index_and_applies_the_settings() -> None:
    meili = FakeMeili()
    backend = MeiliBackend.from_url("http://meili.test", "k", transport=httpx.MockTransport(meili))
    await backend.ensure_index()
    await backend.aclose()

    assert meili.sent("POST", "/indexes") == [{"uid": "resources", "primaryKey": "id"}]
    [settings] = meili.sent("PATCH", "/indexes/resources/settings")
    assert set(settings) == {
        "searchableAttributes",
        "filterableAttributes",
        "sortableAttributes",
        "stopWords",
        "synonyms",
        "typoTolerance",
        "faceting",
        "pagination",
    }
    assert settings["searchableAttributes"] == [
        "title",
        "keywords",
        "concept_labels",
        "description",
        "publisher_name",
    ]
    assert settings["filterableAttributes"] == [
        "levels",
        "disciplines",
        "resource_types",
        "pedagogical_types",
        "audiences",
        "licence_types",
        "accessibility",
        "languages",
        "publisher_id",
        "free",
        "commun",
        "min_price_cents",
    ]
    assert settings["sortableAttributes"] == ["min_price_cents", "published_at"]
    assert settings["typoTolerance"] == {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8},
    }
    assert settings["faceting"] == {"maxValuesPerFacet": 500}
    assert settings["pagination"] == {"maxTotalHits": 100000}
    assert 100 <= len(settings["stopWords"]) <= 160
    assert {"le", "la", "les", "de", "et", "à", "été"} <= set(settings["stopWords"])
    synonyms = settings["synonyms"]
    assert synonyms["svt"] == ["sciences de la vie et de la terre"]
    assert synonyms["sciences de la vie et de la terre"] == ["svt"]
    assert set(synonyms["sport"]) == {"eps", "éducation physique et sportive"}
    assert synonyms["english"] == ["anglais"]
    assert all(term == term.lower() for term in synonyms)
    assert meili.requests[0].headers["authorization"] == "Bearer k"


async def test_ensure_index_keeps_an_existing_index(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    await backend.ensure_index()
    assert meili.sent("POST", "/indexes") == []
    assert len(meili.sent("PATCH", "/indexes/resources/settings")) == 1


async def test_upsert_sends_documents_with_string_ids_and_waits(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    doc = document()
    await backend.upsert([doc])

    [sent] = meili.sent("POST", "/indexes/resources/documents")
    assert sent[0]["id"] == str(doc.id)
    assert sent[0]["publisher_id"] == str(PUBLISHER)
    assert sent[0]["title"] == "Les fractions en 6e"
    assert sent[0]["free"] is True
    assert meili.requests[-1].url.path == "/tasks/1"  # the settings at start were task 0


async def test_an_engine_away_at_start_is_prepared_before_the_first_write(
    meili: FakeMeili,
) -> None:
    backend = MeiliBackend.from_url("http://meili.test", "k", transport=meili.transport)
    meili.down = True
    await prepare_if_reachable(backend)  # logs, and lets the service start
    assert meili.refused == ["GET /indexes/resources"]

    meili.down = False
    await backend.upsert([document()])
    await backend.upsert([document()])
    writes = [f"{r.method} {r.url.path}" for r in meili.requests if r.method != "GET"]
    assert writes == [
        "PATCH /indexes/resources/settings",
        "POST /indexes/resources/documents",
        "POST /indexes/resources/documents",
    ]
    await backend.aclose()


async def test_delete_sends_ids_as_strings(backend: MeiliBackend, meili: FakeMeili) -> None:
    ids = [uuid4(), uuid4()]
    await backend.delete(ids)
    assert meili.sent("POST", "/indexes/resources/documents/delete-batch") == [
        [str(i) for i in ids]
    ]


async def test_search_sends_text_filters_facets_sort_and_page(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    meili.search_answer = {"hits": [], "query": "fractions", "processingTimeMs": 1, **NO_HITS}
    query = SearchQuery(
        text="fractions",
        filters={
            FacetField.LEVEL: ("6e", "5e"),
            FacetField.FREE: ("true",),
        },
        facets=(FacetField.DISCIPLINE, FacetField.FREE),
        sort=Sort.PRICE_ASC,
        page=2,
        per_page=10,
        groups=(("fractions", "fraction"),),
    )
    await backend.search(query)

    [body] = meili.sent("POST", "/indexes/resources/search")
    assert body == {
        "q": "fractions",
        "offset": 0,
        "limit": 20,
        "filter": '(levels = "6e" OR levels = "5e") AND (free = true)',
        "facets": ["disciplines", "free"],
        "attributesToRetrieve": [
            "id",
            "title",
            "description",
            "publisher_id",
            "publisher_name",
            "levels_tagged",
            "disciplines_tagged",
            "min_price_cents",
            "free",
            "thumbnail_url",
            "licence_types",
        ],
        "attributesToCrop": ["description"],
        "cropLength": 30,
        "attributesToHighlight": ["description"],
        "sort": ["min_price_cents:asc"],
        "showMatchesPosition": False,
        "highlightPreTag": "\u0002",
        "highlightPostTag": "\u0003",
        "cropMarker": "…",
        "matchingStrategy": "last",
        "hitsPerPage": 10,
        "page": 2,
        "attributesToSearchOn": None,
        "showRankingScore": False,
        "rankingScoreThreshold": None,
    }


async def test_search_without_filters_facets_or_sort_sends_none(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    meili.search_answer = {"hits": [], "query": "", "processingTimeMs": 1, **NO_HITS}
    result = await backend.search(SearchQuery())
    [body] = meili.sent("POST", "/indexes/resources/search")
    assert (body["q"], body["filter"], body["facets"], body["sort"]) == ("", None, None, None)
    assert (result.hits, result.total, result.facets) == ([], 0, {})


def raw_hit(hit_id: UUID, description: str, formatted: str | None) -> dict[str, Any]:
    hit: dict[str, Any] = {
        "id": str(hit_id),
        "title": "Fractions",
        "description": description,
        "publisher_id": str(PUBLISHER),
        "publisher_name": "Éditions Lumière",
        "levels_tagged": ["6e"],
        "disciplines_tagged": ["mathématiques"],
        "min_price_cents": 450,
        "free": False,
        "thumbnail_url": "https://img.example/f.png",
    }
    if formatted is not None:
        hit["_formatted"] = {**hit, "description": formatted}
    return hit


async def test_search_turns_the_answer_into_a_backend_result(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    first, second, third = uuid4(), uuid4(), uuid4()
    meili.search_answer = {
        "hits": [
            raw_hit(
                first,
                "Les <script>alert(1)</script> fractions & décimaux",
                "…<script>alert(1)</script> \u0002fractions\u0003 & décimaux",
            ),
            raw_hit(second, "Rien à voir <b>ici</b>", "Rien à voir <b>ici</b>"),
            raw_hit(third, "x" * 300, None),
        ],
        "query": "fractions",
        "processingTimeMs": 3,
        "hitsPerPage": 10,
        "page": 2,
        "totalPages": 5,
        "totalHits": 42,
        "facetDistribution": {
            "disciplines": {"maths": 30, "français": 12},
            "free": {"true": 10, "false": 32},
        },
    }
    query = SearchQuery(text="fractions", facets=(FacetField.DISCIPLINE, FacetField.FREE))
    result = await backend.search(query)

    assert result.total == 42
    assert [hit.id for hit in result.hits] == [first, second, third]
    assert result.hits[0].snippet == (
        "…&lt;script&gt;alert(1)&lt;/script&gt; <mark>fractions</mark> &amp; décimaux"
    )
    assert result.hits[1].snippet == "Rien à voir &lt;b&gt;ici&lt;/b&gt;"
    assert result.hits[2].snippet == "x" * 200
    hit = result.hits[0]
    assert (hit.publisher_id, hit.publisher_name) == (PUBLISHER, "Éditions Lumière")
    assert (hit.levels_tagged, hit.disciplines_tagged) == (["6e"], ["mathématiques"])
    assert (hit.min_price_cents, hit.free, hit.thumbnail_url) == (
        450,
        False,
        "https://img.example/f.png",
    )
    assert result.facets == {
        FacetField.DISCIPLINE: {"maths": 30, "français": 12},
        FacetField.FREE: {"true": 10, "false": 32},
    }


async def test_sentinels_in_a_description_are_removed_before_indexing(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    await backend.upsert([document(description="a\u0002b\u0003c")])
    [sent] = meili.sent("POST", "/indexes/resources/documents")
    assert sent[0]["description"] == "abc"


async def test_a_failed_task_raises_with_the_engine_message(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    meili.failures["POST /indexes/resources/documents"] = "Document identifier `x y` is invalid."
    with pytest.raises(UpstreamUnavailableError, match="Document identifier `x y` is invalid"):
        await backend.upsert([document()])


async def test_a_task_that_never_ends_times_out(meili: FakeMeili) -> None:
    meili.stuck = True
    backend = MeiliBackend.from_url(
        "http://meili.test", None, task_timeout_s=0.05, transport=httpx.MockTransport(meili)
    )
    with pytest.raises(UpstreamUnavailableError, match="timeout"):
        await backend.delete([uuid4()])
    await backend.aclose()


async def test_network_and_http_errors_become_upstream_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    def broken(_: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="Bad Gateway")

    for handler in (refuse, broken):
        backend = MeiliBackend.from_url(
            "http://meili.test", None, transport=httpx.MockTransport(handler)
        )
        with pytest.raises(UpstreamUnavailableError):
            await backend.search(SearchQuery(text="x"))
        with pytest.raises(UpstreamUnavailableError):
            await backend.check()
        await backend.aclose()


async def test_check_passes_when_the_engine_is_available(backend: MeiliBackend) -> None:
    await backend.check()


async def test_rebuild_fills_a_fresh_index_then_swaps_and_drops_the_old_one() -> None:
    meili = FakeMeili()  # no live index yet

    async def batches() -> AsyncIterator[list[SearchDocument]]:
        yield [document(), document()]
        yield []
        yield [document()]

    backend = MeiliBackend.from_url("http://meili.test", None, transport=httpx.MockTransport(meili))
    assert await backend.rebuild(batches()) == 3
    await backend.aclose()

    [created_fresh, created_live] = meili.sent("POST", "/indexes")
    fresh = created_fresh["uid"]
    assert re.fullmatch(r"resources_\d+", fresh)
    assert created_live == {"uid": "resources", "primaryKey": "id"}
    assert len(meili.sent("PATCH", f"/indexes/{fresh}/settings")) == 1
    assert [len(b) for b in meili.sent("POST", f"/indexes/{fresh}/documents")] == [2, 1]
    assert meili.sent("POST", "/swap-indexes") == [[{"indexes": ["resources", fresh]}]]
    assert meili.sent("DELETE", f"/indexes/{fresh}") == [None]
    assert meili.requests[-1].url.path.startswith("/tasks/")
    assert (len(meili.documents["resources"]), fresh in meili.indexes) == (3, False)


async def test_a_failed_rebuild_drops_its_half_built_index() -> None:
    meili = FakeMeili(indexes={"resources"})
    meili.failures["POST /swap-indexes"] = "Indexes must be declared only once."

    async def batches() -> AsyncIterator[list[SearchDocument]]:
        yield [document()]

    backend = MeiliBackend.from_url("http://meili.test", None, transport=httpx.MockTransport(meili))
    with pytest.raises(UpstreamUnavailableError, match="declared only once"):
        await backend.rebuild(batches())
    await backend.aclose()
    [created] = meili.sent("POST", "/indexes")
    assert meili.sent("DELETE", f"/indexes/{created['uid']}") == [None]


def parse_like_meilisearch(expression: str) -> tuple[str, list[str]]:
    """Split a filter as Meilisearch's parser does: the structure outside quotes, and the values.

    Inside double quotes a backslash takes the next character whatever it is, and only an
    unescaped double quote ends the value.
    """
    structure, values, i = "", [], 0
    while i < len(expression):
        if expression[i] != '"':
            structure += expression[i]
            i += 1
            continue
        value, i = "", i + 1
        while expression[i] != '"':
            if expression[i] == "\\":
                i += 1
            value += expression[i]
            i += 1
        structure, i = structure + "?", i + 1
        values.append(value)
    return structure, values


HOSTILE = [
    '"',
    "\\",
    '") OR (1=1',
    "a\nb",
    "'; DROP TABLE x; --",
    '\\" OR levels EXISTS OR "',
    "x) OR free = true OR (y",
    "\x00\x1b[31m\u2028",
    "",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_inside_their_quotes(value: str) -> None:
    expression = filter_expression(
        {FacetField.DISCIPLINE: (value, "maths"), FacetField.LANGUAGE: (value,)}
    )
    assert expression is not None
    structure, values = parse_like_meilisearch(expression)
    assert structure == "(disciplines = ? OR disciplines = ?) AND (languages = ?)"
    assert values == [value, "maths", value]


def test_filter_expression_escapes_backslash_then_quote() -> None:
    assert filter_expression({FacetField.LEVEL: ('"',)}) == r'(levels = "\"")'
    assert filter_expression({FacetField.LEVEL: ("\\",)}) == r'(levels = "\\")'
    assert filter_expression({FacetField.LEVEL: ('") OR (1=1',)}) == (r'(levels = "\") OR (1=1")')
    assert filter_expression({FacetField.LEVEL: ("'; DROP TABLE x; --",)}) == (
        '(levels = "\'; DROP TABLE x; --")'
    )
    assert filter_expression({FacetField.LEVEL: ("a\nb",)}) == '(levels = "a\nb")'


def test_filter_expression_maps_fields_and_booleans() -> None:
    assert filter_expression({}) is None
    assert filter_expression({FacetField.LEVEL: ()}) is None
    assert filter_expression({FacetField.FREE: ("true", "false")}) == (
        "(free = true OR free = false)"
    )
    assert filter_expression({FacetField.FREE: ("true) OR (x",)}) == ('(free = "true) OR (x")')
    publisher = str(PUBLISHER)
    assert (
        filter_expression({FacetField.PUBLISHER: (publisher,), FacetField.RESOURCE_TYPE: ("quiz",)})
        == f'(publisher_id = "{publisher}") AND (resource_types = "quiz")'
    )


async def test_audience_is_filtered_and_counted_as_the_engine_allows(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    teacher = "http://data.education.fr/voc/scolomfr/concept/teacher"
    await backend.upsert([document(audiences=[teacher])])
    [sent] = meili.sent("POST", "/indexes/resources/documents")
    assert sent[0]["audiences"] == [teacher]
    meili.search_answer = {
        "hits": [],
        "query": "",
        "processingTimeMs": 1,
        **NO_HITS,
        "facetDistribution": {"audiences": {teacher: 1}},
    }
    query = SearchQuery(filters={FacetField.AUDIENCE: (teacher,)}, facets=(FacetField.AUDIENCE,))
    result = await backend.search(query)
    [body] = meili.sent("POST", "/indexes/resources/search")
    assert body["filter"] == f'(audiences = "{teacher}")'
    assert body["facets"] == ["audiences"]
    assert result.facets == {FacetField.AUDIENCE: {teacher: 1}}


async def test_the_fake_engine_refuses_what_is_not_filterable(
    backend: MeiliBackend, meili: FakeMeili
) -> None:
    meili.settings["resources"]["filterableAttributes"].remove("audiences")
    query = SearchQuery(filters={FacetField.AUDIENCE: ("x",)})
    with pytest.raises(UpstreamUnavailableError, match="not filterable"):
        await backend.search(query)
