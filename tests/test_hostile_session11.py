"""Silent wrong results an outside tester found (session 10's list, fixed in session 11, #11): each
case scored without a word before, and is refused or warned of by name now."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import cds_index
import cds_index.read.inputs
from cds_index.errors import UsageError
from cds_index.io.batch import read_units, score_many
from cds_index.read.inputs import UnitInputs
from cds_index.read.units_io import read_unit

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
STRONG = EXAMPLES / "hue-2263-commune-strong.yaml"  # year: 2024
SHARE = "dvctt_satisfaction_pct"  # a percentage, 0–100, in hue-2263-commune


@pytest.fixture(scope="module")
def hue() -> cds_index.Definition:
    return cds_index.load("hue-2263-commune")


@pytest.fixture(scope="module")
def strong(hue: cds_index.Definition) -> UnitInputs:
    (unit,) = read_units(hue, [STRONG])
    assert isinstance(unit, UnitInputs)
    return unit


def _as_fraction(hue: cds_index.Definition) -> cds_index.Definition:
    """hue-2263-commune whose satisfaction share is written 0–1, as another definition may declare it."""
    spec = hue.inputs[SHARE].model_copy(update={"unit": "fraction", "max": 1})
    return hue.model_copy(update={"inputs": {**hue.inputs, SHARE: spec}})


# --- a unit read for one definition, scored under another -----------------------------------------


def test_a_value_read_by_another_declaration_is_refused_not_misread(
    hue: cds_index.Definition, strong: UnitInputs
) -> None:
    """96 read as a percentage was scored under a definition whose input is a fraction: above its
    maximum of 1, never checked, it scored without a word. It is refused by name now: the criteria
    reading it are `invalid`, the others as before."""
    other = _as_fraction(hue)
    result = cds_index.score(other, strong)
    refused = [p for p in result.problems if p.code == "input-definition"]
    assert len(refused) == 1 and SHARE in refused[0].message and "`unit`, `max`" in refused[0].message
    assert refused[0].location.file == str(STRONG) and not result.ok
    reading = [n for n in result.walk() if SHARE in n.inputs]
    assert reading and all(n.status == "invalid" for n in reading)
    same = cds_index.score(hue, strong)
    assert same.ok and not [p for p in same.problems if p.code == "input-definition"]
    others = [n.id for n in same.walk() if n.is_criterion and SHARE not in n.inputs]
    assert all(result.node(i).points == same.node(i).points for i in others)
    (row,) = score_many(other, [strong])  # a batch row is refused by name, the batch goes on
    assert not row.ok and "input-definition" in [p.code for p in row.problems]


def test_a_unit_scored_under_a_definition_that_reads_alike_is_scored(
    hue: cds_index.Definition, strong: UnitInputs
) -> None:
    """Another definition object whose inputs read every value alike (a label changed, a copy):
    nothing to refuse."""
    spec = hue.inputs[SHARE].model_copy(update={"label": "Tỷ lệ hài lòng (đổi nhãn)"})
    relabelled = hue.model_copy(update={"inputs": {**hue.inputs, SHARE: spec}})
    result = cds_index.score(relabelled, strong)
    assert result.ok and result.points == cds_index.score(hue, strong).points


# --- the year a file states, and the year asked --------------------------------------------------


def test_a_file_of_2024_scored_as_2025_says_so(hue: cds_index.Definition, strong: UnitInputs) -> None:
    """Its 2024 values were re-dated to 2025 without a word (dated meetings lose their points); a
    table row of another year was refused. It is scored as asked, with an `input-year` warning, by
    every path: read_unit with a year, score(year=), score_many(year=)."""
    unit, problems = read_unit(hue, STRONG, year=2025)
    assert unit is not None and not problems and unit.year == 2025
    codes = [(p.code, p.severity) for p in unit.problems]
    assert codes == [("input-year", "warning")]
    assert "2024" in unit.problems[0].format("vi") and "2025" in unit.problems[0].format("vi")
    for result in (
        cds_index.score(hue, strong, year=2025),
        next(iter(score_many(hue, [strong], year=2025))).result,
    ):
        assert result is not None and result.year == 2025
        assert [p.code for p in result.problems if p.code == "input-year"] == ["input-year"]
    same, _ = read_unit(hue, STRONG, year=2024)
    assert same is not None and not same.problems
    assert not [p for p in cds_index.score(hue, strong, year=2024).problems if p.code == "input-year"]


def test_a_file_of_several_years_without_the_year_asked_is_refused(
    hue: cds_index.Definition, tmp_path: Path
) -> None:
    """A `years:` file read for a year it does not have gave an empty unit: every criterion not
    reported, 0 points, no message. It is refused, at its `years:` line, naming its years."""
    path = tmp_path / "xa.yaml"
    path.write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: xa-b}\n"
        f"years:\n  2023:\n    {SHARE}: 90\n  2024:\n    {SHARE}: 95\n",
        encoding="utf-8",
    )
    unit, problems = read_unit(hue, path, year=2025)
    assert unit is None and [p.code for p in problems] == ["input-year"]
    assert problems[0].location.line == 4 and "2023, 2024" in problems[0].format("vi")
    (row,) = score_many(hue, [path], year=2025)
    assert row.result is None and [p.code for p in row.problems] == ["input-year"]
    kept, _ = read_unit(hue, path, year=2023)
    assert kept is not None and kept.values[SHARE].value == 90


# --- ranking -----------------------------------------------------------------------------------


def test_rank_refuses_results_with_refused_values(hue: cds_index.Definition) -> None:
    """A result whose values were refused was ranked on the points that were left, without a word."""
    good = cds_index.score(hue, {SHARE: 90}, unit_id="a", year=2024)
    bad = cds_index.score(hue, {SHARE: "nhiều"}, unit_id="b", year=2024)
    assert good.ok and not bad.ok
    with pytest.raises(UsageError) as refused:
        cds_index.rank([good, bad])
    assert "'b'" in str(refused.value) and "r.ok" in str(refused.value)
    assert [r.unit_id for r in cds_index.rank([r for r in (good, bad) if r.ok])] == ["a"]


def test_rank_refuses_results_of_different_years(hue: cds_index.Definition) -> None:
    """Units scored under 2023's and 2024's rules were ranked together."""
    a = cds_index.score(hue, {SHARE: 90}, unit_id="a", year=2024)
    b = cds_index.score(hue, {SHARE: 80}, unit_id="b", year=2023)
    c = cds_index.score(hue, {SHARE: 70}, unit_id="c")  # no year: ranks with either
    with pytest.raises(UsageError) as refused:
        cds_index.rank([a, b, c])
    assert "2023, 2024" in str(refused.value)
    assert [r.unit_id for r in cds_index.rank([a, c])] == ["a", "c"]


def test_http_rank_writes_one_language_or_refuses(hue: cds_index.Definition) -> None:
    """`/rank` wrote every unit's messages in the first unit's `lang`: units asking for two
    languages are refused (400), one language is the whole answer's."""
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    client = TestClient(create_app())
    url = "/definitions/hue-2263-commune/rank"
    bad = {"id": "b"}
    units = [
        {"unit": {"id": "a"}, "values": {SHARE: 90}, "lang": "vi"},
        {"unit": bad, "values": {SHARE: "nhiều"}, "lang": "en"},
    ]
    mixed = client.post(url, json={"units": units})
    assert mixed.status_code == 400 and mixed.json()["problems"][0]["code"] == "usage"
    units[0]["lang"] = "en"
    answer = client.post(url, json={"units": units})
    assert answer.status_code == 200
    (unranked,) = answer.json()["unranked"]
    english = cds_index.score(hue, {SHARE: "nhiều"}, lang="en").problems[0].format("en")
    assert unranked["problems"][0]["message"] in english


