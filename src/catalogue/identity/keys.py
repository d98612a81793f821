"""The platform's RSA signing keys, kept in PostgreSQL so every process signs alike.

A key's private half is stored sealed (AES-GCM under a key derived from CATALOGUE_SECRET_KEY,
its kid bound in), its public half in clear for the JWKS. Each change of the published keys
is announced on ``KEYS_CHANNEL`` (NOTIFY, at commit) so every process's verifier reads them
again at once.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec
from cryptography.exceptions import InvalidTag
from joserfc.jwk import KeySet, RSAKey

from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.errors import ConfigurationError
from catalogue.identity import repository
from catalogue.identity.secrets import derive_key, resolve_secret_key, seal, unseal

SIGNING_ALGORITHM = "RS256"
KEYS_CHANNEL = "catalogue_signing_keys"
_KEY_BITS = 2048
# The longest lifetime of a token we sign (demo and person access tokens: one hour), and a
# margin for clocks: a retired key is published that long after its retirement.
RETIRED_KEY_PUBLISHED_S = 3600 + 300
# Serialises the creation of the first key when several processes start at once.
_FIRST_KEY_LOCK = 0x6B65_7973  # "keys"
_PURPOSE = "signing-keys"


class SigningKeyLockedError(ConfigurationError):
    """The stored private key opens with neither the current nor the previous secret."""


@dataclass(frozen=True)
class KeySealer:
    """Seals private keys under the current secret; opens them under it or, during a change
    of CATALOGUE_SECRET_KEY, under the previous one."""

    current: bytes
    previous: bytes | None = None

    def seal(self, key: RSAKey) -> bytes:
        private = msgspec.json.encode(key.as_dict(private=True))
        return seal(self.current, private, kid_of(key).encode())

    def open(self, kid: str, stored: bytes) -> RSAKey:
        for sealing_key in (self.current, self.previous):
            if sealing_key is None:
                continue
            try:
                private = unseal(sealing_key, stored, kid.encode())
            except InvalidTag:
                continue
            return RSAKey.import_key(msgspec.json.decode(private))
        raise SigningKeyLockedError(
            f"the signing key {kid} does not open with CATALOGUE_SECRET_KEY: after a change of "
            "secret, set CATALOGUE_PREVIOUS_SECRET_KEY or run `catalogue keys rotate`"
        )

    def opens_with_current(self, kid: str, stored: bytes) -> bool:
        try:
            unseal(self.current, stored, kid.encode())
        except InvalidTag:
            return False
        return True


def kid_of(key: RSAKey) -> str:
    assert key.kid is not None  # every key we make or store has one
    return key.kid


def key_sealer(settings: Settings) -> KeySealer:
    return _sealer(resolve_secret_key(settings), settings.previous_secret_key)


@functools.cache
def _sealer(secret: str, previous: str | None) -> KeySealer:
    return KeySealer(
        current=derive_key(secret, _PURPOSE),
        previous=derive_key(previous, _PURPOSE) if previous else None,
    )


def _new_key() -> RSAKey:
    kid = secrets.token_urlsafe(12)
    return RSAKey.generate_key(
        _KEY_BITS, parameters={"kid": kid, "use": "sig", "alg": SIGNING_ALGORITHM}
    )


# Opening and importing an RSA private key costs milliseconds; a sealed value never changes.
_opened: dict[tuple[bytes, str, bytes], RSAKey] = {}


def _open(sealer: KeySealer, kid: str, stored: bytes) -> RSAKey:
    cache_key = (sealer.current, kid, stored)
    key = _opened.get(cache_key)
    if key is None:
        key = _opened[cache_key] = sealer.open(kid, stored)
    return key


async def current_signing_key(conn: Connection, sealer: KeySealer) -> RSAKey:
    """The newest key that is not retired; the first one is created on demand."""
    current = await repository.current_signing_key(conn)
    if current is not None and current.private_sealed is not None:
        return _open(sealer, current.kid, current.private_sealed)
    async with conn.transaction():
        await repository.lock_signing_keys(conn, _FIRST_KEY_LOCK)
        await _seal_clear_keys(conn, sealer)
        current = await repository.current_signing_key(conn)
        if current is not None:
            assert current.private_sealed is not None  # clear keys were sealed just above
            return _open(sealer, current.kid, current.private_sealed)
        return await _insert_new_key(conn, sealer)


async def rotate_signing_key(conn: Connection, sealer: KeySealer) -> RSAKey:
    """A new key signs from now on; the previous one stays published until its tokens expire
    (its private half is erased: it never signs again)."""
    async with conn.transaction():
        await repository.lock_signing_keys(conn, _FIRST_KEY_LOCK)
        await repository.retire_signing_keys(conn)
        return await _insert_new_key(conn, sealer)


async def seal_clear_keys(conn: Connection, sealer: KeySealer) -> int:
    """Seal the private keys still stored in clear (written before keys were sealed)."""
    async with conn.transaction():
        await repository.lock_signing_keys(conn, _FIRST_KEY_LOCK)
        return await _seal_clear_keys(conn, sealer)


async def reseal_signing_keys(conn: Connection, sealer: KeySealer) -> int:
    """Seal under the current secret the private keys sealed under the previous one."""
    async with conn.transaction():
        await repository.lock_signing_keys(conn, _FIRST_KEY_LOCK)
        count = await _seal_clear_keys(conn, sealer)
        for stored in await repository.sealed_signing_keys(conn):
            assert stored.private_sealed is not None  # the statement reads sealed keys only
            if not sealer.opens_with_current(stored.kid, stored.private_sealed):
                key = sealer.open(stored.kid, stored.private_sealed)
                await repository.seal_signing_key(conn, stored.kid, sealer.seal(key))
                count += 1
        return count


async def _seal_clear_keys(conn: Connection, sealer: KeySealer) -> int:
    clear = await repository.clear_signing_keys(conn)
    for stored in clear:
        key = RSAKey.import_key(stored.private_jwk)
        await repository.seal_signing_key(conn, stored.kid, sealer.seal(key))
    return len(clear)


async def _insert_new_key(conn: Connection, sealer: KeySealer) -> RSAKey:
    key = _new_key()
    await repository.insert_signing_key(conn, kid_of(key), _public(key), sealer.seal(key))
    await repository.notify(conn, KEYS_CHANNEL, kid_of(key))
    return key


def _public(key: RSAKey) -> dict[str, Any]:
    return dict(key.as_dict(private=False))


class PublishedKeys(msgspec.Struct, frozen=True):
    keys: KeySet
    # Seconds until the oldest retired key leaves the JWKS by itself (None: none will).
    changes_in_s: float | None


async def published_keys(conn: Connection) -> PublishedKeys:
    """Every published key (the current one and those retired but still verifying tokens),
    and when this set next changes without a rotation."""
    published = await repository.published_signing_keys(conn, float(RETIRED_KEY_PUBLISHED_S))
    leaving = [key.unpublished_in_s for key in published if key.unpublished_in_s is not None]
    return PublishedKeys(
        keys=KeySet([RSAKey.import_key(key.public_jwk) for key in published]),
        changes_in_s=max(0.0, min(leaving)) if leaving else None,
    )


async def public_key_set(conn: Connection) -> KeySet:
    """Every published key: the current one and those retired but still verifying tokens."""
    return (await published_keys(conn)).keys


async def jwks_document(pool: asyncpg.Pool) -> dict[str, Any]:
    """The JWKS the platform publishes (public halves only), read anew on each call."""
    async with pool.acquire() as conn:
        keys = await public_key_set(conn)
    return dict(keys.as_dict(private=False))
