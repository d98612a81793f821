"""The ENT médiacentre listing: a teacher's usable resources in the GAR `listeRessources` shape
(our fixture has the keys, nesting and value types of the GAR's own listings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from catalogue.config import Settings
from tests.integration.conftest import bearer
from tests.integration.ledger_world import UAI, open_budgets

SHAPE = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "gar" / "mediacentre-shape.json").read_text()
)


def mismatches(ours: Any, theirs: Any, where: str = "$") -> list[str]:
    """Where our JSON differs from theirs in keys, nesting or value types (a list's items
    against the first of theirs; an empty list fits any list)."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{where}: {type(ours).__name__} instead of an object"]
        found = (
            [f"{where}: keys {sorted(set(ours) ^ set(theirs))}"] if set(ours) != set(theirs) else []
        )
        return found + [
            m
            for key in set(ours) & set(theirs)
            for m in mismatches(ours[key], theirs[key], f"{where}.{key}")
        ]
    if isinstance(theirs, list):
        if not isinstance(ours, list):
            return [f"{where}: {type(ours).__name__} instead of a list"]
        return [m for item in ours for m in mismatches(item, theirs[0], f"{where}[]")]
    return [] if type(ours) is type(theirs) else [f"{where}: {type(ours).__name__}"]


async def test_a_teacher_lists_what_they_and_their_establishment_hold(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    world, headers = await open_budgets(conn, client, settings)
    await conn.execute(
        "INSERT INTO resource_identifiers (resource_id, publisher_id, kind, value) "
        "VALUES ($1, $2, 'ark', 'ark:/99999/manuel-6e')",
        world.resource_id,
        world.publisher_id,
    )
    empty = await client.get("/api/v1/me/mediacentre", headers=headers["dominique"])
    assert empty.status_code == 200
    assert empty.json() == {"listeRessources": {"ressource": []}}

    rules = {"approval_threshold_cents": 10_000_000}
    await client.put(f"/api/v1/establishments/{UAI}/rules", json=rules, headers=headers["head"])
    await client.post(
        "/api/v1/allocations",
        json={"to_kind": "teacher", "to": str(world.people["camille"]), "amount_cents": 30_000},
        headers=headers["head"],
    )
    bought = await client.post(
        "/api/v1/acquisitions",
        json={"offer_id": str(world.offers["school"])},
        headers={**headers["camille"], "Idempotency-Key": "licence-etablissement"},
    )
    assert bought.status_code == 201, bought.text
    # The establishment's licence: every teacher of the establishment sees the resource.
    listed = (await client.get("/api/v1/me/mediacentre", headers=headers["dominique"])).json()
    assert mismatches(listed, SHAPE) == []
    (item,) = listed["listeRessources"]["ressource"]
    wrong = {"listeRessources": {"ressource": [{**item, "idType": 1, "extra": ""}]}}
    assert mismatches(wrong, SHAPE) == [
        "$.listeRessources.ressource[]: keys ['extra']",
        "$.listeRessources.ressource[].idType: int",
    ]
    assert (item["idRessource"], item["idType"]) == ("ark:/99999/manuel-6e", "ark")
    assert item["nomRessource"] == "Manuel de mathématiques 6e"
    assert item["nomEditeur"] == "Éditions du Ledger"
    assert item["domaineEnseignement"] == [
        {"uri": "http://data.education.fr/voc/scolomfr/concept/scolomfr-voc-015-num-170",
         "nom": "mathématiques"}
    ]  # fmt: skip
    assert item["typePresentation"] == {
        "code": "MUL",
        "nom": "ressources d'enseignement multimédias",
    }
    # Not a teacher of that establishment: nothing.
    other = (await client.get("/api/v1/me/mediacentre", headers=headers["lou"])).json()
    assert other == {"listeRessources": {"ressource": []}}
    # Only teachers have a médiacentre; anonymous callers are told to sign in.
    assert (await client.get("/api/v1/me/mediacentre", headers=headers["head"])).status_code == 403
    assert (await client.get("/api/v1/me/mediacentre")).status_code == 401


async def test_a_revoked_licence_leaves_the_listing(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    world, headers = await open_budgets(conn, client, settings)
    await client.post(
        "/api/v1/allocations",
        json={"to_kind": "teacher", "to": str(world.people["camille"]), "amount_cents": 5_000},
        headers=headers["head"],
    )
    camille = await bearer(conn, settings, world.people["camille"])
    bought = await client.post(
        "/api/v1/acquisitions",
        json={"offer_id": str(world.offers["teacher"])},
        headers={**camille, "Idempotency-Key": "licence-enseignant"},
    )
    assert bought.status_code == 201, bought.text
    listed = (await client.get("/api/v1/me/mediacentre", headers=camille)).json()
    (item,) = listed["listeRessources"]["ressource"]
    assert (item["idType"], item["idRessource"]) == ("uuid", f"urn:uuid:{world.resource_id}")
    await conn.execute("UPDATE licences SET revoked_at = now()")
    listed = (await client.get("/api/v1/me/mediacentre", headers=camille)).json()
    assert listed == {"listeRessources": {"ressource": []}}
