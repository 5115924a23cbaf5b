"""Issue #13: explicit scales (percent 0–100, fraction 0–1), interval reasoning over formulas, and
clamps reported in the result, never silent."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_index.check.checking import check_file
from cds_index.check.formula import Interval, compile_formula, formula_range, input_interval, interval
from cds_index.engine.evaluate import score
from cds_index.errors import Problem
from cds_index.formats import units
from cds_index.formats.model import Definition, InputDef
from cds_index.i18n import render
from cds_index.read.inputs import parse_values
from cds_index.read.registry import bundled_dir

from .conftest import column_of, criterion, definition_data, dump_yaml, line_of

D = Decimal
SHARE = {"label": "Tỷ lệ hồ sơ trực tuyến", "type": "number", "unit": "percent", "min": 0, "max": 100}
FRACTION = {"label": "Tỷ lệ (0–1)", "type": "number", "unit": "fraction", "min": 0, "max": 1}
PART = {"label": "Số hồ sơ trực tuyến", "type": "integer", "unit": "dossier", "min": 0}
WHOLE = {"label": "Tổng số hồ sơ", "type": "integer", "unit": "dossier", "min": 0, "general": True}


def bands(low: Any, high: Any) -> list[dict[str, Any]]:
    """Three bands split at ``low`` and ``high``: 0 %, 50 %, 100 % of the points."""
    return [
        {"max": low, "percent": 0},
        {"min": low, "max": high, "percent": 50},
        {"min": high, "percent": 100},
    ]


def text_of(inputs: dict[str, Any], rule: dict[str, Any], points: int = 10) -> str:
    return dump_yaml(definition_data(inputs, [criterion("S.1", points, rule)]))


def problems_of(check: Callable[..., list[Problem]], text: str, code: str) -> list[Problem]:
    return [p for p in check(text) if p.code == code]


# --- scales: units ------------------------------------------------------------------------------


def test_the_scale_of_each_unit() -> None:
    assert units.scale("percent") == units.scale("%") == "percent"
    assert units.scale("fraction") == "fraction"
    assert units.parse("fraction") == ("dimensionless", 1)
    for unit in ("1", "person", "VND", "dossier/dossier", "no-such-unit"):
        assert units.scale(unit) is None


def test_a_percent_sign_is_read_for_both_spellings_of_percent_and_refused_for_a_fraction() -> None:
    specs = {
        "a": InputDef(label="a", unit="percent"),
        "b": InputDef(label="b", unit="%"),  # was refused: only `percent` took a `%` sign
        "c": InputDef(label="c", unit="fraction"),
    }
    values, problems = parse_values({"a": "85%", "b": "85 %", "c": "50%"}, specs)
    assert (values["a"].value, values["b"].value) == (D(85), D(85))
    (problem,) = problems
    assert problem.code == "input-type"
    assert "write 0,5 for 50%" in problem.format("en")  # the fraction to write, in either language (#11)
    assert "ghi 0,5 cho 50%" in problem.format("vi")


# --- scales: step bounds ------------------------------------------------------------------------


def test_fraction_bounds_on_a_percent_input_are_refused_where_written(
    check: Callable[..., list[Problem]],
) -> None:
    """The issue's case: 0.5/0.8 on a 0–100 input passed, and 49.9 % earned the top band."""
    text = text_of({"share": SHARE}, {"kind": "steps", "input": "share", "steps": bands(0.5, 0.8)})
    (problem,) = problems_of(check, text, "scale-mismatch")
    assert problem.severity == "error"
    assert "viết 80 cho 80 %" in render(problem.message, "vi") and "write 80 for 80 %" in problem.message
    assert "steps[1].min = 0.5" in problem.message
    assert problem.location.line == line_of(text, "max: 0.8")  # the largest bound, first written
    assert problem.location.path[-3:] == ("steps", 1, "max")
    assert problem.node[-1] == "S.1"


