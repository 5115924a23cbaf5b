"""One unit's score made faster (issue #11, benchmarks/bench_score_one.py), with the same results.

The short path keeps a criterion of one input's result by the identity of the value object read
(``evaluate.MEMO_SIZE``): a unit that reads the same object gets the same result object, with its
clamp warning, in its own language; the memo stays bounded. ``div`` is one function that tells a
terminating quotient's exponent without writing it: the same digits as the text did.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.engine import evaluate
from cds_index.numbers import CONTEXT, PLACES, div
from cds_index.read.inputs import UnitInputs, Value, parse_values

from .synthetic import random_values

BUNDLED = ["hai-duong-707-department", "hai-duong-707-district", "hue-2263-commune"]


def _fresh(definition_id: str) -> cds_index.Definition:
    """The definition loaded again: its own compilation, with empty memos."""
    return cds_index.load(definition_id).model_copy()


def _doc(result: cds_index.Result) -> tuple[object, ...]:
    return (
        result.to_dict(explain=True),
        [p.to_dict() for p in result.problems],
    )


@pytest.mark.parametrize("definition_id", BUNDLED)
def test_units_scored_after_others_score_as_alone(definition_id: str) -> None:
    """Forty units in a row, then each alone under a fresh compilation: the same documents."""
    definition = cds_index.load(definition_id)
    rng = random.Random(11)
    raws = [random_values(definition, rng) for _ in range(40)]
    for lang in ("vi", "en"):
        in_a_row = [_doc(evaluate.score(definition, raw, year=2024, lang=lang)) for raw in raws]
        alone = [_doc(evaluate.score(_fresh(definition_id), raw, year=2024, lang=lang)) for raw in raws]
        assert in_a_row == alone


def _single_leaves(definition: cds_index.Definition) -> list[tuple[object, ...]]:
    return [step for step in evaluate.compiled(definition).plan if not step[0] and step[7] and step[15]]


def test_the_same_value_object_gives_the_same_result_in_each_language() -> None:
    definition = _fresh("hue-2263-commune")
    values, problems = parse_values(random_values(definition, random.Random(3)), definition.inputs)
    unit = UnitInputs("a", None, 2024, values, problems)
    first = evaluate.score(definition, unit, lang="vi")
    again = evaluate.score(definition, unit, lang="vi")
    english = evaluate.score(definition, unit, lang="en")
    shared = 0
    for step in _single_leaves(definition):
        a, b, c = first.node(step[4]), again.node(step[4]), english.node(step[4])
        if a.status == "scored":
            assert a is b  # kept: the same result object
            shared += 1
        assert c.trace[1] == "en" and c.explain() == c.explain("en")
    assert shared > 20


def test_a_kept_result_still_warns_of_its_clamp() -> None:
    """A percentage above 100 % is counted as 100 % with a warning, on every unit that has it."""
    definition = _fresh("hue-2263-commune")
    step = next(s for s in _single_leaves(definition) if s[11] is not None and s[14].kind == "ratio")
    name = step[15]
    above = Value(Decimal(250), Decimal(250))
    # an input without a maximum (as a province may declare it): 250 % is read, then clamped
    unbounded = {**definition.inputs, name: definition.inputs[name].model_copy(update={"max": None})}
    definition = definition.model_copy(update={"inputs": unbounded})
    for unit_id in ("a", "b", "c"):
        unit = UnitInputs(unit_id, None, 2024, {name: above}, [])
        result = evaluate.score(definition, unit)
        clamped = [p for p in result.problems if p.code == "score-clamped"]
        assert [p.node for p in clamped] == [(step[4],)], unit_id
        assert result.node(step[4]).clamped is not None


def test_the_memos_stay_bounded() -> None:
    definition = _fresh("hue-2263-commune")
    step = next(s for s in _single_leaves(definition) if s[14].kind == "count")
    name = step[15]
    for n in range(evaluate.MEMO_SIZE + 50):
        value = Value(Decimal(n % 7), Decimal(n % 7))  # a new object each time: a new entry
        evaluate.score(definition, UnitInputs("u", None, 2024, {name: value}, []))
        assert len(step[16][0]) <= evaluate.MEMO_SIZE
    assert not step[16][1]  # nothing scored in English


def _div_by_text(a: Decimal, b: Decimal) -> Decimal:
    """numbers.div before #11's last pass: the decimals of a terminating quotient read from its text."""
    q = CONTEXT.divide(a, b)
    if q.is_finite() and q.adjusted() < 40:
        rounded = q.quantize(PLACES, ROUND_HALF_UP, CONTEXT)
        if rounded != q:
            return rounded
    text = str(q)
    if "E" in text:
        exponent = q.as_tuple().exponent
        more = isinstance(exponent, int) and exponent < -20
    else:
        dot = text.find(".")
        more = dot >= 0 and len(text) - dot > 21
    return q.quantize(PLACES, ROUND_HALF_UP, CONTEXT) if more else q


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("30", "4"),
        ("-30", "4"),
        ("-12.0", "1"),
        ("0E-30", "1"),
        ("-0E-30", "1"),
        ("-0", "3"),
        ("1.000000000000000000000000", "1"),
        ("-1.000000000000000000000000", "1"),
        ("5E+3", "1"),
        ("1E-25", "1"),
        ("-1E-25", "1"),
        ("1", "3"),
        ("-2", "3"),
        ("1E+45", "3"),
        ("12345678901234567890123456789012345678901234567890", "1E-3"),
    ],
)
def test_div_as_the_text_read_it(a: str, b: str) -> None:
    assert str(div(Decimal(a), Decimal(b))) == str(_div_by_text(Decimal(a), Decimal(b)))


