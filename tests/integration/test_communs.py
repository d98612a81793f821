"""Communs numériques over the API: publishing, licences, authorship, versions, adaptations,
search, OAI-PMH, reports and moderation."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest
from lxml import etree

from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.identity.secrets import derive_key, platform_pseudonym, resolve_secret_key
from catalogue.search import outbox
from catalogue.search.pg import PostgresBackend
from catalogue.vocabularies.index import VocabularyIndex
from connectors.lomfr import _schema
from tests.integration.conftest import bearer
from tests.integration.platform import platform_headers
from tests.integration.search_corpus import EXERCISE, MATHS, SIXIEME
from tests.integration.test_mediacentre import SHAPE, mismatches
from tests.logs import capture_logs

LOM = "{http://ltsc.ieee.org/xsd/LOM}"
OAI = "{http://www.openarchives.org/OAI/2.0/}"

HIDDEN_NAME = "Camille Discrètenom"
SHOWN_NAME = "Dominique Visiblenom"
SCHOOL = "Collège des Communs"
UAI = "0750001A"
OTHER_UAI = "0130001B"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """PostgreSQL's index: these tests index it themselves (PostgresBackend, no worker) and
    search it through the app at once (Tantivy, the default, reloads on the worker's notice)."""
    return msgspec.structs.replace(settings, search_backend="postgresql")


async def _person(
    conn: asyncpg.Connection,
    settings: Settings,
    subject: str,
    roles: str,
    *,
    name: str = "",
    uai: str | None = UAI,
    academie: str | None = "paris",
) -> dict[str, str]:
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, display_name, roles, establishment_uai, academie) "
        "VALUES ('urn:test', $1, $2, $3, $4, $5) RETURNING id",
        subject,
        name,
        roles.strip("{}").split(","),
        uai,
        academie,
    )
    return await bearer(conn, settings, person)


class People:
    def __init__(self, **headers: dict[str, str]) -> None:
        self.__dict__.update(headers)

    hidden: dict[str, str]
    shown: dict[str, str]
    third: dict[str, str]
    admin: dict[str, str]
    other_admin: dict[str, str]
    national: dict[str, str]


@pytest.fixture
async def people(conn: asyncpg.Connection, settings: Settings) -> People:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES ($1, $2, 'paris'), "
        "($3, 'Lycée du Sud', 'aix-marseille')",
        UAI,
        SCHOOL,
        OTHER_UAI,
    )
    return People(
        hidden=await _person(conn, settings, "t1", "{teacher}", name=HIDDEN_NAME),
        shown=await _person(conn, settings, "t2", "{teacher}", name=SHOWN_NAME),
        third=await _person(conn, settings, "t3", "{teacher}", name="Troisième Prof"),
        admin=await _person(conn, settings, "a1", "{academie_admin}", uai=None),
        other_admin=await _person(
            conn, settings, "a2", "{academie_admin}", uai=None, academie="aix-marseille"
        ),
        national=await _person(conn, settings, "n1", "{national_admin}", uai=None, academie=None),
    )


def draft(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Fractions en sixième",
        "description": "Une séquence sur les fractions, avec exercices corrigés.",
        "levels": [SIXIEME],
        "disciplines": [MATHS],
        "pedagogical_types": [EXERCISE],
        "language": "fre",
        "keywords": ["fractions"],
        "link": "https://exemple.fr/fractions",
        "licence": "CC-BY-4.0",
    }
    body.update(changes)
    return body


