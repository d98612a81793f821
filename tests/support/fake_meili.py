"""A fake Meilisearch behind httpx.MockTransport: no server, no network.

Every request it receives is first checked against Meilisearch's own OpenAPI document
(tests/support/meili_contract.py), and every answer it gives is checked against that
operation's response schema: a request the engine's schema refuses, or an answer the engine
could not give, fails the test that caused it, naming the field.

It implements what the backend relies on, as the engine does:
- indexes (create, get, delete, stats, swap), settings, documents (add or replace by the
  primary key, ids checked as the engine does, delete by batch);
- writes are tasks: ``enqueued``, then ``processing`` (at the first poll of the task), then
  ``succeeded`` or ``failed`` with an error object; a read first processes what is queued,
  as the engine would have by then. ``stuck`` keeps every task processing;
- search: the filter grammar (``=``, ``AND``, ``OR``, ``NOT``, parentheses, quoted values
  with backslash escapes) on filterable attributes only, ``facets`` and
  ``facetDistribution``, ``sort`` on sortable attributes only, ``page``/``hitsPerPage``/
  ``totalHits`` or ``offset``/``limit``/``estimatedTotalHits``, ``attributesToRetrieve``,
  ``attributesToHighlight`` with the tags asked, ``attributesToCrop`` with ``cropLength`` and
  ``cropMarker``;
- text: case, accents and ligatures folded, words split like the engine's French tokeniser,
  stop words dropped from the query, one-word synonyms, the last word of the query as a prefix,
  and the "last" matching strategy simplified (when no document holds every word, the last
  word is dropped, and so on).

Where it differs from the engine: no typo tolerance, no ranking rules (documents come in the
order they were added, unless sorted), no multi-word synonym keys. Assertions about these run
on a real engine only (tests/integration/test_search_conformance.py).

``down`` makes every request fail as an unreachable engine would; ``errors`` answers a route
("METHOD /path") with an engine error object (a status and a code), ``timeouts`` makes a route
time out, ``failures`` makes the tasks of a route fail with a message.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.meili_contract import check_request, check_response

ENQUEUED_AT = "2025-01-01T00:00:00Z"
VERSION = "1.15.2"
DELETE_BATCH = r"/indexes/([\w-]+)/documents/delete-batch"
DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,511}")
ERROR_TYPES = {"internal": "internal", "index_not_found": "invalid_request"}


@dataclass
class FakeIndex:
    uid: str
    primary_key: str | None = None
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeTask:
    uid: int
    kind: str  # the engine's task type (indexCreation, documentAdditionOrUpdate, ...)
    route: str  # "METHOD /path" of the request that made it
    index_uid: str | None
    apply: Callable[[], tuple[str, str] | None]  # its effect; (code, message) when it fails
    status: str = "enqueued"
    error: dict[str, str] | None = None

    def view(self) -> dict[str, Any]:
        task: dict[str, Any] = {
            "uid": self.uid,
            "indexUid": self.index_uid,
            "status": self.status,
            "type": self.kind,
            "enqueuedAt": ENQUEUED_AT,
        }
        if self.status != "enqueued":
            task["startedAt"] = ENQUEUED_AT
        if self.status in ("succeeded", "failed"):
            task["finishedAt"] = ENQUEUED_AT
            task["duration"] = "PT0.001S"
        if self.error is not None:
            task["error"] = self.error
        return task


class EngineError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class FakeMeili:
    """Answers like Meilisearch, within the limits the module docstring lists."""

    def __init__(self, *, indexes: set[str] | None = None, version: str = VERSION) -> None:
        self.index_store: dict[str, FakeIndex] = {
            uid: FakeIndex(uid, "id") for uid in indexes or ()
        }
        self.version = version
        self.requests: list[httpx.Request] = []
        self.failures: dict[str, str] = {}  # "METHOD /path" -> message of its tasks' error
        self.failure_codes: dict[str, str] = {}  # "METHOD /path" -> code of that error
        self.errors: dict[str, tuple[int, str]] = {}  # "METHOD /path" -> (status, code)
        self.timeouts: set[str] = set()  # "METHOD /path" that time out
        self.stuck = False
        self.down = False  # every request: connection refused
        self.refused: list[str] = []  # "METHOD /path" of each request refused while down
        self.search_answer: dict[str, Any] = {}  # a canned answer instead of searching
        self.tasks: list[FakeTask] = []

    @property
    def indexes(self) -> set[str]:
        return set(self.index_store)

    @property
    def documents(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {uid: index.documents for uid, index in self.index_store.items()}

    @property
    def settings(self) -> dict[str, dict[str, Any]]:
        """The settings applied, per index (only indexes whose settings were changed)."""
        return {uid: index.settings for uid, index in self.index_store.items() if index.settings}

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def sent(self, method: str, path: str) -> list[Any]:
        return [
            json.loads(r.content) if r.content else None
            for r in self.requests
            if r.method == method and r.url.path == path
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        check_request(request)
        route = f"{request.method} {request.url.path}"
        if self.down:
            self.refused.append(route)
            raise httpx.ConnectError("connection refused", request=request)
        self.requests.append(request)
        if route in self.timeouts:
            raise httpx.ReadTimeout("timed out", request=request)
        try:
            response = self._route(request)
        except EngineError as exc:
            kind = ERROR_TYPES.get(exc.code, "internal" if exc.status >= 500 else "invalid_request")
            error = {"message": exc.message, "code": exc.code, "type": kind, "link": ""}
            response = httpx.Response(exc.status, json=error)
        check_response(request, response)
        return response

    # Routing -------------------------------------------------------------------------------

    def _route(self, request: httpx.Request) -> httpx.Response:  # noqa: PLR0911
        method, path = request.method, request.url.path
        if (injected := self.errors.get(f"{method} {path}")) is not None:
            status, code = injected
            raise EngineError(status, code, f"Injected `{code}`.")
        body: Any = json.loads(request.content) if request.content else None
        if method == "GET" and path == "/health":
            return httpx.Response(200, json={"status": "available"})
        if method == "GET" and path == "/version":
            sha = {"commitSha": "0" * 40, "commitDate": ENQUEUED_AT}
            return httpx.Response(200, json={**sha, "pkgVersion": self.version})
        if method == "GET" and (task := re.fullmatch(r"/tasks/(\d+)", path)):
            return httpx.Response(200, json=self._poll(int(task[1])))
        if method == "GET" and path == "/tasks":
            return httpx.Response(200, json=self._task_list(request.url.params))
        if method == "POST" and path == "/indexes":
            return self._enqueue(request, "indexCreation", body["uid"], self._create(body))
        if method == "POST" and path == "/swap-indexes":
            return self._enqueue(request, "indexSwap", None, self._swap(body))
        if method == "POST" and (found := re.fullmatch(DELETE_BATCH, path)):
            apply = self._delete_documents(found[1], body)
            return self._enqueue(request, "documentDeletion", found[1], apply)
        if found := re.fullmatch(r"/indexes/([\w-]+)(/[\w/-]+)?", path):
            return self._index_route(request, found[1], found[2] or "", body)
        raise EngineError(404, "bad_request", f"No route for {method} {path}.")

    def _index_route(  # noqa: PLR0911
        self, request: httpx.Request, uid: str, rest: str, body: Any
    ) -> httpx.Response:
        method = request.method
        if method == "GET" and rest == "":
            index = self._existing(uid)
            dates = {"createdAt": ENQUEUED_AT, "updatedAt": ENQUEUED_AT}
            return httpx.Response(200, json={"uid": uid, "primaryKey": index.primary_key, **dates})
        if method == "GET" and rest == "/stats":
            return httpx.Response(200, json=self._stats(self._existing(uid)))
        if method == "POST" and rest == "/search":
            if self.search_answer:
                self._existing(uid)
                return httpx.Response(200, json=self.search_answer)
            return httpx.Response(200, json=search(self._existing(uid), body))
        if method == "DELETE" and rest == "":
            return self._enqueue(request, "indexDeletion", uid, self._drop(uid))
        if method == "PATCH" and rest == "/settings":
            return self._enqueue(request, "settingsUpdate", uid, self._configure(uid, body))
        if method == "POST" and rest == "/documents":
            key = request.url.params.get("primaryKey")
            apply = self._add_documents(uid, body, key)
            return self._enqueue(request, "documentAdditionOrUpdate", uid, apply)
        raise EngineError(404, "bad_request", f"No route for {method} /indexes/{uid}{rest}.")

    # Tasks ---------------------------------------------------------------------------------

    def _enqueue(
        self,
        request: httpx.Request,
        kind: str,
        index_uid: str | None,
        apply: Callable[[], tuple[str, str] | None],
    ) -> httpx.Response:
        route = f"{request.method} {request.url.path}"
        task = FakeTask(len(self.tasks), kind, route, index_uid, apply)
        self.tasks.append(task)
        summary = {"taskUid": task.uid, "indexUid": index_uid, "status": "enqueued"}
        return httpx.Response(202, json={**summary, "type": kind, "enqueuedAt": ENQUEUED_AT})

    def _poll(self, uid: int) -> dict[str, Any]:
        if uid >= len(self.tasks):
            raise EngineError(404, "task_not_found", f"Task `{uid}` not found.")
        task = self.tasks[uid]
        if task.status == "enqueued" and not self.stuck:
            task.status = "processing"  # seen once processing, as a poll of the engine may
        elif task.status == "processing" and not self.stuck:
            self._process(until=uid)
        return task.view()

    def _process(self, until: int | None = None) -> None:
        """Run the queued tasks in order (up to ``until``), as the engine's scheduler does."""
        if self.stuck:
            return
        for task in self.tasks[: None if until is None else until + 1]:
            if task.status not in ("enqueued", "processing"):
                continue
            refused = task.apply() if task.route not in self.failures else None
            if task.route in self.failures:
                code = self.failure_codes.get(task.route, "invalid_document_id")
                refused = (code, self.failures[task.route])
            if refused is None:
                task.status = "succeeded"
            else:
                code, message = refused
                kind = ERROR_TYPES.get(code, "invalid_request")
                task.status = "failed"
                task.error = {"message": message, "code": code, "type": kind, "link": ""}

    def _task_list(self, params: httpx.QueryParams) -> dict[str, Any]:
        statuses = set(",".join(params.get_list("statuses")).split(",")) - {""}
        indexes = set(",".join(params.get_list("indexUids")).split(",")) - {""}
        found = [
            task.view()
            for task in reversed(self.tasks)
            if (not statuses or task.status in statuses)
            and (not indexes or task.index_uid in indexes)
        ]
        limit = int(params.get("limit", 20))
        page = found[:limit]
        after = found[limit]["uid"] if len(found) > limit else None
        start = page[0]["uid"] if page else None
        return {"results": page, "total": len(found), "limit": limit, "from": start, "next": after}

    # Effects of tasks ----------------------------------------------------------------------

    def _existing(self, uid: str) -> FakeIndex:
        self._process()
        if uid not in self.index_store:
            raise EngineError(404, "index_not_found", f"Index `{uid}` not found.")
        return self.index_store[uid]

    def _create(self, body: dict[str, Any]) -> Callable[[], tuple[str, str] | None]:
        def apply() -> tuple[str, str] | None:
            uid = body["uid"]
            if uid in self.index_store:
                return ("index_already_exists", f"Index `{uid}` already exists.")
            self.index_store[uid] = FakeIndex(uid, body.get("primaryKey"))
            return None

        return apply

    def _drop(self, uid: str) -> Callable[[], tuple[str, str] | None]:
        def apply() -> tuple[str, str] | None:
            if self.index_store.pop(uid, None) is None:
                return ("index_not_found", f"Index `{uid}` not found.")
            return None

        return apply

    def _configure(self, uid: str, body: dict[str, Any]) -> Callable[[], tuple[str, str] | None]:
        def apply() -> None:
            self.index_store.setdefault(uid, FakeIndex(uid)).settings.update(body)

        return apply

    def _add_documents(
        self, uid: str, body: list[dict[str, Any]], key: str | None
    ) -> Callable[[], tuple[str, str] | None]:
        def apply() -> tuple[str, str] | None:
            index = self.index_store.setdefault(uid, FakeIndex(uid, key))
            index.primary_key = index.primary_key or key
            if index.primary_key is None:
                return ("index_primary_key_no_candidate_found", "No primary key given.")
            for document in body:
                doc_id = document.get(index.primary_key)
                if not isinstance(doc_id, int) and not (
                    isinstance(doc_id, str) and DOCUMENT_ID.fullmatch(doc_id)
                ):
                    return ("invalid_document_id", f"Document identifier `{doc_id}` is invalid.")
            index.documents.update({str(doc[index.primary_key]): doc for doc in body})
            return None

        return apply

    def _delete_documents(self, uid: str, ids: list[Any]) -> Callable[[], tuple[str, str] | None]:
        def apply() -> tuple[str, str] | None:
            if uid not in self.index_store:
                return ("index_not_found", f"Index `{uid}` not found.")
            for doc_id in ids:
                self.index_store[uid].documents.pop(str(doc_id), None)
            return None

        return apply

    def _swap(self, body: list[dict[str, Any]]) -> Callable[[], tuple[str, str] | None]:
        def apply() -> tuple[str, str] | None:
            named = [uid for swap in body for uid in swap["indexes"]]
            if len(set(named)) != len(named):
                return ("invalid_swap_duplicate_index_found", "Indexes must be declared only once.")
            if missing := [uid for uid in named if uid not in self.index_store]:
                return ("index_not_found", f"Index `{missing[0]}` not found.")
            for swap in body:
                first, second = swap["indexes"]
                store = self.index_store
                store[first], store[second] = store[second], store[first]
                store[first].uid, store[second].uid = first, second
            return None

        return apply

    def _stats(self, index: FakeIndex) -> dict[str, Any]:
        fields: dict[str, int] = {}
        for document in index.documents.values():
            for name in document:
                fields[name] = fields.get(name, 0) + 1
        size = sum(len(json.dumps(d)) for d in index.documents.values())
        count = len(index.documents)
        pending = any(
            t.index_uid == index.uid and t.status in ("enqueued", "processing") for t in self.tasks
        )
        return {
            "numberOfDocuments": count,
            "rawDocumentDbSize": size,
            "avgDocumentSize": size // count if count else 0,
            "isIndexing": pending,
            "fieldDistribution": fields,
        }


