"""The administrator's journey in Chromium: CSV allocations with their report, a rule that
asks for approval, the approval; every admin page checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    assert_accessible,
    open_paid_offer,
    screenshot,
    sign_in,
)
from tests.support.demo_server import DemoServer

pytestmark = pytest.mark.browser

UAI = "0751234J"  # the demo establishment
TEACHER_EMAIL = "camille.martin@demo.invalid"


def test_admin_pages_have_no_axe_violations(page: Page) -> None:
    sign_in(page, "national_admin", "/admin")
    for path, name in (
        ("/admin", None),
        ("/admin/periodes", "admin-periodes"),
        ("/admin/dotations", None),
        ("/admin/approbations", None),
        ("/admin/regles?portee=academie&code=paris", "admin-regles"),
        ("/admin/rapports?par=publisher", None),
        ("/admin/rapports?par=month", None),
        ("/admin/moderation", "admin-moderation"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        if name:
            screenshot(page, name)
    page.goto("/admin/rapports?par=publisher")
    chart = page.locator("svg[role=img]")
    expect(chart).to_have_attribute("aria-labelledby", re.compile("titre"))
    expect(page.get_by_role("table", name="Données du graphique")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("CSV"))).to_have_attribute(
        "href", "/api/v1/reports/spend.csv?by=publisher"
    )


def test_a_bad_period_form_keeps_what_was_typed(page: Page) -> None:
    sign_in(page, "national_admin", "/admin/periodes")
    page.get_by_label("Premier jour").fill("31/02/2026")
    page.get_by_role("button", name="Ouvrir la période").click()
    field = page.get_by_label("Premier jour")
    expect(field).to_have_value("31/02/2026")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile("debut-erreur"))
    expect(page.locator("#debut-erreur")).to_contain_text("AAAA-MM-JJ")
    assert_accessible(page)


def test_admin_uploads_a_csv_and_approves_a_request(
    page: Page, browser: Browser, server: DemoServer, tmp_path: Path
) -> None:
    sign_in(page, "establishment_admin", "/admin/dotations")
    bad = tmp_path / "mauvais.csv"
    bad.write_text(f"UAI;enseignant;euros\n{UAI};{TEACHER_EMAIL};12,5O\n", encoding="utf-8")
    page.get_by_label("Fichier CSV", exact=True).set_input_files(bad)
    page.get_by_role("button", name="Envoyer le fichier").click()
    expect(page.get_by_role("table", name=re.compile("Lignes refusées"))).to_contain_text("2")
    expect(page.get_by_label("Fichier CSV", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    good = tmp_path / "dotations.csv"
    good.write_text(f"UAI;enseignant;euros\n{UAI};{TEACHER_EMAIL};25,00\n", encoding="utf-8")
    page.get_by_label("Fichier CSV", exact=True).set_input_files(good)
    page.get_by_role("button", name="Envoyer le fichier").click()
    expect(page.get_by_role("status")).to_contain_text("Fichier appliqué")
    expect(page.get_by_role("table", name="Rapport ligne par ligne")).to_contain_text("appliquée")
    assert_accessible(page)
    screenshot(page, "admin-dotations")

    # One-by-one allocation: a field error first, then a good one.
    page.get_by_label("Identifiant, UAI ou code").fill(TEACHER_EMAIL)
    page.get_by_label("Montant en euros").fill("dix")
    page.get_by_role("button", name="Doter", exact=True).click()
    expect(page.get_by_label("Montant en euros")).to_have_value("dix")
    expect(page.locator("#montant-erreur")).to_be_visible()

    # A rule: every acquisition now waits for approval.
    page.goto("/admin/regles")
    page.get_by_label("Seuil d'approbation en euros").fill("0,01")
    page.get_by_role("button", name="Enregistrer les règles").click()
    expect(page.get_by_role("status")).to_contain_text("Règles enregistrées")
    try:
        teacher = browser.new_context(base_url=server.url, locale="fr-FR")
        tab = teacher.new_page()
        sign_in(tab, "teacher")
        open_paid_offer(tab)
        tab.get_by_role("button", name="Confirmer l'acquisition").click()
        expect(tab.get_by_role("status")).to_contain_text("attente d'approbation")
        teacher.close()

        page.goto("/admin/approbations")
        assert_accessible(page)
        screenshot(page, "admin-approbations")
        page.get_by_role("button", name=re.compile("^Approuver")).first.click()
        expect(page.get_by_role("status")).to_contain_text("réalisée")
        page.goto("/admin/rapports?par=publisher")
        assert_accessible(page)
        screenshot(page, "admin-rapports")
    finally:
        page.goto("/admin/regles")
        page.get_by_label("Seuil d'approbation en euros").fill("")
        page.get_by_role("button", name="Enregistrer les règles").click()
        expect(page.get_by_role("status")).to_contain_text("Règles enregistrées")
