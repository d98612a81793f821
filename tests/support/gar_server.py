"""A GAR subscription service stand-in: HTTPS on 127.0.0.1 that requires a client
certificate, recording each call (method, path, body) and answering as told.

Certificates are made on the spot with trustme: ``Pki.make(folder)`` writes the platform's
client certificate and key and the CA bundle that trusts the server, plus a stranger's
certificate (from another CA) that the server must refuse during the TLS handshake.

``GarService.connections`` counts the TLS connections it accepted (each a full handshake, the
client certificate checked); with ``idle_timeout_s`` the server closes a kept connection that
stays idle that long, as a real server's keep-alive timeout does.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

from catalogue.config import GarSettings

DISTRIBUTOR_ID = "123456789_0000000000000000"
ANSWERS = {"PUT": 201, "POST": 200, "DELETE": 204}


@dataclass(frozen=True)
class Pki:
    server_context: ssl.SSLContext  # the server's certificate; requires a client's from ours
    ca_bundle: Path  # what the platform checks the server with
    client_cert: Path
    client_key: Path
    stranger_cert: Path  # a client certificate from a CA the server does not trust
    stranger_key: Path

    @classmethod
    def make(cls, folder: Path) -> Pki:
        server_ca, client_ca, stranger_ca = trustme.CA(), trustme.CA(), trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ca.issue_cert("127.0.0.1").configure_cert(context)
        client_ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
        paths = {
            name: folder / f"{name}.pem"
            for name in ("ca", "client", "client-key", "stranger", "stranger-key")
        }
        server_ca.cert_pem.write_to_path(str(paths["ca"]))
        for name, ca in (("client", client_ca), ("stranger", stranger_ca)):
            issued = ca.issue_cert("catalogue-ressources.example.fr")
            for number, pem in enumerate(issued.cert_chain_pems):
                pem.write_to_path(str(paths[name]), append=number > 0)
            issued.private_key_pem.write_to_path(str(paths[f"{name}-key"]))
        return cls(
            server_context=context,
            ca_bundle=paths["ca"],
            client_cert=paths["client"],
            client_key=paths["client-key"],
            stranger_cert=paths["stranger"],
            stranger_key=paths["stranger-key"],
        )

    def settings(self, url: str, *, stranger: bool = False) -> GarSettings:
        return GarSettings(
            url=url,
            client_cert=self.stranger_cert if stranger else self.client_cert,
            client_key=self.stranger_key if stranger else self.client_key,
            ca_bundle=self.ca_bundle,
            distributor_id=DISTRIBUTOR_ID,
        )


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    body: bytes
    content_type: str | None


@dataclass
class GarService:
    pki: Pki
    received: list[Received] = field(default_factory=list)
    # Answer this status (and body) instead of the usual ones, for the next calls.
    failure: tuple[int, str] | None = None
    url: str = ""
    idle_timeout_s: float | None = None  # None: kept connections stay open
    connections: int = 0  # TLS handshakes that succeeded

    def answer(self, call: Received) -> tuple[int, str]:
        self.received.append(call)
        if self.failure is not None:
            return self.failure
        return ANSWERS[call.method], ""


@contextmanager
def serving(service: GarService) -> Iterator[GarService]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # connections kept open between calls, as a GAR would
        timeout = service.idle_timeout_s  # a connection idle this long is closed

        def _call(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            call = Received(
                method=self.command,
                path=self.path,
                body=self.rfile.read(length) if length else b"",
                content_type=self.headers.get("Content-Type"),
            )
            status, text = service.answer(call)
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload:
                self.wfile.write(payload)

        do_PUT = do_POST = do_DELETE = _call  # noqa: N815  # the http.server API

        def log_message(self, *_: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def get_request(self) -> tuple[socket.socket, Any]:
            accepted = super().get_request()  # the TLS handshake: a refused one raises
            service.connections += 1
            return accepted

    server = Server(("127.0.0.1", 0), Handler)
    # The handshake, client certificate check included, happens at accept: a refused one
    # never reaches the handler (http.server drops the connection and goes on).
    server.socket = service.pki.server_context.wrap_socket(server.socket, server_side=True)
    service.url = f"https://127.0.0.1:{server.server_address[1]}/abonnements"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
