"""Thumbnails from our origin (web/thumbnails.py): fetched from a publisher's server started
here on 127.0.0.1, resized, kept, cached; refused for internal addresses, oversized or
non-image answers, bombs and redirect loops, with a placeholder instead of a broken image."""

from __future__ import annotations

import html
import io
import re
from collections.abc import AsyncIterator, Iterator
from typing import cast
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest
from litestar.types import Scope
from PIL import Image

from catalogue.app import create_asgi_app
from catalogue.config import Settings, settings_from
from catalogue.demo import load_demo
from catalogue.errors import ConfigurationError
from catalogue.limits import outside_budgets
from catalogue.outbound import PublicOnlyTransport
from catalogue.web import thumbnails
from tests.integration.conftest import open_client
from tests.integration.test_pages import index_everything
from tests.support.image_server import Answer, ImageServer, bomb_png, noise_png, png, serving

PLACEHOLDER_GREY = (238, 238, 238)


@pytest.fixture
def images() -> Iterator[ImageServer]:
    with serving(ImageServer()) as server:
        yield server


@pytest.fixture
async def web(settings: Settings, conn: asyncpg.Connection) -> AsyncIterator[httpx.AsyncClient]:
    allowed = msgspec.structs.replace(settings, demo=True, thumbnails_allow_loopback=True)
    await load_demo(conn, allowed)
    async for c in open_client(create_asgi_app(allowed)):
        yield c


async def a_resource(conn: asyncpg.Connection, thumbnail_url: str | None) -> UUID:
    """A published resource of an approved publisher, its thumbnail at ``thumbnail_url``."""
    resource_id: UUID = await conn.fetchval(
        "SELECT id FROM visible_resources ORDER BY id LIMIT 1 OFFSET $1", 3
    )
    await conn.execute(
        "UPDATE resources SET thumbnail_url = $2 WHERE id = $1", resource_id, thumbnail_url
    )
    return resource_id


async def shown_image(web: httpx.AsyncClient, resource_id: UUID) -> dict[str, str]:
    page = await web.get(f"/ressources/{resource_id}")
    assert page.status_code == 200
    found = re.search(r'<img class="resource-image" ([^>]*)>', page.text)
    assert found, "no thumbnail on the resource page"
    return {k: html.unescape(v) for k, v in re.findall(r'([a-z-]+)="([^"]*)"', found[1])}


def pixels(answer: httpx.Response) -> Image.Image:
    assert answer.headers["content-type"] == "image/webp"
    image = Image.open(io.BytesIO(answer.content), formats=["WEBP"])
    image.load()
    return image


def directives(answer: httpx.Response) -> set[str]:
    return {d.strip() for d in answer.headers["cache-control"].split(",")}


def is_placeholder(answer: httpx.Response) -> bool:
    image = pixels(answer).convert("RGB")
    return image.getpixel((5, 5)) == PLACEHOLDER_GREY and "immutable" not in answer.headers.get(
        "cache-control", ""
    )


async def test_a_resource_page_shows_its_thumbnail_resized_on_our_origin(
    web: httpx.AsyncClient, conn: asyncpg.Connection, images: ImageServer
) -> None:
    images.answers["/cover.png"] = Answer(png(800, 1200))
    resource_id = await a_resource(conn, f"{images.url}/cover.png")
    title = await conn.fetchval("SELECT title FROM resources WHERE id = $1", resource_id)

    shown = await shown_image(web, resource_id)
    assert shown["alt"] == f"Vignette de « {title} »"
    assert (shown["width"], shown["height"], shown["loading"]) == ("320", "240", "lazy")
    assert shown["src"].startswith(f"/vignettes/{resource_id}/320/")
    assert images.hits["/cover.png"] == 0, "the page itself fetches nothing"

    answer = await web.get(shown["src"])
    assert answer.status_code == 200
    image = pixels(answer)
    assert image.size == (320, 240)
    red, _, _ = image.convert("RGB").getpixel((160, 120))  # type: ignore[misc]
    assert red > 150  # the publisher's red
    assert directives(answer) == {"public", "max-age=31536000", "immutable"}
    assert "set-cookie" not in answer.headers
    etag = answer.headers["etag"]

    again = await web.get(shown["src"], headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert (await web.get(shown["src"])).content == answer.content
    assert images.hits["/cover.png"] == 1, "kept in the data directory after the first fetch"


async def test_search_results_show_thumbnails_at_their_size(
    web: httpx.AsyncClient, settings: Settings, conn: asyncpg.Connection
) -> None:
    await index_everything(settings, conn)
    page = await web.get("/recherche")
    shown = re.findall(r'<img class="hit-image" [^>]*>', page.text)
    assert shown, "the demo's resources all have a thumbnail"
    assert all(
        'width="120" height="90" loading="lazy"' in tag and 'alt="Vignette de « ' in tag
        for tag in shown
    )
    assert all('src="/vignettes/' in tag for tag in shown), "never the publisher's address"


async def test_no_thumbnail_no_image(web: httpx.AsyncClient, conn: asyncpg.Connection) -> None:
    resource_id = await a_resource(conn, None)
    page = await web.get(f"/ressources/{resource_id}")
    assert "<img" not in page.text


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/page.png", Answer(b"<html><body>pas une image</body></html>")),  # by its bytes
        ("/logo.svg", Answer(b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml")),
        ("/bomb.png", Answer(bomb_png(30_000, 30_000))),
        ("/missing.png", Answer(b"", status=404)),
        ("/loop.png", Answer(b"", status=302, location="/loop.png")),
        ("/huge.png", Answer(noise_png(200, 200))),  # announced: over the limit
        ("/huge-stream.png", Answer(noise_png(200, 200), announce_length=False)),
    ],
)
async def test_what_cannot_be_a_thumbnail_gets_the_placeholder(
    web: httpx.AsyncClient,
    conn: asyncpg.Connection,
    images: ImageServer,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    answer: Answer,
) -> None:
    monkeypatch.setattr(thumbnails, "MAX_SOURCE_BYTES", 50_000)
    images.answers[path] = answer
    resource_id = await a_resource(conn, f"{images.url}{path}")
    src = (await shown_image(web, resource_id))["src"]

    first = await web.get(src)
    assert first.status_code == 200
    assert is_placeholder(first)
    assert directives(first) == {"public", "max-age=600"}
    asked = images.hits[path]
    assert 1 <= asked <= thumbnails.MAX_REDIRECTS + 1
    # Not asked again for a while, even once the publisher's server mends.
    images.answers[path] = Answer(png(400, 300))
    assert is_placeholder(await web.get(src))
    assert images.hits[path] == asked


async def test_a_redirect_within_bounds_is_followed(
    web: httpx.AsyncClient, conn: asyncpg.Connection, images: ImageServer
) -> None:
    images.answers["/old.png"] = Answer(b"", status=301, location="/new.png")
    images.answers["/new.png"] = Answer(png(300, 300))
    resource_id = await a_resource(conn, f"{images.url}/old.png")
    answer = await web.get((await shown_image(web, resource_id))["src"])
    assert pixels(answer).size == (320, 240)
    assert images.hits["/new.png"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/vignette.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/vignette.png",
        "http://192.168.1.1/vignette.png",
    ],
)
async def test_internal_addresses_are_refused(
    web: httpx.AsyncClient, conn: asyncpg.Connection, url: str
) -> None:
    resource_id = await a_resource(conn, url)
    answer = await web.get((await shown_image(web, resource_id))["src"])
    assert answer.status_code == 200
    assert is_placeholder(answer)


