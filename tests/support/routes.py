"""The app's route table, read once at collection: tests are generated from it, so a new route
is covered (or fails a test) without anyone remembering to list it."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from catalogue.app import create_app
from catalogue.config import Settings
from catalogue.identity.guards import PUBLIC, anyone, signed_in
from catalogue.identity.models import Role

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_PARAM = re.compile(r"\{(\w+):(\w+)\}")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # Litestar's, with {name:type} parameters
    public: bool  # no authentication middleware: a page, a probe, an LTI step
    roles: frozenset[Role] | None  # who the guards let in; None: anyone signed in (or not)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[tuple[str, str]]:
        return _PARAM.findall(self.path)

    def url(self, **values: str) -> str:
        return _PARAM.sub(lambda m: values[m.group(1)], self.path)

    def admits(self, role: Role) -> bool:
        return self.roles is None or role in self.roles


def _roles(guards: list[object]) -> frozenset[Role] | None:
    allowed: frozenset[Role] | None = None
    for guard in guards:
        if guard is signed_in or guard is anyone:
            continue
        roles = getattr(guard, "roles", None)
        assert roles is not None, f"unknown guard {guard!r}: teach tests/support/routes.py"
        allowed = roles if allowed is None else allowed & roles
    return allowed


@cache
def endpoints() -> tuple[Endpoint, ...]:
    settings = Settings(secret_key="r" * 40, data_dir=Path(tempfile.mkdtemp(prefix="routes-")))
    return tuple(
        Endpoint(
            method=method,
            path=route.path,
            public=bool(handler.opt.get(PUBLIC)),
            roles=_roles(handler.resolve_guards()),
        )
        for route in create_app(settings).routes
        if not route.path.startswith(("/schema", "/static"))
        for handler in getattr(route, "route_handlers", [])
        for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"})
    )