# Search ------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case, no accents, ligatures written out: how the engine compares words."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def search(index: FakeIndex, body: dict[str, Any]) -> dict[str, Any]:
    settings = index.settings
    documents = list(index.documents.values())
    wanted = _filter(settings, body.get("filter"))
    documents = [doc for doc in documents if wanted(doc)]
    terms = _query_terms(settings, body.get("q") or "")
    matched = _text_matches(settings, documents, terms)
    matched = _sorted(settings, matched, body.get("sort"))
    answer: dict[str, Any] = {"query": body.get("q") or "", "processingTimeMs": 0}
    facets = body.get("facets")
    if facets:
        answer["facetDistribution"] = _facet_distribution(settings, matched, facets)
        answer["facetStats"] = {}
    if body.get("page") is not None or body.get("hitsPerPage") is not None:
        page, per_page = body.get("page") or 1, body.get("hitsPerPage") or 20
        start = (page - 1) * per_page
        chosen = matched[start : start + per_page]
        answer |= {
            "hitsPerPage": per_page,
            "page": page,
            "totalPages": math.ceil(len(matched) / per_page) if per_page else 0,
            "totalHits": len(matched),
        }
    else:
        offset, limit = body.get("offset", 0), body.get("limit", 20)
        chosen = matched[offset : offset + limit]
        answer |= {"limit": limit, "offset": offset, "estimatedTotalHits": len(matched)}
    answer["hits"] = [_hit(doc, body, _flat(terms)) for doc in chosen]
    return answer