def test_percent_bounds_on_a_percent_input_pass_and_score_on_that_scale(
    build: Callable[..., Definition],
) -> None:
    definition = build(
        {"share": SHARE}, [criterion("S.1", 10, {"kind": "steps", "input": "share", "steps": bands(50, 80)})]
    )
    assert score(definition, {"share": "49.9"}).node("S.1").points == 0
    assert score(definition, {"share": 50}).node("S.1").points == 5
    assert score(definition, {"share": "80%"}).node("S.1").points == 10


def test_declaring_scale_percent_confirms_bounds_below_one_percent(build: Callable[..., Definition]) -> None:
    rule = {"kind": "steps", "input": "share", "scale": "percent", "steps": bands(0.5, 0.8)}
    definition = build({"share": SHARE}, [criterion("S.1", 10, rule)])
    assert score(definition, {"share": "0.6"}).node("S.1").points == 5


def test_percent_bounds_on_a_fraction_input_are_refused(check: Callable[..., list[Problem]]) -> None:
    text = text_of({"share": FRACTION}, {"kind": "steps", "input": "share", "steps": bands(50, 80)})
    (problem,) = problems_of(check, text, "scale-mismatch")
    assert "write 0.8 for 80 %" in problem.message and "viết 0.8 cho 80 %" in render(problem.message, "vi")


def test_a_ratio_of_steps_is_a_fraction_unless_it_says_percent(
    check: Callable[..., list[Problem]], build: Callable[..., Definition]
) -> None:
    inputs = {"part": PART, "whole": WHOLE}
    as_printed = {"kind": "steps", "input": "part", "per": "whole", "steps": bands(50, 80)}
    (problem,) = problems_of(check, text_of(inputs, as_printed), "scale-mismatch")
    assert "'part' / 'whole'" in problem.message
    assert "write 0.8 for 80 %" in problem.message and "`scale: percent`" in problem.message
    # `scale: percent`: the bounds as the decision prints them, compared exactly (no division)
    definition = build(inputs, [criterion("S.1", 10, {**as_printed, "scale": "percent"})])
    assert score(definition, {"part": 499, "whole": 1000}).node("S.1").points == 0
    assert score(definition, {"part": 500, "whole": 1000}).node("S.1").points == 5
    assert score(definition, {"part": 2, "whole": 3}).node("S.1").points == 5
    assert score(definition, {"part": 4, "whole": 5}).node("S.1").points == 10
    # the same rule on the fraction scale scores the same units the same way
    fraction = build(inputs, [criterion("S.1", 10, {**as_printed, "steps": bands(0.5, 0.8)})])
    for part, whole in [(499, 1000), (500, 1000), (2, 3), (4, 5), (0, 7)]:
        values = {"part": part, "whole": whole}
        assert score(fraction, values).node("S.1").points == score(definition, values).node("S.1").points
    # percent bounds that are all ≤ 1 under `scale: percent` are the mistake the other way round
    wrong = {**as_printed, "scale": "percent", "steps": bands(0.5, 0.8)}
    (problem,) = problems_of(check, text_of(inputs, wrong), "scale-mismatch")
    assert "write 80 for 80 %" in problem.message


def test_a_ratio_above_one_is_confirmed_with_scale_fraction(build: Callable[..., Definition]) -> None:
    inputs = {"part": PART, "whole": WHOLE}
    rule = {"kind": "steps", "input": "part", "per": "whole", "scale": "fraction", "steps": bands(1, 2)}
    definition = build(inputs, [criterion("S.1", 10, rule)])
    assert score(definition, {"part": 30, "whole": 10}).node("S.1").points == 10


@pytest.mark.parametrize(
    ("inputs", "scale", "words"),
    [
        ({"n": PART}, "percent", "declare the input's unit `percent` or `fraction`"),
        ({"n": SHARE}, "fraction", "cannot change that"),
    ],
)
def test_a_declared_scale_must_be_the_inputs_own(
    check: Callable[..., list[Problem]], inputs: dict[str, Any], scale: str, words: str
) -> None:
    rule = {"kind": "steps", "input": "n", "scale": scale, "steps": bands(50, 80)}
    (problem,) = problems_of(check, text_of(inputs, rule), "scale-mismatch")
    assert words in problem.message


