"""Identity's refusals read in French by API callers; the reasons logged stay in English."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.errors import NotFoundError
from catalogue.identity.demo import demo_person_id
from tests.integration.conftest import open_client
from tests.integration.test_clients import admin, basic, get_token, publisher
from tests.logs import capture_logs
from tests.support.oidc_provider import FakeProvider

__all__ = ["admin", "publisher"]  # fixtures shared with test_clients


async def test_the_token_endpoint_refuses_in_french(
    client: httpx.AsyncClient, admin: dict[str, str], publisher: UUID
) -> None:
    created = (
        await client.post(
            f"/api/v1/publishers/{publisher}/clients",
            json={"name": "c", "scopes": ["publisher:resources"]},
            headers=admin,
        )
    ).json()
    cid, secret = created["client_id"], created["client_secret"]
    grant = await client.post(
        "/oauth/token", data={"grant_type": "password"}, headers=basic(cid, secret)
    )
    assert grant.json()["detail"] == "Seul le type d'autorisation client_credentials est accepté."
    scope = await get_token(client, cid, secret, scope="publisher:sales")
    assert scope.json()["detail"] == "Portée non accordée à ce client : publisher:sales."


async def test_a_form_post_without_its_csrf_token_is_refused_in_french(
    client: httpx.AsyncClient,
) -> None:
    forged = await client.post("/auth/logout")
    assert forged.status_code == 403
    assert forged.json()["detail"] == (
        "Jeton CSRF absent ou invalide : rechargez la page, puis envoyez à nouveau le formulaire."
    )


async def test_an_identity_provider_away_is_told_in_french_and_logged_in_english(
    oidc_settings: Settings,
) -> None:
    def away(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    token = FakeProvider().access_token()
    app = create_asgi_app(oidc_settings, http_transport=httpx.MockTransport(away))
    async for client in open_client(app):
        with capture_logs() as logs:
            response = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 503
        assert response.json()["detail"] == (
            "Le fournisseur d'identité ne répond pas : réessayez dans un moment."
        )
        [line] = [line for line in logs if line["event"] == "request failed"]
        assert line["error"] == "identity provider unreachable (ConnectError)"


async def test_demo_identities_not_loaded_are_told_in_french_to_callers_in_english_to_the_cli(
    settings: Settings, conn: asyncpg.Connection
) -> None:
    with pytest.raises(NotFoundError) as refused:
        await demo_person_id(conn, "teacher")
    assert refused.value.detail == (
        "the demo identities are not loaded in this database: run `catalogue serve --demo` first"
    )
    async for client in open_client(create_asgi_app(msgspec.structs.replace(settings, demo=True))):
        await client.get("/auth/demo")
        response = await client.post(
            "/auth/demo", data={"role": "teacher", "_csrf_token": client.cookies["csrftoken"]}
        )
        assert response.status_code == 404
        assert response.json()["detail"] == (
            "Les identités de démonstration ne sont pas chargées dans cette base."
        )
