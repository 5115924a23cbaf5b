"""Session 13 (#11): readings that were silent, each kept as a test that failed before its fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds_index.cli import main
from cds_index.formats.model import InputsFile, several_lines
from cds_index.i18n import render

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "hue-2263-commune-weak.yaml"


@pytest.mark.parametrize("odd", ["\n", "\r", "\t", "\x00", "\x85", "\x7f"])
def test_an_inputs_files_unit_id_on_two_lines_is_refused_at_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], odd: str
) -> None:
    """`id: "xa-1\\nb"` in YAML was the unit's id, printed over two rows of the CSV, without a word;
    a table's id cell refused it. Now every file kind refuses it, at the id's line and column."""
    escaped = odd.encode("unicode_escape").decode("ascii")  # YAML's double-quoted escape
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "unit: {id: xa-huong-son-thuong,", f'unit: {{id: "xa-huong{escaped}son",', 1
    )
    path = tmp_path / "xa.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:8:" in out and "error[invalid-value]" in out and "một dòng" in out
    assert out.count("xa-huong") == 1  # the id said once, not again as "(nhận được …)"
    assert main(["score", "hue-2263-commune", str(path), "--format", "csv"]) == 1
    assert "failed" in capsys.readouterr().out


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(min_size=1, max_size=20))
def test_an_id_is_refused_exactly_when_it_holds_a_control_character(unit_id: str) -> None:
    import unicodedata

    odd = any(unicodedata.category(c) == "Cc" for c in unit_id)
    assert (several_lines(unit_id) is not None) == odd
    document = {"kind": "inputs", "definition": "x", "unit": {"id": unit_id}, "year": 2024, "values": {}}
    if odd:
        with pytest.raises(ValueError, match="control character"):
            InputsFile.model_validate(document)
    else:
        assert InputsFile.model_validate(document).unit.id == unit_id


def test_the_refusal_is_in_both_languages() -> None:
    said = several_lines("a\nb")
    assert said is not None
    assert "một dòng" in render(said, "vi") and "one line" in render(said, "en")


@pytest.mark.parametrize(
    ("raw", "said"),
    [(True, "true"), (False, "false"), (float("nan"), "nan"), (float("-inf"), "-inf")],
)
def test_a_number_input_says_what_it_got_as_the_file_writes_it(raw: object, said: str) -> None:
    """NaN was refused as "got Decimal('NaN')": Python's words. A yes/no is named as one."""
    from decimal import Decimal

    from cds_index.read.literals import read_number

    for value in (raw, Decimal(str(raw))) if isinstance(raw, float) else (raw,):
        _, code, message = read_number(value)
        assert code == "input-type"
        shown = render(message, "vi")
        assert "Decimal(" not in shown
        assert said.lower() in shown.lower()
        if isinstance(raw, bool):
            assert "có/không" in shown or "yes/no" in shown


def test_a_forms_input_name_is_compared_as_a_csv_header_is(tmp_path: Path) -> None:
    """`Population` in a form's name column was refused as no input of the definition, while the
    same header in a CSV was read as `population`: one comparison for both now. Two rows that name
    one input (`households`, `HOUSEHOLDS`) are still said twice, by row."""
    import openpyxl

    import cds_index
    from cds_index.io import excel
    from cds_index.io.batch import read_units

    hue = cds_index.load("hue-2263-commune")
    path = tmp_path / "form.xlsx"
    excel.write_template(hue, path, year=2024)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    sheet["B4"] = "xa-1"
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    sheet.cell(rows["population"], 1, "Population")
    sheet.cell(rows["population"], 5, 5000)
    sheet.cell(rows["villages"], 1, "VILLAGES ")
    sheet.cell(rows["villages"], 5, 7)
    sheet.cell(rows["households"], 5, 1000)
    sheet.cell(rows["workstations"], 1, "HOUSEHOLDS")
    sheet.cell(rows["workstations"], 5, 9)
    book.save(path)
    (unit,) = read_units(hue, [path])
    assert unit.values["population"].value == 5000 and unit.values["villages"].value == 7
    assert unit.values["households"].value == 1000
    assert [p.code for p in unit.problems] == ["input-unknown"]
    said = render(unit.problems[0].message, "en")
    assert f"A{rows['workstations']}" in said and "'households' appears twice" in said


