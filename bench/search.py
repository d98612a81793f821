"""Search figures, backend by backend in one run on the same offerings and the same query mix:
API latency next to the backend alone, the index rebuild throughput, a serving process's
memory, printed side by side at the end.

    python bench/search.py --count 10000                      # postgresql, tantivy, meili-fake
    python bench/search.py --count 100000 --backend tantivy --backend postgresql
    python bench/search.py --backend meili-fake --count 5000
    python bench/search.py --count 1000000 --backend tantivy --backend postgresql --tmp /var/tmp
    python bench/search.py --count 100000 --backend tantivy --workers 2   # serve --workers 2

With ``--backend tantivy``: the Tantivy index is rebuilt into the run's data directory and the
`catalogue serve` process reads it (CATALOGUE_SEARCH_BACKEND=tantivy). The bench also measures
whether the binding releases the GIL while it searches (how fast Python runs in another
thread meanwhile) and how long the event loop stalls while 16 searches run through the
backend.

With ``--backend meili-fake``: the same offerings are indexed into the fake Meilisearch engine
(tests/support/fake_meili.py), whose answers to the query mix are recorded; the Meilisearch
backend then searches the mix over a transport that replays them, so the CPU time measured in
this process (``time.process_time``) is our own per search (building the filter and body,
the SDK and its HTTP client, decoding, mapping the hits), printed next to the PostgreSQL
backend's own CPU per search (the asyncpg client side and the mapping; the database server's
work is not in it). With MEILI_URL set as well, the mix also runs against that real engine
and its latencies are printed as the PostgreSQL section's.

Generates COUNT offerings into a fresh embedded PostgreSQL, reads them as a rebuild does
without indexing them (the rebuild's raw baseline: "read side alone"), rebuilds each
backend's index, then runs a fixed mix of 200 queries at 1 and at 16 concurrent clients: through
`GET /api/v1/search` on a `catalogue serve` process from an httpx client in this process and
from wrk (Debian package), and as the same backend call without HTTP; each of these three
sends the same queries (the mix, ROUNDS times).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx

import repo_root  # noqa: F401  # before tests.support
from catalogue.bootstrap import prepare_database
from catalogue.config import Settings
from catalogue.database import connect, create_pool, start_embedded, with_database
from catalogue.demo.generator import generate
from catalogue.identity.tokens import issue_access_token
from catalogue.progress import no_progress
from catalogue.resources.bulk import bulk_load
from catalogue.search import outbox, tantivy_search
from catalogue.search.meili import MeiliBackend
from catalogue.search.models import FacetField, SearchBackend, SearchQuery, Sort
from catalogue.search.pg import PostgresBackend
from catalogue.search.service import SearchService
from catalogue.search.tantivy_index import TantivyBackend
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from tests.support.demo_server import free_port, wait_ready_async
from tests.support.fake_meili import FakeMeili
from tests.support.postgres import stopping_embedded

C = "http://data.education.fr/voc/scolomfr/concept/"
CYCLE_3 = f"{C}scolomfr-voc-022-num-620"
COLLEGE = f"{C}scolomfr-voc-022-num-016"

SHORT = ["fractions", "volcans", "vocabulaire", "photosynthèse", "Révolution", "poésie"]
LONG = [
    "exercices interactifs de géométrie pour la classe de sixième",
    "comprendre la photosynthèse avec des vidéos et des quiz",
    "atlas numérique de géographie pour préparer le brevet",
]
TYPOS = ["geometrei", "photosyntese", "vocabulaier", "mathematiqes", "grammmaire"]
ACRONYMS = ["svt 5e", "eps", "hg 3e", "anglais lv1", "maths cm2", "emc 4e"]
Params = dict[str, str | list[str]]
# Each timed run (the API from httpx, from wrk, the backend alone) sends the 200-query mix
# this many times: the same 600 queries, so that their p95 compare.
ROUNDS = 3


def query_mix() -> list[Params]:
    base: list[Params] = [{"q": q} for q in [*SHORT, *LONG, *TYPOS, *ACRONYMS]]
    base += [
        {"q": "mathématiques", "level": CYCLE_3, "facets": ["level", "discipline", "free"]},
        {"q": "histoire", "level": COLLEGE, "facets": ["level", "discipline", "free"]},
        {"q": "anglais", "free": "true", "facets": ["level", "licence_type", "language"]},
    ]
    return [base[i % len(base)] for i in range(200)]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[94], cuts[98]


async def run_concurrently(
    mix: list[Params], clients: int, one: Callable[[Params], Awaitable[None]]
) -> tuple[list[float], float]:
    queue: asyncio.Queue[Params] = asyncio.Queue()
    for params in mix:
        queue.put_nowait(params)
    latencies: list[float] = []

    async def client() -> None:
        while not queue.empty():
            params = queue.get_nowait()
            started = time.perf_counter()
            await one(params)
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, time.perf_counter() - started


def report(label: str, latencies: list[float], seconds: float) -> tuple[float, float]:
    """Prints the line; the p95 (ms) and the throughput (queries/s)."""
    p50, p95, p99 = percentiles(latencies)
    print(
        f"  {label:32} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  "
        f"{len(latencies) / seconds:7.0f} queries/s"
    )
    return p95, len(latencies) / seconds


WRK_SCRIPT = """
local paths, i, answered, wanted = {%s}, 0, 0, %d
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Bearer %s"})
end
response = function(status, headers, body)
  answered = answered + 1
  if answered == wanted then
    wrk.thread:stop()
    io.write("ANSWERED\\n")
    io.stdout:flush()
  end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%f %%f %%f %%d %%d %%f\\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.status, summary.duration / 1e6))
