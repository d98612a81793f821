"""Files from the communs' pages: the publish and edit forms send them in one submission
(multipart), streamed to the storage as the body comes; the CSRF token, the form's first
part, is checked before a byte of any file is stored."""

from __future__ import annotations

import asyncio
import html
import os
import re
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import msgspec
import pytest

from catalogue import app as app_module
from catalogue.app import create_asgi_app
from catalogue.config import Settings
from catalogue.demo import load_demo
from catalogue.storage import ObjectStorage, file_storage
from tests.integration.conftest import open_client
from tests.integration.search_corpus import MATHS, SIXIEME
from tests.integration.test_pages import csrf, sign_in

MAX_FILE = 200 * 1024
MAX_RESOURCE = 300 * 1024
PDF = b"%PDF-1.7\n" + os.urandom(60_000)
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(3_000)
BOUNDARY = "----formulaire-de-test-7f3a"
MULTIPART = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
CSRF_REFUSED = (
    "Jeton CSRF absent ou invalide : rechargez la page, puis envoyez à nouveau le formulaire."
)


@pytest.fixture
async def demo(settings: Settings, conn: asyncpg.Connection) -> Settings:
    demo = msgspec.structs.replace(
        settings, demo=True, commun_max_file_bytes=MAX_FILE, commun_max_resource_bytes=MAX_RESOURCE
    )
    await load_demo(conn, demo)
    return demo


