"""Properties over random inputs and random definitions (hypothesis), with shared strategies:

- every rule kind gives 0 ≤ points ≤ max;
- a ratio never falls when its numerator rises (nor a count when the count rises);
- in results, a parent's points and maximum are exactly the sums of its children's;
- load → dump → load gives the same definition.
"""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cds_index.engine.evaluate import NodeResult, Result, score
from cds_index.formats.model import RULE_KINDS, Definition, InputDef
from cds_index.read.registry import load

from .conftest import DEFINITIONS, criterion, definition_data, definition_from_text, dump_yaml, errors_of

D = Decimal
# Under CI the examples are derandomized: a run there checks the same cases every time, so a landing
# never hangs on a draw; locally every run explores new ones.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
FEW = settings(PROPERTY, max_examples=25)


# --- shared strategies ----------------------------------------------------------------------------


def numbers(spec: InputDef) -> st.SearchStrategy[Any]:
    """A value inside the input's declared range (wide, and negative, where none is declared)."""
    low = spec.min if spec.min is not None else D(-1000)
    high = spec.max if spec.max is not None else low + D(100_000)
    if spec.type == "integer":
        return st.integers(int(low), int(high))
    return st.decimals(low, high, allow_nan=False, allow_infinity=False, places=3)


def plain_value(spec: InputDef) -> st.SearchStrategy[Any]:
    if spec.type == "boolean":
        return st.booleans() | st.sampled_from(["có", "không"])
    if spec.type == "role":
        return st.sampled_from(["head", "deputy", "none"])
    if spec.type == "choice":
        return st.sampled_from(spec.choices or [""])
    if spec.type == "date":
        return st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31))
    return numbers(spec)


def raw_value(spec: InputDef) -> st.SearchStrategy[Any]:
    """What a unit may write for one input: a value, n/a, self and appraised, or a dated value."""
    value = plain_value(spec)
    dates = st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    return st.one_of(
        value,
        value,
        st.just("n/a"),
        st.fixed_dictionaries({"self": value, "appraised": value}),
        st.fixed_dictionaries({"value": value, "date": dates}),
    )


def unit_values(definition: Definition) -> st.SearchStrategy[dict[str, Any]]:
    """A random unit: every input either left out (not reported) or given a raw value."""
    return st.fixed_dictionaries(
        {}, optional={name: raw_value(spec) for name, spec in definition.inputs.items()}
    )


def assert_sound(result: Result) -> None:
    """0 ≤ points ≤ max everywhere; parents are exact sums; max is the stated points or 0."""

    def check(node: NodeResult) -> None:
        deduction = not node.children and node.trace[0] == "rule" and node.trace[2].kind == "deduction"
        if deduction and node.max == 0:  # a deduction from the parent: 0 or less (#13)
            assert node.points <= 0, (node.id, node.points)
        else:
            assert D(0) <= node.points <= node.max, (node.id, node.points, node.max, node.explanation)
        if node.children:
            for child in node.children:
                check(child)
            total = sum((c.points for c in node.children), D(0))
            assert node.points == max(D(0), total), node.id  # a group stops at 0 (#13) ...
            assert (node.unfloored is not None) == (total < 0), node.id  # ... and says so
            assert node.max == sum((c.max for c in node.children), D(0)), node.id
            assert node.bonus == sum((c.bonus for c in node.children), D(0)), node.id
        else:
            stated = node.stated if node.stated is not None else D(0)
            assert node.max == (D(0) if node.status == "not_applicable" else stated), node.id
            assert node.bonus >= 0 and (node.bonus == 0 or node.points == 0), node.id

    for pillar in result.pillars:
        check(pillar)
    assert result.points == sum((p.points for p in result.pillars), D(0))
    assert result.max == sum((p.max for p in result.pillars), D(0))
    assert D(0) <= result.points <= result.max
    assert result.bonus == sum((p.bonus for p in result.pillars), D(0))
    assert result.total_with_bonus == result.points + result.bonus


# --- one criterion of every rule kind -------------------------------------------------------------

