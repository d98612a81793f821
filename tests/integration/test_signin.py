"""People sign in with OpenID Connect (code flow, PKCE) or, in demo mode, as a seeded identity."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo.identities import seed_identities
from catalogue.errors import UnauthorizedError
from tests.integration.conftest import open_client
from tests.logs import capture_logs
from tests.support.oidc_provider import FakeProvider


async def sign_in(client: httpx.AsyncClient, provider: FakeProvider, next_path: str = "/") -> None:
    start = await client.get("/auth/login", params={"next": next_path})
    assert start.status_code == 302
    back = urlsplit(provider.authorize(start.headers["location"]))
    done = await client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302, done.text
    assert done.headers["location"] == next_path


async def test_a_teacher_signs_in_with_pkce_and_reads_me(
    oidc_client: httpx.AsyncClient, provider: FakeProvider, conn: asyncpg.Connection
) -> None:
    provider.person = {
        "sub": "enseignant-7",
        "name": "Alice Dupont",
        "email": "alice.dupont@ac-paris.fr",
        "roles": ["teacher"],
        "uai": "0754321p",
        "academie": "Paris",
    }
    start = await oidc_client.get("/auth/login", params={"next": "/compte"})
    query = parse_qs(urlsplit(start.headers["location"]).query)
    assert start.headers["location"].startswith("https://idp.test/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["openid profile email"]
    assert {"state", "nonce", "code_challenge"} <= set(query)

    back = urlsplit(provider.authorize(start.headers["location"]))
    with capture_logs() as logs:
        done = await oidc_client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302
    assert done.headers["location"] == "/compte"
    session_cookie = next(
        h for h in done.headers.get_list("set-cookie") if "catalogue_session" in h
    )
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie

    me = (await oidc_client.get("/api/v1/me")).json()
    assert me["kind"] == "person"
    assert me["roles"] == ["teacher"]
    assert me["establishment_uai"] == "0754321P"
    assert me["academie"] == "paris"
    stored = await conn.fetchrow("SELECT display_name, email FROM people WHERE id = $1", me["id"])
    assert stored is not None
    assert dict(stored) == {"display_name": "Alice Dupont", "email": "alice.dupont@ac-paris.fr"}
    printed = repr(logs)
    for personal in ("Alice", "Dupont", "alice.dupont", "enseignant-7"):
        assert personal not in printed


async def test_a_replayed_or_forged_callback_is_refused(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    start = await oidc_client.get("/auth/login")
    back = urlsplit(provider.authorize(start.headers["location"]))
    first = await oidc_client.get(f"{back.path}?{back.query}")
    assert first.status_code == 302
    # The session no longer holds the pending sign-in, and the code was used once.
    again = await oidc_client.get(f"{back.path}?{back.query}")
    assert again.status_code == 401
    forged = await oidc_client.get("/auth/callback", params={"code": "x", "state": "guess"})
    assert forged.status_code == 401
    assert forged.headers["content-type"].startswith("application/problem+json")


async def test_a_wrong_state_is_refused(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    start = await oidc_client.get("/auth/login")
    callback = urlsplit(provider.authorize(start.headers["location"]))
    params = {k: v[0] for k, v in parse_qs(callback.query).items()}
    with capture_logs() as logs:
        response = await oidc_client.get(
            "/auth/callback", params={"code": params["code"], "state": "not-the-state"}
        )
    assert response.status_code == 401
    # The reason goes to the log; the body stays generic (issue 15).
    assert "state" not in response.json()["detail"]
    refusals = [line for line in logs if line["event"] == "request refused"]
    assert ["state" in line["reason"] for line in refusals] == [True]


async def test_next_never_leaves_the_site(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        start = await oidc_client.get("/auth/login", params={"next": hostile})
        back = urlsplit(provider.authorize(start.headers["location"]))
        done = await oidc_client.get(f"{back.path}?{back.query}")
        assert done.headers["location"] == "/"


async def test_logout_needs_the_csrf_token_then_ends_the_session(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    await sign_in(oidc_client, provider)
    assert (await oidc_client.get("/api/v1/me")).status_code == 200

    forged = await oidc_client.post("/auth/logout")
    assert forged.status_code == 403
    assert (await oidc_client.get("/api/v1/me")).status_code == 200

    page = await oidc_client.get("/")
    token = oidc_client.cookies["csrftoken"]
    assert 'name="_csrf_token"' in page.text
    out = await oidc_client.post("/auth/logout", data={"_csrf_token": token})
    assert out.status_code == 303
    assert (await oidc_client.get("/api/v1/me")).status_code == 401


async def test_a_session_cookie_cannot_write_to_the_api(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    await sign_in(oidc_client, provider)
    response = await oidc_client.post("/api/v1/publishers", json={"name": "Éditions X"})
    assert response.status_code == 401
    assert "bearer" in response.json()["detail"]


async def test_cookies_are_secure_outside_localhost(
    oidc_settings: Settings, provider: FakeProvider
) -> None:
    public = msgspec.structs.replace(oidc_settings, public_url="https://catalogue.example.fr")
    app = create_asgi_app(public, http_transport=provider.transport)
    async for client in open_client(app):
        start = await client.get("/auth/login")
        cookie = next(h for h in start.headers.get_list("set-cookie") if "catalogue_session" in h)
        assert "Secure" in cookie
        assert "catalogue.example.fr/auth/callback" in start.headers["location"].replace("%2F", "/")


@pytest.fixture
async def demo_client(
    settings: Settings, conn: asyncpg.Connection
) -> AsyncIterator[httpx.AsyncClient]:
    await seed_identities(conn)
    async for c in open_client(create_asgi_app(msgspec.structs.replace(settings, demo=True))):
        yield c


async def test_demo_sign_in_lists_the_identities_and_signs_in(
    demo_client: httpx.AsyncClient,
) -> None:
    assert (await demo_client.get("/auth/login")).headers["location"] == "/auth/demo?next=/"
    page = await demo_client.get("/auth/demo", params={"next": "/compte"})
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    for name in ("Camille Martin", "Dominique Bernard", "Claude Petit", "Alex Durand", "Sam Leroy"):
        assert name in page.text
    # Three teachers, for the communs' journey (one publishes, one adapts, one reports).
    for name in ("Louise Moreau", "Nathan Roux"):
        assert f"{name} (enseignant·e)" in page.text
    token = demo_client.cookies["csrftoken"]
    response = await demo_client.post(
        "/auth/demo", data={"role": "academie_admin", "next": "/compte", "_csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/compte"
    me = (await demo_client.get("/api/v1/me")).json()
    assert me["roles"] == ["academie_admin"]
    assert me["academie"] == "paris"


@pytest.mark.parametrize(
    "change",
    [
        {"demo": False},
        {"demo": True, "host": "0.0.0.0"},  # noqa: S104
        {"demo": True, "production": True},
    ],
)
async def test_demo_sign_in_is_refused_outside_demo_mode(
    settings: Settings, conn: asyncpg.Connection, change: dict[str, object]
) -> None:
    await seed_identities(conn)
    app = create_asgi_app(msgspec.structs.replace(settings, **change))
    async for client in open_client(app):
        assert (await client.get("/auth/demo")).status_code == 404
        token = client.cookies.get("csrftoken", "")
        response = await client.post(
            "/auth/demo", data={"role": "national_admin", "_csrf_token": token}
        )
        assert response.status_code in (403, 404)
        assert (await client.get("/api/v1/me")).status_code == 401


async def test_an_id_token_without_kid_signs_in_when_the_provider_has_one_key(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.id_token_kid = False
    await sign_in(oidc_client, provider, "/compte")
    assert (await oidc_client.get("/api/v1/me")).status_code == 200


async def test_an_id_token_without_kid_is_refused_when_the_provider_has_several_keys(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    provider.id_token_kid = False
    provider.rotate()
    start = await oidc_client.get("/auth/login", params={"next": "/compte"})
    back = urlsplit(provider.authorize(start.headers["location"]))
    with capture_logs() as logs:
        refused = await oidc_client.get(
            f"{back.path}?{back.query}", headers={"Accept": "application/json"}
        )
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail"] == UnauthorizedError.generic_detail
    assert any(line["event"] == "sign-in refused" and "kid" in line["reason"] for line in logs)
    assert (await oidc_client.get("/api/v1/me")).status_code == 401


async def test_a_refused_sign_in_shows_a_french_page_with_a_link_to_try_again(
    oidc_client: httpx.AsyncClient,
) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    start = await oidc_client.get("/auth/login", params={"next": "/compte"})
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    denied = await oidc_client.get(
        "/auth/callback", params={"error": "access_denied", "state": state}, headers=browser
    )
    assert denied.status_code == 401
    assert denied.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in denied.text
    assert "Connexion refusée" in denied.text
    assert "a refusé la connexion" in denied.text
    assert 'href="/auth/login?next=/compte"' in denied.text
    # The pending sign-in served once: replaying the answer is refused too, as a page.
    again = await oidc_client.get(
        "/auth/callback", params={"code": "x", "state": state}, headers=browser
    )
    assert again.status_code == 401
    assert "expiré ou a déjà servi" in again.text
