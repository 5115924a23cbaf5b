"""Yearly targets speed (issue 11): ``evaluate_years`` over synthetic communes of Thanh Hóa 1829.

    python benchmarks/bench_targets.py [--units 1000] [--repeat 3] [--definition ID]

Each unit has values for every year of the definition (seeded: mostly reported, some not reported,
some not applicable); ``evaluate_years`` reads them, checks every year's targets and lists what must
improve next, with every explanation written (``CriterionOutcome.explanation`` is a string). CPU time
(``time.process_time``), best of N. It prints a digest of every status, so two versions of the
engine can be compared for the same answers as well as the same speed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cds_index
from cds_index.formats.model import Definition
from synthetic import synthetic_values


def units(definition: Definition, count: int, seed: int = 11) -> list[dict[int, dict[str, Any]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        years: dict[int, dict[str, Any]] = {}
        for year in definition.years or ():
            values = synthetic_values(definition, rng)
            for name in list(values):
                roll = rng.random()
                if roll < 0.05:
                    del values[name]  # not reported
                elif roll < 0.08:
                    values[name] = "n/a"
            years[year] = values
        out.append(years)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--definition", default="thanh-hoa-1829-commune")
    args = parser.parse_args()
    definition = cds_index.load(args.definition)
    batch = units(definition, args.units)
    best = float("inf")
    digest = ""
    for _ in range(args.repeat):
        h = hashlib.sha256()
        start = time.process_time()
        for values in batch:
            view = cds_index.evaluate_years(definition, values)
            for result in view.results:
                for o in result.criteria:
                    h.update(f"{o.id}{o.year}{o.status}{o.explanation}".encode())
            for gap in view.gaps:
                h.update(gap.explanation.encode())
        best = min(best, time.process_time() - start)
        digest = h.hexdigest()[:16]
    years = len(definition.years or ())
    print(
        f"{args.definition}: {args.units} units × {years} years, best of {args.repeat}: {best:.3f} s CPU "
        f"({args.units / best:.0f} units/s, {best / args.units / years * 1e6:.0f} µs a unit-year); "
        f"digest {digest}"
    )


if __name__ == "__main__":
    main()
