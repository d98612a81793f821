"""Meilisearch answering errors rather than being away (the fake engine, tests/support).

A search through the API is a 503 problem+json when the engine answers an error object, a
5xx or nothing in time, or refuses the filter (its detail then names the filters); never a
500. Indexing under the same faults keeps every outbox entry until the engine
indexes it (the worker's queue retries with backoff, see catalogue.worker).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.errors import UpstreamUnavailableError
from catalogue.resources.models import ResourceDraft, Status
from catalogue.resources.service import save_resource
from catalogue.search import outbox
from catalogue.search.meili import MeiliBackend
from catalogue.vocabularies.index import VocabularyIndex
from tests.faults.conftest import Tally, count
from tests.integration.conftest import bearer, open_client
from tests.support.fake_meili import FakeMeili

SEARCH = "POST /indexes/resources/search"
DOCUMENTS = "POST /indexes/resources/documents"


@pytest.fixture
def meili() -> FakeMeili:
    return FakeMeili()


@pytest.fixture
async def app_client(settings: Settings, meili: FakeMeili) -> AsyncIterator[httpx.AsyncClient]:
    settings = msgspec.structs.replace(settings, meili_url="http://meili.test")
    async for client in open_client(create_asgi_app(settings, http_transport=meili.transport)):
        yield client


async def _teacher(conn: asyncpg.Connection, settings: Settings) -> dict[str, str]:
    teacher = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles) VALUES ('urn:test', 'teacher', $1) "
        "RETURNING id",
        ["teacher"],
    )
    return await bearer(conn, settings, teacher)


async def test_search_errors_are_problems_never_500(
    app_client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    meili: FakeMeili,
    tally: Tally,
) -> None:
    headers = await _teacher(conn, settings)
    asked = {"q": "fractions", "free": "true"}
    ok = await app_client.get("/api/v1/search", params=asked, headers=headers)
    assert ok.status_code == 200, ok.text

    for fault in [(500, "internal"), (503, "internal"), (404, "index_not_found"), "timeout"]:
        meili.errors.clear()
        meili.timeouts.clear()
        if isinstance(fault, tuple):
            meili.errors[SEARCH] = fault
        else:
            meili.timeouts.add(SEARCH)
        tally.faults += 1
        answer = await app_client.get("/api/v1/search", params=asked, headers=headers)
        assert answer.status_code == 503, (fault, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == "/problems/upstream-unavailable"

    meili.errors.clear()
    meili.timeouts.clear()
    meili.settings["resources"]["filterableAttributes"].remove("free")
    tally.faults += 1
    refused = await app_client.get("/api/v1/search", params=asked, headers=headers)
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "free" in refused.json()["detail"]
    tally.check()


@pytest.mark.parametrize(
    "fault",
    ["5xx", "timeout", "task failed (internal)", "task failed (index_not_found)"],
)
async def test_indexing_keeps_every_change_through_engine_errors(
    database_url: str, conn: asyncpg.Connection, meili: FakeMeili, tally: Tally, fault: str
) -> None:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Têtues', 'approved') RETURNING id"
    )
    vocab = await VocabularyIndex.load(conn)
    backend = MeiliBackend.from_url("http://meili.test", "k", transport=meili.transport)
    await backend.prepare()
    for n in range(3):
        draft = ResourceDraft(title=f"Ressource {n}", description="d", status=Status.PUBLISHED)
        await save_resource(conn, vocab, publisher, draft)
    pending = await count(conn, "search_outbox")
    assert pending > 0

    if fault == "5xx":
        meili.errors[DOCUMENTS] = (502, "internal")
    elif fault == "timeout":
        meili.timeouts.add(DOCUMENTS)
    elif fault == "task failed (internal)":
        meili.failures[DOCUMENTS] = "Internal error."
        meili.failure_codes[DOCUMENTS] = "internal"
    else:
        meili.failures[DOCUMENTS] = "Index `resources` not found."
        meili.failure_codes[DOCUMENTS] = "index_not_found"
    tally.faults += 1
    async with await create_pool(database_url, max_size=2) as pool:
        for _ in range(2):  # the queue's retries, each one failing while the fault lasts
            with pytest.raises(UpstreamUnavailableError):
                await outbox.drain(pool, backend, vocab)
            tally.retried += 1
        assert await count(conn, "search_outbox") == pending, "a change left the outbox"
        assert await count(conn, "search_outbox_parked") == 0, "an outage parked a change"

        meili.errors.clear()
        meili.timeouts.clear()
        meili.failures.clear()
        await outbox.drain(pool, backend, vocab)
    await backend.aclose()
    assert await count(conn, "search_outbox") == 0
    published = {str(r["id"]) for r in await conn.fetch("SELECT id FROM resources")}
    tally.lost.extend(sorted(published - set(meili.documents["resources"])))
    tally.check()


async def test_metrics_export_the_engines_failed_and_pending_tasks(
    app_client: httpx.AsyncClient, meili: FakeMeili
) -> None:
    async with httpx.AsyncClient(transport=meili.transport, base_url="http://meili.test") as engine:
        await engine.post("/indexes/resources/documents", json=[{"id": "1"}, {"id": "2"}])
        await engine.post("/indexes/resources/documents", json=[{"id": "not an id"}])
    text = (await app_client.get("/metrics")).text
    assert 'catalogue_state{measure="search_engine_up"} 1.0' in text
    assert 'catalogue_state{measure="search_engine_documents"} 2.0' in text
    assert 'catalogue_state{measure="search_engine_tasks_failed"} 1.0' in text
    assert 'catalogue_state{measure="search_engine_tasks_pending"} 0.0' in text
    assert 'catalogue_state{measure="search_outbox_lag_seconds"}' in text
    meili.down = True
    down = (await app_client.get("/metrics")).text
    assert 'catalogue_state{measure="search_engine_up"} 0.0' in down
