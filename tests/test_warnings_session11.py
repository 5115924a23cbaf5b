"""Warnings a unit carries are said on every path (an outside tester's findings, #11): a file of 2024
scored as 2025 with ``--year`` (``input-year``) and a zero denominator (``invalid-value``) were
hidden by ``rollup``, ``rank`` and ``report``, and a form's unit id typed as a date became its id."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import cds_index
from cds_index.analyse.roll_up import rollup
from cds_index.cli import main
from cds_index.io.batch import read_units
from cds_index.io.tables import UnitFailure
from cds_index.read.inputs import UnitInputs

ROOT = Path(__file__).resolve().parent.parent
REARRANGEMENTS = ROOT / "examples" / "rearrangements"
OLD = REARRANGEMENTS / "2024"
PLAN = REARRANGEMENTS / "hue-communes.yaml"
STRONG = ROOT / "examples" / "hue-2263-commune-strong.yaml"
DATA = Path(__file__).resolve().parent / "data" / "warnings11"
OF_2023 = DATA / "of-2023.yaml"
FORMULA = DATA / "formula-def.yaml"
ZERO_A, ZERO_B = DATA / "zero-a.yaml", DATA / "zero-b.yaml"


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


# --- 1. rollup carries the old units' warnings ---------------------------------------------------


def test_rollup_carries_the_old_units_warnings_each_once(hue: cds_index.Definition) -> None:
    """2024 files rolled up as 2025: each old unit's `input-year` warning is the new unit's, once,
    naming the old unit (it had only the errors, so the re-dating went unsaid)."""
    olds = [u.unit_id for u in read_units(hue, [OLD])]
    rolled = rollup(hue, [OLD], PLAN, year=2025, lang="en")
    (unit,) = rolled.units
    said = [p for p in unit.problems if p.code == "input-year"]
    assert len(said) == len(olds) and all(p.severity == "warning" for p in said)
    for old in olds:
        assert sum(old in str(p.message) for p in said) == 1
    assert unit.result is not None and said[0] in unit.result.problems
    assert unit.ok  # a warning does not fail


@pytest.mark.parametrize("method", ["mean_index", "rescore"])
def test_rollup_cli_shows_the_old_units_warnings(capsys: pytest.CaptureFixture[str], method: str) -> None:
    code = main(
        [
            *("rollup", "hue-2263-commune", str(OLD), "--rearrangement", str(PLAN), "--year", "2025"),
            *("--method", method, "--format", "json", "--lang", "en"),
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == (0 if method == "mean_index" else 1)  # rescore: a role cannot be added up (an error)
    (unit,) = document["units"]
    assert any(p["code"] == "input-year" for p in unit["problems"])


def test_rollup_names_the_old_unit_of_a_warning_that_does_not(tmp_path: Path) -> None:
    """A zero denominator names its criterion, not its unit: the new unit's copy names the old unit."""
    definition = cds_index.load(str(FORMULA))
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "kind: rearrangement\nid: x-2025\ntitle: x\nlevel: commune\n"
        "decision: {number: 1/NQ, date: 2025-06-16}\neffective: 2025-07-01\n"
        "definitions: [tinh-x-formula-test]\nmethod: mean_index\n"
        "units:\n  - id: xa-moi\n    from: [xa-a, xa-b]\n",
        encoding="utf-8",
    )
    (unit,) = rollup(definition, [ZERO_A, ZERO_B], plan, lang="en").units
    zero = [p for p in unit.problems if p.code == "invalid-value"]
    assert len(zero) == 1 and zero[0].severity == "warning"
    assert "the old unit 'xa-a'" in cds_index.i18n.render(zero[0].message, "en")


# --- 2. rank says each ranked unit's warnings -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_rank_says_a_re_dated_units_warning_on_stderr(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code = main(["rank", "hue-2263-commune", str(STRONG), str(OF_2023), "--year", "2024", "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 0
    assert "warning[input-year]" in err and "2023" in err
    assert "input-year" not in out  # stdout's document is unchanged
    if fmt == "json":
        json.loads(out)


def test_rank_says_a_zero_denominator_in_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rank", str(FORMULA), str(ZERO_A), str(ZERO_B), "--lang", "en"])
    out, err = capsys.readouterr()
    assert code == 0
    lines = [line for line in err.splitlines() if "invalid-value" in line]
    assert len(lines) == 1 and "division by zero" in lines[0] and str(ZERO_A) in lines[0]
    assert "invalid-value" not in out


# --- 3. report says them on stderr and on the unit's page ----------------------------------------


def test_report_says_a_re_dated_units_warning(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code = main(
        ["report", "hue-2263-commune", str(OF_2023), "--year", "2024", "-o", str(out_dir), "--lang", "en"]
    )
    err = capsys.readouterr().err
    assert code == 0
    assert "warning[input-year]" in err and "2023" in err
    page = (out_dir / "xa-b.html").read_text(encoding="utf-8")
    assert "Warnings" in page and "of 2023" in page


# --- 4. a form's unit id typed as a date ----------------------------------------------------------


def test_a_forms_unit_id_cell_typed_as_a_date_is_refused(hue: cds_index.Definition, tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    shutil.copy(DATA / "form_id_date.xlsx", form)
    (unit,) = read_units(hue, [form])
    assert isinstance(unit, UnitFailure) and unit.unit_id is None
    (problem,) = unit.problems
    assert problem.severity == "error" and "B4" in str(problem.location.path[0])
    en = cds_index.i18n.render(problem.message, "en")
    vi = cds_index.i18n.render(problem.message, "vi")
    assert "01/01/2024" in en and "Format Cells → Text" in en
    assert "Định dạng Ô → Văn bản" in vi
    (number,) = read_units(hue, [DATA / "form_id_number.xlsx"])  # a number id (a commune code) is read
    assert isinstance(number, UnitInputs) and number.unit_id == "1"
