"""Collections under the RGPD (issue 21): a person's download carries their lists, the lists
they follow and feature (never a link's token); a departed person's erasure deletes their
lists and follows, but for the public lists an establishment or an académie features, which
stay without their author; nobody else's lists change."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from catalogue.config import Settings
from catalogue.identity.tokens import issue_access_token
from tests.integration.ledger_world import UAI, build_world
from tests.integration.test_accounts_api import Api
from tests.support.demo_server import catalogue_env

API = "/api/v1/collections"


@pytest.fixture
async def api(client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings) -> Api:
    world = await build_world(conn)
    assert world.publisher_id is not None
    await conn.execute(
        "INSERT INTO resources (publisher_id, status, title, published_at) "
        "VALUES ($1, 'published', 'Atlas des fractions', now())",
        world.publisher_id,
    )
    return Api(client, conn, settings, world)


async def _resources(api: Api) -> list[str]:
    found = await api.conn.fetchval(
        "SELECT array_agg(id::text ORDER BY title) FROM resources WHERE status = 'published'"
    )
    assert len(found) == 2
    return list(found)


async def _list(api: Api, who: str, title: str, visibility: str, *items: str) -> dict[str, Any]:
    made = await api.post(
        who, API, {"title": title, "description": f"À propos de {title}", "visibility": visibility}
    )
    assert made.status_code == 201, made.text
    for resource in items:
        added = await api.post(who, f"{API}/{made.json()['id']}/items", {"resource_id": resource})
        assert added.status_code == 201, added.text
    body: dict[str, Any] = (await api.get(who, f"{API}/{made.json()['id']}")).json()
    return body


async def _ok(answer: httpx.Response) -> None:
    assert answer.status_code in (200, 204), answer.text


async def test_a_persons_download_carries_their_lists_and_follows_never_a_links_token(
    api: Api, client: httpx.AsyncClient
) -> None:
    first, second = await _resources(api)
    private = await _list(api, "camille", "Révisions privées", "private", first, second)
    shared = await _list(api, "camille", "Pour ma collègue", "shared", second)
    public = await _list(api, "camille", "Fractions pour tous", "public", first)
    theirs = await _list(api, "dominique", "La liste de Dominique", "public", second)
    await _ok(await api.put("camille", f"{API}/{theirs['id']}/follow", {}))
    await _ok(await api.put("head", f"{API}/{public['id']}/features/establishment", {}))
    assert shared["share_token"]

    answer = await api.get("camille", "/api/v1/me/data")
    as_csv = await api.get("camille", "/api/v1/me/data.csv")

    assert answer.status_code == 200, answer.text
    lists = answer.json()["sections"]["collections"]
    own = {mine["title"]: mine for mine in lists["own"]}
    assert list(own) == ["Révisions privées", "Pour ma collègue", "Fractions pour tous"]
    assert [(m["visibility"], m["link_active"]) for m in own.values()] == [
        ("private", False),
        ("shared", True),
        ("public", False),
    ]
    kept = own["Révisions privées"]
    assert kept["id"] == private["id"]
    assert kept["description"] == "À propos de Révisions privées"
    assert [i["resource_id"] for i in kept["items"]] == [first, second]
    assert kept["items"][0]["title"] == "Atlas des fractions"
    assert kept["created_at"] <= kept["updated_at"]
    assert own["Fractions pour tous"]["featured"] == [
        {"scope": "establishment", "establishment_uai": UAI, "academie": None}
    ]
    assert [(f["id"], f["title"]) for f in lists["followed"]] == [
        (theirs["id"], "La liste de Dominique")
    ]
    assert lists["featured"] == []
    # Whether a link is active, never the link itself (it opens the list to anyone).
    assert shared["share_token"] not in answer.text
    assert shared["share_token"] not in as_csv.text
    rows = list(csv.reader(io.StringIO(as_csv.text), delimiter=";"))
    assert {row[0] for row in rows[1:]} >= {"liste", "ressource de liste", "liste suivie"}
    listed = [row for row in rows if row[0] == "liste"]
    assert [row[2] for row in listed] == [
        "privée",
        "partagée par un lien (lien actif)",
        "publique",
    ]
    assert sum(row[0] == "ressource de liste" for row in rows) == 4
    assert rows[-1][0] == "liste suivie"
    assert rows[-1][4] == f"La liste de Dominique [{theirs['id']}]"

    # The administrator who featured a list finds it in theirs; others see only their own.
    featured = (await api.get("head", "/api/v1/me/data")).json()["sections"]["collections"]
    assert [(f["id"], f["scope"], f["establishment_uai"]) for f in featured["featured"]] == [
        (public["id"], "establishment", UAI)
    ]
    assert featured["own"] == featured["followed"] == []
    other = (await api.get("dominique", "/api/v1/me/data")).json()["sections"]["collections"]
    assert [m["id"] for m in other["own"]] == [theirs["id"]]
    assert other["followed"] == []
    # Nobody signed out downloads anything.
    assert (await client.get("/api/v1/me/data")).status_code == 401
    assert (await client.get("/api/v1/me/data.csv")).status_code == 401


async def _depart(api: Api, who: str) -> None:
    """Deactivated by their académie's administrator, long enough ago to be erased."""
    person = api.world.people[who]
    path = f"/api/v1/people/{person}/deactivation"
    assert (await api.post("paris_admin", path, {"reason": "départ"})).status_code == 200
    await api.conn.execute(
        "UPDATE people SET deactivated_at = now() - interval '400 days' WHERE id = $1", person
    )


