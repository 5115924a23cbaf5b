"""The session-6 outsider's corpus: files the team had not seen, each case failing before its fix
(``# was:`` says what happened then)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import cds_index
from cds_index.formats.model import Definition, InputDef
from cds_index.i18n import render
from cds_index.io.batch import UnitFailure, read_units, score_many
from cds_index.read.inputs import coerce

D = "hai-duong-707-district"
HEADER = "Mã đơn vị,Tên đơn vị,staff_total,budget_total\n"
COUNT = InputDef(label="Số cán bộ", type="integer", unit="person")


@pytest.fixture(scope="module")
def district() -> Definition:
    return cds_index.load(D)


def _units(definition: Definition, path: Path) -> list[object]:
    return list(read_units(definition, [path]))


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be"])
def test_a_utf32_csv_is_read(district: Definition, tmp_path: Path, encoding: str) -> None:
    # was: its BOM taken for UTF-16's, the header read as NULs and refused as having no id column
    path = tmp_path / "units.csv"
    path.write_bytes(("\ufeff" + HEADER + "h1,Xã A,5,1\n").encode(encoding))
    (unit,) = _units(district, path)
    assert not isinstance(unit, UnitFailure)
    assert (unit.unit_id, unit.unit_name, unit.values["staff_total"].value) == ("h1", "Xã A", Decimal(5))


def test_utf16_lines_are_numbered_and_a_bad_one_refused(district: Definition, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    text = "\ufeff" + HEADER + "h1,A,5,1\r\nh2,B,6,1\rh3,C,7,1\r\n"
    path.write_bytes(text.encode("utf-16-le") + "h4,D,8,1\n".encode("utf-16-le")[:2] + b"\x00\xd8\n\x00")
    units = _units(district, path)
    assert [getattr(u, "unit_id", None) for u in units[:3]] == ["h1", "h2", "h3"]
    assert isinstance(units[3], UnitFailure) and units[3].problems[0].code == "file-encoding"


@pytest.mark.parametrize(
    "titles",
    [
        pytest.param("BÁO CÁO SỐ LIỆU CHUYỂN ĐỔI SỐ NĂM 2024\n\n", id="title-and-blank"),
        pytest.param("BÁO CÁO,,,\nĐơn vị:,Huyện A,,\n", id="titles-as-excel-saves-them"),
    ],
)
def test_title_rows_above_the_header(district: Definition, tmp_path: Path, titles: str) -> None:
    # was: the whole file refused (table-header), though the workbook reader skips such titles
    path = tmp_path / "units.csv"
    path.write_text(titles + HEADER + "h1,Xã A,5,1\n", encoding="utf-8")
    (unit,) = _units(district, path)
    assert not isinstance(unit, UnitFailure)
    assert unit.unit_id == "h1" and unit.problems == []


def test_a_row_of_values_above_a_header_is_never_skipped(district: Definition, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("h0,A,5,1\n" + HEADER + "h1,Xã A,5,1\n", encoding="utf-8")
    (failure,) = _units(district, path)
    assert isinstance(failure, UnitFailure) and failure.problems[0].code == "table-header"


def test_a_second_id_column_is_no_name(district: Definition, tmp_path: Path) -> None:
    # was: `id,Mã đơn vị,…`: the second id column's codes became the units' names, without a word
    path = tmp_path / "units.csv"
    path.write_text("id,Mã đơn vị,staff_total\nh1,h2,5\n", encoding="utf-8")
    (unit,) = _units(district, path)
    assert not isinstance(unit, UnitFailure)
    assert unit.unit_name is None
    (problem,) = unit.problems
    assert (problem.code, problem.location.column) == ("input-unknown", 2)
    assert "second unit id column" in render(problem.message, "en")
    assert "cột mã đơn vị thứ hai" in render(problem.message, "vi")


@pytest.mark.parametrize("again", ["h\u200b1", "\u202eh1", "h1\u2066", "h\u00ad1"])
def test_an_invisible_character_inside_an_id_is_no_other_unit(
    district: Definition, tmp_path: Path, again: str
) -> None:
    # was: `h\u200b1` (shown as h1) scored as a second unit beside h1
    path = tmp_path / "units.csv"
    path.write_text(f"{HEADER}h1,A,5,1\n{again},A,6,1\n", encoding="utf-8")
    rows = list(score_many(district, [path]))
    assert [(row.unit_id, row.ok) for row in rows] == [("h1", True), ("h1", False)]


@pytest.mark.parametrize(("raw", "text"), [("1e3", "1000"), ("2E+2", "200")])
def test_a_scientific_count_is_its_plain_number(raw: str, text: str) -> None:
    # was: Decimal('1E+3'), shown as 1E+3 in results
    value, code, _ = coerce(raw, COUNT)
    assert code is None and str(value) == text


def test_a_spreadsheet_number_is_shown_as_written(district: Definition, tmp_path: Path) -> None:
    # was: "expected a whole number, got Decimal('9.5')" in an official's message
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["Mã đơn vị", "Tên đơn vị", "staff_total"])
    book.active.append(["h1", "A", 9.5])
    path = tmp_path / "units.xlsx"
    book.save(path)
    (unit,) = _units(district, path)
    assert not isinstance(unit, UnitFailure)
    message = render(unit.problems[0].message, "en")
    assert "9.5" in message and "Decimal(" not in message
