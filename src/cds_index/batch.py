"""Many units at once: read folders of inputs files and tables (CSV, Excel), score them, write rows.

Everything here streams: readers yield one unit at a time, :func:`score_many` yields one row at a
time, and the CSV and JSON writers write each row as it comes, so memory does not grow with the
number of units. No unit is dropped silently: a unit whose data cannot be read still gets a row
that names it, the input and the reason.

>>> import cds_index
>>> from cds_index.batch import score_many
>>> d = cds_index.load("hai-duong-707-department")
>>> rows = list(score_many(d, ["examples/hai-duong-707-department-so-a.yaml"]))  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import dataclasses
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from .errors import Location, Problem, UsageError
from .evaluate import Result, score
from .inputs import UnitInputs, parse_values
from .model import Definition
from .numbers import Lang, show
from .safe import csv_cell, json_text, terminal

INPUTS_SUFFIXES = (".yaml", ".yml", ".json")
CSV_SUFFIXES = (".csv", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

# Headers that name the unit rather than an input (compared after _key()).
ID_HEADERS = {"unit_id", "id", "ma", "mã", "mã đơn vị", "ma don vi", "mã đv", "unit"}
NAME_HEADERS = {"unit_name", "name", "tên", "ten", "tên đơn vị", "ten don vi", "đơn vị", "don vi"}
YEAR_HEADERS = {"year", "năm", "nam", "năm đánh giá"}


@dataclass(frozen=True)
class UnitFailure:
    """A unit (or a file or table row) that could not be read at all: where, who if known, and why."""

    unit_id: str | None
    unit_name: str | None
    source: str
    problems: tuple[Problem, ...]


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
    """Folders become their inputs files and tables (sorted, recursively); files stay as they are."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            wanted = INPUTS_SUFFIXES + CSV_SUFFIXES + EXCEL_SUFFIXES
            for found in sorted(path.rglob("*")):
                if (
                    found.is_file()
                    and found.suffix.lower() in wanted
                    and not found.name.startswith(("~$", "."))
                ):
                    yield found
        else:
            yield path


def read_units(
    definition: Definition, paths: Iterable[str | Path], *, year: int | None = None
) -> Iterator[UnitInputs | UnitFailure]:
    """Every unit in ``paths`` (inputs files, folders of them, CSV files, Excel workbooks), parsed.

    Yields :class:`UnitInputs` (whose ``problems`` name refused values) or :class:`UnitFailure`
    (nothing of the unit could be read). Lazy: a unit is read when it is asked for.

    >>> import cds_index
    >>> d = cds_index.load("hai-duong-707-district")
    >>> units = list(read_units(d, ["districts.csv"]))  # doctest: +SKIP
    """
    for path in expand(paths):
        suffix = path.suffix.lower()
        if suffix in CSV_SUFFIXES:
            yield from read_csv(definition, path, year=year)
        elif suffix in EXCEL_SUFFIXES:
            from .excel import read_workbook

            yield from read_workbook(definition, path, year=year)
        else:
            yield _read_inputs_file(definition, path, year)


def _read_inputs_file(definition: Definition, path: Path, year: int | None) -> UnitInputs | UnitFailure:
    from .units_io import read_unit

    unit, problems = read_unit(definition, path, year=year)
    if unit is not None:
        return unit
    unit_id = unit_name = None
    try:  # name the unit if the file says who it is, even when the rest is unreadable
        from .loader import read_file

        doc, _ = read_file(path)
        info = doc.data.get("unit") if isinstance(doc.data, Mapping) else None
        if isinstance(info, Mapping):
            unit_id = str(info["id"]) if info.get("id") is not None else None
            unit_name = str(info["name"]) if info.get("name") is not None else None
    except Exception:  # naming is a courtesy; the problems already say what is wrong
        pass
    return UnitFailure(unit_id, unit_name, str(path), tuple(problems))


def _key(text: Any) -> str:
    """A header as compared: NFC, lower case, single spaces, no trailing colon or asterisk."""
    words = unicodedata.normalize("NFC", str(text)).strip().lower().rstrip(":*").split()
    return " ".join(words)


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
    unknown: dict[int, str]
    """Column → why its header is not an input (unknown or ambiguous)."""


def input_header_index(definition: Definition) -> dict[str, list[str]]:
    """Header text (input name or Vietnamese label, compared by :func:`_key`) → input names."""
    index: dict[str, list[str]] = {}
    for name, spec in definition.inputs.items():
        index.setdefault(_key(name), []).append(name)
        label = _key(spec.label)
        if name not in index.get(label, []):
            index.setdefault(label, []).append(name)
    return index


