"""The collections' pages, without JavaScript: make a list, fill, order and share it, follow
it, feature it on the establishment's page; and the readers who must get nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest
from markupsafe import escape

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo import load_demo
from tests.integration.conftest import open_client
from tests.integration.test_pages import csrf, sign_in

DEMO_UAI = "0751234J"


@pytest.fixture
async def demo(settings: Settings, conn: asyncpg.Connection) -> Settings:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    return demo


async def _client(settings: Settings, role: str | None) -> AsyncIterator[httpx.AsyncClient]:
    async for client in open_client(create_asgi_app(settings)):
        if role is not None:
            await sign_in(client, role)
        else:
            await client.get("/auth/demo")  # a CSRF cookie, as a browser would have
        yield client


@pytest.fixture
async def teacher(demo: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(demo, "teacher"):
        yield client


@pytest.fixture
async def colleague(demo: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(demo, "teacher_2"):
        yield client


@pytest.fixture
async def head(demo: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(demo, "establishment_admin"):
        yield client


@pytest.fixture
async def anonymous(demo: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(demo, None):
        yield client


async def _published(conn: asyncpg.Connection, count: int) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT id, title FROM visible_resources WHERE status = 'published' "
        "ORDER BY title LIMIT $1",
        count,
    )
    return [(str(r["id"]), r["title"]) for r in rows]


async def test_a_list_made_filled_ordered_shared_followed_and_featured_through_the_pages(
    teacher: httpx.AsyncClient,
    colleague: httpx.AsyncClient,
    head: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
    conn: asyncpg.Connection,
) -> None:
    mine = await teacher.get("/listes")
    assert mine.status_code == 200
    assert "<script" not in mine.text
    assert 'for="titre"' in mine.text
    assert "Listes suivies" in mine.text
    too_long = await teacher.post(
        "/listes", data={"_csrf_token": csrf(teacher), "titre": "x" * 201, "visibilite": "private"}
    )
    assert too_long.status_code == 422
    assert "au plus 200 caractères" in too_long.text
    assert 'aria-invalid="true"' in too_long.text
    made = await teacher.post(
        "/listes",
        data={"_csrf_token": csrf(teacher), "titre": "Géométrie en 6e", "visibilite": "private"},
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"].split("?")[0]
    # From a resource's page: "Ajouter à une liste", then the list chosen.
    resources = await _published(conn, 2)
    resource_page = await teacher.get(f"/ressources/{resources[0][0]}")
    assert f"/listes/ajout?ressource={resources[0][0]}" in resource_page.text
    list_id = url.rsplit("/", 1)[1]
    for resource_id, _ in resources:
        choose = await teacher.get("/listes/ajout", params={"ressource": resource_id})
        assert "Géométrie en 6e" in choose.text
        added = await teacher.post(
            "/listes/ajout",
            data={"_csrf_token": csrf(teacher), "liste": list_id, "ressource": resource_id},
        )
        assert added.status_code == 303
    shown = await teacher.get(url)
    first, second = str(escape(resources[0][1])), str(escape(resources[1][1]))
    assert shown.text.index(first) < shown.text.index(second)
    moved = await teacher.post(
        f"{url}/ressources/{resources[1][0]}/deplacement",
        data={"_csrf_token": csrf(teacher), "sens": "haut"},
    )
    assert moved.status_code == 303
    shown = await teacher.get(url)
    assert shown.text.index(second) < shown.text.index(first)
    # Private: nobody else reads it (the 404 page).
    assert (await colleague.get(url)).status_code == 404
    assert (await anonymous.get(url)).status_code == 404
    # Shared by link, read without signing in; a forged link reads nothing.
    await teacher.post(f"{url}/lien", data={"_csrf_token": csrf(teacher)})
    shown = await teacher.get(url)
    link = re.search(r'href="(/listes/[^"?]+\?lien=[^"]+)"', shown.text)
    assert link is not None
    read = await anonymous.get(link.group(1).replace("&amp;", "&"))
    assert read.status_code == 200
    assert "Géométrie en 6e" in read.text
    assert (await anonymous.get(f"{url}?lien=faux")).status_code == 404
    await teacher.post(f"{url}/lien", data={"_csrf_token": csrf(teacher), "action": "revoquer"})
    assert (await anonymous.get(link.group(1).replace("&amp;", "&"))).status_code == 404
    # Public: searched, followed, featured on the establishment's page.
    edited = await teacher.post(
        f"{url}/modifier",
        data={
            "_csrf_token": csrf(teacher),
            "titre": "Géométrie en 6e",
            "description": "Des figures et des constructions",
            "visibilite": "public",
        },
    )
    assert edited.status_code == 303
    found = await anonymous.get("/listes/recherche", params={"q": "figure"})
    assert "Géométrie en 6e" in found.text
    followed = await colleague.post(f"{url}/suivi", data={"_csrf_token": csrf(colleague)})
    assert followed.status_code == 303
    assert "Géométrie en 6e" in (await colleague.get("/listes")).text
    featured = await head.post(
        f"{url}/mise-en-avant", data={"_csrf_token": csrf(head), "portee": "establishment"}
    )
    assert featured.status_code == 303
    school = await anonymous.get(f"/etablissements/{DEMO_UAI}")
    assert school.status_code == 200
    assert "Géométrie en 6e" in school.text
    assert "Collège Jean Moulin" in school.text
    assert (await anonymous.get("/academies/paris")).status_code == 200
    assert (await anonymous.get("/etablissements/0000000A")).status_code == 404
    # A teacher features nothing; someone else's list is not theirs to change.
    refused = await colleague.post(
        f"{url}/mise-en-avant", data={"_csrf_token": csrf(colleague), "portee": "establishment"}
    )
    assert refused.status_code == 403
    taken = await colleague.post(
        f"{url}/modifier",
        data={"_csrf_token": csrf(colleague), "titre": "Prise", "visibilite": "public"},
    )
    assert taken.status_code == 404
    # Deleted by its owner.
    gone = await teacher.post(f"{url}/suppression", data={"_csrf_token": csrf(teacher)})
    assert gone.status_code == 303
    assert (await anonymous.get(url)).status_code == 404


async def test_signing_in_is_asked_for_my_lists_and_writes_need_the_csrf_token(
    anonymous: httpx.AsyncClient, teacher: httpx.AsyncClient
) -> None:
    answer = await anonymous.get("/listes")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/auth/login?next=/listes")
    assert (await anonymous.get("/listes/recherche")).status_code == 200
    forged = await teacher.post("/listes", data={"titre": "Sans jeton", "visibilite": "private"})
    assert forged.status_code == 403
