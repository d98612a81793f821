"""LTI 1.3 end to end against pylti1p3 (an independent tool implementation), through HTTP:
registration (API and Dynamic Registration), resource launch, Deep Linking, and the cases
certification suites check."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import asyncpg
import httpx
import jwt as pyjwt
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.identity.keys import key_sealer, rotate_signing_key
from catalogue.identity.secrets import derive_key, pseudonym
from tests.integration.conftest import bearer, open_client
from tests.integration.ledger_world import UAI, World, build_world
from tests.support.lti_tool import LAUNCH_URL, PyLtiTool, posted_form, rsa_pem

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class Platform:
    def __init__(
        self,
        client: httpx.AsyncClient,
        conn: asyncpg.Connection,
        settings: Settings,
        world: World,
        tool: PyLtiTool,
    ) -> None:
        self.client, self.conn, self.settings, self.world, self.tool = (
            client,
            conn,
            settings,
            world,
            tool,
        )
        self.headers: dict[str, dict[str, str]] = {}

    async def as_(self, who: str) -> dict[str, str]:
        if who not in self.headers:
            self.headers[who] = await bearer(self.conn, self.settings, self.world.people[who])
        return self.headers[who]

    async def register(self, **extra: Any) -> dict[str, Any]:
        body = self.tool.registration(
            offers=[
                {"licence_type": "teacher", "unit_price_cents": 900, "duration": "school_year"}
            ],
            **extra,
        )
        response = await self.client.post(
            "/api/v1/publisher/lti/tools", json=body, headers=await self.as_("publisher")
        )
        assert response.status_code == 201, response.text
        registered: dict[str, Any] = response.json()
        jwks = (await self.client.get("/.well-known/jwks.json")).json()
        self.tool.trust(
            self.settings.issuer, registered["client_id"], registered["deployment_id"], jwks
        )
        return registered

    async def buy(self, who: str, resource_id: str) -> None:
        resource = (
            await self.client.get(f"/api/v1/resources/{resource_id}", headers=await self.as_(who))
        ).json()
        headers = {**await self.as_(who), "Idempotency-Key": uuid.uuid4().hex}
        body = {"offer_id": resource["offers"][0]["id"]}
        response = await self.client.post("/api/v1/acquisitions", json=body, headers=headers)
        assert response.status_code == 201, response.text

    async def authorize_url(self, who: str, path: str) -> str:
        """From the teacher's click to the tool's authentication request."""
        started = await self.client.get(path, headers=await self.as_(who))
        assert started.status_code == 302, started.text
        return self.tool.login(started.headers["location"])

    async def authorize(self, who: str, url: str) -> httpx.Response:
        parts = urlsplit(url)
        return await self.client.get(f"{parts.path}?{parts.query}", headers=await self.as_(who))

    async def launch(self, who: str, path: str) -> Any:
        page = await self.authorize(who, await self.authorize_url(who, path))
        assert page.status_code == 200, page.text
        action, fields = posted_form(page.text)
        assert action == LAUNCH_URL
        # The page may post to the tool, and nowhere else; no one may frame it but us.
        tool = urlsplit(LAUNCH_URL)
        csp = page.headers["content-security-policy"]
        assert f"form-action 'self' {tool.scheme}://{tool.netloc};" in csp
        assert "frame-ancestors 'self'" in csp
        assert page.headers["cache-control"] == "no-store"  # the page holds an id_token
        return self.tool.launch(fields)


@pytest.fixture
async def platform(settings: Settings, conn: asyncpg.Connection) -> AsyncIterator[Platform]:
    tool = PyLtiTool()
    world = await build_world(conn)
    app = create_asgi_app(settings, http_transport=tool.transport(), key_refresh_s=0)
    async for client in open_client(app):
        p = Platform(client, conn, settings, world, tool)
        headers = await p.as_("national")
        for path, body in (
            ("/api/v1/periods", {}),
            (
                "/api/v1/allocations",
                {"to_kind": "academie", "to": "paris", "amount_cents": 100_000},
            ),
            (
                "/api/v1/allocations",
                {"to_kind": "establishment", "to": UAI, "amount_cents": 50_000},
            ),
            (
                "/api/v1/allocations",
                {"to_kind": "teacher", "to": str(world.people["camille"]), "amount_cents": 5_000},
            ),
        ):
            assert (await client.post(path, json=body, headers=headers)).status_code == 201
        yield p


async def test_a_teacher_launches_an_acquired_tool_under_a_pseudonym(platform: Platform) -> None:
    registered = await platform.register()
    resource_id = registered["resource_id"]
    await platform.buy("camille", resource_id)
    message = await platform.launch("camille", f"/lti/launch/{resource_id}")
    claims = message.get_launch_data()

    key = derive_key(platform.settings.secret_key or "", "pseudonym")
    expected = pseudonym(key, platform.world.people["camille"], platform.world.publisher_id)  # type: ignore[arg-type]
    assert claims["sub"] == expected
    assert not {"name", "email", "given_name", "family_name"} & set(claims)
    assert message.is_resource_launch()
    assert claims[f"{CLAIM}version"] == "1.3.0"
    assert claims[f"{CLAIM}deployment_id"] == registered["deployment_id"]
    assert claims[f"{CLAIM}target_link_uri"] == LAUNCH_URL
    assert claims[f"{CLAIM}resource_link"]["id"] == resource_id
    assert claims[f"{CLAIM}context"]["id"] == UAI
    assert claims[f"{CLAIM}custom"] == {"niveau": "6e"}
    assert claims[f"{CLAIM}tool_platform"]["product_family_code"] == "catalogue-ressources"
    assert message.check_teacher_access()


async def test_deep_linking_stores_the_picked_contents_as_launchable_links(
    platform: Platform,
) -> None:
    registered = await platform.register()
    resource_id = registered["resource_id"]
    await platform.buy("camille", resource_id)
    message = await platform.launch("camille", f"/lti/deep-linking/{resource_id}")
    assert message.is_deep_link_launch()
    token = platform.tool.deep_link_jwt(
        message, [("Le triangle", "https://outil.example/triangle")]
    )
    page = await platform.client.post("/lti/deep-link/return", data={"JWT": token})
    assert page.status_code == 200, page.text
    assert "Le triangle" in page.text
    replay = await platform.client.post("/lti/deep-link/return", data={"JWT": token})
    assert replay.status_code == 400  # a launch is answered once

    links = (
        await platform.client.get("/api/v1/me/lti-links", headers=await platform.as_("camille"))
    ).json()
    assert [link["title"] for link in links] == ["Le triangle"]
    again = await platform.launch("camille", f"/lti/launch/{resource_id}?link={links[0]['id']}")
    claims = again.get_launch_data()
    assert claims[f"{CLAIM}target_link_uri"] == "https://outil.example/triangle"
    assert claims[f"{CLAIM}resource_link"]["id"] == links[0]["id"]


async def test_refused_launches_end_on_a_page_saying_why(platform: Platform) -> None:
    registered = await platform.register()
    resource_id = registered["resource_id"]
    no_licence = await platform.client.get(
        f"/lti/launch/{resource_id}", headers=await platform.as_("camille")
    )
    assert no_licence.status_code == 403
    assert "licence" in no_licence.text
    assert no_licence.headers["content-type"].startswith("text/html")

    await platform.buy("camille", resource_id)
    url = await platform.authorize_url("camille", f"/lti/launch/{resource_id}")
    wrong_redirect = url.replace("redirect_uri=https", "redirect_uri=https%3A%2F%2Fevil.example%2F")
    assert (await platform.authorize("camille", wrong_redirect)).status_code == 400
    assert (await platform.authorize("camille", url)).status_code == 200
    replayed = await platform.authorize("camille", url)
    assert replayed.status_code == 400
    assert "Nonce" in replayed.text

    other = await platform.authorize_url("camille", f"/lti/launch/{resource_id}")
    assert (await platform.authorize("dominique", other)).status_code == 400  # not their launch
    query = dict(parse_qsl(urlsplit(other).query))
    query["client_id"] = "inconnu"
    assert (
        await platform.authorize("camille", f"/lti/authorize?{urlencode(query)}")
    ).status_code == 400

    await platform.conn.execute("UPDATE licences SET valid_until = now() - interval '1 day'")
    expired = await platform.client.get(
        f"/lti/launch/{resource_id}", headers=await platform.as_("camille")
    )
    assert expired.status_code == 403
    anonymous = await platform.client.get(f"/lti/launch/{resource_id}")
    assert anonymous.status_code == 401
    assert "Connectez-vous" in anonymous.text


async def test_a_request_posted_from_the_tools_site_is_posted_again_from_ours(
    platform: Platform,
) -> None:
    """A cross-site POST comes without the SameSite=Lax session cookie: the platform asks
    the browser to post it again from its own page (then with the cookie), once."""
    resource_id = (await platform.register())["resource_id"]
    await platform.buy("camille", resource_id)
    url = await platform.authorize_url("camille", f"/lti/launch/{resource_id}")
    request = dict(parse_qsl(urlsplit(url).query))

    from_the_tool = await platform.client.post("/lti/authorize", data=request)  # no cookie
    assert from_the_tool.status_code == 200
    action, fields = posted_form(from_the_tool.text)
    assert action == "/lti/authorize"
    assert fields == {**request, "catalogue_reposted": "1"}

    still_anonymous = await platform.client.post("/lti/authorize", data=fields)
    assert still_anonymous.status_code == 401  # posted again once, not round and round
    signed_in = await platform.client.post(
        "/lti/authorize", data=fields, headers=await platform.as_("camille")
    )
    assert signed_in.status_code == 200
    action, launch_fields = posted_form(signed_in.text)
    assert action == LAUNCH_URL
    assert platform.tool.launch(launch_fields)


def _deep_link_claims(
    platform: Platform, registered: dict[str, Any], data: str, **changes: Any
) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": registered["client_id"],
        "aud": [platform.settings.issuer],
        "iat": now,
        "exp": now + 300,
        "nonce": uuid.uuid4().hex,
        f"{CLAIM}deployment_id": registered["deployment_id"],
        f"{CLAIM}message_type": "LtiDeepLinkingResponse",
        f"{CLAIM}version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [
            {"type": "link", "title": "Cercle", "url": "https://outil.example/cercle"}
        ],
        "https://purl.imsglobal.org/spec/lti-dl/claim/data": data,
    }
    claims.update(changes)
    return claims


async def test_a_deep_linking_response_must_be_signed_by_the_tool(platform: Platform) -> None:
    registered = await platform.register()
    resource_id = registered["resource_id"]
    await platform.buy("camille", resource_id)
    message = await platform.launch("camille", f"/lti/deep-linking/{resource_id}")
    data = message.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    ]["data"]
    stranger, _ = rsa_pem()
    key = platform.tool.private_pem
    cases = {
        "no kid": pyjwt.encode(
            _deep_link_claims(platform, registered, data), key, algorithm="RS256"
        ),
        "unknown kid": pyjwt.encode(
            _deep_link_claims(platform, registered, data),
            key,
            algorithm="RS256",
            headers={"kid": "autre"},
        ),
        "bad signature": pyjwt.encode(
            _deep_link_claims(platform, registered, data),
            stranger,
            algorithm="RS256",
            headers={"kid": platform.tool.kid},
        ),
        "unknown deployment": pyjwt.encode(
            _deep_link_claims(platform, registered, data, **{f"{CLAIM}deployment_id": "autre"}),
            key,
            algorithm="RS256",
            headers={"kid": platform.tool.kid},
        ),
        "expired": pyjwt.encode(
            _deep_link_claims(platform, registered, data, exp=int(time.time()) - 600),
            key,
            algorithm="RS256",
            headers={"kid": platform.tool.kid},
        ),
        "wrong version": pyjwt.encode(
            _deep_link_claims(platform, registered, data, **{f"{CLAIM}version": "1.1"}),
            key,
            algorithm="RS256",
            headers={"kid": platform.tool.kid},
        ),
    }
    for case, token in cases.items():
        response = await platform.client.post("/lti/deep-link/return", data={"JWT": token})
        assert response.status_code == 400, case
    assert await platform.conn.fetchval("SELECT count(*) FROM lti_links") == 0
    good = pyjwt.encode(
        _deep_link_claims(platform, registered, data),
        key,
        algorithm="RS256",
        headers={"kid": platform.tool.kid},
    )
    assert (
        await platform.client.post("/lti/deep-link/return", data={"JWT": good})
    ).status_code == 200


async def test_dynamic_registration(platform: Platform) -> None:
    start = await platform.client.post(
        "/api/v1/publisher/lti/registrations",
        json={"tool_registration_url": "https://outil.example/register"},
        headers=await platform.as_("publisher"),
    )
    assert start.status_code == 201, start.text
    query = dict(parse_qsl(urlsplit(start.json()["url"]).query))
    configuration_path = urlsplit(query["openid_configuration"]).path
    configuration = (await platform.client.get(configuration_path)).json()
    assert configuration["issuer"] == platform.settings.issuer
    # Every key Moodle 3.11 and Sakai publish, so that tools written against them find theirs.
    assert set(configuration) >= {
        "issuer",
        "authorization_endpoint",
        "registration_endpoint",
        "jwks_uri",
        "token_endpoint",
        "token_endpoint_auth_methods_supported",
        "token_endpoint_auth_signing_alg_values_supported",
        "scopes_supported",
        "response_types_supported",
        "subject_types_supported",
        "id_token_signing_alg_values_supported",
        "claims_supported",
        "https://purl.imsglobal.org/spec/lti-platform-configuration",
    }
    register_path = urlsplit(configuration["registration_endpoint"]).path
    token = {"Authorization": f"Bearer {query['registration_token']}"}

    # As Moodle-era tools do: messages as plain strings, extra fields.
    body = platform.tool.registration(
        application_type="web", grant_types=["implicit", "client_credentials"]
    )
    body["https://purl.imsglobal.org/spec/lti-tool-configuration"]["messages"] = [
        "LtiResourceLinkRequest"
    ]
    missing = await platform.client.post(
        register_path, json={"client_name": "Sans rien"}, headers=token
    )
    assert missing.status_code == 422
    assert {e["key"] for e in missing.json()["errors"]} >= {
        "initiate_login_uri",
        "redirect_uris",
        "jwks_uri",
    }

    # A refused attempt does not spend the token: the tool may correct and try again.
    answer = await platform.client.post(register_path, json=body, headers=token)
    assert answer.status_code == 200, answer.text
    registered = answer.json()
    assert registered["client_id"]
    assert registered["https://purl.imsglobal.org/spec/lti-tool-configuration"]["deployment_id"]
    assert (await platform.client.post(register_path, json=body, headers=token)).status_code == 401
    tools = (
        await platform.client.get(
            "/api/v1/publisher/lti/tools", headers=await platform.as_("publisher")
        )
    ).json()
    assert [t["client_id"] for t in tools] == [registered["client_id"]]


async def test_registration_refuses_unreadable_keys_and_bad_urls(platform: Platform) -> None:
    headers = await platform.as_("publisher")
    unreachable = platform.tool.registration(jwks_uri="https://outil.example/absent.json")
    response = await platform.client.post(
        "/api/v1/publisher/lti/tools", json=unreachable, headers=headers
    )
    assert response.status_code == 422
    assert "jwks_uri" in response.json()["detail"]
    plain_http = platform.tool.registration(initiate_login_uri="http://outil.example/login")
    response = await platform.client.post(
        "/api/v1/publisher/lti/tools", json=plain_http, headers=headers
    )
    assert response.status_code == 422
    teacher = await platform.as_("camille")
    assert (
        await platform.client.post("/api/v1/publisher/lti/tools", json=unreachable, headers=teacher)
    ).status_code == 403


async def test_rotated_keys_keep_the_previous_one_published(platform: Platform) -> None:
    before = {
        k["kid"] for k in (await platform.client.get("/.well-known/jwks.json")).json()["keys"]
    }
    new = await rotate_signing_key(platform.conn, key_sealer(platform.settings))
    after = {k["kid"] for k in (await platform.client.get("/.well-known/jwks.json")).json()["keys"]}
    assert after == before | {new.kid}
    await platform.conn.execute(
        "UPDATE signing_keys SET retired_at = now() - interval '2 hours' WHERE kid <> $1", new.kid
    )
    assert {
        k["kid"] for k in (await platform.client.get("/.well-known/jwks.json")).json()["keys"]
    } == {new.kid}


TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


async def _registration_token(platform: Platform) -> dict[str, str]:
    start = await platform.client.post(
        "/api/v1/publisher/lti/registrations",
        json={"tool_registration_url": "https://outil.example/register"},
        headers=await platform.as_("publisher"),
    )
    assert start.status_code == 201, start.text
    token = dict(parse_qsl(urlsplit(start.json()["url"]).query))["registration_token"]
    return {"Authorization": f"Bearer {token}"}


async def _written(platform: Platform) -> tuple[int, int]:
    tools = await platform.conn.fetchval("SELECT count(*) FROM lti_tools")
    resources = await platform.conn.fetchval("SELECT count(*) FROM resources")
    return tools, resources


async def test_dynamic_registration_without_the_tool_configuration_writes_nothing(
    platform: Platform,
) -> None:
    token = await _registration_token(platform)
    before = await _written(platform)
    body = platform.tool.registration()
    del body[TOOL_CONFIGURATION]
    for _ in range(3):
        refused = await platform.client.post("/lti/register", json=body, headers=token)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["key"] for e in refused.json()["errors"]] == [TOOL_CONFIGURATION]
    assert await _written(platform) == before

    # The token was not spent: the tool sends the claim and gets its client_id.
    body[TOOL_CONFIGURATION] = platform.tool.registration()[TOOL_CONFIGURATION]
    answer = await platform.client.post("/lti/register", json=body, headers=token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["client_id"]


async def test_a_registration_url_httpx_cannot_read_is_a_422_naming_the_field(
    platform: Platform,
) -> None:
    token = await _registration_token(platform)
    before = await _written(platform)
    body = platform.tool.registration(initiate_login_uri="https://0177.0.0.1/login")
    answer = await platform.client.post("/lti/register", json=body, headers=token)
    assert answer.status_code == 422, answer.text
    assert [e["key"] for e in answer.json()["errors"]] == ["initiate_login_uri"]
    manual = await platform.client.post(
        "/api/v1/publisher/lti/tools", json=body, headers=await platform.as_("publisher")
    )
    assert manual.status_code == 422, manual.text
    start = await platform.client.post(
        "/api/v1/publisher/lti/registrations",
        json={"tool_registration_url": "https://0177.0.0.1/register"},
        headers=await platform.as_("publisher"),
    )
    assert start.status_code == 422, start.text
    assert [e["key"] for e in start.json()["errors"]] == ["tool_registration_url"]
    assert await _written(platform) == before


async def test_deeply_nested_json_to_the_registration_endpoint_is_a_400(
    platform: Platform,
) -> None:
    token = await _registration_token(platform)
    nested = b'{"client_name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = await platform.client.post(
        "/lti/register",
        content=nested,
        headers={**token, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


async def _status(platform: Platform, resource_id: str) -> str:
    status: str = await platform.conn.fetchval(
        "SELECT status FROM resources WHERE id = $1", uuid.UUID(resource_id)
    )
    return status


async def test_a_tool_without_offers_stays_a_draft_until_its_publisher_adds_one(
    platform: Platform,
) -> None:
    token = await _registration_token(platform)
    dynamic = await platform.client.post(
        "/lti/register", json=platform.tool.registration(), headers=token
    )
    assert dynamic.status_code == 200, dynamic.text
    client_id = dynamic.json()["client_id"]
    resource_id = await platform.conn.fetchval(
        "SELECT r.id FROM resources r JOIN lti_tools t ON t.id = r.lti_tool_id "
        "WHERE t.client_id = $1",
        client_id,
    )
    assert await _status(platform, str(resource_id)) == "draft"

    publisher = await platform.as_("publisher")
    bare = await platform.client.post(
        "/api/v1/publisher/lti/tools", json=platform.tool.registration(), headers=publisher
    )
    assert bare.status_code == 201, bare.text
    assert await _status(platform, bare.json()["resource_id"]) == "draft"
    sold = await platform.register()  # with an offer
    assert await _status(platform, sold["resource_id"]) == "published"

    # The publisher adds an offer: the tool becomes a published resource.
    resource = {
        "title": "Atelier de géométrie",
        "access_url": "https://outil.example/launch",
        "status": "published",
        "offers": [{"licence_type": "teacher", "unit_price_cents": 900, "duration": "school_year"}],
    }
    put = await platform.client.put(
        f"/api/v1/publisher/resources/{resource_id}", json=resource, headers=publisher
    )
    assert put.status_code == 200, put.text
    assert await _status(platform, str(resource_id)) == "published"


async def test_tool_keys_at_a_url_httpx_cannot_read_refuse_the_message_not_a_500(
    platform: Platform,
) -> None:
    registered = await platform.register()
    await platform.conn.execute(
        "UPDATE lti_tools SET jwks_uri = 'https://0177.0.0.1/keys' WHERE client_id = $1",
        registered["client_id"],
    )
    token = pyjwt.encode(
        _deep_link_claims(platform, registered, "x"),
        platform.tool.private_pem,
        algorithm="RS256",
        headers={"kid": platform.tool.kid},
    )
    response = await platform.client.post("/lti/deep-link/return", data={"JWT": token})
    assert 400 <= response.status_code < 500, response.text
    assert await platform.conn.fetchval("SELECT count(*) FROM lti_links") == 0
