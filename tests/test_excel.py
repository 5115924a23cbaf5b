"""The Excel round trip: the self-assessment form, reading forms and tables back, bad cells, results."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

openpyxl = pytest.importorskip("openpyxl")

import cds_index  # noqa: E402
from cds_index.cli import main  # noqa: E402
from cds_index.io.batch import score_many  # noqa: E402
from cds_index.io.excel import (  # noqa: E402
    COL_APPRAISED,
    COL_DATE,
    COL_EVIDENCE,
    COL_NAME,
    COL_SELF,
    COL_USERS,
    TEMPLATE_COLUMNS,
    TEMPLATE_SHEET,
    write_results,
    write_template,
)
from cds_index.io.template import readings_of_inputs, users_of_inputs  # noqa: E402
from cds_index.read.loader import read_file  # noqa: E402

from .conftest import EXAMPLES  # noqa: E402
from .synthetic import cell_value, make_units, write_workbook  # noqa: E402


def _form_rows(ws: Any) -> tuple[int, dict[str, int]]:
    """The header row of a form and input name → its row."""
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == COL_NAME)
    rows = {}
    for row in ws.iter_rows(min_row=header + 1):
        name = row[0].value
        if isinstance(name, str) and name.replace("_", "").isalnum() and name.islower():
            rows[name] = row[0].row
    return header, rows


@pytest.mark.parametrize("definition_id", ["hai-duong-707-district", "hue-2263-commune"])
def test_template_is_one_sheet_in_vietnamese_with_validations(definition_id: str, tmp_path: Path) -> None:
    definition = cds_index.load(definition_id)
    path = tmp_path / "form.xlsx"
    assert main(["template", definition_id, "--format", "xlsx", "-o", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [TEMPLATE_SHEET]
    ws = book.active
    header, rows = _form_rows(ws)
    assert [c.value for c in ws[header]] == TEMPLATE_COLUMNS
    assert set(rows) == set(definition.inputs)  # every input once
    # general facts (Thông tin chung) at the top, before any measured input
    general = [n for n, s in definition.inputs.items() if s.general]
    assert general and max(rows[n] for n in general) < min(
        rows[n] for n in definition.inputs if n not in general
    )
    assert ws.cell(header + 1, 1).value == "THÔNG TIN CHUNG"  # no number of its own (#14)
    users = users_of_inputs(definition)
    readings = readings_of_inputs(definition, users)
    col = {title: i + 1 for i, title in enumerate(TEMPLATE_COLUMNS)}
    for name, row in rows.items():
        spec = definition.inputs[name]
        assert ws.cell(row, 2).value == spec.label  # the Vietnamese label
        shown = ws.cell(row, col[COL_USERS]).value or ""
        if users[name]:
            assert shown == ", ".join(users[name])
        elif name in readings:  # asked for only by a reading not chosen: said so, with its names
            assert "không tính điểm" in shown and all(r in shown for r in readings[name]), shown
        else:
            assert shown == "—" and spec.general, name
    # drop-down lists for yes/no (and role, choice) cells: every such cell is covered
    lists: dict[str, set[str]] = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            cells = {str(c) for r in dv.sqref.ranges for c in _cells(r)}
            lists.setdefault(dv.formula1, set()).update(cells)
    self_col = openpyxl.utils.get_column_letter(col[COL_SELF])
    for name, row in rows.items():
        spec = definition.inputs[name]
        if spec.type == "boolean":
            assert f"{self_col}{row}" in lists['"Có,Không"'], name
        if spec.type == "role":
            assert f"{self_col}{row}" in lists['"Người đứng đầu,Cấp phó,Không"'], name
    assert COL_EVIDENCE in TEMPLATE_COLUMNS


def _cells(cell_range: Any) -> list[str]:
    return [
        f"{openpyxl.utils.get_column_letter(c)}{r}"
        for r in range(cell_range.min_row, cell_range.max_row + 1)
        for c in range(cell_range.min_col, cell_range.max_col + 1)
    ]


def _fill_form(definition: cds_index.Definition, example: Path, out: Path) -> dict[str, Any]:
    """Fill a fresh form with an example inputs file's values, as a person would type them."""
    data = read_file(example)[0].data
    write_template(definition, out)
    book = openpyxl.load_workbook(out)
    ws = book.active
    header, rows = _form_rows(ws)
    col = {title: i + 1 for i, title in enumerate(TEMPLATE_COLUMNS)}
    facts = {ws.cell(r, 1).value: r for r in range(1, header)}
    ws.cell(facts["Mã đơn vị"], 2).value = data["unit"]["id"]
    ws.cell(facts["Tên đơn vị"], 2).value = data["unit"].get("name")
    ws.cell(facts["Năm đánh giá"], 2).value = data["year"]
    for name, raw in data["values"].items():
        row = rows[name]
        if isinstance(raw, dict):
            if raw.get("not_applicable"):
                ws.cell(row, col[COL_SELF]).value = "n/a"
                continue
            own = raw.get("self", raw.get("value"))
            ws.cell(row, col[COL_SELF]).value = cell_value(_decimal(own))
            if "appraised" in raw:
                ws.cell(row, col[COL_APPRAISED]).value = cell_value(_decimal(raw["appraised"]))
            if "date" in raw:
                ws.cell(row, col[COL_DATE]).value = raw["date"]
            if "evidence" in raw:
                ws.cell(row, col[COL_EVIDENCE]).value = raw["evidence"]
        else:
            ws.cell(row, col[COL_SELF]).value = cell_value(_decimal(raw))
    book.save(out)
    return data


