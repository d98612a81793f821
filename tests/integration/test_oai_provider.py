"""Our OAI-PMH provider, harvested by an independent client (Sickle) over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import NoRecordsMatch

from catalogue.demo.generator import generate
from catalogue.resources.bulk import bulk_load
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from connectors.lomfr import _schema
from tests.support.demo_server import Server

OAI = "{http://www.openarchives.org/OAI/2.0/}"
LOM = "{http://ltsc.ieee.org/xsd/LOM}"
COUNT = 150


@pytest.fixture
async def published(conn: asyncpg.Connection) -> str:
    """150 generated offerings of approved publishers, one of them withdrawn."""
    concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
    vocab = await VocabularyIndex.load(conn)
    items = ((i.publisher, i.draft) for i in generate(COUNT, concepts, seed=7))
    await bulk_load(conn, vocab, items, connector="test")
    await conn.execute("UPDATE publishers SET status = 'approved'")
    withdrawn: str = await conn.fetchval(
        "UPDATE resources SET status = 'withdrawn', updated_at = now() "
        "WHERE id = (SELECT min(id::text)::uuid FROM resources) RETURNING id::text"
    )
    return withdrawn


@pytest.fixture
def server(database_url: str, published: str, tmp_path: Path) -> Iterator[str]:
    assert published, "the records exist before the server starts"
    env = {
        "DATABASE_URL": database_url,
        "CATALOGUE_DATA_DIR": str(tmp_path),
        "CATALOGUE_EMBEDDED_WORKER": "false",
    }
    with Server(tmp_path / "serve.log", env=env) as server:
        yield f"{server.url}/oai"


def test_sickle_harvests_everything_in_scolomfr_that_validates(server: str, published: str) -> None:
    sickle = Sickle(server)
    identify = sickle.Identify()
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.deletedRecord == "persistent"
    prefixes = {f.metadataPrefix for f in sickle.ListMetadataFormats()}
    assert prefixes == {"oai_dc", "lom"}
    sets = list(sickle.ListSets())
    assert sets
    assert all(s.setSpec.startswith("publisher:") for s in sets)

    records = list(sickle.ListRecords(metadataPrefix="lom", ignore_deleted=False))
    assert len(records) == COUNT  # two pages, through a resumption token
    deleted = [r for r in records if r.header.deleted]
    assert [r.header.identifier.rsplit(":", 1)[-1] for r in deleted] == [published]
    schema = _schema()
    for record in records:
        if record.header.deleted:
            continue
        notice = etree.fromstring(record.raw.encode()).find(f".//{LOM}lom")
        assert notice is not None
        assert schema.validate(etree.ElementTree(notice)), schema.error_log


def test_sets_dates_dublin_core_and_get_record(server: str) -> None:
    sickle = Sickle(server)
    one_set = next(iter(sickle.ListSets())).setSpec
    in_set = list(sickle.ListIdentifiers(metadataPrefix="oai_dc", set=one_set))
    assert in_set
    assert all(one_set in h.setSpecs for h in in_set)
    # The first record that is not the withdrawn one (a deleted record has no metadata).
    listed = sickle.ListRecords(metadataPrefix="oai_dc", set=one_set)
    dc = next(r for r in listed if not r.header.deleted)
    assert dc.metadata["title"]
    single = sickle.GetRecord(identifier=in_set[0].identifier, metadataPrefix="lom")
    assert single.header.identifier == in_set[0].identifier
    with pytest.raises(NoRecordsMatch):
        list(sickle.ListIdentifiers(metadataPrefix="lom", until="2000-01-01"))
    recent = list(sickle.ListIdentifiers(metadataPrefix="lom", **{"from": "2000-01-01"}))
    assert len(recent) == COUNT


PROTOCOL_ERRORS = [
    ("verb=Nope", "badVerb"),
    ("", "badVerb"),
    ("verb=ListRecords", "badArgument"),
    ("verb=ListRecords&metadataPrefix=lom&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=lom&resumptionToken=abc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=lom&from=yesterday", "badArgument"),
    (
        "verb=ListRecords&metadataPrefix=lom&from=2020-01-01&until=2030-01-01T00:00:00Z",
        "badArgument",
    ),
    ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
    ("verb=GetRecord&metadataPrefix=lom&identifier=oai:nowhere:1", "idDoesNotExist"),
    ("verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"),
    ("verb=ListRecords&metadataPrefix=lom&set=publisher:x", "noRecordsMatch"),
    ("verb=Identify&extra=1", "badArgument"),
]


def test_protocol_errors(server: str) -> None:
    for query, code in PROTOCOL_ERRORS:
        response = httpx.get(f"{server}?{query}")
        assert response.status_code == 200
        root = etree.fromstring(response.content)
        error = root.find(f"{OAI}error")
        assert error is not None, response.text
        assert error.get("code") == code, query
        request = root.find(f"{OAI}request")
        assert request is not None
        # The protocol keeps the request's arguments, except after badVerb and badArgument.
        assert (request.get("verb") is None) == (code in ("badVerb", "badArgument")), query
