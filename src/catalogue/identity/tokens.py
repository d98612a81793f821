"""Access tokens the platform signs itself: demo identities and publishers' clients."""

from __future__ import annotations

import secrets
import time
from typing import Any

from joserfc import jwt

from catalogue.config import Settings
from catalogue.database import Connection
from catalogue.identity.keys import SIGNING_ALGORITHM, current_signing_key, key_sealer

API_AUDIENCE = "catalogue-api"
# RFC 9068: tells access tokens apart from ID tokens (not a secret).
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105
ACCESS_TOKEN_LIFETIME_S = 3600


async def issue_access_token(
    conn: Connection,
    settings: Settings,
    *,
    subject: str,
    scope: str = "",
    lifetime_s: int = ACCESS_TOKEN_LIFETIME_S,
    extra: dict[str, Any] | None = None,
) -> str:
    key = await current_signing_key(conn, key_sealer(settings))
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": API_AUDIENCE,
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime_s,
        "jti": secrets.token_urlsafe(16),
        "client_id": "catalogue",
        **(extra or {}),
    }
    if scope:
        claims["scope"] = scope
    header = {"alg": SIGNING_ALGORITHM, "kid": key.kid, "typ": ACCESS_TOKEN_TYPE}
    return jwt.encode(header, claims, key)
