"""Launching a tool: third-party login initiation, the authentication request, the id_token,
and the Deep Linking response. A teacher appears to a tool only as their pseudonym for its
publisher; every refusal says why (LaunchRefused) and is logged without personal data."""

from __future__ import annotations

import time
from typing import Any, TypeAlias
from urllib.parse import urlencode
from uuid import UUID

import httpx
import msgspec
import structlog
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from litestar.di import NamedDependency

from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.errors import CatalogueError, UnauthorizedError
from catalogue.identity.jwks import KeyCache
from catalogue.identity.keys import SIGNING_ALGORITHM, current_signing_key, key_sealer
from catalogue.identity.models import Principal
from catalogue.identity.secrets import pseudonym
from catalogue.identity.verifier import unverified_header_and_issuer
from catalogue.lti import repository
from catalogue.lti.models import CLAIM, DL_CLAIM, INSTRUCTOR, LTI_VERSION, Link
from catalogue.lti.records import Launchable, PendingLaunch, Tool

log = structlog.get_logger(__name__)
ID_TOKEN_LIFETIME_S = 300
LEEWAY_S = 30
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"


class LaunchRefusedError(CatalogueError):
    """A refused launch: the teacher gets a page saying why, the operator a log line."""

    status = 400
    slug = "lti-launch-refused"
    title = "Lancement refusé"

    def __init__(self, detail: str, *, status: int) -> None:
        super().__init__(detail)
        self.status = status  # type: ignore[misc]  # per refusal: 400, 403 or 404


def refuse(reason: str, *, status: int = 400, client_id: str | None = None) -> LaunchRefusedError:
    log.info("lti launch refused", reason=reason, client_id=client_id)
    return LaunchRefusedError(reason, status=status)


class AuthRequest(msgspec.Struct, kw_only=True):
    """The tool's OIDC authentication request (query or form parameters)."""

    scope: str = ""
    response_type: str = ""
    response_mode: str = ""
    prompt: str = ""
    client_id: str = ""
    redirect_uri: str = ""
    state: str = ""
    nonce: str = ""
    login_hint: str = ""
    lti_message_hint: str = ""


class FormPost(msgspec.Struct, kw_only=True):
    """What the browser posts to the tool: an id_token and the tool's state."""

    action: str
    fields: dict[str, str]


async def start(
    conn: Connection,
    settings: Settings,
    principal: Principal,
    resource_id: UUID,
    *,
    deep_linking: bool = False,
    link_id: UUID | None = None,
) -> str:
    """Where to send the browser: the tool's login initiation URL for a new launch."""
    person_id = principal.person_id
    if person_id is None:
        raise refuse("Seule une personne connectée peut lancer un outil.", status=403)
    found = await repository.launchable(conn, resource_id, person_id, principal.establishment_uai)
    if found is None or found.tool_id is None:
        raise refuse("Cette ressource ne se lance pas par LTI.", status=404)
    _refuse_suspended(found)
    if not found.licensed:
        raise refuse(
            "Vous ne détenez pas de licence valide pour cette ressource.",
            status=403,
            client_id=found.client_id,
        )
    if link_id is not None and not await repository.owns_link(
        conn, link_id, person_id, resource_id
    ):
        raise refuse("Ce contenu n'est pas parmi les vôtres.", status=404)
    launch_id = await repository.insert_launch(
        conn,
        person_id,
        found.tool_id,
        resource_id,
        link_id=link_id,
        message_type=DEEP_LINKING if deep_linking else RESOURCE_LINK,
    )
    query = urlencode(
        {
            "iss": settings.issuer,
            "login_hint": str(launch_id),
            "lti_message_hint": str(launch_id),
            "target_link_uri": found.target_link_uri,
            "client_id": found.client_id,
            "lti_deployment_id": found.deployment_id,
        }
    )
    login_uri = found.initiate_login_uri
    assert login_uri is not None  # every tool has one (lti_tools)
    separator = "&" if "?" in login_uri else "?"
    return f"{login_uri}{separator}{query}"