# --- what a unit wrote, read as meant or refused (the session 11 tester's findings) ---------------


def test_a_zero_denominator_is_said_with_the_units_problems(hue: cds_index.Definition) -> None:
    """No field reports to handle (0 of 0): VI.2.1 was `invalid` with 0 of its 10 points, said only in
    its explanation; the unit was `ok`, with no problem. It carries an `invalid-value` warning now."""
    result = cds_index.score(hue, {"field_reports_total": 0, "field_reports_on_time": 0}, year=2024)
    assert result.node("VI.2.1").status == "invalid"
    (warned,) = [p for p in result.problems if p.code == "invalid-value"]
    assert warned.severity == "warning" and warned.node == ("VI.2.1",)
    assert "VI.2.1" in warned.format("vi") and "10" in warned.format("vi")


@pytest.mark.parametrize(
    "written",
    [
        {"value": 5, "self": 7},
        {"not_applicable": True, "self": 7},
        {"self": "n/a", "appraised": 10},
        {"not_applicable": "có", "appraised": 10},
    ],
    ids=["value-and-self", "na-and-self", "na-word-and-appraised", "na-yes-and-appraised"],
)
def test_a_value_that_contradicts_itself_is_refused(hue: cds_index.Definition, written: dict) -> None:
    """`{value: 5, self: 7}` was read as 7 and `{not_applicable: true, self: 7}` as not applicable,
    without a word; `{self: n/a, appraised: 10}` was refused as "not a number"."""
    values, problems = cds_index.read.inputs.parse_values({"field_reports_total": written}, hue.inputs)
    assert "field_reports_total" not in values
    assert [p.code for p in problems] == ["input-type"] and "field_reports_total" in problems[0].message


