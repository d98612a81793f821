"""The search page's facets: the most frequent values, every chosen one, and all of one
facet's values on a link (issue 19: a value beyond the first three was out of reach, and a
chosen one was dropped by the next submission of the form)."""

from __future__ import annotations

import httpx
import lxml.html
import pytest

from catalogue.web.facets import FACET_VALUES_SHOWN


def boxes(page: str) -> dict[str, lxml.html.HtmlElement]:
    tree = lxml.html.fromstring(page)
    return {f.get("id").removeprefix("facette-"): f for f in tree.xpath("//fieldset[@id]")}


def values(box: lxml.html.HtmlElement) -> list[tuple[str, bool]]:
    return [(i.get("value"), i.get("checked") is not None) for i in box.xpath(".//input")]


async def test_a_facet_links_to_all_its_values_and_back(demo_web: httpx.AsyncClient) -> None:
    page = await demo_web.get("/recherche")
    assert page.status_code == 200
    level = boxes(page.text)["level"]
    assert len(values(level)) == FACET_VALUES_SHOWN
    (more,) = level.xpath(".//a")
    assert "Voir les" in more.text_content()
    assert more.get("href").startswith("/recherche?valeurs=level")

    everything = await demo_web.get(more.get("href").split("#")[0])
    assert everything.status_code == 200
    level = boxes(everything.text)["level"]
    shown = values(level)
    assert len(shown) > FACET_VALUES_SHOWN
    assert f"Voir les {len(shown)} valeurs" in more.text_content()
    # The other facets keep their first three.
    assert len(values(boxes(everything.text)["discipline"])) <= FACET_VALUES_SHOWN
    (fewer,) = level.xpath(".//a")
    assert "Voir les plus fréquentes" in fewer.text_content()
    assert fewer.get("href").split("#")[0] == "/recherche?"


async def test_a_chosen_value_beyond_the_first_three_stays_in_the_form(
    demo_web: httpx.AsyncClient,
) -> None:
    everything = await demo_web.get("/recherche", params={"valeurs": "level"})
    rare, _ = values(boxes(everything.text)["level"])[-1]

    chosen = await demo_web.get("/recherche", params={"level": rare, "sort": "newest"})
    assert chosen.status_code == 200
    level = values(boxes(chosen.text)["level"])
    assert (rare, True) in level
    # The form sends it again: a checked box or a hidden input, never dropped.
    form = lxml.html.fromstring(chosen.text).xpath("//form[@action='/recherche']")[0]
    assert ("level", rare) in form.form_values()


async def test_a_chosen_value_the_results_do_not_count_is_kept_hidden(
    demo_web: httpx.AsyncClient,
) -> None:
    first = await demo_web.get("/recherche")
    level, _ = values(boxes(first.text)["level"])[0]
    # Words nothing matches: no result, so no count for the chosen level.
    page = await demo_web.get("/recherche", params={"q": "zzqxwv", "level": level})
    assert page.status_code == 200
    assert "level" in boxes(page.text)
    form = lxml.html.fromstring(page.text).xpath("//form[@action='/recherche']")[0]
    assert ("level", level) in form.form_values()


@pytest.mark.parametrize("facet", ["nothing", "<script>", ""])
async def test_an_unknown_facet_to_expand_is_refused_or_ignored(
    demo_web: httpx.AsyncClient, facet: str
) -> None:
    page = await demo_web.get("/recherche", params={"valeurs": facet})
    assert page.status_code in (200, 400)
    assert "<script>" not in page.text.split("</head>")[-1] or page.status_code == 400
