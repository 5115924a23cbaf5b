"""CPU time of `cds_index.score()` of one unit, as the HTTP endpoint calls it (issue #11).

    PYTHONPATH=src python benchmarks/bench_score_one.py [--units 300] [--repeat 7] [--definition ID]
        [--profile] [--digest]

The units are synthetic (``bench_http.bodies``: the same bodies as the HTTP benchmark; for a
definition those do not fit, ``tests/synthetic.random_values`` sent alike), read as the
server reads a request (``strict_json``, ``ScoreRequest``, ``server._unit``) before the clock
starts: only ``score(definition, unit, lang="vi")`` is timed, each unit's best of ``--repeat``
rounds (a shared machine's pauses left out), averaged over the units, each round from empty memos
(:func:`forget`), with the young objects frozen out of the collector (as a warm server's are). Every bundled
definition unless ``--definition``. ``--digest`` prints a hash of every result (points, statuses,
explanations, problems) to compare two versions: run it with ``PYTHONPATH=<other src>`` beside it
(alternate the runs: the machine is shared).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import hashlib
import importlib.util
import json
import pstats
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_http import bodies

import cds_index
from cds_index.engine.evaluate import compiled, score
from cds_index.server import ScoreRequest, _unit, strict_json
from synthetic import YEAR


def payloads_of(d: cds_index.Definition, count: int) -> list[bytes]:
    """The HTTP benchmark's bodies, or the tests' random values where those do not fit the definition."""
    try:
        return bodies(d, count, 2263)
    except (TypeError, KeyError):
        path = Path(__file__).resolve().parent.parent / "tests" / "synthetic.py"
        spec = importlib.util.spec_from_file_location("tests_synthetic", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)

        def plain(v: object) -> object:
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, Decimal):
                return int(v) if v == v.to_integral_value() else float(v)
            return v

        rng = random.Random(2263)
        out = []
        for i in range(count):
            values = {k: plain(v) for k, v in module.random_values(d, rng).items()}
            body = {"unit": {"id": f"u-{i:05d}"}, "year": YEAR, "values": values, "lang": "vi"}
            out.append(json.dumps(body).encode())
        return out


def forget(d: cds_index.Definition, year: int | None) -> None:
    """Every round starts with the plan's memos empty (``evaluate.MEMO_SIZE``), as a fresh server's:
    a unit meets the memos the units before it in the round left, never its own result of the
    round before (each unit would be a hit, which no real batch of distinct units is)."""
    for step in compiled(d, year).plan:
        if not step[0] and len(step) > 16:
            for memo in step[16]:
                memo.clear()


def digest(results: list[cds_index.Result]) -> str:
    """A hash of everything a result says: its document with explanations, and its problems."""
    h = hashlib.sha256()
    for r in results:
        h.update(json.dumps(r.to_dict(explain=True), sort_keys=True, default=str).encode())
        h.update(json.dumps([p.to_dict() for p in r.problems], sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--definition", action="append")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--digest", action="store_true")
    args = parser.parse_args()
    ids = args.definition or [d.id for d in cds_index.list_definitions()]
    for definition_id in ids:
        d = cds_index.load(definition_id)
        payloads = payloads_of(d, args.units)
        units = [_unit(d, ScoreRequest.model_validate(strict_json(p))) for p in payloads]
        results = [score(d, u, lang="vi") for u in units]
        gc.collect()
        gc.freeze()
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for u in units:
                score(d, u, lang="vi")
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        best = [float("inf")] * len(units)  # each unit's best time: a busy machine's pauses left out
        clock = time.perf_counter
        for _ in range(args.repeat):
            forget(d, units[0].year)
            for i, u in enumerate(units):
                start = clock()
                score(d, u, lang="vi")
                best[i] = min(best[i], clock() - start)
        line = f"{definition_id:28} score {sum(best) / len(units) * 1e6:6.1f} µs a unit"
        if args.digest:
            line += f"  digest {digest(results)}"
        print(line, flush=True)
        gc.unfreeze()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
