"""Issue 9's promise, measured: every bad input ends in a positioned error, in under 5 s and 500 MB.

Each case is a whole `cds-index` process run on a hostile file made here (a CSV with a broken quote,
bytes in a legacy encoding, a zip bomb, a FIFO, a 500-term formula, ...). For each the script records
the exit code, the wall time and the child's peak memory, and checks that the process refused the
input the way a user is promised: exit 1 or 2 (never 3, never a traceback, never killed by the time
limit) and an error code in brackets (``error[table-row]``) in what it printed.

    python benchmarks/bench_bad_inputs.py            # every case, one line each, then the worst figures
    python benchmarks/bench_bad_inputs.py --keep DIR # keep the hostile files in DIR to look at them

Exit status 0 when every case keeps the promise, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

LIMIT_S = 5.0
LIMIT_MB = 500.0
TIMEOUT_S = 60.0
ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"\[([a-z][a-z0-9-]+)\]")
"""A problem's code as every output writes it: ``error[table-row]`` on a line, ``[table-row]`` in a row."""
USAGE = re.compile(r"^cds-index [a-z]+: error: ", re.M)
"""argparse's refusal of the command line itself (exit 2): the usage line names the argument."""

# A child process's wall time and peak RSS, measured by a small measuring process of its own so
# that each figure is one cds-index process's (RUSAGE_CHILDREN of a fresh parent).
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.monotonic()
try:
    done = subprocess.run(sys.argv[2:], capture_output=True, timeout=float(sys.argv[1]))
    code, out = done.returncode, (done.stdout + done.stderr).decode("utf-8", "replace")
except subprocess.TimeoutExpired as exc:
    code, out = "timeout", ((exc.stdout or b"") + (exc.stderr or b"")).decode("utf-8", "replace")
