"""The publisher's journey in Chromium: import a ScoLOMFR file and read its report; every
publisher page checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.browser

LOM = Path(__file__).resolve().parents[1] / "fixtures" / "lom"


def test_publisher_pages_have_no_axe_violations(page: Page) -> None:
    sign_in(page, "publisher", "/editeur")
    for path, name in (
        ("/editeur", "editeur-ressources"),
        ("/editeur/imports", None),
        ("/editeur/outils", None),
        ("/editeur/ventes", "editeur-ventes"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
        if name:
            screenshot(page, name)


def test_publisher_imports_a_scolomfr_file_and_sees_its_report(page: Page) -> None:
    sign_in(page, "publisher", "/editeur/imports")
    page.get_by_role("button", name="Importer").click()  # nothing chosen
    expect(page.locator("#fichier-erreur")).to_contain_text("fichier")
    expect(page.get_by_label(re.compile("^Fichier"))).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    page.get_by_label("Format").select_option("lomfr")
    page.get_by_label(re.compile("^Fichier")).set_input_files(LOM / "batch.xml")
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("status")).to_contain_text("Import terminé")
    report = page.get_by_role("table", name="Rapport notice par notice")
    expect(report).to_be_visible()
    expect(report.locator("tbody tr").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "editeur-import")
    page.goto("/editeur")
    expect(page.get_by_role("table")).to_contain_text("lomfr")
