"""The teacher's journey in Chromium: search, resource, acquire, account; keyboard only too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, open_paid_offer, screenshot, sign_in

pytestmark = pytest.mark.browser


def _balance(page: Page) -> int:
    page.goto("/enseignant/compte")
    text = page.locator("#solde").inner_text()
    return int(re.sub(r"\D", "", text))


def _acquisitions(page: Page) -> int:
    page.goto("/enseignant/compte")
    return page.locator("section[aria-labelledby=acquisitions-titre] tbody tr").count()


def _open_paid_teacher_offer(page: Page) -> None:
    """Search, narrow with facets, open a result, pick a paid teacher licence."""
    page.goto("/recherche")
    page.get_by_label("Mots-clés").fill("mathematiques")  # no accent: typo tolerant
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator(".hits .hit").first).to_be_visible()
    page.locator("fieldset", has_text="Prix").get_by_label(re.compile("^payant")).check()
    page.locator("fieldset", has_text="Modèle de licence").get_by_label(
        re.compile("^licence enseignant")
    ).check()
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page).to_have_url(re.compile(r"free=false"))
    expect(page.locator(".hits .hit .price").first).to_contain_text("licence enseignant")
    open_paid_offer(page, page.url)
    expect(page.get_by_role("heading", level=1, name="Confirmer l'acquisition")).to_be_visible()


def test_teacher_pages_have_no_axe_violations(page: Page) -> None:
    page.goto("/")
    assert_accessible(page)
    screenshot(page, "accueil")
    page.goto("/accessibilite")
    assert_accessible(page)
    page.goto("/auth/demo")
    assert_accessible(page)
    sign_in(page, "teacher", "/recherche?q=maths")
    expect(page).to_have_title(re.compile("Recherche « maths »"))
    assert_accessible(page)
    screenshot(page, "recherche")
    page.locator(".hits .hit h3 a").first.click()
    assert_accessible(page)
    screenshot(page, "ressource")
    page.get_by_role("link", name=re.compile("^Acquérir")).first.click()
    assert_accessible(page)
    screenshot(page, "confirmation")
    page.goto("/enseignant/compte")
    assert_accessible(page)
    screenshot(page, "compte")
    page.goto("/ressources/00000000-0000-0000-0000-000000000000")
    expect(page.get_by_role("heading", level=1)).to_have_text("Introuvable")
    expect(page.get_by_text("Ressource introuvable.")).to_be_visible()
    assert_accessible(page)


def test_teacher_finds_and_acquires_a_resource_and_the_balance_drops(page: Page) -> None:
    sign_in(page, "teacher")
    before, count = _balance(page), _acquisitions(page)
    _open_paid_teacher_offer(page)
    price = int(re.sub(r"\D", "", page.locator("dt:text('Prix unitaire') + dd").inner_text()))
    # A double click: two submissions of the one confirmation form.
    page.evaluate(
        "() => { const f = document.querySelector('form.form');"
        " f.requestSubmit(); f.requestSubmit(); }"
    )
    expect(page.get_by_role("status")).to_contain_text("Licence délivrée")
    assert_accessible(page)
    assert _balance(page) == before - price
    assert _acquisitions(page) == count + 1
    # Back to the confirmation page and submit again: the same key, the same answer.
    page.go_back()
    page.go_back()
    expect(page.get_by_role("heading", level=1, name="Confirmer l'acquisition")).to_be_visible()
    page.get_by_role("button", name="Confirmer l'acquisition").click()
    expect(page.get_by_role("status")).to_contain_text("Licence délivrée")
    assert _balance(page) == before - price


def test_keyboard_only_search_resource_acquire(page: Page) -> None:
    sign_in(page, "teacher")
    before = _balance(page)
    page.goto("/recherche")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"  # the skip link comes first
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"

    def tab_to(selector: str, limit: int = 400) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
                outline = page.evaluate(
                    "() => getComputedStyle(document.activeElement).outlineStyle"
                )
                assert outline != "none", f"no visible focus on {selector}"
                return
        pytest.fail(f"Tab never reached {selector}")

    tab_to("#q")
    page.keyboard.type("geometrie")
    page.keyboard.press("Enter")
    expect(page.locator(".hits .hit").first).to_be_visible()
    tab_to(".hits .hit h3 a")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Offres")).to_be_visible()
    tab_to("a.button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Confirmer l'acquisition")).to_be_visible()
    price_text = page.locator("dt:text('Prix unitaire') + dd").inner_text()
    price = 0 if price_text == "Gratuit" else int(re.sub(r"\D", "", price_text))
    tab_to("button[type=submit]:not(header button)")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_be_visible()
    assert _balance(page) == before - price


def test_an_expired_session_signs_in_again_and_returns_to_the_page(page: Page) -> None:
    sign_in(page, "teacher")
    page.goto("/enseignant/compte")
    page.context.clear_cookies()  # the session is gone, as when it expires
    page.goto("/enseignant/compte")
    expect(page).to_have_url(re.compile(r"/auth/demo\?next=/enseignant/compte$"))
    page.locator("form", has=page.locator("input[name=role][value=teacher]")).get_by_role(
        "button"
    ).click()
    expect(page).to_have_url(re.compile(r"/enseignant/compte$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte ressource")
