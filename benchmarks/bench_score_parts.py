"""CPU time of each part of a points-only `POST …/score` answer, without the web stack (issue #11).

    PYTHONPATH=src python benchmarks/bench_score_parts.py [--units 300]

For synthetic communes (``synthetic.py``) sent as JSON and read back as the API reads them
(``strict_json``): ``parse_values`` alone, ``score`` from the raw values, ``Result.to_dict`` without
explanations, ``json.dumps`` of it, and the whole of it. Best of 3, per unit. Run it with
``PYTHONPATH=<other src>`` beside it to compare two versions (alternate the runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cds_index
from cds_index.engine.evaluate import score
from cds_index.read.inputs import parse_values
from cds_index.server import strict_json
from synthetic import YEAR, synthetic_rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--definition", default="hue-2263-commune")
    args = parser.parse_args()
    d = cds_index.load(args.definition)
    bodies = []
    for values in synthetic_rows(d, args.units, 7):
        plain = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
        bodies.append(strict_json(json.dumps({"values": plain}).encode())["values"])
    results = [score(d, b, year=YEAR) for b in bodies]
    docs = [r.to_dict(explain=False) for r in results]

    def dumps(doc: object) -> str:
        return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    def whole() -> None:
        for b in bodies:
            dumps(score(d, b, year=YEAR, unit_id="x").to_dict(explain=False))

    parts: dict[str, Callable[[], object]] = {
        "parse_values": lambda: [parse_values(b, d.inputs, number_format=d.number_format) for b in bodies],
        "score (with parse)": lambda: [score(d, b, year=YEAR) for b in bodies],
        "to_dict(explain=False)": lambda: [r.to_dict(explain=False) for r in results],
        "json.dumps": lambda: [dumps(doc) for doc in docs],
        "whole answer": whole,
    }
    for name, run in parts.items():
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
        print(f"{name:24} {best / len(bodies) * 1e3:.3f} ms a unit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
