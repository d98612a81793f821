"""Imports through connectors: ScoLOMFR notices of every shape, JSON, zips, hostile XML."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.errors import InvalidInputError
from catalogue.imports.models import ImportReport
from catalogue.imports.repository import SQL
from catalogue.imports.service import (
    MAX_ENTRY_BYTES,
    MAX_IMPORTS_PER_PUBLISHER,
    documents,
    run_import,
)
from catalogue.vocabularies.index import VocabularyIndex
from connectors.contract import Rejected, get
from connectors.vcard import vcard_name
from tests.integration.conftest import bearer
from tests.integration.search_corpus import CORPUS
from tests.support.waiting import wait_until_async
from tests.support.zipbomb import zip_bomb

FIXTURES = Path(__file__).parent.parent / "fixtures"
LOM = FIXTURES / "lom"
C = "http://data.education.fr/voc/scolomfr/concept/"


class Setup(msgspec.Struct):
    pool: asyncpg.Pool
    vocab: VocabularyIndex
    publisher: UUID


@pytest.fixture
async def setup(database_url: str, conn: asyncpg.Connection) -> AsyncIterator[Setup]:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Import', 'approved') RETURNING id"
    )
    vocab = await VocabularyIndex.load(conn)
    async with await create_pool(database_url, max_size=2) as pool:
        yield Setup(pool, vocab, publisher)


async def lom_import(setup: Setup, *names: str, strict: bool = False) -> ImportReport:
    uploads = [(name, (LOM / name).read_bytes()) for name in names]
    return await run_import(
        setup.pool,
        setup.vocab,
        get("lomfr"),
        setup.publisher,
        uploads,
        source="test",
        strict=strict,
    )


async def test_a_v3_notice_with_uris_deprecations_and_unknown_concepts(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    report = await lom_import(setup, "v3_prefixed.xml")
    assert (report.created, report.rejected) == (1, 0)
    item = report.items[0]
    assert item.warnings == [
        # A replaced value is a changed value: it is reported too (issue 14).
        f"concept retiré {C}scolomfr-voc-015-num-1139 remplacé par {C}scolomfr-voc-015-num-1135",
        "concept inconnu gardé : http://example.org/concept/inconnu",
    ]
    row = await conn.fetchrow("SELECT * FROM resources WHERE id = $1", item.resource_id)
    assert row is not None
    assert row["title"] == "Les fractions au CM1"  # the French string, whitespace folded
    assert row["keywords"] == ["fractions"]
    assert row["levels"] == [f"{C}scolomfr-voc-022-num-014"]  # the taxon path's leaf
    assert row["disciplines"] == [f"{C}scolomfr-voc-015-num-1135"]  # num-1139 is retired
    assert row["unknown_concepts"] == ["http://example.org/concept/inconnu"]
    assert row["resource_types"] == [f"{C}scolomfr-voc-005-num-034"]
    assert row["access_url"] == "https://editions-test.example/fractions/lire"
    assert (row["connector"], row["source_id"]) == ("lomfr", "ark:/12345/tests-fractions")
    identifiers = await conn.fetch(
        "SELECT kind, value FROM resource_identifiers WHERE resource_id = $1 ORDER BY kind",
        item.resource_id,
    )
    assert [(r["kind"], r["value"]) for r in identifiers] == [
        ("ark", "ark:/12345/tests-fractions"),
        ("url", "https://editions-test.example/fractions"),
    ]


async def test_a_v1_notice_with_labels_is_resolved_through_the_vocabularies(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    report = await lom_import(setup, "v1_default_ns_labels.xml")
    item = report.items[0]
    assert item.outcome == "created"
    row = await conn.fetchrow("SELECT * FROM resources WHERE id = $1", item.resource_id)
    assert row is not None
    assert row["title"] == "Visite virtuelle du musée"
    assert row["languages"] == ["fre"]
    assert row["keywords"] == ["musée"]
    assert row["pedagogical_types"] == [f"{C}scolomfr-voc-010-num-001"]  # "Animation"
    assert f"{C}scolomfr-voc-012-num-003" in row["levels"]  # "enseignement secondaire"
    assert f"{C}scolomfr-voc-022-num-016" in row["levels"]  # taxon "collège"
    assert row["unknown_concepts"] == ["niveau imaginaire"]
    assert "identifiant sans entrée (1.1) : ignoré" in item.warnings


async def test_contributors_come_from_the_vcards(setup: Setup, conn: asyncpg.Connection) -> None:
    report = await lom_import(setup, "v1_vcards.xml")
    item = report.items[0]
    row = await conn.fetchrow("SELECT contributors FROM resources WHERE id = $1", item.resource_id)
    assert row is not None
    assert row["contributors"] == [
        {"role": "publisher", "name": "", "organisation": "Cartothèque départementale"},
        {"role": "author", "name": "Jeanne Rivière", "organisation": None},
    ]
    assert "vCard de contribution sans FN ni ORG : ignorée" in item.warnings


def test_vcards_are_unfolded_and_unescaped() -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN;CHARSET=UTF-8:Marie Dupont\\, autrice\r\n"
        "ORG:Éditions\r\n  du Lac;Service\r\nEND:VCARD"
    )
    assert vcard_name(card) == ("Marie Dupont, autrice", "Éditions du Lac")
    assert vcard_name("not a vcard") == ("", None)


async def test_lower_case_namespace_and_text_without_string(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    item = (await lom_import(setup, "lowercase_namespace.xml")).items[0]
    row = await conn.fetchrow(
        "SELECT title, description FROM resources WHERE id = $1", item.resource_id
    )
    assert row is not None
    assert dict(row) == {"title": "Atlas des volcans", "description": "Un atlas interactif."}
    isbn = await conn.fetchval(
        "SELECT value FROM resource_identifiers WHERE resource_id = $1", item.resource_id
    )
    assert isbn == "9782123456803"


async def test_one_bad_notice_never_stops_the_batch_and_reimport_changes_nothing(
    setup: Setup,
) -> None:
    first = await lom_import(setup, "batch.xml")
    assert [(i.outcome, i.line) for i in first.items] == [
        ("created", 4),
        ("rejected", 5),
        ("created", 6),
    ]
    assert first.items[1].message == "pas de titre (1.2 titre)"
    again = await lom_import(setup, "batch.xml")
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 1)


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE lom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<lom><general><title>&xxe;</title></general></lom>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lom [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><lom><general><title>&b;</title>'
    b"</general></lom>"
)
EXTERNAL_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE lom SYSTEM "http://evil.example/lom.dtd">'
    b"<lom><general><title>x</title></general></lom>"
)
REFUSED_DTD = "DTD et déclarations d'entités refusées"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (XXE, REFUSED_DTD),
        (LAUGHS, REFUSED_DTD),
        (EXTERNAL_DTD, REFUSED_DTD),
        (b"<lom><general><title>unclosed</general></lom>", "XML mal formé"),
        (b"<notices/>", "aucune notice <lom>"),
        (b"<lom/>" + b" " * (21 * 1024 * 1024), "document de plus de"),
    ],
)
async def test_hostile_and_broken_xml_is_refused_clearly(
    setup: Setup, document: bytes, message: str
) -> None:
    report = await run_import(
        setup.pool,
        setup.vocab,
        get("lomfr"),
        setup.publisher,
        [("doc.xml", document)],
        source="test",
    )
    assert report.rejected == 1
    assert message in (report.items[0].message or "")


async def test_a_wrong_vocabulary_is_a_warning_and_refused_in_strict_mode(setup: Setup) -> None:
    """A voc-004 (document type) URI where voc-005 belongs, as seen in real exports: the
    lenient import keeps the notice and names the URI; strict mode rejects it with the
    XSD's message and line."""
    sample = LOM / "corpus" / "32_wrong_vocabulary_uri.xml"
    document = [(sample.name, sample.read_bytes())]
    lenient = await run_import(
        setup.pool, setup.vocab, get("lomfr"), setup.publisher, document, source="test"
    )
    assert lenient.rejected == 0
    assert any("voc-004" in w for w in lenient.items[0].warnings)
    strict = await run_import(
        setup.pool,
        setup.vocab,
        get("lomfr"),
        setup.publisher,
        document,
        source="test",
        strict=True,
    )
    assert strict.rejected == 1
    assert re.search(
        r"non conforme à ScoLOMFR 3\.2\.1 \(ligne \d+\)", strict.items[0].message or ""
    )


