"""The outsider's corpus (#9, p2-hostile): files the team had never seen, as offices and attackers write them.

Every case asserts its outcome: the value read as the person meant it, or refused with its code (and
its line or cell). Cases that failed before this corpus was written are marked ``# was:`` with what
happened then.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import cds_index
from cds_index.cli import main
from cds_index.formats.model import Definition
from cds_index.io.batch import UnitFailure, read_csv, score_many
from cds_index.io.excel import read_workbook
from cds_index.read.inputs import UnitInputs
from cds_index.read.literals import read_bool, read_date, read_number, read_year
from cds_index.read.units_io import read_unit

D = "hai-duong-707-district"
H = "hue-2263-commune"


@pytest.fixture(scope="module")
def district() -> Definition:
    return cds_index.load(D)


@pytest.fixture(scope="module")
def hue() -> Definition:
    return cds_index.load(H)


# --- numbers -------------------------------------------------------------------------------------

# (text, kind, expected): kind "int" (a count), "num" (a decimal), "pct" (a percentage), "vi"/"en"
# (a decimal under a declared format); expected a Decimal, or an error code.
NUMBERS: list[tuple[str, str, Any]] = [
    ("1.234.567", "int", Decimal(1234567)),
    ("1.234.567", "num", Decimal(1234567)),
    ("1 234,5", "num", Decimal("1234.5")),
    ("1 234,5", "int", "input-type"),
    ("12,5%", "pct", Decimal("12.5")),
    ("12,5 %", "pct", Decimal("12.5")),
    ("12,5%", "num", "input-type"),
    ("5\u00a0%", "pct", Decimal(5)),
    ("\u22125", "num", Decimal(-5)),  # Unicode minus
    ("\u2212 0,5", "num", Decimal("-0.5")),
    ("5-", "num", "input-type"),  # accounting's trailing minus: refused, says how
    ("(5)", "num", "input-type"),  # accounting's parentheses: refused, says how
    ("(1.234,5)", "num", "input-type"),
    ("0.5", "num", Decimal("0.5")),
    ("0,5", "num", Decimal("0.5")),
    ("1.000", "int", Decimal(1000)),
    ("1.000", "num", "input-ambiguous"),
    ("1.000", "vi", Decimal(1000)),
    ("1.000", "en", Decimal(1)),
    ("1,000", "int", Decimal(1000)),
    ("1,000", "num", "input-ambiguous"),
    ("9.500", "int", Decimal(9500)),
    ("１２３", "int", Decimal(123)),  # full-width digits, as an East Asian keyboard types them
    ("2\u00b2", "int", "input-type"),  # was: 22 — NFKC turned the superscript into a digit
    ("\u00b9\u2070", "int", "input-type"),  # was: 10
    ("\u2460", "int", "input-type"),  # was: 1 (circled digit)
    ("\u00bd", "num", "input-type"),
    ("\u2167", "int", "input-type"),  # Roman numeral eight
    ("\u0665", "int", "input-type"),  # Arabic-Indic five: not how anyone here writes
    ("\ufeff620", "int", Decimal(620)),  # was: refused — a BOM from joined files
    ("620\u200b", "int", Decimal(620)),  # was: refused — a zero-width space from a web page
    ("\u200e85%", "pct", Decimal(85)),  # a direction mark
    ("1\u200b000", "int", "input-type"),  # invisible inside the number: not guessed
    ("1\u202f000", "int", Decimal(1000)),  # narrow no-break space between thousands
    ("1  000", "int", "input-type"),
    ("1'000", "int", "input-type"),
    ("1_000", "int", "input-type"),
    ("0x10", "int", "input-type"),
    (".5", "num", "input-type"),
    ("5,", "num", "input-type"),
    ("1.2.3", "num", "input-type"),
    ("1,234,567.89", "num", Decimal("1234567.89")),
    ("1.234.567,89", "num", Decimal("1234567.89")),
    ("1e3", "int", Decimal(1000)),
    ("1e16", "num", "input-range"),
    ("1e-30", "num", "input-range"),
    ("NaN", "num", "input-type"),
    ("-inf", "num", "input-type"),
    ("nan%", "pct", "input-type"),
    ("%", "pct", "input-type"),
    ("12 người", "int", "input-type"),
    ("x" * 70, "int", "input-type"),
]


@pytest.mark.parametrize(("text", "kind", "expected"), NUMBERS, ids=[f"{c[0]!r}-{c[1]}" for c in NUMBERS])
def test_numbers(text: str, kind: str, expected: Any) -> None:
    fmt = kind if kind in {"vi", "en"} else None
    value, code, message = read_number(
        text,
        integer=kind == "int",
        percent=kind == "pct",
        number_format=fmt,  # type: ignore[arg-type]
    )
    if isinstance(expected, Decimal):
        assert (value, code) == (expected, None)
    else:
        assert (value, code) == (None, expected)
        assert message  # every refusal says why


def test_accounting_negative_says_how() -> None:
    _, code, message = read_number("(5)")
    assert code == "input-type" and "-5" in message


def test_lookalike_digit_is_named() -> None:
    _, _, message = read_number("2\u00b2", integer=True)
    assert "not a digit" in message


# --- dates ---------------------------------------------------------------------------------------

DATES: list[tuple[Any, Any]] = [
    ("20/06/2025", dt.date(2025, 6, 20)),
    ("6/2/2025", dt.date(2025, 2, 6)),
    ("2025/06/20", dt.date(2025, 6, 20)),  # was: refused — year first is one reading only
    ("2025.06.20", dt.date(2025, 6, 20)),
    ("20/06/2025 14:30", dt.date(2025, 6, 20)),  # was: refused — a datetime with its time
    ("2025-06-20 14:30:05", dt.date(2025, 6, 20)),
    ("20/06/2025 2:30 PM", dt.date(2025, 6, 20)),
    ("ngày 20 tháng 6 năm 2025", dt.date(2025, 6, 20)),  # was: refused — as decisions write dates
    ("Ngày 05 tháng 01 năm 2024", dt.date(2024, 1, 5)),
    ("20 tháng 6, 2025", dt.date(2025, 6, 20)),
    ("\ufeff20/06/2025", dt.date(2025, 6, 20)),
    ("1/1/1800", "input-range"),  # before 1900: outside read_date's DATE_YEARS, refused (#11 session 8)
    ("29/02/2024", dt.date(2024, 2, 29)),
    ("29/02/2023", "input-type"),
    ("20/6/25", "input-type"),  # a two-digit year is not guessed
    ("20.06.25", "input-type"),
    ("06/20/2025", "input-type"),
    ("45828", "input-type"),  # an Excel serial as text: refused, with the date it stands for
    (Decimal(45828), "input-type"),
    (45828, "input-type"),
    ("2\u00b2/06/2025", "input-type"),  # was: 22/06/2025
    ("June 20, 2025", "input-type"),
    ("20062025", "input-type"),
    ("0/0/2025", "input-type"),
    (dt.datetime(2024, 3, 5, 14, 30), dt.date(2024, 3, 5)),
]


@pytest.mark.parametrize(("raw", "expected"), DATES, ids=[repr(c[0]) for c in DATES])
def test_dates(raw: Any, expected: Any) -> None:
    value, code, message = read_date(raw)
    if isinstance(expected, dt.date):
        assert (value, code) == (expected, None)
    else:
        assert (value, code) == (None, expected) and message


def test_two_digit_year_says_write_it_in_full() -> None:
    assert "two-digit year" in read_date("20/6/25")[2]


def test_excel_serial_as_text_names_its_date() -> None:
    assert "20/06/2025" in read_date("45828")[2]


# --- yes / no and years --------------------------------------------------------------------------

BOOLS: list[tuple[Any, Any]] = [
    ("x", True),
    ("X", True),
    ("✓", True),
    ("Có ", True),
    ("CÓ", True),
    ("Co\u0301", True),  # NFD, as some keyboards type
    ("Đạt", True),
    ("đúng", True),
    ("Không có", False),  # was: refused
    ("chưa có", False),  # was: refused
    ("sai", False),
    ("không đạt", False),
    ("\u200bkhông", False),
    ("✗", "input-type"),  # a cross is a tick in some offices, a no in others: not guessed
    ("-", "input-type"),
    ("có thể", "input-type"),
    ("2", "input-type"),
    (Decimal("1.0"), True),
]


@pytest.mark.parametrize(("raw", "expected"), BOOLS, ids=[repr(c[0]) for c in BOOLS])
def test_yes_no(raw: Any, expected: Any) -> None:
    value, code, _ = read_bool(raw)
    if isinstance(expected, bool):
        assert (value, code) == (expected, None)
    else:
        assert (value, code) == (None, expected)


YEARS: list[tuple[Any, Any]] = [
    ("2024 ", 2024),
    ("Năm 2024", 2024),  # was: refused
    ("NĂM 2024", 2024),
    ("Na\u0306m 2024", 2024),  # NFD
    ("\ufeff2024", 2024),
    ("2024.0", 2024),
    ("２０２４", 2024),
    (2024.0, 2024),
    (2024.5, "input-type"),
    ("24", "input-range"),
    ("2024-2025", "input-type"),
    ("1899", "input-range"),
]


@pytest.mark.parametrize(("raw", "expected"), YEARS, ids=[repr(c[0]) for c in YEARS])
def test_years(raw: Any, expected: Any) -> None:
    value, code, _ = read_year(raw)
    if isinstance(expected, int):
        assert (value, code) == (expected, None)
    else:
        assert (value, code) == (None, expected)


# --- CSV -----------------------------------------------------------------------------------------


def outcomes(definition: Definition, path: Path, **kw: Any) -> list[tuple[Any, ...]]:
    """Each row read: ("ok", id, values) / ("invalid", id, codes) / ("refused", line, code)."""
    out: list[tuple[Any, ...]] = []
    for unit in (
        read_csv(definition, path, **kw) if path.suffix == ".csv" else read_workbook(definition, path)
    ):
        if isinstance(unit, UnitFailure):
            problem = unit.problems[0]
            out.append(("refused", problem.location.line, problem.code))
        elif unit.problems:
            out.append(("invalid", unit.unit_id, tuple(sorted({p.code for p in unit.problems}))))
        else:
            values = {k: ("n/a" if v.not_applicable else v.value) for k, v in unit.values.items()}
            out.append(("ok", unit.unit_id, unit.unit_name, values))
    return out


HEAD = "Mã đơn vị;Tên đơn vị;staff_total;budget_total;portal_access_rate"
CSV: list[tuple[str, bytes, list[tuple[Any, ...]]]] = [
    (
        "Excel's ; export with sep=, CRLF, decimal comma and a trailing empty line",
        ("sep=;\r\n" + HEAD + "\r\nh1;Xã A;1.000;1.234.567;12,5%\r\n\r\n").encode(),
        [("ok", "h1", "Xã A", {"staff_total": 1000, "budget_total": 1234567, "portal_access_rate": 12.5})],
    ),
    (
        "quotes inside a name, quoted and unquoted",
        (HEAD + '\nh1;Xã "Hòa Bình";5;;\nh2;"Xã ""Hòa Bình""";6;;\n').encode(),
        [
            ("ok", "h1", 'Xã "Hòa Bình"', {"staff_total": 5}),
            ("ok", "h2", 'Xã "Hòa Bình"', {"staff_total": 6}),
        ],
    ),
    (
        "a BOM in the middle: two files joined with cat",  # was: a unit '\ufeffid' with errors
        ("\ufeff" + HEAD + "\nh1;A;5;;\n\ufeff" + HEAD + "\nh2;B;6;;\n").encode(),
        [("ok", "h1", "A", {"staff_total": 5}), ("ok", "h2", "B", {"staff_total": 6})],
    ),
    (
        "a BOM before a unit id",  # was: the id '\ufeffh1', which matches no other file
        (HEAD + "\n\ufeffh1;\ufeffA;\ufeff5;;\n").encode(),
        [("ok", "h1", "A", {"staff_total": 5})],
    ),
    (
        "joined files whose columns are in another order",  # was: values under the wrong inputs
        (HEAD + "\nh1;A;5;;\nMã đơn vị;Tên đơn vị;budget_total;staff_total\nh2;B;7;8\n").encode(),
        [("ok", "h1", "A", {"staff_total": 5}), ("ok", "h2", "B", {"budget_total": 7, "staff_total": 8})],
    ),
    (
        "mixed line endings: a lone CR between two rows",  # was: h2 and h3 refused as one row
        (HEAD + "\r\nh1;A;5;;\nh2;B;6;;\rh3;C;7;;\r\n").encode(),
        [
            ("ok", "h1", "A", {"staff_total": 5}),
            ("ok", "h2", "B", {"staff_total": 6}),
            ("ok", "h3", "C", {"staff_total": 7}),
        ],
    ),
    (
        "a lone CR: the rows after it keep their editor's line numbers",
        (HEAD + "\nh1;A;5;;\rh2;B;x;;\n").encode(),
        [("ok", "h1", "A", {"staff_total": 5}), ("invalid", "h2", ("input-type",))],
    ),
    (
        "UTF-16LE without a BOM",  # was: refused as Windows-1258
        (HEAD + "\r\nh1;Xã Hòa Bình;5;;\r\n").encode("utf-16-le"),
        [("ok", "h1", "Xã Hòa Bình", {"staff_total": 5})],
    ),
    (
        "UTF-16BE without a BOM",
        (HEAD + "\nh1;Xã An;5;;\n").encode("utf-16-be"),
        [("ok", "h1", "Xã An", {"staff_total": 5})],
    ),
    ("UTF-16 with a BOM", (HEAD + "\nh1;A;5;;\n").encode("utf-16"), [("ok", "h1", "A", {"staff_total": 5})]),
    (
        "Windows-1258 with combining marks: refused by name",
        unicodedata.normalize("NFD", HEAD + "\nh1;Xã Hòa Bình;5;;\n").encode("cp1258", "replace"),
        [("refused", 1, "file-encoding")],
    ),
    (
        "Windows-1258 in one row only: that row refused",
        HEAD.encode() + b"\nh1;X\xe3 A;5;;\nh2;B;6;;\n",
        [("refused", 2, "file-encoding"), ("ok", "h2", "B", {"staff_total": 6})],
    ),
    (
        "a header with a trailing delimiter",
        (HEAD + ";\nh1;A;5;;;\nh2;B;6;;;x\n").encode(),
        [("ok", "h1", "A", {"staff_total": 5}), ("invalid", "h2", ("input-unknown",))],
    ),
    (
        "a duplicated header",
        ("Mã đơn vị;Tên đơn vị;staff_total;staff_total\nh1;A;5;6\n").encode(),
        [("invalid", "h1", ("input-unknown",))],
    ),
    (
        "headers in NFD and labels instead of names",
        unicodedata.normalize(
            "NFD", "Mã đơn vị;Tên đơn vị;Tổng chi ngân sách địa phương trong năm\nh1;A;1.234,5\n"
        ).encode(),
        [("ok", "h1", "A", {"budget_total": Decimal("1234.5")})],
    ),
    (
        "a year column with '2024 ' and 'Năm 2024'",  # was: 'Năm 2024' refused
        ("Mã đơn vị;Tên đơn vị;Năm;staff_total\nh1;A;2024 ;5\nh2;B;Năm 2024;6\nh3;C;24;7\n").encode(),
        [
            ("ok", "h1", "A", {"staff_total": 5}),
            ("ok", "h2", "B", {"staff_total": 6}),
            ("invalid", "h3", ("input-range",)),
        ],
    ),
    (
        "an STT column first",  # was: every unit invalid ("column 'STT' is not an input")
        ("STT;Mã đơn vị;Tên đơn vị;staff_total\n1;h1;A;5\n2;h2;B;6\n").encode(),
        [("ok", "h1", "A", {"staff_total": 5}), ("ok", "h2", "B", {"staff_total": 6})],
    ),
    (
        "an STT column and no id column: refused, not numbered units",
        ("STT;Tên đơn vị;staff_total\n1;A;5\n").encode(),
        [("refused", 1, "table-header")],
    ),
    (
        "a totals row",  # was: a unit 'Tổng cộng', scored with the sum of all, ranked first
        (HEAD + "\nh1;A;5;;\nh2;B;6;;\nTổng cộng;;11;;\n").encode(),
        [
            ("ok", "h1", "A", {"staff_total": 5}),
            ("ok", "h2", "B", {"staff_total": 6}),
            ("refused", 4, "table-row"),
        ],
    ),
    (
        "a totals row named in the name column",
        (HEAD + "\nh1;A;5;;\nTT;Toàn huyện;11;;\n").encode(),
        [("ok", "h1", "A", {"staff_total": 5}), ("refused", 3, "table-row")],
    ),
    (
        "a note under the table",  # was: a unit 'Ghi chú: …' scored 0
        (HEAD + "\nh1;A;5;;\nGhi chú: số liệu đến 31/12/2024;;;;\n").encode(),
        [("ok", "h1", "A", {"staff_total": 5}), ("refused", 3, "table-row")],
    ),
    (
        "a unit with its name and no value is a unit (nothing reported)",
        (HEAD + "\nh1;Xã A;;;\n").encode(),
        [("ok", "h1", "Xã A", {})],
    ),
    (
        "0.5 and 0,5 in one column",
        ("Mã đơn vị;Tên đơn vị;budget_total\nh1;A;0.5\nh2;B;0,5\n").encode(),
        [
            ("ok", "h1", "A", {"budget_total": Decimal("0.5")}),
            ("ok", "h2", "B", {"budget_total": Decimal("0.5")}),
        ],
    ),
    (
        "accounting negatives and Unicode minus",
        ("Mã đơn vị;Tên đơn vị;budget_total\nh1;A;(5)\nh2;B;5-\nh3;C;\u22125\n").encode(),
        [
            ("invalid", "h1", ("input-type",)),
            ("invalid", "h2", ("input-type",)),
            ("invalid", "h3", ("input-range",)),
        ],
    ),
    (
        "a superscript in a count",  # was: 2² read as 22 without a word
        ("Mã đơn vị;Tên đơn vị;staff_total\nh1;A;2\u00b2\n").encode(),
        [("invalid", "h1", ("input-type",))],
    ),
    (
        "an unterminated quote keeps the rows after it",
        (HEAD + '\nh1;"Xã 500;5;;\nh2;B;6;;\n').encode(),
        [("refused", 2, "table-row"), ("ok", "h2", "B", {"staff_total": 6})],
    ),
    (
        "sep=| with a short row",  # was: KeyError '|' (a traceback)
        b"sep=|\nMa don vi|name|staff_total\nh1|A\nh2|B|5\n",
        [("refused", 3, "table-row"), ("ok", "h2", "B", {"staff_total": 5})],
    ),
    (
        "sep= and a tab",  # was: the sep line taken as the header, refused as having no id column
        b"sep=\t\nid\tname\tstaff_total\nh1\tA\t5\n",
        [("ok", "h1", "A", {"staff_total": 5})],
    ),
    ('sep=" is no delimiter', b'sep="\nid"name\n', [("refused", 2, "table-header")]),
    ("SEP=, in capitals", b"SEP=,\nid,name,staff_total\nh1,A,5\n", [("ok", "h1", "A", {"staff_total": 5})]),
    (
        "a NUL byte in a row",
        (HEAD + "\nh1;A\x00;5;;\nh2;B;6;;\n").encode(),
        [("refused", 2, "file-encoding"), ("ok", "h2", "B", {"staff_total": 6})],
    ),
]


