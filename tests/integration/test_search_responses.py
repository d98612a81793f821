"""`GET /api/v1/search` answers byte for byte as recorded: status, headers (security headers,
caching, content type, compression) and body, for anonymous callers, bearer tokens, browser
sessions and refused requests, and the route's part of the OpenAPI document. The request
path is tuned for speed (issue 22): these answers pin what it must keep.

The recording is `tests/fixtures/search_api/responses.json`; ids and timings are replaced by
placeholders. After a deliberate change of the API, write it again with
``CATALOGUE_WRITE_PINNED=1`` and review the diff.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.database import create_pool
from catalogue.demo.identities import seed_identities
from catalogue.resources.service import save_resource
from catalogue.search import outbox
from catalogue.search.tantivy_index import TantivyBackend
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.conftest import bearer, open_client
from tests.integration.search_corpus import CORPUS, CYCLE_3
from tests.integration.test_pages import sign_in

PINNED = Path(__file__).parents[1] / "fixtures" / "search_api" / "responses.json"
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Headers that differ at each request by design.
VOLATILE = frozenset({"x-request-id", "date"})
Params = list[tuple[str, str]]
ASKED: dict[str, Params] = {
    "words and facets": [
        ("q", "géométrie"),
        ("facets", "level"),
        ("facets", "licence_type"),
        ("facets", "publisher"),
        ("facets", "free"),
    ],
    "typo, broad level, price order": [
        ("q", "vocabulaier"),
        ("level", CYCLE_3),
        ("sort", "price_asc"),
    ],
    "everything, every facet, a small page": [
        ("per_page", "2"),
        ("page", "2"),
        *(
            ("facets", f)
            for f in ("discipline", "level", "resource_type", "pedagogical_type", "audience")
        ),
        *(("facets", f) for f in ("accessibility", "language", "commun")),
    ],
    "filters of every kind": [
        ("q", "l’œuvre"),
        ("free", "true"),
        ("language", "fr"),
        ("licence_type", "teacher"),
        ("commun", "false"),
    ],
    "unknown parameter": [("q", "x"), ("levels", "6e")],
    "unknown concept": [("discipline", "x")],
    "page out of bounds": [("page", "0")],
    "repeated facet and empty filter": [("facets", "free"), ("facets", "free"), ("free", "")],
}


@pytest.fixture
async def published(conn: asyncpg.Connection, settings: Settings) -> Settings:
    """The corpus published and indexed by Tantivy; the settings of an app searching it."""
    vocab = await VocabularyIndex.load(conn)
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions Épinglées', 'approved') "
        "RETURNING id"
    )
    for draft in CORPUS.values():
        await save_resource(conn, vocab, publisher, draft)
    assert settings.database_url
    async with await create_pool(settings.database_url, max_size=2) as pool:
        backend = TantivyBackend(settings.search_index_dir, pool)
        await backend.prepare()
        await outbox.drain(pool, backend, vocab)
        await backend.aclose()
    await seed_identities(conn)  # the demo teacher, to sign in as in a browser
    return msgspec.structs.replace(settings, search_backend="tantivy", demo=True)


@pytest.fixture
async def client(published: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for c in open_client(create_asgi_app(published)):
        yield c


def placeholders(text: str, names: dict[str, str]) -> str:
    """Ids replaced by ``<id N>`` in their order of appearance (the same id, the same N)."""

    def name(found: re.Match[str]) -> str:
        return names.setdefault(found.group(0), f"<id {len(names) + 1}>")

    return UUID_TEXT.sub(name, text)


async def fetch(
    client: httpx.AsyncClient,
    params: Params,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> tuple[httpx.Response, bytes]:
    """An answer and its body as sent (httpx would decode a gzipped one); not compressed
    unless the headers ask for it."""
    headers = {"Accept-Encoding": "identity", **(headers or {})}
    async with client.stream(
        method, "/api/v1/search", params=tuple(params), headers=headers
    ) as answer:
        raw = b"".join([chunk async for chunk in answer.aiter_raw()])
    return answer, raw


def recorded(answer: tuple[httpx.Response, bytes], names: dict[str, str]) -> dict[str, Any]:
    """What is pinned of an answer: the body as sent must be what the headers say it is."""
    response, raw = answer
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    headers = [(k, v) for k, v in response.headers.multi_items() if k not in VOLATILE]
    if response.request.method != "HEAD":  # its length is a GET's (no body follows)
        assert dict(headers).get("content-length") == str(len(raw))
    if response.headers.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    body: Any = raw.decode()
    if raw and response.headers["content-type"].endswith("json"):
        decoded = msgspec.json.decode(raw)
        if isinstance(decoded, dict) and "took_ms" in decoded:
            assert isinstance(decoded["took_ms"], float)
            decoded["took_ms"] = "<ms>"
        body = msgspec.json.decode(placeholders(msgspec.json.encode(decoded).decode(), names))
    return {
        "status": response.status_code,
        # Lengths vary with the timing's digits; checked against the body above.
        "headers": [[k, v] for k, v in headers if k != "content-length"],
        "body": body,
    }


async def test_search_answers_are_the_pinned_ones(
    client: httpx.AsyncClient, conn: asyncpg.Connection, published: Settings
) -> None:
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles) VALUES ('urn:pin', 'p', '{teacher}') "
        "RETURNING id"
    )
    teacher = await bearer(conn, published, person)
    names: dict[str, str] = {}
    found: dict[str, Any] = {}
    for label, params in ASKED.items():
        found[f"anonymous: {label}"] = recorded(await fetch(client, params), names)
    words = ASKED["words and facets"]
    found["anonymous, gzip"] = recorded(
        await fetch(client, words, {"Accept-Encoding": "gzip"}), names
    )
    found["bearer token"] = recorded(await fetch(client, words, teacher), names)
    found["forged token"] = recorded(
        await fetch(client, words, {"Authorization": "Bearer forged"}), names
    )
    found["HEAD"] = recorded(await fetch(client, words, method="HEAD"), names)
    found["POST"] = recorded(await fetch(client, words, method="POST"), names)
    # A browser session reads the API with its cookie (the search page's caller).
    assert (await sign_in(client, "teacher")).status_code == 303
    session = recorded(await fetch(client, words), names)
    session["headers"] = [
        [k, re.sub(r"^catalogue_session=[^;]*", "catalogue_session=<value>", v)]
        for k, v in session["headers"]
    ]
    found["browser session"] = session
    schema = (await client.get("/schema/openapi.json")).json()
    found["openapi"] = route_schema(schema, "/api/v1/search")
    check(found)


def route_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    """The route's path item and every component it refers to, transitively."""
    components = document.get("components", {})
    kept: dict[str, Any] = {"path": document["paths"][path], "components": {}}
    todo = [kept["path"]]
    while todo:
        text = msgspec.json.encode(todo.pop()).decode()
        for kind, name in re.findall(r'"#/components/([^/"]+)/([^"]+)"', text):
            key = f"{kind}/{name}"
            if key not in kept["components"]:
                kept["components"][key] = components[kind][name]
                todo.append(components[kind][name])
    kept["components"] = dict(sorted(kept["components"].items()))
    return kept


def check(found: dict[str, Any]) -> None:
    if os.environ.get("CATALOGUE_WRITE_PINNED") == "1":
        PINNED.parent.mkdir(parents=True, exist_ok=True)
        PINNED.write_bytes(msgspec.json.format(msgspec.json.encode(found), indent=2) + b"\n")
    pinned = msgspec.json.decode(PINNED.read_bytes())
    assert sorted(found) == sorted(pinned)
    for key, answer in found.items():
        assert answer == pinned[key], key
