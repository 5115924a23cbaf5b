"""Ranking: shared ranks for exact ties (1, 2, 2, 4), exact comparison, gaps, keys, the `rank` command."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import cds_index
from cds_index.analyse.ranking import keys, rank, ranking_rows, ranking_table
from cds_index.cli import main
from cds_index.numbers import show

from .conftest import TINY, definition_from_text

# TINY: one pillar A of 10 points; A.1 yes/no (4), A.2 ratio staff_trained/staff (6).


@pytest.fixture(scope="module")
def tiny() -> cds_index.Definition:
    definition, problems = definition_from_text(TINY)
    assert definition is not None, problems
    return definition


def _score(tiny: cds_index.Definition, unit: str, plan: bool, trained: int, staff: int) -> cds_index.Result:
    return cds_index.score(tiny, {"has_plan": plan, "staff": staff, "staff_trained": trained}, unit_id=unit)


def test_ties_share_a_rank_and_the_next_rank_skips(tiny: cds_index.Definition) -> None:
    results = [
        _score(tiny, "d", False, 10, 10),  # 0 + 6 = 6
        _score(tiny, "c", True, 5, 10),  # 4 + 3 = 7
        _score(tiny, "a", True, 10, 10),  # 4 + 6 = 10
        _score(tiny, "b", True, 1, 2),  # 4 + 3 = 7, the same as c
        _score(tiny, "e", False, 0, 10),  # 0
    ]
    ranked = rank(results, "total")
    assert [(r.rank, r.unit_id, r.score) for r in ranked] == [
        (1, "a", Decimal(10)),
        (2, "b", Decimal(7)),
        (2, "c", Decimal(7)),
        (4, "d", Decimal(6)),
        (5, "e", Decimal(0)),
    ]
    # gap to the nearest better score (tied units share it), to the first, to the maximum
    assert [r.gap_above for r in ranked] == [None, Decimal(3), Decimal(3), Decimal(1), Decimal(6)]
    assert [r.gap_to_first for r in ranked] == [Decimal(0), Decimal(3), Decimal(3), Decimal(4), Decimal(10)]
    assert [r.gap_to_max for r in ranked] == [Decimal(0), Decimal(3), Decimal(3), Decimal(4), Decimal(10)]


def test_ranks_use_exact_unrounded_scores(tiny: cds_index.Definition) -> None:
    """1/3 and 100000000/300000001 show the same to two decimals, but they are not a tie."""
    third = _score(tiny, "third", False, 1, 3)
    almost = _score(tiny, "almost", False, 100_000_000, 300_000_001)
    assert show(third.points, "en", 2) == show(almost.points, "en", 2)
    ranked = rank([almost, third], "total")
    assert [(r.rank, r.unit_id) for r in ranked] == [(1, "third"), (2, "almost")]
    assert ranked[1].gap_above is not None and Decimal(0) < ranked[1].gap_above < Decimal("0.0000001")


def test_all_tied_and_empty(tiny: cds_index.Definition) -> None:
    assert rank([]) == []
    same = [_score(tiny, u, True, 1, 1) for u in ("z", "y", "x")]
    assert [(r.rank, r.unit_id, r.gap_above) for r in rank(same)] == [
        (1, "x", None),
        (1, "y", None),
        (1, "z", None),
    ]


def test_rank_by_index_and_by_pillar_differ_from_total() -> None:
    """707 districts: the final index is the mean of pillar percentages, not the total."""
    district = cds_index.load("hai-duong-707-district")
    assert keys(district) == ["index", "total", "percent", *[p.id for p in district.tree]]
    first, second = district.tree[0], district.tree[1]
    # strong in the big pillar only vs strong in the smaller one only
    big = {c.rule.input: True for _, c in first.walk() if c.rule is not None and c.rule.kind == "yes_no"}
    small = {c.rule.input: True for _, c in second.walk() if c.rule is not None and c.rule.kind == "yes_no"}
    a = cds_index.score(district, big, unit_id="a")
    b = cds_index.score(district, small, unit_id="b")
    assert a.points != b.points
    by_total = [r.unit_id for r in rank([a, b], "total")]
    by_index = [r.unit_id for r in rank([a, b], "index")]
    expected_total = ["a", "b"] if a.points > b.points else ["b", "a"]
    expected_index = ["a", "b"] if a.index > b.index else ["b", "a"]
    assert by_total == expected_total and by_index == expected_index
    assert [r.unit_id for r in rank([a, b], first.id)] == ["a", "b"]
    assert [r.unit_id for r in rank([a, b], second.id)] == ["b", "a"]
    assert rank([a], "index")[0].max == Decimal(100)
    with pytest.raises(cds_index.UsageError):
        rank([a], "NOPE")


def test_ranking_rows_carry_every_other_key(tiny: cds_index.Definition) -> None:
    results = [_score(tiny, "a", True, 10, 10), _score(tiny, "b", False, 10, 10)]
    columns, rows = ranking_rows(tiny, results, "A")
    assert columns[:8] == [
        "rank",
        "unit_id",
        "unit_name",
        "score",
        "max",
        "gap_above",
        "gap_to_first",
        "gap_to_max",
    ]
    assert columns[8:] == ["points", "applicable_max", "total_rank", "percent", "percent_rank"]
    assert rows[0][:2] == [1, "a"] and rows[1][8:] == [Decimal(6), Decimal(10), 2, Decimal(60), 2]
    text = ranking_table(tiny, results, "total", lang="en", markdown=True)
    assert "| 1 | a |" in text and "| 2 | b |" in text


def _inputs(path: Path, unit: str, plan: bool, trained: int, staff: int) -> Path:
    path.write_text(
        f"kind: inputs\ndefinition: {path.parent / 'tiny.yaml'}\n"
        f"unit: {{id: {unit}, name: Xã {unit.upper()}}}\n"
        f"year: 2024\nvalues: {{has_plan: {str(plan).lower()}, staff: {staff}, staff_trained: {trained}}}\n",
        encoding="utf-8",
    )
    return path


def test_cli_rank_formats_and_unranked_units(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = tmp_path / "tiny.yaml"
    definition.write_text(TINY, encoding="utf-8")
    folder = tmp_path / "units"
    folder.mkdir()
    _inputs(folder / "a.yaml", "a", True, 10, 10)
    _inputs(folder / "b.yaml", "b", True, 1, 2)
    _inputs(folder / "c.yaml", "c", True, 5, 10)
    (folder / "bad.yaml").write_text(
        f"kind: inputs\ndefinition: {definition}\nunit: {{id: bad}}\nyear: 2024\n"
        "values: {has_plan: perhaps, staff: 3}\n",
        encoding="utf-8",
    )
    assert main(["rank", str(definition), str(folder), "--format", "json"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    # ranked by the percentage of the applicable maximum, the default of a definition whose index
    # is the total (#13), with the total beside the applicable maximum
    assert data["by"] == "percent"
    assert [
        (r["rank"], r["unit"]["id"], r["score"], r["points"], r["applicable_max"]) for r in data["ranking"]
    ] == [
        (1, "a", "100", "10", "10"),
        (2, "b", "70", "7", "10"),
        (2, "c", "70", "7", "10"),
    ]
    assert [u["unit"]["id"] for u in data["unranked"]] == ["bad"]
    assert "bad" in captured.err and "has_plan" in captured.err
    assert (
        main(
            [
                "rank",
                str(definition),
                str(folder / "a.yaml"),
                str(folder / "b.yaml"),
                "--format",
                "markdown",
                "--lang",
                "en",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "| Rank |" in out and "| 1 | a | Xã A |" in out
    assert main(["rank", str(definition), str(folder), "--by", "NOPE"]) == 2
