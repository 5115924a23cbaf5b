"""Tables of one row per unit (CSV and Excel alike): header words, the column layout, one row → a unit.

Shared by batch.py (CSV) and excel.py (workbooks), so neither imports the other (#11).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Location, Problem, close_match, did_you_mean
from ..formats.model import Definition
from ..i18n import Message, T
from ..read.inputs import UnitInputs, parse_values
from ..read.literals import NumberFormat, clean, unaccented
from ..read.literals import read_year as literal_year
from .seen import odd_id, plain_id

# Headers that name the unit rather than an input (compared after header_key()).
ID_HEADERS = {"unit_id", "id", "ma", "mã", "mã đơn vị", "ma don vi", "mã đv", "unit"}


NAME_HEADERS = {"unit_name", "name", "tên", "ten", "tên đơn vị", "ten don vi", "đơn vị", "don vi"}


YEAR_HEADERS = {"year", "năm", "nam", "năm đánh giá"}


# A row-number column (Số thứ tự), the first column of most Vietnamese tables: not an input (#9).
ROW_NUMBER_HEADERS = {"stt", "tt", "số thứ tự", "so thu tu", "số tt", "no", "no.", "#"}


# A row whose id or name cell says, or BEGINS with words that say, it is a total, an average or a
# form's footer (`Tổng cộng toàn huyện`, `Trung bình toàn tỉnh`, `Người lập biểu`, `Ghi chú:`) is not
# a unit: scored, a total would rank first (#9, #11).
# These phrases begin no place's name: they are followed by anything after a space or a mark.
SUMMARY_PHRASES = (
    *("tổng cộng", "tổng số", "tổng hợp", "toàn tỉnh", "toàn huyện", "toàn thành phố", "toàn thị xã"),
    *("toàn xã", "toàn quận", "cả tỉnh", "cả huyện", "cả xã", "cả thành phố", "cả thị xã", "cả quận"),
    *("cả nước", "người lập biểu", "người lập bảng", "người lập", "người duyệt", "người kiểm tra"),
    *("thủ trưởng", "ghi chú", "chú thích", "lưu ý", "nơi nhận", "ký tên", "grand total", "prepared by"),
    "average",
)
# These may begin a place's name (`Cộng Hòa`, `Trung Bình Sơn`): only alone, before a mark, or before a
# word that says all (`Cộng toàn huyện`, `Bình quân chung`, `Trung bình:`).
SUMMARY_WORDS = (
    *("tổng", "cộng", "bình quân", "trung bình", "ký", "total", "totals", "sum", "mean", "note", "notes"),
)
_SUMMARY_AFTER = ("toàn", "cả", "chung", "các", "cộng", "số")
_MARKS = ":;,.(/–—-"


@dataclass(frozen=True)
class UnitFailure:
    """A unit (or a file or table row) that could not be read at all: where, who if known, and why."""

    unit_id: str | None
    unit_name: str | None
    source: str
    problems: tuple[Problem, ...]


def header_key(text: Any) -> str:
    """A header as compared: NFC, lower case, single spaces, no trailing colon or asterisk."""
    words = unicodedata.normalize("NFC", clean(str(text))).lower().rstrip(":*").split()
    return " ".join(words)


def _summary_table() -> dict[str, list[tuple[str, str, bool]]]:
    """First word → ``(phrase as compared, phrase as written, followed by any word)``, accented and not."""
    table: dict[str, list[tuple[str, str, bool]]] = {}
    for phrases, free in ((SUMMARY_PHRASES, True), (SUMMARY_WORDS, False)):
        for phrase in phrases:
            for form in dict.fromkeys((phrase, unaccented(phrase))):
                table.setdefault(form.split(" ", 1)[0], []).append((form, phrase, free))
    return table


_SUMMARY = _summary_table()
_AFTER = frozenset(_SUMMARY_AFTER) | {unaccented(w) for w in _SUMMARY_AFTER}


def summary_word(text: Any) -> str | None:
    """The words a cell begins with that make its row a total, an average or a footer, else None.

    Compared as headers are (capitals, spaces), and without accents when the cell is written without
    them (``TONG CONG``); ``Xã Bình Quân``, ``tong-xa`` and ``Cộng Hòa`` are names, not totals.

    >>> summary_word("Tổng cộng toàn huyện"), summary_word("BQ"), summary_word("Ghi chú:")
    ('tổng cộng', None, 'ghi chú')
    >>> summary_word("Trung bình toàn tỉnh"), summary_word("Trung Bình Sơn"), summary_word("tong-xa")
    ('trung bình', None, None)
    >>> summary_word("(Ký, ghi rõ họ tên)"), summary_word("Xã Bình Quân"), summary_word("Cộng Hòa")
    ('ký', None, None)
    """
    key = header_key(text).lstrip("(\"'[ ")  # `(Ký, ghi rõ họ tên)` under a signature
    first = key.split(" ", 1)[0]
    candidates = _SUMMARY.get(first.rstrip(_MARKS)) or _SUMMARY.get(first)
    if not candidates:
        return None
    plain = key.isascii()
    for form, phrase, free in candidates:
        if form.isascii() != plain or not key.startswith(form):
            continue
        rest = key[len(form) :]
        if not rest or rest[0] in _MARKS:
            return phrase
        after = rest[1:].lstrip(_MARKS + " ").split(" ", 1)[0]
        if rest[0] == " " and (free or after in _AFTER or rest[1] in _MARKS):
            return phrase
    return None


def column_letter(index: int) -> str:
    """1 → ``A``, 28 → ``AB`` (spreadsheet column names)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class TableLayout:
    """What each column of a one-row-per-unit table holds, found from its header row."""

    id_col: int
    name_col: int | None
    year_col: int | None
    inputs: dict[int, str]
    """Column (0-based) → input name."""
    unknown: dict[int, Message]
    """Column → why its header is not an input (unknown or ambiguous)."""
    id_found: bool = True
    """Whether a header names the unit id column (else the first column is taken as the id)."""


