"""A unit's values: coercion to each input type, n/a, self-assessed and appraised values, dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cds_index.formats.model import InputDef
from cds_index.read.inputs import Value, coerce, parse_values
from cds_index.read.registry import load_file
from cds_index.read.units_io import read_unit

from .conftest import TINY, line_of

D = Decimal
BOOLEAN = InputDef(label="Có", type="boolean")
INTEGER = InputDef(label="Số", type="integer", min=D(0), max=D(100))
NUMBER = InputDef(label="Tỷ lệ", type="number", unit="percent", min=D(0), max=D(100))
ROLE = InputDef(label="Người chủ trì", type="role")
CHOICE = InputDef(label="Trạng thái", type="choice", choices=["Có", "Không", "Đang triển khai"])
DATE = InputDef(label="Ngày", type="date")


@pytest.mark.parametrize(
    ("raw", "spec", "value"),
    [
        # yes/no: YAML booleans, 0/1, and the words people write
        (True, BOOLEAN, True),
        (False, BOOLEAN, False),
        (1, BOOLEAN, True),
        (0, BOOLEAN, False),
        ("có", BOOLEAN, True),
        ("Có", BOOLEAN, True),
        ("không", BOOLEAN, False),
        ("Đạt", BOOLEAN, True),
        ("yes", BOOLEAN, True),
        ("no", BOOLEAN, False),
        # numbers, exactly; a Vietnamese decimal comma; a trailing percent sign
        (12, INTEGER, D(12)),
        (D("12.0"), INTEGER, D(12)),
        ("0,5", NUMBER, D("0.5")),
        ("45.5%", NUMBER, D("45.5")),
        (0.1, NUMBER, D("0.1")),  # a float goes through its shortest text, never 0.1000000000000000055…
        (" 7 ", INTEGER, D(7)),
        (0, INTEGER, D(0)),  # the bounds are inclusive
        (100, INTEGER, D(100)),
        # roles, in English or Vietnamese
        ("head", ROLE, "head"),
        ("Người đứng đầu", ROLE, "head"),
        ("cấp phó", ROLE, "deputy"),
        ("none", ROLE, "none"),
        # choices, whatever the case or Unicode normalization
        ("có", CHOICE, "Có"),
        ("ĐANG TRIỂN KHAI", CHOICE, "Đang triển khai"),
        ("Co\u0301", CHOICE, "Có"),  # decomposed ó
        # dates
        (dt.date(2024, 3, 1), DATE, dt.date(2024, 3, 1)),
        ("2024-03-01", DATE, dt.date(2024, 3, 1)),
        ("01/03/2024", DATE, dt.date(2024, 3, 1)),  # day first, as officials write it
        (dt.datetime(2024, 3, 1, 9, 30), DATE, dt.date(2024, 3, 1)),
        # null is not reported
        (None, INTEGER, None),
    ],
)
def test_coerce(raw: Any, spec: InputDef, value: Any) -> None:
    got, code, message = coerce(raw, spec)
    assert (code, message) == (None, None)
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("raw", "spec", "code", "words"),
    [
        ("maybe", BOOLEAN, "input-type", "'maybe'"),
        (2, BOOLEAN, "input-type", "2"),
        (True, INTEGER, "input-type", "True"),  # a yes where a number belongs
        ("12 người", INTEGER, "input-type", "'12 người'"),
        ("1,234.5", NUMBER, "input-range", "maximum 100"),  # read as 1234.5 (English), then bounded
        ("1.000", NUMBER, "input-ambiguous", "1000"),  # two readings, no declared format
        ("nan", NUMBER, "input-type", "'nan'"),
        ("Infinity", NUMBER, "input-type", "'Infinity'"),
        (D("2.5"), INTEGER, "input-type", "whole number"),
        (-1, INTEGER, "input-range", "minimum 0"),
        (101, INTEGER, "input-range", "maximum 100"),
        ("boss", ROLE, "input-choice", "'boss'"),
        ("Chưa", CHOICE, "input-choice", "Có, Không, Đang triển khai"),
        ("03/13/2024", DATE, "input-type", "day/month/year"),
        ([1, 2], INTEGER, "input-type", "[1, 2]"),
    ],
)
def test_coerce_refuses(raw: Any, spec: InputDef, code: str, words: str) -> None:
    value, got_code, message = coerce(raw, spec)
    assert value is None
    assert got_code == code
    assert message is not None and words in message


INPUTS = {"done": BOOLEAN, "count": INTEGER, "share": NUMBER}


def test_parse_values_plain_na_and_missing() -> None:
    values, problems = parse_values({"done": "có", "count": "n/a", "share": None}, INPUTS)
    assert problems == []
    assert values["done"] == Value(True, True)
    assert values["count"].not_applicable and values["count"].reported
    assert "share" not in values  # explicitly null: not reported


@pytest.mark.parametrize("word", ["n/a", "N/A", "na", "không áp dụng", "Not applicable"])
def test_not_applicable_words(word: str) -> None:
    values, _ = parse_values({"count": word}, INPUTS)
    assert values["count"].not_applicable


def test_self_and_appraised_values() -> None:
    values, problems = parse_values(
        {
            "count": {"self": 4, "appraised": 3, "evidence": "Biên bản", "note": "thiếu 1 biên bản"},
            "share": {"value": "90", "date": "2024-05-02"},
            "done": {"self": True},
        },
        INPUTS,
    )
    assert problems == []
    assert values["count"] == Value(D(3), D(4), D(3), None, False, "thiếu 1 biên bản", "Biên bản")
    assert values["count"].has_appraisal
    assert (values["share"].value, values["share"].date) == (D(90), dt.date(2024, 5, 2))
    assert (values["done"].value, values["done"].has_appraisal) == (True, False)


def test_not_applicable_with_a_reason() -> None:
    values, _ = parse_values({"count": {"not_applicable": "không có đơn vị trực thuộc"}}, INPUTS)
    assert values["count"].not_applicable
    assert values["count"].reason == "không có đơn vị trực thuộc"


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ({"stafff": 3}, "input-unknown", "'stafff'"),
        ({"count": {"vale": 3}}, "input-type", "vale"),
        ({"count": {"value": 3, "date": "5/13/2024"}}, "input-type", "day/month/year"),
        ({"count": {"self": 3, "appraised": 300}}, "input-range", "appraised"),
        ({"count": 300}, "input-range", "maximum"),
    ],
)
def test_refused_values_are_reported_not_dropped(raw: dict[str, Any], code: str, words: str) -> None:
    values, problems = parse_values(raw, INPUTS)
    assert values == {}
    (problem,) = problems
    assert problem.code == code
    assert words in problem.message


def test_a_close_name_gets_a_hint() -> None:
    _, (problem,) = parse_values({"cuont": 1}, INPUTS)
    assert problem.hint == "did you mean 'count'?"


def test_read_unit_positions_each_refused_value(write: Callable[..., Path]) -> None:
    definition = load_file(write(TINY, "tiny.yaml"))
    text = (
        "kind: inputs\n"
        "definition: tiny\n"
        "unit: {id: xa-a}\n"
        "year: 2024\n"
        "values:\n"
        "  has_plan: true\n"
        "  staff: -5\n"
        "  staff_trained: {self: 4, appraised: 3}\n"
    )
    unit, problems = read_unit(definition, write(text, "unit.yaml"))
    assert problems == [] and unit is not None
    assert (unit.unit_id, unit.year) == ("xa-a", 2024)
    (problem,) = unit.problems
    assert (problem.code, problem.location.line, problem.location.column) == (
        "input-range",
        line_of(text, "staff: -5"),
        10,
    )
    assert unit.values["has_plan"].value is True
    assert unit.values["staff_trained"].self_value == 4


def test_read_unit_of_several_years(write: Callable[..., Path]) -> None:
    definition = load_file(write(TINY, "tiny.yaml"))
    text = (
        "kind: inputs\ndefinition: tiny\nunit: {id: xa-a}\n"
        "years:\n  2023: {has_plan: false}\n  2024: {has_plan: true}\n"
    )
    path = write(text, "unit.yaml")
    latest, _ = read_unit(definition, path)
    earlier, _ = read_unit(definition, path, year=2023)
    assert latest is not None and earlier is not None
    assert (latest.year, latest.values["has_plan"].value) == (2024, True)  # the latest year by default
    assert (earlier.year, earlier.values["has_plan"].value) == (2023, False)
