"""The gap report: every point lost (or target unmet) appears once, under the unit that leads it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import cds_index
from cds_index.analyse.gaps import UNASSIGNED, points_gaps, target_gaps
from cds_index.cli import main
from cds_index.engine.targets import evaluate_year
from cds_index.formats.overlay import Overlay
from cds_index.i18n import render
from cds_index.read.loader import load_model
from cds_index.read.units_io import read_unit, read_unit_years

ROOT = Path(__file__).resolve().parents[1]
DISTRICT_EXAMPLE = ROOT / "examples" / "hai-duong-707-district-huyen-a.yaml"
TU_KY = ROOT / "definitions" / "overlays" / "tu-ky-707-district.yaml"
XA_A = ROOT / "examples" / "thanh-hoa-1829-commune-xa-a.yaml"


@pytest.fixture(scope="module")
def district_report():  # type: ignore[no-untyped-def]
    definition = cds_index.load("hai-duong-707-district")
    unit, problems = read_unit(definition, DISTRICT_EXAMPLE)
    assert unit is not None and not problems
    result = cds_index.score(definition, unit)
    overlay = load_model(Overlay, TU_KY)
    return definition, overlay, result, points_gaps(result, definition, overlay)


def test_every_lost_point_is_attributed_exactly_once(district_report) -> None:  # type: ignore[no-untyped-def]
    _, _, result, report = district_report
    lost = sum((c.lost for c in result.criteria()), Decimal(0))
    assert lost > 0
    assert sum((g.at_stake for g in report.leads), Decimal(0)) == lost
    ids = [x.id for g in report.leads for x in g.losses]
    assert len(ids) == len(set(ids)) == sum(1 for c in result.criteria() if c.lost > 0)


def test_losses_sit_under_the_overlay_lead(district_report) -> None:  # type: ignore[no-untyped-def]
    _, overlay, _, report = district_report
    for group in report.leads:
        for loss in group.losses:
            assigned = overlay.assignment_for(loss.id)
            leads = [a.lead for a in assigned if a.lead]
            expected = " + ".join(dict.fromkeys("; ".join(lead) for lead in leads)) or render(
                UNASSIGNED, "vi"
            )
            assert group.lead == expected, loss.id


def test_most_at_stake_first(district_report) -> None:  # type: ignore[no-untyped-def]
    _, _, _, report = district_report
    stakes = [g.at_stake for g in report.leads]
    assert stakes == sorted(stakes, reverse=True)
    for group in report.leads:
        lost = [x.lost for x in group.losses]
        assert lost == sorted(lost, reverse=True)


def test_without_an_overlay_everything_is_unassigned_for_707(district_report) -> None:  # type: ignore[no-untyped-def]
    definition, _, result, _ = district_report
    report = points_gaps(result, definition, None, lang="en")
    assert [g.lead for g in report.leads] == [render(UNASSIGNED, "en")]


def test_1829_unmet_targets_by_the_definitions_lead() -> None:
    definition = cds_index.load("thanh-hoa-1829-commune")
    years, problems = read_unit_years(definition, XA_A)
    assert not problems
    result = evaluate_year(definition, 2023, years[2023].values)
    report = target_gaps(result, definition, "Xã A")
    expected = {o.id for o in result.criteria if o.status in ("unmet", "not_reported")}
    assert expected  # the example misses some 2023 targets
    assert {x.id for g in report.leads for x in g.losses} == expected
    nodes = definition.nodes()
    for group in report.leads:
        for loss in group.losses:
            assert group.lead == nodes[loss.id].lead
            assert loss.lost == 1


@pytest.mark.parametrize("fmt", ["table", "json", "markdown"])
def test_cli_gaps(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["gaps", "hai-duong-707-district", str(DISTRICT_EXAMPLE), "--overlay", str(TU_KY), "--format", fmt]
    )
    out = capsys.readouterr().out
    assert code == 0
    if fmt == "json":
        data = json.loads(out)
        assert data["measure"] == "points" and data["leads"]
        assert all(Decimal(g["at_stake"]) > 0 for g in data["leads"])
    elif fmt == "markdown":
        assert out.startswith("# ") and "\n## " in out
    else:
        assert "điểm mất" in out


def test_cli_gaps_refuses_an_overlay_of_another_definition(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "gaps",
            "hue-2263-commune",
            str(ROOT / "examples" / "hue-2263-commune-weak.yaml"),
            "--overlay",
            str(TU_KY),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2  # a wrong combination of arguments: usage
    assert "overlay-definition" in err


# --- every format `score` reads (#14) ---------------------------------------------------------

DISTRICTS_CSV = ROOT / "examples" / "hai-duong-707-districts.csv"


def _without_self_assessment(report: object) -> object:
    """The YAML gives some values as {self, appraised}; a CSV cell holds the appraised one only, so
    the explanation's closing "[tự đánh giá 5, thẩm định 2,5]" is all that may differ."""
    import re

    assert isinstance(report, dict)
    for group in report["leads"]:
        for loss in group["losses"]:
            loss["explanation"] = re.sub(r" \[tự đánh giá [^\]]*\]$", "", loss["explanation"])
    return report


