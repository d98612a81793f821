"""One resource per identifier or source record: updates keep the identifiers, and re-importing
the same data changes nothing, through the API and every connector."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.harvests import service as harvests
from catalogue.harvests.models import NewSource
from catalogue.imports.models import ImportReport
from catalogue.imports.service import run_import
from catalogue.outbound import outbound_client
from catalogue.vocabularies.index import VocabularyIndex
from connectors.contract import get
from tests.integration.conftest import bearer
from tests.support.oai_server import Item, Repository, serving

FIXTURES = Path(__file__).parent.parent / "fixtures"
SHAPES = FIXTURES / "reimport"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
ARK = "ark:/99999/x"


class Setup(msgspec.Struct):
    pool: asyncpg.Pool
    vocab: VocabularyIndex
    publisher: UUID
    staff: dict[str, str]


@pytest.fixture
async def setup(
    database_url: str, conn: asyncpg.Connection, settings: Settings
) -> AsyncIterator[Setup]:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Stables', 'approved') RETURNING id"
    )
    staff = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:test', 'staff', '{publisher}', $1) RETURNING id",
        publisher,
    )
    vocab = await VocabularyIndex.load(conn)
    async with await create_pool(database_url, max_size=2) as pool:
        yield Setup(pool, vocab, publisher, await bearer(conn, settings, staff))


async def identifiers_of(conn: asyncpg.Connection, resource_id: UUID | str) -> list[list[str]]:
    rows = await conn.fetch(
        "SELECT kind, value FROM resource_identifiers WHERE resource_id = $1 ORDER BY kind, value",
        UUID(str(resource_id)),
    )
    return [[row["kind"], row["value"]] for row in rows]


async def resources_count(conn: asyncpg.Connection, publisher: UUID) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM resources WHERE publisher_id = $1", publisher
    )
    return count


def draft(title: str, *identifiers: tuple[str, str]) -> dict[str, Any]:
    return {
        "title": title,
        "identifiers": [{"kind": kind, "value": value} for kind, value in identifiers],
        "status": "published",
    }


async def do_import(setup: Setup, connector: str, uploads: list[tuple[str, bytes]]) -> ImportReport:
    return await run_import(
        setup.pool, setup.vocab, get(connector), setup.publisher, uploads, source="test"
    )


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return (report.created, report.updated, report.unchanged, report.rejected)


def notice(title: str, identifier: str | None = None) -> bytes:
    ident = (
        f"<identifier><catalog>ARK</catalog><entry>{identifier}</entry></identifier>"
        if identifier
        else ""
    )
    return (
        f'<lom xmlns="{LOM_NS}"><general>{ident}<title><string>{title}</string></title>'
        "</general></lom>"
    ).encode()


# Identifiers survive updates (POST, PUT and connectors).


async def test_posting_the_same_ark_again_updates_one_resource_and_keeps_it(
    client: httpx.AsyncClient, setup: Setup
) -> None:
    answers = []
    for title in ("Première", "Deuxième", "Troisième"):
        response = await client.post(
            "/api/v1/publisher/resources", json=draft(title, ("ark", ARK)), headers=setup.staff
        )
        assert response.status_code == 201, response.text
        answers.append(response.json())
    assert [a["outcome"] for a in answers] == ["created", "updated", "updated"]
    assert len({a["id"] for a in answers}) == 1
    read = await client.get(f"/api/v1/resources/{answers[0]['id']}", headers=setup.staff)
    assert read.json()["identifiers"] == [{"kind": "ark", "value": ARK}]
    assert read.json()["title"] == "Troisième"


async def test_put_keeps_the_identifiers_and_replaces_them_when_they_change(
    client: httpx.AsyncClient, setup: Setup, conn: asyncpg.Connection
) -> None:
    url = ("url", "https://stables.example/x")
    created = await client.post(
        "/api/v1/publisher/resources", json=draft("Avant", ("ark", ARK), url), headers=setup.staff
    )
    resource_id = created.json()["id"]
    put = await client.put(
        f"/api/v1/publisher/resources/{resource_id}",
        json=draft("Après", ("ark", ARK), url),
        headers=setup.staff,
    )
    assert put.json()["outcome"] == "updated"
    assert await identifiers_of(conn, resource_id) == [["ark", ARK], list(url)]
    # One identifier gone, one new: the set is replaced.
    isbn = ("isbn", "9782123456803")
    put = await client.put(
        f"/api/v1/publisher/resources/{resource_id}",
        json=draft("Encore après", ("ark", ARK), isbn),
        headers=setup.staff,
    )
    assert await identifiers_of(conn, resource_id) == [["ark", ARK], list(isbn)]
    again = await client.post(
        "/api/v1/publisher/resources", json=draft("Par l'ISBN", isbn), headers=setup.staff
    )
    assert again.json()["id"] == resource_id
    assert await resources_count(conn, setup.publisher) == 1


async def test_an_identifier_held_by_another_resource_is_reported_not_dropped(
    client: httpx.AsyncClient, setup: Setup, conn: asyncpg.Connection
) -> None:
    other = ("url", "https://stables.example/autre")
    first = await client.post(
        "/api/v1/publisher/resources", json=draft("Une", ("ark", ARK)), headers=setup.staff
    )
    second = await client.post(
        "/api/v1/publisher/resources", json=draft("Autre", other), headers=setup.staff
    )
    both = await client.post(
        "/api/v1/publisher/resources",
        json=draft("Une, révisée", ("ark", ARK), other),
        headers=setup.staff,
    )
    body = both.json()
    assert body["id"] == first.json()["id"]
    assert body["warnings"] == [
        (
            f"identifiant url {other[1]} déjà porté par la ressource {second.json()['id']} : "
            "non rattaché"
        )
    ]
    assert await identifiers_of(conn, first.json()["id"]) == [["ark", ARK]]


async def test_a_connector_update_keeps_the_identifiers(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    reports = []
    for title in ("Première", "Deuxième", "Troisième"):
        report = await do_import(setup, "lomfr", [("n.xml", notice(title, ARK))])
        resource_id = report.items[0].resource_id
        assert resource_id is not None
        assert await identifiers_of(conn, resource_id) == [["ark", ARK]], title
        reports.append(report)
    assert [counts(r) for r in reports] == [(1, 0, 0, 0), (0, 1, 0, 0), (0, 1, 0, 0)]
    assert {r.items[0].resource_id for r in reports} == {resource_id}
    # The same ARK through another connector is still the same resource.
    json_doc = msgspec.json.encode(draft("Par JSON", ("ark", ARK)))
    through_json = await do_import(setup, "json", [("r.json", json_doc)])
    assert through_json.items[0].resource_id == resource_id
    assert await resources_count(conn, setup.publisher) == 1


async def test_a_harvest_update_keeps_the_identifiers(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    items = [Item("oai:t:1", "2020-01-01T00:00:00Z", notice("Avant", ARK).decode())]
    with serving(Repository(items=items)) as repository:
        async with outbound_client() as http:
            source = await harvests.add_source(
                setup.pool,
                setup.publisher,
                NewSource(base_url=repository.url),
                production=False,
            )
            first = await harvests.harvest(setup.pool, setup.vocab, http, source.id, backoff_s=0.01)
            repository.items[0] = Item(
                "oai:t:1", "2099-01-01T00:00:00Z", notice("Après", ARK).decode()
            )
            second = await harvests.harvest(
                setup.pool, setup.vocab, http, source.id, backoff_s=0.01
            )
    assert (first.created, second.updated) == (1, 1)
    resource_id = await conn.fetchval("SELECT id FROM resources WHERE title = 'Après'")
    assert await identifiers_of(conn, resource_id) == [["ark", ARK]]
    # The same notice imported as a file is the same resource.
    imported = await do_import(setup, "lomfr", [("n.xml", notice("Après", ARK))])
    assert imported.items[0].resource_id == resource_id


# Re-importing the same data changes nothing, whatever the shape of the notices.

NO_IDENTIFIER_SHAPES = ["empty_identifier.xml", "imsmanifest.xml", "lowercase_no_identifier.xml"]


@pytest.mark.parametrize("name", NO_IDENTIFIER_SHAPES)
async def test_a_notice_without_usable_identifier_is_imported_once(
    setup: Setup, conn: asyncpg.Connection, name: str
) -> None:
    data = (SHAPES / name).read_bytes()
    first = await do_import(setup, "lomfr", [(name, data)])
    assert counts(first) == (1, 0, 0, 0), first.items
    again = await do_import(setup, "lomfr", [(name, data)])
    assert counts(again) == (0, 0, 1, 0)
    assert again.items[0].resource_id == first.items[0].resource_id
    # The same notice in a zip, or read from a folder, is still the same resource.
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr(f"lot/{name}", data)
    in_zip = await do_import(setup, "lomfr", [("lot.zip", zipped.getvalue())])
    assert counts(in_zip) == (0, 0, 1, 0)
    assert await resources_count(conn, setup.publisher) == 1


async def test_the_key_of_last_resort_ignores_layout_namespace_and_export_dates(
    setup: Setup,
) -> None:
    data = (SHAPES / "empty_identifier.xml").read_bytes()
    first = await do_import(setup, "lomfr", [("a.xml", data)])
    reexported = (
        data.replace(b"2024-09-01", b"2025-01-15")
        .replace(b'xmlns="http://ltsc.ieee.org/xsd/LOM"', b'xmlns="http://ltsc.ieee.org/xsd/lom"')
        .replace(b"\n    <title>", b"<title>")
    )
    again = await do_import(setup, "lomfr", [("b.xml", reexported)])
    assert counts(again) == (0, 0, 1, 0)
    assert again.items[0].resource_id == first.items[0].resource_id
    edited = data.replace(b"Les saisons au jardin", b"Les saisons au potager")
    other = await do_import(setup, "lomfr", [("c.xml", edited)])
    assert counts(other) == (1, 0, 0, 0)  # another text, another notice


def test_a_folder_imported_twice_through_the_cli_changes_nothing(
    setup: Setup, database_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "notices"
    (folder / "sub").mkdir(parents=True)
    for name in NO_IDENTIFIER_SHAPES:
        (folder / "sub" / name).write_bytes((SHAPES / name).read_bytes())
    (folder / "ark.xml").write_bytes(notice("Avec un ARK", ARK))
    env = {**os.environ, "DATABASE_URL": database_url, "CATALOGUE_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "catalogue", "import", "lomfr", str(folder)]
    command += ["--publisher", str(setup.publisher)]
    runs = [
        subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=120)
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout.splitlines()[-1].endswith("4 created, 0 updated, 0 unchanged, 0 rejected")
    assert runs[1].stdout.splitlines()[-1].endswith("0 created, 0 updated, 4 unchanged, 0 rejected")


async def test_json_records_without_source_id_nor_identifier_are_imported_once(
    setup: Setup,
) -> None:
    lines = b"\n".join(
        [
            msgspec.json.encode({"title": "Sans rien", "status": "published"}),
            msgspec.json.encode({"title": "Par l'adresse", "access_url": "https://json.example/a"}),
            msgspec.json.encode({"title": "Par l'identifiant", "source_id": 42}),
        ]
    )
    first = await do_import(setup, "json", [("lot.jsonl", lines)])
    assert counts(first) == (3, 0, 0, 0)
    again = await do_import(setup, "json", [("lot.jsonl", lines)])
    assert counts(again) == (0, 0, 3, 0)


async def test_a_saved_oai_response_imported_twice_changes_nothing(setup: Setup) -> None:
    record = (SHAPES / "lowercase_no_identifier.xml").read_bytes().split(b"?>", 1)[1]
    response = (
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header>'
        b"<identifier>oai:t:9</identifier><datestamp>2024-01-01</datestamp></header>"
        b"<metadata>" + record + b"</metadata></record></ListRecords></OAI-PMH>"
    )
    first = await do_import(setup, "oaipmh", [("page.xml", response)])
    again = await do_import(setup, "oaipmh", [("page.xml", response)])
    assert [counts(first), counts(again)] == [(1, 0, 0, 0), (0, 0, 1, 0)]


async def test_a_full_harvest_again_changes_nothing(setup: Setup, conn: asyncpg.Connection) -> None:
    items = [
        Item(f"oai:t:{n}", "2020-01-01T00:00:00Z", (SHAPES / name).read_text(encoding="utf-8"))
        for n, name in enumerate(NO_IDENTIFIER_SHAPES)
    ]
    for item in items:
        item.metadata = (item.metadata or "").split("?>", 1)[1]
    with serving(Repository(items=items)) as repository:
        async with outbound_client() as http:
            source = await harvests.add_source(
                setup.pool,
                setup.publisher,
                NewSource(base_url=repository.url),
                production=False,
            )
            first = await harvests.harvest(setup.pool, setup.vocab, http, source.id, backoff_s=0.01)
            await conn.execute("UPDATE harvest_sources SET harvested_until = NULL")
            again = await harvests.harvest(setup.pool, setup.vocab, http, source.id, backoff_s=0.01)
    assert (first.created, first.rejected) == (3, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


async def test_a_registered_tool_imported_again_changes_nothing(setup: Setup) -> None:
    tool = msgspec.json.encode(
        {
            "client_id": "outil-1",
            "client_name": "Atelier de calcul",
            "redirect_uris": ["https://outil.example/launch"],
        }
    )
    first = await do_import(setup, "lti", [("tool.json", tool)])
    again = await do_import(setup, "lti", [("tool.json", tool)])
    assert [counts(first), counts(again)] == [(1, 0, 0, 0), (0, 0, 1, 0)]


async def test_notices_claiming_the_same_identifier_are_warned_of_each_other(
    setup: Setup,
) -> None:
    data = (SHAPES / "two_claims.xml").read_bytes()
    report = await do_import(setup, "lomfr", [("two_claims.xml", data)])
    first, second, third = report.items
    assert [first.outcome, second.outcome, third.outcome] == ["created", "updated", "created"]
    assert first.resource_id == second.resource_id
    assert first.warnings == [
        (
            "identifiant ark ark:/99999/double est aussi revendiqué par two_claims.xml ligne 5 :"
            " enregistrés comme une seule ressource"
        )
    ]
    assert second.warnings == [
        (
            "identifiant ark ark:/99999/double est aussi revendiqué par two_claims.xml ligne 4 :"
            " enregistrés comme une seule ressource"
        )
    ]
    assert third.warnings == []


async def test_records_sharing_a_location_are_warned_of_each_other(setup: Setup) -> None:
    lines = b"\n".join(
        msgspec.json.encode({"title": title, "access_url": "https://json.example/accueil"})
        for title in ("Un", "Deux", "Trois")
    )
    report = await do_import(setup, "json", [("lot.jsonl", lines)])
    assert report.items[0].warnings == [
        (
            "localisation https://json.example/accueil est aussi revendiqué par lot.jsonl ligne 2,"
            " lot.jsonl ligne 3 : enregistrés comme une seule ressource"
        )
    ]


async def test_the_same_notice_twice_in_one_import_is_one_resource_and_said_so(
    setup: Setup,
) -> None:
    data = (SHAPES / "empty_identifier.xml").read_bytes()
    report = await do_import(setup, "lomfr", [("a.xml", data), ("b.xml", data)])
    assert counts(report) == (1, 0, 1, 0)
    first, second = report.items
    assert first.resource_id == second.resource_id
    said = "le même contenu se lit aussi en {} : enregistrés comme une seule ressource"
    assert said.format("b.xml ligne 3") in first.warnings
    assert said.format("a.xml ligne 3") in second.warnings


async def test_different_notices_keyed_by_their_content_are_not_warned_of_each_other(
    setup: Setup,
) -> None:
    first = (SHAPES / "empty_identifier.xml").read_bytes()
    second = (FIXTURES / "lom" / "corpus" / "02_ims_manifest.xml").read_bytes()
    report = await do_import(setup, "lomfr", [("a.xml", first), ("b.xml", second)])
    assert counts(report) == (2, 0, 0, 0)
    assert not any("même contenu" in w for item in report.items for w in item.warnings)


# A batch is written at once; records that touch the same resource are written in order.


def json_lines(*records: dict[str, Any]) -> bytes:
    return b"\n".join(msgspec.json.encode(record) for record in records)


async def test_a_batch_mixing_new_changed_unchanged_and_repeated_records_keeps_their_order(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    ark = [{"kind": "ark", "value": ARK}]
    first: list[dict[str, Any]] = [
        {"source_id": "a", "title": "A"},
        {"source_id": "b", "title": "B", "identifiers": ark},
    ]
    await do_import(setup, "json", [("un.jsonl", json_lines(*first))])
    isbn = {"kind": "isbn", "value": "9782000000001"}
    report = await do_import(
        setup,
        "json",
        [
            (
                "deux.jsonl",
                json_lines(
                    {"source_id": "c", "title": "C"},
                    {"source_id": "a", "title": "A"},
                    {"source_id": "b", "title": "B changé", "identifiers": ark},
                    {"source_id": "d", "title": "D", "identifiers": [isbn]},
                    {"source_id": "e", "title": "E", "identifiers": [isbn]},
                ),
            )
        ],
    )
    outcomes = [item.outcome for item in report.items]
    assert outcomes == ["created", "unchanged", "updated", "created", "updated"]
    assert report.items[3].resource_id == report.items[4].resource_id
    assert await resources_count(conn, setup.publisher) == 4
    titles = await conn.fetch(
        "SELECT title FROM resources WHERE publisher_id = $1 ORDER BY title", setup.publisher
    )
    assert [row["title"] for row in titles] == ["A", "B changé", "C", "E"]
    assert await identifiers_of(conn, report.items[2].resource_id or "") == [["ark", ARK]]


async def test_an_identifier_given_up_and_taken_in_one_batch_goes_to_the_new_record(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    """Record one updates resource X and drops its ARK; record two, from another source,
    claims that ARK: saved one after the other, as they come, X loses the ARK and record two
    becomes a new resource holding it (not a second update of X)."""
    held = {"kind": "ark", "value": ARK}
    x_with_ark = {"source_id": "x", "title": "X", "identifiers": [held]}
    created = await do_import(setup, "json", [("un.jsonl", json_lines(x_with_ark))])
    report = await do_import(
        setup,
        "json",
        [
            (
                "deux.jsonl",
                json_lines(
                    {"source_id": "x", "title": "X sans ARK"},
                    {"source_id": "y", "title": "Y", "identifiers": [held]},
                ),
            )
        ],
    )
    assert [item.outcome for item in report.items] == ["updated", "created"]
    x, y = report.items
    assert x.resource_id == created.items[0].resource_id != y.resource_id
    assert await identifiers_of(conn, x.resource_id or "") == []
    assert await identifiers_of(conn, y.resource_id or "") == [["ark", ARK]]
