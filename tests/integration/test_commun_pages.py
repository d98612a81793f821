"""The communs' pages, without JavaScript: publish, moderate, adapt, report, hide."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo import load_demo
from tests.integration.conftest import open_client
from tests.integration.search_corpus import MATHS, SIXIEME
from tests.integration.test_pages import csrf, sign_in

DEMO_TEACHER = "Camille Martin"


@pytest.fixture
async def demo(settings: Settings, conn: asyncpg.Connection) -> Settings:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    return demo


async def _client(settings: Settings, role: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in open_client(create_asgi_app(settings)):
        await sign_in(client, role)
        yield client


@pytest.fixture
async def teacher(demo: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(demo, "teacher"):
        yield client


@pytest.fixture
async def academie(demo: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(demo, "academie_admin"):
        yield client


def _form(client: httpx.AsyncClient, **values: str) -> dict[str, str]:
    return {
        "_csrf_token": csrf(client),
        "titre": "Les fractions au collège",
        "description": "Séquence complète.",
        "niveau": SIXIEME,
        "discipline": MATHS,
        "langue": "fre",
        "mots_cles": "fractions, calcul",
        "lien": "https://exemple.fr/fractions",
        "licence": "CC-BY-SA-4.0",
        **values,
    }


async def test_publish_moderate_adapt_report_and_hide_through_the_pages(
    teacher: httpx.AsyncClient, academie: httpx.AsyncClient
) -> None:
    form = await teacher.get("/communs/nouveau")
    assert form.status_code == 200
    assert "<script" not in form.text
    assert 'for="titre"' in form.text
    refused = await teacher.post("/communs/nouveau", data=_form(teacher, licence="propriétaire"))
    assert refused.status_code == 422
    assert "Licence non ouverte" in refused.text
    no_link = await teacher.post("/communs/nouveau", data=_form(teacher, lien=""))
    assert no_link.status_code == 422
    assert "fichiers ou un lien" in no_link.text
    assert 'id="lien-erreur"' in no_link.text
    published = await teacher.post("/communs/nouveau", data=_form(teacher))
    assert published.status_code == 303, published.text
    fiche = await teacher.get(published.headers["location"])
    assert "attend la validation" in fiche.text
    assert DEMO_TEACHER not in fiche.text
    commun_id = published.headers["location"].split("/")[2].split("?")[0]
    queue = await academie.get("/communs/moderation")
    assert "Les fractions au collège" in queue.text
    approved = await academie.post(
        f"/communs/moderation/{commun_id}",
        data={"_csrf_token": csrf(academie), "decision": "approve", "motif": ""},
    )
    assert approved.status_code == 303
    mine = await teacher.get("/communs")
    assert "visible" in mine.text
    assert "validée" in mine.text
    # A new version through the edit page, the earlier one readable.
    edited = await teacher.post(
        f"/communs/{commun_id}/modifier",
        data=_form(teacher, titre="Les fractions au collège, version 2"),
    )
    assert edited.status_code == 303
    versions = await teacher.get(f"/communs/{commun_id}/versions/1")
    assert "Les fractions au collège" in versions.text
    # Adapting: a share-alike original stays share-alike.
    adapt_form = await teacher.get(f"/communs/nouveau?adapter={commun_id}")
    assert "CC BY-SA 4.0" in adapt_form.text
    wrong = await teacher.post(
        f"/communs/nouveau?adapter={commun_id}", data=_form(teacher, licence="CC-BY-4.0")
    )
    assert wrong.status_code == 422
    adapted = await teacher.post(
        f"/communs/nouveau?adapter={commun_id}", data=_form(teacher, titre="Fractions adaptées")
    )
    assert adapted.status_code == 303
    adapted_page = await teacher.get(adapted.headers["location"])
    assert "D'après" in adapted_page.text
    # "Ajouter à mes ressources": in the teacher's médiacentre, nothing bought.
    added = await teacher.post(
        f"/communs/{adapted.headers['location'].split('/')[2].split('?')[0]}/mes-ressources",
        data={"_csrf_token": csrf(teacher)},
    )
    assert added.status_code == 303, added.text
    assert "Ajouté à vos ressources" in (await teacher.get(added.headers["location"])).text
    listed = await teacher.get("/api/v1/me/mediacentre")
    assert "Fractions adaptées" in listed.text
    forged = await teacher.post(f"/communs/{commun_id}/mes-ressources", data={})
    assert forged.status_code == 403
    # Reporting, then hiding: the author reads the decision.
    reported = await academie.post(
        f"/communs/{commun_id}/signalement",
        data={"_csrf_token": csrf(academie), "motif": "copyright", "texte": "Copie."},
    )
    assert reported.status_code == 303
    queue = await academie.get("/communs/moderation")
    assert "Copie." in queue.text
    hidden = await academie.post(
        f"/communs/moderation/{commun_id}",
        data={"_csrf_token": csrf(academie), "decision": "hide", "motif": "À vérifier"},
    )
    assert hidden.status_code == 303
    mine = await teacher.get("/communs")
    assert re.search(r"masquée\s*: À vérifier", mine.text)
    assert DEMO_TEACHER not in mine.text


async def test_the_pages_refuse_other_profiles_and_send_strangers_to_sign_in(
    demo: Settings, academie: httpx.AsyncClient
) -> None:
    assert (await academie.get("/communs/nouveau")).status_code == 403
    async for anonymous in open_client(create_asgi_app(demo)):
        answer = await anonymous.get("/communs/moderation")
        assert answer.status_code in (302, 303)
        assert answer.headers["location"].startswith("/auth/login")


async def test_a_national_administrator_closes_reports_on_an_offering(
    demo: Settings, conn: asyncpg.Connection, academie: httpx.AsyncClient
) -> None:
    offering = await conn.fetchval(
        "SELECT id FROM resources WHERE status = 'published' AND connector <> 'commun' LIMIT 1"
    )
    reporter = await conn.fetchval("SELECT id FROM people WHERE 'teacher' = ANY (roles) LIMIT 1")
    await conn.execute(
        "INSERT INTO commun_reports (resource_id, reporter_id, reason, text) "
        "VALUES ($1, $2, 'error', 'Lien cassé.')",
        offering,
        reporter,
    )
    # An académie's administrators review communs, not offerings.
    assert "Lien cassé." not in (await academie.get("/communs/moderation")).text
    refused = await academie.post(
        f"/communs/moderation/{offering}/classement", data={"_csrf_token": csrf(academie)}
    )
    assert refused.status_code == 403
    async for national in _client(demo, "national_admin"):
        queue = await national.get("/communs/moderation")
        assert "Lien cassé." in queue.text
        assert "offre d'un éditeur" in queue.text
        closed = await national.post(
            f"/communs/moderation/{offering}/classement", data={"_csrf_token": csrf(national)}
        )
        assert closed.status_code == 303, closed.text
        assert "Lien cassé." not in (await national.get(closed.headers["location"])).text