@pytest.mark.parametrize(("name", "data", "expected"), CSV, ids=[c[0] for c in CSV])
def test_csv(district: Definition, tmp_path: Path, name: str, data: bytes, expected: list[Any]) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(data)
    assert outcomes(district, path) == expected


def test_csv_lone_cr_line_numbers(district: Definition, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes((HEAD + "\nh1;A;5;;\rh2;B;x;;\nh3;C;y;;\n").encode())
    units = [u for u in read_csv(district, path) if isinstance(u, UnitInputs)]
    assert [u.problems[0].location.line for u in units[1:]] == [3, 4]  # as an editor numbers lines


def test_csv_totals_row_counts_as_refused(district: Definition, tmp_path: Path) -> None:
    from cds_index.io.batch import Tally

    path = tmp_path / "units.csv"
    path.write_bytes((HEAD + "\nh1;A;5;;\nTổng cộng;;5;;\n").encode())
    tally = Tally()
    rows = list(score_many(district, [path], tally=tally))
    assert (tally.read, tally.scored, tally.refused) == (2, 1, 1)
    assert [r.unit_id for r in rows if r.ok] == ["h1"]


# --- Excel ---------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def raw_xlsx(path: Path, sheet: str, shared: list[str] | None = None, workbook_pr: str = "") -> Path:
    """A minimal workbook of one sheet whose ``<sheetData>`` (and more) is written by hand."""
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    if shared is not None:
        types += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="' + _REL + '/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    book = (
        f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">{workbook_pr}'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="'
        + _REL
        + '/worksheet" Target="worksheets/sheet1.xml"/>'
    )
    if shared is not None:
        book_rels += f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types + "</Types>")
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels + "</Relationships>")
        archive.writestr(
            "xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}">{sheet}</worksheet>'
        )
        if shared is not None:
            archive.writestr(
                "xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{_MAIN}">{"".join(shared)}</sst>'
            )
    return path


