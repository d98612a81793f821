"""OAI-PMH 2.0: a harvesting client, and a connector reading saved ListRecords responses.

The client speaks through an injected ``httpx.AsyncClient``: Identify (granularity),
ListMetadataFormats (the LOM format is chosen by its namespace, since no prefix is standard),
ListSets, ListRecords with the resumption token sent alone. ``noRecordsMatch`` is an empty
list; timeouts, 5xx and 429 are retried, after the source's Retry-After when it gives one
(seconds or an HTTP date, bounded), with backoff otherwise; any other OAI error, or a body
that is not OAI-PMH, raises OaiError with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
import msgspec
import structlog
from lxml import etree
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

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
MAX_RETRY_AFTER_S = 120.0  # a source asking for a longer wait is asked again after this
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
        raise OaiError(f"réponse de plus de {MAX_RESPONSE_BYTES} octets")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise OaiError("réponse avec une DTD refusée")
    try:
        root = etree.fromstring(data, _SAFE)
    except etree.XMLSyntaxError as exc:
        raise OaiError(f"XML illisible : {exc}") from None
    if root.tag != _q("OAI-PMH"):
        raise OaiError(f"pas une réponse OAI-PMH (racine {root.tag})")
    error = root.find(_q("error"))
    if error is not None and error.get("code") != "noRecordsMatch":
        raise OaiError(f"erreur OAI {error.get('code')} : {(error.text or '').strip()}")
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


class _UnavailableError(Exception):
    """An attempt worth repeating: the source unreachable, busy (503, 429) or failing (5xx)."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


def retry_after_s(value: str | None, *, now: datetime | None = None) -> float | None:
    """A Retry-After header's wait, in seconds or until an HTTP date; None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None  # not an HTTP date (those are always GMT)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class OaiClient:
    """Each request is tried RETRIES times: after a failure it waits the source's Retry-After
    (on 503 or 429, at most `max_wait_s`), otherwise `backoff_s` doubled at each attempt."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        *,
        backoff_s: float = 0.5,
        max_wait_s: float = MAX_RETRY_AFTER_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self.http = http
        self.base_url = base_url
        self.backoff_s = backoff_s
        self.max_wait_s = max_wait_s
        self._retrying = AsyncRetrying(
            stop=stop_after_attempt(RETRIES),
            wait=self._wait,
            retry=retry_if_exception_type(_UnavailableError),
            before_sleep=_log_retry,
            sleep=sleep,
            reraise=True,
        )

    async def _get(self, **params: str) -> etree._Element:
        retrying = self._retrying.copy()  # its state is this request's
        try:
            response: httpx.Response = await retrying(self._attempt, params)
        except _UnavailableError as exc:
            raise OaiError(
                f"source injoignable après {RETRIES} tentatives ({exc.reason})"
            ) from None
        return parse_response(response.content)

    async def _attempt(self, params: dict[str, str]) -> httpx.Response:
        try:
            response = await self.http.get(self.base_url, params=params)
        except httpx.TransportError as exc:
            raise _UnavailableError(type(exc).__name__) from exc
        status = response.status_code
        if status >= 500 or status == 429:
            wait = retry_after_s(response.headers.get("Retry-After"))
            raise _UnavailableError(f"HTTP {status}", wait if status in (429, 503) else None)
        if status != 200:
            raise OaiError(f"HTTP {status} reçu de la source")
        return response

    def _wait(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _UnavailableError) and failure.retry_after_s is not None:
            return min(failure.retry_after_s, self.max_wait_s)
        return float(self.backoff_s * 2 ** (state.attempt_number - 1))

    async def granularity(self) -> str:
        root = await self._get(verb="Identify")
        return (root.findtext(f"{_q('Identify')}/{_q('granularity')}") or "YYYY-MM-DD").strip()

    async def lom_prefix(self) -> str:
        root = await self._get(verb="ListMetadataFormats")
        for fmt in root.iter(_q("metadataFormat")):
            namespace = (fmt.findtext(_q("metadataNamespace")) or "").strip()
            if namespace in LOM_NAMESPACES:
                return (fmt.findtext(_q("metadataPrefix")) or "").strip()
        raise OaiError("la source n'offre aucun format de métadonnées LOM")

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


def _log_retry(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome else None
    reason = failure.reason if isinstance(failure, _UnavailableError) else repr(failure)
    log.info("oai retry", attempt=state.attempt_number, reason=reason)


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
