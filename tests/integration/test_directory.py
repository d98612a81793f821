"""The directory of establishments, from the ministry's open dataset (our fixture of its
exact shape: the CSV export's 72 columns, and the JSON export)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from catalogue.config import Settings, settings_from
from catalogue.database import create_pool
from catalogue.directory.service import DirectoryService
from catalogue.errors import ConfigurationError, InvalidInputError, UpstreamUnavailableError
from catalogue.search.pg import PostgresBackend
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.worker import REFRESH_DIRECTORY, build_worker
from tests.integration.conftest import bearer
from tests.support.demo_server import catalogue_env

FIXTURES = Path(__file__).parent.parent / "fixtures" / "directory"
CSV = (FIXTURES / "annuaire-education.csv").read_bytes()
JSON = (FIXTURES / "annuaire-education.json").read_bytes()
HEADER, FIRST = CSV.split(b"\n")[:2]


def line(**cells: str) -> bytes:
    """A row of the CSV export with these cells (by column name), the others empty."""
    names = HEADER.decode().split(";")
    return ";".join(cells.get(name, "") for name in names).encode()


@pytest.fixture
async def directory(database_url: str) -> AsyncIterator[DirectoryService]:
    async with await create_pool(database_url, max_size=2) as pool:
        yield DirectoryService(pool)


async def test_the_csv_export_imports_and_a_reimport_changes_nothing(
    directory: DirectoryService, conn: asyncpg.Connection
) -> None:
    report = await directory.import_establishments(CSV)
    assert (report.read, report.created, report.updated, report.rejected) == (30, 30, 0, 0)
    row = await conn.fetchrow(
        "SELECT * FROM establishments WHERE commune = 'Pointe-à-Pitre' ORDER BY uai LIMIT 1"
    )
    assert row is not None
    assert (row["academie"], row["academie_code"], row["departement"]) == (
        "guadeloupe",
        "32",
        "971",
    )
    assert row["sector"] in {"Public", "Privé"}
    assert row["listed_at"] is not None
    states = await conn.fetch("SELECT state, count(*) FROM establishments GROUP BY 1 ORDER BY 1")
    assert {r["state"]: r["count"] for r in states}["closing"] == 6  # "A FERMER"

    again = await directory.import_establishments(CSV)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)
    # The JSON export of the same rows, with its lower-case field names: the same data.
    from_json = await directory.import_establishments(JSON)
    assert (from_json.read, from_json.created, from_json.updated, from_json.unchanged) == (
        12,
        0,
        0,
        12,
    )


async def test_bad_lines_are_reported_by_number_and_the_rest_imported(
    directory: DirectoryService, conn: asyncpg.Connection
) -> None:
    bad = [
        line(
            Identifiant_de_l_etablissement="0750654E",
            Nom_etablissement="Lycée",
            Libelle_academie="Paris",
        ),
        line(Identifiant_de_l_etablissement="0750654D", Libelle_academie="Paris"),
        line(
            Identifiant_de_l_etablissement="0750655E",
            Nom_etablissement="Lycée Louis-le-Grand",
            Libelle_academie="Paris",
            etat="EN TRAVAUX",
        ),
        FIRST,  # line 2 again
    ]
    report = await directory.import_establishments(CSV.rstrip(b"\n") + b"\n" + b"\n".join(bad))
    assert (report.created, report.rejected) == (30, 4)
    assert [(p.line, p.message) for p in report.problems] == [
        (32, "UAI invalide '0750654E' : la lettre de contrôle de 0750654 est D"),
        (33, "0750654D : nom ou académie manquant"),
        (34, "0750655E : état inconnu 'EN TRAVAUX'"),
        (35, f"{FIRST[:8].decode()} : déjà lu plus haut"),
    ]
    assert await conn.fetchval("SELECT count(*) FROM establishments WHERE uai LIKE '075065%'") == 0


async def test_a_file_that_is_not_the_dataset_changes_nothing(
    directory: DirectoryService, conn: asyncpg.Connection
) -> None:
    before = await conn.fetchval("SELECT count(*) FROM establishments")
    with pytest.raises(InvalidInputError, match="colonnes absentes nom_etablissement"):
        await directory.import_establishments(b"identifiant_de_l_etablissement;nom\n0750654D;x\n")
    with pytest.raises(InvalidInputError, match="UTF-8"):
        await directory.import_establishments(HEADER + b"\n0750654D;Lyc\xe9e\n")
    with pytest.raises(InvalidInputError, match="liste"):
        await directory.import_establishments(b'{"uai": "0750654D"}')
    assert await conn.fetchval("SELECT count(*) FROM establishments") == before


async def test_an_establishment_met_at_a_sign_in_gets_its_name_and_place(
    directory: DirectoryService, conn: asyncpg.Connection
) -> None:
    first = FIRST.split(b";")
    uai = first[0].decode()
    await conn.execute("INSERT INTO establishments (uai, name, academie) VALUES ($1, $1, 'x')", uai)
    report = await directory.import_establishments(CSV)
    assert (report.created, report.updated) == (29, 1)
    assert await conn.fetchval("SELECT name FROM establishments WHERE uai = $1", uai) == (
        first[1].decode()
    )


async def test_a_closing_in_a_later_file_is_counted(
    directory: DirectoryService, conn: asyncpg.Connection
) -> None:
    await directory.import_establishments(CSV)
    rows = CSV.decode().split("\n")
    closed = rows[1].replace(";OUVERT;", ";FERME;")
    assert closed != rows[1]
    report = await directory.import_establishments(f"{rows[0]}\n{closed}\n".encode())
    assert (report.updated, report.closed) == (1, 1)
    uai = rows[1][:8]
    assert await conn.fetchval("SELECT state FROM establishments WHERE uai = $1", uai) == "closed"


async def test_find_by_name_commune_postal_code_or_uai(directory: DirectoryService) -> None:
    await directory.import_establishments(CSV)
    by_commune = await directory.find("pointe a pitre")
    assert by_commune
    assert {e.commune for e in by_commune} == {"Pointe-à-Pitre"}
    by_words = await directory.find("EMILE zola")
    assert by_words
    assert all("Zola" in e.name for e in by_words)
    uai = by_words[0].uai
    assert (await directory.find(uai.lower()))[0].uai == uai
    assert {e.postal_code for e in await directory.find("45000")} == {"45000"}
    assert len(await directory.find("lycée", limit=3)) == 3
    assert await directory.find("%") == []
    assert await directory.find("_ _") == []


async def test_the_nightly_refresh_fetches_the_configured_export(
    directory: DirectoryService, database_url: str
) -> None:
    def export(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/explore/fr-en-annuaire-education.csv":
            return httpx.Response(200, content=CSV)
        return httpx.Response(404)

    async with httpx.AsyncClient(transport=httpx.MockTransport(export)) as http:
        url = "https://data.example/explore/fr-en-annuaire-education.csv"
        assert (await directory.refresh(http, url)).created == 30
        with pytest.raises(UpstreamUnavailableError):
            await directory.refresh(http, "https://data.example/gone.csv")
        # The worker schedules it only when the URL is configured.
        async with await create_pool(database_url, max_size=2) as pool:
            for configured, expected in ((None, False), (url, True)):
                worker = build_worker(
                    pool,
                    PostgresBackend(pool),
                    VocabularyIndex([]),
                    http,
                    b"k" * 32,
                    directory_url=configured,
                )
                names = {key.entrypoint for key in worker.sm.registry}
                assert (REFRESH_DIRECTORY in names) is expected


def test_the_export_url_is_a_setting() -> None:
    url = (
        "https://data.education.gouv.fr/api/explore/v2.1/catalog/datasets/"
        "fr-en-annuaire-education/exports/csv"
    )
    assert settings_from({"CATALOGUE_DIRECTORY_URL": url}).directory_url == url
    assert settings_from({}).directory_url is None
    with pytest.raises(ConfigurationError, match="CATALOGUE_DIRECTORY_URL must be an http"):
        settings_from({"CATALOGUE_DIRECTORY_URL": "file:///etc/passwd"})


async def test_administrators_find_establishments_through_the_api(
    directory: DirectoryService,
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    await directory.import_establishments(CSV)
    people = {
        role: await conn.fetchval(
            "INSERT INTO people (issuer, subject, roles) VALUES ('urn:t', $1, $2) RETURNING id",
            role,
            [role],
        )
        for role in ("establishment_admin", "teacher")
    }
    admin = await bearer(conn, settings, people["establishment_admin"])
    found = await client.get("/api/v1/establishments", params={"q": "ajaccio"}, headers=admin)
    assert found.status_code == 200
    assert {e["commune"] for e in found.json()} == {"Ajaccio"}
    assert set(found.json()[0]) == {
        "uai", "name", "academie", "kind", "sector", "postal_code", "commune", "state"
    }  # fmt: skip
    teacher = await bearer(conn, settings, people["teacher"])
    refused = await client.get("/api/v1/establishments", params={"q": "x"}, headers=teacher)
    assert refused.status_code == 403
    assert (await client.get("/api/v1/establishments", params={"q": "x"})).status_code == 401
    empty = await client.get("/api/v1/establishments", params={"q": ""}, headers=admin)
    assert empty.status_code == 400
    assert empty.headers["content-type"].startswith("application/problem+json")


def test_the_command_imports_the_dataset_and_names_each_refused_line(
    database_url: str, tmp_path: Path
) -> None:
    env = catalogue_env({"CATALOGUE_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url})
    export = tmp_path / "annuaire.csv"
    export.write_bytes(CSV + line(Identifiant_de_l_etablissement="0750654E") + b"\n")

    def catalogue(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "catalogue", *args]
        return subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=60, check=False
        )

    done = catalogue("directory", "establishments", str(export))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "line 32: UAI invalide '0750654E' : la lettre de contrôle de 0750654 est D",
        "31 read: 30 created, 0 updated, 0 unchanged, 0 closed, 1 refused",
    ]
    refresh = [sys.executable, "-m", "catalogue", "directory", "refresh"]
    unset = subprocess.run(
        refresh, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert unset.returncode != 0
    assert "CATALOGUE_DIRECTORY_URL is not set" in unset.stderr
