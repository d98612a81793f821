"""The reviewer's classes of attack against a real `catalogue serve` in production mode:
secrets absent from the logs after a forced 500, and one caller flooding the service.

Each server runs on its own test database; the 500 comes from a real failure (a table the
request needs is gone), not from a debug route.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.config import Settings
from tests.integration.conftest import bearer
from tests.integration.ledger_world import World, build_world
from tests.support.demo_server import Server

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


def started(log: Path, env: dict[str, str]) -> Server:
    server = Server(log, env=env)
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


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
    server = started(log, production_env(url, tmp_path, CATALOGUE_LOG_FORMAT=log_format))
    try:
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
    finally:
        server.stop()
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