def _decimal(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _fingerprint(result: cds_index.Result) -> list[tuple[Any, ...]]:
    return [(n.id, n.points, n.max, n.status, n.self_points, n.late) for n in result.walk()]


@pytest.mark.parametrize(
    "definition_id, example",
    [
        ("hai-duong-707-district", "hai-duong-707-district-huyen-a.yaml"),  # self/appraised figures
        ("hue-2263-commune", "hue-2263-commune-strong.yaml"),  # roles, dated meetings
        ("hue-2263-commune", "hue-2263-commune-weak.yaml"),
    ],
)
def test_filled_form_scores_as_the_yaml(definition_id: str, example: str, tmp_path: Path) -> None:
    definition = cds_index.load(definition_id)
    data = _fill_form(definition, EXAMPLES / example, tmp_path / "filled.xlsx")
    (from_yaml,) = list(score_many(definition, [EXAMPLES / example]))
    (from_form,) = list(score_many(definition, [tmp_path / "filled.xlsx"]))
    assert from_yaml.ok, from_yaml.problems
    assert from_form.ok, [p.format() for p in from_form.problems]
    assert (from_form.unit_id, from_form.unit_name) == (data["unit"]["id"], data["unit"].get("name"))
    assert from_form.result is not None and from_yaml.result is not None
    assert from_form.result.year == data["year"]
    assert from_form.result.points == from_yaml.result.points
    assert from_form.result.index == from_yaml.result.index
    assert _fingerprint(from_form.result) == _fingerprint(from_yaml.result)


def test_a_form_with_bad_cells_names_each_cell(tmp_path: Path) -> None:
    definition = cds_index.load("hue-2263-commune")
    path = tmp_path / "form.xlsx"
    write_template(definition, path)
    book = openpyxl.load_workbook(path)
    ws = book.active
    _, rows = _form_rows(ws)
    ws.cell(4, 2).value = "xa-thu"
    ws.cell(rows["population"], 5).value = "khoảng 5000"
    ws.cell(rows["dx_committee_head_role"], 5).value = "Bí thư"
    ws.cell(rows["q1_meeting_held"], 5).value = "Có"
    ws.cell(rows["q1_meeting_held"], 7).value = "hôm qua"
    book.save(path)
    (row,) = list(score_many(definition, [path]))
    assert not row.ok and row.result is not None
    messages = sorted(p.message for p in row.problems)
    sheet = f"'{TEMPLATE_SHEET}'"
    assert any(m.startswith(f"{sheet}!E{rows['population']}: population") for m in messages), messages
    assert any(
        m.startswith(f"{sheet}!E{rows['dx_committee_head_role']}: dx_committee_head_role") for m in messages
    ), messages
    assert any(m.startswith(f"{sheet}!G{rows['q1_meeting_held']}: q1_meeting_held") for m in messages), (
        messages
    )
    assert len(messages) == 3


# --- a table of units with five kinds of bad cells -------------------------------------------------

BAD = {
    # unit index → (input or column, the cell as typed, expected error code)
    0: ("population", "năm nghìn", "input-type"),  # text in a number cell
    1: ("field_report_satisfaction_pct", 120, "input-range"),  # a percentage above 100
    2: ("dx_committee_head_role", "Bí thư", "input-choice"),  # not a role
    3: ("so_lieu_la", 7, "input-unknown"),  # a column that is no input
    4: ("q1_meeting_held", "Có lẽ", "input-type"),  # a malformed yes/no
}


def test_a_workbook_with_five_kinds_of_bad_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    definition = cds_index.load("hue-2263-commune")
    units = make_units(definition, 8, seed=2263, twins=0)
    path = write_workbook(definition, units, tmp_path / "communes.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book.active
    header = [c.value for c in ws[1]]
    extra = len(header) + 1
    ws.cell(1, extra).value = "so_lieu_la"
    addresses = {}
    for index, (name, typed, _) in BAD.items():
        column = extra if name == "so_lieu_la" else header.index(name) + 1
        ws.cell(index + 2, column).value = typed
        addresses[index] = f"Sheet1!{openpyxl.utils.get_column_letter(column)}{index + 2}"
    book.save(path)

    rows = list(score_many(definition, [path]))
    assert [r.unit_id for r in rows] == [u["id"] for u in units]  # nobody dropped
    for index, (name, _, code) in BAD.items():
        row = rows[index]
        assert not row.ok and row.result is not None, index
        # a synthetic revenue above its reference is counted as 100 % and said so (#13): not a bad cell
        (problem,) = [p for p in row.problems if p.code != "score-clamped"]
        assert problem.code == code
        assert problem.message.startswith(f"{addresses[index]}: "), problem.message
        assert name in problem.message
    for row, unit in zip(rows[5:], units[5:], strict=True):  # the others are scored as usual
        assert row.ok, row.problems
        assert row.result is not None
        assert row.result.points == cds_index.score(definition, unit["values"]).points

    assert main(["score", "hue-2263-commune", str(path), "--format", "csv"]) == 1
    out = capsys.readouterr().out
    for address in addresses.values():
        assert address in out


def test_sheets_that_are_neither_form_nor_table_are_reported(tmp_path: Path) -> None:
    definition = cds_index.load("hue-2263-commune")
    book = openpyxl.Workbook()
    book.active.append(["Ghi chú", "không phải bảng số liệu"])
    book.save(tmp_path / "notes.xlsx")
    (row,) = list(score_many(definition, [tmp_path / "notes.xlsx"]))
    assert row.result is None and row.problems[0].code == "kind-unknown"
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    (row,) = list(score_many(definition, [tmp_path / "broken.xlsx"]))
    assert row.result is None and row.problems[0].code == "excel-corrupt"
    assert "is not an Excel workbook" in row.problems[0].message


def test_results_workbook_has_707s_three_columns(tmp_path: Path) -> None:
    definition = cds_index.load("hai-duong-707-district")
    units = make_units(definition, 5, seed=11, twins=1)
    table = write_workbook(definition, units, tmp_path / "units.xlsx")
    out = tmp_path / "results.xlsx"
    example = EXAMPLES / "hai-duong-707-district-huyen-a.yaml"
    assert main(["score", definition.id, str(table), str(example), "--format", "xlsx", "-o", str(out)]) == 0
    rows = {r.unit_id: r for r in score_many(definition, [table, example])}
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Tổng hợp" and "huyen-a" in book.sheetnames
    summary = list(book["Tổng hợp"].iter_rows(min_row=3, values_only=True))
    assert len(summary) == 6
    ranks = {r[1]: r[0] for r in summary}
    # ranked by the declared index (707 districts); the twin shares its original's rank
    by_index = sorted(rows.values(), key=lambda r: -r.result.index)  # type: ignore[union-attr]
    assert ranks[by_index[0].unit_id] == 1
    for line in summary:
        result = rows[line[1]].result
        assert result is not None
        pillars = line[3 : 3 + len(definition.tree)]
        assert [Decimal(str(p)) for p in pillars] == [_rounded(p.points) for p in result.pillars]
        assert 1 + sum(1 for r in rows.values() if r.result.index > result.index) == line[0]  # type: ignore[union-attr]

    sheet = book["huyen-a"]
    head = next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "STT")
    assert list(head[3:6]) == ["Điểm tự đánh giá", "Điểm Hội đồng thẩm định", "Điểm đạt được"]
    result = rows["huyen-a"].result
    assert result is not None
    by_id = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    changed = [c for c in result.criteria() if c.self_points is not None and c.self_points != c.points]
    assert changed  # huyen-a has figures the council lowered
    for criterion in changed:
        line = by_id[criterion.id]
        assert Decimal(str(line[3])) == _rounded(criterion.self_points)  # type: ignore[arg-type]
        assert Decimal(str(line[4])) == _rounded(criterion.points)
        assert Decimal(str(line[5])) == _rounded(criterion.points)
    untouched = next(c for c in result.criteria() if c.self_points is None)
    assert by_id[untouched.id][4] is None  # no appraisal: the council's column stays empty
    for pillar in result.pillars:  # pillar subtotals
        assert Decimal(str(by_id[pillar.id][5])) == _rounded(pillar.points)


def _rounded(d: Decimal) -> Decimal:
    """The workbook holds each number rounded as displayed (display.decimals: 2), exactly (#9)."""
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_yearly_targets_form_has_a_column_per_year_and_scores_as_the_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """#14: Thanh Hóa's form, one column per year, read back by `score --year` as its YAML twin."""
    from cds_index.engine.targets import evaluate_year
    from cds_index.io.excel import TARGETS_SHEET
    from cds_index.read.units_io import read_unit_years

    definition = cds_index.load("thanh-hoa-1829-commune")
    path = tmp_path / "chi-tieu.xlsx"
    assert main(["template", definition.id, "--format", "xlsx", "-o", str(path)]) == 0
    capsys.readouterr()
    book = openpyxl.load_workbook(path)
    ws = book[TARGETS_SHEET]
    header = [c.value for c in ws[9]]
    years = definition.years or []
    assert header[4 : 4 + len(years)] == [f"Năm {y}" for y in years]
    rows = {c.value: c.row for c in ws["A"] if isinstance(c.value, str) and c.value in definition.inputs}
    assert set(rows) == set(definition.inputs)
    assert ws.protection.sheet and not ws.cell(next(iter(rows.values())), 5).protection.locked

    example = EXAMPLES / "thanh-hoa-1829-commune-xa-a.yaml"
    expected, problems = read_unit_years(definition, example)
    assert not problems and expected
    first = next(iter(expected.values()))
    ws["B4"], ws["B5"] = first.unit_id, first.unit_name
    for year, unit in expected.items():
        column = 5 + years.index(year)
        for name, value in unit.values.items():
            cell = ws.cell(rows[name], column)
            if value.not_applicable:
                cell.value = "n/a"
            elif definition.inputs[name].unit == "percent":
                cell.value, cell.number_format = float(value.value) / 100, "0.00%"  # 85% as Excel keeps it
            else:
                cell.value = cell_value(value.value)
    book.save(path)
    got, problems = read_unit_years(definition, path)
    assert problems == [] and set(got) == set(expected)
    for year, unit in expected.items():
        assert got[year].problems == []
        assert {n: v.value for n, v in got[year].values.items()} == {
            n: v.value for n, v in unit.values.items()
        }
        want = evaluate_year(definition, year, unit.values)
        have = evaluate_year(definition, year, got[year].values)
        assert have.to_dict() == want.to_dict()
    year = max(expected)
    assert main(["score", definition.id, str(path), "--year", str(year)]) == 0
    assert f"— {year}" in capsys.readouterr().out
    assert main(["gaps", definition.id, str(path), "--year", str(year)]) == 0  # gaps reads it too
    assert first.unit_name and first.unit_name in capsys.readouterr().out


def test_yearly_targets_form_refuses_bad_cells_at_their_address(tmp_path: Path) -> None:
    from cds_index.read.units_io import read_unit_years

    definition = cds_index.load("thanh-hoa-1829-commune")
    path = tmp_path / "chi-tieu.xlsx"
    write_template(definition, path)
    book = openpyxl.load_workbook(path)
    ws = book.active
    rows = {c.value: c.row for c in ws["A"] if isinstance(c.value, str) and c.value in definition.inputs}
    ws["B4"] = "xa-b"
    name = next(n for n, s in definition.inputs.items() if s.unit == "percent")
    ws.cell(rows[name], 6, "=1/0")  # Năm 2023
    ws.cell(rows[name], 7, 150)  # Năm 2024: above 100 %
    ws.cell(rows[name], 11, "lạc")  # beyond the form
    book.save(path)
    units, problems = read_unit_years(definition, path)
    sheet = "'Chỉ tiêu theo năm'"
    assert [p.code for p in problems] == ["excel-stray-cell"]
    assert problems[0].message.startswith(f"{sheet}!K{rows[name]}: ")
    assert [p.code for p in units[2023].problems] == ["excel-formula-no-value"]
    assert units[2023].problems[0].message.startswith(f"{sheet}!F{rows[name]}: ")
    assert [p.code for p in units[2024].problems] == ["input-range"]
    assert units[2024].problems[0].message.startswith(f"{sheet}!G{rows[name]}: ")
    assert units[2022].problems == [] and units[2022].unit_id == "xa-b"
    ws["B4"] = None
    book.save(path)
    assert [p.code for p in read_unit_years(definition, path)[1]] == ["missing-key"]
    notes = tmp_path / "ghi-chu.xlsx"
    other = openpyxl.Workbook()
    other.active.append(["Ghi chú"])
    other.save(notes)
    assert [p.code for p in read_unit_years(definition, notes)[1]] == ["kind-unknown"]


def test_form_for_another_definition(tmp_path: Path) -> None:
    write_template(cds_index.load("hue-2263-commune"), tmp_path / "hue.xlsx")
    book = openpyxl.load_workbook(tmp_path / "hue.xlsx")
    book.active.cell(4, 2).value = "xa-a"
    book.save(tmp_path / "hue.xlsx")
    (row,) = list(score_many(cds_index.load("hai-duong-707-district"), [tmp_path / "hue.xlsx"]))
    assert row.result is None and row.problems[0].code == "input-definition"
    assert row.problems[0].message.startswith(f"'{TEMPLATE_SHEET}'!B3:")


def test_results_workbook_caps_the_unit_sheets_and_says_so(tmp_path: Path) -> None:
    definition = cds_index.load("hai-duong-707-department")
    units = make_units(definition, 7, seed=5, twins=0)
    table = write_workbook(definition, units, tmp_path / "units.xlsx")
    out = tmp_path / "results.xlsx"
    rows = list(score_many(definition, [table]))
    assert write_results(definition, rows, out, unit_sheets=3) == (7, 0)
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) == 1 + 3
    summary = list(book["Tổng hợp"].iter_rows(values_only=True))
    assert sum(1 for r in summary if r and r[1] and str(r[1]).startswith("don-vi-")) == 7  # every unit listed
    assert any(r and r[0] and "3 đơn vị đầu" in str(r[0]) for r in summary)
    ranked = sorted((r for r in summary if r and isinstance(r[0], int)), key=lambda r: r[0])
    assert set(book.sheetnames[1:]) == {str(r[1]) for r in ranked[:3]}  # the best three, in rank order