INPUTS: dict[str, Any] = {
    "done": {"label": "Đã thực hiện", "type": "boolean"},
    "done2": {"label": "Người đứng đầu chủ trì", "type": "boolean"},
    "staff": {"label": "Số cán bộ", "type": "integer", "unit": "person", "min": 0},
    "trained": {"label": "Số cán bộ được đào tạo", "type": "integer", "unit": "person", "min": 0},
    "share": {"label": "Tỷ lệ", "type": "number", "unit": "percent", "min": 0, "max": 100},
    "articles": {"label": "Số tin bài", "type": "integer", "unit": "item", "min": 0},
    "delta": {"label": "Chênh lệch", "type": "integer", "unit": "item"},  # no min: may be negative
    "leader": {"label": "Người chủ trì", "type": "role"},
    "incidents": {"label": "Số sự cố", "type": "integer", "unit": "1", "min": 0},
    "handled": {"label": "Số sự cố đã xử lý", "type": "integer", "unit": "1", "min": 0},
    "applies": {"label": "Áp dụng", "type": "boolean"},
}
STEPS = [
    {"min": 0, "max": 1, "percent": 0},
    {"min": 1, "max": 3, "percent": "33.3"},
    {"min": 3, "points": "2.5"},
]
RATIO_STEPS = [
    {"min": 0, "max": "0.5", "percent": 0},
    {"min": "0.5", "max": "0.8", "max_inclusive": True, "percent": 50},
    {"min": "0.8", "min_inclusive": False, "percent": 100},
]
CRITERIA = [
    criterion("R.1", 2, {"kind": "yes_no", "input": "done"}),
    criterion("R.2", 3, {"kind": "ratio", "input": "trained", "per": "staff"}),
    criterion("R.3", "1.5", {"kind": "ratio", "input": "trained", "per": "staff", "target": "0.7"}),
    criterion("R.4", 4, {"kind": "ratio", "input": "share", "target": "0.9"}),
    criterion("R.5", 5, {"kind": "count", "input": "articles", "target": 3}),
    criterion("R.6", 5, {"kind": "count", "input": "delta", "target": "2.5"}),
    criterion("R.7", "2.5", {"kind": "steps", "input": "articles", "steps": STEPS}),
    criterion("R.8", 4, {"kind": "steps", "input": "trained", "per": "staff", "steps": RATIO_STEPS}),
    criterion("R.9", 10, {"kind": "role", "input": "leader"}),
    criterion(
        "R.10",
        2,
        {"kind": "checklist", "items": [{"input": "done", "points": 1}, {"input": "done2", "points": 1}]},
    ),
    criterion("R.11", 2, {"kind": "per_item", "input": "articles", "points_each": "0.3"}),
    criterion("R.12", 2, {"kind": "per_item", "input": "delta", "points_each": "0.5", "cap": "1.5"}),
    criterion("R.13", 3, {"kind": "incidents", "input": "incidents", "handled": "handled"}),
    criterion("R.14", 3, {"kind": "formula", "expression": "clamp(articles - delta, -5, 50) / 4"}),
    criterion("R.15", 3, {"kind": "formula", "expression": "trained / staff * 100", "result": "percent"}),
    criterion("R.16", 2, {"kind": "yes_no", "input": "done2", "applicable_if": "applies"}),
    criterion("R.17", 2, {"kind": "yes_no", "input": "done", "enforce_deadline": True}, deadline="30.6"),
    criterion("R.18", 3, {"kind": "rank", "input": "articles", "per": "staff", "places": [3, 2, 1]}),
    # the kinds of #13
    criterion(
        "R.19",
        10,
        {"kind": "deduction", "input": "articles", "points_each": 1, "cap": 5, "deducts_from": "criterion"},
    ),
    criterion(
        "R.20",
        0,
        {"kind": "deduction", "input": "incidents", "points_each": "0.5", "cap": 3, "deducts_from": "parent"},
    ),
    criterion("R.21", 0, {"kind": "bonus", "input": "done2", "points_each": 2, "cap": 2}),
    criterion("R.22", 0, {"kind": "bonus", "input": "articles", "points_each": "0.5", "cap": 3}),
    criterion(
        "R.23",
        5,
        {
            "kind": "table",
            "inputs": ["share", "done"],
            "hit_policy": "unique",
            "rows": [
                {"when": {"share": {"min": 50}, "done": True}, "percent": 100},
                {"when": {"share": {"max": 50}, "done": True}, "percent": 50},
                {"when": {"done": False}, "percent": 0},
            ],
        },
    ),
    criterion(
        "R.24",
        4,
        {
            "kind": "table",
            "inputs": ["leader", "articles"],
            "hit_policy": "first",
            "rows": [
                {"when": {"leader": "head", "articles": {"min": 2}}, "points": 4},
                {"when": {"leader": ["head", "deputy"]}, "points": 2},
                {"when": {}, "points": 0},
            ],
        },
    ),
]


