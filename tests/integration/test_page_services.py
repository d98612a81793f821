"""The publisher and moderation pages, each through its service (``catalogue.web.services``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx
import pytest

from tests.integration.test_pages import csrf, sign_in, web

__all__ = ["web"]  # the fixture, shared with test_pages


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/editeur", "ressources"),
        ("/editeur/imports", "Importer"),
        ("/editeur/outils", "LTI"),
        ("/editeur/ventes", "Ventes"),
    ],
)
async def test_each_publisher_page_renders(web: httpx.AsyncClient, path: str, shown: str) -> None:
    await sign_in(web, "publisher")
    page = await web.get(path)
    assert page.status_code == 200
    assert shown.lower() in page.text.lower()


async def test_moderation_approves_a_publisher_then_one_offering(
    web: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    publisher: UUID = await conn.fetchval(
        "INSERT INTO publishers (name) VALUES ('Éditions en attente') RETURNING id"
    )
    await sign_in(web, "national_admin")
    queue = await web.get("/admin/moderation")
    assert "Éditions en attente" in queue.text
    approved = await web.post(
        f"/admin/moderation/editeurs/{publisher}",
        data={"decision": "approve", "_csrf_token": csrf(web)},
    )
    assert approved.status_code == 303
    assert "fait=" in approved.headers["location"]
    status = await conn.fetchval("SELECT status FROM publishers WHERE id = $1", publisher)
    assert status == "approved"
    unknown = await web.post(
        f"/admin/moderation/ressources/{UUID(int=0)}", data={"_csrf_token": csrf(web)}
    )
    assert unknown.status_code == 404
