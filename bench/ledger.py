"""Ledger figures: acquisitions per second, spread over many teachers and on one hot account.

    python bench/ledger.py [--teachers 1000] [--count 10000] [--hot 3000] [--concurrency 32]
                           [--pool 10]
    python bench/ledger.py --statements   # also time each SQL statement (adds a little load)
    python bench/ledger.py --webhook      # the publisher has a webhook: each purchase also
                                          # writes its event and wakes the worker
    python bench/ledger.py --gar          # the resource is GAR-referenced: the spread run
                                          # again with GAR sync on, next to it
    python bench/ledger.py --gar --profile DIR   # and where the CPU goes (cProfile)

Starts a fresh embedded PostgreSQL, applies the migrations, opens a budget period and funds
TEACHERS teachers (funding -> académies -> establishments -> teachers, one transaction), then
runs `accounts.acquisitions.acquire` from CONCURRENCY asyncio workers sharing a pool of POOL
connections, after a short warm-up:
1. baseline: COUNT bare INSERTs of a transfer-shaped row into a table without triggers;
2. spread: COUNT acquisitions, each by a random teacher, each with its own Idempotency-Key;
3. hot: HOT acquisitions, all by one teacher funded for exactly HOT of them.
After each run the ledger's invariants are checked in SQL. Prints figures; asserts nothing.

With --gar, the resource is GAR-referenced and a GAR subscription service stand-in (HTTPS with
client certificates, tests/support/gar_server.py) listens on 127.0.0.1 in another process;
after the spread run (GAR sync off: nothing written) comes the same run with GAR sync on
twice: each purchase also writes its subscription's call to the GAR outbox and wakes the
worker after its commit (at most twice a second). First with no worker (its own cost), then
`catalogue worker` is started in a process of its own, as beside the app in production, sends
that backlog, and the run is made again while it sends the calls as they come. The CPU the
worker and the stand-in spend per call is printed (Linux: /proc). Target: GAR on no more than
15% slower than off. With --profile DIR the GAR-off and GAR-on runs and the worker run under
cProfile (profiles kept in DIR, heaviest functions printed per purchase and per call): the
figures of such a run are not the benchmark's.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg

import repo_root  # noqa: F401  # before tests.support
from accounts.acquisitions import acquire
from accounts.ledger import allocate, open_period
from accounts.models import NewAcquisition, NewAllocation, NewPeriod, Period
from catalogue.bootstrap import prepare_database
from catalogue.config import GarSettings, Settings
from catalogue.database import connect, create_pool, start_embedded, with_database
from catalogue.gar.outbox import GarOutbox
from catalogue.identity.models import Principal, Role
from catalogue.identity.secrets import derive_key
from catalogue.identity.uai import check_letter
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.webhooks.events import Waker
from tests.support.gar_server import GarService, Pki, serving
from tests.support.postgres import stopping_embedded

C = "http://data.education.fr/voc/scolomfr/concept/"
OUVRAGE = f"{C}scolomfr-voc-005-num-029"
ACADEMIES = ("paris", "lyon")
PRICE_CENTS = 1200
TEACHER_FUNDS_CENTS = 100_000  # 83 acquisitions each: the spread run never runs one dry


@dataclass
class World:
    national: Principal
    offer_id: UUID
    publisher_id: UUID
    teachers: list[Principal]
    hot: Principal
    period: Period


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # ms, successful calls only
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass
class Statements:
    """Client-side time of each SQL statement (lock waits included), by its first line."""

    calls: Counter[str] = field(default_factory=Counter)
    ms: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def log(self, record: asyncpg.connection.LoggedQuery) -> None:
        name = " ".join(record.query.split())[:70]
        self.calls[name] += 1
        self.ms[name] += record.elapsed * 1000

    def clear(self) -> None:
        self.calls.clear()
        self.ms.clear()


def person(
    person_id: UUID, roles: tuple[str, ...], uai: str | None, academie: str | None
) -> Principal:
    return Principal(
        kind="person",
        id=str(person_id),
        roles=frozenset(Role(r) for r in roles),
        establishment_uai=uai,
        academie=academie,
    )


async def build_world(
    conn: asyncpg.Connection,
    teachers: int,
    hot_cents: int,
    *,
    webhook: bool = False,
    gar: bool = False,
) -> World:
    schools = max(1, teachers // 50)
    uais = [f"{i:07d}{check_letter(f'{i:07d}')}" for i in range(schools)]
    academie_of = {uai: ACADEMIES[i % len(ACADEMIES)] for i, uai in enumerate(uais)}
    await conn.executemany(
        "INSERT INTO establishments (uai, name, academie) VALUES ($1, $2, $3)",
        [(uai, f"Collège {uai}", academie_of[uai]) for uai in uais],
    )
    publisher_id = await conn.fetchval(
        "INSERT INTO publishers (name, status) VALUES ('Éditions du Banc', 'approved') RETURNING id"
    )
    resource_id = await conn.fetchval(
        "INSERT INTO resources (publisher_id, status, title, resource_types, published_at, "
        "gar_referenced, gar_resource_id) VALUES ($1, 'published', 'Manuel de mathématiques 6e', "
        "$2, now(), $3, CASE WHEN $3 THEN 'ark:/99999/banc-6e' END) RETURNING id",
        publisher_id,
        [OUVRAGE],
        gar,
    )
    offer_id = await conn.fetchval(
        "INSERT INTO offers (resource_id, licence_type, unit_price_cents, duration) "
        "VALUES ($1, 'teacher', $2, 'school_year') RETURNING id",
        resource_id,
        PRICE_CENTS,
    )
    if webhook:
        await give_webhook(conn, publisher_id)
    national_id = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles) VALUES ('urn:bench', 'national', "
        "'{national_admin}') RETURNING id"
    )
    at = [uais[n % schools] for n in range(teachers + 1)]
    rows = await conn.fetch(
        "INSERT INTO people (issuer, subject, display_name, email, roles, establishment_uai, "
        "academie) SELECT 'urn:bench', 't' || n, 'T' || n, 't' || n || '@ac-bench.invalid', "
        "'{teacher}', uai, academie FROM unnest($1::text[], $2::text[]) WITH ORDINALITY "
        "u (uai, academie, n) ORDER BY n RETURNING id, establishment_uai, academie",
        at,
        [academie_of[u] for u in at],
    )
    people = [person(r["id"], ("teacher",), r["establishment_uai"], r["academie"]) for r in rows]
    national = person(national_id, ("national_admin",), None, None)
    period = await open_period(conn, NewPeriod())
    await fund(conn, national, people, hot_cents)
    return World(national, offer_id, publisher_id, people[:-1], people[-1], period)


async def fund(
    conn: asyncpg.Connection, national: Principal, people: list[Principal], hot_cents: int
) -> None:
    """Every envelope from the top, one allocation at a time, in one transaction."""
    cents = {p.id: TEACHER_FUNDS_CENTS for p in people[:-1]} | {people[-1].id: hot_cents}
    by_school: Counter[tuple[str, str]] = Counter()
    for p in people:
        assert p.establishment_uai is not None
        assert p.academie is not None
        by_school[p.establishment_uai, p.academie] += cents[p.id]
    by_academie: Counter[str] = Counter()
    for (_, academie), amount in by_school.items():
        by_academie[academie] += amount
    async with conn.transaction():
        for academie, amount in by_academie.items():
            await allocate(
                conn, national, NewAllocation(to_kind="academie", to=academie, amount_cents=amount)
            )
        for (uai, _), amount in by_school.items():
            await allocate(
                conn, national, NewAllocation(to_kind="establishment", to=uai, amount_cents=amount)
            )
        for p in people:
            await allocate(
                conn, national, NewAllocation(to_kind="teacher", to=p.id, amount_cents=cents[p.id])
            )


async def run_workers(count: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> Run:
    run = Run()
    numbers = iter(range(count))

    async def worker() -> None:
        for number in numbers:
            started = time.perf_counter()
            try:
                await one(number)
            except Exception as exc:  # noqa: BLE001  # counted and printed, the run goes on
                run.errors[type(exc).__name__] += 1
            else:
                run.latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.seconds = time.perf_counter() - started
    return run


def report(label: str, run: Run, baseline: float | None = None) -> float:
    rate = len(run.latencies) / run.seconds
    cuts = statistics.quantiles(run.latencies, n=100)
    ratio = f"  {rate / baseline:6.1%} of bare" if baseline else ""
    print(
        f"  {label:30} {rate:7,.0f}/s  p50 {cuts[49]:6.1f} ms  p95 {cuts[94]:6.1f} ms  "
        f"p99 {cuts[98]:6.1f} ms{ratio}"
    )
    if run.errors:
        print(f"    errors: {dict(run.errors)}")
    return rate


INVARIANTS = {
    "sum of all balances is not zero": "SELECT (sum(balance_cents) <> 0)::int FROM accounts",
    "accounts below zero (funding aside)": (
        "SELECT count(*) FROM accounts WHERE kind <> 'funding' AND balance_cents < 0"
    ),
    "balances unlike their transfers": """
        SELECT count(*) FROM accounts a
        WHERE a.balance_cents <>
              coalesce((SELECT sum(amount_cents) FROM transfers WHERE to_account = a.id), 0)
            - coalesce((SELECT sum(amount_cents) FROM transfers WHERE from_account = a.id), 0)
    """,
    "completed acquisitions without exactly one licence": """
        SELECT count(*) FROM acquisitions a WHERE a.status = 'completed'
          AND (SELECT count(*) FROM licences l WHERE l.acquisition_id = a.id) <> 1
    """,
    "completed acquisitions without exactly one purchase": """
        SELECT count(*) FROM acquisitions a WHERE a.status = 'completed'
          AND (SELECT count(*) FROM transfers t
               WHERE t.acquisition_id = a.id AND t.kind = 'purchase') <> 1
    """,
}


async def check(conn: asyncpg.Connection, succeeded: int) -> None:
    violations = {name: await conn.fetchval(sql) for name, sql in INVARIANTS.items()}
    stored = await conn.fetchval("SELECT count(*) FROM acquisitions WHERE status = 'completed'")
    violations["calls answered 201 but not stored"] = abs(stored - succeeded)
    bad = {name: n for name, n in violations.items() if n}
    print(f"    invariant violations: {sum(bad.values())}" + (f" {bad}" if bad else ""))


async def give_webhook(conn: asyncpg.Connection, publisher_id: UUID) -> None:
    """Every purchase then also writes its event and enqueues a delivery job."""
    print("  the publisher has a webhook (no worker drains the events)")
    await conn.execute(
        "INSERT INTO publisher_webhooks (publisher_id, url, secret_encrypted) "
        "VALUES ($1, 'https://editeur.example/hooks', '\\x00')",
        publisher_id,
    )


async def main(  # noqa: PLR0915  # the runs one after the other, in the order printed
    teachers: int,
    count: int,
    hot: int,
    concurrency: int,
    pool_size: int,
    statements: bool,
    *,
    webhook: bool = False,
    gar: bool = False,
    profile: Path | None = None,
) -> None:
    print(f"{os.cpu_count()} cores, {teachers:,} teachers, {concurrency} concurrent workers")
    with tempfile.TemporaryDirectory() as tmp, stopping_embedded(Path(tmp)):
        url = with_database(start_embedded(Settings(data_dir=Path(tmp))), "postgres")
        conn = await connect(url)
        await prepare_database(conn)
        vocab = await VocabularyIndex.load(conn)
        started = time.perf_counter()
        world = await build_world(
            conn, teachers, hot_cents=hot * PRICE_CENTS, webhook=webhook, gar=gar
        )
        print(f"  funded {teachers + 1:,} teachers in {time.perf_counter() - started:.1f} s")
        await conn.execute(
            "CREATE TABLE bench_transfers (LIKE transfers INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
        await conn.execute("VACUUM ANALYZE")
        key = derive_key("x" * 40, "pseudonym")
        log = Statements()
        async with await create_pool(url, max_size=pool_size) as pool:
            if statements:
                await log_statements(pool, pool_size, log)
            offer = NewAcquisition(offer_id=world.offer_id, quantity=1)

            waker = Waker(pool)

            async def buy(by: Principal, outbox: GarOutbox | None = None) -> None:
                status, _ = await acquire(
                    pool, vocab, key, by, key=str(uuid4()), new=offer, waker=waker, gar=outbox
                )
                if status != 201:
                    raise RuntimeError(f"answered {status}")

            ids = await conn.fetchrow(
                "SELECT (SELECT id FROM accounts WHERE kind = 'teacher' AND owner = $1) AS t, "
                "(SELECT id FROM accounts WHERE kind = 'funding') AS f",
                world.teachers[0].id,
            )
            assert ids is not None

            async def bare(_: int) -> None:
                await pool.fetchval(
                    "INSERT INTO bench_transfers (period_id, from_account, to_account, "
                    "amount_cents, kind, acquisition_id, created_by) "
                    "VALUES ($1, $2, $3, $4, 'purchase', $5, $6) RETURNING id",
                    world.period.id,
                    ids["t"],
                    ids["f"],
                    PRICE_CENTS,
                    uuid4(),
                    UUID(world.hot.id),
                )

            def spread_buy(_: int) -> Awaitable[None]:
                return buy(random.choice(world.teachers))

            await run_workers(concurrency * 4, concurrency, bare)
            succeeded = len((await run_workers(concurrency * 4, concurrency, spread_buy)).latencies)
            print(f"Acquisitions through accounts.acquisitions.acquire (pool of {pool_size})")
            bare_rate = report(
                "bare INSERT of a transfer row", await run_workers(count, concurrency, bare)
            )

            log.clear()
            spread = await profiled(
                profile, "purchases-gar-off", run_workers(count, concurrency, spread_buy)
            )
            spread_log = dict(log.calls), dict(log.ms)
            spread_rate = report(f"spread over {teachers:,} teachers", spread, bare_rate)
            print("    (target >= 1,000/s)")
            succeeded += len(spread.latencies)
            await check(conn, succeeded)
            if gar:

                async def gar_buy(outbox: GarOutbox, name: str) -> Run:
                    log.clear()
                    run = await profiled(
                        profile,
                        name,
                        run_workers(
                            count,
                            concurrency,
                            lambda _: buy(random.choice(world.teachers), outbox),
                        ),
                    )
                    if statements:
                        print_statements(name, dict(log.calls), dict(log.ms), len(run.latencies))
                    return run

                runs = await with_gar_sync(url, Path(tmp), pool, gar_buy, profile)
                succeeded += compare_gar(runs, spread_rate, bare_rate)
                await check(conn, succeeded)

            log.clear()
            hot_run = await run_workers(hot, concurrency, lambda _: buy(world.hot))
            hot_log = dict(log.calls), dict(log.ms)
            hot_rate = report("one hot teacher", hot_run, bare_rate)
            print("    (target >= 300/s with p99 <= 200 ms)")
            succeeded += len(hot_run.latencies)
            await check(conn, succeeded)
            print(f"  hot / spread: {hot_rate / spread_rate:.2f}")
            if statements:
                print_statements("spread", *spread_log, len(spread.latencies))
                print_statements("hot", *hot_log, len(hot_run.latencies))
        await conn.close()


def compare_gar(runs: tuple[Run, Run], spread_rate: float, bare_rate: float) -> int:
    """The GAR-on runs' figures beside the GAR-off one's; how many succeeded."""
    labels = ("spread, GAR on, worker idle", "spread, GAR on, worker sending")
    for label, run in zip(labels, runs, strict=True):
        rate = report(label, run, bare_rate)
        print(f"    GAR on / off: {rate / spread_rate:.2f} (target >= 0.85)")
    return sum(len(run.latencies) for run in runs)


def cpu_seconds(pid: int) -> float:
    """The CPU (user and system) a process has used so far (Linux: /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class GarCounts:
    """Where the GAR outbox and the other processes stand at one moment."""

    attempts: int
    pending: int
    worker_cpu: float
    stand_in_cpu: float

    def since(self, before: GarCounts) -> str:
        calls = max(self.attempts - before.attempts, 1)
        return (
            f"{self.attempts - before.attempts:,} calls; CPU per call: worker process "
            f"{(self.worker_cpu - before.worker_cpu) / calls * 1e6:,.0f} µs, stand-in "
            f"{(self.stand_in_cpu - before.stand_in_cpu) / calls * 1e6:,.0f} µs"
        )


async def gar_counts(pool: asyncpg.Pool, worker: int, stand_in: int) -> GarCounts:
    row = await pool.fetchrow(
        "SELECT (SELECT count(*) FROM gar_attempts) AS attempts, "
        "(SELECT count(*) FROM gar_deliveries WHERE status = 'pending') AS pending"
    )
    assert row is not None
    return GarCounts(row["attempts"], row["pending"], cpu_seconds(worker), cpu_seconds(stand_in))


async def drained(pool: asyncpg.Pool, worker: int, stand_in: int) -> GarCounts:
    """Once the worker has sent every call written (at most ten minutes)."""
    for _ in range(6000):
        now = await gar_counts(pool, worker, stand_in)
        if not now.pending:
            break
        await asyncio.sleep(0.1)
    return now


def worker_environment(url: str, settings: GarSettings, folder: Path) -> dict[str, str]:
    """`catalogue worker`'s settings: this database, the stand-in as the GAR."""
    assert settings.ca_bundle is not None
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CATALOGUE_DATA_DIR": str(folder / "worker"),
        "CATALOGUE_SECRET_KEY": "x" * 40,
        "CATALOGUE_LOG_LEVEL": "warning",
        "CATALOGUE_GAR_URL": settings.url,
        "CATALOGUE_GAR_CLIENT_CERT": str(settings.client_cert),
        "CATALOGUE_GAR_CLIENT_KEY": str(settings.client_key),
        "CATALOGUE_GAR_CA_BUNDLE": str(settings.ca_bundle),
        "CATALOGUE_GAR_DISTRIBUTOR_ID": settings.distributor_id,
    }


