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


@settings(max_examples=100, deadline=None)
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


@settings(max_examples=100, deadline=None)
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


# --- session 6 (#11): the fast paths added to the plan, each against the general one -------------


def _built_with_bonus_and_deductions() -> cds_index.Definition:
    """Groups of one child and of several, a bonus and deductions (from the criterion and from the
    parent) among them, a gated criterion: what the plan decides per group (bonus below, one child)
    and the floor at 0 (a group of a deduction alone goes below 0 whenever it deducts)."""
    from .conftest import definition_from_text, dump_yaml
    from .test_deduction_bonus_table import bonus, deduction, leaf, pillar, tree_data

    yes = {"kind": "yes_no", "input": "has_plan"}
    award = {"kind": "yes_no", "input": "award", "applicable_if": "has_portal"}
    data = tree_data(
        [
            pillar(
                "I",
                pillar("I.1", leaf("I.1.1", 4, yes)),
                pillar("I.2", leaf("I.2.1", None, bonus())),
                pillar("I.3", leaf("I.3.1", 0, deduction(deducts_from="parent", points_each=2, cap=30))),
                pillar(
                    "I.4",
                    leaf("I.4.1", 3, award),
                    leaf("I.4.2", 10, deduction(deducts_from="criterion")),
                    leaf("I.4.3", 0, deduction(deducts_from="parent", cap=30)),
                    leaf("I.4.4", None, bonus(points_each=1)),
                ),
            ),
            pillar("II", leaf("II.1", 6, {"kind": "yes_no", "input": "award"})),
        ]
    )
    definition, problems = definition_from_text(dump_yaml(data))
    assert definition is not None, [p.format() for p in problems]
    return definition


BUILT = _built_with_bonus_and_deductions()
COUNTS = st.one_of(
    st.none(),
    st.integers(0, 12),
    st.just("n/a"),
    st.builds(lambda a, b: {"self": a, "appraised": b}, st.integers(0, 12), st.integers(0, 12)),
)
FLAGS = st.one_of(
    st.none(),
    st.booleans(),
    st.just("n/a"),
    st.builds(lambda a, b: {"self": a, "appraised": b}, st.booleans(), st.booleans()),
)


@settings(max_examples=100, deadline=None)
@given(
    late=COUNTS,
    initiatives=COUNTS,
    plan=FLAGS,
    award=FLAGS,
    portal=FLAGS,
    lang=st.sampled_from(["vi", "en"]),
)
def test_groups_of_one_child_bonuses_and_floors_are_the_walks(
    late: Any, initiatives: Any, plan: Any, award: Any, portal: Any, lang: str
) -> None:
    raw = {"late_documents": late, "initiatives": initiatives, "has_plan": plan, "award": award}
    raw |= {"has_portal": portal}
    values, problems = parse_values({k: v for k, v in raw.items() if v is not None}, BUILT.inputs)
    unit = UnitInputs("u", None, 2024, values, problems)
    cdef = evaluate.compiled(BUILT)
    flat = evaluate._Scorer(cdef, unit, lang, {})  # type: ignore[arg-type]
    walked = evaluate._Scorer(cdef, unit, lang, {})  # type: ignore[arg-type]
    got = flat.pillars()
    expected = tuple(walked.node(pillar) for pillar in BUILT.tree)
    for a, b in zip(got, expected, strict=True):
        _same(a, b)
        for x, y in zip(a.walk(), b.walk(), strict=True):
            assert (str(x.bonus), x.unfloored) == (str(y.bonus), y.unfloored)
    assert [p.to_dict() for p in flat.problems] == [p.to_dict() for p in walked.problems]


def _outside_reference(
    day: dt.date, deadline: tuple[int, int], start: tuple[int, int] | None, year: int | None, lang: str
) -> str | None:
    """`evaluate._outside` as it was before session 6 (the period decided while writing its text), its
    dates as the reader writes them."""
    words = evaluate.STATUS_WORDS[lang]
    year = year or day.year
    shown = evaluate._date(day, lang)  # type: ignore[arg-type]
    if day.year != year:
        return f"{shown}: {words['other_year']} {day.year}, {words['not_year']} {year}"
    end_day, end_month = deadline
    try:
        end = dt.date(year, end_month, end_day)
    except ValueError:
        end = dt.date(year, 3, 1) - dt.timedelta(days=1)
    date = evaluate._date  # the period in the reader's dates (31/03/2024), as the text says since #12
    if day > end:
        return f"{shown}: {words['late']} {date(end, lang)}"  # type: ignore[arg-type]
    if start is not None:
        start_day, start_month = start
        first = dt.date(year, start_month, start_day)
        if day < first:
            return f"{shown}: {words['before']} {date(first, lang)}–{date(end, lang)} ({words['earlier']})"  # type: ignore[arg-type]
    return None


DAYS = st.tuples(st.integers(1, 31), st.integers(1, 12)).filter(
    lambda d: d[0] <= (29 if d[1] == 2 else 30 + (d[1] in (1, 3, 5, 7, 8, 10, 12)))
)


