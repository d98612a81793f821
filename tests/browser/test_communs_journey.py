"""The communs' journey of issue 21 in Chromium, with three demo teachers: one publishes a
commun (a file and no link, in one form), a second adapts it, a third reports it, and the
académie's administrator hides it; every page checked with axe-core. A real `catalogue
serve --demo` serves it. The second and third demo teachers publish and adapt, the first
reports: test_commun_pages.py's journey, which needs the first teacher's first publication,
runs the same whatever the order."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

TITLE = "Proportionnalité au cycle 4 (trois enseignants)"
ADAPTED = "Proportionnalité, version pour la classe de 4e"
FILE = "sequence-proportionnalite.pdf"


def _publish(page: Page, title: str, *, file: bytes | None = None) -> None:
    page.get_by_label("Titre").fill(title)
    page.get_by_label("Description").fill("Une séquence complète, libre de droits.")
    page.get_by_label("Licence ouverte").select_option(label="CC BY 4.0")
    if file is not None:  # files and no link, in the same form
        page.locator("input#fichiers").set_input_files(
            {"name": FILE, "mimeType": "application/pdf", "buffer": file}
        )
    else:
        page.get_by_label("Lien vers la ressource").fill("https://exemple.fr/proportionnalite")
    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()


def _validated_if_waiting(page: Page, title: str) -> None:
    """A teacher's first publication waits for the académie: its administrator validates it
    (a teacher who already published is visible at once)."""
    if "attend la validation" not in page.get_by_role("status").inner_text():
        return
    page.context.clear_cookies()
    sign_in(page, "academie_admin", "/communs/moderation")
    assert_accessible(page)
    page.get_by_role("button", name=f"Valider {title}").click()
    expect(page.get_by_role("status")).to_contain_text("validée")


def test_one_teacher_publishes_a_second_adapts_a_third_reports_an_administrator_hides(
    page: Page,
) -> None:
    sign_in(page, "teacher_2", "/communs/nouveau")
    assert_accessible(page)
    _publish(page, TITLE, file=b"")  # an empty file: refused on the form, which names it
    expect(page.get_by_role("alert")).to_contain_text(f"Le fichier « {FILE} » est vide.")
    expect(page.get_by_label("Titre")).to_have_value(TITLE)
    assert_accessible(page)
    _publish(page, TITLE, file=b"%PDF-1.7\n" + bytes(4096))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("link", name=FILE)).to_be_visible()
    assert_accessible(page)
    commun = page.url.split("/communs/")[1].split("?")[0]
    _validated_if_waiting(page, TITLE)

    page.context.clear_cookies()
    sign_in(page, "teacher_3", f"/communs/{commun}")
    assert_accessible(page)
    page.get_by_role("link", name="Adapter ce commun").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Adapter")
    assert_accessible(page)
    _publish(page, ADAPTED)
    expect(page.get_by_role("heading", name="D'après")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page)
    _validated_if_waiting(page, ADAPTED)

    page.context.clear_cookies()
    sign_in(page, "teacher", f"/communs/{commun}")
    assert_accessible(page)
    page.get_by_label("Motif").select_option(label="erreur dans la ressource")
    page.get_by_label("Précisions (facultatif)").fill("Le corrigé de l'exercice 3 est faux.")
    page.get_by_role("button", name="Signaler").click()
    expect(page.get_by_role("status")).to_contain_text("signalement")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, "academie_admin", "/communs/moderation")
    expect(page.get_by_text("Le corrigé de l'exercice 3 est faux.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(f"Motif de la décision pour {TITLE}").fill("Corrigé à reprendre")
    page.get_by_role("button", name=f"Masquer {TITLE}").click()
    expect(page.get_by_role("status")).to_contain_text("masquée")
    assert_accessible(page)

    # The author reads the decision; the commun is gone for the others.
    page.context.clear_cookies()
    sign_in(page, "teacher_2", "/communs")
    expect(page.get_by_role("row", name=re.compile(re.escape(TITLE)))).to_contain_text(
        "masquée : Corrigé à reprendre"
    )
    assert_accessible(page)
    page.context.clear_cookies()
    sign_in(page, "teacher", f"/communs/{commun}")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(TITLE)
