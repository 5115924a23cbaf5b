"""The request's fast paths (#11) read every value as the general path does, and refuse what it refuses.

A JSON number or boolean skips the mapping and `n/a` checks, an ISO date skips the general date
reader, a choice is looked up among its folded choices: each is checked here against the general
path on the same value, for values hypothesis draws.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cds_index.formats.model import InputDef
from cds_index.read.inputs import NOT_APPLICABLE_WORDS, coerce, parse_values
from cds_index.read.literals import fold, read_date

D = Decimal
SPECS = {
    "flag": InputDef(label="Có", type="boolean"),
    "count": InputDef(label="Số", type="integer", min=D(0), max=D(100)),
    "share": InputDef(label="Tỷ lệ", type="number", unit="percent", min=D(0), max=D(100)),
    "free": InputDef(label="Số tự do", type="number"),
    "day": InputDef(label="Ngày", type="date"),
    "state": InputDef(label="Trạng thái", type="choice", choices=["Có", "Không", "Đang triển khai", "CÓ"]),
    "lead": InputDef(label="Người chủ trì", type="role"),
}

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(10**17), max_value=10**17),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000),
    st.floats(allow_nan=True, allow_infinity=True),
)
iso_like = st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
    st.integers(0, 9999),
    st.integers(0, 99),
    st.integers(0, 99),
)
words = st.sampled_from(["có", "Có", "CÓ", "không", "Đang  triển khai", "Co\u0301", "head", "Deputy", "x"])
texts = st.one_of(iso_like, words, st.text(max_size=12))


def read(raw: Any, name: str) -> tuple[Any, list[tuple[str, str]]]:
    values, problems = parse_values({name: raw}, SPECS)
    return values.get(name), [(p.code, str(p.message)) for p in problems]


@settings(max_examples=300)
@given(raw=st.one_of(scalars, texts), name=st.sampled_from(sorted(SPECS)))
def test_a_plain_value_reads_as_the_same_value_in_a_mapping(raw: Any, name: str) -> None:
    """`{"x": v}` and `{"x": {"value": v}}` (the general path, keys read) give one value or one problem."""
    if isinstance(raw, str) and fold(raw) in NOT_APPLICABLE_WORDS:
        return  # a word `n/a` alone means not applicable; as a mapping's value it is refused
    assert read(raw, name) == read({"value": raw}, name)


@settings(max_examples=300)
@given(raw=st.one_of(iso_like, texts, scalars))
def test_a_date_reads_as_the_general_date_reader_reads_it(raw: Any) -> None:
    value, code, message = coerce(raw, SPECS["day"])
    expected = read_date(raw) if raw is not None else (None, None, None)
    assert (value, code, str(message) if message else None) == (
        expected[0],
        expected[1],
        str(expected[2]) if expected[2] else None,
    )
    if code is None and raw is not None:
        assert isinstance(value, dt.date)


@settings(max_examples=300)
@given(raw=st.one_of(words, st.text(max_size=8), scalars))
def test_a_choice_is_the_first_choice_it_folds_to(raw: Any) -> None:
    spec = SPECS["state"]
    value, code, _ = coerce(raw, spec)
    first = next((c for c in spec.choices or [] if isinstance(raw, str) and fold(c) == fold(raw)), None)
    assert value == first
    assert (code is None) == (first is not None)


def test_the_fast_paths_keep_their_refusals() -> None:
    """A boolean for a number, a number for a boolean, 2024-02-30, a float NaN: refused by name."""
    for raw, name, code in [
        (True, "count", "input-type"),
        (2, "flag", "input-type"),
        ("2024-02-30", "day", "input-type"),
        (float("nan"), "free", "input-type"),
        (101, "count", "input-range"),
    ]:
        value, problems = read(raw, name)
        assert value is None
        assert [c for c, _ in problems] == [code]
        assert name in problems[0][1]


BOUNDS = {
    "low": InputDef(label="Từ 3", type="integer", min=D(3)),
    "high": InputDef(label="Đến 7,5", type="number", max=D("7.5")),
    "both": InputDef(label="Từ -2 đến 2", type="integer", min=D(-2), max=D(2)),
    "fraction": InputDef(label="Phần", type="number", unit="fraction", min=D(0), max=D(1)),
    **SPECS,
}


@settings(max_examples=400)
@given(
    raw=st.one_of(st.booleans(), st.integers(-12, 12), st.integers(min_value=-(10**17), max_value=10**17)),
    name=st.sampled_from(sorted(BOUNDS)),
)
def test_a_json_boolean_or_integer_is_the_general_paths_value_to_the_digit(raw: Any, name: str) -> None:
    """The shared Values of a JSON boolean or integer (#11) are the general path's: the same Decimal
    (its places, its repr), the one object as final and self-assessed value, the same refusals at
    the bounds; read twice, the same again."""
    for _ in range(2):
        fast, fast_problems = parse_values({name: raw}, BOUNDS)
        general, general_problems = parse_values({name: {"value": raw}}, BOUNDS)
        assert repr(fast) == repr(general)
        assert [(p.code, str(p.message)) for p in fast_problems] == [
            (p.code, str(p.message)) for p in general_problems
        ]
        if name in fast:
            value = fast[name]
            assert value.value is value.self_value
            assert type(value.value) is type(general[name].value)


@settings(max_examples=300)
@given(
    raw=st.one_of(iso_like, words, st.sampled_from(["20/06/2024", "31/12/9999", " head ", "n/a", "KHÔNG"]))
)
def test_a_role_or_day_read_again_is_the_general_paths_reading(raw: str) -> None:
    """A role or a date written as text is kept once read (#11): read again, by either input, alone
    or beside other values, it is what the general path reads from the same text in a mapping, or
    the same refusal."""
    from cds_index.read import inputs

    def seen(name: str, values: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
        got, problems = parse_values(values, SPECS)
        return repr(got.get(name)), [(p.code, str(p.message)) for p in problems]

    kept = [
        seen(name, values) for name in ("day", "lead") for values in ({name: raw}, {"flag": 1, name: raw})
    ]
    inputs._TEXTS.clear()
    fresh = [
        seen(name, values) for name in ("day", "lead") for values in ({name: raw}, {"flag": 1, name: raw})
    ]
    assert kept == fresh
    if fold(raw) not in NOT_APPLICABLE_WORDS:
        for name in ("day", "lead"):
            assert seen(name, {name: {"value": raw}})[0] == seen(name, {name: raw})[0]
