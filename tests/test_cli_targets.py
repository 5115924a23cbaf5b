"""The command line on a yearly-targets definition (Thanh Hóa 1829): one year, every year, the appendix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cds_index
from cds_index.cli import main
from cds_index.engine.targets import evaluate_year
from cds_index.read.units_io import read_unit_years
from cds_index.render.report import assumptions

ROOT = Path(__file__).resolve().parents[1]
XA_A = str(ROOT / "examples" / "thanh-hoa-1829-commune-xa-a.yaml")
ID = "thanh-hoa-1829-commune"


@pytest.fixture(scope="module")
def per_year() -> dict[int, object]:
    definition = cds_index.load(ID)
    years, problems = read_unit_years(definition, XA_A)
    assert not problems
    return {year: evaluate_year(definition, year, unit.values) for year, unit in years.items()}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025])
def test_one_year_json_agrees_with_the_library(
    year: int, per_year: dict[int, object], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "score", ID, XA_A, "--year", str(year), "--format", "json")
    assert code == 0
    data = json.loads(out)
    expected = per_year[year]
    assert data["completed"] == expected.completed  # type: ignore[attr-defined]
    assert {c["id"]: c["status"] for c in data["criteria"]} == {
        o.id: o.status
        for o in expected.criteria  # type: ignore[attr-defined]
    }
    assert data["unit"]["id"] == "xa-a"


def test_one_year_table_names_every_unmet_target(
    per_year: dict[int, object], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "score", ID, XA_A, "--year", "2023")
    assert code == 0
    assert "Năm 2023: CHƯA HOÀN THÀNH" in out
    for o in per_year[2023].criteria:  # type: ignore[attr-defined]
        if o.status == "unmet":
            assert o.explanation in out


def test_every_year_side_by_side(per_year: dict[int, object], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "score", ID, XA_A, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [y["year"] for y in data["years"]] == [2022, 2023, 2024, 2025]
    assert [y["completed"] for y in data["years"]] == [
        per_year[y].completed for y in (2022, 2023, 2024, 2025)
    ]  # type: ignore[attr-defined]
    code, out = run(capsys, "score", ID, XA_A, "--lang", "en")
    assert code == 0
    for criterion in cds_index.load(ID).criteria():
        assert f"\n{criterion.id} " in out
    assert "2022: completed" in out


def test_gaps_cli_lists_the_years_unmet_targets(
    per_year: dict[int, object], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "gaps", ID, XA_A, "--year", "2023", "--format", "json")
    assert code == 0
    listed = {x["id"] for g in json.loads(out)["leads"] for x in g["losses"]}
    expected = {o.id for o in per_year[2023].criteria if o.status in ("unmet", "not_reported")}  # type: ignore[attr-defined]
    assert listed == expected


def test_markdown_reproduces_the_appendix(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "show", ID, "--format", "markdown")
    assert code == 0
    assert "| Năm 2022 | Năm 2023 | Năm 2024 | Năm 2025 |" in out
    definition = cds_index.load(ID)
    rows = [line for line in out.splitlines() if line.startswith("| ") and not line.startswith("| STT")]
    criteria = definition.criteria()
    assert len(criteria) == 37
    for node in criteria:
        row = next(r for r in rows if r.startswith(f"| {node.id} |"))
        assert node.targets is not None and node.targets.printed is not None
        for year in (2022, 2023, 2024, 2025):
            assert f" {node.targets.printed[year]} " in row


def test_assumptions_list_every_assumed_rule(capsys: pytest.CaptureFixture[str]) -> None:
    definition = cds_index.load("hue-2263-commune")
    code, out = run(capsys, "show", "hue-2263-commune", "--assumptions", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    expected = [n.id for n in definition.criteria() if n.rule is not None and n.rule.assumed]
    assert [a["id"] for a in listed] == expected == [a["id"] for a in assumptions(definition)]
    assert expected  # 2263 prints only the full-points condition in many places
    code, out = run(capsys, "show", "hue-2263-commune", "--assumptions")
    assert f"{len(expected)} giả định trong hue-2263-commune" in out
    code, out = run(capsys, "show", "hue-2263-commune", "--assumptions", "--lang", "en")
    assert f"{len(expected)} assumption(s)" in out


def test_inputs_for_another_definition_are_refused_once(capsys: pytest.CaptureFixture[str]) -> None:
    other = str(ROOT / "examples" / "hai-duong-707-district-huyen-a.yaml")
    code = main(["score", ID, other])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.count("input-definition") == 1
