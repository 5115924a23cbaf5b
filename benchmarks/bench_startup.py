"""Start-up: `cds-index --help` against `import argparse`, `import cds_index` against `import ruamel.yaml`.

    /work/venv/bin/python benchmarks/bench_startup.py [--repeat 15]

Wall clock of whole processes (`subprocess`), best of N, the four commands alternated so that a
busy spell of the shared machine hits each alike. Targets (issue #11): `--help` ≤ 4× a process
that imports argparse; `import cds_index` ≤ 2× one that imports ruamel.yaml.
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
    "python -c 'import argparse'": [sys.executable, "-c", "import argparse"],
    "cds-index --help": [sys.executable, "-c", "from cds_index.cli import main; main(['--help'])"],
    "python -c 'import ruamel.yaml'": [sys.executable, "-c", "import ruamel.yaml"],
    "python -c 'import cds_index'": [sys.executable, "-c", "import cds_index"],
}


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": (os.environ.get("BENCH_SRC", str(ROOT / "src")))}
    best = dict.fromkeys(COMMANDS, float("inf"))
    for _ in range(args.repeat):
        for name, cmd in COMMANDS.items():
            start = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=False)
            best[name] = min(best[name], time.perf_counter() - start)
    for name, seconds in best.items():
        print(f"{name:<32} {seconds * 1000:7.1f} ms")
    helps = best["cds-index --help"] / best["python -c 'import argparse'"]
    imports = best["python -c 'import cds_index'"] / best["python -c 'import ruamel.yaml'"]
    print(f"--help / import argparse:          {helps:5.2f}  (target ≤ 4: {_met(helps <= 4)})")
    print(f"import cds_index / import ruamel:  {imports:5.2f}  (target ≤ 2: {_met(imports <= 2)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
