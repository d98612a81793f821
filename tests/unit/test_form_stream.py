"""Multipart forms read as they stream (catalogue.form_stream), the body cut anywhere: the
first field read alone and handed on again, fields then files, and what is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from catalogue.errors import InvalidInputError
from catalogue.form_stream import StreamedForm, first_field, multipart_boundary

BOUNDARY = b"----cut-anywhere"


def part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    return f"--{BOUNDARY.decode()}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + (
        value + b"\r\n"
    )


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--" + BOUNDARY + b"--\r\n"


class Messages:
    """An ASGI ``receive`` handing ``data`` on in messages of ``size`` bytes, counting them."""

    def __init__(self, data: bytes, size: int) -> None:
        self._chunks = [data[i : i + size] for i in range(0, len(data), size)]
        self.taken = 0

    async def __call__(self) -> Any:
        chunk = self._chunks[self.taken]
        self.taken += 1
        return {"type": "http.request", "body": chunk, "more_body": self.taken < len(self._chunks)}


async def collected(form: StreamedForm, field: str) -> list[tuple[str, bytes]]:
    return [(f.filename, b"".join([c async for c in f.chunks])) async for f in form.files(field)]


def test_the_boundary_of_a_multipart_body_only() -> None:
    assert multipart_boundary('multipart/form-data; boundary="abc"') == b"abc"
    assert multipart_boundary("multipart/form-data") is None
    assert multipart_boundary("application/x-www-form-urlencoded") is None
    assert multipart_boundary(None) is None


@pytest.mark.parametrize("size", [1, 7, 64, 100_000])
async def test_the_first_field_is_read_alone_and_the_body_handed_on_whole(size: int) -> None:
    pdf = b"%PDF-1.7\n" + bytes(5000)
    data = body(part("_csrf_token", b"a" * 64), part("titre", b"T"), part("f", pdf, "a.pdf"))
    receive = Messages(data, size)
    token, again = await first_field(receive, BOUNDARY, "_csrf_token")
    assert token == "a" * 64
    # Only the messages up to the end of the first part were taken.
    assert receive.taken * size <= len(part("_csrf_token", b"a" * 64)) + 2 * size + 64
    form = StreamedForm(again, BOUNDARY, limit=len(data))
    assert dict((await form.fields(leave_out="_csrf_token")).items()) == {"titre": "T"}
    assert await collected(form, "f") == [("a.pdf", pdf)]


@pytest.mark.parametrize(
    "data",
    [
        body(part("titre", b"T"), part("_csrf_token", b"a" * 64)),
        body(part("_csrf_token", b"a" * 64, "token.txt")),
        body(part("_csrf_token", b"a" * 2000)),
        body(part("_csrf_token", "é".encode())),
        b"not multipart at all",
        body(),
    ],
)
async def test_a_first_part_that_is_not_the_field_gives_nothing(data: bytes) -> None:
    token, _ = await first_field(Messages(data, 10), BOUNDARY, "_csrf_token")
    assert token is None


async def test_a_long_preamble_is_not_kept_to_find_the_first_field() -> None:
    junk = Messages(bytes(10 * 1024 * 1024) + body(part("_csrf_token", b"a" * 64)), 4096)
    token, _ = await first_field(junk, BOUNDARY, "_csrf_token")
    assert token is None
    assert junk.taken * 4096 <= 16 * 1024 + 4096


async def test_fields_and_files_through_chunks_of_one_byte() -> None:
    data = body(
        part("titre", b"Les fractions"),
        part("description", "Séquence".encode()),
        part("fichiers", b"%PDF-1", "un.pdf"),
        part("fichiers", b"", ""),  # a file input left empty
        part("fichiers", b"\x89PNG\r\n\x1a\n" + bytes(300), "deux.png"),
    )
    form = StreamedForm(Messages(data, 1), BOUNDARY, limit=len(data))
    assert dict((await form.fields()).items()) == {
        "titre": "Les fractions",
        "description": "Séquence",
    }
    assert await collected(form, "fichiers") == [
        ("un.pdf", b"%PDF-1"),
        ("deux.png", b"\x89PNG\r\n\x1a\n" + bytes(300)),
    ]


async def test_a_file_left_unread_is_skipped_before_the_next() -> None:
    data = body(part("f", b"a" * 1000, "a.txt"), part("f", b"bb", "b.txt"))
    form = StreamedForm(Messages(data, 50), BOUNDARY, limit=len(data))
    await form.fields()
    names = [file.filename async for file in form.files("f")]
    assert names == ["a.txt", "b.txt"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (body(part("f", b"x", "a.txt"), part("titre", b"T")), "les fichiers viennent en dernier"),
        (body(part("autre", b"x", "a.txt")), "les fichiers viennent en dernier"),
        (body(part("f", b"x", "")), "un fichier sans nom"),
        (body(part("f", b"x", "a.txt"))[:-10], "Formulaire illisible"),
    ],
)
async def test_what_a_browser_never_sends_is_refused(data: bytes, message: str) -> None:
    form = StreamedForm(Messages(data, 16), BOUNDARY, limit=len(data))
    await form.fields()
    with pytest.raises(InvalidInputError, match=message):
        await collected(form, "f")


async def test_long_fields_and_bodies_past_the_limit_are_refused() -> None:
    long_field = body(part("titre", bytes(70 * 1024)))
    form = StreamedForm(Messages(long_field, 4096), BOUNDARY, limit=len(long_field))
    with pytest.raises(InvalidInputError, match="trop long"):
        await form.fields()
    large = body(part("f", bytes(10_000), "a.bin"))
    form = StreamedForm(Messages(large, 1000), BOUNDARY, limit=5000)
    await form.fields()
    with pytest.raises(InvalidInputError, match="trop volumineux"):
        await collected(form, "f")


async def test_drain_reads_the_rest_of_the_body() -> None:
    data = body(part("f", bytes(10_000), "a.bin"), part("f", bytes(10_000), "b.bin"))
    receive = Messages(data, 1000)
    form = StreamedForm(receive, BOUNDARY, limit=len(data))
    await form.fields()
    files: AsyncIterator[Any] = form.files("f")
    first = await anext(files)
    await anext(first.chunks)  # a reader that stopped early (a refused file)
    await form.drain()
    assert receive.taken == len(receive._chunks)