end
"""


def wrk_report(port: int, token: str, paths: list[str], clients: int) -> tuple[float, float, int]:
    """The same mix through the API from wrk, a load generator in C that costs the two cores
    far less than a Python client. It sends `paths` once, in order, as the other runs send
    their queries, then stops. Returns the p95, the throughput and the requests answered."""
    if not shutil.which("wrk"):
        print("  (wrk not installed: apt-get install -y wrk)")
        return float("nan"), float("nan"), 0
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % (", ".join(f'"{p}"' for p in paths), len(paths), token))
        script.flush()
        wrk = subprocess.Popen(
            ["wrk", "-t1", f"-c{clients}", "-d600s", "-s", script.name, f"http://127.0.0.1:{port}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert wrk.stdout is not None
        for line in wrk.stdout:
            if line.startswith("ANSWERED"):  # wrk waits out its -d unless interrupted
                wrk.send_signal(signal.SIGINT)
                break
        out = wrk.communicate(timeout=60)[0]
        if wrk.returncode:  # as check=True did before wrk was interrupted
            raise subprocess.CalledProcessError(wrk.returncode, wrk.args, out)
    p50, p95, p99, answered, failed, seconds = out.split("RESULT ")[1].split()
    qps = int(answered) / float(seconds)
    print(
        f"  {'GET /api/v1/search (wrk)':32} p50 {float(p50):7.1f} ms  p95 {float(p95):7.1f} ms  "
        f"p99 {float(p99):7.1f} ms  {qps:7.0f} queries/s"
        + (f"  ({failed} non-2xx)" if int(failed) else "")
    )
    return float(p95), qps, int(answered)


def as_query(service: SearchService, params: Params) -> SearchQuery:
    filters = {
        FacetField(k): [v] if isinstance(v, str) else v
        for k, v in params.items()
        if k not in ("q", "facets")
    }
    facets = [FacetField(f) for f in params.get("facets", [])]
    return service.query(
        str(params.get("q", "")),
        filters=filters,
        facets=facets,
        sort=Sort.RELEVANCE,
        page=1,
        per_page=20,
    )


async def own_cpu_ms(mix: list[Params], search: Callable[[Params], Awaitable[None]]) -> float:
    """This process's CPU time per search, in ms, over the mix one search at a time."""
    started = time.process_time()
    for params in mix:
        await search(params)
    return (time.process_time() - started) * 1000 / len(mix)


