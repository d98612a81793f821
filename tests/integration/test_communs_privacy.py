"""Communs under the RGPD (issue 21): a person's download carries the communs they published
(whether their name is shown, never anyone else's), the reports they filed, and, for an
administrator, the moderation decisions they took; nobody else's."""

from __future__ import annotations

import csv
import io
from typing import Any

import asyncpg
import httpx
import pytest

from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.identity.retention import erase_departed
from catalogue.worker import ERASED_ELSEWHERE
from tests.integration.conftest import bearer
from tests.integration.test_communs import UAI, draft

HIDDEN_NAME = "Camille Discrètenom"
API = "/api/v1/communs"


async def _person(
    conn: asyncpg.Connection, settings: Settings, subject: str, roles: str, name: str
) -> dict[str, str]:
    teacher = roles == "teacher"
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, display_name, roles, establishment_uai, academie) "
        "VALUES ('urn:test', $1, $2, $3, $4, 'paris') RETURNING id",
        subject,
        name,
        [roles],
        UAI if teacher else None,
    )
    return await bearer(conn, settings, person)


@pytest.fixture
async def people(conn: asyncpg.Connection, settings: Settings) -> dict[str, dict[str, str]]:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES ($1, 'Collège', 'paris')", UAI
    )
    return {
        "camille": await _person(conn, settings, "t1", "teacher", HIDDEN_NAME),
        "dominique": await _person(conn, settings, "t2", "teacher", "Dominique Autre"),
        "admin": await _person(conn, settings, "a1", "academie_admin", "Admin Paris"),
    }