async def authorize(
    conn: Connection,
    settings: Settings,
    pseudonym_key: bytes,
    principal: Principal,
    request: AuthRequest,
) -> FormPost:
    """Check the tool's authentication request and answer with a signed id_token."""
    tool = await repository.tool_by_client(conn, request.client_id)
    if tool is None:
        raise refuse("Outil inconnu (client_id).", client_id=request.client_id)
    _check_request(request, tool)
    if not await repository.use_nonce(conn, request.client_id, request.nonce):
        raise refuse("Nonce déjà utilisé : relancez la ressource.", client_id=request.client_id)
    try:
        launch_id = UUID(request.lti_message_hint or request.login_hint)
    except ValueError:
        raise refuse("Lancement inconnu.", client_id=request.client_id) from None
    launch = await repository.authorize_launch(conn, launch_id, principal.person_id)
    if launch is None or launch.tool_id != tool.id:
        raise refuse("Lancement inconnu, expiré ou déjà utilisé.", client_id=request.client_id)
    found = await repository.launchable(
        conn, launch.resource_id, principal.person_id, principal.establishment_uai
    )
    if found is None or not found.licensed:
        raise refuse("Votre licence n'est plus valide.", status=403, client_id=request.client_id)
    _refuse_suspended(found)
    claims = await _claims(
        conn, settings, pseudonym_key, principal, tool=tool, launch=launch, request=request
    )
    key = await current_signing_key(conn, key_sealer(settings))
    token = jwt.encode({"alg": SIGNING_ALGORITHM, "kid": key.kid, "typ": "JWT"}, claims, key)
    log.info("lti launch", client_id=tool.client_id, message_type=launch.message_type)
    return FormPost(action=request.redirect_uri, fields={"id_token": token, "state": request.state})


def _refuse_suspended(found: Launchable) -> None:
    if found.publisher_suspended:
        raise refuse(
            "L'éditeur de cette ressource est suspendu : ses outils ne se lancent plus.",
            status=403,
            client_id=found.client_id,
        )


def _check_request(request: AuthRequest, tool: Tool) -> None:
    if request.scope.split() != ["openid"] and "openid" not in request.scope.split():
        raise refuse("Requête d'authentification invalide (scope).", client_id=request.client_id)
    if request.response_type != "id_token":
        raise refuse(
            "Requête d'authentification invalide (response_type).", client_id=request.client_id
        )
    if request.response_mode not in ("", "form_post"):
        raise refuse(
            "Requête d'authentification invalide (response_mode).", client_id=request.client_id
        )
    if request.redirect_uri not in tool.redirect_uris:
        raise refuse(
            "Adresse de retour non enregistrée pour cet outil (redirect_uri).",
            client_id=request.client_id,
        )
    if not request.state:
        raise refuse(
            "Requête d'authentification invalide (state manquant).", client_id=request.client_id
        )
    if not request.nonce:
        raise refuse(
            "Requête d'authentification invalide (nonce manquant).", client_id=request.client_id
        )


async def _claims(
    conn: Connection,
    settings: Settings,
    pseudonym_key: bytes,
    principal: Principal,
    *,
    tool: Tool,
    launch: PendingLaunch,
    request: AuthRequest,
) -> dict[str, Any]:
    assert principal.person_id is not None
    context = await repository.launch_context(
        conn, launch.resource_id, tool.id, launch.link_id, principal.establishment_uai
    )
    assert context is not None
    now = int(time.time())
    target = context.link_url or context.target_link_uri
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": pseudonym(pseudonym_key, principal.person_id, tool.publisher_id),
        "iat": now,
        "exp": now + ID_TOKEN_LIFETIME_S,
        "nonce": request.nonce,
        f"{CLAIM}message_type": launch.message_type,
        f"{CLAIM}version": LTI_VERSION,
        f"{CLAIM}deployment_id": tool.deployment_id,
        f"{CLAIM}target_link_uri": target,
        f"{CLAIM}roles": [INSTRUCTOR],
        f"{CLAIM}tool_platform": {
            "guid": settings.issuer,
            "name": "Catalogue de ressources numériques éducatives",
            "product_family_code": "catalogue-ressources",
        },
        f"{CLAIM}launch_presentation": {
            "document_target": "window",
            "return_url": f"{settings.issuer}/",
            "locale": "fr-FR",
        },
        f"{CLAIM}custom": {**(context.custom or {}), **(context.link_custom or {})},
    }
    if context.uai:
        claims[f"{CLAIM}context"] = {
            "id": context.uai,
            "label": context.uai,
            "title": context.establishment_name,
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        }
    if launch.message_type == DEEP_LINKING:
        claims[f"{DL_CLAIM}deep_linking_settings"] = {
            "deep_link_return_url": f"{settings.issuer}/lti/deep-link/return",
            "accept_types": ["ltiResourceLink", "link"],
            "accept_presentation_document_targets": ["window", "iframe"],
            "accept_multiple": True,
            "auto_create": True,
            "title": context.title,
            "data": request.lti_message_hint or request.login_hint,
        }
    else:
        link = {
            "id": str(context.link_id or context.resource_id),
            "title": context.link_title or context.title,
        }
        claims[f"{CLAIM}resource_link"] = link
    return claims


