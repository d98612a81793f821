"""The public catalogue in Chromium: a visitor who is not signed in finds a resource from the
home page, and "Acquérir" takes them through the sign-in to the confirmation step."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_a_visitor_finds_a_resource_from_the_home_page_and_signs_in_to_acquire_it(
    page: Page,
) -> None:
    page.goto("/")
    assert_accessible(page)
    search = page.get_by_role("searchbox", name="Rechercher une ressource")
    expect(search).to_be_visible()
    # Entry points by level and by discipline, with their counts.
    expect(page.get_by_role("heading", level=2, name="Par niveau")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Par discipline")).to_be_visible()
    expect(page.locator("#entree-level + ul .count").first).to_contain_text(re.compile(r"\d+"))
    search.fill("mathematiques")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/recherche\?q=mathematiques"))
    expect(page.locator(".hits .hit").first).to_be_visible()
    assert_accessible(page)
    links = [page.locator(".hits .hit h3 a").nth(i).get_attribute("href") for i in range(5)]
    for href in links:
        assert href is not None
        page.goto(href)
        acquire = page.get_by_role("link", name=re.compile("^Acquérir"))
        if acquire.count():
            break
    else:
        pytest.fail("no offer among the first results")
    assert_accessible(page)
    title = page.get_by_role("heading", level=1).inner_text()
    acquire.first.click()
    # The sign-in, then back to the confirmation step of that offer.
    expect(page).to_have_url(re.compile(r"/auth/demo\?next=/ressources/.+/acquerir"))
    page.locator("form", has=page.locator("input[name=role][value=teacher]")).get_by_role(
        "button"
    ).click()
    expect(page).to_have_url(re.compile(r"/ressources/[0-9a-f-]+/acquerir\?offre="))
    expect(page.get_by_role("heading", level=1, name="Confirmer l'acquisition")).to_be_visible()
    expect(page.locator("main")).to_contain_text(title)
    assert_accessible(page)


def test_public_pages_have_no_axe_violations_for_a_visitor(page: Page) -> None:
    page.goto("/recherche?free=false")
    assert_accessible(page)
    page.locator(".hits .hit h3 a").first.click()
    expect(page.get_by_role("heading", level=2, name="Offres")).to_be_visible()
    assert_accessible(page)
    page.goto("/ressources/00000000-0000-0000-0000-000000000000")
    expect(page.get_by_role("heading", level=1)).to_have_text("Introuvable")
    assert_accessible(page)


def test_search_as_you_type_and_facets_swap_the_results_without_a_reload(page: Page) -> None:
    """htmx as an enhancement: typing and ticking a facet update the results and the address
    in place (the page is not loaded again); the focus stays where it was; the count is read
    out; nothing leaves our origin."""
    page.goto("/recherche")
    origin = urlsplit(page.url).netloc
    elsewhere: list[str] = []
    page.on(
        "request", lambda r: elsewhere.extend([r.url] if urlsplit(r.url).netloc != origin else [])
    )
    page.evaluate("window.notReloaded = true")
    total = page.locator("#resultats-titre")
    before = total.inner_text()
    search = page.get_by_role("searchbox")
    search.press_sequentially("fractions", delay=30)
    expect(page).to_have_url(re.compile(r"/recherche\?q=fractions"))
    expect(total).not_to_have_text(before)
    expect(search).to_be_focused()
    expect(page.locator("#recherche-annonce")).to_have_text(total.inner_text())
    after_text = total.inner_text()
    # A facet value that narrows the results (its count below the total).
    found = int(re.sub(r"\D", "", after_text))
    labels = page.locator(".facets .fr-checkbox-group label")
    narrowing = next(
        labels.nth(i)
        for i in range(labels.count())
        if int(re.findall(r"\((\d+)\)", labels.nth(i).inner_text())[-1]) < found
    )
    box_id = narrowing.get_attribute("for")
    box = page.locator(f"#{box_id}")
    box.check()
    expect(total).not_to_have_text(after_text)
    expect(page).to_have_url(re.compile(r"/recherche\?q=fractions&\w+="))
    expect(page.locator(f"#{box_id}")).to_be_checked()
    expect(page.locator(f"#{box_id}")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    assert_accessible(page)
    assert elsewhere == []


def test_all_values_of_a_facet_by_keyboard_without_javascript_needed(page: Page) -> None:
    """A facet's values beyond the first three: a link opens them all (a plain address, so
    it works without JavaScript), and one of them can be ticked."""
    page.goto("/recherche")
    more = page.get_by_role("link", name=re.compile(r"^Voir les \d+ valeurs de « Niveau »"))
    more.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/recherche\?valeurs=level#facette-level"))
    boxes = page.locator("#facette-level input[type=checkbox]")
    assert boxes.count() > 3
    assert_accessible(page)
    expect(page.get_by_role("link", name="Voir les plus fréquentes de « Niveau »")).to_be_visible()