@pytest.fixture
async def teacher(demo: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async for client in open_client(create_asgi_app(demo)):
        await sign_in(client, "teacher")
        yield client


def stored(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "files"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


async def communs_count(conn: asyncpg.Connection) -> int:
    count: int = await conn.fetchval("SELECT count(*) FROM communs")
    return count


def fields(client: httpx.AsyncClient | None, **values: str) -> dict[str, str]:
    """The publish form's fields, the CSRF token first as the page puts it."""
    token = {"_csrf_token": csrf(client)} if client is not None else {}
    return {
        **token,
        "titre": "Les fractions en images",
        "description": "Fiches et schémas.",
        "niveau": SIXIEME,
        "discipline": MATHS,
        "langue": "fre",
        "mots_cles": "fractions",
        "lien": "",
        "licence": "CC-BY-4.0",
        **values,
    }


def shown(answer: httpx.Response) -> str:
    """A page's text as read (entities such as ``&#39;`` decoded)."""
    return html.unescape(answer.text)


def part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
    if filename is not None:
        head += "Content-Type: application/octet-stream\r\n"
    return head.encode() + b"\r\n" + value + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def text_parts(values: dict[str, str]) -> bytes:
    return b"".join(part(name, value.encode()) for name, value in values.items())


async def test_a_commun_is_published_with_two_files_and_no_link_in_one_form(
    teacher: httpx.AsyncClient, demo: Settings
) -> None:
    form = await teacher.get("/communs/nouveau")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    assert 'class="fr-upload-group"' in form.text
    assert '<input class="fr-upload" type="file" id="fichiers" name="fichiers" multiple' in (
        form.text
    )
    assert "200 Ko par fichier, 300 Ko pour l'ensemble" in shown(form)
    assert "PDF" in form.text
    # The token first, the files last: the order the server reads them in.
    inside = form.text.split('enctype="multipart/form-data"')[1].split("</form>")[0]
    names = re.findall(r'name="([^"]+)"', inside)
    assert names[0] == "_csrf_token"
    assert names[-1] == "fichiers"
    published = await teacher.post(
        "/communs/nouveau",
        data=fields(teacher),
        files=[("fichiers", ("cours.pdf", PDF)), ("fichiers", ("schema.png", PNG))],
    )
    assert published.status_code == 303, published.text
    location = published.headers["location"]
    commun_id = location.split("/")[2].split("?")[0]
    fiche = await teacher.get(location)
    assert "cours.pdf" in fiche.text
    assert "schema.png" in fiche.text
    view = (await teacher.get(f"/api/v1/communs/{commun_id}")).json()
    assert view["link"] is None
    assert view["version"] == 1
    by_name = {f["name"]: f for f in view["files"]}
    assert by_name["cours.pdf"]["media_type"] == "application/pdf"
    assert by_name["schema.png"]["media_type"] == "image/png"
    pdf = await teacher.get(f"/api/v1/communs/{commun_id}/files/{by_name['cours.pdf']['id']}")
    assert pdf.content == PDF
    assert len(stored(demo)) == 2


async def test_the_edit_page_adds_a_file_to_a_new_version(
    teacher: httpx.AsyncClient, demo: Settings
) -> None:
    published = await teacher.post(
        "/communs/nouveau", data=fields(teacher), files=[("fichiers", ("cours.pdf", PDF))]
    )
    assert published.status_code == 303, published.text
    commun_id = published.headers["location"].split("/")[2].split("?")[0]
    edit_form = await teacher.get(f"/communs/{commun_id}/modifier")
    assert "Ajouter des fichiers" in edit_form.text
    assert "Fichiers actuels, conservés dans la nouvelle version : cours.pdf." in edit_form.text
    edited = await teacher.post(
        f"/communs/{commun_id}/modifier",
        data=fields(teacher, titre="Les fractions en images, version 2"),
        files=[("fichiers", ("schema.png", PNG))],
    )
    assert edited.status_code == 303, edited.text
    view = (await teacher.get(f"/api/v1/communs/{commun_id}")).json()
    assert view["version"] == 2
    assert sorted(f["name"] for f in view["files"]) == ["cours.pdf", "schema.png"]
    first = (await teacher.get(f"/api/v1/communs/{commun_id}/versions/1")).json()
    assert [f["name"] for f in first["files"]] == ["cours.pdf"]
    # An edit whose file input is left empty keeps the files, adds none.
    # (what a browser sends for it: a part with an empty file name and no byte).
    unchanged = await teacher.post(
        f"/communs/{commun_id}/modifier",
        content=body(text_parts(fields(teacher, titre="Version 3")), part("fichiers", b"", "")),
        headers=MULTIPART,
    )
    assert unchanged.status_code == 303, unchanged.text
    view = (await teacher.get(f"/api/v1/communs/{commun_id}")).json()
    assert view["version"] == 3
    assert len(view["files"]) == 2
    assert len(stored(demo)) == 2


async def test_an_empty_file_input_and_no_link_is_the_files_or_link_error(
    teacher: httpx.AsyncClient, conn: asyncpg.Connection
) -> None:
    before = await communs_count(conn)
    refused = await teacher.post(
        "/communs/nouveau",
        content=body(text_parts(fields(teacher)), part("fichiers", b"", "")),
        headers=MULTIPART,
    )
    assert refused.status_code == 422
    assert "fichiers ou un lien" in refused.text
    assert 'href="#lien"' in refused.text
    assert 'value="Les fractions en images"' in refused.text
    assert await communs_count(conn) == before


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("enorme.pdf", b"%PDF-1.7\n" + bytes(MAX_FILE), "taille maximale d'un fichier"),
        ("vide.pdf", b"", "est vide"),
        ("programme.pdf", b"\x7fELF\x02\x01\x01" + bytes(2000), "type accepté"),
    ],
)
async def test_a_refused_file_is_named_on_the_page_and_nothing_is_kept(
    teacher: httpx.AsyncClient,
    demo: Settings,
    conn: asyncpg.Connection,
    name: str,
    content: bytes,
    why: str,
) -> None:
    before = await communs_count(conn)
    # A good file first: it is stored, then removed with the refusal of the next.
    refused = await teacher.post(
        "/communs/nouveau",
        data=fields(teacher),
        files=[("fichiers", ("cours.pdf", PDF)), ("fichiers", (name, content))],
    )
    assert refused.status_code == 422, refused.text
    assert f"Le fichier « {name} »" in shown(refused)
    assert why in shown(refused)
    assert 'href="#fichiers"' in refused.text
    assert 'id="fichiers-erreur"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert 'value="Les fractions en images"' in refused.text
    assert "choisissez à nouveau vos fichiers" in shown(refused)
    assert stored(demo) == []
    assert await communs_count(conn) == before


