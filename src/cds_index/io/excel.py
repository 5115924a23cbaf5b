"""Excel: the self-assessment form a unit fills in, reading forms and one-row-per-unit sheets, results.

openpyxl is an optional extra (``pip install cds-index[excel]``); it is imported inside the
functions, so ``import cds_index`` never needs it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location, Problem, UsageError
from ..formats import units
from ..formats.model import Definition
from ..i18n import Message, T, render, system_reason
from ..numbers import Lang, plain, show
from ..read.inputs import NOT_APPLICABLE_WORDS, UnitInputs, parse_values, restated
from ..read.literals import NumberFormat, short
from ..read.literals import read_year as literal_year
from ..read.literals import when as date_text
from ..read.registry import names_definition
from .merged import MAX_MERGES, Merges, scan
from .safe import cell_text, rounded, strip_controls
from .seen import odd_id, plain_id
from .tables import (
    ROW_NUMBER_HEADERS,
    Cell,
    UnitFailure,
    column_letter,
    describe,
    header_again,
    input_header_index,
    is_blank,
    place,
    table_layout,
    table_unit,
)
from .tables import header_key as _key
from .template import blank_template

if TYPE_CHECKING:
    from .batch import BatchRow

TEMPLATE_SHEET = "Tự đánh giá"
TARGETS_SHEET = "Chỉ tiêu theo năm"
YEAR_WORD = "Năm"
"""A yearly-targets form heads each year's column ``Năm 2024``."""

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
CHOICES_EN = {"boolean": ["yes", "no"], "role": ["head", "deputy", "none"]}
"""The drop-down values of an English form: the words the reader takes (``read_bool``, roles)."""

FORM_WORDS: dict[str, Message] = {
    TEMPLATE_SHEET: T("Self-assessment"),
    TARGETS_SHEET: T("Targets by year"),
    COL_NAME: T("Data code"),
    COL_LABEL: T("Content"),
    COL_UNIT: T("Unit of measure"),
    COL_RULE: T("Requirement"),
    COL_SELF: T("Self-assessed figure"),
    COL_APPRAISED: T("Appraisal council's figure"),
    COL_DATE: T("Date done"),
    COL_EVIDENCE: T("Evidence documents"),
    COL_USERS: T("Criteria using it"),
    FACT_DEFINITION: T("Index set"),
    FACT_UNIT_ID: T("Unit id"),
    FACT_UNIT_NAME: T("Unit name"),
    FACT_YEAR: T("Assessment year"),
}
"""The form's words in every language: written in the form's language, and every language's read
back (a form written with ``--lang en`` is read as one written in Vietnamese)."""


def _canonical(key: str) -> str:
    """A header key as the reader looks it up: a form word in any language is its Vietnamese key
    (``data code`` → ``mã số liệu``); any other key is itself."""
    if not _CANONICAL:
        _CANONICAL.update({alias: _key(text) for text in FORM_WORDS for alias in _aliases(text)})
    return _CANONICAL.get(key, key)


_CANONICAL: dict[str, str] = {}


def _word(text: str, lang: str) -> str:
    """A form word (its Vietnamese constant) in ``lang``."""
    return render(FORM_WORDS[text], lang)


_ALIASES: dict[str, frozenset[str]] = {}


def _aliases(text: str) -> frozenset[str]:
    """The header keys a form word is read by: its words in every language (``mã số liệu``, ``data code``)."""
    found = _ALIASES.get(text)
    if found is None:
        from ..i18n import LANGUAGES

        found = _ALIASES[text] = frozenset({_key(text), *(_key(_word(text, lang)) for lang in LANGUAGES)})
    return found


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise UsageError(
            Problem("usage", T("Excel needs openpyxl: pip install 'cds-index[excel]'"))
        ) from None
    return openpyxl


def _choices(kind: str, lang: str) -> list[str]:
    """The drop-down values of a yes/no or role cell in ``lang``."""
    if lang != "vi":
        return CHOICES_EN[kind]
    return YES_NO if kind == "boolean" else ROLE_CHOICES


def _requirement(definition: Definition, name: str, lang: str = "vi") -> str:
    spec = definition.inputs[name]
    if spec.type in {"boolean", "role"}:
        return " / ".join(_choices(spec.type, lang))
    if spec.type == "choice":
        return " / ".join(spec.choices or [])
    if spec.type == "date":
        return render(T("date ({pattern})", pattern="dd/mm/yyyy" if lang == "vi" else "yyyy-mm-dd"), lang)
    parts = [render(T("whole number") if spec.type == "integer" else T("number"), lang)]
    if spec.min is not None:
        parts.append(render(T("≥ {bound}", bound=spec.min), lang))
    if spec.max is not None:
        parts.append(render(T("≤ {bound}", bound=spec.max), lang))
    return " ".join(parts)


def _roles(lang: str) -> dict[str, str]:
    return dict(zip(("head", "deputy", "none"), _choices("role", lang), strict=True))


def _sections(definition: Definition, lang: str = "vi") -> list[tuple[str, list[str]]]:
    """The form's sections: general facts first, then each pillar's inputs in tree order, then the rest.

    A pillar's title carries its own number (``I. NHẬN THỨC SỐ``); no second number is added.
    """
    from .template import readings_of_inputs, users_of_inputs

    users = users_of_inputs(definition)
    # an input only a reading not chosen reads sits with that reading's criterion, not under OTHER DATA
    for name, ids in readings_of_inputs(definition, users).items():
        users[name] = [i.partition("/")[0] for i in ids]
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
    sections = [(render(T("GENERAL INFORMATION"), lang), general)] if general else []
    for pillar in definition.tree:
        names = [n for _, n in sorted(by_pillar[pillar.id])]
        if names:
            sections.append((f"{pillar.id}. {pillar.title}".upper(), names))
    if rest:
        sections.append((render(T("OTHER DATA"), lang), rest))
    return sections