async def test_a_zip_of_notices_and_a_zip_bomb(setup: Setup) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/v3.xml", (LOM / "v3_prefixed.xml").read_bytes())
        archive.writestr("b/v1.xml", (LOM / "v1_default_ns_labels.xml").read_bytes())
    report = await run_import(
        setup.pool,
        setup.vocab,
        get("lomfr"),
        setup.publisher,
        [("lot.zip", buffer.getvalue())],
        source="test",
    )
    assert [i.document for i in report.items] == ["a/v3.xml", "b/v1.xml"]
    assert report.created == 2

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("huge.xml", b"\0" * (600 * 1024 * 1024))
    with pytest.raises(InvalidInputError, match="le zip décompressé dépasse"):
        await run_import(
            setup.pool,
            setup.vocab,
            get("lomfr"),
            setup.publisher,
            [("bomb.zip", bomb.getvalue())],
            source="test",
        )


def test_zip_files_are_read_by_their_expanded_size_whatever_the_header_claims() -> None:
    """A real bomb (about 1000:1) read in bounded memory: each file stops at 20 MiB as it
    expands, and a header that lies about the size makes a damaged file, both rejected."""
    notice = (LOM / "v3_prefixed.xml").read_bytes()
    honest, lying = zip_bomb(300, name="honest.xml"), zip_bomb(300, claimed=1000, name="liar.xml")
    assert len(honest) < 400_000
    tracemalloc.start()
    try:
        read = [
            (name, content)
            for upload in (honest, lying)
            for name, content in documents("lot.zip", upload)
        ]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_ENTRY_BYTES, f"{peak / 2**20:.0f} MiB held while reading"
    [(first, too_large), (second, damaged)] = read
    assert (first, second) == ("honest.xml", "liar.xml")
    assert isinstance(too_large, Rejected)
    assert "de plus de 20971520 octets une fois décompressé" in too_large.message
    assert isinstance(damaged, Rejected)
    assert "fichier illisible dans le zip" in damaged.message

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", notice)
    assert list(documents("ok.zip", buffer.getvalue())) == [("a.xml", notice)]