def test_an_input_only_a_reading_not_chosen_reads_says_so_and_sits_with_its_criterion(tmp_path: Path) -> None:
    """The audit's alternatives ask for figures no chosen rule reads (#11): a form must not leave an
    official looking for their criterion in the score, nor put them under OTHER DATA."""
    definition = cds_index.load("hue-2263-commune")
    users = users_of_inputs(definition)
    readings = readings_of_inputs(definition, users)
    assert readings["district_dx_meetings_held"] == ["I.2.1/title-count"]
    assert readings["staff_with_smartphone"] == ["III.1.1/each-line", "III.1.1/title-count"]
    assert not set(readings) & {n for n, ids in users.items() if ids}
    path = tmp_path / "form.xlsx"
    write_template(definition, path)
    ws = openpyxl.load_workbook(path).active
    header, rows = _form_rows(ws)
    titles = [
        (r[0].row, r[0].value)
        for r in ws.iter_rows(min_row=header + 1)
        if r[0].value and r[0].value.isupper()
    ]
    section = max(t for t in titles if t[0] < rows["district_dx_meetings_held"])[1]
    assert section.startswith("I. ")  # with I.2.1's pillar
    text = cds_index.io.template.inputs_template(definition, year=2024, lang="vi")
    lines = text.splitlines()
    line = lines[lines.index("  district_dx_meetings_held: null") - 1]
    assert line.endswith("tiêu chí: — (chỉ dùng cho cách đọc không chọn I.2.1/title-count: không tính điểm)")
    english = cds_index.io.template.inputs_template(definition, year=2024, lang="en")
    assert "only for the readings not chosen I.2.1/title-count: not scored" in english
