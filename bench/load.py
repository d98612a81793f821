"""Load test of the main journeys, on the embedded default and scaled out, through locust.

    python bench/load.py [--seconds 30] [--users 16] [--offerings 20000] [--teachers 1000]

Seeds a fresh embedded PostgreSQL (generated offerings, funded teachers, a publisher that
imports, webhooks to a receiver in this process), then measures, in the same run:
  baseline  /healthz on configuration (a), the same load generator: HTTP alone;
  (a)       one `catalogue serve` process, its embedded worker on (the embedded default);
  (b)       two `catalogue serve` processes (CATALOGUE_EMBEDDED_WORKER=false) and two
            `catalogue worker` processes on the same database, users round-robin over both.
Each configuration runs USERS locust users sending requests back to back (no think time) for
a warm-up, then SECONDS measured: search 60, resource JSON 15, resource page 10, acquisition 10,
import 5 (a batch of ScoLOMFR notices); a tenth of the acquisitions are sent again with the
same Idempotency-Key through the other process. Prints, per journey: requests, throughput,
p50, p99, refusals (insufficient funds: a business answer) and errors (any other status that
is not the journey's success), then checks that both configurations left one consistent
system (PASS/FAIL lines). Needs the bench extra (locust). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig

import repo_root  # noqa: F401  # before tests.support
from catalogue.bootstrap import prepare_database
from catalogue.config import Settings
from catalogue.database import connect, create_pool, ensure_database, start_embedded, with_database
from catalogue.demo.generator import generate
from catalogue.identity.authn import SESSION_LIFETIME_S
from catalogue.identity.secrets import derive_key
from catalogue.identity.sessions import open_session
from catalogue.identity.tokens import issue_access_token
from catalogue.logs import configure_logging
from catalogue.resources.bulk import bulk_load
from catalogue.search import outbox
from catalogue.search.pg import PostgresBackend
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from catalogue.webhooks.service import register
from ledger import INVARIANTS, PRICE_CENTS, build_world
from search import query_mix
from serve import base_env, stop
from tests.support.demo_server import free_port, wait_ready

Json = dict[str, Any]  # a plan or results file of locust, as JSON

BENCH = Path(__file__).resolve().parent
PUBLIC_URL = "http://catalogue.charge.test"  # the load balancer's address: one token issuer
SECRET = "banc-de-charge-" * 4
WARMUP_S = 5
JOURNEYS = (
    "search",
    "resource (JSON)",
    "resource page (HTML)",
    "acquisition",
    "acquisition replay",
    "import",
)
SUCCESS = {"acquisition": 201, "acquisition replay": 201, "import": 201}
REFUSED, WRONG = 1, -1  # the locustfile's marks: insufficient funds; an answer not as expected


@dataclass
class Receiver:
    """The publishers' webhook endpoint: counts each delivery id it is sent."""

    received: Counter[str]
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
                fields = dict(
                    line.split(": ", 1) for line in head.split("\r\n")[1:] if ": " in line
                )
                await reader.readexactly(int(fields.get("content-length", "0")))
                self.received[fields.get("webhook-id", "?")] += 1
                writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def seed(conn: asyncpg.Connection, url: str, args: argparse.Namespace, hook: str) -> Json:
    """The catalogue, the teachers and their budgets, the publishers; the plan for locust."""
    await prepare_database(conn)
    vocab = await VocabularyIndex.load(conn)
    concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
    started = time.perf_counter()
    items = ((i.publisher, i.draft) for i in generate(args.offerings, concepts))
    await bulk_load(conn, vocab, items, connector="bench")
    world = await build_world(conn, args.teachers, hot_cents=PRICE_CENTS)
    await conn.execute("TRUNCATE search_outbox")
    await conn.execute("VACUUM ANALYZE")
    async with await create_pool(url, max_size=4) as pool:
        await outbox.rebuild(pool, PostgresBackend(pool), vocab)
        await conn.execute("VACUUM ANALYZE search_documents, search_words")
        rows = await conn.fetch(
            "SELECT o.id, r.publisher_id FROM offers o JOIN searchable_documents r "
            "ON r.id = o.resource_id WHERE o.licence_type = 'teacher' AND o.status = 'published' "
            "AND o.unit_price_cents BETWEEN 1 AND 3000 ORDER BY random() LIMIT 200"
        )
        # offer id -> its publisher's id
        offers: dict[UUID, UUID] = {row["id"]: row["publisher_id"] for row in rows}
        offers[world.offer_id] = world.publisher_id
        webhook_key = derive_key(SECRET, "webhooks")
        for publisher in set(offers.values()):
            await register(pool, webhook_key, publisher, hook, production=False)
    importer = await conn.fetchval(
        "WITH p AS (INSERT INTO publishers (name, status) VALUES ('Éditions du banc de charge', "
        "'approved') RETURNING id) INSERT INTO people (issuer, subject, roles, publisher_id) "
        "SELECT 'urn:bench', 'importer', '{publisher}', id FROM p RETURNING id"
    )
    settings = Settings(public_url=PUBLIC_URL, secret_key=SECRET)  # it seals the signing key
    sessions = ClientSideSessionBackend(
        CookieBackendConfig(secret=derive_key(SECRET, "session"), key="catalogue_session")
    )
    teachers = [
        (
            t.id,
            await issue_access_token(conn, settings, subject=t.id),
            sessions.dump_data(await open_session(conn, UUID(t.id), SESSION_LIFETIME_S))[
                0
            ].decode(),
        )
        for t in world.teachers
    ]
    resources = await conn.fetch("SELECT id FROM search_documents ORDER BY random() LIMIT 2000")
    print(
        f"seeded {args.offerings:,} generated offerings, {args.teachers:,} funded teachers, "
        f"{len(offers)} offers to buy from {len(set(offers.values()))} publishers "
        f"with a webhook, in {time.perf_counter() - started:.0f} s"
    )
    return {
        "teachers": teachers,
        "publisher": await issue_access_token(conn, settings, subject=str(importer)),
        "resources": [str(r["id"]) for r in resources],
        "offers": [str(offer) for offer in offers],
        "queries": query_mix(),
        "notices": args.notices,
        "replay": 0.1,
    }