async def publish(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> dict[str, Any]:
    answer = await client.post("/api/v1/communs", json=draft(**changes), headers=headers)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def approved(
    client: httpx.AsyncClient, people: People, author: dict[str, str], **changes: Any
) -> dict[str, Any]:
    """A commun of an author whose first publication an administrator approved."""
    first = await publish(client, author, **changes)
    if first["state"] == "pending":
        answer = await client.post(f"/api/v1/communs/{first['id']}/approval", headers=people.admin)
        assert answer.status_code == 201, answer.text
        first["state"] = "visible"
    return first


async def test_a_first_publication_waits_for_its_academie_then_later_ones_are_visible(
    client: httpx.AsyncClient, people: People
) -> None:
    first = await publish(client, people.hidden)
    assert first["state"] == "pending"
    assert first["free"] is True
    assert first["licence"]["id"] == "CC-BY-4.0"
    assert [level["label"] for level in first["levels"]] == ["6e"]
    url = f"/api/v1/communs/{first['id']}"
    assert (await client.get(url, headers=people.shown)).status_code == 404
    assert (await client.get(url, headers=people.hidden)).status_code == 200
    # Another académie's administrator may not approve it; its own may.
    refused = await client.post(f"{url}/approval", headers=people.other_admin)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.post(f"{url}/approval", headers=people.admin)).status_code == 201
    assert (await client.get(url, headers=people.shown)).json()["state"] == "visible"
    again = await client.post(f"{url}/approval", headers=people.admin)
    assert again.status_code == 409
    second = await publish(client, people.hidden, title="Fractions, suite")
    assert second["state"] == "visible"
    # The resource itself: free, no offer, of the communs' publisher.
    resource = (await client.get(f"/api/v1/resources/{second['id']}", headers=people.shown)).json()
    assert resource["offers"] == []
    assert resource["publisher_name"] == "Communs numériques"
    assert resource["rights"].startswith("CC BY 4.0")


@pytest.mark.parametrize("licence", ["CC-BY-NC-4.0", "Tous droits réservés", "", "cc-by-4.0"])
async def test_a_licence_that_is_not_open_is_refused(
    client: httpx.AsyncClient, people: People, licence: str
) -> None:
    answer = await client.post(
        "/api/v1/communs", json=draft(licence=licence), headers=people.hidden
    )
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert "Licence non ouverte" in problem["detail"]
    assert problem["errors"][0]["key"] == "licence"


async def test_bad_input_is_refused_and_nothing_is_written(
    client: httpx.AsyncClient, people: People, conn: asyncpg.Connection
) -> None:
    unknown = await client.post(
        "/api/v1/communs", json=draft(levels=["urn:nothing"]), headers=people.hidden
    )
    assert unknown.status_code == 422
    assert "levels[0]" in unknown.text
    long = await client.post("/api/v1/communs", json=draft(title="x" * 501), headers=people.hidden)
    assert long.status_code in (400, 422)
    extra = await client.post(
        "/api/v1/communs", json=draft(offers=[{"price": 1}]), headers=people.hidden
    )
    assert extra.status_code in (400, 422)
    link = await client.post(
        "/api/v1/communs", json=draft(link="javascript:alert(1)"), headers=people.hidden
    )
    assert link.status_code in (400, 422)
    assert await conn.fetchval("SELECT count(*) FROM communs") == 0
    assert await conn.fetchval("SELECT count(*) FROM resources WHERE connector = 'commun'") == 0


async def test_only_teachers_publish_and_anonymous_callers_get_nothing(
    client: httpx.AsyncClient, people: People
) -> None:
    assert (
        await client.post("/api/v1/communs", json=draft(), headers=people.admin)
    ).status_code == 403
    commun = await approved(client, people, people.hidden)
    some = UUID(int=1)
    routes = [
        ("POST", "/api/v1/communs"),
        ("GET", "/api/v1/communs/mine"),
        ("GET", "/api/v1/communs/moderation"),
        ("GET", f"/api/v1/communs/{commun['id']}"),
        ("PUT", f"/api/v1/communs/{commun['id']}"),
        ("GET", f"/api/v1/communs/{commun['id']}/versions"),
        ("GET", f"/api/v1/communs/{commun['id']}/versions/1"),
        ("POST", f"/api/v1/communs/{commun['id']}/adaptations"),
        ("POST", f"/api/v1/communs/{commun['id']}/reports"),
        ("POST", f"/api/v1/communs/{some}/decisions"),
        ("POST", f"/api/v1/communs/{some}/approval"),
    ]
    forged = {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}
    for method, path in routes:
        for headers in ({}, forged):
            answer = await client.request(method, path, json=draft(), headers=headers)
            assert answer.status_code == 401, (method, path, answer.status_code)
    teacher_decides = await client.post(
        f"/api/v1/communs/{commun['id']}/decisions",
        json={"action": "hide"},
        headers=people.shown,
    )
    assert teacher_decides.status_code == 403
    assert (await client.get("/api/v1/communs/moderation", headers=people.shown)).status_code == 403
    # Only the author edits.
    other = await client.put(
        f"/api/v1/communs/{commun['id']}", json=draft(title="Pris"), headers=people.shown
    )
    assert other.status_code == 404


