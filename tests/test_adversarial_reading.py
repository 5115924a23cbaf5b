"""An adversarial corpus for the reading layer (#9): values and files as officials really produce them.

Each case asserts its outcome: the value read as the person meant it, or a refusal with a stable code
(and, for files, the line and column). Nothing here may raise, hang, or lose a row.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import unicodedata
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import cds_index
from cds_index.cli import main
from cds_index.engine.targets import NOT_APPLICABLE, evaluate_year
from cds_index.errors import InputError
from cds_index.formats.model import Definition, InputDef
from cds_index.io.batch import MAX_FIELD, BatchRow, Tally, read_csv, read_units, score_many
from cds_index.read import loader
from cds_index.read.inputs import UnitInputs, coerce, parse_values
from cds_index.read.registry import load, load_file

from .conftest import TINY, mutate

D = Decimal
INTEGER = InputDef(label="Số cán bộ", type="integer", unit="person", min=D(0))
NUMBER = InputDef(label="Kinh phí (triệu đồng)", type="number", unit="1")
PERCENT = InputDef(label="Tỷ lệ", type="number", unit="percent", min=D(0), max=D(100))
BOOLEAN = InputDef(label="Có kế hoạch", type="boolean")
DATE = InputDef(label="Ngày ban hành", type="date")

# TINY, with a decimal input beside its counts, so a table can carry every kind of number
TABLE_DEF = mutate(
    TINY,
    (
        "  staff_trained: {label: Số cán bộ được đào tạo, type: integer, unit: person, min: 0}\n",
        "  staff_trained: {label: Số cán bộ được đào tạo, type: integer, unit: person, min: 0}\n"
        "  budget: {label: Kinh phí, type: number, unit: '1', min: 0}\n",
    ),
)
HEADER = "Mã đơn vị,Tên đơn vị,has_plan,staff,staff_trained,budget"


@pytest.fixture(scope="module")
def table_def(tmp_path_factory: pytest.TempPathFactory) -> Definition:
    path = tmp_path_factory.mktemp("def") / "tiny.yaml"
    path.write_text(TABLE_DEF, encoding="utf-8")
    return load_file(path)


# --- numbers as people write them ------------------------------------------------------------

READ_AS_MEANT = [
    # Vietnamese: '.' (or a space) between thousands, ',' before decimals
    ("9.500", INTEGER, D(9500)),
    ("1.250.000", INTEGER, D(1250000)),
    ("1.250.000", NUMBER, D(1250000)),  # two dots: only a thousands reading
    ("9 500", INTEGER, D(9500)),
    ("9\u00a0500", INTEGER, D(9500)),  # a no-break space, as Word and Excel put it
    ("9\u202f500", NUMBER, D(9500)),  # a narrow no-break space
    ("1 250 000", NUMBER, D(1250000)),
    ("1.250,5", NUMBER, D("1250.5")),
    ("1 250,5", NUMBER, D("1250.5")),
    ("0,5", NUMBER, D("0.5")),
    ("0,500", NUMBER, D("0.5")),  # a leading 0 is never a thousands group
    ("12,75", NUMBER, D("12.75")),
    ("-2,5", NUMBER, D("-2.5")),
    ("\u22122,5", NUMBER, D("-2.5")),  # a minus sign typed by Word
    ("+7", INTEGER, D(7)),
    ("1.000", INTEGER, D(1000)),  # a count: one thousand people, never one
    ("100.000", INTEGER, D(100000)),
    ("9,500", INTEGER, D(9500)),  # an English spreadsheet; 9,5 people is no count
    # English: ',' between thousands, '.' before decimals
    ("1,250,000", NUMBER, D(1250000)),
    ("1,250.5", NUMBER, D("1250.5")),
    ("0.5", NUMBER, D("0.5")),
    ("12.5", NUMBER, D("12.5")),
    ("0.125", NUMBER, D("0.125")),
    # plain digits, and what machines write
    ("007", INTEGER, D(7)),
    (" 42 ", INTEGER, D(42)),
    ("１２", INTEGER, D(12)),  # full-width digits from an East Asian keyboard
    ("1e3", NUMBER, D(1000)),
    ("2.5E-3", NUMBER, D("0.0025")),
    ("1000000000000000", NUMBER, D(10) ** 15),  # the documented bound is inclusive
    ("0.00000000000000000001", NUMBER, D("1e-20")),
    ("12.000000000000000000000000", INTEGER, D(12)),  # trailing zeros are not precision
    # Python values (the library and the HTTP API)
    (12, INTEGER, D(12)),
    (0.1, NUMBER, D("0.1")),
    (2.0, INTEGER, D(2)),
    (D("3.50"), NUMBER, D("3.5")),
    (D("0E+999999"), NUMBER, D(0)),  # zero, whatever its exponent
    (-(10**15), NUMBER, -(D(10) ** 15)),
    # percentages for a percent input
    ("85%", PERCENT, D(85)),
    ("85 %", PERCENT, D(85)),
    ("87,5%", PERCENT, D("87.5")),
    ("45.5%", PERCENT, D("45.5")),
    ("100", PERCENT, D(100)),
    ("0%", PERCENT, D(0)),
    # declared number formats are in test_declared_number_format
]


@pytest.mark.parametrize(("raw", "spec", "value"), READ_AS_MEANT, ids=[repr(c[0]) for c in READ_AS_MEANT])
def test_numbers_read_as_meant(raw: Any, spec: InputDef, value: Decimal) -> None:
    got, code, message = coerce(raw, spec)
    assert (code, message) == (None, None)
    assert got == value and isinstance(got, Decimal)


REFUSED_NUMBERS = [
    # two readings and no declared format: refused, saying both and how to write it
    ("1.000", NUMBER, "input-ambiguous", "1000"),
    ("9.500", NUMBER, "input-ambiguous", "9,5"),
    ("1,000", NUMBER, "input-ambiguous", "1000"),
    ("100.000", PERCENT, "input-ambiguous", "--number-format"),
    ("-1.000", NUMBER, "input-ambiguous", "-1000"),
    # not numbers
    ("12 người", INTEGER, "input-type", "write 12, not '12 người'"),  # what to write (#12)
    ("1.2.3", NUMBER, "input-type", "0,5"),
    ("1.25.000", NUMBER, "input-type", "'1.25.000'"),  # a group of two digits
    ("1.250 000", NUMBER, "input-type", "'1.250 000'"),  # two different separators
    ("1,250.000,5", NUMBER, "input-type", "'1,250.000,5'"),
    ("", NUMBER, "input-type", "''"),
    ("--5", NUMBER, "input-type", "'--5'"),
    ("½", NUMBER, "input-type", "'½'"),
    ("٣", INTEGER, "input-type", "'٣'"),  # an Arabic-Indic digit: not a digit an official writes
    ("0x10", INTEGER, "input-type", "'0x10'"),
    ("1_000", INTEGER, "input-type", "'1_000'"),
    ("x" * 10_000, NUMBER, "input-type", "10000 characters"),  # never parsed at length
    ([1, 2], NUMBER, "input-type", "[1, 2]"),
    ({"a": 1}, NUMBER, "input-type", "{'a': 1}"),
    (True, INTEGER, "input-type", "True"),
    # a percent sign where the input is not a percentage
    ("85%", INTEGER, "input-type", "percent sign"),
    ("85%", NUMBER, "input-type", "percent sign"),
    # whole numbers
    ("2,5", INTEGER, "input-type", "whole number"),
    (D("2.5"), INTEGER, "input-type", "whole number"),
    # infinities and not-a-numbers, in every spelling and type
    ("Infinity", NUMBER, "input-type", "finite"),
    ("-inf", NUMBER, "input-type", "finite"),
    ("NaN", NUMBER, "input-type", "finite"),
    ("sNaN", NUMBER, "input-type", "finite"),
    ("∞", NUMBER, "input-type", "finite"),
    (float("inf"), NUMBER, "input-type", "finite"),
    (float("-inf"), NUMBER, "input-type", "finite"),
    (float("nan"), NUMBER, "input-type", "finite"),
    (D("Infinity"), NUMBER, "input-type", "finite"),
    (D("NaN"), NUMBER, "input-type", "finite"),
    (D("sNaN"), NUMBER, "input-type", "finite"),
    # beyond the documented magnitude and precision
    ("1e400", NUMBER, "input-range", "10^15"),
    ("1e9999999", NUMBER, "input-range", "10^15"),
    ("1e99999999999999999999", NUMBER, "input-range", "10^15"),
    ("1000000000000001", NUMBER, "input-range", "10^15"),
    ("-1.000.000.000.000.001", NUMBER, "input-range", "10^15"),
    (1e300, NUMBER, "input-range", "10^15"),
    (10**400, NUMBER, "input-range", "401 digits"),
    (10**5000, INTEGER, "input-range", "5001 digits"),  # never printed, never a 4300-digit error
    (D("9e999999"), NUMBER, "input-range", "10^15"),
    (D(10) ** 16, NUMBER, "input-range", "10^15"),
    ("0.000000000000000000001", NUMBER, "input-range", "20 decimal places"),
    (D("1e-21"), NUMBER, "input-range", "20 decimal places"),
    (D("0.1234567890123456789012345678901234567"), NUMBER, "input-range", "decimal places"),
    (D("123456789012345.12345678901234567891"), NUMBER, "input-range", "34 significant digits"),
    # the input's own bounds
    ("-1", INTEGER, "input-range", "minimum 0"),
    ("101%", PERCENT, "input-range", "maximum 100"),
]


def short_id(raw: Any) -> str:
    if isinstance(raw, int) and raw.bit_length() > 1000:
        return f"int of {raw.bit_length()} bits"
    return repr(raw)[:30]


@pytest.mark.parametrize(
    ("raw", "spec", "code", "words"), REFUSED_NUMBERS, ids=[short_id(c[0]) for c in REFUSED_NUMBERS]
)
def test_numbers_refused_with_a_code(raw: Any, spec: InputDef, code: str, words: str) -> None:
    value, got, message = coerce(raw, spec)
    assert (value, got) == (None, code)
    assert message is not None and words in message
    assert len(message) < 500  # a huge value is never echoed whole


@pytest.mark.parametrize(
    ("raw", "fmt", "value"),
    [
        ("1.000", "vi", D(1000)),
        ("1.000", "en", D(1)),
        ("1,000", "vi", D(1)),
        ("1,000", "en", D(1000)),
        ("9.500", "vi", D(9500)),
        ("0,5", "en", D("0.5")),  # one reading only: the declaration decides nothing here
        ("1.250,5", "en", D("1250.5")),
    ],
)
def test_declared_number_format(raw: str, fmt: Any, value: Decimal) -> None:
    assert coerce(raw, NUMBER, number_format=fmt) == (value, None, None)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ({1: 2}, "input-unknown"),  # a name that is not text (the Python API)
        ({None: 1}, "input-unknown"),
        ({("staff",): 1}, "input-unknown"),
        ({"staff": b"12"}, "input-type"),
        ({"staff": object()}, "input-type"),
        ({"staff": {"value": [1]}}, "input-type"),
        (None, "input-type"),  # not a mapping at all
        ([("staff", 1)], "input-type"),
    ],
)
def test_odd_values_from_python_are_problems(raw: Any, code: str) -> None:
    values, problems = parse_values(raw, {"staff": INTEGER})
    assert values == {} and [p.code for p in problems] == [code]


# --- dates -----------------------------------------------------------------------------------

DATES = [
    ("20/06/2025", dt.date(2025, 6, 20)),
    ("6/2/2025", dt.date(2025, 2, 6)),  # day first: 6 February
    ("01/03/2024", dt.date(2024, 3, 1)),
    ("20-06-2025", dt.date(2025, 6, 20)),
    ("20.06.2025", dt.date(2025, 6, 20)),
    ("2025-06-20", dt.date(2025, 6, 20)),
    ("2025-06-20 00:00:00", dt.date(2025, 6, 20)),  # an Excel date cell saved as text
    (" 29/02/2024 ", dt.date(2024, 2, 29)),
    (dt.datetime(2025, 6, 20, 8, 0), dt.date(2025, 6, 20)),
]


@pytest.mark.parametrize(("raw", "value"), DATES, ids=[repr(c[0]) for c in DATES])
def test_dates_read_day_first(raw: Any, value: dt.date) -> None:
    assert coerce(raw, DATE) == (value, None, None)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("06/20/2025", "perhaps 20/06/2025"),  # month first: no month 20
        ("12/31/2024", "perhaps 31/12/2024"),
        ("31/02/2025", "not a date of the calendar"),
        ("29/02/2023", "not a date of the calendar"),
        ("20/06/25", "20/06/2025"),  # a two-digit year is refused, not guessed
        ("20/06-2025", "20/06/2025"),
        ("ngày 20 tháng 6", "20/06/2025"),
        ("2025-13-01", "not a date of the calendar"),
        (20250620, "20/06/2025"),
    ],
)
def test_dates_refused(raw: Any, words: str) -> None:
    value, code, message = coerce(raw, DATE)
    assert (value, code) == (None, "input-type")
    assert message is not None and words in message


# --- yes / no --------------------------------------------------------------------------------

BOOLEANS = [
    ("có", True),
    ("Có", True),
    ("CÓ", True),
    ("Co\u0301", True),  # NFD: o + combining acute
    ("không", False),
    ("Không", False),
    ("kho\u0302ng", False),  # NFD
    ("đạt", True),
    ("Đạt", True),
    ("không đạt", False),
    ("Không  đạt", False),  # two spaces
    ("chưa đạt", False),
    ("x", True),
    ("X", True),
    ("yes", True),
    ("No", False),
    ("TRUE", True),
    ("false", False),
    ("1", True),
    ("0", False),
    (1, True),
    (0, False),
    (1.0, True),
    (D(0), False),
]


@pytest.mark.parametrize(("raw", "value"), BOOLEANS, ids=[repr(c[0]) for c in BOOLEANS])
def test_booleans(raw: Any, value: bool) -> None:
    assert coerce(raw, BOOLEAN) == (value, None, None)


@pytest.mark.parametrize("raw", ["có thể", "2", 2, "đạt 50%", "-", "?", 0.5])
def test_booleans_refused(raw: Any) -> None:
    value, code, message = coerce(raw, BOOLEAN)
    assert (value, code) == (None, "input-type")
    assert message is not None and "'có' or 'không'" in message


# --- CSV files -------------------------------------------------------------------------------


def outcome(row: BatchRow) -> tuple[Any, ...]:
    """A row as compared: ``("ok", id)``, ``("invalid", id, codes)`` or ``("refused", line, code)``."""
    if row.result is None:
        problem = row.problems[-1]
        return ("refused", problem.location.line, problem.code)
    if row.ok:
        return ("ok", row.unit_id)
    return ("invalid", row.unit_id, tuple(p.code for p in row.problems))


def read_table(definition: Definition, path: Path) -> list[tuple[Any, ...]]:
    tally = Tally()
    rows = [outcome(r) for r in score_many(definition, [path], tally=tally)]
    assert tally.read == len(rows) == tally.scored + tally.refused
    return rows


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores Vietnamese: a letter with its tone as a letter and a combining mark."""
    out = b""
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        for cut in (len(parts), 2, 1):
            try:
                out += unicodedata.normalize("NFC", parts[:cut]).encode("cp1258")
                out += parts[cut:].encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
    return out


