"""The proof of the ScoLOMFR export: a round trip.

Generated resources with every field the `lom` format carries filled (any language, several
identifiers and contributors) are exported through `/oai` (HTTP through the app), read back
by our own `lomfr` connector in strict mode (the shipped 3.2.1 XSD) for another publisher,
and stored again: the two resources are equal, field by field, and the reader warns of
nothing (it drops nothing the exporter wrote).

Not exported, so not generated: offers, thumbnail_url, accessibility. Values keep to what
the reader reads today: ISO 639-2 language codes (stored in their /B form), multi-line
vCards, one concept per taxon path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.oai.formats import _role_uri, vocabulary_values
from catalogue.resources.models import (
    Contributor,
    Identifier,
    IdentifierKind,
    Provenance,
    ResourceDraft,
    Status,
)
from catalogue.resources.service import read_resource, save_resource, stored_languages
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from connectors.contract import Context, Record
from connectors.lomfr import LomFrConnector
from connectors.vcard import vcard_name
from tests.integration.conftest import open_client

OAI = "{http://www.openarchives.org/OAI/2.0/}"
HOST = "catalogue.example.fr"
CONCEPT = "http://data.education.fr/voc/scolomfr/concept/"
CONCEPTS, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
# ISO 639-2 codes (B and T forms): stored, exported and read back in their B form.
LANGUAGES = [
    "fre",
    "fra",
    "eng",
    "ger",
    "deu",
    "spa",
    "ita",
    "por",
    "ara",
    "chi",
    "jpn",
    "rus",
    "bre",
    "oci",
    "baq",
    "cat",
    "cos",
    "gsw",
    "lat",
    "grc",
    "pol",
    "tur",
]
MEDIA_TYPES = [
    "text/html",
    "application/pdf",
    "video/mp4",
    "audio/mpeg",
    "image/png",
    "application/epub+zip",
    "application/vnd.oasis.opendocument.text",
]
COMPARED = [
    "status",
    "title",
    "description",
    "keywords",
    "languages",
    "resource_types",
    "audiences",
    "pedagogical_types",
    "levels",
    "disciplines",
    "formats",
    "rights",
    "access_url",
    "identifiers",
    "contributors",
    "unknown_concepts",
]


def concepts(*schemes: str) -> st.SearchStrategy[list[str]]:
    uris = sorted(c.uri for c in CONCEPTS if c.scheme in schemes and not c.deprecated)
    assert uris, schemes
    return st.lists(st.sampled_from(uris), min_size=1, max_size=4, unique=True)


def text(max_size: int) -> st.SearchStrategy[str]:
    """Any characters XML can carry, with the whitespace a notice reader trims (one space
    between words, none around)."""
    characters = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
    return (
        st.text(characters, min_size=1, max_size=max_size)
        .map(lambda t: " ".join(t.split()))
        .filter(bool)
    )


NAME = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=20)
IDENTIFIER = st.one_of(
    st.builds(
        lambda n, s: Identifier(IdentifierKind.ARK, f"ark:/{n}/{s}"),
        st.integers(10000, 99999),
        NAME,
    ),
    st.builds(
        lambda d: Identifier(IdentifierKind.ISBN, f"978{d:010d}"), st.integers(0, 10**10 - 1)
    ),
    st.builds(lambda h, p: Identifier(IdentifierKind.URL, f"https://{h}.example/{p}"), NAME, NAME),
)
CONTRIBUTOR = st.builds(
    Contributor,
    # A voc-003 concept, or any text (exported as the role's label).
    role=st.one_of(
        st.sampled_from(sorted(vocabulary_values("003"))),
        text(300).filter(lambda role: _role_uri(role) is None),
    ),
    name=text(300),
    organisation=st.one_of(st.none(), text(300)),
)
RESOURCE = st.builds(
    ResourceDraft,
    title=text(500),
    description=st.lists(text(300), min_size=1, max_size=3).map("\n\n".join),
    keywords=st.lists(text(200), min_size=1, max_size=4),
    languages=st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True),
    resource_types=concepts("scolomfr-voc-005"),
    pedagogical_types=concepts("scolomfr-voc-010"),
    audiences=concepts("scolomfr-voc-011"),
    levels=concepts("scolomfr-voc-012", "scolomfr-voc-022"),
    disciplines=concepts("scolomfr-voc-015"),
    formats=st.lists(st.sampled_from(MEDIA_TYPES), min_size=1, max_size=3, unique=True),
    rights=text(500),
    access_url=st.builds(lambda h, p: f"https://{h}.example/{p}", NAME, NAME),
    identifiers=st.lists(IDENTIFIER, min_size=2, max_size=5, unique=True),
    contributors=st.lists(CONTRIBUTOR, min_size=2, max_size=4),
    status=st.just(Status.PUBLISHED),
)


class World(msgspec.Struct):
    client: httpx.AsyncClient
    conn: asyncpg.Connection
    vocab: VocabularyIndex


@pytest.fixture
async def world(settings: Settings, conn: asyncpg.Connection) -> AsyncIterator[World]:
    configured = msgspec.structs.replace(settings, public_url=f"https://{HOST}")
    async for client in open_client(create_asgi_app(configured)):
        yield World(client, conn, await VocabularyIndex.load(conn))


async def export(client: httpx.AsyncClient, resource_id: UUID) -> bytes:
    answer = await client.get(
        "/oai",
        params={
            "verb": "GetRecord",
            "identifier": f"oai:{HOST}:{resource_id}",
            "metadataPrefix": "lom",
        },
    )
    assert answer.status_code == 200, answer.text
    metadata = etree.fromstring(answer.content).find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata")
    assert metadata is not None, answer.text
    serialised: bytes = etree.tostring(metadata[0])
    return serialised


async def publisher(conn: asyncpg.Connection, name: str) -> UUID:
    found: UUID = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ($1, 'approved') RETURNING id",
        f"{name} {uuid4()}",  # a pair of publishers for each example
    )
    return found


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(draft=RESOURCE)
@example(  # what a vCard must escape, a path with "\n" in it, and a non-BMP character
    draft=ResourceDraft(
        title="Les 🌋 volcans",
        description="Un.\n\nDeux.",
        keywords=["volcan"],
        languages=["fre"],
        resource_types=[f"{CONCEPT}scolomfr-voc-005-num-028"],
        formats=["text/html"],
        rights="© Éditions, 2024; tous droits réservés",
        access_url="https://editions.example/volcans",
        identifiers=[Identifier(IdentifierKind.ARK, "ark:/12345/v")],
        contributors=[
            Contributor(
                role=f"{CONCEPT}author", name="C:\\new\\Nom, Prénom; Jr", organisation="A;B"
            ),
            Contributor(role=f"{CONCEPT}publisher", name="Éditions\\", organisation="x\\;y"),
        ],
        status=Status.PUBLISHED,
    )
)
async def test_a_resource_exported_in_lom_and_imported_again_is_the_same(
    world: World, draft: ResourceDraft
) -> None:
    conn, vocab = world.conn, world.vocab
    origin, copy = await publisher(conn, "Origine"), await publisher(conn, "Copie")
    saved = await save_resource(conn, vocab, origin, draft)

    notice = await export(world.client, saved.id)
    context = Context(concept_for_label=vocab.concept_for_label, strict=True)  # the XSD too
    results = list(LomFrConnector().read(notice, context))
    assert len(results) == 1
    record = results[0]
    assert isinstance(record, Record), record
    assert record.warnings == [], record.warnings
    provenance = Provenance(connector="lomfr", source_id=record.source_id)
    imported = await save_resource(conn, vocab, copy, record.draft, provenance)
    assert imported.outcome == "created"

    before = await read_resource(conn, vocab, saved.id, publisher_id=origin)
    after = await read_resource(conn, vocab, imported.id, publisher_id=copy)
    for field in COMPARED:
        expected: Any = getattr(before, field)
        assert getattr(after, field) == expected, field
    # And what was stored is what was generated (nothing lost on the way in either).
    for field in ("title", "description", "keywords", "formats", "rights"):
        assert getattr(before, field) == getattr(draft, field), field
    assert before.languages == stored_languages(draft.languages)  # "fra" is stored as "fre"
    assert sorted(before.identifiers, key=str) == sorted(draft.identifiers, key=str)
    assert before.contributors == draft.contributors


def test_an_escaped_backslash_before_n_stays_a_backslash() -> None:
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:C:\\\\new\\, \\\\Nom\\nsuite\nORG:A\\;B;Unité\nEND:VCARD"
    assert vcard_name(card) == ("C:\\new, \\Nom suite", "A;B")
