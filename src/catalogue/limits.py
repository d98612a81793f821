"""Budgets per caller, so that one caller cannot take the service from everyone else.

A caller is a token's or a session's subject, or the client address when anonymous. Each
has, in each server process, a rate (a token bucket: a burst, then so many requests a second)
and a number of requests handled at once (more wait a moment for their turn, then are
refused). Anonymous API callers (the public catalogue) also have a smaller rate of their own,
per address. Refusals are 429 problem+json with Retry-After.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Callable
from typing import Any, TypeAlias

from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from catalogue.config import Settings
from catalogue.errors import CatalogueError
from catalogue.identity.models import Principal

# Beyond this many callers remembered, those whose bucket has filled up again are forgotten.
MAX_REMEMBERED = 10_000
# How long a request over its caller's concurrency waits for a turn before a 429.
TURN_WAIT_S = 1.0


class TooManyRequestsError(CatalogueError):
    status = 429
    slug = "too-many-requests"
    title = "Trop de requêtes"

    def __init__(self, detail: str, *, retry_after_s: float, **extra: Any) -> None:
        seconds = str(max(1, math.ceil(retry_after_s)))
        super().__init__(detail, headers={"Retry-After": seconds}, **extra)


class TokenBuckets:
    """A token bucket per key: ``burst`` requests at once, then ``rate`` a second."""

    def __init__(
        self, *, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key: (tokens, at)

    def take(self, key: str) -> float:
        """0 when the key may go ahead (one token taken), else the seconds until it may."""
        now = self._clock()
        tokens, at = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens < 1:
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self._buckets) >= MAX_REMEMBERED and key not in self._buckets:
            self._forget_full(now)
        self._buckets[key] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        full = [
            key
            for key, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * self.rate >= self.burst
        ]
        for key in full:
            del self._buckets[key]


class Turns:
    """At most ``limit`` requests of one key at once; others wait up to ``wait_s``."""

    def __init__(self, *, limit: int, wait_s: float = TURN_WAIT_S) -> None:
        self.limit = limit
        self.wait_s = wait_s
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}  # key: (slots, users)

    async def run(self, key: str, call: Callable[[], Any]) -> None:
        semaphore, users = self._slots.get(key, (asyncio.Semaphore(self.limit), 0))
        self._slots[key] = (semaphore, users + 1)
        try:
            try:
                if semaphore.locked():
                    await asyncio.wait_for(semaphore.acquire(), timeout=self.wait_s)
                else:  # a free slot and nobody waiting: taken at once (wait_for makes a task)
                    await semaphore.acquire()
            except TimeoutError:
                raise TooManyRequestsError(
                    f"Trop de requêtes simultanées : {self.limit} au plus à la fois.",
                    retry_after_s=self.wait_s,
                ) from None
            try:
                await call()
            finally:
                semaphore.release()
        finally:
            semaphore, users = self._slots[key]
            if users <= 1:
                del self._slots[key]
            else:
                self._slots[key] = (semaphore, users - 1)


def client_address(scope: Scope) -> str:
    """The caller's address as the server saw it (behind a proxy: as the proxy reported it,
    when the server trusts it)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


# Thumbnails too: a results page asks for a score of them at once, as for static files (their
# fetches from publishers have bounds of their own: web/thumbnails.py).
_OUTSIDE_BUDGETS = re.compile(r"^/healthz$|^/readyz$|^/metrics$|^/static/|^/vignettes/")


def outside_budgets(scope: Scope) -> bool:
    return bool(_OUTSIDE_BUDGETS.match(str(scope.get("path", ""))))


def is_anonymous_api_call(scope: Scope) -> bool:
    """An API request nobody authenticated (the public catalogue), counted by address."""
    return not isinstance(scope.get("user"), Principal) and str(scope.get("path", "")).startswith(
        "/api/"
    )


def caller_key(scope: Scope) -> str:
    """Who is calling: the authenticated subject, or the address of an anonymous caller."""
    user = scope.get("user")
    if isinstance(user, Principal):
        return f"{user.kind}:{user.id}"
    return f"address:{client_address(scope)}"


class CallerLimits(ASGIMiddleware):
    """Placed after authentication, so that a signed-in caller is counted as themselves."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: Settings) -> None:
        # Probes, metrics and static files stay outside any budget (matched on the request's
        # path: a static file's handler has a path of its own, "/{file_path:path}").
        self.should_bypass_for_scope = outside_budgets
        self.rates = TokenBuckets(rate=settings.caller_rate, burst=settings.caller_burst)
        # Anonymous API callers share a smaller budget per address (the public catalogue).
        self.anonymous = TokenBuckets(rate=settings.anonymous_rate, burst=settings.anonymous_burst)
        self.turns = Turns(limit=settings.caller_concurrency)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        key = caller_key(scope)
        wait = self.rates.take(key)
        if not wait and is_anonymous_api_call(scope):
            wait = self.anonymous.take(key)
        if wait:
            raise TooManyRequestsError(
                "Trop de requêtes : ralentissez, puis réessayez.", retry_after_s=wait
            )
        await self.turns.run(key, lambda: next_app(scope, receive, send))


class TokenEndpointLimits:
    """Attempts at /oauth/token, per client id and per address (guessing secrets)."""

    def __init__(self, settings: Settings) -> None:
        per_minute = settings.token_rate_per_minute
        self.by_client = TokenBuckets(rate=per_minute / 60, burst=per_minute)
        self.by_address = TokenBuckets(rate=per_minute / 60, burst=per_minute)

    def check_address(self, address: str) -> None:
        self._check(self.by_address.take(address))

    def check_client(self, client_id: str) -> None:
        self._check(self.by_client.take(client_id))

    @staticmethod
    def _check(wait: float) -> None:
        if wait:
            raise TooManyRequestsError(
                "Trop de demandes de jeton : réessayez plus tard.",
                retry_after_s=wait,
                error="slow_down",
            )


TokenLimits: TypeAlias = NamedDependency[TokenEndpointLimits]
"""The token endpoint's failure limits (``token_limits``)."""
