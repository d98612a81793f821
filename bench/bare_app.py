"""The baseline for bench/serve.py: a bare Litestar handler giving /readyz's JSON, no database."""

from __future__ import annotations

import msgspec
from litestar import Litestar, get


class Readiness(msgspec.Struct):
    status: str
    database: str
    migrations: str


@get("/readyz", sync_to_thread=False)
def readyz() -> Readiness:
    return Readiness(status="ready", database="ok", migrations="current")


app = Litestar(route_handlers=[readyz], openapi_config=None, logging_config=None)
