"""The communs' journey in Chromium: a teacher publishes, the académie validates, the teacher
adapts, another person reports, the académie hides; every page checked with axe-core. The
demo has one teacher: the same one publishes and adapts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

TITLE = "Fractions partagées (parcours navigateur)"


def _publish(page: Page, title: str, licence: str) -> None:
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Description").fill("Une séquence complète, libre de droits.")
    page.get_by_label("Lien vers la ressource").fill("https://exemple.fr/fractions")
    page.get_by_label("Licence ouverte").select_option(label=licence)
    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()


def test_publish_adapt_report_and_hide(page: Page) -> None:
    sign_in(page, "teacher", "/communs/nouveau")
    expect(page.get_by_role("heading", level=1)).to_have_text("Publier un commun")
    assert_accessible(page)
    _publish(page, TITLE, "CC BY-SA 4.0")
    expect(page.get_by_role("status")).to_contain_text("attend la validation")
    assert_accessible(page)
    commun = page.url.split("/communs/")[1].split("?")[0]

    page.context.clear_cookies()
    sign_in(page, "academie_admin", "/communs/moderation")
    assert_accessible(page)
    page.get_by_role("button", name=f"Valider {TITLE}").click()
    expect(page.get_by_role("status")).to_contain_text("validée")

    page.context.clear_cookies()
    sign_in(page, "teacher", f"/communs/nouveau?adapter={commun}")
    assert_accessible(page)
    _publish(page, "Fractions adaptées", "CC BY 4.0")
    expect(page.get_by_role("alert")).to_contain_text("CC BY-SA")
    assert_accessible(page)
    page.get_by_label("Licence ouverte").select_option(label="CC BY-SA 4.0")
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("heading", name="D'après")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ajouter à mes ressources").click()
    expect(page.get_by_role("status")).to_contain_text("Ajouté à vos ressources")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, "national_admin", f"/communs/{commun}")
    page.get_by_label("Motif").select_option(label="atteinte au droit d'auteur")
    page.get_by_label("Précisions (facultatif)").fill("Copie d'un manuel.")
    page.get_by_role("button", name="Signaler").click()
    expect(page.get_by_role("status")).to_contain_text("signalement")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, "academie_admin", "/communs/moderation")
    expect(page.get_by_text("Copie d'un manuel.")).to_be_visible()
    page.get_by_label(f"Motif de la décision pour {TITLE}").fill("Droits à vérifier")
    page.get_by_role("button", name=f"Masquer {TITLE}").click()
    expect(page.get_by_role("status")).to_contain_text("masquée")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, "teacher", "/communs")
    expect(page.get_by_role("table")).to_contain_text(re.compile("masquée : Droits à vérifier"))
    assert_accessible(page)