def write_template(
    definition: Definition, path: str | Path, *, year: int | None = None, lang: str | None = None
) -> None:
    """Write the self-assessment form of ``definition``: one sheet, one row per input.

    General facts (Thông tin chung) come first, then each pillar's inputs. Yes/no, role and choice
    cells offer a drop-down list; number cells check the type and range (a warning, so ``n/a``
    can still be written). Fill the unit's id, name and year at the top and column E (and F for
    the appraisal council's figures, G for dates); ``cds-index score DEF form.xlsx`` reads it back.

    A definition with yearly targets gets one column per year of the definition instead
    (``Năm 2022`` … ``Năm 2025``, sheet ``Chỉ tiêu theo năm``); ``cds-index score DEF form.xlsx
    --year 2024`` reads it back.

    The form's words are in ``lang`` (default: the current language, ``--lang``); the decision's
    words (titles, labels) stay as the decision writes them, and a form in either language is read.
    """
    from ..i18n import choose_language

    lang = choose_language(lang)
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    from .template import readings_of_inputs, users_of_inputs, uses_text

    targets = definition.scoring == "targets"
    years = list(definition.years or []) if targets else []
    columns = (
        [
            *(_word(c, lang) for c in (COL_NAME, COL_LABEL, COL_UNIT, COL_RULE)),
            *(render(T("Year {year}", year=str(y)), lang) for y in years),
            _word(COL_USERS, lang),
        ]
        if targets
        else [_word(c, lang) for c in TEMPLATE_COLUMNS]
    )
    widths = [*WIDTHS[:4], *([14] * len(years)), WIDTHS[-1]] if targets else WIDTHS
    users = users_of_inputs(definition)
    readings = readings_of_inputs(definition, users)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = _word(TARGETS_SHEET if targets else TEMPLATE_SHEET, lang)
    bold = Font(bold=True)
    fill_input = PatternFill("solid", fgColor="FFF7D6")
    fill_head = PatternFill("solid", fgColor="DDE7F3")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")

    unlocked = Protection(locked=False)

    def put(row: int, col: int, value: Any) -> Any:
        """A cell of the form; text from the definition cannot start a formula (``safe.cell_text``)."""
        return ws.cell(row, col, cell_text(value) if isinstance(value, str) else value)

    put(1, 1, render(T("SELF-ASSESSMENT FORM — {title}", title=definition.title), lang)).font = Font(
        bold=True, size=13
    )
    decided = T(
        "{issuer}, Decision No. {number} of {date}",
        issuer=definition.issuer,
        number=definition.decision.number,
        date=definition.decision.date,
    )
    put(
        2,
        1,
        render(decided, lang) + (f", {definition.decision.appendix}" if definition.decision.appendix else ""),
    )
    # The year is left for the unit to write (or given with --year): a default taken from the
    # computer's clock would silently assess the wrong year.
    facts = [
        (FACT_DEFINITION, definition.id),
        (FACT_UNIT_ID, None),
        (FACT_UNIT_NAME, None),
        *([] if targets else [(FACT_YEAR, year)]),
    ]
    for offset, (label, value) in enumerate(facts):
        row = 3 + offset
        put(row, 1, _word(label, lang)).font = bold
        cell = put(row, 2, value)
        if label != FACT_DEFINITION:
            cell.fill = fill_input
            cell.border = border
            cell.protection = unlocked
        if label in (FACT_UNIT_ID, FACT_UNIT_NAME):
            cell.number_format = "@"  # text: an id typed 00123 keeps its zeros (a number cell drops them)
    how = (
        T(
            "Write each year's figures in that year's column. Left empty = not reported; n/a = not "
            "applicable. Columns A–D are locked (Review › Unprotect Sheet opens them, no password)."
        )
        if targets
        else T(
            "Write the figures in column E (and in column F when the appraisal council has its own). "
            "Left empty = not reported; n/a = not applicable. Columns A–D are locked (Review › "
            "Unprotect Sheet opens them, no password)."
        )
    )
    put(7, 1, render(how, lang)).font = Font(italic=True)
    header_row = 9
    for col, title in enumerate(columns, start=1):
        cell = put(header_row, col, title)
        cell.font = bold
        cell.fill = fill_head
        cell.border = border
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[column_letter(col)].width = widths[col - 1]
    ws.freeze_panes = f"A{header_row + 1}"

    validations: dict[str, Any] = {}

    def validation(key: str, **kwargs: Any) -> Any:
        if key not in validations:
            dv = DataValidation(
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=render(T("Invalid value"), lang),
                **kwargs,
            )
            ws.add_data_validation(dv)
            validations[key] = dv
        return validations[key]

    def listed(options: Sequence[str]) -> str:
        return '"' + ",".join(o.replace('"', "'") for o in options) + '"'

    row = header_row + 1
    if targets:
        value_cols: tuple[int, ...] = tuple(range(5, 5 + len(years)))
        date_col = None
        to_fill = set(value_cols)
    else:
        value_cols = (TEMPLATE_COLUMNS.index(COL_SELF) + 1, TEMPLATE_COLUMNS.index(COL_APPRAISED) + 1)
        date_col = TEMPLATE_COLUMNS.index(COL_DATE) + 1
        to_fill = {*value_cols, date_col, TEMPLATE_COLUMNS.index(COL_EVIDENCE) + 1}
    for title, names in _sections(definition, lang):
        cell = put(row, 1, title)
        cell.font = bold
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(columns))
        row += 1
        for name in names:
            spec = definition.inputs[name]
            unit_word = UNIT_WORDS.get(spec.unit, spec.unit) if lang == "vi" else spec.unit
            cells = [
                name,
                spec.label,
                "" if spec.unit == "1" else unit_word,
                _requirement(definition, name, lang),
                *([None] * (len(columns) - 5)),
                uses_text(name, users, readings, lang),
            ]
            for col, value in enumerate(cells, start=1):
                c = put(row, col, value)
                c.border = border
                c.alignment = wrap
                if col in to_fill:
                    c.fill = fill_input
                    c.protection = unlocked
            if spec.type == "boolean":
                yes, no = _choices("boolean", lang)
                dv = validation(
                    "bool",
                    type="list",
                    formula1=listed([yes, no]),
                    error=render(T("Choose {yes} or {no} (or n/a)", yes=yes, no=no), lang),
                )
            elif spec.type == "role":
                dv = validation(
                    "role",
                    type="list",
                    formula1=listed(_choices("role", lang)),
                    error=render(T("Choose {head}, {deputy} or {none}", **_roles(lang)), lang),
                )
            elif spec.type == "choice":
                dv = validation(
                    f"choice:{name}",
                    type="list",
                    formula1=listed(spec.choices or []),
                    error=render(T("Choose a value from the list"), lang),
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
                        error=render(T("Enter a number from {low} to {high}", low=low, high=spec.max), lang),
                    )
                elif low is not None:
                    dv = validation(
                        f"{kind}:{low}:",
                        type=kind,
                        operator="greaterThanOrEqual",
                        formula1=str(low),
                        error=render(T("Enter a number ≥ {low}", low=low), lang),
                    )
                else:
                    dv = None
            else:
                dv = validation("date", type="date", operator="greaterThan", formula1="1")
            if dv is not None:
                for col in value_cols:
                    dv.add(f"{column_letter(col)}{row}")
            if date_col is not None:
                validation("date", type="date", operator="greaterThan", formula1="1").add(
                    f"{column_letter(date_col)}{row}"
                )
                ws.cell(row, date_col).number_format = "DD/MM/YYYY" if lang == "vi" else "YYYY-MM-DD"
            row += 1
    _print_setup(ws, f"{header_row}:{header_row}")
    # The key column (input names) and the texts are locked, the cells to fill are not; no password,
    # so a council can still correct the form, but nobody renames an input by a slip.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    book.properties.title = render(T("Self-assessment form {id}", id=definition.id), lang)
    book.properties.subject = definition.id
    book.save(path)


# --- reading ----------------------------------------------------------------------------------

# Limits, checked from the zip's central directory before any XML is parsed: a workbook is a zip
# of XML parts, and a few kilobytes of zip can hold gigabytes of XML (a "zip bomb"). Python's
# zipfile never inflates a part beyond the size the directory states, so these bound the work.
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest .xlsx file read (as stored on disk)."""
MAX_XML_BYTES = 64 * 1024 * 1024
"""Largest sum of the uncompressed sizes of the workbook's XML parts (about 1.5 million cells)."""
MAX_PART_BYTES = 8 * 1024 * 1024
"""Largest uncompressed XML part other than a sheet or the shared strings (styles, workbook, ...)."""
MAX_PARTS = 4096
"""Most parts (files) in the zip."""
MAX_CELLS = 1_000_000
"""Most cells read from one workbook: 10,000 units of 100 inputs."""
MAX_TEXT = 32_767
"""Longest text of a cell: Excel's own limit, so a longer one was not written by Excel."""
_BULK_PARTS = ("xl/worksheets/", "xl/sharedstrings.xml")


def _archive_problem(path: Path) -> Problem | None:
    """Why the workbook at ``path`` must not be opened (too large, not a zip), or ``None``."""
    import zipfile

    file = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Problem(
            "file-not-found",
            T("cannot read the workbook {path}: {why}", path=file, why=system_reason(exc)),
            Location(file),
        )
    if not path.is_file():
        return Problem(
            "file-not-found",
            T("{path} is not a regular file (a folder, device or pipe)", path=file),
            Location(file),
        )
    if size > MAX_FILE_BYTES:
        return Problem(
            "file-too-large",
            T(
                "{path} has {size} bytes; workbooks of at most {limit} bytes are read (split the units "
                "over several workbooks, or save the table as CSV)",
                path=file,
                size=size,
                limit=MAX_FILE_BYTES,
            ),
            Location(file),
        )
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        why: Message | str = (
            system_reason(exc)
            if isinstance(exc, OSError)
            else T("it is not a whole zip archive (a CSV or web page renamed .xlsx, or a download cut short)")
        )
        return Problem(
            "excel-corrupt",
            T(
                "{path} is not an Excel workbook (.xlsx is a zip file): {why}; open it in Excel and "
                "save it again as 'Excel Workbook (*.xlsx)'",
                path=file,
                why=why,
            ),
            Location(file),
        )
    if len(parts) > MAX_PARTS:
        return Problem(
            "file-too-large",
            T(
                "{path} holds {count} parts; at most {limit} are read",
                path=file,
                count=len(parts),
                limit=MAX_PARTS,
            ),
            Location(file),
        )
    total = 0
    for part in parts:
        name = part.filename.lower()
        if not name.endswith((".xml", ".rels")):
            continue  # pictures and other media are never inflated
        total += part.file_size
        if part.file_size > MAX_PART_BYTES and not name.startswith(_BULK_PARTS):
            return Problem(
                "file-too-large",
                T(
                    "{path}: the part {part} inflates to {size} bytes; at most {limit} are read",
                    path=file,
                    part=part.filename,
                    size=part.file_size,
                    limit=MAX_PART_BYTES,
                ),
                Location(file, path=(part.filename,)),
            )
        if total > MAX_XML_BYTES:
            return Problem(
                "file-too-large",
                T(
                    "{path} inflates to more than {limit} bytes of XML (at {part}); split the units over "
                    "several workbooks, or save the table as CSV",
                    path=file,
                    limit=MAX_XML_BYTES,
                    part=part.filename,
                ),
                Location(file, path=(part.filename,)),
            )
    return None