async def _harvest(client: httpx.AsyncClient, prefix: str) -> str:
    answer = await client.get(f"/oai?verb=ListRecords&metadataPrefix={prefix}")
    assert answer.status_code == 200
    return answer.text


async def test_a_hidden_name_leaks_nowhere_and_a_shown_one_is_credited(
    client: httpx.AsyncClient, people: People
) -> None:
    with capture_logs() as logs:
        hidden = await approved(client, people, people.hidden, title="Anonyme")
        shown = await approved(
            client, people, people.shown, title="Signée", show_name=True, licence="CC-BY-SA-4.0"
        )
        adapted = await client.post(
            f"/api/v1/communs/{hidden['id']}/adaptations",
            json=draft(title="Adaptation", licence="CC-BY-SA-4.0"),
            headers=people.shown,
        )
        assert adapted.status_code == 201
        edited = await client.put(
            f"/api/v1/communs/{hidden['id']}", json=draft(title="Anonyme v2"), headers=people.hidden
        )
        assert edited.status_code == 200
    assert hidden["authors"] == [SCHOOL]
    assert shown["authors"] == [SHOWN_NAME]
    assert adapted.json()["credits"][0]["authors"] == [SCHOOL]
    pages: list[str] = []
    for commun in (hidden, shown, adapted.json()):
        for path in (
            f"/api/v1/communs/{commun['id']}",
            f"/api/v1/communs/{commun['id']}/versions",
            f"/api/v1/communs/{commun['id']}/versions/1",
            f"/api/v1/resources/{commun['id']}",
        ):
            answer = await client.get(path, headers=people.third)
            assert answer.status_code == 200, path
            pages.append(answer.text)
    pages.append((await client.get("/api/v1/communs/mine", headers=people.hidden)).text)
    pages.append((await client.get("/api/v1/communs/moderation", headers=people.admin)).text)
    oai_dc = await _harvest(client, "oai_dc")
    lom = await _harvest(client, "lom")
    everything = "\n".join([*pages, oai_dc, lom, repr(logs)])
    assert HIDDEN_NAME not in everything
    assert "Discrètenom" not in everything
    # The shown name and the licence are carried to OAI-PMH (rights, contributors).
    assert f"<dc:contributor>{SHOWN_NAME}</dc:contributor>" in oai_dc
    assert f"<dc:contributor>{SCHOOL}</dc:contributor>" in oai_dc
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in oai_dc
    assert "https://creativecommons.org/licenses/by/4.0/" in lom
    assert SHOWN_NAME in lom


