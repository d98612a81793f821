"""The ``catalogue`` command run as a user runs it: real processes, real signals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from joserfc import jwt

from catalogue.config import Settings
from catalogue.database import connect
from catalogue.errors import NotFoundError
from catalogue.identity.demo import demo_token, seed_identities
from catalogue.identity.keys import public_key_set
from catalogue.identity.tokens import API_AUDIENCE
from catalogue.resources.service import save_resource
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.search_corpus import CORPUS

CATALOGUE = [sys.executable, "-m", "catalogue"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CATALOGUE_"))}
    return {**env, "CATALOGUE_DATA_DIR": str(data_dir), **extra}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CATALOGUE, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


class Server:
    def __init__(self, data_dir: Path, *args: str, port: int | None = None) -> None:
        self.port = port or _free_port()
        self.data_dir = data_dir
        self.log = data_dir / f"serve-{self.port}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [*CATALOGUE, "serve", "--port", str(self.port), *args],
                env=_env(data_dir),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited early: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail("serve never became ready")

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


def _postgres_running(data_dir: Path) -> bool:
    return (data_dir / "pgdata" / "postmaster.pid").exists()


def test_serve_demo_stops_cleanly_on_sigterm_and_sigint_and_restarts(
    tmp_path: Path, servers: list[Server]
) -> None:
    first = Server(tmp_path, "--demo")
    servers.append(first)
    first.wait_ready()
    assert _postgres_running(tmp_path)
    token = _run("demo-token", "teacher", env=_env(tmp_path, CATALOGUE_PORT=str(first.port)))
    assert token.returncode == 0, token.stderr
    me = httpx.get(
        f"{first.url}/api/v1/me", headers={"Authorization": f"Bearer {token.stdout.strip()}"}
    )
    assert me.status_code == 200
    assert me.json()["roles"] == ["teacher"]
    assert httpx.get(f"{first.url}/auth/demo").status_code == 200

    assert first.stop(signal.SIGTERM) != -signal.SIGKILL
    assert not _postgres_running(tmp_path)

    again = Server(tmp_path, "--demo")
    servers.append(again)
    again.wait_ready()
    assert httpx.get(f"{again.url}/healthz").json() == {"status": "ok"}
    again.stop(signal.SIGINT)
    assert not _postgres_running(tmp_path)


def test_a_second_serve_on_the_same_data_directory(tmp_path: Path, servers: list[Server]) -> None:
    first = Server(tmp_path)
    servers.append(first)
    first.wait_ready()

    second = Server(tmp_path)
    servers.append(second)
    second.wait_ready()

    same_port = _run("serve", "--port", str(first.port), env=_env(tmp_path))
    assert same_port.returncode == 1
    expected = (
        f"catalogue: error: 127.0.0.1:{first.port} is already in use "
        "(another `catalogue serve`?); choose another with --port"
    )
    assert same_port.stderr.strip().splitlines() == [expected]

    second.stop(signal.SIGTERM)
    assert _postgres_running(tmp_path), "the first server still uses the database"
    assert httpx.get(f"{first.url}/readyz").status_code == 200
    first.stop(signal.SIGTERM)
    assert not _postgres_running(tmp_path)


@pytest.mark.parametrize("command", [["serve"], ["db", "migrate"], ["db", "status"]])
@pytest.mark.parametrize(
    "url",
    [
        "postgresql://someone:hunter2@127.0.0.1:1/nowhere",
        "not a url",
        "postgresql:///x?host=/nonexistent",
    ],
)
def test_an_unreachable_database_is_one_clear_line(
    tmp_path: Path, command: list[str], url: str
) -> None:
    result = _run(*command, env=_env(tmp_path, DATABASE_URL=url, CATALOGUE_PORT=str(_free_port())))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("catalogue: error: cannot reach the database at ")
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize(
    ("args", "extra", "message"),
    [
        (["serve", "--demo"], {"CATALOGUE_PRODUCTION": "true"}, "CATALOGUE_PRODUCTION"),
        (["serve", "--demo", "--host", "0.0.0.0"], {}, "loopback"),  # noqa: S104
        (["demo-token", "teacher"], {"CATALOGUE_PRODUCTION": "1"}, "CATALOGUE_PRODUCTION"),
        (["serve"], {"CATALOGUE_PORT": "eighty"}, "CATALOGUE_PORT must be an integer"),
    ],
)
def test_refusals_are_one_clear_line(
    tmp_path: Path, args: list[str], extra: dict[str, str], message: str
) -> None:
    result = _run(*args, env=_env(tmp_path, **extra))
    assert result.returncode == 1
    assert result.stderr.startswith("catalogue: error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


async def test_demo_token_is_signed_by_a_published_platform_key(
    settings: Settings,
) -> None:
    assert settings.database_url
    conn = await connect(settings.database_url)
    try:
        with pytest.raises(NotFoundError, match="serve --demo"):
            await demo_token(conn, settings, "teacher")
        await seed_identities(conn)
        await seed_identities(conn)  # idempotent
        token = await demo_token(conn, settings, "national_admin")
        keys = await public_key_set(conn)
        count = await conn.fetchval(
            "SELECT count(*) FROM people WHERE issuer = 'urn:catalogue:demo'"
        )
    finally:
        await conn.close()
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    assert decoded.header["typ"] == "at+jwt"
    assert decoded.claims["aud"] == API_AUDIENCE
    assert decoded.claims["iss"] == settings.issuer
    assert count == 5


async def test_index_rebuild_and_status_commands(
    database_url: str, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    publisher = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions CLI', 'approved') RETURNING id"
    )
    vocab = await VocabularyIndex.load(conn)
    for draft in CORPUS.values():
        await save_resource(conn, vocab, publisher, draft)
    env = _env(tmp_path, DATABASE_URL=database_url)

    status = _run("index", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "backend: postgresql" in status.stdout
    assert f"pending changes: {len(CORPUS)}" in status.stdout

    rebuilt = _run("index", "rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith("indexed 5 resources in ")
    assert await conn.fetchval("SELECT count(*) FROM search_documents") == 5


async def test_keys_rotate_signs_with_a_new_published_key(
    database_url: str, tmp_path: Path, conn: asyncpg.Connection
) -> None:
    before = await conn.fetchval("SELECT kid FROM signing_keys WHERE retired_at IS NULL")
    rotated = _run("keys", "rotate", env=_env(tmp_path, DATABASE_URL=database_url))
    assert rotated.returncode == 0, rotated.stderr
    current = await conn.fetchval("SELECT kid FROM signing_keys WHERE retired_at IS NULL")
    assert current != before
    assert f"signing with key {current}" in rotated.stdout
    published = {
        row["private_jwk"]["kid"]
        for row in await conn.fetch(
            "SELECT private_jwk FROM signing_keys "
            "WHERE retired_at IS NULL OR retired_at > now() - interval '1 hour'"
        )
    }
    assert published == {before, current}


def test_a_database_without_tables_is_one_clear_line(
    empty_database_url: str, tmp_path: Path
) -> None:
    result = _run("demo-token", "teacher", env=_env(tmp_path, DATABASE_URL=empty_database_url))
    assert result.returncode == 1
    expected = (
        "catalogue: error: the database has no tables yet: "
        "run `catalogue db migrate` (or `catalogue serve`) first"
    )
    assert result.stderr.strip().splitlines() == [expected]
