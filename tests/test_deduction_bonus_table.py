"""The rule kinds of issue #13: `deduction`, `bonus` and `table`, each from a decision-style sentence,
at its boundaries, with hostile definitions, and with properties over random ones (hypothesis)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from cds_index.engine.evaluate import Result, score
from cds_index.errors import Problem
from cds_index.formats.model import Definition, InputDef, Node, Table
from cds_index.rules import compile_rule
from cds_index.rules import table as table_kind

from .conftest import SCHEMAS, TINY, criterion, dump_yaml, header, line_of, mutate
from .test_properties import FEW, PROPERTY

D = Decimal

INPUTS: dict[str, Any] = {
    "late_documents": {"label": "Số văn bản chậm hạn", "type": "integer", "unit": "document", "min": 0},
    "initiatives": {"label": "Số sáng kiến được công nhận", "type": "integer", "unit": "item", "min": 0},
    "award": {"label": "Đạt giải thưởng chuyển đổi số", "type": "boolean"},
    "has_plan": {"label": "Có kế hoạch", "type": "boolean"},
    "online_rate": {
        "label": "Tỷ lệ hồ sơ trực tuyến",
        "type": "number",
        "unit": "percent",
        "min": 0,
        "max": 100,
    },
    "has_portal": {"label": "Có cổng thông tin điện tử", "type": "boolean"},
    "posts": {"label": "Số tin bài", "type": "integer", "unit": "item", "min": 0},
    "portal_state": {
        "label": "Cổng thông tin",
        "type": "choice",
        "choices": ["Có", "Không", "Đang xây dựng"],
    },
    "leader": {"label": "Người chủ trì", "type": "role"},
    "opened": {"label": "Ngày khai trương", "type": "date"},
    "delta": {"label": "Chênh lệch (có thể âm)", "type": "integer", "unit": "item"},
}

LATE = "Đạt 10 điểm; trừ 1 điểm mỗi văn bản chậm hạn, tối đa trừ 5 điểm"
BONUS = "Mỗi sáng kiến được công nhận thưởng 2 điểm; điểm thưởng tối đa 10 điểm"
PORTAL = (
    "Có cổng và tỷ lệ hồ sơ trực tuyến từ 80% trở lên: 100%; có cổng, từ 50% đến dưới 80%: 50%; còn lại: 0"
)


def deduction(**extra: Any) -> dict[str, Any]:
    rule = {"kind": "deduction", "input": "late_documents", "points_each": 1, "cap": 5, "text": LATE}
    return {**rule, **extra}


def bonus(**extra: Any) -> dict[str, Any]:
    rule = {"kind": "bonus", "input": "initiatives", "points_each": 2, "cap": 10, "text": BONUS}
    return {**rule, **extra}


PORTAL_ROWS = [
    {"when": {"online_rate": {"min": 80}, "has_portal": True}, "percent": 100, "label": "từ 80%"},
    {"when": {"online_rate": {"min": 50, "max": 80}, "has_portal": True}, "percent": 50, "label": "50–80%"},
    {"when": {"online_rate": {"max": 50}, "has_portal": True}, "percent": 0},
    {"when": {"has_portal": False}, "percent": 0, "label": "không có cổng"},
]


def table(rows: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    rule = {
        "kind": "table",
        "inputs": ["online_rate", "has_portal"],
        "hit_policy": "unique",
        "text": PORTAL,
        "rows": PORTAL_ROWS if rows is None else rows,
    }
    return {**rule, **extra}


def tree_data(pillars: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    def stated(node: dict[str, Any]) -> Decimal:
        if "children" in node:
            return sum((stated(c) for c in node["children"]), D(0))
        return D(str(node.get("points", 0)))

    total = sum((stated(p) for p in pillars), D(0))
    data = header(total=total, inputs=INPUTS)
    data["tree"] = pillars
    data.update(overrides)
    return data


def pillar(node_id: str, *children: dict[str, Any], points: Any = "sum") -> dict[str, Any]:
    node: dict[str, Any] = {"id": node_id, "title": f"Trụ cột {node_id}", "children": list(children)}
    if points == "sum":
        node["points"] = sum((D(str(c.get("points", 0))) for c in children), D(0))
    elif points is not None:
        node["points"] = points
    return node


def leaf(node_id: str, points: Any, rule: dict[str, Any]) -> dict[str, Any]:
    node = criterion(node_id, points, rule)
    if points is None:
        del node["points"]
    return node


@pytest.fixture
def built(write: Callable[..., Any], check: Callable[..., list[Problem]]) -> Callable[..., Definition]:
    """A definition from data, through a YAML file; fails on any error `check` finds in it."""
    from .conftest import definition_from_text

    def _built(data: dict[str, Any]) -> Definition:
        text = dump_yaml(data)
        errors = [p.format() for p in check(text) if p.severity == "error"]
        assert not errors, "\n".join(errors)
        definition, _ = definition_from_text(text)
        assert definition is not None
        return definition

    return _built


@pytest.fixture
def problems_of(check: Callable[..., list[Problem]]) -> Callable[..., tuple[str, list[Problem]]]:
    """The text written for ``data`` and the errors `check` finds in it."""

    def _problems(data: dict[str, Any]) -> tuple[str, list[Problem]]:
        text = dump_yaml(data)
        return text, [p for p in check(text) if p.severity == "error"]

    return _problems


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


# --- deduction ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("late", "points"), [(0, 10), (1, 9), (3, 7), (5, 5), (6, 5), (1000, 5)])
def test_deduction_from_the_criterion(built: Callable[..., Definition], late: int, points: int) -> None:
    """“Đạt 10 điểm; trừ 1 điểm mỗi văn bản chậm hạn, tối đa trừ 5 điểm”."""
    d = built(tree_data([pillar("I", leaf("I.1", 10, deduction(deducts_from="criterion")))]))
    node = score(d, {"late_documents": late}).node("I.1")
    assert (node.points, node.max, node.percent) == (D(points), D(10), D(points * 10))


def test_deduction_explanations(built: Callable[..., Definition]) -> None:
    d = built(
        tree_data(
            [
                pillar(
                    "I",
                    leaf("I.1", 10, deduction(deducts_from="criterion")),
                    leaf("I.2", 4, {"kind": "yes_no", "input": "has_plan", "assumed": "x"}),
                    leaf("I.3", None, deduction(deducts_from="parent", points_each=2, cap=3)),
                )
            ]
        )
    )
    r = score(d, {"late_documents": 7, "has_plan": True})
    assert r.explain("I.1") == "Số văn bản chậm hạn = 7 × 1 = 7 (tối đa trừ 5) → 10 − 5 = 5 điểm"
    assert r.explain("I.1", "en") == "Số văn bản chậm hạn = 7 × 1 = 7 (at most 5) → 10 − 5 = 5 points"
    assert r.explain("I.3") == "Số văn bản chậm hạn = 7 × 2 = 14 (tối đa trừ 3) → trừ 3 điểm"
    assert r.explain("I.3", "en") == "Số văn bản chậm hạn = 7 × 2 = 14 (at most 3) → deducted 3 points"
    assert r.explain("I") == "Tổng: 5 + 4 − 3 = 6/14 điểm"
    assert (r.node("I.3").points, r.node("I.3").max) == (D(-3), D(0))
    assert (r.points, r.max) == (D(6), D(14))


def test_deduction_from_the_parent_stops_at_zero_and_says_so(built: Callable[..., Definition]) -> None:
    """“Mỗi văn bản chậm hạn trừ 2 điểm của trụ cột, tối đa trừ 30 điểm”: a pillar of 4 points loses
    at most its 4; the rest is reported, not carried to the total and not silent."""
    d = built(
        tree_data(
            [
                pillar(
                    "I",
                    leaf("I.1", 4, {"kind": "yes_no", "input": "has_plan", "assumed": "x"}),
                    leaf("I.2", 0, deduction(deducts_from="parent", points_each=2, cap=30)),
                ),
                pillar("II", leaf("II.1", 6, {"kind": "yes_no", "input": "award", "assumed": "x"})),
            ]
        )
    )
    r = score(d, {"has_plan": True, "late_documents": 9, "award": True})
    group = r.node("I")
    assert (group.points, group.unfloored, r.points, r.max) == (D(0), D(-14), D(6), D(10))
    floor = [p for p in r.problems if p.code == "deduction-floor"]
    assert len(floor) == 1 and floor[0].severity == "warning" and floor[0].node == ("I",)
    assert floor[0].location.path == ("values", "late_documents")
    assert "−14" not in group.explanation and "= -14" in group.explanation
    assert "dừng ở 0" in group.explanation and "stops at 0" in group.explain("en")
    out = r.to_dict()["children"][0]
    assert (out["points"], out["unfloored"]) == ("0", "-14")
    # at the floor exactly: no stop, no warning
    r = score(d, {"has_plan": True, "late_documents": 2, "award": True})
    assert (r.node("I").points, r.node("I").unfloored) == (D(0), None)
    assert not [p for p in r.problems if p.code == "deduction-floor"]


def test_the_floor_is_the_same_on_the_general_path(built: Callable[..., Definition]) -> None:
    """A deadline sends criteria through the general path (`_Scorer.node`): the same floor."""
    from cds_index.engine.evaluate import _Scorer, compiled
    from cds_index.read.inputs import UnitInputs, parse_values

    d = built(
        tree_data(
            [
                pillar(
                    "I",
                    leaf("I.1", 4, {"kind": "yes_no", "input": "has_plan", "assumed": "x"}),
                    leaf("I.2", 0, deduction(deducts_from="parent", cap=30)),
                )
            ]
        )
    )
    values, _ = parse_values({"has_plan": True, "late_documents": 9}, d.inputs)
    scorer = _Scorer(compiled(d), UnitInputs("u", None, None, values, []), "vi", {})
    slow = scorer.node(d.tree[0])
    fast = score(d, {"has_plan": True, "late_documents": 9}).node("I")
    assert (slow.points, slow.unfloored, slow.explanation) == (fast.points, fast.unfloored, fast.explanation)
    assert [p.code for p in scorer.problems] == ["deduction-floor"]


def test_a_deduction_not_reported_deducts_nothing_and_is_flagged(built: Callable[..., Definition]) -> None:
    d = built(tree_data([pillar("I", leaf("I.1", 10, deduction(deducts_from="criterion")))]))
    node = score(d, {}).node("I.1")
    assert (node.points, node.status) == (D(0), "not_reported")


@pytest.mark.parametrize(
    ("node_points", "rule", "code", "words"),
    [
        (3, deduction(deducts_from="criterion"), "rule-points", "could go below 0"),
        (0, deduction(deducts_from="criterion"), "rule-points", "needs the criterion's `points`"),
        (5, deduction(deducts_from="parent"), "rule-points", "no points of its own"),
        (10, deduction(deducts_from="criterion", input="delta"), "invalid-value", "`min: 0`"),
        (10, deduction(deducts_from="criterion", input="has_plan"), "input-type-mismatch", "boolean"),
        (10, deduction(deducts_from="criterion", input="late_document"), "unknown-input", "late_documents"),
    ],
)
def test_deduction_static_problems(
    problems_of: Callable[..., tuple[str, list[Problem]]],
    node_points: int,
    rule: dict[str, Any],
    code: str,
    words: str,
) -> None:
    text, found = problems_of(tree_data([pillar("I", leaf("I.1", node_points, rule))]))
    assert code in codes(found), [p.format() for p in found]
    problem = next(p for p in found if p.code == code)
    assert words in problem.message
    at = "cap: 5" if words == "could go below 0" else "kind: deduction"  # the cap, or the rule
    assert problem.location.line == line_of(text, at), problem.format()


def test_a_deduction_from_the_parent_needs_a_parent(
    problems_of: Callable[..., tuple[str, list[Problem]]],
) -> None:
    data = tree_data(
        [
            pillar("I", leaf("I.1", 4, {"kind": "yes_no", "input": "has_plan", "assumed": "x"})),
            leaf("II", None, deduction(deducts_from="parent")),
        ]
    )
    text, found = problems_of(data)
    assert codes(found) == ["rule-points"]
    assert "is a pillar" in found[0].message
    assert found[0].location.line == line_of(text, "deducts_from: parent")


@pytest.mark.parametrize(
    ("key", "value", "at"),
    [
        ("cap", -5, "cap: -5"),
        ("points_each", -1, "points_each: -1"),
        ("cap", 0, "cap: 0"),
        ("cap", "1e10", "cap:"),  # above a billion points
        ("points_each", "0.0000001", "points_each:"),  # more than 6 decimals
        ("deducts_from", "pillar", "deducts_from: pillar"),
    ],
)
def test_deduction_hostile_numbers_are_refused_where_they_are(
    problems_of: Callable[..., tuple[str, list[Problem]]], key: str, value: Any, at: str
) -> None:
    rule = {**deduction(deducts_from="criterion"), key: D(value) if key != "deducts_from" else value}
    text, found = problems_of(tree_data([pillar("I", leaf("I.1", 10, rule))]))
    assert codes(found) == ["invalid-value"], [p.format() for p in found]
    assert found[0].location.line == line_of(text, at)
    if isinstance(value, int) and value < 0:
        assert found[0].hint is not None and "kind: deduction" in found[0].hint


@pytest.mark.parametrize(
    ("old", "new", "at"),
    [
        ("        points: 4\n", "        points: -4\n", "points: -4"),
        ("    points: 10\n", "    points: -10\n", "    points: -10"),
        ("total: 10", "total: -10", "total: -10"),
    ],
)
def test_negative_points_anywhere_say_to_use_a_deduction(
    check: Callable[..., list[Problem]], old: str, new: str, at: str
) -> None:
    text = mutate(TINY, (old, new))
    found = [p for p in check(text) if p.hint and "kind: deduction" in p.hint]
    assert found, [p.format() for p in check(text)]
    assert found[0].code == "invalid-value"
    assert found[0].location.line == line_of(text, at)
    assert found[0].location.column == text.splitlines()[line_of(text, at) - 1].index("-") + 1


def test_negative_shares_in_steps_and_roles_say_to_use_a_deduction(
    check: Callable[..., list[Problem]],
) -> None:
    rule = (
        "        rule:\n          kind: role\n          input: leader\n          assumed: x\n"
        "          percent: {head: 100, deputy: -50, none: 0}\n"
    )
    text = mutate(
        TINY,
        ("        rule:\n          kind: yes_no\n          input: has_plan\n", rule + "        x_:\n"),
        ('          assumed: "“Có …” is scored yes/no."\n      - id: A.2', "      - id: A.2"),
    ).replace("        x_:\n", "")
    text = text.replace("inputs:\n", "inputs:\n  leader: {label: Người chủ trì, type: role}\n")
    found = [p for p in check(text) if p.hint and "kind: deduction" in p.hint]
    assert found and found[0].location.line == line_of(text, "deputy: -50")


def test_a_negative_number_elsewhere_gets_no_deduction_hint(check: Callable[..., list[Problem]]) -> None:
    text = mutate(TINY, ("level: commune", "level: commune\ndisplay: {decimals: -1}"))
    found = [p for p in check(text) if p.severity == "error"]
    assert found and all(p.hint is None or "deduction" not in p.hint for p in found)


def test_huge_counts_deduct_exactly_up_to_the_cap(built: Callable[..., Definition]) -> None:
    rule = deduction(deducts_from="parent", points_each=D("999999999.999999"), cap=D("1000000000"))
    d = built(
        tree_data(
            [
                pillar(
                    "I",
                    leaf("I.1", D("1000000000"), {"kind": "yes_no", "input": "has_plan", "assumed": "x"}),
                    leaf("I.2", None, rule),
                )
            ]
        )
    )
    r = score(d, {"has_plan": True, "late_documents": 1})
    assert r.node("I.2").points == D("-999999999.999999")
    assert r.node("I").points == D("0.000001")
    r = score(d, {"has_plan": True, "late_documents": 10**15})
    assert r.node("I.2").points == D(-(10**9)) and r.node("I").points == 0
    assert r.node("I").unfloored is None


@PROPERTY
@given(
    count=st.integers(0, 10**15),
    each=st.decimals(D("0.000001"), D(1000), places=6),
    cap=st.decimals(D("0.000001"), D(1000), places=6),
)
def test_a_deduction_is_never_below_minus_its_cap(count: int, each: Decimal, cap: Decimal) -> None:
    node = Node.model_validate(
        {"id": "X", "title": "x", "rule": deduction(deducts_from="parent", points_each=each, cap=cap)}
    )
    compiled, problems = compile_rule(
        node.rule, node, {k: InputDef.model_validate(v) for k, v in INPUTS.items()}
    )
    assert not problems
    points, _ = compiled.points({"late_documents": D(count)})
    assert -cap <= points <= 0
    assert points == -min(cap, D(count) * each)  # exact: the product has at most 22 digits


@PROPERTY
@given(late=st.integers(0, 50), plan=st.booleans(), cap=st.integers(1, 40))
def test_a_group_with_deductions_never_goes_below_zero(late: int, plan: bool, cap: int) -> None:
    data = tree_data(
        [
            pillar(
                "I",
                leaf("I.1", 4, {"kind": "yes_no", "input": "has_plan", "assumed": "x"}),
                leaf("I.2", 6, {"kind": "per_item", "input": "posts", "points_each": 1, "assumed": "x"}),
                leaf("I.3", None, deduction(deducts_from="parent", cap=cap)),
            )
        ]
    )
    d = Definition.model_validate(data)
    r = score(d, {"has_plan": plan, "late_documents": late, "posts": 3})
    raw = (4 if plan else 0) + 3 - min(cap, late)
    assert r.node("I").points == max(0, raw) and r.points >= 0
    assert (r.node("I").unfloored is not None) == (raw < 0)
    assert any(p.code == "deduction-floor" for p in r.problems) == (raw < 0)


# --- bonus ----------------------------------------------------------------------------------------


def with_bonus(rule: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    return tree_data(
        [
            pillar(
                "I",
                leaf("I.1", 4, {"kind": "yes_no", "input": "has_plan", "assumed": "x"}),
                leaf("I.2", 6, {"kind": "per_item", "input": "posts", "points_each": 2, "assumed": "x"}),
            ),
            pillar("T", leaf("T.1", None, rule or bonus()), points=None),
        ],
        **overrides,
    )


@pytest.mark.parametrize(("initiatives", "earned"), [(0, 0), (1, 2), (4, 8), (5, 10), (6, 10), (10**15, 10)])
def test_bonus_outside_the_maximum(built: Callable[..., Definition], initiatives: int, earned: int) -> None:
    """“Mỗi sáng kiến được công nhận thưởng 2 điểm; điểm thưởng tối đa 10 điểm”."""
    d = built(with_bonus())
    r = score(d, {"has_plan": True, "posts": 1, "initiatives": initiatives})
    assert (r.points, r.max, r.percent, r.index) == (D(6), D(10), D(60), D(6))
    assert (r.bonus, r.total_with_bonus) == (D(earned), D(6 + earned))
    node = r.node("T.1")
    assert (node.points, node.max, node.bonus, node.percent) == (D(0), D(0), D(earned), None)
    assert r.node("T").bonus == D(earned)
    assert r.node("I").bonus == 0


def test_bonus_explanations_and_json(built: Callable[..., Definition]) -> None:
    d = built(with_bonus())
    r = score(d, {"has_plan": True, "posts": 1, "initiatives": 7})
    assert r.explain("T.1") == "Số sáng kiến được công nhận = 7 × 2 = 14 (tối đa 10) → điểm thưởng 10 điểm"
    assert r.explain("T.1", "en") == "Số sáng kiến được công nhận = 7 × 2 = 14 (at most 10) → bonus 10 points"
    assert r.explain("T") == "Tổng: 0 = 0/0 điểm; điểm thưởng 10"
    out = r.to_dict()
    assert (out["points"], out["max"], out["percent"], out["bonus"], out["total_with_bonus"]) == (
        "6",
        "10",
        "60",
        "10",
        "16",
    )
    assert out["children"][1]["children"][0]["bonus"] == "10"
    assert "bonus" not in out["children"][0]  # no bonus, no key
    schema = json.loads((SCHEMAS / "results.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(json.loads(json.dumps(out)))


def test_a_yes_no_bonus(built: Callable[..., Definition]) -> None:
    """“Đơn vị đạt giải thưởng chuyển đổi số được thưởng 5 điểm”."""
    d = built(with_bonus(bonus(input="award", points_each=5, cap=5, text="Đạt giải thưởng: thưởng 5 điểm")))
    assert score(d, {"award": True}).bonus == 5
    assert score(d, {"award": False}).bonus == 0
    assert (
        score(d, {"award": True}).explain("T.1")
        == "Đạt giải thưởng chuyển đổi số: có (tối đa 5) → điểm thưởng 5 điểm"
    )


def test_errata_are_no_longer_needed_for_a_bonus(
    built: Callable[..., Definition], problems_of: Callable[..., tuple[str, list[Problem]]]
) -> None:
    """Before #13 the only way in was a pillar of 10 points for the bonus and an errata entry for the
    total (100 printed, 110 summed), and the bonus then counted in the maximum and percentages."""
    old = tree_data(
        [
            pillar(
                "I",
                leaf("I.1", 4, {"kind": "yes_no", "input": "has_plan", "assumed": "x"}),
                leaf("I.2", 6, {"kind": "per_item", "input": "posts", "points_each": 2, "assumed": "x"}),
            ),
            pillar(
                "T",
                leaf(
                    "T.1", 10, {"kind": "per_item", "input": "initiatives", "points_each": 2, "text": BONUS}
                ),
            ),
        ],
        total=10,
        errata=[{"node": "total", "kind": "total-mismatch", "printed": 10, "computed": 20, "note": "bonus"}],
    )
    before = score(built(old), {"has_plan": True, "posts": 1, "initiatives": 7})
    assert (before.points, before.max, before.percent) == (D(16), D(20), D(80))  # the bonus in the max
    _, found = problems_of(with_bonus(total=10))
    assert found == []  # no errata: the stated total is the sum of the pillars
    after = score(built(with_bonus(total=10)), {"has_plan": True, "posts": 1, "initiatives": 7})
    assert (after.points, after.max, after.percent, after.bonus) == (D(6), D(10), D(60), D(10))


def test_a_bonus_pillar_leaves_the_mean_of_pillar_percentages_alone(built: Callable[..., Definition]) -> None:
    d = built(with_bonus(index={"method": "mean_of_pillar_percentages"}))
    r = score(d, {"has_plan": True, "posts": 1, "initiatives": 7})
    assert (r.index, r.bonus) == (D(60), D(10))


@pytest.mark.parametrize(
    ("rule", "node_points", "code", "words"),
    [
        (bonus(), 10, "rule-points", "outside the maximum"),
        (bonus(input="delta"), None, "invalid-value", "`min: 0`"),
        (bonus(input="online_rate"), None, "invalid-value", None),  # a percentage has min 0: fine, no
        (bonus(input="leader"), None, "input-type-mismatch", "role"),
    ],
)
def test_bonus_static_problems(
    problems_of: Callable[..., tuple[str, list[Problem]]],
    rule: dict[str, Any],
    node_points: Any,
    code: str,
    words: str | None,
) -> None:
    data = tree_data(
        [
            pillar("I", leaf("I.1", 4, {"kind": "yes_no", "input": "has_plan", "assumed": "x"})),
            pillar("T", leaf("T.1", node_points, rule), points=None),
        ]
    )
    text, found = problems_of(data)
    if words is None:
        assert code not in codes(found)
        return
    assert code in codes(found), [p.format() for p in found]
    problem = next(p for p in found if p.code == code)
    assert words in problem.message and problem.location.line == line_of(text, "kind: bonus")


@PROPERTY
@given(
    initiatives=st.integers(0, 10**15),
    plan=st.booleans(),
    posts=st.integers(0, 10),
    each=st.decimals(D("0.5"), D(100), places=2),
    cap=st.decimals(D("0.5"), D(100), places=2),
    method=st.sampled_from(["sum", "mean_of_pillar_percentages"]),
)
def test_a_bonus_never_changes_the_maximum_or_the_percentages(
    initiatives: int, plan: bool, posts: int, each: Decimal, cap: Decimal, method: str
) -> None:
    values = {"has_plan": plan, "posts": posts, "initiatives": initiatives}
    with_it = Definition.model_validate(
        with_bonus(bonus(points_each=each, cap=cap), index={"method": method})
    )
    data = with_bonus(index={"method": method})
    data["tree"] = data["tree"][:1]
    without = Definition.model_validate(data)
    a, b = score(with_it, values), score(without, values)
    assert (a.points, a.max, a.percent, a.index) == (b.points, b.max, b.percent, b.index)
    assert [(n.id, n.points, n.max, n.percent) for n in a.pillars[0].walk()] == [
        (n.id, n.points, n.max, n.percent) for n in b.pillars[0].walk()
    ]
    assert 0 <= a.bonus <= cap and a.bonus == min(cap, initiatives * each)
    assert a.total_with_bonus == a.points + a.bonus and b.bonus == 0


# --- table ----------------------------------------------------------------------------------------


def table_data(rule: dict[str, Any], points: Any = 10) -> dict[str, Any]:
    return tree_data([pillar("I", leaf("I.1", points, rule))])


@pytest.mark.parametrize(
    ("rate", "portal", "points", "row"),
    [
        (100, True, 10, 1),
        (80, True, 10, 1),
        ("79.99", True, 5, 2),
        (50, True, 5, 2),
        ("49.9", True, 0, 3),
        (0, True, 0, 3),
        (95, False, 0, 4),
    ],
)
def test_a_unique_table_from_the_decision(
    built: Callable[..., Definition], rate: Any, portal: bool, points: int, row: int
) -> None:
    """“Có cổng và tỷ lệ … từ 80% trở lên: 100%; có cổng, từ 50% đến dưới 80%: 50%; còn lại: 0”."""
    d = built(table_data(table()))
    node = score(d, {"online_rate": D(str(rate)), "has_portal": portal}).node("I.1")
    assert node.points == points and node.status == "scored"
    assert f"dòng {row}" in node.explanation and f"row {row}" in node.explain("en")


def test_table_explanation(built: Callable[..., Definition]) -> None:
    d = built(table_data(table()))
    r = score(d, {"online_rate": 85, "has_portal": True})
    assert r.explain("I.1") == (
        "Tỷ lệ hồ sơ trực tuyến: 85; Có cổng thông tin điện tử: có → dòng 1 “từ 80%” → 100% × 10 = 10 điểm"
    )
    assert r.explain("I.1", "en") == (
        "Tỷ lệ hồ sơ trực tuyến: 85; Có cổng thông tin điện tử: yes → row 1 “từ 80%” → 100% × 10 = 10 points"
    )


def test_first_collect_max_and_any(built: Callable[..., Definition]) -> None:
    rows = [
        {"when": {"posts": {"min": 4}, "portal_state": "Có"}, "points": 10},
        {"when": {"posts": {"min": 2}}, "points": 6},
        {"when": {"portal_state": ["Có", "Đang xây dựng"]}, "points": 3},
        {"when": {}, "points": 0},
    ]
    first = table(rows, inputs=["posts", "portal_state"], hit_policy="first")
    most = table(rows, inputs=["posts", "portal_state"], hit_policy="collect-max")
    d_first, d_most = built(table_data(first)), built(table_data(most))
    for values, by_first, by_most in [
        ({"posts": 5, "portal_state": "Có"}, 10, 10),
        ({"posts": 5, "portal_state": "Không"}, 6, 6),
        ({"posts": 1, "portal_state": "Đang xây dựng"}, 3, 3),
        ({"posts": 0, "portal_state": "Không"}, 0, 0),
    ]:
        assert score(d_first, values).node("I.1").points == by_first
        assert score(d_most, values).node("I.1").points == by_most
    reordered = table(rows[::-1], inputs=["posts", "portal_state"], hit_policy="collect-max")
    assert score(built(table_data(reordered)), {"posts": 5, "portal_state": "Có"}).node("I.1").points == 10
    same = [
        {"when": {"has_portal": True}, "percent": 100},
        {"when": {"has_portal": True, "online_rate": {"min": 50}}, "percent": 100},
        {"when": {"has_portal": False}, "percent": 0},
    ]
    assert (
        score(built(table_data(table(same, hit_policy="any"))), {"has_portal": True, "online_rate": 60})
        .node("I.1")
        .points
        == 10
    )


def test_roles_and_integer_equalities(built: Callable[..., Definition]) -> None:
    """Whole-number inputs: `0`, `1` and `{min: 2}` cover every count (no gap between 0 and 1)."""
    rows = [
        {"when": {"posts": 0}, "percent": 0},
        {"when": {"posts": 1, "leader": "head"}, "percent": 50},
        {"when": {"posts": 1, "leader": ["deputy", "none"]}, "percent": 25},
        {"when": {"posts": {"min": 2}, "leader": "-"}, "percent": 100},
    ]
    d = built(table_data(table(rows, inputs=["posts", "leader"])))
    assert score(d, {"posts": 1, "leader": "deputy"}).node("I.1").points == D("2.5")
    assert "cấp phó" in score(d, {"posts": 1, "leader": "deputy"}).explain("I.1")


def test_table_problems_point_at_the_rows(problems_of: Callable[..., tuple[str, list[Problem]]]) -> None:
    rows = [
        {"when": {"online_rate": {"min": 80}, "has_portal": True}, "percent": 100},
        {"when": {"online_rate": {"min": 50, "max": 90}, "has_portal": True}, "percent": 50},
        {"when": {"online_rate": {"min": 200}}, "points": 11},
    ]
    text, found = problems_of(table_data(table(rows)))
    lines = text.splitlines()
    by_code = {p.code: p for p in found}
    assert set(by_code) == {"table-gap", "table-overlap", "table-unreachable", "rule-points"}
    gaps = [p.message for p in found if p.code == "table-gap"]
    assert gaps == [  # regions split where the rows' bounds split them
        "no row covers 0 ≤ online_rate < 50; add a row for these values",
        "no row covers 50 ≤ online_rate < 80, has_portal = false; add a row for these values",
        "no row covers 80 ≤ online_rate < 90, has_portal = false; add a row for these values",
        "no row covers 90 ≤ online_rate ≤ 100, has_portal = false; add a row for these values",
    ]
    overlap = by_code["table-overlap"]
    assert overlap.message.startswith("rows 1 and 2 both match 80 ≤ online_rate < 90, has_portal = true")
    # each problem on its row's line: the overlap at the later row, the unreachable row at itself
    row_lines = [i + 1 for i, line in enumerate(lines) if line.strip().startswith("- when:")]
    assert overlap.location.line == row_lines[1]
    assert by_code["table-unreachable"].location.line == row_lines[2]
    assert by_code["rule-points"].location.line == row_lines[2]
    assert all(p.location.column and p.node == ("I", "I.1") for p in found)


@pytest.mark.parametrize(
    ("rule", "code", "words"),
    [
        (table(inputs=["online_rate", "has_portl"]), "unknown-input", "did you mean 'has_portal'"),
        (
            table([{"when": {"online_rate": "-", "hasportal": True}, "percent": 0}]),
            "unknown-input",
            "not one of the table's `inputs`",
        ),
        (table(inputs=["opened"], rows=[{"when": {}, "percent": 0}]), "input-type-mismatch", "date"),
        (table(inputs=["online_rate", "online_rate", "has_portal"]), "invalid-value", "twice"),
        (table([{"when": {"online_rate": True}, "percent": 0}]), "invalid-value", "not a number or a range"),
        (table([{"when": {"online_rate": "80"}, "percent": 0}]), "invalid-value", "not a number or a range"),
        (table([{"when": {"has_portal": 1}, "percent": 0}]), "invalid-value", "not `true`, `false`"),
        (
            table([{"when": {"portal_state": "Co"}, "percent": 0}], inputs=["portal_state"]),
            "invalid-value",
            "'Co' is not one of Có, Không, Đang xây dựng",
        ),
        (table([{"when": {"leader": ["boss"]}, "percent": 0}], inputs=["leader"]), "invalid-value", "'boss'"),
        (
            table(
                [
                    {"when": {"online_rate": {"min": 0.8}}, "percent": 100},
                    {"when": {"online_rate": {"max": 0.8}}, "percent": 0},
                ],
                inputs=["online_rate"],
            ),
            "scale-mismatch",
            "fractions of 1",
        ),
    ],
)
def test_hostile_tables(
    problems_of: Callable[..., tuple[str, list[Problem]]], rule: dict[str, Any], code: str, words: str
) -> None:
    text, found = problems_of(table_data(rule))
    assert code in codes(found), [p.format() for p in found]
    problem = next(p for p in found if p.code == code)
    assert words in problem.message, problem.format()
    assert problem.location.line is not None and problem.location.line >= line_of(text, "kind: table")


@pytest.mark.parametrize(
    ("change", "at"),
    [
        ({"rows": []}, "rows: []"),
        ({"inputs": []}, "inputs: []"),
        ({"hit_policy": "priority"}, "hit_policy: priority"),
        ({"rows": [{"when": {}, "percent": 101}]}, "percent: 101"),
        ({"rows": [{"when": {}, "percent": 50, "points": 1}]}, "- when"),
        ({"rows": [{"when": {"online_rate": {"min": 80, "max": 50}}, "percent": 0}]}, "max: 50"),
        ({"rows": [{"when": {}, "percent": 0}] * 1001}, "rows:"),
    ],
)
def test_malformed_tables_are_refused_by_shape(
    problems_of: Callable[..., tuple[str, list[Problem]]], change: dict[str, Any], at: str
) -> None:
    _text, found = problems_of(table_data({**table(), **change}))
    assert found and {p.code for p in found} <= {"invalid-value", "missing-key", "wrong-type"}, [
        p.format() for p in found
    ]
    assert found[0].location.line is not None


def test_a_percent_bound_of_one_hundred_is_not_a_fraction(
    problems_of: Callable[..., tuple[str, list[Problem]]],
) -> None:
    rows = [
        {"when": {"online_rate": {"max": 100}}, "percent": 0},
        {"when": {"online_rate": 100}, "percent": 100},
    ]
    _, found = problems_of(table_data(table(rows, inputs=["online_rate"])))
    assert found == []


def test_a_table_too_deep_to_prove_is_refused(problems_of: Callable[..., tuple[str, list[Problem]]]) -> None:
    """60 rows of four inputs, each row from a lower bound on: the rows overlap everywhere, so the
    completeness proof would visit millions of cells (about 60 per input and bound, in every
    combination); it stops at its work limit and says so, rather than answer late or wrongly. A
    thousand rows of two inputs, one cell each, is test_error_codes' `table-too-complex` trigger; how
    long either takes to refuse is measured by benchmarks/bench_table_limit.py."""
    names = ["posts", "late_documents", "initiatives", "delta"]
    rows = [{"when": {name: {"min": r} for name in names}, "percent": 0} for r in range(60)]
    _, found = problems_of(table_data(table(rows, inputs=names, hit_policy="first")))
    assert codes(found) == ["table-too-complex"]
    # the same rows over three inputs are proven (and their unreachable rows named): the limit is
    # reached by the fourth input's combinations, not by a row the checker could not read
    rows = [{"when": {name: {"min": r} for name in names[:3]}, "percent": 0} for r in range(60)]
    _, found = problems_of(table_data(table(rows, inputs=names[:3], hit_policy="first")))
    assert found and "table-too-complex" not in codes(found)


def test_a_thousand_rows_of_one_input_are_proven(
    problems_of: Callable[..., tuple[str, list[Problem]]],
) -> None:
    rows = [{"when": {"posts": r}, "points": 1} for r in range(999)] + [
        {"when": {"posts": {"min": 999}}, "points": 1}
    ]
    _, found = problems_of(table_data(table(rows, inputs=["posts"])))
    assert found == []


def test_tiny_and_huge_bounds_are_compared_exactly(built: Callable[..., Definition]) -> None:
    rows = [
        {"when": {"delta": {"max": D("1e-20")}}, "percent": 0},
        {"when": {"delta": {"min": D("1e-20"), "max": D("1e15")}}, "percent": 50},
        {"when": {"delta": {"min": D("1e15")}}, "percent": 100},
    ]
    d = built(table_data(table(rows, inputs=["delta"])))
    assert score(d, {"delta": 0}).node("I.1").points == 0
    assert score(d, {"delta": 1}).node("I.1").points == 5
    assert score(d, {"delta": 10**15 - 1}).node("I.1").points == 5
    assert score(d, {"delta": 10**15}).node("I.1").points == 10


def test_bounds_beyond_what_is_read_are_refused(
    problems_of: Callable[..., tuple[str, list[Problem]]],
) -> None:
    rows = [
        {"when": {"delta": {"max": D("1e300")}}, "percent": 0},
        {"when": {"delta": {"min": D("1e300")}}, "percent": 0},
    ]
    _text, found = problems_of(table_data(table(rows, inputs=["delta"])))
    assert codes(found) == ["wrong-type", "wrong-type"] and "10^15" in found[0].message


# --- properties of the proof ----------------------------------------------------------------------

BOUNDS = st.sampled_from([D(0), D(1), D(2), D("2.5"), D(3), D(5), D(10)])


@st.composite
def conditions(draw: st.DrawFn, kind: str) -> Any:
    if kind == "flag":
        return draw(st.sampled_from(["-", True, False]))
    if kind == "state":
        return draw(
            st.sampled_from(["-", "Có", "Không", ["Có", "Đang xây dựng"], ["Không", "Đang xây dựng"]])
        )
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return "-"
    if choice == 1:
        return draw(BOUNDS)
    low, high = draw(st.one_of(st.none(), BOUNDS)), draw(st.one_of(st.none(), BOUNDS))
    if low is not None and high is not None and low > high:
        low, high = high, low
    return {
        "min": low,
        "max": high,
        "min_inclusive": draw(st.booleans()),
        "max_inclusive": draw(st.booleans()),
    }


PROOF_INPUTS = {
    "count": InputDef.model_validate({"label": "đếm", "type": "integer", "unit": "item", "min": 0, "max": 6}),
    "rate": InputDef.model_validate({"label": "tỷ lệ", "type": "number", "unit": "1", "min": 0}),
    "flag": InputDef.model_validate({"label": "có", "type": "boolean"}),
    "state": InputDef.model_validate(
        {"label": "trạng thái", "type": "choice", "choices": ["Có", "Không", "Đang xây dựng"]}
    ),
}
KINDS_OF = {"count": "number", "rate": "number", "flag": "flag", "state": "state"}


def samples(name: str, rows: list[dict[str, Any]]) -> list[Any]:
    """A value in every elementary cell of one input: every bound, between bounds, beyond them."""
    if name == "flag":
        return [True, False]
    if name == "state":
        return ["Có", "Không", "Đang xây dựng"]
    bounds = {D(0), D(6)}
    for row in rows:
        cell = row["when"].get(name)
        if isinstance(cell, dict):
            bounds.update(b for b in (cell["min"], cell["max"]) if b is not None)
        elif isinstance(cell, Decimal):
            bounds.add(cell)
    if name == "count":
        return [D(n) for n in range(7)]
    ordered = sorted(bounds)
    between = [(a + b) / 2 for a, b in itertools.pairwise(ordered)]
    return [*ordered, *between, ordered[-1] + 1]


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(list(PROOF_INPUTS)), min_size=1, max_size=3, unique=True))
    rows = []
    for _ in range(draw(st.integers(1, 6))):
        when = {n: draw(conditions(KINDS_OF[n])) for n in names}
        rows.append(
            {
                "when": {n: c for n, c in when.items() if c != "-" or draw(st.booleans())},
                "points": draw(st.sampled_from([0, 1, 2])),
            }
        )
    policy = draw(st.sampled_from(["unique", "any", "first", "collect-max"]))
    return {"kind": "table", "inputs": names, "hit_policy": policy, "assumed": "x", "rows": rows}


def proof(data: dict[str, Any]) -> tuple[Any, list[str]] | None:
    try:
        rule = Table.model_validate(data)
    except ValueError:
        return None  # a range with min == max and an exclusive bound is fine; min > max is refused
    node = Node.model_validate({"id": "X", "title": "x", "points": 10, "rule": data})
    compiled, found = compile_rule(rule, node, PROOF_INPUTS)
    return compiled, [code for code, _ in found]


def matches(data: dict[str, Any], values: dict[str, Any]) -> list[int]:
    """The rows that hold for ``values``, by a matcher written apart from the module's."""
    hits = []
    for i, row in enumerate(data["rows"]):
        ok = True
        for name, cell in row["when"].items():
            value = values[name]
            if isinstance(cell, str) and cell == "-":
                continue
            if isinstance(cell, dict):
                low, high = cell["min"], cell["max"]
                if low is not None and (value < low or (value == low and not cell["min_inclusive"])):
                    ok = False
                if high is not None and (value > high or (value == high and not cell["max_inclusive"])):
                    ok = False
            elif isinstance(cell, list):
                ok = ok and value in cell
            else:
                ok = ok and value == cell
        if ok:
            hits.append(i)
    return hits


