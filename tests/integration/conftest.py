from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.middleware import RequestContext


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
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        stop.set()
        await lifespan


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in open_client(create_asgi_app(settings)):
        yield c
