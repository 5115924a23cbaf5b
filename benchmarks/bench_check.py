"""`cds-index check definitions`, process start to exit, against the floor of parsing the same files.

    /work/venv/bin/python benchmarks/bench_check.py [--repeat 7] [FOLDER]

The floor is a process that only imports ruamel.yaml and parses the same YAML files; it is measured
both ways ruamel offers without its C extension (round-trip `YAML()` and `YAML(typ="safe")`), and the
faster of the two is the floor. Best of N wall-clock runs of each, alternated. Also reports whether
`import cds_index` imports pint, openpyxl or the HTTP stack (it must not).

Target (issue 6): check ≤ 2× the floor.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pint", "openpyxl", "fastapi", "starlette", "uvicorn", "httpx")

FLOOR = """
import sys
from pathlib import Path
from ruamel.yaml import YAML
yaml = YAML(typ=sys.argv[2])
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(path.read_text(encoding="utf-8"))
"""


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default="definitions")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    commands = {
        "check": [py, "-m", "cds_index", "check", args.folder],
        "floor rt": [py, "-c", FLOOR, args.folder, "rt"],
        "floor safe": [py, "-c", FLOOR, args.folder, "safe"],
        "python -c pass": [py, "-c", "pass"],
    }
    code = subprocess.run(commands["check"], cwd=ROOT, capture_output=True, text=True).returncode
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(args.repeat):
        for name, cmd in commands.items():
            best[name] = min(best[name], run(cmd))
    floor = min(best["floor rt"], best["floor safe"])
    files = sorted((ROOT / args.folder).rglob("*.yaml"))
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in files)
    print(f"{len(files)} files, {lines:,} lines under {args.folder}/; best of {args.repeat}, wall clock")
    for name, seconds in best.items():
        print(f"  {name:<15} {seconds:6.3f} s")
    ratio = best["check"] / floor
    print(
        f"check exit code {code}; ratio check/floor: {ratio:.2f}  (target ≤ 2.00: "
        f"{'met' if ratio <= 2 else 'NOT met'})"
    )

    probe = f"import sys, cds_index; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [py, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    print(f"`import cds_index` imports: {', '.join(loaded) or 'none'} of {', '.join(HEAVY)}")
    probe = (
        f"import sys; from cds_index.cli import main; main(['check', {args.folder!r}]); "
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    during = subprocess.run([py, "-c", probe], cwd=ROOT, capture_output=True, text=True).stderr.split()
    print(f"`cds-index check {args.folder}` imports: {', '.join(during) or 'none'} of those")
    assert not loaded, loaded
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
