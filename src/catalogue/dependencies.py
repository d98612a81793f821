"""What handlers may ask Litestar for, by name.

The app's lifespan (``catalogue.app``) builds the long-lived objects once and keeps them on
``app.state``; this module is the only place that reads them back for handlers. A handler
declares what it uses, typed (``search: Search``), and never reads ``app.state`` itself.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
import httpx
from litestar import Request
from litestar.di import NamedDependency, Provide

from catalogue.config import Settings

Pool: TypeAlias = NamedDependency[asyncpg.Pool]
AppSettings: TypeAlias = NamedDependency[Settings]
PseudonymKey: TypeAlias = NamedDependency[bytes]
"""The key deriving a teacher's pseudonym for a publisher (``pseudonym_key``)."""
WebhookKey: TypeAlias = NamedDependency[bytes]
"""The key sealing webhook secrets (``webhook_key``)."""
PublisherHttp: TypeAlias = NamedDependency[httpx.AsyncClient]
"""The HTTP client for publishers' URLs (``publisher_http``)."""

# The names handlers ask for; each is the attribute of app.state the lifespan sets. The
# health probe and the metrics (``probe``, ``metrics``) are typed in their own modules.
_STATE_NAMES = (
    "accounts",
    "authenticator",
    "collections",
    "communs",
    "directory",
    "metrics",
    "oai",
    "pool",
    "probe",
    "pseudonym_key",
    "publisher_http",
    "resources",
    "search",
    "settings",
    "sign_in",
    "thumbnails",
    "token_limits",
    "tool_keys",
    "vocab",
    "webhook_key",
    "webhook_waker",
)


def _from_state(name: str) -> Provide:
    def provide(request: Request[Any, Any, Any]) -> Any:
        return getattr(request.app.state, name)

    provide.__name__ = f"provide_{name}"
    return Provide(provide, sync_to_thread=False)


DEPENDENCIES = {name: _from_state(name) for name in _STATE_NAMES}
