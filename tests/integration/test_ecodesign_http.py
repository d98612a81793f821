"""Eco-design over HTTP (issue 19): static files under hashed addresses cached for a year,
pages tagged for conditional requests, answers compressed above 1 KB."""

from __future__ import annotations

import gzip
import re

import httpx

from catalogue.assets import STATIC_DIR, STATIC_PREFIX, folder_version


def _directives(value: str) -> set[str]:
    return {d.strip() for d in value.split(",")}


async def test_static_files_have_hashed_addresses_and_are_immutable(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/accessibilite")
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert sheets
    assert all(s.startswith(f"{STATIC_PREFIX}/") for s in sheets)
    assert f"/static/{folder_version(STATIC_DIR)}" == STATIC_PREFIX
    for sheet in sheets:
        answer = await client.get(sheet)
        assert answer.status_code == 200, sheet
        assert _directives(answer.headers["cache-control"]) == {
            "public",
            "max-age=31536000",
            "immutable",
        }
    font = await client.get(f"{STATIC_PREFIX}/dsfr/fonts/Marianne-Regular.woff2")
    assert font.status_code == 200
    assert "immutable" in font.headers["cache-control"]
    # Another version (an older page's) or no version at all: nothing there.
    assert (await client.get("/static/000000000000/site.css")).status_code == 404
    assert (await client.get("/static/site.css")).status_code == 404


async def test_a_page_has_an_etag_and_an_unchanged_page_is_a_304(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/accessibilite")
    tag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)
    assert first.headers["cache-control"] == "no-store"  # pages still show who is signed in
    again = await client.get("/accessibilite", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    weak = await client.get("/accessibilite", headers={"If-None-Match": f'"x", W/{tag}'})
    assert weak.status_code == 304
    stale = await client.get("/accessibilite", headers={"If-None-Match": '"autre"'})
    assert stale.status_code == 200
    assert stale.text == first.text
    # The API is not tagged by this layer, and a failed page is never a 304.
    assert "etag" not in (await client.get("/api/v1/vocabularies/022")).headers
    missing = await client.get(
        "/ressources/00000000-0000-0000-0000-000000000000", headers={"If-None-Match": "*"}
    )
    assert missing.status_code == 404


async def test_answers_above_1_kb_are_compressed(client: httpx.AsyncClient) -> None:
    raw = await client.get("/accessibilite", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    zipped = await client.send(
        client.build_request("GET", "/accessibilite", headers={"Accept-Encoding": "gzip"}),
        stream=True,
    )
    body = b"".join([chunk async for chunk in zipped.aiter_raw()])  # as sent, compressed
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert zipped.headers["etag"] == raw.headers["etag"]  # the tag names the page itself
    assert len(body) == int(zipped.headers["content-length"]) < len(raw.content)
    small = await client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers  # below 1 KB: as it is
    api = await client.get("/api/v1/vocabularies/022", headers={"Accept-Encoding": "gzip"})
    assert api.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == raw.content
