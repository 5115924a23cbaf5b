"""The bundled fictional example (examples/definitions/tinh-x-commune-fictional*.yaml, marked HƯ CẤU)
scored end to end from the CLI, each kind's points worked out by hand from the decision-style sentence
beside it in the YAML (#13)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from cds_index.cli.main import main

from .conftest import EXAMPLES

DEFINITIONS = EXAMPLES / "definitions"
UNITS = EXAMPLES / "rule-kinds"
V2025 = DEFINITIONS / "tinh-x-commune-fictional.yaml"
ID = "tinh-x-commune-fictional"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def points(node: dict[str, Any], into: dict[str, D] | None = None) -> dict[str, D]:
    into = {} if into is None else into
    into[node["id"]] = D(node["points"])
    for child in node.get("children", []):
        points(child, into)
    return into


def scored(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, dict[str, Any]]:
    code, out, err = run(capsys, "score", *argv, "--format", "json", str(UNITS))
    assert code == 0, err
    return {r["unit"]["id"]: r for r in json.loads(out)}


def test_the_example_is_fictional_and_checks_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", str(DEFINITIONS), "--strict")
    assert code == 0, out + err
    assert "0 lỗi, 0 cảnh báo" in out and out.count("OK ") == 2
    for path in [*DEFINITIONS.glob("*.yaml"), *UNITS.glob("*.yaml")]:
        assert "HƯ CẤU" in path.read_text(encoding="utf-8"), path


def test_every_new_kind_and_declaration_is_used() -> None:
    from cds_index.read.registry import load_file

    d = load_file(V2025)
    kinds = {n.rule.kind for n in d.criteria() if n.rule}
    assert {"deduction", "bonus", "table", "rank", "steps", "formula"} <= kinds
    assert d.inputs["computer_share"].unit == "fraction"
    assert d.index.method == "weighted_mean_of_pillar_percentages"
    assert d.index.scale == D(1) and d.index.rounding is not None
    assert d.ranking.by == "index" and d.ranking.tie_break == ["I"]
    assert d.effective.to is not None
    amended = DEFINITIONS / f"{ID}@2026.yaml"
    assert "extends:" in amended.read_text(encoding="utf-8")
    assert load_file(amended).effective.from_.isoformat() == "2026-01-01"


# Hand-computed from the sentences in the YAML's comments (2025 version):
#   I.1 "Đạt 10 điểm; trừ 1 điểm mỗi văn bản chậm hạn, tối đa trừ 5": A 3 late → 7; B 0 → 10; C 8 → cap 5 → 5
#   I.2 table "có cổng, từ 80%: 100%; 50–80%: 50%; dưới 50%: 0": A 85 → 10; B 60 → 5; C 40 → 0
#   I.3 "mỗi phản ánh quá hạn trừ 2 điểm của trụ cột, tối đa trừ 6": A 1 → −2; B 0 → 0; C 3 → −6
#       I = A 15; B 15; C 5 − 6 = −1, and a group does not go below 0 → 0 (warned: deduction-floor)
#   II.1 table "hoạt động, từ 4 tin bài: 10; 1–3: 5; đang xây dựng: 2": A 2 posts → 5; B 5 → 10; C → 2
#   III.1 steps on a fraction "từ 0,9: 4; 0,5–dưới 0,9: 2; dưới 0,5: 0": A 0,95 → 4; B 0,85 → 2; C 0,5 → 2
#   III.2 rank "nhiều nhất 3 điểm, nhì 2, ba 1; bằng nhau đồng hạng": B 300 → 1st → 3; A, C 120 → both 2nd → 2
#   III.3 formula "cứ 05 cán bộ được tập huấn được 1 điểm, tối đa 3": A 12 → 2; B 20 → 4 → 3; C 4 → 0
#   T bonus "mỗi sáng kiến thưởng 2, tối đa 10" + "giải thưởng: 5": A 7 → 10 + 5 = 15; B 0; C 1 → 2
#   index 0,5 × I% + 0,2 × II% + 0,3 × III% (0–1, 2 decimals half up):
#       A 0,5 × 0,75 + 0,2 × 0,5 + 0,3 × 0,8 = 0,715 → 0,72; B 0,375 + 0,2 + 0,24 = 0,815 → 0,82;
#       C 0 + 0,2 × 0,2 + 0,3 × 0,4 = 0,16
EXPECTED = {
    "xa-a": {"I.1": 7, "I.2": 10, "I.3": -2, "I": 15, "II.1": 5, "III.1": 4, "III.2": 2, "III.3": 2, "T": 0},
    "xa-b": {"I.1": 10, "I.2": 5, "I.3": 0, "I": 15, "II.1": 10, "III.1": 2, "III.2": 3, "III.3": 3, "T": 0},
    "xa-c": {"I.1": 5, "I.2": 0, "I.3": -6, "I": 0, "II.1": 2, "III.1": 2, "III.2": 2, "III.3": 0, "T": 0},
}
TOTALS = {"xa-a": (28, 15, "0.72", "0.715"), "xa-b": (33, 0, "0.82", "0.815"), "xa-c": (6, 2, "0.16", "0.16")}


def test_score_gives_each_kind_the_hand_computed_points(capsys: pytest.CaptureFixture[str]) -> None:
    results = scored(capsys, str(V2025))
    assert set(results) == set(EXPECTED)
    for unit, expected in EXPECTED.items():
        r = results[unit]
        got = {}
        for pillar in r["children"]:
            points(pillar, got)
        assert {k: got[k] for k in expected} == {k: D(v) for k, v in expected.items()}, unit
        total, bonus, index, exact = TOTALS[unit]
        assert (D(r["points"]), D(r["max"]), D(r["bonus"])) == (D(total), D(40), D(bonus)), unit
        assert D(r["total_with_bonus"]) == D(total + bonus)
        assert D(r["percent"]) * 40 == D(total) * 100  # the bonus in no percentage
        assert (r["index"]["value"], r["index"]["exact"]) == (index, exact), unit
        assert r["index"]["scale"] == "1"
    floor = [p for p in results["xa-c"]["problems"] if p["code"] == "deduction-floor"]
    assert floor and floor[0]["severity"] == "warning"
    # batch-scored: the rank criterion is placed among the three, never pending
    assert not [p for r in results.values() for p in r["problems"] if p["code"] == "rank-needs-batch"]


def test_rank_follows_the_declared_index(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "rank", str(V2025), str(UNITS), "--format", "json")
    assert code == 0, err
    ranking = json.loads(out)
    assert (ranking["by"], ranking["tie_break"]) == ("index", ["I"])
    rows = [(row["unit"]["id"], row["rank"], row["score"]) for row in ranking["ranking"]]
    assert rows == [("xa-b", 1, "0.82"), ("xa-a", 2, "0.72"), ("xa-c", 3, "0.16")]


def test_the_amending_version_is_picked_by_date(capsys: pytest.CaptureFixture[str]) -> None:
    # "từ 0,8 trở lên đạt 4 điểm" from 2026: B's 0,85 earns 4 instead of 2; index 0,375 + 0,2 + 0,3 = 0,875
    folder = ("--folder", str(DEFINITIONS))
    after = scored(capsys, f"{ID}@2026-06-01", *folder)
    got: dict[str, D] = {}
    for pillar in after["xa-b"]["children"]:
        points(pillar, got)
    assert got["III.1"] == D(4)
    assert after["xa-b"]["index"]["exact"] == "0.875" and after["xa-b"]["index"]["value"] == "0.88"
    before = scored(capsys, f"{ID}@2025-06-01", *folder)
    assert before["xa-b"]["index"]["value"] == "0.82"
    # the units' 2025 figures under the 2026 version: warned, with the version to use
    code, out, err = run(capsys, "score", f"{ID}@2026-06-01", *folder, str(UNITS / "xa-a-fictional.yaml"))
    assert code == 0 and "year-outside-period" in out + err and f"{ID}@2025-12-31" in out + err


def test_a_formula_that_could_exceed_its_points_is_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example's formula passes the range check because trained_staff ≤ 20 bounds it; without the
    min(3, …) the same file is a positioned formula-range finding."""
    text = V2025.read_text(encoding="utf-8").replace('"min(3, trained_staff // 5)"', '"trained_staff // 5"')
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "check", str(bad), "--strict")
    assert code != 0
    assert "formula-range" in out + err and "bad.yaml:" in out + err


def test_a_pillar_of_bonus_criteria_only_needs_no_weight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """T (bonus only, no maximum) has no weight and is left out of the mean, its explanation without a
    weight; a pillar with points and no weight is still refused at its line."""
    results = scored(capsys, str(V2025))
    explanation = results["xa-a"]["index"]["explanation"]
    assert "T 0/0: không đánh giá" in explanation and "trọng số 0 " not in explanation
    text = V2025.read_text(encoding="utf-8").replace(
        "weights: {I: 0.5, II: 0.2, III: 0.3}", "weights: {I: 0.5, II: 0.5}"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "check", str(bad))
    assert code != 0
    assert (
        "index-weights" in out
        and "III" in out
        and " T" not in out.split("index-weights", 1)[1].split("\n")[0]
    )
