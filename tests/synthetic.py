"""Synthetic units for batch tests: seeded random values for every input, as YAML, CSV or a workbook."""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from cds_index.formats.model import Definition

ROLES = ["head", "deputy", "none"]


def random_values(definition: Definition, rng: random.Random) -> dict[str, Any]:
    """A plausible value for every input: general facts positive (they are denominators), others spread out.

    About 3% of the measured inputs are left out (not reported), so some units lose points that way.
    """
    values: dict[str, Any] = {}
    for name, spec in definition.inputs.items():
        if not spec.general and rng.random() < 0.03 and spec.type != "date":
            continue  # (a date is never left out: an undated meeting is refused, #10)
        if spec.type == "boolean":
            values[name] = rng.random() < 0.7
        elif spec.type == "role":
            values[name] = rng.choice(ROLES)
        elif spec.type == "choice":
            values[name] = rng.choice(spec.choices or [])
        elif spec.type == "date":
            values[name] = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(366))
        else:
            low = int(spec.min) if spec.min is not None else 0
            if spec.general:
                low = max(low, 1)
            high = int(spec.max) if spec.max is not None else (5000 if spec.general else 60)
            number = Decimal(rng.randint(low, high))
            if spec.type == "number" and spec.max is not None and number < high and rng.random() < 0.5:
                number += Decimal(rng.randint(1, 99)) / 100  # a decimal fraction, e.g. 87.25 (percent)
            values[name] = number
    return _within_constraints(definition, values)


def _within_constraints(definition: Definition, values: dict[str, Any]) -> dict[str, Any]:
    """Lower each part to its whole where the definition declares that it cannot exceed it (#10).

    Wholes are settled before the parts they bound (a few passes reach the fixed point); a sum of
    parts is lowered from its last part. No random numbers are drawn, so the seeded stream is unchanged.
    """
    for _ in range(len(definition.constraints) + 1):
        changed = False
        for constraint in definition.constraints:
            parts = [constraint.input] if isinstance(constraint.input, str) else list(constraint.input)
            whole = values.get(constraint.at_most)
            if whole is None or any(not isinstance(values.get(p), Decimal) for p in parts):
                continue
            excess = sum((values[p] for p in parts), Decimal(0)) - whole
            for part in reversed(parts):
                if excess <= 0:
                    break
                cut = min(excess, values[part])
                values[part] -= cut
                excess -= cut
                changed = True
        if not changed:
            break
    return values


def make_units(
    definition: Definition, count: int, *, seed: int = 707, twins: int = 6
) -> list[dict[str, Any]]:
    """``count`` units ``{"id", "name", "values"}``; the last ``twins`` copy earlier units' values (ties)."""
    rng = random.Random(seed)
    units = []
    for i in range(count):
        unit_id = f"don-vi-{i + 1:03d}"
        if i >= count - twins:
            values = dict(units[rng.randrange(count - twins)]["values"])
        else:
            values = random_values(definition, rng)
        units.append({"id": unit_id, "name": f"Đơn vị {i + 1} (hư cấu)", "values": values})
    return units


def yaml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return f'"{value}"'


def write_folder(definition: Definition, units: list[dict[str, Any]], folder: Path, year: int = 2024) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for unit in units:
        lines = [
            "kind: inputs",
            f"definition: {definition.id}",
            f'unit: {{id: {unit["id"]}, name: "{unit["name"]}"}}',
            f"year: {year}",
            "values:",
        ]
        lines += [f"  {name}: {yaml_value(value)}" for name, value in unit["values"].items()]
        (folder / f"{unit['id']}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def cell_value(value: Any) -> Any:
    """How an official types a value: Có/Không for yes/no, plain numbers, dates as dates."""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def header(definition: Definition, *, labels: tuple[str, ...] = ()) -> list[str]:
    """Unit id, name, then one column per input (its Vietnamese label for the inputs in ``labels``)."""
    return ["Mã đơn vị", "Tên đơn vị"] + [
        definition.inputs[n].label if n in labels else n for n in definition.inputs
    ]


def write_csv(
    definition: Definition,
    units: list[dict[str, Any]],
    path: Path,
    *,
    labels: tuple[str, ...] = (),
    delimiter: str = ",",
) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header(definition, labels=labels))
        for unit in units:
            row = [unit["id"], unit["name"]]
            for name in definition.inputs:
                value = unit["values"].get(name)
                row.append(
                    ""
                    if value is None
                    else yaml_value(value).strip('"')
                    if not isinstance(value, bool)
                    else cell_value(value)
                )
            writer.writerow(row)
    return path


def write_workbook(
    definition: Definition,
    units: list[dict[str, Any]],
    path: Path,
    *,
    labels: tuple[str, ...] = (),
    sheet: str = "Sheet1",
) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header(definition, labels=labels))
    for unit in units:
        ws.append([unit["id"], unit["name"]] + [cell_value(unit["values"].get(n)) for n in definition.inputs])
    book.save(path)
    return path
