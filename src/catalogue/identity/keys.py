"""The platform's RSA signing keys, kept in PostgreSQL so every process signs alike."""

from __future__ import annotations

import secrets
from typing import Any

from joserfc.jwk import KeySet, RSAKey

from catalogue.database import Connection
from catalogue.sqlfiles import load_queries

SQL = load_queries("catalogue.identity")
SIGNING_ALGORITHM = "RS256"
_KEY_BITS = 2048
# The longest lifetime of a token we sign (demo and person access tokens: one hour), and a
# margin for clocks: a retired key is published that long after its retirement.
RETIRED_KEY_PUBLISHED_S = 3600 + 300
# Serialises the creation of the first key when several processes start at once.
_FIRST_KEY_LOCK = 0x6B65_7973  # "keys"


def _new_key() -> RSAKey:
    kid = secrets.token_urlsafe(12)
    return RSAKey.generate_key(
        _KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": SIGNING_ALGORITHM}
    )


# Importing an RSA private key costs tens of milliseconds; a kid never changes its key.
_imported: dict[str, RSAKey] = {}


def _import(jwk: dict[str, Any]) -> RSAKey:
    kid = jwk["kid"]
    key = _imported.get(kid)
    if key is None:
        key = _imported[kid] = RSAKey.import_key(jwk)
    return key


async def current_signing_key(conn: Connection) -> RSAKey:
    """The newest key that is not retired; the first one is created on demand."""
    row = await conn.fetchrow(SQL["current_signing_key"])
    if row is not None:
        return _import(row["private_jwk"])
    async with conn.transaction():
        await conn.execute(SQL["lock_signing_keys"], _FIRST_KEY_LOCK)
        row = await conn.fetchrow(SQL["current_signing_key"])
        if row is not None:
            return _import(row["private_jwk"])
        key = _new_key()
        await conn.execute(SQL["insert_signing_key"], key.kid, key.as_dict(private=True))
        return key


async def rotate_signing_key(conn: Connection) -> RSAKey:
    """A new key signs from now on; the previous one stays published until its tokens expire."""
    async with conn.transaction():
        await conn.execute(SQL["lock_signing_keys"], _FIRST_KEY_LOCK)
        await conn.execute(SQL["retire_signing_keys"])
        key = _new_key()
        await conn.execute(SQL["insert_signing_key"], key.kid, key.as_dict(private=True))
        return key


async def public_key_set(conn: Connection) -> KeySet:
    """Every published key: the current one and those retired but still verifying tokens."""
    rows = await conn.fetch(SQL["published_signing_keys"], float(RETIRED_KEY_PUBLISHED_S))
    return KeySet(
        [RSAKey.import_key(_import(row["private_jwk"]).as_dict(private=False)) for row in rows]
    )
