"""CSRF tokens bound to the session.

A form's token is an HMAC of the session's own secret: of its server-side session id once
signed in, of a random value kept in the (encrypted) session cookie before. A token taken
from another session, or a ``csrftoken`` cookie planted by someone else, does not pass.
The token is also set in the ``csrftoken`` cookie (readable, as Litestar's was) for clients
that send it back in the ``x-csrftoken`` header.

A form with files (route opt ``STREAMED_FORM``) is not read whole to find its token: its
token is its first part, read alone before the app runs, and the app then reads the body as
it comes (catalogue.form_stream). A first part that is not the token, a file before it
included, is refused like a wrong token, before a byte of any file is read.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from catalogue.form_stream import first_field, multipart_boundary

COOKIE = "csrftoken"
HEADER = "x-csrftoken"
FORM_FIELD = "_csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ANONYMOUS_SEED = "csrf"
CSRF_REFUSED = (
    "Jeton CSRF absent ou invalide : rechargez la page, puis envoyez à nouveau le formulaire."
)


def session_token(key: bytes, session: dict[str, Any]) -> str:
    """The token of this session; gives an anonymous session its random seed if needed."""
    seed = session.get("sid")
    if not isinstance(seed, str):
        seed = session.get(_ANONYMOUS_SEED)
        if not isinstance(seed, str):
            seed = session[_ANONYMOUS_SEED] = secrets.token_urlsafe(32)
    return hmac.new(key, f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


NO_CSRF = "no_csrf"  # route opt: a mounted app authenticated by bearer tokens only (SCIM)
STREAMED_FORM = "csrf_first_part"  # route opt: a multipart form's token is its first part


def _opt(scope: Scope, name: str) -> bool:
    handler = scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(name))


def _exempt(scope: Scope) -> bool:
    """A route marked ``NO_CSRF`` (a mount sees its own path, not the exclusions' full one)."""
    return _opt(scope, NO_CSRF)


class CsrfMiddleware:
    """Runs inside the session middleware (it reads and may seed ``scope["session"]``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        key: bytes,
        exclude: Sequence[str],
        cookie_secure: bool,
    ) -> None:
        self.app = app
        self._key = key
        self._exclude = re.compile("|".join(exclude))
        self._cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or self._exclude.search(scope["path"]) or _exempt(scope):
            await self.app(scope, receive, send)
            return
        session = scope.get("session")
        if not isinstance(session, dict):
            session = scope["session"] = {}
        expected = session_token(self._key, session)
        if scope.get("method") not in _SAFE_METHODS:
            given, receive = await _submitted_token(scope, receive)
            if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
                raise PermissionDeniedException(CSRF_REFUSED)
        ScopeState.from_scope(scope).csrf_token = expected
        await self.app(scope, receive, self._setting_cookie(scope, send))

    def _setting_cookie(self, scope: Scope, send: Send) -> Send:
        sent = _cookie(scope, COOKIE)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The session may have changed (signed in, out): the token follows it.
                session = scope.get("session")
                if isinstance(session, dict) and session:
                    token = session_token(self._key, session)
                    if token != sent:
                        cookie = Cookie(
                            key=COOKIE,
                            value=token,
                            path="/",
                            secure=self._cookie_secure,
                            httponly=False,
                            samesite="lax",
                        )
                        MutableScopeHeaders.from_message(message).add(
                            "set-cookie", cookie.to_header(header="")
                        )
            await send(message)

        return send_with_cookie


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope["headers"]:
        if header == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, item = part.strip().partition("=")
                if key == name:
                    return item
    return None


async def _submitted_token(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
    """The token sent, and the ``receive`` the app reads the body from."""
    request: Request[Any, Any, Any] = Request(scope, receive)
    header = request.headers.get(HEADER)
    if header:
        return header, receive
    media_type = request.content_type[0]
    if media_type == RequestEncodingType.MULTI_PART and _opt(scope, STREAMED_FORM):
        boundary = multipart_boundary(request.headers.get("content-type"))
        if boundary is None:
            return None, receive
        return await first_field(receive, boundary, FORM_FIELD)
    if media_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        value = (await request.form()).get(FORM_FIELD)
        return (value if isinstance(value, str) else None), receive
    return None, receive