def every_value(data: dict[str, Any]) -> list[dict[str, Any]]:
    combos: list[dict[str, Any]] = [{}]
    for name in data["inputs"]:
        combos = [{**c, name: v} for c in combos for v in samples(name, data["rows"])]
    return combos


@PROPERTY
@given(data=tables())
def test_the_proof_agrees_with_scoring_every_value(data: dict[str, Any]) -> None:
    """No gap reported ⇔ every value has a row; (unique) no overlap ⇔ no value has two rows; a
    `unique` table that passes the check has exactly one hit for any input, and scores it."""
    made = proof(data)
    if made is None:
        return
    compiled, found = made
    counts = [len(matches(data, values)) for values in every_value(data)]
    assert ("table-gap" in found) == (min(counts) == 0), found
    if data["hit_policy"] == "unique":
        assert ("table-overlap" in found) == (max(counts) > 1), found
    if data["hit_policy"] == "unique" and not found:
        for values in every_value(data):
            hits = matches(data, values)
            assert len(hits) == 1
            points, chosen = compiled.points(values)
            assert chosen == hits[0] and points == data["rows"][hits[0]]["points"]


@FEW
@given(data=tables())
def test_first_and_collect_max_score_as_their_policy_says(data: dict[str, Any]) -> None:
    made = proof(data)
    if made is None or made[1]:
        return
    compiled, _ = made
    for values in every_value(data):
        hits = matches(data, values)
        points, chosen = compiled.points(values)
        if data["hit_policy"] == "first":
            assert chosen == hits[0]
        elif data["hit_policy"] == "collect-max":
            assert points == max(data["rows"][i]["points"] for i in hits)
        else:  # any: every matching row gives the same award
            assert {data["rows"][i]["points"] for i in hits} == {points}


