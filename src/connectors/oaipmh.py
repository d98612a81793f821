"""OAI-PMH 2.0: a harvesting client, and a connector reading saved ListRecords responses.

The client speaks through an injected ``httpx.AsyncClient``: Identify (granularity),
ListMetadataFormats (the LOM format is chosen by its namespace, since no prefix is standard),
ListSets, ListRecords with the resumption token sent alone. ``noRecordsMatch`` is an empty
list; timeouts and 5xx are retried with backoff; any other OAI error, or a body that is not
OAI-PMH, raises OaiError with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import msgspec
import structlog
from lxml import etree

from connectors.contract import Context, Record, Rejected
from connectors.lomfr import LomFrConnector

log = structlog.get_logger(__name__)

OAI = "http://www.openarchives.org/OAI/2.0/"
LOM_NAMESPACES = (
    "http://ltsc.ieee.org/xsd/LOM",
    "http://ltsc.ieee.org/xsd/lom",
    "http://www.lom-fr.fr/xsd/LOMFR",
    "http://www.lom-fr.fr/xsd/SCOLOMFR",
)
MAX_RESPONSE_BYTES = 50 * 1024 * 1024
RETRIES = 4
_SAFE = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


class OaiError(RuntimeError):
    """The source answered with an OAI error, or not with OAI-PMH at all."""


class OaiRecord(msgspec.Struct, kw_only=True):
    identifier: str
    datestamp: str
    deleted: bool
    metadata: bytes | None  # the metadata element's child, serialised


class OaiPage(msgspec.Struct, kw_only=True):
    records: list[OaiRecord]
    token: str | None
    size: int | None = None  # the whole list's, when the source says (completeListSize)


def _q(name: str) -> str:
    return f"{{{OAI}}}{name}"


def parse_response(data: bytes) -> etree._Element:
    """The OAI-PMH root; OaiError for garbage or an OAI error (noRecordsMatch: None)."""
    if len(data) > MAX_RESPONSE_BYTES:
        raise OaiError(f"response over {MAX_RESPONSE_BYTES} bytes")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise OaiError("response with a DTD refused")
    try:
        root = etree.fromstring(data, _SAFE)
    except etree.XMLSyntaxError as exc:
        raise OaiError(f"not XML: {exc}") from None
    if root.tag != _q("OAI-PMH"):
        raise OaiError(f"not an OAI-PMH response (root {root.tag})")
    error = root.find(_q("error"))
    if error is not None and error.get("code") != "noRecordsMatch":
        raise OaiError(f"OAI error {error.get('code')}: {(error.text or '').strip()}")
    return root


def records_page(root: etree._Element) -> OaiPage:
    container = root.find(_q("ListRecords"))
    if container is None:
        return OaiPage(records=[], token=None)  # noRecordsMatch
    records = []
    for record in container.findall(_q("record")):
        header = record.find(_q("header"))
        if header is None:
            continue
        metadata = record.find(_q("metadata"))
        payload = next(iter(metadata), None) if metadata is not None else None
        records.append(
            OaiRecord(
                identifier=(header.findtext(_q("identifier")) or "").strip(),
                datestamp=(header.findtext(_q("datestamp")) or "").strip(),
                deleted=header.get("status") == "deleted",
                metadata=etree.tostring(payload) if payload is not None else None,
            )
        )
    resumption = container.find(_q("resumptionToken"))
    token = (resumption.text or "").strip() if resumption is not None else ""
    size = resumption.get("completeListSize", "") if resumption is not None else ""
    return OaiPage(records=records, token=token or None, size=int(size) if size.isdigit() else None)


class OaiClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, *, backoff_s: float = 0.5):
        self.http = http
        self.base_url = base_url
        self.backoff_s = backoff_s

    async def _get(self, **params: str) -> etree._Element:
        for attempt in range(RETRIES):
            try:
                response = await self.http.get(self.base_url, params=params)
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}"
            else:
                if response.status_code < 500:
                    if response.status_code != 200:
                        raise OaiError(f"HTTP {response.status_code} from the source")
                    return parse_response(response.content)
                reason = f"HTTP {response.status_code}"
            log.info("oai retry", attempt=attempt + 1, reason=reason)
            await asyncio.sleep(self.backoff_s * 2**attempt)
        raise OaiError(f"source unreachable after {RETRIES} attempts ({reason})")

    async def granularity(self) -> str:
        root = await self._get(verb="Identify")
        return (root.findtext(f"{_q('Identify')}/{_q('granularity')}") or "YYYY-MM-DD").strip()

    async def lom_prefix(self) -> str:
        root = await self._get(verb="ListMetadataFormats")
        for fmt in root.iter(_q("metadataFormat")):
            namespace = (fmt.findtext(_q("metadataNamespace")) or "").strip()
            if namespace in LOM_NAMESPACES:
                return (fmt.findtext(_q("metadataPrefix")) or "").strip()
        raise OaiError("the source offers no LOM metadata format")

    async def sets(self) -> list[str]:
        root = await self._get(verb="ListSets")
        return [(s.findtext(_q("setSpec")) or "").strip() for s in root.iter(_q("set"))]

    async def list_records(
        self,
        prefix: str,
        *,
        since: datetime | None = None,
        granularity: str = "YYYY-MM-DD",
        set_spec: str | None = None,
        token: str | None = None,
    ) -> AsyncIterator[OaiPage]:
        """Pages of records; a resumption token is sent alone, as the protocol requires."""
        if token:
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": prefix}
            if since:
                params["from"] = _oai_date(since, granularity)
            if set_spec:
                params["set"] = set_spec
        while True:
            page = records_page(await self._get(**params))
            yield page
            if not page.token:
                return
            params = {"verb": "ListRecords", "resumptionToken": page.token}


def _oai_date(moment: datetime, granularity: str) -> str:
    moment = moment.astimezone(UTC)
    if "hh" in granularity:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%d")


class OaiPmhConnector:
    """Reads a saved ListRecords response: its LOM records, through the lomfr connector."""

    name = "oaipmh"
    description = "Réponses OAI-PMH ListRecords enregistrées (métadonnées LOM / ScoLOMFR)"

    def read(self, data: bytes, context: Context) -> Iterator[Record | Rejected]:
        try:
            page = records_page(parse_response(data))
        except OaiError as exc:
            yield Rejected(message=str(exc))
            return
        lom = LomFrConnector()
        for record in page.records:
            if record.deleted or record.metadata is None:
                continue
            for result in lom.read(record.metadata, context):
                result.source_id = record.identifier
                yield result