def _definition(data: dict[str, Any]) -> Definition:
    definition, problems = definition_from_text(dump_yaml(data))
    assert definition is not None and not errors_of(problems), [p.format() for p in problems]
    return definition


EVERY_KIND = _definition(definition_data(INPUTS, CRITERIA, id="every-kind"))


def test_every_rule_kind_is_exercised() -> None:
    assert {c["rule"]["kind"] for c in CRITERIA} == set(RULE_KINDS)


@PROPERTY
@given(values=unit_values(EVERY_KIND), year=st.sampled_from([None, 2024]))
def test_points_within_zero_and_max_for_every_rule_kind(values: dict[str, Any], year: int | None) -> None:
    assert_sound(score(EVERY_KIND, values, year=year))


# --- monotone -------------------------------------------------------------------------------------


def _points(node_id: str, values: dict[str, Any]) -> Decimal:
    return score(EVERY_KIND, values).node(node_id).points


@PROPERTY
@given(
    a=st.integers(0, 10_000),
    b=st.integers(0, 10_000),
    staff=st.integers(1, 10_000),
    node_id=st.sampled_from(["R.2", "R.3", "R.8", "R.15"]),
)
def test_ratio_is_monotone_in_the_numerator(a: int, b: int, staff: int, node_id: str) -> None:
    low, high = sorted((a, b))
    assert _points(node_id, {"trained": low, "staff": staff}) <= _points(
        node_id, {"trained": high, "staff": staff}
    )


@PROPERTY
@given(a=st.decimals(0, 100, places=2), b=st.decimals(0, 100, places=2))
def test_percentage_ratio_is_monotone(a: Decimal, b: Decimal) -> None:
    low, high = sorted((a, b))
    assert _points("R.4", {"share": low}) <= _points("R.4", {"share": high})


@PROPERTY
@given(a=st.integers(0, 50), b=st.integers(0, 50), node_id=st.sampled_from(["R.5", "R.7", "R.11"]))
def test_counts_are_monotone(a: int, b: int, node_id: str) -> None:
    low, high = sorted((a, b))
    assert _points(node_id, {"articles": low}) <= _points(node_id, {"articles": high})


@PROPERTY
@given(trained=st.integers(0, 10_000), staff=st.integers(1, 10_000))
def test_ratio_is_exactly_proportional(trained: int, staff: int) -> None:
    # R.2: 3 × min(1, trained / staff), compared by cross-multiplying: no division, no rounding
    points = _points("R.2", {"trained": trained, "staff": staff})
    if trained >= staff:
        assert points == 3
    else:
        assert abs(points * staff - 3 * trained) <= D("1e-20") * staff


# --- the bundled definitions ------------------------------------------------------------------------

POINT_DEFINITIONS = [p.stem for p in sorted(DEFINITIONS.glob("*.yaml")) if load(p.stem).scoring == "points"]


@pytest.mark.parametrize("name", POINT_DEFINITIONS)
def test_parent_equals_the_sum_of_children_on_bundled_definitions(name: str) -> None:
    definition = load(name)

    @FEW
    @given(values=unit_values(definition), lang=st.sampled_from(["vi", "en"]))
    def prop(values: dict[str, Any], lang: str) -> None:
        assert_sound(score(definition, values, year=2024, lang=lang))  # type: ignore[arg-type]

    prop()


