"""The ``catalogue`` command run as a user runs it: real processes, real signals."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from joserfc import jwt

from catalogue.config import Settings
from catalogue.database import connect
from catalogue.demo.identities import seed_identities
from catalogue.errors import NotFoundError
from catalogue.identity.demo import demo_token
from catalogue.identity.keys import public_key_set
from catalogue.identity.tokens import API_AUDIENCE
from catalogue.resources.service import save_resource
from catalogue.vocabularies.index import VocabularyIndex
from tests.integration.search_corpus import CORPUS
from tests.support.demo_server import Server, catalogue_env, free_port

CATALOGUE = [sys.executable, "-m", "catalogue"]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    return catalogue_env({"CATALOGUE_DATA_DIR": str(data_dir), **extra})


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CATALOGUE, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """`catalogue serve ARGS` on the test's data directory; stopped at the end."""
    started: list[Server] = []

    def start(*args: str) -> Server:
        log = tmp_path / f"serve-{len(started)}.log"
        started.append(Server(log, *args, env={"CATALOGUE_DATA_DIR": str(tmp_path)}))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def _postgres_running(data_dir: Path) -> bool:
    return (data_dir / "pgdata" / "postmaster.pid").exists()


def test_serve_demo_stops_cleanly_on_sigterm_and_sigint_and_restarts(
    tmp_path: Path, serve: Callable[..., Server]
) -> None:
    first = serve("--demo")
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
    # The demo's lists: public, found, read and shown on the collège's page, signed out.
    found = httpx.get(f"{first.url}/api/v1/collections", params={"q": "fractions"}).json()
    assert [c["title"] for c in found["collections"]] == ["Les fractions en 6e"]
    sample = found["collections"][0]
    assert sample["items"] > 0
    page = httpx.get(f"{first.url}/listes/{sample['id']}")
    assert page.status_code == 200
    assert "Les fractions en 6e" in page.text
    assert "Camille Martin" not in page.text
    assert "Les fractions en 6e" in httpx.get(f"{first.url}/etablissements/0751234J").text
    assert "Les fractions en 6e" in httpx.get(f"{first.url}/listes/recherche").text

    assert first.send(signal.SIGTERM) != -signal.SIGKILL
    assert not _postgres_running(tmp_path)

    again = serve("--demo")
    again.wait_ready()
    assert httpx.get(f"{again.url}/healthz").json() == {"status": "ok"}
    listed = httpx.get(f"{again.url}/api/v1/collections").json()
    assert listed["total"] == 2  # seeded once, not again at the second start
    again.send(signal.SIGINT)
    assert not _postgres_running(tmp_path)


def test_a_second_serve_on_the_same_data_directory(
    tmp_path: Path, serve: Callable[..., Server]
) -> None:
    first = serve()
    first.wait_ready()

    second = serve()
    second.wait_ready()

    same_port = _run("serve", "--port", str(first.port), env=_env(tmp_path))
    assert same_port.returncode == 1
    expected = (
        f"catalogue: error: 127.0.0.1:{first.port} is already in use "
        "(another `catalogue serve`?); choose another with --port"
    )
    assert same_port.stderr.strip().splitlines() == [expected]

    second.send(signal.SIGTERM)
    assert _postgres_running(tmp_path), "the first server still uses the database"
    assert httpx.get(f"{first.url}/readyz").status_code == 200
    first.send(signal.SIGTERM)
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
    result = _run(*command, env=_env(tmp_path, DATABASE_URL=url, CATALOGUE_PORT=str(free_port())))
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
    assert count == 7  # one per role, and three teachers


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
    assert "backend: tantivy" in status.stdout  # the embedded default
    assert f"pending changes: {len(CORPUS)}" in status.stdout

    rebuilt = _run("index", "rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.startswith("indexed 5 resources in ")
    assert "index rebuild: 5/5 resources, " in rebuilt.stderr  # off a terminal: plain lines
    assert "documents: 5" in _run("index", "status", env=env).stdout

    env["CATALOGUE_SEARCH_BACKEND"] = "postgresql"
    assert _run("index", "rebuild", env=env).returncode == 0
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
        row["public_jwk"]["kid"]  # private halves are sealed, never in clear
        for row in await conn.fetch(
            "SELECT public_jwk FROM signing_keys "
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


async def test_clients_create_makes_a_platform_client_whose_secret_gets_a_token(
    database_url: str, conn: asyncpg.Connection, tmp_path: Path
) -> None:
    env = _env(tmp_path, DATABASE_URL=database_url)
    made = _run(
        "clients", "create", "--name", "ENT Paris", "--scope", "scim:write", "--scope",
        "mediacentre:read", env=env,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    printed = dict(line.split(": ", 1) for line in made.stdout.strip().splitlines())
    assert printed["scopes"] == "mediacentre:read scim:write"
    stored = await conn.fetchrow(
        "SELECT publisher_id, platform_id::text, name FROM api_clients WHERE client_id = $1",
        printed["client_id"],
    )
    assert stored is not None
    assert tuple(stored) == (None, printed["platform_id"], "ENT Paris")
    assert printed["client_secret"] not in made.stderr  # the secret is printed once, not logged
    refused = _run("clients", "create", "--name", "x", "--scope", "publisher:sales", env=env)
    assert refused.returncode == 2
    assert "publisher:sales" in refused.stderr