def input_header_index(definition: Definition) -> dict[str, list[str]]:
    """Header text (input name or Vietnamese label, compared by :func:`header_key`) → input names."""
    index: dict[str, list[str]] = {}
    for name, spec in definition.inputs.items():
        index.setdefault(header_key(name), []).append(name)
        label = header_key(spec.label)
        if name not in index.get(label, []):
            index.setdefault(label, []).append(name)
    return index


# Words of a header naming the units (`Tên xã`, `Xã/phường`, `Cơ quan`): column B so headed holds names.
_NAME_WORDS = re.compile(
    r"\b(tên|ten|đơn vị|don vi|xã|phường|thị trấn|huyện|quận|thị xã|thành phố|cơ quan|sở|ban|ngành|"
    r"địa phương|name)\b"
)


def _names_units(key: str, definition: Definition) -> bool:
    """Whether column B, headed ``key`` (neither an input nor a name header), holds the units' names.

    Only a blank header or one with a word that names units: any other (a misspelt input, an
    abbreviated label, ``Năm``, ``STT``) stays a column of its own, reported on every row with a
    value, never taken for the names with its values lost.
    """
    if not key:
        return True
    if key in ID_HEADERS:
        return False  # a second unit id column (`id,Mã đơn vị,…`): its codes are no names (#12)
    headers = input_header_index(definition)
    if key in YEAR_HEADERS or key in ROW_NUMBER_HEADERS or key in headers:
        return False
    near_input = did_you_mean(key, definition.inputs) or close_match(key, headers)
    return bool(_NAME_WORDS.search(key)) and not near_input