def read_workbook(
    definition: Definition,
    path: str | Path,
    *,
    year: int | None = None,
    number_format: NumberFormat | None = None,
) -> Iterator[UnitInputs | UnitFailure]:
    """Units from a workbook: every sheet is a filled form (one unit) or a table (one row per unit).

    The layout is found per sheet: a header cell ``Mã số liệu`` marks a form; otherwise the first
    non-empty row is the header of a table (unit id and name first, then one column per input, by
    name or Vietnamese label). Problems give the cell address (``Sheet1!B17``) and the input.

    Every cell is read, whatever range the file claims to hold (its ``<dimension>``); a value
    outside the table, a formula without a stored result and an error cell (``#DIV/0!``) are
    problems naming the cell. Hidden sheets are read too, unless they are neither a form nor a
    table of units (the lists behind drop-downs live there). Sizes are checked before reading.
    """
    path = Path(path)
    file = str(path)
    if definition.scoring == "targets":
        # the yearly form (one column per year) is one unit's years: a unit per year, like a table
        # row per unit and year, so every reader of units reads it
        years, general = read_workbook_years(definition, path, number_format=number_format)
        if years:  # a problem of the form (a stray cell) is every year's: none is read without it (#11)
            for y in sorted(years):
                unit = years[y]
                yield dataclasses.replace(unit, problems=[*general, *unit.problems]) if general else unit
            return
        if any(p.code != "kind-unknown" for p in general):
            # the yearly form found and refused (its unit id, its definition): in its own words, never
            # read again as a table, whose header it has not (#11)
            yield UnitFailure(None, None, file, tuple(general))
            return
    for sheet in _sheets(path):
        if isinstance(sheet, Problem):
            yield UnitFailure(None, None, file, (sheet,))
            return
        yield from _read_sheet(
            definition, path, sheet, year, hidden=sheet.hidden, number_format=number_format
        )
        if sheet.budget[0] < 0:
            return


def _sheets(path: Path) -> Iterator[_Sheet | Problem]:
    """The sheets of a workbook, to read one by one; or the problem that keeps it from being opened."""
    import warnings

    file = str(path)
    refused = _archive_problem(path)
    if refused is not None:
        yield refused
        return
    openpyxl = _openpyxl()
    budget = [MAX_CELLS]
    with warnings.catch_warnings():
        # openpyxl warns about parts it drops (extensions, unknown styles); none of them holds a value
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds (zipfile, KeyError, XML, InvalidFileException)
            yield Problem(
                "excel-corrupt",
                T(
                    "cannot read the workbook {path}: {why}; open it in Excel and save it again as "
                    "'Excel Workbook (*.xlsx)'",
                    path=file,
                    why=f"{type(exc).__name__}: " + " ".join(str(exc).split()),
                ),
                Location(file),
            )
            return
        try:
            for ws in book.worksheets:
                yield _Sheet(book, ws, budget)
        finally:
            book.close()


@dataclass(frozen=True, slots=True)
class _Cell:
    """One cell as stored: its value (exact ``Decimal`` for numbers) and what the reader must flag."""

    value: Any
    percent: bool = False
    """Shown with a percent format: 85 % is stored as 0.85."""
    problem: str | None = None
    """A code when the cell holds no usable value (formula without result, error value, ...)."""
    shown: str = ""
    """What the cell shows when it has a problem (``#DIV/0!``, the formula)."""

    @property
    def blank(self) -> bool:
        return self.problem is None and is_blank(self.value)


Row = dict[int, _Cell]
"""The cells of one sheet row that hold something, by 0-based column."""

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_C, _V, _F, _IS, _T, _R = (_NS + tag for tag in ("c", "v", "f", "is", "t", "r"))


def _column_number(letters: str) -> int:
    """``A`` → 1, ``XFD`` → 16384; anything else is not a column."""
    if not (0 < len(letters) <= 3 and letters.isascii() and letters.isupper() and letters.isalpha()):
        raise ValueError(f"{letters!r} is not a column")
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


_COLUMNS = {column_letter(i): i for i in range(1, 703)}  # A … ZZ, the columns a table uses


def _inline_text(inline: Any) -> str:
    """The text of an inline string: its ``<t>``, or its rich-text runs' ``<t>`` (not phonetic hints)."""
    parts = []
    for child in inline:
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            parts.extend(t.text or "" for t in child if t.tag == _T)
    return "".join(parts)


_MAX_COLUMN, _MAX_ROW = 16_384, 1_048_576  # XFD1048576, the last cell Excel has


_EMPTY_ROW = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\b[^<>]*?\br="[0-9]+"[^<>]*/>')
"""A row with its number and no cell (``<row r="9" s="1" customFormat="1"/>``), as Excel writes every
row of a sheet formatted to the bottom: a million of them cost seconds to parse and hold nothing."""


