"""Properties of the reading layer (#9): rows in = rows out, numbers read back, no arithmetic fault."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.engine.targets import evaluate_year
from cds_index.errors import InputError
from cds_index.formats.model import Definition
from cds_index.io.batch import MAX_FIELD, Tally, score_many
from cds_index.read.literals import MAX_MAGNITUDE, read_number
from cds_index.read.registry import list_definitions, load_file
from cds_index.render.report import result_table

from .test_adversarial_reading import HEADER, TABLE_DEF

# --- rows in = rows out ------------------------------------------------------------------------

MALFORMED = {
    "quote": lambda i: f'u{i},"Xã {i},có,10,5,1'.encode(),  # a quote never closed
    "byte": lambda i: f"u{i},X".encode() + b"\xe3" + b",c\xf3,10,5,1",  # latin-1
    "extra": lambda i: f"u{i},Xã {i}, huyện B,có,10,5,1".encode(),  # an unquoted comma
    "missing": lambda i: f"u{i},Xã {i},có,10,5".encode(),
    "long": lambda i: f"u{i},{'x' * (MAX_FIELD + 1)},có,10,5,1".encode(),
    "nul": lambda i: f"u{i},X\x00,có,10,5,1".encode(),
    "after-quote": lambda i: f'u{i},"Xã"{i},có,10,5,1'.encode(),
}
GOOD = [
    lambda i: f"u{i},Xã {i},có,{i},0,1".encode(),
    lambda i: f'u{i},"Xã {i}, huyện A",không,{i + 1},1,"2,5"'.encode(),  # quoted cells
    lambda i: f'u{i},"Trường ""{i}""",x,9.500,0,1.250.000'.encode(),  # doubled quotes, thousands
]


@pytest.fixture(scope="module")
def table_def(tmp_path_factory: pytest.TempPathFactory) -> Definition:
    path = tmp_path_factory.mktemp("def") / "tiny.yaml"
    path.write_text(TABLE_DEF, encoding="utf-8")
    return load_file(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.one_of(
            st.tuples(st.just("good"), st.integers(0, len(GOOD) - 1)),
            st.tuples(st.sampled_from(sorted(MALFORMED)), st.just(0)),
        ),
        min_size=1,
        max_size=25,
    ),
    crlf=st.booleans(),
)
def test_k_malformed_rows_among_n(
    table_def: Definition, tmp_path: Path, rows: list[tuple[str, int]], crlf: bool
) -> None:
    """For any batch with k malformed rows among n: n rows out, n − k scored, k refused, each named."""
    end = b"\r\n" if crlf else b"\n"
    lines = [HEADER.encode()]
    for i, (kind, which) in enumerate(rows):
        lines.append(GOOD[which](i) if kind == "good" else MALFORMED[kind](i))
    path = tmp_path / "units.csv"
    path.write_bytes(end.join(lines) + end)
    tally = Tally()
    out = list(score_many(table_def, [path], tally=tally))
    bad = {i + 2 for i, (kind, _) in enumerate(rows) if kind != "good"}  # file lines (header is 1)
    assert len(out) == len(rows) == tally.read
    assert tally.refused == len(bad) and tally.scored == len(rows) - len(bad)
    refused = {row.problems[0].location.line for row in out if row.result is None}
    assert refused == bad  # each refused row named by its own line
    assert all(row.source == f"{path}:{line}" for row, line in zip(out, range(2, len(rows) + 2), strict=True))
    scored = [row for row in out if row.result is not None]
    assert [r.unit_id for r in scored] == [f"u{i}" for i, (kind, _) in enumerate(rows) if kind == "good"]
    assert all(row.ok for row in scored)


# --- numbers read back -------------------------------------------------------------------------

whole = st.integers(-(10**15), 10**15)


def vietnamese(n: int) -> str:
    """``1250000`` → ``1.250.000``, as an official writes it."""
    return ("-" if n < 0 else "") + f"{abs(n):,}".replace(",", ".")


@given(whole)
def test_a_count_written_the_vietnamese_way_reads_back(n: int) -> None:
    assert read_number(vietnamese(n), integer=True) == (Decimal(n), None, None)
    assert read_number(f"{n:,}", integer=True) == (Decimal(n), None, None)  # the English way too


@given(st.integers(-(10**15) + 1, 10**15 - 1), st.integers(1, 10**6))
def test_a_decimal_with_a_comma_reads_back(n: int, fraction: int) -> None:
    text = f"{vietnamese(n)},{fraction}"
    expected = Decimal(f"{'-' if n < 0 else ''}{abs(n)}.{fraction}")
    assert read_number(text, number_format="vi") == (expected, None, None)
    value, code, _ = read_number(text)
    # without a declared format, only `1,250` (up to three digits, a comma, three digits) is also
    # English for 1250: that one is refused as ambiguous, every other form reads back
    ambiguous = abs(n) < 1000 and len(str(fraction)) == 3 and n != 0
    assert (code, value) == (("input-ambiguous", None) if ambiguous else (None, expected))


@given(st.text(max_size=80))
def test_any_text_is_read_or_refused_never_raises(text: str) -> None:
    value, code, message = read_number(text)
    assert (value is None) == (code is not None) == (message is not None)
    if value is not None:
        assert abs(value) <= MAX_MAGNITUDE


# --- no arithmetic fault for any accepted value --------------------------------------------------

EXTREMES = [
    Decimal(10) ** 15,
    -(Decimal(10) ** 15),
    Decimal("1e-20"),
    Decimal("3e-20"),
    Decimal(0),
    Decimal("0.33333333333333333333"),
    Decimal("99999999999999.99999999999999999999"),
    Decimal("123456789012345.6789"),
    Decimal(1),
]
bounded = st.one_of(
    st.sampled_from(EXTREMES),
    st.decimals(min_value=-(10**15), max_value=10**15, places=20, allow_nan=False, allow_infinity=False),
    st.integers(-(10**15), 10**15).map(Decimal),
)
BUNDLED = [info.id for info in list_definitions()]


@pytest.fixture(scope="module")
def bundled() -> dict[str, Definition]:
    return {i: cds_index.load(i) for i in BUNDLED}


def values_for(definition: Definition, draw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in definition.inputs.items():
        if spec.type in {"number", "integer"}:
            value = draw(bounded)
            values[name] = value.to_integral_value() if spec.type == "integer" else value
        elif spec.type == "boolean":
            values[name] = draw(st.booleans())
        elif spec.type == "choice":
            values[name] = draw(st.sampled_from(spec.choices or ["?"]))
        elif spec.type == "role":
            values[name] = draw(st.sampled_from(["head", "deputy", "none"]))
    return values


# 20 examples: each draws a value for every input of a bundled definition (scored, tabled, serialised:
# up to 0.15 s an example)
@pytest.mark.parametrize("definition_id", BUNDLED)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_bounded_extreme_values_score_through_every_definition(
    bundled: dict[str, Definition], definition_id: str, data: st.DataObject
) -> None:
    """Any value the reader accepts scores without Overflow, InvalidOperation or MemoryError."""
    definition = bundled[definition_id]
    values = values_for(definition, data.draw)
    if definition.scoring == "points":
        result = cds_index.score(definition, values)
        assert Decimal(0) <= result.points <= result.max
        result_table(result, lang="vi")  # the explanations print every value
        result.to_dict(rounded=True)
        return
    for year in definition.years or ():
        try:
            evaluate_year(definition, year, values)
        except InputError as exc:  # a value beyond an input's own bounds: refused, with its code
            assert {p.code for p in exc.problems} <= {"input-range"}
