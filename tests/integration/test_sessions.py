"""Browser sessions end for real: logout, sign out everywhere, on every process; CSRF tokens
belong to one session."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo.identities import seed_identities
from catalogue.middleware import RequestContext
from tests.integration.conftest import bearer, open_client
from tests.support.waiting import wait_until_async

SESSION_COOKIE = "catalogue_session"


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, demo=True)


@pytest.fixture
async def web(
    demo_settings: Settings, conn: asyncpg.Connection
) -> AsyncIterator[httpx.AsyncClient]:
    await seed_identities(conn)
    async for c in open_client(create_asgi_app(demo_settings)):
        yield c


async def sign_in(client: httpx.AsyncClient, role: str = "teacher") -> None:
    await client.get("/auth/demo")
    done = await client.post(
        "/auth/demo", data={"role": role, "_csrf_token": client.cookies["csrftoken"]}
    )
    assert done.status_code == 303


def copy_of(client: httpx.AsyncClient) -> dict[str, str]:
    """What an attacker who saved the cookies would send."""
    return {SESSION_COOKIE: client.cookies[SESSION_COOKIE]}


async def me(client: httpx.AsyncClient, cookies: dict[str, str] | None = None) -> int:
    if cookies is not None:
        client.cookies.clear()
        client.cookies.update(cookies)
    return (await client.get("/api/v1/me")).status_code


async def test_a_saved_cookie_no_longer_works_after_logout(web: httpx.AsyncClient) -> None:
    await sign_in(web)
    saved = copy_of(web)
    assert (await web.get("/enseignant/compte")).status_code == 200
    page = await web.get("/")
    assert "Se déconnecter" in page.text
    out = await web.post("/auth/logout", data={"_csrf_token": web.cookies["csrftoken"]})
    assert out.status_code == 303

    # The copy is refused at once, by the API and by the pages.
    assert await me(web, saved) == 401
    web.cookies.clear()
    web.cookies.update(saved)
    account = await web.get("/enseignant/compte")
    assert account.status_code == 303
    assert account.headers["location"].startswith("/auth/login")


async def test_sign_out_everywhere_from_the_account_page_ends_every_session(
    web: httpx.AsyncClient, demo_settings: Settings
) -> None:
    await sign_in(web, "establishment_admin")
    async for laptop in open_client(create_asgi_app(demo_settings)):
        await sign_in(laptop, "establishment_admin")
        assert await me(laptop) == 200
        account = await web.get("/compte")
        assert account.status_code == 200
        assert 'action="/auth/logout-everywhere"' in account.text
        out = await web.post(
            "/auth/logout-everywhere", data={"_csrf_token": web.cookies["csrftoken"]}
        )
        assert out.status_code == 303
        assert await me(web) == 401
        assert await me(laptop) == 401


async def test_sign_out_everywhere_through_the_api(
    web: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    await sign_in(web)
    person = await conn.fetchval(
        "SELECT person_id FROM sessions WHERE ended_at IS NULL ORDER BY created_at DESC LIMIT 1"
    )
    headers = await bearer(conn, settings, person)
    ended = await web.delete("/api/v1/me/sessions", headers=headers)
    assert ended.status_code == 200
    assert ended.json() == {"ended": 1}
    assert await me(web) == 401
    # A cookie alone cannot do it: the API takes writes from bearer tokens only.
    await sign_in(web)
    assert (await web.delete("/api/v1/me/sessions")).status_code == 401
    assert await me(web) == 200


async def test_logout_on_one_process_is_refused_by_another_within_a_second(
    web: httpx.AsyncClient, demo_settings: Settings
) -> None:
    """Another process drops its cached session when the notice arrives (milliseconds);
    without the notice, its cache would keep the session for up to 5 seconds."""
    await sign_in(web)
    saved = copy_of(web)
    other_app = create_asgi_app(demo_settings)
    async for other in open_client(other_app):
        await _listening(other_app)
        assert await me(other, saved) == 200  # cached there now
        await web.post("/auth/logout", data={"_csrf_token": web.cookies["csrftoken"]})

        async def signed_out() -> bool:
            return await me(other, saved) == 401  # noqa: B023  # open_client yields once

        await wait_until_async(
            signed_out, "the other process to refuse the session", timeout_s=1.0, interval_s=0.02
        )


async def _listening(app: RequestContext) -> None:
    await asyncio.wait_for(app.app.state.listener.listening.wait(), timeout=5)


async def test_a_csrf_token_of_another_session_is_refused(
    web: httpx.AsyncClient, demo_settings: Settings
) -> None:
    """Someone who plants their own csrftoken cookie (and its token) in a victim's browser
    cannot post in the victim's name."""
    async for attacker in open_client(create_asgi_app(demo_settings)):
        await attacker.get("/")
        planted = attacker.cookies["csrftoken"]
        await sign_in(web)
        web.cookies.set("csrftoken", planted)
        forged = await web.post("/auth/logout", data={"_csrf_token": planted})
        assert forged.status_code == 403
        assert await me(web) == 200
        forged = await web.post("/auth/logout", headers={"x-csrftoken": planted})
        assert forged.status_code == 403
        assert await me(web) == 200


async def test_the_csrf_token_changes_when_signing_in(web: httpx.AsyncClient) -> None:
    await web.get("/")
    before = web.cookies["csrftoken"]
    await sign_in(web)
    after = web.cookies["csrftoken"]
    assert after != before
    stale = await web.post("/auth/logout", data={"_csrf_token": before})
    assert stale.status_code == 403
    page = await web.get("/compte")
    assert f'value="{after}"' in page.text