# --- load → dump → load ---------------------------------------------------------------------------

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
titles = (
    st.text(VIETNAMESE + VIETNAMESE.upper() + " ,.:;-–/()“”#'\"%", min_size=1, max_size=40)
    .filter(lambda t: t.strip() != "")
    .map(lambda t: unicodedata.normalize("NFD", t) if len(t) % 2 else t)
)  # some titles decomposed
point_values = st.decimals(0, 50, places=2)
RULES = [c["rule"] for c in CRITERIA]


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid definition: 1–3 pillars of criteria and components, any rule kind, exact sums."""

    def leaf(node_id: str) -> dict[str, Any]:
        rule = dict(draw(st.sampled_from(RULES)))
        if rule["kind"] == "bonus" or rule.get("deducts_from") == "parent":
            points = D(0)  # outside the maximum (#13)
        elif rule["kind"] in {"checklist", "per_item", "rank", "deduction", "table"} or "points" in str(
            rule.get("steps")
        ):
            points = D(10)  # enough for the rule's own points and caps
        else:
            points = draw(point_values)
        node = criterion(node_id, points, rule, title=draw(titles))
        if rule.get("enforce_deadline"):
            node["deadline"] = draw(st.sampled_from(["31.3", "30.6", "1.12"]))
        if draw(st.booleans()):
            node["guidance"] = draw(titles)
        return node

    def component(node_id: str, depth: int) -> dict[str, Any]:
        if depth >= 2 or draw(st.booleans()):
            return leaf(node_id)
        children = [component(f"{node_id}.{i}", depth + 1) for i in range(1, draw(st.integers(1, 3)) + 1)]
        node: dict[str, Any] = {"id": node_id, "title": draw(titles), "children": children}
        if draw(st.booleans()):  # 2263's components print no points of their own
            node["points"] = sum((_stated(c) for c in children), D(0))
        return node

    pillars = [component(f"P{i}", 0) for i in range(1, draw(st.integers(1, 3)) + 1)]
    for pillar in pillars:
        pillar.setdefault("points", _stated(pillar))
        pillar.setdefault("children", [])
        if not pillar["children"]:  # a pillar is a parent: wrap a lone criterion
            lone = {k: v for k, v in pillar.items() if k != "children"}
            lone["id"] = pillar["id"] + ".1"
            pillar.clear()
            pillar.update(
                {"id": lone["id"][:-2], "title": draw(titles), "points": lone["points"], "children": [lone]}
            )
    data = definition_data(INPUTS, [], id="random")
    data["tree"] = pillars
    data["total"] = sum((p["points"] for p in pillars), D(0))
    data["index"] = {
        "method": draw(st.sampled_from(["sum", "mean_of_pillar_percentages"])),
        "note": draw(titles),
    }
    data["display"] = {"decimals": draw(st.integers(0, 6))}
    return data


def _stated(node: dict[str, Any]) -> Decimal:
    if node.get("points") is not None:
        return D(str(node["points"]))
    return sum((_stated(c) for c in node.get("children", [])), D(0))


def same(a: Definition, b: Definition) -> None:
    """The same definition: the same JSON form, and the check finds the same things in both.

    (Python-level dumps may differ in one place only: an erratum's `printed`, typed text-or-number,
    comes back from JSON as the text "15" for the number 15; the check reads both the same way.)
    """
    assert a.model_dump(mode="json") == b.model_dump(mode="json")
    from cds_index.check.validate import check_definition

    assert [(p.code, p.message, p.node) for p in check_definition(a)] == [
        (p.code, p.message, p.node) for p in check_definition(b)
    ]


def round_trip(definition: Definition) -> tuple[Definition, str]:
    text = dump_yaml(definition.model_dump(mode="json", by_alias=True, exclude_none=True))
    again, problems = definition_from_text(text, "dumped.yaml")
    assert again is not None, [p.format() for p in problems]
    assert not errors_of(problems), [p.format() for p in problems]
    return again, text


@FEW
@given(data=definitions())
def test_load_dump_load_gives_the_same_definition(data: dict[str, Any]) -> None:
    definition = _definition(data)
    again, text = round_trip(definition)
    assert again.model_dump() == definition.model_dump()  # no errata here: equal to the last Decimal
    same(again, definition)
    # and the dump is a fixed point: dumping the reloaded definition gives the same text
    assert round_trip(again)[1] == text


@pytest.mark.parametrize("name", [p.stem for p in sorted(DEFINITIONS.glob("*.yaml"))])
def test_bundled_definitions_survive_load_dump_load(name: str) -> None:
    definition = load(name)
    again, _ = round_trip(definition)
    same(again, definition)