@pytest.mark.parametrize(
    "written", [{"self": "n/a"}, {"appraised": "không áp dụng"}, {"value": 5, "self": 5}]
)
def test_a_value_that_agrees_with_itself_is_read(hue: cds_index.Definition, written: dict) -> None:
    values, problems = cds_index.read.inputs.parse_values({"field_reports_total": written}, hue.inputs)
    assert not problems and "field_reports_total" in values


def test_a_forms_council_figure_beside_the_units_na_is_not_dropped(
    hue: cds_index.Definition, tmp_path: Path
) -> None:
    """The form's column E (the unit's figure) `n/a`, column F (the council's) 10: the criterion was
    made not applicable and the 10 dropped, the unit `ok`. It is refused at the cell now."""
    import openpyxl

    from cds_index.io.excel import write_template

    path = tmp_path / "form.xlsx"
    write_template(hue, path, year=2024)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    (row,) = [r for r in sheet.iter_rows() if r[0].value == "field_reports_total"]
    row[4].value, row[5].value = "n/a", 10
    sheet["B4"] = "xa-a"  # the unit's id (Mã đơn vị)
    book.save(path)
    (unit,) = read_units(hue, [path])
    assert isinstance(unit, UnitInputs) and "field_reports_total" not in unit.values
    (refused,) = [p for p in unit.problems if "field_reports_total" in p.message]
    assert refused.code == "input-type" and f"E{row[0].row}" in refused.format("vi")


