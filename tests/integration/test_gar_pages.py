"""The GAR on the pages: a teacher's "Mon compte ressource" says which licences reach the ENT
médiacentre; a national administrator reads the GAR delivery log and replays a call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.demo import load_demo
from catalogue.gar import delivery
from tests.integration.conftest import open_client
from tests.integration.test_pages import class_offer, csrf, sign_in
from tests.support.gar_server import GarService, Pki, serving


@pytest.fixture
def gar_service(tmp_path: Path) -> Iterator[GarService]:
    folder = tmp_path / "pki"
    folder.mkdir()
    with serving(GarService(Pki.make(folder))) as service:
        yield service


def mediacentre_cell(page: str) -> str:
    found = re.search(r"<td>(non|oui|bientôt|pas encore)[^<]*</td>\s*</tr>", page)
    assert found, "no médiacentre column on the page"
    return found.group(0)


async def test_teacher_sees_the_mediacentre_and_the_admin_replays(
    settings: Settings, conn: asyncpg.Connection, gar_service: GarService
) -> None:
    gar = gar_service.pki.settings(gar_service.url)
    demo = msgspec.structs.replace(settings, demo=True, gar=gar)
    await load_demo(conn, demo)
    offer = await class_offer(conn)
    await conn.execute(
        "UPDATE resources SET gar_referenced = true, gar_resource_id = 'gar-demo' WHERE id = $1",
        offer["resource_id"],
    )
    assert demo.database_url is not None
    async with await create_pool(demo.database_url, max_size=2) as pool:
        async for web in open_client(create_asgi_app(demo)):
            assert (await web.get("/admin/gar")).status_code == 303  # signed out: sign in
            await sign_in(web, "teacher")
            assert (await web.get("/admin/gar")).status_code == 403
            form = {
                "_csrf_token": csrf(web),
                "ressource": str(offer["resource_id"]),
                "offre": str(offer["id"]),
                "cle": "page-gar-1",
                "quantite": "1",
            }
            bought = await web.post("/enseignant/acquisitions", data=form)
            assert bought.status_code == 303, bought.text
            page = (await web.get("/enseignant/compte")).text
            assert "Dans le médiacentre de l'ENT" in page
            assert "bientôt (abonnement en cours d'envoi au GAR)" in page
            assert "non (ressource non référencée au GAR)" in page  # the demo's first licence
            assert await delivery.drain(pool, gar) == 1
            page = (await web.get("/enseignant/compte")).text
            assert "<td>oui</td>" in page

            await sign_in(web, "national_admin")
            log = await web.get("/admin/gar")
            assert log.status_code == 200, log.text
            assert "Envois au GAR" in log.text
            assert "HTTP 201" in log.text
            found = re.search(r'action="/admin/gar/([0-9a-f-]+)/renvoi"', log.text)
            assert found is not None
            failed_only = await web.get("/admin/gar", params={"etat": "failed"})
            assert "Aucun envoi." in failed_only.text
            replayed = await web.post(
                f"/admin/gar/{found.group(1)}/renvoi", data={"_csrf_token": csrf(web)}
            )
            assert replayed.status_code == 303, replayed.text
            assert replayed.headers["location"] == f"/admin/gar?renvoye={found.group(1)}"
            assert "remis en file" in (await web.get(replayed.headers["location"])).text
            assert await delivery.drain(pool, gar) == 1
            assert [r.method for r in gar_service.received] == ["PUT", "PUT"]
            # A replay without the form's token is refused, and changes nothing.
            forged = await web.post(f"/admin/gar/{found.group(1)}/renvoi", data={})
            assert forged.status_code == 403
    assert await conn.fetchval("SELECT status FROM gar_deliveries") == "delivered"


async def test_the_publisher_sees_the_gar_flag_on_their_resources(
    settings: Settings, conn: asyncpg.Connection
) -> None:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    await conn.execute(  # a resource of the demo publisher, GAR-referenced
        "INSERT INTO resources (publisher_id, status, title, gar_referenced, gar_resource_id) "
        "SELECT publisher_id, 'draft', 'Atlas GAR', true, 'gar-demo' FROM people "
        "WHERE subject = 'demo-editeur'"
    )
    async for web in open_client(create_asgi_app(demo)):
        await sign_in(web, "publisher")
        page = await web.get("/editeur")
        assert page.status_code == 200, page.text
        assert "Référencée GAR" in page.text
        assert "(identifiant GAR gar-demo)" in page.text
