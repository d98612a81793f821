"""What handlers may ask Litestar for, by name."""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
from litestar import Request
from litestar.di import NamedDependency, Provide

Pool: TypeAlias = NamedDependency[asyncpg.Pool]


def _pool_of(request: Request[Any, Any, Any]) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


DEPENDENCIES = {"pool": Provide(_pool_of, sync_to_thread=False)}
