"""Silent wrong results an outside tester of reading found in session 12 (#11): each value was read
otherwise than meant, or kept without a word; it is read as meant, or refused by name, now."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cds_index
from cds_index.cli import main
from cds_index.errors import UsageError
from cds_index.formats.model import InputDef
from cds_index.i18n import render
from cds_index.io import excel
from cds_index.io.batch import read_units, score_many
from cds_index.io.seen import id_key
from cds_index.read.inputs import UnitInputs, Value, parse_values, read_otherwise
from cds_index.read.literals import read_date
from cds_index.read.units_io import read_unit_years

DATE = "q1_meeting_date"  # a date input of hue-2263-commune


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


@pytest.fixture(scope="module")
def department() -> cds_index.Definition:
    return cds_index.load("hai-duong-707-department")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("session12")


@pytest.fixture(scope="module")
def form(department: cds_index.Definition, folder: Path) -> Path:
    path = folder / "form.xlsx"
    excel.write_template(department, path, year=2024)
    return path


# --- a date with a time no day has -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "20/06/2025 99:99",  # the previous session's finding
        "20/06/2025 24:00",
        "20/06/2025 23:60",
        "20/06/2025 23:59:60",
        "2025-06-20T25:00",
        "20/06/2025 14:30 PM",  # a 12-hour clock has no 14
        "20/06/2025 00:15 AM",
    ],
)
def test_a_date_with_an_impossible_time_is_refused_with_how_to_write_it(
    hue: cds_index.Definition, text: str
) -> None:
    """The time after a date was skipped unread: `20/06/2025 99:99` was 20 June, as if typed right.
    A slip in the time is perhaps one in the date too: refused, saying how to write it."""
    result = cds_index.score(hue, {DATE: text}, year=2025)
    (problem,) = [p for p in result.problems if p.location.path[-1:] == (DATE,)]
    assert problem.code == "input-type" and problem.severity == "error"
    vi, en = render(problem.message, "vi"), render(problem.message, "en")
    assert "không phải là một giờ trong ngày" in vi and "20/06/2025 14:30" in vi
    assert "is not a time of day" in en


@given(
    st.integers(0, 99),
    st.integers(0, 99),
    st.none() | st.integers(0, 99),
    st.sampled_from(["", " AM", " pm", " SA", " ch"]),  # SA/CH: sáng, chiều (Windows in Vietnamese)
)
def test_a_time_after_a_date_is_read_only_when_a_day_has_it(
    hour: int, minute: int, second: int | None, half: str
) -> None:
    time = f"{hour:02d}:{minute:02d}" + ("" if second is None else f":{second:02d}") + half
    day, code, _ = read_date(f"20/06/2025 {time}")
    hours = range(1, 13) if half else range(24)
    possible = hour in hours and minute < 60 and (second or 0) < 60
    assert (day is not None, code) == ((True, None) if possible else (False, "input-type"))
    if possible:
        assert read_date(f"2025-06-20T{time}") == (day, None, None)


def test_a_date_with_a_vietnamese_12_hour_time_is_read() -> None:
    """Excel in Vietnamese exports `20/06/2025 2:30:00 CH` (chiều, PM): it was refused as no date."""
    for text in ("20/06/2025 2:30:00 CH", "20/06/2025 9:05 SA", "2025-06-20 12:00 ch"):
        assert read_date(text) == (dt.date(2025, 6, 20), None, None)


# --- a number (or yes/no, or date) in a workbook's unit id cell ------------------------------------

# (what the cell holds, the id read or None when refused)
ID_CELLS = [
    (1, "1"),  # a number cell: its digits, with a warning (the zeros of 00123 are lost)
    (1.0, "1"),
    (123, "123"),
    ("00123", "00123"),  # a text cell: as typed, no word
    (1.5, None),  # decimals: 1.50 or 1.5? refused
    (12345678901234567890, None),  # stored as 1.23456789012346E+19: its last digits lost
    (-3, None),
    (True, None),  # was the id 'True'
    (dt.datetime(2024, 1, 1), None),  # was the id '2024-01-01 00:00:00' in a table
]


def _unit(units: Any) -> Any:
    (unit,) = list(units)
    return unit


def _said(unit: Any) -> list[Any]:
    return [p for p in unit.problems if p.code == "input-type"]


@pytest.mark.parametrize(("cell", "expected"), [c for c in ID_CELLS if not isinstance(c[0], str)])
def test_a_forms_unit_id_cell_is_read_as_typed_or_refused(
    department: cds_index.Definition, form: Path, folder: Path, cell: Any, expected: str | None
) -> None:
    """A number in the form's id cell (B4) was kept as its digits without a word (Excel had dropped
    00123's zeros), a yes/no value was the id `True`, 20 digits had lost their last five."""
    book = openpyxl.load_workbook(form)
    book.active["B4"], book.active["B5"] = cell, "Sở A"
    path = folder / f"form-{type(cell).__name__}-{abs(hash(cell))}.xlsx"
    book.save(path)
    unit = _unit(read_units(department, [path]))
    (problem,) = _said(unit)
    assert problem.location.line == 4 and problem.location.column == 2
    if expected is None:
        assert not isinstance(unit, UnitInputs) and problem.severity == "error"
        assert "Format Cells → Text" in render(problem.message, "en")
    else:
        assert isinstance(unit, UnitInputs) and unit.unit_id == expected
        assert problem.severity == "warning" and "00123" in render(problem.message, "vi")


