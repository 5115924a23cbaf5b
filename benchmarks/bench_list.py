"""`cds-index list`, process start to exit: headings only (today) against loading every definition.

    PYTHONPATH=src python benchmarks/bench_list.py [--repeat 7]

The full load is what `list` did before issue 14 (`list_definitions()`: parse, validate and check
every bundled definition); the floor is a process that only imports cds_index. Best of N wall-clock
runs of each, alternated.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS = {
    "list (headings)": [sys.executable, "-m", "cds_index", "list"],
    "full load": [
        sys.executable,
        "-c",
        "from cds_index.read.registry import list_definitions; list_definitions()",
    ],
    "import only": [sys.executable, "-c", "import cds_index.cli"],
}


def run(cmd: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    best = {name: float("inf") for name in COMMANDS}
    for _ in range(args.repeat):
        for name, cmd in COMMANDS.items():
            best[name] = min(best[name], run(cmd))
    for name, seconds in best.items():
        print(f"{name:<16} {seconds:6.2f} s")
    print(f"list is {best['full load'] / best['list (headings)']:.1f}x faster than loading every definition")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
