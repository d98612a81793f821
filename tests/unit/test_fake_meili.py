"""The fake Meilisearch engine: its answers are the contract's, its semantics the engine's.

Every answer the fake gives is checked against Meilisearch's OpenAPI document as it is given
(tests/support/fake_meili.py calls check_response); the first test drives every operation the
fake serves, its error answers included, so that each is checked at least once.
"""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import msgspec
import pytest

from catalogue.search.meili import MeiliBackend
from catalogue.search.meili_schema import filter_expression
from catalogue.search.models import FacetField, SearchQuery, Sort
from tests.support.fake_meili import FakeMeili
from tests.unit.test_meili_backend import HOSTILE, document

SERVED = {
    "GET /health",
    "GET /version",
    "GET /tasks",
    "GET /tasks/{taskUid}",
    "POST /indexes",
    "GET /indexes/{indexUid}",
    "DELETE /indexes/{indexUid}",
    "GET /indexes/{indexUid}/stats",
    "PATCH /indexes/{indexUid}/settings",
    "POST /indexes/{indexUid}/documents",
    "POST /indexes/{indexUid}/documents/delete-batch",
    "POST /indexes/{indexUid}/search",
    "POST /swap-indexes",
}


def client(meili: FakeMeili) -> httpx.Client:
    return httpx.Client(transport=meili.transport, base_url="http://meili.test")


