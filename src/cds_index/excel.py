"""Excel: the self-assessment form a unit fills in, reading forms and one-row-per-unit sheets, results.

openpyxl is an optional extra (``pip install cds-index[excel]``); it is imported inside the
functions, so ``import cds_index`` never needs it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from .batch import (
    BatchRow,
    Cell,
    UnitFailure,
    _key,
    column_letter,
    describe,
    is_blank,
    place,
    table_layout,
    table_unit,
)
from .errors import Location, Problem, UsageError
from .inputs import NOT_APPLICABLE_WORDS, UnitInputs, parse_values
from .model import Definition
from .numbers import Lang

TEMPLATE_SHEET = "Tự đánh giá"

# The form's columns, by header. Reading finds them by these headers, so a column moved by hand
# is still read; the input is found by its name (column A), or by its label when A is empty.
COL_NAME = "Mã số liệu"
COL_LABEL = "Nội dung"
COL_UNIT = "Đơn vị tính"
COL_RULE = "Yêu cầu"
COL_SELF = "Số liệu tự đánh giá"
COL_APPRAISED = "Số liệu Hội đồng thẩm định"
COL_DATE = "Ngày thực hiện"
COL_EVIDENCE = "Tài liệu kiểm chứng"
COL_USERS = "Tiêu chí sử dụng"
TEMPLATE_COLUMNS = [
    COL_NAME,
    COL_LABEL,
    COL_UNIT,
    COL_RULE,
    COL_SELF,
    COL_APPRAISED,
    COL_DATE,
    COL_EVIDENCE,
    COL_USERS,
]
WIDTHS = [24, 60, 12, 22, 16, 16, 14, 30, 22]

# The facts above the table: label in column A, value in column B.
FACT_DEFINITION = "Bộ chỉ số"
FACT_UNIT_ID = "Mã đơn vị"
FACT_UNIT_NAME = "Tên đơn vị"
FACT_YEAR = "Năm đánh giá"

UNIT_WORDS = {
    "1": "",
    "percent": "%",
    "person": "người",
    "household": "hộ",
    "item": "mục",
    "document": "văn bản",
    "meeting": "cuộc họp",
    "procedure": "thủ tục",
    "service": "dịch vụ",
    "dossier": "hồ sơ",
    "computer": "máy tính",
    "organization": "cơ quan, đơn vị",
    "village": "thôn, xóm",
    "system": "hệ thống",
    "database": "CSDL",
    "account": "tài khoản",
    "business": "doanh nghiệp",
    "VND": "đồng",
}
YES_NO = ["Có", "Không"]
ROLE_CHOICES = ["Người đứng đầu", "Cấp phó", "Không"]


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise UsageError(Problem("usage", "Excel needs openpyxl: pip install 'cds-index[excel]'")) from None
    return openpyxl


def _requirement(definition: Definition, name: str) -> str:
    spec = definition.inputs[name]
    if spec.type == "boolean":
        return "Có / Không"
    if spec.type == "role":
        return " / ".join(ROLE_CHOICES)
    if spec.type == "choice":
        return " / ".join(spec.choices or [])
    if spec.type == "date":
        return "ngày (dd/mm/yyyy)"
    parts = ["số nguyên" if spec.type == "integer" else "số"]
    if spec.min is not None:
        parts.append(f"≥ {spec.min}")
    if spec.max is not None:
        parts.append(f"≤ {spec.max}")
    return " ".join(parts)


def _sections(definition: Definition) -> list[tuple[str, list[str]]]:
    """The form's sections: general facts first, then each pillar's inputs in tree order, then the rest."""
    from .template import users_of_inputs

    users = users_of_inputs(definition)
    pillar_of = {node.id: (parents[0].id if parents else node.id) for parents, node in definition.walk()}
    order = {node.id: i for i, (_, node) in enumerate(definition.walk())}
    general = [n for n, s in definition.inputs.items() if s.general]
    by_pillar: dict[str, list[tuple[int, str]]] = {p.id: [] for p in definition.tree}
    rest: list[str] = []
    for name, spec in definition.inputs.items():
        if spec.general:
            continue
        used = users.get(name, [])
        if used:
            first = min(used, key=lambda i: order.get(i, 0))
            by_pillar[pillar_of[first]].append((order[first], name))
        else:
            rest.append(name)
    sections = [("THÔNG TIN CHUNG", general)] if general else []
    for pillar in definition.tree:
        names = [n for _, n in sorted(by_pillar[pillar.id])]
        if names:
            sections.append((f"{pillar.id}. {pillar.title}".upper(), names))
    if rest:
        sections.append(("SỐ LIỆU KHÁC", rest))
    return sections


def write_template(definition: Definition, path: str | Path, *, year: int | None = None) -> None:
    """Write the self-assessment form of ``definition``: one sheet, one row per input.

    General facts (Thông tin chung) come first, then each pillar's inputs. Yes/no, role and choice
    cells offer a drop-down list; number cells check the type and range (a warning, so ``n/a``
    can still be written). Fill the unit's id, name and year at the top and column E (and F for
    the appraisal council's figures, G for dates); ``cds-index score DEF form.xlsx`` reads it back.
    """
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    from .template import users_of_inputs

    if definition.scoring != "points":
        raise UsageError(
            Problem("usage", f"{definition.id} has yearly targets: its form is the YAML template")
        )
    users = users_of_inputs(definition)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = TEMPLATE_SHEET
    bold = Font(bold=True)
    fill_input = PatternFill("solid", fgColor="FFF7D6")
    fill_head = PatternFill("solid", fgColor="DDE7F3")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    ws["A1"] = f"PHIẾU TỰ ĐÁNH GIÁ — {definition.title}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = (
        f"{definition.issuer}, Quyết định số {definition.decision.number} ngày "
        f"{definition.decision.date:%d/%m/%Y}"
        + (f", {definition.decision.appendix}" if definition.decision.appendix else "")
    )
    facts = [
        (FACT_DEFINITION, definition.id),
        (FACT_UNIT_ID, None),
        (FACT_UNIT_NAME, None),
        (FACT_YEAR, year or dt.date.today().year),
    ]
    for offset, (label, value) in enumerate(facts):
        row = 3 + offset
        ws.cell(row, 1, label).font = bold
        cell = ws.cell(row, 2, value)
        if label != FACT_DEFINITION:
            cell.fill = fill_input
            cell.border = border
    ws["A7"] = (
        "Điền số liệu vào cột E (và cột F khi có số liệu của Hội đồng thẩm định). "
        "Để trống = không báo cáo số liệu (0 điểm); ghi n/a = không áp dụng. Không sửa cột A."
    )
    ws["A7"].font = Font(italic=True)
    header_row = 9
    for col, title in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(header_row, col, title)
        cell.font = bold
        cell.fill = fill_head
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[column_letter(col)].width = WIDTHS[col - 1]
    ws.freeze_panes = f"A{header_row + 1}"

    validations: dict[str, Any] = {}

    def validation(key: str, **kwargs: Any) -> Any:
        if key not in validations:
            dv = DataValidation(
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="Giá trị không hợp lệ",
                **kwargs,
            )
            ws.add_data_validation(dv)
            validations[key] = dv
        return validations[key]

    def listed(options: Sequence[str]) -> str:
        return '"' + ",".join(o.replace('"', "'") for o in options) + '"'

    row = header_row + 1
    value_cols = (TEMPLATE_COLUMNS.index(COL_SELF) + 1, TEMPLATE_COLUMNS.index(COL_APPRAISED) + 1)
    date_col = TEMPLATE_COLUMNS.index(COL_DATE) + 1
    for number, (title, names) in enumerate(_sections(definition), start=1):
        cell = ws.cell(row, 1, f"{_roman(number)}. {title}")
        cell.font = bold
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(TEMPLATE_COLUMNS))
        row += 1
        for name in names:
            spec = definition.inputs[name]
            cells = [
                name,
                spec.label,
                UNIT_WORDS.get(spec.unit, spec.unit),
                _requirement(definition, name),
                None,
                None,
                None,
                None,
                ", ".join(users.get(name, [])),
            ]
            for col, value in enumerate(cells, start=1):
                c = ws.cell(row, col, value)
                c.border = border
                c.alignment = wrap
                if col in value_cols or col in (date_col, len(cells) - 1):
                    c.fill = fill_input
            if spec.type == "boolean":
                dv = validation(
                    "bool", type="list", formula1=listed(YES_NO), error="Chọn Có hoặc Không (hoặc n/a)"
                )
            elif spec.type == "role":
                dv = validation(
                    "role",
                    type="list",
                    formula1=listed(ROLE_CHOICES),
                    error="Chọn Người đứng đầu, Cấp phó hoặc Không",
                )
            elif spec.type == "choice":
                dv = validation(
                    f"choice:{name}",
                    type="list",
                    formula1=listed(spec.choices or []),
                    error="Chọn một giá trị trong danh sách",
                )
            elif spec.type in {"integer", "number"}:
                low = spec.min if spec.min is not None else None
                kind = "whole" if spec.type == "integer" else "decimal"
                if low is not None and spec.max is not None:
                    dv = validation(
                        f"{kind}:{low}:{spec.max}",
                        type=kind,
                        operator="between",
                        formula1=str(low),
                        formula2=str(spec.max),
                        error=f"Nhập số từ {low} đến {spec.max}",
                    )
                elif low is not None:
                    dv = validation(
                        f"{kind}:{low}:",
                        type=kind,
                        operator="greaterThanOrEqual",
                        formula1=str(low),
                        error=f"Nhập số ≥ {low}",
                    )
                else:
                    dv = None
            else:
                dv = validation("date", type="date", operator="greaterThan", formula1="1")
            if dv is not None:
                for col in value_cols:
                    dv.add(f"{column_letter(col)}{row}")
            validation("date", type="date", operator="greaterThan", formula1="1").add(
                f"{column_letter(date_col)}{row}"
            )
            ws.cell(row, date_col).number_format = "DD/MM/YYYY"
            row += 1
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    book.properties.title = f"Phiếu tự đánh giá {definition.id}"
    book.properties.subject = definition.id
    book.save(path)


def _roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out


# --- reading ----------------------------------------------------------------------------------


def read_workbook(
    definition: Definition, path: str | Path, *, year: int | None = None
) -> Iterator[UnitInputs | UnitFailure]:
    """Units from a workbook: every sheet is a filled form (one unit) or a table (one row per unit).

    The layout is found per sheet: a header cell ``Mã số liệu`` marks a form; otherwise the first
    non-empty row is the header of a table (unit id and name first, then one column per input, by
    name or Vietnamese label). Problems give the cell address (``Sheet1!B17``) and the input.
    """
    openpyxl = _openpyxl()
    path = Path(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zipfile, KeyError, InvalidFileException)
        yield UnitFailure(
            None,
            None,
            str(path),
            (Problem("file-not-found", f"cannot read the workbook {path}: {exc}", Location(str(path))),),
        )
        return
    try:
        for ws in book.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            yield from _read_sheet(definition, path, ws, year)
    finally:
        book.close()


def _read_sheet(
    definition: Definition, path: Path, ws: Any, year: int | None
) -> Iterator[UnitInputs | UnitFailure]:
    """A form if a row of its first 40 has the form's header (``Mã số liệu``), else a table."""
    sheet = ws.title
    file = str(path)
    rows = ws.iter_rows(min_row=1, min_col=1, values_only=True)
    head: list[tuple[int, tuple[Any, ...]]] = []  # the non-empty rows looked at so far
    for number, row in enumerate(rows, start=1):
        values = tuple(row)
        if any(not is_blank(v) for v in values):
            head.append((number, values))
        keys = [_key(v) for v in values if isinstance(v, str)]
        if _key(COL_NAME) in keys and _key(COL_SELF) in keys:
            yield _read_form(definition, file, sheet, head, values, number, rows, year)
            return
        if number >= _FORM_SCAN:
            break
    if not head:
        return  # an empty sheet
    numbered = itertools.chain(head[1:], enumerate(rows, start=number + 1))
    yield from _read_table(definition, file, sheet, head[0], numbered, year)