def s(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def n(ref: str, value: Any) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


XHEAD = '<row r="1">' + s("A1", "Mã đơn vị") + s("B1", "Tên đơn vị") + s("C1", "staff_total")
XHEAD += s("D1", "district_staff") + "</row>"

RAW_XLSX: list[tuple[str, str, list[str] | None, list[tuple[Any, ...]]]] = [
    (
        "shared formulas with their values, and one without",
        "<sheetData>"
        + XHEAD
        + '<row r="2">'
        + s("A2", "h1")
        + s("B2", "A")
        + '<c r="C2"><f>10+1</f><v>11</v></c>'
        '<c r="D2"><f t="shared" ref="D2:D3" si="0">C2-1</f><v>10</v></c></row><row r="3">'
        + s("A3", "h2")
        + s("B3", "B")
        + '<c r="C3"><f t="shared" si="0"/></c></row></sheetData>',
        None,
        [
            ("ok", "h1", "A", {"staff_total": 11, "district_staff": 10}),
            ("invalid", "h2", ("excel-formula-no-value",)),
        ],
    ),
    (
        "rich text and phonetic runs in shared strings",
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c>'
        '<c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c></row></sheetData>',
        [
            "<si><t>Mã đơn vị</t></si>",
            "<si><r><t>Tên </t></r><r><rPr><b/></rPr><t>đơn vị</t></r></si>",
            "<si><t>staff_total</t></si>",
            "<si><r><t>h</t></r><r><rPr><b/></rPr><t>1</t></r></si>",
            '<si><t>Xã A</t><rPh sb="0" eb="1"><t>PH</t></rPh></si>',
            '<si><r><t xml:space="preserve">9.</t></r><r><t>500</t></r></si>',
        ],
        [("ok", "h1", "Xã A", {"staff_total": 9500})],
    ),
    (
        "a wrong dimension, cells and rows without addresses, the last row of a sheet",
        '<dimension ref="A1:B2"/><sheetData><row><c t="inlineStr"><is><t>id</t></is></c>'
        '<c t="inlineStr"><is><t>name</t></is></c><c t="inlineStr"><is><t>staff_total</t></is></c></row>'
        '<row><c t="inlineStr"><is><t>h1</t></is></c><c t="inlineStr"><is><t>A</t></is></c>'
        "<c><v>7</v></c></row>"
        '<row r="1048576">'
        + s("A1048576", "hz")
        + s("B1048576", "Z")
        + n("C1048576", 9)
        + "</row></sheetData>",
        None,
        [("ok", "h1", "A", {"staff_total": 7}), ("ok", "hz", "Z", {"staff_total": 9})],
    ),
    (
        "=1/0 with its cached error",
        "<sheetData>"
        + XHEAD
        + '<row r="2">'
        + s("A2", "h1")
        + s("B2", "A")
        + '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row></sheetData>',
        None,
        [("invalid", "h1", ("excel-cell-error",))],
    ),
    (
        "a number cell holding text, and a NaN",
        "<sheetData>"
        + XHEAD
        + '<row r="2">'
        + s("A2", "h1")
        + s("B2", "A")
        + n("C2", "abc")
        + n("D2", "NaN")
        + "</row></sheetData>",
        None,
        [("invalid", "h1", ("excel-cell-error", "excel-corrupt"))],
    ),
    (
        "1e400 in a number cell",
        "<sheetData>"
        + XHEAD
        + '<row r="2">'
        + s("A2", "h1")
        + s("B2", "A")
        + n("C2", "1E+400")
        + "</row></sheetData>",
        None,
        [("invalid", "h1", ("input-range",))],
    ),
    (
        "a value in the last column of a sheet",
        "<sheetData>"
        + XHEAD
        + '<row r="2">'
        + s("A2", "h1")
        + s("B2", "A")
        + n("XFD2", 5)
        + "</row></sheetData>",
        None,
        [("invalid", "h1", ("excel-stray-cell",))],
    ),
    (
        "a totals row",  # was: a unit 'Tổng cộng'
        "<sheetData>"
        + XHEAD
        + '<row r="2">'
        + s("A2", "h1")
        + s("B2", "A")
        + n("C2", 5)
        + '</row><row r="3">'
        + s("A3", "Tổng cộng")
        + n("C3", 5)
        + "</row></sheetData>",
        None,
        [("ok", "h1", "A", {"staff_total": 5}), ("refused", 3, "table-row")],
    ),
    (
        "no id header: an input first",  # was: its values became unit ids, the input lost
        '<sheetData><row r="1">'
        + s("A1", "staff_total")
        + s("B1", "district_staff")
        + '</row><row r="2">'
        + n("A2", 10)
        + n("B2", 5)
        + "</row></sheetData>",
        None,
        [("refused", 1, "table-header")],
    ),
    (
        "no id header: an STT column first",  # was: units '1', '2'
        '<sheetData><row r="1">'
        + s("A1", "STT")
        + s("B1", "Tên đơn vị")
        + s("C1", "staff_total")
        + '</row><row r="2">'
        + n("A2", 1)
        + s("B2", "A")
        + n("C2", 5)
        + "</row></sheetData>",
        None,
        [("refused", 1, "table-header")],
    ),
    (
        "an id header by position (a name header first) still reads",
        '<sheetData><row r="1">'
        + s("A1", "Huyện")
        + s("B1", "Tên")
        + s("C1", "staff_total")
        + '</row><row r="2">'
        + s("A2", "h1")
        + s("B2", "A")
        + n("C2", 5)
        + "</row></sheetData>",
        None,
        [("ok", "h1", "A", {"staff_total": 5})],
    ),
    (
        "the 1904 date system",
        "<sheetData>"
        + XHEAD
        + '<row r="2">'
        + s("A2", "h1")
        + s("B2", "A")
        + n("C2", 3)
        + "</row></sheetData>",
        None,
        [("ok", "h1", "A", {"staff_total": 3})],
    ),
]


@pytest.mark.parametrize(("name", "sheet", "shared", "expected"), RAW_XLSX, ids=[c[0] for c in RAW_XLSX])
def test_raw_workbooks(
    district: Definition, tmp_path: Path, name: str, sheet: str, shared: list[str] | None, expected: list[Any]
) -> None:
    path = raw_xlsx(tmp_path / "units.xlsx", sheet, shared)
    assert outcomes(district, path) == expected


def book(path: Path, rows: list[list[Any]], setup: Any = None) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Bang"
    for row in rows:
        sheet.append(row)
    if setup is not None:
        setup(workbook, sheet)
    workbook.save(path)
    return path


def _merge_title(book: Any, sheet: Any) -> None:
    sheet.merge_cells("A1:D1")


def _merge_two_rows(book: Any, sheet: Any) -> None:
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("B1:B2")
    sheet.merge_cells("C1:D1")


def _chart_and_password(book: Any, sheet: Any) -> None:
    from openpyxl.chart import BarChart, Reference

    chart_sheet = book.create_chartsheet("Biểu đồ")
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=3))
    chart_sheet.add_chart(chart)
    sheet.protection.sheet = True
    sheet.protection.password = "secret"