def start(command: list[str], log: Path, **env: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "catalogue", *command],
            env=base_env(**env),
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def cpu_times(groups: dict[str, list[int]]) -> dict[tuple[str, int], float]:
    """CPU seconds (user + system) each process used so far, from /proc (Linux)."""
    times = {}
    for group, pids in groups.items():
        for pid in pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                times[group, pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return times


def postgres_pids(pgdata: Path) -> list[int]:
    """The embedded server and its backends (the children of the postmaster)."""
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(stat.parent.name))
    return [postmaster, *children]


async def run_locust(
    plan: Json,
    hosts: list[str],
    label: str,
    user_class: str,
    args: argparse.Namespace,
    seconds: int,
    processes: dict[str, list[int]],
) -> Json:
    """One locust run; prints its figures and the CPU each kind of process used meanwhile."""
    tmp = args.tmp
    groups = {**processes, "PostgreSQL": postgres_pids(tmp / "pgdata")}
    before = cpu_times(groups)
    results = tmp / f"results-{label}.json"
    path = tmp / f"plan-{label}.json"
    path.write_text(json.dumps({**plan, "hosts": hosts, "label": label, "results": str(results)}))
    with (tmp / f"locust-{label}.log").open("wb") as log:
        locust = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{WARMUP_S + seconds}s",
            "--stop-timeout",
            "30",
            "--only-summary",
            "--loglevel",
            "WARNING",
            user_class,
            env={**os.environ, "LOAD_PLAN": str(path)},
            stdout=log,
            stderr=log,
        )
        await locust.wait()
    groups["PostgreSQL"] = postgres_pids(tmp / "pgdata")
    after = cpu_times(groups)
    if not results.exists():
        raise SystemExit(f"locust wrote no results: see {tmp / f'locust-{label}.log'}")
    run = dict(json.loads(results.read_text()))
    figures(run, seconds)
    used: defaultdict[str, float] = defaultdict(float)  # CPU seconds per kind of process
    used["locust"] = run["cpu_s"]
    for (group, pid), cpu in after.items():
        used[group] += cpu - before.get((group, pid), 0.0)
    print(
        f"  CPU seconds used in the {WARMUP_S + seconds} s run ({os.cpu_count()} cores): "
        + ", ".join(f"{group} {cpu:.1f}" for group, cpu in used.items())
    )
    return run


