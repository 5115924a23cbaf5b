"""The flat plan and its short path (issue #11, benchmarks/) give exactly the general walk's results.

`_Scorer.pillars` scores a criterion with no deadline whose values are all plain directly, and sends
every other one to `_Scorer.criterion`; `_Scorer.node` is the recursive walk that decides every case.
On random units of every bundled points definition — values dropped, not applicable, appraised,
zero, dated, parts above their wholes — both must give the same node, field for field, with the same
explanation in both languages.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.check.constraints import violations
from cds_index.engine import evaluate
from cds_index.numbers import CONTEXT, PLACES, div
from cds_index.read.inputs import UnitInputs, parse_values

from .synthetic import random_values

BUNDLED = ["hai-duong-707-department", "hai-duong-707-district", "hue-2263-commune", "thanh-hoa-1829-commune"]
DEFINITIONS = {i: d for i in BUNDLED if (d := cds_index.load(i)).scoring == "points"}
IDS = sorted(DEFINITIONS)


def _mutated(definition: cds_index.Definition, seed: int, edits: list[int]) -> dict[str, Any]:
    """Synthetic values, then one edit per input chosen by hypothesis (0 and 1: left as they are)."""
    rng = random.Random(seed)
    raw = random_values(definition, rng)
    for name, edit in zip(sorted(definition.inputs), edits, strict=False):
        value = raw.get(name)
        if edit == 2:
            raw.pop(name, None)
        elif edit == 3:
            raw[name] = "n/a"
        elif edit == 4:
            raw[name] = {"not_applicable": "đã sáp nhập"}
        elif edit == 5 and value is not None and not isinstance(value, dict):
            raw[name] = {"self": value, "appraised": value}  # appraised, the same value
        elif edit == 6 and isinstance(value, bool):
            raw[name] = {"self": value, "appraised": not value}
        elif edit == 7 and isinstance(value, int | Decimal) and not isinstance(value, bool):
            raw[name] = 0
        elif edit == 8 and isinstance(value, int | Decimal) and not isinstance(value, bool):
            raw[name] = value * 1000 + 7  # likely above its whole
        elif edit == 9 and isinstance(value, bool):
            raw[name] = {"value": value, "date": dt.date(2024, rng.randint(1, 12), rng.randint(1, 28))}
        elif edit == 10 and isinstance(value, int) and not isinstance(value, bool):
            raw[name] = {"self": value + 1, "appraised": value}
    return raw


def _same(a: evaluate.NodeResult, b: evaluate.NodeResult) -> None:
    fields = ("id", "title", "points", "max", "stated", "status", "self_points", "inputs", "late")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
    assert str(a.points) == str(b.points) and str(a.max) == str(b.max)  # the same digits, not only equal
    assert a.trace[0] == b.trace[0]
    for lang in ("vi", "en"):
        assert a.explain(lang) == b.explain(lang), (a.id, lang)
    assert len(a.children) == len(b.children)
    for x, y in zip(a.children, b.children, strict=True):
        _same(x, y)


@pytest.mark.parametrize("definition_id", IDS)
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    edits=st.lists(st.sampled_from([0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), min_size=0, max_size=400),
    lang=st.sampled_from(["vi", "en"]),
)
def test_the_flat_plan_equals_the_recursive_walk(
    definition_id: str, seed: int, edits: list[int], lang: str
) -> None:
    definition = DEFINITIONS[definition_id]
    values, problems = parse_values(_mutated(definition, seed, edits), definition.inputs)
    unit = UnitInputs("u", None, 2024, values, problems)
    cdef = evaluate.compiled(definition)
    _, broken = violations(definition, unit.values, unit.source)
    flat = evaluate._Scorer(cdef, unit, lang, broken)  # type: ignore[arg-type]
    walked = evaluate._Scorer(cdef, unit, lang, broken)  # type: ignore[arg-type]
    got = flat.pillars()
    expected = tuple(walked.node(pillar) for pillar in definition.tree)
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        _same(a, b)
    assert [p.to_dict() for p in flat.problems] == [p.to_dict() for p in walked.problems]


def test_the_plan_lists_every_node_once_children_first() -> None:
    definition = DEFINITIONS["hue-2263-commune"]
    plan = evaluate.compiled(definition).plan
    ids = [step[4] for step in plan]
    assert sorted(ids) == sorted(node.id for _, node in definition.walk())
    position = {node_id: i for i, node_id in enumerate(ids)}
    for _, node in definition.walk():
        for child in node.children or ():
            assert position[child.id] < position[node.id]


def _div_by_exponent(a: Decimal, b: Decimal) -> Decimal:
    """numbers.div as it was: the exponent read from as_tuple()."""
    q = CONTEXT.divide(a, b)
    exponent = q.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -20:
        q = q.quantize(PLACES, rounding=ROUND_HALF_UP, context=CONTEXT)
    return q


decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) < 30 if d else True
)


@settings(max_examples=400, deadline=None)
@given(a=decimals, b=decimals.filter(lambda d: d != 0))
def test_div_reads_the_decimals_as_the_exponent_does(a: Decimal, b: Decimal) -> None:
    got, expected = div(a, b), _div_by_exponent(a, b)
    assert str(got) == str(expected)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1", "3"),
        ("2", "3"),
        ("1", "1E+30"),
        ("1E-7", "3"),
        ("-5", "7"),
        ("1.000000000000000000000000", "1"),
        ("1", "1048576"),
        ("1", "2E+40"),
        ("22", "24"),
        ("0", "5"),
        ("0E-30", "1"),
    ],
)
def test_div_on_the_edges(a: str, b: str) -> None:
    assert str(div(Decimal(a), Decimal(b))) == str(_div_by_exponent(Decimal(a), Decimal(b)))


RATIOS = [
    leaf.rule
    for definition in DEFINITIONS.values()
    for leaf in evaluate.compiled(definition).leaves.values()
    if leaf.rule.kind == "ratio" and hasattr(leaf.rule.points, "general")
]


def test_there_are_short_ratios_to_compare() -> None:
    assert len(RATIOS) > 40


amounts = st.decimals(min_value=-5, max_value=10_000, allow_nan=False, places=3)


@settings(max_examples=200, deadline=None)
@given(index=st.integers(0, 10_000), numbers=st.lists(amounts, min_size=2, max_size=2))
def test_a_short_ratio_equals_the_general_one(index: int, numbers: list[Decimal]) -> None:
    rule = RATIOS[index % len(RATIOS)]
    values = dict(zip(rule.inputs, numbers, strict=False))
    general = rule.points.general  # type: ignore[attr-defined]
    try:
        expected = general(values)
    except evaluate.InvalidValue:
        with pytest.raises(evaluate.InvalidValue):
            rule.points(values)
        return
    got = rule.points(values)
    assert str(got[0]) == str(expected[0])
    assert [str(x) for x in got[1]] == [str(x) for x in expected[1]]


@pytest.mark.parametrize("path", ["short", "general"])
def test_a_refused_value_leaves_no_reference_cycle(path: str) -> None:
    """An invalid criterion keeps its exception for the explanation, not the exception's traceback:
    the traceback held the scoring frame and through it every result of the unit, a cycle only the
    garbage collector could free (it cost a quarter of a points-only batch, benchmarks/bench_walk.py)."""
    import weakref

    definition = DEFINITIONS["hue-2263-commune"]
    leaf_id, leaf = next(
        (i, f)
        for i, f in evaluate.compiled(definition).leaves.items()
        if f.rule.kind == "ratio" and len(f.rule.inputs) == 2 and f.deadline is None
    )
    raw = random_values(definition, random.Random(7))
    raw[leaf.rule.inputs[0]] = raw[leaf.rule.inputs[1]] = 0  # 0/0 (within its whole): invalid
    if path == "general":  # an appraised value sends the criterion through the general path
        raw[leaf.rule.inputs[0]] = {"self": 0, "appraised": 0}
    result = evaluate.score(definition, raw, year=2024)
    node = result.node(leaf_id)
    assert node.status == "invalid"
    assert node.trace[0] == evaluate.INVALID and node.trace[2].__traceback__ is None
    assert node.explanation  # still written from the exception
    ref = weakref.ref(result)
    del result, node
    assert ref() is None  # freed at once, by reference counting
