"""A purchase from the teacher pages wakes webhook delivery as the API's does: through the
app's shared `Waker`, after its commit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo import load_demo
from catalogue.webhooks import events
from tests.integration.conftest import open_client
from tests.integration.test_pages import class_offer, csrf, sign_in


async def test_a_page_purchase_wakes_webhook_delivery_after_its_commit(
    settings: Settings, conn: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    offer = await class_offer(conn)
    await conn.execute(
        "INSERT INTO publisher_webhooks (publisher_id, url, secret_encrypted) "
        "SELECT publisher_id, 'https://editeur.example/hooks', '\\x00'::bytea "
        "FROM resources WHERE id = $1",
        offer["resource_id"],
    )
    app = create_asgi_app(demo)
    woken: list[int] = []
    async for web in open_client(app):
        waker: events.Waker = app.app.state.webhook_waker
        monkeypatch.setattr(waker, "wake", counting(waker, conn, offer["id"], woken))
        await sign_in(web, "teacher")
        form = {
            "_csrf_token": csrf(web),
            "ressource": str(offer["resource_id"]),
            "offre": str(offer["id"]),
            "cle": "page-webhook-1",
            "quantite": "1",
        }
        response = await web.post("/enseignant/acquisitions", data=form)
        assert response.status_code == 303, response.text
        assert "licence=" in response.headers["location"]  # completed, so announced
    assert woken == [1]  # once, after the commit
    jobs = await conn.fetchval(
        "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", events.DELIVER_JOB
    )
    assert jobs == 1
    assert await conn.fetchval("SELECT count(*) FROM webhook_deliveries") == 1


def counting(
    waker: events.Waker, conn: asyncpg.Connection, offer_id: UUID, woken: list[int]
) -> Callable[[], Awaitable[None]]:
    """The waker's `wake`, noting first how many acquisitions of the offer another session
    sees: the purchase has committed when it is woken."""
    wake = waker.wake

    async def counted() -> None:
        sql = "SELECT count(*) FROM acquisitions WHERE offer_id = $1"
        woken.append(await conn.fetchval(sql, offer_id))
        await wake()

    return counted