class Replay(httpx.AsyncBaseTransport):
    """Answers a search with the fake engine's recorded answer to the same body, and any
    other request as the fake does: the engine's cost is left out of the measure."""

    def __init__(self, fake: FakeMeili) -> None:
        self._fake = fake
        self._answers: dict[bytes, bytes] = {}
        self.missed = 0  # searches not recorded (answered by the fake: slower)

    def record(self, body: bytes, answer: bytes) -> None:
        self._answers[body] = answer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        if request.url.path.endswith("/search") and body in self._answers:
            headers = {"content-type": "application/json"}
            return httpx.Response(200, content=self._answers[body], headers=headers)
        self.missed += request.url.path.endswith("/search")
        return self._fake(request)


async def meili_figures(
    pool: asyncpg.Pool, vocab: VocabularyIndex, service: SearchService, clients: int
) -> None:
    mix = query_mix()
    fake = FakeMeili()
    replay = Replay(fake)
    backend = MeiliBackend.from_url("http://meili.bench", "key", transport=replay)
    await backend.prepare()
    started = time.perf_counter()
    indexed = await outbox.rebuild(pool, backend, vocab)
    print(f"  fake engine: {indexed:,} documents in {time.perf_counter() - started:.1f} s")
    meili_service = SearchService(backend, vocab, pool)
    recorder = httpx.MockTransport(fake)

    async def record(request: httpx.Request) -> httpx.Response:
        answer = await recorder.handle_async_request(request)
        replay.record(request.content, answer.content)
        return answer

    probe = MeiliBackend.from_url("http://meili.bench", "key", transport=Callback(record))
    probe._prepared = True
    for params in {repr(p): p for p in mix}.values():  # the fake's answer to each body sent
        await probe.search(as_query(meili_service, params))
    await probe.aclose()

    async def through_meili(params: Params) -> None:
        await backend.search(as_query(meili_service, params))

    postgres = PostgresBackend(pool)

    async def through_postgres(params: Params) -> None:
        await postgres.search(as_query(service, params))

    for warm in (through_meili, through_postgres):
        await own_cpu_ms(mix[:40], warm)
    meili_ms = await own_cpu_ms(mix, through_meili)
    postgres_ms = await own_cpu_ms(mix, through_postgres)
    print(
        f"  our CPU per search: Meilisearch backend {meili_ms:.2f} ms, "
        f"PostgreSQL backend {postgres_ms:.2f} ms   (target: Meilisearch < 1 ms)"
    )
    if replay.missed:
        print(f"  ({replay.missed} searches were not replayed: the figure includes the fake)")
    await backend.aclose()
    if url := os.environ.get("MEILI_URL"):
        real = MeiliBackend.from_url(url, os.environ.get("MEILI_MASTER_KEY"), index="bench")
        started = time.perf_counter()
        indexed = await outbox.rebuild(pool, real, vocab)
        seconds = time.perf_counter() - started
        print(f"  Meilisearch at {url}: {indexed:,} documents in {seconds:.1f} s")
        real_service = SearchService(real, vocab, pool)

        async def through_real(params: Params) -> None:
            await real.search(as_query(real_service, params))

        for n in sorted({1, clients}):
            report(f"Meilisearch, {n} client(s)", *await run_concurrently(mix, n, through_real))
        await real.aclose()


class Callback(httpx.AsyncBaseTransport):
    def __init__(self, answer: Callable[[httpx.Request], Awaitable[httpx.Response]]) -> None:
        self._answer = answer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return await self._answer(request)


Figures = dict[str, float]


