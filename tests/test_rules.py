"""Every rule kind at its boundaries; each expected value is worked out by hand from the rule."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from cds_index.engine.evaluate import NodeResult, score
from cds_index.formats.model import RULE_KINDS, Definition

from .conftest import criterion

D = Decimal

INPUTS: dict[str, Any] = {
    "done": {"label": "Đã thực hiện", "type": "boolean"},
    "done2": {"label": "Đã thực hiện lần 2", "type": "boolean"},
    "staff": {"label": "Số cán bộ", "type": "integer", "unit": "person", "min": 0},
    "trained": {"label": "Số cán bộ được đào tạo", "type": "integer", "unit": "person", "min": 0},
    "share_pct": {"label": "Tỷ lệ", "type": "number", "unit": "percent", "min": 0, "max": 100},
    "share_1": {"label": "Tỷ lệ (số thập phân)", "type": "number", "unit": "1", "min": 0, "max": 1},
    "articles": {"label": "Số tin bài", "type": "integer", "unit": "item", "min": 0},
    "delta": {"label": "Chênh lệch (có thể âm)", "type": "integer", "unit": "item"},
    "leader": {"label": "Người chủ trì", "type": "role"},
    "incidents": {"label": "Số sự cố", "type": "integer", "unit": "1", "min": 0},
    "handled": {"label": "Số sự cố đã xử lý", "type": "integer", "unit": "1", "min": 0},
    "applies": {"label": "Có đơn vị trực thuộc", "type": "boolean"},
}


@pytest.fixture
def one(build: Callable[..., Definition]) -> Callable[..., NodeResult]:
    """Score a single criterion ``X.1`` with ``points`` and ``rule`` for ``values``."""
    cache: dict[str, Definition] = {}

    def _one(points: Any, rule: dict[str, Any], values: dict[str, Any], **node: Any) -> NodeResult:
        key = repr((points, rule, node))
        if key not in cache:
            cache[key] = build(INPUTS, [criterion("X.1", points, rule, **node)])
        return score(cache[key], values, year=2024, lang="en").node("X.1")

    return _one


def test_every_rule_kind_is_tested_here() -> None:
    tested = {"yes_no", "ratio", "count", "steps", "role", "checklist", "per_item", "incidents"}
    # formula has its own modules: test_formula.py and test_formula_security.py; rank: test_rank.py;
    # deduction, bonus and table: test_deduction_bonus_table.py (#13)
    assert tested | {"formula", "rank", "deduction", "bonus", "table"} == set(RULE_KINDS)


# --- yes_no -------------------------------------------------------------------------------------

YES_NO = {"kind": "yes_no", "input": "done"}


@pytest.mark.parametrize(
    ("value", "points"),
    [
        (True, D(4)),
        (False, D(0)),
        ("có", D(4)),  # Vietnamese words are read as yes/no
        ("không", D(0)),
    ],
)
def test_yes_no(one: Callable[..., NodeResult], value: Any, points: Decimal) -> None:
    result = one(4, YES_NO, {"done": value})
    assert (result.points, result.max, result.status) == (points, D(4), "scored")


# --- ratio --------------------------------------------------------------------------------------

RATIO = {"kind": "ratio", "input": "trained", "per": "staff"}


@pytest.mark.parametrize(
    ("points", "rule", "values", "expected"),
    [
        # numerator / denominator × points
        (2, RATIO, {"trained": 180, "staff": 200}, D("1.8")),  # 90% × 2
        (3, RATIO, {"trained": 22, "staff": 24}, D("2.75")),  # 22/24 × 3, exact
        (6, RATIO, {"trained": 1, "staff": 3}, D(2)),  # 1/3 × 6: multiplied first, so exact
        (1, RATIO, {"trained": 2, "staff": 3}, D("0.66666666666666666667")),  # 20 places, half up
        # clamped to [0, 1]
        (2, RATIO, {"trained": 200, "staff": 200}, D(2)),
        (2, RATIO, {"trained": 250, "staff": 200}, D(2)),
        (2, RATIO, {"trained": 0, "staff": 200}, D(0)),
        # target below 1: full points from the target ratio on
        (6, {**RATIO, "target": "0.8"}, {"trained": 160, "staff": 200}, D(6)),
        (6, {**RATIO, "target": "0.8"}, {"trained": 120, "staff": 200}, D("4.5")),  # 0.6 / 0.8 × 6
        (6, {**RATIO, "target": "0.8"}, {"trained": 199, "staff": 200}, D(6)),
        # without `per`: a percentage, or a plain ratio
        (2, {"kind": "ratio", "input": "share_pct"}, {"share_pct": 90}, D("1.8")),
        (2, {"kind": "ratio", "input": "share_pct"}, {"share_pct": "45,5"}, D("0.91")),  # decimal comma
        (2, {"kind": "ratio", "input": "share_pct", "target": "0.5"}, {"share_pct": 25}, D(1)),
        (4, {"kind": "ratio", "input": "share_1"}, {"share_1": "0.25"}, D(1)),
    ],
)
def test_ratio(
    one: Callable[..., NodeResult],
    points: int,
    rule: dict[str, Any],
    values: dict[str, Any],
    expected: Decimal,
) -> None:
    result = one(points, rule, values)
    assert result.status == "scored"
    assert result.points == expected


def test_ratio_with_a_zero_denominator_is_invalid(one: Callable[..., NodeResult]) -> None:
    result = one(2, RATIO, {"trained": 0, "staff": 0})
    assert (result.status, result.points, result.max) == ("invalid", D(0), D(2))
    assert "denominator is 0" in result.explanation


def test_ratio_missing_denominator_is_not_reported(one: Callable[..., NodeResult]) -> None:
    result = one(2, RATIO, {"trained": 10})
    assert (result.status, result.points, result.max) == ("not_reported", D(0), D(2))
    assert "Số cán bộ" in result.explanation


# --- count --------------------------------------------------------------------------------------

COUNT = {"kind": "count", "input": "articles", "target": 4}


@pytest.mark.parametrize(
    ("value", "points"),
    [(0, D(0)), (1, D("0.5")), (3, D("1.5")), (4, D(2)), (10, D(2))],  # 2 × min(1, n/4)
)
def test_count(one: Callable[..., NodeResult], value: int, points: Decimal) -> None:
    assert one(2, COUNT, {"articles": value}).points == points


def test_count_with_a_fractional_target(one: Callable[..., NodeResult]) -> None:
    rule = {"kind": "count", "input": "share_pct", "target": "2.5"}
    assert one(5, rule, {"share_pct": 1}).points == D(2)  # 1 / 2.5 × 5


# --- steps --------------------------------------------------------------------------------------

# 2263 I.4.1 shape: "tối thiểu 02 tin bài: 100%; 01 tin bài: 50%"
STEPS_COUNT = {
    "kind": "steps",
    "input": "articles",
    "steps": [
        {"min": 0, "max": 1, "percent": 0},
        {"min": 1, "max": 2, "percent": 50, "label": "01 tin bài"},
        {"min": 2, "percent": 100, "label": "tối thiểu 02 tin bài"},
    ],
}
# steps on a ratio, with explicit inclusive and exclusive bounds: [0, 0.5) → 0, [0.5, 0.8] → 50%,
# (0.8, ∞) → 3 points
STEPS_RATIO = {
    "kind": "steps",
    "input": "trained",
    "per": "staff",
    "steps": [
        {"min": 0, "max": "0.5", "percent": 0},
        {"min": "0.5", "max": "0.8", "max_inclusive": True, "percent": 50},
        {"min": "0.8", "min_inclusive": False, "points": 3},
    ],
}


@pytest.mark.parametrize(
    ("rule", "values", "points"),
    [
        (STEPS_COUNT, {"articles": 0}, D(0)),
        (STEPS_COUNT, {"articles": 1}, D(2)),  # lower bound inclusive by default
        (STEPS_COUNT, {"articles": 2}, D(4)),  # upper bound exclusive by default
        (STEPS_COUNT, {"articles": 50}, D(4)),  # no upper bound
        (STEPS_RATIO, {"trained": 49, "staff": 100}, D(0)),
        (STEPS_RATIO, {"trained": 50, "staff": 100}, D(2)),  # 0.5: [0.5, …
        (STEPS_RATIO, {"trained": 80, "staff": 100}, D(2)),  # 0.8: … 0.8]
        (STEPS_RATIO, {"trained": 81, "staff": 100}, D(3)),  # (0.8, …: points, not percent
        (STEPS_RATIO, {"trained": 4, "staff": 5}, D(2)),  # exactly 0.8 again, from other numbers
        (STEPS_RATIO, {"trained": 1, "staff": 3}, D(0)),  # 0.333…
        (STEPS_RATIO, {"trained": 2, "staff": 3}, D(2)),  # 0.666…
    ],
)
def test_steps(
    one: Callable[..., NodeResult], rule: dict[str, Any], values: dict[str, Any], points: Decimal
) -> None:
    result = one(4, rule, values)
    assert result.status == "scored"
    assert result.points == points


def test_steps_explanation_names_the_band(one: Callable[..., NodeResult]) -> None:
    result = one(4, STEPS_COUNT, {"articles": 1})
    assert "“01 tin bài”" in result.explanation
    assert "50% × 4 = 2" in result.explanation


def test_steps_on_a_ratio_with_zero_denominator_is_invalid(one: Callable[..., NodeResult]) -> None:
    assert one(4, STEPS_RATIO, {"trained": 0, "staff": 0}).status == "invalid"


# --- role ---------------------------------------------------------------------------------------

ROLE = {"kind": "role", "input": "leader"}


@pytest.mark.parametrize(
    ("rule", "value", "points"),
    [
        (ROLE, "head", D(10)),  # 100%
        (ROLE, "deputy", D(5)),  # 50%
        (ROLE, "none", D(0)),
        (ROLE, "Phó Chủ tịch", D(5)),  # Vietnamese words for the roles
        ({**ROLE, "percent": {"head": 100, "deputy": 40}}, "deputy", D(4)),
        ({**ROLE, "percent": {"head": 100, "deputy": 40}}, "none", D(0)),  # absent share: 0
        ({**ROLE, "percent": {"head": "75.5", "deputy": 0, "none": 0}}, "head", D("7.55")),
    ],
)
def test_role(one: Callable[..., NodeResult], rule: dict[str, Any], value: str, points: Decimal) -> None:
    assert one(10, rule, {"leader": value}).points == points


# --- checklist ----------------------------------------------------------------------------------

CHECKLIST = {
    "kind": "checklist",
    "items": [
        {"input": "done", "points": 1, "label": "Có tổ chức"},
        {"input": "done2", "points": "1.5", "label": "Người đứng đầu chủ trì"},
    ],
}


@pytest.mark.parametrize(
    ("done", "done2", "points"),
    [(True, True, D("2.5")), (True, False, D(1)), (False, True, D("1.5")), (False, False, D(0))],
)
def test_checklist(one: Callable[..., NodeResult], done: bool, done2: bool, points: Decimal) -> None:
    result = one("2.5", CHECKLIST, {"done": done, "done2": done2})
    assert result.points == points
    assert "Có tổ chức" in result.explanation


def test_checklist_needs_every_item_reported(one: Callable[..., NodeResult]) -> None:
    assert one("2.5", CHECKLIST, {"done": True}).status == "not_reported"


# --- per_item -----------------------------------------------------------------------------------

PER_ITEM = {"kind": "per_item", "input": "articles", "points_each": "0.5"}


@pytest.mark.parametrize(
    ("rule", "value", "points"),
    [
        (PER_ITEM, 0, D(0)),
        (PER_ITEM, 3, D("1.5")),
        (PER_ITEM, 4, D(2)),  # reaches the cap: the criterion's 2 points
        (PER_ITEM, 9, D(2)),
        ({**PER_ITEM, "cap": "1.5"}, 4, D("1.5")),  # an explicit cap below the criterion's points
        ({**PER_ITEM, "input": "delta"}, -3, D(0)),  # a negative count earns nothing, never less
    ],
)
def test_per_item(one: Callable[..., NodeResult], rule: dict[str, Any], value: int, points: Decimal) -> None:
    values = {rule["input"]: value}
    assert one(2, rule, values).points == points


# --- incidents ----------------------------------------------------------------------------------

INCIDENTS = {"kind": "incidents", "input": "incidents", "handled": "handled"}


@pytest.mark.parametrize(
    ("rule", "values", "status", "points"),
    [
        (INCIDENTS, {"incidents": 0}, "scored", D(3)),  # no incident: `handled` is not needed
        (INCIDENTS, {"incidents": 2, "handled": 2}, "scored", D(3)),
        (INCIDENTS, {"incidents": 2, "handled": 3}, "scored", D(3)),
        (INCIDENTS, {"incidents": 2, "handled": 1}, "scored", D(0)),
        (INCIDENTS, {"incidents": 2}, "not_reported", D(0)),
        ({"kind": "incidents", "input": "incidents"}, {"incidents": 0}, "scored", D(3)),
        ({"kind": "incidents", "input": "incidents"}, {"incidents": 1}, "scored", D(0)),
    ],
)
def test_incidents(
    one: Callable[..., NodeResult], rule: dict[str, Any], values: dict[str, Any], status: str, points: Decimal
) -> None:
    result = one(3, rule, values)
    assert (result.status, result.points) == (status, points)


# --- what every rule has: applicable_if and enforce_deadline -----------------------------------


@pytest.mark.parametrize(
    ("values", "status", "points", "maximum"),
    [
        ({"applies": True, "done": True}, "scored", D(4), D(4)),
        ({"applies": False, "done": True}, "not_applicable", D(0), D(0)),
        ({"applies": "n/a", "done": True}, "not_applicable", D(0), D(0)),
        ({"done": True}, "not_reported", D(0), D(4)),  # whether it applies is itself not reported
    ],
)
def test_applicable_if(
    one: Callable[..., NodeResult], values: dict[str, Any], status: str, points: Decimal, maximum: Decimal
) -> None:
    result = one(4, {**YES_NO, "applicable_if": "applies"}, values)
    assert (result.status, result.points, result.max) == (status, points, maximum)


@pytest.mark.parametrize(
    ("date", "points", "why"),
    [
        ("2024-03-31", D(4), None),  # on the deadline day: on time
        ("2024-01-01", D(4), None),
        ("2024-04-01", D(0), "2024-04-01: after the deadline 2024-03-31"),  # the day after: no credit
        # before the assessment year: not this year's work, and said so (not "after the deadline", #10)
        ("2023-12-31", D(0), "2023-12-31: falls in 2023, not the assessment year 2024"),
    ],
)
def test_enforce_deadline(
    one: Callable[..., NodeResult], date: str, points: Decimal, why: str | None
) -> None:
    rule = {**YES_NO, "enforce_deadline": True}
    result = one(4, rule, {"done": {"value": True, "date": date}}, deadline="31.3")
    assert (result.points, result.late, result.status) == (points, why is not None, "scored")
    if why is None:
        assert "deadline" not in result.explanation
    else:
        assert result.explanation.startswith(why), result.explanation
        assert result.explanation.endswith("(read: Đã thực hiện: yes)")  # what was read, not "no"


def test_a_deadline_not_enforced_gives_credit(one: Callable[..., NodeResult]) -> None:
    result = one(4, YES_NO, {"done": {"value": True, "date": "2024-12-31"}}, deadline="31.3")
    assert (result.points, result.late) == (D(4), False)


@pytest.mark.parametrize(
    ("rule", "values"),
    [
        # rules whose inputs have no "no credit" value: a late date forfeits the whole criterion
        ({"kind": "formula", "expression": "articles / 2"}, {"articles": {"value": 8, "date": "2024-04-01"}}),
        ({"kind": "incidents", "input": "incidents"}, {"incidents": {"value": 0, "date": "2024-04-01"}}),
        # and the others, for comparison
        (
            {"kind": "count", "input": "articles", "target": 2},
            {"articles": {"value": 8, "date": "2024-04-01"}},
        ),
        (CHECKLIST, {"done": {"value": True, "date": "2024-04-01"}, "done2": True}),
    ],
)
def test_late_earns_nothing_whatever_the_rule(
    one: Callable[..., NodeResult], rule: dict[str, Any], values: dict[str, Any]
) -> None:
    rule = {**rule, "enforce_deadline": True}
    on_time = {k: ({**v, "date": "2024-03-31"} if isinstance(v, dict) else v) for k, v in values.items()}
    assert one("2.5", rule, on_time, deadline="31.3").points == D("2.5")
    late = one("2.5", rule, values, deadline="31.3")
    assert (late.points, late.late, late.status) == (D(0), True, "scored")
    assert late.explanation.startswith("2024-04-01: after the deadline 2024-03-31 → 0 points (read: ")