def _gaps_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, object, str]:
    code = main(["gaps", *argv, "--format", "json"])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def test_gaps_reads_a_csv_one_report_per_row(capsys: pytest.CaptureFixture[str]) -> None:
    code, data, err = _gaps_json(
        capsys, "hai-duong-707-district", str(DISTRICTS_CSV), "--overlay", str(TU_KY)
    )
    assert code == 0, err
    with DISTRICTS_CSV.open(encoding="utf-8-sig") as handle:
        rows = sum(1 for _ in handle) - 1
    assert isinstance(data, list) and len(data) == rows
    # the CSV's Huyện A is the YAML's: the same losses under the same leads
    _, from_yaml, _ = _gaps_json(
        capsys, "hai-duong-707-district", str(DISTRICT_EXAMPLE), "--overlay", str(TU_KY)
    )
    assert data[0] == _without_self_assessment(from_yaml)


def test_gaps_reads_a_workbook_table_as_the_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    with DISTRICTS_CSV.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    workbook = tmp_path / "districts.xlsx"
    book.save(workbook)
    code, from_xlsx, err = _gaps_json(capsys, "hai-duong-707-district", str(workbook))
    assert code == 0, err
    _, from_csv, _ = _gaps_json(capsys, "hai-duong-707-district", str(DISTRICTS_CSV))
    assert from_xlsx == from_csv


def test_gaps_reads_several_inputs_and_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "units"
    folder.mkdir()
    text = DISTRICT_EXAMPLE.read_text(encoding="utf-8")
    assert "unit: {id: huyen-a," in text
    (folder / "a.yaml").write_text(text.replace("unit: {id: huyen-a,", "unit: {id: huyen-a-copy,"), "utf-8")
    code, data, err = _gaps_json(capsys, "hai-duong-707-district", str(folder), str(DISTRICTS_CSV))
    assert code == 0, err
    assert isinstance(data, list) and len(data) == 1 + 12
    assert _without_self_assessment(data[0]) == data[1]  # the folder's Huyện A and the CSV's


def test_gaps_flags_a_unit_seen_twice_as_score_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data, err = _gaps_json(capsys, "hai-duong-707-district", str(DISTRICT_EXAMPLE), str(DISTRICTS_CSV))
    assert code == 1
    assert "error[invalid-value] mã đơn vị 'huyen-a' xuất hiện hai lần" in err  # vi, the default (#12)
    # the second is refused, not scored (#9): flagged above, and it has no gaps of its own
    assert isinstance(data, list) and len(data) == 12