def test_a_year_given_twice_in_years_is_refused(tmp_path: Path) -> None:
    """`2023:` and `"2023":` are one year to the reader: the second replaced the first (10 for 72,4)
    and `check` said OK."""
    from cds_index.check.checking import check_file

    path = tmp_path / "xa.yaml"
    path.write_text(
        "kind: inputs\ndefinition: thanh-hoa-1829-commune\nunit: {id: x}\nyears:\n"
        '  2023:\n    online_dossiers_pct: 72,4\n  "2023":\n    online_dossiers_pct: 10\n',
        encoding="utf-8",
    )
    problems = [p for p in check_file(path).problems if p.severity == "error"]
    assert len(problems) == 1 and "2023" in problems[0].format("vi")
    assert "hai lần" in problems[0].format("vi")


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (dt.datetime(2026, 5, 1), "01/05/2026"),
        (dt.datetime(2026, 5, 1, 14, 30), "01/05/2026 14:30"),
        (dt.time(6, 0), "06:00"),
        (dt.timedelta(days=1, hours=6), "30:00"),
    ],
    ids=["date", "date-time", "time", "duration"],
)
def test_a_date_cell_in_a_number_input_is_shown_as_written(
    hue: cds_index.Definition, cell: object, shown: str
) -> None:
    """A number cell formatted as a date was refused as `datetime.datetime(2026, 5, 1, 0, 0)`: the
    value is shown as the office sees it, and the message says to format the cell as a number."""
    _, problems = cds_index.read.inputs.parse_values({"field_reports_total": cell}, hue.inputs)
    (refused,) = problems
    text = refused.format("vi")
    assert shown in text and "datetime" not in text and "Định dạng Ô → Số" in text


def test_a_warning_on_a_missing_value_does_not_make_its_criteria_invalid(hue: cds_index.Definition) -> None:
    """Only a refused value (an error) makes the criteria reading it `invalid`: a warning placed at an
    input that was not reported leaves them `not_reported`, as the value is."""
    from cds_index.errors import Location, Problem

    warned = Problem("input-year", "a note", Location(path=("values", SHARE)), severity="warning")
    unit = UnitInputs("x", None, 2024, {}, [warned])
    (node,) = [n for n in cds_index.score(hue, unit).walk() if n.inputs == (SHARE,)]
    assert node.status == "not_reported"


