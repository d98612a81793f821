"""Publishers bring their offerings through the API; administrators moderate publishers."""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.identity.tokens import issue_access_token
from catalogue.search import outbox
from catalogue.search.pg import PostgresBackend
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.conftest import bearer
from tests.integration.search_corpus import CORPUS, SIXIEME

DRAFT: dict[str, Any] = msgspec.to_builtins(CORPUS["geometrie"])


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """PostgreSQL's index: these tests index it themselves (PostgresBackend, no worker) and
    search it through the app at once (Tantivy, the default, reloads on the worker's notice)."""
    return msgspec.structs.replace(settings, search_backend="postgresql")


class Actors(msgspec.Struct):
    publisher: UUID
    staff: dict[str, str]
    other_staff: dict[str, str]
    admin: dict[str, str]
    teacher: dict[str, str]


async def _person(
    conn: asyncpg.Connection,
    settings: Settings,
    subject: str,
    roles: list[str],
    publisher: UUID | None = None,
) -> dict[str, str]:
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, publisher_id) VALUES ('urn:test', $1, $2, $3) "
        "RETURNING id",
        subject,
        roles,
        publisher,
    )
    return await bearer(conn, settings, person)


@pytest.fixture
async def actors(conn: asyncpg.Connection, settings: Settings) -> Actors:
    insert = "INSERT INTO publishers (name) VALUES ($1) RETURNING id"
    publisher = await conn.fetchval(insert, "Éditions Neuves")
    other = await conn.fetchval(insert, "Éditions Autres")
    return Actors(
        publisher=publisher,
        staff=await _person(conn, settings, "staff", ["publisher"], publisher),
        other_staff=await _person(conn, settings, "other", ["publisher"], other),
        admin=await _person(conn, settings, "admin", ["national_admin"]),
        teacher=await _person(conn, settings, "teacher", ["teacher"]),
    )


async def test_create_update_list_withdraw(
    client: httpx.AsyncClient, actors: Actors, conn: asyncpg.Connection
) -> None:
    created = await client.post("/api/v1/publisher/resources", json=DRAFT, headers=actors.staff)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["outcome"] == "created"
    resource_id = body["id"]

    again = await client.post("/api/v1/publisher/resources", json=DRAFT, headers=actors.staff)
    assert again.json() == {"id": resource_id, "outcome": "unchanged", "unknown_concepts": []}

    changed = {**DRAFT, "title": "Géométrie interactive, deuxième édition"}
    replaced = await client.put(
        f"/api/v1/publisher/resources/{resource_id}", json=changed, headers=actors.staff
    )
    assert replaced.json()["outcome"] == "updated"

    listing = (await client.get("/api/v1/publisher/resources", headers=actors.staff)).json()
    huge = {"page": str(10**25)}
    far = await client.get("/api/v1/publisher/resources", params=huge, headers=actors.staff)
    assert far.status_code == 400
    assert listing["total"] == 1
    assert listing["items"][0]["title"] == "Géométrie interactive, deuxième édition"
    assert listing["items"][0]["status"] == "published"

    out = await client.delete(f"/api/v1/publisher/resources/{resource_id}", headers=actors.staff)
    assert out.status_code == 204
    status = await conn.fetchval("SELECT status FROM resources WHERE id = $1", UUID(resource_id))
    assert status == "withdrawn"
    announced = await conn.fetchval(
        "SELECT count(*) FROM search_outbox WHERE resource_id = $1", UUID(resource_id)
    )
    assert announced == 3  # created, updated, withdrawn: the unchanged post announced nothing


def _with(path: list[Any], value: Any) -> dict[str, Any]:
    draft = copy.deepcopy(DRAFT)
    target: Any = draft
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return draft


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (_with(["offers", 0, "unit_price_cents"], 9.99), "offers[0].unit_price_cents"),
        (_with(["offers", 0, "unit_price_cents"], -100), "offers[0].unit_price_cents"),
        (_with(["levels", 0], "http://example.org/niveau-inconnu"), "levels[0]"),
        (_with(["disciplines"], [SIXIEME]), "disciplines[0]"),  # a level is not a discipline
        (_with(["offers", 0, "licence_type"], "lifetime"), "offers[0].licence_type"),
        (_with(["title"], ""), "title"),
        (_with(["languages"], ["français"]), "languages[0]"),
        (_with(["languages"], ["fre", "zzz"]), "languages[1]"),  # no such ISO 639 code
        (_with(["audiences"], [SIXIEME]), "audiences[0]"),  # a level is not an audience
    ],
)
async def test_bad_offerings_get_422_naming_the_field(
    client: httpx.AsyncClient,
    actors: Actors,
    draft: dict[str, Any],
    field: str,
    conn: asyncpg.Connection,
) -> None:
    response = await client.post("/api/v1/publisher/resources", json=draft, headers=actors.staff)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.json()["detail"]
    assert await conn.fetchval("SELECT count(*) FROM resources") == 0


