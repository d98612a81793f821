"""The search page's enhancement (issue 19): htmx asks for the facets and results alone as
one types or ticks a facet; the plain form keeps working without it."""

from __future__ import annotations

import httpx


async def test_htmx_gets_the_facets_and_results_alone(demo_web: httpx.AsyncClient) -> None:
    whole = await demo_web.get("/recherche", params={"q": "mathématiques"})
    alone = await demo_web.get(
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


async def test_back_in_htmx_history_gets_the_whole_page(demo_web: httpx.AsyncClient) -> None:
    restored = await demo_web.get(
        "/recherche",
        params={"q": "mathématiques"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.text


async def test_the_fragment_refuses_what_the_page_refuses(demo_web: httpx.AsyncClient) -> None:
    bad = await demo_web.get(
        "/recherche", params={"page": "0"}, headers={"HX-Request": "true", "Accept": "text/html"}
    )
    assert bad.status_code == 400
