"""Meilisearch's own OpenAPI document (schemas/meilisearch/), as a test oracle.

``check_request`` holds a request that our backend sends to the operation that the document
declares for its method and path (path, query and JSON body); ``check_response`` holds an
answer of the fake engine to that operation's response schema. Both raise
``ContractError`` naming the operation and the field that the schema refuses.
The validator is openapi-core's; the document's own errata are listed in ``ERRATA``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.responses.exceptions import ResponseNotFound
from werkzeug.datastructures import Headers, ImmutableMultiDict

CONTRACT = Path(__file__).resolve().parents[2] / "schemas" / "meilisearch" / "open-api-v1.15.2.json"
HOST = "http://meili.contract"

# Routes the engine serves under another path than the document says. The v1.15.2 document
# publishes "delete documents by batch" at /indexes/{indexUid}/delete-batch, while the engine
# (and its specification, "POST indexes/:index_uid/documents/delete-batch") serves it under
# /documents/: the request is checked against the operation the document gives it.
ERRATA = {
    re.compile(r"/indexes/([^/]+)/documents/delete-batch"): r"/indexes/\1/delete-batch",
}


class ContractError(AssertionError):
    """A request or an answer that Meilisearch's OpenAPI document refuses."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _search_query_as_served(document: dict[str, Any]) -> None:
    """The engine reads a search body in camelCase (``hitsPerPage``), refuses unknown fields,
    and gives every field a default; the v1.15.2 document names SearchQuery's properties in
    snake_case and lists the defaulted ones as required. The schema is read as served."""
    schema = document["components"]["schemas"]["SearchQuery"]
    schema["properties"] = {_camel(k): v for k, v in schema["properties"].items()}
    schema.pop("required", None)
    schema["additionalProperties"] = False


@functools.cache
def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CONTRACT.read_text(encoding="utf-8"))
    _search_query_as_served(document)
    return document


@functools.cache
def contract() -> OpenAPI:
    document = _document()
    # The published document is not itself valid OpenAPI 3.1 (a null tag description): it
    # is used as the engine publishes it, without checking the document.
    unchecked = Config(spec_validator_cls=None)  # type: ignore[arg-type]
    return OpenAPI.from_dict(document, config=unchecked)


def contract_version() -> str:
    version: str = json.loads(CONTRACT.read_text(encoding="utf-8"))["info"]["version"]
    return version


def contract_path(path: str) -> str:
    for pattern, replacement in ERRATA.items():
        if pattern.fullmatch(path):
            return pattern.sub(replacement, path)
    return path


@dataclass
class _Request:
    """An httpx request seen through openapi-core's Request protocol."""

    sent: httpx.Request
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        headers = Headers(list(self.sent.headers.items()))
        if "authorization" not in headers:
            # An engine started without a master key takes requests without Authorization;
            # openapi-core stops at the first error, so the rest is checked as if it had one.
            headers["authorization"] = "Bearer no-master-key"
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(self.sent.url.params.multi_items()),
            header=headers,
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return HOST

    @property
    def path(self) -> str:
        return contract_path(self.sent.url.path)

    @property
    def method(self) -> str:
        return self.sent.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.sent.content or None

    @property
    def content_type(self) -> str:
        return str(self.sent.headers.get("content-type", "application/json")).lower()


@dataclass
class _Response:
    answer: httpx.Response
    status: int | None = None  # the status the document gives this answer (see ERRATA)

    @property
    def status_code(self) -> int:
        return self.status or self.answer.status_code

    @property
    def data(self) -> bytes:
        return self.answer.content

    @property
    def content_type(self) -> str:
        return str(self.answer.headers.get("content-type", "application/json")).lower()

    @property
    def headers(self) -> Headers:
        return Headers(list(self.answer.headers.items()))


def check_request(request: httpx.Request) -> None:
    """Raise ContractError when the document refuses ``request``."""
    seen = _Request(request)
    errors = list(contract().iter_request_errors(seen))
    if errors:
        raise ContractError(_describe(f"{request.method} {seen.path}", errors))