def test_masks_agree_with_the_cell_by_cell_test() -> None:
    """The bisected row masks of the proof against `inside`, the plain definition, on a hand table."""
    spec = PROOF_INPUTS["rate"]
    conds = [
        table_kind.Interval(D(1), True, D(3), False),
        table_kind.Interval(None, True, D(2), True),
        table_kind.Interval(D(2), False, None, False),
        table_kind.Interval(D("2.5"), True, D("2.5"), True),
        None,
    ]
    column = table_kind.cells(conds, spec)
    assert [table_kind.describe("x", [c], column) for c in column] == [
        "x = 0",
        "0 < x < 1",
        "x = 1",
        "1 < x < 2",
        "x = 2",
        "2 < x < 2.5",
        "x = 2.5",
        "2.5 < x < 3",
        "x = 3",
        "x > 3",
    ]
    masks = table_kind.masks(conds, column)
    for i, cell in enumerate(column):
        assert masks[i] == sum(1 << r for r, cond in enumerate(conds) if table_kind.inside(cond, cell))


def test_result_of_a_definition_with_every_new_kind(built: Callable[..., Definition]) -> None:
    d = built(
        tree_data(
            [
                pillar(
                    "I",
                    leaf("I.1", 10, deduction(deducts_from="criterion")),
                    leaf("I.2", 10, table()),
                    leaf("I.3", None, deduction(deducts_from="parent", points_each=2, cap=4)),
                ),
                pillar("T", leaf("T.1", None, bonus()), points=None),
            ]
        )
    )
    r: Result = score(d, {"late_documents": 1, "online_rate": 60, "has_portal": True, "initiatives": 2})
    assert (r.points, r.max, r.bonus, r.total_with_bonus) == (D(12), D(20), D(4), D(16))
    assert r.percent == 60