def figures(results: Json, seconds: int) -> None:
    """Per journey, the requests that ended in the measured window (after the warm-up)."""
    samples = results["samples"]
    begin = min(t - ms / 1000 for rows in samples.values() for t, ms, _ in rows)
    window = (begin + WARMUP_S, begin + WARMUP_S + seconds)
    print(
        f"  {'journey':22} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'refused':>7} {'errors':>6}  status codes"
    )
    total = 0
    for journey in (*JOURNEYS, "/healthz"):
        rows = [(ms, s) for t, ms, s in samples.get(journey, []) if window[0] <= t <= window[1]]
        if not rows:
            continue
        total += len(rows)
        ok = SUCCESS.get(journey, 200)
        latencies = sorted(ms for ms, _ in rows)
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
        statuses = Counter(s for _, s in rows)
        refused = statuses[REFUSED]
        errors = sum(n for s, n in statuses.items() if s not in (ok, REFUSED))
        names = {REFUSED: "422 insufficient funds", WRONG: "wrong answer", 0: "no answer"}
        codes = ", ".join(f"{names.get(s, s)}: {n}" for s, n in sorted(statuses.items()))
        print(
            f"  {journey:22} {len(rows):8} {len(rows) / seconds:7.1f} {cuts[49]:7.1f} "
            f"{cuts[98]:7.1f} {refused:7} {errors:6}  {codes}"
        )
    print(f"  {'all':22} {total:8} {total / seconds:7.1f}")


async def wait_for(conn: asyncpg.Connection, sql: str, within_s: float = 90) -> bool:
    """Until the query answers 0 (the workers caught up)."""
    deadline = time.monotonic() + within_s
    while await conn.fetchval(sql):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


def check(name: str, ok: bool, detail: str = "") -> None:
    print(f"  {'PASS' if ok else 'FAIL'}  {name}" + (f"  ({detail})" if detail else ""))


def indexed_by(log: Path) -> int:
    """The outbox entries a worker says it handled (its JSON log lines "index updated")."""
    total = 0
    for line in log.read_bytes().splitlines():
        if b"index updated" in line:
            total += json.loads(line)["changes"]
    return total


