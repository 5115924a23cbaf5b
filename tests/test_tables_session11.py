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
    seen = SeenIds()
    assert seen.add("xa-1") and not seen.add("xa\u200b-1") and not seen.add("\ufeffxa-1\u2060")
    assert id_key("x\u00ada\u202e") == "xa"


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
