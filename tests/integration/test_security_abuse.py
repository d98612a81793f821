"""The reviewer's classes of attack against a real `catalogue serve` in production mode:
secrets absent from the logs after a forced 500, and one caller flooding the service.

Each server runs on its own test database; the 500 comes from a real failure (a table the
request needs is gone), not from a debug route.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import Settings
from tests.integration.conftest import bearer, open_client
from tests.integration.ledger_world import World, build_world
from tests.support.asgi import asgi_transport
from tests.support.demo_server import Server
from tests.support.waiting import wait_until_async

PUBLIC_URL = "https://catalogue.security.test"
SECRET_KEY = "k3y-" + "Zq8vX1" * 8
DB_PASSWORD = "pg-Pa55word-never-logged"


def with_password(url: str) -> tuple[str, str]:
    """The URL with a password (the embedded server trusts local connections and ignores it),
    and that password."""
    parts = urlsplit(url)
    if parts.password:
        return url, parts.password
    user, _, host = parts.netloc.rpartition("@")
    netloc = f"{user or 'postgres'}:{DB_PASSWORD}@{host}"
    return urlunsplit(parts._replace(netloc=netloc)), DB_PASSWORD


def production_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "CATALOGUE_DATA_DIR": str(data_dir),
        "CATALOGUE_PRODUCTION": "true",
        "CATALOGUE_SECRET_KEY": SECRET_KEY,
        "CATALOGUE_PUBLIC_URL": PUBLIC_URL,
        **extra,
    }


@pytest.fixture
async def world(conn: asyncpg.Connection) -> World:
    return await build_world(conn)


async def headers_for(
    conn: asyncpg.Connection, settings: Settings, who: str, world: World
) -> dict[str, str]:
    platform = msgspec.structs.replace(settings, public_url=PUBLIC_URL)
    return await bearer(conn, platform, world.people[who])


@pytest.mark.parametrize("log_format", ["json", "console"])
async def test_a_500_logs_neither_secrets_nor_tokens_nor_request_data(
    log_format: str,
    database_url: str,
    conn: asyncpg.Connection,
    settings: Settings,
    world: World,
    tmp_path: Path,
) -> None:
    url, password = with_password(database_url)
    log = tmp_path / "serve.log"
    env = production_env(url, tmp_path, CATALOGUE_LOG_FORMAT=log_format)
    with Server(log, env=env) as server:
        headers = await headers_for(conn, settings, "publisher", world)
        token = headers["Authorization"].removeprefix("Bearer ")
        marker = "confidential-set-spec-of-the-request"
        # A real failure: the table the request writes to is gone.
        await conn.execute("ALTER TABLE harvest_sources RENAME TO harvest_sources_away")
        try:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
                answer = await http.post(
                    "/api/v1/publisher/harvest-sources",
                    json={"base_url": "https://oai.example.org/oai", "set_spec": marker},
                    headers=headers,
                )
        finally:
            await conn.execute("ALTER TABLE harvest_sources_away RENAME TO harvest_sources")
        assert answer.status_code == 500, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    text = log.read_text()
    # The failure is logged, with its stack...
    assert "unhandled error" in text
    assert "UndefinedTableError" in text
    # ...and nothing that could open the service, nor what the caller sent.
    assert SECRET_KEY not in text
    assert password not in text
    assert token[:40] not in text
    assert token[-40:] not in text
    assert marker not in text


async def test_a_flood_from_one_caller_gets_429s_while_another_caller_is_served(
    database_url: str, conn: asyncpg.Connection, settings: Settings, world: World, tmp_path: Path
) -> None:
    env = production_env(
        database_url,
        tmp_path,
        CATALOGUE_CALLER_RATE="5",
        CATALOGUE_CALLER_BURST="10",
        CATALOGUE_CALLER_CONCURRENCY="2",
    )
    with Server(tmp_path / "serve.log", env=env) as server:
        flooder = await headers_for(conn, settings, "camille", world)
        other = await headers_for(conn, settings, "lou", world)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:

            async def search(headers: dict[str, str]) -> httpx.Response:
                return await http.get("/api/v1/search", params={"q": "manuel"}, headers=headers)

            flood = [asyncio.create_task(search(flooder)) for _ in range(60)]
            await asyncio.wait(flood, return_when=asyncio.FIRST_COMPLETED)  # it has begun
            served = await search(other)
            answers = await asyncio.gather(*flood)
            anonymous = [await http.post("/oauth/token", data={}) for _ in range(15)]
    assert served.status_code == 200, served.text
    statuses = Counter(r.status_code for r in answers)
    assert set(statuses) == {200, 429}, statuses
    assert statuses[200] >= 2
    refused = next(r for r in answers if r.status_code == 429)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "/problems/too-many-requests"
    assert int(refused.headers["retry-after"]) >= 1
    # Anonymous callers are counted by address.
    assert 429 in {r.status_code for r in anonymous}


async def test_a_slow_search_answers_503_and_readyz_stays_fast_while_the_pool_is_held(
    database_url: str, conn: asyncpg.Connection, settings: Settings, world: World, tmp_path: Path
) -> None:
    # PostgreSQL's index: a search that waits on its table holds a pool connection.
    env = production_env(
        database_url, tmp_path, CATALOGUE_DB_POOL_SIZE="2", CATALOGUE_SEARCH_BACKEND="postgresql"
    )
    with Server(tmp_path / "serve.log", env=env) as server:
        teachers = [
            await headers_for(conn, settings, n, world) for n in ("camille", "dominique", "lou")
        ]
        # Every search now waits on a lock: the pool's two connections are held by them.
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http, conn.transaction():
            await conn.execute("LOCK TABLE search_documents IN ACCESS EXCLUSIVE MODE")
            searches = [
                asyncio.create_task(http.get("/api/v1/search", headers=headers))
                for headers in teachers
            ]

            async def pool_held() -> bool:
                # A search holds a pool connection, waiting on the lock; the others wait for one.
                waiting: int = await conn.fetchval(
                    "SELECT count(*) FROM pg_locks "
                    "WHERE relation = 'search_documents'::regclass AND NOT granted"
                )
                return waiting >= 1

            await wait_until_async(pool_held, "a search to hold the pool, waiting on the lock")
            asked = time.monotonic()
            ready = await http.get("/readyz")
            readiness_s = time.monotonic() - asked
            answers = await asyncio.gather(*searches)
    assert ready.status_code == 200, ready.text
    assert readiness_s < 0.5
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["type"] == "/problems/query-timeout"
        assert int(answer.headers["retry-after"]) >= 1
    assert "unhandled error" not in (tmp_path / "serve.log").read_text()


async def test_guessing_client_secrets_is_limited_per_client_id_and_per_address(
    conn: asyncpg.Connection, settings: Settings, world: World
) -> None:
    app = create_asgi_app(msgspec.structs.replace(settings, token_rate_per_minute=5))
    admin = await bearer(conn, settings, world.people["national"])
    async for http in open_client(app):
        created = await http.post(
            f"/api/v1/publishers/{world.publisher_id}/clients",
            json={"name": "Connecteur"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        client_id, secret = created.json()["client_id"], created.json()["client_secret"]

        def at(address: str) -> httpx.AsyncClient:
            transport = asgi_transport(app, client=(address, 40000))
            return httpx.AsyncClient(transport=transport, base_url="http://testserver")

        async def token(http: httpx.AsyncClient, client: str, password: str) -> httpx.Response:
            form = {"grant_type": "client_credentials", "client_id": client}
            return await http.post("/oauth/token", data={**form, "client_secret": password})

        async with at("203.0.113.1") as a, at("203.0.113.2") as b, at("203.0.113.3") as c:
            guesses = [await token(a, client_id, f"guess-{n}") for n in range(6)]
            assert [r.status_code for r in guesses] == [401] * 5 + [429]
            refused = guesses[-1]
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert refused.json()["error"] == "slow_down"
            assert int(refused.headers["retry-after"]) >= 1
            # The client id is spent, from any address, even with the right secret...
            assert (await token(b, client_id, secret)).status_code == 429
            # ...and the address is spent, for any client id.
            assert (await token(a, "another-client", "x")).status_code == 429
            # Others are not.
            assert (await token(c, "another-client", "x")).status_code == 401
