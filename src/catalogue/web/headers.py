"""Security headers on every answer: pages, the API, errors and redirects alike.

Pages load their scripts and styles from /static only (no inline code: no 'unsafe-inline'
and no nonce needed), are never framed, post their forms to us only, and are not stored by
the browser or a proxy (each shows who is signed in; some show personal data). The LTI pages
that post a form to a tool set their own policy (`auto_post_policy`), which this layer keeps.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # the design system draws some icons as data: SVG
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
}
HSTS = "max-age=31536000; includeSubDomains"
# Answers that may carry personal data or tokens, beyond pages: never stored.
_NO_STORE_PREFIXES = ("/api/", "/auth/", "/oauth/", "/lti/")


def content_security_policy(**changes: str) -> str:
    """The pages' policy, with some directives changed (``form_action="'self' https://x"``)."""
    directives = {**POLICY, **{k.replace("_", "-"): v for k, v in changes.items()}}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


PAGE_POLICY = content_security_policy()


def security_headers(*, https: bool) -> BeforeMessageSendHookHandler:
    """The hook adding them as each answer starts (Litestar's ``before_send``): it sees every
    answer, 404s and 405s of the router included. HSTS only when the public URL is https.

    Every answer passes here, so the usual case (none of the fixed headers set by the
    handler) appends prepared raw headers after one pass over the answer's; otherwise the
    headers are replaced by name, as before."""
    fixed = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
    if https:
        fixed["strict-transport-security"] = HSTS
    fixed_raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in fixed.items()]
    fixed_names = frozenset(name for name, _ in fixed_raw)
    policy = (b"content-security-policy", PAGE_POLICY.encode("latin-1"))
    no_store = (b"cache-control", b"no-store")

    async def add(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        raw = headers.headers
        names = {bytes(name).lower() for name, _ in raw}
        if names.isdisjoint(fixed_names):
            raw.extend(fixed_raw)
        else:
            for name, value in fixed.items():
                headers[name] = value
        if policy[0] not in names:
            raw.append(policy)
        if no_store[0] in names:
            return
        private = str(scope.get("path", "")).startswith(_NO_STORE_PREFIXES)
        if private or headers.get("content-type", "").startswith("text/html"):
            raw.append(no_store)

    return add
