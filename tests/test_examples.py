"""The examples agree across formats and look like real districts (#14)."""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

import cds_index
from cds_index.io.batch import read_units
from cds_index.read.inputs import UnitInputs
from cds_index.read.units_io import read_unit

from .conftest import EXAMPLES

CSV_FILE = EXAMPLES / "hai-duong-707-districts.csv"
YAML_FILE = EXAMPLES / "hai-duong-707-district-huyen-a.yaml"


def _fingerprint(result: cds_index.Result) -> list[tuple[Any, ...]]:
    return [(n.id, n.points, n.max, n.status) for n in result.walk()] + [
        ("total", result.points, result.max, result.index)
    ]


def test_the_csv_huyen_a_is_the_yaml_huyen_a() -> None:
    definition = cds_index.load("hai-duong-707-district")
    yaml_unit, problems = read_unit(definition, YAML_FILE)
    assert yaml_unit is not None and not problems
    rows = {u.unit_id: u for u in read_units(definition, [CSV_FILE]) if isinstance(u, UnitInputs)}
    csv_unit = rows["huyen-a"]
    assert csv_unit.problems == []
    assert csv_unit.year == yaml_unit.year
    # the same values (the CSV carries the appraised figure where the YAML has self and appraised)
    assert {k: (v.value, v.not_applicable) for k, v in csv_unit.values.items()} == {
        k: (v.value, v.not_applicable) for k, v in yaml_unit.values.items()
    }
    assert _fingerprint(cds_index.score(definition, csv_unit)) == _fingerprint(
        cds_index.score(definition, yaml_unit)
    )


def test_every_csv_district_is_plausible_and_scores_cleanly() -> None:
    definition = cds_index.load("hai-duong-707-district")
    units = list(read_units(definition, [CSV_FILE]))
    assert len(units) >= 10
    assert all(isinstance(u, UnitInputs) and u.problems == [] for u in units)
    with CSV_FILE.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    for row in table:
        people, households = Decimal(row["population"]), Decimal(row["households_total"])
        # a district: tens of thousands of people or more, three to four people a household
        assert 50_000 <= people <= 400_000, row["Mã đơn vị"]
        assert 2.5 <= people / households <= 4.5, row["Mã đơn vị"]
        assert Decimal(row["district_staff"]) + Decimal(row["commune_staff"]) <= Decimal(row["staff_total"])
    totals = [cds_index.score(definition, u).points for u in units if isinstance(u, UnitInputs)]
    assert len(set(totals)) == len(totals), "two example districts score the same: not varied"
