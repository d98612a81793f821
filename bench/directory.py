"""Directory figures: the national dataset of establishments imported, next to a bare COPY;
teachers moved at once, next to a bare UPDATE; and people provisioned by SCIM, next to a
bare INSERT of the same people.

    python bench/directory.py [--rows 66000] [--movers 1000] [--people 2000]
        [--only establishments|scim]

Writes ROWS establishments in the shape of the ministry's CSV export (its 72 columns, `;`
separated; the real file has about 66,000 rows), then, on a fresh embedded PostgreSQL:
1. baseline: the same file read with the csv module and COPY'd as text into a plain table of
   72 text columns (no checks, no index);
2. `DirectoryService.import_establishments` (read, check every UAI, upsert), into an empty
   directory and then again (every row unchanged);
3. MOVERS funded teachers of one establishment moved to another by one file of moves
   (`accounts.movements.move_csv`: each envelope returned by a transfer with its reason, the
   accounts re-homed, every move recorded, in one transaction), then the ledger check (sum of
   balances zero, none below zero, every balance the sum of its transfers), next to a bare
   UPDATE of the same people's establishment (rolled back).
Then, on another fresh embedded PostgreSQL, PEOPLE teachers of one establishment:
4. baseline: one INSERT per person into `people` (executemany on one connection: the same
   columns SCIM fills, no HTTP, no checks);
5. `POST /scim/v2/Users` for each, through the app in this process (ASGI, no network: the
   time is the server's: token check, SCIM validation, UAI check, insert, the answer),
   8 requests at a time, with a platform client's token. Target: >= 500 creates a second.
   Also printed: the CPU time this process spent on them (server and client, not PostgreSQL),
   steadier than the wall clock on a loaded machine.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

import repo_root  # the fixture is in tests/
from accounts import bulk, ledger, movements
from accounts.models import NewAllocation, NewPeriod
from catalogue.app import create_asgi_app
from catalogue.bootstrap import prepare_database
from catalogue.config import Settings
from catalogue.database import connect, create_pool, start_embedded, with_database
from catalogue.directory.service import DirectoryService
from catalogue.identity.models import Principal, Role
from catalogue.identity.tokens import issue_access_token
from catalogue.identity.uai import check_letter
from catalogue.logs import configure_logging
from tests.support.asgi import asgi_transport
from tests.support.postgres import stopping_embedded

UAI = "0751234J"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
AT_ONCE = 8

FIXTURE = Path(repo_root.ROOT) / "tests" / "fixtures" / "directory" / "annuaire-education.csv"


def dataset(rows: int) -> bytes:
    """ROWS rows shaped like the fixture's, each with its own UAI, name and commune."""
    header, *samples = FIXTURE.read_text(encoding="utf-8").splitlines()
    out = [header]
    for number in range(rows):
        cells = samples[number % len(samples)].split(";")
        digits = f"{number % 1000:03d}{number // 1000:04d}"
        cells[0] = digits + check_letter(digits)
        cells[1] = f"{cells[1]} {number}"
        cells[9] = f"{cells[9]} {number % 3000}"
        out.append(";".join(cells))
    return ("\n".join(out) + "\n").encode()


async def bare_copy(url: str, data: bytes) -> float:
    conn = await connect(url)
    try:
        started = time.perf_counter()
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
        header = next(reader)
        columns = ", ".join(f"c{i} text" for i in range(len(header)))
        await conn.execute(f"CREATE TABLE bare_directory ({columns})")
        await conn.copy_records_to_table("bare_directory", records=[tuple(r) for r in reader])
        return time.perf_counter() - started
    finally:
        await conn.close()


NATIONAL = Principal(
    kind="person", id="00000000-0000-4000-8000-000000000001", roles=frozenset({Role.NATIONAL_ADMIN})
)
LEDGER_CHECK = """
SELECT (SELECT coalesce(sum(balance_cents), 0) FROM accounts)::bigint AS total,
       (SELECT count(*) FROM accounts WHERE kind <> 'funding' AND balance_cents < 0) AS negative,
       (SELECT count(*) FROM accounts a
        WHERE a.balance_cents
              <> coalesce((SELECT sum(amount_cents) FROM transfers WHERE to_account = a.id), 0)
               - coalesce((SELECT sum(amount_cents) FROM transfers WHERE from_account = a.id), 0))
           AS drifted
"""


