"""Names in vCards (2.1, 3 and 4) as LOM notices carry them in their contributions (2.3)."""

from __future__ import annotations

import quopri
import re

MAX_NAME = 300
_VCARD_ESCAPE = re.compile(r"\\([,;\\nN])")
_INLINE_PROPERTY = re.compile(
    r"\s+(?=(?:BEGIN|VERSION|N|FN|ORG|EMAIL|TEL|ADR|URL|TITLE|ROLE|NOTE|UID|REV|PRODID|KIND"
    r"|NICKNAME|LOGO|PHOTO|END|X-[A-Z0-9-]+)(?:;[^:\r\n]*)?:)",
    re.IGNORECASE,
)


def vcard_name(vcard: str) -> tuple[str, str | None]:
    """The formatted name (FN) and first organisation unit (ORG) of a vCard 3 or 4."""
    unfolded = re.sub(r"\r?\n[ \t]", "", vcard.strip())  # RFC 6350 line folding
    if _QUOTED_PRINTABLE.search(unfolded):
        unfolded = re.sub(r"=\r?\n", "", unfolded)  # vCard 2.1 soft line breaks
    lines = unfolded.splitlines()
    if len(lines) == 1:
        lines = _INLINE_PROPERTY.split(lines[0])
    name, organisation = "", None
    for line in lines:
        key, _, value = line.partition(":")
        prop, *params = key.split(";")
        prop = prop.strip().upper()
        if prop not in ("FN", "ORG"):
            continue
        value = _decoded(value, params)
        if prop == "FN":
            name = _vcard_text(value)
        else:
            organisation = _vcard_text(re.split(r"(?<!\\);", value, maxsplit=1)[0]) or None
    return name, organisation[:MAX_NAME] if organisation else None


_QUOTED_PRINTABLE = re.compile(r"ENCODING=QUOTED-PRINTABLE", re.IGNORECASE)


def _decoded(value: str, params: list[str]) -> str:
    """A vCard 2.1 value in quoted-printable (ENCODING=QUOTED-PRINTABLE;CHARSET=...)."""
    options = {k.strip().upper(): v.strip() for k, _, v in (p.partition("=") for p in params)}
    if options.get("ENCODING", "").upper() != "QUOTED-PRINTABLE":
        return value
    charset = options.get("CHARSET") or "utf-8"
    try:
        return quopri.decodestring(value.encode("latin-1", "replace")).decode(charset, "replace")
    except LookupError:  # an unknown charset
        return quopri.decodestring(value.encode("latin-1", "replace")).decode("utf-8", "replace")


def _vcard_text(value: str) -> str:
    # One pass, so that an escaped backslash before "n" ("C:\\new") stays a backslash.
    text = _VCARD_ESCAPE.sub(lambda m: " " if m[1] in "nN" else m[1], value)
    return " ".join(text.split())