def check_response(request: httpx.Request, response: httpx.Response) -> None:
    """Raise ContractError when ``response`` is not an answer the document allows."""
    seen = _Request(request)
    errors: list[Any] = list(contract().iter_response_errors(seen, _Response(response)))
    if errors and all(isinstance(e, ResponseNotFound) for e in errors):
        documented = _as_documented(request, response)
        if documented is None:
            errors = list(_error_object_errors(response))
        else:
            errors = list(contract().iter_response_errors(seen, documented))
    if errors:
        where = f"{request.method} {seen.path} answered {response.status_code}"
        raise ContractError(_describe(where, errors))


def _as_documented(request: httpx.Request, response: httpx.Response) -> _Response | None:
    """An answer whose status the operation does not list, read as the document means it.

    The engine answers 202 Accepted when it enqueues a task, where the document lists 200 for
    most such operations: the body is checked against the operation's 200 (or 202) schema.
    The document lists no 400 or 5xx answers: an error is checked against ``ResponseError``,
    the schema of every error object the document gives (its 401 answers).
    """
    operation = _operation(request)
    listed = {int(status) for status in operation["responses"] if status.isdigit()}
    if response.status_code == 202 and 200 in listed:
        return _Response(response, status=200)
    errors = sorted(s for s in listed if s >= 400)
    if response.status_code >= 400 and errors:
        return _Response(response, status=errors[0])
    if response.status_code >= 400:
        return None  # no error listed at all: checked against ResponseError directly
    return _Response(response)


class _SchemaRefusedError(Exception):
    def __init__(self, schema_errors: list[Any]) -> None:
        super().__init__("the body is not a ResponseError")
        self.schema_errors = schema_errors


def _error_object_errors(response: httpx.Response) -> Iterator[Exception]:
    schema = {"$ref": "#/components/schemas/ResponseError", "components": _document()["components"]}
    found = list(Draft202012Validator(schema).iter_errors(response.json()))
    if found:
        yield _SchemaRefusedError(found)


def _operation(request: httpx.Request) -> dict[str, Any]:
    paths: dict[str, Any] = _document()["paths"]
    path = contract_path(request.url.path)
    for template, operations in paths.items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        if re.fullmatch(pattern, path) and request.method.lower() in operations:
            operation: dict[str, Any] = operations[request.method.lower()]
            return operation
    raise ContractError(f"{request.method} {path}: no such operation in the document")


def _describe(where: str, errors: Iterable[BaseException]) -> str:
    return f"{where}: " + "; ".join(_reasons(errors))


def _reasons(errors: Iterable[BaseException]) -> Iterator[str]:
    for error in errors:
        details = _schema_errors(error)
        if not details:
            yield f"{type(error).__name__}: {error}"
        for detail in details:
            where = "/".join(str(part) for part in detail.absolute_path) or "(body)"
            yield f"field {where!r}: {detail.message}"


def _schema_errors(error: BaseException | None) -> list[Any]:
    """The jsonschema errors under an openapi-core error (its cause chain), most precise first."""
    while error is not None:
        found = getattr(error, "schema_errors", None)
        if found:
            return [_deepest(e) for e in found]
        error = error.__cause__ or error.__context__
    return []


def _deepest(error: Any) -> Any:
    while error.context:
        error = max(error.context, key=lambda e: len(e.absolute_path))
    return error


class CheckedTransport(httpx.AsyncBaseTransport):
    """Carries requests to a real engine and holds each request and answer to the document:
    a run against a real Meilisearch checks that the engine answers what the fake assumes."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport or httpx.AsyncHTTPTransport()
        self.checked = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        check_request(request)
        answer = await self._transport.handle_async_request(request)
        body = await answer.aread()
        await answer.aclose()
        response = httpx.Response(
            answer.status_code, headers=answer.headers, content=body, request=request
        )
        check_response(request, response)
        self.checked += 1
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()
