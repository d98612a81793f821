"""The search page's enhancement (issue 19): htmx asks for the facets and results alone as
one types or ticks a facet; the plain form keeps working without it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo import load_demo
from tests.integration.conftest import open_client
from tests.integration.test_pages import index_everything


@pytest.fixture
async def web(settings: Settings, conn: asyncpg.Connection) -> AsyncIterator[httpx.AsyncClient]:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    await index_everything(demo, conn)
    async for c in open_client(create_asgi_app(demo)):
        yield c


async def test_htmx_gets_the_facets_and_results_alone(web: httpx.AsyncClient) -> None:
    whole = await web.get("/recherche", params={"q": "mathématiques"})
    alone = await web.get(
        "/recherche", params={"q": "mathématiques"}, headers={"HX-Request": "true"}
    )
    assert whole.status_code == alone.status_code == 200
    assert "HX-Request" in whole.headers["vary"]
    assert "HX-Request" in alone.headers["vary"]
    assert "<html" in whole.text
    assert 'hx-get="/recherche"' in whole.text
    assert '<p id="recherche-annonce" class="fr-sr-only" role="status"></p>' in whole.text
    assert "<html" not in alone.text
    assert alone.text.lstrip().startswith(
        '<div class="fr-grid-row fr-grid-row--gutters" id="recherche-zone">'
    )
    # The same results as the page's, and the count read out (a live region, out of band).
    zone = whole.text[whole.text.index('<div class="fr-grid-row') : whole.text.index("</form>")]
    assert zone.strip() in alone.text
    assert 'id="recherche-annonce" hx-swap-oob="innerHTML">' in alone.text
    assert len(alone.content) < len(whole.content) - 3000  # no head, header nor footer


async def test_back_in_htmx_history_gets_the_whole_page(web: httpx.AsyncClient) -> None:
    restored = await web.get(
        "/recherche",
        params={"q": "mathématiques"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.text


async def test_the_fragment_refuses_what_the_page_refuses(web: httpx.AsyncClient) -> None:
    bad = await web.get(
        "/recherche", params={"page": "0"}, headers={"HX-Request": "true", "Accept": "text/html"}
    )
    assert bad.status_code == 400
