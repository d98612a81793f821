"""Sign-in of people with OpenID Connect: authorization code flow with PKCE (authlib)."""

from __future__ import annotations

import hmac
from typing import Any, TypeAlias

import httpx
import structlog
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from litestar.di import NamedDependency

from catalogue.config import OidcSettings, Settings
from catalogue.errors import UnauthorizedError, UnprocessableError, UpstreamUnavailableError
from catalogue.identity.authn import Authenticator, match_value
from catalogue.identity.claims import map_claims
from catalogue.identity.jwks import PROVIDER_AWAY, OidcProvider
from catalogue.identity.models import Principal
from catalogue.identity.signing_in import AmbiguousPersonError
from catalogue.identity.verifier import unverified_header_and_issuer, verify_jwt

log = structlog.get_logger(__name__)


class SignInRefusedError(UnauthorizedError):
    """A sign-in that did not go through; ``explanation`` says why to the person, in French."""

    def __init__(self, detail: str, explanation: str) -> None:
        super().__init__(detail)
        self.explanation = explanation


_EXPIRED = "La demande de connexion a expiré ou a déjà servi."
_UNVERIFIED = "La réponse du fournisseur d'identité n'a pas pu être vérifiée."


def _same_state(pending: dict[str, Any] | None, given: str | None) -> bool:
    expected = pending.get("state") if pending else None
    if not isinstance(expected, str) or not isinstance(given, str):
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


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
        # A refusal signs nobody in: it is reported even from a provider that leaves out
        # the state (RFC 6749 asks for it), but with a state, only when it is ours.
        refused = "error" in params and (
            "state" not in params or _same_state(pending, params["state"])
        )
        if refused:
            raise SignInRefusedError(
                f"the identity provider refused: {params['error'][:100]}",
                "Le fournisseur d'identité a refusé la connexion.",
            )
        if not pending or not _same_state(pending, params.get("state")):
            raise SignInRefusedError("sign-in state mismatch: start again", _EXPIRED)
        code = params.get("code")
        if not code:
            raise SignInRefusedError("no authorization code", _UNVERIFIED)
        try:
            claims = await self._verified_claims(code, pending)
        except UnauthorizedError as exc:
            raise SignInRefusedError(exc.detail, _UNVERIFIED) from None
        access = map_claims(claims, self.settings.claims)
        if access.refused_uai is not None:
            # The UAI itself is no personal data; the person stays unnamed in the log.
            log.warning("sign-in refused: the identity provider's UAI has a wrong check letter")
            raise SignInRefusedError(
                "the identity provider's UAI claim has a wrong check letter",
                f"Votre fournisseur d'identité transmet un établissement invalide "
                f"({access.refused_uai}) : la connexion est refusée et rien n'est enregistré. "
                "Signalez-le à l'assistance de votre ENT.",
            )
        try:
            principal = await self.authenticator.remember_person(
                self.provider.issuer,
                claims["sub"],
                access,
                display_name=claims.get("name") or claims.get("given_name") or "",
                email=claims.get("email"),
                match_value=match_value(claims, self.settings),
            )
        except (AmbiguousPersonError, UnprocessableError) as exc:
            # Two provisioned people match, or the move to the establishment the provider
            # names is refused (a closed one): nothing stored, the person reads why.
            raise SignInRefusedError(exc.detail, exc.shown) from None
        log.info(
            "signed in", person_id=principal.id, roles=[str(r) for r in sorted(principal.roles)]
        )
        return principal

    async def _verified_claims(self, code: str, pending: dict[str, Any]) -> dict[str, Any]:
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
        if not hmac.compare_digest(str(claims.get("nonce", "")), str(pending["nonce"])):
            raise UnauthorizedError("ID token nonce mismatch")
        return claims

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
                f"identity provider unreachable ({type(exc).__name__})", public=PROVIDER_AWAY
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


SignIn: TypeAlias = NamedDependency[OidcSignIn | None]
"""The OpenID Connect sign-in, None when no provider is configured (``sign_in``)."""