def test_counts_and_plain_numbers_have_no_scale(check: Callable[..., list[Problem]]) -> None:
    rule = {"kind": "steps", "input": "n", "steps": bands(0.5, 0.8)}
    number = {"label": "Chỉ số", "type": "number", "unit": "1", "min": 0}
    assert not problems_of(check, text_of({"n": number}, rule), "scale-mismatch")


# --- scales: targets and ranges -----------------------------------------------------------------


def test_a_ratio_target_written_as_a_percent_is_refused_at_the_target(
    check: Callable[..., list[Problem]],
) -> None:
    text = text_of({"share": SHARE}, {"kind": "ratio", "input": "share", "target": 80})
    (problem,) = problems_of(check, text, "scale-mismatch")
    assert (problem.location.line, problem.location.column) == (
        line_of(text, "target: 80"),
        column_of(text, "80"),
    )
    assert "write 0.8 for 80 %" in problem.message
    huge = text_of({"share": SHARE}, {"kind": "ratio", "input": "share", "target": 5000})
    (problem,) = problems_of(check, huge, "scale-mismatch")
    assert "a number from 0 to 1" in problem.message
    assert not problems_of(
        check, text_of({"share": SHARE}, {"kind": "ratio", "input": "share", "target": 1}), "scale-mismatch"
    )


def test_a_percent_input_whose_max_is_one_is_refused(check: Callable[..., list[Problem]]) -> None:
    text = text_of({"share": {**SHARE, "max": 1}}, {"kind": "ratio", "input": "share"})
    (problem,) = problems_of(check, text, "scale-mismatch")
    assert "write max: 100" in problem.message
    assert problem.location.line == line_of(text, "max: 1")


def test_a_yearly_target_on_the_wrong_scale_is_refused(check: Callable[..., list[Problem]]) -> None:
    text = dump_yaml(
        definition_data(
            {"share": SHARE},
            [],
            scoring="targets",
            years=[2024],
            total=None,
            tree=[
                {
                    "id": "1",
                    "title": "Chính quyền số",
                    "children": [
                        {
                            "id": "1.1",
                            "title": "Tỷ lệ hồ sơ trực tuyến",
                            "targets": {"input": "share", "years": {2024: {"at_least": 0.8}}},
                        }
                    ],
                }
            ],
        )
    )
    (problem,) = problems_of(check, text, "scale-mismatch")
    assert "write 80 for 80 %" in problem.message


def test_every_bundled_definition_keeps_its_scales() -> None:
    """The bundled decisions are the authority: none trips the new checks (none needed changing)."""
    paths = sorted(bundled_dir().glob("*.yaml"))
    assert len(paths) >= 4
    for path in paths:
        found = [p for p in check_file(path).problems if p.code in {"scale-mismatch", "formula-range"}]
        assert not found, [p.format() for p in found]


# --- interval reasoning over formulas -----------------------------------------------------------

RANGES = {
    "a": InputDef(label="a", min=0, max=10),
    "n": InputDef(label="n", type="integer", min=0),
    "u": InputDef(label="u"),
    "f": InputDef(label="f", type="boolean"),
}


def span(expression: str, inputs: dict[str, InputDef] = RANGES) -> Interval | None:
    formula, problems = compile_formula(expression, inputs)
    assert formula is not None, problems
    return interval(formula, {n: input_interval(s) for n, s in inputs.items()})


INF = D("Infinity")


