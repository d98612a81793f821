"""Multipart forms read as they stream (the ``multipart`` package's push parser): the fields
kept, each small; the files handed on chunk by chunk as the body arrives, never held whole.

The body is read from the ASGI messages, not through ``Request.stream()``: the app's body
limit (``max_body_bytes``) is for bodies held in memory, while a form with files is bounded
by its caller (``limit``, the whole body) and by the limits its files meet as they stream.
The parser holds at most the chunk being parsed (a part's head, 4 KiB at most, beside it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from contextlib import suppress
from typing import Any, NamedTuple

from litestar.datastructures import FormMultiDict
from litestar.types import Receive
from multipart import (  # type: ignore[import-untyped]
    MultipartError,
    MultipartSegment,
    PushMultipartParser,
    parse_options_header,
)

from catalogue.errors import InvalidInputError

MULTIPART = "multipart/form-data"
FIELD_BYTES = 64 * 1024  # a text field's most
MAX_PARTS = 100  # fields and files of one form
_FIRST_FIELD_BYTES = 1024  # the first part's value, read before the app runs (a CSRF token)
_FIRST_PART_BYTES = 16 * 1024  # the body read to find it (a preamble, the part's head)


class FilePart(NamedTuple):
    """A file of the form: its chunks are read as the body arrives, before the next part."""

    field: str
    filename: str
    chunks: AsyncIterator[bytes]


def multipart_boundary(content_type: str | None) -> bytes | None:
    """The boundary of a ``multipart/form-data`` body, None for any other body."""
    if not content_type:
        return None
    media_type, options = parse_options_header(content_type)
    boundary = options.get("boundary")
    return boundary.encode() if media_type == MULTIPART and boundary else None


async def first_field(receive: Receive, boundary: bytes, name: str) -> tuple[str | None, Receive]:
    """The value of the body's first part when it is the field ``name`` (not a file), read
    without taking more of the body than the messages holding that part, and a ``receive``
    that hands the app those messages again, then the rest as it comes. None when the first
    part is anything else, too long, or the body unreadable; at most 16 KiB (and the message
    that passes them) is read and kept to find it."""
    taken: deque[Any] = deque()

    async def again() -> Any:
        return taken.popleft() if taken else await receive()

    parser = PushMultipartParser(boundary)
    value = bytearray()
    more = True
    read = 0
    try:
        while more and read <= _FIRST_PART_BYTES:
            message = await receive()
            taken.append(message)
            if message["type"] != "http.request":
                return None, again
            more = message.get("more_body", False)
            body = message.get("body", b"")
            read += len(body)
            for event in parser.parse(body) if body or not more else ():
                if isinstance(event, MultipartSegment):
                    if event.name != name or event.filename is not None:
                        return None, again
                elif event is None:
                    return value.decode("ascii"), again
                else:
                    value += event
                    if len(value) > _FIRST_FIELD_BYTES:
                        return None, again
    except (MultipartError, UnicodeDecodeError):
        return None, again
    return None, again


class StreamedForm:
    """A ``multipart/form-data`` body read once, in order: ``fields()`` first (the fields
    before the files, as a browser sends a form whose file input comes last), then
    ``files()``, then ``drain()`` when the answer is sent before the body was all read."""

    def __init__(self, receive: Receive, boundary: bytes, *, limit: int) -> None:
        self._events = self._parse(receive, boundary, limit)
        self._next: MultipartSegment | None = None

    async def fields(self, *, leave_out: str = "") -> FormMultiDict:
        """The fields up to the first file (all of them when there is none), ``leave_out``
        left out (the CSRF token the middleware checked)."""
        found: list[tuple[str, str]] = []
        segment: MultipartSegment | None = None
        value = bytearray()
        async for event in self._events:
            if isinstance(event, MultipartSegment):
                if event.filename is not None:
                    self._next = event
                    break
                segment, value = event, bytearray()
            elif event is None:
                assert segment is not None  # the parser opens a part before closing it
                if segment.name != leave_out:
                    found.append((segment.name, _text(value)))
            else:
                value += event
                if len(value) > FIELD_BYTES:
                    raise InvalidInputError(
                        f"Champ « {segment.name if segment else ''} » trop long "
                        f"(au plus {FIELD_BYTES} octets)."
                    )
        return FormMultiDict(found)

    async def files(self, field: str) -> AsyncIterator[FilePart]:
        """The files of the input ``field``, in order; each one's chunks are to be read before
        the next file comes. A file input left empty (no name, no byte) is no file. A field
        after the files, or a file of another input, is refused: a browser sends neither."""
        while self._next is not None:
            segment, self._next = self._next, None
            if segment.filename is None or segment.name != field:
                raise InvalidInputError(
                    f"Formulaire refusé : les fichiers viennent en dernier, dans « {field} »."
                )
            chunks = self._chunks()
            if segment.filename == "":
                if await anext(chunks, b""):
                    raise InvalidInputError("Formulaire refusé : un fichier sans nom.")
            else:
                yield FilePart(segment.name, segment.filename, chunks)
            async for _ in chunks:  # what the reader left of this file
                pass
            event = await anext(self._events, None)
            assert event is None or isinstance(event, MultipartSegment)
            self._next = event

    async def drain(self) -> None:
        """What is left of the body, read and dropped: a browser still sending its files then
        reads the answer, not a reset connection."""
        with suppress(InvalidInputError):
            async for _ in self._events:
                pass

    async def _chunks(self) -> AsyncIterator[bytes]:
        async for event in self._events:
            if event is None:
                return
            assert isinstance(event, bytes | bytearray)
            yield bytes(event)

    async def _parse(self, receive: Receive, boundary: bytes, limit: int) -> AsyncIterator[Any]:
        parser = PushMultipartParser(boundary, max_segment_count=MAX_PARTS)
        try:
            async for chunk in _body(receive, limit):
                for event in parser.parse(chunk):
                    yield event
                if parser.closed:
                    return
            parser.close()
        except MultipartError as exc:
            raise InvalidInputError(f"Formulaire illisible : {exc}.") from exc


async def _body(receive: Receive, limit: int) -> AsyncIterator[bytes]:
    received = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise InvalidInputError("Envoi du formulaire interrompu.")
        body: bytes = message.get("body", b"")
        received += len(body)
        if received > limit:
            raise InvalidInputError(f"Formulaire trop volumineux (au plus {limit} octets).")
        if body:
            yield body
        if not message.get("more_body", False):
            return


def _text(value: bytearray) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError("Formulaire refusé : un champ n'est pas en UTF-8.") from exc
