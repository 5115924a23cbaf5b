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