wall = time.monotonic() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": code, "wall": wall, "mb": rss, "out": out[-4000:]}))
"""


def _csv_header() -> str:
    return "Mã đơn vị,Tên đơn vị,staff_total,district_staff\n"


def make_cases(folder: Path) -> list[tuple[str, list[str]]]:
    """``(name, cds-index arguments)`` for each hostile input, its files written under ``folder``."""
    d707 = "hai-duong-707-district"
    cases: list[tuple[str, list[str]]] = []

    def write(name: str, data: bytes | str) -> str:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(path)

    def add(name: str, *args: str) -> None:
        cases.append((name, list(args)))

    header = _csv_header()
    # CSV: rows that must be refused one by one, never swallowing the rest
    add("csv unterminated quote", "score", d707, write("quote.csv", header + 'a,"Xã 500,10,5\nb,B,10,5\n'))
    add(
        "csv latin-1 byte",
        "score",
        d707,
        write("latin1.csv", header.encode() + "c,Xã Hòa,10,5\n".encode("cp1252", "replace") + b"d,D,10,5\n"),
    )
    add(
        "csv windows-1258",
        "score",
        d707,
        write(
            "cp1258.csv",
            unicodedata.normalize("NFD", header + "e,Xã Hòa Bình,10,5\n").encode("cp1258", "replace"),
        ),
    )
    add(
        "csv over-long field",
        "score",
        d707,
        write("long.csv", header + "f," + "x" * 300_000 + ",10,5\ng,G,10,5\n"),
    )
    add(
        "csv wrong delimiter", "score", d707, write("delim.csv", "Mã đơn vị|Tên đơn vị|staff_total\nh|H|10\n")
    )
    add("csv no id column", "score", d707, write("noid.csv", "staff_total,district_staff\n10,5\n"))
    add("csv empty", "score", d707, write("empty.csv", ""))
    add("csv 1e9999999", "score", d707, write("huge.csv", header + "i,I,1e9999999,5\n"))
    add("csv Infinity", "score", d707, write("inf.csv", header + "j,J,Infinity,NaN\n"))
    add(
        "csv 1.000 decimal",
        "score",
        "hue-2263-commune",
        write("amb.csv", "Mã đơn vị,Tên đơn vị,cbccvc_and_workers,staff_hues_registered\nk,K,20,30\n"),
    )
    add("csv NUL bytes", "score", d707, write("nul.csv", header.encode() + b"l,L\x00,10,5\n"))
    # special files and paths
    fifo = folder / "fifo.csv"
    os.mkfifo(fifo)
    add("fifo as inputs", "score", d707, str(fifo))
    add("/dev/zero as inputs", "score", d707, "/dev/zero")
    add("/dev/zero as definition", "check", "/dev/zero")
    add("folder as definition", "show", str(folder))
    add("missing file", "score", d707, str(folder / "missing.yaml"))
    add(
        "-o into a missing folder",
        "score",
        d707,
        str(ROOT / "examples" / "hai-duong-707-district-huyen-a.yaml"),
        "--format",
        "csv",
        "-o",
        str(folder / "no" / "such" / "out.csv"),
    )
    add(
        "year 10^20",
        "score",
        d707,
        str(ROOT / "examples" / "hai-duong-707-district-huyen-a.yaml"),
        "--year",
        str(10**20),
    )
    # YAML inputs
    inputs = "kind: inputs\ndefinition: hai-duong-707-district\nunit: {id: u, name: U}\nvalues:\n"
    add("yaml 1e9999999", "score", d707, write("huge.yaml", inputs + "  staff_total: 1e9999999\n"))
    add(
        "yaml deep nesting",
        "score",
        d707,
        write("deep.yaml", inputs + "  staff_total: " + "[" * 5000 + "]" * 5000 + "\n"),
    )
    bomb = (
        "a: &a ["
        + ",".join(["x"] * 10)
        + "]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8)
        )
    )
    add("yaml alias bomb", "score", d707, write("bomb.yaml", bomb))
    add(
        "yaml 10 MB string",
        "score",
        d707,
        write("big.yaml", inputs + "  staff_total: '" + "9" * (10 << 20) + "'\n"),
    )
    add(
        "yaml python tag",
        "score",
        d707,
        write("tag.yaml", inputs + "  staff_total: !!python/object/apply:os.system ['true']\n"),
    )
    # definitions with hostile formulas
    sys.path.insert(0, str(ROOT))  # the test suite's builders of small definitions
    from tests.conftest import criterion, definition_data, dump_yaml

    rule = {"kind": "formula", "expression": " + ".join(["a"] * 500)}  # passed check, then RecursionError
    inputs_a = {"a": {"label": "Số a", "type": "number", "min": 0}}
    definition = dump_yaml(definition_data(inputs_a, [criterion("F.1", 10, rule)], id="hostile"))
    add("formula of 500 terms", "check", write("formula.yaml", definition))
    # workbooks
    bomb_xlsx = folder / "bomb.xlsx"
    with zipfile.ZipFile(bomb_xlsx, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (1 << 30))
    add("xlsx zip bomb (1 GiB inflated)", "score", d707, str(bomb_xlsx))
    add("xlsx not a zip", "score", d707, write("fake.xlsx", "Mã đơn vị,Tên\n"))
    truncated = folder / "truncated.xlsx"
    with zipfile.ZipFile(truncated, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook>")
    truncated.write_bytes(truncated.read_bytes()[:-30])
    add("xlsx truncated", "score", d707, str(truncated))
    return cases


def run_case(args: list[str]) -> dict[str, object]:
    command = [sys.executable, "-m", "cds_index", *args]
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(TIMEOUT_S), *command],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def verdict(result: dict[str, object]) -> str | None:
    """Why the case broke the promise, or ``None`` when it kept it."""
    out = str(result["out"])
    checks: list[tuple[bool, Callable[[], str]]] = [
        (result["code"] == "timeout", lambda: f"no answer in {TIMEOUT_S:.0f} s"),
        (result["code"] not in {1, 2, "timeout"}, lambda: f"exit {result['code']} (want 1 or 2)"),
        ("Traceback" in out, lambda: "a traceback"),
        (CODE.search(out) is None and USAGE.search(out) is None, lambda: "no error code in the output"),
        (float(str(result["wall"])) > LIMIT_S, lambda: f"{result['wall']:.2f} s (limit {LIMIT_S:.0f} s)"),
        (float(str(result["mb"])) > LIMIT_MB, lambda: f"{result['mb']:.0f} MB (limit {LIMIT_MB:.0f} MB)"),
    ]
    broken = [why() for failed, why in checks if failed]
    return "; ".join(broken) or None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="write the hostile files here and keep them")
    options = parser.parse_args()
    folder = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="cds-bad-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        cases = make_cases(folder)
        worst_s = worst_mb = 0.0
        broken = 0
        for name, args in cases:
            result = run_case(args)
            why = verdict(result)
            codes = sorted(set(CODE.findall(str(result["out"])))) or ["usage"] * bool(
                USAGE.search(str(result["out"]))
            )
            wall, mb = float(str(result["wall"])), float(str(result["mb"]))
            worst_s, worst_mb = max(worst_s, wall), max(worst_mb, mb)
            broken += why is not None
            status = "ok  " if why is None else "FAIL"
            print(
                f"{status} {name:<32} exit {result['code']!s:<3} {wall:5.2f} s {mb:6.1f} MB {','.join(codes)}"
            )
            if why:
                print(f"     {why}\n     {str(result['out'])[-600:]}")
        print(
            f"\n{len(cases)} hostile inputs: {len(cases) - broken} refused as promised, {broken} not; "
            f"slowest {worst_s:.2f} s (limit {LIMIT_S:.0f}), largest {worst_mb:.1f} MB (limit {LIMIT_MB:.0f})"
        )
        return 1 if broken else 0
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