@pytest.mark.parametrize(
    ("expression", "lo", "hi"),
    [
        ("a / 2", 0, 5),
        ("a - 2 * a", -20, 10),
        ("min(10, a / n)", 0, 10),  # a whole-number denominator is at least 1 when it is not 0
        ("10 / n", 0, 10),
        ("a / u", -INF, INF),
        ("min(max(a, 2), max(a, 3), 4)", 2, 4),  # nested min/max
        ("clamp(a * 3, 1, 12)", 1, 12),
        ("abs(a - 4)", 0, 6),
        ("a % 3", 0, 3),
        ("a // 3", 0, 4),
        ("a if f else 20", 0, 20),
        ("5 if a >= 0 else 99", 5, 5),  # the comparison is decided by the range
        ("f and a", 0, 10),
        ("not f", 0, 1),
        ("1e30 * a * 1e30", 0, D("1e61")),  # huge numbers stay exact (no overflow, no float)
        ("-n", -INF, 0),
        ("a - a", -10, 10),  # wider than the truth (0): the inputs are taken independently
    ],
)
def test_interval_of_a_formula(expression: str, lo: Any, hi: Any) -> None:
    found = span(expression)
    assert found is not None
    assert (found.lo, found.hi) == (D(lo), D(hi))


def test_a_denominator_that_is_always_zero_has_no_value(check: Callable[..., list[Problem]]) -> None:
    zero = {"z": InputDef(label="z", min=0, max=0), "a": RANGES["a"]}
    assert span("a / z", zero) is None
    assert span("a % z", zero) is None
    assert span("a / (z * 3)", zero) is None
    assert span("a if z else 3", zero) == span("3", zero)  # the other branch is the one taken
    formula, _ = compile_formula("a / z", zero)
    assert formula is not None
    _, found = formula_range(formula, zero, D(10), False)
    assert found == [("error", "the formula divides by zero for every value of its inputs")]


def test_an_undeclared_name_is_unbounded() -> None:
    formula, problems = compile_formula("x + 1", {"x": None})
    assert formula is not None and not problems
    found = interval(formula, {})
    assert found is not None and (found.lo, found.hi) == (-INF, INF)


def test_formula_range_gives_the_values_that_reach_the_limit() -> None:
    formula, _ = compile_formula("a / n", RANGES)
    assert formula is not None
    found, problems = formula_range(formula, RANGES, D(5), False)
    assert found is not None
    ((severity, message),) = problems
    assert severity == "warning"
    assert "can give 10 points" in message and "a = 10, n = 1 (no declared `max`)" in message
    formula, _ = compile_formula("a - 12", RANGES)
    assert formula is not None
    _, problems = formula_range(formula, RANGES, D(5), False)
    ((severity, message),) = problems
    assert severity == "error" and "always below 0" in message
    formula, _ = compile_formula("a * 10", RANGES)  # result: percent, within 0 … 100
    assert formula is not None
    assert formula_range(formula, RANGES, D(5), True)[1] == []
    formula, _ = compile_formula("a * 11", RANGES)
    assert formula is not None
    ((_, message),) = formula_range(formula, RANGES, D(5), True)[1]
    assert "110 %" in message


def test_formula_range_at_check_time(check: Callable[..., list[Problem]]) -> None:
    inputs = {"visits": {"label": "Lượt truy cập", "type": "integer", "unit": "1", "min": 0, "max": 1000}}
    text = text_of(inputs, {"kind": "formula", "expression": "visits / 100"}, points=5)
    (problem,) = problems_of(check, text, "formula-range")
    assert problem.severity == "warning"
    assert "can give 10 points, more than the criterion's 5 points" in problem.message
    assert "visits = 1000" in problem.message and "min(…, 5)" in problem.message
    assert problem.location.line == line_of(text, "expression:")
    bounded = text_of(inputs, {"kind": "formula", "expression": "min(5, visits / 100)"}, points=5)
    assert not problems_of(check, bounded, "formula-range")
    always = text_of(inputs, {"kind": "formula", "expression": "visits + 6"}, points=5)
    (problem,) = problems_of(check, always, "formula-range")
    assert problem.severity == "error" and "always above the criterion's 5 points" in problem.message


