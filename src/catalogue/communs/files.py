"""Files of communs: their type told by their content, their size counted as they stream."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterable, AsyncIterator

from catalogue.errors import RangeNotSatisfiableError, UnprocessableError

SNIFF_BYTES = 1024
MAX_NAME = 200
_NAME = re.compile(r"^[^/\\\x00-\x1f\x7f]{1,200}$")
# Served as a download, never shown in the browser (active content).
ATTACHMENT_ONLY = frozenset({"text/html", "image/svg+xml", "text/plain"})
_MAGIC: list[tuple[int, bytes, str]] = [
    (0, b"%PDF-", "application/pdf"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
]
_ODF = re.compile(
    rb"^PK\x03\x04.{26}mimetype(application/vnd\.oasis\.opendocument\.[a-z.-]+)", re.S
)
_OOXML = {
    b"word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    b"xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    b"ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff(head: bytes) -> str | None:
    """The media type the first bytes show, or None for a type communs do not take."""
    for offset, magic, media_type in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return media_type
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return "image/webp" if head[8:12] == b"WEBP" else "audio/wav"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:11] == b"M4A" else "video/mp4"
    if head[:2] == b"\xff\xfb" or head[:2] == b"\xff\xf3":
        return "audio/mpeg"
    if head[:4] == b"PK\x03\x04":
        return _zip_type(head)
    return _text_type(head)


def _zip_type(head: bytes) -> str:
    odf = _ODF.match(head)
    if odf:
        return odf[1].decode()
    for folder, media_type in _OOXML.items():
        if folder in head:
            return media_type
    return "application/zip"


def _text_type(head: bytes) -> str | None:
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the head is still text.
        if exc.start < len(head) - 3:
            return None
        text = head[: exc.start].decode("utf-8")
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if "<svg" in lowered:
        return "image/svg+xml"
    if lowered.startswith(("<!doctype html", "<html", "<head", "<body", "<script")) or (
        "<script" in lowered or "<html" in lowered
    ):
        return "text/html"
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        return None
    return "text/plain"


def check_name(name: str) -> str:
    """A file's name as given, without folders or control characters (422 otherwise)."""
    name = name.strip()
    if not _NAME.match(name) or name in (".", ".."):
        message = f"Nom de fichier refusé : {name[:MAX_NAME]!r} (1 à 200 caractères, sans / ni \\)."
        raise UnprocessableError(message, errors=[{"key": "name", "message": message}])
    return name


class Upload:
    """The chunks of one upload passed on as they come: counted against the limits (a 422
    naming the file as soon as one is passed, so the store keeps nothing), hashed, and their
    type told from the first bytes."""

    def __init__(
        self, name: str, chunks: AsyncIterable[bytes], *, max_file: int, room: int
    ) -> None:
        self.name = name
        self._chunks = chunks
        self._max_file = max_file
        self._room = room
        self.size = 0
        self.media_type: str | None = None
        self._digest = hashlib.sha256()

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    async def stream(self) -> AsyncIterator[bytes]:
        head = b""
        async for chunk in self._chunks:
            if not chunk:
                continue
            self.size += len(chunk)
            if self.size > self._max_file:
                raise self.refused(
                    f"dépasse la taille maximale d'un fichier ({self._max_file} octets)"
                )
            if self.size > self._room:
                raise self.refused(
                    "dépasse la taille maximale des fichiers d'une ressource "
                    f"(reste {max(self._room, 0)} octets)"
                )
            self._digest.update(chunk)
            if self.media_type is None:
                head += chunk
                if len(head) < SNIFF_BYTES:
                    continue
                self._check_type(head)
                yield head
                continue
            yield chunk
        if self.size == 0:
            raise self.refused("est vide")
        if self.media_type is None:
            self._check_type(head)
            yield head

    def _check_type(self, head: bytes) -> None:
        media_type = sniff(head[:SNIFF_BYTES])
        if media_type is None:
            raise self.refused(
                "n'est pas d'un type accepté (PDF, image, audio, vidéo, document ODF ou OOXML, "
                "archive zip, texte)"
            )
        self.media_type = media_type

    def refused(self, why: str) -> UnprocessableError:
        message = f"Le fichier « {self.name} » {why}."
        return UnprocessableError(message, errors=[{"key": self.name, "message": message}])


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one range a ``Range`` header asks (start, end exclusive), or None for the whole
    file (no header, several ranges or a unit we do not serve: RFC 9110 lets us send it all).
    A range past the end is a 416."""
    if not header:
        return None
    found = _RANGE.match(header.strip())
    if found is None or found[1] == found[2] == "":
        return None
    first, last = found[1], found[2]
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0:
            raise RangeNotSatisfiableError(size)
        return max(size - length, 0), size
    start = int(first)
    end = size if last == "" else min(int(last) + 1, size)
    if start >= size or end <= start:
        raise RangeNotSatisfiableError(size)
    return start, end
