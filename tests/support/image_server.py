"""A publisher's image server on 127.0.0.1 for the thumbnails' tests: each path answers what
the test put there, and every request is counted."""

from __future__ import annotations

import io
import os
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


@dataclass
class Answer:
    body: bytes
    content_type: str = "image/png"
    status: int = 200
    location: str | None = None
    announce_length: bool = True  # False: no Content-Length, the body ends with the connection


@dataclass
class ImageServer:
    answers: dict[str, Answer] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    url: str = ""


def png(width: int, height: int, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def noise_png(width: int, height: int) -> bytes:
    """A PNG that does not compress (random pixels): its bytes grow with its size."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header announces ``width`` x ``height`` pixels (a decompression bomb
    is refused from its header: its pixels are never decoded)."""
    raw = png(1, 1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    start = 8  # after the signature: the IHDR chunk, 25 bytes
    return raw[:start] + ihdr + raw[start + 25 :]


@contextmanager
def serving(server: ImageServer) -> Iterator[ImageServer]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the http.server API
            server.hits[self.path] += 1
            answer = server.answers.get(self.path, Answer(b"not found", "text/plain", 404))
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            if answer.location:
                self.send_header("Location", answer.location)
            if answer.announce_length:
                self.send_header("Content-Length", str(len(answer.body)))
            else:
                self.close_connection = True
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *_: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{http.server_address[1]}"
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        http.shutdown()
        http.server_close()
        thread.join()