@settings(max_examples=150, deadline=None)
@given(
    day=st.dates(dt.date(2022, 1, 1), dt.date(2026, 12, 31)),
    deadline=DAYS,
    start=st.one_of(st.none(), DAYS.filter(lambda d: d != (29, 2))),
    year=st.one_of(st.none(), st.integers(2022, 2026)),
    lang=st.sampled_from(["vi", "en"]),
)
def test_a_period_is_decided_as_its_text_said(
    day: dt.date, deadline: tuple[int, int], start: tuple[int, int] | None, year: int | None, lang: str
) -> None:
    leaf = evaluate._Leaf(None, None, deadline, (), start)  # type: ignore[arg-type]
    expected = _outside_reference(day, deadline, start, year, lang)
    assert evaluate._outside(day, leaf, year, lang=lang) == expected  # type: ignore[arg-type]
    assert (evaluate._where(day, leaf, year) == evaluate.IN_PERIOD) == (expected is None)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    edits=st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 8, 8, 10]), min_size=0, max_size=400),
)
def test_the_constraints_short_check_decides_as_the_long_one(seed: int, edits: list[int]) -> None:
    """A part and its whole read one by one (the short check) or as a list (the long one, which
    decides every case): the same problems and the same refused inputs."""
    from cds_index.check import constraints

    definition = DEFINITIONS["hue-2263-commune"]
    values, _ = parse_values(_mutated(definition, seed, edits), definition.inputs)
    got = constraints.violations(definition, values)
    prepared = constraints._prepared(definition)
    long_only = [(parts, whole, both, None) for parts, whole, both, _ in prepared]
    key = id(definition)
    try:
        constraints._PREPARED[key] = (definition, long_only)
        expected = constraints.violations(definition, values)
    finally:
        constraints._PREPARED[key] = (definition, prepared)
    assert [p.to_dict() for p in got[0]] == [p.to_dict() for p in expected[0]]
    assert got[1] == expected[1]


def _aggregate_reference(
    method: str,
    ids: tuple[str, ...],
    points: tuple[Decimal, ...],
    maxima: tuple[Decimal, ...],
    weights: tuple[Decimal, ...] | None,
    scale: Decimal | None,
) -> tuple[Decimal, tuple[evaluate.IndexPart, ...]]:
    """`aggregate_index` as it was before session 6 (generators)."""
    ws = weights if weights is not None else (Decimal(1),) * len(points)
    if method == "sum":
        total = sum((w * p for w, p in zip(ws, points, strict=True)), Decimal(0))
        parts = tuple(
            evaluate.IndexPart(i, p, m, w, None) for i, p, m, w in zip(ids, points, maxima, ws, strict=True)
        )
        if scale is None:
            return total, parts
        top = sum((w * m for w, m in zip(ws, maxima, strict=True)), Decimal(0))
        return (div(total * scale, top) if top else Decimal(0)), parts
    on = Decimal(100) if scale is None else scale
    parts = tuple(
        evaluate.IndexPart(i, p, m, w, div(p * on, m) if m else None)
        for i, p, m, w in zip(ids, points, maxima, ws, strict=True)
    )
    used = [part for part in parts if part.share is not None]
    weight = sum((part.weight for part in used), Decimal(0))
    if not used or not weight:
        return Decimal(0), parts
    total = sum((part.weight * part.share for part in used if part.share is not None), Decimal(0))
    return div(total, weight), parts


AMOUNT = st.decimals(min_value=-50, max_value=500, allow_nan=False, places=4)


@settings(max_examples=100, deadline=None)
@given(
    method=st.sampled_from(["sum", "mean_of_pillar_percentages", "weighted_mean_of_pillar_percentages"]),
    pillars=st.lists(st.tuples(AMOUNT, AMOUNT.filter(lambda d: d >= 0), AMOUNT), min_size=0, max_size=9),
    weighted=st.booleans(),
    scale=st.one_of(st.none(), st.sampled_from([Decimal(1), Decimal(10), Decimal(100), Decimal("0.5")])),
)
def test_the_index_is_aggregated_as_before(
    method: str, pillars: list[tuple[Decimal, Decimal, Decimal]], weighted: bool, scale: Decimal | None
) -> None:
    ids = tuple(f"P{i}" for i in range(len(pillars)))
    points = tuple(p for p, _, _ in pillars)
    maxima = tuple(m for _, m, _ in pillars)
    weights = tuple(abs(w) for _, _, w in pillars) if weighted else None
    got = evaluate.aggregate_index(method, ids, points, maxima, weights=weights, scale=scale)
    expected = _aggregate_reference(method, ids, points, maxima, weights, scale)
    assert str(got[0]) == str(expected[0])
    assert [tuple(map(str, part)) for part in got[1]] == [tuple(map(str, part)) for part in expected[1]]


def _group_reference(text: str, lang: str) -> str:
    """`numbers._group` as it was before session 6."""
    head, point, tail = text.partition("," if lang == "vi" else ".")
    start = len(head) - len(head.lstrip("≈-"))
    digits = head[start:]
    if len(digits) <= 3 or not digits.isdigit():
        return text
    first = len(digits) % 3 or 3
    groups = [digits[:first]] + [digits[i : i + 3] for i in range(first, len(digits), 3)]
    return head[:start] + ("." if lang == "vi" else ",").join(groups) + point + tail


FIGURES = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=True),
    st.decimals(min_value=-(10**9), max_value=10**9, places=20),
    st.decimals(min_value=-2000, max_value=2000, places=2),
    st.sampled_from(
        [Decimal("-0"), Decimal("0E-30"), Decimal("999.99995"), Decimal("-1000"), Decimal("1E+5")]
    ),
)


@settings(max_examples=150, deadline=None)
@given(value=FIGURES, lang=st.sampled_from(["vi", "en"]))
def test_figure_and_points_text_write_what_they_wrote(value: Decimal, lang: str) -> None:
    """`figure` on a miss writes with `_explained` (not through `show`'s cache), `_group` returns
    short numbers at once, and `points_text` reads `figure`'s cache: the texts of before."""
    from cds_index import numbers

    expected = _group_reference(numbers._show(value, lang), lang)  # type: ignore[arg-type]
    for _ in range(2):  # a miss, then from the cache
        assert numbers.figure(value, lang) == expected  # type: ignore[arg-type]
    word = " điểm" if lang == "vi" else (" point" if value == 1 else " points")
    assert numbers.points_text(value, lang) == expected + word  # type: ignore[arg-type]
