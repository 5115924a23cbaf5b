"""Many units at once: read folders of inputs files and tables (CSV, Excel), score them, write rows.

Everything here streams: readers yield one unit at a time, :func:`score_many` yields one row at a
time, and the CSV and JSON writers write each row as it comes, so memory does not grow with the
number of units. No unit is dropped silently: a unit whose data cannot be read still gets a row
that names it, the input and the reason.

>>> import cds_index
>>> from cds_index.io.batch import score_many
>>> d = cds_index.load("hai-duong-707-department")
>>> rows = list(score_many(d, ["examples/hai-duong-707-department-so-a.yaml"]))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from ..engine.evaluate import Result, compiled, score
from ..errors import CdsIndexError, Location, Problem, UsageError
from ..formats.model import Definition
from ..i18n import Message, T, render
from ..numbers import Lang
from ..read.inputs import UnitInputs, restated
from ..read.literals import NumberFormat
from ..read.loader import not_utf8, open_input
from ..rules.bonus import has_bonus
from .safe import csv_cell, json_text
from .seen import SeenIds
from .tables import (
    ID_HEADERS,
    NAME_HEADERS,
    YEAR_HEADERS,
    Cell,
    TableLayout,
    UnitFailure,
    column_letter,
    describe,
    header_again,
    input_header_index,
    table_layout,
    table_unit,
)
from .tables import header_key as _key

INPUTS_SUFFIXES = (".yaml", ".yml", ".json")
CSV_SUFFIXES = (".csv", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
UNREAD_SUFFIXES = (".xls", ".xlsb", ".ods", ".numbers")
"""Spreadsheets cds_index cannot open: refused by name, in a folder too, never skipped with their units."""


@dataclass(frozen=True)
class BatchRow:
    """One unit of a batch: its result, or the problems that kept it from being scored.

    A unit with some refused values still has a ``result`` (criteria that need a refused value are
    ``invalid``), and ``problems`` lists the refused values: such a row is not ``ok``.
    """

    unit_id: str
    unit_name: str | None
    source: str | None
    result: Result | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.result is not None and not any(p.severity == "error" for p in self.problems)

    @property
    def label(self) -> str:
        return f"{self.unit_id} ({self.unit_name})" if self.unit_name else self.unit_id


# --- reading ----------------------------------------------------------------------------------


def expand(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Folders become their inputs files and tables (sorted, recursively); files stay as they are.

    A folder's spreadsheets that cannot be read (``.xls``, ``.ods`` …) are yielded too, to be refused
    by name; a folder with nothing to read is yielded itself, for :func:`read_units` to refuse: a
    wrong folder is never an empty batch that exits 0.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            wanted = INPUTS_SUFFIXES + CSV_SUFFIXES + EXCEL_SUFFIXES + UNREAD_SUFFIXES
            empty = True
            for found in sorted(path.rglob("*")):
                # not `is_file()`: a pipe or device named like a table is yielded, and refused by name
                if (
                    found.suffix.lower() in wanted
                    and not found.name.startswith(("~$", "."))
                    and not found.is_dir()
                ):
                    empty = False
                    yield found
            if empty:
                yield path
        else:
            yield path


def _not_read(path: Path) -> UnitFailure | None:
    """The failure of a path that holds no units cds_index can read (an empty folder, an ``.xls``)."""
    file = str(path)
    if path.suffix.lower() in UNREAD_SUFFIXES:
        message = T(
            "{path}: a {suffix} spreadsheet is not read by cds_index (only .xlsx and .xlsm workbooks); "
            "open it in Excel or LibreOffice and save it as 'Excel Workbook (*.xlsx)' or as CSV UTF-8",
            path=file,
            suffix=path.suffix,
        )
        return UnitFailure(None, None, file, (Problem("excel-corrupt", message, Location(file)),))
    if path.is_dir():
        message = T(
            "the folder {path} holds no file to read: units are read from .yaml, .yml, .json, .csv, "
            ".tsv, .xlsx and .xlsm files",
            path=file,
        )
        return UnitFailure(None, None, file, (Problem("file-not-found", message, Location(file)),))
    return None


def read_units(
    definition: Definition,
    paths: Iterable[str | Path],
    *,
    year: int | None = None,
    number_format: NumberFormat | None = None,
) -> Iterator[UnitInputs | UnitFailure]:
    """Every unit in ``paths`` (inputs files, folders of them, CSV files, Excel workbooks), parsed.

    Yields :class:`UnitInputs` (whose ``problems`` name refused values) or :class:`UnitFailure`
    (nothing of the unit could be read). Lazy: a unit is read when it is asked for.
    ``number_format`` (``vi``/``en``) declares how the files write numbers (default: the
    definition's ``number_format``; unset, a number with two readings such as ``1.000`` is refused).

    >>> import cds_index
    >>> d = cds_index.load("hai-duong-707-district")
    >>> units = list(read_units(d, ["districts.csv"]))  # doctest: +SKIP
    """
    for path in expand(paths):
        suffix = path.suffix.lower()
        failure = _not_read(path)
        if failure is not None:
            yield failure
        elif suffix in CSV_SUFFIXES:
            yield from _or_none(path, read_csv(definition, path, year=year, number_format=number_format))
        elif suffix in EXCEL_SUFFIXES:
            from .excel import read_workbook

            handle, problem = open_input(path)  # a device or pipe named .xlsx: refused, not unzipped
            if handle is None:
                assert problem is not None
                yield UnitFailure(None, None, str(path), (problem,))
                continue
            handle.close()
            yield from _or_none(path, read_workbook(definition, path, year=year, number_format=number_format))
        else:
            yield _read_inputs_file(definition, path, year, number_format)


def _or_none(path: Path, units: Iterator[UnitInputs | UnitFailure]) -> Iterator[UnitInputs | UnitFailure]:
    """``units``, or a failure naming ``path`` when it holds none: a table with its header and no row
    below it (a template sent back unfilled, the rows deleted) scored nothing, said nothing and
    ended well (exit 0), where an empty folder is refused (#11)."""
    empty = True
    for unit in units:
        empty = False
        yield unit
    if empty:
        file = str(path)
        message = T(
            "{path}: the table has no unit: no row below its header holds a value; write one row per "
            "unit (its id in the first column, then its values)",
            path=file,
        )
        yield UnitFailure(None, None, file, (Problem("missing-key", message, Location(file)),))


def _read_inputs_file(
    definition: Definition, path: Path, year: int | None, number_format: NumberFormat | None
) -> UnitInputs | UnitFailure:
    from ..read.units_io import read_unit

    unit, problems = read_unit(definition, path, year=year, number_format=number_format)
    if unit is not None:
        return unit
    unit_id = unit_name = None
    try:  # name the unit if the file says who it is, even when the rest is unreadable
        from ..read.loader import read_file

        doc, _ = read_file(path)
        info = doc.data.get("unit") if isinstance(doc.data, Mapping) else None
        if isinstance(info, Mapping):
            unit_id = str(info["id"]) if info.get("id") is not None else None
            unit_name = str(info["name"]) if info.get("name") is not None else None
    except Exception:  # naming is a courtesy; the problems already say what is wrong
        pass
    return UnitFailure(unit_id, unit_name, str(path), tuple(problems))


MAX_TABLE_BYTES = 256 * 1024 * 1024
"""Largest CSV read (bytes actually read): some 500 000 units of 100 values."""
MAX_LINE_BYTES = 1024 * 1024
"""Longest physical line of a CSV; a longer one is refused as a row and reading goes on after it."""
MAX_FIELD = 32 * 1024
"""Longest cell (characters): no input or unit name comes near it."""
MAX_RECORD_LINES = 20
"""Most physical lines one row may span (a quoted cell with line breaks); a quote left open longer is
a broken quote: its row is refused and the lines after it are read as rows again."""
DELIMITERS = (";", ",", "\t")
_SEP = re.compile(r"[ ]*sep=([^\r\n])[ ]*", re.IGNORECASE)
"""Excel's first line naming the delimiter: ``sep=;``, ``sep=,``, ``sep=|``, ``sep=`` and a tab."""
_DELIMITER_NAMES: dict[str, str | Message] = {";": "';'", ",": "','", "\t": T("a tab")}


@dataclass(frozen=True, slots=True)
class _Line:
    """One physical line of a table file: its text, or why it cannot be read."""

    number: int
    text: str | None
    problem: tuple[str, Message, int] | None = None
    """(code, message, 1-based character column) when the line cannot be read."""


def read_csv(
    definition: Definition,
    path: str | Path,
    *,
    year: int | None = None,
    number_format: NumberFormat | None = None,
) -> Iterator[UnitInputs | UnitFailure]:
    """Units from a CSV table (one row per unit), streamed row by row; every row is accounted for.

    UTF-8 (with or without Excel's BOM) or UTF-16 with a BOM; a file in a legacy encoding is refused
    and named. The delimiter (``;`` ``,`` or tab) is decided from the header alone, and a header that
    splits more than one way is refused. Each data row gives a unit, or a :class:`UnitFailure` naming
    its line, column and code (a broken quote, a bad byte, a wrong number of cells, an over-long
    cell): no row ever swallows or drops the rows after it. Problems name the cell as a spreadsheet
    would (``C5``) and the file's line and column.
    """
    path = Path(path)
    file = str(path)
    handle, problem = open_input(path)
    if handle is None:
        assert problem is not None
        yield UnitFailure(None, None, file, (problem,))
        return
    with handle:
        yield from _read_table(definition, _lines(handle, file), file, year, number_format)


def _file_failure(
    file: str, code: str, message: Message, line: int | None = 1, column: int | None = None
) -> UnitFailure:
    return UnitFailure(None, None, file, (Problem(code, message, Location(file, line, column)),))


def _lines(handle: IO[bytes], file: str) -> Iterator[_Line | UnitFailure]:
    """The physical lines of a table file, decoded; a line that cannot be read says why."""
    try:
        size = os.fstat(handle.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        size = 0
    if size > MAX_TABLE_BYTES:
        yield _file_failure(
            file,
            "file-too-large",
            T("the file is {size} bytes; the limit is {limit}", size=size, limit=MAX_TABLE_BYTES),
        )
        return
    start = handle.peek(4)[:4] if isinstance(handle, io.BufferedReader) else b""
    if start.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # UTF-32 (before UTF-16: its BOM
        yield from _utf16_lines(handle, file, "utf-32")  # starts the same), never read as NULs (#12)
        return
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        yield from _utf16_lines(handle, file)
        return
    without_bom = _utf16_without_bom(start)
    if without_bom is not None:  # a header in UTF-16 whose BOM was lost: `M\x00ã\x00…`
        yield from _utf16_lines(handle, file, without_bom)
        return
    total = len(handle.read(3)) if start.startswith(b"\xef\xbb\xbf") else 0
    number = 0
    while True:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        total += len(raw)
        number += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip to the end of the line, counting bytes
                raw = handle.readline(MAX_LINE_BYTES)
                total += len(raw)
                if total > MAX_TABLE_BYTES:
                    break
            yield _Line(
                number,
                None,
                ("table-row", T("the line is longer than {limit} bytes", limit=MAX_LINE_BYTES), 1),
            )
        else:
            body = raw.rstrip(b"\n")
            body = body[:-1] if body.endswith(b"\r") else body
            yield _decode_line(number, body)
        if total > MAX_TABLE_BYTES:
            yield _file_failure(
                file,
                "file-too-large",
                T(
                    "the file grew beyond {limit} bytes while read; lines after {line} were not read",
                    limit=MAX_TABLE_BYTES,
                    line=str(number),
                ),
                number,
            )
            return


def _lone_returns(lines: Iterator[_Line | UnitFailure]) -> Iterator[_Line | UnitFailure]:
    """Lines split at a lone carriage return as well (a file whose line endings were mixed by
    copying rows from an old program): ``a;1\rb;2`` is two rows, as any editor shows it, never
    one row that hides the second unit. Lines are numbered as an editor numbers them."""
    extra = 0
    for line in lines:
        if isinstance(line, UnitFailure):
            yield line
            continue
        if line.text is None or "\r" not in line.text:
            yield dataclasses.replace(line, number=line.number + extra) if extra else line
            continue
        pieces = line.text.split("\r")
        for offset, piece in enumerate(pieces):
            yield _Line(line.number + extra + offset, piece)
        extra += len(pieces) - 1


def _decode_line(number: int, body: bytes) -> _Line:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        column = len(body[: exc.start].decode("utf-8", "replace")) + 1
        return _Line(number, None, ("file-encoding", not_utf8(body[exc.start : exc.start + 1]), column))
    if "\x00" in text:
        return _Line(
            number,
            None,
            (
                "file-encoding",
                T("the line holds NUL bytes (a binary or UTF-16 file?); save it as CSV UTF-8"),
                text.index("\x00") + 1,
            ),
        )
    return _Line(number, text)


def _utf16_without_bom(start: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the first two characters are UTF-16 without a BOM (a
    header starts with letters, whose second UTF-16 byte is NUL): no UTF-8 text starts so."""
    if len(start) < 4:
        return None
    if start[0] and not start[1] and start[2] and not start[3]:
        return "utf-16-le"
    if not start[0] and start[1] and not start[2] and start[3]:
        return "utf-16-be"
    return None


def _utf16_lines(handle: IO[bytes], file: str, encoding: str = "utf-16") -> Iterator[_Line | UnitFailure]:
    """The lines of a UTF-16 (or UTF-32) file, decoded as they are read: one line in memory at a time,
    never the whole file and its copies (a 200 MB export held about 1 GB, #12)."""
    stream = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="\n")
    number = total = 0
    try:
        while True:
            line = stream.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            total += 2 * len(line)  # at least two bytes a character
            line = line.lstrip("\ufeff") if number == 1 else line
            if len(line) > MAX_LINE_BYTES and not line.endswith("\n"):
                while line and not line.endswith("\n") and total <= MAX_TABLE_BYTES:
                    line = stream.readline(MAX_LINE_BYTES)  # skip to the end of the line, counting
                    total += 2 * len(line)
                yield _Line(
                    number,
                    None,
                    ("table-row", T("the line is longer than {limit} characters", limit=MAX_LINE_BYTES), 1),
                )
            else:
                line = line[:-1] if line.endswith("\n") else line
                line = line[:-1] if line.endswith("\r") else line
                if "\ufffd" in line:
                    yield _Line(
                        number,
                        None,
                        ("file-encoding", T("the line is not valid UTF-16"), line.index("\ufffd") + 1),
                    )
                else:
                    yield _Line(number, line)
            if total > MAX_TABLE_BYTES:
                yield _file_failure(
                    file,
                    "file-too-large",
                    T("the file is larger than {limit} bytes, the limit", limit=MAX_TABLE_BYTES),
                    number,
                )
                return
    finally:
        stream.detach()  # the caller's handle stays open: it closes it


def _split(lines: Sequence[str], delimiter: str) -> list[str] | str:
    """The cells of one record made of ``lines``, or why it cannot be split (``"open"``: a quote open)."""
    try:
        records = list(csv.reader([line + "\n" for line in lines], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "open" if "unexpected end of data" in str(exc) else str(exc)
    if len(records) != 1:
        return "open" if not records else "several records"
    return records[0]


def _quote_column(text: str, delimiter: str) -> int:
    """The 1-based character column of the quote that breaks a line: one never closed, or one
    followed by more text before the next delimiter."""
    quoted = False
    cell_start = opened = 0
    i = 0
    while i < len(text):
        char = text[i]
        if quoted:
            if char == '"':
                if text[i + 1 : i + 2] == '"':
                    i += 2
                    continue
                quoted = False
                if i + 1 < len(text) and text[i + 1] != delimiter:
                    return opened + 1
        elif char == delimiter:
            cell_start = i + 1
        elif char == '"' and i == cell_start:
            quoted, opened = True, i
        i += 1
    return opened + 1


def _cell_index(text: str, column: int, delimiter: str) -> int:
    """The 0-based cell at character ``column`` (1-based) of a line, counting delimiters before it."""
    before = text[: column - 1]
    cells = _split([before], delimiter)
    return len(cells) - 1 if isinstance(cells, list) and cells else before.count(delimiter)


_TITLE_SCAN = 40
"""Lines looked at for the header below an office's title rows (as the workbook reader does)."""


def _header_delimiter(definition: Definition, line: _Line, forced: str | None, file: str) -> str | None:
    """The delimiter of ``line`` if it is a table's header (it names the unit id column and an input)."""
    if line.text is None or "\r" in line.text:
        return None
    if forced is not None:
        cells = _split([line.text], forced)
        layout = table_layout(definition, cells) if isinstance(cells, list) else None
        delimiter = forced
    else:
        chosen = _choose_delimiter(definition, line.text, file)
        if isinstance(chosen, UnitFailure):
            return None
        delimiter, _, layout = chosen
    return delimiter if layout is not None and layout.id_found and layout.inputs else None


def _past_titles(
    definition: Definition,
    first: _Line,
    lines: Iterator[_Line | UnitFailure],
    forced: str | None,
    file: str,
) -> tuple[_Line, Iterator[_Line | UnitFailure]]:
    """The header below the title rows an office puts above a table (``BÁO CÁO SỐ LIỆU…``, a blank
    line, ``Đơn vị:,Huyện A``), and the lines after it: a title is no header and no unit (#12).

    Titles are lines that read, with at most two cells that are not blank, above a header within
    :data:`_TITLE_SCAN` lines; anything else (a data row above the header) and ``first`` stays the
    header, refused as before: a row of values is never passed over as a title.
    """
    head: list[_Line | UnitFailure] = []
    for line in lines:
        head.append(line)
        if isinstance(line, UnitFailure) or line.text is None or len(head) > _TITLE_SCAN:
            break
        delimiter = _header_delimiter(definition, line, forced, file)
        if delimiter is None:
            continue
        titles = [first, *head[:-1]]
        if all(_title(title, delimiter) for title in titles):
            return line, lines
        break
    return first, itertools.chain(head, lines)


def _title(line: _Line | UnitFailure, delimiter: str) -> bool:
    """Whether a line above the header is a title: it reads, and holds at most two cells with text."""
    if isinstance(line, UnitFailure) or line.text is None:
        return False
    cells = _split([line.text], delimiter)
    return isinstance(cells, list) and sum(1 for cell in cells if cell.strip()) <= 2


def _choose_delimiter(
    definition: Definition, header: str, file: str
) -> tuple[str, list[str], TableLayout] | UnitFailure:
    """The delimiter the header is split by: the one character among ``; , tab`` that splits it.

    A header that more than one of them can split (a label holds a comma) is split by the one whose
    every column is a known header word or input (not merely placed: a second column is otherwise
    taken as the name); if none or several are, the header is refused as ambiguous.
    """
    candidates: list[tuple[str, list[str], TableLayout]] = []
    for delimiter in DELIMITERS:
        cells = _split([header], delimiter)
        if isinstance(cells, list) and len(cells) > 1:
            candidates.append((delimiter, cells, table_layout(definition, cells)))
        elif isinstance(cells, str) and delimiter in header:
            return _file_failure(
                file,
                "table-header",
                T("the header cannot be split: {why}; check its quotes", why=cells),
                1,
                _quote_column(header, delimiter),
            )
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return _file_failure(
            file,
            "table-header",
            T(
                "the header has a single column: separate the columns with ';', ',' or a tab, "
                "and start with the unit id ('Mã đơn vị')"
            ),
        )
    words = ID_HEADERS | NAME_HEADERS | YEAR_HEADERS | set(input_header_index(definition))
    clean = [c for c in candidates if c[2].id_found and all(_key(h) in words for h in c[1] if h.strip())]
    if len(clean) == 1:
        return clean[0]
    ways = [
        T("by {delimiter} into {count} columns", delimiter=_DELIMITER_NAMES[d], count=len(cells))
        for d, cells, _ in candidates
    ]
    return _file_failure(
        file,
        "table-header",
        T(
            "the header can be split {ways}; use one delimiter, and put a header that holds "
            'the other character in double quotes ("Tỷ lệ, %")',
            ways=_either(ways),
        ),
    )


def _either(parts: Sequence[Message]) -> Message:
    """``a, or b, or c`` as one message, each part rendered in the reader's language."""
    joined = parts[0]
    for part in parts[1:]:
        joined = T("{first}, or {second}", first=joined, second=part)
    return joined


def _read_table(
    definition: Definition,
    lines: Iterator[_Line | UnitFailure],
    file: str,
    year: int | None,
    number_format: NumberFormat | None,
) -> Iterator[UnitInputs | UnitFailure]:
    """Header, then every record: each non-blank record yields exactly one unit or failure."""
    first = next(lines, None)
    if isinstance(first, UnitFailure):
        yield first
        return
    sep = _SEP.fullmatch(first.text) if first is not None and first.text is not None else None
    if sep is not None:
        forced: str | None = sep.group(1)  # Excel's `sep=;` line names the delimiter (a tab too)
        first = next(lines, None)
        if isinstance(first, UnitFailure):
            yield first
            return
    else:
        forced = None
    if first is not None and _header_delimiter(definition, first, forced, file) is None:
        first, lines = _past_titles(definition, first, lines, forced, file)
    if first is None or (first.text is not None and not first.text.strip(" ,;\t")):
        yield _file_failure(
            file,
            "table-header",
            T("the file is empty: the first line must be the header ('Mã đơn vị', 'Tên đơn vị', …)"),
        )
        return
    if first.text is None:
        assert first.problem is not None
        code, message, column = first.problem
        yield _file_failure(file, code, T("the header cannot be read: {why}", why=message), 1, column)
        return
    if "\r" in first.text:
        yield _file_failure(
            file,
            "table-header",
            T(
                "the lines end with a carriage return only (an old Mac format), so the whole file "
                "reads as one line; save it as CSV UTF-8"
            ),
            first.number,
        )
        return
    if forced is not None:
        cells = _split([first.text], forced)
        if forced in {'"', " "} or isinstance(cells, str):
            why = (
                cells
                if isinstance(cells, str)
                else T("{delimiter} cannot separate cells", delimiter=repr(forced))
            )
            yield _file_failure(
                file, "table-header", T("the header cannot be split: {why}", why=why), first.number
            )
            return
        chosen: tuple[str, list[str], TableLayout] | UnitFailure = (
            forced,
            cells,
            table_layout(definition, cells),
        )
    else:
        chosen = _choose_delimiter(definition, first.text, file)
    if isinstance(chosen, UnitFailure):
        yield chosen
        return
    delimiter, header, layout = chosen
    lines = _lone_returns(lines)
    if not layout.id_found:
        yield _file_failure(
            file,
            "table-header",
            T(
                "the header has no unit id column: name the first column 'Mã đơn vị' (or unit_id, id, "
                "mã); the header read is {header}",
                header=", ".join(map(repr, header[:4])) + (", …" if len(header) > 4 else ""),
            ),
            first.number,
        )
        return
    width = len(header)
    placed = {layout.id_col, layout.name_col, layout.year_col}
    blank = [i for i, h in enumerate(header) if not h.strip() and i not in placed]
    records = accounted = 0
    pushed: list[_Line | UnitFailure] = []

    def following() -> _Line | UnitFailure | None:
        return pushed.pop() if pushed else next(lines, None)

    while True:
        line = following()
        if line is None:
            break
        if isinstance(line, UnitFailure):
            records += 1
            accounted += 1
            yield line
            continue
        if line.text is not None and not line.text.strip(" \t" + delimiter):
            continue  # a blank row: not a unit
        records += 1

        def refuse(
            code: str,
            message: Message,
            column: int,
            cells: Sequence[str] = (),
            line: _Line = line,
            layout: TableLayout = layout,
        ) -> UnitFailure:
            unit_id = (
                cells[layout.id_col].strip()
                if layout.id_col < len(cells) and cells[layout.id_col].strip()
                else None
            )
            name = None
            if (
                layout.name_col is not None
                and layout.name_col < len(cells)
                and cells[layout.name_col].strip()
            ):
                name = cells[layout.name_col].strip()
            return UnitFailure(
                unit_id,
                name,
                f"{file}:{line.number}",
                (
                    Problem(
                        code,
                        T("line {line}: {message}", line=str(line.number), message=message),
                        Location(file, line.number, column, (f"line {line.number}",)),
                    ),
                ),
            )

        if line.text is None:
            assert line.problem is not None
            code, message, column = line.problem
            accounted += 1
            yield refuse(code, message, column)
            continue
        cells_or_why = _split([line.text], delimiter)
        span = [line]
        if cells_or_why == "open":
            # a quoted cell runs on: take the next lines until it closes, within MAX_RECORD_LINES
            while cells_or_why == "open" and len(span) < MAX_RECORD_LINES:
                more = following()
                if more is None or isinstance(more, UnitFailure) or more.text is None:
                    if more is not None:
                        pushed.append(more)
                    break
                span.append(more)
                cells_or_why = _split([s.text for s in span if s.text is not None], delimiter)
            if not isinstance(cells_or_why, list) or len(cells_or_why) != width:
                pushed.extend(reversed(span[1:]))  # read again as rows of their own
                span = [line]
                column = _quote_column(line.text, delimiter)
                letter = column_letter(_cell_index(line.text, column, delimiter) + 1)
                prefix = _split([line.text[: column - 1]], delimiter)
                accounted += 1
                yield refuse(
                    "table-row",
                    T(
                        'the quote opened in column {column} is never closed on this row; close it ("Xã A") '
                        "or remove it",
                        column=letter,
                    ),
                    column,
                    prefix if isinstance(prefix, list) else (),
                )
                continue
        if isinstance(cells_or_why, str):
            accounted += 1
            yield refuse(
                "table-row",
                T(
                    "the row cannot be split into cells ({why}): a cell that starts with a quote "
                    'must end with it ("Xã A"), and a quote inside it is written twice ("")',
                    why=cells_or_why,
                ),
                _quote_column(line.text, delimiter),
            )
            continue
        cells = cells_or_why
        long = next((i for i, c in enumerate(cells) if len(c) > MAX_FIELD), None)
        if long is not None:
            accounted += 1
            yield refuse(
                "table-row",
                T(
                    "cell {cell} holds {count} characters; the limit is {limit}",
                    cell=f"{column_letter(long + 1)}{line.number}",
                    count=len(cells[long]),
                    limit=MAX_FIELD,
                ),
                long + 1,
                cells,
            )
            continue
        again = header_again(definition, layout, cells)
        if again is not None:  # a header again: the rows below are read by it
            records -= 1
            layout, header, width = again, cells, len(cells)
            placed = {layout.id_col, layout.name_col, layout.year_col}
            blank = [i for i, h in enumerate(header) if not h.strip() and i not in placed]
            continue
        while len(cells) > width and not cells[-1].strip():
            cells = cells[:-1]  # trailing empty cells, as spreadsheets write them
        if len(cells) != width:
            accounted += 1
            yield refuse(
                "table-row",
                T(
                    "the row has {count} cells but the header {width}: a value holds an unquoted "
                    "{delimiter} or a cell is missing; no value of this row was read",
                    count=len(cells),
                    width=width,
                    delimiter=_DELIMITER_NAMES.get(delimiter, repr(delimiter)),
                ),
                min(len(cells), width) + 1,
                cells,
            )
            continue
        number = line.number

        def where(col: int, line: int = number) -> Cell:
            return f"{column_letter(col + 1)}{line}", line, col + 1

        unit = table_unit(
            definition,
            layout,
            cells,
            file=file,
            where=where,
            source=f"{file}:{number}",
            year=year,
            number_format=number_format,
        )
        if isinstance(unit, UnitInputs):
            unit.problems.extend(
                Problem(
                    "input-unknown",
                    T(
                        "{cell}: column {column} has no header; the value {value} was not read (give the "
                        "column a header, or delete the value)",
                        cell=f"{column_letter(col + 1)}{number}",
                        column=column_letter(col + 1),
                        value=repr(cells[col]),
                    ),
                    Location(file, number, col + 1, (f"{column_letter(col + 1)}{number}",)),
                )
                for col in blank
                if cells[col].strip()
            )
        if unit is None:
            records -= 1  # every cell blank: not a unit
            continue
        accounted += 1
        yield unit
    if records != accounted:  # a bug in us: say so rather than lose a row
        yield _file_failure(
            file,
            "internal",
            T(
                "{read} rows read but {accounted} accounted for; please report this",
                read=records,
                accounted=accounted,
            ),
        )


# --- scoring ----------------------------------------------------------------------------------


Source = str | Path | UnitInputs | UnitFailure


@dataclass
class Tally:
    """Where every row of a batch went: ``read == scored + refused``, checked when the batch ends.

    A row is *scored* when it has a result (some of its values may still be refused: it is then not
    ``ok``), *refused* when nothing of it could be scored (an unreadable row or file, a unit id seen
    twice). Blank rows are not units and are not counted.
    """

    read: int = 0
    scored: int = 0
    refused: int = 0
    with_problems: int = 0

    def add(self, row: BatchRow) -> None:
        self.read += 1
        if row.result is None:
            self.refused += 1
        else:
            self.scored += 1
        self.with_problems += not row.ok

    def check(self) -> None:
        if self.read != self.scored + self.refused:  # pragma: no cover - a bug in us
            raise CdsIndexError(f"{self.read} units read but {self.scored + self.refused} accounted for")

    def line(self, lang: Lang | None = None) -> str:
        """``12 đơn vị đã đọc = 11 đã chấm + 1 bị từ chối; 2 có lỗi số liệu`` (in ``lang``)."""
        counts = {"read": self.read, "scored": self.scored, "refused": self.refused}
        if self.with_problems:
            text = T(
                "{read} units read = {scored} scored + {refused} refused; {problems} with problems",
                problems=self.with_problems,
                **counts,
            )
        else:
            text = T("{read} units read = {scored} scored + {refused} refused", **counts)
        return render(text, lang)


def score_many(
    definition: Definition,
    sources: Iterable[Source],
    *,
    year: int | None = None,
    lang: Lang = "vi",
    number_format: NumberFormat | None = None,
    tally: Tally | None = None,
) -> Iterator[BatchRow]:
    """Score every unit in ``sources``: paths (files, folders, tables) or units already read.

    One :class:`BatchRow` per unit, in the order read; a unit that cannot be scored still gets a
    row with its problems. A unit id seen twice is refused on the second row. ``tally``, if given,
    counts the rows as they go (read = scored + refused, checked at the end).

    A definition with rank criteria (#13) is scored in two passes over ``sources``: the first keeps
    only each unit's value of each ranked measure (:func:`cds_index.engine.evaluate.standings`), the
    second scores and yields the rows, so memory still does not grow with the units' values or
    results. Files are read twice; a one-shot iterator of sources is listed first (its units are then
    held).

    >>> import cds_index
    >>> d = cds_index.load("hai-duong-707-district")
    >>> for row in score_many(d, ["districts.csv"]):  # doctest: +SKIP
    ...     print(row.unit_id, row.result.points if row.ok else row.problems)
    """
    if definition.scoring != "points":
        raise UsageError(
            Problem(
                "usage",
                T(
                    "{definition} has yearly targets, not points: batch scoring and ranking need a "
                    "points definition",
                    definition=definition.id,
                ),
            )
        )
    seen = SeenIds()  # a fingerprint per unit, no object per unit (#11)
    counts = tally if tally is not None else Tally()
    peers = None
    if compiled(definition).ranked:  # the first pass: the batch's values of the ranked measures
        from ..engine.evaluate import standings

        if isinstance(sources, Iterator):
            sources = list(sources)
        peers = standings(definition, _first_of_each(_units(definition, sources, year, number_format)))
    for unit in _units(definition, sources, year, number_format):
        if isinstance(unit, UnitFailure):
            label = unit.unit_id or f"<{Path(unit.source).name}>"
            row = BatchRow(label, unit.unit_name, unit.source, None, unit.problems)
        elif not seen.add(unit.unit_id):
            twice = Problem(
                "invalid-value",
                T(
                    "unit id {id} appears twice (also earlier in this batch; ids are compared without "
                    "regard to capitals, spaces or how the accents were typed); this row is not scored: "
                    "give each unit its own id",
                    id=repr(unit.unit_id),
                ),
                Location(unit.source, path=("unit", "id")),
            )
            row = BatchRow(unit.unit_id, unit.unit_name, unit.source, None, (*unit.problems, twice))
        else:
            result = score(definition, unit, lang=lang, peers=peers)
            # found by scoring: input constraints, undated meetings (#10), a year outside the period (#16)
            problems = [*unit.problems, *result.problems[len(unit.problems) :]]
            row = BatchRow(unit.unit_id, unit.unit_name, unit.source, result, tuple(problems))
        counts.add(row)
        yield row
    counts.check()


def _first_of_each(units: Iterable[UnitInputs | UnitFailure]) -> Iterator[UnitInputs]:
    """The units the second pass scores: a unit id seen before (in any spelling) is refused there, so
    its values must not stand in the batch's ranking either."""
    seen = SeenIds()
    for unit in units:
        if isinstance(unit, UnitInputs) and seen.add(unit.unit_id):
            yield unit


def _units(
    definition: Definition, sources: Iterable[Source], year: int | None, number_format: NumberFormat | None
) -> Iterator[UnitInputs | UnitFailure]:
    if isinstance(sources, str | bytes | Path) or not isinstance(sources, Iterable):
        raise UsageError(
            Problem(
                "usage",
                T(
                    "score_many() takes a list of sources (paths of files, folders and tables, or units "
                    "already read), e.g. ['districts.csv']; got {type}",
                    type=type(sources).__name__,
                ),
            )
        )
    for source in sources:
        if isinstance(source, UnitInputs) and year is not None and source.year != year:
            yield restated(source, year)  # the batch's year, as for a file read here (#11)
        elif isinstance(source, UnitInputs | UnitFailure):
            yield source
        elif isinstance(source, str | Path):
            yield from read_units(definition, [source], year=year, number_format=number_format)
        else:
            raise UsageError(
                Problem(
                    "usage",
                    T(
                        "a source is a path or a unit read by read_units(), got {type}: to score values "
                        "in memory, call cds_index.score(definition, values)",
                        type=type(source).__name__,
                    ),
                )
            )


# --- writing ----------------------------------------------------------------------------------


COLUMN_TITLES: dict[str, Message] = {
    "unit_id": T("Unit id"),
    "unit_name": T("Unit name"),
    "status": T("Status"),
    "points": T("Total points"),
    "max": T("Maximum points"),
    "percent": T("Percent (%)"),
    "index": T("Index (%)"),
    "bonus": T("Bonus points"),
    "total_with_bonus": T("Total points with the bonus"),
    "problems": T("Data problems"),
    "warnings": T("Warnings"),
    "source": T("Source"),
    # a ranking's columns (`cds-index rank --format csv`)
    "rank": T("Rank"),
    "score": T("Score"),
    "gap_above": T("Gap to the unit above"),
    "gap_to_first": T("Gap to the first"),
    "gap_to_max": T("Gap to the maximum"),
    "applicable_max": T("Applicable maximum"),
    "total_rank": T("Rank by total points"),
}
"""The title of each stable column key, in the reader's language (CSV ``--headers vi|en``, the terminal)."""

STATUS_WORDS: dict[str, Message] = {"ok": T("ok"), "invalid": T("invalid data"), "failed": T("unreadable")}
"""A row's status for people; ``--headers keys`` keeps the keys (``ok``, ``invalid``, ``failed``)."""

Headers = str
"""``keys`` (the stable column keys, one header row: for programs), ``vi`` or ``en`` (titles for people)."""
HEADERS = ("keys", "vi", "en")


def summary_keys(definition: Definition) -> list[str]:
    """The stable keys of a batch summary's columns: unit, status, each pillar, total, index, …"""
    columns = ["unit_id", "unit_name", "status"]
    columns += [pillar.id for pillar in definition.tree]
    columns += ["points", "max", "percent"]
    if definition.index.exact_scale is not None:
        columns.append("index")
    if has_bonus(definition):  # the bonus beside the total, never in it (#13)
        columns += ["bonus", "total_with_bonus"]
    columns += ["problems", "warnings", "source"]
    return columns


def column_titles(
    columns: Sequence[str], headers: Headers = "keys", definition: Definition | None = None
) -> list[str]:
    """The header row of ``columns`` (stable keys): the keys themselves, or their titles in ``vi``/``en``.

    A pillar's column is its id and title (``I Nhận thức số``: the decision's words, in both
    languages); a ranking's ``<key>_rank`` column is the rank by that key.
    """
    if headers == "keys":
        return list(columns)
    pillars = {p.id: p.title for p in definition.tree} if definition is not None else {}

    def title(key: str) -> str:
        if key in COLUMN_TITLES:
            return render(COLUMN_TITLES[key], headers)
        if key in pillars:
            return f"{key} {pillars[key]}"
        if key.endswith("_rank") and key[:-5]:
            return render(T("Rank by {key}", key=title(key[:-5])), headers)
        return key

    return [title(c) for c in columns]


def summary_columns(definition: Definition, lang: Lang | None = None) -> list[str]:
    """The titles of a batch summary's columns in ``lang`` (the terminal's header; CSV ``--headers``)."""
    from ..i18n import choose_language

    return column_titles(summary_keys(definition), choose_language(lang), definition)


def summary_cells(
    definition: Definition, row: BatchRow, *, statuses: bool = False, lang: str | None = None
) -> list[Any]:
    """One row's summary cells as values: text, ``Decimal`` points, ``None`` where nothing applies.

    The status is its key (``ok``, ``invalid``, ``failed``); with ``statuses`` a :class:`Message`
    (rendered in the reader's language). The problems are rendered in ``lang`` (default: the
    current language, :func:`cds_index.i18n.choose_language`).
    """
    result = row.result
    status: str = "ok" if row.ok else ("failed" if result is None else "invalid")
    cells: list[Any] = [row.unit_id, row.unit_name or "", STATUS_WORDS[status] if statuses else status]
    bonus = has_bonus(definition)
    if result is None:
        cells += [None] * (len(definition.tree) + 3 + (definition.index.exact_scale is not None) + 2 * bonus)
    else:
        cells += [p.points for p in result.pillars]
        cells += [result.points, result.max, result.percent]
        if definition.index.exact_scale is not None:
            cells.append(result.index)
        if bonus:
            cells += [result.bonus, result.total_with_bonus]
    cells.append(" | ".join(describe(p, lang) for p in row.problems if p.severity == "error"))
    # scored, but to be read with care: a year outside the version's period (#13, #16), a clamp …
    cells.append(" | ".join(describe(p, lang) for p in row.problems if p.severity == "warning"))
    cells.append(row.source or "")
    return cells


def summary_values(
    definition: Definition, row: BatchRow, fmt: Callable[[Decimal | None], str], lang: str | None = None
) -> list[str]:
    """One row's summary cells as text in ``lang`` (status and problems), numbers written by ``fmt``."""
    return [
        fmt(c) if c is None or isinstance(c, Decimal) else render(c, lang)
        for c in summary_cells(definition, row, statuses=True, lang=lang)
    ]


BOM = "\ufeff"
"""Written first in a CSV file, so that Excel reads it as UTF-8 and shows Vietnamese as written."""


def write_csv(
    definition: Definition,
    rows: Iterable[BatchRow],
    stream: IO[str],
    *,
    headers: Headers = "keys",
    number_format: NumberFormat | None = None,
    exact: bool = False,
    bom: bool = False,
) -> tuple[int, int]:
    """Write a summary CSV row by row; return ``(units, failed)``.

    Numbers are rounded to the definition's ``display.decimals`` (every digit with ``exact``) and
    written for programs (``9500000.5``) unless ``number_format`` (``vi``: ``9.500.000,5``; ``en``:
    ``9,500,000.5``); text cells cannot start a formula (:func:`cds_index.io.safe.cell_text`).
    The header row holds the stable column keys (``unit_id``, ``points``, …) unless ``headers`` is
    ``vi`` or ``en`` (titles, and statuses, in that language: see docs/batch.md); ``bom`` writes
    Excel's UTF-8 mark first.
    """
    places = None if exact else definition.display.decimals
    keys = summary_keys(definition)
    writer = table_writer(
        stream, column_titles(keys, headers, definition), bom=bom, number_format=number_format
    )
    statuses = headers != "keys"
    lang = headers if statuses else None  # titles for people: their problems in the same language
    count = failed = 0
    for row in rows:
        writer(summary_cells(definition, row, statuses=statuses, lang=lang), places)
        count += 1
        failed += not row.ok
    return count, failed


def table_writer(
    stream: IO[str],
    columns: Sequence[str],
    *,
    bom: bool = False,
    number_format: NumberFormat | None = None,
) -> Callable[[Sequence[Any], int | None], None]:
    """Write ``columns`` as a CSV header; return a function writing one row of values.

    Every CSV this package writes goes through here: cells by :func:`cds_index.io.safe.csv_cell`
    (numbers in ``number_format``, default the plain ``9500000.5``), a :class:`Message` rendered in
    the reader's language. Cells are separated by ``,``, or by ``;`` with ``number_format="vi"``,
    whose decimal comma is Excel's list separator in a Vietnamese locale.
    """
    if bom:
        stream.write(BOM)
    # a decimal comma: cells separated by ';', as Excel in a Vietnamese locale reads and writes CSV
    writer = csv.writer(stream, delimiter=";" if number_format == "vi" else ",", lineterminator="\n")
    writer.writerow([csv_cell(c) for c in columns])

    def write(values: Sequence[Any], places: int | None) -> None:
        writer.writerow(
            [csv_cell(render(v) if isinstance(v, Message) else v, places, number_format) for v in values]
        )

    return write


def row_dict(row: BatchRow, *, rounded: bool = False) -> dict[str, Any]:
    """A row as JSON: ``Result.to_dict()`` plus ``ok`` and ``source``; a failure has no points."""
    if row.result is not None:
        data = row.result.to_dict(rounded=rounded)
        data["problems"] = [p.to_dict() for p in row.problems]
    else:
        data = {
            "unit": {"id": row.unit_id, "name": row.unit_name},
            "points": None,
            "problems": [p.to_dict() for p in row.problems],
        }
    data["ok"] = row.ok
    data["source"] = row.source
    return data


def write_json(rows: Iterable[BatchRow], stream: IO[str], *, rounded: bool = False) -> tuple[int, int]:
    """Write a JSON array of rows, one row at a time; return ``(units, failed)``."""
    count = failed = 0
    stream.write("[")
    for row in rows:
        stream.write(",\n" if count else "\n")
        stream.write(json_text(json.dumps(row_dict(row, rounded=rounded), ensure_ascii=False, default=str)))
        count += 1
        failed += not row.ok
    stream.write("\n]\n" if count else "]\n")
    return count, failed


__all__ = [
    "BatchRow",
    "Tally",
    "UnitFailure",
    "column_letter",
    "expand",
    "read_csv",
    "read_units",
    "row_dict",
    "score_many",
    "table_layout",
    "write_csv",
    "write_json",
]