async def main(
    count: int, clients: int, backends: list[str], where: Path | None, workers: int = 1
) -> None:
    with tempfile.TemporaryDirectory(dir=where) as tmp, stopping_embedded(Path(tmp)):
        data_dir = Path(tmp)
        admin = start_embedded(Settings(data_dir=data_dir))
        url = with_database(admin, "postgres")
        conn = await connect(url)
        await prepare_database(conn)
        vocab = await VocabularyIndex.load(conn)
        concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
        print(
            f"{count:,} generated offerings, backends {', '.join(backends)}, {clients} clients, "
            f"serve --workers {workers}"
        )
        started = time.perf_counter()
        items = ((i.publisher, i.draft) for i in generate(count, concepts))
        await bulk_load(conn, vocab, items, connector="bench")
        await conn.execute("TRUNCATE search_outbox")
        print(f"  generated and stored in {time.perf_counter() - started:.1f} s")
        await conn.execute("VACUUM ANALYZE resources, offers, publishers")
        summary: dict[str, Figures] = {}
        async with await create_pool(url, max_size=clients + 2) as pool:
            chosen: dict[str, SearchBackend] = {}
            if {"postgresql", "meili-fake"} & set(backends):
                chosen["postgresql"] = PostgresBackend(pool)
            if "tantivy" in backends:
                chosen["tantivy"] = TantivyBackend(
                    Settings(data_dir=data_dir).search_index_dir, pool
                )
            read_rate = await read_side(pool, vocab)
            for name, backend in chosen.items():
                await backend.prepare()
                started = time.perf_counter()
                indexed = await outbox.rebuild(pool, backend, vocab)
                rate = indexed / (time.perf_counter() - started)
                print(f"  {name} index rebuild: {indexed:,} documents, {rate:,.0f} documents/s")
                summary[name] = {"read side alone documents/s": read_rate}
                summary[name]["rebuild documents/s"] = rate
            await conn.execute("VACUUM ANALYZE search_documents")
            await conn.execute("VACUUM ANALYZE search_words")
            person = await conn.fetchval(
                "INSERT INTO people (issuer, subject, roles) VALUES ('urn:bench', 'b', "
                "'{teacher}') RETURNING id"
            )
            port = free_port()  # one port for every server in turn: the token's issuer
            for name, backend in chosen.items():
                if name not in backends:
                    continue
                # A token of its own (an hour long): runs at 1,000,000 take longer than that.
                token = await issue_access_token(conn, Settings(port=port), subject=str(person))
                service = SearchService(backend, vocab, pool)
                print(f"{name}:")
                if isinstance(backend, TantivyBackend):
                    summary[name].update(await thread_figures(backend, service, clients))
                summary[name].update(
                    await api_and_bare(
                        url, data_dir, name, token, service, backend, clients, port, workers
                    )
                )
            side_by_side(summary)
            if "meili-fake" in backends:  # last: the fake engine takes minutes past 10,000
                print("meili-fake:")
                await meili_figures(
                    pool, vocab, SearchService(chosen["postgresql"], vocab, pool), clients
                )
            for backend in chosen.values():
                await backend.aclose()
        await conn.close()


async def read_side(pool: asyncpg.Pool, vocab: VocabularyIndex) -> float:
    """The rebuild's raw baseline: the documents read from PostgreSQL and projected as a
    rebuild reads them (`outbox.rebuild`'s reader), handed to no index; documents/s."""
    started, read = time.perf_counter(), 0
    async for page in outbox._all_documents(pool, vocab, 2000, no_progress):
        read += len(page)
    rate = read / (time.perf_counter() - started)
    print(f"  read side alone (PostgreSQL to documents, no index): {rate:,.0f} documents/s")
    return rate


def side_by_side(summary: dict[str, Figures]) -> None:
    if not summary:
        return
    names = list(summary)
    rows = list(dict.fromkeys(row for figures in summary.values() for row in figures))
    print()
    print(f"{'':44}" + "".join(f"{name:>14}" for name in names))
    for row in rows:
        cells = "".join(
            f"{summary[name][row]:>14,.1f}" if row in summary[name] else f"{'-':>14}"
            for name in names
        )
        print(f"{row:44}{cells}")
    print(
        "targets at 100,000: API p95 1 client <= 10 ms; 16 clients >= 400 queries/s and "
        "p95 <= 60 ms; API p95 / backend p95 <= 1.2"
    )


