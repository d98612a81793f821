"""Amounts of money as people read them."""

from __future__ import annotations


def euros(cents: int) -> str:
    """Euro cents written the French way: ``euros(123456)`` is "1 234,56 €" (narrow
    no-break space between thousands)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{part:02d} €"
