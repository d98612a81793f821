"""Webhook secrets (kept encrypted) and Standard-Webhooks signatures.

A secret is shown to its publisher as ``whsec_`` followed by the base64 of 32 random bytes,
the format of the Standard Webhooks libraries; those 32 bytes are the HMAC key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from uuid import UUID

from catalogue.identity.secrets import seal, unseal

PREFIX = "whsec_"


def new_secret() -> bytes:
    return os.urandom(32)


def shown(secret: bytes) -> str:
    return PREFIX + base64.b64encode(secret).decode()


def encrypt(key: bytes, publisher_id: UUID, secret: bytes) -> bytes:
    """Nonce and ciphertext; the publisher id is bound in, so a row copied to another
    publisher does not decrypt."""
    return seal(key, secret, publisher_id.bytes)


def decrypt(key: bytes, publisher_id: UUID, stored: bytes) -> bytes:
    return unseal(key, stored, publisher_id.bytes)


def signature(secret: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: bytes, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }
