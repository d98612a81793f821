"""The directory's use cases: importing the national dataset, finding an establishment."""

from __future__ import annotations

from typing import TypeAlias

import asyncpg
import httpx
import structlog
from litestar.di import NamedDependency

from catalogue.directory import repository
from catalogue.directory.dataset import Establishment, read_dataset, search_text
from catalogue.directory.models import DirectoryReport, EstablishmentView, LineProblem
from catalogue.errors import UpstreamUnavailableError

log = structlog.get_logger(__name__)
MAX_PROBLEMS = 1_000  # reported one by one; beyond, counted
MAX_DATASET_BYTES = 300_000_000  # the whole country's export is about 50 MB


class DirectoryService:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def import_establishments(self, data: bytes) -> DirectoryReport:
        """The dataset's establishments upserted in one transaction (all or nothing); a line
        that can't be used is reported and the others are imported."""
        kept: dict[str, Establishment] = {}
        problems: list[LineProblem] = []
        read = rejected = 0
        for line, item in read_dataset(data):
            read += 1
            if isinstance(item, Establishment) and item.uai not in kept:
                kept[item.uai] = item
                continue
            rejected += 1
            if len(problems) < MAX_PROBLEMS:
                said = item if isinstance(item, str) else f"{item.uai} : déjà lu plus haut"
                problems.append(LineProblem(line, said))
        async with self._pool.acquire() as conn, conn.transaction():
            merged = await repository.merge_establishments(conn, list(kept.values()))
        log.info(
            "establishments imported",
            read=read,
            created=merged.created,
            updated=merged.updated,
            rejected=rejected,
        )
        return DirectoryReport(
            read=read,
            created=merged.created,
            updated=merged.updated,
            unchanged=len(kept) - merged.created - merged.updated,
            closed=merged.closed,
            rejected=rejected,
            problems=problems,
        )

    async def refresh(self, http: httpx.AsyncClient, url: str) -> DirectoryReport:
        """The dataset fetched from its URL and imported (the worker's nightly job)."""
        try:
            async with http.stream("GET", url, follow_redirects=True) as response:
                response.raise_for_status()
                data = bytearray()
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) > MAX_DATASET_BYTES:
                        raise UpstreamUnavailableError(
                            f"Annuaire de plus de {MAX_DATASET_BYTES // 1_000_000} Mo : refusé."
                        )
        except httpx.HTTPError as exc:
            log.warning("directory refresh failed", reason=type(exc).__name__)
            raise UpstreamUnavailableError("Annuaire des établissements injoignable.") from exc
        return await self.import_establishments(bytes(data))

    async def find(self, text: str, limit: int = 20) -> list[EstablishmentView]:
        """Establishments by name, commune, postal code or UAI (every word must match)."""
        words = search_text(text).replace("\\", "").replace("%", "").replace("_", " ").split()
        if not words:
            return []
        pattern = "%" + "%".join(words) + "%"
        async with self._pool.acquire() as conn:
            return await repository.find_establishments(conn, pattern, text.strip().upper(), limit)


Directory: TypeAlias = NamedDependency[DirectoryService]
"""The directory (``directory``), as handlers ask for it."""