@st.composite
def pieces(draw: st.DrawFn, name: str) -> list[Any]:
    """A partition of one input's values: conditions that cover every value once."""
    if name == "flag":
        return draw(st.sampled_from([["-"], [True, False]]))
    if name == "state":
        return draw(
            st.sampled_from([["-"], ["Có", "Không", "Đang xây dựng"], [["Có", "Không"], "Đang xây dựng"]])
        )
    whole = name == "count"  # whole numbers: half-open pieces between whole cuts, none of them empty
    choices = [D(1), D(2), D(3), D(5)] if whole else [D(1), D(2), D("2.5"), D(3), D(5)]
    cuts = sorted(draw(st.sets(st.sampled_from(choices), max_size=3)))
    if not cuts:
        return ["-"]
    out: list[Any] = []
    low: Decimal | None = None if draw(st.booleans()) else D(0)
    low_inclusive = True
    for cut in cuts:
        upper_inclusive = False if whole else draw(st.booleans())
        out.append({"min": low, "max": cut, "min_inclusive": low_inclusive, "max_inclusive": upper_inclusive})
        low, low_inclusive = cut, not upper_inclusive
    out.append({"min": low, "max": None, "min_inclusive": low_inclusive, "max_inclusive": False})
    return out


@st.composite
def unique_tables(draw: st.DrawFn) -> dict[str, Any]:
    """Every combination of one partition per input: a complete `unique` table by construction."""
    names = draw(st.lists(st.sampled_from(list(PROOF_INPUTS)), min_size=1, max_size=3, unique=True))
    combos: list[dict[str, Any]] = [{}]
    for name in names:
        combos = [{**c, name: p} for c in combos for p in draw(pieces(name))]
    rows = [{"when": when, "points": draw(st.sampled_from([0, 1, 2]))} for when in combos]
    return {"kind": "table", "inputs": names, "hit_policy": "unique", "assumed": "x", "rows": rows}


