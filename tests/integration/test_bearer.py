"""Bearer access tokens: the provider's and the platform's, and every way a token is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import asyncpg
import httpx
import pytest
from joserfc import jwt

from catalogue.config import Settings
from catalogue.demo.identities import seed_identities
from catalogue.errors import UnauthorizedError
from catalogue.identity.demo import demo_token
from tests.logs import capture_logs
from tests.support.oidc_provider import ISSUER, FakeProvider, new_key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, object]) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def hs256_with_public_key(provider: FakeProvider, claims: dict[str, object]) -> str:
    """The classic confusion attack: HMAC keyed with the RSA public key."""
    public_pem = provider.key.as_pem(private=False)
    header = _b64(json.dumps({"alg": "HS256", "kid": provider.key.kid, "typ": "at+jwt"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


def tampered(token: str) -> str:
    header, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["roles"] = ["national_admin"]
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def without_kid_among_two_keys(provider: FakeProvider) -> str:
    provider.rotate()
    return provider.sign(claims_of(provider), header={"alg": "RS256", "typ": "at+jwt"})


def claims_of(provider: FakeProvider) -> dict[str, object]:
    token = provider.access_token()
    return jwt.decode(token, provider.key).claims


NOW = int(time.time())
BAD_TOKENS: dict[str, tuple[Callable[[FakeProvider], str], str]] = {
    "expired": (
        lambda p: p.access_token(exp=NOW - 3600, iat=NOW - 7200, nbf=NOW - 7200),
        "expired",
    ),
    "not yet valid": (lambda p: p.access_token(nbf=NOW + 3600), "not yet valid"),
    "wrong audience": (lambda p: p.access_token(aud="another-api"), "'aud'"),
    "wrong issuer": (lambda p: p.access_token(iss="https://evil.test"), "unknown issuer"),
    "alg none": (lambda p: unsigned(claims_of(p)), "'none'"),
    "HS256 with the public key": (lambda p: hs256_with_public_key(p, claims_of(p)), "'HS256'"),
    "unknown kid": (
        lambda p: p.sign(claims_of(p), key=new_key()),
        "unknown signing key",
    ),
    # Without kid, a token is refused when the provider publishes several keys (with one
    # key, OIDC Core allows it: see test_a_token_without_kid_is_accepted_from_a_single_key).
    "no kid, several keys": (without_kid_among_two_keys, "kid"),
    "tampered payload": (lambda p: tampered(p.access_token()), "bad signature"),
    "missing sub": (lambda p: p.access_token(sub=None), "'sub'"),
    "missing exp": (lambda p: p.access_token(exp=None), "'exp'"),
    "an ID token": (
        lambda p: p.sign(
            {**claims_of(p), "nonce": "n"}, header={"alg": "RS256", "kid": p.key.kid, "typ": "JWT"}
        ),
        "not an access token",
    ),
    "garbage": (lambda _: "not-a-jwt", "malformed"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_bad_tokens_get_401_and_one_log_line_without_the_token(
    oidc_client: httpx.AsyncClient, provider: FakeProvider, case: str
) -> None:
    make, reason = BAD_TOKENS[case]
    token = make(provider)
    with capture_logs() as logs:
        response = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    # The reason is the operator's (one log line), never the caller's: it would guide a forger.
    assert response.json()["detail"] == UnauthorizedError.generic_detail
    refusals = [line for line in logs if line["event"] == "token refused"]
    assert len(refusals) == 1
    assert reason in refusals[0]["reason"]
    assert token not in repr(logs)


async def test_a_provider_access_token_maps_claims_to_roles(
    oidc_client: httpx.AsyncClient, provider: FakeProvider, conn: asyncpg.Connection
) -> None:
    token = provider.access_token(roles=["teacher", "unknown-role"], uai=["0754321p"])
    response = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    me = response.json()
    assert (me["roles"], me["establishment_uai"], me["academie"]) == (
        ["teacher"],
        "0754321P",
        "paris",
    )
    assert await conn.fetchval("SELECT count(*) FROM people WHERE issuer = $1", ISSUER) == 1
    again = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert again.json()["id"] == me["id"]


async def test_keys_are_cached_and_refetched_for_an_unknown_kid(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    for _ in range(3):
        ok = await oidc_client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {provider.access_token()}"}
        )
        assert ok.status_code == 200
    assert provider.jwks_fetches == 1

    provider.rotate()
    rotated = await oidc_client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {provider.access_token()}"}
    )
    assert rotated.status_code == 200
    assert provider.jwks_fetches == 2


async def test_a_token_with_too_few_rights_gets_403(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    response = await oidc_client.post(
        "/api/v1/publishers",
        json={"name": "Éditions X"},
        headers={"Authorization": f"Bearer {provider.access_token(roles=['teacher'])}"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_demo_tokens_go_through_the_same_verification(
    oidc_client: httpx.AsyncClient, oidc_settings: Settings, conn: asyncpg.Connection
) -> None:
    await seed_identities(conn)
    token = await demo_token(conn, oidc_settings, "national_admin")
    response = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["roles"] == ["national_admin"]
    broken = await oidc_client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tampered(token)}"}
    )
    assert broken.status_code == 401


async def test_other_authorization_schemes_are_refused(oidc_client: httpx.AsyncClient) -> None:
    response = await oidc_client.get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status_code == 401
    assert (await oidc_client.get("/api/v1/me")).status_code == 401


async def test_a_token_without_kid_is_accepted_from_a_single_key(
    oidc_client: httpx.AsyncClient, provider: FakeProvider
) -> None:
    """OIDC Core 1.0, 10.1: with one key in the provider's JWKS, the kid may be left out."""
    token = provider.sign(claims_of(provider), header={"alg": "RS256", "typ": "at+jwt"})
    response = await oidc_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert tampered(token) != token
    forged = await oidc_client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {tampered(token)}"}
    )
    assert forged.status_code == 401
