"""The server secret, the keys derived from it, and teachers' pseudonyms."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV

from catalogue.config import Settings
from catalogue.errors import ConfigurationError

_SECRET_FILE = "secret_key"  # noqa: S105  # a file name
_NONCE_BYTES = 12


def resolve_secret_key(settings: Settings) -> str:
    """CATALOGUE_SECRET_KEY, or (outside production) one kept in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    if settings.production:
        raise ConfigurationError("CATALOGUE_SECRET_KEY is required in production")
    path: Path = settings.data_dir / _SECRET_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together agree on the first one written.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def derive_key(secret: str, purpose: str) -> bytes:
    """A separate 32-byte key per purpose, so one leaked use does not expose the others."""
    return hmac.new(secret.encode(), f"catalogue:{purpose}".encode(), hashlib.sha256).digest()


def pseudonym(key: bytes, person_id: UUID, publisher_id: UUID) -> str:
    """A teacher's stable identifier for one publisher; publishers cannot link them together."""
    digest = hmac.new(key, person_id.bytes + publisher_id.bytes, hashlib.sha256).hexdigest()
    return digest[:32]


def platform_pseudonym(key: bytes, person_id: UUID, platform_id: UUID) -> str:
    """A person's stable identifier for one platform (an ENT): platforms cannot link them
    together, and, unlike a publisher's pseudonym, the platform can ask for a teacher by it.
    Deterministic AES-SIV of the person's id, bound to the platform's id: only this server
    reads it back (``person_of_platform_pseudonym``), and a forged one does not open."""
    sealed = AESSIV(_platform_key(key)).encrypt(person_id.bytes, [platform_id.bytes])
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def person_of_platform_pseudonym(key: bytes, pseudonym: str, platform_id: UUID) -> UUID | None:
    """The person a platform's pseudonym stands for; None when it is not one of ours for
    this platform (forged, altered, or another platform's)."""
    if len(pseudonym) > 64:
        return None
    try:
        sealed = base64.urlsafe_b64decode(pseudonym + "=" * (-len(pseudonym) % 4))
        return UUID(bytes=AESSIV(_platform_key(key)).decrypt(sealed, [platform_id.bytes]))
    except (binascii.Error, ValueError, InvalidTag):
        return None


def _platform_key(key: bytes) -> bytes:
    """The AES-SIV key (512 bits) of the platforms' pseudonyms, from the pseudonym key."""
    return hmac.new(key, b"catalogue:platform-pseudonym", hashlib.sha512).digest()


def seal(key: bytes, secret: bytes, bound_to: bytes) -> bytes:
    """Nonce and AES-GCM ciphertext of a secret kept in the database. ``bound_to`` (the
    owner's id) is authenticated with it: a value copied to another row does not open."""
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, secret, bound_to)


def unseal(key: bytes, stored: bytes, bound_to: bytes) -> bytes:
    """The secret; ``cryptography.exceptions.InvalidTag`` under another key or owner."""
    nonce, sealed = stored[:_NONCE_BYTES], stored[_NONCE_BYTES:]
    return AESGCM(key).decrypt(nonce, sealed, bound_to)