async def with_gar_sync(
    url: str,
    tmp: Path,
    pool: asyncpg.Pool,
    run: Callable[[GarOutbox, str], Awaitable[Run]],
    profile: Path | None,
) -> tuple[Run, Run]:
    """`run` with GAR sync on, twice: the worker idle (the subscriptions it has to send wait
    for the end of the run: the purchases' own cost), then, once the worker has sent those,
    the worker sending the calls as they come. The worker is `catalogue worker` in a process
    of its own, woken by the purchases as in production; the GAR stand-in a third process (a
    real GAR is elsewhere); on one machine, both take their CPU from the purchases."""
    folder = tmp / "gar"
    folder.mkdir()
    spawn = multiprocessing.get_context("spawn")
    told: multiprocessing.Queue[Any] = spawn.Queue()
    done = spawn.Event()
    stand_in = spawn.Process(target=gar_stand_in, args=(str(folder), told, done))
    stand_in.start()
    try:
        settings: GarSettings = told.get(timeout=60)
        outbox = GarOutbox(pool, settings)
        idle = await run(outbox, "purchases-gar-on-worker-idle")
        command = ["-m", "catalogue", "worker"]
        if profile is not None:
            command = ["-c", PROFILED_WORKER, str(profile / "worker.prof")]
        worker = subprocess.Popen(  # started once, then left to run
            [sys.executable, *command],
            env=worker_environment(url, settings, folder),
        )
        try:
            assert stand_in.pid is not None
            started = time.perf_counter()
            backlog = await gar_counts(pool, worker.pid, stand_in.pid)
            caught_up = await drained(pool, worker.pid, stand_in.pid)
            print(
                f"  worker started; the idle run's {backlog.pending:,} calls sent in "
                f"{time.perf_counter() - started:.1f} s (start-up included): "
                f"{caught_up.since(backlog)}"
            )
            sending = await run(outbox, "purchases-gar-on-worker-sending")
            after = await drained(pool, worker.pid, stand_in.pid)
            print(f"  during and after the run with the worker sending: {after.since(caught_up)}")
        finally:
            worker.terminate()
            worker.wait(timeout=30)  # the end of the bench
        if profile is not None:
            print_profile(profile / "worker.prof", after.attempts)
    finally:
        done.set()
    received = told.get(timeout=60)
    stand_in.join(timeout=30)
    failed = await pool.fetchval("SELECT count(*) FROM gar_deliveries WHERE status <> 'delivered'")
    print(f"  GAR subscriptions: {received:,} received by the stand-in, {failed:,} not delivered")
    return idle, sending


