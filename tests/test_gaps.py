"""The gap report: every point lost (or target unmet) appears once, under the unit that leads it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import cds_index
from cds_index.cli import main
from cds_index.gaps import UNASSIGNED, points_gaps, target_gaps
from cds_index.loader import load_model
from cds_index.overlay import Overlay
from cds_index.targets import evaluate_year
from cds_index.units_io import read_unit, read_unit_years

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
            expected = " + ".join(dict.fromkeys("; ".join(lead) for lead in leads)) or UNASSIGNED["vi"]
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
    assert [g.lead for g in report.leads] == [UNASSIGNED["en"]]


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