def test_a_text_id_is_kept_as_typed_without_a_word(
    department: cds_index.Definition, form: Path, folder: Path
) -> None:
    book = openpyxl.load_workbook(form)
    book.active["B4"], book.active["B5"] = "00123", "Sở A"
    book.save(path := folder / "text-id.xlsx")
    unit = _unit(read_units(department, [path]))
    assert isinstance(unit, UnitInputs) and unit.unit_id == "00123" and not _said(unit)


def test_the_template_formats_its_id_and_name_cells_as_text(form: Path) -> None:
    """Typed into a General cell, 00123 is stored as the number 123 by Excel itself: the template's
    id cell is a text cell, which keeps it as typed."""
    sheet = openpyxl.load_workbook(form).active
    assert sheet["A4"].value == "Mã đơn vị" and sheet["B4"].number_format == "@"
    assert sheet["B5"].number_format == "@"


def test_a_tables_id_cells_are_read_as_the_forms(department: cds_index.Definition, folder: Path) -> None:
    """The same reading of each id cell in a table: every row scored under its id or refused by name
    at its cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Tên đơn vị", "staff_total"])
    for cell, _ in ID_CELLS:
        sheet.append([cell, "Sở", 50])
    book.save(path := folder / "table.xlsx")
    units = list(read_units(department, [path]))
    assert len(units) == len(ID_CELLS)  # every row accounted for
    for row, (unit, (cell, expected)) in enumerate(zip(units, ID_CELLS, strict=True), start=2):
        said = _said(unit)
        if isinstance(cell, str):
            assert isinstance(unit, UnitInputs) and unit.unit_id == expected and not said
            continue
        (problem,) = said
        assert problem.location.line == row and problem.location.column == 1
        if expected is None:
            assert not isinstance(unit, UnitInputs) and problem.severity == "error"
        else:
            assert isinstance(unit, UnitInputs) and unit.unit_id == expected
            assert problem.severity == "warning"


@pytest.fixture(scope="module")
def yearly(folder: Path) -> tuple[cds_index.Definition, Path]:
    definition = cds_index.load("thanh-hoa-1829-commune")  # yearly targets: one column per year
    excel.write_template(definition, path := folder / "years.xlsx")
    return definition, path


@pytest.mark.parametrize(
    ("cell", "value", "code"),
    [
        ("B4", None, "missing-key"),  # no unit id
        ("B4", True, "input-type"),  # a yes/no value as the id
        ("B3", "hue-2263-commune", "input-definition"),  # the form of another definition
    ],
)
def test_a_refused_yearly_form_says_why_in_its_own_words(
    yearly: tuple[cds_index.Definition, Path], folder: Path, cell: str, value: Any, code: str
) -> None:
    """The yearly-targets form refused (no id, another definition's form) was read again as a table,
    and said only that its header had no unit id column, at row 11: the refusal was lost."""
    definition, source = yearly
    book = openpyxl.load_workbook(source)
    book.active["B4"] = "xa-a"
    book.active[cell] = value
    book.save(path := folder / f"years-{cell}-{code}.xlsx")
    unit = _unit(read_units(definition, [path], year=2024))
    assert not isinstance(unit, UnitInputs)
    assert [(p.code, p.location.line) for p in unit.problems] == [(code, int(cell[1:]))]


def test_a_yearly_forms_number_id_is_said_in_every_year(
    yearly: tuple[cds_index.Definition, Path], folder: Path
) -> None:
    definition, source = yearly
    book = openpyxl.load_workbook(source)
    book.active["B4"] = 7
    book.save(path := folder / "years-number.xlsx")
    units = list(read_units(definition, [path]))
    assert units and all(isinstance(u, UnitInputs) and u.unit_id == "7" for u in units)
    assert all([p.severity for p in _said(u)] == ["warning"] for u in units)


# --- a unit built by hand (the Python API) --------------------------------------------------------


def test_a_hand_built_unit_of_raw_values_is_refused_at_once() -> None:
    """`UnitInputs("u", values={"population": 5})` failed inside scoring with an AttributeError."""
    for values in ({"population": Decimal(5)}, {"population": {"self": 5}}, {5: Value(Decimal(5))}, [1]):
        with pytest.raises(UsageError) as refused:
            UnitInputs("u", values=values)  # type: ignore[arg-type]
        (problem,) = refused.value.problems
        assert problem.code == "usage" and "score(definition, {name: value})" in refused.value.format("en")
    assert UnitInputs("u", values={"population": Value(Decimal(5))}).values  # as read: kept


# (input, a value held otherwise than reading gives it)
HELD = [
    ("portal_dx_section", "không"),  # a non-empty text, true to Python: it scored the points of yes
    ("dx_committee_head_role", "boss"),  # a KeyError in scoring
    ("population", Decimal(-5)),  # below its minimum of 0
    ("population", Decimal("12.5")),  # a count with decimals
    ("population", 1.5),  # a float among Decimals
    ("dvctt_satisfaction_pct", Decimal(150)),  # a percentage above 100
    ("q1_meeting_date", "2025-13-45"),  # no day of the calendar
    ("population", Decimal("sNaN")),
]


@pytest.mark.parametrize(("name", "held"), HELD)
def test_a_hand_built_value_is_checked_against_its_input(
    hue: cds_index.Definition, name: str, held: Any
) -> None:
    """A unit built by hand has no `read_by`: its values were never compared with the declarations
    (read_otherwise returned nothing). Each value that reading would not give is refused by name."""
    unit = UnitInputs("u", year=2025, values={name: Value(held, held)})
    (problem,) = read_otherwise(hue.inputs, unit)
    assert problem.code == "input-type" and problem.location.path == ("values", name)
    assert name in render(problem.message, "vi")


_RAW = {
    "boolean": st.sampled_from([True, False, "có", "không", "x", "Đạt", 1, 0]),
    "integer": st.integers(0, 10**6) | st.integers(0, 10**6).map(lambda n: f"{n:,}".replace(",", ".")),
    "number": st.decimals(0, 10**6, places=3)
    | st.decimals(0, 10**6, places=2).map(
        lambda d: f"{d:f}".replace(".", ",")
    ),  # 2 places: "1,500" has two readings
    "role": st.sampled_from(["head", "Chủ tịch", "cấp phó", "none"]),
    "date": st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(lambda d: f"{d:%d/%m/%Y}"),
}


@settings(max_examples=40)
@given(st.data())
def test_values_read_for_the_definition_pass_the_hand_built_check(data: st.DataObject) -> None:
    """No false alarm: every value the readers give is one the check of a hand-built unit accepts."""
    hue = cds_index.load("hue-2263-commune")
    specs = {n: s for n, s in hue.inputs.items() if s.type in _RAW and (s.max is None or s.type != "number")}
    names = data.draw(st.lists(st.sampled_from(sorted(specs)), min_size=1, max_size=8, unique=True))
    raw = {n: data.draw(_RAW[specs[n].type]) for n in names}
    values, problems = parse_values(raw, hue.inputs)
    assert not [p for p in problems if p.code != "input-range"]  # `_pct` maxima: refused, not read
    assert read_otherwise(hue.inputs, UnitInputs("u", year=2025, values=values)) == []


# --- a table with no unit ----------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "\n,,,\n\n"])
def test_a_table_with_its_header_and_no_unit_is_refused(
    department: cds_index.Definition, folder: Path, blank: str
) -> None:
    """A CSV or a sheet with the header and no row below it (a template sent back unfilled) scored
    nothing and ended well, without a word, where an empty folder is refused."""
    csv = folder / f"header-only-{len(blank)}.csv"
    csv.write_text("Mã đơn vị,Tên đơn vị,staff_total,leaders_total\n" + blank, encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.append(["Mã đơn vị", "Tên đơn vị", "staff_total"])
    book.save(xlsx := folder / "header-only.xlsx")
    for path in (csv, xlsx):
        unit = _unit(read_units(department, [path]))
        assert not isinstance(unit, UnitInputs)
        assert [(p.code, p.location.file) for p in unit.problems] == [("missing-key", str(path))]
        assert "bảng không có đơn vị nào" in render(unit.problems[0].message, "vi")
    assert main(["score", department.id, str(csv), "--year", "2024", "--brief"]) == 1


# --- an id cell holding a formula's text or a line break --------------------------------------------


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('"=""00123"""', "'00123'"),  # Excel's idiom for a text in a CSV: Excel shows 00123
        ("=1+1", "=1+1"),  # Excel shows 2
        ('"so-\na"', "\\n"),  # Alt+Enter inside the id cell
        ("so-\x0ba", "\\x0b"),
    ],
)
def test_an_id_that_is_a_formula_or_holds_a_line_break_is_refused(
    department: cds_index.Definition, folder: Path, cell: str, shown: str
) -> None:
    """They were the unit's ids as written: `="00123"` (which Excel shows as 00123), `so-` and `a`
    on two lines."""
    path = folder / f"odd-id-{abs(hash(cell))}.csv"
    path.write_text(f"Mã đơn vị,Tên đơn vị,staff_total\n{cell},Sở A,50\nso-b,Sở B,60\n", encoding="utf-8")
    refused, kept = read_units(department, [path])
    assert not isinstance(refused, UnitInputs) and isinstance(kept, UnitInputs) and kept.unit_id == "so-b"
    (problem,) = refused.problems
    assert (problem.code, problem.location.line, problem.location.column) == ("table-row", 2, 1)
    assert shown in render(problem.message, "en")


