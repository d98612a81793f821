"""LTI wire types. Registrations tolerate what real tools send (unknown fields, strings for
messages as Moodle does); the service checks what it needs and names what is missing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from catalogue.resources.models import OfferDraft

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI_VERSION = "1.3.0"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


class ToolConfiguration(msgspec.Struct, kw_only=True):
    domain: str | None = None
    target_link_uri: str | None = None
    description: str | None = None
    custom_parameters: dict[str, str] = msgspec.field(default_factory=dict)
    claims: list[str] = msgspec.field(default_factory=list)
    messages: list[dict[str, Any] | str] = msgspec.field(default_factory=list)


class ToolRegistration(msgspec.Struct, kw_only=True):
    """An OpenID Connect client registration with the LTI tool configuration."""

    client_name: str | None = None
    initiate_login_uri: str | None = None
    redirect_uris: list[str] = msgspec.field(default_factory=list)
    jwks_uri: str | None = None
    logo_uri: str | None = None
    configuration: ToolConfiguration | None = msgspec.field(default=None, name=TOOL_CONFIGURATION)


class ManualTool(ToolRegistration, kw_only=True):
    """Through the API a publisher may give its keys inline and the offers it sells."""

    jwks: dict[str, Any] | None = None
    offers: list[OfferDraft] = msgspec.field(default_factory=list)


class RegisteredTool(msgspec.Struct, kw_only=True):
    client_id: str
    deployment_id: str
    name: str
    resource_id: UUID
    issuer: str
    authorization_endpoint: str
    jwks_uri: str
    deep_link_return_url: str


class RegistrationStart(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tool_registration_url: str


class RegistrationUrl(msgspec.Struct, kw_only=True):
    """Open `url` in the browser: the tool reads our configuration and registers itself."""

    url: str
    expires_in: int


class Link(msgspec.Struct, kw_only=True):
    id: UUID
    resource_id: UUID
    kind: str
    title: str
    url: str | None
