"""Exact decimal arithmetic, and numbers written for people (Vietnamese decimal comma)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cds_index.numbers import div, percent, plain, show

D = Decimal


@pytest.mark.parametrize(
    ("a", "b", "quotient"),
    [
        # terminating quotients are exact, whatever their length
        (D(1), D(8), D("0.125")),
        (D(22), D(24) / D(3), D("2.75")),
        (D(1), D(2) ** 20, D("0.00000095367431640625")),
        # non-terminating ones are carried to 20 places, half up
        (D(2), D(3), D("0.66666666666666666667")),
        (D(1), D(3), D("0.33333333333333333333")),
        (D(-2), D(3), D("-0.66666666666666666667")),
    ],
)
def test_div(a: Decimal, b: Decimal, quotient: Decimal) -> None:
    got = div(a, b)
    assert got == quotient
    assert got.as_tuple().exponent >= -20


def test_div_by_zero_raises() -> None:
    with pytest.raises(ArithmeticError):
        div(D(1), D(0))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1.80"), "1.8"),
        (D("2E+1"), "20"),
        (D("420"), "420"),
        (D("0E-5"), "0"),
        (D("0.125"), "0.125"),
        (D("1E-7"), "0.0000001"),  # never scientific notation
        (D("1234567.5"), "1234567.5"),
    ],
)
def test_plain(value: Decimal, text: str) -> None:
    assert plain(value) == text


@pytest.mark.parametrize(
    ("value", "lang", "places", "text"),
    [
        (D("1.8"), "vi", None, "1,8"),  # Vietnamese decimal comma
        (D("1.8"), "en", None, "1.8"),
        (D("2.345"), "vi", 2, "2,35"),  # rounded half up for display only
        (D("2.344"), "en", 2, "2.34"),
        (D("2.5"), "en", 0, "3"),
        (D("3.10"), "en", 2, "3.1"),  # trailing zeros dropped
        (D("-0.001"), "en", 2, "0"),  # never "-0"
        (D("420"), "vi", 2, "420"),
    ],
)
def test_show(value: Decimal, lang: str, places: int | None, text: str) -> None:
    assert show(value, lang, places) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("share", "lang", "text"),
    [
        (D("0.905"), "vi", "90,5%"),
        (D("0.9"), "en", "90%"),
        (D(1), "en", "100%"),
        (D(2) / D(3), "en", "66.67%"),  # at most two decimals
        (D(0), "vi", "0%"),
    ],
)
def test_percent(share: Decimal, lang: str, text: str) -> None:
    assert percent(share, lang) == text  # type: ignore[arg-type]
