"""Verify bearer JWTs: signature, algorithm, issuer, audience, times and token type."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import OrderedDict
from typing import Any

import msgspec
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    DecodeError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import Key

from catalogue.errors import UnauthorizedError
from catalogue.identity.jwks import KeyCache

# Asymmetric algorithms only: an HS256 token "signed" with our public key is refused here.
ALLOWED_ALGORITHMS = ("RS256", "PS256", "ES256")
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
LEEWAY_S = 30
MAX_TOKEN_BYTES = 16 * 1024
# Signatures checked, remembered per process: the same token comes back at every request of
# its holder, and an RSA check is a third of a millisecond.
VERIFIED_TOKENS = 4096


class VerifiedSignatures:
    """Tokens whose signature was checked, with the key that checked it and their claims
    (by the token's SHA-256). A token is taken from here only while its key is still the one
    the key cache gives for it now: a key set read again (a rotation, a provider's keys
    aged) makes new key objects, and every token is checked again. The claims are validated
    again at each use (times, audience, issuer); only the signature check is spared."""

    def __init__(self, size: int = VERIFIED_TOKENS) -> None:
        self.size = size
        self._checked: OrderedDict[bytes, tuple[Key, dict[str, Any]]] = OrderedDict()

    def claims(self, digest: bytes, key: Key) -> dict[str, Any] | None:
        found = self._checked.get(digest)
        if found is None or found[0] is not key:
            return None
        self._checked.move_to_end(digest)
        return dict(found[1])

    def remember(self, digest: bytes, key: Key, claims: dict[str, Any]) -> None:
        self._checked[digest] = (key, dict(claims))
        self._checked.move_to_end(digest)
        while len(self._checked) > self.size:
            self._checked.popitem(last=False)


class Header(msgspec.Struct):
    alg: str = ""
    kid: str | None = None
    typ: str | None = None


def unverified_header_and_issuer(token: str) -> tuple[Header, str]:
    """Read the header and ``iss`` to choose the keys; nothing is trusted before verification."""
    if len(token) > MAX_TOKEN_BYTES:
        raise UnauthorizedError("token too large")
    parts = token.split(".")
    if len(parts) != 3:
        raise UnauthorizedError("malformed token")
    try:
        header = msgspec.json.decode(_b64(parts[0]), type=Header)
        payload = msgspec.json.decode(_b64(parts[1]), type=dict[str, Any])
    except (msgspec.DecodeError, binascii.Error, ValueError):
        raise UnauthorizedError("malformed token") from None
    issuer = payload.get("iss")
    if not isinstance(issuer, str):
        raise UnauthorizedError("token without issuer (iss)")
    return header, issuer


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


async def verify_jwt(
    token: str,
    header: Header,
    keys: KeyCache,
    *,
    issuer: str,
    audience: str,
    access_token: bool,
    verified: VerifiedSignatures | None = None,
) -> dict[str, Any]:
    """The verified claims; UnauthorizedError saying why otherwise. With ``verified``, a
    token whose signature that key already checked is not checked again."""
    if header.alg not in ALLOWED_ALGORITHMS:
        raise UnauthorizedError(f"algorithm {header.alg or 'none'!r} not allowed")
    # Without kid, the one published key if there is only one (OIDC Core 1.0, 10.1).
    key = await keys.key(header.kid) if header.kid else await keys.only_key()
    digest = hashlib.sha256(token.encode()).digest() if verified is not None else b""
    claims = verified.claims(digest, key) if verified is not None else None
    try:
        if claims is None:
            claims = jwt.decode(token, key, algorithms=ALLOWED_ALGORITHMS).claims
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_S,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            sub={"essential": True},
            exp={"essential": True},
        ).validate(claims)
    except BadSignatureError:
        raise UnauthorizedError("bad signature") from None
    except ExpiredTokenError:
        raise UnauthorizedError("token expired") from None
    except MissingClaimError as exc:
        raise UnauthorizedError(f"missing claim {exc.claim!r}") from None
    except InvalidClaimError as exc:
        if exc.claim == "nbf":
            raise UnauthorizedError("token not yet valid (nbf)") from None
        raise UnauthorizedError(f"invalid claim {exc.claim!r}") from None
    except (ClaimError, DecodeError, JoseError, ValueError) as exc:
        raise UnauthorizedError(f"token refused ({type(exc).__name__})") from None
    if access_token and not _is_access_token(header, claims):
        raise UnauthorizedError("not an access token (an ID token cannot call the API)")
    if verified is not None:
        verified.remember(digest, key, claims)
    return claims


def _is_access_token(header: Header, claims: dict[str, Any]) -> bool:
    if "nonce" in claims or "at_hash" in claims:
        return False  # only ID tokens carry these
    if header.typ and header.typ.lower() in ACCESS_TOKEN_TYPES:
        return True
    # Keycloak and others mark their access tokens in a claim instead of the header.
    return claims.get("typ") == "Bearer"