async def test_a_zip_bomb_is_rejected_in_the_report_and_the_rest_imported(setup: Setup) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/v3.xml", (LOM / "v3_prefixed.xml").read_bytes())
    report = await run_import(
        setup.pool,
        setup.vocab,
        get("lomfr"),
        setup.publisher,
        [("lot.zip", buffer.getvalue()), ("bomb.zip", zip_bomb(100, name="b/huge.xml"))],
        source="test",
    )
    assert [(i.document, i.outcome) for i in report.items] == [
        ("a/v3.xml", "created"),
        ("b/huge.xml", "rejected"),
    ]
    assert "une fois décompressé" in (report.items[1].message or "")


async def test_json_connector_by_file_and_lines(setup: Setup) -> None:
    good = msgspec.json.encode({**msgspec.to_builtins(CORPUS["svt"]), "source_id": "s-1"})
    lines = good + b"\n{not json\n" + b'{"title": ""}\n'
    report = await run_import(
        setup.pool, setup.vocab, get("json"), setup.publisher, [("lot.jsonl", lines)], source="t"
    )
    assert [(i.outcome, i.line) for i in report.items] == [
        ("created", 1),
        ("rejected", 2),
        ("rejected", 3),
    ]
    assert "at `$.title`" in (report.items[2].message or "")


