"""SCIM 2.0 provisioning (/scim/v2): people and establishments created before anyone signs
in, by a platform client holding scim:write; SCIM's own errors; ids only in the logs."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import httpx
import pytest

from catalogue.config import Settings
from catalogue.identity import client_cache
from tests.integration.platform import (
    client_token,
    national_admin,
    platform_client,
    platform_headers,
)
from tests.logs import capture_logs

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ESTABLISHMENT = "urn:ietf:params:scim:schemas:extension:catalogue:2.0:Establishment"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
UAI = "0751234J"
OTHER_UAI = "0755555F"


def user(name: str, uai: str | None = UAI, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [USER, ENTERPRISE],
        "userName": name,
        "externalId": f"ext-{name}",
        "name": {"givenName": "Camille", "familyName": "Martin"},
        "emails": [{"value": f"{name}@ac-paris.fr"}],
        "roles": [{"value": "teacher"}],
        "active": True,
        **extra,
    }
    if uai is not None:
        body[ENTERPRISE] = {"organization": uai}
    return body


@pytest.fixture
async def scim(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> dict[str, str]:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES "
        "($1, 'Collège Victor-Hugo', 'paris'), ($2, 'Lycée Colbert', 'paris')",
        UAI,
        OTHER_UAI,
    )
    headers, _ = await platform_headers(client, await national_admin(conn, settings), "scim:write")
    return headers


def scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert str(body["status"]) == str(status)
    if scim_type is not None:
        assert body["scimType"] == scim_type


async def test_only_a_platform_client_with_scim_write_reaches_scim(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings, scim: dict[str, str]
) -> None:
    scim_error(await client.get("/scim/v2/Users"), 401)
    scim_error(await client.get("/scim/v2/Users", headers={"Authorization": "Bearer x.y.z"}), 401)
    scim_error(await client.post("/scim/v2/Users", json=user("anon")), 401)
    reader, _ = await platform_headers(
        client, await national_admin(conn, settings, "another-admin"), "mediacentre:read"
    )
    scim_error(await client.get("/scim/v2/Users", headers=reader), 403)
    # The service's description is open (RFC 7643 §5).
    config = await client.get("/scim/v2/ServiceProviderConfig")
    assert config.status_code == 200
    assert config.json()["etag"]["supported"] is True
    assert (await client.get("/scim/v2/Users", headers=scim)).status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM people WHERE user_name IS NOT NULL") == 0


async def test_a_person_is_created_read_filtered_replaced_patched_and_deactivated(
    client: httpx.AsyncClient, conn: asyncpg.Connection, scim: dict[str, str]
) -> None:
    created = await client.post("/scim/v2/Users", json=user("cmartin"), headers=scim)
    assert created.status_code == 201, created.text
    body = created.json()
    person_id = body["id"]  # the person's pseudonym for this platform, not our id
    internal = await conn.fetchval("SELECT id FROM people WHERE user_name = 'cmartin'")
    assert person_id != str(internal)
    assert created.headers["location"].endswith(f"/scim/v2/Users/{person_id}")
    assert created.headers["etag"] == body["meta"]["version"]
    assert body[ENTERPRISE] == {"organization": UAI}
    assert body["active"] is True
    stored = await conn.fetchrow(
        "SELECT issuer, subject, email, roles, establishment_uai, display_name, external_id "
        "FROM people WHERE user_name = 'cmartin'",
    )
    assert stored is not None
    assert dict(stored) == {
        "issuer": None,
        "subject": None,
        "email": "cmartin@ac-paris.fr",
        "roles": ["teacher"],
        "establishment_uai": UAI,
        "display_name": "Camille Martin",
        "external_id": "ext-cmartin",
    }
    assert (
        await client.post("/scim/v2/Users", json=user("dbernard"), headers=scim)
    ).status_code == 201
    assert (
        await client.post("/scim/v2/Users", json=user("elou", OTHER_UAI), headers=scim)
    ).status_code == 201

    read = await client.get(f"/scim/v2/Users/{person_id}", headers=scim)
    assert read.status_code == 200
    assert read.json()["userName"] == "cmartin"
    for flt in (
        'userName eq "CMARTIN"',
        'externalId eq "ext-cmartin"',
        'emails eq "cmartin@ac-paris.fr"',
    ):
        found = await client.get("/scim/v2/Users", params={"filter": flt}, headers=scim)
        assert found.status_code == 200, found.text
        assert [r["id"] for r in found.json()["Resources"]] == [person_id], flt
    page = await client.get("/scim/v2/Users", params={"startIndex": 2, "count": 1}, headers=scim)
    assert page.json()["totalResults"] == 3
    assert [r["userName"] for r in page.json()["Resources"]] == ["dbernard"]

    # ETags: a stale If-Match is refused, the current one goes through.
    etag = read.headers["etag"]
    stale = await client.put(
        f"/scim/v2/Users/{person_id}",
        json=user("cmartin", displayName="Camille M."),
        headers={**scim, "If-Match": 'W/"999"'},
    )
    scim_error(stale, 412)
    replaced = await client.put(
        f"/scim/v2/Users/{person_id}",
        json=user("cmartin", OTHER_UAI, displayName="Camille M."),
        headers={**scim, "If-Match": etag},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["etag"] != etag
    assert replaced.json()["displayName"] == "Camille M."
    assert (
        await conn.fetchval("SELECT establishment_uai FROM people WHERE user_name = 'cmartin'")
        == OTHER_UAI
    )

    patch = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    with capture_logs() as logs:
        patched = await client.patch(f"/scim/v2/Users/{person_id}", json=patch, headers=scim)
    assert patched.status_code == 204, patched.text  # RFC 7644 §3.5.2: no body asked for
    assert (await client.get(f"/scim/v2/Users/{person_id}", headers=scim)).json()["active"] is False
    assert await conn.fetchval(
        "SELECT deactivated_at IS NOT NULL FROM people WHERE id = $1", internal
    )
    changed = [e for e in logs if e["event"] == "person changed by provisioning"]
    assert changed == [
        {**changed[0], "person_id": str(internal), "moved": False, "deactivated": True}
    ]

    removed = await client.delete(f"/scim/v2/Users/{person_id}", headers=scim)
    assert removed.status_code == 204
    scim_error(await client.get(f"/scim/v2/Users/{person_id}", headers=scim), 404)
    # The row stays (the ledger names it), out of the directory's view.
    assert await conn.fetchval("SELECT count(*) FROM people WHERE id = $1", internal) == 1
    again = await client.post("/scim/v2/Users", json=user("cmartin"), headers=scim)
    assert again.status_code == 201, again.text


@pytest.mark.parametrize(
    ("body", "status", "scim_type", "said"),
    [
        (user("bad", "0751234A"), 400, "invalidValue", "la lettre de contrôle de 0751234 est J"),
        (user("bad", "75123"), 400, "invalidValue", "sept chiffres"),
        (user("bad", "0690001B"), 400, "invalidValue", "inconnu"),
        (user("bad", roles=[{"value": "national_admin"}]), 400, "invalidValue", "Rôle inconnu"),
        (
            user("bad", emails=[{"value": "a@ac-paris.fr"}, {"value": "b@ac-paris.fr"}]),
            400,
            "invalidValue",
            "Une seule adresse",
        ),
        ({"schemas": [USER]}, 400, None, None),
        (user("bad", phoneNumbers=[{"value": "0102030405"}]), 400, None, None),
    ],
)
async def test_bad_input_is_a_scim_error_and_writes_nothing(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    scim: dict[str, str],
    body: dict[str, Any],
    status: int,
    scim_type: str | None,
    said: str | None,
) -> None:
    answer = await client.post("/scim/v2/Users", json=body, headers=scim)
    scim_error(answer, status, scim_type)
    if said is not None:
        assert said in answer.json()["detail"]
    assert await conn.fetchval("SELECT count(*) FROM people WHERE user_name IS NOT NULL") == 0


async def test_unique_values_and_malformed_bodies(
    client: httpx.AsyncClient, conn: asyncpg.Connection, scim: dict[str, str]
) -> None:
    assert (
        await client.post("/scim/v2/Users", json=user("cmartin"), headers=scim)
    ).status_code == 201
    scim_error(
        await client.post("/scim/v2/Users", json=user("CMartin"), headers=scim), 409, "uniqueness"
    )
    scim_error(
        await client.post(
            "/scim/v2/Users", json=user("other", externalId="ext-cmartin"), headers=scim
        ),
        409,
        "uniqueness",
    )
    malformed = await client.post(
        "/scim/v2/Users",
        content=b'{"userName": ',
        headers={**scim, "Content-Type": "application/scim+json"},
    )
    scim_error(malformed, 400, "invalidSyntax")
    scim_error(await client.get("/scim/v2/Users/not-an-id", headers=scim), 404)
    assert await conn.fetchval("SELECT count(*) FROM people WHERE user_name IS NOT NULL") == 1


async def test_an_establishment_is_a_group_whose_members_move_through_one_function(
    client: httpx.AsyncClient, conn: asyncpg.Connection, scim: dict[str, str]
) -> None:
    group = {
        "schemas": [GROUP, ESTABLISHMENT],
        "displayName": "Collège Neuf",
        ESTABLISHMENT: {"uai": "0750001U"},
    }
    made = await client.post("/scim/v2/Groups", json=group, headers=scim)
    assert made.status_code == 201, made.text
    group_id = made.json()["id"]
    assert made.json()[ESTABLISHMENT] == {"uai": "0750001U"}
    assert (
        await conn.fetchval("SELECT name FROM establishments WHERE uai = '0750001U'")
        == "Collège Neuf"
    )
    scim_error(await client.post("/scim/v2/Groups", json=group, headers=scim), 409, "uniqueness")
    bad = {**group, ESTABLISHMENT: {"uai": "0750001A"}}
    scim_error(await client.post("/scim/v2/Groups", json=bad, headers=scim), 400, "invalidValue")

    person = (await client.post("/scim/v2/Users", json=user("cmartin"), headers=scim)).json()
    add = {
        "schemas": [PATCH],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": person["id"]}]}],
    }
    with capture_logs() as logs:
        patched = await client.patch(f"/scim/v2/Groups/{group_id}", json=add, headers=scim)
    assert patched.status_code == 204, patched.text
    group_now = (await client.get(f"/scim/v2/Groups/{group_id}", headers=scim)).json()
    assert [m["value"] for m in group_now["members"]] == [person["id"]]
    assert (
        await conn.fetchval("SELECT establishment_uai FROM people WHERE user_name = 'cmartin'")
        == "0750001U"
    )
    (moved,) = [e for e in logs if e["event"] == "person changed by provisioning"]
    internal = await conn.fetchval("SELECT id FROM people WHERE user_name = 'cmartin'")
    assert (moved["person_id"], moved["moved"]) == (str(internal), True)
    read = await client.get(f"/scim/v2/Users/{person['id']}", headers=scim)
    assert read.json()[ENTERPRISE] == {"organization": "0750001U"}

    # Another UAI: the Group, and the members it names, stand for that establishment now.
    rekey = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": f"{ESTABLISHMENT}:uai", "value": OTHER_UAI}],
    }
    rekeyed = await client.patch(f"/scim/v2/Groups/{group_id}", json=rekey, headers=scim)
    assert rekeyed.status_code == 204, rekeyed.text
    assert (
        await conn.fetchval("SELECT establishment_uai FROM people WHERE user_name = 'cmartin'")
        == OTHER_UAI
    )
    read = await client.get(f"/scim/v2/Groups/{group_id}", headers=scim)
    assert read.json()[ESTABLISHMENT] == {"uai": OTHER_UAI}
    assert [m["value"] for m in read.json()["members"]] == [person["id"]]

    removed = await client.delete(f"/scim/v2/Groups/{group_id}", headers=scim)
    assert removed.status_code == 204
    scim_error(await client.get(f"/scim/v2/Groups/{group_id}", headers=scim), 404)
    # The establishment stays (its people, its accounts).
    assert await conn.fetchval("SELECT count(*) FROM establishments WHERE uai = '0750001U'") == 1


async def test_logs_carry_ids_only(client: httpx.AsyncClient, scim: dict[str, str]) -> None:
    body = user(
        "zoe.secret", displayName="Zoé Secrète", emails=[{"value": "zoe.secret@ac-paris.fr"}]
    )
    with capture_logs() as logs:
        created = await client.post("/scim/v2/Users", json=body, headers=scim)
        person_id = created.json()["id"]
        await client.put(
            f"/scim/v2/Users/{person_id}",
            json={**body, ENTERPRISE: {"organization": OTHER_UAI}},
            headers=scim,
        )
        await client.post("/scim/v2/Users", json=user("bad", "0751234A"), headers=scim)
        await client.delete(f"/scim/v2/Users/{person_id}", headers=scim)
    assert logs
    seen = repr(logs)
    for secret in ("zoe", "Zoé", "Secrète", "ac-paris.fr", UAI, OTHER_UAI, "Martin", "Bearer"):
        assert secret not in seen, secret


async def test_a_revoked_platform_client_is_refused_at_once_and_its_reading_bounded(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bearer check keeps a verified platform client a few seconds (no database read per
    SCIM request), yet a revocation takes effect: at once through the API, at its notice when
    another process revokes, and within the cache's time when the notice is missed."""
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES ($1, 'Collège', 'paris')", UAI
    )
    admin = await national_admin(conn, settings)
    headers = {}
    client_ids = []
    for _ in range(3):
        client_id, secret, _ = await platform_client(client, admin, "scim:write")
        issued = await client_token(client, client_id, secret)
        headers[client_id] = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        client_ids.append(client_id)
        assert (await client.get("/scim/v2/Users", headers=headers[client_id])).status_code == 200
    through_api, by_another_process, notice_missed = client_ids

    # Through the API: refused at the next request.
    revoked = await client.delete(f"/api/v1/platform-clients/{through_api}", headers=admin)
    assert revoked.status_code == 204
    scim_error(await client.get("/scim/v2/Users", headers=headers[through_api]), 401)

    # Another process revoked it (its notice): refused as soon as the notice arrives.
    await conn.execute(
        "UPDATE api_clients SET revoked_at = now() WHERE client_id = $1", by_another_process
    )
    await conn.execute("SELECT pg_notify('catalogue_clients', $1)", by_another_process)
    assert await _refused_within(client, headers[by_another_process], seconds=3.0)

    # No notice at all: refused once the cached reading is older than CLIENT_TTL_S.
    monkeypatch.setattr(client_cache, "CLIENT_TTL_S", 0.2)
    await conn.execute(
        "UPDATE api_clients SET revoked_at = now() WHERE client_id = $1", notice_missed
    )
    await asyncio.sleep(0.3)
    scim_error(await client.get("/scim/v2/Users", headers=headers[notice_missed]), 401)


async def _refused_within(
    client: httpx.AsyncClient, headers: dict[str, str], *, seconds: float
) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (await client.get("/scim/v2/Users", headers=headers)).status_code == 401:
            return True
        await asyncio.sleep(0.05)
    return False
