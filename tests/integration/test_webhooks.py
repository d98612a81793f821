"""Signed webhooks to publishers: registration, events written with the money, delivery with
retries, the delivery log, replays, and what a publisher may never learn."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.errors import UnprocessableError
from catalogue.identity.secrets import derive_key, pseudonym
from catalogue.webhooks import delivery, events
from catalogue.webhooks.service import check_url
from tests.integration.ledger_world import PEOPLE, UAI, build_world
from tests.integration.test_accounts_api import Api

API_DOC = Path(__file__).parents[2] / "docs" / "api.md"


def documented_verifier() -> Callable[..., bool]:
    """The verification snippet docs/api.md gives publishers, run as they would run it."""
    text = API_DOC.read_text(encoding="utf-8")
    found = re.search(r"```python\n(# Verifying a webhook.*?)```", text, re.DOTALL)
    assert found, "docs/api.md lost its verification snippet"
    scope: dict[str, Any] = {}
    exec(found.group(1), scope)  # noqa: S102  # our own documentation, on purpose
    verify: Callable[..., bool] = scope["verify"]
    return verify


class Receiver:
    """The publisher's endpoint: answers from a script, remembers what it got."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return httpx.Response(status)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self), timeout=5)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Hooks(Api):
    """The accounts API, plus a publisher's webhook and the worker's delivery job."""

    pool: asyncpg.Pool

    @property
    def publisher(self) -> str:
        return f"/api/v1/publishers/{self.world.publisher_id}/webhook"

    async def register(self, url: str = "https://editeur.example/hooks") -> str:
        response = await self.put("publisher", self.publisher, {"url": url})
        assert response.status_code == 201, response.text
        secret: str = response.json()["secret"]
        return secret

    async def deliver(self, receiver: Receiver, clock: Clock | None = None) -> int:
        key = derive_key(self.settings.secret_key or "", "webhooks")
        async with receiver.client() as http:
            return await delivery.drain(self.pool, http, key, clock=clock or Clock())

    async def deliveries(self, who: str = "publisher", **params: Any) -> list[dict[str, Any]]:
        response = await self.get(who, f"{self.publisher}/deliveries", **params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    async def count(self, table: str) -> int:
        found: int = await self.conn.fetchval(f"SELECT count(*) FROM {table}")
        return found


@pytest.fixture
async def hooks(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> AsyncIterator[Hooks]:
    assert settings.database_url is not None
    async with await create_pool(settings.database_url, max_size=4) as pool:
        hooks = Hooks(client, conn, settings, await build_world(conn))
        hooks.pool = pool
        yield hooks


async def test_a_purchase_is_delivered_signed_with_the_publisher_secret(hooks: Hooks) -> None:
    secret = await hooks.register()
    assert secret.startswith("whsec_")
    again = await hooks.put("publisher", hooks.publisher, {"url": "https://editeur.example/v2"})
    assert (again.status_code, again.json()["secret"]) == (200, None)  # same secret, new URL
    await hooks.funded()
    bought = (await hooks.buy("camille", "teacher")).json()
    queued = await hooks.conn.fetchval(
        "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", events.DELIVER_JOB
    )
    assert queued == 1  # the worker is woken by the purchase's own commit

    receiver = Receiver(200)
    assert await hooks.deliver(receiver) == 1
    [request] = receiver.requests
    assert str(request.url) == "https://editeur.example/v2"
    assert request.headers["content-type"] == "application/json"
    body = json.loads(request.content)
    assert request.headers["webhook-id"] == body["id"]
    assert body["type"] == "acquisition.completed"
    assert body["data"]["acquisition_id"] == bought["id"]
    assert body["data"]["licence"]["id"] == bought["licence"]["id"]
    assert body["data"]["licence"]["holder"] == bought["licence"]["holder"]
    assert (body["data"]["quantity"], body["data"]["total_cents"]) == (1, 1200)

    verify = documented_verifier()
    assert verify(secret, request.headers, request.content)
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert not verify(other, request.headers, request.content)
    assert not verify(secret, request.headers, request.content + b" ")
    stale = {**request.headers, "webhook-timestamp": str(int(time.time()) - 3600)}
    assert not verify(secret, stale, request.content)

    [logged] = await hooks.deliveries()
    assert (logged["status"], logged["attempts"], logged["last_status"]) == ("delivered", 1, 200)
    assert logged["payload"] == body
    assert [a["status_code"] for a in logged["attempt_log"]] == [200]
    assert await hooks.deliver(Receiver(200)) == 0  # delivered once

    rotated = await hooks.post("publisher", f"{hooks.publisher}/rotation")
    assert rotated.status_code == 201, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret != secret
    await hooks.buy("camille", "teacher")
    receiver = Receiver(200)
    await hooks.deliver(receiver)
    [request] = receiver.requests
    assert verify(new_secret, request.headers, request.content)
    assert not verify(secret, request.headers, request.content)


async def test_failures_are_retried_with_backoff_and_logged(hooks: Hooks) -> None:
    await hooks.register()
    await hooks.funded()
    await hooks.buy("camille", "teacher")
    clock = Clock()
    receiver = Receiver(500, 200)
    assert await hooks.deliver(receiver, clock) == 1
    [pending] = await hooks.deliveries()
    assert (pending["status"], pending["attempts"], pending["last_status"]) == ("pending", 1, 500)
    due = datetime.fromisoformat(pending["next_attempt_at"])
    assert due == clock.now + delivery.FIRST_DELAY

    clock.advance(seconds=29)
    assert await hooks.deliver(receiver, clock) == 0  # not due yet
    clock.advance(seconds=2)
    assert await hooks.deliver(receiver, clock) == 1
    [done] = await hooks.deliveries()
    assert (done["status"], done["attempts"]) == ("delivered", 2)
    assert [a["status_code"] for a in done["attempt_log"]] == [500, 200]
    assert done["attempt_log"][0]["error"] == "HTTP 500"
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def test_backoff_doubles_up_to_an_hour() -> None:
    waits = [delivery.backoff(n).total_seconds() for n in range(1, delivery.MAX_ATTEMPTS)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_after_the_last_attempt_a_delivery_fails_until_replayed(hooks: Hooks) -> None:
    await hooks.register()
    await hooks.funded()
    await hooks.buy("camille", "teacher")
    clock = Clock()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    down = Receiver(503)
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        assert await hooks.deliver(down, clock) == 1
        clock.advance(hours=2)
    key = derive_key(hooks.settings.secret_key or "", "webhooks")
    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        assert await delivery.drain(hooks.pool, http, key, clock=clock) == 1
    [failed] = await hooks.deliveries()
    assert (failed["status"], failed["attempts"]) == ("failed", delivery.MAX_ATTEMPTS)
    assert failed["last_status"] is None
    assert failed["last_error"].startswith("ConnectError")
    assert len(failed["attempt_log"]) == delivery.MAX_ATTEMPTS
    clock.advance(days=1)
    assert await hooks.deliver(Receiver(200), clock) == 0  # failed stays failed

    replayed = await hooks.post("national", f"/api/v1/webhook-deliveries/{failed['id']}/replay")
    assert replayed.status_code == 200, replayed.text
    assert (replayed.json()["status"], replayed.json()["attempts"]) == ("pending", 0)
    receiver = Receiver(204)
    assert await hooks.deliver(receiver) == 1
    [done] = await hooks.deliveries()
    assert (done["status"], done["attempts"]) == ("delivered", 1)
    assert len(done["attempt_log"]) == delivery.MAX_ATTEMPTS + 1  # the log keeps everything
    assert json.loads(receiver.requests[0].content)["id"] == failed["id"]
    assert await hooks.deliveries(status="failed") == []


async def test_events_carry_pseudonyms_only(hooks: Hooks) -> None:
    await hooks.register()
    await hooks.funded(cents=100_000)
    teacher = (await hooks.buy("camille", "teacher")).json()
    school = (await hooks.buy("camille", "school")).json()
    refunded = await hooks.post("head", f"/api/v1/acquisitions/{teacher['id']}/refund")
    assert refunded.status_code == 200, refunded.text
    receiver = Receiver(200)
    assert await hooks.deliver(receiver) == 3
    bodies = {(b["type"], b["data"]["acquisition_id"]): b for b in receiver.bodies()}
    assert set(bodies) == {
        ("acquisition.completed", teacher["id"]),
        ("acquisition.completed", school["id"]),
        ("acquisition.refunded", teacher["id"]),
    }
    key = derive_key(hooks.settings.secret_key or "", "pseudonym")
    camille = hooks.world.people["camille"]
    expected = pseudonym(key, camille, hooks.world.publisher_id)  # type: ignore[arg-type]
    licence = bodies["acquisition.completed", teacher["id"]]["data"]["licence"]
    assert (licence["holder_kind"], licence["holder"]) == ("teacher", expected)
    licence = bodies["acquisition.completed", school["id"]]["data"]["licence"]
    assert (licence["holder_kind"], licence["holder"]) == ("establishment", UAI)

    sent = b"".join(r.content for r in receiver.requests).decode().lower()
    for name, person_id in hooks.world.people.items():
        assert str(person_id) not in sent
        assert f"{name}@ac-test.invalid" not in sent
        assert f'"{name}' not in sent  # no display name as a value
    forbidden = {"person_id", "email", "display_name", "name", "establishment_uai", "academie"}
    for body in receiver.bodies():
        assert not forbidden & set(_keys(body)), body
    assert set(PEOPLE) <= set(hooks.world.people)


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


async def test_approval_notifies_and_a_pending_request_does_not(hooks: Hooks) -> None:
    await hooks.register()
    await hooks.funded(cents=100_000)
    rules = {"approval_threshold_cents": 5_000}
    assert (await hooks.put("head", f"/api/v1/establishments/{UAI}/rules", rules)).is_success
    asked = (await hooks.buy("camille", "school")).json()
    assert asked["status"] == "pending_approval"
    assert await hooks.count("webhook_deliveries") == 0
    approved = await hooks.post("head", f"/api/v1/acquisitions/{asked['id']}/approval")
    assert approved.status_code == 200, approved.text
    receiver = Receiver(200)
    assert await hooks.deliver(receiver) == 1
    [body] = receiver.bodies()
    assert body["type"] == "acquisition.completed"
    assert body["data"]["licence"]["id"] == approved.json()["licence"]["id"]


async def test_nothing_is_written_when_the_purchase_fails(hooks: Hooks) -> None:
    await hooks.register()
    await hooks.funded(cents=1_000)
    refused = await hooks.buy("camille", "teacher")  # 12 € with 10 €
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == "/problems/insufficient-funds"
    assert await hooks.count("webhook_deliveries") == 0
    assert await hooks.count("acquisitions") == 0
    assert await hooks.count("licences") == 0
    queued = await hooks.conn.fetchval(
        "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", events.DELIVER_JOB
    )
    assert queued == 0


async def test_without_a_webhook_no_event_is_kept(hooks: Hooks) -> None:
    await hooks.funded()
    assert (await hooks.buy("camille", "teacher")).status_code == 201
    assert await hooks.count("webhook_deliveries") == 0


async def test_each_ended_licence_is_announced_once(hooks: Hooks) -> None:
    await hooks.funded(cents=100_000)
    before = (await hooks.buy("camille", "teacher")).json()  # ended before the webhook
    await hooks.register()
    bought = (await hooks.buy("camille", "teacher")).json()
    refunded = (await hooks.buy("camille", "teacher")).json()
    assert (await hooks.post("head", f"/api/v1/acquisitions/{refunded['id']}/refund")).is_success
    forever = (await hooks.buy("camille", "school")).json()
    assert forever["licence"]["valid_until"] is None
    await hooks.conn.execute(
        "UPDATE licences SET valid_until = now() - interval '1 day' WHERE acquisition_id = $1",
        uuid.UUID(before["id"]),
    )
    await hooks.conn.execute(
        "UPDATE licences SET valid_until = now() + interval '1 hour' "
        "WHERE acquisition_id = ANY($1::uuid[])",
        [uuid.UUID(bought["id"]), uuid.UUID(refunded["id"])],
    )
    clock = Clock()
    assert await events.announce_expiries(hooks.pool, clock=clock) == 0  # not yet
    clock.advance(hours=2)
    assert await events.announce_expiries(hooks.pool, clock=clock, batch=1) == 1
    assert await events.announce_expiries(hooks.pool, clock=clock) == 0  # once only

    receiver = Receiver(200)
    await hooks.deliver(receiver, clock)
    expired = [b for b in receiver.bodies() if b["type"] == "licence.expired"]
    assert [b["data"]["acquisition_id"] for b in expired] == [bought["id"]]
    assert expired[0]["data"]["licence"]["holder"] == bought["licence"]["holder"]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://editeur.example/hooks",
        "http://editeur.example/hooks",  # http only to this machine
        "https://user:pw@editeur.example/hooks",
        "https:///hooks",
        "editeur.example/hooks",
        "https://editeur.example/hooks#frag",
    ],
)
async def test_registration_refuses_bad_urls(hooks: Hooks, url: str) -> None:
    response = await hooks.put("publisher", hooks.publisher, {"url": url})
    assert response.status_code == 422, response.text
    assert await hooks.count("publisher_webhooks") == 0


async def test_a_url_httpx_cannot_read_is_refused_naming_the_field(hooks: Hooks) -> None:
    response = await hooks.put("publisher", hooks.publisher, {"url": "https://0177.0.0.1/x"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["key"] == "url"
    assert "URL illisible" in error["message"]
    assert await hooks.count("publisher_webhooks") == 0


async def test_a_delivery_to_a_url_httpx_cannot_read_fails_at_once(hooks: Hooks) -> None:
    """A URL stored before it was checked this way: the delivery is recorded as failed (not
    left pending with no attempt), and the rest of the batch still goes out."""
    await hooks.register()
    await hooks.funded()
    await hooks.buy("camille", "teacher")
    await hooks.conn.execute("UPDATE publisher_webhooks SET url = 'https://0177.0.0.1/x'")
    receiver = Receiver(200)
    assert await hooks.deliver(receiver) == 1
    [failed] = await hooks.deliveries()
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    assert failed["last_error"].startswith("InvalidURL")
    assert receiver.requests == []

    await hooks.conn.execute("UPDATE publisher_webhooks SET url = 'https://editeur.example/h'")
    await hooks.buy("camille", "teacher")
    assert await hooks.deliver(receiver) == 1
    assert sorted(d["status"] for d in await hooks.deliveries()) == ["delivered", "failed"]


async def test_http_to_this_machine_is_allowed_outside_production_only(hooks: Hooks) -> None:
    response = await hooks.put("publisher", hooks.publisher, {"url": "http://127.0.0.1:9/h"})
    assert response.status_code == 201, response.text
    with pytest.raises(UnprocessableError, match="https est requis"):
        check_url("http://localhost:9/h", production=True)


async def test_only_the_publisher_and_national_admins_manage_its_webhook(hooks: Hooks) -> None:
    other = await hooks.conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Autre', 'approved') RETURNING id"
    )
    hooks.world.people["rival"] = await hooks.conn.fetchval(
        "INSERT INTO people (issuer, subject, display_name, roles, publisher_id) "
        "VALUES ('urn:test', 'rival', 'Rival', ARRAY['publisher'], $1) RETURNING id",
        other,
    )
    body = {"url": "https://editeur.example/hooks"}
    for who, status in (("rival", 403), ("camille", 403), ("head", 403), ("national", 201)):
        response = await hooks.put(who, hooks.publisher, body)
        assert response.status_code == status, (who, response.text)
    assert (await hooks.get("rival", f"{hooks.publisher}/deliveries")).status_code == 403
    assert (await hooks.get("camille", f"{hooks.publisher}/deliveries")).status_code == 403
    assert (await hooks.post("rival", f"{hooks.publisher}/rotation")).status_code == 403
    assert (
        await hooks.client.delete(hooks.publisher, headers=await hooks.headers("rival"))
    ).status_code == 403
    assert (await hooks.get("publisher", hooks.publisher)).json()["url"] == body["url"]

    await hooks.funded()
    await hooks.buy("camille", "teacher")
    [sent] = await hooks.deliveries("national")
    replay = f"/api/v1/webhook-deliveries/{sent['id']}/replay"
    assert (await hooks.post("rival", replay)).status_code == 404
    assert (await hooks.post("camille", replay)).status_code == 403
    assert (await hooks.post("publisher", replay)).status_code == 200
    missing = f"/api/v1/webhook-deliveries/{uuid.uuid4()}/replay"
    assert (await hooks.post("national", missing)).status_code == 404
    unknown = f"/api/v1/publishers/{uuid.uuid4()}/webhook"
    assert (await hooks.put("national", unknown, body)).status_code == 404


async def test_removing_the_webhook_fails_what_is_pending(hooks: Hooks) -> None:
    await hooks.register()
    await hooks.funded()
    await hooks.buy("camille", "teacher")
    removed = await hooks.client.delete(hooks.publisher, headers=await hooks.headers("publisher"))
    assert removed.status_code == 204, removed.text
    [abandoned] = await hooks.deliveries()
    assert (abandoned["status"], abandoned["last_error"]) == ("failed", "webhook supprimé")
    assert (await hooks.get("publisher", hooks.publisher)).status_code == 404
    replay = f"/api/v1/webhook-deliveries/{abandoned['id']}/replay"
    assert (await hooks.post("publisher", replay)).status_code == 422
    await hooks.buy("camille", "teacher")
    assert len(await hooks.deliveries()) == 1


async def test_the_delivery_log_is_paginated(hooks: Hooks) -> None:
    await hooks.register()
    await hooks.funded()
    for _ in range(3):
        await hooks.buy("camille", "free")
    response = await hooks.get("publisher", f"{hooks.publisher}/deliveries", per_page=2, page=2)
    page = response.json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)


async def test_concurrent_purchases_share_their_wake_ups(hooks: Hooks) -> None:
    waker = events.Waker(hooks.pool)
    await asyncio.gather(*(waker.wake() for _ in range(20)))
    jobs = "SELECT count(*) FROM pgqueuer WHERE entrypoint = 'deliver-webhooks'"
    assert 1 <= await hooks.conn.fetchval(jobs) <= 2  # the first, and one for all the others
    await waker.wake()  # a later caller gets a job of its own, enqueued after it called
    assert await hooks.conn.fetchval(jobs) in (2, 3)