async def _created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_persons_download_carries_their_communs_reports_and_decisions(
    client: httpx.AsyncClient, people: dict[str, dict[str, str]]
) -> None:
    camille, dominique, admin = people["camille"], people["dominique"], people["admin"]
    theirs = await _created(
        await client.post(API, json=draft(title="Le commun de Dominique"), headers=dominique)
    )
    await _created(await client.post(f"{API}/{theirs['id']}/approval", headers=admin))
    mine = await _created(
        await client.post(
            f"{API}/{theirs['id']}/adaptations",
            json=draft(title="Fractions adaptées", licence="CC-BY-SA-4.0", show_name=False),
            headers=camille,
        )
    )
    await _created(await client.post(f"{API}/{mine['id']}/approval", headers=admin))
    edited = await client.put(
        f"{API}/{mine['id']}",
        json=draft(title="Fractions adaptées, v2", licence="CC-BY-SA-4.0", show_name=False),
        headers=camille,
    )
    assert edited.status_code == 200, edited.text
    report = await _created(
        await client.post(
            f"{API}/{theirs['id']}/reports",
            json={"reason": "copyright", "text": "Copie d'un manuel."},
            headers=camille,
        )
    )
    await _created(
        await client.post(
            f"{API}/{mine['id']}/reports",
            json={"reason": "error", "text": "Une coquille de Dominique."},
            headers=dominique,
        )
    )

    answer = await client.get("/api/v1/me/data", headers=camille)
    as_csv = await client.get("/api/v1/me/data.csv", headers=camille)

    assert answer.status_code == as_csv.status_code == 200, answer.text
    communs = answer.json()["sections"]["communs"]
    [published] = communs["published"]
    assert published["resource_id"] == mine["id"]
    assert published["title"] == "Fractions adaptées, v2"
    assert published["licence"] == "CC-BY-SA-4.0"
    assert published["show_name"] is False
    assert published["state"] == "visible"
    assert published["versions"] == 2
    assert published["based_on"] == theirs["id"]
    assert published["created_at"] <= published["updated_at"]
    [filed] = communs["reports"]
    assert filed["id"] == report["id"]
    assert filed["resource_id"] == theirs["id"]
    assert filed["title"] == "Le commun de Dominique"
    assert (filed["reason"], filed["text"], filed["state"]) == (
        "copyright",
        "Copie d'un manuel.",
        "open",
    )
    assert filed["created_at"]
    assert communs["decisions"] == []
    # Nobody else's: neither Dominique's commun nor the report Dominique filed on Camille's.
    assert "Une coquille de Dominique." not in answer.text + as_csv.text
    rows = list(csv.reader(io.StringIO(as_csv.text), delimiter=";"))
    published_rows = [row for row in rows if row[0] == "commun publié"]
    assert len(published_rows) == 1
    assert published_rows[0][2] == "visible ; nom masqué"
    assert f"Fractions adaptées, v2 [{mine['id']}]" in published_rows[0][4]
    assert "CC-BY-SA-4.0" in published_rows[0][4]
    assert f"adapté de {theirs['id']}" in published_rows[0][4]
    assert "2 version(s)" in published_rows[0][4]
    [report_row] = [row for row in rows if row[0] == "signalement"]
    assert report_row[2] == "atteinte au droit d'auteur ; ouvert"
    assert report_row[4] == f"Le commun de Dominique [{theirs['id']}] : Copie d'un manuel."
    assert not [row for row in rows if row[0] == "décision de modération"]

    # Dominique finds their own commun and report, none of Camille's.
    other = (await client.get("/api/v1/me/data", headers=dominique)).json()["sections"]["communs"]
    assert [p["resource_id"] for p in other["published"]] == [theirs["id"]]
    assert [r["text"] for r in other["reports"]] == ["Une coquille de Dominique."]
    assert other["decisions"] == []

    # The administrator finds the decisions they took, and nothing published or reported.
    hide = await client.post(
        f"{API}/{mine['id']}/decisions",
        json={"action": "hide", "reason": "Droits à vérifier."},
        headers=admin,
    )
    assert hide.status_code == 201, hide.text
    taken = await client.get("/api/v1/me/data", headers=admin)
    decided = taken.json()["sections"]["communs"]
    assert decided["published"] == decided["reports"] == []
    assert [(d["resource_id"], d["action"]) for d in decided["decisions"]] == [
        (theirs["id"], "approve"),
        (mine["id"], "approve"),
        (mine["id"], "hide"),
    ]
    assert decided["decisions"][-1]["reason"] == "Droits à vérifier."
    assert decided["decisions"][-1]["title"] == "Fractions adaptées, v2"
    # The author's name is not the administrator's data.
    assert HIDDEN_NAME not in taken.text
    admin_csv = await client.get("/api/v1/me/data.csv", headers=admin)
    admin_rows = list(csv.reader(io.StringIO(admin_csv.text), delimiter=";"))
    decision_rows = [row for row in admin_rows if row[0] == "décision de modération"]
    assert [row[2] for row in decision_rows] == ["validée", "validée", "masquée"]
    assert decision_rows[-1][4] == f"Fractions adaptées, v2 [{mine['id']}] : Droits à vérifier."
    assert HIDDEN_NAME not in admin_csv.text
    # Camille's commun, hidden now, is still hers in her download.
    again = (await client.get("/api/v1/me/data", headers=camille)).json()["sections"]["communs"]
    assert [p["state"] for p in again["published"]] == ["hidden"]

    # Nobody signed out downloads anything.
    assert (await client.get("/api/v1/me/data")).status_code == 401
    assert (await client.get("/api/v1/me/data.csv")).status_code == 401


async def test_erasing_a_departed_person_empties_their_reports_texts(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    database_url: str,
    people: dict[str, dict[str, str]],
) -> None:
    """Their own words go with their name; the report's reason and date stay for the
    moderation's record, and other people's reports keep theirs."""
    camille, dominique, admin = people["camille"], people["dominique"], people["admin"]
    commun = await _created(
        await client.post(API, json=draft(title="Un commun"), headers=dominique)
    )
    await _created(await client.post(f"{API}/{commun['id']}/approval", headers=admin))
    for who, text in ((camille, "Je suis Camille, du collège."), (dominique, "Une coquille.")):
        await _created(
            await client.post(
                f"{API}/{commun['id']}/reports", json={"reason": "error", "text": text}, headers=who
            )
        )
    await conn.execute(
        "UPDATE people SET deactivated_at = now() - interval '400 days' WHERE subject = 't1'"
    )

    async with await create_pool(database_url, max_size=2) as pool:
        assert await erase_departed(pool, 365, also=ERASED_ELSEWHERE) == 1

    reports = await conn.fetch(
        "SELECT p.subject, r.reason, r.text FROM commun_reports r "
        "JOIN people p ON p.id = r.reporter_id ORDER BY p.subject"
    )
    assert [tuple(r) for r in reports] == [("t1", "error", ""), ("t2", "error", "Une coquille.")]
