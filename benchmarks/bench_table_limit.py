"""How long `cds-index check` takes to refuse a decision table too complex to prove (`table-too-complex`).

    PYTHONPATH=src python benchmarks/bench_table_limit.py [--repeat 3]

The completeness proof of a `table` rule stops after ``rules.table.WORK_LIMIT`` cell visits, so a
hostile table is refused in bounded time. Two tables: a thousand rows of two inputs, each row one cell
of each (the width case: the tests' `table-too-complex` trigger), and sixty rows of four inputs, each
from a lower bound on (the depth case). Reported per table: the whole check of the file, and the part
that is reading the YAML (the rest is validation and the proof). Best of N, wall clock, in-process.

This was a timed assertion in tests/test_deduction_bonus_table.py (the check under 30 s); a speed goal
is a benchmark's, not a test's. Target: each refusal well under 30 s; the proof's share about a second
at most (WORK_LIMIT's note).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cds_index.check.checking import check_file
from cds_index.read.loader import read_file

HEAD = """\
kind: definition
format: 1
id: table-limit
title: Bảng quyết định lớn
issuer: Ủy ban nhân dân tỉnh Thử
decision: {{number: 1/QĐ-UBND, date: 2024-01-15}}
level: commune
effective: {{from: 2024-01-15}}
scoring: points
total: 10
inputs:
{inputs}
tree:
  - id: P
    title: Trụ cột
    points: 10
    children:
      - id: P.1
        title: Tiêu chí có bảng
        points: 10
        rule:
          kind: table
          assumed: a hostile table
          hit_policy: first
          inputs: [{names}]
          rows:
"""


def _text(names: list[str], rows: list[str]) -> str:
    inputs = "\n".join(f"  {n}: {{label: {n}, type: integer, unit: item, min: 0}}" for n in names)
    head = HEAD.format(inputs=inputs, names=", ".join(names))
    return head + "".join(f"            - {{when: {{{row}}}, percent: 0}}\n" for row in rows)


def wide() -> str:
    """1000 rows of two inputs, each row one cell of each (the tests' `table-too-complex` trigger)."""
    return _text(
        ["a", "b"], [f"a: {{min: {r}, max: {r + 1}}}, b: {{min: {r}, max: {r + 1}}}" for r in range(1000)]
    )


def deep() -> str:
    """60 rows of four inputs, each from a lower bound on (every combination matched by some row)."""
    names = ["a", "b", "c", "d"]
    return _text(names, [", ".join(f"{n}: {{min: {r}}}" for n in names) for r in range(60)])


def best(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, text in (("1000 rows × 2 inputs", wide()), ("60 rows × 4 inputs", deep())):
            path = Path(folder) / "table.yaml"
            path.write_text(text, encoding="utf-8")
            codes = [p.code for p in check_file(path).problems if p.severity == "error"]
            assert codes == ["table-too-complex"], codes
            whole = best(args.repeat, lambda path=path: check_file(path))
            reading = best(args.repeat, lambda path=path: read_file(path))
            print(
                f"{name}: {len(text.splitlines()):,} lines; check {whole:.2f} s "
                f"(reading the YAML {reading:.2f} s, the rest {whole - reading:.2f} s); best of {args.repeat}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