async def funded_teachers(pool: asyncpg.Pool, movers: int) -> tuple[str, str, list[str]]:
    """Two establishments of one académie, MOVERS teachers at the first, each funded."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT academie, array_agg(uai ORDER BY uai) AS uais FROM establishments "
            "WHERE state <> 'closed' GROUP BY academie HAVING count(*) > 1 LIMIT 1"
        )
        assert row is not None
        academie, (source, target) = row["academie"], row["uais"][:2]
        people = await conn.fetch(
            "INSERT INTO people (issuer, subject, roles, establishment_uai, academie) "
            "SELECT 'urn:bench', 'mover-' || g, '{teacher}', $1, $2 "
            "FROM generate_series(1, $3) g RETURNING id::text",
            source,
            academie,
            movers,
        )
        await ledger.open_period(conn, NewPeriod())
    ids = [r["id"] for r in people]
    for new in (
        NewAllocation(to_kind="academie", to=academie, amount_cents=10_000 * movers),
        NewAllocation(to_kind="establishment", to=source, amount_cents=10_000 * movers),
    ):
        await _allocate(pool, new)
    lines = "".join(f"{source};{person};50\n" for person in ids).encode()
    await ledger.retrying(pool, lambda conn: bulk.allocate_csv(conn, NATIONAL, lines))
    return source, target, ids


async def _allocate(pool: asyncpg.Pool, new: NewAllocation) -> None:
    await ledger.retrying(pool, lambda conn: ledger.allocate(conn, NATIONAL, new))


async def bare_update(pool: asyncpg.Pool, target: str, ids: list[str]) -> float:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        started = time.perf_counter()
        await conn.execute(
            "UPDATE people SET establishment_uai = $1 WHERE id = ANY($2::uuid[])", target, ids
        )
        elapsed = time.perf_counter() - started
        await transaction.rollback()
    return elapsed


async def move_all(
    pool: asyncpg.Pool, source: str, target: str, ids: list[str]
) -> tuple[float, float, str]:
    body = "".join(f"{source};{person};{target};mutation\n" for person in ids).encode()
    started = time.perf_counter()
    await ledger.retrying(pool, lambda conn: movements.move_csv(conn, NATIONAL, body))
    moved = time.perf_counter() - started
    started = time.perf_counter()
    async with pool.acquire() as conn:
        check = await conn.fetchrow(LEDGER_CHECK)
    checked = time.perf_counter() - started
    assert check is not None
    verdict = (
        "holds"
        if (check["total"], check["negative"], check["drifted"]) == (0, 0, 0)
        else (f"BROKEN {dict(check)}")
    )
    return moved, checked, verdict


async def main(rows: int, movers: int) -> None:
    configure_logging(Settings(log_level="warning"))  # a line per move would be timed too
    data = dataset(rows)
    with tempfile.TemporaryDirectory() as tmp, stopping_embedded(Path(tmp)):
        url = with_database(start_embedded(Settings(data_dir=Path(tmp))), "postgres")
        conn = await connect(url)
        await prepare_database(conn)
        await conn.close()
        bare = await bare_copy(url, data)
        async with await create_pool(url, max_size=2) as pool:
            directory = DirectoryService(pool)
            started = time.perf_counter()
            first = await directory.import_establishments(data)
            imported = time.perf_counter() - started
            started = time.perf_counter()
            again = await directory.import_establishments(data)
            reimported = time.perf_counter() - started
            source, target, ids = await funded_teachers(pool, movers)
            bare_moves = await bare_update(pool, target, ids)
            moved, checked, verdict = await move_all(pool, source, target, ids)
    print(f"Directory of {rows:,} establishments ({len(data) / 1e6:.1f} MB of CSV)")
    print(f"  bare csv + COPY            {bare:6.2f} s")
    print(
        f"  import into an empty one   {imported:6.2f} s  ({imported / bare:.1f}x bare; "
        f"{first.created:,} created, {first.rejected} rejected; target < 30 s)"
    )
    print(
        f"  the same file again        {reimported:6.2f} s  ({reimported / bare:.1f}x bare; "
        f"{again.unchanged:,} unchanged)"
    )
    print(f"Moving {movers:,} funded teachers at once (one file of moves)")
    print(f"  bare UPDATE of the people  {bare_moves:6.2f} s")
    print(
        f"  moves through the ledger   {moved:6.2f} s  ({moved / bare_moves:.0f}x bare; "
        f"{len(ids):,} envelopes returned by transfer)"
    )
    print(f"  ledger check after it      {checked:6.2f} s  (the ledger {verdict})")


def person(prefix: str, number: int) -> dict[str, object]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": f"{prefix}{number}",
        "externalId": f"{prefix}ext-{number}",
        "name": {"givenName": "Camille", "familyName": f"Martin {number}"},
        "emails": [{"value": f"{prefix}{number}@ac-paris.fr"}],
        "roles": [{"value": "teacher"}],
        ENTERPRISE: {"organization": UAI},
    }


async def bare_insert(url: str, people: int) -> float:
    conn = await connect(url)
    try:
        rows = [
            (
                f"bare{n}",
                f"bare-ext-{n}",
                f"Camille Martin {n}",
                "Camille",
                f"Martin {n}",
                f"bare{n}@ac-paris.fr",
                ["teacher"],
                UAI,
            )
            for n in range(people)
        ]
        started = time.perf_counter()
        await conn.executemany(
            "INSERT INTO people (user_name, external_id, display_name, given_name, family_name,"
            " email, roles, establishment_uai) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            rows,
        )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def scim_creates(url: str, tmp: str, people: int) -> tuple[float, float, int]:
    settings = Settings(
        database_url=url,
        data_dir=Path(tmp),
        embedded_worker=False,
        log_level="warning",
        # One provisioning client sends them all: the per-caller budget would hold it back.
        caller_rate=1_000_000,
        caller_burst=1_000_000,
        caller_concurrency=AT_ONCE,
    )
    conn = await connect(url)
    try:
        admin = await conn.fetchval(
            "INSERT INTO people (issuer, subject, roles) VALUES ('urn:bench', 'admin', "
            "'{national_admin}') RETURNING id"
        )
        admin_token = await issue_access_token(conn, settings, subject=str(admin))
    finally:
        await conn.close()
    app = create_asgi_app(settings)
    async with (
        app.app.lifespan(),
        httpx.AsyncClient(
            transport=asgi_transport(app), base_url="http://127.0.0.1", timeout=120
        ) as http,
    ):
        created = await http.post(
            "/api/v1/platform-clients",
            json={"name": "bench", "scopes": ["scim:write"]},
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        body = created.json()
        issued = await http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": body["client_id"],
                "client_secret": body["client_secret"],
            },
        )
        headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        gate = asyncio.Semaphore(AT_ONCE)
        failed = 0

        async def create(number: int) -> None:
            nonlocal failed
            async with gate:
                answer = await http.post(
                    "/scim/v2/Users", json=person("scim", number), headers=headers
                )
            if answer.status_code != 201:
                failed += 1

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(create(n) for n in range(people)))
        return time.perf_counter() - started, time.process_time() - cpu, failed


async def main_scim(people: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, stopping_embedded(Path(tmp)):
        url = with_database(start_embedded(Settings(data_dir=Path(tmp))), "postgres")
        conn = await connect(url)
        await prepare_database(conn)
        await conn.execute(
            "INSERT INTO establishments (uai, name, academie) VALUES ($1, 'Collège', 'paris')", UAI
        )
        await conn.close()
        bare = await bare_insert(url, people)
        scim, cpu, failed = await scim_creates(url, tmp, people)
    print(f"SCIM provisioning of {people:,} teachers (one establishment)")
    print(f"  bare INSERT (executemany)  {bare:6.2f} s  ({people / bare:8,.0f} people/s)")
    print(
        f"  POST /scim/v2/Users        {scim:6.2f} s  ({people / scim:8,.0f} creates/s, "
        f"{AT_ONCE} at a time; {failed} failed; target >= 500/s)"
    )
    # The CPU this process spent (the server and the HTTP client, not PostgreSQL): less
    # sensitive to a loaded machine than the wall clock.
    print(f"  CPU of this process        {cpu:6.2f} s  ({cpu / people * 1e3:8.2f} ms a create)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=66_000)
    parser.add_argument("--movers", type=int, default=1_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--only", choices=["establishments", "scim"], default=None)
    arguments = parser.parse_args()
    if arguments.only != "scim":
        asyncio.run(main(arguments.rows, arguments.movers))
    if arguments.only != "establishments":
        asyncio.run(main_scim(arguments.people))
