"""Amounts of money as French readers write them: used by the compte ressource's messages
and by the pages, so it belongs to neither."""

from __future__ import annotations


def euros(cents: int) -> str:
    """1234567 -> '12 345,67 €' (a narrow no-break space between thousands)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{part:02d} €"
