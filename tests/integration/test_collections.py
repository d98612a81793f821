"""Collections over the API: lists of published resources, private, shared by link or public;
searched, followed and featured; and the callers who must get nothing."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from catalogue.collections import service
from catalogue.config import Settings
from catalogue.identity.tokens import issue_access_token
from tests.integration.conftest import bearer
from tests.logs import capture_logs

API = "/api/v1/collections"
UAI = "0750001A"
OTHER_UAI = "0130001B"
PRIVATE_TITLE = "Ma liste secrète de révisions"


class World:
    def __init__(self) -> None:
        self.headers: dict[str, dict[str, str]] = {}
        self.published: list[UUID] = []
        self.draft: UUID = uuid4()


async def _person(
    conn: asyncpg.Connection, subject: str, roles: list[str], uai: str | None, academie: str | None
) -> UUID:
    person: UUID = await conn.fetchval(
        "INSERT INTO people (issuer, subject, display_name, roles, establishment_uai, academie) "
        "VALUES ('urn:test', $1, $1, $2, $3, $4) RETURNING id",
        subject,
        roles,
        uai,
        academie,
    )
    return person


@pytest.fixture
async def world(conn: asyncpg.Connection, settings: Settings) -> World:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES ($1, 'Collège des Listes', "
        "'paris'), ($2, 'Lycée du Sud', 'aix-marseille')",
        UAI,
        OTHER_UAI,
    )
    world = World()
    for name, roles, uai, academie in (
        ("owner", ["teacher"], UAI, "paris"),
        ("other", ["teacher"], UAI, "paris"),
        ("head", ["establishment_admin"], UAI, "paris"),
        ("other_head", ["establishment_admin"], OTHER_UAI, "aix-marseille"),
        ("academie", ["academie_admin"], None, "paris"),
    ):
        person = await _person(conn, name, roles, uai, academie)
        world.headers[name] = await bearer(conn, settings, person)
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Listes', 'approved') RETURNING id"
    )
    for title in ("Fractions en sixième", "Géométrie plane", "Lecture suivie"):
        world.published.append(
            await conn.fetchval(
                "INSERT INTO resources (publisher_id, status, title, published_at) "
                "VALUES ($1, 'published', $2, now()) RETURNING id",
                publisher,
                title,
            )
        )
    world.draft = await conn.fetchval(
        "INSERT INTO resources (publisher_id, status, title) VALUES ($1, 'draft', 'Brouillon') "
        "RETURNING id",
        publisher,
    )
    return world


async def create(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = await client.post(API, json={"title": PRIVATE_TITLE, **body}, headers=headers)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def assert_problem(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = answer.json()
    return problem


async def test_a_list_is_made_edited_ordered_and_deleted_by_its_owner(
    client: httpx.AsyncClient, world: World
) -> None:
    owner = world.headers["owner"]
    made = await create(client, owner, description="Pour réviser")
    assert made["visibility"] == "private"
    assert made["mine"] is True
    assert made["share_token"] is None
    url = f"{API}/{made['id']}"
    for resource in world.published:
        added = await client.post(
            f"{url}/items", json={"resource_id": str(resource)}, headers=owner
        )
        assert added.status_code == 201, added.text
    listed = (await client.get(url, headers=owner)).json()
    assert [i["resource_id"] for i in listed["items"]] == [str(r) for r in world.published]
    assert listed["items"][0]["title"] == "Fractions en sixième"
    assert listed["items"][0]["publisher_name"] == "Éditions Listes"
    reversed_ids = [str(r) for r in reversed(world.published)]
    reordered = await client.put(f"{url}/items", json={"resource_ids": reversed_ids}, headers=owner)
    assert reordered.status_code == 200, reordered.text
    assert [i["resource_id"] for i in reordered.json()["items"]] == reversed_ids
    removed = await client.delete(f"{url}/items/{world.published[0]}", headers=owner)
    assert removed.status_code == 204
    assert len((await client.get(url, headers=owner)).json()["items"]) == 2
    edited = await client.put(
        url,
        json={"title": "  Révisions  ", "description": "Nouvelle", "visibility": "public"},
        headers=owner,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Révisions"
    mine = (await client.get(f"{API}/mine", headers=owner)).json()
    assert [(m["title"], m["items"]) for m in mine] == [("Révisions", 2)]
    assert (await client.delete(url, headers=owner)).status_code == 204
    assert_problem(await client.get(url, headers=owner), 404)


async def test_who_reads_a_list_private_shared_by_link_or_public(
    client: httpx.AsyncClient, world: World
) -> None:
    owner, other = world.headers["owner"], world.headers["other"]
    made = await create(client, owner)
    url = f"{API}/{made['id']}"
    # Private: someone else's list does not exist for them (404, not 403), nor for anybody.
    problem = assert_problem(await client.get(url, headers=other), 404)
    assert problem["detail"] == "Liste introuvable."
    assert PRIVATE_TITLE not in str(problem)
    assert_problem(await client.get(url), 404)
    # Shared by link: whoever holds the token reads it, anonymous too; a forged one reads nothing.
    with capture_logs() as logs:
        link = await client.post(f"{url}/link", headers=owner)
        assert link.status_code == 201, link.text
        token = link.json()["token"]
        assert (await client.get(url, params={"token": token})).status_code == 200
    assert logs
    assert token not in str(logs)  # the link's token is never logged (nor its path's query)
    assert len(token) >= 32
    assert link.json()["path"] == f"/listes/{made['id']}?lien={token}"
    shared = await client.get(url, params={"token": token})
    assert shared.status_code == 200
    assert shared.json()["mine"] is False
    assert shared.json()["share_token"] is None  # only its owner reads the token
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", token.upper(), ""):
        assert_problem(await client.get(url, params={"token": forged}), 404)
    assert_problem(await client.get(url, headers=other), 404)
    # A new link revokes the earlier one; revoking makes the list private again.
    renewed = (await client.post(f"{url}/link", headers=owner)).json()["token"]
    assert_problem(await client.get(url, params={"token": token}), 404)
    assert (await client.get(url, params={"token": renewed})).status_code == 200
    assert (await client.delete(f"{url}/link", headers=owner)).status_code == 204
    assert_problem(await client.get(url, params={"token": renewed}), 404)
    assert (await client.get(url, headers=owner)).json()["visibility"] == "private"
    # Public: everyone reads it, anonymous callers too.
    await client.put(url, json={"title": "Publique", "visibility": "public"}, headers=owner)
    assert (await client.get(url)).json()["title"] == "Publique"
    assert_problem(await client.post(f"{url}/link", headers=owner), 409)


async def test_someone_elses_list_cannot_be_changed(
    client: httpx.AsyncClient, world: World
) -> None:
    owner, other = world.headers["owner"], world.headers["other"]
    made = await create(client, owner, visibility="public")
    url = f"{API}/{made['id']}"
    await client.post(f"{url}/items", json={"resource_id": str(world.published[0])}, headers=owner)
    attempts = [
        ("PUT", url, {"title": "Pris", "visibility": "public"}),
        ("DELETE", url, None),
        ("POST", f"{url}/items", {"resource_id": str(world.published[1])}),
        ("PUT", f"{url}/items", {"resource_ids": [str(world.published[0])]}),
        ("DELETE", f"{url}/items/{world.published[0]}", None),
        ("POST", f"{url}/link", None),
        ("DELETE", f"{url}/link", None),
    ]
    for method, path, body in attempts:
        answer = await client.request(method, path, json=body, headers=other)
        assert_problem(answer, 404)
    after = (await client.get(url, headers=owner)).json()
    assert after["title"] == PRIVATE_TITLE
    assert after["visibility"] == "public"
    assert len(after["items"]) == 1


async def test_a_machine_client_makes_no_list(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Robot', 'approved') RETURNING id"
    )
    await conn.execute(
        "INSERT INTO api_clients (client_id, publisher_id, name, secret_hash, scopes) "
        "VALUES ('robot', $1, 'robot', '\\x00', ARRAY['publisher:resources'])",
        publisher,
    )
    token = await issue_access_token(
        conn,
        settings,
        subject="robot",
        scope="publisher:resources",
        extra={"client_id": "robot", "publisher_id": str(publisher)},
    )
    headers = {"Authorization": f"Bearer {token}"}
    assert_problem(await client.post(API, json={"title": "Robot"}, headers=headers), 403)
    assert_problem(await client.get(f"{API}/mine", headers=headers), 403)
    assert await conn.fetchval("SELECT count(*) FROM collections") == 0


async def test_anonymous_callers_write_nothing(client: httpx.AsyncClient, world: World) -> None:
    made = await create(client, world.headers["owner"], visibility="public")
    url = f"{API}/{made['id']}"
    writes = [
        ("POST", API),
        ("GET", f"{API}/mine"),
        ("GET", f"{API}/followed"),
        ("PUT", url),
        ("DELETE", url),
        ("POST", f"{url}/items"),
        ("PUT", f"{url}/items"),
        ("DELETE", f"{url}/items/{world.published[0]}"),
        ("POST", f"{url}/link"),
        ("DELETE", f"{url}/link"),
        ("PUT", f"{url}/follow"),
        ("DELETE", f"{url}/follow"),
        ("PUT", f"{url}/features/establishment"),
        ("DELETE", f"{url}/features/academie"),
    ]
    for method, path in writes:
        problem = assert_problem(await client.request(method, path, json={}), 401)
        assert problem["title"] == "Authentification requise"
    forged = {"Authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}
    assert_problem(await client.post(API, json={"title": "x"}, headers=forged), 401)
    assert (await client.get(url)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x" * 201},
        {"title": "Liste", "description": "x" * 2001},
        {"title": ""},
        {"title": "Liste", "visibility": "everyone"},
        {"title": "Liste", "owner_id": str(uuid4())},
        {"description": "sans titre"},
    ],
)
async def test_oversized_or_malformed_lists_are_refused(
    client: httpx.AsyncClient, world: World, conn: asyncpg.Connection, body: dict[str, Any]
) -> None:
    answer = await client.post(API, json=body, headers=world.headers["owner"])
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert await conn.fetchval("SELECT count(*) FROM collections") == 0


async def test_a_blank_title_is_refused_in_french(client: httpx.AsyncClient, world: World) -> None:
    problem = assert_problem(
        await client.post(API, json={"title": "   "}, headers=world.headers["owner"]), 422
    )
    assert problem["detail"] == "Le titre de la liste est vide."


async def test_only_published_resources_enter_a_list_and_a_list_has_a_limit(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = world.headers["owner"]
    made = await create(client, owner)
    items = f"{API}/{made['id']}/items"
    for missing in (world.draft, uuid4()):
        problem = assert_problem(
            await client.post(items, json={"resource_id": str(missing)}, headers=owner), 404
        )
        assert problem["detail"] == "Ressource introuvable ou non publiée."
    assert (
        await client.post(items, json={"resource_id": "pas-un-uuid"}, headers=owner)
    ).status_code in (400, 422)
    first = {"resource_id": str(world.published[0])}
    assert (await client.post(items, json=first, headers=owner)).status_code == 201
    assert_problem(await client.post(items, json=first, headers=owner), 409)
    monkeypatch.setattr(service, "MAX_ITEMS", 2)
    second = {"resource_id": str(world.published[1])}
    assert (await client.post(items, json=second, headers=owner)).status_code == 201
    problem = assert_problem(
        await client.post(items, json={"resource_id": str(world.published[2])}, headers=owner),
        422,
    )
    assert "au plus 2 ressources" in problem["detail"]
    # A new order must name every resource once.
    for order in ([str(world.published[0])], [str(world.published[0])] * 2, []):
        assert_problem(await client.put(items, json={"resource_ids": order}, headers=owner), 422)
    too_long = {"resource_ids": [str(uuid4()) for _ in range(201)]}
    assert (await client.put(items, json=too_long, headers=owner)).status_code in (400, 422)


async def test_a_person_owns_a_bounded_number_of_lists(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_LISTS", 2)
    for _ in range(2):
        await create(client, world.headers["owner"])
    answer = await client.post(API, json={"title": "Trop"}, headers=world.headers["owner"])
    assert "2 listes" in assert_problem(answer, 422)["detail"]


async def test_concurrent_creations_stay_within_the_limit(
    client: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_LISTS", 2)
    owner = world.headers["owner"]
    answers = await asyncio.gather(
        *(client.post(API, json={"title": f"Liste {i}"}, headers=owner) for i in range(6))
    )
    assert sorted(a.status_code for a in answers) == [201, 201, 422, 422, 422, 422]
    assert len((await client.get(f"{API}/mine", headers=owner)).json()) == 2


async def test_a_withdrawn_resource_leaves_the_list_for_readers_not_for_its_owner(
    client: httpx.AsyncClient, world: World, conn: asyncpg.Connection
) -> None:
    owner = world.headers["owner"]
    made = await create(client, owner, visibility="public")
    url = f"{API}/{made['id']}"
    for resource in world.published[:2]:
        await client.post(f"{url}/items", json={"resource_id": str(resource)}, headers=owner)
    await conn.execute(
        "UPDATE resources SET status = 'withdrawn' WHERE id = $1", world.published[0]
    )
    public = (await client.get(url)).json()
    assert [i["resource_id"] for i in public["items"]] == [str(world.published[1])]
    own = (await client.get(url, headers=owner)).json()
    assert [i["available"] for i in own["items"]] == [False, True]
    await conn.execute("DELETE FROM resources WHERE id = $1", world.published[0])
    assert len((await client.get(url, headers=owner)).json()["items"]) == 1


async def test_public_lists_are_searched_in_french_and_only_they(
    client: httpx.AsyncClient, world: World
) -> None:
    owner = world.headers["owner"]
    await create(client, owner, title="Les fractions au collège", visibility="public")
    await create(client, owner, title="Fractions cachées", visibility="private")
    await create(client, owner, title="Fractions partagées", visibility="shared")
    await create(
        client, owner, title="Poésie", description="Des poèmes à dire", visibility="public"
    )
    found = (await client.get(API, params={"q": "fraction"})).json()
    assert [c["title"] for c in found["collections"]] == ["Les fractions au collège"]
    assert found["total"] == 1
    assert [
        c["title"] for c in (await client.get(API, params={"q": "poème"})).json()["collections"]
    ] == ["Poésie"]
    everything = (await client.get(API)).json()
    assert everything["total"] == 2
    assert (await client.get(API, params={"q": "x" * 201})).status_code == 400
    assert (await client.get(API, params={"limit": 51})).status_code == 400
    assert (await client.get(API, params={"q": "« ! & | ( ) :* »"})).status_code == 200


async def test_public_lists_are_followed_and_unfollowed(
    client: httpx.AsyncClient, world: World
) -> None:
    owner, other = world.headers["owner"], world.headers["other"]
    public = await create(client, owner, title="À suivre", visibility="public")
    private = await create(client, owner, title=PRIVATE_TITLE)
    url = f"{API}/{public['id']}"
    assert (await client.put(f"{url}/follow", headers=other)).status_code == 204
    assert (await client.put(f"{url}/follow", headers=other)).status_code == 204  # idempotent
    followed = (await client.get(f"{API}/followed", headers=other)).json()
    assert [f["title"] for f in followed] == ["À suivre"]
    assert followed[0]["followers"] == 1
    seen = (await client.get(url, headers=other)).json()
    assert (seen["followed"], seen["followers"]) == (True, 1)
    assert_problem(await client.put(f"{API}/{private['id']}/follow", headers=other), 404)
    assert_problem(await client.put(f"{API}/{private['id']}/follow", headers=owner), 409)
    assert (await client.delete(f"{url}/follow", headers=other)).status_code == 204
    assert (await client.get(f"{API}/followed", headers=other)).json() == []
    # A list made private again loses its followers.
    await client.put(f"{url}/follow", headers=other)
    await client.put(url, json={"title": "À suivre", "visibility": "private"}, headers=owner)
    assert (await client.get(f"{API}/followed", headers=other)).json() == []
    await client.put(url, json={"title": "À suivre", "visibility": "public"}, headers=owner)
    assert (await client.get(url, headers=other)).json()["followers"] == 0


async def test_administrators_feature_public_lists_on_their_own_page_only(
    client: httpx.AsyncClient, world: World
) -> None:
    owner = world.headers["owner"]
    public = await create(client, owner, title="Liste du collège", visibility="public")
    private = await create(client, owner, title=PRIVATE_TITLE)
    url = f"{API}/{public['id']}"
    school = {"establishment": UAI}
    assert (await client.get(f"{API}/featured", params=school)).json()["collections"] == []
    # A teacher features nothing; an establishment head only for their establishment.
    assert_problem(await client.put(f"{url}/features/establishment", headers=owner), 403)
    assert_problem(await client.put(f"{url}/features/academie", headers=world.headers["head"]), 403)
    assert (
        await client.put(f"{url}/features/establishment", headers=world.headers["head"])
    ).status_code == 204
    page = (await client.get(f"{API}/featured", params=school)).json()
    assert page["name"] == "Collège des Listes"
    assert [c["title"] for c in page["collections"]] == ["Liste du collège"]
    # Another establishment's head features it for theirs, never for this one.
    await client.put(f"{url}/features/establishment", headers=world.headers["other_head"])
    elsewhere = (await client.get(f"{API}/featured", params={"establishment": OTHER_UAI})).json()
    assert len(elsewhere["collections"]) == 1
    assert len((await client.get(f"{API}/featured", params=school)).json()["collections"]) == 1
    # The académie's page.
    academie = world.headers["academie"]
    assert (await client.put(f"{url}/features/academie", headers=academie)).status_code == 204
    paris = (await client.get(f"{API}/featured", params={"academie": "paris"})).json()
    assert [c["title"] for c in paris["collections"]] == ["Liste du collège"]
    assert (await client.get(url, headers=owner)).json()["featured"] == [
        {"scope": "establishment", "establishment_uai": UAI, "academie": None},
        {"scope": "establishment", "establishment_uai": OTHER_UAI, "academie": None},
        {"scope": "academie", "establishment_uai": None, "academie": "paris"},
    ]
    assert (await client.delete(f"{url}/features/academie", headers=academie)).status_code == 204
    paris = (await client.get(f"{API}/featured", params={"academie": "paris"})).json()
    assert paris["collections"] == []
    # Someone else's private list: it does not exist.
    assert_problem(
        await client.put(
            f"{API}/{private['id']}/features/establishment", headers=world.headers["head"]
        ),
        404,
    )
    assert (
        await client.put(f"{url}/features/everywhere", headers=world.headers["head"])
    ).status_code == 400
    # A list made private is featured nowhere.
    await client.put(url, json={"title": "Liste du collège"}, headers=owner)
    assert (await client.get(f"{API}/featured", params=school)).json()["collections"] == []
    # Bad questions.
    assert_problem(await client.get(f"{API}/featured"), 400)
    assert_problem(await client.get(f"{API}/featured", params={**school, "academie": "paris"}), 400)
    assert_problem(await client.get(f"{API}/featured", params={"establishment": "0999999Z"}), 404)
    assert_problem(await client.get(f"{API}/featured", params={"academie": "atlantide"}), 404)
    assert (await client.get(f"{API}/featured", params={"establishment": "<b>"})).status_code == 400


async def test_collections_are_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert {"post", "get"} <= set(paths[API].keys())
    assert "/api/v1/collections/{collection_id}/features/{feature_scope}" in paths
