"""The verifier's key cache: exactly the keys published now."""

from __future__ import annotations

import asyncio

import pytest
from joserfc.jwk import KeySet, RSAKey

from catalogue.errors import UnauthorizedError
from catalogue.identity.jwks import KeyCache

KEYS = [
    RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256"}, private=False)
    for kid in ("a", "b")
]


class Source:
    def __init__(self, *kids: str) -> None:
        self.kids = list(kids)
        self.fetches = 0

    async def __call__(self) -> KeySet:
        self.fetches += 1
        published = KeySet([k for k in KEYS if k.kid in self.kids])
        await asyncio.sleep(0)  # the answer is on its way: what was published when asked
        return published


async def test_an_invalidated_cache_reads_the_keys_again() -> None:
    source = Source("a")
    cache = KeyCache(source, min_refresh_s=3600)
    await cache.key("a")
    source.kids = ["b"]
    cache.invalidate()
    assert (await cache.key("b")).kid == "b"
    with pytest.raises(UnauthorizedError, match="unknown signing key"):
        await cache.key("a")  # dropped at once, not kept after it left
    assert source.fetches == 2


async def test_keys_are_read_again_when_they_expire() -> None:
    source = Source("a", "b")
    cache = KeyCache(source, min_refresh_s=3600)
    await cache.key("a")
    cache.expire_within(0.05)
    source.kids = ["b"]
    await asyncio.sleep(0.06)  # time passing is the behaviour: past the 0.05 s expiry
    with pytest.raises(UnauthorizedError):
        await cache.key("a")
    assert source.fetches == 2


async def test_a_key_set_read_while_invalidated_is_read_again() -> None:
    source = Source("a")
    cache = KeyCache(source, min_refresh_s=3600)
    reading = asyncio.create_task(cache.key("a"))
    await asyncio.sleep(0)  # the read has begun with the old set
    source.kids = ["b"]
    cache.invalidate()
    await reading
    assert (await cache.key("b")).kid == "b"


async def test_a_token_without_kid_needs_a_single_published_key() -> None:
    source = Source("a")
    cache = KeyCache(source)
    assert (await cache.only_key()).kid == "a"
    source.kids = ["a", "b"]
    cache.invalidate()
    with pytest.raises(UnauthorizedError, match="several keys"):
        await cache.only_key()