async def behave_as_one(
    conn: asyncpg.Connection,
    hosts: list[str],
    plan: Json,
    runs: list[Json],
    receiver: Receiver,
    outbox_before: int,
    worker_logs: list[Path],
) -> None:
    acquired = [tuple(a) for run in runs for a in run["acquired"]]
    imported = {i for run in runs for i in run["imported"]}
    print("\n'behave as one' checks after (b), over both configurations' writes")
    violations = {name: await conn.fetchval(sql) for name, sql in INVARIANTS.items()}
    check(
        "ledger invariants hold (sum of balances 0, none below 0 but funding, balances = "
        "transfers, each completed acquisition one purchase and one licence)",
        not any(violations.values()),
        ", ".join(f"{n}: {v}" for n, v in violations.items() if v),
    )
    rows = await conn.fetch(
        "SELECT a.id, a.person_id, a.idempotency_key, a.status, "
        "(SELECT count(*) FROM transfers t WHERE t.acquisition_id = a.id) AS transfers "
        "FROM acquisitions a"
    )
    stored = {(str(r["person_id"]), r["idempotency_key"]): r for r in rows}
    answered = {(person, key): acquisition for person, key, acquisition in acquired}
    check(
        "every acquisition answered 201 is one completed acquisition row with its transfer",
        all(
            (row := stored.get(k)) is not None
            and str(row["id"]) == a
            and row["status"] == "completed"
            and row["transfers"] == 1
            for k, a in answered.items()
        ),
        f"{len(answered):,} answered 201",
    )
    check(
        "every Idempotency-Key is one acquisition (none stored that no answer announced)",
        len(rows) == len(answered) == len(acquired) and stored.keys() == answered.keys(),
        f"{len(rows):,} stored, {len(acquired):,} answers",
    )
    caught_up = await wait_for(conn, "SELECT count(*) FROM search_outbox")
    missing = await conn.fetchval(
        "SELECT count(*) FROM unnest($1::uuid[]) i WHERE NOT EXISTS "
        "(SELECT 1 FROM search_documents d WHERE d.id = i)",
        list(imported),
    )
    check(
        "every imported resource reached the search index (outbox empty)",
        caught_up and missing == 0 and bool(imported),
        f"{len(imported):,} imported, {missing} not indexed",
    )
    await found_through_the_other(hosts, plan, conn)
    written = await conn.fetchval("SELECT last_value FROM search_outbox_id_seq") - outbox_before
    handled = [indexed_by(log) for log in worker_logs]
    check(
        "each outbox entry indexed once by the two workers",
        sum(handled) == written and all(handled),
        f"{written:,} entries written, workers handled {' + '.join(map(str, handled))}",
    )
    delivered = await wait_for(
        conn, "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'"
    )
    deliveries = await conn.fetch(
        "SELECT d.id::text, d.status, (SELECT count(*) FROM webhook_attempts w "
        "WHERE w.delivery_id = d.id) AS attempts FROM webhook_deliveries d"
    )
    counts = Counter(receiver.received.values())
    check(
        "each webhook delivered exactly once (one job per purchase, one attempt, one receipt)",
        delivered
        and len(deliveries) == len(acquired)
        and all(d["status"] == "delivered" and d["attempts"] == 1 for d in deliveries)
        and {d["id"] for d in deliveries} == receiver.received.keys()
        and set(counts) == {1},
        f"{len(deliveries):,} deliveries, received {dict(sorted(counts.items()))} (times: ids)",
    )


async def found_through_the_other(hosts: list[str], plan: Json, conn: asyncpg.Connection) -> None:
    """A notice imported through each process is found by search through the other one."""
    publisher = {"Authorization": f"Bearer {plan['publisher']}"}
    teacher = {"Authorization": f"Bearer {plan['teachers'][0][1]}"}
    found = []
    async with httpx.AsyncClient(timeout=30) as http:
        for here, there in ((hosts[0], hosts[1]), (hosts[1], hosts[0])):
            word = f"verificationx{random.randrange(10**9):x}".replace("0", "q")
            notice = (
                '<lom:lom xmlns:lom="http://ltsc.ieee.org/xsd/LOM"><lom:general><lom:identifier>'
                f"<lom:catalog>URL</lom:catalog><lom:entry>https://banc.example/{word}"
                "</lom:entry></lom:identifier><lom:title><lom:string>Contrôle "
                f"{word}</lom:string></lom:title></lom:general></lom:lom>"
            )
            response = await http.post(
                f"{here}/api/v1/publisher/imports",
                content=notice,
                headers={**publisher, "Content-Type": "application/xml"},
            )
            resource = response.json()["items"][0]["resource_id"]
            await wait_for(conn, "SELECT count(*) FROM search_outbox", within_s=30)
            hits = (
                await http.get(f"{there}/api/v1/search", params={"q": word}, headers=teacher)
            ).json()["hits"]
            found.append(resource in [h["id"] for h in hits])
    check(
        "a notice imported through one process is found by search through the other",
        all(found),
        "both ways",
    )


