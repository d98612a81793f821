"""RGPD (issue 18): a person downloads their own data; a departed person's name and e-mail are
erased after the retention period, and the ledger and reports still add up."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from catalogue.config import Settings, settings_from
from catalogue.database import create_pool
from catalogue.errors import ConfigurationError
from catalogue.identity.retention import ERASE_DEPARTED, erase_departed
from catalogue.search.pg import PostgresBackend
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.worker import ERASED_ELSEWHERE, build_worker
from tests.integration.ledger_world import OTHER_UAI, UAI, build_world, ledger_violations
from tests.integration.test_accounts_api import Api
from tests.support.demo_server import catalogue_env


@pytest.fixture
async def api(client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings) -> Api:
    return Api(client, conn, settings, await build_world(conn))


async def test_a_person_downloads_everything_kept_on_them(
    api: Api, client: httpx.AsyncClient
) -> None:
    await api.funded(cents=5_000)
    assert (await api.buy("camille", "teacher")).status_code == 201
    move = await api.post(
        "paris_admin",
        f"/api/v1/people/{api.world.people['camille']}/move",
        {"to_uai": OTHER_UAI, "reason": "mutation"},
    )
    assert move.status_code == 200, move.text

    data = await api.get("camille", "/api/v1/me/data")
    as_csv = await api.get("camille", "/api/v1/me/data.csv")

    assert data.status_code == 200, data.text
    body = data.json()
    assert body["profile"]["email"] == "camille@ac-test.invalid"
    assert body["profile"]["establishment_uai"] == OTHER_UAI
    assert [(m["from_uai"], m["to_uai"], m["reason"]) for m in body["moves"]] == [
        (UAI, OTHER_UAI, "mutation")
    ]
    assert [m["kind"] for m in body["movements"]] == ["mobility", "purchase", "allocation"]
    assert [a["status"] for a in body["acquisitions"]] == ["completed"]
    assert len(body["licences"]) == 1
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text), delimiter=";"))
    assert rows[0] == ["rubrique", "date", "nature", "montant_centimes", "detail"]
    sections = {row[0] for row in rows[1:]}
    assert sections == {"profil", "mobilité", "mouvement", "acquisition", "licence"}
    assert ["profil", "", "courriel", "", "camille@ac-test.invalid"] in rows
    # Only one's own: nobody else's id opens another's data, and nobody signed out.
    assert (await client.get("/api/v1/me/data")).status_code == 401
    assert (await client.get("/api/v1/me/data.csv")).status_code == 401
    other = (await api.get("dominique", "/api/v1/me/data")).json()
    assert other["profile"]["id"] == str(api.world.people["dominique"])
    assert other["moves"] == other["movements"] == []


async def test_departed_people_are_erased_after_the_retention_period_and_reports_add_up(
    api: Api, database_url: str
) -> None:
    await api.funded(cents=5_000)
    dominique = str(api.world.people["dominique"])
    assert (await api.allocate("head", "teacher", dominique, 3_000)).status_code == 201
    assert (await api.buy("camille", "teacher")).status_code == 201
    assert (await api.buy("dominique", "teacher")).status_code == 201
    for who in ("camille", "dominique"):
        path = f"/api/v1/people/{api.world.people[who]}/deactivation"
        assert (await api.post("head", path, {"reason": "départ"})).status_code == 200
    spend_before = (await api.get("head", "/api/v1/reports/spend", by="establishment")).json()
    envelope_before = (await api.get("head", f"/api/v1/establishments/{UAI}/account")).json()
    await api.conn.execute(
        "UPDATE people SET deactivated_at = now() - interval '400 days' WHERE id = $1",
        api.world.people["camille"],
    )

    async with await create_pool(database_url, max_size=2) as pool:
        assert await erase_departed(pool, 365, also=ERASED_ELSEWHERE) == 1
        assert await erase_departed(pool, 365, also=ERASED_ELSEWHERE) == 0  # once

    camille = await api.conn.fetchrow(
        "SELECT display_name, email, erased_at FROM people WHERE id = $1",
        api.world.people["camille"],
    )
    assert camille is not None
    assert (camille["display_name"], camille["email"]) == ("", None)
    assert camille["erased_at"] is not None
    assert (
        await api.conn.fetchval("SELECT email FROM people WHERE id = $1::uuid", dominique)
        == "dominique@ac-test.invalid"
    )  # left yesterday: kept
    assert await ledger_violations(api.conn) == []
    spend_after = (await api.get("head", "/api/v1/reports/spend", by="establishment")).json()
    assert spend_after == spend_before
    envelope_after = (await api.get("head", f"/api/v1/establishments/{UAI}/account")).json()
    for key in ("balance_cents", "allocated_cents"):
        assert envelope_after[key] == envelope_before[key]
    children = {c["owner"]: c for c in envelope_after["children"]}
    erased = children[str(api.world.people["camille"])]
    assert erased["name"] == erased["owner"]  # the internal id stands for the erased name
    assert (erased["spent_cents"], erased["balance_cents"]) == (1_200, 0)
    total_spent = sum(c["spent_cents"] for c in envelope_after["children"])
    assert total_spent == sum(row["amount_cents"] for row in spend_after["rows"])
    csv_report = await api.get("head", f"/api/v1/establishments/{UAI}/account.csv")
    assert csv_report.status_code == 200


def test_the_retention_period_is_a_setting() -> None:
    assert settings_from({}).retention_days == 365
    assert settings_from({"CATALOGUE_RETENTION_DAYS": "30"}).retention_days == 30
    for wrong in ("0", "-1", "un an"):
        with pytest.raises(ConfigurationError, match="CATALOGUE_RETENTION_DAYS"):
            settings_from({"CATALOGUE_RETENTION_DAYS": wrong})


async def test_the_worker_schedules_the_erasure(database_url: str) -> None:
    async with (
        await create_pool(database_url, max_size=2) as pool,
        httpx.AsyncClient() as http,
    ):
        worker = build_worker(
            pool, PostgresBackend(pool), VocabularyIndex([]), http, b"k" * 32, retention_days=30
        )
        assert ERASE_DEPARTED in {key.entrypoint for key in worker.sm.registry}


def test_the_command_erases_at_once(database_url: str, tmp_path: Path) -> None:
    env = catalogue_env({"CATALOGUE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url})
    done = subprocess.run(
        [sys.executable, "-m", "catalogue", "directory", "erase-departed", "--days", "30"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0 departed person(s) erased (left more than 30 days ago)"
