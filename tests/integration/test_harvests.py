"""OAI-PMH harvesting from a repository served on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.harvests import service
from catalogue.harvests.models import NewSource, RunView
from catalogue.imports.service import run_import
from catalogue.outbound import outbound_client
from catalogue.vocabularies.index import VocabularyIndex
from connectors.lomfr import LomFrConnector
from tests.integration.conftest import bearer
from tests.support.oai_server import Item, Repository, lom, serving

OLD = "2020-01-01T00:00:00Z"
LATER = "2099-01-01T00:00:00Z"


def catalogue_items() -> list[Item]:
    return [
        Item("oai:test:1", OLD, lom("Les volcans", "https://oai.example/1")),
        Item("oai:test:2", OLD, lom("La photosynthèse", "https://oai.example/2")),
        Item("oai:test:3", OLD, "<lom xmlns='http://ltsc.ieee.org/xsd/LOM'><general/></lom>"),
        Item("oai:test:4", OLD, lom("Les fractions", "https://oai.example/4")),
        Item("oai:test:5", OLD, lom("Le cycle de l'eau", "https://oai.example/5")),
    ]


class Harvesting(msgspec.Struct):
    pool: asyncpg.Pool
    vocab: VocabularyIndex
    http: httpx.AsyncClient
    source: UUID
    repository: Repository

    async def run(self) -> RunView:
        return await service.harvest(self.pool, self.vocab, self.http, self.source, backoff_s=0.01)


@pytest.fixture
def repository() -> Iterator[Repository]:
    with serving(Repository(items=catalogue_items())) as served:
        yield served


@pytest.fixture
async def harvesting(
    database_url: str, conn: asyncpg.Connection, repository: Repository
) -> AsyncIterator[Harvesting]:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Entrepôt', 'approved') RETURNING id"
    )
    vocab = await VocabularyIndex.load(conn)
    async with await create_pool(database_url, max_size=2) as pool, outbound_client() as http:
        source = await service.add_source(
            pool, publisher, NewSource(base_url=repository.url), production=False
        )
        yield Harvesting(pool, vocab, http, source.id, repository)


async def titles(conn: asyncpg.Connection, status: str = "published") -> list[str]:
    rows = await conn.fetch(
        "SELECT title FROM resources WHERE connector = 'oaipmh' AND status = $1 ORDER BY title",
        status,
    )
    return [row["title"] for row in rows]


async def test_a_full_then_an_incremental_harvest(
    harvesting: Harvesting, conn: asyncpg.Connection
) -> None:
    first = await harvesting.run()
    assert (first.status, first.pages, first.created, first.rejected) == ("succeeded", 3, 4, 1)
    assert first.problems == [{"identifier": "oai:test:3", "message": "pas de titre (1.2 titre)"}]
    assert await titles(conn) == [
        "La photosynthèse",
        "Le cycle de l'eau",
        "Les fractions",
        "Les volcans",
    ]
    list_requests = [r for r in harvesting.repository.requests if r.get("verb") == "ListRecords"]
    assert list_requests[0] == {"verb": "ListRecords", "metadataPrefix": "lom_test"}
    assert all(set(r) == {"verb", "resumptionToken"} for r in list_requests[1:])

    items = harvesting.repository.items
    items[0] = Item("oai:test:1", LATER, lom("Les volcans d'Auvergne", "https://oai.example/1"))
    items[1] = Item("oai:test:2", LATER, None)  # deleted
    harvesting.repository.requests.clear()
    second = await harvesting.run()
    assert (second.status, second.updated, second.withdrawn, second.created) == (
        "succeeded",
        1,
        1,
        0,
    )
    asked = next(r for r in harvesting.repository.requests if r.get("verb") == "ListRecords")
    assert asked["from"].endswith("Z")
    assert "La photosynthèse" in await titles(conn, "withdrawn")
    assert "Les volcans d'Auvergne" in await titles(conn)


async def test_a_run_left_running_by_a_dead_worker_is_closed_by_the_next(
    harvesting: Harvesting, conn: asyncpg.Connection
) -> None:
    dead = await conn.fetchval(
        "INSERT INTO harvest_runs (source_id, pages) VALUES ($1, 1) RETURNING id",
        harvesting.source,
    )
    run = await harvesting.run()
    assert run.status == "succeeded"
    left = await conn.fetchrow(
        "SELECT status, error, finished_at FROM harvest_runs WHERE id = $1", dead
    )
    assert left is not None
    assert left["status"] == "failed"
    assert left["error"].startswith("interrompue")
    assert left["finished_at"] is not None


async def test_no_records_match_is_an_empty_success(harvesting: Harvesting) -> None:
    harvesting.repository.items = []
    run = await harvesting.run()
    assert (run.status, run.created, run.error) == ("succeeded", 0, None)


async def test_5xx_answers_are_retried(harvesting: Harvesting) -> None:
    harvesting.repository.failures = 2
    run = await harvesting.run()
    assert (run.status, run.created) == ("succeeded", 4)


async def test_garbage_fails_the_run_keeps_the_imports_and_the_next_run_resumes(
    harvesting: Harvesting, conn: asyncpg.Connection
) -> None:
    harvesting.repository.garbage_on_token = "2|"
    failed = await harvesting.run()
    assert failed.status == "failed"
    assert "pas une réponse OAI-PMH" in (failed.error or "") or "XML illisible" in (
        failed.error or ""
    )
    assert failed.created == 2  # the first page stays imported
    resume = await conn.fetchval("SELECT resume_token FROM harvest_sources")
    assert resume == "2|"

    harvesting.repository.garbage_on_token = None
    harvesting.repository.requests.clear()
    resumed = await harvesting.run()
    assert resumed.status == "succeeded"
    first_list = next(r for r in harvesting.repository.requests if r.get("verb") == "ListRecords")
    assert first_list == {"verb": "ListRecords", "resumptionToken": "2|"}
    assert resumed.created == 2
    assert await conn.fetchval("SELECT resume_token FROM harvest_sources") is None


async def test_an_unreachable_source_fails_with_the_reason(
    harvesting: Harvesting, conn: asyncpg.Connection
) -> None:
    await conn.execute("UPDATE harvest_sources SET base_url = 'http://127.0.0.1:9/oai'")
    run = await harvesting.run()
    assert run.status == "failed"
    assert "injoignable" in (run.error or "")


async def test_a_source_url_httpx_cannot_read_fails_the_run(
    harvesting: Harvesting, conn: asyncpg.Connection
) -> None:
    """A URL stored before it was checked this way: the run ends failed with the reason,
    never left running."""
    await conn.execute("UPDATE harvest_sources SET base_url = 'https://0177.0.0.1/oai'")
    run = await harvesting.run()
    assert run.status == "failed"
    assert run.finished_at is not None
    assert "URL illisible" in (run.error or "")


def test_the_harvest_command(harvesting_url: tuple[str, str, Repository]) -> None:
    database_url, source_id, _ = harvesting_url
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "catalogue", "harvest", source_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "succeeded, 3 pages, 4 created" in result.stdout
    assert "harvest: 5/5 records, " in result.stderr  # its progress, off a terminal
    assert "rejected oai:test:3: pas de titre (1.2 titre)" in result.stdout


def test_the_harvest_command_prints_the_warnings(
    harvesting_url: tuple[str, str, Repository],
) -> None:
    database_url, source_id, repository = harvesting_url
    repository.items = [Item("oai:test:w", OLD, WARNED)]
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "catalogue", "harvest", source_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "  warning oai:test:w: identifiant DOI:10.1000/x de type inconnu : ignoré" in result.stdout
    )


@pytest.fixture
async def harvesting_url(
    database_url: str, conn: asyncpg.Connection, repository: Repository
) -> tuple[str, str, Repository]:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Entrepôt CLI', 'approved') RETURNING id"
    )
    source = await conn.fetchval(
        "INSERT INTO harvest_sources (publisher_id, base_url) VALUES ($1, $2) RETURNING id",
        publisher,
        repository.url,
    )
    return database_url, str(source), repository


async def test_publishers_declare_sources_and_ask_for_runs(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    insert = "INSERT INTO publishers (name) VALUES ($1) RETURNING id"
    mine, theirs = await conn.fetchval(insert, "Mien"), await conn.fetchval(insert, "Sien")
    people = (
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:t', $1, '{publisher}', $2) RETURNING id"
    )
    me = await bearer(conn, settings, await conn.fetchval(people, "a", mine))
    other = await bearer(conn, settings, await conn.fetchval(people, "b", theirs))

    bad = await client.post(
        "/api/v1/publisher/harvest-sources", json={"base_url": "ftp://x"}, headers=me
    )
    assert bad.status_code == 422
    with_credentials = await client.post(
        "/api/v1/publisher/harvest-sources",
        json={"base_url": "https://moi:secret@oai.example/oai"},
        headers=me,
    )
    assert with_credentials.status_code == 422
    assert with_credentials.json()["errors"][0]["key"] == "base_url"
    unreadable = await client.post(
        "/api/v1/publisher/harvest-sources", json={"base_url": "https://0177.0.0.1/oai"}, headers=me
    )
    assert unreadable.status_code == 422
    assert unreadable.headers["content-type"] == "application/problem+json"
    assert unreadable.json()["errors"][0]["key"] == "base_url"
    created = await client.post(
        "/api/v1/publisher/harvest-sources",
        json={"base_url": "https://oai.example/oai", "every_minutes": 60},
        headers=me,
    )
    assert created.status_code == 201, created.text
    source_id = created.json()["id"]
    jobs = await conn.fetchval(
        "SELECT count(*) FROM pgqueuer WHERE entrypoint = $1", service.HARVEST_JOB
    )
    assert jobs == 1
    listed = (await client.get("/api/v1/publisher/harvest-sources", headers=me)).json()
    assert [s["id"] for s in listed] == [source_id]
    assert (await client.get("/api/v1/publisher/harvest-sources", headers=other)).json() == []
    url = f"/api/v1/publisher/harvest-sources/{source_id}/runs"
    assert (await client.post(url, headers=me)).status_code == 202
    assert (await client.post(url, headers=other)).status_code == 404


WARNED = (
    "<lom xmlns='http://ltsc.ieee.org/xsd/LOM'><general><identifier><catalog>DOI</catalog>"
    "<entry>10.1000/x</entry></identifier><title><string>Avec avertissements</string></title>"
    "</general><technical><location>ftp://oai.example/x</location></technical><educational>"
    "<learningResourceType><source>x</source><value>http://example.org/inconnu</value>"
    "</learningResourceType></educational></lom>"
)


async def test_a_run_keeps_the_warnings_an_import_report_gives_for_the_same_notice(
    harvesting: Harvesting,
    conn: asyncpg.Connection,
    client: httpx.AsyncClient,
    settings: Settings,
) -> None:
    harvesting.repository.items = [
        Item("oai:test:1", OLD, lom("Sans souci", "https://oai.example/1")),
        Item("oai:test:w", OLD, WARNED),
    ]
    run = await harvesting.run()
    assert (run.status, run.created) == ("succeeded", 2)

    other = await conn.fetchval("INSERT INTO publishers (name) VALUES ('Import') RETURNING id")
    report = await run_import(
        harvesting.pool,
        harvesting.vocab,
        LomFrConnector(),
        other,
        [("w.xml", WARNED.encode())],
        source="test",
    )
    expected = report.items[0].warnings
    assert len(expected) == 3  # identifier, location, unknown concept
    assert run.warnings == [{"identifier": "oai:test:w", "message": m} for m in expected]
    assert run.warning_count == 3

    publisher = await conn.fetchval("SELECT publisher_id FROM harvest_sources")
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:t', 'h', '{publisher}', $1) RETURNING id",
        publisher,
    )
    answer = await client.get(
        f"/api/v1/publisher/harvest-runs/{run.id}", headers=await bearer(conn, settings, person)
    )
    assert answer.status_code == 200
    assert answer.json()["warnings"] == run.warnings
    assert answer.json()["warning_count"] == 3


async def test_warnings_over_the_limit_are_counted(
    harvesting: Harvesting, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "MAX_WARNINGS", 2)
    harvesting.repository.items = [Item("oai:test:w", OLD, WARNED)]
    run = await harvesting.run()
    assert (len(run.warnings), run.warning_count) == (2, 3)