def test_a_forms_id_that_is_a_formula_is_refused(
    department: cds_index.Definition, form: Path, folder: Path
) -> None:
    book = openpyxl.load_workbook(form)
    book.active["B4"] = '="00123"'
    book.active["B4"].data_type = "s"  # typed with an apostrophe: the text, not a formula
    book.save(path := folder / "form-formula-id.xlsx")
    unit = _unit(read_units(department, [path]))
    assert not isinstance(unit, UnitInputs)
    assert [(p.code, p.location.line) for p in unit.problems] == [("input-type", 4)]


# --- a percentage written for a fraction input --------------------------------------------------------


@pytest.mark.parametrize(("text", "fraction"), [("50%", "0,5"), ("85,5 %", "0,855"), ("100%", "1")])
def test_a_percentage_for_a_fraction_is_refused_in_the_readers_language(text: str, fraction: str) -> None:
    """The refusal was an English f-string, outside the catalogue: a Vietnamese reader got English."""
    spec = InputDef(label="Tỷ lệ", unit="fraction", min=0, max=1)
    _, problems = parse_values({"share": text}, {"share": spec})
    (problem,) = problems
    assert problem.code == "input-type"
    assert f"ghi {fraction} cho {text}" in render(problem.message, "vi")
    assert f"write {fraction} for {text}" in render(problem.message, "en")


