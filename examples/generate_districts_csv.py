"""Regenerate examples/hai-duong-707-districts.csv: twelve fictional districts, one row each (#14).

Row 1 is exactly examples/hai-duong-707-district-huyen-a.yaml (the appraised figure where the file
gives self and appraised ones), so the CSV and the YAML score the same Huyện A. The other eleven
are Huyện A resized (population 85,000–260,000: every count scales together, so no share changes by
size alone) and then made better or worse at random but within what the inputs allow: a numerator
never exceeds its denominator, a percentage stays within 0–100, a yes/no may flip. Seeded, so
running it again writes the same file:

    PYTHONPATH=src python examples/generate_districts_csv.py
"""

from __future__ import annotations

import csv
import random
from decimal import Decimal
from pathlib import Path

import cds_index
from cds_index.units_io import read_unit

HERE = Path(__file__).resolve().parent
NAMES = "ABCDEFGHIKLM"


def _cell(value: object) -> str:
    if value is True:
        return "Có"
    if value is False:
        return "Không"
    return "" if value is None else str(value)


def main() -> None:
    definition = cds_index.load("hai-duong-707-district")
    unit, problems = read_unit(definition, HERE / "hai-duong-707-district-huyen-a.yaml")
    assert unit is not None and not problems, problems
    base: dict[str, object] = {
        name: "n/a" if v.not_applicable else v.value for name, v in unit.values.items()
    }
    # numerator → denominator, from the ratio rules (a numerator must stay within its denominator)
    per: dict[str, str] = {}
    for _, node in definition.walk():
        rule = node.rule
        if rule is not None and rule.kind == "ratio" and rule.per is not None:
            per[rule.input] = rule.per
    rng = random.Random(707)
    rows = [("huyen-a", "Huyện A (hư cấu)", base)]
    for letter in NAMES[1:]:
        size = Decimal(rng.randint(85, 260)) / 162  # Huyện A has 162,000 people
        quality = Decimal(rng.randint(70, 105)) / 100
        values: dict[str, object] = {}
        for name, value in base.items():
            spec = definition.inputs[name]
            if isinstance(value, bool):
                flip = rng.random() < (0.12 if value else 0.35)
                values[name] = (not value) if flip else value
            elif isinstance(value, Decimal | int) and spec.max is None:
                scaled = Decimal(value) * size
                if name in per or (not spec.general and rng.random() < 0.5):
                    scaled *= quality * Decimal(rng.randint(85, 115)) / 100
                values[name] = (
                    int(scaled.to_integral_value()) if spec.type == "integer" else scaled.quantize(1)
                )
            elif isinstance(value, Decimal | int):
                low = Decimal(spec.min if spec.min is not None else 0)
                moved = Decimal(value) * quality + rng.randint(-8, 8)
                step = Decimal(1) if spec.type == "integer" else Decimal("0.1")
                values[name] = max(low, min(Decimal(spec.max), moved)).quantize(step).normalize()
            else:
                values[name] = value
        for numerator, denominator in per.items():
            n, d = values.get(numerator), values.get(denominator)
            if isinstance(n, Decimal | int) and isinstance(d, Decimal | int) and n > d:
                values[numerator] = d
        rows.append((f"huyen-{letter.lower()}", f"Huyện {letter} (hư cấu)", values))
    names = list(definition.inputs)
    with (HERE / "hai-duong-707-districts.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["Mã đơn vị", "Tên đơn vị", "Năm", *names])
        for unit_id, unit_name, values in rows:
            writer.writerow([unit_id, unit_name, unit.year, *(_cell(values.get(n)) for n in names)])


if __name__ == "__main__":
    main()