class _WithoutEmptyRows:
    """A sheet's XML with its empty numbered rows left out before parsing (the rows that hold cells
    keep their numbers, so nothing read changes): 1,048,576 empty rows read in a fraction of the
    time (#9, p2-hostile). Chunks end after a ``>``, so no tag is ever cut in two."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        while True:
            chunk = self.raw.read(1 << 20)
            if not chunk:
                rest, self.tail = self.tail, b""
                return rest
            data = self.tail + chunk
            cut = data.rfind(b">") + 1
            if cut == 0:
                self.tail = data
                continue
            self.tail = data[cut:]
            out = _EMPTY_ROW.sub(b"", data[:cut])
            if out:
                return out


class _Sheet:
    """Reads one sheet's XML cell by cell: every row present, not the range ``<dimension>`` claims."""

    def __init__(self, book: Any, ws: Any, budget: list[int]) -> None:
        self.title: str = ws.title
        self.hidden = getattr(ws, "sheet_state", "visible") != "visible"
        self.ws = ws
        self.book = book
        self.budget = budget
        self._percent: dict[int, bool] = {}
        self.stopped: Message | None = None
        """Why reading stopped before the end of the sheet (damaged XML, too many cells)."""
        self.stopped_row = 0
        self.stopped_code: str | None = None
        self.merges: Merges | None = Merges(())
        """The sheet's merged ranges, read before its rows (``None``: too many to read)."""
        self.hidden_rows: set[int] = set()
        """The numbers of the rows read that are hidden (by hand or by a filter): a unit's row there
        is scored as any row, with a warning, since the official does not see it (#11)."""

    def _merges(self) -> Merges | None:
        """The merged ranges, from a first pass over the sheet's XML (they are written after the rows)."""
        import zipfile

        try:
            with self.ws._get_source() as source:
                found = scan(source)
        except (KeyError, OSError, EOFError, zipfile.BadZipFile):
            return Merges(())  # the rows' own parse says the sheet is damaged
        return None if found is None else Merges(found)

    def is_percent(self, style: int) -> bool:
        if style not in self._percent:
            from openpyxl.cell.read_only import ReadOnlyCell

            try:
                fmt = str(ReadOnlyCell(self.ws, 1, 1, None, "n", style).number_format)
            except (IndexError, KeyError, AttributeError, TypeError):
                fmt = "General"
            fmt = re.sub(r'"[^"]*"|\\.', "", fmt)  # quoted text and escaped characters are not codes
            self._percent[style] = "%" in fmt
        return self._percent[style]

    def rows(self) -> Iterator[tuple[int, Row]]:
        """``(row number, cells)`` for every row that holds a value, in order."""
        import xml.etree.ElementTree as ET
        import zipfile

        row_tag, data_tag = _NS + "row", _NS + "sheetData"
        number = read = 0  # the row being read, the last row read whole
        try:
            source = self.ws._get_source()  # the sheet's XML part, opened in the archive
        except (KeyError, OSError, zipfile.BadZipFile) as exc:
            self.stopped, self.stopped_row = T("the sheet's XML cannot be opened: {why}", why=str(exc)), 0
            return
        with source:
            self.merges = self._merges()
            if self.merges is None:
                self.stopped, self.stopped_row = (
                    T(
                        "the sheet has more than {limit} merged ranges; unmerge the cells (select the "
                        "sheet, Merge & Center, Unmerge Cells) and write each value in its own cell",
                        limit=MAX_MERGES,
                    ),
                    0,
                )
                self.stopped_code = "merged-cells"
                return
            data = None
            try:
                for event, element in ET.iterparse(_WithoutEmptyRows(source), events=("start", "end")):
                    if event == "start":
                        if element.tag == data_tag:
                            data = element
                        continue
                    if element.tag != row_tag:
                        continue
                    r = element.get("r")
                    number = int(r) if r is not None and r.isdigit() else number + 1
                    if not 0 < number <= _MAX_ROW:
                        raise ValueError(f"row number {r} is outside a sheet")
                    cells = self._cells(element, number)
                    if cells and element.get("hidden") in ("1", "true"):
                        self.hidden_rows.add(number)
                    if data is not None:
                        data.clear()  # rows already read are not kept in memory
                    if self.budget[0] < 0:
                        self.stopped = T(
                            "the workbook has more than {limit} cells; split the units over several "
                            "workbooks, or save the table as CSV",
                            limit=MAX_CELLS,
                        )
                        self.stopped_row = read
                        return
                    read = number
                    if cells:
                        if self.merges:
                            self.merges.note(number, cells)
                        yield number, cells
            except (ET.ParseError, ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile) as exc:
                self.stopped = T("the sheet's XML is damaged ({why})", why=f"{type(exc).__name__}: {exc}")
                self.stopped_row = read

    def _cells(self, row: Any, number: int) -> Row:
        cells: Row = {}
        column = 0
        suffix = str(number)
        for element in row:
            if element.tag != _C:
                continue
            self.budget[0] -= 1
            ref = element.get("r")
            if ref is not None:
                letters = ref[: len(ref) - len(suffix)]
                if letters + suffix != ref:
                    raise ValueError(f"cell {ref!r} in row {number}")
                column = _COLUMNS.get(letters) or _column_number(letters)
            else:
                column += 1
            if column > _MAX_COLUMN:
                raise ValueError(f"cell {ref!r} is beyond the last column of a sheet")
            cell = self._cell(element)
            if cell is not None and not cell.blank:
                cells[column - 1] = cell
        return cells

    def _cell(self, element: Any) -> _Cell | None:
        kind = element.get("t", "n")
        formula = text = inline = None
        stored = False
        for child in element:  # one pass over <f>, <v>, <is>
            tag = child.tag
            if tag == _V:
                text, stored = child.text, True
            elif tag == _F:
                formula = child
            elif tag == _IS:
                inline = child
        if kind == "inlineStr":
            return self._text(_inline_text(inline) if inline is not None else None)
        if formula is not None and not text and kind != "str":
            shown = "=" + formula.text if formula.text else "(a formula shared with the cell above)"
            return _Cell(None, problem="excel-formula-no-value", shown=shown[:80])
        if text is None or not stored:
            return None
        if kind == "s":
            try:
                return self._text(self.ws._shared_strings[int(text)])
            except (ValueError, IndexError):
                return _Cell(None, problem="excel-corrupt", shown=f"shared string {text[:20]!r}")
        if kind == "str":
            return self._text(text)
        if kind == "b":
            return _Cell(text.strip() in {"1", "true"})
        if kind == "e":
            return _Cell(None, problem="excel-cell-error", shown=text[:40])
        raw_style = element.get("s")
        style = int(raw_style) if raw_style and raw_style.isdigit() else 0
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            try:
                return _Cell(from_ISO8601(text))
            except (ValueError, TypeError, OverflowError):
                return _Cell(None, problem="excel-cell-error", shown=text[:40])
        try:
            number = _excel_number(text)
        except ArithmeticError:
            return _Cell(None, problem="excel-corrupt", shown=text[:40])
        if not number.is_finite():
            return _Cell(None, problem="excel-cell-error", shown=text[:40])
        if style and style in self.book._date_formats:
            from openpyxl.utils.datetime import from_excel

            try:
                when = from_excel(
                    float(number), self.book.epoch, timedelta=style in self.book._timedelta_formats
                )
            except (OverflowError, ValueError):
                return _Cell(None, problem="excel-cell-error", shown=f"{text[:20]} (as a date)")
            return _Cell(when)
        return _Cell(number, percent=bool(style) and self.is_percent(style))

    @staticmethod
    def _text(text: Any) -> _Cell:
        text = "" if text is None else str(text)
        if len(text) > MAX_TEXT:
            return _Cell(
                None, problem="excel-text-too-long", shown=f"{text[:30]}… ({len(text):,} characters)"
            )
        return _Cell(text)


_EXCEL_DIGITS = Context(prec=15, rounding=ROUND_HALF_EVEN)


def _excel_number(text: str) -> Decimal:
    """A stored number as the person typed it: Excel keeps 15 significant digits.

    A file holds the binary double's digits (``69.180000000000007``, ``9500``); 15 significant
    digits are what Excel shows and calculates with, so they give back ``69.18`` exactly.
    """
    if len(text) <= 15:  # at most 15 digits: nothing to round (the common case, checked first)
        return Decimal(text)
    number = Decimal(text.strip())
    if not number.is_finite() or len(number.as_tuple().digits) <= 15:
        return number
    number = _EXCEL_DIGITS.plus(number)
    if number == number.to_integral_value():
        return number.quantize(Decimal(1)) if number.adjusted() < 28 else number
    return number.normalize()


CELL_MESSAGES = {
    "excel-formula-no-value": lambda shown: T(
        "the formula {shown} has no stored result (the file was written by a program that does not "
        "calculate, or calculation was off): open the file in Excel, press F9 and save it, or type the value",
        shown=shown,
    ),
    "excel-cell-error": lambda shown: T(
        "the cell shows the error {shown}: correct the formula or type the value", shown=shown
    ),
    "excel-text-too-long": lambda shown: T(
        "the cell holds {shown}, more than Excel allows; it was not read", shown=shown
    ),
    "excel-corrupt": lambda shown: T(
        "the cell is damaged ({shown}): type the value again in Excel and save", shown=shown
    ),
}


def _cell_problem(cell: _Cell, file: str, where: Cell, name: str) -> Problem:
    address, line, column = where
    assert cell.problem is not None
    return Problem(
        cell.problem,
        T("{address}: {message}", address=address, message=CELL_MESSAGES[cell.problem](cell.shown)),
        Location(file, line, column, (address, name)),
    )


def _as_input(cell: _Cell | None, spec: Any) -> Any:
    """The raw value of a cell for an input (``spec``) or for text (``None``), for the reading layer.

    Numbers are exact ``Decimal`` as stored; a percent-formatted cell (85 % is stored as 0.85) is
    85 for a percent input; text goes as typed (``inputs.coerce`` reads ``9.500``, ``0,5``, ``85%``).
    """
    if cell is None or cell.problem is not None:
        return None
    value = cell.value
    if isinstance(value, Decimal):
        if spec is None:
            return plain(value)  # an id, a name, a year: the number as text
        if cell.percent and units.scale(spec.unit) == "percent":  # `percent` or `%` (#13)
            try:
                scaled = value.scaleb(2)  # exact: only the exponent moves (0.85 → 85, 1 → 1E+2)
                return scaled.quantize(Decimal(1)) if scaled == scaled.to_integral_value() else scaled
            except ArithmeticError:  # beyond any magnitude: let the reading layer refuse it
                return value
        return value
    if isinstance(value, dt.datetime) and spec is not None and spec.type == "date":
        return value.date()
    return value


def _labels(definition: Definition) -> dict[str, list[str]]:
    """An input's label as compared (:func:`~cds_index.io.tables.header_key`) → the inputs with it."""
    by_label: dict[str, list[str]] = {}
    for input_name, spec in definition.inputs.items():
        by_label.setdefault(_key(spec.label), []).append(input_name)
    return by_label


def _row_input(
    definition: Definition, by_label: dict[str, list[str]], name_cell: _Cell | None, label_cell: _Cell | None
) -> str | None:
    """The input a form's row is of: its name cell as written, else that name compared as a table's
    header is (``Population``, ``POPULATION`` for ``population``: a CSV header's case never
    mattered, a form's did, #11); the name cell blank, the input whose label the label cell holds,
    where only one has it. A name that is no input's is kept, to be refused by name."""
    name_text = _as_input(name_cell, None)
    name = str(name_text).strip() if not is_blank(name_text) else None
    if name is not None:
        if name in definition.inputs:
            return name
        folded = [n for n in definition.inputs if _key(n) == _key(name)]
        return folded[0] if len(folded) == 1 else name
    if label_cell is None:
        return None
    labelled = by_label.get(_key(_as_input(label_cell, None) or ""), [])
    return labelled[0] if len(labelled) == 1 else None


