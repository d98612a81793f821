"""The Meilisearch backend and the fake engine, held to Meilisearch's own OpenAPI document.

The fake engine (tests/support/fake_meili.py) checks every request it receives and every
answer it gives against the document, so every backend test is also a contract test; these
tests make sure that each operation the backend uses, and each one the fake serves, went
through that check, and that the check refuses what the engine's schema refuses.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import meilisearch_python_sdk
import pytest
from meilisearch_python_sdk import AsyncClient

from catalogue.search.backends import prepare_if_reachable
from catalogue.search.meili import CONTRACT_VERSION, MeiliBackend
from catalogue.search.models import FacetField, SearchDocument, SearchQuery, Sort
from tests.logs import capture_logs
from tests.support.fake_meili import FakeMeili
from tests.support.meili_contract import (
    CheckedTransport,
    ContractError,
    check_request,
    check_response,
    contract_path,
    contract_version,
)
from tests.unit.test_meili_backend import document

BACKEND_OPERATIONS = {
    "GET /version",
    "GET /health",
    "GET /indexes/{indexUid}",
    "POST /indexes",
    "PATCH /indexes/{indexUid}/settings",
    "POST /indexes/{indexUid}/documents",
    "POST /indexes/{indexUid}/delete-batch",
    "POST /indexes/{indexUid}/search",
    "GET /tasks/{taskUid}",
    "POST /swap-indexes",
    "DELETE /indexes/{indexUid}",
}


def operation(request: httpx.Request) -> str:
    path = contract_path(request.url.path)
    path = re.sub(r"^/indexes/[^/]+", "/indexes/{indexUid}", path)
    path = re.sub(r"^/tasks/\d+$", "/tasks/{taskUid}", path)
    return f"{request.method} {path}"


async def batches(*sizes: int) -> AsyncIterator[list[SearchDocument]]:
    for size in sizes:
        yield [document() for _ in range(size)]


async def test_every_request_the_backend_sends_is_one_the_contract_accepts() -> None:
    meili = FakeMeili()
    backend = MeiliBackend.from_url("http://meili.test", "key", transport=meili.transport)
    await backend.prepare()
    kept = document()
    await backend.upsert([kept, document(id=uuid4())])
    await backend.delete([uuid4()])
    query = SearchQuery(
        text="fractions",
        filters={FacetField.LEVEL: ('6e "b"\\',), FacetField.FREE: ("true", "false")},
        facets=tuple(FacetField),
        sort=Sort.PRICE_DESC,
        page=3,
        per_page=100,
    )
    await backend.search(query)
    for sort in Sort:
        await backend.search(SearchQuery(sort=sort))
    await backend.rebuild(batches(2, 0, 1))
    await backend.check()
    await backend.aclose()

    assert {operation(r) for r in meili.requests} == BACKEND_OPERATIONS


def search_request(body: dict[str, Any]) -> httpx.Request:
    return httpx.Request("POST", "http://meili.test/indexes/resources/search", json=body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"q": "x", "hitsPerPage": "ten"}, "hitsPerPage"),
        ({"q": "x", "page": -1}, "page"),
        ({"q": "x", "sort": "price:asc"}, "sort"),
        ({"q": "x", "hitPerPage": 10}, "hitPerPage"),  # unknown fields are refused
        ({"q": "x", "matchingStrategy": "first"}, "matchingStrategy"),
        ({"q": 3}, "q"),
    ],
)
def test_a_search_the_engine_refuses_fails_naming_the_field(
    body: dict[str, Any], field: str
) -> None:
    with pytest.raises(ContractError, match=re.escape(field)):
        check_request(search_request(body))


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PATCH", "/indexes/i/settings", {"typoTolerance": {"enabled": "yes"}}, "enabled"),
        ("PATCH", "/indexes/i/settings", {"searchableAttributes": "title"}, "searchableAttributes"),
        ("PATCH", "/indexes/i/settings", {"faceting": {"maxValuesPerFacet": -1}}, "maxValue"),
        ("POST", "/indexes", {"primaryKey": "id"}, "uid"),
        ("POST", "/swap-indexes", [{"indexes": "a,b"}], "indexes"),
    ],
)
def test_other_requests_the_engine_refuses_fail_naming_the_field(
    method: str, path: str, body: Any, field: str
) -> None:
    request = httpx.Request(method, f"http://meili.test{path}", json=body)
    with pytest.raises(ContractError, match=re.escape(field)):
        check_request(request)


def test_an_answer_the_engine_could_not_give_fails_naming_the_field() -> None:
    request = search_request({"q": "x"})
    missing_total = {"hits": [], "query": "x", "processingTimeMs": 1, "page": 1}
    with pytest.raises(ContractError, match="hitsPerPage"):
        check_response(request, httpx.Response(200, json=missing_total))
    task = httpx.Request("GET", "http://meili.test/tasks/1")
    bad_status = {"uid": 1, "status": "done", "type": "indexSwap", "enqueuedAt": "x"}
    with pytest.raises(ContractError, match="status"):
        check_response(task, httpx.Response(200, json=bad_status))
    no_code = {"message": "boom", "type": "internal", "link": ""}
    with pytest.raises(ContractError, match="code"):
        check_response(task, httpx.Response(500, json=no_code))


def test_the_document_is_the_version_the_backend_expects() -> None:
    assert contract_version() == CONTRACT_VERSION


@pytest.mark.parametrize(("engine", "warned"), [("1.15.0", False), ("1.16.1", True)])
async def test_the_app_warns_when_the_engine_is_not_the_contracts_minor(
    engine: str, warned: bool
) -> None:
    meili = FakeMeili(version=engine)
    backend = MeiliBackend.from_url("http://meili.test", "k", transport=meili.transport)
    with capture_logs() as logs:
        await prepare_if_reachable(backend)  # as the app does at start
    await backend.aclose()
    warnings = [e for e in logs if e["event"] == "meilisearch version differs from the contract"]
    assert warnings == (
        [
            {
                "event": warnings[0]["event"],
                "engine": engine,
                "contract": "1.15.2",
                "log_level": "warning",
            }
        ]
        if warned
        else []
    )


def test_the_sdk_attributes_the_backend_replaces_are_still_there() -> None:
    """meili_transport.use_transport replaces ``http_client`` and ``_http_requests`` on the
    SDK's AsyncClient, a private attribute: pyproject holds the SDK to one minor release, and
    this test says so plainly when an upgrade moves it."""
    client = AsyncClient("http://meili.test", "key")
    version = meilisearch_python_sdk.__version__
    for attribute in ("http_client", "_http_requests"):
        assert hasattr(client, attribute), (
            f"meilisearch-python-sdk {version} no longer has AsyncClient.{attribute}: "
            "search/meili.py use_transport must be adapted before the pin is raised"
        )
    from meilisearch_python_sdk import _http_requests  # noqa: PLC0415 (the private module)

    assert hasattr(_http_requests, "AsyncHttpRequests"), (
        f"meilisearch-python-sdk {version} moved _http_requests.AsyncHttpRequests"
    )


async def test_the_checked_transport_holds_a_real_engines_exchanges_to_the_contract() -> None:
    """What the runs against a real engine go through (here over the fake)."""
    meili = FakeMeili()
    checked = CheckedTransport(meili.transport)
    backend = MeiliBackend.from_url("http://meili.test", "key", transport=checked)
    await backend.prepare()
    await backend.aclose()
    assert checked.checked == len(meili.requests) > 0

    def short(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"hits": [], "query": "x", "processingTimeMs": 1})

    with pytest.raises(ContractError, match="hitsPerPage"):
        await CheckedTransport(httpx.MockTransport(short)).handle_async_request(
            search_request({"q": "x"})
        )
