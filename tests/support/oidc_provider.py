"""A small OpenID Connect provider for tests, reached through httpx.MockTransport.

It signs with real RSA keys, publishes a real JWKS, runs the authorization code flow with
PKCE (S256) and hands out single-use codes.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

ISSUER = "https://idp.test"
CLIENT_ID = "catalogue-web"
CLIENT_SECRET = "idp-client-secret"
API_AUDIENCE = "catalogue-api"


def new_key() -> RSAKey:
    return RSAKey.generate_key(
        2048, parameters={"kid": secrets.token_hex(4), "use": "sig", "alg": "RS256"}
    )


class FakeProvider:
    def __init__(self) -> None:
        self.keys = [new_key()]
        self.codes: dict[str, dict[str, Any]] = {}
        self.jwks_fetches = 0
        self.id_token_kid = True  # False: ID tokens without kid, as many providers sign them
        self.person: dict[str, Any] = {"roles": ["teacher"], "uai": "0754321P", "academie": "paris"}
        self.transport = httpx.MockTransport(self.handle)

    @property
    def key(self) -> RSAKey:
        return self.keys[-1]

    def rotate(self) -> None:
        self.keys.append(new_key())

    def sign(
        self,
        claims: dict[str, Any],
        *,
        key: RSAKey | None = None,
        header: dict[str, Any] | None = None,
    ) -> str:
        key = key or self.key
        return jwt.encode(header or {"alg": "RS256", "kid": key.kid, "typ": "at+jwt"}, claims, key)

    def access_token(self, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": API_AUDIENCE,
            "sub": "agent-42",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "client_id": CLIENT_ID,
            "roles": ["teacher"],
            "uai": "0754321P",
            "academie": "paris",
        }
        claims.update(overrides)
        return self.sign({k: v for k, v in claims.items() if v is not None})

    def authorize(self, url: str) -> str:
        """What a browser would be redirected to after signing in at the provider."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["response_type"] == "code"
        assert query["client_id"] == CLIENT_ID
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = query
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token",
                    "jwks_uri": f"{ISSUER}/jwks",
                },
            )
        if path == "/jwks":
            self.jwks_fetches += 1
            return httpx.Response(200, json=KeySet(list(self.keys)).as_dict(private=False))
        if path == "/token" and request.method == "POST":
            return self._token(request)
        return httpx.Response(404)

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        expected_auth = httpx.BasicAuth(CLIENT_ID, CLIENT_SECRET)._auth_header
        if request.headers.get("authorization") != expected_auth:
            return httpx.Response(401, json={"error": "invalid_client"})
        asked = self.codes.pop(form.get("code", ""), None)  # single use
        if asked is None or form.get("redirect_uri") != asked["redirect_uri"]:
            return httpx.Response(400, json={"error": "invalid_grant"})
        if create_s256_code_challenge(form.get("code_verifier", "")) != asked["code_challenge"]:
            return httpx.Response(400, json={"error": "invalid_grant"})
        now = int(time.time())
        id_claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": self.person.get("sub", "agent-42"),
            "iat": now,
            "exp": now + 300,
            "nonce": asked["nonce"],
            **{k: v for k, v in self.person.items() if k != "sub"},
        }
        header = {"alg": "RS256", "typ": "JWT"}
        if self.id_token_kid:
            header["kid"] = str(self.key.kid)
        id_token = self.sign(id_claims, header=header)
        return httpx.Response(
            200,
            json={
                "id_token": id_token,
                "access_token": self.access_token(),
                "token_type": "Bearer",
            },
        )