async def test_the_files_of_a_commun_stay_within_its_limit_and_an_edit_refused_adds_no_version(
    teacher: httpx.AsyncClient, demo: Settings
) -> None:
    one = b"%PDF-1.7\n" + bytes(150 * 1024)
    too_many = await teacher.post(
        "/communs/nouveau",
        data=fields(teacher),
        files=[("fichiers", ("a.pdf", one)), ("fichiers", ("b.pdf", one))],
    )
    assert too_many.status_code == 422
    assert "Le fichier « b.pdf » dépasse la taille maximale des fichiers d'une ressource" in (
        shown(too_many)
    )
    assert stored(demo) == []
    twice = await teacher.post(
        "/communs/nouveau",
        data=fields(teacher),
        files=[("fichiers", ("a.pdf", PDF)), ("fichiers", ("a.pdf", PDF))],
    )
    assert twice.status_code == 422
    assert "Le fichier « a.pdf » est déposé deux fois" in shown(twice)
    assert stored(demo) == []
    published = await teacher.post(
        "/communs/nouveau", data=fields(teacher), files=[("fichiers", ("a.pdf", one))]
    )
    assert published.status_code == 303
    commun_id = published.headers["location"].split("/")[2].split("?")[0]
    edit = await teacher.post(
        f"/communs/{commun_id}/modifier",
        data=fields(teacher, titre="Trop"),
        files=[("fichiers", ("b.pdf", one))],
    )
    assert edit.status_code == 422
    assert "b.pdf" in edit.text
    assert 'value="Trop"' in edit.text
    view = (await teacher.get(f"/api/v1/communs/{commun_id}")).json()
    assert view["version"] == 1
    assert [f["name"] for f in view["files"]] == ["a.pdf"]
    assert len(stored(demo)) == 1


async def test_a_form_with_files_needs_its_csrf_token_first_and_nothing_is_stored_without(
    teacher: httpx.AsyncClient, demo: Settings, conn: asyncpg.Connection
) -> None:
    before = await communs_count(conn)
    token = csrf(teacher)
    values = fields(None)
    pdf = part("fichiers", PDF, "cours.pdf")
    forms = {
        "missing": body(text_parts(values), pdf),
        "wrong": body(part("_csrf_token", b"0" * 64), text_parts(values), pdf),
        "forged": body(part("_csrf_token", b"x" * 5000), text_parts(values), pdf),
        "after the file": body(text_parts(values), pdf, part("_csrf_token", token.encode())),
        "file first": body(pdf, part("_csrf_token", token.encode()), text_parts(values)),
        "token as a file": body(part("_csrf_token", token.encode(), "t.txt"), pdf),
        "unreadable": b"--nothing-like-the-boundary\r\n" + PDF,
    }
    for case, sent in forms.items():
        for path in ("/communs/nouveau", "/communs/00000000-0000-4000-8000-000000000001/modifier"):
            answer = await teacher.post(path, content=sent, headers=MULTIPART)
            assert answer.status_code == 403, (case, path, answer.text)
            assert answer.json()["detail"] == CSRF_REFUSED
    assert stored(demo) == []
    assert await communs_count(conn) == before
    # The token first: accepted; in the x-csrftoken header, the form needs none.
    first = await teacher.post(
        "/communs/nouveau",
        content=body(part("_csrf_token", token.encode()), text_parts(values), pdf),
        headers=MULTIPART,
    )
    assert first.status_code == 303, first.text
    header = await teacher.post(
        "/communs/nouveau",
        content=body(text_parts(values), part("fichiers", PNG, "schema.png")),
        headers={**MULTIPART, "x-csrftoken": token},
    )
    assert header.status_code == 303, header.text
    assert len(stored(demo)) == 2


async def test_a_field_after_the_files_is_refused_and_nothing_is_kept(
    teacher: httpx.AsyncClient, demo: Settings, conn: asyncpg.Connection
) -> None:
    before = await communs_count(conn)
    values = fields(teacher)
    keywords = values.pop("mots_cles")
    sent = body(
        text_parts(values), part("fichiers", PDF, "cours.pdf"), part("mots_cles", keywords.encode())
    )
    answer = await teacher.post("/communs/nouveau", content=sent, headers=MULTIPART)
    assert answer.status_code == 400
    assert "les fichiers viennent en dernier" in shown(answer)
    assert stored(demo) == []
    assert await communs_count(conn) == before