def gar_stand_in(folder: str, told: multiprocessing.Queue[Any], done: Any) -> None:
    """The third process: the GAR stand-in until told it is done; then how many calls it
    received."""
    with serving(GarService(Pki.make(Path(folder)))) as service:
        told.put(service.pki.settings(service.url))
        done.wait()
        told.put(len(service.received))


# `catalogue worker` under cProfile, counting CPU time; its profile written where argv[1] says.
PROFILED_WORKER = """
import cProfile, runpy, sys, time
profile, path, sys.argv = cProfile.Profile(time.process_time), sys.argv[1], ["catalogue", "worker"]
profile.enable()
try:
    runpy.run_module("catalogue", run_name="__main__")
except SystemExit:
    pass
finally:
    profile.disable()
    profile.dump_stats(path)
"""


async def profiled(folder: Path | None, name: str, work: Awaitable[Run]) -> Run:
    """`work`, under cProfile when asked (--profile): its profile kept in the folder and its
    heaviest functions printed, per purchase."""
    if folder is None:
        return await work
    profile = cProfile.Profile(time.process_time)  # CPU, not time spent preempted
    profile.enable()
    try:
        run = await work
    finally:
        profile.disable()
        profile.dump_stats(folder / f"{name}.prof")
    print_profile(folder / f"{name}.prof", len(run.latencies))
    return run