async def test_publishers_only_touch_their_own(client: httpx.AsyncClient, actors: Actors) -> None:
    resource_id = (
        await client.post("/api/v1/publisher/resources", json=DRAFT, headers=actors.staff)
    ).json()["id"]
    url = f"/api/v1/publisher/resources/{resource_id}"
    assert (await client.put(url, json=DRAFT, headers=actors.other_staff)).status_code == 404
    assert (await client.delete(url, headers=actors.other_staff)).status_code == 404
    theirs = (await client.get("/api/v1/publisher/resources", headers=actors.other_staff)).json()
    assert theirs["total"] == 0
    assert (await client.get(url, headers=actors.teacher)).status_code == 405
    assert (
        await client.post("/api/v1/publisher/resources", json=DRAFT, headers=actors.teacher)
    ).status_code == 403


async def test_a_client_needs_the_resources_scope(
    client: httpx.AsyncClient, actors: Actors, conn: asyncpg.Connection, settings: Settings
) -> None:
    async def client_headers(scope: str) -> dict[str, str]:
        await conn.execute(
            "INSERT INTO api_clients (client_id, publisher_id, name, secret_hash, scopes) "
            "VALUES ($1, $2, 'c', '\\x00', ARRAY[$3]) ON CONFLICT DO NOTHING",
            f"c-{scope}",
            actors.publisher,
            scope,
        )
        token = await issue_access_token(
            conn,
            settings,
            subject=f"c-{scope}",
            scope=scope,
            extra={"client_id": f"c-{scope}", "publisher_id": str(actors.publisher)},
        )
        return {"Authorization": f"Bearer {token}"}

    sales_only = await client_headers("publisher:sales")
    refused = await client.post("/api/v1/publisher/resources", json=DRAFT, headers=sales_only)
    assert refused.status_code == 403
    allowed = await client_headers("publisher:resources")
    accepted = await client.post("/api/v1/publisher/resources", json=DRAFT, headers=allowed)
    assert accepted.status_code == 201


async def test_offerings_become_searchable_once_the_publisher_is_approved(
    client: httpx.AsyncClient, actors: Actors, conn: asyncpg.Connection, database_url: str
) -> None:
    await client.post("/api/v1/publisher/resources", json=DRAFT, headers=actors.staff)
    vocab = await VocabularyIndex.load(conn)
    async with await create_pool(database_url, max_size=2) as pool:
        backend = PostgresBackend(pool)
        await outbox.drain(pool, backend, vocab)
        hidden = await client.get(
            "/api/v1/search", params={"q": "géométrie"}, headers=actors.teacher
        )
        assert hidden.json()["total"] == 0

        refused = await client.post(
            f"/api/v1/publishers/{actors.publisher}/approval", headers=actors.staff
        )
        assert refused.status_code == 403
        approved = await client.post(
            f"/api/v1/publishers/{actors.publisher}/approval", headers=actors.admin
        )
        assert approved.json()["status"] == "approved"
        await outbox.drain(pool, backend, vocab)
        shown = await client.get(
            "/api/v1/search", params={"q": "géométrie"}, headers=actors.teacher
        )
        assert shown.json()["total"] == 1

        await client.post(f"/api/v1/publishers/{actors.publisher}/suspension", headers=actors.admin)
        await outbox.drain(pool, backend, vocab)
        gone = await client.get("/api/v1/search", params={"q": "géométrie"}, headers=actors.teacher)
        assert gone.json()["total"] == 0


async def test_one_offering_can_be_approved_before_its_publisher(
    client: httpx.AsyncClient, actors: Actors, conn: asyncpg.Connection, database_url: str
) -> None:
    first = (
        await client.post("/api/v1/publisher/resources", json=DRAFT, headers=actors.staff)
    ).json()["id"]
    other = {**DRAFT, "title": "Géométrie, cahier", "identifiers": []}
    await client.post("/api/v1/publisher/resources", json=other, headers=actors.staff)
    url = f"/api/v1/resources/{first}/approval"
    assert (await client.post(url, headers=actors.staff)).status_code == 403
    approved = await client.post(url, headers=actors.admin)
    assert approved.status_code == 201
    assert approved.json()["id"] == first
    vocab = await VocabularyIndex.load(conn)
    async with await create_pool(database_url, max_size=2) as pool:
        await outbox.drain(pool, PostgresBackend(pool), vocab)
    found = await client.get("/api/v1/search", params={"q": "géométrie"}, headers=actors.teacher)
    assert [hit["id"] for hit in found.json()["hits"]] == [first]
    missing = "/api/v1/resources/00000000-0000-0000-0000-000000000000/approval"
    assert (await client.post(missing, headers=actors.admin)).status_code == 404


