"""Registering a publisher's tool: through the API, or by LTI Dynamic Registration.

Either way the tool's keys must be readable, its URLs usable, and its offering becomes a
catalogue resource through the `lti` connector.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import httpx
import msgspec
import structlog
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.errors import PublisherSuspendedError, UnauthorizedError, UnprocessableError
from catalogue.lti import repository
from catalogue.lti.models import (
    PLATFORM_CONFIGURATION,
    TOOL_CONFIGURATION,
    ManualTool,
    RegisteredTool,
    RegistrationUrl,
    ToolRegistration,
)
from catalogue.lti.records import PublisherTool
from catalogue.outbound import url_problem
from catalogue.resources.models import Provenance, ResourceDraft
from catalogue.resources.service import save_resource
from catalogue.vocabularies.index import VocabularyIndex
from connectors.contract import Context, Rejected
from connectors.contract import get as connector

log = structlog.get_logger(__name__)
REGISTRATION_TOKEN_LIFETIME_S = 3600


def platform_configuration(settings: Settings) -> dict[str, Any]:
    """Our OpenID configuration, as a tool reads it during Dynamic Registration."""
    base = settings.issuer
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/lti/authorize",
        "registration_endpoint": f"{base}/lti/register",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "token_endpoint": f"{base}/oauth/token",
        "scopes_supported": ["openid"],
        "response_types_supported": ["id_token"],
        "response_modes_supported": ["form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["iss", "aud", "sub", "iat", "exp", "nonce"],
        PLATFORM_CONFIGURATION: {
            "product_family_code": "catalogue-ressources",
            "version": "1",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest"},
            ],
            "variables": [],
        },
    }


def registration_url(settings: Settings, tool_url: str, token: str) -> str:
    query = urlencode(
        {
            "openid_configuration": f"{settings.issuer}/lti/openid-configuration",
            "registration_token": token,
        }
    )
    return f"{tool_url}{'&' if '?' in tool_url else '?'}{query}"


async def start_dynamic_registration(
    conn: Connection, settings: Settings, publisher_id: UUID, tool_url: str
) -> RegistrationUrl:
    _check_url(settings, "tool_registration_url", tool_url)
    token = secrets.token_urlsafe(32)
    await repository.insert_registration_token(
        conn, _hash(token), publisher_id, REGISTRATION_TOKEN_LIFETIME_S
    )
    return RegistrationUrl(
        url=registration_url(settings, tool_url, token), expires_in=REGISTRATION_TOKEN_LIFETIME_S
    )


async def publisher_of_token(conn: Connection, token: str) -> UUID:
    publisher_id = await repository.use_registration_token(conn, _hash(token))
    if publisher_id is None:
        raise UnauthorizedError("registration token unknown, used or expired")
    if await repository.publisher_suspended(conn, publisher_id):
        raise PublisherSuspendedError
    return publisher_id


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class CheckedTool(msgspec.Struct, kw_only=True):
    """A registration checked (its URLs, its keys readable) and its new ids, before any
    write: `store_tool` writes it."""

    fields: dict[str, Any]
    jwks: dict[str, Any] | None
    client_id: str
    deployment_id: str
    draft: ResourceDraft
    via: str


async def check_tool(
    http: httpx.AsyncClient, settings: Settings, tool: ToolRegistration, *, via: str
) -> CheckedTool:
    """Everything a registration needs checked, outside any transaction (the tool's keys
    are fetched when it gives their URL)."""
    jwks = tool.jwks if isinstance(tool, ManualTool) else None
    checked = _checked(settings, tool, jwks, dynamic=via == "dynamic")
    client_id, deployment_id = secrets.token_urlsafe(16), secrets.token_urlsafe(12)
    draft = _offering(tool, client_id)
    if jwks is None:
        await _readable_keys(http, checked["jwks_uri"])
    return CheckedTool(
        fields=checked,
        jwks=jwks,
        client_id=client_id,
        deployment_id=deployment_id,
        draft=draft,
        via=via,
    )


async def store_tool(
    conn: Connection,
    vocab: VocabularyIndex,
    settings: Settings,
    *,
    publisher_id: UUID,
    tool: ToolRegistration,
    ready: CheckedTool,
) -> tuple[RegisteredTool, dict[str, Any]]:
    """In the caller's transaction: the tool, its resource and their link, written together
    or not at all. The registered tool, and the registration answer Dynamic Registration
    sends back."""
    checked, client_id, deployment_id = ready.fields, ready.client_id, ready.deployment_id
    configuration = tool.configuration
    custom = configuration.custom_parameters if configuration else {}
    tool_id = await repository.insert_tool(
        conn,
        publisher_id,
        client_id,
        deployment_id,
        checked["name"],
        checked["initiate_login_uri"],
        tool.redirect_uris,
        checked["jwks_uri"],
        ready.jwks,
        checked["target_link_uri"],
        custom,
        ready.via,
    )
    saved = await save_resource(
        conn, vocab, publisher_id, ready.draft, Provenance(connector="lti", source_id=client_id)
    )
    resource_id = saved.id
    await repository.bind_resource(conn, resource_id, tool_id)
    registered = RegisteredTool(
        client_id=client_id,
        deployment_id=deployment_id,
        name=checked["name"],
        resource_id=resource_id,
        issuer=settings.issuer,
        authorization_endpoint=f"{settings.issuer}/lti/authorize",
        jwks_uri=f"{settings.issuer}/.well-known/jwks.json",
        deep_link_return_url=f"{settings.issuer}/lti/deep-link/return",
    )
    answer = msgspec.to_builtins(tool)
    answer.pop("offers", None)
    answer.pop("jwks", None)
    answer["client_id"] = client_id
    answer[TOOL_CONFIGURATION] = {
        **(answer.get(TOOL_CONFIGURATION) or {}),
        "deployment_id": deployment_id,
    }
    return registered, answer


def _checked(
    settings: Settings, tool: ToolRegistration, jwks: dict[str, Any] | None, *, dynamic: bool
) -> dict[str, Any]:
    """What the platform needs of a registration, every missing or bad field named at once.

    Dynamic Registration must carry the LTI tool configuration claim (the tool's messages,
    its target); a publisher registering through the API may leave it out."""
    configuration = tool.configuration
    target = (configuration.target_link_uri if configuration else None) or next(
        iter(tool.redirect_uris), None
    )
    problems: list[dict[str, str]] = []
    if dynamic and configuration is None:
        problems.append({"key": TOOL_CONFIGURATION, "message": "required"})
    for field, value in (
        ("initiate_login_uri", tool.initiate_login_uri),
        ("target_link_uri", target),
    ):
        if not value:
            problems.append({"key": field, "message": "required"})
    if not tool.redirect_uris:
        problems.append({"key": "redirect_uris", "message": "at least one is required"})
    if not tool.jwks_uri and jwks is None:
        problems.append({"key": "jwks_uri", "message": "required (or jwks, through the API)"})
    urls = [("initiate_login_uri", tool.initiate_login_uri), ("jwks_uri", tool.jwks_uri)]
    urls += [("redirect_uris", uri) for uri in tool.redirect_uris]
    for field, url in urls:
        if url:
            problem = url_problem(url, production=settings.production)
            if problem:
                problems.append({"key": field, "message": f"{problem} ({url!r})"})
    if jwks is not None:
        try:
            KeySet.import_key_set(jwks)  # type: ignore[arg-type]  # checked here
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            problems.append({"key": "jwks", "message": f"unreadable key set ({exc})"})
    if problems:
        detail = "; ".join(f"{p['key']}: {p['message']}" for p in problems)
        raise UnprocessableError(f"Enregistrement refusé : {detail}", errors=problems)
    return {
        "name": (tool.client_name or "").strip() or "Outil LTI",
        "initiate_login_uri": tool.initiate_login_uri,
        "jwks_uri": tool.jwks_uri,
        "target_link_uri": target,
    }


def _check_url(settings: Settings, field: str, url: str) -> None:
    problem = url_problem(url, production=settings.production)
    if problem:
        message = f"{problem} ({url!r})"
        raise UnprocessableError(
            f"Enregistrement refusé : {field} : {message}",
            errors=[{"key": field, "message": message}],
        )


async def _readable_keys(http: httpx.AsyncClient, url: str) -> None:
    try:
        response = await http.get(url)
        response.raise_for_status()
        keys = KeySet.import_key_set(response.json())
    except (httpx.HTTPError, httpx.InvalidURL, ValueError, JoseError, TypeError, KeyError) as exc:
        raise UnprocessableError(
            f"Enregistrement refusé : jwks_uri illisible ({type(exc).__name__})",
            errors=[{"key": "jwks_uri", "message": f"injoignable ou illisible : {url}"}],
        ) from None
    if not keys.keys:
        raise UnprocessableError(
            "Enregistrement refusé : jwks_uri ne publie aucune clé",
            errors=[{"key": "jwks_uri", "message": "aucune clé"}],
        )


def _offering(tool: ToolRegistration, client_id: str) -> ResourceDraft:
    """The tool as a catalogue resource, read by the `lti` connector like any other source."""
    document = {**msgspec.to_builtins(tool), "client_id": client_id}
    document.pop("jwks", None)
    (record,) = connector("lti").read(msgspec.json.encode(document), Context())
    if isinstance(record, Rejected):
        raise UnprocessableError(f"Enregistrement refusé : {record.message}")
    return record.draft


async def tools_of_publisher(conn: Connection, publisher_id: UUID) -> list[PublisherTool]:
    """A publisher's LTI tools, each with the resource it became."""
    return await repository.tools_of_publisher(conn, publisher_id)
