"""The short routes of issue #11's speed work give what the general routes give."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cds_index.formats.model import InputDef
from cds_index.numbers import _plain, plain
from cds_index.read.inputs import coerce
from cds_index.read.literals import read_number


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(allow_nan=False, places=None)
    | st.sampled_from([Decimal("-0"), Decimal("0E-5"), Decimal("2E+1")])
)
def test_plain_cached_is_plain(d: Decimal) -> None:
    assert plain(d) == _plain(d)
    assert plain(d) == _plain(d)  # the second read comes from the cache


def test_plain_keeps_minus_zero_apart_from_zero() -> None:
    assert (plain(Decimal(0)), plain(Decimal("-0")), plain(Decimal(0))) == ("0", "-0", "0")
    assert plain(Decimal("1.80")) == plain(Decimal("1.8")) == "1.8"


@settings(max_examples=300, deadline=None)
@given(
    raw=st.integers(min_value=-(10**16), max_value=10**16) | st.sampled_from([10**15, -(10**15), 10**15 + 1]),
    kind=st.sampled_from(["number", "integer"]),
    low=st.none() | st.integers(-100, 100),
)
def test_an_integer_reads_as_read_number_reads_it(raw: int, kind: str, low: int | None) -> None:
    spec = InputDef(label="x", type=kind, min=None if low is None else Decimal(low))
    got = coerce(raw, spec)
    number, code, _ = read_number(raw, integer=kind == "integer")
    if code:
        assert got[0] is None and got[1] == code
    elif low is not None and number < low:
        assert got[:2] == (None, "input-range")
    else:
        assert got == (number, None, None)
        assert str(got[0]) == str(number)
