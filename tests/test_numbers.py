"""Exact decimal arithmetic, and numbers written for people (Vietnamese decimal comma)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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


# --- the fast paths of explanations (#11) write exactly what the general one writes ----------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cds_index import numbers  # noqa: E402

EDGES = [
    D("0"),
    D("-0"),
    D("0E-7"),
    D("-0.00001"),
    D("-0.00005"),
    D("0.00005"),
    D("2.99995"),
    D("-2.99995"),
    D("1.33333333333333333333"),
    D("0.91666666666666666667"),
    D("1E-20"),
    D("2E+1"),
    D("1E+49"),
    D("1E+50"),
    D("1E+51"),
    D("12345678901234567890123456789012345678901234567890.123456"),
    D("1.00000"),
    D("-4.0000"),
    D("Infinity"),
    D("-Infinity"),
    D("NaN"),
    D("1E+1000"),
    D("1E-1000"),
]
DECIMALS = st.one_of(  # every kind of Decimal, and the quotients scoring makes
    st.sampled_from(EDGES),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-1000, max_value=1000, places=20),
    st.decimals(min_value=-10, max_value=10, places=6),
    st.builds(lambda a, b: div(D(a), D(b)), st.integers(-(10**6), 10**6), st.integers(1, 10**4)),
)


def _outcome(write: Any, *args: Any) -> tuple[str, str]:
    """What writing a number gives: its text, or the exception it raises (a signalling NaN)."""
    try:
        return "text", write(*args)
    except ArithmeticError as exc:
        return "raises", type(exc).__name__


def _same(value: Decimal, lang: str) -> None:
    general = _outcome(numbers._show, value, lang)
    assert _outcome(numbers._explained, value, lang) == general
    share = _outcome(lambda: numbers._show(value * 100, lang, 2) + "%")
    assert _outcome(numbers._percent, value, lang) == share
    for _ in range(2):  # the cached public functions, the second time from the cache
        assert _outcome(show, value, lang) == general
        assert _outcome(percent, value, lang) == share


@pytest.mark.parametrize("value", [*EDGES, D("sNaN")])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_fast_paths_agree_on_the_edges(value: Decimal, lang: str) -> None:
    _same(value, lang)


@settings(max_examples=500)
@given(DECIMALS, st.sampled_from(["vi", "en"]))
def test_the_fast_paths_write_what_the_general_one_writes(value: Decimal, lang: str) -> None:
    _same(value, lang)


def _div_reference(a: Decimal, b: Decimal) -> Decimal:
    """`div` as it was before its fast path (#11): the quotient's exponent read from its digits."""
    q = numbers.CONTEXT.divide(a, b)
    exponent = q.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -20:
        q = q.quantize(numbers.PLACES, rounding="ROUND_HALF_UP", context=numbers.CONTEXT)
    return q


OPERANDS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3),
    st.integers(-(10**70), 10**70).map(D),
    st.sampled_from([D("1.0000000000000000000000000"), D("1E+45"), D("1E-45"), D("-0"), D("0E-30")]),
)


@settings(max_examples=1000)
@given(OPERANDS, OPERANDS.filter(lambda b: b != 0))
def test_div_is_the_same_decimal_digit_for_digit(a: Decimal, b: Decimal) -> None:
    expected = _div_reference(a, b)
    got = div(a, b)
    assert got.as_tuple() == expected.as_tuple()  # the same digits and exponent, not only equal


def _plain_reference(d: Decimal) -> str:
    """`plain` as it was before #11's pass: the decimal places read from the digits."""
    if d == d.to_integral_value():
        exponent = d.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return format(d, "f") if places == 0 else format(d.to_integral_value(), "f")
    return format(d.normalize(numbers.CONTEXT), "f")


@settings(max_examples=500)
@given(DECIMALS)
def test_plain_writes_what_it_wrote(value: Decimal) -> None:
    assert _outcome(plain, value) == _outcome(_plain_reference, value)
