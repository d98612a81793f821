"""Prometheus metrics: requests and latencies per route, and the state of the background work
and of the ledger, read from PostgreSQL at each scrape. Aggregates only: no personal data."""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
from litestar import Response, get
from litestar.di import NamedDependency
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from catalogue.dependencies import Pool
from catalogue.identity.guards import PUBLIC
from catalogue.search.backends import engine_measures
from catalogue.search.service import Search
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue")
# An embedded engine answers in milliseconds: finer buckets than the HTTP ones' at the low end.
SEARCH_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """One registry per app, so that several apps in one process (tests) do not mix."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "catalogue_http_requests",
            "HTTP requests answered, by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "catalogue_http_request_duration_seconds",
            "Time to answer, by route",
            ["method", "route"],
            registry=self.registry,
        )
        self.searches = Histogram(
            "catalogue_search_duration_seconds",
            "Searches (API, pages) and the time their backend took, by backend",
            ["backend"],
            buckets=SEARCH_BUCKETS_S,
            registry=self.registry,
        )
        self.state = Gauge(
            "catalogue_state",
            "Background work and ledger, read at scrape time",
            ["measure"],
            registry=self.registry,
        )
        # Each series' child, found once (labels() checks and locks at every call).
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._search_series: dict[str, Any] = {}

    def observe(self, scope: dict[str, Any], status: int, seconds: float) -> None:
        # The route's template, never the raw path: ids would make the series unbounded.
        route = str(scope.get("path_template") or "unmatched")
        method = str(scope.get("method", ""))
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
        series[0].inc()
        series[1].observe(seconds)

    def observe_search(self, backend: str, seconds: float) -> None:
        child = self._search_series.get(backend)
        if child is None:
            child = self._search_series[backend] = self.searches.labels(backend)
        child.observe(seconds)

    async def refresh(self, pool: asyncpg.Pool) -> None:
        async with pool.acquire() as conn:
            row = await conn.fetchrow(SQL["metrics_state"])
        assert row is not None
        for measure, value in dict(row).items():
            self.state.labels(measure).set(float(value or 0))


AppMetrics: TypeAlias = NamedDependency[Metrics]
"""The app's measures, kept on app.state since its construction (``metrics``)."""


@get("/metrics", opt={PUBLIC: True}, include_in_schema=False)
async def metrics(metrics: AppMetrics, pool: Pool, search: Search) -> Response[bytes]:
    collected = metrics
    await collected.refresh(pool)
    for measure, value in (await engine_measures(search.backend)).items():
        collected.state.labels(measure).set(value)
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)