_ID_DIGITS = 15
"""Most digits of a whole number Excel keeps as typed: a longer id in a number cell has lost its last
digits (``12345678901234567890`` is stored as ``1.23456789012346E+19``)."""


def _id_cell(cell: _Cell | None, address: str) -> tuple[Message, bool] | None:
    """Why the unit id cell at ``address`` does not hold the id as it was typed, and whether that
    refuses it (``True``) or is a warning: a number cell drops an id's leading zeros (``00123`` is
    stored as 123), which is said; one with decimals, a sign or more than 15 digits, a yes/no value or
    a date does not hold an id at all (#11: they were ids ``1.5``, ``12345678901234600000``, ``True``,
    ``2024-01-01 00:00:00``). The one reading of an id cell, for a form's and a table's."""
    value = None if cell is None or cell.problem is not None else cell.value
    how = T("format the cell as text (Format Cells → Text) and write the id as it should read")
    if isinstance(value, bool):
        return (
            T(
                "{address}: the unit id is the yes/no value {value}, not an id; {how}",
                address=address,
                value="TRUE" if value else "FALSE",
                how=how,
            ),
            True,
        )
    if isinstance(value, dt.date | dt.time | dt.timedelta):  # never `2024-01-01 00:00:00` as an id (#11)
        return (
            T(
                "{address}: the unit id is the date or time {value}: the cell is formatted as a "
                "date or time; format it as text (Format Cells → Text) and write the id as it "
                "should read",
                address=address,
                value=date_text(value),
            ),
            True,
        )
    if not isinstance(value, Decimal):
        return None
    if value != value.to_integral_value() or value < 0 or len(format(value, "f")) > _ID_DIGITS:
        return (
            T(
                "{address}: the unit id is the number {value}, which a number cell does not keep as "
                "typed (its zeros, its sign, its digits beyond the 15th); {how}",
                address=address,
                value=plain(value),
                how=how,
            ),
            True,
        )
    return (
        T(
            "{address}: the unit id is the number {value}, read as the id {id}; a number cell drops "
            "an id's leading zeros (00123 is kept as 123): if the id has any, {how}",
            address=address,
            value=plain(value),
            id=repr(plain(value)),
            how=how,
        ),
        False,
    )


def _read_sheet(
    definition: Definition,
    path: Path,
    sheet: _Sheet,
    year: int | None,
    *,
    hidden: bool = False,
    number_format: NumberFormat | None = None,  # text cells with two readings (#9)
) -> Iterator[UnitInputs | UnitFailure]:
    """A form if a row of its first 40 has the form's header (``Mã số liệu``), else a table."""
    file = str(path)
    rows = sheet.rows()
    head: list[tuple[int, Row]] = []  # the rows looked at so far
    found_form = False
    for number, row in rows:
        head.append((number, row))
        keys = {_canonical(_key(c.value)) for c in row.values() if isinstance(c.value, str)}
        if _key(COL_NAME) in keys and _key(COL_SELF) in keys:
            found_form = True
            break
        if number >= _FORM_SCAN:
            break
    if found_form:
        header_row, header = head[-1]
        yield _read_form(definition, file, sheet, head[:-1], header, header_row, rows, year, number_format)
    elif head:
        # the header is the first row naming an input: a title above the table is not a unit
        first = next((i for i, (_, row) in enumerate(head) if _names_inputs(definition, row)), 0)
        numbered = itertools.chain(head[first + 1 :], rows)
        above = head[first - 1][1] if first > 0 and head[first - 1][0] == head[first][0] - 1 else None
        yield from _read_table(
            definition,
            file,
            sheet,
            head[first],
            numbered,
            year,
            hidden=hidden,
            number_format=number_format,
            above=above,
        )
    if sheet.stopped is not None:
        where = f"{_ref(sheet.title)}!A{sheet.stopped_row + 1}"
        code = sheet.stopped_code or ("file-too-large" if sheet.budget[0] < 0 else "excel-corrupt")
        yield UnitFailure(
            None,
            None,
            f"{file}!{sheet.title}",
            (
                Problem(
                    code,
                    T(
                        "{address}: {why}; the rows from here on were not read",
                        address=where,
                        why=sheet.stopped,
                    ),
                    Location(file, sheet.stopped_row + 1, 1, (where,)),
                ),
            ),
        )


_FORM_SCAN = 40


def _names_inputs(definition: Definition, row: Row) -> bool:
    """Whether a row could be a table's header: two cells or more, one of them naming an input."""
    if len(row) < 2:
        return False
    header = [_as_input(row.get(i), None) for i in range(max(row) + 1)]
    return bool(table_layout(definition, header).inputs)


def _ref(sheet: str) -> str:
    """A sheet as Excel writes it in an address: ``Sheet1``, or quoted, ``'Tự đánh giá'``."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def _stray(file: str, sheet: str, number: int, col: int, cell: _Cell, why: Message) -> Problem:
    address = f"{_ref(sheet)}!{column_letter(col + 1)}{number}"
    shown = cell.shown if cell.problem else short(cell.value)  # 5, never Decimal('5') (#11)
    return Problem(
        "excel-stray-cell",
        T(
            "{address}: {why}; the value {value} was not read "
            "(give the column a header, or delete the value)",
            address=address,
            why=why,
            value=shown,
        ),
        Location(file, number, col + 1, (address, f"column {column_letter(col + 1)}")),
    )


def _named(layout: Any, read: set[int | None], header: list[Any]) -> dict[int, str]:
    """A table's read columns with what each holds: its input, else its header, else its letter."""
    return {
        c: layout.inputs.get(c)
        or (str(header[c]) if c < len(header) and not is_blank(header[c]) else None)
        or column_letter(c + 1)
        for c in read
        if c is not None
    }


def _merged(
    file: str, sheet: _Sheet, number: int, cells: Row, columns: dict[int, str], header_row: int
) -> list[tuple[list[int], Problem]]:
    """The merged ranges that hide values in row ``number`` (``columns``: its value columns, by
    0-based column, with what each holds), each refused at the row's first cell under it, with the
    value columns it covers."""
    merges = sheet.merges
    if not merges:
        return []
    found = []
    for merge in merges.over(number, cells, columns, header_row):
        inside = [c for c in sorted(columns) if merge.first_col <= c <= merge.last_col]
        col = inside[0]
        address = f"{_ref(sheet.title)}!{column_letter(col + 1)}{number}"
        rows = (
            T("row {row}", row=str(merge.first_row))
            if merge.first_row == merge.last_row
            else T("rows {first}–{last}", first=str(merge.first_row), last=str(merge.last_row))
        )
        found.append(
            (
                inside,
                Problem(
                    "merged-cells",
                    T(
                        "{address}: the cells {range} are merged (columns {columns}, {rows}); a merged "
                        "value is read in its first cell only, not in every cell it covers: unmerge the "
                        "cells and write each unit's value in its own cell",
                        address=address,
                        range=merge.ref,
                        columns=", ".join(columns[c] for c in inside),
                        rows=rows,
                    ),
                    Location(file, number, col + 1, (address, columns[col])),
                ),
            )
        )
    return found


def _with(unit: UnitInputs | UnitFailure, problems: list[Problem]) -> UnitInputs | UnitFailure:
    if not problems:
        return unit
    if isinstance(unit, UnitFailure):
        return dataclasses.replace(unit, problems=unit.problems + tuple(problems))
    unit.problems.extend(problems)
    return unit


