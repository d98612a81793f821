"""A fake Meilisearch behind httpx.MockTransport: no server, no network.

It answers the parts of the HTTP API the backend uses: health, indexes, settings, documents
(kept per index, so a test can compare them with PostgreSQL), tasks and search (a canned
answer). Like the engine, a search that filters or counts facets on an attribute the index
settings do not declare filterable is refused (400 `invalid_search_filter` or
`invalid_search_facets`). ``down`` makes every request fail as an unreachable engine would.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

ENQUEUED_AT = "2025-01-01T00:00:00Z"
DELETE_BATCH = r"/indexes/([\w-]+)/documents/delete-batch"


class FakeMeili:
    """Answers like Meilisearch: each write is a task, which succeeds unless told otherwise."""

    def __init__(self, *, indexes: set[str] | None = None) -> None:
        self.documents: dict[str, dict[str, dict[str, Any]]] = {uid: {} for uid in indexes or ()}
        self.requests: list[httpx.Request] = []
        self.failures: dict[str, str] = {}  # task type -> error message
        self.stuck = False
        self.down = False  # every request: connection refused
        self.refused: list[str] = []  # "METHOD /path" of each request refused while down
        self.search_answer: dict[str, Any] = {}
        self.settings: dict[str, dict[str, Any]] = {}  # index -> the settings applied
        self._tasks: list[str] = []

    @property
    def indexes(self) -> set[str]:
        return set(self.documents)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            self.refused.append(f"{request.method} {request.url.path}")
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append(request)
        method, path = request.method, request.url.path
        if method == "GET" and path == "/health":
            return httpx.Response(200, json={"status": "available"})
        if method == "GET" and (task := re.fullmatch(r"/tasks/(\d+)", path)):
            return httpx.Response(200, json=self._task(int(task[1])))
        if method == "GET" and (index := re.fullmatch(r"/indexes/([\w-]+)", path)):
            return self._index(index[1])
        if method == "POST" and (index := re.fullmatch(r"/indexes/([\w-]+)/search", path)):
            return self._search(index[1], json.loads(request.content))
        if method == "POST" and path == "/indexes":
            self.documents.setdefault(json.loads(request.content)["uid"], {})
            return self._enqueue("indexCreation")
        self._write(method, path, json.loads(request.content) if request.content else None)
        return self._enqueue(f"{method} {path}")

    def _search(self, uid: str, body: dict[str, Any]) -> httpx.Response:
        filterable = set(self.settings.get(uid, {}).get("filterableAttributes") or ())
        if uid in self.settings:
            named = re.findall(r"(\w+) = ", body.get("filter") or "")
            if bad := sorted({name for name in named if name not in filterable}):
                return _refused("invalid_search_filter", f"Attribute `{bad[0]}` is not filterable.")
            if bad := sorted(set(body.get("facets") or ()) - filterable):
                return _refused("invalid_search_facets", f"Attribute `{bad[0]}` is not filterable.")
        return httpx.Response(200, json=self.search_answer)

    def _write(self, method: str, path: str, body: Any) -> None:
        """What a write does to the documents (at once: tasks here succeed or fail later)."""
        if method == "PATCH" and (index := re.fullmatch(r"/indexes/([\w-]+)/settings", path)):
            self.settings.setdefault(index[1], {}).update(body)
        elif method == "DELETE" and (index := re.fullmatch(r"/indexes/([\w-]+)", path)):
            self.documents.pop(index[1], None)
        elif method == "POST" and path == "/swap-indexes":
            for swap in body:
                first, second = swap["indexes"]
                docs = self.documents
                docs[first], docs[second] = docs.get(second, {}), docs.get(first, {})
        elif method == "POST" and (index := re.fullmatch(r"/indexes/([\w-]+)/documents", path)):
            self.documents.setdefault(index[1], {}).update({doc["id"]: doc for doc in body})
        elif method == "POST" and (index := re.fullmatch(DELETE_BATCH, path)):
            for doc_id in body:
                self.documents.get(index[1], {}).pop(doc_id, None)

    def sent(self, method: str, path: str) -> list[Any]:
        return [
            json.loads(r.content) if r.content else None
            for r in self.requests
            if r.method == method and r.url.path == path
        ]

    def _index(self, uid: str) -> httpx.Response:
        if uid not in self.documents:
            error = {"message": f"Index `{uid}` not found.", "code": "index_not_found"}
            return httpx.Response(404, json={**error, "type": "invalid_request", "link": ""})
        dates = {"createdAt": ENQUEUED_AT, "updatedAt": ENQUEUED_AT}
        return httpx.Response(200, json={"uid": uid, "primaryKey": "id", **dates})

    def _enqueue(self, kind: str) -> httpx.Response:
        self._tasks.append(kind)
        info = {"taskUid": len(self._tasks) - 1, "status": "enqueued", "type": kind}
        return httpx.Response(202, json={**info, "enqueuedAt": ENQUEUED_AT})

    def _task(self, uid: int) -> dict[str, Any]:
        kind = self._tasks[uid]
        task: dict[str, Any] = {"uid": uid, "type": kind, "enqueuedAt": ENQUEUED_AT}
        if self.stuck:
            return {**task, "status": "processing"}
        if kind in self.failures:
            error = {"message": self.failures[kind], "code": "invalid_document_id"}
            return {**task, "status": "failed", "error": error}
        return {**task, "status": "succeeded"}


def _refused(code: str, message: str) -> httpx.Response:
    error = {"message": message, "code": code, "type": "invalid_request", "link": ""}
    return httpx.Response(400, json=error)