async def test_an_edit_makes_a_new_version_and_earlier_ones_stay_readable(
    client: httpx.AsyncClient, people: People
) -> None:
    commun = await approved(client, people, people.hidden)
    url = f"/api/v1/communs/{commun['id']}"
    edited = await client.put(
        url, json=draft(title="Fractions, deuxième version"), headers=people.hidden
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    assert edited.json()["state"] == "visible"
    versions = (await client.get(f"{url}/versions", headers=people.shown)).json()
    assert [(v["version"], v["title"]) for v in versions] == [
        (2, "Fractions, deuxième version"),
        (1, "Fractions en sixième"),
    ]
    first = (await client.get(f"{url}/versions/1", headers=people.shown)).json()
    assert first["content"]["title"] == "Fractions en sixième"
    assert (await client.get(f"{url}/versions/3", headers=people.shown)).status_code == 404
    resource = (await client.get(f"/api/v1/resources/{commun['id']}", headers=people.shown)).json()
    assert resource["title"] == "Fractions, deuxième version"
    refused = await client.put(url, json=draft(licence="CC-BY-ND-4.0"), headers=people.hidden)
    assert refused.status_code == 422


async def test_an_adaptation_keeps_its_link_credits_and_share_alike(
    client: httpx.AsyncClient, people: People
) -> None:
    original = await approved(
        client, people, people.shown, show_name=True, licence="CC-BY-SA-4.0", title="Original"
    )
    url = f"/api/v1/communs/{original['id']}/adaptations"
    for licence in ("CC-BY-4.0", "CC0-1.0", "etalab-2.0"):
        refused = await client.post(url, json=draft(licence=licence), headers=people.third)
        assert refused.status_code == 422, licence
        assert "CC BY-SA" in refused.json()["detail"]
    adapted = await client.post(
        url, json=draft(title="Adaptée", licence="CC-BY-SA-4.0"), headers=people.third
    )
    assert adapted.status_code == 201, adapted.text
    first = adapted.json()
    assert first["based_on"] == original["id"]
    assert first["credits"] == [
        {
            "resource_id": original["id"],
            "title": "Original",
            "authors": [SHOWN_NAME],
            "licence": "CC-BY-SA-4.0",
        }
    ]
    # An edit of the adaptation may not drop share-alike either.
    edit = await client.put(
        f"/api/v1/communs/{first['id']}", json=draft(licence="CC-BY-4.0"), headers=people.third
    )
    assert edit.status_code == 422
    # The chain goes on: an adaptation of the adaptation credits both.
    if first["state"] == "pending":
        await client.post(f"/api/v1/communs/{first['id']}/approval", headers=people.admin)
    second = await client.post(
        f"/api/v1/communs/{first['id']}/adaptations",
        json=draft(title="Re-adaptée", licence="CC-BY-SA-4.0"),
        headers=people.hidden,
    )
    assert second.status_code == 201
    assert [c["title"] for c in second.json()["credits"]] == ["Adaptée", "Original"]
    await client.post(f"/api/v1/communs/{second.json()['id']}/approval", headers=people.admin)
    resource = (
        await client.get(f"/api/v1/resources/{second.json()['id']}", headers=people.national)
    ).json()
    assert {c["name"] for c in resource["contributors"]} >= {SCHOOL, SHOWN_NAME}
    # CC BY may not go into the public domain; adapting a missing commun is a 404.
    by = await approved(client, people, people.shown, licence="CC-BY-4.0")
    cc0 = await client.post(
        f"/api/v1/communs/{by['id']}/adaptations",
        json=draft(licence="CC0-1.0"),
        headers=people.third,
    )
    assert cc0.status_code == 422
    missing = await client.post(
        f"/api/v1/communs/{UUID(int=7)}/adaptations", json=draft(), headers=people.third
    )
    assert missing.status_code == 404


async def test_communs_are_a_search_facet(
    client: httpx.AsyncClient, people: People, conn: asyncpg.Connection, settings: Settings
) -> None:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions', 'approved') RETURNING id"
    )
    await conn.execute(
        "INSERT INTO resources (publisher_id, status, title, description, published_at) "
        "VALUES ($1, 'published', 'Fractions pour tous', 'Une offre', now())",
        publisher,
    )
    await conn.execute("INSERT INTO search_outbox (resource_id) SELECT id FROM resources")
    commun = await approved(client, people, people.hidden)
    pending = await publish(client, people.third, title="Fractions en attente")
    assert pending["state"] == "pending"
    assert settings.database_url
    async with await create_pool(settings.database_url, max_size=2) as pool:
        vocab = await VocabularyIndex.load(conn)
        await outbox.drain(pool, PostgresBackend(pool), vocab)
    answer = await client.get(
        "/api/v1/search?q=fractions&facets=commun&commun=true", headers=people.shown
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [hit["id"] for hit in found["hits"]] == [commun["id"]]
    assert found["hits"][0]["free"] is True
    everything = (
        await client.get("/api/v1/search?q=fractions&facets=commun", headers=people.shown)
    ).json()
    counts = {f["value"]: f["count"] for f in everything["facets"]["commun"]}
    assert counts == {"true": 1, "false": 1}
    labels = {f["value"]: f["label"] for f in everything["facets"]["commun"]}
    assert labels["true"] == "commun numérique"
    wrong = await client.get("/api/v1/search?commun=peut-etre", headers=people.shown)
    assert wrong.status_code == 400


async def test_reports_queue_for_review_and_decisions_reach_the_author(
    client: httpx.AsyncClient, people: People, conn: asyncpg.Connection
) -> None:
    commun = await approved(client, people, people.hidden)
    url = f"/api/v1/communs/{commun['id']}"
    missing = await client.post(
        f"/api/v1/communs/{UUID(int=9)}/reports", json={"reason": "error"}, headers=people.third
    )
    assert missing.status_code == 404
    bad = await client.post(f"{url}/reports", json={"reason": "boring"}, headers=people.third)
    assert bad.status_code in (400, 422)
    long = await client.post(
        f"{url}/reports", json={"reason": "other", "text": "x" * 2001}, headers=people.third
    )
    assert long.status_code in (400, 422)
    report = await client.post(
        f"{url}/reports",
        json={"reason": "copyright", "text": "Copie d'un manuel."},
        headers=people.third,
    )
    assert report.status_code == 201, report.text
    queue = (await client.get("/api/v1/communs/moderation", headers=people.admin)).json()
    assert [(e["commun"]["id"], e["commun"]["open_reports"]) for e in queue] == [(commun["id"], 1)]
    assert queue[0]["reports"][0]["text"] == "Copie d'un manuel."
    assert (await client.get("/api/v1/communs/moderation", headers=people.other_admin)).json() == []
    hide = await client.post(
        f"{url}/decisions",
        json={"action": "hide", "reason": "Droits d'auteur à vérifier."},
        headers=people.admin,
    )
    assert hide.status_code == 201, hide.text
    assert (await client.get(url, headers=people.third)).status_code == 404
    assert (
        await client.get(f"/api/v1/resources/{commun['id']}", headers=people.third)
    ).status_code == 404
    assert (await client.get("/api/v1/communs/moderation", headers=people.admin)).json() == []
    mine = (await client.get("/api/v1/communs/mine", headers=people.hidden)).json()
    assert [(m["state"], m["decision"], m["decision_reason"]) for m in mine] == [
        ("hidden", "hide", "Droits d'auteur à vérifier.")
    ]
    assert (await client.get(url, headers=people.hidden)).json()["state"] == "hidden"
    twice = await client.post(f"{url}/decisions", json={"action": "hide"}, headers=people.admin)
    assert twice.status_code == 409
    restore = await client.post(
        f"{url}/decisions", json={"action": "restore"}, headers=people.national
    )
    assert restore.status_code == 201
    assert (await client.get(url, headers=people.third)).status_code == 200
    delete = await client.post(
        f"{url}/decisions",
        json={"action": "delete", "reason": "Contrefaçon."},
        headers=people.admin,
    )
    assert delete.status_code == 201
    assert (await client.get(url, headers=people.hidden)).status_code == 404
    mine = (await client.get("/api/v1/communs/mine", headers=people.hidden)).json()
    assert [(m["state"], m["decision"]) for m in mine] == [("deleted", "delete")]
    log = await conn.fetch("SELECT action FROM commun_decisions ORDER BY id")
    assert [r["action"] for r in log] == ["approve", "hide", "restore", "delete"]


async def test_reports_are_rate_limited_per_person(
    client: httpx.AsyncClient, people: People
) -> None:
    commun = await approved(client, people, people.hidden)
    url = f"/api/v1/communs/{commun['id']}/reports"
    for _ in range(10):
        answer = await client.post(url, json={"reason": "error"}, headers=people.third)
        assert answer.status_code == 201
    refused = await client.post(url, json={"reason": "error"}, headers=people.third)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3600"
    # Another person is not held back.
    assert (
        await client.post(url, json={"reason": "error"}, headers=people.shown)
    ).status_code == 201


async def test_an_adaptation_is_based_on_its_original_in_oai_pmh(
    client: httpx.AsyncClient, people: People
) -> None:
    original = await approved(client, people, people.shown, title="Original", show_name=True)
    adapted = await client.post(
        f"/api/v1/communs/{original['id']}/adaptations",
        json=draft(title="Adaptée"),
        headers=people.shown,
    )
    assert adapted.status_code == 201
    dc = await _harvest(client, "oai_dc")
    assert re.search(rf"<dc:relation>oai:[^<]*:{original['id']}</dc:relation>", dc)
    lom = await client.get(
        f"/oai?verb=GetRecord&metadataPrefix=lom&identifier={_identifier(dc, adapted.json()['id'])}"
    )
    notice = etree.fromstring(lom.content).find(f".//{LOM}lom")
    assert notice is not None
    kind = notice.findtext(f"{LOM}relation/{LOM}kind/{LOM}value")
    assert kind == "http://purl.org/dc/terms/source"  # ScoLOMFR's URI for "isbasedon"
    entry = notice.findtext(f"{LOM}relation/{LOM}resource/{LOM}identifier/{LOM}entry")
    assert entry is not None
    assert entry.endswith(original["id"])
    schema = _schema()
    assert schema.validate(etree.ElementTree(notice)), schema.error_log


def _identifier(listing: str, resource_id: str) -> str:
    found = re.search(rf"<identifier>(oai:[^<]*:{resource_id})</identifier>", listing)
    assert found is not None
    return found[1]


async def test_a_commun_has_files_or_a_link(client: httpx.AsyncClient, people: People) -> None:
    """Published by JSON, a commun has no file yet: its link is required (a 422 naming the
    problem), and an edit may not drop the link of a commun that has no file."""
    for body in (draft(link=None), {k: v for k, v in draft().items() if k != "link"}):
        refused = await client.post("/api/v1/communs", json=body, headers=people.hidden)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "fichiers ou un lien" in refused.json()["detail"]
    commun = await approved(client, people, people.hidden)
    adaptation = await client.post(
        f"/api/v1/communs/{commun['id']}/adaptations", json=draft(link=None), headers=people.shown
    )
    assert adaptation.status_code == 422
    url = f"/api/v1/communs/{commun['id']}"
    dropped = await client.put(url, json=draft(link=None), headers=people.hidden)
    assert dropped.status_code == 422
    assert "fichiers ou un lien" in dropped.json()["detail"]
    assert (await client.get(url, headers=people.hidden)).json()["version"] == 1
    assert (await client.post("/api/v1/communs", json=draft(link=None))).status_code == 401


async def test_a_deleted_commun_is_a_deleted_record_and_gone_from_search(
    client: httpx.AsyncClient, people: People, conn: asyncpg.Connection, settings: Settings
) -> None:
    commun = await approved(
        client, people, people.shown, title="Fractions supprimées", show_name=True
    )
    identify = etree.fromstring((await client.get("/oai?verb=Identify")).content)
    assert identify.findtext(f".//{OAI}deletedRecord") == "persistent"
    identifier = _identifier(await _harvest(client, "oai_dc"), commun["id"])
    report = await client.post(
        f"/api/v1/communs/{commun['id']}/reports",
        json={"reason": "copyright"},
        headers=people.third,
    )
    assert report.status_code == 201
    deleted = await client.post(
        f"/api/v1/communs/{commun['id']}/decisions",
        json={"action": "delete", "reason": "Contrefaçon."},
        headers=people.admin,
    )
    assert deleted.status_code == 201, deleted.text
    for prefix in ("oai_dc", "lom"):
        answer = await client.get(
            f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier={identifier}"
        )
        record = etree.fromstring(answer.content).find(f".//{OAI}record")
        assert record is not None, answer.text
        header = record.find(f"{OAI}header")
        assert header is not None
        assert header.get("status") == "deleted"
        assert record.find(f"{OAI}metadata") is None
        listing = await _harvest(client, prefix)
        assert f'<header status="deleted"><identifier>{identifier}<' in listing
        assert "Fractions supprimées" not in listing
        assert SHOWN_NAME not in listing
    headers = await client.get("/oai?verb=ListIdentifiers&metadataPrefix=lom")
    assert f'<header status="deleted"><identifier>{identifier}<' in headers.text
    assert settings.database_url
    async with await create_pool(settings.database_url, max_size=2) as pool:
        vocab = await VocabularyIndex.load(conn)
        await outbox.drain(pool, PostgresBackend(pool), vocab)
    found = (await client.get("/api/v1/search?q=fractions", headers=people.third)).json()
    assert commun["id"] not in [hit["id"] for hit in found["hits"]]
    assert (
        await client.get(f"/api/v1/communs/{commun['id']}", headers=people.shown)
    ).status_code == 404
    kept = await conn.fetchrow(
        "SELECT status, title, contributors::text AS contributors FROM resources WHERE id = $1",
        UUID(commun["id"]),
    )
    assert kept is not None
    assert kept["status"] == "withdrawn"
    assert await conn.fetchval("SELECT count(*) FROM commun_reports") == 0
    assert SHOWN_NAME not in kept["contributors"]
    assert "Fractions supprimées" not in kept["title"]


async def test_a_commun_added_to_my_resources_is_in_the_mediacentre_listings(
    client: httpx.AsyncClient, people: People, conn: asyncpg.Connection, settings: Settings
) -> None:
    """ "Ajouter à mes ressources": a free commun, nothing bought, listed by the teacher's
    médiacentre and by an ENT's (by the teacher's pseudonym for it), in the GAR shape."""
    linked = await approved(client, people, people.hidden, title="Commun lié")
    pending = await publish(client, people.shown, title="Commun en attente")
    url = f"/api/v1/communs/{linked['id']}/selection"
    assert (await client.put(url)).status_code == 401
    assert (await client.put(url, headers=people.admin)).status_code == 403
    missing = await client.put(f"/api/v1/communs/{UUID(int=7)}/selection", headers=people.third)
    assert missing.status_code == 404
    unseen = await client.put(f"/api/v1/communs/{pending['id']}/selection", headers=people.third)
    assert unseen.status_code == 404  # pending: only its author and moderators see it
    own_pending = await client.put(
        f"/api/v1/communs/{pending['id']}/selection", headers=people.shown
    )
    assert own_pending.status_code == 409
    for _ in range(2):  # adding it twice is no error
        assert (await client.put(url, headers=people.third)).status_code == 204
    mine = await client.get("/api/v1/me/mediacentre", headers=people.third)
    assert mine.status_code == 200, mine.text
    assert mismatches(mine.json(), SHAPE) == []
    (item,) = mine.json()["listeRessources"]["ressource"]
    assert item["nomRessource"] == "Commun lié"
    assert item["nomEditeur"] == "Communs numériques"
    assert item["urlAccesRessource"] == "https://exemple.fr/fractions"
    assert HIDDEN_NAME not in mine.text

    national = await _person(conn, settings, "n2", "{national_admin}", uai=None, academie=None)
    ent, platform_id = await platform_headers(client, national, "mediacentre:read")
    key = derive_key(resolve_secret_key(settings), "pseudonym")
    third = await conn.fetchval("SELECT id FROM people WHERE subject = 't3'")
    listed = await client.get(
        f"/api/v1/platform/mediacentre/{platform_pseudonym(key, third, platform_id)}",
        headers=ent,
    )
    assert listed.status_code == 200, listed.text
    assert listed.json() == mine.json()

    # Hidden by moderation, it leaves the listing; removed, it is gone too.
    hidden = await client.post(
        f"/api/v1/communs/{linked['id']}/decisions", json={"action": "hide"}, headers=people.admin
    )
    assert hidden.status_code == 201
    empty: dict[str, Any] = {"listeRessources": {"ressource": []}}
    assert (await client.get("/api/v1/me/mediacentre", headers=people.third)).json() == empty
    await client.post(
        f"/api/v1/communs/{linked['id']}/decisions",
        json={"action": "restore"},
        headers=people.admin,
    )
    assert (await client.delete(url)).status_code == 401
    assert (await client.delete(url, headers=people.third)).status_code == 204
    assert (await client.get("/api/v1/me/mediacentre", headers=people.third)).json() == empty


async def test_a_publisher_s_offering_is_reported_into_the_national_queue(
    client: httpx.AsyncClient, people: People, conn: asyncpg.Connection
) -> None:
    """Anyone signed in reports any published resource; national administrators review the
    publishers' ones (an académie's administrators, their communs)."""
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Signalées', 'approved') "
        "RETURNING id"
    )
    offering, draft_offering = [
        await conn.fetchval(
            "INSERT INTO resources (publisher_id, status, title, published_at) "
            "VALUES ($1, $2, $3, now()) RETURNING id",
            publisher,
            status,
            title,
        )
        for status, title in (("published", "Manuel signalé"), ("draft", "Brouillon"))
    ]
    url = f"/api/v1/resources/{offering}/reports"
    body = {"reason": "error", "text": "Le lien ne marche plus."}
    assert (await client.post(url, json=body)).status_code == 401
    ent, _ = await platform_headers(client, people.national, "mediacentre:read")
    assert (await client.post(url, json=body, headers=ent)).status_code == 403
    for missing in (UUID(int=5), draft_offering):
        answer = await client.post(
            f"/api/v1/resources/{missing}/reports", json=body, headers=people.third
        )
        assert answer.status_code == 404, answer.text
    bad = await client.post(url, json={"reason": "boring"}, headers=people.third)
    assert bad.status_code in (400, 422)
    reported = await client.post(url, json=body, headers=people.third)
    assert reported.status_code == 201, reported.text
    # A commun through the same route: the same rules as its own.
    commun = await approved(client, people, people.hidden)
    assert (
        await client.post(
            f"/api/v1/resources/{commun['id']}/reports", json=body, headers=people.shown
        )
    ).status_code == 201
    academie = (await client.get("/api/v1/communs/moderation", headers=people.admin)).json()
    assert [(e["commun"]["id"], e["offering"]) for e in academie] == [(commun["id"], False)]
    national = (await client.get("/api/v1/communs/moderation", headers=people.national)).json()
    entries = {e["commun"]["id"]: e for e in national}
    assert entries[str(offering)]["offering"] is True
    assert entries[str(offering)]["commun"]["title"] == "Manuel signalé"
    assert entries[str(offering)]["reports"][0]["text"] == "Le lien ne marche plus."
    closure = f"{url.removesuffix('/reports')}/reports/closure"
    assert (await client.post(closure)).status_code == 401
    assert (await client.post(closure, headers=people.admin)).status_code == 403
    assert (await client.post(closure, headers=people.third)).status_code == 403
    assert (await client.post(closure, headers=people.national)).status_code == 204
    assert (await client.post(closure, headers=people.national)).status_code == 404
    left = (await client.get("/api/v1/communs/moderation", headers=people.national)).json()
    assert [e["commun"]["id"] for e in left] == [commun["id"]]
    # One rate limit for all reports of a person.
    for _ in range(9):  # ten in the hour with the first
        assert (await client.post(url, json=body, headers=people.third)).status_code == 201
    limited = await client.post(url, json=body, headers=people.third)
    assert limited.status_code == 429
