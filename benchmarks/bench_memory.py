"""Peak memory of scoring units from a CSV to a CSV: 100,000 units against 1,000.

    /work/venv/bin/python benchmarks/bench_memory.py [--large 100000] [--small 1000] [--definition ID]

Writes two CSV files of synthetic units (seeded) to a temporary folder, runs
`cds-index score DEF units.csv --format csv -o out.csv` on each in a subprocess, and reads the
subprocess's peak resident memory (`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`, one child at a
time, so each reading is that child's peak).

Target (issue 11): the large run's peak is within 5 MB of the small run's (issue 6: 50 MB).
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cds_index
from synthetic import synthetic_values

ROOT = Path(__file__).resolve().parents[1]


def write_units(definition: cds_index.Definition, path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    names = list(definition.inputs)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit_id", "unit_name", *names])
        for i in range(count):
            values = synthetic_values(definition, rng)
            writer.writerow([f"u{i:06d}", f"Đơn vị {i:06d}", *(str(values[n]).lower() for n in names)])


def peak_of(cmd: list[str]) -> tuple[float, float, int]:
    """(peak RSS in MB, seconds, exit code) of one child process, run in a fresh measuring child so
    that RUSAGE_CHILDREN holds that process alone."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.perf_counter() - start, code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return int(out[0]) / 1024, float(out[1]), int(out[2])  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--definition", default="hue-2263-commune")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    definition = cds_index.load(args.definition)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = {}
        for label, count in (("small", args.small), ("large", args.large)):
            units, out = folder / f"{label}.csv", folder / f"{label}-out.csv"
            start = time.perf_counter()
            write_units(definition, units, count, seed=count)
            made = time.perf_counter() - start
            cmd = [
                sys.executable,
                "-m",
                "cds_index",
                "score",
                args.definition,
                str(units),
                "--format",
                "csv",
                "-o",
                str(out),
            ]
            mb, seconds, code = peak_of(cmd)
            with out.open(encoding="utf-8") as handle:
                rows = sum(1 for _ in handle) - 1
            results[label] = mb
            print(
                f"{count:>8,} units: peak RSS {mb:7.1f} MB, {seconds:7.1f} s "
                f"({count / seconds:,.0f} units/s), exit {code}, {rows:,} rows written "
                f"(input CSV {units.stat().st_size / 1e6:.1f} MB, made in {made:.1f} s)"
            )
            assert rows == count, (rows, count)
    growth = results["large"] - results["small"]
    met = "met" if growth <= 5 else "NOT met"
    print(f"growth: {growth:+.1f} MB  (target ≤ +5 MB, issue 11: {met})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
