"""Security headers on every page of the route table, for every role, and the LTI pages'
own policy (they post a form to a tool)."""

from __future__ import annotations

import re
import uuid

import asyncpg
import httpx
import msgspec
import pytest
from litestar import Litestar

from catalogue.app import create_app, create_asgi_app
from catalogue.config import Settings
from catalogue.demo import load_demo
from catalogue.identity.demo import DEMO_IDENTITIES
from catalogue.lti.api import auto_post_policy
from tests.integration.conftest import open_client
from tests.integration.test_pages import sign_in

ROLES = [None, *DEMO_IDENTITIES]


def page_paths(app: Litestar) -> list[str]:
    """Every GET route of the table but the API's (pages, OAI-PMH, health, keys...), its path
    parameters filled in with unknown ids."""
    paths = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" not in handler.http_methods:
                continue
            if route.path.startswith(("/static", "/schema", "/api/")):
                continue
            paths.append(re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path))
    return sorted(set(paths))


def policy(response: httpx.Response) -> dict[str, str]:
    directives = response.headers["content-security-policy"].split(";")
    return {d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2] for d in directives}


def assert_common_headers(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert response.headers.get("x-content-type-options") == "nosniff", where
    assert response.headers.get("referrer-policy") == "same-origin", where
    csp = policy(response)
    assert "unsafe-inline" not in response.headers["content-security-policy"], where
    assert "unsafe-eval" not in response.headers["content-security-policy"], where
    assert csp["script-src"] == "'self'", where
    assert csp["style-src"] == "'self'", where
    assert csp["default-src"] == "'none'", where


@pytest.fixture
async def demo_settings(settings: Settings, conn: asyncpg.Connection) -> Settings:
    demo = msgspec.structs.replace(settings, demo=True)
    await load_demo(conn, demo)
    return demo


async def test_every_page_carries_the_security_headers_for_every_role(
    demo_settings: Settings,
) -> None:
    paths = page_paths(create_app(demo_settings))
    assert len(paths) > 20
    seen_html = set()
    for role in ROLES:
        async for client in open_client(create_asgi_app(demo_settings)):
            if role:
                assert (await sign_in(client, role)).status_code == 303
            for path in paths:
                response = await client.get(path)
                assert_common_headers(response)
                where = f"{role}: {path} ({response.status_code})"
                if path.startswith("/lti/"):  # the auto-posted forms: their own policy
                    assert policy(response)["frame-ancestors"] in ("'self'", "'none'"), where
                else:
                    assert policy(response)["frame-ancestors"] == "'none'", where
                    assert policy(response)["form-action"] == "'self'", where
                if response.headers.get("content-type", "").startswith("text/html"):
                    seen_html.add(path)
                    assert response.headers.get("cache-control") == "no-store", where
                    # Nothing inline that the policy would block.
                    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), where
                    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", response.text), where
    assert {"/", "/enseignant/compte", "/admin", "/editeur", "/recherche"} <= seen_html


async def test_the_api_is_never_stored_and_sniffed(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/api/v1/me", "/healthz", "/nowhere"):
        response = await client.get(path)
        assert_common_headers(response)
        assert policy(response)["frame-ancestors"] == "'none'"
    assert (await client.get("/api/v1/me")).headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("public_url", "hsts"), [("https://catalogue.example.fr", True), (None, False)]
)
async def test_hsts_when_the_public_url_is_https(
    settings: Settings, public_url: str | None, hsts: bool
) -> None:
    configured = msgspec.structs.replace(settings, public_url=public_url)
    async for client in open_client(create_asgi_app(configured)):
        for path in ("/", "/healthz", "/nowhere"):
            response = await client.get(path)
            assert ("strict-transport-security" in response.headers) is hsts
            if hsts:
                assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_the_api_docs_load_nothing_from_elsewhere(client: httpx.AsyncClient) -> None:
    for path in ("/schema", "/schema/openapi.json", "/schema/openapi.yaml"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert not response.headers["content-type"].startswith("text/html"), path
        assert "cdn." not in response.text
    for renderer in ("swagger", "redoc", "rapidoc", "elements", "scalar"):
        assert (await client.get(f"/schema/{renderer}")).status_code == 404


@pytest.mark.parametrize(
    ("action", "form_action"),
    [
        ("https://outil.example:8443/launch?x=1", "'self' https://outil.example:8443"),
        ("http://127.0.0.1:9000/launch", "'self' http://127.0.0.1:9000"),
        ("/lti/authorize", "'self'"),
        ("https://outil.example;script-src *", "'self'"),
    ],
)
def test_an_auto_posted_form_may_go_to_its_tool_only(action: str, form_action: str) -> None:
    directives = dict(
        d.strip().split(" ", 1) for d in auto_post_policy(action).split(";") if d.strip()
    )
    assert directives["form-action"] == form_action
    assert directives["frame-ancestors"] == "'self'"
    assert directives["script-src"] == "'self'"
