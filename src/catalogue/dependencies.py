"""What handlers may ask Litestar for, by name."""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
from litestar import Request
from litestar.di import NamedDependency, Provide

from catalogue.config import Settings
from catalogue.identity.authn import Authenticator

Pool: TypeAlias = NamedDependency[asyncpg.Pool]
AppSettings: TypeAlias = NamedDependency[Settings]
AppAuthenticator: TypeAlias = NamedDependency[Authenticator]


def _pool_of(request: Request[Any, Any, Any]) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


def _settings_of(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _authenticator_of(request: Request[Any, Any, Any]) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


DEPENDENCIES = {
    "authenticator": Provide(_authenticator_of, sync_to_thread=False),
    "pool": Provide(_pool_of, sync_to_thread=False),
    "settings": Provide(_settings_of, sync_to_thread=False),
}
