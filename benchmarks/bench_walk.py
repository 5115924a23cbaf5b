"""Where a points-only batch spends its time (issue #11): the engine's walk against the baseline's.

    python benchmarks/bench_walk.py [--units 2000] [--repeat 4]

In one process, best CPU time of each, alternated: the recursive walk (`_Scorer.node`, every
criterion through the general path), the flat plan (`_Scorer.pillars`) and the hand-written
points-only baseline of bench_batch.py; then one `score_many` pass timed with `gc.callbacks`, to
show the share of Python's cyclic garbage collector.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_batch as B

import cds_index
from cds_index.engine import evaluate as E
from cds_index.io.batch import score_many
from cds_index.read.inputs import UnitInputs, parse_values
from synthetic import YEAR, synthetic_rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=4)
    args = parser.parse_args()
    d = cds_index.load("hue-2263-commune")
    units = []
    for i, raw in enumerate(synthetic_rows(d, args.units, 2263)):
        values, problems = parse_values(raw, d.inputs)
        assert not problems, problems
        units.append(UnitInputs(f"x{i}", None, YEAR, values, [], None, d.inputs))
    cdef = E.compiled(d)
    tree = B.compile_baseline(d)
    plain = [{n: v.value for n, v in u.values.items()} for u in units]

    def walk() -> None:
        for u in units:
            scorer = E._Scorer(cdef, u, "vi", {})
            tuple(scorer.node(p) for p in d.tree)

    def flat() -> None:
        for u in units:
            E._Scorer(cdef, u, "vi", {}).pillars()

    def base() -> None:
        for v in plain:
            B.score_points(tree, v)

    sides = {"recursive walk": walk, "flat plan": flat, "baseline": base}
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(args.repeat):
        for name, run in sides.items():
            gc.collect()
            start = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - start)
    for name, seconds in best.items():
        print(f"{name:15} {seconds * 1e6 / len(units):7.1f} µs/unit  {seconds / best['baseline']:.2f}×")

    spent = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}
    began = [0.0]

    def timer(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            entry = spent[info["generation"]]
            entry[0] += 1
            entry[1] += time.perf_counter() - began[0]

    gc.collect()
    gc.callbacks.append(timer)
    start = time.perf_counter()
    for _ in score_many(d, units):
        pass
    total = time.perf_counter() - start
    gc.callbacks.remove(timer)
    print(f"score_many: {total * 1e6 / len(units):.0f} µs/unit (wall), of which the garbage collector:")
    for generation, (count, seconds) in spent.items():
        print(f"  generation {generation}: {count} collections, {seconds * 1e6 / len(units):.1f} µs/unit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