OK_ROWS = "a1,Xã A,có,10,5,1\na2,Xã B,không,20,10,2\n"

CSV_CASES: list[tuple[str, bytes, list[tuple[Any, ...]]]] = [
    # --- quotes
    (
        "unterminated quote does not swallow the rows after it",
        (HEADER + '\na1,"Xã 500,có,10,5,1\na2,Xã B,có,20,10,2\na3,Xã C,có,30,15,3\n').encode(),
        [("refused", 2, "table-row"), ("ok", "a2"), ("ok", "a3")],
    ),
    (
        "unterminated quote in the last row",
        (HEADER + "\n" + OK_ROWS + 'a3,"Xã C,có,30,15,3\n').encode(),
        [("ok", "a1"), ("ok", "a2"), ("refused", 4, "table-row")],
    ),
    (
        "a quote in the middle of a cell is text",
        (HEADER + '\na1,Trường "Hoa Sen",có,10,5,1\n').encode(),
        [("ok", "a1")],
    ),
    (
        "a quoted cell with the delimiter and a doubled quote",
        (HEADER + '\na1,"Xã A, huyện ""B""",có,10,5,1\n').encode(),
        [("ok", "a1")],
    ),
    (
        "a quoted name over two lines is one row",
        (HEADER + '\na1,"Xã A\nthôn 2",có,10,5,1\na2,Xã B,có,20,10,2\n').encode(),
        [("ok", "a1"), ("ok", "a2")],
    ),
    (
        "text after a closing quote",
        (HEADER + '\na1,"Xã A"B,có,10,5,1\n' + "a2,Xã B,có,20,10,2\n").encode(),
        [("refused", 2, "table-row"), ("ok", "a2")],
    ),
    (
        "two broken quotes in a row of rows",
        (HEADER + '\na1,"Xã A,có,10,5,1\na2,"Xã B,có,20,10,2\na3,Xã C,có,30,15,3\n').encode(),
        [("refused", 2, "table-row"), ("refused", 3, "table-row"), ("ok", "a3")],
    ),
    # --- bytes and encodings
    (
        "a latin-1 byte in one row",
        HEADER.encode() + b"\na1,X\xe3 A,c\xf3,10,5,1\n" + "a2,Xã B,có,20,10,2\n".encode(),
        [("refused", 2, "file-encoding"), ("ok", "a2")],
    ),
    (
        "a Windows-1258 file",
        cp1258(HEADER + "\na1,Xã A,có,10,5,1\n"),
        [("refused", 1, "file-encoding")],
    ),
    (
        "UTF-8 with Excel's BOM",
        ("\ufeff" + HEADER + "\n" + OK_ROWS).encode(),
        [("ok", "a1"), ("ok", "a2")],
    ),
    (
        "UTF-16 with a BOM, tab-separated (Excel's Unicode Text)",
        (HEADER.replace(",", "\t") + "\r\n" + OK_ROWS.replace(",", "\t").replace("\n", "\r\n")).encode(
            "utf-16"
        ),
        [("ok", "a1"), ("ok", "a2")],
    ),
    (
        "UTF-16 without a BOM (read: a header's NUL every other byte says so, #9 p2-hostile)",
        (HEADER + "\n" + OK_ROWS).encode("utf-16-le"),
        [("ok", "a1"), ("ok", "a2")],
    ),
    (
        "a NUL byte in a row",
        HEADER.encode() + b"\na1,X\x00,c,10,5,1\n" + b"a2,B,co,20,10,2\n",
        [("refused", 2, "file-encoding"), ("ok", "a2")],
    ),
    (
        "CRLF line ends",
        (HEADER + "\r\n" + OK_ROWS.replace("\n", "\r\n")).encode(),
        [("ok", "a1"), ("ok", "a2")],
    ),
    # --- delimiters and headers
    (
        "semicolons and decimal commas (a Vietnamese Excel)",
        (HEADER.replace(",", ";") + "\na1;Xã A;có;9.500;5;1,5\n").encode(),
        [("ok", "a1")],
    ),
    (
        "tabs",
        (HEADER.replace(",", "\t") + "\n" + OK_ROWS.replace(",", "\t")).encode(),
        [("ok", "a1"), ("ok", "a2")],
    ),
    (
        "Excel's sep= line",
        ("sep=;\n" + HEADER.replace(",", ";") + "\na1;Xã A;có;10;5;1\n").encode(),
        [("ok", "a1")],
    ),
    (
        "a label with a comma, in a semicolon file",
        "Mã đơn vị;Tên đơn vị;Số cán bộ;staff_trained, người\na1;Xã A;10;5\n".encode(),
        [("refused", 1, "table-header")],
    ),
    (
        "a header that splits both ways",
        "Mã đơn vị;Tên đơn vị,has_plan;staff\na1;Xã A,có;10\n".encode(),
        [("refused", 1, "table-header")],
    ),
    (
        "a header of one column",
        "Mã đơn vị\na1\n".encode(),
        [("refused", 1, "table-header")],
    ),
    (
        "no id column: a data column is never taken as the id",
        "has_plan,staff,staff_trained\ncó,10,5\n".encode(),
        [("refused", 1, "table-header")],
    ),
    ("an empty file", b"", [("refused", 1, "table-header")]),
    (
        "short lines at the start of a file (no BOM)",
        b"id,ten,staff\na,A,1\nb,B,2\n",  # column B named for the names (a bare `x` is reported)
        [("ok", "a"), ("ok", "b")],
    ),
    (
        "carriage returns only (an old Mac format)",
        (HEADER + "\r" + OK_ROWS.replace("\n", "\r")).encode(),
        [("refused", 1, "table-header")],
    ),
    ("only a BOM", b"\xef\xbb\xbf", [("refused", 1, "table-header")]),
    ("only blank lines", b"\n\n\n", [("refused", 1, "table-header")]),
    # nothing below the header: refused, as an empty folder is (#11: it scored nothing, exit 0)
    ("a header and no rows", (HEADER + "\n").encode(), [("refused", None, "missing-key")]),
    (
        "blank rows are not units",
        (HEADER + "\n\na1,Xã A,có,10,5,1\n,,,,,\n\n").encode(),
        [("ok", "a1")],
    ),
    (
        "a header cell that is not an input",
        (HEADER + ",ghi chú\na1,Xã A,có,10,5,1,xem lại\n").encode(),
        [("invalid", "a1", ("input-unknown",))],
    ),
    (
        "a value under no header",
        (HEADER + ",\na1,Xã A,có,10,5,1,7\n").encode(),
        [("invalid", "a1", ("input-unknown",))],
    ),
    # --- cell counts and lengths
    (
        "a row with a cell too many (an unquoted comma in a name)",
        (HEADER + "\na1,Xã A, huyện B,có,10,5,1\na2,Xã B,có,20,10,2\n").encode(),
        [("refused", 2, "table-row"), ("ok", "a2")],
    ),
    (
        "a row with a cell missing",
        (HEADER + "\na1,Xã A,có,10,5\na2,Xã B,có,20,10,2\n").encode(),
        [("refused", 2, "table-row"), ("ok", "a2")],
    ),
    (
        "trailing empty cells, as spreadsheets write them",
        (HEADER + "\na1,Xã A,có,10,5,1,,,\n").encode(),
        [("ok", "a1")],
    ),
    (
        "a cell beyond the field limit",
        (HEADER + "\na1," + "x" * (MAX_FIELD + 1) + ",có,10,5,1\na2,Xã B,có,20,10,2\n").encode(),
        [("refused", 2, "table-row"), ("ok", "a2")],
    ),
    (
        "a cell beyond csv's own field limit (131072)",
        (HEADER + '\na1,"' + "x" * 200_000 + '",có,10,5,1\na2,Xã B,có,20,10,2\n').encode(),
        [("refused", 2, "table-row"), ("ok", "a2")],
    ),
    (
        "a line beyond the line limit",
        (HEADER + "\na1," + "x" * (2 * 1024 * 1024) + "\na2,Xã B,có,20,10,2\n").encode(),
        [("refused", 2, "table-row"), ("ok", "a2")],
    ),
    # --- values in cells
    (
        "a refused value keeps its unit scored, the criterion invalid",
        (HEADER + "\na1,Xã A,có,nhiều,5,1\n").encode(),
        [("invalid", "a1", ("input-type",))],
    ),
    (
        "an ambiguous budget, then the same with --number-format",
        (HEADER + "\na1,Xã A,có,10,5,1.000\n").encode(),
        [("invalid", "a1", ("input-ambiguous",))],
    ),
    (
        "a unit id seen twice is refused the second time",
        (HEADER + "\na1,Xã A,có,10,5,1\na1,Xã A lần 2,có,10,5,1\n").encode(),
        [("ok", "a1"), ("refused", None, "invalid-value")],
    ),
    (
        "a row with values but no id",
        (HEADER + "\n,Xã A,có,10,5,1\n").encode(),
        [("refused", 2, "missing-key")],
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_csv_files(
    table_def: Definition, tmp_path: Path, name: str, data: bytes, expected: list[tuple[Any, ...]]
) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(data)
    assert read_table(table_def, path) == expected


def test_a_refused_row_names_line_column_and_how_to_fix(table_def: Definition, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes((HEADER + '\na1,"Xã 500,có,10,5,1\n').encode())
    (row,) = score_many(table_def, [path])
    (problem,) = row.problems
    assert (problem.location.file, problem.location.line, problem.location.column) == (str(path), 2, 4)
    assert "column B" in problem.message and "never closed" in problem.message
    assert row.unit_id == "a1"  # named by the cells before the broken quote
    path.write_bytes(HEADER.encode() + b"\na1,X\xe3 A,1,10,5,1\n")
    (row,) = score_many(table_def, [path])
    (problem,) = row.problems
    assert (problem.code, problem.location.line, problem.location.column) == ("file-encoding", 2, 5)
    assert "0xe3" in problem.message and "Windows-1258" in problem.message and "CSV UTF-8" in problem.message


def test_number_format_declared_on_the_command_line(
    table_def: Definition, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    definition = tmp_path / "tiny.yaml"
    definition.write_text(TABLE_DEF, encoding="utf-8")
    path = tmp_path / "units.csv"
    path.write_bytes((HEADER + "\na1,Xã A,có,10,5,1.000\n").encode())
    assert main(["score", str(definition), str(path), "--format", "json"]) == 1
    capsys.readouterr()
    out_file = str(tmp_path / "out.json")
    argv = ["score", str(definition), str(path), "--format", "json", "--number-format", "vi", "-o", out_file]
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "1 đơn vị đã đọc = 1 đã chấm + 0 bị từ chối" in out.err
    (unit,) = read_csv(table_def, path, number_format="en")
    assert not isinstance(unit, BatchRow) and unit.values["budget"].value == 1  # type: ignore[union-attr]


def test_number_format_declared_by_the_definition(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(TABLE_DEF.replace("scoring: points\n", "scoring: points\nnumber_format: vi\n"), "utf-8")
    definition = load_file(path)
    table = tmp_path / "units.csv"
    table.write_bytes((HEADER + "\na1,Xã A,có,10,5,1.000\n").encode())
    (unit,) = read_csv(definition, table)
    assert unit.values["budget"].value == 1000  # type: ignore[union-attr]


def test_the_summary_states_read_scored_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = tmp_path / "tiny.yaml"
    definition.write_text(TABLE_DEF, encoding="utf-8")
    path = tmp_path / "units.csv"
    path.write_bytes((HEADER + '\na1,"Xã 500,có,10,5,1\n' + OK_ROWS).encode())
    assert main(["rank", str(definition), str(path), "--lang", "en"]) == 1
    assert "3 units read = 2 scored + 1 refused; 1 with problems" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "table-header"),
        ("has_plan,staff\ncó,1\n", "table-header"),
        ("Mã đơn vị;Tên,x\n", "table-header"),
    ],
)
def test_a_bad_table_is_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, code: str
) -> None:
    definition = tmp_path / "tiny.yaml"
    definition.write_text(TABLE_DEF, encoding="utf-8")
    path = tmp_path / "units.csv"
    path.write_text(text, encoding="utf-8")
    assert main(["score", str(definition), str(path)]) == 1
    assert f"[{code}]" in capsys.readouterr().out


# --- special files ---------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    yield path


@pytest.fixture
def sock(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "s.csv"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


def special(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    if kind == "fifo":
        return Path(request.getfixturevalue("fifo"))
    if kind == "socket":
        return Path(request.getfixturevalue("sock"))
    if kind == "folder":
        folder = tmp_path / "folder.csv"
        folder.mkdir()
        return folder
    if kind == "link to /dev/zero":
        link = tmp_path / "zero.csv"
        link.symlink_to("/dev/zero")
        return link
    return Path(kind)


SPECIAL = [
    ("/dev/zero", "file-special", "a device"),
    ("/dev/null", "file-special", "a device"),
    ("link to /dev/zero", "file-special", "a device"),
    ("fifo", "file-special", "a pipe"),
    ("socket", "file-special", "a socket"),
    ("folder", "file-special", "a folder"),
    ("/no/such/file.csv", "file-not-found", "no such file"),
]


# a workbook is checked by the batch reader before openpyxl unzips it; a device path has no .xlsx
# name, and a folder given to a batch is read as a folder of files, so those two are not workbooks
SPECIAL_READS = [(reader, *case) for reader in ("csv", "yaml") for case in SPECIAL] + [
    ("xlsx", *case) for case in SPECIAL if not case[0].startswith("/") and case[0] != "folder"
]


@pytest.mark.parametrize(
    ("reader", "kind", "code", "words"), SPECIAL_READS, ids=[f"{r}-{k}" for r, k, _, _ in SPECIAL_READS]
)
def test_special_files_are_refused_before_opening(
    table_def: Definition,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    kind: str,
    code: str,
    words: str,
    reader: str,
) -> None:
    path = special(kind, tmp_path, request)
    done: list[Any] = []
    # a FIFO opened for reading would wait for a writer forever: read in a thread, never join it blind
    if reader == "csv":
        work: Callable[[], Any] = lambda: done.append(list(read_csv(table_def, path)))  # noqa: E731
    elif reader == "xlsx":
        renamed = path.with_name(path.stem + ".xlsx")
        path.rename(renamed)
        path = renamed
        work = lambda: done.append(list(read_units(table_def, [renamed])))  # noqa: E731
    else:
        work = lambda: done.append(loader.read_file(path)[1])  # noqa: E731
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(5)
    assert done, f"reading {kind} hung"
    if reader in {"csv", "xlsx"}:
        (failure,) = done[0]
        (problem,) = failure.problems
    else:
        (problem,) = done[0]
    assert problem.code == code and words in problem.message
    assert problem.location.file == str(path)


def test_an_unreadable_file_is_not_file_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.yaml"
    path.write_text("kind: inputs\n", encoding="utf-8")

    def denied(*args: Any, **kwargs: Any) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", denied)  # root reads any file: deny it in the call
    (problem,) = loader.read_file(path)[1]
    assert problem.code == "file-unreadable" and "permission denied" in problem.message  # our words (#12)


def test_size_limits_count_the_bytes_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200 + "\n", encoding="utf-8")
    (problem,) = loader.read_file(path)[1]
    assert problem.code == "file-too-large"
    data, problem2 = loader.read_bytes("/dev/zero", 10)  # a device is refused, never read to its end
    assert data is None and problem2 is not None and problem2.code == "file-special"


def test_a_folder_yields_a_fifo_named_like_a_table_and_refuses_it(
    table_def: Definition, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "a.csv")
    (folder / "b.csv").write_bytes((HEADER + "\n" + OK_ROWS).encode())
    rows = [outcome(r) for r in score_many(table_def, [folder])]
    assert rows == [("refused", None, "file-special"), ("ok", "a1"), ("ok", "a2")]


# --- yearly targets read values as score does -------------------------------------------------


@pytest.fixture(scope="module")
def d1829() -> Definition:
    return load("thanh-hoa-1829-commune")


TARGET_VALUES = [
    ({"online_dossiers_pct": "80"}, "met"),
    ({"online_dossiers_pct": "80%"}, "met"),
    ({"online_dossiers_pct": "64,5"}, "unmet"),
    ({"online_dossiers_pct": "65"}, "met"),  # the target is inclusive
    ({"online_dossiers_pct": D(65)}, "met"),
    ({"online_dossiers_pct": 65.0}, "met"),
    ({"online_dossiers_pct": "n/a"}, "not_applicable"),
    ({"online_dossiers_pct": "Không áp dụng"}, "not_applicable"),
    ({"online_dossiers_pct": NOT_APPLICABLE}, "not_applicable"),
    ({"online_dossiers_pct": None}, "not_reported"),
    ({}, "not_reported"),
]


@pytest.mark.parametrize(("values", "status"), TARGET_VALUES, ids=[repr(v) for v, _ in TARGET_VALUES])
def test_target_values_read_as_score_reads_them(
    d1829: Definition, values: dict[str, Any], status: str
) -> None:
    assert evaluate_year(d1829, 2022, values).outcome("1.6").status == status


TARGET_REFUSED = [
    ({"online_dossiers_pctt": "80"}, "input-unknown"),  # a misspelt name is never ignored
    ({"online_dossiers_pct": "Infinity"}, "input-type"),
    ({"online_dossiers_pct": float("nan")}, "input-type"),
    ({"online_dossiers_pct": "1e400"}, "input-range"),
    ({"online_dossiers_pct": "180"}, "input-range"),
    ({"online_dossiers_pct": "85%", "dx_targets_plan": 3}, "input-choice"),
    ({"online_dossiers_pct": "nhiều"}, "input-type"),
]


@pytest.mark.parametrize(("values", "code"), TARGET_REFUSED, ids=[repr(v) for v, _ in TARGET_REFUSED])
def test_target_values_refused_with_a_code(d1829: Definition, values: dict[str, Any], code: str) -> None:
    with pytest.raises(InputError) as err:
        evaluate_year(d1829, 2022, values)
    assert err.value.code == code


def test_every_reading_code_is_triggered() -> None:
    from .test_error_codes import READING_CODES

    triggered = {c[2] for c in REFUSED_NUMBERS}
    triggered |= {o[2] for _, _, expected in CSV_CASES for o in expected if o[0] == "refused"}
    triggered |= {s[1] for s in SPECIAL} | {"file-unreadable"}  # test_an_unreadable_file_…
    assert triggered >= READING_CODES


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (float("inf"), "input-type"),
        (float("nan"), "input-type"),
        (D("Infinity"), "input-type"),
        ("1e400", "input-range"),
        (10**20, "input-range"),
        ("9.500", None),  # a count: 9500, never 9.5
    ],
)
def test_the_python_api_refuses_what_the_files_refuse(
    table_def: Definition, value: Any, code: str | None
) -> None:
    result = cds_index.score(table_def, {"staff": value, "staff_trained": 1, "has_plan": True})
    criterion = result.node("A.2")
    if code is None:
        assert result.ok and criterion.status == "scored"
        assert "/9.500 " in criterion.explanation and D(0) < criterion.points < D("0.001")
    else:
        assert [p.code for p in result.problems] == [code]
        assert criterion.status == "invalid" and criterion.points == 0


@pytest.mark.parametrize(("fmt", "value"), [(None, None), ("vi", D(1000)), ("en", D(1))])
def test_a_workbook_table_reads_text_numbers_by_the_declared_format(
    table_def: Definition, tmp_path: Path, fmt: Any, value: Decimal | None
) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["a1", "Xã A", "có", "9.500", 5, "1.000"])  # numbers typed as text, the Vietnamese way
    path = tmp_path / "units.xlsx"
    book.save(path)
    (unit,) = read_units(table_def, [path], number_format=fmt)
    assert isinstance(unit, UnitInputs)
    codes = [p.code for p in unit.problems]
    if fmt == "en":  # declared English: 9.500 is nine and a half, no count of people
        assert codes == ["input-type"] and "staff" not in unit.values and unit.values["budget"].value == 1
        return
    assert unit.values["staff"].value == 9500  # a count: nine thousand five hundred
    if value is None:
        assert codes == ["input-ambiguous"] and "budget" not in unit.values
    else:
        assert codes == [] and unit.values["budget"].value == value