def test_gaps_reports_a_bad_csv_as_score_reads_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV saved by Excel in a Windows code page goes to the CSV reader, not the YAML one."""
    from cds_index.io.batch import read_units

    table = tmp_path / "districts.csv"
    # byte 0x84 is „ in Windows-1252: "'utf-8' codec can't decode byte 0x84"
    table.write_bytes("unit_id;unit_name;population\nhuyen-x;Huyen „X”;162000\n".encode("cp1252"))
    definition = cds_index.load("hai-duong-707-district")
    # whatever the CSV reader makes of it (refused, or decoded as Windows-1252), gaps says the same
    expected = [p.format() for u in read_units(definition, [table]) for p in u.problems]
    code = main(["gaps", "hai-duong-707-district", str(table), "--format", "json"])
    err = capsys.readouterr().err
    assert err.splitlines() == expected
    assert "inputs file" not in err and "kind" not in err  # not read as a YAML inputs file
    assert code == (1 if any("error[" in p for p in expected) else 0)


def _targets_csv(path: Path, years: list[int]) -> None:
    import csv

    from cds_index.read.loader import read_file

    doc, _ = read_file(XA_A)
    raw = doc.data["years"]
    names = sorted({name for y in years for name in raw[y]})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã đơn vị", "Tên đơn vị", "Năm", *names])
        for y in years:
            writer.writerow(
                ["xa-a", "Xã A (hư cấu)", y, *("" if raw[y].get(n) is None else raw[y][n] for n in names)]
            )


def test_target_gaps_from_a_csv_with_a_year_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "xa.csv"
    _targets_csv(table, [2022, 2023])
    code, from_csv, err = _gaps_json(capsys, "thanh-hoa-1829-commune", str(table), "--year", "2023")
    assert code == 0, err
    _, from_yaml, _ = _gaps_json(capsys, "thanh-hoa-1829-commune", str(XA_A), "--year", "2023")
    assert from_csv == from_yaml
    assert from_csv["leads"]  # 2023 misses targets
    # without --year: the latest year in the table, as for an inputs file
    code, latest, err = _gaps_json(capsys, "thanh-hoa-1829-commune", str(table))
    assert code == 0, err
    assert latest["year"] == 2023


@pytest.mark.usefixtures("english")
def test_target_gaps_flags_a_unit_year_seen_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "xa.csv"
    _targets_csv(table, [2023, 2023])
    code, data, err = _gaps_json(capsys, "thanh-hoa-1829-commune", str(table), "--year", "2023")
    assert code == 1
    assert "error[invalid-value] unit id 'xa-a' appears twice for 2023" in err
    assert isinstance(data, dict) and data["year"] == 2023  # the first row is reported


@pytest.mark.usefixtures("english")
def test_target_gaps_for_a_year_the_file_lacks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "xa.csv"
    _targets_csv(table, [2022])
    code = main(["gaps", "thanh-hoa-1829-commune", str(table), "--year", "2024"])
    err = capsys.readouterr().err
    assert code == 1
    assert "error[usage]" in err and "'xa-a' has no values for 2024: add " in err
    assert "add a row for it with `Năm = 2024`" in err
    # a file of several years without the year asked: refused at its `years:`, as for points (#11)
    years = tmp_path / "xa.yaml"
    years.write_text(Path(XA_A).read_text("utf-8").replace("  2024:", "  2021:"), "utf-8")
    code = main(["gaps", "thanh-hoa-1829-commune", str(years), "--year", "2024"])
    err = capsys.readouterr().err
    assert code == 1
    assert "error[input-year]" in err and "not of 2024" in err and "add 2024 to its `years:`" in err
    # a year the definition has no targets for is said as such, before any file is read (exit 2)
    code = main(["gaps", "thanh-hoa-1829-commune", str(XA_A), "--year", "2030"])
    assert code == 2 and "not for 2030" in capsys.readouterr().err


@pytest.mark.usefixtures("english")
def test_target_gaps_from_a_table_without_a_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "xa.csv"
    table.write_text("Mã đơn vị,Tên đơn vị,dx_targets_plan\nxa-a,Xã A,Có\n", encoding="utf-8")
    assert main(["gaps", "thanh-hoa-1829-commune", str(table)]) == 1
    assert "unit 'xa-a' gives no year: add a `Năm` column (e.g. `Năm = 2024`), or pass --year 2024" in (
        capsys.readouterr().err
    )
    # with --year the row is that year's
    code, data, err = _gaps_json(capsys, "thanh-hoa-1829-commune", str(table), "--year", "2024")
    assert code == 0, err
    assert isinstance(data, dict) and data["year"] == 2024