def _formats(book: Any, sheet: Any) -> None:
    sheet["E2"].number_format = "0%"
    sheet["E3"].number_format = "0.0%"
    sheet["C4"].number_format = "@"


def _epoch_1904(book: Any, sheet: Any) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book.epoch = CALENDAR_MAC_1904
    sheet["C2"].number_format = "dd/mm/yyyy"


TITLE = ["Mã đơn vị", "Tên đơn vị", "staff_total", "district_staff"]
BOOKS: list[tuple[str, list[list[Any]], Any, list[tuple[Any, ...]]]] = [
    (
        "a merged title above the header",
        [["BẢNG TỔNG HỢP SỐ LIỆU 2024"], TITLE, ["h1", "A", 10, 5]],
        _merge_title,
        [("ok", "h1", "A", {"staff_total": 10, "district_staff": 5})],
    ),
    (
        "a header merged over two rows",  # id and name in row 1 (merged down), inputs in row 2
        [
            ["Mã đơn vị", "Tên đơn vị", "Nhân lực", None],
            [None, None, "staff_total", "district_staff"],
            ["h1", "A", 10, 5],
        ],
        _merge_two_rows,
        [("ok", "h1", "A", {"staff_total": 10, "district_staff": 5})],
    ),
    (
        "a second table on the same sheet, under a note",  # was: a unit 'Ghi chú…', a duplicate h1
        [
            TITLE,
            ["h1", "A", 10, 5],
            [],
            ["Ghi chú: số liệu năm 2024"],
            ["Mã đơn vị", "Tên đơn vị", "communes_total"],
            ["h2", "B", 12],
        ],
        None,
        [
            ("ok", "h1", "A", {"staff_total": 10, "district_staff": 5}),
            ("refused", 4, "table-row"),
            ("ok", "h2", "B", {"communes_total": 12}),
        ],
    ),
    (
        "a totals row",
        [TITLE, ["h1", "A", 10, 5], ["h2", "B", 20, 6], ["Tổng cộng", None, 30, 11]],
        None,
        [
            ("ok", "h1", "A", {"staff_total": 10, "district_staff": 5}),
            ("ok", "h2", "B", {"staff_total": 20, "district_staff": 6}),
            ("refused", 4, "table-row"),
        ],
    ),
    (
        "a chart sheet and a password-protected sheet",
        [TITLE, ["h1", "A", 10, 5], ["h2", "B", 20, 6]],
        _chart_and_password,
        [
            ("ok", "h1", "A", {"staff_total": 10, "district_staff": 5}),
            ("ok", "h2", "B", {"staff_total": 20, "district_staff": 6}),
        ],
    ),
    (
        "percent cells, text numbers, a decimal 1.000 as text",
        [
            ["Mã đơn vị", "Tên đơn vị", "staff_total", "budget_total", "portal_access_rate"],
            ["h1", "A", 10, "1.234,5", 0.85],
            ["h2", "B", "9.500", "0,5", 0.875],
            ["h3", "C", "620", "1.000", "85%"],
        ],
        _formats,
        [
            (
                "ok",
                "h1",
                "A",
                {"staff_total": 10, "budget_total": Decimal("1234.5"), "portal_access_rate": 85},
            ),
            (
                "ok",
                "h2",
                "B",
                {"staff_total": 9500, "budget_total": Decimal("0.5"), "portal_access_rate": Decimal("87.5")},
            ),
            ("invalid", "h3", ("input-ambiguous",)),
        ],
    ),
]


