"""What our OAI-PMH provider exports, read through the app over HTTP: every field of a
resource in ScoLOMFR (valid against the shipped 3.2.1 XSD) and in Dublin Core, the XSD at the
URL the `lom` format names, and the protocol's answers to odd requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest
from lxml import etree

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.resources.models import (
    Contributor,
    Identifier,
    IdentifierKind,
    ResourceDraft,
    Status,
)
from catalogue.resources.service import save_resource
from catalogue.vocabularies.index import VocabularyIndex
from connectors.lomfr import _schema
from tests.integration.conftest import open_client

PUBLIC_URL = "https://catalogue.example.fr"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
LOM = "{http://ltsc.ieee.org/xsd/LOM}"
DC = "{http://purl.org/dc/elements/1.1/}"
ISO = "http://id.loc.gov/vocabulary/iso639-2/"
CONCEPT = "http://data.education.fr/voc/scolomfr/concept/"


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    configured = msgspec.structs.replace(settings, public_url=PUBLIC_URL)
    async for c in open_client(create_asgi_app(configured)):
        yield c


async def approved_publisher(conn: asyncpg.Connection, name: str) -> UUID:
    publisher: UUID = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ($1, 'approved') RETURNING id", name
    )
    return publisher


ENGLISH = ResourceDraft(
    title="The water cycle",
    description="Evaporation, condensation.\n\nPrecipitation, runoff.",
    keywords=["water", "cycle"],
    languages=["eng", "fre"],
    formats=["text/html", "application/pdf"],
    rights="CC BY-SA 4.0",
    access_url="https://editions.example/water",
    identifiers=[
        Identifier(IdentifierKind.ARK, "ark:/12345/water"),
        Identifier(IdentifierKind.ISBN, "9782123456803"),
        Identifier(IdentifierKind.URL, "https://editions.example/ressources/water"),
    ],
    contributors=[
        Contributor(role=f"{CONCEPT}author", name="Jeanne Martin", organisation="Éditions; Eau"),
        Contributor(role="author", name="Paul Durand"),
    ],
    status=Status.PUBLISHED,
)


async def get_record(client: httpx.AsyncClient, resource_id: UUID, prefix: str) -> etree._Element:
    answer = await client.get(
        "/oai",
        params={
            "verb": "GetRecord",
            "identifier": f"oai:catalogue.example.fr:{resource_id}",
            "metadataPrefix": prefix,
        },
    )
    assert answer.status_code == 200, answer.text
    root = etree.fromstring(answer.content)
    metadata = root.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata")
    assert metadata is not None, answer.text
    return metadata[0]


async def test_lom_carries_identifiers_contributors_rights_formats_in_their_language(
    app_client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    vocab = await VocabularyIndex.load(conn)
    publisher = await approved_publisher(conn, "Éditions de l'eau")
    saved = await save_resource(conn, vocab, publisher, ENGLISH)
    lom = await get_record(app_client, saved.id, "lom")
    assert _schema().validate(etree.ElementTree(lom)), _schema().error_log

    entries = [
        (i.findtext(f"{LOM}catalog"), i.findtext(f"{LOM}entry"))
        for i in lom.iterfind(f"{LOM}general/{LOM}identifier")
    ]
    assert sorted(entries) == [
        ("ARK", "ark:/12345/water"),
        ("ISBN", "9782123456803"),
        ("URI", "https://editions.example/ressources/water"),
    ]
    # The OAI identifier is the notice's own (3.1), not the resource's.
    meta_id = lom.findtext(f"{LOM}metaMetadata/{LOM}identifier/{LOM}entry")
    assert meta_id == f"oai:catalogue.example.fr:{saved.id}"

    contributions = lom.findall(f"{LOM}lifeCycle/{LOM}contribute")
    assert [c.findtext(f"{LOM}role/{LOM}value") for c in contributions] == [
        f"{CONCEPT}author",
        f"{CONCEPT}author",  # the LOM role "author" as its voc-003 concept
    ]
    first = contributions[0].findtext(f"{LOM}entity") or ""
    assert first.startswith("BEGIN:VCARD\nVERSION:3.0\n")
    assert "\nFN:Jeanne Martin\n" in first
    assert "\nORG:Éditions\\; Eau\n" in first

    assert lom.findtext(f"{LOM}rights/{LOM}description/{LOM}string") == "CC BY-SA 4.0"
    assert [f.text for f in lom.iterfind(f"{LOM}technical/{LOM}format")] == [
        "text/html",
        "application/pdf",
    ]
    # The resource's strings in its language; the vocabulary's labels in French.
    title = lom.find(f"{LOM}general/{LOM}title/{LOM}string")
    assert title is not None
    assert title.get("language") == f"{ISO}eng"
    descriptions = lom.findall(f"{LOM}general/{LOM}description/{LOM}string")
    assert [d.text for d in descriptions] == [
        "Evaporation, condensation.",
        "Precipitation, runoff.",
    ]
    assert {d.get("language") for d in descriptions} == {f"{ISO}eng"}


async def test_a_resource_without_language_has_untagged_strings(
    app_client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    vocab = await VocabularyIndex.load(conn)
    publisher = await approved_publisher(conn, "Sans langue")
    draft = ResourceDraft(title="Sans langue", status=Status.PUBLISHED)
    saved = await save_resource(conn, vocab, publisher, draft)
    lom = await get_record(app_client, saved.id, "lom")
    title = lom.find(f"{LOM}general/{LOM}title/{LOM}string")
    assert title is not None
    assert title.get("language") is None
    assert _schema().validate(etree.ElementTree(lom)), _schema().error_log


async def test_oai_dc_carries_title_description_identifiers_languages_rights(
    app_client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    vocab = await VocabularyIndex.load(conn)
    publisher = await approved_publisher(conn, "Éditions DC")
    saved = await save_resource(conn, vocab, publisher, ENGLISH)
    dc = await get_record(app_client, saved.id, "oai_dc")
    assert dc.findtext(f"{DC}title") == "The water cycle"
    assert dc.findtext(f"{DC}description") == ENGLISH.description
    assert [e.text for e in dc.iterfind(f"{DC}identifier")] == [
        f"oai:catalogue.example.fr:{saved.id}",
        "ark:/12345/water",
        "urn:isbn:9782123456803",
        "https://editions.example/ressources/water",
        "https://editions.example/water",
    ]
    assert [e.text for e in dc.iterfind(f"{DC}language")] == ["eng", "fre"]
    assert dc.findtext(f"{DC}rights") == "CC BY-SA 4.0"
    assert [e.text for e in dc.iterfind(f"{DC}contributor")] == ["Jeanne Martin", "Paul Durand"]
    assert [e.text for e in dc.iterfind(f"{DC}format")] == ["text/html", "application/pdf"]


async def test_the_lom_schema_url_is_absolute_and_serves_the_xsd(
    app_client: httpx.AsyncClient,
) -> None:
    answer = await app_client.get("/oai", params={"verb": "ListMetadataFormats"})
    root = etree.fromstring(answer.content)
    schemas = {
        f.findtext(f"{OAI}metadataPrefix"): f.findtext(f"{OAI}schema") or ""
        for f in root.iterfind(f"{OAI}ListMetadataFormats/{OAI}metadataFormat")
    }
    assert schemas["lom"] == f"{PUBLIC_URL}/schemas/xsd/scolomfr-3.2.1/scolomfr.xsd"
    path = schemas["lom"].removeprefix(PUBLIC_URL)
    xsd = await app_client.get(path)
    assert xsd.status_code == 200
    assert xsd.headers["content-type"].startswith("application/xml")
    assert etree.fromstring(xsd.content).tag == "{http://www.w3.org/2001/XMLSchema}schema"
    # What it includes answers beside it, so a validator can follow the relative paths.
    included = await app_client.get("/schemas/xsd/scolomfr-3.2.1/common/dataTypes.xsd")
    assert included.status_code == 200
    for outside in ("../../api/resource.schema.json", "nope.xsd", "%2e%2e/SOURCES.md"):
        refused = await app_client.get(f"/schemas/xsd/scolomfr-3.2.1/{outside}")
        assert refused.status_code == 404, outside


def oai_error(answer: httpx.Response) -> str | None:
    root = etree.fromstring(answer.content)
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")


async def test_a_repeated_verb_is_a_bad_verb(app_client: httpx.AsyncClient) -> None:
    for query in ("verb=Identify&verb=Identify", "verb=Identify&verb=ListSets"):
        answer = await app_client.get(f"/oai?{query}")
        assert answer.status_code == 200
        assert oai_error(answer) == "badVerb", query


async def test_a_nul_character_is_a_bad_argument_with_400(app_client: httpx.AsyncClient) -> None:
    for query in (
        "verb=Identify%00",
        "verb=GetRecord&metadataPrefix=lom&identifier=oai:x%00",
        "verb=ListRecords&metadataPrefix=lom&set=a%00b",
        "verb=ListSets&x%00=1",
        "verb=ListRecords&metadataPrefix=lom&from=%01",
    ):
        answer = await app_client.get(f"/oai?{query}")
        assert answer.status_code == 400, query
        assert oai_error(answer) == "badArgument", query
    posted = await app_client.post(
        "/oai",
        content=b"verb=ListRecords&metadataPrefix=lom%00",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert posted.status_code == 400
    assert oai_error(posted) == "badArgument"


async def test_a_role_outside_the_vocabulary_is_a_label_and_the_notice_stays_valid(
    app_client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    vocab = await VocabularyIndex.load(conn)
    publisher = await approved_publisher(conn, "Rôles libres")
    draft = ResourceDraft(
        title="Rôles",
        contributors=[
            Contributor(role="relecture bénévole", organisation="Association, Lecture"),
            Contributor(role="author"),  # nobody named: nothing to export
        ],
        status=Status.PUBLISHED,
    )
    saved = await save_resource(conn, vocab, publisher, draft)
    lom = await get_record(app_client, saved.id, "lom")
    assert _schema().validate(etree.ElementTree(lom)), _schema().error_log
    contributions = lom.findall(f"{LOM}lifeCycle/{LOM}contribute")
    assert len(contributions) == 1
    assert contributions[0].findtext(f"{LOM}role/{LOM}label") == "relecture bénévole"
    assert contributions[0].find(f"{LOM}role/{LOM}value") is None
    assert "\nORG:Association\\, Lecture\n" in (contributions[0].findtext(f"{LOM}entity") or "")


async def test_a_control_character_in_a_stored_title_does_not_break_the_page(
    app_client: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    vocab = await VocabularyIndex.load(conn)
    publisher = await approved_publisher(conn, "Caractères")
    draft = ResourceDraft(title="Titre\x01bis", status=Status.PUBLISHED)
    saved = await save_resource(conn, vocab, publisher, draft)
    for prefix, path in (("lom", f"{LOM}general/{LOM}title/{LOM}string"), ("oai_dc", f"{DC}title")):
        notice = await get_record(app_client, saved.id, prefix)
        assert notice.findtext(path) == "Titre\ufffdbis"