@PROPERTY
@given(data=unique_tables(), change=st.sampled_from(["none", "drop", "copy"]), which=st.integers(0, 100))
def test_a_unique_table_that_passes_has_exactly_one_hit(
    data: dict[str, Any], change: str, which: int
) -> None:
    """Complete partitions pass and score exactly one row for any value; a row taken away is a gap,
    a row repeated an overlap (naming both rows)."""
    rows = data["rows"]
    index = which % len(rows)
    if change == "drop" and len(rows) > 1:
        data = {**data, "rows": rows[:index] + rows[index + 1 :]}
    elif change == "copy":
        data = {**data, "rows": [*rows, rows[index]]}
    else:
        change = "none"
    made = proof(data)
    assert made is not None
    compiled, found = made
    if change == "none":
        assert found == []
        for values in every_value(data):
            hits = matches(data, values)
            assert len(hits) == 1
            assert compiled.points(values)[1] == hits[0]
    elif change == "drop":
        assert found == ["table-gap"] or set(found) == {"table-gap"}
    else:
        assert "table-overlap" in found and "table-gap" not in found


def test_the_authoring_guide_blocks_check_and_score_as_it_says(built: Callable[..., Definition]) -> None:
    """docs/authoring.md's blocks of the three kinds, put in one definition, score as written there."""
    import re

    from ruamel.yaml import YAML

    from .conftest import ROOT

    guide = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    start = guide.index("### `deduction`")
    end = guide.index("## Yearly targets")
    blocks = [YAML(typ="safe").load(b) for b in re.findall(r"```yaml\n(.*?)```", guide[start:end], re.S)]
    from_criterion, from_parent, bonus_pillar, table_rule = blocks
    data = tree_data(
        [
            pillar(
                "II",
                from_criterion[0],
                leaf("II.5", 10, table_rule["rule"]),
                {**from_parent[0], "points": 0},
            ),
            bonus_pillar[0],
        ]
    )
    d = built(data)
    r = score(d, {"late_documents": 3, "online_rate": 85, "has_portal": True, "initiatives": 7})
    assert r.explain("II.3") == "Số văn bản chậm hạn = 3 × 1 = 3 (tối đa trừ 5) → 10 − 3 = 7 điểm"
    assert r.explain("II.9") == "Số văn bản chậm hạn = 3 × 2 = 6 (tối đa trừ 6) → trừ 6 điểm"
    assert r.explain("II") == "Tổng: 7 + 10 − 6 = 11/20 điểm"
    assert r.explain("II.5") in guide
    assert (r.points, r.max, r.bonus, r.total_with_bonus) == (D(11), D(20), D(10), D(21))
    r = score(d, {"late_documents": 9, "online_rate": 85, "has_portal": True, "initiatives": 0})
    assert "10 − 5 = 5 điểm" in r.explain("II.3") and "10 − 5 = 5 điểm" in guide