def wait(http: httpx.Client, answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == httpx.codes.ACCEPTED, answer.text
    uid = answer.json()["taskUid"]
    seen = [answer.json()["status"]]
    while seen[-1] in ("enqueued", "processing"):
        task: dict[str, Any] = http.get(f"/tasks/{uid}").json()
        seen.append(task["status"])
    assert seen[:2] == ["enqueued", "processing"]
    return task


def test_every_operation_the_fake_serves_answers_as_the_contract_says() -> None:
    meili = FakeMeili()
    with client(meili) as http:
        assert http.get("/health").json() == {"status": "available"}
        assert http.get("/version").json()["pkgVersion"] == "1.15.2"
        assert http.get("/indexes/a").json()["code"] == "index_not_found"
        assert wait(http, http.post("/indexes", json={"uid": "a", "primaryKey": "id"}))[
            "status"
        ] == ("succeeded")
        again = wait(http, http.post("/indexes", json={"uid": "a", "primaryKey": "id"}))
        assert (again["status"], again["error"]["code"]) == ("failed", "index_already_exists")
        settings = {"filterableAttributes": ["tag"], "sortableAttributes": ["n"]}
        wait(http, http.patch("/indexes/a/settings", json=settings))
        docs = [{"id": "1", "tag": "x", "n": 2}, {"id": "2", "tag": "y", "n": 1}]
        wait(http, http.post("/indexes/a/documents", json=docs, params={"primaryKey": "id"}))
        bad_id = wait(http, http.post("/indexes/a/documents", json=[{"id": "a b"}]))
        assert bad_id["error"]["code"] == "invalid_document_id"
        assert http.get("/indexes/a").json()["primaryKey"] == "id"
        assert http.get("/indexes/a/stats").json()["numberOfDocuments"] == 2
        found = http.post("/indexes/a/search", json={"q": "", "sort": ["n:asc"]}).json()
        assert [hit["id"] for hit in found["hits"]] == ["2", "1"]
        refused = http.post("/indexes/a/search", json={"filter": "nope = 1"})
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid_search_filter")
        unsortable = http.post("/indexes/a/search", json={"sort": ["tag:asc"]})
        assert unsortable.json()["code"] == "invalid_search_sort"
        facets = http.post("/indexes/a/search", json={"facets": ["n"]})
        assert facets.json()["code"] == "invalid_search_facets"
        assert http.post("/indexes/b/search", json={}).status_code == httpx.codes.NOT_FOUND
        wait(http, http.post("/indexes/a/documents/delete-batch", json=["1"]))
        wait(http, http.post("/indexes", json={"uid": "b", "primaryKey": "id"}))
        wait(http, http.post("/swap-indexes", json=[{"indexes": ["a", "b"]}]))
        assert http.get("/indexes/b/stats").json()["numberOfDocuments"] == 1
        missing = wait(http, http.post("/swap-indexes", json=[{"indexes": ["a", "c"]}]))
        assert missing["error"]["code"] == "index_not_found"
        assert wait(http, http.delete("/indexes/a"))["status"] == "succeeded"
        assert http.get("/tasks/999").json()["code"] == "task_not_found"
        listed = http.get("/tasks", params={"statuses": "failed", "limit": 2}).json()
        assert (listed["total"], len(listed["results"])) == (3, 2)
        meili.errors["GET /health"] = (503, "internal")
        assert http.get("/health").json()["type"] == "internal"

    served = set()
    for request in meili.requests:
        path = request.url.path
        for uid in ("a", "b", "c"):
            path = path.replace(f"/indexes/{uid}", "/indexes/{indexUid}")
        path = "/tasks/{taskUid}" if path.startswith("/tasks/") else path
        served.add(f"{request.method} {path}")
    assert served == SERVED


def test_a_stuck_task_stays_processing() -> None:
    meili = FakeMeili()
    meili.stuck = True
    with client(meili) as http:
        uid = http.post("/indexes", json={"uid": "a"}).json()["taskUid"]
        states = [http.get(f"/tasks/{uid}").json()["status"] for _ in range(3)]
        assert states == ["enqueued"] * 3
        assert http.get("/tasks", params={"statuses": "enqueued"}).json()["total"] == 1


@pytest.fixture
async def backend() -> Any:
    meili = FakeMeili()
    built = MeiliBackend.from_url("http://meili.test", "k", transport=meili.transport)
    await built.prepare()
    yield built
    await built.aclose()


@pytest.mark.parametrize("value", HOSTILE)
async def test_the_fake_reads_our_escaped_filters_as_the_engine_does(
    backend: MeiliBackend, value: str
) -> None:
    wanted, other = document(languages=[value]), document(languages=[value + "x"])
    await backend.upsert([wanted, other])
    result = await backend.search(SearchQuery(filters={FacetField.LANGUAGE: (value,)}))
    assert [hit.id for hit in result.hits] == [wanted.id]
    assert filter_expression({FacetField.LANGUAGE: (value,)}) is not None


async def test_facets_sort_pages_and_snippets(backend: MeiliBackend) -> None:
    prices = [300, 100, 200, 0, 500]
    docs = [
        document(
            min_price_cents=cents,
            free=cents == 0,
            description=f"Un long texte {'de mots ' * 30}sur les fractions et rien <b>d'autre</b>.",
        )
        for cents in prices
    ]
    await backend.upsert(docs)
    query = SearchQuery(
        text="fractions",
        facets=(FacetField.FREE, FacetField.LANGUAGE),
        sort=Sort.PRICE_DESC,
        page=2,
        per_page=2,
    )
    result = await backend.search(query)
    assert result.total == 5
    assert [hit.min_price_cents for hit in result.hits] == [200, 100]
    assert result.facets == {
        FacetField.FREE: {"false": 4, "true": 1},
        FacetField.LANGUAGE: {"fre": 5},
    }
    snippet = result.hits[0].snippet
    assert snippet.startswith("…")
    assert snippet.endswith("&lt;/b&gt;.")
    assert "<mark>fractions</mark>" in snippet
    assert len(snippet.split()) < 40  # cropped to about 30 words
    past = await backend.search(msgspec.structs.replace(query, page=9))
    assert (past.hits, past.total) == ([], 5)


async def test_deletes_and_the_rebuild_swap_reach_the_documents() -> None:
    meili = FakeMeili()
    backend = MeiliBackend.from_url("http://meili.test", "k", transport=meili.transport)
    kept, gone = document(), document()
    await backend.upsert([kept, gone])
    await backend.delete([gone.id, uuid4()])
    assert set(meili.documents["resources"]) == {str(kept.id)}

    async def batches() -> Any:
        yield [document(), document()]

    assert await backend.rebuild(batches()) == 2
    assert len(meili.documents["resources"]) == 2
    assert meili.indexes == {"resources"}
    assert meili.settings["resources"]["filterableAttributes"][0] == "levels"
    await backend.aclose()