async def test_a_record_the_database_refuses_rolls_back_alone(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    """A batch is written at once; when the database refuses one record (here a constraint
    the checks before it do not know), the others of the batch are saved all the same."""
    base = msgspec.to_builtins(CORPUS["svt"])
    lines = b"\n".join(
        msgspec.json.encode({**base, "title": title, "source_id": f"refus-{n}", "identifiers": []})
        for n, title in enumerate(["Avant le refus", "Refusé par la base", "Après le refus"])
    )
    await conn.execute(
        "ALTER TABLE resources ADD CONSTRAINT test_refusal "
        "CHECK (title <> 'Refusé par la base') NOT VALID"
    )
    try:
        report = await run_import(
            setup.pool,
            setup.vocab,
            get("json"),
            setup.publisher,
            [("lot.jsonl", lines)],
            source="t",
        )
    finally:
        await conn.execute("ALTER TABLE resources DROP CONSTRAINT test_refusal")
    assert [(i.outcome, i.line) for i in report.items] == [
        ("created", 1),
        ("rejected", 2),
        ("created", 3),
    ]
    assert (report.items[1].message or "").startswith("refusé par la base de données :")
    stored = await conn.fetch(
        "SELECT title FROM resources WHERE publisher_id = $1 ORDER BY title", setup.publisher
    )
    assert [r["title"] for r in stored] == ["Après le refus", "Avant le refus"]
    outbox = await conn.fetchval(
        "SELECT count(*) FROM search_outbox o JOIN resources r ON r.id = o.resource_id "
        "WHERE r.publisher_id = $1",
        setup.publisher,
    )
    assert outbox >= 2


async def test_json_nested_too_deeply_is_rejected_not_a_crash(setup: Setup) -> None:
    nested = b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    for document in (nested, nested + b"\n" + nested):
        report = await run_import(
            setup.pool,
            setup.vocab,
            get("json"),
            setup.publisher,
            [("n.json", document)],
            source="t",
        )
        assert report.rejected >= 1
        assert all(i.outcome == "rejected" for i in report.items)


async def test_import_over_http_and_the_stored_report(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings, setup: Setup
) -> None:
    staff = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:test', 'p', '{publisher}', $1) RETURNING id",
        setup.publisher,
    )
    headers = await bearer(conn, settings, staff)
    response = await client.post(
        "/api/v1/publisher/imports",
        params={"connector": "lomfr"},
        content=(LOM / "batch.xml").read_bytes(),
        headers={**headers, "content-type": "application/xml"},
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["created"], report["rejected"]) == (2, 1)
    stored = await client.get(f"/api/v1/publisher/imports/{report['id']}", headers=headers)
    assert stored.json()["items"] == report["items"]
    unknown = await client.post(
        "/api/v1/publisher/imports", params={"connector": "nope"}, content=b"x", headers=headers
    )
    assert unknown.status_code == 400
    assert "installés : gar, json, lomfr" in unknown.json()["detail"]


