"""The reviewer's forged tokens against a real `catalogue serve` in production mode.

tests/integration/test_bearer.py runs each refusal against the provider's tokens through the
ASGI app; here the platform's own tokens are forged, over HTTP, against the server as it is
deployed (production flag, JSON logs), and its log must never hold a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from catalogue.config import Settings
from catalogue.identity.keys import current_signing_key, key_sealer, rotate_signing_key
from catalogue.identity.tokens import API_AUDIENCE, issue_access_token
from tests.support.demo_server import Server
from tests.support.oidc_provider import new_key


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, body, _ = token.split(".")
    return (
        json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))),
        json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))),
    )


def _with_claims(token: str, **changes: Any) -> str:
    """The same signature over other claims: a tampered payload."""
    header, _, signature = token.split(".")
    _, claims = _segments(token)
    claims.update(changes)
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


class Forger:
    """Builds attacks from a genuine token and the platform's published keys."""

    def __init__(self, genuine: str, signing_key: RSAKey, admin_id: str) -> None:
        self.genuine = genuine
        self.key = signing_key
        self.admin_id = admin_id
        self.header, self.claims = _segments(genuine)

    def signed(self, key: RSAKey, header: dict[str, Any] | None = None, **claims: Any) -> str:
        body = {**self.claims, **claims}
        return jwt.encode(
            header or self.header, {k: v for k, v in body.items() if v is not None}, key
        )

    def unsigned(self) -> str:
        header = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
        return f"{header}.{_b64(json.dumps(self.claims).encode())}."

    def hs256_with_public_key(self) -> str:
        public_pem = self.key.as_pem(private=False)
        header = _b64(json.dumps({**self.header, "alg": "HS256"}).encode())
        body = _b64(json.dumps({**self.claims, "sub": self.admin_id}).encode())
        signature = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
        return f"{header}.{body}.{_b64(signature)}"

    def embedded_jwk(self) -> str:
        """An attacker's key offered in the header itself (jwk), with our kid."""
        theirs = new_key()
        header = {**self.header, "jwk": dict(theirs.as_dict(private=False))}
        return self.signed(theirs, header, sub=self.admin_id)


NOW = int(time.time())
ATTACKS: dict[str, Callable[[Forger], str]] = {
    "alg none": lambda f: f.unsigned(),
    "alg none, upper case": lambda f: f.unsigned().replace(
        _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode()),
        _b64(json.dumps({"alg": "NONE", "typ": "at+jwt"}).encode()),
    ),
    "HS256 keyed with the public key": lambda f: f.hs256_with_public_key(),
    "tampered payload (another subject)": lambda f: _with_claims(f.genuine, sub=f.admin_id),
    "tampered payload (longer life)": lambda f: _with_claims(f.genuine, exp=NOW + 10 * 86400),
    "signed by an unknown key, our kid": lambda f: f.signed(new_key()),
    "unknown kid": lambda f: f.signed(new_key(), {**f.header, "kid": "not-ours"}),
    "kid injection": lambda f: f.signed(new_key(), {**f.header, "kid": "' OR '1'='1"}),
    "kid-less, signed by another key": lambda f: f.signed(
        new_key(), {"alg": "RS256", "typ": "at+jwt"}
    ),
    "an attacker's jwk in the header": lambda f: f.embedded_jwk(),
    "wrong issuer": lambda f: f.signed(f.key, iss="https://evil.example"),
    "wrong audience": lambda f: f.signed(f.key, aud="another-api"),
    "expired": lambda f: f.signed(f.key, exp=NOW - 3600, iat=NOW - 7200, nbf=NOW - 7200),
    "not yet valid": lambda f: f.signed(f.key, nbf=NOW + 3600),
    "no expiry": lambda f: f.signed(f.key, exp=None),
    "no subject": lambda f: f.signed(f.key, sub=None),
    "unknown subject": lambda f: f.signed(f.key, sub="00000000-0000-4000-8000-000000000000"),
    "an ID token": lambda f: f.signed(f.key, {**f.header, "typ": "JWT"}, nonce="n"),
    "malformed": lambda _: "a.b",
    "oversized": lambda f: f.signed(f.key, padding="x" * 20_000),
}


@pytest.fixture
def production(settings: Settings, tmp_path: Path) -> Iterator[tuple[Server, Settings]]:
    """`catalogue serve` with the production flag, on the test's database."""
    env = {
        "DATABASE_URL": str(settings.database_url),
        "CATALOGUE_PRODUCTION": "true",
        "CATALOGUE_SECRET_KEY": str(settings.secret_key),
        "CATALOGUE_DATA_DIR": str(tmp_path),
        "CATALOGUE_EMBEDDED_WORKER": "false",
    }
    with Server(tmp_path / "serve.log", env=env) as server:
        yield server, msgspec.structs.replace(settings, port=server.port)


async def person(conn: asyncpg.Connection, subject: str, role: str) -> str:
    return str(
        await conn.fetchval(
            "INSERT INTO people (issuer, subject, roles) VALUES ('urn:t', $1, $2) RETURNING id",
            subject,
            [role],
        )
    )


async def test_forged_platform_tokens_are_refused_by_a_production_server(
    production: tuple[Server, Settings], conn: asyncpg.Connection
) -> None:
    server, settings = production
    teacher = await person(conn, "t", "teacher")
    admin = await person(conn, "a", "national_admin")
    genuine = await issue_access_token(conn, settings, subject=teacher)
    assert _segments(genuine)[1]["aud"] == API_AUDIENCE
    forger = Forger(genuine, await current_signing_key(conn, key_sealer(settings)), admin)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:

        async def status(token: str) -> httpx.Response:
            return await http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

        assert (await status(genuine)).status_code == 200
        forged = {name: attack(forger) for name, attack in ATTACKS.items()}
        # Once a second key is published, a token without kid is ambiguous: refused.
        await rotate_signing_key(conn, key_sealer(settings))
        forged["kid-less while two keys are published"] = forger.signed(
            forger.key, {"alg": "RS256", "typ": "at+jwt"}
        )
        accepted = []
        for name, token in forged.items():
            response = await status(token)
            if response.status_code != 401:
                accepted.append(f"{name}: {response.status_code}")
                continue
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["status"] == 401
        assert accepted == []
        assert (await status(genuine)).status_code == 200  # the genuine one still is

    server.stop()
    log = server.log.read_text()
    assert '"token refused"' in log  # one JSON line per refusal, with its reason
    for name, token in [*forged.items(), ("genuine", genuine)]:
        for part in token.split("."):
            if len(part) > 16:
                assert part not in log, f"a part of the token {name!r} is in the log"