_FORM_SCAN = 40


def _ref(sheet: str) -> str:
    """A sheet as Excel writes it in an address: ``Sheet1``, or quoted, ``'Tự đánh giá'``."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def _read_table(
    definition: Definition,
    file: str,
    sheet: str,
    header: tuple[int, tuple[Any, ...]],
    rows: Iterator[tuple[int, Sequence[Any]]],
    year: int | None,
) -> Iterator[UnitInputs | UnitFailure]:
    """A one-row-per-unit sheet; ``rows`` are numbered (the sheet's row numbers)."""
    header_row, header_values = header
    layout = table_layout(definition, list(header_values))
    if not layout.inputs:
        yield UnitFailure(
            None,
            None,
            f"{file}!{sheet}",
            (
                Problem(
                    "kind-unknown",
                    f"{_ref(sheet)}!A{header_row}: neither a self-assessment form (no '{COL_NAME}' header) "
                    "nor a table whose header row names inputs",
                    Location(file, header_row, 1, (sheet,)),
                ),
            ),
        )
        return
    for number, row in rows:

        def where(col: int, number: int = number) -> Cell:
            return f"{_ref(sheet)}!{column_letter(col + 1)}{number}", number, col + 1

        unit = table_unit(
            definition,
            layout,
            list(row),
            file=file,
            where=where,
            source=f"{file}!{sheet}!{number}",
            year=year,
        )
        if unit is not None:
            yield unit


def _read_form(
    definition: Definition,
    file: str,
    sheet: str,
    head: list[tuple[int, tuple[Any, ...]]],
    header: tuple[Any, ...],
    header_row: int,
    rows: Iterator[Sequence[Any]],
    year: int | None,
) -> UnitInputs | UnitFailure:
    facts: dict[str, tuple[Any, int]] = {}
    for number, values in head:
        if values and isinstance(values[0], str) and len(values) > 1:
            facts[_key(values[0])] = (values[1], number)
    source = f"{file}!{sheet}"

    def fact(label: str) -> Any:
        return facts.get(_key(label), (None, 0))[0]

    declared = fact(FACT_DEFINITION)
    if not is_blank(declared) and str(declared).strip() not in {definition.id, definition._origin}:
        row = facts[_key(FACT_DEFINITION)][1]
        return UnitFailure(
            None,
            None,
            source,
            (
                Problem(
                    "input-definition",
                    f"{_ref(sheet)}!B{row}: this form is for {declared!r}, not {definition.id!r}",
                    Location(file, row, 2, (f"{_ref(sheet)}!B{row}", "definition")),
                ),
            ),
        )
    unit_id = fact(FACT_UNIT_ID)
    unit_name = fact(FACT_UNIT_NAME)
    unit_name = None if is_blank(unit_name) else str(unit_name).strip()
    if is_blank(unit_id):
        row = facts.get(_key(FACT_UNIT_ID), (None, 4))[1]
        return UnitFailure(
            None,
            unit_name,
            source,
            (
                Problem(
                    "missing-key",
                    f"{_ref(sheet)}!B{row}: the form has no unit id ({FACT_UNIT_ID})",
                    Location(file, row, 2, (f"{_ref(sheet)}!B{row}", "unit")),
                ),
            ),
        )
    unit_id = (
        str(int(unit_id)) if isinstance(unit_id, float) and unit_id.is_integer() else str(unit_id).strip()
    )
    problems: list[Problem] = []
    unit_year = year
    raw_year = fact(FACT_YEAR)
    if unit_year is None and not is_blank(raw_year):
        try:
            unit_year = int(Decimal(str(raw_year).strip()))
        except ArithmeticError:
            row = facts[_key(FACT_YEAR)][1]
            problems.append(
                Problem(
                    "input-type",
                    f"{_ref(sheet)}!B{row}: the year {raw_year!r} is not a year",
                    Location(file, row, 2, (f"{_ref(sheet)}!B{row}", "year")),
                )
            )

    keys = [_key(v) if isinstance(v, str) else "" for v in header]
    col = {title: keys.index(_key(title)) if _key(title) in keys else None for title in TEMPLATE_COLUMNS}
    by_label: dict[str, list[str]] = {}
    for input_name, spec in definition.inputs.items():
        by_label.setdefault(_key(spec.label), []).append(input_name)

    def get(values: Sequence[Any], title: str) -> Any:
        index = col[title]
        return values[index] if index is not None and index < len(values) else None

    raw: dict[str, Any] = {}
    cells: dict[str, tuple[int, int]] = {}  # input → (row, column of the value)
    for number, line in enumerate(rows, start=header_row + 1):
        cells_of_row = list(line)
        value, appraised = get(cells_of_row, COL_SELF), get(cells_of_row, COL_APPRAISED)
        date, evidence = get(cells_of_row, COL_DATE), get(cells_of_row, COL_EVIDENCE)
        name_cell = get(cells_of_row, COL_NAME)
        name: str | None = str(name_cell).strip() if not is_blank(name_cell) else None
        if name is None or name not in definition.inputs:
            labelled = by_label.get(_key(get(cells_of_row, COL_LABEL) or ""), [])
            if name is None and len(labelled) == 1:
                name = labelled[0]
        if all(is_blank(v) for v in (value, appraised, date)):
            continue  # a section title, or an input left empty: not reported
        self_col = (col[COL_SELF] or 0) + 1
        if name is None:
            address = f"{_ref(sheet)}!{column_letter(self_col)}{number}"
            problems.append(
                Problem(
                    "input-unknown",
                    f"{address}: a value in a row without an input name",
                    Location(file, number, self_col, (address, "?")),
                )
            )
            continue
        if name in raw:
            address = f"{_ref(sheet)}!{column_letter((col[COL_NAME] or 0) + 1)}{number}"
            problems.append(
                Problem(
                    "input-unknown",
                    f"{address}: {name!r} appears twice in the form (first in row {cells[name][0]})",
                    Location(file, number, 1, (address, name)),
                )
            )
            continue
        if is_blank(appraised) and is_blank(date) and is_blank(evidence):
            raw[name] = value.strip() if isinstance(value, str) else value
        else:
            entry: dict[str, Any] = {}
            if not is_blank(value):
                entry["self"] = value
            if not is_blank(appraised):
                entry["appraised"] = appraised
            if not is_blank(date):
                entry["date"] = date
            if not is_blank(evidence):
                entry["evidence"] = str(evidence)
            if isinstance(value, str) and _key(value) in NOT_APPLICABLE_WORDS:
                entry = {"not_applicable": True}
            raw[name] = entry
        cells[name] = (number, self_col)
    values_, found = parse_values(raw, definition.inputs)
    for problem in found:
        name = str(problem.location.path[-1]) if problem.location.path else ""
        if name not in cells:
            problems.append(problem)
            continue
        number, column = cells[name]
        # parse_values says which part was refused; point at that column
        appraised_col, date_col, name_col = col[COL_APPRAISED], col[COL_DATE], col[COL_NAME]
        if ", appraised:" in problem.message and appraised_col is not None:
            column = appraised_col + 1
        elif ": expected a date" in problem.message and date_col is not None:
            column = date_col + 1
        elif problem.code == "input-unknown" and name_col is not None:
            column = name_col + 1
        address = f"{_ref(sheet)}!{column_letter(column)}{number}"
        problems.append(place(problem, file, (address, number, column), name))
    return UnitInputs(unit_id, unit_name, unit_year, values_, problems, source)


# --- results ----------------------------------------------------------------------------------

RESULT_WORDS = {
    "vi": {
        "summary": "Tổng hợp",
        "rank": "Hạng",
        "id": "Mã đơn vị",
        "name": "Tên đơn vị",
        "total": "Tổng điểm",
        "max": "Điểm tối đa",
        "index": "Chỉ số (%)",
        "status": "Trạng thái",
        "problems": "Lỗi số liệu",
        "stt": "STT",
        "title": "Nội dung",
        "stated": "Điểm tối đa",
        "self": "Điểm tự đánh giá",
        "appraised": "Điểm Hội đồng thẩm định",
        "points": "Điểm đạt được",
        "explanation": "Giải thích",
        "ok": "hợp lệ",
        "invalid": "có số liệu không hợp lệ",
        "failed": "không đọc được",
        "ranked_by": "Xếp hạng theo",
        "of": "trên",
    },
    "en": {
        "summary": "Summary",
        "rank": "Rank",
        "id": "Unit id",
        "name": "Unit name",
        "total": "Total",
        "max": "Max",
        "index": "Index (%)",
        "status": "Status",
        "problems": "Problems",
        "stt": "No.",
        "title": "Criterion",
        "stated": "Max points",
        "self": "Self-assessed points",
        "appraised": "Appraised points",
        "points": "Points earned",
        "explanation": "Explanation",
        "ok": "ok",
        "invalid": "invalid data",
        "failed": "unreadable",
        "ranked_by": "Ranked by",
        "of": "of",
    },
}


def _sheet_name(unit_id: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", unit_id)[:31].strip("'") or "unit"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"~{n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


UNIT_SHEETS = 500
"""Most per-unit sheets a results workbook carries."""


def write_results(
    definition: Definition,
    rows: Iterable[BatchRow],
    path: str | Path,
    *,
    by: str | None = None,
    lang: Lang = "vi",
    unit_sheets: int = UNIT_SHEETS,
) -> tuple[int, int]:
    """A results workbook: a summary sheet (pillar subtotals, total, index, rank) and one sheet per unit.

    Only the first ``unit_sheets`` units in rank order get a sheet of their own (a workbook of ten
    thousand sheets opens for nobody); the summary says so, and every unit stays in the summary.

    Each unit's sheet has 707's three columns per criterion: Điểm tự đánh giá (the unit's own
    figures), Điểm Hội đồng thẩm định (where an appraisal exists) and Điểm đạt được. Units are
    ranked by ``by`` (default: the declared index where there is one, else the total); units with
    refused values are listed but not ranked. Returns ``(units, failed)``.
    """
    openpyxl = _openpyxl()
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    from .ranking import rank

    w = RESULT_WORDS[lang]
    all_rows = list(rows)
    good = [r for r in all_rows if r.ok and r.result is not None]
    by = by or ("index" if definition.index.method != "sum" else "total")
    ranks = {r.unit_id: r.rank for r in rank([row.result for row in good if row.result is not None], by)}
    fmt = "0." + "0" * definition.display.decimals if definition.display.decimals else "0"
    bold = Font(bold=True)

    book = openpyxl.Workbook(write_only=True)
    summary = book.create_sheet(w["summary"])

    def styled(ws: Any, value: Any, *, font: Any = None, number: bool = False, wrap: bool = False) -> Any:
        cell = WriteOnlyCell(ws, value=value)
        if font is not None:
            cell.font = font
        if number and isinstance(value, Decimal):
            cell.number_format = fmt
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    with_index = definition.index.method != "sum"
    for col, width in enumerate([8, 22, 34] + [14] * (len(definition.tree) + 2 + with_index) + [16, 60], 1):
        summary.column_dimensions[column_letter(col)].width = width
    summary.freeze_panes = "D3"
    from .ranking import key_title

    summary.append(
        [
            styled(
                summary,
                f"{definition.title} — {w['ranked_by']}: {key_title(definition, by, lang)}",
                font=Font(bold=True, size=12),
            )
        ]
    )
    head = [w["rank"], w["id"], w["name"]] + [f"{p.id} {p.title} ({p.points})" for p in definition.tree]
    head += [w["total"], w["max"]] + ([w["index"]] if with_index else []) + [w["status"], w["problems"]]
    summary.append([styled(summary, h, font=bold, wrap=True) for h in head])
    ordered = sorted(all_rows, key=lambda r: (r.unit_id not in ranks, ranks.get(r.unit_id, 0), r.unit_id))
    for row in ordered:
        result = row.result
        status = w["ok"] if row.ok else (w["failed"] if result is None else w["invalid"])
        cells: list[Any] = [ranks.get(row.unit_id), row.unit_id, row.unit_name]
        if result is not None:
            cells += [p.points for p in result.pillars] + [result.points, result.max]
            cells += [result.index] if with_index else []
        else:
            cells += [None] * (len(definition.tree) + 2 + with_index)
        cells += [status, "\n".join(describe(p) for p in row.problems if p.severity == "error") or None]
        summary.append([styled(summary, c, number=True) for c in cells])

    detailed = [row for row in ordered if row.result is not None]
    if len(detailed) > unit_sheets:
        note = (
            f"Chỉ {unit_sheets} đơn vị đầu có trang chi tiết; xuất --format csv hoặc json để có toàn bộ."
            if lang == "vi"
            else f"Only the first {unit_sheets} units have a sheet of their own; use --format csv or json "
            "for every criterion of every unit."
        )
        summary.append([])
        summary.append([styled(summary, note, font=bold)])
        detailed = detailed[:unit_sheets]
    taken = {w["summary"].lower()}
    total_ranked = len(ranks)
    for row in detailed:
        result = row.result
        assert result is not None
        ws = book.create_sheet(_sheet_name(row.unit_id, taken))
        for col, width in enumerate([12, 70, 12, 14, 14, 14, 70], 1):
            ws.column_dimensions[column_letter(col)].width = width
        ws.freeze_panes = "C4"
        ws.append(
            [
                styled(
                    ws, f"{row.unit_name or row.unit_id} — {definition.title}", font=Font(bold=True, size=12)
                )
            ]
        )
        place_text = (
            f"{w['rank']}: {ranks[row.unit_id]}/{total_ranked} ({key_title(definition, by, lang)})"
            if row.unit_id in ranks
            else f"{w['rank']}: — ({w['invalid']})"
        )
        ws.append([styled(ws, f"{w['id']}: {row.unit_id}"), styled(ws, place_text)])
        ws.append(
            [
                styled(ws, h, font=bold, wrap=True)
                for h in (
                    w["stt"],
                    w["title"],
                    w["stated"],
                    w["self"],
                    w["appraised"],
                    w["points"],
                    w["explanation"],
                )
            ]
        )
        for node in result.walk():
            font = bold if not node.is_criterion else None
            self_points = node.self_points if node.self_points is not None else node.points
            appraised = node.points if node.self_points is not None else None
            ws.append(
                [
                    styled(ws, node.id, font=font),
                    styled(ws, node.title, font=font, wrap=True),
                    styled(ws, node.max, number=True, font=font),
                    styled(ws, self_points, number=True, font=font),
                    styled(ws, appraised, number=True, font=font),
                    styled(ws, node.points, number=True, font=font),
                    styled(ws, node.explanation if node.is_criterion else None, wrap=True),
                ]
            )
        ws.append(
            [
                None,
                styled(ws, w["total"], font=bold),
                styled(ws, result.max, number=True, font=bold),
                None,
                None,
                styled(ws, result.points, number=True, font=bold),
            ]
        )
        if with_index:
            ws.append(
                [
                    None,
                    styled(ws, w["index"], font=bold),
                    None,
                    None,
                    None,
                    styled(ws, result.index, number=True, font=bold),
                ]
            )
        ws.append(
            [
                None,
                styled(ws, w["rank"], font=bold),
                None,
                None,
                None,
                styled(ws, ranks.get(row.unit_id), font=bold),
            ]
        )
        for problem in row.problems:
            ws.append([None, styled(ws, describe(problem), wrap=True)])
    book.save(path)
    return len(all_rows), sum(not r.ok for r in all_rows)
