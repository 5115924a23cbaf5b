"""The session-8 hostile reader's corpus: input files that gave a silent wrong result, a traceback or an
echo, each case failing before its fix (``# was:`` says what happened then)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")

import cds_index  # noqa: E402
from cds_index.formats.model import Definition  # noqa: E402
from cds_index.i18n import render  # noqa: E402
from cds_index.io.batch import UnitFailure, read_units  # noqa: E402
from cds_index.io.excel import COL_NAME, write_template  # noqa: E402
from cds_index.read.inputs import UnitInputs  # noqa: E402

D = "hai-duong-707-district"
HEADER = ["Mã đơn vị", "Tên đơn vị", "staff_total", "budget_total"]


@pytest.fixture(scope="module")
def district() -> Definition:
    return cds_index.load(D)


def _units(definition: Definition, path: Path) -> list[UnitInputs | UnitFailure]:
    return list(read_units(definition, [path]))


def _codes(unit: UnitInputs | UnitFailure) -> list[str]:
    return [p.code for p in unit.problems]


def _table(path: Path, rows: list[list[Any]], merges: list[str], title: bool = True) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    if title:
        ws.append(["BÁO CÁO SỐ LIỆU CHUYỂN ĐỔI SỐ"])
        ws.merge_cells("A1:D1")  # a title over the table: cosmetic, read as before
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    book.save(path)
    return path


# --- 1. merged cells over values ---------------------------------------------------------------


def test_a_title_merged_over_the_table_is_cosmetic(district: Definition, tmp_path: Path) -> None:
    path = _table(tmp_path / "t.xlsx", [["h1", "A", 5, 1], ["h2", "B", 6, 2]], [])
    units = _units(district, path)
    assert [(u.unit_id, _codes(u)) for u in units] == [("h1", []), ("h2", [])]


def test_a_value_merged_over_two_units_rows_is_refused_for_both(district: Definition, tmp_path: Path) -> None:
    # was: h1 scored with 5 staff and h2 silently "not reported" (0 points), though both show 5
    path = _table(tmp_path / "t.xlsx", [["h1", "A", 5, 1], ["h2", "B", None, 1]], ["C3:C4"])
    h1, h2 = _units(district, path)
    assert _codes(h1) == _codes(h2) == ["merged-cells"]
    problem = h2.problems[0]
    assert problem.location.line == 4 and problem.location.column == 3
    assert problem.message.startswith("Sheet!C4: the cells C3:C4 are merged (columns staff_total, rows 3–4)")
    vi = render(problem.message, "vi")
    assert vi.startswith("Sheet!C4: các ô C3:C4 đã gộp") and "bỏ gộp" in vi


def test_a_value_merged_over_two_inputs_is_refused(district: Definition, tmp_path: Path) -> None:
    # was: staff_total 7 and budget_total silently "not reported"
    path = _table(tmp_path / "t.xlsx", [["h1", "A", 5, 1], ["h3", "C", 7, None]], ["C4:D4"])
    h1, h3 = _units(district, path)
    assert _codes(h1) == [] and _codes(h3) == ["merged-cells"]
    assert "staff_total, budget_total" in h3.problems[0].message


def test_an_empty_merge_and_one_over_unheaded_columns_read(district: Definition, tmp_path: Path) -> None:
    # nothing written in C3:D3: both honestly not reported; D4:F4 spills over columns nobody reads
    rows = [["h1", "A", None, None], ["h2", "B", 5, 9]]
    path = _table(tmp_path / "t.xlsx", rows, ["C3:D3", "D4:F4"])
    h1, h2 = _units(district, path)
    assert _codes(h1) == _codes(h2) == []
    assert h2.values["budget_total"].value == Decimal(9)


def test_a_value_hidden_under_a_merge_is_refused(district: Definition, tmp_path: Path) -> None:
    # a writer other than Excel may leave a value in a merged cell the person cannot see
    path = _table(tmp_path / "t.xlsx", [["h1", "A", None, 1], ["h2", "B", 6, 1]], [], title=False)
    _rewrite(path, '<mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells>')
    h1, h2 = _units(district, path)
    assert _codes(h1) == [] and _codes(h2) == ["merged-cells"]


def _rewrite(path: Path, merges: str) -> str:
    """The sheet of ``path`` with ``merges`` put after its rows, as Excel writes them."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = "xl/worksheets/sheet1.xml"
    text = parts[name].decode()
    text = text.replace("</sheetData>", "</sheetData>" + merges, 1)
    parts[name] = text.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return text


