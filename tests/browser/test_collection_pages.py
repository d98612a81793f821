"""The collections' pages in Chromium: a teacher makes a public list from the catalogue, an
establishment's head features it, anyone finds it and reads the establishment's page; every
page checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

TITLE = "Lectures du cycle 3 (parcours navigateur)"


def test_a_list_made_from_the_catalogue_featured_and_found(page: Page) -> None:
    sign_in(page, "teacher_2", "/listes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes listes")
    assert_accessible(page)
    page.get_by_role("button", name="Créer la liste").click()  # no title: refused
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes listes")
    page.get_by_label("Titre").fill("x" * 201)
    page.get_by_role("button", name="Créer la liste").click()
    expect(page.get_by_role("alert")).to_contain_text("au plus 200 caractères")
    assert_accessible(page)
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Description (facultative)").fill(
        "Des albums et des romans à lire en classe."
    )
    page.get_by_label("publique").check()
    page.get_by_role("button", name="Créer la liste").click()
    expect(page.get_by_role("status")).to_contain_text("Liste créée")
    assert_accessible(page)
    collection = "/listes/" + page.url.split("/listes/")[1].split("?")[0]

    page.goto("/recherche?q=lecture")
    page.locator(".hits .hit h3 a").first.click()
    page.get_by_role("link", name="Ajouter à une liste").click()
    assert_accessible(page)
    page.get_by_label(TITLE).check()
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("status")).to_contain_text("Ressource ajoutée")
    expect(page.get_by_role("button", name="Retirer").first).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, "establishment_admin", collection)
    page.get_by_role("button", name="Mettre en avant sur la page de mon établissement").click()
    expect(page.get_by_role("status")).to_contain_text("mise en avant")
    expect(
        page.get_by_role("button", name="Retirer de la page de mon établissement")
    ).to_be_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto("/listes/recherche?q=albums")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page)
    page.goto("/etablissements/0751234J")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page)
    page.goto("/academies/paris")
    assert_accessible(page)
