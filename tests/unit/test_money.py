from __future__ import annotations

import pytest

from catalogue.money import euros


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0,00 €"),
        (5, "0,05 €"),
        (150_050, "1\u202f500,50 €"),
        (-123_456_789, "-1\u202f234\u202f567,89 €"),
    ],
)
def test_euros_are_written_the_french_way(cents: int, text: str) -> None:
    assert euros(cents) == text
