"""Each role reaches what it should and nothing more, scoped to its establishment,
académie or publisher."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.enums import RequestEncodingType

from catalogue.app import create_app
from catalogue.config import Settings
from catalogue.identity.guards import PUBLIC
from catalogue.identity.tokens import issue_access_token

UAI_A, UAI_B = "0750001U", "0780002D"  # académies of Paris and Versailles


@dataclass
class World:
    people: dict[str, UUID]
    publishers: dict[str, UUID]
    client_p1: str
    headers: dict[str, dict[str, str]]


# Each person: roles, UAI, académie, publisher.
PEOPLE = {
    "teacher_a1": (["teacher"], UAI_A, "paris", None),
    "teacher_a2": (["teacher"], UAI_A, "paris", None),
    "teacher_b1": (["teacher"], UAI_B, "versailles", None),
    "admin_a": (["establishment_admin"], UAI_A, "paris", None),
    "academie_paris": (["academie_admin"], None, "paris", None),
    "national": (["national_admin"], None, None, None),
    "staff_p1": (["publisher"], None, None, "p1"),
    "staff_p2": (["publisher"], None, None, "p2"),
}


@pytest.fixture
async def world(conn: asyncpg.Connection, settings: Settings) -> World:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES "
        "($1, 'Collège A', 'paris'), ($2, 'Lycée B', 'versailles')",
        UAI_A,
        UAI_B,
    )
    publishers = {
        key: await conn.fetchval(
            "INSERT INTO publishers (name, status) VALUES ($1, 'approved') RETURNING id", name
        )
        for key, name in (("p1", "Éditions Un"), ("p2", "Éditions Deux"))
    }
    people = {}
    for name, (roles, uai, academie, publisher) in PEOPLE.items():
        people[name] = await conn.fetchval(
            "INSERT INTO people (issuer, subject, display_name, roles, establishment_uai, "
            "academie, publisher_id) VALUES ('urn:test', $1, $1, $2, $3, $4, $5) RETURNING id",
            name,
            roles,
            uai,
            academie,
            publishers.get(publisher) if publisher else None,
        )
    await conn.execute(
        "INSERT INTO api_clients (client_id, publisher_id, name, secret_hash, scopes) "
        "VALUES ('client-p1', $1, 'P1', '\\x00', ARRAY['publisher:resources'])",
        publishers["p1"],
    )
    headers = {
        name: {
            "Authorization": f"Bearer {await issue_access_token(conn, settings, subject=str(pid))}"
        }
        for name, pid in people.items()
    }
    client_token = await issue_access_token(
        conn,
        settings,
        subject="client-p1",
        scope="publisher:resources",
        extra={"client_id": "client-p1", "publisher_id": str(publishers["p1"])},
    )
    headers["client_p1"] = {"Authorization": f"Bearer {client_token}"}
    headers["anonymous"] = {}
    return World(people, publishers, "client-p1", headers)


CALLERS = [*PEOPLE, "client_p1", "anonymous"]


def expect(allowed: dict[str, int], default: int = 403) -> dict[str, int]:
    return {
        caller: allowed.get(caller, 401 if caller == "anonymous" else default) for caller in CALLERS
    }


# (method, path with {placeholders}, body, expected status per caller)
MATRIX: list[tuple[str, str, object, dict[str, int]]] = [
    ("GET", "/api/v1/me", None, expect({c: 200 for c in CALLERS if c != "anonymous"})),
    (
        "GET",
        "/api/v1/people/{teacher_a2}",
        None,
        expect(
            {
                "teacher_a2": 200,  # oneself
                "teacher_a1": 404,  # another teacher, even in the same school
                "teacher_b1": 404,
                "admin_a": 200,
                "academie_paris": 200,
                "national": 200,
            }
        ),
    ),
    (
        "GET",
        "/api/v1/people/{teacher_b1}",
        None,
        expect(
            {
                "teacher_a1": 404,
                "teacher_a2": 404,
                "teacher_b1": 200,
                "admin_a": 404,  # another establishment
                "academie_paris": 404,  # another académie
                "national": 200,
            }
        ),
    ),
    (
        "GET",
        f"/api/v1/establishments/{UAI_A}/people",
        None,
        expect({"admin_a": 200, "academie_paris": 200, "national": 200}),
    ),
    (
        "GET",
        f"/api/v1/establishments/{UAI_B}/people",
        None,
        expect({"national": 200}),  # admin_a and academie_paris: 403, out of scope
    ),
    ("POST", "/api/v1/publishers", {"name": "Éditions Trois"}, expect({"national": 201})),
    (
        "GET",
        "/api/v1/publishers/{p1}/clients",
        None,
        expect({"national": 200, "staff_p1": 200}),  # staff_p2 and the client: 403
    ),
    (
        "POST",
        "/api/v1/publishers/{p1}/clients",
        {"name": "Intégration"},
        expect({"national": 201}),
    ),
    (
        "POST",
        "/api/v1/publishers/{p1}/clients/client-p1/rotation",
        None,
        expect({"national": 201, "staff_p1": 201}),
    ),
    (
        "DELETE",
        "/api/v1/publishers/{p2}/clients/client-p1",
        None,
        expect({"national": 404, "staff_p2": 404}),  # not p2's client; staff_p1: not p2
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX)
async def test_role_by_endpoint_matrix(
    client: httpx.AsyncClient,
    world: World,
    method: str,
    path: str,
    body: object,
    expected: dict[str, int],
) -> None:
    url = path.format(**{k: str(v) for k, v in {**world.people, **world.publishers}.items()})
    seen = {}
    for caller in CALLERS:
        response = await client.request(method, url, json=body, headers=world.headers[caller])
        seen[caller] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
    assert seen == expected


def test_every_route_is_guarded_or_explicitly_public(settings: Settings) -> None:
    app: Litestar = create_app(settings)
    unguarded = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get(PUBLIC) or route.path.startswith("/schema"):
                continue
            if handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's automatic answer listing the allowed methods
            if not handler.resolve_guards():
                unguarded.append(f"{sorted(handler.http_methods)} {route.path}")
    assert unguarded == []


def _json_body_routes(app: Litestar) -> list[tuple[str, str]]:
    """(method, path) of every route whose handler decodes a JSON body, from the route table."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None:
                continue
            media_type = getattr(data.kwarg_definition, "media_type", RequestEncodingType.JSON)
            if media_type != RequestEncodingType.JSON:
                continue
            found += [(method, route.path) for method in sorted(handler.http_methods)]
    return found


async def test_deeply_nested_json_is_a_400_on_every_json_route(
    client: httpx.AsyncClient, world: World, settings: Settings
) -> None:
    """Never a 500: each route answers 400 to whoever its guard lets through (403/401 to the
    others, before reading the body)."""
    routes = _json_body_routes(create_app(settings))
    assert len(routes) > 10
    nested = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        seen = {}
        for caller in CALLERS:
            response = await client.request(
                method,
                url,
                content=nested,
                headers={**world.headers[caller], "Content-Type": "application/json"},
            )
            seen[caller] = response.status_code
        assert all(status < 500 for status in seen.values()), (method, path, seen)
        assert 400 in seen.values(), (method, path, seen)
