"""The UAI (unité administrative immatriculée), the national identifier of an establishment:
seven digits and a check letter, the remainder of the number by 23 in an alphabet without
I, O and Q (so 0750654 gives D: 0750654D)."""

from __future__ import annotations

import re

_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ"
_SHAPE = re.compile(r"[0-9]{7}[A-Z]")


def check_letter(digits: str) -> str:
    """The check letter of a UAI's seven digits."""
    return _ALPHABET[int(digits) % 23]


def uai_problem(uai: str) -> str | None:
    """Why this is not a UAI (in French, for people), or None when it is one."""
    if not _SHAPE.fullmatch(uai):
        return f"UAI invalide {uai[:20]!r} : sept chiffres puis une lettre sont attendus"
    expected = check_letter(uai[:7])
    if uai[7] != expected:
        return f"UAI invalide {uai!r} : la lettre de contrôle de {uai[:7]} est {expected}"
    return None


def is_uai(uai: str) -> bool:
    return uai_problem(uai) is None