@pytest.mark.parametrize(("name", "rows", "setup", "expected"), BOOKS, ids=[c[0] for c in BOOKS])
def test_workbooks(
    district: Definition, tmp_path: Path, name: str, rows: list[list[Any]], setup: Any, expected: list[Any]
) -> None:
    path = book(tmp_path / "units.xlsx", rows, setup)
    assert outcomes(district, path) == expected


def test_workbook_dates(hue: Definition, tmp_path: Path) -> None:
    path = book(
        tmp_path / "hue.xlsx",
        [
            ["Mã đơn vị", "Tên đơn vị", "q1_meeting_date", "q2_meeting_date", "q3_meeting_date"],
            ["x1", "A", dt.datetime(2024, 3, 5, 14, 30), "20/06/2024", "2024/09/20"],
            ["x2", "B", dt.date(1850, 1, 1), 45828, "20/6/24"],
        ],
    )
    first, second = read_workbook(hue, path)
    assert isinstance(first, UnitInputs) and not first.problems
    assert {k: v.value for k, v in first.values.items()} == {
        "q1_meeting_date": dt.date(2024, 3, 5),
        "q2_meeting_date": dt.date(2024, 6, 20),
        "q3_meeting_date": dt.date(2024, 9, 20),
    }
    assert isinstance(second, UnitInputs)
    assert "q1_meeting_date" not in second.values  # before 1900: refused, as in text (#11 session 8)
    messages = sorted(p.message for p in second.problems)
    assert len(messages) == 3 and "two-digit year" in messages[2]
    assert any("outside 1900–2100" in m for m in messages)
    assert any("Excel date number (20/06/2025)" in m for m in messages)


