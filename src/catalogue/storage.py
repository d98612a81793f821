"""Where uploaded files live: one interface, two backends on one library (obstore).

``local`` writes under the data directory (the embedded default, nothing to set up); ``s3``
writes to an S3-compatible object store (``CATALOGUE_S3_*``). Uploads stream: the store
receives the caller's chunks as they come (multipart beyond one part), never a whole file
held in memory; downloads stream a byte range.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import obstore
from obstore.exceptions import BaseError, NotFoundError
from obstore.store import LocalStore, S3Store

if TYPE_CHECKING:
    from obstore.store import S3Config

from catalogue.config import S3Settings, Settings
from catalogue.errors import UpstreamUnavailableError

# Parts of a multipart upload (S3's smallest), and how many go up at once: one upload holds
# at most (PARALLEL_PARTS + 1) parts in memory, whatever the file's size.
PART_BYTES = 5 * 1024 * 1024
PARALLEL_PARTS = 2
# What a download hands the server at a time, and holds: reading a local 256 MiB file in
# chunks of 64 KiB ran at 138 MB/s, of 256 KiB at 264 MB/s (bench/communs.py: 156 -> 296).
READ_CHUNK_BYTES = 256 * 1024


class FileStorage(Protocol):
    """What the catalogue needs of a file store."""

    name: str

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        """Store the chunks under ``key``; an exception from ``chunks`` stores nothing."""

    def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of a stored file."""

    async def delete(self, key: str) -> None:
        """Remove a file; a missing one is no error."""


class ObjectStorage:
    """A FileStorage over an obstore store (local directory or S3-compatible)."""

    def __init__(self, store: Any, name: str) -> None:
        self._store = store
        self.name = name

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        try:
            await obstore.put_async(
                self._store, key, chunks, chunk_size=PART_BYTES, max_concurrency=PARALLEL_PARTS
            )
        except BaseError as exc:
            raise UpstreamUnavailableError(
                f"file storage ({self.name}) refused a write: {exc}"
            ) from exc

    async def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        if end <= start:
            return
        try:
            result = await obstore.get_async(self._store, key, options={"range": (start, end)})
        except BaseError as exc:
            raise UpstreamUnavailableError(
                f"file storage ({self.name}) refused a read: {exc}"
            ) from exc
        async for chunk in result.stream(min_chunk_size=READ_CHUNK_BYTES):
            yield bytes(chunk)

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self._store, key)
        except NotFoundError:
            return


def local_storage(folder: Path) -> ObjectStorage:
    folder.mkdir(parents=True, exist_ok=True)
    return ObjectStorage(LocalStore(folder, mkdir=True), "local")


def s3_storage(s3: S3Settings) -> ObjectStorage:
    config: S3Config = {
        "endpoint": s3.endpoint,
        "region": s3.region,
        "virtual_hosted_style_request": False,
    }
    if s3.access_key_id:
        config["access_key_id"] = s3.access_key_id
    if s3.secret_access_key:
        config["secret_access_key"] = s3.secret_access_key
    store = S3Store(
        s3.bucket,
        config=config,
        client_options={"allow_http": s3.endpoint.startswith("http://")},
    )
    return ObjectStorage(store, "s3")


def file_storage(settings: Settings) -> ObjectStorage:
    """The store the settings choose: S3-compatible when CATALOGUE_S3_* are set, else the
    data directory's ``files`` folder."""
    if settings.s3 is not None:
        return s3_storage(settings.s3)
    return local_storage(settings.data_dir / "files")
