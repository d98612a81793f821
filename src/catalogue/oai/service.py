"""OAI-PMH 2.0 requests answered from PostgreSQL: verbs, arguments, errors, resumption tokens."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg
import msgspec
from litestar.di import NamedDependency
from lxml import etree

from catalogue.oai import repository
from catalogue.oai.formats import LOM, OAI_DC, Label, oai_dc, scolomfr, xml_text
from catalogue.oai.records import OaiRecord
from catalogue.vocabularies.index import VocabularyIndex

OAI = "http://www.openarchives.org/OAI/2.0/"
PAGE = 100
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
# Where the ScoLOMFR 3.2.1 XSD is served (oai/api.py), under the platform's public URL.
SCOLOMFR_XSD = "/schemas/xsd/scolomfr-3.2.1/scolomfr.xsd"
FORMATS: dict[str, tuple[str, str, Callable[[OaiRecord, Label, str], etree._Element]]] = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC, oai_dc),
    "lom": (SCOLOMFR_XSD, LOM, scolomfr),
}
ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class OaiProtocolError(Exception):
    def __init__(self, code: str, message: str, *, http_status: int = 200) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = http_status


class Cursor(msgspec.Struct, frozen=True):
    """The state carried by a resumption token (opaque to harvesters)."""

    prefix: str
    after_time: datetime
    after_id: UUID
    since: datetime | None = None
    until: datetime | None = None
    publisher: UUID | None = None


def _q(name: str) -> str:
    return f"{{{OAI}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(value: str, *, end: bool) -> tuple[datetime, str]:
    """A from/until argument: the moment it means, and its granularity."""
    for pattern, granularity in (("%Y-%m-%dT%H:%M:%SZ", "seconds"), ("%Y-%m-%d", "day")):
        try:
            moment = datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
        if end:  # until is inclusive at its own granularity
            moment += timedelta(days=1) if granularity == "day" else timedelta(seconds=1)
        return moment, granularity
    raise OaiProtocolError("badArgument", f"not a UTC datestamp: {value!r}")


def _encode(cursor: Cursor) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(cursor)).decode().rstrip("=")


def _decode(token: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return msgspec.json.decode(raw, type=Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise OaiProtocolError("badResumptionToken", "this resumption token is not ours") from None


class Provider:
    def __init__(self, pool: asyncpg.Pool, vocab: VocabularyIndex, public_url: str, host: str):
        self.pool = pool
        self.vocab = vocab
        self.public_url = public_url.rstrip("/")
        self.base_url = f"{self.public_url}/oai"
        self.host = host

    def identifier(self, resource_id: UUID) -> str:
        return f"oai:{self.host}:{resource_id}"

    def _resource_id(self, identifier: str) -> UUID:
        prefix = f"oai:{self.host}:"
        try:
            resource_id = UUID(identifier.removeprefix(prefix))
        except ValueError:
            resource_id = None
        if resource_id is None or not identifier.startswith(prefix):
            raise OaiProtocolError("idDoesNotExist", f"no record {identifier!r}")
        return resource_id

    async def respond(self, params: dict[str, list[str]]) -> tuple[int, bytes]:
        """The OAI-PMH answer and its HTTP status (200, even for the protocol's errors, but
        400 for arguments that XML cannot carry)."""
        status = 200
        root = etree.Element(_q("OAI-PMH"), nsmap={None: OAI})
        _sub(root, "responseDate", _stamp(datetime.now(UTC)))
        request = _sub(root, "request", self.base_url)
        try:
            verb, args = self._check(params)
            for name, value in sorted({"verb": verb, **args}.items()):
                request.set(name, value)
            await getattr(self, f"_{verb}")(_sub(root, verb), args)
        except OaiProtocolError as problem:
            if len(root) > 2:
                root.remove(root[2])
            if problem.code in ("badVerb", "badArgument"):
                request.attrib.clear()  # the protocol says: the base URL only
            _sub(root, "error", xml_text(problem.message)).set("code", problem.code)
            status = problem.http_status
        document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        return status, document

    def _check(self, params: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
        for name, values in params.items():
            if any(xml_text(text) != text for text in (name, *values)):
                raise OaiProtocolError(
                    "badArgument",
                    "an argument holds a character XML cannot carry (NUL or control)",
                    http_status=400,
                )
        if len(params.get("verb", ())) > 1:
            raise OaiProtocolError("badVerb", "the verb is repeated")
        if any(len(values) > 1 for values in params.values()):
            raise OaiProtocolError("badArgument", "an argument is repeated")
        args = {name: values[0] for name, values in params.items()}
        verb = args.pop("verb", "")
        if verb not in ARGUMENTS:
            raise OaiProtocolError("badVerb", f"unknown verb {verb!r}")
        required, optional = ARGUMENTS[verb]
        if "resumptionToken" in args and set(args) != {"resumptionToken"}:
            raise OaiProtocolError("badArgument", "resumptionToken is an exclusive argument")
        unknown = set(args) - required - optional
        missing = set() if "resumptionToken" in args else required - set(args)
        if unknown or missing:
            raise OaiProtocolError(
                "badArgument", f"unknown {sorted(unknown)} or missing {sorted(missing)} arguments"
            )
        return verb, args

    async def _Identify(self, node: etree._Element, _: dict[str, str]) -> None:  # noqa: N802
        async with self.pool.acquire() as conn:
            earliest = await repository.earliest(conn) or EPOCH
        for name, value in (
            ("repositoryName", "Catalogue de ressources numériques éducatives"),
            ("baseURL", self.base_url),
            ("protocolVersion", "2.0"),
            ("adminEmail", f"catalogue@{self.host}"),
            ("earliestDatestamp", _stamp(earliest)),
            ("deletedRecord", "persistent"),
            ("granularity", GRANULARITY),
        ):
            _sub(node, name, value)

    async def _ListMetadataFormats(self, node: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        if "identifier" in args:
            await self._one(self._resource_id(args["identifier"]))
        for prefix, (schema, namespace, _) in FORMATS.items():
            fmt = _sub(node, "metadataFormat")
            _sub(fmt, "metadataPrefix", prefix)
            _sub(fmt, "schema", schema if "://" in schema else f"{self.public_url}{schema}")
            _sub(fmt, "metadataNamespace", namespace)

    async def _ListSets(self, node: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        if "resumptionToken" in args:
            raise OaiProtocolError("badResumptionToken", "sets come in one page")
        async with self.pool.acquire() as conn:
            publishers = await repository.sets(conn)
        for publisher in publishers:
            one = _sub(node, "set")
            _sub(one, "setSpec", f"publisher:{publisher.id}")
            _sub(one, "setName", publisher.name)

    async def _ListIdentifiers(self, node: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        await self._list(node, args, headers_only=True)

    async def _ListRecords(self, node: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        await self._list(node, args, headers_only=False)

    async def _GetRecord(self, node: etree._Element, args: dict[str, str]) -> None:  # noqa: N802
        prefix = self._prefix(args["metadataPrefix"])
        record = await self._one(self._resource_id(args["identifier"]))
        self._record(node, record, prefix, headers_only=False)

    def _prefix(self, prefix: str) -> str:
        if prefix not in FORMATS:
            raise OaiProtocolError("cannotDisseminateFormat", f"formats: {', '.join(FORMATS)}")
        return prefix

    async def _one(self, resource_id: UUID) -> OaiRecord:
        async with self.pool.acquire() as conn:
            record = await repository.record(conn, resource_id)
        if record is None:
            raise OaiProtocolError("idDoesNotExist", f"no record {self.identifier(resource_id)!r}")
        return record

    def _cursor(self, args: dict[str, str]) -> Cursor:
        if "resumptionToken" in args:
            return _decode(args["resumptionToken"])
        since = _date(args["from"], end=False) if "from" in args else None
        until = _date(args["until"], end=True) if "until" in args else None
        if since and until and since[1] != until[1]:
            raise OaiProtocolError("badArgument", "from and until have different granularities")
        publisher = None
        if "set" in args:
            try:
                publisher = UUID(args["set"].removeprefix("publisher:"))
            except ValueError:
                raise OaiProtocolError("noRecordsMatch", "no such set") from None
        return Cursor(
            prefix=self._prefix(args["metadataPrefix"]),
            after_time=EPOCH,
            after_id=UUID(int=0),
            since=since[0] if since else None,
            until=until[0] if until else None,
            publisher=publisher,
        )

    async def _list(
        self, node: etree._Element, args: dict[str, str], *, headers_only: bool
    ) -> None:
        cursor = self._cursor(args)
        async with self.pool.acquire() as conn:
            records = await repository.records(
                conn,
                since=cursor.since,
                until=cursor.until,
                publisher=cursor.publisher,
                after=(cursor.after_time, cursor.after_id),
                limit=PAGE + 1,
            )
        if not records:
            raise OaiProtocolError("noRecordsMatch", "no record matches these arguments")
        for record in records[:PAGE]:
            self._record(node, record, cursor.prefix, headers_only=headers_only)
        token = _sub(node, "resumptionToken")
        if len(records) > PAGE:
            last = records[PAGE - 1]
            token.text = _encode(
                msgspec.structs.replace(cursor, after_time=last.updated_at, after_id=last.id)
            )
        elif "resumptionToken" not in args:
            node.remove(token)  # a complete list in one page carries no token

    def _record(
        self, node: etree._Element, record: OaiRecord, prefix: str, *, headers_only: bool
    ) -> None:
        identifier = self.identifier(record.id)
        parent = node if headers_only else _sub(node, "record")
        header = _sub(parent, "header")
        if record.status == "withdrawn":
            header.set("status", "deleted")
        _sub(header, "identifier", identifier)
        _sub(header, "datestamp", _stamp(record.updated_at))
        _sub(header, "setSpec", f"publisher:{record.publisher_id}")
        if headers_only or record.status == "withdrawn":
            return
        build = FORMATS[prefix][2]
        _sub(parent, "metadata").append(build(record, self.vocab.label, identifier))


OaiProvider: TypeAlias = NamedDependency[Provider]
"""The OAI-PMH provider (``oai``), as handlers ask for it."""
