"""Progress on a terminal for long commands: total, rate, time left; silent when not a terminal (#14).

Run for real under a pseudo-terminal (stderr a pty, stdout a pipe), bounded by a deadline.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cds_index.cli.common import count_units

ROOT = Path(__file__).resolve().parents[1]
CSV_FILE = ROOT / "examples" / "hai-duong-707-districts.csv"
UNITS = len(CSV_FILE.read_text(encoding="utf-8-sig").splitlines()) - 1

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def _run(
    argv: list[str], *, tty: bool, env: dict[str, str] | None = None, both: bool = False
) -> tuple[int, bytes, str]:
    """Run cds-index with stderr on a pty (or a pipe), and stdout too when ``both``; return
    (exit code, what the terminal received, stdout when it was a pipe)."""
    import pty

    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TERM": "xterm", "COLUMNS": "120"}
    environment.pop("NO_COLOR", None)
    environment.update(env or {})
    command = [sys.executable, "-m", "cds_index", *argv]
    if not tty:
        done = subprocess.run(command, capture_output=True, env=environment, timeout=120, cwd=ROOT)
        return done.returncode, done.stderr, done.stdout.decode()
    master, slave = pty.openpty()
    process = subprocess.Popen(
        command,
        stdout=slave if both else subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=environment,
        cwd=ROOT,
    )
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed its end
                    break
                if not data:
                    break
                chunks.append(data)
            elif process.poll() is not None:
                break
        out = process.stdout.read().decode() if process.stdout is not None else ""
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
        os.close(master)
    return code, b"".join(chunks), out


SCORE = ["score", "hai-duong-707-district", str(CSV_FILE), "--format", "csv"]


def test_the_bar_shows_total_rate_and_time_left_on_a_terminal() -> None:
    code, err, out = _run(SCORE, tty=True)
    assert code == 0
    text = err.decode("utf-8", "replace")
    assert f"{UNITS}/{UNITS}" in text  # the total, known from the CSV's lines
    assert "đơn vị/s" in text  # the rate
    assert "còn" in text  # time left
    assert len(out.splitlines()) == UNITS + 1  # stdout holds only the CSV


def _no_rich(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import rich` fails."""
    blocker = tmp_path / "rich"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('no rich here')\n", encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "src")])}


@pytest.mark.parametrize("rich", [True, False], ids=["rich", "plain"])
def test_lines_printed_meanwhile_go_above_the_bar(rich: bool, tmp_path: Path) -> None:
    """stdout and stderr the same terminal: each unit's line is whole, not drawn over by the bar."""
    import re

    env = None if rich else _no_rich(tmp_path)
    argv = ["score", "hai-duong-707-district", str(CSV_FILE)]
    code, screen, _ = _run(argv, tty=True, both=True, env=env)
    assert code == 0
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode("utf-8", "replace"))
    segments = re.split(r"[\r\n]+", text)
    rows = [seg for seg in segments if "huyen-" in seg]
    assert len(rows) == UNITS, rows
    assert all(seg.startswith("huyen-") for seg in rows), rows  # no bar text before a row


def test_without_rich_a_plain_line(tmp_path: Path) -> None:
    code, err, _ = _run([*SCORE, "--lang", "en"], tty=True, env=_no_rich(tmp_path))
    assert code == 0
    text = err.decode("utf-8", "replace")
    assert f"1/{UNITS} units" in text and "/s" in text
    assert text.endswith("\r\x1b[K")  # the line is cleared at the end


@pytest.mark.parametrize(
    "argv",
    [
        SCORE,
        ["rank", "hai-duong-707-district", str(CSV_FILE)],
        ["gaps", "hai-duong-707-district", str(CSV_FILE), "--format", "json"],
    ],
    ids=["score", "rank", "gaps"],
)
def test_silent_when_stderr_is_not_a_terminal(argv: list[str]) -> None:
    code, err, _ = _run(argv, tty=False)
    assert code == 0
    assert err == b""


def test_unit_counts(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: inputs\n", encoding="utf-8")
    (tmp_path / "b.json").write_text("{}", encoding="utf-8")
    (tmp_path / "t.csv").write_bytes(b"id,x\r\n1,2\r\n3,4\r\n")
    assert count_units([str(tmp_path)]) == 2 + 2
    (tmp_path / "w.xlsx").write_bytes(b"")
    assert count_units([str(tmp_path)]) is None  # a workbook's rows are unknown until read
    assert count_units([str(tmp_path / "missing.csv")]) is None
