"""Reprs that hide secrets: whatever prints or logs a settings object never shows a key."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import msgspec

MASK = "***"


def redact_url(url: str) -> str:
    """The URL without its password, safe to print and log."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL we can read: show nothing of it
        return MASK
    if "password=" in parts.query:  # libpq also takes it as a parameter
        query = [
            (k, MASK if k == "password" else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
        parts = parts._replace(query=urlencode(query, safe="*/"))
    if password is not None:
        parts = parts._replace(netloc=parts.netloc.replace(f":{password}@", f":{MASK}@", 1))
    return urlunsplit(parts)


def masked_repr(
    struct: msgspec.Struct, *, secrets: frozenset[str], urls: frozenset[str] = frozenset()
) -> str:
    """``Name(field=value, ...)`` with the ``secrets`` fields masked (when set) and the
    passwords of the ``urls`` fields hidden."""
    shown = []
    for name in struct.__struct_fields__:
        value = getattr(struct, name)
        if name in secrets and value is not None:
            text = MASK
        elif name in urls and isinstance(value, str):
            text = repr(redact_url(value))
        else:
            text = repr(value)
        shown.append(f"{name}={text}")
    return f"{type(struct).__name__}({', '.join(shown)})"
