"""Scoring a unit: not reported, not applicable, appraised values, totals, the index, explanations."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cds_index.engine.evaluate import Result, assessed_years, score
from cds_index.errors import DefinitionError
from cds_index.formats.model import Definition
from cds_index.read.registry import load, load_file

from .conftest import criterion, dump_yaml, header

D = Decimal

INPUTS: dict[str, Any] = {
    "done": {"label": "Có kế hoạch", "type": "boolean"},
    "staff": {"label": "Số cán bộ", "type": "integer", "unit": "person", "min": 0, "general": True},
    "trained": {"label": "Số cán bộ được đào tạo", "type": "integer", "unit": "person", "min": 0},
    "articles": {"label": "Số tin bài", "type": "integer", "unit": "item", "min": 0},
    "applies": {"label": "Có doanh nghiệp trên địa bàn", "type": "boolean"},
    "leader": {"label": "Người chủ trì", "type": "role"},
}


def three_pillars(method: str = "mean_of_pillar_percentages") -> dict[str, Any]:
    """P1 (10) = X.1 yes/no 4 + X.2 ratio 6; P2 (10) = Y.1 count 10 of 5, if `applies`; P3 (5) = Z.1 role."""
    data = header(id="three", total=25, index={"method": method}, inputs=INPUTS)
    data["tree"] = [
        {
            "id": "P1",
            "title": "Chính quyền số",
            "points": 10,
            "children": [
                criterion("X.1", 4, {"kind": "yes_no", "input": "done"}),
                criterion("X.2", 6, {"kind": "ratio", "input": "trained", "per": "staff"}),
            ],
        },
        {
            "id": "P2",
            "title": "Kinh tế số",
            "points": 10,
            "children": [
                criterion(
                    "Y.1", 10, {"kind": "count", "input": "articles", "target": 5, "applicable_if": "applies"}
                ),
            ],
        },
        {
            "id": "P3",
            "title": "Xã hội số",
            "points": 5,
            "children": [
                criterion("Z.1", 5, {"kind": "role", "input": "leader"}),
            ],
        },
    ]
    return data


@pytest.fixture
def definition(write: Callable[..., Path]) -> Definition:
    return load_file(write(dump_yaml(three_pillars()), "three.yaml"))


FULL = {"done": True, "trained": 180, "staff": 200, "articles": 2, "applies": True, "leader": "deputy"}


def test_points_max_percent_and_the_mean_of_pillar_percentages(definition: Definition) -> None:
    result = score(definition, FULL, year=2024, unit_id="xa-a", unit_name="Xã A")
    # X.1 4 + X.2 90% × 6 = 5.4 → P1 9.4/10; Y.1 2/5 × 10 = 4 → P2 4/10; Z.1 50% × 5 = 2.5 → P3 2.5/5
    assert [(p.id, p.points, p.max) for p in result.pillars] == [
        ("P1", D("9.4"), D(10)),
        ("P2", D(4), D(10)),
        ("P3", D("2.5"), D(5)),
    ]
    assert (result.points, result.max, result.achievable, result.stated_total) == (
        D("15.9"),
        D(25),
        D(25),
        D(25),
    )
    assert result.percent == D("63.6")
    # (94 + 40 + 50) / 3, carried to 20 places
    assert result.index == D("61.33333333333333333333")
    assert result.index_method == "mean_of_pillar_percentages"
    assert (result.unit_id, result.unit_name, result.year) == ("xa-a", "Xã A", 2024)
    assert result.ok


def test_the_sum_method(write: Callable[..., Path]) -> None:
    definition = load_file(write(dump_yaml(three_pillars("sum")), "sum.yaml"))
    result = score(definition, FULL)
    assert result.index == result.points == D("15.9")


def test_parent_points_are_the_exact_sum_of_children(definition: Definition) -> None:
    result = score(definition, FULL)
    for node in result.walk():
        if node.children:
            assert node.points == sum((c.points for c in node.children), D(0))
            assert node.max == sum((c.max for c in node.children), D(0))
    assert result.points == sum((p.points for p in result.pillars), D(0))


def test_not_reported_scores_zero_and_is_flagged(definition: Definition) -> None:
    values = {k: v for k, v in FULL.items() if k != "trained"}
    result = score(definition, values)
    node = result.node("X.2")
    assert (node.status, node.points, node.max) == ("not_reported", D(0), D(6))  # stays in the maximum
    assert "mặc định 0 điểm" in node.explanation  # 707 Điều 1 mục 3b
    assert "Số cán bộ được đào tạo" in node.explanation  # names what is missing
    assert result.max == D(25)
    assert result.points == D("10.5")  # 4 + 0 + 4 + 2.5
    en = score(definition, values, lang="en").node("X.2")
    assert "not reported → 0 points by default" in en.explanation


def test_nothing_reported(definition: Definition) -> None:
    result = score(definition, {})
    assert result.points == 0 and result.max == 25
    assert {n.status for n in result.walk()} == {"not_reported"}


def test_not_applicable_leaves_the_applicable_maximum(definition: Definition) -> None:
    result = score(definition, {**FULL, "applies": False})
    y1, p2 = result.node("Y.1"), result.node("P2")
    assert (y1.status, y1.points, y1.max, y1.stated) == ("not_applicable", D(0), D(0), D(10))
    assert (p2.status, p2.max) == ("not_applicable", D(0))
    assert (result.points, result.max) == (D("11.9"), D(15))
    assert result.percent == D("79.33333333333333333333")  # 11.9 / 15
    # a pillar with nothing applicable is left out of the mean: (94 + 50) / 2
    assert result.index == D(72)


def test_an_input_marked_na_makes_its_criteria_not_applicable(definition: Definition) -> None:
    result = score(definition, {**FULL, "trained": {"not_applicable": "không có cán bộ mới"}})
    node = result.node("X.2")
    assert (node.status, node.max) == ("not_applicable", D(0))
    assert "không có cán bộ mới" in node.explanation


@pytest.mark.parametrize(
    ("statuses", "parent"),
    [
        ({"done": "n/a", "trained": "n/a"}, "not_applicable"),
        ({"done": "n/a"}, "not_reported"),  # X.2 not reported, X.1 n/a
        ({"done": True}, "scored"),
    ],
)
def test_parent_status(definition: Definition, statuses: dict[str, Any], parent: str) -> None:
    values = {"staff": 200, **statuses}
    assert score(definition, values).node("P1").status == parent


def test_the_appraised_value_wins_and_the_self_assessed_points_are_kept(definition: Definition) -> None:
    values = {**FULL, "trained": {"self": 200, "appraised": 150}}
    result = score(definition, values, lang="en")
    node = result.node("X.2")
    assert node.points == D("4.5")  # 150/200 × 6
    assert node.self_points == D(6)  # 200/200 × 6
    assert "[self-assessed 6, appraised 4.5]" in node.explanation
    # the parent carries both: 4 + 4.5 scored, 4 + 6 self-assessed
    assert (result.node("P1").points, result.node("P1").self_points) == (D("8.5"), D(10))
    assert result.to_dict()["children"][0]["self_points"] == "10"


def test_an_appraisal_that_agrees_adds_no_note(definition: Definition) -> None:
    node = score(definition, {**FULL, "done": {"self": True, "appraised": True}}).node("X.1")
    assert node.self_points == node.points == D(4)
    assert "[" not in node.explanation


def test_a_refused_value_makes_its_criterion_invalid(definition: Definition) -> None:
    result = score(definition, {**FULL, "staff": -3})
    node = result.node("X.2")
    assert (node.status, node.points, node.max) == ("invalid", D(0), D(6))
    assert "tối thiểu" in node.explanation  # the result's language (vi by default)
    assert "minimum" in score(definition, {**FULL, "staff": -3}, lang="en").node("X.2").explanation
    assert not result.ok
    assert [p.code for p in result.problems] == ["input-range"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "vi",
            {
                "X.1": "Có kế hoạch: có → 100% × 4 = 4 điểm",
                "X.2": "Số cán bộ được đào tạo / Số cán bộ = 180/200 = 90% → 90% × 6 = 5,4 điểm",
                "Y.1": "Số tin bài = 2 (mục tiêu 5) → 40% × 10 = 4 điểm",
                "Z.1": "Người chủ trì: cấp phó → 50% × 5 = 2,5 điểm",
                "P1": "Tổng: 4 + 5,4 = 9,4/10 điểm",
            },
        ),
        (
            "en",
            {
                "X.1": "Có kế hoạch: yes → 100% × 4 = 4 points",
                "X.2": "Số cán bộ được đào tạo / Số cán bộ = 180/200 = 90% → 90% × 6 = 5.4 points",
                "Y.1": "Số tin bài = 2 (target 5) → 40% × 10 = 4 points",
                "Z.1": "Người chủ trì: a deputy → 50% × 5 = 2.5 points",
                "P1": "Sum: 4 + 5.4 = 9.4/10 points",
            },
        ),
    ],
)
def test_explanations_show_the_arithmetic(
    definition: Definition, lang: str, expected: dict[str, str]
) -> None:
    result = score(definition, FULL, lang=lang)  # type: ignore[arg-type]
    for node_id, text in expected.items():
        assert result.node(node_id).explanation == text


def test_json_contract(definition: Definition) -> None:
    data = score(definition, FULL, year=2024).to_dict()
    assert data["points"] == "15.9" and data["max"] == "25" and data["year"] == 2024
    index = data["index"]
    assert (index["method"], index["value"], index["exact"]) == (
        "mean_of_pillar_percentages",
        "61.33333333333333333333",
        "61.33333333333333333333",
    )
    assert index["scale"] == "100" and index["rounding"] is None
    assert index["explanation"].startswith("Chỉ số = trung bình cộng tỷ lệ điểm đạt của các trụ cột")
    p1 = data["children"][0]
    assert {"id", "title", "points", "max", "status", "explanation", "children"} <= set(p1)
    x2 = p1["children"][1]
    assert (x2["id"], x2["points"], x2["max"], x2["status"]) == ("X.2", "5.4", "6", "scored")
    assert x2["inputs"] == ["trained", "staff"]
    assert x2["children"] == []
    rounded = score(definition, FULL).to_dict(rounded=True)
    assert rounded["index"]["value"] == "61.33"  # display: 2 decimals, declared in the definition


def test_node_lookup(definition: Definition) -> None:
    result = score(definition, FULL)
    assert isinstance(result, Result)
    assert [n.id for n in result.criteria()] == ["X.1", "X.2", "Y.1", "Z.1"]
    with pytest.raises(KeyError):
        result.node("X.9")


def test_a_targets_definition_is_not_scored_in_points() -> None:
    with pytest.raises(DefinitionError) as raised:
        score(load("thanh-hoa-1829-commune"), {})
    assert raised.value.code == "usage"


@pytest.mark.parametrize(
    ("name", "stated", "achievable"),
    [("hai-duong-707-department", D(200), D(196)), ("hai-duong-707-district", D(420), D(419))],
)
def test_bundled_707_with_nothing_reported(name: str, stated: Decimal, achievable: Decimal) -> None:
    definition = load(name)
    result = score(definition, {})
    assert (result.points, result.stated_total, result.achievable, result.max) == (
        D(0),
        stated,
        achievable,
        achievable,
    )
    assert all(c.status == "not_reported" for c in result.criteria())
    assert len(result.criteria()) == len(definition.criteria())


def test_a_copy_with_another_tree_is_scored_by_its_own_rules() -> None:
    """``model_copy(update=…)`` keeps the original's private attributes, its compiled rules among
    them: a copy with one pillar scored with the original's eight pillars (a silent wrong result,
    #11). A copy compiles its own rules; the original keeps scoring as before."""
    original = load("hue-2263-commune")
    before = score(original, {})
    copy = original.model_copy(update={"tree": original.tree[:1]})
    scored = score(copy, {})
    assert [p.id for p in scored.pillars] == [original.tree[0].id]
    assert scored.max == original.tree[0].points != before.max
    again = score(original, {})
    assert (len(again.pillars), again.max) == (len(before.pillars), before.max)


def test_a_copy_of_yearly_targets_is_compiled_for_its_own_tree() -> None:
    """The same for a definition compiled per year (Thanh Hóa's targets)."""
    original = load("thanh-hoa-1829-commune")
    year = assessed_years(original)[0]
    before = score(original, {}, year=year)
    copy = original.model_copy(update={"tree": original.tree[:1]})
    scored = score(copy, {}, year=year)
    assert [p.id for p in scored.pillars] == [original.tree[0].id]
    assert len(before.pillars) == len(original.tree) > 1