signed = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) < 30 if d else True
)


@settings(max_examples=200, deadline=None)
@given(a=signed, b=signed.filter(lambda d: d != 0))
def test_div_as_the_text_read_it_on_any_decimals(a: Decimal, b: Decimal) -> None:
    assert str(div(a, b)) == str(_div_by_text(a, b))


def _old_violations(definition: cds_index.Definition, values: dict[str, Value]) -> list[str]:
    """The problems' messages as `violations` found them before its short way was shortened (#11):
    every value not applicable or not finite, or anything but a Decimal, the long way."""
    from cds_index.check import constraints

    saved = constraints._prepared
    try:  # every constraint as a sum of parts: the long way for all
        constraints._prepared = lambda d: [(p, w, b, None) for p, w, b, _ in saved(d)]  # type: ignore[assignment]
        problems, _ = constraints.violations(definition, values)
    finally:
        constraints._prepared = saved  # type: ignore[assignment]
    return [str(p.message) for p in problems]


ODD = [
    Value(Decimal("NaN"), Decimal("NaN")),
    Value(Decimal("Infinity"), Decimal("Infinity")),
    Value(Decimal("-Infinity"), Decimal("-Infinity")),
    Value(Decimal(7), None, not_applicable=True),
    Value(not_applicable=True),
    Value(Decimal(3), Decimal(9), Decimal(3)),
    Value(Decimal(9), Decimal(3), Decimal(9)),
    Value(Decimal(5), Decimal(5)),
    Value(Decimal(0), Decimal(0)),
    Value(True, True),
    Value(5, 5),
]


@pytest.mark.parametrize("part", range(len(ODD)))
@pytest.mark.parametrize("whole", range(len(ODD)))
def test_a_constraint_decides_odd_values_as_the_long_way(part: int, whole: int) -> None:
    from cds_index.check.constraints import violations

    definition = cds_index.load("hue-2263-commune")
    constraint = next(c for c in definition.constraints if isinstance(c.input, str))
    values = {constraint.input: ODD[part], constraint.at_most: ODD[whole]}
    got, _ = violations(definition, values)
    assert [str(p.message) for p in got] == _old_violations(definition, values)


def test_a_zero_denominator_warns_each_unit_at_its_own_source() -> None:
    """The warning is kept per criterion, reason and source: each unit still has its own."""
    definition = _fresh("hue-2263-commune")
    step = next(
        s for s in evaluate.compiled(definition).plan if not s[0] and s[14].kind == "ratio" and not s[15]
    )
    zero = Value(Decimal(0), Decimal(0))
    found = []
    for source in ("a.yaml", "b.yaml", "a.yaml"):
        unit = UnitInputs("u", None, 2024, dict.fromkeys(step[9], zero), [], source)
        result = evaluate.score(definition, unit)
        warning = next(p for p in result.problems if p.code == "invalid-value")
        assert warning.location.file == source and warning.node == (step[4],)
        found.append(warning)
    assert found[0] is found[2] and found[0] is not found[1]


def test_a_value_that_could_change_is_not_kept() -> None:
    """Only the readers' immutable values key a memo: a unit made by hand with a list is scored anew."""
    definition = _fresh("hue-2263-commune")
    step = next(s for s in _single_leaves(definition) if s[14].kind == "yes_no")
    result = evaluate.score(definition, UnitInputs("u", None, 2024, {step[15]: Value([1], [1])}, []))
    assert result.node(step[4]).status == "invalid"  # a list is no yes/no: refused, never kept
    assert not step[16][0]