def python_progress(work: Callable[[], object]) -> float:
    """How fast a pure Python loop in this thread runs while ``work`` runs in another, as a
    share of its speed alone: near 1 when ``work`` releases the GIL, near 0 when it holds it."""
    done = threading.Event()

    def run() -> None:
        work()
        done.set()

    worker = threading.Thread(target=run)
    started, ticks = time.perf_counter(), 0
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    worker.join()
    spent, alone, free = time.perf_counter() - started, time.perf_counter(), 0
    while time.perf_counter() - alone < spent:
        free += 1
        time.sleep(0)
    return ticks / max(free, 1)


async def thread_figures(backend: TantivyBackend, service: SearchService, clients: int) -> Figures:
    """Whether the binding releases the GIL inside Tantivy (the mix's searches and facet
    aggregations, run in a thread while this one counts), and the event loop's longest stall
    while `clients` searches run through the backend (its search thread)."""
    queries = [as_query(service, params) for params in query_mix()]
    searcher = backend.searcher()
    compiled = [
        (
            query,
            tantivy_search.compose(
                query, tantivy_search.analysed_groups(query.groups), backend.lexicon
            ),
        )
        for query in queries
    ]

    def engine_only() -> None:
        for query, tantivy_query in compiled:
            searcher.search(tantivy_query, 20, count=True)
            tantivy_search.facet_counts(searcher, tantivy_query, query.facets)

    progress = python_progress(engine_only)
    stalls: list[float] = []

    async def heartbeat() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls.append((time.perf_counter() - before - 0.001) * 1000)

    beating = asyncio.create_task(heartbeat())
    waiting = list(queries)

    async def client() -> None:
        while waiting:
            await backend.search(waiting.pop())

    await asyncio.gather(*(client() for _ in range(clients)))
    beating.cancel()
    stall = max(stalls, default=0.0)
    print(
        f"  GIL: a Python loop runs at {progress:.0%} of its speed while Tantivy searches and "
        f"aggregates in another thread (0% if the binding held the GIL); the event loop's "
        f"longest stall with {clients} searches running: {stall:.1f} ms"
    )
    return {"Python speed during Tantivy calls %": progress * 100, "event loop stall max ms": stall}


def memory_mb(pid: int) -> dict[str, float]:
    """A process's resident memory (VmRSS), split into its own (RssAnon: heap, caches) and
    the pages of files it maps (RssFile: the Tantivy index, shared with the page cache)."""
    wanted = {"VmRSS": "resident", "RssAnon": "own", "RssFile": "mapped files"}
    found = {name: float("nan") for name in wanted.values()}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in wanted:
            found[wanted[key]] = int(value.split()[0]) / 1024
    return found


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user and system) of a process and its children (server workers)."""
    total = 0.0
    for each in [pid, *child_pids(pid)]:
        fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def child_pids(pid: int) -> list[int]:
    """A process's children (uvicorn's worker processes under `serve --workers N`)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


