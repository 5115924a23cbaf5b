"""The session-5 outsider's corpus: inputs written the way offices write them, each case failing before
its fix (``# was:`` says what happened then).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

import cds_index
from cds_index.formats.model import Definition
from cds_index.i18n import render
from cds_index.io.batch import UnitFailure, read_units, score_many
from cds_index.io.seen import SeenIds
from cds_index.read.units_io import read_unit

D = "hai-duong-707-district"
HEADER = "Mã đơn vị,Tên đơn vị,staff_total\n"


@pytest.fixture(scope="module")
def district() -> Definition:
    return cds_index.load(D)


# --- one unit written twice, differently ------------------------------------------------------

NFC_ID = "huyện-a"
SPELLINGS = [
    pytest.param(unicodedata.normalize("NFD", NFC_ID), id="NFD"),  # a Vietnamese keyboard's NFD
    pytest.param("HUYỆN-A", id="capitals"),
    pytest.param("Huyện-A", id="title-case"),
]


@pytest.mark.parametrize("again", SPELLINGS)
def test_one_unit_twice_in_another_spelling_is_refused(
    district: Definition, tmp_path: Path, again: str
) -> None:
    # was: both rows scored and ranked, one unit counted twice without a word
    path = tmp_path / "units.csv"
    path.write_text(f"{HEADER}{NFC_ID},Huyện A,620\n{again},Huyện A,630\n", encoding="utf-8")
    rows = list(score_many(district, [path]))
    assert [row.ok for row in rows] == [True, False]
    assert rows[1].problems[-1].code == "invalid-value"
    assert "appears twice" in render(rows[1].problems[-1].message, "en")


@pytest.mark.parametrize("again", ["huyen a", "huyen\u00a0a", "huyen  a", "huyen \t a"])
def test_one_unit_twice_with_other_spaces_is_refused(
    district: Definition, tmp_path: Path, again: str
) -> None:
    path = tmp_path / "units.csv"
    path.write_text(f'{HEADER}huyen a,A,620\n"{again}",A,630\n', encoding="utf-8")
    rows = list(score_many(district, [path]))
    assert [row.ok for row in rows] == [True, False]


def test_different_units_stay_different(district: Definition, tmp_path: Path) -> None:
    # accents are letters: xã An and xã Ân are two communes, never folded together
    path = tmp_path / "units.csv"
    path.write_text(f"{HEADER}xa-an,An,1\nxa-ân,Ân,2\nxa-án,Án,3\nxa-a-1,1,4\nxa-a1,2,5\n", encoding="utf-8")
    assert all(row.ok for row in score_many(district, [path]))


def test_seen_ids_compares_as_people_read() -> None:
    seen = SeenIds()
    assert seen.add("Xã A")
    assert not seen.add("xã a")
    assert not seen.add(unicodedata.normalize("NFD", "XÃ  A"))
    assert "XÃ A" in seen
    assert seen.add("Xã Á")


# --- files a folder holds that are not read --------------------------------------------------


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".xlsb", ".XLS"])
def test_a_spreadsheet_the_reader_cannot_open_is_refused_by_name(
    district: Definition, tmp_path: Path, suffix: str
) -> None:
    # was: a folder's `huyen-b.xls` (Excel 97–2003) skipped without a word: its units lost; given alone,
    # read as a YAML inputs file and refused as "not UTF-8"
    (tmp_path / "huyen-a.csv").write_text(f"{HEADER}huyen-a,A,620\n", encoding="utf-8")
    old = tmp_path / f"huyen-b{suffix}"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # an OLE2 header, as Excel 97 writes
    for given in (tmp_path, old):
        found = list(read_units(district, [given]))
        failures = [f for f in found if isinstance(f, UnitFailure)]
        assert len(failures) == 1, found
        (problem,) = failures[0].problems
        assert problem.code == "excel-corrupt"
        assert problem.location.file == str(old)
        assert ".xlsx" in render(problem.message, "en")
    assert [u.unit_id for u in read_units(district, [tmp_path]) if not isinstance(u, UnitFailure)] == [
        "huyen-a"
    ]


def test_a_folder_with_nothing_to_read_is_refused(district: Definition, tmp_path: Path) -> None:
    # was: `cds-index score DEF folder/` printed an empty table and exited 0
    (tmp_path / "ghi-chu.txt").write_text("số liệu gửi sau", encoding="utf-8")
    found = list(read_units(district, [tmp_path]))
    assert len(found) == 1 and isinstance(found[0], UnitFailure)
    (problem,) = found[0].problems
    assert problem.code == "file-not-found"
    assert problem.location.file == str(tmp_path)
    rows = list(score_many(district, [tmp_path]))
    assert [row.ok for row in rows] == [False]


def test_a_folder_of_notes_beside_units_is_read_quietly(district: Definition, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    (tmp_path / "a.csv").write_text(f"{HEADER}huyen-a,A,620\n", encoding="utf-8")
    assert [row.ok for row in score_many(district, [tmp_path])] == [True]


# --- YAML numbers written with a base ---------------------------------------------------------


def _inputs(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "unit.yaml"
    path.write_text(
        f"kind: inputs\ndefinition: {D}\nunit: {{id: huyen-a, name: A}}\nyear: 2024\nvalues:\n  {line}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(("line", "expected"), [("staff_total: 012", 12), ("staff_total: 0620", 620)])
def test_yaml_leading_zero_is_the_number_written(
    district: Definition, tmp_path: Path, line: str, expected: int
) -> None:
    # was: the whole file refused: "the tag 'tag:yaml.org,2002:int' is not supported"
    unit, problems = read_unit(district, _inputs(tmp_path, line))
    assert problems == [] and unit is not None and unit.problems == []
    assert unit.values["staff_total"].value == Decimal(expected)


@pytest.mark.parametrize("written", ["0x1A", "0o17", "0b11", "-0x10"])
def test_yaml_hex_octal_binary_counts_are_refused(district: Definition, tmp_path: Path, written: str) -> None:
    # was: 0x1A read as 26 people, 0b11 as 3, without a word
    unit, problems = read_unit(district, _inputs(tmp_path, f"staff_total: {written}"))
    assert unit is None
    (problem,) = problems
    assert problem.code == "wrong-type"
    assert (problem.location.line, problem.location.column) == (6, 16)
    assert written in render(problem.message, "en")


# --- messages in the reader's language --------------------------------------------------------


def test_inputs_for_another_definition_says_so_in_vietnamese(district: Definition, tmp_path: Path) -> None:
    # was: an English f-string, never translated
    path = tmp_path / "unit.yaml"
    path.write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: xa-a}\nyear: 2024\nvalues: {}\n",
        encoding="utf-8",
    )
    (failure,) = list(read_units(district, [path]))
    assert isinstance(failure, UnitFailure)
    (problem,) = failure.problems
    assert problem.code == "input-definition"
    assert "bộ chỉ số" in render(problem.message, "vi")
    assert "hue-2263-commune" in render(problem.message, "en")


def test_not_a_zip_is_said_in_vietnamese(district: Definition, tmp_path: Path) -> None:
    # was: "... (.xlsx là một tệp zip): File is not a zip file; ..." (Python's English words)
    path = tmp_path / "units.xlsx"
    path.write_text(f"{HEADER}huyen-a,A,620\n", encoding="utf-8")
    (failure,) = list(read_units(district, [path]))
    assert isinstance(failure, UnitFailure)
    text = render(failure.problems[0].message, "vi")
    assert failure.problems[0].code == "excel-corrupt"
    assert "File is not a zip file" not in text


# --- a refused duplicate must not stand in the ranking -----------------------------------------

FICTIONAL = Path(__file__).parent.parent / "examples" / "definitions" / "tinh-x-commune-fictional.yaml"
PAYMENTS = "Mã đơn vị,Tên đơn vị,online_payments\nxa-a,A,10\nxa-b,B,20\nXA-B,B again,30\n"


def test_a_refused_duplicate_is_not_ranked_against(tmp_path: Path) -> None:
    # was: XA-B (refused as xa-b written again) still ranked in the batch: xa-b came 2nd of 3, 2 points
    definition = cds_index.load(FICTIONAL)
    path = tmp_path / "units.csv"
    path.write_text(PAYMENTS, encoding="utf-8")
    rows = list(score_many(definition, [path]))
    assert [row.ok for row in rows] == [True, True, False]
    points = {row.unit_id: row.result.node("III.2").points for row in rows if row.result is not None}
    assert points == {"xa-a": Decimal(2), "xa-b": Decimal(3)}


def test_standings_count_one_unit_once_in_any_spelling(tmp_path: Path) -> None:
    definition = cds_index.load(FICTIONAL)
    path = tmp_path / "units.csv"
    path.write_text(PAYMENTS, encoding="utf-8")
    units = [u for u in read_units(definition, [path]) if not isinstance(u, UnitFailure)]
    peers = cds_index.standings(definition, units)
    result = cds_index.score(definition, units[1], peers=peers)
    assert result.node("III.2").points == Decimal(3)


# --- column B is the names only when its header says so ----------------------------------------


@pytest.mark.parametrize(
    ("header", "cell"),
    [
        pytest.param("stafff_total", "620", id="misspelt-input"),
        pytest.param("Tỷ lệ truy cập Cổng TTĐT", "85", id="abbreviated-label"),
        pytest.param("Dân số huyện", "160000", id="near-label-with-a-unit-word"),
    ],
)
def test_a_second_column_that_is_no_name_is_reported(
    district: Definition, tmp_path: Path, header: str, cell: str
) -> None:
    # was: column B taken for the units' names by position: the name became '620', the value lost
    path = tmp_path / "units.csv"
    path.write_text(f"Mã đơn vị,{header},staff_total\nhuyen-a,{cell},620\n", encoding="utf-8")
    (unit,) = list(read_units(district, [path]))
    assert not isinstance(unit, UnitFailure)
    assert unit.unit_name is None
    (problem,) = unit.problems
    assert (problem.code, problem.location.line, problem.location.column) == ("input-unknown", 2, 2)
    assert header in render(problem.message, "en")


@pytest.mark.parametrize(("header", "name"), [("Năm", None), ("STT", None), ("Tên xã", "Xã A"), ("", "Xã A")])
def test_a_second_column_named_for_units_holds_their_names(
    district: Definition, tmp_path: Path, header: str, name: str | None
) -> None:
    # was: `Mã đơn vị,Năm,…` gave every unit the name '2024'
    path = tmp_path / "units.csv"
    cell = "Xã A" if name else "2024" if header == "Năm" else "1"
    path.write_text(f"Mã đơn vị,{header},staff_total\nhuyen-a,{cell},620\n", encoding="utf-8")
    (unit,) = list(read_units(district, [path]))
    assert not isinstance(unit, UnitFailure)
    assert (unit.unit_name, unit.problems) == (name, [])
    assert unit.values["staff_total"].value == Decimal(620)


# --- a table of several years, scored for one ----------------------------------------------------


def test_a_row_of_another_year_is_not_scored_as_the_year_asked(district: Definition, tmp_path: Path) -> None:
    # was: with year=2024, the row `A,2023,100` was scored as A's 2024 result and A's real 2024 row
    # refused as a duplicate; B's 2023 figures passed for 2024
    path = tmp_path / "units.csv"
    path.write_text(
        "Mã đơn vị,Tên đơn vị,Năm,staff_total\nA,x,2023,100\nA,x,2024,200\nB,y,2023,5\n", encoding="utf-8"
    )
    rows = list(score_many(district, [path], year=2024))
    assert [(row.unit_id, row.ok) for row in rows] == [("A", False), ("A", True), ("B", False)]
    assert rows[1].result is not None and rows[1].result.year == 2024
    for row, line in ((rows[0], 2), (rows[2], 4)):
        (problem,) = row.problems
        assert (problem.code, problem.location.line, problem.location.column) == ("invalid-value", line, 3)
        assert "2023" in render(problem.message, "vi")
    assert [row.ok for row in score_many(district, [path])] == [True, False, True]  # each of its year
