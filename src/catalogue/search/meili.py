"""Meilisearch backend: the engine does typos, synonyms, ranking and facet counts itself."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from uuid import UUID

import httpx
import httpx2
import msgspec
import pydantic
import structlog
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchApiError, MeilisearchError
from meilisearch_python_sdk.models.task import TaskInfo

from catalogue.errors import UpstreamUnavailableError
from catalogue.search.meili_schema import (
    CROP_WORDS,
    FIELDS,
    MARK_END,
    MARK_START,
    RETRIEVED,
    SORTS,
    document,
    facet_counts,
    filter_expression,
    hit,
    index_settings,
)
from catalogue.search.meili_transport import use_transport
from catalogue.search.models import (
    BackendName,
    BackendResult,
    DocumentsRefusedError,
    SearchDocument,
    SearchQuery,
)

log = structlog.get_logger(__name__)

# The engine release whose OpenAPI document (schemas/meilisearch/) the backend is held to.
CONTRACT_VERSION = "1.15.2"

# Error codes of a failed task that are about the documents themselves (the engine's codes).
DOCUMENT_REFUSALS = frozenset(
    {
        "invalid_document_id",
        "missing_document_id",
        "invalid_document_fields",
        "invalid_document_geo_field",
        "invalid_vectors_type",
        "max_fields_limit_exceeded",
    }
)


def same_minor(version: str, other: str) -> bool:
    """Whether two versions share major.minor ("1.15.2" and "1.15.0" do)."""
    return version.split(".")[:2] == other.split(".")[:2]


@contextlib.contextmanager
def _upstream(action: str) -> Iterator[None]:
    """Whatever goes wrong with the engine or the way to it means: search is unavailable."""
    try:
        yield
    except (
        MeilisearchError,
        httpx.HTTPError,
        httpx2.HTTPError,
        pydantic.ValidationError,
        msgspec.ValidationError,
    ) as exc:
        log.warning("meilisearch failed", action=action, error=str(exc))
        raise UpstreamUnavailableError(f"Meilisearch {action}: {exc}") from exc


class EngineStatus(msgspec.Struct, kw_only=True, frozen=True):
    """What the engine says of the index (``catalogue index status``, ``/metrics``)."""

    version: str
    documents: int
    pending_tasks: int  # enqueued or processing, on the index
    failed_tasks: int  # on the index, as long as the engine keeps its task history


class MeiliBackend:
    name: BackendName = "meilisearch"

    def __init__(
        self, client: AsyncClient, *, index: str = "resources", task_timeout_s: float = 60.0
    ) -> None:
        self._client = client
        self._index = index
        self._task_timeout_ms = int(task_timeout_s * 1000)
        self._settings = index_settings()
        self._prepared = False  # the index and its settings, once per process
        self.rebuild_tasks: list[int] = []  # the engine's task uids of the last rebuild
        self._rebuilding = False

    @classmethod
    def from_url(
        cls,
        url: str,
        api_key: str | None,
        *,
        index: str = "resources",
        timeout_s: int = 10,
        task_timeout_s: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> MeiliBackend:
        client = AsyncClient(url, api_key, timeout=timeout_s)
        if transport is not None:
            use_transport(client, transport)
        return cls(client, index=index, task_timeout_s=task_timeout_s)

    async def prepare(self) -> None:
        await self.ensure_index()
        self._prepared = True
        await self.warn_on_other_version()

    async def warn_on_other_version(self) -> str | None:
        """The engine's version; a warning when its major.minor is not the contract's."""
        try:
            with _upstream("version"):
                version = (await self._client.get_version()).pkg_version
        except UpstreamUnavailableError:
            return None  # already logged; the engine's version is only a hint
        if not same_minor(version, CONTRACT_VERSION):
            log.warning(
                "meilisearch version differs from the contract",
                engine=version,
                contract=CONTRACT_VERSION,
            )
        return version

    async def aclose(self) -> None:
        await self._client.aclose()

    async def ensure_index(self) -> None:
        with _upstream("ensure_index"):
            await self._create_if_absent(self._index)
            await self._apply_settings(self._index)

    async def upsert(self, documents: list[SearchDocument]) -> None:
        if not self._prepared:  # the engine was away when this process started
            await self.prepare()
        if documents:
            with _upstream("upsert"):
                await self._add(self._index, documents)

    async def delete(self, ids: list[UUID]) -> None:
        if not self._prepared:
            await self.prepare()
        if ids:
            with _upstream("delete"):
                index = self._client.index(self._index)
                await self._wait(await index.delete_documents([str(i) for i in ids]))

    async def search(self, query: SearchQuery) -> BackendResult:
        if not self._prepared:
            await self.prepare()
        with self._search_refusals(query), _upstream("search"):
            results = await self._client.index(self._index).search(
                query.text,
                filter=filter_expression(query.filters),
                facets=[FIELDS[field] for field in query.facets] or None,
                sort=SORTS[query.sort],
                page=query.page,
                hits_per_page=query.per_page,
                attributes_to_retrieve=RETRIEVED,
                attributes_to_crop=["description"],
                crop_length=CROP_WORDS,
                crop_marker="…",
                attributes_to_highlight=["description"],
                highlight_pre_tag=MARK_START,
                highlight_post_tag=MARK_END,
            )
            return BackendResult(
                hits=[hit(raw) for raw in results.hits],
                total=results.total_hits or 0,
                facets=facet_counts(query.facets, results.facet_distribution),
            )

    @contextlib.contextmanager
    def _search_refusals(self, query: SearchQuery) -> Iterator[None]:
        """A filter the engine refuses was built from checked values: the index's settings
        are not ours (an index made or changed elsewhere). Search is then unavailable (503,
        naming the filters), and the index is prepared again before the next write, as it is
        when the engine lost it."""
        try:
            yield
        except UpstreamUnavailableError as exc:
            cause = exc.__cause__
            code = cause.code if isinstance(cause, MeilisearchApiError) else ""
            if code in ("index_not_found", "invalid_search_filter"):
                self._prepared = False
            if code == "invalid_search_filter" and query.filters:
                names = ", ".join(sorted(field.value for field in query.filters))
                raise UpstreamUnavailableError(
                    f"{exc.detail} (filters: {names})",
                    public=f"Le moteur de recherche refuse le filtre ({names}).",
                ) from cause
            raise

    async def rebuild(self, batches: AsyncIterator[list[SearchDocument]]) -> int:
        fresh = f"{self._index}_{time.time_ns() // 1_000_000}"
        count = 0
        self.rebuild_tasks = []
        self._rebuilding = True
        try:
            with _upstream("rebuild"):
                await self._client.create_index(
                    fresh, primary_key="id", timeout_in_ms=self._task_timeout_ms
                )
                await self._apply_settings(fresh)
                async for batch in batches:
                    if batch:
                        await self._add(fresh, batch)
                        count += len(batch)
                await self._create_if_absent(self._index)
                await self._wait(await self._client.swap_indexes([(self._index, fresh)]))
        finally:
            # After the swap ``fresh`` holds the old documents; before it, a half-built index.
            await self._drop_quietly(fresh)
            self._rebuilding = False
        log.info("search index rebuilt", index=self._index, documents=count)
        return count

    async def engine_status(self) -> EngineStatus:
        with _upstream("status"):
            version = (await self._client.get_version()).pkg_version
            stats = await self._client.index(self._index).get_stats()
            pending = [await self._tasks(status) for status in ("enqueued", "processing")]
            return EngineStatus(
                version=version,
                documents=stats.number_of_documents,
                pending_tasks=sum(pending),
                failed_tasks=await self._tasks("failed"),
            )

    async def _tasks(self, status: str) -> int:
        """How many tasks of the index have ``status`` (one status a request: the engine reads
        a comma-separated list where the document declares a repeated parameter)."""
        found = await self._client.get_tasks(index_ids=[self._index], statuses=status, limit=1)
        return found.total

    async def check(self) -> None:
        with _upstream("check"):
            health = await self._client.health()
        if health.status != "available":
            raise UpstreamUnavailableError(f"Meilisearch check: status {health.status}")

    async def _create_if_absent(self, uid: str) -> None:
        try:
            await self._client.get_index(uid)
        except MeilisearchApiError as exc:
            if exc.status_code != httpx.codes.NOT_FOUND:
                raise
            await self._client.create_index(
                uid, primary_key="id", timeout_in_ms=self._task_timeout_ms
            )

    async def _apply_settings(self, uid: str) -> None:
        await self._wait(await self._client.index(uid).update_settings(self._settings))

    async def _add(self, uid: str, documents: list[SearchDocument]) -> None:
        index = self._client.index(uid)
        task = await index.add_documents([document(d) for d in documents], primary_key="id")
        await self._wait(task)

    async def _wait(self, task: TaskInfo) -> None:
        if self._rebuilding:
            self.rebuild_tasks.append(task.task_uid)
        done = await self._client.wait_for_task(task.task_uid, timeout_in_ms=self._task_timeout_ms)
        if done.status == "failed":
            error = done.error or {}
            detail = (
                f"Meilisearch task {task.task_uid} failed: {error.get('message', 'no message')}"
            )
            # The engine read the request and refused what it holds (a document's content):
            # the outbox sets the document apart. Anything else (an index gone, a full disk,
            # an internal error) is an outage, retried with the whole batch.
            if error.get("code") in DOCUMENT_REFUSALS:
                raise DocumentsRefusedError(detail)
            if error.get("code") == "index_not_found":
                self._prepared = False  # prepared again (index and settings) before a retry
            raise UpstreamUnavailableError(detail)

    async def _drop_quietly(self, uid: str) -> None:
        try:
            with _upstream("drop index"):
                await self._wait(await self._client.index(uid).delete())
        except UpstreamUnavailableError as exc:
            log.warning("stale search index left behind", index=uid, error=exc.detail)