# --- one unit, its id's hyphen typed as another dash ------------------------------------------------

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


def test_an_id_whose_hyphen_is_another_dash_is_the_same_unit(
    department: cds_index.Definition, folder: Path
) -> None:
    """`so-a`, `so‑a` (Word's no-break hyphen) and `so–a` (its en dash) look alike: three rows of one
    unit were scored as three units."""
    rows = "".join(f"so{dash}a,Sở A,{50 + i}\n" for i, dash in enumerate("-\u2011\u2013"))
    path = folder / "dashes.csv"
    path.write_text("Mã đơn vị,Tên đơn vị,staff_total\n" + rows, encoding="utf-8")
    rows_scored = list(score_many(department, [path], year=2024))
    assert [row.ok for row in rows_scored] == [True, False, False]
    assert all(p.code == "invalid-value" for row in rows_scored[1:] for p in row.problems)


@given(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12), st.sampled_from(DASHES)
)
def test_every_dash_of_an_id_compares_as_its_hyphen(text: str, dash: str) -> None:
    assert id_key(f"{text}-{text}") == id_key(f"{text}{dash}{text}")


# --- an inputs file's year ---------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["true", "false", "1", "24", "9999"])
def test_an_inputs_files_year_that_is_no_year_is_refused(
    department: cds_index.Definition, folder: Path, year: str
) -> None:
    """`year: true` was the year 1 (pydantic's int of a bool), `year: 24` the year 24: each scored,
    with only a warning that the definition does not assess that year, and exit 0."""
    path = folder / f"year-{year}.yaml"
    path.write_text(
        f"kind: inputs\ndefinition: {department.id}\nyear: {year}\nunit: {{id: so-a}}\n"
        "values:\n  staff_total: 5\n",
        encoding="utf-8",
    )
    unit = _unit(read_units(department, [path]))
    assert not isinstance(unit, UnitInputs)
    assert [p.location.line for p in unit.problems] == [3]  # the model's year: 1900–2100, never yes/no
    assert "1900" in unit.problems[0].format("vi") or "2024" in unit.problems[0].format("vi")
    assert main(["score", department.id, str(path), "--brief"]) == 1


