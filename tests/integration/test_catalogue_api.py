"""The catalogue over HTTP: search, resources, vocabularies; the outbox and the worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.resources.service import save_resource
from catalogue.search import outbox
from catalogue.search.models import SearchDocument
from catalogue.search.pg import PostgresBackend
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.conftest import bearer, open_client
from tests.integration.search_corpus import CORPUS, CYCLE_3, SIXIEME
from tests.support.demo_server import wait_ready_async
from tests.support.waiting import wait_until_async


@pytest.fixture
async def teacher(conn: asyncpg.Connection, settings: Settings) -> dict[str, str]:
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles) VALUES ('urn:test', 't', '{teacher}') "
        "RETURNING id"
    )
    return await bearer(conn, settings, person)


@pytest.fixture
async def publisher(conn: asyncpg.Connection) -> UUID:
    publisher_id: UUID = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions API', 'approved') RETURNING id"
    )
    return publisher_id


@pytest.fixture
async def catalogue(conn: asyncpg.Connection, publisher: UUID) -> dict[str, UUID]:
    vocab = await VocabularyIndex.load(conn)
    return {
        key: (await save_resource(conn, vocab, publisher, draft)).id
        for key, draft in CORPUS.items()
    }


@pytest.fixture
async def worker_client(
    settings: Settings, catalogue: dict[str, UUID]
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its embedded worker, once the worker has indexed the corpus."""
    assert catalogue, "the corpus is saved before the app starts"
    app = create_asgi_app(msgspec.structs.replace(settings, embedded_worker=True))
    async for client in open_client(app):
        await wait_ready_async(client)

        async def indexed() -> bool:
            return await _pending(settings) == 0

        await wait_until_async(indexed, "the embedded worker to index the corpus")
        yield client


async def _pending(settings: Settings) -> int:
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM search_outbox")
    finally:
        await conn.close()
    return count