async def test_loopback_is_refused_unless_the_setting_allows_it(
    settings: Settings, conn: asyncpg.Connection, images: ImageServer
) -> None:
    images.answers["/cover.png"] = Answer(png(400, 300))
    await load_demo(conn, msgspec.structs.replace(settings, demo=True))
    resource_id = await a_resource(conn, f"{images.url}/cover.png")
    async for guarded in open_client(create_asgi_app(settings)):  # the default: refused
        answer = await guarded.get((await shown_image(guarded, resource_id))["src"])
        assert is_placeholder(answer)
    assert images.hits["/cover.png"] == 0


async def test_the_guard_refuses_internal_addresses_even_when_loopback_is_allowed() -> None:
    async def resolver(host: str, _port: int) -> list[str]:
        return {"intranet.example": ["10.1.2.3"], "local.example": ["127.0.0.1"]}[host]

    def answer(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"ok")

    guard = PublicOnlyTransport(httpx.MockTransport(answer), resolver, allow_loopback=True)
    async with httpx.AsyncClient(transport=guard) as client:
        with pytest.raises(httpx.ConnectError, match="internal address refused"):
            await client.get("http://intranet.example/x.png")
        assert (await client.get("http://local.example/x.png")).status_code == 200


def test_loopback_thumbnails_are_refused_in_production() -> None:
    with pytest.raises(ConfigurationError, match="CATALOGUE_THUMBNAILS_ALLOW_LOOPBACK"):
        settings_from(
            {
                "CATALOGUE_PRODUCTION": "1",
                "CATALOGUE_SECRET_KEY": "x" * 40,
                "CATALOGUE_THUMBNAILS_ALLOW_LOOPBACK": "1",
            }
        )
    assert settings_from({"CATALOGUE_THUMBNAILS_ALLOW_LOOPBACK": "1"}).thumbnails_allow_loopback


@pytest.mark.parametrize(
    "suffix",
    [
        "/320/0000000000000000.webp",  # another URL's digest
        "/999/{digest}.webp",  # a size no page shows
        "/320/{digest}.png",
        "/320/../../etc.webp",
    ],
)
async def test_addresses_no_page_gives_are_not_found(
    web: httpx.AsyncClient, conn: asyncpg.Connection, images: ImageServer, suffix: str
) -> None:
    url = f"{images.url}/cover.png"
    resource_id = await a_resource(conn, url)
    path = f"/vignettes/{resource_id}" + suffix.format(digest=thumbnails.url_digest(url))
    answer = await web.get(path)
    assert answer.status_code == 404
    assert images.hits["/cover.png"] == 0


async def test_a_draft_or_unknown_resource_has_no_thumbnail(
    web: httpx.AsyncClient, conn: asyncpg.Connection, images: ImageServer
) -> None:
    images.answers["/cover.png"] = Answer(png(400, 300))
    url = f"{images.url}/cover.png"
    resource_id = await a_resource(conn, url)
    await conn.execute("UPDATE resources SET status = 'draft' WHERE id = $1", resource_id)
    digest = thumbnails.url_digest(url)
    assert (await web.get(f"/vignettes/{resource_id}/320/{digest}.webp")).status_code == 404
    unknown = f"/vignettes/00000000-0000-0000-0000-000000000000/320/{digest}.webp"
    assert (await web.get(unknown)).status_code == 404
    assert images.hits["/cover.png"] == 0


def test_thumbnails_stay_outside_the_callers_budgets() -> None:
    """A results page asks for a score of thumbnails at once: like static files, they do not
    use up the visitor's requests and turns (which the page and its searches need; the whole
    browser suite met "Trop de requêtes" on a search page before)."""
    path = f"/vignettes/{UUID(int=7)}/120/{'0' * 16}.webp"
    assert outside_budgets(cast("Scope", {"type": "http", "path": path}))
    assert not outside_budgets(cast("Scope", {"type": "http", "path": "/recherche"}))
