"""The mobility pages and the establishment search in Chromium: axe-core, and the htmx
suggestions as an administrator types a UAI (the plain form works without them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

UAI = "0751234J"  # the demo establishment


def test_mobility_and_search_pages_have_no_axe_violations(page: Page) -> None:
    sign_in(page, "national_admin", "/admin/mobilites")
    for path in (
        "/admin/mobilites",
        f"/admin/mobilites?uai={UAI}",
        "/admin/etablissements?pour=mobilite",
        f"/admin/etablissements?q={UAI}&pour=mobilite",
        "/admin/etablissements?q=introuvable",
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
    page.goto("/admin/mobilites")
    # The fields by their id: on the DSFR a field's hint is part of its label's name.
    page.locator("#personne").fill("pas-un-identifiant")
    page.locator("#nouvelle_uai").fill("0751234K")
    page.locator("#motif").fill("mutation")
    page.get_by_role("button", name="Changer d'établissement").click()
    expect(page.locator("#nouvelle_uai-erreur")).to_contain_text("est J")
    assert_accessible(page)


def test_typing_a_uai_suggests_establishments(page: Page) -> None:
    sign_in(page, "national_admin", "/admin/mobilites")
    field = page.get_by_label("UAI du nouvel établissement")
    with page.expect_response(lambda r: "/admin/etablissements/suggestions" in r.url):
        field.press_sequentially(UAI, delay=20)
    expect(page.locator("#nouvelle_uai-suggestions option")).to_have_count(1)
    expect(page.locator("#nouvelle_uai-suggestions option")).to_have_attribute("value", UAI)
    search = "Chercher un établissement par son nom ou sa commune"
    page.get_by_role("link", name=search).first.click()
    page.get_by_label("Nom, commune, code postal ou UAI").fill(UAI)
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("link", name="Choisir").first.click()
    expect(page.get_by_label("UAI du nouvel établissement")).to_have_value(UAI)