def table_layout(definition: Definition, header: Sequence[Any]) -> TableLayout:
    """Read a header row: unit id and name first (by header word or position), then one column per input.

    An input is named by its name (``staff_total``) or its Vietnamese label; a header that is
    neither, or a label several inputs share, is recorded in ``unknown``.
    """
    lookup = input_header_index(definition)
    keys = [_key(h) if not is_blank(h) else "" for h in header]
    id_col = next((i for i, k in enumerate(keys) if k in ID_HEADERS), 0)
    name_col = next((i for i, k in enumerate(keys) if k in NAME_HEADERS and i != id_col), None)
    if name_col is None and len(keys) > 1 and id_col == 0 and keys[1] not in lookup:
        name_col = 1  # "first columns unit id and name", whatever the second header says
    year_col = next((i for i, k in enumerate(keys) if k in YEAR_HEADERS), None)
    inputs: dict[int, str] = {}
    unknown: dict[int, str] = {}
    taken: dict[str, int] = {}
    for i, k in enumerate(keys):
        if i in {id_col, name_col, year_col} or not k:
            continue
        names = lookup.get(k, [])
        if len(names) == 1 and names[0] not in taken:
            inputs[i] = names[0]
            taken[names[0]] = i
        elif len(names) == 1:
            unknown[i] = (
                f"column {header[i]!r} repeats input {names[0]!r} (already in column "
                f"{column_letter(taken[names[0]] + 1)})"
            )
        elif names:
            unknown[i] = (
                f"column {header[i]!r} is the label of several inputs ({', '.join(names)}); "
                "use the input name as the header"
            )
        else:
            from .inputs import _close

            hint = _close(str(header[i]), definition.inputs)
            unknown[i] = f"column {header[i]!r} is not an input of this definition" + (
                f"; {hint}" if hint else ""
            )
    return TableLayout(id_col, name_col, year_col, inputs, unknown)


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
) -> UnitInputs | UnitFailure | None:
    """One data row of a table → a unit (``None`` for an empty row). ``where(col)`` places a cell."""

    def cell(col: int) -> Any:
        return row[col] if col < len(row) else None

    if all(is_blank(v) for v in row):
        return None
    unit_id = cell(layout.id_col)
    unit_name = cell(layout.name_col) if layout.name_col is not None else None
    unit_name = None if is_blank(unit_name) else str(unit_name).strip()
    if is_blank(unit_id):
        address, line, column = where(layout.id_col)
        return UnitFailure(
            None,
            unit_name,
            source,
            (
                Problem(
                    "missing-key",
                    f"{address}: this row has values but no unit id",
                    Location(file, line, column, (address,)),
                ),
            ),
        )
    unit_id = _plain_text(unit_id)
    problems: list[Problem] = []
    unit_year = year
    if layout.year_col is not None and year is None and not is_blank(cell(layout.year_col)):
        raw_year = cell(layout.year_col)
        try:
            unit_year = int(Decimal(str(raw_year).strip()))
        except ArithmeticError:
            address, line, column = where(layout.year_col)
            problems.append(
                Problem(
                    "input-type",
                    f"{address}: the year {raw_year!r} is not a year",
                    Location(file, line, column, (address, "year")),
                )
            )
    raw: dict[str, Any] = {}
    columns: dict[str, int] = {}
    for col, name in layout.inputs.items():
        value = cell(col)
        if not is_blank(value):
            raw[name] = value.strip() if isinstance(value, str) else value
            columns[name] = col
    values, found = parse_values(raw, definition.inputs)
    for problem in found:
        name = str(problem.location.path[-1]) if problem.location.path else ""
        problems.append(place(problem, file, where(columns[name]) if name in columns else None, name))
    for col, why in layout.unknown.items():
        if not is_blank(cell(col)):
            address, line, column = where(col)
            problems.append(
                Problem(
                    "input-unknown",
                    f"{address}: {why}; the value {cell(col)!r} was not read",
                    Location(file, line, column, (address, f"column {column_letter(col + 1)}")),
                )
            )
    return UnitInputs(unit_id, unit_name, unit_year, values, problems, source)


def place(problem: Problem, file: str, cell: Cell | None, name: str) -> Problem:
    """A value's problem, placed at its cell: the address leads the message, the input name ends the path.

    (The evaluator finds refused inputs by the last element of the path, so it stays the name.)
    """
    if cell is None:
        return problem
    address, line, column = cell
    return dataclasses.replace(
        problem,
        message=f"{address}: {problem.message}",
        location=Location(file, line, column, (address, name)),
    )