def _erase_departed(database_url: str, tmp_path: Path) -> str:
    """`catalogue directory erase-departed`, the command the worker's nightly job mirrors."""
    env = catalogue_env({"CATALOGUE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url})
    done = subprocess.run(
        [sys.executable, "-m", "catalogue", "directory", "erase-departed", "--days", "365"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


async def _references(api: Api, person: UUID) -> int:
    found: int = await api.conn.fetchval(
        "SELECT (SELECT count(*) FROM collections WHERE owner_id = $1)"
        " + (SELECT count(*) FROM collection_follows WHERE person_id = $1)"
        " + (SELECT count(*) FROM collection_features WHERE featured_by = $1)",
        person,
    )
    return found


async def test_a_departed_persons_erasure_deletes_their_lists_but_the_featured_public_ones(
    api: Api, client: httpx.AsyncClient, database_url: str, tmp_path: Path
) -> None:
    first, second = await _resources(api)
    await api.funded()
    private = await _list(api, "camille", "Révisions privées", "private", first)
    shared = await _list(api, "camille", "Pour ma collègue", "shared", second)
    alone = await _list(api, "camille", "Liste publique sans vitrine", "public", first)
    school = await _list(api, "camille", "Fractions au collège", "public", first, second)
    academie = await _list(api, "camille", "Fractions dans l'académie", "public", second)
    theirs = await _list(api, "dominique", "La liste de Dominique", "public", first, second)
    kept_private = await _list(api, "dominique", "Mes brouillons", "private", first)
    await _ok(await api.put("camille", f"{API}/{theirs['id']}/follow", {}))
    await _ok(await api.put("dominique", f"{API}/{school['id']}/follow", {}))
    await _ok(await api.put("head", f"{API}/{school['id']}/features/establishment", {}))
    await _ok(await api.put("head", f"{API}/{theirs['id']}/features/establishment", {}))
    await _ok(await api.put("paris_admin", f"{API}/{academie['id']}/features/academie", {}))
    camille, head = api.world.people["camille"], api.world.people["head"]
    await _depart(api, "camille")
    await _depart(api, "head")
    assert await _references(api, camille) > 0

    assert _erase_departed(database_url, tmp_path).startswith("2 departed person(s) erased")

    assert await _references(api, camille) == await _references(api, head) == 0
    # Deleted: the private, the shared (its link too) and the public list no page features.
    for gone in (private, shared, alone):
        assert (await client.get(f"{API}/{gone['id']}")).status_code == 404
        assert (await api.get("dominique", f"{API}/{gone['id']}")).status_code == 404
    link = await client.get(f"/listes/{shared['id']}", params={"lien": shared["share_token"]})
    assert link.status_code == 404
    # Kept, without their author: anyone reads them, nobody owns or changes them.
    for kept in (school, academie):
        url = f"{API}/{kept['id']}"
        read = await client.get(url)
        assert read.status_code == 200, read.text
        assert read.json()["mine"] is False
        assert read.json()["items"] == kept["items"]
        assert (await api.get("dominique", url)).json()["mine"] is False
        changed = await api.put("dominique", url, {"title": "À moi", "visibility": "private"})
        assert changed.status_code == 404
        assert (
            await api.post("dominique", f"{url}/items", {"resource_id": first})
        ).status_code == 404
        page = await client.get(f"/listes/{kept['id']}")
        assert page.status_code == 200
        for trace in ("Camille", "camille@ac-test.invalid", str(camille)):
            assert trace not in page.text
            assert trace not in read.text
    assert (await client.get(f"{API}/{school['id']}")).json()["followers"] == 1  # Dominique
    showcase = await client.get(f"/etablissements/{UAI}")
    assert "Fractions au collège" in showcase.text
    assert "Camille" not in showcase.text
    found = (await client.get(API, params={"q": "fractions"})).json()
    assert {c["id"] for c in found["collections"]} == {school["id"], academie["id"]}
    # Nobody else's lists changed: Dominique's keep their owner, items, follows and features.
    mine = (await api.get("dominique", f"{API}/mine")).json()
    assert {m["id"] for m in mine} == {theirs["id"], kept_private["id"]}
    again = (await api.get("dominique", f"{API}/{theirs['id']}")).json()
    assert again["mine"] is True
    assert again["items"] == theirs["items"]
    assert again["followers"] == 0  # Camille's follow went with her
    assert again["featured"] == [
        {"scope": "establishment", "establishment_uai": UAI, "academie": None}
    ]  # featured by the head, who left: the collège still features it
    followed = (await api.get("dominique", f"{API}/followed")).json()
    assert [f["id"] for f in followed] == [school["id"]]
    # Once: a second run erases nobody and deletes nothing more.
    assert _erase_departed(database_url, tmp_path).startswith("0 departed person(s) erased")
    assert await api.conn.fetchval("SELECT count(*) FROM collections") == 4
    # Only an administrator of a page that features it takes it off; another page's
    # administrator taking it off theirs changes nothing, a teacher may not.
    for who, scope in (("dominique", "establishment"), ("other_head", "establishment")):
        path = f"{API}/{school['id']}/features/{scope}"
        await api.client.delete(path, headers=await api.headers(who))
        assert (await client.get(f"{API}/{school['id']}")).status_code == 200
    refused = await api.client.delete(
        f"{API}/{school['id']}/features/establishment", headers=await api.headers("dominique")
    )
    assert refused.status_code == 403
    assert (await client.delete(f"{API}/{school['id']}/features/establishment")).status_code == 401
    # A list kept for a page goes when the last page stops featuring it.
    unfeatured = await api.client.delete(
        f"{API}/{academie['id']}/features/academie", headers=await api.headers("paris_admin")
    )
    await _ok(unfeatured)
    assert (await client.get(f"{API}/{academie['id']}")).status_code == 404
    assert (await client.get(f"{API}/{school['id']}")).status_code == 200


async def test_a_list_without_author_is_nobodys_and_stays_public(
    api: Api, client: httpx.AsyncClient
) -> None:
    public = await _list(api, "camille", "Fractions pour tous", "public")
    await _ok(await api.put("head", f"{API}/{public['id']}/features/establishment", {}))
    await api.conn.execute("UPDATE collections SET owner_id = NULL")
    url = f"{API}/{public['id']}"
    # No caller without a person (anonymous, a machine client) passes for its missing owner.
    assert (await client.get(url)).json()["mine"] is False
    robot = await api.conn.fetchval(
        "INSERT INTO api_clients (client_id, publisher_id, name, secret_hash, scopes) "
        "VALUES ('robot', $1, 'robot', '\\x00', ARRAY['publisher:resources']) RETURNING client_id",
        api.world.publisher_id,
    )
    token = await issue_access_token(
        api.conn,
        api.settings,
        subject=robot,
        scope="publisher:resources",
        extra={"client_id": robot, "publisher_id": str(api.world.publisher_id)},
    )
    as_robot = await client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert as_robot.status_code == 200, as_robot.text
    assert as_robot.json()["mine"] is False
    assert as_robot.json()["share_token"] is None
    assert (await api.get("camille", url)).json()["mine"] is False
    assert (await client.put(url, json={"title": "x"})).status_code == 401
    with pytest.raises(asyncpg.CheckViolationError):
        await api.conn.execute("UPDATE collections SET visibility = 'private'")
