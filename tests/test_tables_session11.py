"""How units are identified and which table rows count as units (an outside tester's findings, #11):
each case ranked a unit twice, or a total, footer or blank template as a unit, without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

import cds_index
from cds_index.io.batch import BatchRow, read_units, score_many
from cds_index.io.seen import SeenIds, id_key
from cds_index.io.tables import UnitFailure
from cds_index.read.inputs import UnitInputs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data" / "session11"
WEAK = EXAMPLES / "hue-2263-commune-weak.yaml"
WEAK_ID = "xa-huong-son-thuong"


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


@pytest.fixture(scope="module")
def hai_duong() -> cds_index.Definition:
    return cds_index.load("hai-duong-707-district")


def _rows(definition: cds_index.Definition, *paths: Path, year: int | None = None) -> list[BatchRow]:
    return list(score_many(definition, [str(p) for p in paths], year=year))


def _twice(row: BatchRow) -> bool:
    return not row.ok and any("appears twice" in p.message for p in row.problems)


# --- S5: an invisible character in a unit id, whatever the file ----------------------------------


@pytest.mark.parametrize("name", ["weak_zwsp.yaml", "F13_id_zwsp.xlsx", "F13b_id_bom.xlsx", "hue3_zwsp.csv"])
def test_an_invisible_character_in_an_id_is_no_part_of_it(hue: cds_index.Definition, name: str) -> None:
    """`xa-huong-son-thuong\\u200b` (YAML, a form) or `\\ufeffxa-…` was a second unit, tied first with
    the unit itself: it is that unit, refused as given twice, and reported without the character."""
    rows = _rows(hue, WEAK, DATA / name)
    again = [r for r in rows if r.unit_id == WEAK_ID]
    assert len(again) == 2 and again[0].ok and _twice(again[1])
    assert all(r.unit_id.isprintable() and "\ufeff" not in r.unit_id for r in rows)


def test_a_unit_read_from_yaml_or_a_form_is_reported_without_invisible_characters(
    hue: cds_index.Definition,
) -> None:
    for name in ("weak_zwsp.yaml", "F13_id_zwsp.xlsx", "F13b_id_bom.xlsx"):
        (unit,) = read_units(hue, [DATA / name])
        assert isinstance(unit, UnitInputs) and unit.unit_id == WEAK_ID


def test_seen_ids_compare_invisible_characters_away() -> None:
    from cds_index.read.literals import INVISIBLE

    seen = SeenIds()
    assert seen.add("xa-1") and not seen.add("xa\u200b-1") and not seen.add("\ufeffxa-1\u2060")
    assert id_key("x\u00ada\u202e") == "xa"
    assert not any(c.isprintable() for c in INVISIBLE)  # id_key's fast path: printable, none to remove
    assert all(id_key(f"Xã Hòa{c}") == id_key("xã hoà") for c in INVISIBLE)


# --- S6: the old and the new tone placement spell one name ----------------------------------------


def test_ids_that_differ_by_tone_placement_are_one_unit(hai_duong: cds_index.Definition) -> None:
    rows = _rows(hai_duong, DATA / "tone_dup.csv")
    assert [r.ok for r in rows] == [True, False, True, False]
    assert _twice(rows[1]) and _twice(rows[3])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Hòa", "Hoà"),
        ("hóa", "hoá"),
        ("Khỏa", "khoả"),
        ("Thõa", "thoã"),
        ("HỌA", "hoạ"),
        ("Xòe", "xoè"),
        ("khỏe", "khoẻ"),
        ("Thủy", "Thuỷ"),
        ("Thùy", "thuỳ"),
        ("húy", "huý"),
        ("Thũy", "thuỹ"),
        ("Thụy", "thuỵ"),
        ("qúy", "quý"),
        ("Ho\u0300a", "hoa\u0300"),  # typed with combining marks
    ],
)
def test_each_tone_in_either_placement_compares_alike(old: str, new: str) -> None:
    assert id_key(old) == id_key(new)
    seen = SeenIds()
    assert seen.add(old) and not seen.add(new)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("hoa", "hoà"),  # a tone or none
        ("hòa", "hóa"),  # two tones
        ("hoà", "hoá"),
        ("thủy", "thúy"),
        ("thuỷ", "thưỷ"),  # u and ư are two letters
        ("ủy", "ửy"),
        ("xoè", "xôè"),
        ("ò a", "o à"),  # two words: not one syllable
        ("xa-an", "xa-ân"),
    ],
)
def test_distinct_letters_and_tones_stay_apart(one: str, other: str) -> None:
    assert id_key(one) != id_key(other)
    seen = SeenIds()
    assert seen.add(one) and seen.add(other)


def _refused(rows: list[UnitInputs | UnitFailure]) -> list[UnitFailure]:
    return [u for u in rows if isinstance(u, UnitFailure)]


# --- S4: total, average and footer rows -----------------------------------------------------------


def _table_row(row: UnitInputs | UnitFailure) -> str | None:
    if isinstance(row, UnitFailure):
        return next((p.message for p in row.problems if p.code == "table-row"), None)
    return None


@pytest.mark.parametrize(
    ("name", "line", "said"),
    [
        ("hue3_total.csv", "A5", "'TC' ('Tổng cộng toàn huyện') begins with 'tổng cộng'"),
        ("avg_binhquan.csv", "A14", "'BQ' ('Bình quân') begins with 'bình quân'"),
        ("avg_trungbinh.csv", "A14", "'TB' ('Trung bình toàn tỉnh') begins with 'trung bình'"),
        ("foot1.csv", "A5", "begins with 'người lập biểu'"),
        ("foot4.csv", "A5", "'Ghi chú:' ('Số liệu tạm tính') begins with 'ghi chú'"),
    ],
)
def test_a_total_average_or_footer_row_is_refused_by_name(
    hue: cds_index.Definition, hai_duong: cds_index.Definition, name: str, line: str, said: str
) -> None:
    definition = hue if name.startswith("hue") else hai_duong
    units = list(read_units(definition, [DATA / name]))
    refused = [m for u in units if (m := _table_row(u)) is not None]
    assert len(refused) == 1 and refused[0].startswith(f"{line}: the row ") and said in refused[0]
    assert "delete the row" in refused[0] and "do not begin with" in refused[0]
    rows = _rows(definition, DATA / name)
    assert sum(not r.ok for r in rows) == 1


def test_footer_rows_of_a_workbook_are_refused(hai_duong: cds_index.Definition) -> None:
    """`Người lập biểu` / `Ghi chú:` below an Excel table were ranked last with 0 points."""
    units = list(read_units(hai_duong, [DATA / "xfoot.xlsx"]))
    said = [m for u in units if (m := _table_row(u)) is not None]
    assert len(said) == 2 and "'người lập biểu'" in said[0] and "'ghi chú'" in said[1]
    scored = [u.unit_id for u in units if isinstance(u, UnitInputs)]
    assert scored == ["huyen-a", "huyen-b", "huyen-c"]


def _one_row_csv(tmp_path: Path, unit_id: str, name: str) -> Path:
    header, first = (DATA / "foot1.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    path = tmp_path / "one.csv"
    path.write_text(f"{header}\n{unit_id},{name},{first.split(',', 2)[2]}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("unit_id", "name"),
    [
        ("xa-binh-quan", "Xã Bình Quân"),
        ("tong-xa", "Huyện Tổng"),
        ("cong-hoa", "Cộng Hòa"),
        ("trung-binh-son", "Trung Bình Sơn"),
        ("binh-quan", "Phường Trung Bình"),
        ("tong-cong-xa", "Huyện Tổng Cộng"),  # an id and a name that only contain the words
    ],
)
def test_real_names_with_those_words_are_units(
    hai_duong: cds_index.Definition, tmp_path: Path, unit_id: str, name: str
) -> None:
    (unit,) = read_units(hai_duong, [_one_row_csv(tmp_path, unit_id, name)])
    assert isinstance(unit, UnitInputs) and unit.unit_id == unit_id


@pytest.mark.parametrize(
    ("unit_id", "name"),
    [
        ("TC", "TỔNG CỘNG:"),
        ("x", "tong cong toan huyen"),
        ("y", "Cộng toàn tỉnh"),
        ("z", "Bình quân chung"),
        ("avg", "Trung bình"),
        ("Tổng số", "12 huyện"),
        ("(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"),
        ("w", "Cả tỉnh"),
        ("t", "Total"),
    ],
)
def test_summary_cells_in_any_writing_are_refused(
    hai_duong: cds_index.Definition, tmp_path: Path, unit_id: str, name: str
) -> None:
    (unit,) = read_units(hai_duong, [_one_row_csv(tmp_path, f'"{unit_id}"', name)])
    assert _table_row(unit) is not None


# --- S10: the blank template left among the filled files ------------------------------------------


@pytest.fixture(scope="module")
def blank_yaml(hue: cds_index.Definition, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cds_index.io.template import inputs_template

    folder = tmp_path_factory.mktemp("fold")
    (folder / "weak.yaml").write_bytes(WEAK.read_bytes())
    (folder / "zz-template.yaml").write_text(inputs_template(hue, year=2024), encoding="utf-8")
    return folder


def test_the_blank_yaml_template_in_a_folder_is_refused_by_name(
    hue: cds_index.Definition, blank_yaml: Path
) -> None:
    """`cds-index template` left in the folder was ranked as unit `ma-don-vi` with 0 points."""
    from cds_index.io.template import PLACEHOLDER_ID

    rows = _rows(hue, blank_yaml, year=2024)
    assert [r.unit_id for r in rows if r.ok] == [WEAK_ID]
    (blank,) = [r for r in rows if not r.ok]
    assert blank.unit_id == PLACEHOLDER_ID and blank.source.endswith("zz-template.yaml")
    (problem,) = blank.problems
    assert problem.code == "missing-key" and "blank template" in problem.message
    assert problem.location.line == 7  # the `unit:` line


def test_a_placeholder_name_alone_is_refused_too(hue: cds_index.Definition, tmp_path: Path) -> None:
    text = WEAK.read_text(encoding="utf-8").replace("Xã Hương Sơn Thượng (hư cấu)", "TÊN ĐƠN VỊ")
    (tmp_path / "u.yaml").write_text(text, encoding="utf-8")
    (row,) = _rows(hue, tmp_path / "u.yaml")
    assert not row.ok and "blank template" in row.problems[0].message


def test_the_form_with_the_placeholder_id_is_refused(hue: cds_index.Definition, tmp_path: Path) -> None:
    """The form template leaves the id blank (refused as missing); the placeholder typed in is refused too."""
    import openpyxl

    book = openpyxl.load_workbook(DATA / "F13_id_zwsp.xlsx")
    book.active["B4"] = "Ma-Don-Vi"
    book.save(tmp_path / "form.xlsx")
    (unit,) = read_units(hue, [tmp_path / "form.xlsx"])
    assert isinstance(unit, UnitFailure)
    (problem,) = unit.problems
    assert problem.code == "missing-key"
    assert "B4: the unit is the blank template's 'ma-don-vi'" in problem.message


# --- S12: the form's year, scored as another -----------------------------------------------------


def test_a_form_of_2023_scored_as_2024_says_so(hue: cds_index.Definition) -> None:
    """`Năm đánh giá 2023` scored with --year 2024 was scored as 2024 without a word; it is restated
    with an `input-year` warning, as a YAML file of another year is (`read.inputs.restated`)."""
    (unit,) = read_units(hue, [DATA / "F2_year2023.xlsx"], year=2024)
    assert isinstance(unit, UnitInputs) and unit.year == 2024
    (warning,) = [p for p in unit.problems if p.code == "input-year"]
    assert warning.severity == "warning" and "of 2023, scored as 2024" in warning.message
    (row,) = _rows(hue, DATA / "F2_year2023.xlsx", year=2024)
    assert row.ok and any(p.code == "input-year" for p in row.problems)
    (own,) = read_units(hue, [DATA / "F2_year2023.xlsx"])
    assert isinstance(own, UnitInputs) and own.year == 2023 and not own.problems
    (same,) = read_units(hue, [DATA / "F2_year2023.xlsx"], year=2023)
    assert isinstance(same, UnitInputs) and not [p for p in same.problems if p.code == "input-year"]


# --- S11: hidden and filtered rows of an Excel table ----------------------------------------------


@pytest.mark.parametrize(("name", "hidden"), [("xt_hidden_row.xlsx", [3]), ("xt_autofilter.xlsx", [3, 5, 7])])
def test_a_hidden_or_filtered_row_is_scored_with_a_warning(
    hai_duong: cds_index.Definition, name: str, hidden: list[int]
) -> None:
    """A row the sheet hides (by hand, or filtered out) was scored with no notice: the official does
    not see it. It is still scored as any row, with an `excel-hidden-row` warning at its row."""
    rows = _rows(hai_duong, DATA / name)
    assert len(rows) == 12 and all(r.ok for r in rows)
    warned = {p.location.line: p for r in rows for p in r.problems if p.code == "excel-hidden-row"}
    assert sorted(warned) == hidden
    problem = warned[hidden[0]]
    assert problem.severity == "warning"
    assert f"A{hidden[0]}: row {hidden[0]} is hidden in the sheet" in problem.message
    assert not [p for r in rows for p in r.problems if p.code != "excel-hidden-row"]