def table_layout(definition: Definition, header: Sequence[Any]) -> TableLayout:
    """Read a header row: unit id and name first (by header word or position), then one column per input.

    An input is named by its name (``staff_total``) or its Vietnamese label; a header that is
    neither, or a label several inputs share, is recorded in ``unknown``.
    """
    lookup = input_header_index(definition)
    keys = [header_key(h) if not is_blank(h) else "" for h in header]
    id_col = next((i for i, k in enumerate(keys) if k in ID_HEADERS), -1)
    id_found = id_col >= 0
    id_col = max(id_col, 0)
    name_col = next((i for i, k in enumerate(keys) if k in NAME_HEADERS and i != id_col), None)
    if name_col is None and len(keys) > 1 and id_col == 0 and _names_units(keys[1], definition):
        name_col = 1  # "first columns unit id and name", whatever words the name's header uses
    year_col = next((i for i, k in enumerate(keys) if k in YEAR_HEADERS), None)
    inputs: dict[int, str] = {}
    unknown: dict[int, Message] = {}
    taken: dict[str, int] = {}
    for i, k in enumerate(keys):
        if i in {id_col, name_col, year_col} or not k:
            continue  # a blank header: each reader reports the values under it (stray cells)
        if k in ROW_NUMBER_HEADERS and k not in lookup:
            continue  # the row number (STT): not an input, not a unit id
        names = lookup.get(k, [])
        if k in ID_HEADERS and not names:
            unknown[i] = T(
                "column {header} is a second unit id column (the id is read from column {column}); "
                "keep one unit id column",
                header=repr(header[i]),
                column=column_letter(id_col + 1),
            )
            continue
        if len(names) == 1 and names[0] not in taken:
            inputs[i] = names[0]
            taken[names[0]] = i
        elif len(names) == 1:
            unknown[i] = T(
                "column {header} repeats input {input} (already in column {column})",
                header=repr(header[i]),
                input=repr(names[0]),
                column=column_letter(taken[names[0]] + 1),
            )
        elif names:
            unknown[i] = T(
                "column {header} is the label of several inputs ({inputs}); use the input name as the header",
                header=repr(header[i]),
                inputs=", ".join(names),
            )
        else:
            hint = did_you_mean(str(header[i]), definition.inputs)
            unknown[i] = (
                T(
                    "column {header} is not an input of this definition; {hint}",
                    header=repr(header[i]),
                    hint=hint,
                )
                if hint
                else T("column {header} is not an input of this definition", header=repr(header[i]))
            )
    return TableLayout(id_col, name_col, year_col, inputs, unknown, id_found)


Cell = tuple[str, int, int]
"""Where a value sits: (address as people write it, 1-based line/row, 1-based column)."""


def table_unit(
    definition: Definition,
    layout: TableLayout,
    row: Sequence[Any],
    *,
    file: str,
    where: Callable[[int], Cell],
    source: str,
    year: int | None,
    number_format: NumberFormat | None = None,
    flagged: bool = False,
) -> UnitInputs | UnitFailure | None:
    """One data row of a table → a unit (``None`` for an empty row). ``where(col)`` places a cell.

    ``flagged``: the row holds a cell the reader refused (an Excel error or formula without value),
    so it is a unit's row even if no other value can be read.

    ``number_format`` is the file's declared way of writing numbers (``vi``/``en``); without it the
    definition's ``number_format``, if any, decides a number with two readings.
    """

    def cell(col: int) -> Any:
        return row[col] if col < len(row) else None

    if all(is_blank(v) for v in row):
        return None
    unit_id = cell(layout.id_col)
    unit_name = cell(layout.name_col) if layout.name_col is not None else None
    unit_name = None if is_blank(unit_name) else clean(str(unit_name)) or None
    if is_blank(unit_id) or not clean(str(unit_id)):
        address, line, column = where(layout.id_col)
        return UnitFailure(
            None,
            unit_name,
            source,
            (
                Problem(
                    "missing-key",
                    T("{address}: this row has values but no unit id", address=address),
                    Location(file, line, column, (address,)),
                ),
            ),
        )
    unit_id = plain_id(unit_id)
    refused = _not_a_unit(layout, row, unit_id, unit_name, flagged)
    if refused is not None:
        address, line, column = where(layout.id_col)
        return UnitFailure(
            None,
            None,
            source,
            (
                Problem(
                    "table-row",
                    T("{address}: {message}", address=address, message=refused),
                    Location(file, line, column, (address,)),
                ),
            ),
        )
    problems: list[Problem] = []
    unit_year = year
    if layout.year_col is not None and not is_blank(cell(layout.year_col)):
        raw_year = cell(layout.year_col)
        read_year, code, message = literal_year(raw_year)
        address, line, column = where(layout.year_col)
        if code:
            problems.append(
                Problem(
                    code,
                    T("{address}: {message}", address=address, message=message),
                    Location(file, line, column, (address, "year")),
                )
            )
        elif year is None:
            unit_year = read_year
        elif read_year != year:  # another year's row: scored as `year`, its figures would pass for them
            return UnitFailure(
                unit_id,
                unit_name,
                source,
                (
                    Problem(
                        "invalid-value",
                        T(
                            "{address}: this row is of {row_year}, and {year} is scored: not scored "
                            "(score {row_year} with --year {row_year}, or leave --year out to score "
                            "each row of its own year)",
                            address=address,
                            row_year=str(read_year),
                            year=str(year),
                        ),
                        Location(file, line, column, (address, "year")),
                    ),
                ),
            )
    raw: dict[str, Any] = {}
    columns: dict[str, int] = {}
    for col, name in layout.inputs.items():
        value = cell(col)
        if not is_blank(value):
            raw[name] = value.strip() if isinstance(value, str) else value
            columns[name] = col
    values, found = parse_values(
        raw, definition.inputs, number_format=number_format or definition.number_format
    )
    for problem in found:
        name = str(problem.location.path[-1]) if problem.location.path else ""
        problems.append(place(problem, file, where(columns[name]) if name in columns else None, name))
    for col, why in layout.unknown.items():
        if not is_blank(cell(col)):
            address, line, column = where(col)
            problems.append(
                Problem(
                    "input-unknown",
                    T(
                        "{address}: {why}; the value {value} was not read",
                        address=address,
                        why=why,
                        value=repr(cell(col)),
                    ),
                    Location(file, line, column, (address, f"column {column_letter(col + 1)}")),
                )
            )
    return UnitInputs(unit_id, unit_name, unit_year, values, problems, source, definition.inputs)