def _read_table(
    definition: Definition,
    file: str,
    sheet: _Sheet,
    header: tuple[int, Row],
    rows: Iterator[tuple[int, Row]],
    year: int | None,
    *,
    hidden: bool = False,
    number_format: NumberFormat | None = None,
    above: Row | None = None,
) -> Iterator[UnitInputs | UnitFailure]:
    """A one-row-per-unit sheet; ``rows`` are numbered (the sheet's row numbers).

    ``above`` is the row just above the header: a header merged over two rows (``Mã đơn vị``
    merged A1:A2 beside inputs named in row 2) holds its text in the upper row only.
    """
    title = sheet.title
    header_row, header_cells = header
    width = max(header_cells) + 1
    header_values = [_as_input(header_cells.get(i), None) for i in range(width)]
    if above is not None:
        header_values = [
            _as_input(above.get(i), None) if is_blank(v) and above.get(i) is not None else v
            for i, v in enumerate(header_values)
        ]
    layout = table_layout(definition, header_values)
    if not layout.inputs:
        if hidden:
            return  # a hidden list (drop-down choices, lookups), not units
        yield UnitFailure(
            None,
            None,
            f"{file}!{title}",
            (
                Problem(
                    "kind-unknown",
                    T(
                        "{address}: neither a self-assessment form (no {header} header) nor a table "
                        "whose header row names inputs",
                        address=f"{_ref(title)}!A{header_row}",
                        header=repr(COL_NAME),
                    ),
                    Location(file, header_row, 1, (title,)),
                ),
            ),
        )
        return
    if not layout.id_found and (
        is_blank(header_values[0])
        or _key(header_values[0]) in ROW_NUMBER_HEADERS
        or _key(header_values[0]) in input_header_index(definition)
    ):
        # the first column is no unit id: an input (its values would become ids) or the row number
        yield UnitFailure(
            None,
            None,
            f"{file}!{title}",
            (
                Problem(
                    "table-header",
                    T(
                        "{address}: the header has no unit id column ('Mã đơn vị'), and column A ({value}) "
                        "is not one: add a column 'Mã đơn vị' with each unit's id",
                        address=f"{_ref(title)}!A{header_row}",
                        value=repr(header_values[0]),
                    ),
                    Location(file, header_row, 1, (f"{_ref(title)}!A{header_row}",)),
                ),
            ),
        )
        return
    read = {layout.id_col, layout.name_col, layout.year_col, *layout.inputs, *layout.unknown}
    specs = {col: definition.inputs[name] for col, name in layout.inputs.items()}
    for number, row in rows:
        first = row.get(layout.id_col)
        if len(row) > 1 and first is not None and isinstance(first.value, str) and len(first.value) < 40:
            again = header_again(
                definition, layout, [_as_input(row.get(i), None) for i in range(max(row) + 1)]
            )
            if again is not None:  # a second table below the first: read by its own header
                layout, width = again, max(row) + 1
                header_row, header_values = number, [_as_input(row.get(i), None) for i in range(width)]
                read = {layout.id_col, layout.name_col, layout.year_col, *layout.inputs, *layout.unknown}
                specs = {col: definition.inputs[name] for col, name in layout.inputs.items()}
                continue

        def where(col: int, number: int = number) -> Cell:
            return f"{_ref(title)}!{column_letter(col + 1)}{number}", number, col + 1

        problems: list[Problem] = []
        values: list[Any] = []
        for col in range(width):
            cell = row.get(col)
            if cell is not None and cell.problem is not None and col in read:
                name = layout.inputs.get(col, f"column {column_letter(col + 1)}")  # a path: a key
                problems.append(_cell_problem(cell, file, where(col), name))
            values.append(_as_input(cell, specs.get(col)))
        for col, cell in row.items():
            if col >= width or col not in read:
                problems.append(
                    _stray(file, title, number, col, cell, T("a value in a column without a header"))
                )
        if sheet.merges:
            named = _named(layout, read, header_values)
            problems.extend(p for _, p in _merged(file, sheet, number, row, named, header_row))
        odd = _id_cell(row.get(layout.id_col), where(layout.id_col)[0])
        if odd is not None:  # a number, yes/no or date in the id cell: the form's reading of it
            address, line, column = where(layout.id_col)
            said = Problem(
                "input-type",
                odd[0],
                Location(file, line, column, (address,)),
                severity="error" if odd[1] else "warning",
            )
            if odd[1]:
                yield UnitFailure(None, None, f"{file}!{title}!{number}", (said, *problems))
                continue
            problems.append(said)
        unit = table_unit(
            definition,
            layout,
            values,
            file=file,
            where=where,
            source=f"{file}!{title}!{number}",
            year=year,
            number_format=number_format,
            flagged=bool(problems),
        )
        if unit is None:
            unit = UnitFailure(None, None, f"{file}!{title}!{number}", ())
        elif number in sheet.hidden_rows and isinstance(unit, UnitInputs):
            problems.append(_hidden_row(file, title, number))
        yield _with(unit, problems)


def _hidden_row(file: str, sheet: str, number: int) -> Problem:
    """A unit's row the sheet hides (by hand or by a filter): scored as any row, and said (#11)."""
    address = f"{_ref(sheet)}!A{number}"
    return Problem(
        "excel-hidden-row",
        T(
            "{address}: row {row} is hidden in the sheet (by hand or by a filter): scored as any row; "
            "if it is not a unit to score, delete the row",
            address=address,
            row=str(number),
        ),
        Location(file, number, 1, (address,)),
        severity="warning",
    )