Term = list[list[str]]  # one query word: its alternatives, each one or more words


def _query_terms(settings: dict[str, Any], q: str) -> list[Term]:
    stop = {fold(word) for word in settings.get("stopWords") or ()}
    synonyms = {fold(k): v for k, v in (settings.get("synonyms") or {}).items()}
    terms = []
    for word in words(q):
        if word in stop:
            continue
        alternatives = [[word]] + [words(other) for other in synonyms.get(word, ())]
        terms.append(alternatives)
    return terms


def _flat(terms: list[Term]) -> set[str]:
    return {word for term in terms for alternative in term for word in alternative}


def _tokens(settings: dict[str, Any], document: dict[str, Any]) -> set[str]:
    searchable = settings.get("searchableAttributes") or ["*"]
    names = list(document) if searchable == ["*"] else searchable
    found: set[str] = set()
    for name in names:
        for value in _values(document.get(name)):
            found.update(words(str(value)))
    return found


def _values(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        for item in value:
            yield from _values(item)
    elif value is not None:
        yield value


def _holds(tokens: set[str], term: Term, *, prefix: bool) -> bool:
    for alternative in term:
        if len(alternative) > 1 and set(alternative) <= tokens:
            return True
        if len(alternative) == 1:
            word = alternative[0]
            if word in tokens or (prefix and any(t.startswith(word) for t in tokens)):
                return True
    return False


def _text_matches(
    settings: dict[str, Any], documents: list[dict[str, Any]], terms: list[Term]
) -> list[dict[str, Any]]:
    """Documents holding every term; when none does, the last term is dropped ("last")."""
    if not terms:
        return documents
    tokens = [(doc, _tokens(settings, doc)) for doc in documents]
    for kept in range(len(terms), 0, -1):
        asked = terms[:kept]
        found = [
            doc
            for doc, held in tokens
            if all(_holds(held, term, prefix=i == len(terms) - 1) for i, term in enumerate(asked))
        ]
        if found:
            return found
    return []


def _sorted(
    settings: dict[str, Any], documents: list[dict[str, Any]], sort: Sequence[str] | None
) -> list[dict[str, Any]]:
    sortable = set(settings.get("sortableAttributes") or ())
    result = list(documents)
    for rule in reversed(sort or ()):
        name, _, direction = rule.partition(":")
        if name not in sortable or direction not in ("asc", "desc"):
            raise EngineError(400, "invalid_search_sort", f"Attribute `{name}` is not sortable.")
        result.sort(key=lambda doc: doc.get(name, 0), reverse=direction == "desc")
    return result


def _facet_distribution(
    settings: dict[str, Any], documents: list[dict[str, Any]], facets: list[str]
) -> dict[str, dict[str, int]]:
    filterable = set(settings.get("filterableAttributes") or ())
    if bad := [name for name in facets if name not in filterable]:
        raise EngineError(400, "invalid_search_facets", f"Attribute `{bad[0]}` is not filterable.")
    most = (settings.get("faceting") or {}).get("maxValuesPerFacet", 100)
    distribution: dict[str, dict[str, int]] = {}
    for name in facets:
        counts: dict[str, int] = {}
        for document in documents:
            for value in set(map(_facet_value, _values(document.get(name)))):
                counts[value] = counts.get(value, 0) + 1
        distribution[name] = dict(sorted(counts.items())[:most])
    return distribution


def _facet_value(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _hit(document: dict[str, Any], body: dict[str, Any], matched: set[str]) -> dict[str, Any]:
    retrieve = body.get("attributesToRetrieve") or ["*"]
    hit = dict(document) if "*" in retrieve else {k: document[k] for k in retrieve if k in document}
    crop = set(body.get("attributesToCrop") or ())
    highlight = set(body.get("attributesToHighlight") or ())
    if crop or highlight:
        formatted = dict(hit)
        for name in crop | highlight:
            if isinstance(document.get(name), str):
                formatted[name] = _format(
                    document[name], body, matched, name in crop, name in highlight
                )
        hit["_formatted"] = formatted
    return hit


def _format(text: str, body: dict[str, Any], matched: set[str], crop: bool, highlight: bool) -> str:
    spans = [m.span() for m in re.finditer(r"\w+", text)]
    hits = [i for i, (start, end) in enumerate(spans) if _matches(fold(text[start:end]), matched)]
    if crop and spans:
        length = body.get("cropLength", 10)
        first = max(0, (hits[0] if hits else 0) - length // 2)
        first = max(0, min(first, len(spans) - length))
        last = min(len(spans), first + length)
        marker = body.get("cropMarker", "…")
        head = marker if first > 0 else text[: spans[0][0]]
        tail = marker if last < len(spans) else text[spans[-1][1] :]
        offset = spans[first][0]
        cut = text[offset : spans[last - 1][1]]
        kept = [(s - offset, e - offset) for s, e in spans[first:last]]
        hits = [i - first for i in hits if first <= i < last]
        text, spans = cut, kept
    else:
        head = tail = ""
    if highlight:
        pre, post = body.get("highlightPreTag", "<em>"), body.get("highlightPostTag", "</em>")
        for i in reversed(hits):
            start, end = spans[i]
            text = text[:start] + pre + text[start:end] + post + text[end:]
    return head + text + tail


def _matches(word: str, matched: set[str]) -> bool:
    return any(word == m or word.startswith(m) for m in matched)


# Filters -----------------------------------------------------------------------------------

Predicate = Callable[[dict[str, Any]], bool]
TOKEN = re.compile(r'\s*(?:(\()|(\))|(!=|=)|"((?:[^"\\]|\\.)*)"|([^\s()="!]+))', re.S)


def _filter(settings: dict[str, Any], expression: Any) -> Predicate:
    if expression is None or expression == "":
        return lambda _: True
    if not isinstance(expression, str):
        raise EngineError(400, "invalid_search_filter", "The fake reads filters as strings.")
    return _FilterParser(expression, set(settings.get("filterableAttributes") or ())).parse()


class _FilterParser:
    """``expr := and (OR and)*``, ``and := unary (AND unary)*``,
    ``unary := NOT unary | ( expr ) | name = value | name != value``."""

    def __init__(self, text: str, filterable: set[str]) -> None:
        self.text, self.filterable = text, filterable
        self.tokens = list(self._lex(text))
        self.at = 0

    def _lex(self, text: str) -> Iterator[tuple[str, str]]:
        position = 0
        while text[position:].strip():
            found = TOKEN.match(text, position)
            if not found:
                self._fail(f"unexpected character at {position}")
            assert found is not None
            position = found.end()
            opening, closing, operator, quoted, bare = found.groups()
            if opening or closing:
                yield ("paren", opening or closing)
            elif operator:
                yield ("op", operator)
            elif quoted is not None:
                yield ("value", re.sub(r"\\(.)", r"\1", quoted, flags=re.S))
            else:
                yield ("word", bare)

    def _fail(self, why: str) -> None:
        raise EngineError(400, "invalid_search_filter", f"Invalid filter `{self.text}`: {why}.")

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            self._fail("unexpected end")
        assert token is not None
        self.at += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token[0] == "word" and token[1].upper() == word:
            self.at += 1
            return True
        return False

    def parse(self) -> Predicate:
        predicate = self._or()
        if self._peek() is not None:
            self._fail(f"unexpected `{self._peek()[1]}`")  # type: ignore[index]
        return predicate

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._keyword("OR"):
            parts.append(self._and())
        return lambda doc: any(part(doc) for part in parts)

    def _and(self) -> Predicate:
        parts = [self._unary()]
        while self._keyword("AND"):
            parts.append(self._unary())
        return lambda doc: all(part(doc) for part in parts)

    def _unary(self) -> Predicate:
        if self._keyword("NOT"):
            inner = self._unary()
            return lambda doc: not inner(doc)
        if self._peek() == ("paren", "("):
            self.at += 1
            inner = self._or()
            if self._take() != ("paren", ")"):
                self._fail("a parenthesis is not closed")
            return inner
        return self._condition()

    def _condition(self) -> Predicate:
        kind, name = self._take()
        if kind != "word":
            self._fail(f"an attribute name was expected, not `{name}`")
        if name not in self.filterable:
            raise EngineError(
                400, "invalid_search_filter", f"Attribute `{name}` is not filterable."
            )
        kind, operator = self._take()
        if kind != "op":
            self._fail(f"an operator was expected after `{name}`")
        kind, value = self._take()
        if kind not in ("value", "word"):
            self._fail(f"a value was expected after `{name} {operator}`")
        wanted = fold(value)

        def equal(doc: dict[str, Any]) -> bool:
            return any(fold(_facet_value(v)) == wanted for v in _values(doc.get(name)))

        return equal if operator == "=" else (lambda doc: not equal(doc))
