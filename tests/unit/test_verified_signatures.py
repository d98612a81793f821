"""Bearer tokens' signatures checked once per process and key (issue 22): the same token at
every request of its holder costs no second RSA check, while the key that checked it is still
the one published under its kid; everything else about the token is checked every time."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from catalogue.errors import UnauthorizedError
from catalogue.identity.jwks import KeyCache
from catalogue.identity.verifier import (
    VerifiedSignatures,
    unverified_header_and_issuer,
    verify_jwt,
)

ISSUER = "https://catalogue.test"
AUDIENCE = "catalogue-api"
FIRST = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})
# Another key published under the same kid (a rotation that reused it).
REPLACED = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})


class Published:
    """What the key cache reads: a new key set at each read, as from the database."""

    def __init__(self, key: RSAKey) -> None:
        self.key = key

    async def __call__(self) -> KeySet:
        return KeySet([RSAKey.import_key(self.key.as_dict(private=False))])


def token(key: RSAKey, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "someone", "exp": now + 600, **claims}
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "at+jwt"}, body, key)


async def verify(
    raw: str, keys: KeyCache, verified: VerifiedSignatures, audience: str = AUDIENCE
) -> dict[str, Any]:
    header, issuer = unverified_header_and_issuer(raw)
    return await verify_jwt(
        raw,
        header,
        keys,
        issuer=issuer,
        audience=audience,
        access_token=True,
        verified=verified,
    )


@pytest.fixture
def signature_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every signature check the verifier makes (joserfc's decode), by token."""
    checked: list[str] = []
    decode = jwt.decode  # the verifier's module calls it through joserfc.jwt

    def counting(value: str, *args: Any, **kwargs: Any) -> Any:
        checked.append(value)
        return decode(value, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    return checked


async def test_a_token_seen_again_is_not_checked_again(signature_checks: list[str]) -> None:
    keys = KeyCache(Published(FIRST), min_refresh_s=0)
    verified = VerifiedSignatures()
    raw = token(FIRST)
    first = await verify(raw, keys, verified)
    again = await verify(raw, keys, verified)
    assert again == first
    assert signature_checks == [raw]
    other = token(FIRST, sub="another")
    assert (await verify(other, keys, verified))["sub"] == "another"
    assert signature_checks == [raw, other]


async def test_a_key_set_read_again_checks_every_token_again(
    signature_checks: list[str],
) -> None:
    source = Published(FIRST)
    keys = KeyCache(source, min_refresh_s=0)
    verified = VerifiedSignatures()
    raw = token(FIRST)
    await verify(raw, keys, verified)
    # A rotation: the kid now names another key; the token's signature no longer holds.
    source.key = REPLACED
    keys.invalidate()
    with pytest.raises(UnauthorizedError, match="bad signature"):
        await verify(raw, keys, verified)
    assert signature_checks == [raw, raw]
    # The same key published again (read anew): checked once more, then remembered.
    source.key = FIRST
    keys.invalidate()
    await verify(raw, keys, verified)
    await verify(raw, keys, verified)
    assert signature_checks == [raw, raw, raw]


async def test_claims_are_checked_at_every_use(signature_checks: list[str]) -> None:
    keys = KeyCache(Published(FIRST), min_refresh_s=0)
    verified = VerifiedSignatures()
    raw = token(FIRST)
    await verify(raw, keys, verified)
    with pytest.raises(UnauthorizedError, match="invalid claim 'aud'"):
        await verify(raw, keys, verified, audience="another-api")
    expired = token(FIRST, exp=int(time.time()) - 3600)
    for _ in range(2):  # refused each time, never remembered
        with pytest.raises(UnauthorizedError, match="token expired"):
            await verify(expired, keys, verified)
    assert signature_checks == [raw, expired, expired]
    # What a caller does with the claims it got changes nothing remembered.
    (await verify(raw, keys, verified))["sub"] = "forged"
    assert (await verify(raw, keys, verified))["sub"] == "someone"


async def test_a_bounded_number_of_tokens_is_remembered(signature_checks: list[str]) -> None:
    keys = KeyCache(Published(FIRST), min_refresh_s=0)
    verified = VerifiedSignatures(size=2)
    raws = [token(FIRST, sub=f"s{n}") for n in range(3)]
    for raw in raws:
        await verify(raw, keys, verified)
    await verify(raws[0], keys, verified)  # the oldest was forgotten: checked again
    await verify(raws[2], keys, verified)  # still remembered
    assert signature_checks == [*raws, raws[0]]
