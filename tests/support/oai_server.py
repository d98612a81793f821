"""A small OAI-PMH 2.0 repository served on 127.0.0.1 for the harvester's tests."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

PAGE = 2
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"


def lom(title: str, url: str) -> str:
    return (
        f'<lom xmlns="{LOM_NS}"><general><identifier><catalog>URL</catalog>'
        f"<entry>{escape(url)}</entry></identifier><title><string>{escape(title)}</string>"
        "</title></general></lom>"
    )


@dataclass
class Item:
    identifier: str
    datestamp: str
    metadata: str | None  # None: deleted


@dataclass
class Repository:
    items: list[Item] = field(default_factory=list)
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    failures: int = 0  # answer 503 this many times first
    garbage_on_token: str | None = None  # answer garbage for this resumption token
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    page_delay_s: float = 0.0  # a slow source: each page of records takes this long

    def answer(self, params: dict[str, str]) -> tuple[int, str]:
        self.requests.append(params)
        if self.failures:
            self.failures -= 1
            return 503, "busy"
        verb = params.get("verb")
        if verb == "Identify":
            return 200, _envelope(
                f"<Identify><repositoryName>Test</repositoryName><baseURL>{self.url}</baseURL>"
                f"<protocolVersion>2.0</protocolVersion><granularity>{self.granularity}"
                "</granularity></Identify>"
            )
        if verb == "ListMetadataFormats":
            return 200, _envelope(
                "<ListMetadataFormats>"
                "<metadataFormat><metadataPrefix>oai_dc</metadataPrefix>"
                "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>"
                "</metadataFormat><metadataFormat><metadataPrefix>lom_test</metadataPrefix>"
                f"<metadataNamespace>{LOM_NS}</metadataNamespace></metadataFormat>"
                "</ListMetadataFormats>"
            )
        if verb == "ListRecords":
            return self._list_records(params)
        return 200, _envelope('<error code="badVerb">no such verb</error>')

    def _list_records(self, params: dict[str, str]) -> tuple[int, str]:
        time.sleep(self.page_delay_s)
        token = params.get("resumptionToken")
        if token is not None:
            if set(params) != {"verb", "resumptionToken"}:
                return 200, _envelope('<error code="badArgument">token is exclusive</error>')
            if token == self.garbage_on_token:
                return 200, "<html>gateway error</html>"
            start, since = token.split("|", 1)
            offset = int(start)
        else:
            if params.get("metadataPrefix") != "lom_test":
                return 200, _envelope('<error code="cannotDisseminateFormat">no</error>')
            offset, since = 0, params.get("from", "")
        chosen = [i for i in self.items if i.datestamp >= since]
        if not chosen:
            return 200, _envelope('<error code="noRecordsMatch">nothing</error>')
        page = chosen[offset : offset + PAGE]
        records = "".join(_record(i) for i in page)
        following = offset + PAGE
        next_token = f"{following}|{since}" if following < len(chosen) else ""
        return 200, _envelope(
            f'<ListRecords>{records}<resumptionToken completeListSize="{len(chosen)}">'
            f"{next_token}</resumptionToken></ListRecords>"
        )


def _record(item: Item) -> str:
    status = ' status="deleted"' if item.metadata is None else ""
    header = (
        f"<header{status}><identifier>{item.identifier}</identifier>"
        f"<datestamp>{item.datestamp}</datestamp></header>"
    )
    body = f"<metadata>{item.metadata}</metadata>" if item.metadata else ""
    return f"<record>{header}{body}</record>"


def _envelope(content: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        f"<responseDate>2026-11-29T10:00:00Z</responseDate><request>test</request>{content}"
        "</OAI-PMH>"
    )


@contextmanager
def serving(repository: Repository) -> Iterator[Repository]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the http.server API
            params = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            status, body = repository.answer(params)
            data = body.encode()
            with contextlib.suppress(ConnectionError):  # a harvester killed while it waited
                self.send_response(status)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    repository.url = f"http://127.0.0.1:{server.server_address[1]}/oai"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield repository
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
