"""The server secret, the keys derived from it, and teachers' pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from uuid import UUID

from catalogue.config import Settings
from catalogue.errors import ConfigurationError

_SECRET_FILE = "secret_key"  # noqa: S105  # a file name


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
