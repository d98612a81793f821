"""Server time of the search page with its facets, next to the JSON search endpoint.

    python bench/pages.py --count 100000

Generates COUNT offerings into a fresh embedded PostgreSQL, rebuilds the PostgreSQL index,
builds the app in this process and signs in as the demo teacher (a browser session). Then,
for a fixed mix of queries, asks the app (through ASGI, no network: server time) for
`GET /recherche` (the HTML page: nine facets with their counts, twenty results) and for
`GET /api/v1/search` with the same query and the same nine facets, one request at a time.
Prints p50/p95/p99 and the ratio of the p95s, then the bytes of each answer as sent
(gzipped) and uncompressed; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx

import repo_root  # noqa: F401  # before tests.support
from catalogue.app import create_asgi_app
from catalogue.bootstrap import prepare_database
from catalogue.config import Settings
from catalogue.database import connect, create_pool, start_embedded, with_database
from catalogue.demo.generator import generate
from catalogue.demo.identities import seed_identities
from catalogue.resources.bulk import bulk_load
from catalogue.search import outbox
from catalogue.search.models import FacetField
from catalogue.search.pg import PostgresBackend
from catalogue.shipped import schemas_dir
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from tests.support.asgi import asgi_transport
from tests.support.postgres import stopping_embedded

C = "http://data.education.fr/voc/scolomfr/concept/"
CYCLE_3 = f"{C}scolomfr-voc-022-num-620"
COLLEGE = f"{C}scolomfr-voc-022-num-016"
ALL_FACETS = [f.value for f in FacetField]
Params = list[tuple[str, str]]
QUERIES: list[Params] = [
    [("q", "mathématiques"), ("level", CYCLE_3)],
    [("q", "histoire"), ("level", COLLEGE)],
    [("q", "anglais"), ("free", "true")],
    [("q", "geometrei")],
    [("q", "svt 5e")],
    [("q", "fractions")],
    [],  # no text: the whole catalogue with its facets
]
ROUNDS = 30


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[94], cuts[98]


async def timed(http: httpx.AsyncClient, path: str, params: Params) -> float:
    started = time.perf_counter()
    response = await http.get(path, params=tuple(params))
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


async def sign_in(http: httpx.AsyncClient) -> None:
    page = await http.get("/auth/demo")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    signed = await http.post(
        "/auth/demo", data={"role": "teacher", "next": "/", "_csrf_token": token.group(1)}
    )
    assert signed.status_code == 303, signed.text


async def measure(http: httpx.AsyncClient) -> None:
    await sign_in(http)
    json_facets = [("facets", f) for f in ALL_FACETS]
    for params in QUERIES:  # warm both paths
        await timed(http, "/recherche", params)
        await timed(http, "/api/v1/search", params + json_facets)
    page_ms: list[float] = []
    json_ms: list[float] = []
    for _ in range(ROUNDS):
        for params in QUERIES:
            page_ms.append(await timed(http, "/recherche", params))
            json_ms.append(await timed(http, "/api/v1/search", params + json_facets))
    print(f"  {len(page_ms)} requests each, one at a time, {len(QUERIES)} queries, 9 facets")
    rows = (("GET /recherche (HTML page)", page_ms), ("GET /api/v1/search (JSON)", json_ms))
    p95s = []
    for label, samples in rows:
        p50, p95, p99 = percentiles(samples)
        p95s.append(p95)
        print(f"  {label:30} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms")
    print(f"  p95 page / JSON: {p95s[0] / p95s[1]:.2f}")
    await sizes(http, json_facets)


async def sizes(http: httpx.AsyncClient, json_facets: Params) -> None:
    """Bytes of each answer as sent (gzip above 1 KB) and before compression, per query; the
    page's stylesheet and fonts come once per browser (tests/browser/test_ecodesign.py)."""
    print("  bytes per answer, as sent gzipped / uncompressed (median of the queries):")
    for label, path, extra in (
        ("GET /recherche (HTML page)", "/recherche", []),
        ("GET /api/v1/search (JSON)", "/api/v1/search", json_facets),
    ):
        sent, whole = [], []
        for params in QUERIES:
            response = await http.get(path, params=tuple(params + extra))
            response.raise_for_status()
            sent.append(int(response.headers.get("content-length", len(response.content))))
            whole.append(len(response.content))
        print(
            f"  {label:30} {statistics.median(sent) / 1024:7.1f} KB sent"
            f"  {statistics.median(whole) / 1024:7.1f} KB uncompressed"
        )


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, stopping_embedded(Path(tmp)):
        admin = start_embedded(Settings(data_dir=Path(tmp)))
        url = with_database(admin, "postgres")
        conn = await connect(url)
        await prepare_database(conn)
        vocab = await VocabularyIndex.load(conn)
        concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
        print(f"{count:,} generated offerings, PostgreSQL backend")
        started = time.perf_counter()
        items = ((i.publisher, i.draft) for i in generate(count, concepts))
        await bulk_load(conn, vocab, items, connector="bench")
        await conn.execute("TRUNCATE search_outbox")
        async with await create_pool(url, max_size=4) as pool:
            await outbox.rebuild(pool, PostgresBackend(pool), vocab)
        await seed_identities(conn)  # the demo teacher, to sign in as
        await conn.execute("VACUUM ANALYZE")
        await conn.close()
        print(f"  generated, stored and indexed in {time.perf_counter() - started:.1f} s")
        # The app in this process (ASGI, no network): the time measured is the server's.
        settings = Settings(
            database_url=url,
            data_dir=Path(tmp),
            demo=True,
            embedded_worker=False,
            log_level="warning",
        )
        app = create_asgi_app(settings)
        async with app.app.lifespan():
            transport = asgi_transport(app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1", timeout=120
            ) as http:
                await measure(http)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.count))