def test_the_score_table_html_and_json_show_the_bonus_apart(
    built: Callable[..., Definition],
    write: Callable[..., Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cds_index.cli import main
    from cds_index.render.htmlreport import unit_report
    from cds_index.render.report import result_table

    data = with_bonus()
    data["tree"][0]["children"].append(leaf("I.3", None, deduction(deducts_from="parent", cap=30)))
    d = built(data)
    r = score(d, {"has_plan": True, "posts": 1, "initiatives": 7, "late_documents": 9})
    text = result_table(r, size=None)  # unwrapped, whatever the terminal's width
    assert "Tổng điểm: 0/10\n" in text and "Tỷ lệ: 0%\n" in text
    assert "Điểm thưởng (ngoài tổng điểm): 10\nTổng điểm kể cả điểm thưởng: 10\n" in text
    assert "(+10 điểm thưởng)" in text and "điểm trừ đưa nhóm xuống -3 điểm; nhóm dừng ở 0" in text
    assert "warning[deduction-floor]" in text
    english = result_table(r, lang="en")
    assert "Bonus (outside the total): 10\nTotal with bonus: 10\n" in english and "it stops at 0" in english
    html = unit_report(d, r)
    assert 'Điểm thưởng (ngoài tổng điểm)</div><div class="v">10</div>' in html
    assert "nhóm dừng ở 0" in html
    # the command line, table and JSON
    definition = write(dump_yaml(data), "bonus.yaml")
    unit = write(
        "kind: inputs\ndefinition: bonus.yaml\nunit: {id: xa-a, name: Xã A}\nyear: 2024\n"
        "values: {has_plan: true, posts: 1, initiatives: 7, late_documents: 2}\n",
        "unit.yaml",
    )
    assert main(["score", str(definition), str(unit)]) == 0
    out = capsys.readouterr().out
    assert "Tổng điểm: 4/10" in out and "Tổng điểm kể cả điểm thưởng: 14" in out
    assert main(["score", str(definition), str(unit), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["points"], payload["bonus"], payload["total_with_bonus"], payload["percent"]) == (
        "4",
        "10",
        "14",
        "40",
    )


def test_the_fictional_example_uses_every_new_kind_and_scores_as_worked_out() -> None:
    """examples/definitions/: a fictional definition (marked hư cấu) with every kind of #13; its unit
    in examples/rule-kinds/ (a folder of units only, so that `score DEF examples/rule-kinds/` works)."""
    from cds_index.check.checking import check_file
    from cds_index.io.batch import score_many
    from cds_index.read.registry import load_file
    from cds_index.read.units_io import read_unit

    from .conftest import EXAMPLES

    folder = EXAMPLES / "rule-kinds"
    definition = EXAMPLES / "definitions" / "tinh-x-commune-fictional.yaml"
    report = check_file(definition)
    assert report.ok and not [p for p in report.problems if p.severity != "info"], report.problems
    for path in [definition, *sorted(folder.glob("*.yaml"))]:
        report = check_file(path)
        # alone, a unit's rank criterion is pending (rank-needs-batch); xa-c's deductions meet the floor
        assert report.ok, report.problems
        assert {p.code for p in report.problems if p.severity != "info"} <= {
            "rank-needs-batch",
            "deduction-floor",
        }
        assert "HƯ CẤU" in path.read_text(encoding="utf-8")
    d = load_file(definition)
    assert {"deduction", "bonus", "table", "rank"} <= {n.rule.kind for n in d.criteria() if n.rule}
    unit, problems = read_unit(d, folder / "xa-a-fictional.yaml")
    assert unit is not None and not problems
    r = next(row.result for row in score_many(d, [folder]) if row.unit_id == "xa-a")
    assert r is not None
    # I: 10 − 3 + 10 − 2 = 15; II: row 2 (2 posts) = 5; III: 4 + 2nd place 2 + 2 = 8; bonus 10 + 5
    # outside the 40 (tests/test_fictional_example.py works out every unit)
    assert (r.points, r.max, r.bonus, r.total_with_bonus) == (D(28), D(40), D(15), D(43))
    from cds_index.numbers import div

    assert r.percent == div(D(2800), D(40))  # the bonus in no percentage


def test_a_batch_summary_has_the_bonus_columns_only_with_a_bonus(tmp_path: Any) -> None:
    import io as text_io

    from cds_index.io.batch import score_many, summary_keys, write_csv
    from cds_index.read.registry import load, load_file

    from .conftest import EXAMPLES

    d = load_file(EXAMPLES / "definitions" / "tinh-x-commune-fictional.yaml")
    assert summary_keys(d)[-5:] == ["bonus", "total_with_bonus", "problems", "warnings", "source"]
    out = text_io.StringIO()
    write_csv(d, score_many(d, [EXAMPLES / "rule-kinds" / "xa-a-fictional.yaml"]), out)
    header, row = out.getvalue().lstrip("\ufeff").splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=False))
    assert (cells["points"], cells["percent"], cells["bonus"], cells["total_with_bonus"]) == (
        "29",  # alone, xa-a is 1st of one on III.2 (3 points)
        "72.5",
        "15",
        "44",
    )
    assert "bonus" not in summary_keys(load("hue-2263-commune"))


def test_the_results_workbook_has_the_bonus_beside_the_total(tmp_path: Any) -> None:
    from openpyxl import load_workbook

    from cds_index.io.batch import score_many
    from cds_index.io.excel import write_results
    from cds_index.read.registry import load_file

    from .conftest import EXAMPLES

    d = load_file(EXAMPLES / "definitions" / "tinh-x-commune-fictional.yaml")
    out = tmp_path / "results.xlsx"
    write_results(d, score_many(d, [EXAMPLES / "rule-kinds" / "xa-a-fictional.yaml"]), out, lang="vi")
    sheet = load_workbook(out).worksheets[0]
    head = [c.value for c in sheet[2]]
    row = dict(zip(head, [c.value for c in sheet[3]], strict=True))
    assert (
        row["Tổng điểm"],
        row["Điểm tối đa áp dụng"],
        row["Điểm thưởng"],
        row["Tổng điểm kể cả điểm thưởng"],
    ) == (
        29,  # alone, xa-a is 1st of one on III.2 (3 points)
        40,
        15,
        44,
    )


def test_a_positioned_message_survives_copying_and_pickling() -> None:
    import copy
    import pickle

    from cds_index.rules.common import At

    message = At("row 2 is never reached", ("rows", 1))
    for again in (copy.deepcopy(message), pickle.loads(pickle.dumps(message)), copy.copy(message)):
        assert again == "row 2 is never reached" and getattr(again, "path", None) == ("rows", 1)
