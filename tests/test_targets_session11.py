"""Session 11's findings on the yearly-targets path (Thanh Hóa 1829, `scoring: targets`, #11).

A one-year inputs file is the values of its year, never a year with nothing reported; a file of
another year is refused by name; the number format is obeyed; an error of the form gives a non-zero
exit and reaches the units' problems; a refused value is shown as refused; every message speaks the
reader's language.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import cds_index
from cds_index.cli import main
from cds_index.engine.targets import evaluate_year, evaluate_years
from cds_index.errors import InputError
from cds_index.read.units_io import read_unit_years

ROOT = Path(__file__).resolve().parents[1]
XA_A = ROOT / "examples" / "thanh-hoa-1829-commune-xa-a.yaml"
DATA = Path(__file__).resolve().parent / "data" / "targets11"
ID = "thanh-hoa-1829-commune"


@pytest.fixture(scope="module")
def definition() -> cds_index.Definition:
    return cds_index.load(ID)


@pytest.fixture(scope="module")
def example_2023() -> dict[str, Any]:
    """The 2023 block of the bundled example (xa-a)."""
    data = yaml.safe_load(XA_A.read_text("utf-8"))
    values: dict[str, Any] = data["years"][2023]
    return values


def one_year_file(folder: Path, values: dict[str, Any], year: int | None, name: str = "xa-a.yaml") -> Path:
    """A one-year inputs file (`values:`), with `year:` when ``year`` is given (JSON is YAML)."""
    text = (
        f"kind: inputs\ndefinition: {ID}\nunit: {{id: xa-a, name: Xã A}}\n"
        f"values: {json.dumps(values, ensure_ascii=False)}\n"
    )
    if year is not None:
        text += f"year: {year}\n"
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- S1: a one-year file is its year's values; a file of another year is refused -------------------


def test_a_file_without_a_year_is_the_year_asked(
    tmp_path: Path, definition: cds_index.Definition, example_2023: dict[str, Any], capsys: Any
) -> None:
    path = one_year_file(tmp_path, example_2023, None)
    expected = evaluate_year(definition, 2023, example_2023)
    code, out, _ = run(capsys, "score", ID, str(path), "--year", "2023", "--format", "json")
    data = json.loads(out)
    assert data["has_data"] is True
    assert {c["id"]: c["status"] for c in data["criteria"]} == {o.id: o.status for o in expected.criteria}
    years, problems = read_unit_years(definition, path, year=2023)
    assert not problems and list(years) == [2023] and years[2023].year == 2023
    assert evaluate_year(definition, 2023, years[2023]).criteria == expected.criteria
    # without a year asked it is not scored against no year at all: refused, as `gaps` refuses it
    code, out, err = run(capsys, "score", ID, str(path), "--lang", "en")
    assert code != 0 and "gives no year" in err and "?" not in out


def test_a_file_of_another_year_is_refused_naming_both(
    tmp_path: Path, definition: cds_index.Definition, example_2023: dict[str, Any], capsys: Any
) -> None:
    path = one_year_file(tmp_path, example_2023, 2023)
    for command in ("score", "gaps"):
        code, out, err = run(capsys, command, ID, str(path), "--year", "2024", "--lang", "en")
        assert code != 0, command
        assert "error[input-year]" in err and "2023" in err and "2024" in err, command
        assert "not reported" not in out, command
    years, problems = read_unit_years(definition, path, year=2024)
    assert years == {} and [p.code for p in problems] == ["input-year"]
    assert problems[0].location.line == 5  # its `year:` line
    (unit,) = read_unit_years(definition, path)[0].values()
    with pytest.raises(InputError) as caught:
        evaluate_year(definition, 2024, unit)
    assert [p.code for p in caught.value.problems] == ["input-year"]
    with pytest.raises(InputError):
        evaluate_years(definition, {2024: unit})
    # a file of several years without the year asked: refused at its `years:` (as the points path)
    years, problems = read_unit_years(definition, XA_A, year=2021)
    assert years == {} and [p.code for p in problems] == ["input-year"]


# --- E1: the number format is obeyed on the targets path -------------------------------------------


@pytest.fixture(scope="module")
def ambiguous(tmp_path_factory: pytest.TempPathFactory, example_2023: dict[str, Any]) -> Path:
    """The 2023 values with 1.6 written `"72.400"`: 72400 in Vietnamese, 72.4 in English."""
    folder = tmp_path_factory.mktemp("ambiguous")
    return one_year_file(folder, {**example_2023, "online_dossiers_pct": "72.400"}, 2023)


@pytest.mark.parametrize("source", ["yaml", "xlsx"])
@pytest.mark.parametrize("command", ["score", "gaps"])
def test_number_format_en_reads_a_number_with_two_readings(
    source: str, command: str, ambiguous: Path, capsys: Any
) -> None:
    path = str(ambiguous if source == "yaml" else DATA / "th_text_ambig.xlsx")
    code, out, err = run(capsys, command, ID, path, "--year", "2023", "--number-format", "en", "--lang", "en")
    assert code == 0 and "input-ambiguous" not in err, err
    if command == "score":
        assert "72.4% ≥ 70%" in out
    else:
        assert "1.6 " not in out  # met: no gap


@pytest.mark.parametrize("source", ["yaml", "xlsx"])
def test_read_unit_years_takes_the_number_format(
    source: str, ambiguous: Path, definition: cds_index.Definition
) -> None:
    from decimal import Decimal

    from cds_index.io.batch import read_units

    path = ambiguous if source == "yaml" else DATA / "th_text_ambig.xlsx"
    years, problems = read_unit_years(definition, path, year=2023, number_format="en")
    assert not problems and not years[2023].problems
    assert years[2023].values["online_dossiers_pct"].value == Decimal("72.4")
    (unit,) = [u for u in read_units(definition, [path], number_format="en") if u.year == 2023]
    assert unit.values["online_dossiers_pct"].value == Decimal("72.4")


# --- E2: an error of the yearly form gives a non-zero exit and reaches the units' problems ----------


@pytest.mark.parametrize("command", ["score", "gaps"])
@pytest.mark.parametrize("year", [["--year", "2023"], []])
def test_a_stray_cell_of_the_form_is_a_non_zero_exit(command: str, year: list[str], capsys: Any) -> None:
    code, _, err = run(capsys, command, ID, str(DATA / "th_stray.xlsx"), *year, "--lang", "en")
    assert code == 1
    assert err.count("error[excel-stray-cell]") == 1  # said once, not once per year
    assert "the value 80 was not read" in err  # not Decimal('80')


def test_a_stray_cell_of_the_form_reaches_every_year_read(definition: cds_index.Definition) -> None:
    from cds_index.io.batch import read_units

    units = list(read_units(definition, [DATA / "th_stray.xlsx"]))
    assert [u.year for u in units] == [2022, 2023, 2024, 2025]
    for unit in units:
        assert "excel-stray-cell" in [p.code for p in unit.problems]


# --- U4: a refused value is shown as refused, not as not reported ----------------------------------


@pytest.mark.parametrize("source", ["yaml", "xlsx"])
def test_a_refused_value_is_invalid_with_its_problem(source: str, ambiguous: Path, capsys: Any) -> None:
    path = str(ambiguous if source == "yaml" else DATA / "th_text_ambig.xlsx")
    code, out, _ = run(capsys, "score", ID, path, "--year", "2023", "--format", "json", "--lang", "en")
    assert code == 1
    data = json.loads(out)
    (c16,) = [c for c in data["criteria"] if c["id"] == "1.6"]
    assert c16["status"] == "invalid" and "can be read as 72400" in c16["explanation"]
    assert data["groups"][0]["invalid"] == 1 and data["completed"] is False
    code, out, _ = run(capsys, "score", ID, path, "--year", "2023", "--lang", "en")
    assert "1.6    invalid" in out
    code, out, _ = run(capsys, "score", ID, path, "--format", "json", "--lang", "en")
    (y2023,) = [y for y in json.loads(out)["years"] if y["year"] == 2023]
    assert [c["status"] for c in y2023["criteria"] if c["id"] == "1.6"] == ["invalid"]
    code, out, _ = run(capsys, "gaps", ID, path, "--year", "2023", "--lang", "en")
    assert code == 1 and "can be read as 72400" in out  # a gap: the value is to be corrected


def test_the_api_shows_a_refused_value_as_invalid_in_its_own_words() -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    client = TestClient(create_app())
    body = client.post(
        f"/definitions/{ID}/score",
        json={"year": 2023, "values": {"online_dossiers_pct": "72.400"}, "lang": "en"},
    ).json()
    (c16,) = [c for c in body["criteria"] if c["id"] == "1.6"]
    assert c16["status"] == "invalid" and body["has_data"] is True
    assert [p["code"] for p in body["problems"]] == ["input-ambiguous"]
    points = client.post(
        "/definitions/hue-2263-commune/score",
        json={"year": 2024, "values": {"dx_budget": "72.400"}, "lang": "en"},
    ).json()
    assert [p["code"] for p in points["problems"]] == ["input-ambiguous"]
    for answer in (body, points):  # a request has no --number-format: a JSON number is the way
        text = json.dumps(answer)
        assert "--number-format" not in text and "send it as a JSON number" in text


# --- U6: every message of the targets path in the reader's language --------------------------------


def test_a_year_without_targets_is_said_in_vietnamese(capsys: Any) -> None:
    for argv in (["--year", "2026"], []):
        source = str(XA_A) if argv else str(DATA / "xa-a-2026.yaml")
        code, _, err = run(capsys, "score", ID, source, *argv, "--lang", "vi")
        assert code == 2
        assert "có chỉ tiêu cho 2022, 2023, 2024, 2025, không có cho 2026" in err, err


def test_the_api_refuses_in_messages_of_the_catalogue(definition: cds_index.Definition) -> None:
    from cds_index.errors import CdsIndexError
    from cds_index.i18n import Message, render

    calls = [
        lambda: evaluate_year(definition, 2026, {}),
        lambda: evaluate_year(definition, True, {}),  # type: ignore[arg-type]
        lambda: evaluate_year("thanh-hoa", 2024, {}),  # type: ignore[arg-type]
        lambda: evaluate_year(cds_index.load("hue-2263-commune"), 2024, {}),
        lambda: evaluate_year(definition, 2024, [1, 2]),  # type: ignore[arg-type]
        lambda: evaluate_years(definition, [1, 2]),  # type: ignore[arg-type]
        lambda: evaluate_years(definition, {2026: {}}),
        lambda: evaluate_years(definition, {2024: {"online_dossiers_pct": "x"}}),
    ]
    for call in calls:
        with pytest.raises(CdsIndexError) as caught:
            call()
        for problem in caught.value.problems:
            assert isinstance(problem.message, Message), problem.message
            assert render(problem.message, "vi") != render(problem.message, "en"), problem.message
            assert "2.02" not in render(problem.message, "vi")  # a year is never grouped (2.024)