def print_profile(path: Path, calls: int, top: int = 15) -> None:
    """The functions that took the most CPU themselves (not counting what they called)."""
    stats: dict[Any, Any] = pstats.Stats(str(path)).stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in stats.values())
    print(f"  profile {path.name}: {total / calls * 1e6:,.0f} µs of CPU per call, heaviest:")
    heaviest = sorted(stats.items(), key=lambda item: -item[1][2])[:top]
    for (file, line, function), (_, _, own, _, _) in heaviest:
        where = f"{Path(file).name}:{line}" if line else file
        print(f"    {own / calls * 1e6:7.1f} µs  {function} ({where})")


async def log_statements(pool: asyncpg.Pool, size: int, log: Statements) -> None:
    """Hold every connection of the pool at once so each gets the logger (it outlives release)."""
    held = [await pool.acquire() for _ in range(size)]
    for conn in held:
        conn.add_query_logger(log.log)
    for conn in held:
        await pool.release(conn)


def print_statements(label: str, calls: dict[str, int], ms: dict[str, float], done: int) -> None:
    print(f"  time per statement, {label} run (client side, lock waits included), per acquisition:")
    for name, total in sorted(ms.items(), key=lambda kv: -kv[1]):
        print(f"    {total / done:7.2f} ms  {calls[name] / done:4.1f}x  {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--teachers", type=int, default=1_000)
    parser.add_argument("--count", type=int, default=10_000, help="spread and bare INSERTs")
    parser.add_argument("--hot", type=int, default=3_000, help="acquisitions by one teacher")
    parser.add_argument("--concurrency", type=int, default=32, help="asyncio workers")
    parser.add_argument(
        "--pool",
        type=int,
        default=Settings().db_pool_size,
        help="asyncpg pool size (default: the service's CATALOGUE_DB_POOL_SIZE default)",
    )
    parser.add_argument("--statements", action="store_true", help="time each SQL statement")
    parser.add_argument("--webhook", action="store_true", help="the publisher has a webhook")
    parser.add_argument(
        "--gar", action="store_true", help="also the spread run with GAR sync on, beside it"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="with --gar: profile the spread runs and the worker (cProfile) into this folder",
    )
    args = parser.parse_args()
    asyncio.run(
        main(
            args.teachers,
            args.count,
            args.hot,
            args.concurrency,
            args.pool,
            args.statements,
            webhook=args.webhook,
            gar=args.gar,
            profile=args.profile,
        )
    )