def header_again(definition: Definition, layout: TableLayout, row: Sequence[Any]) -> TableLayout | None:
    """The layout of a row that repeats a header (two tables on one sheet, two files joined): its
    id cell is a header word and it names an input. The rows below it are read by it, not by the
    first header, whose columns may be in another order."""
    cell = row[layout.id_col] if layout.id_col < len(row) else None
    if not isinstance(cell, str) or len(cell) > 40 or header_key(cell) not in ID_HEADERS:
        return None
    again = table_layout(definition, row)
    return again if again.id_found and again.inputs else None


def _not_a_unit(
    layout: TableLayout, row: Sequence[Any], unit_id: str, unit_name: str | None, flagged: bool = False
) -> Message | None:
    """Why a row with an id is no unit: a total, a header repeated, a note alone in the id column, an
    id that is a formula or holds a line break (:func:`~cds_index.io.seen.odd_id`)."""
    odd = odd_id(unit_id)
    if odd is not None:
        return odd
    if header_key(unit_id) in ID_HEADERS:
        return T(
            "the row repeats the header ({id}): a second table, or two files joined? Put each table in "
            "its own file or sheet; the rows below are read by the first header",
            id=repr(unit_id),
        )
    for text in (unit_id, unit_name):
        word = summary_word(text) if text is not None else None
        if word is not None:
            return T(
                "the row {row} begins with {word}: a total, average or footer row is not a unit and "
                "was not scored; delete the row, or, if it is a real unit, give it an id and a name that do "
                "not begin with {word} (a name with its level: 'Xã …', 'Huyện …')",
                row=repr(unit_id) + (f" ({unit_name!r})" if unit_name else ""),
                word=repr(word),
            )
    others = [v for i, v in enumerate(row) if i != layout.id_col and not is_blank(v)]
    if unit_name is None and not others and not flagged and (layout.name_col is not None or " " in unit_id):
        return T(
            "the row holds only {id} in the unit id column and no value: a title or note is not a unit; "
            "delete it, or give the unit its name and values",
            id=repr(unit_id),
        )
    return None


def place(problem: Problem, file: str, cell: Cell | None, name: str) -> Problem:
    """A value's problem, placed at its cell: the address leads the message, the input name ends the path.

    (The evaluator finds refused inputs by the last element of the path, so it stays the name.)
    """
    if cell is None:
        return problem
    address, line, column = cell
    return dataclasses.replace(
        problem,
        message=T("{address}: {message}", address=address, message=problem.message),
        location=Location(file, line, column, (address, name)),
    )


def describe(problem: Problem, lang: str | None = None) -> str:
    """A problem in one line, without the file (the row already names its source), in ``lang``."""
    from ..i18n import render

    return f"[{problem.code}] {render(problem.message, lang)}"