async def test_the_embedded_worker_indexes_what_was_saved(
    worker_client: httpx.AsyncClient, teacher: dict[str, str]
) -> None:
    response = await worker_client.get(
        "/api/v1/search",
        params={"q": "géométrie", "facets": ["level", "free"], "level": CYCLE_3},
        headers=teacher,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1
    assert body["backend"] == "tantivy"  # the embedded default
    hit = body["hits"][0]
    assert hit["title"] == "Géométrie interactive : solides et figures"
    assert hit["levels"] == [{"uri": SIXIEME, "label": "6e"}]
    assert hit["lowest_price_cents"] == 900
    assert {f["value"] for f in body["facets"]["level"]} >= {SIXIEME, CYCLE_3}
    assert isinstance(body["took_ms"], float)


@pytest.mark.parametrize(
    "params",
    [
        {"level": "http://evil.example/concept"},
        {"discipline": "' OR 1=1 --"},
        {"language": "klingon"},
        {"free": "maybe"},
        {"publisher": "not-a-uuid"},
        {"licence_type": "pirate"},
        {"accessibility": "telepathy"},
        {"facets": "price"},
        {"sort": "random"},
        {"per_page": "1000"},
        {"q": "x" * 1001},
    ],
)
async def test_bad_search_parameters_get_400(
    client: httpx.AsyncClient, teacher: dict[str, str], params: dict[str, str]
) -> None:
    response = await client.get("/api/v1/search", params=params, headers=teacher)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_unknown_values_list_the_valid_choices(
    client: httpx.AsyncClient, teacher: dict[str, str]
) -> None:
    small = (await client.get("/api/v1/search", params={"language": "xx"}, headers=teacher)).json()
    assert "fre" in small["errors"][0]["language"]
    big = (await client.get("/api/v1/search", params={"discipline": "x"}, headers=teacher)).json()
    assert big["errors"][0]["discipline"] == ["/api/v1/vocabularies/scolomfr-voc-015"]


HOSTILE = [
    '"; DROP TABLE resources; --',
    "' OR '1'='1",
    'levels = "x" OR free = true',
    "\u0000\u0007\u202e géométrie",
    "(((((",
    "&&||!:*<->",
    "l’œuvre\t\n",
    "🙂" * 50,
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_gives_ordinary_answers(
    client: httpx.AsyncClient,
    teacher: dict[str, str],
    catalogue: dict[str, UUID],
    settings: Settings,
    text: str,
) -> None:
    assert catalogue
    response = await client.get("/api/v1/search", params={"q": text}, headers=teacher)
    assert response.status_code in (200, 400), response.text
    assert await _pending(settings) >= 0  # the database is still there
    resources = await client.get("/api/v1/search", headers=teacher)
    assert resources.status_code == 200


async def test_search_is_open_to_anonymous_callers_but_checks_a_token_sent(
    client: httpx.AsyncClient,
) -> None:
    """The catalogue is public (issue 19): no sign-in to search; a forged token is still a
    401, never read as anonymous."""
    anonymous = await client.get("/api/v1/search", params={"q": "géométrie"})
    assert anonymous.status_code == 200, anonymous.text
    forged = await client.get("/api/v1/search", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith("application/problem+json")
    not_bearer = await client.get("/api/v1/search", headers={"Authorization": "Basic eDp5"})
    assert not_bearer.status_code == 401


async def test_a_resource_with_labels_offers_and_provenance(
    client: httpx.AsyncClient,
    teacher: dict[str, str],
    catalogue: dict[str, UUID],
    conn: asyncpg.Connection,
    settings: Settings,
    publisher: UUID,
) -> None:
    response = await client.get(f"/api/v1/resources/{catalogue['geometrie']}", headers=teacher)
    assert response.status_code == 200
    body = response.json()
    assert body["levels"] == [{"uri": SIXIEME, "label": "6e"}]
    assert [o["unit_price_cents"] for o in body["offers"]] == [900, 15000]
    assert body["provenance"]["connector"] == "api"
    assert body["publisher_name"] == "Éditions API"

    draft = await client.get(f"/api/v1/resources/{catalogue['brouillon']}", headers=teacher)
    assert draft.status_code == 404
    staff = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:test', 'p', '{publisher}', $1) RETURNING id",
        publisher,
    )
    own = await client.get(
        f"/api/v1/resources/{catalogue['brouillon']}", headers=await bearer(conn, settings, staff)
    )
    assert own.status_code == 200
    assert own.json()["status"] == "draft"
    missing = await client.get(
        "/api/v1/resources/00000000-0000-0000-0000-000000000000", headers=teacher
    )
    assert missing.status_code == 404


async def test_vocabularies_give_labels_and_hierarchy(client: httpx.AsyncClient) -> None:
    levels = await client.get("/api/v1/vocabularies/022")
    assert levels.status_code == 200
    body = levels.json()
    assert body["scheme"] == "scolomfr-voc-022"
    sixth = next(c for c in body["concepts"] if c["uri"] == SIXIEME)
    assert sixth["label"] == "6e"
    assert sixth["broader"]
    assert (await client.get("/api/v1/vocabularies/langue")).status_code == 200
    assert (await client.get("/api/v1/vocabularies/999")).status_code == 404
    assert (await client.get("/api/v1/vocabularies/\u00b9")).status_code == 404  # a digit, not 0-9


async def test_unknown_and_retired_concepts(conn: asyncpg.Connection, publisher: UUID) -> None:
    vocab = await VocabularyIndex.load(conn)
    retired = "http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-015-num-1139"
    replacement = "http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-015-num-1135"
    draft = msgspec.structs.replace(
        CORPUS["geometrie"], disciplines=[retired, "http://example.org/unknown"]
    )
    outcome = await save_resource(conn, vocab, publisher, draft)
    assert outcome.unknown_concepts == ["http://example.org/unknown"]
    stored = await conn.fetchrow(
        "SELECT disciplines, unknown_concepts FROM resources WHERE id = $1", outcome.id
    )
    assert stored is not None
    assert stored["disciplines"] == [replacement]
    assert stored["unknown_concepts"] == ["http://example.org/unknown"]
    again = await save_resource(conn, vocab, publisher, draft)
    assert (again.id, again.outcome) == (outcome.id, "unchanged")


class StallingBackend(PostgresBackend):
    """Writes the documents, then hangs: the worker dies while its batch is open."""

    def __init__(self, pool: asyncpg.Pool, reached: asyncio.Event) -> None:
        super().__init__(pool)
        self.reached = reached

    async def upsert(self, documents: list[SearchDocument]) -> None:
        await super().upsert(documents)
        self.reached.set()
        await asyncio.sleep(3600)  # the hang under test: the worker dies with its batch open


async def test_a_worker_killed_mid_batch_loses_no_change(
    database_url: str, conn: asyncpg.Connection, catalogue: dict[str, UUID]
) -> None:
    vocab = await VocabularyIndex.load(conn)
    announced = await conn.fetchval("SELECT count(*) FROM search_outbox")
    assert announced == len(catalogue)
    async with await create_pool(database_url, max_size=3) as pool:
        reached = asyncio.Event()
        draining = asyncio.create_task(outbox.drain(pool, StallingBackend(pool, reached), vocab))
        await asyncio.wait_for(reached.wait(), timeout=10)
        # Kill the worker's session in the middle of its batch, as a crash would.
        killed = await conn.fetchval(
            "SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l "
            "JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'search_outbox' "
            "AND l.pid <> pg_backend_pid()"
        )
        assert killed == 1
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
            await asyncio.wait_for(draining, timeout=10)
        assert await conn.fetchval("SELECT count(*) FROM search_outbox") == announced

        assert await outbox.drain(pool, PostgresBackend(pool), vocab) == announced
    assert await conn.fetchval("SELECT count(*) FROM search_outbox") == 0
    assert await conn.fetchval("SELECT count(*) FROM search_documents") == 5


async def test_rebuild_replaces_the_index_from_postgresql(
    database_url: str, conn: asyncpg.Connection, catalogue: dict[str, UUID]
) -> None:
    assert catalogue
    vocab = await VocabularyIndex.load(conn)
    stale = await conn.fetchval(
        "INSERT INTO search_display (id, title, description, publisher_name, levels_tagged, "
        "disciplines_tagged) VALUES (gen_random_uuid(), 'stale', '', 'p', '{}', '{}') RETURNING id"
    )
    empty = "md5('')::uuid"  # the value set of an empty list
    await conn.execute(
        "INSERT INTO search_documents SELECT $1, id, "
        + ", ".join([empty] * 7)
        + ", now(), 0, true, ''::tsvector FROM publishers LIMIT 1",
        stale,
    )
    async with await create_pool(database_url, max_size=2) as pool:
        backend = PostgresBackend(pool)
        assert await outbox.rebuild(pool, backend, vocab, batch=2) == 5
        state = await outbox.status(pool, backend)
    assert await conn.fetchval("SELECT count(*) FROM search_documents") == 5
    titles = await conn.fetch("SELECT title FROM search_display")
    assert "stale" not in {row["title"] for row in titles}
    assert len(titles) == 5
    assert (state.backend, state.pending_changes) == ("postgresql", len(catalogue))


async def test_anyone_searches_and_reads_published_resources_of_approved_publishers(
    worker_client: httpx.AsyncClient, catalogue: dict[str, UUID]
) -> None:
    """Anonymous: the search, a resource with its prices and licence models, the
    vocabularies; never a draft (404, not 403)."""
    found = await worker_client.get(
        "/api/v1/search", params={"q": "géométrie", "facets": ["level", "licence_type"]}
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert [h["title"] for h in body["hits"]] == ["Géométrie interactive : solides et figures"]
    assert body["hits"][0]["lowest_price_cents"] == 900
    assert body["facets"]["licence_type"]
    resource = await worker_client.get(f"/api/v1/resources/{catalogue['geometrie']}")
    assert resource.status_code == 200, resource.text
    offers = resource.json()["offers"]
    assert [(o["licence_type"], o["unit_price_cents"]) for o in offers] == [
        ("teacher", 900),
        ("class_seats", 15000),
    ]
    draft = await worker_client.get(f"/api/v1/resources/{catalogue['brouillon']}")
    assert draft.status_code == 404
    assert draft.headers["content-type"].startswith("application/problem+json")
    assert (await worker_client.get("/api/v1/vocabularies/022")).status_code == 200


@pytest.mark.parametrize("status", ["pending", "suspended"])
async def test_resources_of_a_publisher_not_approved_are_not_found(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    teacher: dict[str, str],
    catalogue: dict[str, UUID],
    publisher: UUID,
    status: str,
) -> None:
    """Published, but by a publisher under review or suspended: 404 to anyone but its
    publisher, as in the search (one definition: the visible_resources view)."""
    await conn.execute("UPDATE publishers SET status = $1 WHERE id = $2", status, publisher)
    url = f"/api/v1/resources/{catalogue['geometrie']}"
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=teacher)).status_code == 404
    staff = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:test', 'p', '{publisher}', $1) RETURNING id",
        publisher,
    )
    own = await client.get(url, headers=await bearer(conn, settings, staff))
    assert own.status_code == 200
    if status == "pending":  # an offering approved on its own is visible
        await conn.execute(
            "UPDATE resources SET approved_at = now() WHERE id = $1", catalogue["geometrie"]
        )
        assert (await client.get(url)).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"levle": "x"}, {"q": "maths", "per-page": "5", "token": "x"}, {"page": "1", "Q": "x"}],
)
async def test_an_unknown_search_parameter_is_a_400_listing_the_valid_ones(
    client: httpx.AsyncClient, teacher: dict[str, str], params: dict[str, str]
) -> None:
    for headers in ({}, teacher):
        response = await client.get("/api/v1/search", params=params, headers=headers)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        expected = sorted(k for k in params if k not in ("q", "page"))
        assert problem["errors"][0]["unknown"] == expected
        assert {"q", "level", "discipline", "facets", "sort", "page", "per_page"} <= set(
            problem["errors"][0]["accepted"]
        )
        assert all(name in problem["detail"] for name in expected)
        assert "level" in problem["detail"]


async def test_anonymous_api_callers_are_rate_limited_per_address(
    settings: Settings, teacher: dict[str, str]
) -> None:
    limited = msgspec.structs.replace(settings, anonymous_rate=1, anonymous_burst=3)
    async for client in open_client(create_asgi_app(limited)):
        for _ in range(3):
            assert (await client.get("/api/v1/vocabularies/022")).status_code == 200
        refused = await client.get("/api/v1/search")
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["type"].endswith("/too-many-requests")
        # A signed-in caller from the same address keeps their own budget.
        assert (await client.get("/api/v1/search", headers=teacher)).status_code == 200
        # Pages are not the API: a visitor reading them is not refused by this budget.
        assert (await client.get("/accessibilite")).status_code == 200


async def test_anonymous_callers_get_401_only_where_an_account_is_needed(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/api/v1/search")).status_code == 200
    for path in ("/api/v1/me", "/api/v1/acquisitions", "/api/v1/publisher/resources"):
        response = await client.get(path)
        assert response.status_code == 401, (path, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")
