"""GAR listings imported through the `gar` connector: the JSON listeRessources and the XML
listeRessourcesDiffusables, by the service, the command line and the imports API."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.imports.models import ImportReport
from catalogue.imports.service import run_import
from catalogue.vocabularies.index import VocabularyIndex
from connectors.contract import get
from tests.integration.conftest import bearer
from tests.integration.test_pages import csrf, sign_in, web  # noqa: F401  # web: a fixture

GAR = Path(__file__).parent.parent / "fixtures" / "gar"
LISTING = GAR / "listeRessources.json"
DIFFUSABLES = GAR / "listeRessourcesDiffusables.xml"
C = "http://data.education.fr/voc/scolomfr/concept/"


class Setup(msgspec.Struct):
    pool: asyncpg.Pool
    vocab: VocabularyIndex
    publisher: UUID


@pytest.fixture
async def setup(database_url: str, conn: asyncpg.Connection) -> AsyncIterator[Setup]:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions GAR', 'approved') RETURNING id"
    )
    vocab = await VocabularyIndex.load(conn)
    async with await create_pool(database_url, max_size=2) as pool:
        yield Setup(pool, vocab, publisher)


def content(path: Path) -> bytes:
    return path.read_bytes()


async def gar_import(setup: Setup, path: Path) -> ImportReport:
    return await run_import(
        setup.pool,
        setup.vocab,
        get("gar"),
        setup.publisher,
        [(path.name, content(path))],
        source="test",
    )


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return (report.created, report.updated, report.unchanged, report.rejected)


async def test_a_listeressources_json_with_known_and_unknown_vocabularies(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    report = await gar_import(setup, LISTING)
    assert [(i.outcome, i.line) for i in report.items] == [
        ("created", 4),
        ("created", 54),
        ("rejected", 76),
        ("rejected", 81),
        ("created", 82),
    ]
    assert report.items[2].message == "ressource 3 : pas de nomRessource (le titre)"
    assert report.items[2].source_id == "ark:/99999/gar-tests/sans-titre"
    assert report.items[3].message == "ressource 4 : objet attendu"

    first = report.items[0]
    assert first.warnings == [
        (
            "typologieDocument : http://example.org/gar/typologie/inconnue ('genre inventé') "
            "inconnu des vocabulaires : gardé"
        ),
        (
            f"domaineEnseignement : concept retiré {C}scolomfr-voc-015-num-1139 remplacé par "
            f"{C}scolomfr-voc-015-num-1135"
        ),
        (
            "domaineEnseignement : uri-gar-maths inconnu des vocabulaires : gardé, et son libellé "
            f"'MATHÉMATIQUES' lu comme {C}scolomfr-voc-015-num-054"
        ),
        "concept inconnu gardé : http://example.org/gar/typologie/inconnue",
        "concept inconnu gardé : uri-gar-maths",
    ]
    row = await conn.fetchrow("SELECT * FROM resources WHERE id = $1", first.resource_id)
    assert row is not None
    assert (row["title"], row["status"]) == ("Atelier des fractions", "published")
    assert row["description"] == "Des fractions à manipuler, du CM1 au CM2."
    assert row["keywords"] == ["ressources d'enseignement multimédias"]  # typePresentation
    assert row["pedagogical_types"] == [f"{C}scolomfr-voc-010-num-001"]
    assert row["resource_types"] == [f"{C}scolomfr-voc-005-num-034"]
    assert row["levels"] == [f"{C}scolomfr-voc-022-num-014"]
    assert row["disciplines"] == [f"{C}scolomfr-voc-015-num-1135", f"{C}scolomfr-voc-015-num-054"]
    assert sorted(row["unknown_concepts"]) == [
        "http://example.org/gar/typologie/inconnue",
        "uri-gar-maths",
    ]
    assert row["access_url"] == "https://editions-essai.example/fractions"
    assert row["thumbnail_url"] == "https://editions-essai.example/fractions/vignette.png"
    assert (row["connector"], row["source_id"], row["source_key"]) == (
        "gar",
        "ark:/99999/gar-tests/atelier-fractions",
        "ark:/99999/gar-tests/atelier-fractions",
    )
    identifiers = await conn.fetch(
        "SELECT kind, value FROM resource_identifiers WHERE resource_id = $1", first.resource_id
    )
    assert [(r["kind"], r["value"]) for r in identifiers] == [
        ("ark", "ark:/99999/gar-tests/atelier-fractions")
    ]

    second = report.items[1]
    assert second.source_id == "ressource-sans-ark-2"
    assert second.warnings == [
        "champ couleurPreferee hors du format des listes du GAR : ignoré",
        "niveauEducatif : 'pas une paire' qui n'est pas un {uri, nom} : ignoré",
        (
            "urlVignette 'ftp://editions-essai.example/cartes.png' qui n'est pas une URL http(s) "
            ": ignoré"
        ),
        (
            "idRessource 'ressource-sans-ark-2' qui n'est pas un ARK : "
            "gardé comme identifiant source seulement"
        ),
    ]
    last = report.items[4]
    assert last.warnings == [
        (
            "idRessource 'http://n2t.net/ark:/99999/gar-tests/lexique' gardé comme ARK "
            "'ark:/99999/gar-tests/lexique'"
        )
    ]

    again = await gar_import(setup, LISTING)
    assert counts(again) == (0, 0, 3, 2)
    assert [i.resource_id for i in again.items] == [i.resource_id for i in report.items]


async def test_a_listeressourcesdiffusables_xml_and_its_reimport(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    report = await gar_import(setup, DIFFUSABLES)
    assert [(i.outcome, i.line) for i in report.items] == [
        ("created", 4),
        ("created", 18),
        ("rejected", 33),
        ("created", 40),
    ]
    assert report.items[2].message == "ressourceDiffusable 3 : pas de nomRessource (le titre)"
    assert report.items[1].warnings == ["diffusable à false : importée en brouillon"]
    rows = await conn.fetch(
        "SELECT title, status, contributors FROM resources WHERE publisher_id = $1 ORDER BY title",
        setup.publisher,
    )
    assert [(r["title"], r["status"]) for r in rows] == [
        ("Atlas sonore des régions", "published"),
        ("Famille de manuels, tome 1", "draft"),
        ("Ressource exemple ScoLOMFR", "published"),
    ]
    again = await gar_import(setup, DIFFUSABLES)
    assert counts(again) == (0, 0, 3, 1)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b'{"listeRessources": {"ressource": [}', "JSON illisible : JSON is malformed"),
        (b'{\n"autre": 1\n}', "pas une liste du GAR : pas de listeRessources (champs : autre)"),
        (b'{"listeRessources": {}}', "listeRessources sans liste ressource"),
        (b"[1, 2]", "pas un document listeRessources du GAR"),
        (
            (
                b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<listeRessourcesDiffusables>&x;</listeRessourcesDiffusables>"
            ),
            "DTD et déclarations d'entités refusées",
        ),
        (b"<listeRessourcesDiffusables>", "XML mal formé"),
        (b"<lom/>", "pas une liste du GAR : la racine est <lom>"),
    ],
)
async def test_a_document_that_is_not_a_gar_listing_is_one_clear_rejection(
    setup: Setup, document: bytes, message: str
) -> None:
    report = await run_import(
        setup.pool, setup.vocab, get("gar"), setup.publisher, [("d", document)], source="t"
    )
    assert counts(report) == (0, 0, 0, 1)
    assert message in (report.items[0].message or ""), report.items[0].message


async def test_a_broken_json_listing_names_its_line(setup: Setup) -> None:
    document = b'{"listeRessources": {\n  "ressource": [\n    {"idRessource": }\n  ]\n}}'
    report = await run_import(
        setup.pool, setup.vocab, get("gar"), setup.publisher, [("d", document)], source="t"
    )
    assert (report.items[0].message or "").endswith("(ligne 3)")


@pytest.fixture
async def staff(conn: asyncpg.Connection, settings: Settings, setup: Setup) -> dict[str, str]:
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:test', 'gar', '{publisher}', $1) RETURNING id",
        setup.publisher,
    )
    return await bearer(conn, settings, person)


async def test_the_imports_api_reads_a_gar_listing_and_the_json_connector_points_to_it(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    async def upload(connector: str, path: Path, kind: str) -> dict[str, object]:
        response = await client.post(
            "/api/v1/publisher/imports",
            params={"connector": connector},
            content=content(path),
            headers={**staff, "content-type": kind},
        )
        assert response.status_code == 201, response.text
        report: dict[str, object] = response.json()
        return report

    first = await upload("gar", LISTING, "application/json")
    assert (first["created"], first["rejected"]) == (3, 2)
    again = await upload("gar", LISTING, "application/json")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    xml = await upload("gar", DIFFUSABLES, "application/xml")
    assert (xml["created"], xml["rejected"]) == (3, 1)

    refused = await upload("json", LISTING, "application/json")
    assert refused["rejected"] == 1
    items = refused["items"]
    assert isinstance(items, list)
    assert items[0]["message"] == (
        "champ invalide : Object contains unknown field `listeRessources` : "
        "c'est une liste du GAR, importez-la avec le connecteur `gar`"
    )


def test_catalogue_import_gar_from_the_command_line(database_url: str, setup: Setup) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}

    def run(path: Path) -> list[str]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "catalogue",
                "import",
                "gar",
                str(path),
                "--publisher",
                str(setup.publisher),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    lines = run(LISTING)
    assert f"rejected  {LISTING}:76  ressource 3 : pas de nomRessource (le titre)" in lines
    assert f"rejected  {LISTING}:81  ressource 4 : objet attendu" in lines
    assert lines[-1].endswith("3 created, 0 updated, 0 unchanged, 2 rejected")
    assert run(LISTING)[-1].endswith("0 created, 0 updated, 3 unchanged, 2 rejected")
    lines = run(DIFFUSABLES)
    assert lines[-1].endswith("3 created, 0 updated, 0 unchanged, 1 rejected")


async def test_a_publisher_imports_a_gar_listing_from_the_page(
    web: httpx.AsyncClient,  # noqa: F811  # the pages' fixture, imported above
) -> None:
    await sign_in(web, "publisher")
    form = await web.get("/editeur/imports")
    assert '<option value="gar"' in form.text
    response = await web.post(
        "/editeur/imports",
        data={"_csrf_token": csrf(web), "format": "gar"},
        files={"fichier": (LISTING.name, content(LISTING), "application/json")},
    )
    assert response.status_code == 200
    assert "Import terminé : 3 créée(s)" in response.text
    assert "ressource 3 : pas de nomRessource (le titre)" in response.text
