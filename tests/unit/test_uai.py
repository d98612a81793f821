"""The UAI's check letter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.identity.uai import check_letter, is_uai, uai_problem


@pytest.mark.parametrize(
    "uai",
    # Lycées Henri-IV and Louis-le-Grand (Paris), and the demo's collège.
    ["0750654D", "0750655E", "0751234J"],
)
def test_real_uais_are_valid(uai: str) -> None:
    assert is_uai(uai)


def test_a_wrong_check_letter_names_the_expected_one() -> None:
    assert uai_problem("0750654E") == (
        "UAI invalide '0750654E' : la lettre de contrôle de 0750654 est D"
    )


@pytest.mark.parametrize("text", ["", "075065D", "0750654", "0750654d", "A750654D", "0750654DD"])
def test_other_shapes_are_refused(text: str) -> None:
    assert (uai_problem(text) or "").startswith("UAI invalide")


@given(st.from_regex(r"[0-9]{7}", fullmatch=True))
def test_exactly_one_letter_fits_each_number(digits: str) -> None:
    fitting = [letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if is_uai(digits + letter)]
    assert fitting == [check_letter(digits)]
    assert fitting[0] not in "IOQ"