async def main(args: argparse.Namespace) -> None:
    configure_logging(Settings(log_level="warning"))
    print(
        f"{os.cpu_count()} cores (shared), {args.users} locust users without think time, "
        f"{WARMUP_S} s warm-up then {args.seconds} s measured per configuration"
    )
    receiver = Receiver(Counter())
    hooks = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = hooks.sockets[0].getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = args.tmp = Path(tmp_name)
        admin = start_embedded(Settings(data_dir=tmp))
        await ensure_database(admin, "catalogue")
        url = with_database(admin, "catalogue")
        conn = await connect(url)
        plan = await seed(conn, url, args, f"http://127.0.0.1:{receiver.port}/hooks")
        env = {
            "DATABASE_URL": url,
            "CATALOGUE_DATA_DIR": str(tmp),
            "CATALOGUE_SECRET_KEY": SECRET,
            "CATALOGUE_PUBLIC_URL": PUBLIC_URL,
            # Every simulated user's pages go out as one signed-in teacher, and its imports as
            # one publisher: room for them beyond a real caller's budget (measured: the app).
            "CATALOGUE_CALLER_CONCURRENCY": "1000",
            "CATALOGUE_CALLER_BURST": "1000000",
        }
        runs = []

        port = free_port()
        one = start(["serve", "--port", str(port)], tmp / "serve-a.log", **env)
        try:
            hosts = [f"http://127.0.0.1:{port}"]
            apps = {"app process": [one.pid]}
            wait_ready(hosts[0], one, timeout_s=60)
            print("\nbaseline: GET /healthz, one `catalogue serve`, the same load generator")
            await run_locust(plan, hosts, "h", "Baseline", args, 5, apps)
            print("\n(a) the embedded default: one `catalogue serve`, its embedded worker on")
            runs.append(await run_locust(plan, hosts, "a", "Journeys", args, args.seconds, apps))
            await wait_for(conn, "SELECT count(*) FROM search_outbox")
            await wait_for(conn, "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'")
        finally:
            stop(one)

        outbox_before = await conn.fetchval("SELECT last_value FROM search_outbox_id_seq")
        ports = [free_port(), free_port()]
        scaled = {**env, "CATALOGUE_EMBEDDED_WORKER": "false", "CATALOGUE_LOG_LEVEL": "info"}
        worker_logs = [tmp / "worker-1.log", tmp / "worker-2.log"]
        processes = [
            *(start(["serve", "--port", str(p)], tmp / f"serve-{p}.log", **scaled) for p in ports),
            *(start(["worker"], log, **scaled) for log in worker_logs),
        ]
        try:
            hosts = [f"http://127.0.0.1:{p}" for p in ports]
            for host, process in zip(hosts, processes, strict=False):
                wait_ready(host, process, timeout_s=60)
            print(
                "\n(b) scaled out: two `catalogue serve` (CATALOGUE_EMBEDDED_WORKER=false) and "
                "two `catalogue worker`, one database"
            )
            groups = {
                "app processes": [p.pid for p in processes[:2]],
                "workers": [p.pid for p in processes[2:]],
            }
            runs.append(await run_locust(plan, hosts, "b", "Journeys", args, args.seconds, groups))
            await behave_as_one(conn, hosts, plan, runs, receiver, outbox_before, worker_logs)
        finally:
            for process in processes:
                stop(process)
        await conn.close()
    hooks.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=30, help="measured, per configuration")
    parser.add_argument("--users", type=int, default=16, help="concurrent locust users")
    parser.add_argument("--offerings", type=int, default=20_000)
    parser.add_argument("--teachers", type=int, default=1_000)
    parser.add_argument("--notices", type=int, default=5, help="ScoLOMFR notices per import")
    asyncio.run(main(parser.parse_args()))