def _form(definition: Definition, path: Path) -> tuple[Any, Any, int, dict[str, int]]:
    write_template(definition, path)
    book = openpyxl.load_workbook(path)
    ws = book.active
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == COL_NAME)
    rows = {c.value: c.row for c in ws["A"] if isinstance(c.value, str) and c.value in definition.inputs}
    ws["B4"], ws["B5"] = "h1", "Huyện A"
    return book, ws, header, rows


def test_the_form_with_its_merged_section_titles_reads_and_a_merge_over_two_inputs_is_refused(
    district: Definition, tmp_path: Path
) -> None:
    path = tmp_path / "form.xlsx"
    book, ws, _, rows = _form(district, path)
    assert ws.merged_cells.ranges  # the template's own section titles are merged A:I
    first, second = sorted(rows, key=rows.get)[:2]
    ws.cell(rows[first], 5, 12)
    ws.cell(rows[second], 5, 12)
    book.save(path)
    (unit,) = _units(district, path)
    assert _codes(unit) == [] and unit.values[first].value == Decimal(12)
    # was: E of the second input silently empty under a merge E:E over both rows
    ws.cell(rows[second], 5).value = None
    ws.merge_cells(start_row=rows[first], start_column=5, end_row=rows[second], end_column=5)
    book.save(path)
    (unit,) = _units(district, path)
    assert isinstance(unit, UnitInputs) and _codes(unit) == ["merged-cells", "merged-cells"]
    assert unit.problems[1].location.line == rows[second]