def test_check_refuses_a_workbook_and_a_folder_of_nothing_to_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check form.xlsx` read the workbook as YAML text ("byte 0xbc is not UTF-8 … save as CSV UTF-8"),
    and a folder of workbooks checked 0 files with exit 0."""
    from cds_index.cli.main import main

    book = tmp_path / "forms" / "xa-a.xlsx"
    book.parent.mkdir()
    book.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["check", str(book)]) == 2
    err = capsys.readouterr().err
    assert "error[usage]" in err and "cds-index score" in err and "UTF-8" not in err
    assert main(["check", str(book.parent)]) == 2
    assert "error[usage]" in capsys.readouterr().err


@pytest.mark.parametrize(("written", "shown"), [("00001", "1"), ("2024-01-01", "01/01/2024")])
def test_an_unquoted_id_says_to_quote_it(
    hue: cds_index.Definition, tmp_path: Path, written: str, shown: str
) -> None:
    """`unit: {id: 00001}` was refused as "expected text, got 1", `2024-01-01` as `datetime.date(2024,
    1, 1)`: the message shows the value as read and says to write the text in quotes."""
    path = tmp_path / "xa.yaml"
    path.write_text(
        f"kind: inputs\ndefinition: hue-2263-commune\nunit: {{id: {written}}}\nyear: 2024\nvalues: {{}}\n",
        encoding="utf-8",
    )
    unit, problems = read_unit(hue, path)
    assert unit is None and len(problems) == 1
    text = problems[0].format("vi")
    assert problems[0].location.line == 3 and f"nhận được {shown}," in text and "dấu nháy" in text


# --- the second pass of the session's own tester -------------------------------------------------

SCENARIO = """\
kind: scenario
id: s2
title: thử max
definition: hue-2263-commune
changes:
  - op: input
    name: dvctt_satisfaction_pct
    set: {{max: {top}}}
"""


@pytest.mark.parametrize(("value", "refused"), [(96, False), (150, True)], ids=["within-both", "above-base"])
def test_whatif_with_a_changed_range_reads_each_value_against_its_versions_range(
    hue: cds_index.Definition, tmp_path: Path, value: int, refused: bool
) -> None:
    """A scenario that widened an input's maximum (100 → 200) refused every unit under the base version
    (its values were read by the changed one): only a value outside a version's range is refused."""
    from cds_index.analyse.scenario import read_scenario, whatif

    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(top=200), encoding="utf-8")
    _, base, changed = read_scenario(path, hue).require()
    unit = tmp_path / "xa.yaml"
    unit.write_text(STRONG.read_text(encoding="utf-8").replace(f"{SHARE}: 96", f"{SHARE}: {value}"), "utf-8")
    units = [u for u in read_units(changed, [unit]) if isinstance(u, UnitInputs)]
    assert units and units[0].values[SHARE].value == value
    result = whatif(base, changed, units)
    assert bool(result.unranked) is refused and bool(result.units) is not refused
    if refused:  # above the base's maximum of 100: refused under it, as reading it with the base would
        (problem,) = result.unranked[0][1]
        assert problem.code == "input-range" and SHARE in problem.message


def test_whatif_lists_a_unit_with_a_refused_value_apart(hue: cds_index.Definition, tmp_path: Path) -> None:
    """One unit's bad value made `whatif` stop with a usage error: it is listed as not ranked."""
    from cds_index.analyse.scenario import read_scenario, whatif

    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(top=200), encoding="utf-8")
    _, base, changed = read_scenario(path, hue).require()
    (good,) = read_units(changed, [STRONG])
    bad = cds_index.score(changed, {"population": "nhiều"})  # a refused value
    assert isinstance(good, UnitInputs) and not bad.ok
    broken = UnitInputs("xa-x", None, 2024, {}, list(bad.problems))
    result = whatif(base, changed, [good, broken])
    assert [u.unit_id for u in result.units] == [good.unit_id]
    assert [unit_id for unit_id, _ in result.unranked] == ["xa-x"]
    assert result.to_dict()["unranked"][0]["problems"][0]["code"] == "input-type"


@pytest.mark.parametrize("second", ["2024.0", '"2024.0"'])
def test_a_year_given_twice_as_a_decimal_is_refused(tmp_path: Path, second: str) -> None:
    from cds_index.check.checking import check_file

    path = tmp_path / "xa.yaml"
    path.write_text(
        "kind: inputs\ndefinition: hue-2263-commune\nunit: {id: x}\nyears:\n"
        f"  2024:\n    {SHARE}: 95\n  {second}:\n    {SHARE}: 10\n",
        encoding="utf-8",
    )
    assert [p.code for p in check_file(path).problems if p.severity == "error"] == ["invalid-value"]


@pytest.mark.parametrize(
    ("written", "ok"),
    [
        ({"value": "n/a", "not_applicable": False}, False),
        ({"self": "n/a", "not_applicable": "không"}, False),
        ({"value": "72,4", "self": 72.4}, True),
        ({"value": "5", "self": 5}, True),
    ],
    ids=["na-word-not-na", "na-word-khong", "comma-and-point", "text-and-number"],
)
def test_two_writings_of_a_value_agree_or_are_refused(
    hue: cds_index.Definition, written: dict, ok: bool
) -> None:
    """`{value: n/a, not_applicable: false}` was read as not applicable; `{value: "5", self: 5}` was
    refused as two figures, though both read 5."""
    values, problems = cds_index.read.inputs.parse_values({SHARE: written}, hue.inputs)
    assert (SHARE in values and not problems) is ok
    if not ok:
        assert [p.code for p in problems] == ["input-type"]


def test_http_rank_counts_the_accept_language_as_a_units_language(hue: cds_index.Definition) -> None:
    """A unit with `lang: en` beside one with none (Accept-Language: vi) wrote every message in English."""
    from fastapi.testclient import TestClient

    from cds_index.server import create_app

    client = TestClient(create_app())
    units = [{"unit": {"id": "a"}, "values": {SHARE: 90}, "lang": "en"}, {"unit": {"id": "b"}, "values": {}}]
    url = "/definitions/hue-2263-commune/rank"
    mixed = client.post(url, json={"units": units}, headers={"Accept-Language": "vi"})
    assert mixed.status_code == 400
    alike = client.post(url, json={"units": units}, headers={"Accept-Language": "en"})
    assert alike.status_code == 200
