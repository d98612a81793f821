"""The platform's machine clients as the bearer check reads them: kept a few seconds per
process, since an identity provider provisioning by SCIM sends thousands of requests, each
with its client's token.

A revocation takes effect at once on the process that made it (``forget``), at its notice
(``clients.CLIENTS_CHANNEL``) on the others, and within ``CLIENT_TTL_S`` at worst (the
notice was missed). A publisher's client is read every time: its publisher may be suspended.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import asyncpg

from catalogue.identity import repository
from catalogue.identity.repository import StoredClient

CLIENT_TTL_S = 5.0
_SIZE = 10_000


class ClientCache:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        # client id -> (when it was read, the client)
        self._read: OrderedDict[str, tuple[float, StoredClient]] = OrderedDict()
        # client id -> when it was last revoked: a reading older than that is stale
        self._revoked: OrderedDict[str, float] = OrderedDict()

    async def client(self, client_id: str) -> StoredClient | None:
        now = time.monotonic()
        cached = self._read.get(client_id)
        if (
            cached is not None
            and now - cached[0] < CLIENT_TTL_S
            and self._revoked.get(client_id, -1.0) < cached[0]
        ):
            return cached[1]
        async with self.pool.acquire() as conn:
            client = await repository.client_by_id(conn, client_id)
        # Not kept when revoked while it was read: the reading may be older than that.
        revoked_since = self._revoked.get(client_id, -1.0) >= now
        if client is not None and client.publisher_id is None and not revoked_since:
            self._read[client_id] = (now, client)
            self._read.move_to_end(client_id)
            if len(self._read) > _SIZE:
                self._read.popitem(last=False)
        return client

    def forget(self, client_id: str) -> None:
        """A platform client was revoked (here, or a notice): read again from now on."""
        now = time.monotonic()
        self._read.pop(client_id, None)
        self._revoked[client_id] = now
        self._revoked.move_to_end(client_id)
        # A mark matters only while a reading older than it may still be kept.
        while self._revoked:
            oldest, at = next(iter(self._revoked.items()))
            if now - at <= 2 * CLIENT_TTL_S:
                break
            del self._revoked[oldest]

    def clear(self) -> None:
        self._read.clear()