def test_the_form_refuses_self_and_appraised_merged(district: Definition, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    book, ws, _, rows = _form(district, path)
    name = min(rows, key=rows.get)
    ws.cell(rows[name], 5, 12)
    ws.merge_cells(start_row=rows[name], start_column=5, end_row=rows[name], end_column=6)
    book.save(path)
    (unit,) = _units(district, path)
    assert _codes(unit) == ["merged-cells"]
    assert "Số liệu tự đánh giá, Số liệu Hội đồng thẩm định" in unit.problems[0].message


def test_the_yearly_form_refuses_a_value_merged_over_two_years(tmp_path: Path) -> None:
    from cds_index.read.units_io import read_unit_years

    definition = cds_index.load("thanh-hoa-1829-commune")
    path = tmp_path / "chi-tieu.xlsx"
    write_template(definition, path)
    book = openpyxl.load_workbook(path)
    ws = book.active
    rows = {c.value: c.row for c in ws["A"] if isinstance(c.value, str) and c.value in definition.inputs}
    ws["B4"] = "xa-b"
    name = next(n for n, s in definition.inputs.items() if s.unit == "percent")
    ws.cell(rows[name], 5, 50)  # Năm 2022, merged over Năm 2023
    ws.merge_cells(start_row=rows[name], start_column=5, end_row=rows[name], end_column=6)
    book.save(path)
    units, problems = read_unit_years(definition, path)
    assert problems == []
    # was: 2022 had 3 and 2023 silently none
    assert _codes(units[2022]) == _codes(units[2023]) == ["merged-cells"]
    assert _codes(units[2024]) == []


def test_too_many_merges_refuse_the_sheet(district: Definition, tmp_path: Path) -> None:
    from cds_index.io.merged import MAX_MERGES

    path = _table(tmp_path / "t.xlsx", [["h1", "A", 5, 1]], [], title=False)
    merges = "".join(f'<mergeCell ref="F{r}:G{r}"/>' for r in range(1, MAX_MERGES + 2))
    _rewrite(path, f'<mergeCells count="{MAX_MERGES + 1}">{merges}</mergeCells>')
    units = _units(district, path)
    assert [c for u in units for c in _codes(u)] == ["merged-cells"]


# --- 2. dates in absurd years ------------------------------------------------------------------

HUE = "hue-2263-commune"


@pytest.fixture(scope="module")
def commune() -> Definition:
    return cds_index.load(HUE)


@pytest.mark.parametrize(
    "text", ["20/06/0024", "31/12/9999", "0024-06-20", "ngày 20 tháng 6 năm 0024", "30/12/1899"]
)
def test_a_date_in_an_absurd_year_is_refused_where_it_is(
    commune: Definition, tmp_path: Path, text: str
) -> None:
    # was: read as the day of year 24 (or 9999) and scored as a meeting outside the quarter, silently
    path = tmp_path / "units.csv"
    path.write_text(f"Mã đơn vị,Tên đơn vị,q1_meeting_date\nx1,Xã A,{text}\n", encoding="utf-8")
    (unit,) = _units(commune, path)
    assert _codes(unit) == ["input-range"]
    problem = unit.problems[0]
    assert (problem.location.line, problem.location.column) == (2, 3)
    assert "outside 1900–2100" in problem.message and "dd/mm/yyyy" in problem.message
    assert "ngoài khoảng 1900–2100" in render(problem.message, "vi")


@pytest.mark.parametrize("text", ["01/01/1900", "31/12/2100", "2024-06-20", "20/06/2024"])
def test_dates_in_the_sane_years_are_read(commune: Definition, tmp_path: Path, text: str) -> None:
    path = tmp_path / "units.csv"
    path.write_text(f"Mã đơn vị,Tên đơn vị,q1_meeting_date\nx1,Xã A,{text}\n", encoding="utf-8")
    (unit,) = _units(commune, path)
    assert _codes(unit) == [] and unit.values["q1_meeting_date"].value.year in {1900, 2100, 2024}


def test_date_cells_and_excel_serials_in_absurd_years_are_refused(
    commune: Definition, tmp_path: Path
) -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Mã đơn vị", "Tên đơn vị", "q1_meeting_date"])
    ws.append(["x1", "A", dt.datetime(9999, 12, 31)])  # a date cell
    ws.append(["x2", "B", 0])  # serial 0 in a date format: "00/01/1900", an empty formula's date
    ws["C3"].number_format = "dd/mm/yyyy"
    ws.append(["x3", "C", 45463])  # 20/06/2024
    ws["C4"].number_format = "dd/mm/yyyy"
    path = tmp_path / "dates.xlsx"
    book.save(path)
    x1, x2, x3 = _units(commune, path)
    assert _codes(x1) == ["input-range"] and _codes(x2) == ["input-type"]
    assert x1.problems[0].message.startswith("Sheet!C2: ") and "9999" in x1.problems[0].message
    # was: "expected a date, got datetime.time(0, 0)", Python's words
    assert x2.problems[0].message.startswith("Sheet!C3: ") and "00/01/1900" in x2.problems[0].message
    assert "datetime" not in x2.problems[0].message
    assert _codes(x3) == [] and x3.values["q1_meeting_date"].value == dt.date(2024, 6, 20)


def test_a_value_dated_in_an_absurd_year_in_yaml_and_json(commune: Definition, tmp_path: Path) -> None:
    from cds_index.read.inputs import parse_values

    _, problems = parse_values({"q1_meeting_held": {"value": "Có", "date": "9999-12-31"}}, commune.inputs)
    assert [p.code for p in problems] == ["input-range"]
    path = tmp_path / "x.yaml"
    path.write_text(
        f"kind: inputs\ndefinition: {HUE}\nunit: {{id: x1, name: Xã A}}\nyear: 2024\n"
        "values:\n  q1_meeting_date: 0024-06-20\n",
        encoding="utf-8",
    )
    (unit,) = _units(commune, path)
    assert _codes(unit) == ["input-range"]


# --- 3. the HTTP API's 422 for text that is not Unicode ---------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        rb'{"unit": {"id": "\ud800x"}, "values": {}}',
        rb'{"unit": {"id": "ab", "name": "\udfff"}, "values": {}}',
        rb'{"values": {"\ud800": 1}}',
    ],
)
def test_a_lone_surrogate_is_refused_without_echo(body: bytes) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    with TestClient(create_app()) as client:
        response = client.post(
            f"/definitions/{D}/score", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    # was: "Input should be a valid string, unable to parse … (got '\ud800x') (got '\ud800x')"
    assert problem["code"] == "invalid-value"
    assert "got" not in problem["message"] and "nhận được" not in problem["message"]
    assert "Input should" not in problem["message"] and "Unicode" in problem["message"]
    assert "\\ud800x" not in problem["message"] and "\ufffd" not in response.text
    assert response.content.isascii() or "\ufffd" not in response.content.decode("utf-8")