def test_formula_range_checks_alternatives_too(check: Callable[..., list[Problem]]) -> None:
    inputs = {"visits": {"label": "Lượt truy cập", "type": "integer", "unit": "1", "min": 0, "max": 1000}}
    rule = {
        "kind": "formula",
        "expression": "min(5, visits / 100)",
        "alternatives": [
            {"name": "uncapped", "reason": "x", "rule": {"kind": "formula", "expression": "visits / 10"}}
        ],
    }
    (problem,) = problems_of(check, text_of(inputs, rule, points=5), "formula-range")
    assert problem.message.startswith("alternative 'uncapped': ")


# the property: random formulas, random declared ranges, random values in them


@st.composite
def declared(draw: st.DrawFn) -> InputDef:
    kind = draw(st.sampled_from(["number", "integer", "boolean"]))
    if kind == "boolean":
        return InputDef(label="x", type="boolean")
    whole = kind == "integer"
    bound = st.integers(-50, 50) if whole else st.decimals(-50, 50, places=2, allow_nan=False)
    low = draw(st.none() | bound)
    high = draw(st.none() | bound)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return InputDef(
        label="x", type=kind, min=None if low is None else D(low), max=None if high is None else D(high)
    )


def value_in(spec: InputDef) -> st.SearchStrategy[Any]:
    if spec.type == "boolean":
        return st.booleans()
    low = spec.min if spec.min is not None else D(-1000)
    high = spec.max if spec.max is not None else D(1000)
    if spec.type == "integer":
        return st.integers(int(low), int(high)).map(D)
    return st.decimals(low, high, places=3, allow_nan=False, allow_infinity=False)


LEAVES = st.sampled_from(["a", "b", "c", "0", "1", "2", "0.5", "3", "1e6"])


def expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(
            inner, st.sampled_from(["+", "-", "*", "/", "//", "%", "<", ">=", "and", "or"]), inner
        )
        return st.one_of(
            binary.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            inner.map(lambda e: f"(-{e})"),
            inner.map(lambda e: f"(not {e})"),
            st.tuples(st.sampled_from(["min", "max"]), st.lists(inner, min_size=2, max_size=3)).map(
                lambda t: f"{t[0]}({', '.join(t[1])})"
            ),
            inner.map(lambda e: f"abs({e})"),
            st.tuples(inner, inner, inner).map(lambda t: f"clamp({t[0]}, {t[1]}, {t[2]})"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        )

    return st.recursive(LEAVES, extend, max_leaves=8)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), expressions(), st.tuples(declared(), declared(), declared()))
def test_property_a_formula_stays_inside_its_interval(
    data: st.DataObject, expression: str, specs: tuple[InputDef, InputDef, InputDef]
) -> None:
    inputs = dict(zip("abc", specs, strict=True))
    formula, problems = compile_formula(expression, inputs)
    assert formula is not None, problems
    found = interval(formula, {n: input_interval(s) for n, s in inputs.items()})
    values = {n: data.draw(value_in(s), label=n) for n, s in inputs.items() if n in formula.names}
    try:
        value = formula(values)
    except ValueError:  # no value (division by zero): the criterion is invalid, nothing to bound
        return
    assert found is not None, f"{expression} has a value ({value}) the interval said it never has"
    # the formula divides at 28 significant digits, the interval exactly: allow that rounding
    slack = max(abs(value), D(1)) * D("1e-20")
    assert found.lo - slack <= value <= found.hi + slack, (expression, values, value, found)


# --- clamps reported ----------------------------------------------------------------------------


@pytest.fixture
def clamping(build: Callable[..., Definition]) -> Definition:
    inputs = {
        "visits": {"label": "Lượt truy cập", "type": "integer", "unit": "1", "min": 0, "max": 1000},
        "part": PART,
        "whole": WHOLE,
    }
    return build(
        inputs,
        [
            criterion("C.1", 5, {"kind": "formula", "expression": "visits / 100 - 1"}),
            criterion("C.2", 5, {"kind": "ratio", "input": "part", "per": "whole"}),
        ],
    )


