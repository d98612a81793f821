"""Files of communs through the storage interface: the local directory and an S3-compatible
store (moto's server, started on 127.0.0.1 by these tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from catalogue.app import create_asgi_app
from catalogue.config import S3Settings, Settings
from catalogue.storage import PARALLEL_PARTS, PART_BYTES
from tests.integration.conftest import bearer, open_client
from tests.integration.test_communs import UAI, draft
from tests.support.demo_server import free_port
from tests.support.waiting import wait_until

BUCKET = "communs-test"
PDF = b"%PDF-1.7\n" + os.urandom(300_000)
MAX_FILE = 2 * 1024 * 1024
MAX_RESOURCE = 3 * 1024 * 1024


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server in a process of its own on 127.0.0.1 (so that this process's memory
    measures only our side)."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{endpoint}/moto-api/").status_code < 500
        except httpx.TransportError:
            return False

    try:
        wait_until(ready, "moto's S3 server to answer")
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _stored_keys(s3_endpoint: str, bucket: str) -> list[str]:
    listing = httpx.get(f"{s3_endpoint}/{bucket}?list-type=2").text
    return [part.split("</Key>")[0] for part in listing.split("<Key>")[1:]]


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, settings: Settings) -> dict[str, Any]:
    if request.param == "local":
        return {"name": "local", "settings": settings}
    endpoint: str = request.getfixturevalue("s3_endpoint")
    bucket = f"{BUCKET}-{os.urandom(4).hex()}"
    assert httpx.put(f"{endpoint}/{bucket}").status_code == 200
    s3 = S3Settings(
        endpoint=endpoint, bucket=bucket, access_key_id="test", secret_access_key="test"
    )
    return {
        "name": "s3",
        "settings": msgspec.structs.replace(settings, s3=s3),
        "endpoint": endpoint,
        "bucket": bucket,
    }


def stored(storage: dict[str, Any]) -> list[str]:
    """What the storage holds."""
    if storage["name"] == "s3":
        return _stored_keys(storage["endpoint"], storage["bucket"])
    folder: Path = storage["settings"].data_dir / "files"
    return [str(p) for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
async def files_client(storage: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    settings = msgspec.structs.replace(
        storage["settings"],
        commun_max_file_bytes=MAX_FILE,
        commun_max_resource_bytes=MAX_RESOURCE,
        max_body_bytes=1024 * 1024,
    )
    async for client in open_client(create_asgi_app(settings)):
        yield client


async def _teacher(conn: asyncpg.Connection, settings: Settings, subject: str) -> dict[str, str]:
    await conn.execute(
        "INSERT INTO establishments (uai, name, academie) VALUES ($1, 'Collège', 'paris') "
        "ON CONFLICT DO NOTHING",
        UAI,
    )
    person = await conn.fetchval(
        "INSERT INTO people (issuer, subject, roles, establishment_uai, academie) "
        "VALUES ('urn:test', $1, '{teacher}', $2, 'paris') RETURNING id",
        subject,
        UAI,
    )
    return await bearer(conn, settings, person)


async def chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _commun(client: httpx.AsyncClient, teacher: dict[str, str]) -> str:
    answer = await client.post("/api/v1/communs", json=draft(), headers=teacher)
    assert answer.status_code == 201, answer.text
    commun_id: str = answer.json()["id"]
    return commun_id


async def test_a_file_is_stored_typed_by_content_and_served_with_ranges_and_cache_headers(
    files_client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    storage: dict[str, Any],
) -> None:
    teacher = await _teacher(conn, settings, "f1")
    commun = await _commun(files_client, teacher)
    upload = await files_client.put(
        f"/api/v1/communs/{commun}/files/cours.bin", content=chunks(PDF), headers=teacher
    )
    assert upload.status_code == 201, upload.text
    stored_file = upload.json()
    assert stored_file["media_type"] == "application/pdf"
    assert stored_file["size"] == len(PDF)
    url = f"/api/v1/communs/{commun}/files/{stored_file['id']}"
    whole = await files_client.get(url, headers=teacher)
    assert whole.status_code == 200
    assert whole.content == PDF
    assert whole.headers["content-type"] == "application/pdf"
    assert whole.headers["accept-ranges"] == "bytes"
    assert "max-age" in whole.headers["cache-control"]
    assert whole.headers["content-disposition"].startswith("inline")
    assert "sandbox" in whole.headers["content-security-policy"]
    part = await files_client.get(url, headers={**teacher, "Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == PDF[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(PDF)}"
    tail = await files_client.get(url, headers={**teacher, "Range": "bytes=-10"})
    assert tail.status_code == 206
    assert tail.content == PDF[-10:]
    beyond = await files_client.get(url, headers={**teacher, "Range": f"bytes={len(PDF)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(PDF)}"
    again = await files_client.get(url, headers={**teacher, "If-None-Match": whole.headers["etag"]})
    assert again.status_code == 304
    listed = (await files_client.get(f"/api/v1/communs/{commun}", headers=teacher)).json()
    assert [f["name"] for f in listed["files"]] == ["cours.bin"]
    assert len(stored(storage)) == 1
    # Anonymous callers get nothing.
    assert (await files_client.get(url)).status_code == 401
    assert (
        await files_client.put(f"/api/v1/communs/{commun}/files/x.pdf", content=PDF)
    ).status_code == 401


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "text/html"),
        (
            "image.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "image/svg+xml",
        ),
    ],
)
async def test_html_and_svg_are_only_ever_downloaded(
    files_client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    name: str,
    content: bytes,
    media_type: str,
) -> None:
    teacher = await _teacher(conn, settings, "f2")
    commun = await _commun(files_client, teacher)
    upload = await files_client.put(
        f"/api/v1/communs/{commun}/files/{name}", content=content, headers=teacher
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["media_type"] == media_type
    served = await files_client.get(
        f"/api/v1/communs/{commun}/files/{upload.json()['id']}", headers=teacher
    )
    assert served.headers["content-disposition"].startswith("attachment")
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert served.headers["x-content-type-options"] == "nosniff"


async def test_too_large_empty_or_forbidden_files_are_refused_by_name_and_not_kept(
    files_client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    storage: dict[str, Any],
) -> None:
    teacher = await _teacher(conn, settings, "f3")
    commun = await _commun(files_client, teacher)
    base = f"/api/v1/communs/{commun}/files"
    cases = {
        "vide.pdf": b"",
        "programme.pdf": b"\x7fELF\x02\x01\x01" + bytes(2000),
        "enorme.pdf": b"%PDF-1.7\n" + bytes(MAX_FILE),
    }
    for name, content in cases.items():
        answer = await files_client.put(f"{base}/{name}", content=chunks(content), headers=teacher)
        assert answer.status_code == 422, (name, answer.text)
        assert name in answer.json()["detail"]
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert stored(storage) == []
    # The limit per resource: two files fit, the third does not.
    one = b"%PDF-1.7\n" + bytes(1_400_000)
    for name in ("a.pdf", "b.pdf"):
        answer = await files_client.put(f"{base}/{name}", content=chunks(one), headers=teacher)
        assert answer.status_code == 201, answer.text
    third = await files_client.put(f"{base}/c.pdf", content=chunks(one), headers=teacher)
    assert third.status_code == 422
    assert "c.pdf" in third.json()["detail"]
    assert len(stored(storage)) == 2
    bad_name = await files_client.put(f"{base}/%00x", content=b"%PDF-1", headers=teacher)
    assert bad_name.status_code in (404, 422)


async def test_only_the_author_uploads_and_a_pending_communs_files_stay_hidden(
    files_client: httpx.AsyncClient, conn: asyncpg.Connection, settings: Settings
) -> None:
    author = await _teacher(conn, settings, "f4")
    other = await _teacher(conn, settings, "f5")
    commun = await _commun(files_client, author)  # a first publication: pending
    refused = await files_client.put(
        f"/api/v1/communs/{commun}/files/x.pdf", content=PDF, headers=other
    )
    assert refused.status_code == 404
    upload = await files_client.put(
        f"/api/v1/communs/{commun}/files/x.pdf", content=PDF, headers=author
    )
    assert upload.status_code == 201
    url = f"/api/v1/communs/{commun}/files/{upload.json()['id']}"
    assert (await files_client.get(url, headers=other)).status_code == 404


async def test_an_upload_streams_and_is_never_held_whole_in_memory(
    storage: dict[str, Any], conn: asyncpg.Connection, settings: Settings
) -> None:
    """A file of 32 MiB, beyond the app's body limit of 1 MiB: the Python heap holds at most
    the parts in flight (PARALLEL_PARTS + 1 parts of PART_BYTES), never the file."""
    size = 32 * 1024 * 1024
    large = msgspec.structs.replace(
        storage["settings"],
        commun_max_file_bytes=size,
        commun_max_resource_bytes=size,
        max_body_bytes=1024 * 1024,
    )
    teacher = await _teacher(conn, settings, "f6")

    async def generated() -> AsyncIterator[bytes]:
        yield b"%PDF-1.7\n"
        for _ in range((size - 9) // (64 * 1024)):
            yield bytes(64 * 1024)
        yield bytes((size - 9) % (64 * 1024))

    async for client in open_client(create_asgi_app(large)):
        commun = await _commun(client, teacher)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            upload = await client.put(
                f"/api/v1/communs/{commun}/files/gros.pdf", content=generated(), headers=teacher
            )
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
        assert upload.status_code == 201, upload.text
        assert upload.json()["size"] == size
        assert peak < (PARALLEL_PARTS + 1) * PART_BYTES + 1024 * 1024, peak
        assert peak < size / 2, peak


async def test_each_version_keeps_its_files_and_earlier_ones_stay_readable(
    files_client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    settings: Settings,
    storage: dict[str, Any],
) -> None:
    teacher = await _teacher(conn, settings, "f7")
    other = await _teacher(conn, settings, "f8")
    commun = await _commun(files_client, teacher)
    base = f"/api/v1/communs/{commun}"
    first_pdf = b"%PDF-1.7\n premiere version"
    v1 = await files_client.put(f"{base}/files/cours.pdf", content=first_pdf, headers=teacher)
    assert v1.status_code == 201, v1.text
    edited = await files_client.put(base, json=draft(title="Deuxième version"), headers=teacher)
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    # The new version keeps the current files.
    assert [f["id"] for f in edited.json()["files"]] == [v1.json()["id"]]
    second_pdf = b"%PDF-1.7\n deuxieme version"
    v2 = await files_client.put(f"{base}/files/cours.pdf", content=second_pdf, headers=teacher)
    assert v2.status_code == 201, v2.text
    extra = await files_client.put(f"{base}/files/annexe.pdf", content=PDF, headers=teacher)
    assert extra.status_code == 201
    current = (await files_client.get(base, headers=teacher)).json()
    assert sorted(f["id"] for f in current["files"]) == sorted(
        [v2.json()["id"], extra.json()["id"]]
    )
    first = (await files_client.get(f"{base}/versions/1", headers=teacher)).json()
    assert [(f["id"], f["name"]) for f in first["files"]] == [(v1.json()["id"], "cours.pdf")]
    second = (await files_client.get(f"{base}/versions/2", headers=teacher)).json()
    assert {f["id"] for f in second["files"]} == {v2.json()["id"], extra.json()["id"]}
    old = await files_client.get(f"{base}/files/{v1.json()['id']}", headers=teacher)
    assert old.status_code == 200
    assert old.content == first_pdf
    new = await files_client.get(f"{base}/files/{v2.json()['id']}", headers=teacher)
    assert new.content == second_pdf
    # Uploaded again at the same version: replaced, the earlier version's file kept.
    again = await files_client.put(f"{base}/files/cours.pdf", content=second_pdf, headers=teacher)
    assert again.status_code == 201
    assert len(stored(storage)) == 3
    gone = await files_client.get(f"{base}/files/{v2.json()['id']}", headers=teacher)
    assert gone.status_code == 404
    assert (
        await files_client.get(f"{base}/files/{v1.json()['id']}", headers=teacher)
    ).status_code == 200
    # The commun is pending (a first publication): nobody else reads its versions or files.
    assert (await files_client.get(f"{base}/versions/1", headers=other)).status_code == 404
    assert (
        await files_client.get(f"{base}/files/{v1.json()['id']}", headers=other)
    ).status_code == 404
    assert (await files_client.get(f"{base}/versions/1")).status_code == 401
    assert (await files_client.get(f"{base}/files/{v1.json()['id']}")).status_code == 401
    # With files, a commun needs no link.
    linkless = await files_client.put(base, json=draft(link=None), headers=teacher)
    assert linkless.status_code == 200, linkless.text
    assert linkless.json()["link"] is None
