"""Issue 15: `sensitivity` over 10,000 synthetic communes × every alternative reading of hue-2263-commune.

Run: ``PYTHONPATH=src python benchmarks/bench_sensitivity.py [--units N] [--definition ID]``.
Prints the wall-clock and CPU time of one :func:`cds_index.analyse.sensitivity.sensitivity` call (reading
the units from memory, scoring each once, re-scoring only the criteria each alternative touches,
ranking under every reading), and checks, untimed, on a sample of units, that the fast path gives
the points of a full re-score with the alternative substituted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import cds_index
from cds_index.analyse.sensitivity import sensitivity
from cds_index.formats.model import Definition
from synthetic import synthetic_values


def lawful(definition: Definition, values: dict[str, Any]) -> dict[str, Any]:
    """Synthetic values that keep the definition's constraints (a part never exceeds its whole)."""
    for _ in range(3):
        for c in definition.constraints:
            parts = [c.input] if isinstance(c.input, str) else list(c.input)
            whole = values.get(c.at_most)
            if not isinstance(whole, int):
                continue
            total = sum(values.get(p, 0) for p in parts if isinstance(values.get(p), int))
            if total > whole:
                for p in parts:
                    if isinstance(values.get(p), int):
                        values[p] = values[p] * whole // total
    return values


def dated(definition: Definition, values: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Each dated criterion gets a date in its period, one in seven after its deadline (late)."""
    for _, node in definition.walk():
        rule = node.rule
        if rule is None or not rule.dated_by or not node.deadline or not rule.period_from:
            continue
        start_day, start_month = (int(x) for x in rule.period_from.split("."))
        end_day, end_month = (int(x) for x in node.deadline.split("."))
        start, end = dt.date(2024, start_month, start_day), dt.date(2024, end_month, end_day)
        day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        if rng.random() < 1 / 7:
            day = end + dt.timedelta(days=rng.randint(1, 20))
        values[rule.dated_by] = day.isoformat()
    return values


def units(definition: Definition, count: int, seed: int) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)
    return {
        f"xa-{i:05d}": dated(definition, lawful(definition, synthetic_values(definition, rng)), rng)
        for i in range(count)
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--definition", default="hue-2263-commune")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    definition = cds_index.load(args.definition)
    data = units(definition, args.units, args.seed)
    wall, cpu = time.perf_counter(), time.process_time()
    report = sensitivity(definition, data)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    alternatives = sum(1 for r in report.readings if r.kind == "rule")
    print(
        f"{args.definition}: {len(report.units)} units ranked ({len(report.refused)} refused) × "
        f"{len(report.readings)} readings ({alternatives} criterion alternatives, "
        f"{len(report.unscorable)} without a rule): {wall:.1f} s wall, {cpu:.1f} s CPU"
    )
    print(report.verdict("en"))
    # untimed: where a unit moves, the value it is ranked by under the alternative is the index of a
    # full re-score with the alternative substituted (tests/test_sensitivity.py checks every unit)
    from cds_index.analyse.sensitivity import _variant

    checked = 0
    nodes = definition.nodes()
    for effect in report.effects:
        reading = effect.reading
        if reading.kind != "rule":
            continue
        node_id = reading.criteria[0]
        alternatives = nodes[node_id].rule.alternatives or ()  # type: ignore[union-attr]
        alt = next(a for a in alternatives if reading.name == f"{node_id}/{a.name}")
        variant = _variant(definition, {node_id: alt.rule})
        for move in effect.moves[:20]:
            full = cds_index.score(variant, data[move.unit_id], unit_id=move.unit_id)
            assert move.value_under == full.index, (reading.name, move.unit_id)
            checked += 1
    print(f"fast path = full re-score for {checked} moved units: ok")


if __name__ == "__main__":
    main()