def test_a_formula_above_the_points_is_limited_and_said_so(clamping: Definition) -> None:
    result = score(clamping, {"visits": 720, "part": 1, "whole": 2})
    node = result.node("C.1")
    assert node.points == 5
    assert node.explain("vi") == "visits / 100 - 1 = 6,2 → giới hạn ở 5 điểm (công thức cho 6,2)"
    assert node.explain("en") == "visits / 100 - 1 = 6.2 → limited to 5 points (the formula gives 6.2)"
    assert node.to_dict()["clamped"] == {"of": "points", "value": "6.2", "limit": "5"}
    (problem,) = [p for p in result.problems if p.code == "score-clamped"]
    assert problem.severity == "warning" and problem.node == ("C.1",)
    assert problem.location.path == ("values", "visits")
    assert "6.2 points, outside 0 … 5; scored 5" in problem.message
    assert result.ok  # a warning: the unit is scored
    assert result.to_dict()["problems"][0]["code"] == "score-clamped"


def test_a_formula_below_zero_is_limited_and_said_so(clamping: Definition) -> None:
    node = score(clamping, {"visits": 30, "part": 1, "whole": 2}).node("C.1")
    assert node.points == 0
    assert node.clamped == (D("-0.7"), D(0), "points")
    assert "giới hạn ở 0 điểm (công thức cho -0,7)" in node.explanation


def test_a_part_above_its_whole_is_limited_and_said_so(clamping: Definition) -> None:
    result = score(clamping, {"visits": 300, "part": 12, "whole": 10}, lang="en")
    node = result.node("C.2")
    assert node.points == 5
    assert node.clamped == (D("1.2"), D(1), "share")
    assert "(the ratio 120% is above 100%, counted as 100%)" in node.explanation
    assert "tỷ lệ 120% vượt 100%, tính là 100%" in node.explain("vi")
    (problem,) = [p for p in result.problems if p.code == "score-clamped"]
    assert problem.node == ("C.2",) and "the ratio is 120 %, outside 0 … 100 %" in problem.message


def test_nothing_is_flagged_when_nothing_was_limited(clamping: Definition) -> None:
    result = score(clamping, {"visits": 300, "part": 10, "whole": 10})
    assert [n.clamped for n in result.criteria()] == [None, None]
    assert "clamped" not in result.node("C.1").to_dict()
    assert not [p for p in result.problems if p.code == "score-clamped"]


def test_a_clamp_is_reported_on_the_general_path_too(clamping: Definition) -> None:
    """An appraised value goes through the scorer's general path: the same report."""
    values = {"visits": {"self": 900, "appraised": 720}, "part": 1, "whole": 2}
    result = score(clamping, values)
    assert result.node("C.1").clamped == (D("6.2"), D(5), "points")
    assert [p.node for p in result.problems if p.code == "score-clamped"] == [("C.1",)]


def test_a_clamp_from_an_inputs_file_is_positioned(write: Callable[..., Path], clamping: Definition) -> None:
    from cds_index.read.units_io import read_unit

    path = write(
        "kind: inputs\ndefinition: built.yaml\nunit: {id: xa}\nyear: 2024\n"
        "values:\n  visits: 720\n  part: 1\n  whole: 2\n",
        "xa.yaml",
    )
    unit, problems = read_unit(clamping, path)
    assert unit is not None and not problems
    result = score(clamping, unit)
    (problem,) = [p for p in result.problems if p.code == "score-clamped"]
    assert problem.location.file == str(path)