# Deep Linking: the tool's signed answer


class ToolKeys:
    """Each tool's keys: given inline, or fetched from its JWKS URL and refetched on an
    unknown kid."""

    def __init__(self, http: httpx.AsyncClient, *, min_refresh_s: float = 10.0) -> None:
        self._http = http
        self._min_refresh_s = min_refresh_s
        self._caches: dict[str, KeyCache] = {}

    def cache(self, tool: Tool) -> KeyCache:
        cache = self._caches.get(tool.client_id)
        if cache is None:
            cache = self._caches[tool.client_id] = KeyCache(
                self._source(tool), min_refresh_s=self._min_refresh_s
            )
        return cache

    def _source(self, tool: Tool) -> Any:
        async def fetch() -> KeySet:
            if tool.jwks is not None:
                return KeySet.import_key_set(tool.jwks)  # type: ignore[arg-type]
            assert tool.jwks_uri is not None  # lti_tools holds a JWKS or its URL
            try:
                response = await self._http.get(tool.jwks_uri)
                response.raise_for_status()
                return KeySet.import_key_set(response.json())
            except (
                httpx.HTTPError,
                httpx.InvalidURL,
                ValueError,
                JoseError,
                TypeError,
                KeyError,
            ) as exc:
                raise UnauthorizedError(f"tool keys unreachable ({type(exc).__name__})") from None

        return fetch


async def deep_link_return(
    conn: Connection, settings: Settings, keys: ToolKeys, token: str
) -> list[Link]:
    """Verify a tool's LtiDeepLinkingResponse and keep the items the teacher picked."""
    try:
        header, client_id = unverified_header_and_issuer(token)
    except UnauthorizedError as exc:
        raise refuse(f"Réponse de l'outil illisible ({exc.detail}).") from None
    tool = await repository.tool_by_client(conn, client_id)
    if tool is None:
        raise refuse("Réponse d'un outil inconnu.", client_id=client_id)
    claims = await _verified(header, token, keys.cache(tool), tool, settings)
    if claims.get(f"{CLAIM}deployment_id") != tool.deployment_id:
        raise refuse("Déploiement inconnu (deployment_id).", client_id=client_id)
    if claims.get(f"{CLAIM}message_type") != "LtiDeepLinkingResponse":
        raise refuse("Message inattendu (message_type).", client_id=client_id)
    if claims.get(f"{CLAIM}version") != LTI_VERSION:
        raise refuse("Version LTI non prise en charge.", client_id=client_id)
    try:
        launch_id = UUID(str(claims.get(f"{DL_CLAIM}data", "")))
    except ValueError:
        raise refuse("Réponse sans lancement d'origine (data).", client_id=client_id) from None
    launch = await repository.return_deep_link(conn, launch_id, tool.id)
    if launch is None:
        raise refuse("Lancement inconnu, expiré ou déjà clos.", client_id=client_id)
    items = claims.get(f"{DL_CLAIM}content_items") or []
    if not isinstance(items, list):
        raise refuse("Contenus illisibles (content_items).", client_id=client_id)
    links: list[Link] = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in ("ltiResourceLink", "link"):
            continue
        link = await repository.insert_link(
            conn,
            person_id=launch.person_id,
            tool_id=tool.id,
            resource_id=launch.resource_id,
            kind=item["type"],
            title=str(item.get("title") or "")[:500],
            url=item.get("url"),
            custom=custom if isinstance(custom := item.get("custom"), dict) else {},
        )
        links.append(link)
    log.info("lti deep linking", client_id=client_id, items=len(links))
    return links


async def _verified(
    header: Any, token: str, cache: KeyCache, tool: Tool, settings: Settings
) -> dict[str, Any]:
    client_id = tool.client_id
    if header.alg != "RS256":
        raise refuse(f"Algorithme refusé ({header.alg or 'none'}).", client_id=client_id)
    if not header.kid:
        raise refuse("Réponse signée sans identifiant de clé (kid).", client_id=client_id)
    try:
        key = await cache.key(header.kid)
    except UnauthorizedError:
        raise refuse("Clé de signature inconnue (kid).", client_id=client_id) from None
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"]).claims
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": tool.client_id},
            aud={"essential": True, "value": settings.issuer},
            exp={"essential": True},
            iat={"essential": True},
        ).validate(claims)
    except JoseError as exc:
        raise refuse(f"Réponse de l'outil refusée ({exc.error}).", client_id=client_id) from None
    return claims


LtiToolKeys: TypeAlias = NamedDependency[ToolKeys]
"""The LTI tools' public keys, cached (``tool_keys``)."""