def test_an_edit_whose_time_is_put_back_is_read_again(tmp_path: Path) -> None:
    """`touch -r` (or `cp -p`) after an edit of the same size put back the file's modification time,
    and the cache served the text it replaced: the old points, without a word."""
    import os
    import time

    from cds_index.read import registry

    source = Path(registry.bundled_dir()) / "hue-2263-commune.yaml"
    path = tmp_path / "hue-2263-commune.yaml"
    text = source.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    old = time.time_ns() - 10 * registry.SETTLED_NS  # long settled: no digest of the bytes
    os.utime(path, ns=(old, old))
    time.sleep(0.01)
    first = registry.load_file(path)
    title = first.title
    at = next(i for i, c in enumerate(title) if c.isascii() and c.isalpha())  # one byte for one
    swapped = title[:at] + ("X" if title[at] != "X" else "Y") + title[at + 1 :]
    edited = text.replace(title, swapped, 1)
    assert len(edited.encode()) == len(text.encode()) and edited != text
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(old, old))  # touch -r: the time it had
    assert registry.load_file(path).title != title


def test_a_scenarios_misspelt_key_says_what_it_meant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change's `set: {targt: 0.8}` was `invalid-value` with no hint; a definition's own misspelt
    key is `unknown-key` with "did you mean": one reading of pydantic's errors for both."""
    source = EXAMPLE.parent / "scenarios" / "hai-duong-707-district-online-services.yaml"
    path = tmp_path / "scenario.yaml"
    path.write_text(
        source.read_text(encoding="utf-8").replace("{target: 0.8}", "{targt: 0.8}"), encoding="utf-8"
    )
    assert main(["check", str(path), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "error[unknown-key]" in out and "'target'" in out


def test_a_year_with_decimals_is_said_not_whole_not_no_number() -> None:
    """`"year": 2024.0` was refused as "expected a number, got 2024.0", which is a number."""
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    with TestClient(create_app()) as client:
        answer = client.post(
            "/definitions/hue-2263-commune/score",
            json={"year": 2024.5, "values": {}},
            headers={"accept-language": "en"},
        )
    assert answer.status_code == 422
    (problem,) = answer.json()["problems"]
    assert problem["code"] == "wrong-type" and "whole number, got 2024.5" in problem["message"]


@pytest.mark.parametrize(
    ("points", "said"), [(1, "1 point"), ("1", "1 point"), (2, "2 points"), ("0.5", "0.5 points")]
)
def test_english_says_one_point_not_one_points(points: object, said: str) -> None:
    from decimal import Decimal

    from cds_index.i18n import T

    value = Decimal(points) if isinstance(points, str) else points
    message = T(
        "{id} states {points} points but its children add up to {total}", id="I.1", points=value, total=3
    )
    assert f"states {said} but" in render(message, "en") and f"states {said} but" in str(message)
    assert "điểm" in render(message, "vi")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"unit": {"id": "xa-1\nb"}, "values": {}}, ["body", "unit", "id"]),
        ({"unit": {"id": "xa-1"}, "values": {}, "peers": {"xa\t2": {}}}, ["body", "peers", "xa\t2", "[key]"]),
    ],
)
def test_the_api_refuses_a_unit_id_on_two_lines_as_an_inputs_file_does(body: dict, where: list) -> None:
    """`{"unit": {"id": "a\\nb"}}` was a 200 whose result carried the id with its line break, while
    the same id in an inputs file was refused: the API takes a unit id the way every file kind does."""
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    with TestClient(create_app()) as client:
        answer = client.post("/definitions/hue-2263-commune/score", json=body)
        fine = client.post("/definitions/hue-2263-commune/score", json={"unit": {"id": "xa-1 b"}})
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["problems"]
    assert problem["path"] == where and "một dòng" in problem["message"]
    assert fine.status_code == 200 and fine.json()["unit"]["id"] == "xa-1 b"