def test_a_clamped_result_matches_the_results_schema(clamping: Definition) -> None:
    from cds_index.render.documents import ResultDocument

    result = score(clamping, {"visits": 720, "part": 12, "whole": 10})
    document = ResultDocument.model_validate(result.to_dict())
    clamped = [c.clamped for c in document.children[0].children]
    assert [(c.of, c.value, c.limit) for c in clamped if c is not None] == [
        ("points", "6.2", "5"),
        ("share", "1.2", "1"),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    visits=st.integers(0, 1000),
    part=st.integers(0, 50),
    whole=st.integers(0, 50),
    appraised=st.booleans(),
)
def test_property_every_clamp_is_flagged_once_and_only_clamps_are(
    clamping: Definition, visits: int, part: int, whole: int, appraised: bool
) -> None:
    """The node's flag (from its trace) and the result's warnings agree on every path of the scorer."""
    values: dict[str, Any] = {"visits": visits, "part": part, "whole": whole}
    if appraised:
        values["visits"] = {"self": 1000, "appraised": visits}
    result = score(clamping, values)
    flagged = {n.id for n in result.criteria() if n.clamped is not None}
    warned = [p.node[-1] for p in result.problems if p.code == "score-clamped"]
    assert sorted(warned) == sorted(flagged)
    assert ("C.1" in flagged) == (not 100 <= visits <= 600)
    assert ("C.2" in flagged) == (whole > 0 and part > whole)
    for node in result.criteria():
        assert 0 <= node.points <= node.max


def test_hostile_formulas_at_the_size_limits_get_an_interval_quickly() -> None:
    import time

    from cds_index.check.formula import MAX_DEPTH

    inputs = {name: InputDef(label=name, min=-5, max=5) for name in "abcdefgh"}
    deep_sum = " + ".join(["a"] * MAX_DEPTH)  # nests MAX_DEPTH - 1 deep: no recursion in the walk
    found = span(deep_sum, inputs)
    assert found is not None and (found.lo, found.hi) == (D(-5 * MAX_DEPTH), D(5 * MAX_DEPTH))
    negations = "-" * (MAX_DEPTH - 1) + "a"
    found = span(negations, inputs)
    assert found is not None and (found.lo, found.hi) == (D(-5), D(5))
    huge = " * ".join(["1e30"] * 60) + " * a"  # 1e1800: exact, no overflow
    found = span(huge, inputs)
    assert found is not None and found.hi == D("5e1800")
    # eight inputs and the most nodes a formula may have: the corners tried stay bounded (2⁸)
    terms = [f"{name} * {name}" for name in "abcdefgh"]
    wide = " - ".join((terms * 12)[:95])  # 379 nodes, 96 deep
    formula, problems = compile_formula(wide, inputs)
    assert formula is not None, problems
    start = time.perf_counter()
    formula_range(formula, inputs, D(10), False)
    assert time.perf_counter() - start < 5
    big, _ = compile_formula(huge, inputs)
    assert big is not None
    _, problems = formula_range(big, inputs, D(10), False)
    assert [severity for severity, _ in problems] == ["warning", "warning"]
    assert "E+1800" in problems[0][1]  # a long number is shown short


def test_every_spelling_of_a_share_is_one_scale_elsewhere_too() -> None:
    """A roll-up refuses to sum a share whether it is written `percent`, `%` or `fraction`."""
    from cds_index.formats.rearrangement import combine_refusal

    for unit in ("percent", "%", "fraction"):
        refusal = combine_refusal(InputDef(label="x", unit=unit), "sum")
        assert refusal is not None and "percentage already computed" in refusal
    assert combine_refusal(InputDef(label="x", unit="person"), "sum") is None


def test_a_formula_without_inputs_outside_its_points_is_warned_without_a_traceback() -> None:
    """`-(1 == 1)` reads no input and gives -1: a warning saying so, not an IndexError (hypothesis)."""
    formula, problems = compile_formula("-(1 == 1)", {})
    assert formula is not None and not problems
    _, found = formula_range(formula, {}, D(5), False)
    assert [severity for severity, _ in found] == ["warning"]
    assert "-1" in str(found[0][1]) and "(with" not in str(found[0][1])
    formula, _ = compile_formula("(1 == 1) * 7", {})
    assert formula is not None
    _, found = formula_range(formula, {}, D(5), False)
    assert found and all(str(message) for _, message in found)
