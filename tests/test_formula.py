"""The formula escape hatch: exact arithmetic, the allowlisted functions, parse once, clamp to the points."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from cds_index.check.formula import FUNCTIONS, compile_formula
from cds_index.engine.evaluate import score
from cds_index.formats.model import Definition

from .conftest import criterion

D = Decimal
KNOWN = {"a": None, "b": None, "flag": None}


def evaluate(expression: str, **values: Any) -> Decimal:
    formula, problems = compile_formula(expression, KNOWN)
    assert formula is not None, problems
    return formula(values)


@pytest.mark.parametrize(
    ("expression", "values", "expected"),
    [
        # literals are read exactly as written, never through a binary float
        ("0.1 + 0.2", {}, D("0.3")),
        ("a * 0.1", {"a": D(3)}, D("0.3")),
        ("1_000 + 1", {}, D(1001)),
        ("2.50", {}, D("2.5")),
        # the four operations, // and %
        ("a / b", {"a": D(1), "b": D(8)}, D("0.125")),
        ("a // b", {"a": D(7), "b": D(2)}, D(3)),
        ("a % b", {"a": D(7), "b": D(2)}, D(1)),
        ("-a % b", {"a": D(7), "b": D(2)}, D(-1)),  # Decimal's sign rule, as Python's own Decimal
        ("-a // b", {"a": D(7), "b": D(2)}, D(-3)),
        # a repeating quotient is carried to 20 decimal places, as a ratio rule's (numbers.div), not
        # to the thread's 28 digits: 5 × 35/37 added to other criteria lost its last digit (#11)
        ("5 * (1 - 2 / 37)", {}, D(5) * (1 - D("0.05405405405405405405"))),
        ("a / 3", {"a": D(2)}, D("0.66666666666666666667")),
        # the rest is exact to 60 digits, beyond the thread's 28
        ("a * a", {"a": D("1234567890.1234567890123")}, D("1524157875323883675.04942236884722755800955129")),
        ("a + 1e-20", {"a": D(10) ** 20}, D("100000000000000000000.00000000000000000001")),
        ("-a + +b", {"a": D(2), "b": D(5)}, D(3)),
        # the allowlisted functions
        ("min(a, b, 4)", {"a": D(7), "b": D(5)}, D(4)),
        ("max(a, b)", {"a": D(7), "b": D("7.5")}, D("7.5")),
        ("abs(a - b)", {"a": D(2), "b": D(5)}, D(3)),
        ("clamp(a, 0, 10)", {"a": D(12)}, D(10)),
        ("clamp(a, 0, 10)", {"a": D(-1)}, D(0)),
        ("clamp(a, 0, 10)", {"a": D("3.5")}, D("3.5")),
        # booleans count as 1 and 0; comparisons and conditionals
        ("flag * 2", {"flag": True}, D(2)),
        ("flag * 2", {"flag": False}, D(0)),
        ("a >= 10", {"a": D(10)}, D(1)),
        ("a > 10", {"a": D(10)}, D(0)),
        ("1 < a <= 3", {"a": D(3)}, D(1)),
        ("2 if flag and a > 1 else 0.5", {"flag": True, "a": D(2)}, D(2)),
        ("2 if flag and a > 1 else 0.5", {"flag": False, "a": D(2)}, D("0.5")),
        ("not flag", {"flag": False}, D(1)),
    ],
)
def test_arithmetic_is_exact(expression: str, values: dict[str, Any], expected: Decimal) -> None:
    got = evaluate(expression, **values)
    assert isinstance(got, Decimal)
    assert got == expected


def test_functions_are_exactly_the_allowlist() -> None:
    assert set(FUNCTIONS) == {"min", "max", "abs", "clamp"}


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("a + b", {"a", "b"}),
        ("min(a, 3)", {"a"}),  # a function name is not an input
        ("clamp(flag, 0, 1)", {"flag"}),
        ("2 * 3", set()),
    ],
)
def test_names_are_the_inputs_read(expression: str, names: set[str]) -> None:
    formula, problems = compile_formula(expression, KNOWN)
    assert problems == []
    assert formula is not None
    assert formula.names == frozenset(names)


def test_surrounding_whitespace_is_ignored() -> None:
    assert evaluate("  a + 1\n", a=D(1)) == D(2)


def test_a_formula_giving_no_number_is_refused_at_evaluation() -> None:
    formula, _ = compile_formula("a", KNOWN)
    assert formula is not None
    with pytest.raises(ValueError, match="not a number"):  # FormulaEvalError: the criterion is invalid
        formula({"a": "text"})


# --- through a definition -----------------------------------------------------------------


@pytest.fixture
def formula_def(build: Callable[..., Definition]) -> Callable[..., Definition]:
    def make(expression: str, result: str = "points", points: int = 10) -> Definition:
        return build(
            {
                "visits": {"label": "Số lượt truy cập", "type": "integer", "unit": "1", "min": 0},
                "share": {"label": "Tỷ lệ", "type": "number", "unit": "1"},
            },
            [criterion("F.1", points, {"kind": "formula", "expression": expression, "result": result})],
        )

    return make


@pytest.mark.parametrize(
    ("expression", "result", "values", "points"),
    [
        # result: points, clamped to [0, the criterion's 10]
        ("visits / 100", "points", {"visits": 250}, D("2.5")),
        ("visits / 100", "points", {"visits": 2500}, D(10)),
        ("visits - 100", "points", {"visits": 50}, D(0)),
        # result: percent of the criterion's points
        ("visits", "percent", {"visits": 35}, D("3.5")),
        ("visits", "percent", {"visits": 150}, D(10)),
        ("share * 100", "percent", {"visits": 0, "share": D("0.125")}, D("1.25")),
    ],
)
def test_formula_rule_scores_and_clamps(
    formula_def: Callable[..., Definition],
    expression: str,
    result: str,
    values: dict[str, Any],
    points: Decimal,
) -> None:
    definition = formula_def(expression, result)
    node = score(definition, values, lang="en").node("F.1")
    assert node.status == "scored"
    assert node.points == points
    assert expression in node.explanation


def test_clamping_is_explained(formula_def: Callable[..., Definition]) -> None:
    definition = formula_def("visits / 100")
    node = score(definition, {"visits": 2500}, lang="en").node("F.1")
    assert "visits / 100 = 25" in node.explanation
    assert "→ limited to 10 points (the formula gives 25)" in node.explanation
    assert "giới hạn ở 10 điểm (công thức cho 25)" in node.explain("vi")
    assert node.clamped == (Decimal(25), Decimal(10), "points")
    assert node.to_dict()["clamped"] == {"of": "points", "value": "25", "limit": "10"}


def test_division_by_zero_marks_the_criterion_invalid(formula_def: Callable[..., Definition]) -> None:
    definition = formula_def("10 / visits")
    result = score(definition, {"visits": 0})
    node = result.node("F.1")
    assert node.status == "invalid"
    assert node.points == 0
    assert node.max == 10  # still counted in the applicable maximum: the data is wrong, not n/a
    assert "10 / visits" in node.explanation


def test_a_formula_input_not_reported_scores_zero(formula_def: Callable[..., Definition]) -> None:
    definition = formula_def("visits + share")
    node = score(definition, {"visits": 3}).node("F.1")
    assert node.status == "not_reported"
    assert node.points == 0


def test_formula_is_parsed_once(
    formula_def: Callable[..., Definition], monkeypatch: pytest.MonkeyPatch
) -> None:
    from simpleeval import SimpleEval

    definition = formula_def("visits / 100")
    assert score(definition, {"visits": 100}).node("F.1").points == 1  # compiled and cached here

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the formula was parsed again while scoring")

    monkeypatch.setattr(SimpleEval, "parse", refuse)
    monkeypatch.setattr("ast.parse", refuse)
    for visits, points in [(200, D(2)), (350, D("3.5")), (0, D(0))]:
        assert score(definition, {"visits": visits}).node("F.1").points == points
