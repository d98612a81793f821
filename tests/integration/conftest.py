from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import ClaimMapping, OidcSettings, Settings
from catalogue.demo import load_demo
from catalogue.identity.tokens import issue_access_token
from catalogue.middleware import RequestContext
from tests.support.asgi import asgi_transport
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, ISSUER, FakeProvider


async def open_client(app: RequestContext) -> AsyncIterator[httpx.AsyncClient]:
    """Real HTTP semantics through the ASGI app, with its lifespan (the pool) running.

    The lifespan runs in a task of its own, as under a server: pytest-asyncio sets fixtures
    up and tears them down in different tasks, which anyio's cancel scopes refuse.
    """
    started = asyncio.Event()
    stop = asyncio.Event()

    async def hold_lifespan() -> None:
        async with app.app.lifespan():
            started.set()
            await stop.wait()

    lifespan = asyncio.create_task(hold_lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({lifespan, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if lifespan.done():
        waiter.cancel()
        await lifespan  # raises the startup failure
    try:
        transport = asgi_transport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        stop.set()
        await lifespan


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in open_client(create_asgi_app(settings)):
        yield c


@pytest.fixture
async def demo_web(
    settings: Settings, conn: asyncpg.Connection
) -> AsyncIterator[httpx.AsyncClient]:
    """The demo loaded and indexed, and a client of its app (no worker: indexed here)."""
    from tests.integration.test_pages import index_everything  # noqa: PLC0415  # a test module

    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    await index_everything(demo, conn)
    async for c in open_client(create_asgi_app(demo)):
        yield c


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def oidc_settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings,
        oidc=OidcSettings(issuer=ISSUER, client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
        claims=ClaimMapping(),
    )


@pytest.fixture
async def oidc_client(
    oidc_settings: Settings, provider: FakeProvider
) -> AsyncIterator[httpx.AsyncClient]:
    """The app signing people in with the test provider; keys refetched at every unknown kid."""
    app = create_asgi_app(oidc_settings, http_transport=provider.transport, key_refresh_s=0)
    async for c in open_client(app):
        yield c


async def bearer(conn: asyncpg.Connection, settings: Settings, person_id: UUID) -> dict[str, str]:
    """Headers carrying a platform-signed access token for a person."""
    token = await issue_access_token(conn, settings, subject=str(person_id))
    return {"Authorization": f"Bearer {token}"}
