"""Communs figures: file throughput through the storage interface next to a plain copy, and
search latency with communs added next to before.

    python bench/communs.py [--mb 16] [--offers 5000] [--communs 5000]
    python bench/communs.py --mb 256 --offers 100000 --communs 100000   # the issue's sizes
    python bench/communs.py --offers 100000 --communs 100000 --backend tantivy

1. Files: a file of MB random bytes (a PDF header first) is
   - local: uploaded through `ObjectStorage.put` over the data directory (the way the API
     does: chunks of 64 KiB through `communs.files.Upload`, which counts, hashes and types
     them), next to `shutil.copyfile` of the same file on the same disk; read back through
     `ObjectStorage.read` next to a plain read of the file;
   - S3: the same against moto's S3 server started here on 127.0.0.1, next to one plain PUT
     and one plain GET of the same bytes to the same endpoint with boto3.
2. Search: OFFERS generated offerings in a fresh embedded PostgreSQL, indexed; the query mix
   of bench/search.py runs through `SearchService` (the BACKEND, PostgreSQL full text unless
   `--backend tantivy`, one client); then
   COMMUNS communs are added (resources of the publisher "Communs numériques", connector
   `commun`, without offers, indexed through the outbox as the worker does) and the same mix
   runs again, and once more filtered on `commun=true`.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import boto3  # type: ignore[import-untyped]  # moto's dependency, the plain S3 client
import msgspec
from moto.server import ThreadedMotoServer

import repo_root  # noqa: F401  # before tests.support
from catalogue.bootstrap import prepare_database
from catalogue.communs.files import Upload
from catalogue.communs.repository import COMMUN_CONNECTOR
from catalogue.config import S3Settings, Settings
from catalogue.database import connect, create_pool, start_embedded, with_database
from catalogue.demo.generator import generate
from catalogue.resources.bulk import bulk_load
from catalogue.search import outbox
from catalogue.search.models import SearchBackend
from catalogue.search.pg import PostgresBackend
from catalogue.search.service import SearchService
from catalogue.search.tantivy_index import TantivyBackend
from catalogue.shipped import schemas_dir
from catalogue.storage import ObjectStorage, local_storage, s3_storage
from catalogue.vocabularies.index import VocabularyIndex
from catalogue.vocabularies.skos import load_folder
from search import Params, as_query, percentiles, query_mix
from tests.support.demo_server import free_port
from tests.support.postgres import stopping_embedded

CHUNK = 64 * 1024
COMMUNS_PUBLISHER_NAME = "Communs numériques"


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


async def timed(step: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await step()
    return time.perf_counter() - started


async def through_storage(storage: ObjectStorage, source: Path, size: int) -> tuple[float, float]:
    key = f"bench/{os.urandom(6).hex()}"

    async def upload() -> None:
        counted = Upload("bench.pdf", file_chunks(source), max_file=size, room=size)
        await storage.put(key, counted.stream())

    async def download() -> None:
        async for _ in storage.read(key, 0, size):
            pass

    up = await timed(upload)
    down = await timed(download)
    await storage.delete(key)
    return up, down


def line(label: str, seconds: float, size: int) -> str:
    return f"  {label:<44} {seconds:7.3f} s  {size / seconds / 1e6:8.1f} MB/s"


async def files_figures(mb: int, folder: Path) -> None:
    size = mb * 1024 * 1024
    source = folder / "source.pdf"
    with source.open("wb") as out:
        out.write(b"%PDF-1.7\n")
        remaining = size - 9
        while remaining:
            block = os.urandom(min(remaining, 1024 * 1024))
            out.write(block)
            remaining -= len(block)
    print(f"Files: {mb} MiB")
    started = time.perf_counter()
    shutil.copyfile(source, folder / "copy.pdf")
    plain_copy = time.perf_counter() - started
    started = time.perf_counter()
    with (folder / "copy.pdf").open("rb") as back:
        while back.read(CHUNK):
            pass
    plain_read = time.perf_counter() - started
    up, down = await through_storage(local_storage(folder / "files"), source, size)
    print(line("local: plain copy (shutil.copyfile)", plain_copy, size))
    print(line("local: upload through the storage", up, size))
    print(line("local: plain read of the file", plain_read, size))
    print(line("local: download through the storage", down, size))

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="b",
            aws_secret_access_key="b",  # noqa: S106  # moto takes any
        )
        client.create_bucket(Bucket="bench")
        started = time.perf_counter()
        with source.open("rb") as body:
            client.put_object(Bucket="bench", Key="plain", Body=body)
        plain_put = time.perf_counter() - started
        started = time.perf_counter()
        answer = client.get_object(Bucket="bench", Key="plain")["Body"]
        while answer.read(CHUNK):
            pass
        plain_get = time.perf_counter() - started
        s3 = S3Settings(
            endpoint=endpoint,
            bucket="bench",
            access_key_id="b",
            secret_access_key="b",  # noqa: S106  # moto takes any
        )
        up, down = await through_storage(s3_storage(s3), source, size)
    finally:
        server.stop()
    print(line("S3 (moto): plain PUT (boto3 put_object)", plain_put, size))
    print(line("S3 (moto): upload through the storage", up, size))
    print(line("S3 (moto): plain GET (boto3 get_object)", plain_get, size))
    print(line("S3 (moto): download through the storage", down, size))


async def latencies(service: SearchService, mix: list[Params]) -> tuple[float, float, float]:
    samples = []
    for params in mix:
        query = as_query(service, params)
        started = time.perf_counter()
        await service.search(query)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def figures(label: str, cuts: tuple[float, float, float]) -> str:
    p50, p95, p99 = cuts
    return f"  {label:<44} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms"


async def search_figures(offers: int, communs: int, folder: Path, backend_name: str) -> None:
    settings = Settings(data_dir=folder)
    url = with_database(start_embedded(settings), "postgres")
    conn = await connect(url)
    await prepare_database(conn)
    vocab = await VocabularyIndex.load(conn)
    concepts, _ = load_folder(schemas_dir() / "vocabularies" / "scolomfr-3.2.0")
    generated = ((i.publisher, i.draft) for i in generate(offers, concepts))
    await bulk_load(conn, vocab, generated, connector="bench")
    await conn.execute("TRUNCATE search_outbox")
    mix = query_mix()
    print(f"Search: {offers:,} offerings, then {communs:,} communs added ({backend_name} backend)")
    async with await create_pool(url, max_size=4) as pool:
        backend: SearchBackend = (
            TantivyBackend(settings.search_index_dir, pool)
            if backend_name == "tantivy"
            else PostgresBackend(pool)
        )
        await backend.prepare()
        await outbox.rebuild(pool, backend, vocab)
        await conn.execute("VACUUM ANALYZE search_documents, search_words")
        service = SearchService(backend, vocab, pool)
        await latencies(service, mix)  # warm up
        before = await latencies(service, mix)
        teachers = (
            (
                COMMUNS_PUBLISHER_NAME,
                msgspec.structs.replace(i.draft, offers=[], identifiers=[], rights="CC BY 4.0"),
            )
            for i in generate(communs, concepts, seed=2027)
        )
        started = time.perf_counter()
        await bulk_load(conn, vocab, teachers, connector=COMMUN_CONNECTOR)
        while await outbox.drain(pool, backend, vocab):
            pass
        added = time.perf_counter() - started
        await conn.execute("VACUUM ANALYZE search_documents, search_words")
        after = await latencies(service, mix)
        only = await latencies(service, [{**p, "commun": "true"} for p in mix])
        await backend.aclose()
    await conn.close()
    print(figures(f"before ({offers:,} documents)", before))
    print(figures(f"after (+{communs:,} communs)", after))
    print(figures("after, filtered on commun=true", only))
    print(f"  communs stored and indexed through the outbox in {added:.1f} s")


async def main(mb: int, offers: int, communs: int, backend: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await files_figures(mb, Path(tmp))
    with tempfile.TemporaryDirectory() as tmp, stopping_embedded(Path(tmp)):
        await search_figures(offers, communs, Path(tmp), backend)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=16)
    parser.add_argument("--offers", type=int, default=5_000)
    parser.add_argument("--communs", type=int, default=5_000)
    parser.add_argument("--backend", choices=("postgresql", "tantivy"), default="postgresql")
    args = parser.parse_args()
    asyncio.run(main(args.mb, args.offers, args.communs, args.backend))
