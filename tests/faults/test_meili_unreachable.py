"""Meilisearch unreachable: the app (in this process, its worker embedded) searches through
the Meilisearch backend, over a fake engine that can be switched off (no Meilisearch binary
here; tests/support/fake_meili.py answers its HTTP API).

While the engine is down, search fails clearly (503 problem+json) and /readyz says so while
staying ready (the rest of the service works: taking every instance out would stop it too),
publishers' writes keep succeeding and their changes wait in the outbox. When it is back,
the worker's retries index them all: the engine then holds exactly the published resources.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from tests.faults.conftest import Tally, count, draft, wait_for, wait_for_empty_outbox
from tests.integration.conftest import bearer, open_client
from tests.support.fake_meili import FakeMeili

DOCUMENTS = "/indexes/resources/documents"
SEARCH_ANSWER = {
    "hits": [],
    "query": "",
    "processingTimeMs": 1,
    "limit": 20,
    "offset": 0,
    "estimatedTotalHits": 0,
}


@pytest.fixture
def meili() -> FakeMeili:
    fake = FakeMeili()
    fake.search_answer = SEARCH_ANSWER
    return fake


@pytest.fixture
async def app_client(settings: Settings, meili: FakeMeili) -> AsyncIterator[httpx.AsyncClient]:
    settings = msgspec.structs.replace(
        settings, meili_url="http://meili.test", embedded_worker=True
    )
    async for client in open_client(create_asgi_app(settings, http_transport=meili.transport)):
        yield client


async def _people(conn: asyncpg.Connection, settings: Settings) -> dict[str, dict[str, str]]:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Patientes', 'approved') "
        "RETURNING id"
    )
    insert = (
        "INSERT INTO people (issuer, subject, roles, publisher_id) VALUES ('urn:test', $1, $2, $3) "
        "RETURNING id"
    )
    staff = await conn.fetchval(insert, "staff", ["publisher"], publisher)
    teacher = await conn.fetchval(insert, "teacher", ["teacher"], None)
    return {
        "publisher": await bearer(conn, settings, staff),
        "teacher": await bearer(conn, settings, teacher),
    }


async def test_meilisearch_unreachable(
    app_client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    meili: FakeMeili,
    tally: Tally,
) -> None:
    headers = await _people(conn, settings)
    publisher = headers["publisher"]
    resources = "/api/v1/publisher/resources"
    before = [await app_client.post(resources, json=draft(n), headers=publisher) for n in range(3)]
    assert [r.status_code for r in before] == [201] * 3
    await wait_for_empty_outbox(conn, "the first resources to be indexed")
    assert len(meili.documents["resources"]) == 3

    meili.down = True
    tally.faults += 1
    search = await app_client.get(
        "/api/v1/search", params={"q": "ressource"}, headers=headers["teacher"]
    )
    assert search.status_code == 503, search.text
    assert search.headers["content-type"] == "application/problem+json"
    assert search.json()["type"] == "/problems/upstream-unavailable"
    ready = await app_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["search_available"] is False

    # Writes go on: created, changed and withdrawn while the engine is away.
    for n in range(3, 10):
        created = await app_client.post(resources, json=draft(n), headers=publisher)
        assert created.status_code == 201, created.text
    changed_id, withdrawn_id = before[0].json()["id"], before[1].json()["id"]
    changed = await app_client.put(
        f"{resources}/{changed_id}", json=draft(0, "Titre changé sans moteur"), headers=publisher
    )
    assert changed.status_code == 200, changed.text
    withdrawn = await app_client.delete(f"{resources}/{withdrawn_id}", headers=publisher)
    assert withdrawn.status_code == 204
    refused_before = len(meili.refused)

    async def tried_and_let_go() -> bool:
        """The worker tried again after the last change, failed, and its batch's
        transaction ended (no outbox row is held)."""
        free = await conn.fetchval(
            "SELECT count(*) FROM (SELECT 1 FROM search_outbox FOR UPDATE SKIP LOCKED) AS free"
        )
        return len(meili.refused) > refused_before and free == await count(conn, "search_outbox")

    await wait_for(tried_and_let_go, "the worker to try to index the changes and fail")
    pending = await conn.fetchval("SELECT count(*) FROM search_outbox")
    assert pending == 9, "changes were dropped while the engine was away"
    attempts = meili.refused.count(f"POST {DOCUMENTS}")  # each one a drain to try again
    assert attempts > 0

    meili.down = False
    back = time.monotonic()
    await wait_for_empty_outbox(conn, "the index to catch up when the engine came back")
    caught_up_s = time.monotonic() - back
    tally.retried += attempts
    assert (await app_client.get("/readyz")).json()["search_available"] is True
    searched = await app_client.get("/api/v1/search", params={"q": "x"}, headers=headers["teacher"])
    assert searched.status_code == 200

    published = {
        str(row["id"]): row["title"]
        for row in await conn.fetch("SELECT id, title FROM resources WHERE status = 'published'")
    }
    indexed = {doc_id: doc["title"] for doc_id, doc in meili.documents["resources"].items()}
    tally.lost.extend(f"{i} ({t})" for i, t in published.items() if indexed.get(i) != t)
    tally.broken.extend(f"{i} indexed but not published" for i in indexed.keys() - published.keys())
    assert withdrawn_id not in indexed
    assert indexed[changed_id] == "Titre changé sans moteur"
    tally.notes.append(
        f"{pending} changes waited in the outbox; {len(meili.refused)} requests refused; "
        f"indexed {caught_up_s:.1f} s after the engine came back"
    )
    tally.check()