async def test_imports_leave_the_event_loop_free_and_are_bounded_per_publisher(
    client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings, setup: Setup
) -> None:
    staff = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, publisher_id) "
        "VALUES ('urn:test', 'p', '{publisher}', $1) RETURNING id",
        setup.publisher,
    )
    headers = {**await bearer(conn, settings, staff), "content-type": "application/zip"}

    async def upload(body: bytes) -> httpx.Response:
        return await client.post("/api/v1/publisher/imports", content=body, headers=headers)

    # Two bombs at once (the publisher's bound), while /healthz is asked every 10 ms: the
    # longest wait between two answers is how long the event loop was kept busy.
    bombs = [zip_bomb(200, name=f"bomb-{n}.xml") for n in range(2)]
    answered: list[float] = []
    importing = asyncio.Event()

    async def probe() -> None:
        while not importing.is_set():
            assert (await client.get("/healthz")).status_code == 200
            answered.append(time.perf_counter())
            await asyncio.sleep(0.01)  # the probe's period: part of the measure

    prober = asyncio.create_task(probe())

    async def probing() -> bool:
        return bool(answered)

    await wait_until_async(probing, "the first /healthz answer", timeout_s=5, interval_s=0.01)
    # The event loop's own CPU time: what the imports cost it, whatever else the machine runs.
    loop_cpu = time.thread_time()
    answers = await asyncio.gather(*(upload(bomb) for bomb in bombs))
    loop_cpu = time.thread_time() - loop_cpu
    importing.set()
    await prober
    for answer in answers:
        assert answer.status_code == 201, answer.text
        assert answer.json()["rejected"] == 1
    longest = max(b - a for a, b in itertools.pairwise(answered))
    assert loop_cpu < 0.5, f"the imports took {loop_cpu:.3f} s of the event loop's CPU"
    # Before: 3.9 s without an answer. A loaded machine may delay an answer; not by a second.
    assert longest < 1.0, f"the event loop was blocked for {longest:.3f} s"

    # Both slots held (here by another session, as by imports in another process): a 409.
    async with setup.pool.acquire() as other:
        for slot in range(MAX_IMPORTS_PER_PUBLISHER):
            assert await other.fetchval(SQL["take_import_slot"], setup.publisher, slot)
        refused = await upload(bombs[0])
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "5"
        await other.fetchval(SQL["release_import_slot"], setup.publisher, 0)
        assert (await upload(bombs[0])).status_code == 201


@pytest.fixture
async def third_party(conn: asyncpg.Connection) -> str:
    publisher: UUID = await conn.fetchval(
        "INSERT INTO publishers (name) VALUES ('Éditions Tierces') RETURNING id"
    )
    return str(publisher)


def test_a_third_party_connector_package_is_listed_and_used(
    tmp_path: Path, database_url: str, third_party: str
) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(FIXTURES / "connector_example"),
        ],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "DATABASE_URL": database_url}
    listed = subprocess.run(
        [sys.executable, "-m", "catalogue", "connectors", "list"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "csv_exemple\tExemple tiers" in listed.stdout
    data = tmp_path / "lot.csv"
    data.write_text(f"Premier titre;{C}scolomfr-voc-022-num-018\n;\n", encoding="utf-8")
    imported = subprocess.run(
        [
            sys.executable,
            "-m",
            "catalogue",
            "import",
            "csv_exemple",
            str(data),
            "--publisher",
            third_party,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[-1].endswith(
        "1 created, 0 updated, 0 unchanged, 1 rejected"
    )


async def test_the_corpus_imports_as_its_expected_resources(
    setup: Setup, conn: asyncpg.Connection
) -> None:
    # One import per notice: each is compared with its own expected resource (what notices
    # of one import say of each other is tested with the source keys).
    for notice in sorted((LOM / "corpus").glob("*.xml")):
        report = await run_import(
            setup.pool,
            setup.vocab,
            get("lomfr"),
            setup.publisher,
            [(notice.name, notice.read_bytes())],
            source="test",
        )
        [item] = report.items
        want = json.loads(notice.with_suffix(".json").read_text(encoding="utf-8"))
        assert item.line == want["line"], notice.name
        if "rejected" in want:
            assert item.outcome == "rejected", notice.name
            assert (item.message or "").startswith(want["rejected"]), notice.name
            continue
        assert (item.outcome, item.warnings) == ("created", want["warnings"]), notice.name
        row = await conn.fetchrow("SELECT * FROM resources WHERE id = $1", item.resource_id)
        assert row is not None
        for field in ("title", "languages", "audiences", "levels", "disciplines", "keywords"):
            assert row[field] == want["resource"].get(field, []), (notice.name, field)
        assert row["contributors"] == want["resource"].get("contributors", []), notice.name
        assert row["unknown_concepts"] == want["unknown_concepts"], notice.name
