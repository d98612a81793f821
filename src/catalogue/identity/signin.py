"""Sign-in of people with OpenID Connect: authorization code flow with PKCE (authlib)."""

from __future__ import annotations

from typing import Any

import httpx
import structlog
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from catalogue.config import OidcSettings, Settings
from catalogue.errors import UnauthorizedError, UpstreamUnavailableError
from catalogue.identity.authn import Authenticator
from catalogue.identity.claims import map_claims
from catalogue.identity.jwks import OidcProvider
from catalogue.identity.models import Principal
from catalogue.identity.verifier import unverified_header_and_issuer, verify_jwt

log = structlog.get_logger(__name__)


class OidcSignIn:
    def __init__(
        self,
        settings: Settings,
        oidc: OidcSettings,
        provider: OidcProvider,
        http: httpx.AsyncClient,
        authenticator: Authenticator,
    ) -> None:
        self.settings = settings
        self.oidc = oidc
        self.provider = provider
        self.http = http
        self.authenticator = authenticator

    @property
    def redirect_uri(self) -> str:
        return f"{self.settings.issuer}/auth/callback"

    async def start(self, next_path: str) -> tuple[str, dict[str, str]]:
        """The provider's URL to send the browser to, and what the session must remember."""
        metadata = await self.provider.metadata()
        pending = {
            "state": generate_token(32),
            "nonce": generate_token(32),
            "verifier": generate_token(64),
            "next": next_path,
        }
        url = prepare_grant_uri(
            metadata.authorization_endpoint,
            client_id=self.oidc.client_id,
            response_type="code",
            redirect_uri=self.redirect_uri,
            scope=self.oidc.scopes,
            state=pending["state"],
            nonce=pending["nonce"],
            code_challenge=create_s256_code_challenge(pending["verifier"]),
            code_challenge_method="S256",
        )
        return url, pending

    async def finish(self, pending: dict[str, Any] | None, params: dict[str, str]) -> Principal:
        if not pending or params.get("state") != pending.get("state"):
            raise UnauthorizedError("sign-in state mismatch: start again")
        if "error" in params:
            raise UnauthorizedError(f"the identity provider refused: {params['error']}")
        code = params.get("code")
        if not code:
            raise UnauthorizedError("no authorization code")
        id_token = await self._exchange(code, pending["verifier"])
        header, issuer = unverified_header_and_issuer(id_token)
        if issuer != self.provider.issuer:
            raise UnauthorizedError("ID token from another issuer")
        claims = await verify_jwt(
            id_token,
            header,
            self.provider.keys,
            issuer=issuer,
            audience=self.oidc.client_id,
            access_token=False,
        )
        if claims.get("nonce") != pending["nonce"]:
            raise UnauthorizedError("ID token nonce mismatch")
        principal = await self.authenticator.remember_person(
            issuer,
            claims["sub"],
            map_claims(claims, self.settings.claims),
            display_name=claims.get("name") or claims.get("given_name") or "",
            email=claims.get("email"),
        )
        log.info(
            "signed in", person_id=principal.id, roles=[str(r) for r in sorted(principal.roles)]
        )
        return principal

    async def _exchange(self, code: str, verifier: str) -> str:
        metadata = await self.provider.metadata()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": verifier,
            "client_id": self.oidc.client_id,
        }
        secret = self.oidc.client_secret
        try:
            response = await self.http.post(
                metadata.token_endpoint,
                data=form,
                auth=httpx.BasicAuth(self.oidc.client_id, secret)
                if secret
                else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as exc:
            raise UpstreamUnavailableError(
                f"identity provider unreachable ({type(exc).__name__})"
            ) from None
        if response.status_code != 200:
            raise UnauthorizedError(f"code exchange refused ({response.status_code})")
        try:
            id_token = response.json()["id_token"]
        except (ValueError, KeyError, TypeError):
            raise UnauthorizedError("code exchange gave no ID token") from None
        if not isinstance(id_token, str):
            raise UnauthorizedError("code exchange gave no ID token")
        return id_token
