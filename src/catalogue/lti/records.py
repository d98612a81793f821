"""The LTI platform's stored state, as the repository returns it (wire types: models.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec


class Tool(msgspec.Struct, kw_only=True):
    """A registered tool: how to reach it and how it proves who it is."""

    id: UUID
    publisher_id: UUID
    client_id: str
    deployment_id: str
    name: str
    initiate_login_uri: str
    redirect_uris: list[str]
    jwks_uri: str | None
    jwks: dict[str, Any] | None
    target_link_uri: str
    custom: dict[str, Any] | None


class Launchable(msgspec.Struct, kw_only=True):
    """A resource as a launch sees it: its tool (none when it is not launched by LTI),
    whether its publisher is suspended, whether this teacher holds a valid licence."""

    tool_id: UUID | None
    client_id: str | None
    deployment_id: str | None
    initiate_login_uri: str | None
    target_link_uri: str | None
    title: str
    publisher_suspended: bool | None
    licensed: bool


class PendingLaunch(msgspec.Struct, kw_only=True):
    """A launch its authentication request continues (authorised once)."""

    tool_id: UUID
    resource_id: UUID
    link_id: UUID | None
    message_type: str


class LaunchContext(msgspec.Struct, kw_only=True):
    """What the id_token of a launch says: the resource or picked link, the establishment."""

    resource_id: UUID
    title: str
    target_link_uri: str
    custom: dict[str, Any] | None
    deployment_id: str
    link_id: UUID | None
    link_title: str | None
    link_url: str | None
    link_custom: dict[str, Any] | None
    uai: str | None
    establishment_name: str | None


class DeepLinkLaunch(msgspec.Struct, kw_only=True):
    """The deep-linking launch a tool's response answers."""

    person_id: UUID
    resource_id: UUID


class PublisherTool(msgspec.Struct, kw_only=True):
    """A publisher's tool, with the resource it became."""

    client_id: str
    deployment_id: str
    name: str
    resource_id: UUID