async def test_strangers_cannot_post_files(demo: Settings, conn: asyncpg.Connection) -> None:
    before = await communs_count(conn)
    async for anonymous in open_client(create_asgi_app(demo)):
        await anonymous.get("/communs/nouveau")  # a session, and its token
        files = [("fichiers", ("cours.pdf", PDF))]
        with_token = await anonymous.post("/communs/nouveau", data=fields(anonymous), files=files)
        assert with_token.status_code == 303
        assert with_token.headers["location"].startswith("/auth/login")
        anonymous.cookies.clear()
        without = await anonymous.post("/communs/nouveau", data=fields(None), files=files)
        assert without.status_code == 403
    # Another profile: an académie administrator has no publish page.
    async for admin in open_client(create_asgi_app(demo)):
        await sign_in(admin, "academie_admin")
        refused = await admin.post(
            "/communs/nouveau", data=fields(admin), files=[("fichiers", ("cours.pdf", PDF))]
        )
        assert refused.status_code == 403
    assert stored(demo) == []
    assert await communs_count(conn) == before


class WatchedStorage:
    """The app's storage, telling when the first bytes of a file reach it and how large the
    chunks it is handed are."""

    def __init__(self, inner: ObjectStorage) -> None:
        self._inner = inner
        self.name = inner.name
        self.reached = asyncio.Event()
        self.largest = 0

    async def put(self, key: str, chunks: AsyncIterable[bytes]) -> None:
        async def watched() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                self.largest = max(self.largest, len(chunk))
                self.reached.set()
                yield chunk

        await self._inner.put(key, watched())

    def read(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        return self._inner.read(key, start, end)

    async def delete(self, key: str) -> None:
        await self._inner.delete(key)


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> list[WatchedStorage]:
    made: list[WatchedStorage] = []

    def watching(settings: Settings) -> WatchedStorage:
        made.append(WatchedStorage(file_storage(settings)))
        return made[-1]

    monkeypatch.setattr(app_module, "file_storage", watching)
    return made


async def test_the_files_stream_to_the_storage_while_the_form_is_still_being_sent(
    demo: Settings, watched: list[WatchedStorage]
) -> None:
    """The storage has the file's first bytes before the browser has sent its last ones: the
    form is not read whole first (``request.form()`` would), no chunk handed on is larger
    than the chunks the body came in, and the file may be larger than the app's body limit."""
    chunk = 16 * 1024
    size = MAX_FILE - 1024
    late: list[str] = []

    async def sent(storage: WatchedStorage, head: bytes) -> AsyncIterator[bytes]:
        yield head
        yield b"%PDF-1.7\n"
        for _ in range((size - 9) // chunk):
            yield bytes(chunk)
        try:
            await asyncio.wait_for(storage.reached.wait(), timeout=5)
        except TimeoutError:
            late.append("the storage had no byte before the body's end")
        yield bytes((size - 9) % chunk) + f"\r\n--{BOUNDARY}--\r\n".encode()

    # The app's body limit is for bodies held in memory: a form's files are not held.
    small_bodies = msgspec.structs.replace(demo, max_body_bytes=64 * 1024)
    async for client in open_client(create_asgi_app(small_bodies)):
        await sign_in(client, "teacher")
        [storage] = watched
        head = (
            part("_csrf_token", csrf(client).encode())
            + text_parts(fields(None))
            + f"--{BOUNDARY}\r\n".encode()
            + b'Content-Disposition: form-data; name="fichiers"; filename="gros.pdf"\r\n'
            + b"Content-Type: application/pdf\r\n\r\n"
        )
        answer = await client.post(
            "/communs/nouveau", content=sent(storage, head), headers=MULTIPART
        )
        assert answer.status_code == 303, answer.text
        assert late == []
        assert storage.largest <= chunk + 128, storage.largest
        commun_id = answer.headers["location"].split("/")[2].split("?")[0]
        [stored_file] = (await client.get(f"/api/v1/communs/{commun_id}")).json()["files"]
        assert stored_file["size"] == size