async def api_and_bare(
    url: str,
    data_dir: Path,
    name: str,
    token: str,
    service: SearchService,
    backend: SearchBackend,
    clients: int,
    port: int,
    workers: int = 1,
) -> Figures:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CATALOGUE_", "DATABASE"))},
        "DATABASE_URL": url,
        "CATALOGUE_DATA_DIR": str(data_dir),
        "CATALOGUE_SEARCH_BACKEND": name,
        "CATALOGUE_PORT": str(port),
        "CATALOGUE_LOG_LEVEL": "warning",
        "CATALOGUE_EMBEDDED_WORKER": "false",
        "CATALOGUE_DB_POOL_SIZE": str(clients + 2),
        # One bench token plays every client: the per-caller limits would refuse it (429).
        "CATALOGUE_CALLER_CONCURRENCY": str(clients * 2),
        "CATALOGUE_CALLER_RATE": "1000000",
        "CATALOGUE_CALLER_BURST": "1000000",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "catalogue",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    mix = query_mix() * ROUNDS
    figures: Figures = {}
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {token}"},
            limits=httpx.Limits(max_connections=clients),
            timeout=60,
        ) as http:
            await wait_ready_async(http, timeout_s=60)

            async def through_api(params: Params) -> None:
                response = await http.get("/api/v1/search", params=params)
                response.raise_for_status()

            async def bare(params: Params) -> None:
                # The same backend calls as the API's (dropped words, facets), no HTTP.
                await backend.search(as_query(service, params))

            for warm in (through_api, bare):
                await run_concurrently(query_mix()[:40], clients, warm)
            paths = [http.build_request("GET", "/api/v1/search", params=p).url for p in mix]
            for n in sorted({1, clients}):
                print(f"  {n} concurrent client(s):")
                api, _ = report("GET /api/v1/search", *await run_concurrently(mix, n, through_api))
                cpu_before = server_cpu_s(server.pid)
                light, light_qps, answered = wrk_report(
                    port, token, [u.raw_path.decode() for u in paths], n
                )
                cpu_ms = (server_cpu_s(server.pid) - cpu_before) * 1000 / max(answered, 1)
                print(f"  server CPU per request under wrk: {cpu_ms:.2f} ms (all its processes)")
                alone, alone_qps = report(
                    "the backend alone", *await run_concurrently(mix, n, bare)
                )
                print(
                    f"  p95 API / backend alone: {api / alone:.2f} (httpx), "
                    f"{light / alone:.2f} (wrk)"
                )
                figures |= {
                    f"{n} client(s): API p95 ms (httpx)": api,
                    f"{n} client(s): API p95 ms (wrk)": light,
                    f"{n} client(s): API queries/s (wrk)": light_qps,
                    f"{n} client(s): backend alone p95 ms": alone,
                    f"{n} client(s): backend alone queries/s": alone_qps,
                    f"{n} client(s): p95 API (wrk) / alone": light / alone,
                    f"{n} client(s): server CPU ms per request (wrk)": cpu_ms,
                }
        # With --workers N, the figures of the server's biggest process (a worker).
        memory = max(
            (memory_mb(pid) for pid in [server.pid, *child_pids(server.pid)]),
            key=lambda found: found["resident"],
        )
        figures |= {
            "serving process RSS MB": memory["resident"],
            "serving process own (anonymous) MB": memory["own"],
        }
        print(
            f"  serving process after the runs: {memory['resident']:.0f} MB resident, "
            f"{memory['own']:.0f} MB its own, {memory['mapped files']:.0f} MB of mapped files"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return figures


BACKENDS = ("postgresql", "tantivy", "meili-fake")
MEILI_FAKE_UP_TO = 20_000

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--backend",
        action="append",
        choices=[*BACKENDS, "postgres", "meili"],
        help="repeat for several (default: all three, in one run)",
    )
    parser.add_argument(
        "--tmp",
        type=Path,
        help="where the run's database and index go (a temporary directory inside it, removed "
        "at the end; about 0.8 GB at 100,000 offerings, 9 at 1,000,000); default: the system's",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="serving processes (`catalogue serve --workers N`); default 1",
    )
    args = parser.parse_args()
    aliases = {"postgres": "postgresql", "meili": "meili-fake"}
    chosen = [aliases.get(b, b) for b in args.backend or BACKENDS]
    if not args.backend and args.count > MEILI_FAKE_UP_TO:
        # The fake engine searches in Python: hours at 1,000,000. Asked for by name, it runs.
        print(f"(meili-fake left out above {MEILI_FAKE_UP_TO:,} offerings: ask for it by name)")
        chosen.remove("meili-fake")
    asyncio.run(main(args.count, args.clients, list(dict.fromkeys(chosen)), args.tmp, args.workers))