def _read_form(
    definition: Definition,
    file: str,
    sheet_: _Sheet,
    head: list[tuple[int, Row]],
    header_cells: Row,
    header_row: int,
    rows: Iterator[tuple[int, Row]],
    year: int | None,
    number_format: NumberFormat | None = None,
) -> UnitInputs | UnitFailure:
    sheet = sheet_.title
    facts: dict[str, tuple[Any, int]] = {}
    stored: dict[str, _Cell] = {}  # the cells of the facts, as stored (the unit id's: a number?)
    for number, cells in head:
        label = cells.get(0)
        if label is not None and isinstance(label.value, str) and 1 in cells:
            key = _canonical(_key(label.value))
            facts[key], stored[key] = (_as_input(cells[1], None), number), cells[1]
    source = f"{file}!{sheet}"

    def fact(label: str) -> Any:
        return facts.get(_key(label), (None, 0))[0]

    declared = fact(FACT_DEFINITION)
    if not is_blank(declared) and not names_definition(declared, definition):
        row = facts[_key(FACT_DEFINITION)][1]
        return UnitFailure(
            None,
            None,
            source,
            (
                Problem(
                    "input-definition",
                    T(
                        "{address}: this form is for {declared}, not {definition}",
                        address=f"{_ref(sheet)}!B{row}",
                        declared=repr(declared),
                        definition=repr(definition.id),
                    ),
                    Location(file, row, 2, (f"{_ref(sheet)}!B{row}", "definition")),
                ),
            ),
        )
    unit_id = fact(FACT_UNIT_ID)
    unit_name = fact(FACT_UNIT_NAME)
    unit_name = None if is_blank(unit_name) else str(unit_name).strip()
    row = facts.get(_key(FACT_UNIT_ID), (None, 4))[1]
    address = f"{_ref(sheet)}!B{row}"

    def refused(unit: str | None, code: str, message: Message) -> UnitFailure:
        """The form refused for its unit id cell (B4): none, a date, the template's placeholder."""
        return UnitFailure(
            unit, unit_name, source, (Problem(code, message, Location(file, row, 2, (address, "unit"))),)
        )

    if is_blank(unit_id) or not plain_id(unit_id):
        return refused(
            None,
            "missing-key",
            T("{address}: the form has no unit id ({fact})", address=address, fact=FACT_UNIT_ID),
        )
    odd = _id_cell(stored.get(_key(FACT_UNIT_ID)), address)
    if odd is not None and odd[1]:
        return refused(None, "input-type", odd[0])
    unit_id = plain_id(unit_id)  # as a table's id cell: no invisible character (#11)
    formula = odd_id(unit_id)  # a formula's text, a line break: as a table's id cell (#11)
    if formula is not None:
        return refused(None, "input-type", T("{address}: {message}", address=address, message=formula))
    blank = blank_template(unit_id, unit_name)
    if blank is not None:  # the form of the template, its id or name not filled in (#11)
        return refused(unit_id, "missing-key", T("{address}: {message}", address=address, message=blank))
    problems: list[Problem] = []
    if odd is not None:  # a number cell: its id kept as its digits, and said
        problems.append(
            Problem("input-type", odd[0], Location(file, row, 2, (address, "unit")), severity="warning")
        )
    unit_year = None  # the year the form states; scored as ``year`` if asked, restated (#11)
    raw_year = fact(FACT_YEAR)
    if not is_blank(raw_year):
        read_year, code, message = literal_year(raw_year)  # never int(): 2024.7 is no year (#9)
        if code:
            row = facts[_key(FACT_YEAR)][1]
            problems.append(
                Problem(
                    code,
                    T("{address}: {message}", address=f"{_ref(sheet)}!B{row}", message=message),
                    Location(file, row, 2, (f"{_ref(sheet)}!B{row}", "year")),
                )
            )
        else:
            unit_year = read_year

    keys = {col: _canonical(_key(c.value)) for col, c in header_cells.items() if isinstance(c.value, str)}
    col = {title: next((i for i, k in keys.items() if k == _key(title)), None) for title in TEMPLATE_COLUMNS}
    known = {i for i in col.values() if i is not None}
    by_label = _labels(definition)

    def get(cells: Row, title: str) -> _Cell | None:
        index = col[title]
        return cells.get(index) if index is not None else None

    def where(number: int, index: int | None) -> Cell:
        column = (index or 0) + 1
        return f"{_ref(sheet)}!{column_letter(column)}{number}", number, column

    value_columns = {  # the cells a merge must not span, with their headers as written
        i: str(header_cells[i].value)
        for t in (COL_SELF, COL_APPRAISED, COL_DATE, COL_EVIDENCE)
        if (i := col[t]) is not None
    }
    raw: dict[str, Any] = {}
    cells_at: dict[str, int] = {}  # input → its row
    for number, cells in rows:
        name_cell = get(cells, COL_NAME)
        name = _row_input(definition, by_label, name_cell, get(cells, COL_LABEL))
        input_spec = definition.inputs.get(name) if name is not None else None
        if input_spec is not None and sheet_.merges:
            problems.extend(p for _, p in _merged(file, sheet_, number, cells, value_columns, header_row))
        for index, cell in cells.items():
            if index not in known:
                problems.append(
                    _stray(file, sheet, number, index, cell, T("a value outside the form's columns"))
                )
        parts = {title: get(cells, title) for title in (COL_SELF, COL_APPRAISED, COL_DATE, COL_EVIDENCE)}
        bad = [(t, c) for t, c in parts.items() if c is not None and c.problem is not None]
        for title, cell in bad:
            problems.append(_cell_problem(cell, file, where(number, col[title]), name or "?"))
        value = _as_input(parts[COL_SELF], input_spec)
        appraised = _as_input(parts[COL_APPRAISED], input_spec)
        date = _as_input(parts[COL_DATE], _DATE)
        evidence = _as_input(parts[COL_EVIDENCE], None)
        if all(is_blank(v) for v in (value, appraised, date)):
            continue  # a section title, or an input left empty: not reported
        self_col = (col[COL_SELF] or 0) + 1
        if name is None:
            address = f"{_ref(sheet)}!{column_letter(self_col)}{number}"
            problems.append(
                Problem(
                    "input-unknown",
                    T("{address}: a value in a row without an input name", address=address),
                    Location(file, number, self_col, (address, "?")),
                )
            )
            continue
        if name in raw:
            address = f"{_ref(sheet)}!{column_letter((col[COL_NAME] or 0) + 1)}{number}"
            problems.append(
                Problem(
                    "input-unknown",
                    T(
                        "{address}: {input} appears twice in the form (first in row {row})",
                        address=address,
                        input=repr(name),
                        row=str(cells_at[name]),
                    ),
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
                entry.pop("self", None)  # the council's figure beside it is kept: a contradiction (#11)
                entry["not_applicable"] = True
            raw[name] = entry
        cells_at[name] = number
    values_, found = parse_values(
        raw, definition.inputs, number_format=number_format or definition.number_format
    )
    for problem in found:
        name = str(problem.location.path[-1]) if problem.location.path else ""
        if name not in cells_at:
            problems.append(problem)
            continue
        number = cells_at[name]
        column = (col[COL_SELF] or 0) + 1
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
    unit = UnitInputs(unit_id, unit_name, unit_year, values_, problems, source, definition.inputs)
    return unit if year is None else restated(unit, year)  # as a YAML file's year (read_unit)


_YEAR_HEADER = re.compile(r"(?:năm|nam|year)\s*([0-9]{4})")


def read_workbook_years(
    definition: Definition, path: str | Path, *, number_format: NumberFormat | None = None
) -> tuple[dict[int, UnitInputs], list[Problem]]:
    """One unit's values for every year, from the yearly-targets form (one column per year).

    The counterpart of :func:`cds_index.read.units_io.read_unit_years` for a workbook: the first sheet
    with a ``Mã số liệu`` header and ``Năm 2024`` columns is read; ``({}, problems)`` when none is.
    A refused cell is a problem of its year's unit, at its address (``'Chỉ tiêu theo năm'!F12``).
    """
    path = Path(path)
    file = str(path)
    for sheet in _sheets(path):
        if isinstance(sheet, Problem):
            return {}, [sheet]
        rows = sheet.rows()
        head: list[tuple[int, Row]] = []
        for number, row in rows:
            head.append((number, row))
            keys = {i: _canonical(_key(c.value)) for i, c in row.items() if isinstance(c.value, str)}
            years = {i: int(m[1]) for i, k in keys.items() if (m := _YEAR_HEADER.fullmatch(k))}
            if _key(COL_NAME) in keys.values() and years:
                return _read_years_form(
                    definition, file, sheet, head[:-1], row, number, years, rows, number_format
                )
            if number >= _FORM_SCAN:
                break
        if sheet.stopped is not None:
            where = f"{_ref(sheet.title)}!A{sheet.stopped_row + 1}"
            return {}, [
                Problem(
                    "excel-corrupt",
                    T("{address}: {message}", address=where, message=sheet.stopped),
                    Location(file, sheet.stopped_row + 1),
                )
            ]
    return {}, [
        Problem(
            "kind-unknown",
            T(
                "{path}: no sheet is a yearly-targets form (a {header} header and one {year} column per "
                "year); write one with {command}",
                path=file,
                header=repr(COL_NAME),
                year=repr(f"{YEAR_WORD} 2024"),
                command=f"`cds-index template {definition.id} --format xlsx`",
            ),
            Location(file),
        )
    ]


def _read_years_form(
    definition: Definition,
    file: str,
    sheet: _Sheet,
    head: list[tuple[int, Row]],
    header: Row,
    header_row: int,
    year_cols: dict[int, int],
    rows: Iterator[tuple[int, Row]],
    number_format: NumberFormat | None = None,
) -> tuple[dict[int, UnitInputs], list[Problem]]:
    title = sheet.title
    facts: dict[str, tuple[Any, int]] = {}
    stored: dict[str, _Cell] = {}
    for number, cells in head:
        label = cells.get(0)
        if label is not None and isinstance(label.value, str) and 1 in cells:
            key = _canonical(_key(label.value))
            facts[key], stored[key] = (_as_input(cells[1], None), number), cells[1]

    def fact(label: str) -> tuple[Any, int]:
        return facts.get(_key(label), (None, 4))

    def address(number: int, col: int) -> Cell:
        text = f"{_ref(title)}!{column_letter(col + 1)}{number}"
        return text, number, col + 1

    declared, row = fact(FACT_DEFINITION)
    if not is_blank(declared) and not names_definition(declared, definition):
        where = address(row, 1)
        return {}, [
            Problem(
                "input-definition",
                T(
                    "{address}: this form is for {declared}, not {definition}",
                    address=where[0],
                    declared=repr(declared),
                    definition=repr(definition.id),
                ),
                Location(file, row, 2, (where[0], "definition")),
            )
        ]
    unit_id, row = fact(FACT_UNIT_ID)
    if is_blank(unit_id) or not plain_id(unit_id):
        where = address(row, 1)
        return {}, [
            Problem(
                "missing-key",
                T("{address}: the form has no unit id ({fact})", address=where[0], fact=FACT_UNIT_ID),
                Location(file, row, 2, (where[0], "unit")),
            )
        ]
    odd = _id_cell(stored.get(_key(FACT_UNIT_ID)), address(row, 1)[0])
    id_problems = []
    if odd is not None:  # as a form of one year reads its id cell (#11)
        where = address(row, 1)
        said = Problem(
            "input-type",
            odd[0],
            Location(file, row, 2, (where[0], "unit")),
            severity="error" if odd[1] else "warning",
        )
        if odd[1]:
            return {}, [said]
        id_problems.append(said)
    unit_id = plain_id(unit_id)  # no invisible character, as every reader of an id (#11)
    unit_name = fact(FACT_UNIT_NAME)[0]
    unit_name = None if is_blank(unit_name) else str(unit_name).strip()
    keys = {i: _canonical(_key(c.value)) for i, c in header.items() if isinstance(c.value, str)}
    name_col = next(i for i, k in keys.items() if k == _key(COL_NAME))
    label_col = next((i for i, k in keys.items() if k == _key(COL_LABEL)), None)
    known = set(keys)
    by_label = _labels(definition)
    raw: dict[int, dict[str, Any]] = {year: {} for year in year_cols.values()}
    at: dict[tuple[int, str], Cell] = {}
    problems: dict[int, list[Problem]] = {year: [] for year in year_cols.values()}
    general: list[Problem] = []
    for number, cells in rows:
        label = cells.get(label_col) if label_col is not None else None
        name = _row_input(definition, by_label, cells.get(name_col), label)
        for col, cell in cells.items():
            if col not in known:
                general.append(
                    _stray(file, title, number, col, cell, T("a value outside the form's columns"))
                )
        input_spec = definition.inputs.get(name) if name is not None else None
        if input_spec is not None and sheet.merges:
            headers = {c: str(header[c].value) for c in year_cols}
            for inside, problem in _merged(file, sheet, number, cells, headers, header_row):
                for c in inside:
                    problems[year_cols[c]].append(problem)
        for col, year in year_cols.items():
            found_cell = cells.get(col)
            if found_cell is None:
                continue
            where = address(number, col)
            if name is None or input_spec is None:
                general.append(
                    Problem(
                        "input-unknown",
                        T(
                            "{address}: a value in a row without a known input name ({input})",
                            address=where[0],
                            input=repr(name),
                        ),
                        Location(file, number, col + 1, (where[0], name or "?")),
                    )
                )
                continue
            if found_cell.problem is not None:
                problems[year].append(_cell_problem(found_cell, file, where, name))
                continue
            value = _as_input(found_cell, input_spec)
            if is_blank(value):
                continue
            raw[year][name] = value.strip() if isinstance(value, str) else value
            at[(year, name)] = where
    units: dict[int, UnitInputs] = {}
    for year, values in raw.items():
        parsed, found = parse_values(
            values, definition.inputs, number_format=number_format or definition.number_format
        )
        names = [str(p.location.path[-1]) if p.location.path else "" for p in found]
        placed = [place(p, file, at.get((year, name)), name) for p, name in zip(found, names, strict=True)]
        units[year] = UnitInputs(
            unit_id,
            unit_name,
            year,
            parsed,
            [*id_problems, *problems[year], *placed],
            f"{file}!{title}",
            definition.inputs,
        )
    return units, general


class _DateSpec:
    """The date column of a form: an Excel date cell is a date."""

    type = "date"
    unit = "1"


_DATE = _DateSpec()


# --- results ----------------------------------------------------------------------------------

RESULT_WORDS: dict[str, Message] = {
    "summary": T("Summary"),
    "rank": T("Rank"),
    "id": T("Unit id"),
    "name": T("Unit name"),
    "total": T("Total"),
    "max": T("Applicable max"),
    "percent": T("Percent of applicable max (%)"),
    "index": T("Index (%)"),
    "bonus": T("Bonus"),
    "with_bonus": T("Total with bonus"),
    "status": T("Status"),
    "problems": T("Problems"),
    "warning": T("Warning"),
    "stt": T("No."),
    "title": T("Criterion"),
    "stated": T("Max points"),
    "self": T("Self-assessed points"),
    "appraised": T("Appraised points"),
    "points": T("Points earned"),
    "explanation": T("Explanation"),
    "ok": T("ok"),
    "invalid": T("invalid data"),
    "failed": T("unreadable"),
    "ranked_by": T("Ranked by"),
    "of": T("of"),
}
"""The results workbook's words (sheet names, headers, statuses), rendered in the workbook's language."""


def _number_code(places: int) -> str:
    """Excel's number format for ``places`` decimals, grouped: ``#,##0.00``.

    The code is locale-independent (``,`` means "group thousands" and ``.`` "the decimal point" in
    the file, whatever the language): Excel shows ``9.500.000,50`` to a reader whose Windows or
    Excel is set to Vietnamese and ``9,500,000.50`` to one set to English. Hard-coding separators
    (``#.##0,00``) would be wrong for both, so the workbook sets only the code.
    """
    return "#,##0." + "0" * places if places else "#,##0"


def _sheet_name(unit_id: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", strip_controls(unit_id))[:31].strip("'") or "unit"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"~{n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _print_setup(ws: Any, title_rows: str) -> None:
    """Printed landscape, one page wide, the header row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows


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

    from ..analyse.ranking import chosen, rank, ties_text

    w = {key: render(word, lang) for key, word in RESULT_WORDS.items()}
    all_rows = list(rows)
    good = [r for r in all_rows if r.ok and r.result is not None]
    by = chosen(definition, by)  # the declared measure unless the caller names another (#13)
    ranks = {r.unit_id: r.rank for r in rank([row.result for row in good if row.result is not None], by)}
    fmt = _number_code(definition.display.decimals)
    bold = Font(bold=True)

    book = openpyxl.Workbook(write_only=True)
    summary = book.create_sheet(w["summary"])

    places = definition.display.decimals

    index_places = (
        definition.index.rounding.places if definition.index.rounding is not None else places
    )  # the index as the decision rounds it (#13)
    index_fmt = _number_code(index_places)

    def styled(
        ws: Any,
        value: Any,
        *,
        font: Any = None,
        number: bool = False,
        wrap: bool = False,
        index: bool = False,
    ) -> Any:
        # numbers as numbers, rounded as displayed (no 44.33333333333334 in the formula bar); text inert
        if isinstance(value, Decimal):
            value = rounded(value, index_places if index else places)
        cell = WriteOnlyCell(ws, value=cell_text(value) if isinstance(value, str) else value)
        if font is not None:
            cell.font = font
        if number and isinstance(value, Decimal):
            cell.number_format = index_fmt if index else fmt
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    with_index = definition.index.exact_scale is not None
    from ..rules.bonus import has_bonus

    bonus = 2 * has_bonus(definition)  # the bonus and the total with it, beside the total (#13)
    for col, width in enumerate(
        [8, 22, 34] + [14] * (len(definition.tree) + 3 + with_index + bonus) + [16, 60], 1
    ):
        summary.column_dimensions[column_letter(col)].width = width
    summary.freeze_panes = "D3"
    from ..analyse.ranking import key_title

    summary.append(
        [
            styled(
                summary,
                f"{definition.title} — {w['ranked_by']}: {key_title(definition, by, lang)} "
                f"({ties_text(definition, lang)})",
                font=Font(bold=True, size=12),
            )
        ]
    )
    head = [w["rank"], w["id"], w["name"]] + [f"{p.id} {p.title} ({p.points})" for p in definition.tree]
    head += [w["total"], w["max"], w["percent"]]
    head += [key_title(definition, "index", lang)] if with_index else []
    head += ([w["bonus"], w["with_bonus"]] if bonus else []) + [w["status"], w["problems"]]
    summary.append([styled(summary, h, font=bold, wrap=True) for h in head])
    ordered = sorted(all_rows, key=lambda r: (r.unit_id not in ranks, ranks.get(r.unit_id, 0), r.unit_id))
    for row in ordered:
        result = row.result
        status = w["ok"] if row.ok else (w["failed"] if result is None else w["invalid"])
        cells: list[Any] = [ranks.get(row.unit_id), row.unit_id, row.unit_name]
        index_at = -1
        if result is not None:
            cells += [p.points for p in result.pillars] + [result.points, result.max, result.percent]
            if with_index:
                index_at = len(cells)
                cells.append(result.index)
            cells += [result.bonus, result.total_with_bonus] if bonus else []
        else:
            cells += [None] * (len(definition.tree) + 3 + with_index + bonus)
        # errors, then warnings (a year outside the version's period, #13), each on a line of its own
        notes = [describe(p, lang) for p in row.problems if p.severity == "error"]
        notes += [f"{w['warning']}: {describe(p, lang)}" for p in row.problems if p.severity == "warning"]
        cells += [status, "\n".join(notes) or None]
        summary.append([styled(summary, c, number=True, index=i == index_at) for i, c in enumerate(cells)])
    summary.auto_filter.ref = f"A2:{column_letter(len(head))}{len(ordered) + 2}"
    _print_setup(summary, "2:2")

    detailed = [row for row in ordered if row.result is not None]
    if len(detailed) > unit_sheets:
        note = render(
            T(
                "Only the first {count} units have a sheet of their own; use --format csv or json for "
                "every criterion of every unit.",
                count=unit_sheets,
            ),
            lang,
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
        _print_setup(ws, "3:3")
        ws.append(
            [
                styled(
                    ws, f"{row.unit_name or row.unit_id} — {definition.title}", font=Font(bold=True, size=12)
                )
            ]
        )
        place_text = (
            f"{w['rank']}: {ranks[row.unit_id]}/{total_ranked} ({key_title(definition, by, lang)}) · "
            f"{w['total']}: {show(result.points, lang, places)}/{show(result.max, lang, places)} "
            f"({w['max'].lower()})"
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
                    styled(ws, key_title(definition, "index", lang), font=bold),
                    styled(ws, result.index_scale, number=True, font=bold),
                    None,
                    None,
                    styled(ws, result.index, number=True, font=bold, index=True),
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
            ws.append([None, styled(ws, describe(problem, lang), wrap=True)])
    book.save(path)
    return len(all_rows), sum(not r.ok for r in all_rows)
