"""HTTP API of identity and access."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody

from catalogue.dependencies import AppSettings, Pool
from catalogue.errors import ForbiddenError, InvalidInputError
from catalogue.identity import clients, people, publishers
from catalogue.identity.authn import AppAuthenticator
from catalogue.identity.guards import PUBLIC, requires, signed_in
from catalogue.identity.keys import jwks_document
from catalogue.identity.models import (
    ADMIN_ROLES,
    ClientInfo,
    ClientSecret,
    Me,
    NewClient,
    NewPlatformClient,
    PersonView,
    PlatformClientSecret,
    Principal,
    Role,
    TokenResponse,
)
from catalogue.limits import TokenLimits, client_address
from catalogue.masking import masked_repr


class TokenRequest(msgspec.Struct, kw_only=True):
    grant_type: str
    scope: str | None = None
    client_id: str | None = None
    client_secret: str | None = None

    def __repr__(self) -> str:
        return masked_repr(self, secrets=frozenset({"client_secret"}))


class SessionsEnded(msgspec.Struct):
    ended: int


class IdentityController(Controller):
    path = "/api/v1"
    tags = ["identité"]  # noqa: RUF012  # Litestar reads it as a class attribute

    @get("/me", guards=[signed_in], summary="L'appelant : rôles, périmètres, identifiant")
    async def me(self, request: Request[Principal, Any, Any]) -> Me:
        principal = request.user
        return Me(
            id=principal.id,
            kind=principal.kind,
            roles=sorted(principal.roles),
            establishment_uai=principal.establishment_uai,
            academie=principal.academie,
            publisher_id=principal.publisher_id,
            scopes=sorted(principal.scopes),
        )

    @delete(
        "/me/sessions",
        guards=[signed_in],
        status_code=200,
        summary="Se déconnecter partout : ferme toutes ses sessions de navigateur",
    )
    async def end_my_sessions(
        self, request: Request[Principal, Any, Any], authenticator: AppAuthenticator
    ) -> SessionsEnded:
        person_id = request.user.person_id
        if person_id is None:
            raise ForbiddenError("Réservé aux personnes : un client machine n'a pas de session.")
        return SessionsEnded(ended=await authenticator.end_all_sessions(person_id))

    @get(
        "/people/{person_id:uuid}",
        guards=[requires(Role.TEACHER, *ADMIN_ROLES)],
        summary="Une personne de son périmètre",
    )
    async def person(
        self, request: Request[Principal, Any, Any], pool: Pool, person_id: FromPath[UUID]
    ) -> PersonView:
        return await people.read_person(pool, request.user, person_id)

    @get(
        "/establishments/{uai:str}/people",
        guards=[requires(*ADMIN_ROLES)],
        summary="Les personnes d'un établissement de son périmètre",
    )
    async def establishment_people(
        self, request: Request[Principal, Any, Any], pool: Pool, uai: FromPath[str]
    ) -> list[PersonView]:
        return await people.people_of_establishment(pool, request.user, uai)


class PublisherClientsController(Controller):
    path = "/api/v1/publishers"
    tags = ["éditeurs"]  # noqa: RUF012  # Litestar reads it as a class attribute

    @post("/", guards=[requires(Role.NATIONAL_ADMIN)], summary="Enregistrer un éditeur")
    async def create_publisher(
        self, pool: Pool, data: JSONBody[publishers.NewPublisher]
    ) -> publishers.PublisherView:
        return await publishers.create(pool, data)

    @get(
        "/{publisher_id:uuid}/clients",
        guards=[requires(Role.NATIONAL_ADMIN, Role.PUBLISHER)],
        summary="Les clients machine d'un éditeur",
    )
    async def list_clients(
        self, request: Request[Principal, Any, Any], pool: Pool, publisher_id: FromPath[UUID]
    ) -> list[ClientInfo]:
        clients.ensure_manages(request.user, publisher_id)
        return await clients.list_clients(pool, publisher_id)

    @post(
        "/{publisher_id:uuid}/clients",
        guards=[requires(Role.NATIONAL_ADMIN)],
        summary="Créer un client machine (le secret n'est montré qu'une fois)",
    )
    async def create_client(
        self,
        request: Request[Principal, Any, Any],
        pool: Pool,
        publisher_id: FromPath[UUID],
        data: JSONBody[NewClient],
    ) -> ClientSecret:
        return await clients.register(pool, request.user, publisher_id, data)

    @post(
        "/{publisher_id:uuid}/clients/{client_id:str}/rotation",
        guards=[requires(Role.NATIONAL_ADMIN, Role.PUBLISHER)],
        summary="Remplacer le secret d'un client (l'ancien cesse de fonctionner)",
    )
    async def rotate_client(
        self,
        request: Request[Principal, Any, Any],
        pool: Pool,
        publisher_id: FromPath[UUID],
        client_id: FromPath[str],
    ) -> ClientSecret:
        clients.ensure_manages(request.user, publisher_id)
        return await clients.rotate(pool, publisher_id, client_id)

    @delete(
        "/{publisher_id:uuid}/clients/{client_id:str}",
        guards=[requires(Role.NATIONAL_ADMIN, Role.PUBLISHER)],
        summary="Révoquer un client",
    )
    async def revoke_client(
        self,
        request: Request[Principal, Any, Any],
        pool: Pool,
        publisher_id: FromPath[UUID],
        client_id: FromPath[str],
    ) -> None:
        clients.ensure_manages(request.user, publisher_id)
        await clients.revoke(pool, publisher_id, client_id)


class PlatformClientsController(Controller):
    """Machine clients of the platform itself: an ENT (its médiacentre) or an identity
    provider (SCIM provisioning). Only a national administrator creates or revokes them."""

    path = "/api/v1/platform-clients"
    tags = ["identité"]  # noqa: RUF012  # Litestar reads it as a class attribute

    @post(
        "/",
        guards=[requires(Role.NATIONAL_ADMIN)],
        summary="Créer un client machine d'un ENT ou d'un fournisseur d'identité "
        "(le secret n'est montré qu'une fois)",
    )
    async def create_platform_client(
        self, request: Request[Principal, Any, Any], pool: Pool, data: JSONBody[NewPlatformClient]
    ) -> PlatformClientSecret:
        return await clients.register_platform_client(pool, request.user, data)

    @delete(
        "/{client_id:str}",
        guards=[requires(Role.NATIONAL_ADMIN)],
        summary="Révoquer un client de la plateforme",
    )
    async def revoke_platform_client(
        self, pool: Pool, authenticator: AppAuthenticator, client_id: FromPath[str]
    ) -> None:
        await clients.revoke_platform_client(pool, client_id)
        authenticator.clients.forget(client_id)  # here at once; elsewhere at the notice


@post(
    "/oauth/token",
    opt={PUBLIC: True},
    tags=["identité"],
    summary="Jeton d'accès des clients machine (OAuth 2.0 client credentials)",
    status_code=200,
)
async def token(
    request: Request[Any, Any, Any],
    *,
    pool: Pool,
    settings: AppSettings,
    token_limits: TokenLimits,
    data: URLEncodedBody[TokenRequest],
) -> TokenResponse:
    token_limits.check_address(client_address(request.scope))
    if data.grant_type != "client_credentials":
        raise InvalidInputError(
            "Seul le type d'autorisation client_credentials est accepté.",
            error="unsupported_grant_type",
        )
    client_id, client_secret = _client_authentication(request, data)
    token_limits.check_client(client_id)
    return await clients.client_credentials_token(
        pool, settings, client_id=client_id, client_secret=client_secret, scope=data.scope
    )


def _client_authentication(request: Request[Any, Any, Any], data: TokenRequest) -> tuple[str, str]:
    """HTTP Basic (client_secret_basic) or form fields (client_secret_post)."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(value).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise clients.InvalidClientError("malformed Basic credentials") from None
        return client_id, secret
    if data.client_id and data.client_secret:
        return data.client_id, data.client_secret
    raise clients.InvalidClientError("client authentication required")


@get("/.well-known/jwks.json", opt={PUBLIC: True}, tags=["identité"], summary="Clés publiques")
async def jwks(pool: Pool) -> dict[str, Any]:
    return await jwks_document(pool)
