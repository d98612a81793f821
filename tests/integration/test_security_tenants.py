"""A cross-tenant matrix generated from the app's route table.

For every route with a path id (API routes, and the LTI steps a bearer token reaches), the id
is filled with an object of tenant 1 (an establishment of Paris, publisher P1, their teacher),
and each caller of another tenant whom the route's guard admits (a teacher, an establishment
head and an académie administrator of Versailles, publisher P2's staff and machine client)
calls it: 403 or 404, and nothing of tenant 1 in the answer. A new route with a new kind of
path id fails here until the matrix knows what to put in it.

test_access_matrix.py checks the expected answer of each role on a few routes by hand; this
module checks every route, generated, against the one rule that matters across tenants.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from catalogue.errors import ForbiddenError
from catalogue.identity.models import Role
from catalogue.identity.tokens import issue_access_token
from tests.integration.conftest import bearer
from tests.integration.search_corpus import CORPUS
from tests.logs import capture_logs
from tests.support.routes import Endpoint, endpoints

UAI_A, UAI_B = "0750001U", "0780002D"
SECRET_TITLE = "Ressource cachée de P1"
SECRET_COMMUN = "Commun en attente de l'enseignant A"
SECRET_LIST = "Liste privée de l'enseignant A"
COMMUN_DRAFT = {"title": "Adaptation", "licence": "CC-BY-4.0"}

# Public routes that authenticate a bearer token themselves (an LTI launch): in the matrix too.
BEARER_PUBLIC = ("/lti/launch/", "/lti/deep-linking/")
MATRIX = [
    e
    for e in endpoints()
    if e.params
    and (not e.public or e.path.startswith(BEARER_PUBLIC))
    # Global objects (a vocabulary, a budget period) and the national administration's own
    # moderation routes belong to no tenant.
    and not e.path.startswith("/api/v1/vocabularies/")
    and e.roles != frozenset({Role.NATIONAL_ADMIN})
    # Routes of the platform's own machine clients (no role admitted, a scope instead): their
    # tenant is the platform, whose pseudonyms are its own (test_platform_clients.py).
    and e.roles != frozenset()
]
# Bodies that pass validation, so that only the tenant check can refuse.
BODIES: dict[str, Any] = {
    "PUT /api/v1/publisher/resources/{resource_id:uuid}": msgspec.to_builtins(CORPUS["geometrie"]),
    "PUT /api/v1/publishers/{publisher_id:uuid}/webhook": {"url": "https://p2.example/hook"},
    "PUT /api/v1/establishments/{uai:str}/rules": {},
    "PUT /api/v1/academies/{academie:str}/rules": {},
    "POST /api/v1/people/{person_id:uuid}/move": {"to_uai": UAI_B, "reason": "mutation"},
    "POST /api/v1/people/{person_id:uuid}/deactivation": {"reason": "départ"},
    "PUT /api/v1/communs/{commun_id:uuid}": COMMUN_DRAFT,
    "POST /api/v1/communs/{commun_id:uuid}/adaptations": COMMUN_DRAFT,
    "POST /api/v1/communs/{commun_id:uuid}/reports": {"reason": "error"},
    "POST /api/v1/communs/{commun_id:uuid}/decisions": {"action": "hide"},
    "PUT /api/v1/collections/{collection_id:uuid}": {"title": "Prise", "visibility": "public"},
    "POST /api/v1/collections/{collection_id:uuid}/items": {
        "resource_id": "00000000-0000-4000-8000-000000000001"
    },
    "PUT /api/v1/collections/{collection_id:uuid}/items": {"resource_ids": []},
    "POST /api/v1/resources/{resource_id:uuid}/reports": {"reason": "error"},
}


@dataclass
class Tenants:
    values: dict[str, str]  # path parameter -> tenant 1's object
    secrets: list[str]  # what must never reach another tenant
    others: dict[str, tuple[Role, dict[str, str]]]  # caller -> role, headers


async def _person(
    conn: asyncpg.Connection,
    name: str,
    roles: list[str],
    uai: str | None = None,
    academie: str | None = None,
    publisher: UUID | None = None,
) -> UUID:
    person: UUID = await conn.fetchval(
        "INSERT INTO people (issuer, subject, display_name, email, roles, establishment_uai, "
        "academie, publisher_id) VALUES ('urn:test', $1, $1, $1 || '@test.invalid', $2, $3, "
        "$4, $5) RETURNING id",
        name,
        roles,
        uai,
        academie,
        publisher,
    )
    return person


async def _client(conn: asyncpg.Connection, settings: Settings, name: str, publisher: UUID) -> str:
    await conn.execute(
        "INSERT INTO api_clients (client_id, publisher_id, name, secret_hash, scopes) "
        "VALUES ($1, $2, $1, '\\x00', ARRAY['publisher:resources', 'publisher:imports', "
        "'publisher:sales'])",
        name,
        publisher,
    )
    return await issue_access_token(
        conn,
        settings,
        subject=name,
        scope="publisher:resources publisher:imports publisher:sales",
        extra={"client_id": name, "publisher_id": str(publisher)},
    )


@pytest.fixture
async def tenants(conn: asyncpg.Connection, settings: Settings) -> Tenants:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES "
        "($1, 'Collège A', 'paris'), ($2, 'Lycée B', 'versailles')",
        UAI_A,
        UAI_B,
    )
    insert = "INSERT INTO publishers (name, status) VALUES ($1, 'approved') RETURNING id"
    p1 = await conn.fetchval(insert, "Éditions Un")
    p2 = await conn.fetchval(insert, "Éditions Deux")
    teacher_a = await _person(conn, "teacher_a", ["teacher"], UAI_A, "paris")
    await _person(conn, "head_a", ["establishment_admin"], UAI_A, "paris")
    await _person(conn, "staff_p1", ["publisher"], publisher=p1)
    await _client(conn, settings, "client-p1", p1)

    # Tenant 1's objects: a draft resource (an LTI tool's), an import, a harvest source and
    # run, a webhook delivery, and an acquisition of the Paris teacher waiting for approval.
    resource = await conn.fetchval(
        "INSERT INTO resources (publisher_id, status, title) VALUES ($1, 'draft', $2) RETURNING id",
        p1,
        SECRET_TITLE,
    )
    offer = await conn.fetchval(
        "INSERT INTO offers (resource_id, licence_type, unit_price_cents, duration) "
        "VALUES ($1, 'teacher', 0, 'perpetual') RETURNING id",
        resource,
    )
    tool = await conn.fetchval(
        "INSERT INTO lti_tools (publisher_id, client_id, deployment_id, name, "
        "initiate_login_uri, redirect_uris, jwks_uri, target_link_uri, registered_by) "
        "VALUES ($1, 'tool-p1', 'd', 'Outil P1', 'https://p1.example/login', "
        "ARRAY['https://p1.example/launch'], 'https://p1.example/jwks', "
        "'https://p1.example/launch', 'api') RETURNING id",
        p1,
    )
    await conn.execute("UPDATE resources SET lti_tool_id = $2 WHERE id = $1", resource, tool)
    imported = await conn.fetchval(
        "INSERT INTO imports (publisher_id, connector, source, created, updated, unchanged, "
        "rejected, items) VALUES ($1, 'json', 'api', 1, 0, 0, 0, '[]') RETURNING id",
        p1,
    )
    source = await conn.fetchval(
        "INSERT INTO harvest_sources (publisher_id, base_url) "
        "VALUES ($1, 'https://p1.example/oai') RETURNING id",
        p1,
    )
    run = await conn.fetchval(
        "INSERT INTO harvest_runs (source_id) VALUES ($1) RETURNING id", source
    )
    delivery = await conn.fetchval(
        "INSERT INTO webhook_deliveries (id, publisher_id, event_type, payload) "
        "VALUES (gen_random_uuid(), $1, 'acquisition.completed', '{}') RETURNING id",
        p1,
    )
    period = await conn.fetchval(
        "INSERT INTO budget_periods (name, starts_on, ends_on) "
        "VALUES ('2026', current_date - 1, current_date + 300) RETURNING id"
    )
    acquisition = await conn.fetchval(
        "INSERT INTO acquisitions (person_id, idempotency_key, request_hash, period_id, "
        "offer_id, resource_id, publisher_id, establishment_uai, academie, quantity, "
        "unit_price_cents, total_cents, status, response_status, response) "
        "VALUES ($1, 'k', '\\x00', $2, $3, $4, $5, $6, 'paris', 1, 0, 0, 'pending_approval', "
        "202, '{}') RETURNING id",
        teacher_a,
        period,
        offer,
        resource,
        p1,
        UAI_A,
    )

    # A commun of the Paris teacher, awaiting its first review: only they and Paris's
    # académie see it.
    commun = await conn.fetchval(
        "INSERT INTO resources (publisher_id, status, title, connector) VALUES "
        "('00000000-0000-4000-8000-00000000c033', 'draft', $1, 'commun') RETURNING id",
        SECRET_COMMUN,
    )
    await conn.execute(
        "INSERT INTO communs (resource_id, author_id, establishment_uai, academie, show_name, "
        "licence) VALUES ($1, $2, $3, 'paris', false, 'CC-BY-4.0')",
        commun,
        teacher_a,
        UAI_A,
    )
    await conn.execute(
        "INSERT INTO commun_versions (resource_id, version, content) VALUES ($1, 1, $2)",
        commun,
        {"title": SECRET_COMMUN, "licence": "CC-BY-4.0"},
    )
    commun_file = await conn.fetchval(
        "INSERT INTO commun_files (resource_id, name, media_type, size, sha256, storage_key) "
        "VALUES ($1, 'cours.pdf', 'application/pdf', 10, 'x', 'communs/a/b') RETURNING id",
        commun,
    )

    # A private list of the Paris teacher, holding their draft resource.
    collection = await conn.fetchval(
        "INSERT INTO collections (owner_id, title) VALUES ($1, $2) RETURNING id",
        teacher_a,
        SECRET_LIST,
    )
    await conn.execute(
        "INSERT INTO collection_items (collection_id, resource_id, position) VALUES ($1, $2, 1)",
        collection,
        resource,
    )

    others: dict[str, tuple[Role, dict[str, str]]] = {}
    for name, role, uai, academie, publisher in (
        ("teacher_b", Role.TEACHER, UAI_B, "versailles", None),
        ("head_b", Role.ESTABLISHMENT_ADMIN, UAI_B, "versailles", None),
        ("academie_versailles", Role.ACADEMIE_ADMIN, None, "versailles", None),
        ("staff_p2", Role.PUBLISHER, None, None, p2),
    ):
        person = await _person(conn, name, [str(role)], uai, academie, publisher)
        others[name] = (role, await bearer(conn, settings, person))
    token = await _client(conn, settings, "client-p2", p2)
    others["client_p2"] = (Role.PUBLISHER, {"Authorization": f"Bearer {token}"})

    values = {
        "resource_id": resource,
        "import_id": imported,
        "source_id": source,
        "run_id": run,
        "delivery_id": delivery,
        "acquisition_id": acquisition,
        "person_id": teacher_a,
        "publisher_id": p1,
        "client_id": "client-p1",
        "uai": UAI_A,
        "academie": "paris",
        "decision": "approval",
        "commun_id": commun,
        "file_id": commun_file,
        "number": 1,
        "name": "autre.pdf",
        "collection_id": collection,
        "feature_scope": "establishment",
    }
    secrets = [
        SECRET_COMMUN,
        SECRET_LIST,
        SECRET_TITLE,
        "teacher_a",
        "head_a",
        "staff_p1",
        "Outil P1",
        "p1.example",
    ]
    secrets += [
        str(v)
        for k, v in values.items()
        if k not in ("decision", "academie", "number", "name", "feature_scope")
    ]
    return Tenants({k: str(v) for k, v in values.items()}, secrets, others)


def test_the_matrix_covers_the_routes_with_ids() -> None:
    ids = {e.id for e in MATRIX}
    assert "GET /api/v1/people/{person_id:uuid}" in ids
    assert "POST /api/v1/acquisitions/{acquisition_id:uuid}/{decision:str}" in ids
    assert "GET /lti/launch/{resource_id:uuid}" in ids
    assert len(MATRIX) >= 25


@pytest.mark.parametrize("endpoint", MATRIX, ids=[e.id for e in MATRIX])
async def test_another_tenant_gets_403_or_404_and_nothing_of_the_tenant(
    client: httpx.AsyncClient, tenants: Tenants, endpoint: Endpoint
) -> None:
    unknown = [name for name, _ in endpoint.params if name not in tenants.values]
    assert unknown == [], f"teach the matrix what a {unknown} of tenant 1 is"
    url = endpoint.url(**tenants.values)
    body = BODIES.get(endpoint.id)
    callers = [c for c, (role, _) in tenants.others.items() if endpoint.admits(role)]
    assert callers, "no other tenant reaches this route: exclude it with the reason"
    seen: dict[str, int] = {}
    generic = 0
    with capture_logs() as logs:
        for caller in callers:
            headers = tenants.others[caller][1]
            response = await client.request(endpoint.method, url, json=body, headers=headers)
            seen[caller] = response.status_code
            problem: dict[str, Any] = {}
            text = response.text
            if response.headers.get("content-type", "").startswith("application/problem+json"):
                problem = response.json()
                problem.pop("instance")  # the path asked for, echoed back
                text = json.dumps(problem, ensure_ascii=False)
            leaked = [s for s in tenants.secrets if s in text]
            assert leaked == [], f"{caller} read {leaked} in {text}"
            if problem.get("type") == "/problems/forbidden":
                assert problem["detail"] == ForbiddenError.generic_detail
                generic += 1
    assert {c: s in (403, 404) for c, s in seen.items()} == dict.fromkeys(seen, True), seen
    # The reason of each generic refusal is in the log, one line each, for the operator.
    refusals = [line for line in logs if line["event"] == "request refused"]
    assert len(refusals) == generic