async def test_audiences_and_language_codes_of_every_kind_through_the_api(
    client: httpx.AsyncClient, actors: Actors, conn: asyncpg.Connection
) -> None:
    teacher = "http://data.education.fr/voc/scolomfr/concept/teacher"
    draft = {
        **DRAFT,
        "audiences": [teacher],
        "languages": ["fr-FR", "http://id.loc.gov/vocabulary/iso639-2/eng", "deu", "fra"],
    }
    created = await client.post("/api/v1/publisher/resources", json=draft, headers=actors.staff)
    assert created.status_code == 201, created.text
    assert created.json()["unknown_concepts"] == []
    resource_id = UUID(created.json()["id"])
    row = await conn.fetchrow(
        "SELECT languages, audiences FROM resources WHERE id = $1", resource_id
    )
    assert row is not None
    assert (row["languages"], row["audiences"]) == (["fre", "eng", "ger"], [teacher])
    read = await client.get(f"/api/v1/resources/{resource_id}", headers=actors.staff)
    assert read.json()["audiences"] == [{"uri": teacher, "label": "enseignant"}]
    assert read.json()["languages"] == ["fre", "eng", "ger"]


async def test_a_publisher_flags_a_resource_gar_referenced(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    ark = {"kind": "ark", "value": "ark:/99999/geometrie"}
    flagged = {**DRAFT, "identifiers": [*DRAFT["identifiers"], ark], "gar_referenced": True}
    created = await client.post("/api/v1/publisher/resources", json=flagged, headers=actors.staff)
    assert created.status_code == 201, created.text
    resource_id = created.json()["id"]
    shown = (await client.get(f"/api/v1/resources/{resource_id}", headers=actors.staff)).json()
    assert (shown["gar_referenced"], shown["gar_resource_id"]) == (True, None)
    # Under another GAR id, given by the publisher.
    other_id = {**flagged, "gar_resource_id": "gar-geometrie-5e"}
    replaced = await client.put(
        f"/api/v1/publisher/resources/{resource_id}", json=other_id, headers=actors.staff
    )
    assert replaced.json()["outcome"] == "updated", replaced.text
    own = (await client.get("/api/v1/publisher/resources", headers=actors.staff)).json()
    (item,) = own["items"]
    assert (item["gar_referenced"], item["gar_resource_id"]) == (True, "gar-geometrie-5e")
    # Unflagged again: the GAR id goes with the flag.
    plain = {**DRAFT, "identifiers": [*DRAFT["identifiers"], ark]}
    await client.put(f"/api/v1/publisher/resources/{resource_id}", json=plain, headers=actors.staff)
    shown = (await client.get(f"/api/v1/resources/{resource_id}", headers=actors.staff)).json()
    assert (shown["gar_referenced"], shown["gar_resource_id"]) == (False, None)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"gar_referenced": True}, "gar_referenced needs an ARK identifier or a gar_resource_id"),
        ({"gar_resource_id": "gar-geometrie"}, "gar_resource_id is given only with"),
        ({"gar_referenced": True, "gar_resource_id": ""}, "gar_resource_id"),
        ({"gar_referenced": True, "gar_resource_id": " espace "}, "gar_resource_id"),
        ({"gar_referenced": True, "gar_resource_id": "x" * 256}, "gar_resource_id"),
        ({"gar_referenced": "oui"}, "gar_referenced"),
    ],
)
async def test_a_gar_flag_that_cannot_be_kept_is_refused(
    client: httpx.AsyncClient,
    actors: Actors,
    conn: asyncpg.Connection,
    change: dict[str, Any],
    message: str,
) -> None:
    refused = await client.post(
        "/api/v1/publisher/resources", json={**DRAFT, **change}, headers=actors.staff
    )
    assert refused.status_code == 422, refused.text
    assert message in refused.text
    assert await conn.fetchval("SELECT count(*) FROM resources") == 0  # nothing half-written