def _plain_text(value: Any) -> str:
    """A unit id cell as text: 12.0 read from a spreadsheet is ``12``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv(
    definition: Definition, path: str | Path, *, year: int | None = None
) -> Iterator[UnitInputs | UnitFailure]:
    """Units from a CSV table (one row per unit), streamed row by row.

    UTF-8 (with or without Excel's BOM); the delimiter (``,`` ``;`` or tab) is guessed from the
    header. Problems name the cell as a spreadsheet would (``C5``) and the file's line and column.
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        yield UnitFailure(
            None,
            None,
            str(path),
            (Problem("file-not-found", f"cannot read {path}: {exc}", Location(str(path))),),
        )
        return
    with handle:
        try:
            first = handle.readline()
        except UnicodeDecodeError as exc:
            yield UnitFailure(
                None,
                None,
                str(path),
                (Problem("file-not-found", f"{path} is not UTF-8 text: {exc}", Location(str(path), 1, 1)),),
            )
            return
        delimiter = max([",", ";", "\t"], key=first.count)
        reader = csv.reader(_chain_first(first, handle), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        layout = table_layout(definition, header)
        try:
            for row in reader:
                line = reader.line_num

                def where(col: int, line: int = line) -> Cell:
                    return f"{column_letter(col + 1)}{line}", line, col + 1

                unit = table_unit(
                    definition, layout, row, file=str(path), where=where, source=f"{path}:{line}", year=year
                )
                if unit is not None:
                    yield unit
        except (csv.Error, UnicodeDecodeError) as exc:
            yield UnitFailure(
                None,
                None,
                str(path),
                (
                    Problem(
                        "input-type",
                        f"{path}: the CSV cannot be read after line {reader.line_num}: {exc}",
                        Location(str(path), reader.line_num),
                    ),
                ),
            )


def _chain_first(first: str, rest: IO[str]) -> Iterator[str]:
    yield first
    yield from rest


# --- scoring ----------------------------------------------------------------------------------


Source = str | Path | UnitInputs | UnitFailure


def score_many(
    definition: Definition,
    sources: Iterable[Source],
    *,
    year: int | None = None,
    lang: Lang = "vi",
) -> Iterator[BatchRow]:
    """Score every unit in ``sources``: paths (files, folders, tables) or units already read.

    One :class:`BatchRow` per unit, in the order read; a unit that cannot be scored still gets a
    row with its problems. A unit id seen twice is flagged on the second row.

    >>> import cds_index
    >>> d = cds_index.load("hai-duong-707-district")
    >>> for row in score_many(d, ["districts.csv"]):  # doctest: +SKIP
    ...     print(row.unit_id, row.result.points if row.ok else row.problems)
    """
    if definition.scoring != "points":
        raise UsageError(
            Problem(
                "usage",
                f"{definition.id} has yearly targets, not points: "
                "batch scoring and ranking need a points definition",
            )
        )
    seen: dict[str, str | None] = {}
    for unit in _units(definition, sources, year):
        if isinstance(unit, UnitFailure):
            label = unit.unit_id or f"<{Path(unit.source.split(':')[0]).name}>"
            yield BatchRow(label, unit.unit_name, unit.source, None, unit.problems)
            continue
        problems = list(unit.problems)
        if unit.unit_id in seen:
            problems.append(
                Problem(
                    "invalid-value",
                    f"unit id {unit.unit_id!r} appears twice (also in {seen[unit.unit_id]})",
                    Location(unit.source, path=("unit", "id")),
                )
            )
        else:
            seen[unit.unit_id] = unit.source
        result = score(definition, unit, lang=lang)
        # found by scoring: input constraints, undated meetings (#10), a year outside the period (#16)
        problems.extend(result.problems[len(unit.problems) :])
        yield BatchRow(unit.unit_id, unit.unit_name, unit.source, result, tuple(problems))


def _units(
    definition: Definition, sources: Iterable[Source], year: int | None
) -> Iterator[UnitInputs | UnitFailure]:
    for source in sources:
        if isinstance(source, UnitInputs | UnitFailure):
            yield source
        else:
            yield from read_units(definition, [source], year=year)


# --- writing ----------------------------------------------------------------------------------


def summary_columns(definition: Definition, lang: Lang = "vi") -> list[str]:
    """The columns of a batch summary (CSV and table): unit, status, each pillar, total, index."""
    vi = lang == "vi"
    columns = ["unit_id", "unit_name", "status"]
    columns += [pillar.id for pillar in definition.tree]
    columns += ["points", "max", "percent"]
    if definition.index.method != "sum":
        columns.append("index")
    columns += ["problems", "source"]
    if vi:
        names = {
            "unit_id": "Mã đơn vị",
            "unit_name": "Tên đơn vị",
            "status": "Trạng thái",
            "points": "Tổng điểm",
            "max": "Điểm tối đa",
            "percent": "Tỷ lệ (%)",
            "index": "Chỉ số (%)",
            "problems": "Lỗi số liệu",
            "source": "Nguồn",
        }
        return [names.get(c, c) for c in columns]
    return columns


def summary_cells(definition: Definition, row: BatchRow) -> list[Any]:
    """One row's summary cells as values: text, ``Decimal`` points, ``None`` where nothing applies."""
    result = row.result
    status = "ok" if row.ok else ("failed" if result is None else "invalid")
    cells: list[Any] = [row.unit_id, row.unit_name or "", status]
    if result is None:
        cells += [None] * (len(definition.tree) + 3 + (definition.index.method != "sum"))
    else:
        cells += [p.points for p in result.pillars]
        cells += [result.points, result.max, result.percent]
        if definition.index.method != "sum":
            cells.append(result.index)
    cells.append(" | ".join(describe(p) for p in row.problems if p.severity == "error"))
    cells.append(row.source or "")
    return cells


def summary_values(definition: Definition, row: BatchRow, fmt: Callable[[Decimal | None], str]) -> list[str]:
    """One row's summary cells as text, numbers written by ``fmt``."""
    return [fmt(c) if c is None or isinstance(c, Decimal) else str(c) for c in summary_cells(definition, row)]


def describe(problem: Problem) -> str:
    """A problem in one line, without the file (the row already names its source)."""
    return f"[{problem.code}] {problem.message}"


BOM = "\ufeff"
"""Written first in a CSV file, so that Excel reads it as UTF-8 and shows Vietnamese as written."""


def write_csv(
    definition: Definition,
    rows: Iterable[BatchRow],
    stream: IO[str],
    *,
    lang: Lang = "en",
    exact: bool = False,
    bom: bool = False,
) -> tuple[int, int]:
    """Write a summary CSV row by row; return ``(units, failed)``.

    Numbers are rounded to the definition's ``display.decimals`` (every digit with ``exact``) and
    written with a decimal point; text cells cannot start a formula (:func:`cds_index.safe.cell_text`).
    Headers are the English column names (machine-readable) unless ``lang="vi"``; ``bom`` writes
    Excel's UTF-8 mark first.
    """
    places = None if exact else definition.display.decimals
    writer = table_writer(stream, summary_columns(definition, lang), bom=bom)
    count = failed = 0
    for row in rows:
        writer(summary_cells(definition, row), places)
        count += 1
        failed += not row.ok
    return count, failed


def table_writer(
    stream: IO[str], columns: Sequence[str], *, bom: bool = False
) -> Callable[[Sequence[Any], int | None], None]:
    """Write ``columns`` as a CSV header; return a function writing one row of values.

    Every CSV this package writes goes through here: cells by :func:`cds_index.safe.csv_cell`.
    """
    if bom:
        stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([csv_cell(c) for c in columns])

    def write(values: Sequence[Any], places: int | None) -> None:
        writer.writerow([csv_cell(v, places) for v in values])

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


def table_line(definition: Definition, row: BatchRow, lang: Lang = "vi") -> str:
    """One unit as a line of the terminal summary, and its problems indented below."""
    places = definition.display.decimals
    cells = summary_values(definition, row, lambda d: "" if d is None else show(d, lang, places))
    cells = [terminal(c).replace("\n", " ") for c in cells]  # names and messages come from the data
    problems = cells[-2]
    body = cells[:-2]
    name = (body[1][:28] + "…") if len(body[1]) > 29 else body[1]
    numbers = " ".join(f"{c:>10}" for c in body[3:])
    text = f"{body[0]:<20} {name:<30} {body[2]:<8} {numbers}"
    if problems:
        text += "".join(f"\n    {p}" for p in problems.split(" | "))
    return text.rstrip()


def table_header(definition: Definition, lang: Lang = "vi") -> str:
    columns = summary_columns(definition, lang)[:-2]
    name = columns[1][:29]
    numbers = " ".join(f"{c[:10]:>10}" for c in columns[3:])
    return f"{columns[0]:<20} {name:<30} {columns[2]:<8} {numbers}".rstrip()


__all__ = [
    "BatchRow",
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