def test_1904_workbook_date(hue: Definition, tmp_path: Path) -> None:
    path = book(
        tmp_path / "mac.xlsx",
        [["Mã đơn vị", "Tên đơn vị", "q1_meeting_date"], ["x1", "A", dt.datetime(2024, 3, 5)]],
        _epoch_1904,
    )
    (unit,) = read_workbook(hue, path)
    assert isinstance(unit, UnitInputs) and unit.values["q1_meeting_date"].value == dt.date(2024, 3, 5)


FORM_YEARS = [
    ("2024", 2024),
    (2024, 2024),
    ("Năm 2024", 2024),
    ("2024.7", "input-type"),
    ("2.024", 2024),
    ("10^20", "input-type"),
]


@pytest.fixture(scope="module")
def district_form(district: Definition, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The district's blank form (`write_template`), written once; each case fills in a copy."""
    pytest.importorskip("openpyxl")
    from cds_index.io.excel import write_template

    path = tmp_path_factory.mktemp("form") / "form.xlsx"
    write_template(district, path)
    return path.read_bytes()


@pytest.mark.parametrize(("year", "expected"), FORM_YEARS, ids=[repr(y[0]) for y in FORM_YEARS])
def test_form_year(
    district: Definition, district_form: bytes, tmp_path: Path, year: Any, expected: Any
) -> None:
    """The form's year is read as a year: was int(Decimal(...)), so 2024.7 was 2024 and 2.024 was 2."""
    openpyxl = pytest.importorskip("openpyxl")

    path = tmp_path / "form.xlsx"
    path.write_bytes(district_form)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    for row in sheet.iter_rows():
        if row[0].value == "Năm đánh giá":
            row[1].value = year
        if row[0].value == "Mã đơn vị":
            row[1].value = "h1"
    sheet.protection.sheet = False
    workbook.save(path)
    (unit,) = read_workbook(district, path)
    assert isinstance(unit, UnitInputs)
    if isinstance(expected, int):
        assert unit.year == expected and not unit.problems
    else:
        assert unit.year is None and [p.code for p in unit.problems] == [expected]


@pytest.fixture(scope="session")
def empty_rows(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,048,576 rows of nothing (styled, no cells), as Excel saves a sheet formatted to the bottom."""
    path = tmp_path_factory.mktemp("big") / "empty.xlsx"
    body = "".join(f'<row r="{i}" s="1" customFormat="1"/>' for i in range(3, 1_048_577))
    head = "<sheetData>" + XHEAD + '<row r="2">' + s("A2", "h1") + s("B2", "A") + n("C2", 5) + "</row>"
    return raw_xlsx(path, '<dimension ref="A1:D1048576"/>' + head + body + "</sheetData>")


def test_a_million_empty_rows(district: Definition, empty_rows: Path) -> None:
    assert outcomes(district, empty_rows) == [("ok", "h1", "A", {"staff_total": 5})]


# --- YAML and JSON inputs files -------------------------------------------------------------------

YAML_HEAD = f"kind: inputs\ndefinition: {D}\nunit: {{id: h1, name: A}}\nyear: 2024\nvalues:\n"
JSON_HEAD = '{"kind": "inputs", "definition": "' + D + '", "unit": {"id": "h1"}, "values": {'
INPUTS_FILES: list[tuple[str, str, str, str | None, Any]] = [
    (
        "an unquoted 1.000 budget is refused as ambiguous",  # was: YAML's float 1, without a word
        ".yaml",
        YAML_HEAD + "  budget_total: 1.000\n",
        None,
        ("input-ambiguous", 6),
    ),
    (
        "an unquoted 9.500 staff is 9500",
        ".yaml",
        YAML_HEAD + "  staff_total: 9.500\n",
        None,
        {"staff_total": 9500},
    ),
    (
        "an unquoted 1.000 under --number-format vi",
        ".yaml",
        YAML_HEAD + "  budget_total: 1.000\n",
        "vi",
        {"budget_total": 1000},
    ),
    (
        "an unquoted 1.000 under --number-format en",
        ".yaml",
        YAML_HEAD + "  budget_total: 1.000\n",
        "en",
        {"budget_total": 1},
    ),
    (
        "an unquoted 1.000 as self and appraised",
        ".yaml",
        YAML_HEAD + "  budget_total: {self: 1.000, appraised: 2.500}\n",
        "vi",
        {"budget_total": 2500},
    ),
    (
        "0.5 and 1.5 keep YAML's reading",
        ".yaml",
        YAML_HEAD + "  budget_total: 0.5\n  it_spending: 1.5\n",
        None,
        {"budget_total": Decimal("0.5"), "it_spending": Decimal("1.5")},
    ),
    (
        "12.3456 has one reading",
        ".yaml",
        YAML_HEAD + "  budget_total: 12.3456\n",
        None,
        {"budget_total": Decimal("12.3456")},
    ),
    (
        "a quoted '0,5'",
        ".yaml",
        YAML_HEAD + '  budget_total: "0,5"\n',
        None,
        {"budget_total": Decimal("0.5")},
    ),
    (
        "an unquoted 0,5 is a YAML string, read the Vietnamese way",
        ".yaml",
        YAML_HEAD + "  budget_total: 0,5\n",
        None,
        {"budget_total": Decimal("0.5")},
    ),
    (
        "anchors and aliases",
        ".yaml",
        YAML_HEAD + "  staff_total: &n 5\n  district_staff: *n\n",
        None,
        {"staff_total": 5, "district_staff": 5},
    ),
    ("a NUL in a value", ".yaml", YAML_HEAD + '  staff_total: "5\\0"\n', None, ("input-type", 6)),
    (
        "deep nesting",
        ".yaml",
        YAML_HEAD.replace("values:\n", "values: ") + "[" * 150 + "]" * 150 + "\n",
        None,
        "yaml-alias-limit",
    ),
    (
        "a 7 MB string",  # was: 7 s to read (the YAML scanner reads about 1 MB a second)
        ".yaml",
        YAML_HEAD + '  staff_total: "' + "x" * (7 * 1024 * 1024) + '"\n',
        None,
        "file-too-large",
    ),
    (
        "a 1.5 MB string",
        ".yaml",
        YAML_HEAD + '  staff_total: "' + "x" * 1_500_000 + '"\n',
        None,
        ("input-type", 6),
    ),
    # was: 40 s — 1 MiB of a JSON array through the YAML parser
    (
        "1 MiB of [1,1,1,…]",
        ".json",
        JSON_HEAD + '"staff_total": [' + ",".join("1" * 500_000) + "]}}",
        None,
        "file-too-large",
    ),
    (
        "30,000 list items",
        ".yaml",
        YAML_HEAD + "  staff_total:\n" + "    - 1\n" * 30_000,
        None,
        "file-too-large",
    ),
    ("a 9 MB file", ".yaml", YAML_HEAD + "#" + "x" * (9 * 1024 * 1024) + "\n", None, "file-too-large"),
    ("a 50-digit integer", ".yaml", YAML_HEAD + "  staff_total: " + "9" * 50 + "\n", None, "wrong-type"),
    (
        "JSON: 1.000 is JSON's one",
        ".json",
        JSON_HEAD + '"budget_total": 1.000}}',
        None,
        {"budget_total": 1},
    ),
    (
        "JSON with a BOM and a duplicate key",
        ".json",
        "\ufeff" + JSON_HEAD + '"staff_total": 1, "staff_total": 2}}',
        None,
        "yaml-duplicate-key",
    ),
    (
        "JSON: a 5000-digit integer",  # was: int() raised past 4300 digits, reported as a YAML tag
        ".json",
        JSON_HEAD + '"staff_total": ' + "9" * 5000 + "}}",
        None,
        "wrong-type",
    ),
]


@pytest.mark.parametrize(
    ("name", "suffix", "text", "fmt", "expected"), INPUTS_FILES, ids=[c[0] for c in INPUTS_FILES]
)
def test_inputs_files(
    district: Definition, tmp_path: Path, name: str, suffix: str, text: str, fmt: Any, expected: Any
) -> None:
    path = tmp_path / f"unit{suffix}"
    path.write_text(text, encoding="utf-8")
    unit, problems = read_unit(district, path, number_format=fmt)
    if isinstance(expected, str):  # the file refused
        assert unit is None and [p.code for p in problems] == [expected]
    elif isinstance(expected, tuple):  # a value refused, at its line
        assert unit is not None
        assert [(p.code, p.location.line) for p in unit.problems] == [expected]
    else:
        assert unit is not None and not unit.problems
        assert {k: v.value for k, v in unit.values.items()} == expected


def test_yearly_file_reads_1000_by_its_text(district: Definition, tmp_path: Path) -> None:
    from cds_index.read.units_io import read_unit_years

    path = tmp_path / "years.yaml"
    path.write_text(
        f"kind: inputs\ndefinition: {D}\nunit: {{id: h1}}\nyears:\n  2024:\n    staff_total: 9.500\n",
        encoding="utf-8",
    )
    years, problems = read_unit_years(district, path)
    assert not problems and years[2024].values["staff_total"].value == 9500


# --- the command line: exit 0/1/2, never 3 ---------------------------------------------------------

CLI: list[tuple[str, str, bytes, int]] = [
    ("score", ".csv", (HEAD + "\nh1;A;5;;\nTổng cộng;;5;;\n").encode(), 1),
    ("score", ".csv", (HEAD + "\nh1;A;5;;\rh2;B;6;;\n").encode("utf-16-le"), 0),
    ("rank", ".csv", (HEAD + "\nh1;A;5;;\nh2;B;2\u00b2;;\n").encode(), 1),
    ("score", ".csv", b"\xff\xfe\x00", 1),
    ("score", ".csv", b"", 1),
    ("gaps", ".csv", (HEAD + "\nh1;A;5;;\n").encode(), 0),
    ("score", ".xlsx", b"PK\x03\x04 not a zip", 1),
    ("report", ".csv", (HEAD + "\nh1;Xã \x1b[2J;5;;\n").encode(), 0),
]


@pytest.mark.parametrize(
    ("command", "suffix", "data", "code"), CLI, ids=[f"{c[0]}-{i}" for i, c in enumerate(CLI)]
)
def test_cli_exit_codes(
    tmp_path: Path, command: str, suffix: str, data: bytes, code: int, capsys: Any
) -> None:
    path = tmp_path / f"units{suffix}"
    path.write_bytes(data)
    argv = [command, D, str(path)]
    if command == "report":
        argv += ["-o", str(tmp_path / "out")]
    assert main(argv) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "\x1b[2J" not in captured.out + captured.err


# --- the Python API: any value, a problem, never a traceback -------------------------------------


def _deep(levels: int) -> list[Any]:
    top: list[Any] = []
    current = top
    for _ in range(levels):
        current.append([])
        current = current[0]
    return top


API_VALUES: list[tuple[str, str, Any, str]] = [
    (
        "a list nested 100,000 deep, for a count",
        "population",
        _deep(100_000),
        "input-type",
    ),  # was: RecursionError
    ("a list nested 100,000 deep, for a role", "dx_committee_head_role", _deep(100_000), "input-choice"),
    ("a list nested 100,000 deep, for a date", "q1_meeting_date", _deep(100_000), "input-type"),
    ("a million values", "population", [1] * 1_000_000, "input-type"),
    ("a 10 MB string for a role", "dx_committee_head_role", "x" * 10_000_000, "input-choice"),
    ("a 10 MB string for a count", "population", "9" * 10_000_000, "input-type"),
    ("bytes", "population", b"5", "input-type"),
    ("a set", "population", {1, 2}, "input-type"),
]


@pytest.mark.parametrize(("name", "key", "value", "code"), API_VALUES, ids=[c[0] for c in API_VALUES])
def test_python_api_values(hue: Definition, name: str, key: str, value: Any, code: str) -> None:
    result = cds_index.score(hue, {key: value})
    (problem,) = [p for p in result.problems if p.location.path and p.location.path[-1] == key]
    assert problem.code == code and len(problem.message) < 400


def test_python_api_huge_unknown_name(hue: Definition) -> None:
    result = cds_index.score(hue, {"x" * 100_000: 1})
    (problem,) = [p for p in result.problems if p.code == "input-unknown"]
    assert len(problem.message) < 200


NOT_APPLICABLE = [
    ("không", False),  # was: a quoted "không" made the value not applicable
    ("false", False),
    ("yes", True),
    ("Có", True),
    ("xã không có doanh nghiệp", True),  # a reason
    (True, True),
    (False, False),
]


@pytest.mark.parametrize(("flag", "expected"), NOT_APPLICABLE, ids=[repr(c[0]) for c in NOT_APPLICABLE])
def test_not_applicable_flag(hue: Definition, flag: Any, expected: bool) -> None:
    from cds_index.read.inputs import parse_values

    values, problems = parse_values({"population": {"value": 5, "not_applicable": flag}}, hue.inputs)
    if expected:  # read as "not applicable", beside a figure: a contradiction, refused (#11)
        assert "population" not in values and [p.code for p in problems] == ["input-type"]
        assert "not applicable" in problems[0].message
    else:  # read as "applicable": the figure stands
        assert not problems and not values["population"].not_applicable
        assert values["population"].value == 5
    alone, _ = parse_values({"population": {"not_applicable": flag}}, hue.inputs)  # the flag alone
    assert ("population" in alone and alone["population"].not_applicable) is expected


def test_empty_rows_left_out_across_chunks(district: Definition, tmp_path: Path) -> None:
    """Empty rows are dropped before parsing, chunk by chunk (1 MiB): no row with cells is lost or
    cut at a chunk's end, and the rows keep their numbers."""
    rows = []
    for i in range(2, 20_002, 2):
        rows.append(f'<row r="{i}">' + s(f"A{i}", f"u{i}") + s(f"B{i}", "X") + n(f"C{i}", i) + "</row>")
        rows.append(
            f'<row r="{i + 1}" spans="1:4" s="3" customFormat="1" ht="15.75" x14ac:dyDescent="0.25"/>'
        )
    sheet = '<sheetData xmlns:x14ac="urn:x">' + XHEAD + "".join(rows) + "</sheetData>"
    assert len(sheet.encode()) > 2 * 2**20  # two chunks' ends at least fall inside it
    path = raw_xlsx(tmp_path / "many.xlsx", sheet)
    units = list(read_workbook(district, path))
    assert len(units) == 10_000 and all(isinstance(u, UnitInputs) and not u.problems for u in units)
    assert [(u.unit_id, u.values["staff_total"].value) for u in units[-2:]] == [
        ("u19998", 19998),
        ("u20000", 20000),
    ]


def test_a_row_with_only_an_id_and_a_formula_is_a_unit(district: Definition, tmp_path: Path) -> None:
    sheet = (
        "<sheetData>" + XHEAD + '<row r="2">' + s("A2", "h1") + '<c r="C2"><f t="shared" si="0"/></c></row>'
    )
    path = raw_xlsx(tmp_path / "f.xlsx", sheet + "</sheetData>")
    (unit,) = read_workbook(district, path)
    assert isinstance(unit, UnitInputs) and [p.code for p in unit.problems] == ["excel-formula-no-value"]
    assert "shared" in unit.problems[0].message
