"""Files of communs: types told by content, byte ranges, and the licence rules."""

from __future__ import annotations

import zipfile
from io import BytesIO
from uuid import UUID

import pytest

from catalogue.communs.files import byte_range, check_name, sniff
from catalogue.communs.models import Credit
from catalogue.communs.rules import check_licence
from catalogue.errors import RangeNotSatisfiableError, UnprocessableError


def _zip(first: str, content: bytes = b"x", *, stored: bool = False) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo(first), content)
        z.writestr("other.xml", b"<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (b"GIF89a...", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"ID3\x04\x00....", "audio/mpeg"),
        (b"OggS\x00....", "audio/ogg"),
        (b"\x00\x00\x00\x18ftypmp42....", "video/mp4"),
        (b"\x1a\x45\xdf\xa3....", "video/webm"),
        (b"<!DOCTYPE html><html></html>", "text/html"),
        (b"\xef\xbb\xbf  <html><body>", "text/html"),
        (b"Bonjour <script>alert(1)</script>", "text/html"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
        ("Cahier de textes, séance 1\n".encode(), "text/plain"),
        (b"\x7fELF\x02\x01\x01\x00", None),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", None),
        (b"\x00\x01\x02\x03", None),
    ],
)
def test_types_are_told_by_content(head: bytes, expected: str | None) -> None:
    assert sniff(head) == expected


def test_odf_ooxml_and_plain_zips_are_told_apart() -> None:
    odt = _zip("mimetype", b"application/vnd.oasis.opendocument.text", stored=True)
    assert sniff(odt[:1024]) == "application/vnd.oasis.opendocument.text"
    docx = _zip("word/document.xml")
    assert sniff(docx[:1024]).endswith("wordprocessingml.document")  # type: ignore[union-attr]
    site = _zip("index.html")
    assert sniff(site[:1024]) == "application/zip"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 10)),
        ("bytes=10-", (10, 100)),
        ("bytes=-5", (95, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=90-200", (90, 100)),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file
        ("items=0-1", None),
    ],
)
def test_byte_ranges(header: str | None, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=5-2", "bytes=-0"])
def test_a_range_outside_the_file_is_a_416(header: str) -> None:
    with pytest.raises(RangeNotSatisfiableError) as raised:
        byte_range(header, 100)
    assert raised.value.headers == {"Content-Range": "bytes */100"}


@pytest.mark.parametrize("name", ["", "a/b.pdf", "..", "x\x00.pdf", "x" * 201, "a\\b"])
def test_file_names_without_folders_or_control_characters(name: str) -> None:
    with pytest.raises(UnprocessableError):
        check_name(name)


def _credit(licence: str) -> Credit:
    return Credit(resource_id=UUID(int=1), title="Original", authors=["Collège"], licence=licence)


@pytest.mark.parametrize(
    ("licence", "earlier", "allowed"),
    [
        ("CC-BY-4.0", [], True),
        ("CC0-1.0", [], True),
        ("etalab-2.0", [], True),
        ("CC-BY-NC-4.0", [], False),
        ("CC-BY-SA-4.0", ["CC-BY-SA-4.0"], True),
        ("CC-BY-4.0", ["CC-BY-SA-4.0"], False),
        ("etalab-2.0", ["CC-BY-4.0", "CC-BY-SA-4.0"], False),  # share-alike anywhere up the chain
        ("CC0-1.0", ["CC-BY-4.0"], False),
        ("CC-BY-4.0", ["CC0-1.0"], True),
        ("CC-BY-SA-4.0", ["etalab-2.0"], True),
    ],
)
def test_licences_of_adaptations(licence: str, earlier: list[str], allowed: bool) -> None:
    chain = [_credit(e) for e in earlier]
    if allowed:
        check_licence(licence, chain)
    else:
        with pytest.raises(UnprocessableError):
            check_licence(licence, chain)
