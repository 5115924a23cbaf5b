"""Synthetic units for the benchmarks: plausible values for every input of a definition, seeded."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from cds_index.formats.model import Definition

YEAR = 2024
"""The assessment year the units are scored for (their dated values fall in it)."""


def synthetic_values(definition: Definition, rng: random.Random) -> dict[str, Any]:
    """One unit: a unit-wide propensity drives yes/no answers; numerators stay below their denominators."""
    skill = rng.random()
    values: dict[str, Any] = {}
    for name, spec in definition.inputs.items():
        if spec.type == "boolean":
            values[name] = rng.random() < 0.3 + 0.6 * skill
        elif spec.type == "role":
            values[name] = rng.choice(["head", "deputy", "none"])
        elif spec.type == "choice":
            values[name] = rng.choice(spec.choices or [""])
        elif spec.type in {"integer", "number"}:
            low = int(spec.min) if spec.min is not None else 0
            high = int(spec.max) if spec.max is not None else (400 if spec.general else 6)
            values[name] = rng.randint(max(low, 1 if spec.general else low), high)
    for _, node in definition.walk():
        rule = node.rule
        if rule is not None and getattr(rule, "per", None):
            share = min(1.0, max(0.0, skill + rng.uniform(-0.3, 0.3)))
            values[rule.input] = int(values[rule.per] * share)  # type: ignore[union-attr]
        if rule is not None and rule.kind == "incidents" and rule.handled:
            values[rule.handled] = rng.randint(0, values[rule.input])
        if rule is not None and rule.dated_by and node.deadline:  # a meeting's date: mostly in time
            day, month = (int(part) for part in node.deadline.split("."))
            shift = rng.randint(-20, 0) if rng.random() < 0.9 else rng.randint(1, 30)
            values[rule.dated_by] = dt.date(YEAR, month, day) + dt.timedelta(days=shift)
    for _ in definition.constraints:  # a part never exceeds its whole (#10); a whole may be a part too
        for constraint in definition.constraints:
            parts = [constraint.input] if isinstance(constraint.input, str) else constraint.input
            whole = values[constraint.at_most]
            for part in parts:
                values[part] = min(values[part], whole)
                whole -= values[part]
    return values


def synthetic_rows(definition: Definition, count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [synthetic_values(definition, rng) for _ in range(count)]
