"""A real PostgreSQL for the whole session (embedded unless DATABASE_URL is set).

Each test that asks for ``database_url`` gets its own database, copied from a template that
holds the real migrations, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest

from catalogue.bootstrap import prepare_database
from catalogue.config import Settings
from catalogue.database import connect, start_embedded, with_database
from catalogue.identity.keys import current_signing_key, key_sealer
from tests.support.demo_server import DemoServer

TEMPLATE = "catalogue_test_template"
# The server secret of the tests' settings: the template's key is sealed under it.
TEST_SECRET = "t" * 40


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A URL with the right to create databases."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured
    data_dir = tmp_path_factory.mktemp("embedded")
    return start_embedded(Settings(data_dir=data_dir))


async def _recreate(admin: str, name: str, *, template: str | None = None) -> None:
    conn = await connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        source = f' TEMPLATE "{template}"' if template else ""
        await conn.execute(f'CREATE DATABASE "{name}"{source}')
    finally:
        await conn.close()


async def _drop(admin: str, name: str) -> None:
    conn = await connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def template_url(admin_url: str) -> str:
    await _recreate(admin_url, TEMPLATE)
    url = with_database(admin_url, TEMPLATE)
    conn = await connect(url)
    try:
        await prepare_database(conn)
        # One platform key for every test database copied from here (RSA keys are slow to make).
        await current_signing_key(conn, key_sealer(Settings(secret_key=TEST_SECRET)))
    finally:
        await conn.close()
    return url


@pytest.fixture
async def database_url(admin_url: str, template_url: str) -> AsyncIterator[str]:
    """A fresh, fully migrated database for one test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    await _recreate(admin_url, name, template=urlsplit(template_url).path.lstrip("/"))
    yield with_database(admin_url, name)
    await _drop(admin_url, name)


@pytest.fixture
async def conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test's database, to arrange data and check results."""
    connection = await connect(database_url)
    yield connection
    await connection.close()


@pytest.fixture
async def empty_database_url(admin_url: str) -> AsyncIterator[str]:
    """A database with no migration applied."""
    name = f"empty_{uuid.uuid4().hex[:12]}"
    await _recreate(admin_url, name)
    yield with_database(admin_url, name)
    await _drop(admin_url, name)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url, data_dir=tmp_path, secret_key=TEST_SECRET, embedded_worker=False
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """One demo server for the session, started when a test first asks for it."""
    with DemoServer(tmp_path_factory.mktemp("demo")) as demo:
        yield demo
