"""Where a `GET /api/v1/search` request's time goes in the server, on the Tantivy backend.

    python bench/search_profile.py --data-dir /var/tmp/search-100k --count 100000
    python bench/search_profile.py --data-dir /var/tmp/search-100k --anonymous --profile out.prof

The first run generates COUNT offerings into an embedded PostgreSQL in DATA_DIR and builds
the Tantivy index there; later runs on the same directory reuse them. The app then runs in
this process, called as ASGI directly (no HTTP server, no client library: a scope, an empty
body and a sink for the answer), one request at a time, the query mix of bench/search.py
round and round. Prints the server's CPU per request (all threads: the event loop and the
search thread) and the event loop thread's own, and with ``--profile`` writes a cProfile of
the event loop's thread (the search thread's Tantivy work is not in it) and prints its top
functions by cumulative and by own time. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import repo_root  # noqa: F401  # before tests.support
from catalogue.app import create_asgi_app
from catalogue.bootstrap import prepare_database
from catalogue.config import Settings
from catalogue.database import connect, create_pool, start_embedded, with_database
from catalogue.demo.generator import generate
from catalogue.identity.tokens import issue_access_token
from catalogue.middleware import RequestContext
from catalogue.resources.bulk import bulk_load
from catalogue.search import outbox, tantivy_search
from catalogue.search.models import FacetField, Sort
from catalogue.search.tantivy_index import TantivyBackend
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from search import query_mix as search_mix

READY = "bench-ready"


def query_mix() -> list[list[tuple[str, str]]]:
    """bench/search.py's mix, each query once, as query strings' pairs."""
    mix: list[list[tuple[str, str]]] = []
    for params in search_mix():
        pairs = [
            (name, one)
            for name, value in params.items()
            for one in (value if isinstance(value, list) else [value])
        ]
        if pairs not in mix:
            mix.append(pairs)
    return mix


async def prepare(data_dir: Path, count: int) -> str:
    """The database URL, the offerings and the index made at the first run."""
    admin = start_embedded(Settings(data_dir=data_dir))
    url = with_database(admin, "postgres")
    if (data_dir / READY).exists():
        return url
    conn = await connect(url)
    try:
        await prepare_database(conn)
        vocab = await VocabularyIndex.load(conn)
        concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
        started = time.perf_counter()
        items = ((i.publisher, i.draft) for i in generate(count, concepts))
        await bulk_load(conn, vocab, items, connector="bench")
        await conn.execute("TRUNCATE search_outbox")
        print(f"{count:,} offerings generated in {time.perf_counter() - started:.0f} s")
        async with await create_pool(url, max_size=4) as pool:
            backend = TantivyBackend(Settings(data_dir=data_dir).search_index_dir, pool)
            await backend.prepare()
            indexed = await outbox.rebuild(pool, backend, vocab)
            await backend.aclose()
        print(f"{indexed:,} documents indexed")
        await conn.execute(
            "INSERT INTO people (issuer, subject, roles) VALUES ('urn:bench', 'b', '{teacher}')"
        )
    finally:
        await conn.close()
    (data_dir / READY).touch()
    return url


def scope_of(path: str, query: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
        "extensions": {},
    }


async def call(app: RequestContext, scope: dict[str, Any]) -> tuple[int, bytes]:
    """One request through the ASGI app; its status and body."""
    answer: list[Any] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        answer.append(message)

    await app(dict(scope), receive, send)  # type: ignore[arg-type]
    status = next(m["status"] for m in answer if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in answer if m["type"] == "http.response.body")
    return status, body


async def run(args: argparse.Namespace) -> None:
    data_dir: Path = args.data_dir
    url = await prepare(data_dir, args.count)
    settings = Settings(
        database_url=url,
        data_dir=data_dir,
        search_backend="tantivy",
        embedded_worker=False,
        log_level="warning",
        secret_key="b" * 40,
        caller_concurrency=1000,
        caller_rate=1_000_000,
        caller_burst=1_000_000,
        anonymous_rate=1_000_000,
        anonymous_burst=1_000_000,
    )
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"*/*")]
    if not args.anonymous:
        conn = await connect(url)
        person = await conn.fetchval("SELECT id FROM people WHERE issuer = 'urn:bench'")
        token = await issue_access_token(conn, settings, subject=str(person))
        await conn.close()
        headers.append((b"authorization", f"Bearer {token}".encode()))
    if args.gzip:
        headers.append((b"accept-encoding", b"gzip"))
    app = create_asgi_app(settings)
    scopes = [scope_of("/api/v1/search", urlencode(params), headers) for params in query_mix()] * (
        1 + args.requests // len(query_mix())
    )
    scopes = scopes[: args.requests]
    async with app.app.lifespan():
        if args.engine:
            engine_profile(app, scopes, args.profile)
            return
        for scope in scopes[:40]:  # warm: caches, the index's pages
            status, _ = await call(app, scope)
            assert status == 200, status
        # On the thread's CPU clock: time spent waiting (for the search thread, for a core
        # on a busy machine) is left out.
        profiler = cProfile.Profile(time.thread_time) if args.profile else None
        cpu, loop_cpu, wall = time.process_time(), time.thread_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for scope in scopes:
            await call(app, scope)
        if profiler:
            profiler.disable()
        n = len(scopes)
        cpu = (time.process_time() - cpu) * 1000 / n
        loop_cpu = (time.thread_time() - loop_cpu) * 1000 / n
        wall = (time.perf_counter() - wall) * 1000 / n
    who = "anonymous" if args.anonymous else "bearer token"
    print(
        f"{n} requests ({who}{', gzip' if args.gzip else ''}): {wall:.2f} ms each, "
        f"server CPU {cpu:.2f} ms (event loop thread {loop_cpu:.2f} ms, "
        f"search thread about {cpu - loop_cpu:.2f} ms)"
        + ("  (profiled: slower)" if profiler else "")
    )
    if profiler:
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(str(args.profile))
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)


def engine_profile(app: RequestContext, scopes: list[dict[str, Any]], out: Path | None) -> None:
    """What the search thread does (`tantivy_search.match`, the query composed, searched and
    its facets counted), run here one query after another, and the hits read after it."""
    service = app.app.state.search
    backend = service.backend
    assert isinstance(backend, TantivyBackend)
    searcher = backend.searcher()
    queries = []
    for scope in scopes:
        pairs = parse_qsl(scope["query_string"].decode())
        filters: dict[FacetField, list[str]] = {}
        for key, value in pairs:
            if key not in ("q", "facets"):
                filters.setdefault(FacetField(key), []).append(value)
        facets = [FacetField(v) for k, v in pairs if k == "facets"]
        text = next((v for k, v in pairs if k == "q"), None)
        queries.append(
            service.query(
                text, filters=filters, facets=facets, sort=Sort.RELEVANCE, page=1, per_page=20
            )
        )
    for query in queries[:40]:
        tantivy_search.match(searcher, query, backend.lexicon)
    profiler = cProfile.Profile(time.thread_time) if out else None
    matching = reading = 0.0
    for query in queries:
        if profiler:
            profiler.enable()
        started = time.thread_time()
        found = tantivy_search.match(searcher, query, backend.lexicon)
        between = time.thread_time()
        tantivy_search.hits(searcher, found)
        reading += time.thread_time() - between
        matching += between - started
        if profiler:
            profiler.disable()
    n = len(queries)
    print(
        f"{n} queries: match (the search thread's work) {matching * 1000 / n:.2f} ms of CPU each, "
        f"hits and snippets {reading * 1000 / n:.2f} ms"
    )
    if profiler and out:
        profiler.dump_stats(out)
        stats = pstats.Stats(str(out))
        stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--anonymous", action="store_true", help="no bearer token")
    parser.add_argument("--gzip", action="store_true", help="ask for a gzipped answer")
    parser.add_argument("--profile", type=Path, help="write the event loop's cProfile here")
    parser.add_argument(
        "--engine", action="store_true", help="the search thread's work instead, in this thread"
    )
    asyncio.run(run(parser.parse_args()))