@pytest.mark.parametrize("year", ["2024", '"2024"', "2024.0"])
def test_an_inputs_files_year_as_written_is_read(
    department: cds_index.Definition, folder: Path, year: str
) -> None:
    path = folder / f"year-ok-{len(year)}.yaml"
    path.write_text(
        f"kind: inputs\ndefinition: {department.id}\nyear: {year}\nunit: {{id: so-a}}\nvalues: {{}}\n",
        encoding="utf-8",
    )
    unit = _unit(read_units(department, [path]))
    assert isinstance(unit, UnitInputs) and unit.year == 2024 and not unit.problems


@pytest.mark.parametrize("key", ["true", "24"])
def test_a_key_of_years_that_is_no_year_is_refused(folder: Path, key: str) -> None:
    """`years: {true: …}` held the values of the year 1."""
    definition = cds_index.load("thanh-hoa-1829-commune")
    path = folder / f"years-key-{key}.yaml"
    path.write_text(
        f"kind: inputs\ndefinition: {definition.id}\nunit: {{id: xa-a}}\n"
        f"years:\n  2023: {{}}\n  {key}: {{}}\n",
        encoding="utf-8",
    )
    years, problems = read_unit_years(definition, path)
    assert not years and [(p.location.line, p.location.column) for p in problems] == [(6, 3)]


def test_score_refuses_a_hand_built_value_its_input_would_not_read(hue: cds_index.Definition) -> None:
    """`score()` checks a hand-built unit (no `read_by`) as reading checks a file's: `Value("không")`
    for a yes/no input scored its "yes" points (a non-empty text is true to Python); it is refused,
    its criteria `invalid`, the unit not `ok`. The same unit read by `parse_values` scores as meant."""
    criterion = next(c for c in hue.criteria() if c.rule is not None and c.rule.kind == "yes_no")
    name = criterion.rule.input  # type: ignore[union-attr]
    by_hand = UnitInputs("u", year=2024, values={name: Value("không", "không")})
    result = cds_index.score(hue, by_hand)
    assert result.node(criterion.id).status == "invalid" and result.node(criterion.id).points == 0
    assert not result.ok and any(p.location.path == ("values", name) for p in result.problems)
    read = cds_index.score(hue, {name: "không"}, year=2024)
    assert read.ok and read.node(criterion.id).status == "scored" and read.node(criterion.id).points == 0


@pytest.mark.parametrize(("raw", "fraction"), [(85, "0,85"), ("85", "0,85"), ("12,5", "0,125"), (100, "1")])
def test_a_percentage_for_a_fraction_says_the_fraction_to_write(raw: Any, fraction: str) -> None:
    """`85` for an input written 0–1 was "85 is above the maximum 1", no word of 0,85."""
    from cds_index.formats.model import InputDef
    from cds_index.read.inputs import coerce

    spec = InputDef(label="Tỷ lệ", unit="fraction", min=0, max=1)
    value, code, message = coerce(raw, spec)
    assert value is None and code == "input-range"
    assert f"ghi {fraction} cho" in render(message, "vi") and f"write {fraction}" in render(message, "en")
    plain_max = InputDef(label="Số", unit="1", min=0, max=1)
    assert "ghi" not in render(coerce(raw, plain_max)[2], "vi")  # a plain number: no such guess
