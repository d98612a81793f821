"""Sign-in through an independent OpenID Connect provider, in Chromium, end to end.

The provider is `oidc-provider-mock` (its own server on 127.0.0.1, one signing key in its
JWKS, ID tokens without kid); the platform is a real `catalogue serve` using it, with the
roles mapped from the provider's own values (CATALOGUE_ROLES_CLAIM, CATALOGUE_ROLE_VALUES).
People sign in through the provider's login form.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import assert_accessible
from tests.support.demo_server import Server, free_port, output_tail
from tests.support.waiting import wait_until

# Found, not imported: the provider runs in a process of its own.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        importlib.util.find_spec("oidc_provider_mock") is None,
        reason="oidc-provider-mock missing: pip install -e '.[test]'",
    ),
]

UAI = "0754321P"
PEOPLE = {
    "prof-camille": {"name": "Camille Prof", "profil": "ENS", "uai": UAI, "academie": "paris"},
    "dir-dominique": {"name": "Dominique Dir", "profil": "DIR", "uai": UAI, "academie": "paris"},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The provider's own server (`python -m oidc_provider_mock`), in a process of its own."""
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    users = [json.dumps({"sub": sub, **claims}) for sub, claims in PEOPLE.items()]
    log = tmp_path_factory.mktemp("oidc-provider") / "provider.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
            + [arg for user in users for arg in ("--user-claims", user)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        published: list[dict[str, Any]] = []

        def answers() -> bool:
            assert process.poll() is None, f"the provider exited: {output_tail(log)}"
            try:
                published.append(httpx.get(f"{issuer}/jwks", timeout=1).json())
            except httpx.TransportError:
                return False
            return True

        wait_until(answers, f"the provider at {issuer}", detail=lambda: output_tail(log))
        jwks = published[-1]
        assert len(jwks["keys"]) == 1  # the case OIDC Core allows ID tokens without kid
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def platform(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir: Path = tmp_path_factory.mktemp("oidc-platform")
    server = Server(
        data_dir / "serve.log",
        env={
            "CATALOGUE_DATA_DIR": str(data_dir),
            "CATALOGUE_EMBEDDED_WORKER": "false",
            "OIDC_ISSUER": provider,
            "OIDC_CLIENT_ID": "catalogue-web",
            "OIDC_CLIENT_SECRET": "mock-accepts-any-secret",
            "CATALOGUE_ROLES_CLAIM": "profil",
            "CATALOGUE_ROLE_VALUES": json.dumps({"ENS": "teacher", "DIR": "establishment_admin"}),
        },
    )
    with server:
        yield server


@pytest.fixture
def context(browser: Browser, platform: Server) -> Iterator[BrowserContext]:
    ctx = browser.new_context(base_url=platform.url, locale="fr-FR")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


def at_provider_form(page: Page, provider: str) -> None:
    expect(page).to_have_url(re.compile(rf"^{re.escape(provider)}/oauth2/authorize"))
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()


def sign_in_as(page: Page, provider: str, asked: str, sub: str) -> None:
    """Asks for a page, goes through the provider's form, and comes back."""
    page.goto(asked)
    at_provider_form(page, provider)
    page.get_by_role("button", name=sub).click()
    page.wait_for_load_state()


def test_a_teacher_signs_in_and_lands_on_the_page_asked_for(
    context: BrowserContext, provider: str, platform: Server
) -> None:
    page = context.new_page()
    sign_in_as(page, provider, "/enseignant/compte", "prof-camille")
    expect(page).to_have_url(f"{platform.url}/enseignant/compte")
    expect(page.get_by_text("Connecté·e (enseignant·e)")).to_be_visible()
    me = context.request.get("/api/v1/me").json()
    assert me["roles"] == ["teacher"]
    assert me["establishment_uai"] == UAI


def test_an_establishment_head_gets_the_role_mapped_from_the_provider(
    context: BrowserContext, provider: str, platform: Server
) -> None:
    page = context.new_page()
    sign_in_as(page, provider, "/compte", "dir-dominique")
    expect(page).to_have_url(f"{platform.url}/compte")
    expect(page.get_by_role("heading", level=1, name="Mon compte")).to_be_visible()
    expect(page.get_by_text("Connecté·e (direction d'établissement)").first).to_be_visible()
    assert_accessible(page)
    page.goto("/admin")
    expect(page).to_have_url(f"{platform.url}/admin")
    assert context.request.get("/api/v1/me").json()["roles"] == ["establishment_admin"]


def test_a_refused_sign_in_says_so_in_french_and_offers_to_try_again(
    context: BrowserContext, provider: str, platform: Server
) -> None:
    page = context.new_page()
    page.goto("/enseignant/compte")
    at_provider_form(page, provider)
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("heading", level=1, name="Connexion refusée")).to_be_visible()
    expect(page.get_by_text("Le fournisseur d'identité a refusé la connexion.")).to_be_visible()
    assert "problem+json" not in (page.content())
    assert_accessible(page)
    assert context.request.get("/api/v1/me").status == 401
    page.get_by_role("link", name="Réessayer de se connecter").click()
    at_provider_form(page, provider)
    page.get_by_role("button", name="prof-camille").click()
    page.wait_for_load_state()
    expect(page).to_have_url(f"{platform.url}/enseignant/compte")


def test_after_logout_the_old_cookie_is_refused(
    browser: Browser, context: BrowserContext, provider: str, platform: Server
) -> None:
    page = context.new_page()
    sign_in_as(page, provider, "/enseignant/compte", "prof-camille")
    expect(page).to_have_url(f"{platform.url}/enseignant/compte")
    saved = context.storage_state()["cookies"]
    page.get_by_role("button", name="Se déconnecter", exact=True).click()
    page.wait_for_load_state()
    account = page.get_by_role("navigation", name="Compte")
    expect(account.get_by_role("link", name="Se connecter")).to_be_visible()
    assert context.request.get("/api/v1/me").status == 401

    # Someone who copied the cookies before the logout.
    replay = browser.new_context(
        base_url=platform.url, locale="fr-FR", storage_state={"cookies": saved}
    )
    try:
        assert replay.request.get("/api/v1/me").status == 401
        again = replay.new_page()
        again.goto("/enseignant/compte")
        at_provider_form(again, provider)  # sent to sign in again
    finally:
        replay.close()
