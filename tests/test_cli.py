"""The `cds-index` command: every subcommand of issue #2 through main([...]), exit codes 0/1/2(/3),
and no traceback for a bad definition, ever."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

import cds_index
from cds_index.cli import build_parser, main
from cds_index.read.registry import load

from .conftest import DEFINITIONS, EXAMPLES, TESTS, TINY, erratum_kind, line_of, mutate

BUNDLED = sorted(p.stem for p in DEFINITIONS.glob("*.yaml"))
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return _run


# --- list ---------------------------------------------------------------------------------------


def test_list(run: Run) -> None:
    code, out, _ = run("list")
    assert code == 0
    for name in BUNDLED:
        assert name in out


def test_list_json(run: Run) -> None:
    code, out, _ = run("list", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert sorted(d["id"] for d in data) == BUNDLED
    district = next(d for d in data if d["id"] == "hai-duong-707-district")
    assert (district["decision"], district["total"], district["level"]) == ("707/QĐ-UBND", "420", "district")
    assert Path(district["path"]).is_file()
    assert district["title"].startswith("Bộ chỉ số chuyển đổi số")


# --- check --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")  # reads the English words (#12)
def test_check_the_bundled_definitions(run: Run) -> None:
    code, out, _ = run("check", str(DEFINITIONS))
    assert code == 0
    # 707's known discrepancies are listed, each with the achievable maximum
    assert out.count("info[known-discrepancy]") >= 3
    assert "CQS.3 states 15 points but its children add up to 11" in out
    assert "achievable: 196" in out and "achievable: 419" in out
    assert "0 with errors" in out


def test_check_by_id(run: Run) -> None:
    code, out, _ = run("check", "hai-duong-707-district", "--lang", "en")
    assert code == 0
    assert "total: 420 = 200 + 95 + 125" in out
    code, out, _ = run("check", "hai-duong-707-district")  # Vietnamese by default (#12)
    assert "tổng điểm: 420 = 200 + 95 + 125" in out


@pytest.mark.usefixtures("english")  # reads the English words (#12)
def test_check_json(run: Run) -> None:
    code, out, _ = run("check", "hai-duong-707-department", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True
    (report,) = data["files"]
    assert (report["kind"], report["id"], report["ok"]) == ("definition", "hai-duong-707-department", True)
    # every erratum of the file is listed, each a known discrepancy with its kind and its line (#10)
    errata = cds_index.load("hai-duong-707-department").errata
    notes = report["problems"]
    assert len(notes) == len(errata)
    assert {(n["code"], n["severity"]) for n in notes} == {("known-discrepancy", "info")}
    assert sorted(erratum_kind(n["message"]) for n in notes) == sorted(e.kind for e in errata)
    (mismatch,) = [n for n in notes if erratum_kind(n["message"]) == "points-mismatch"]
    assert mismatch["node"][-1] == "CQS.3"
    assert all(isinstance(n["line"], int) and isinstance(n["column"], int) for n in notes)


def test_check_a_bad_file(run: Run, write: Callable[..., Path]) -> None:
    text = mutate(TINY, ("input: has_plan", "input: has_plans"))
    path = write(text)
    line = line_of(text, "kind: yes_no")
    code, out, _ = run("check", str(path), "--lang", "en")
    assert code == 1
    assert f"{path}:{line}:11: error[unknown-input]" in out
    assert "FAIL" in out and "1 with errors" in out
    code, out, _ = run("check", str(path), "--format", "github")
    assert code == 1
    assert f"::error file={path},line={line},col=11,title=unknown-input::" in out
    code, out, _ = run("check", str(path), "--format", "json")
    assert code == 1
    assert json.loads(out)["ok"] is False


def test_check_github_escapes_newlines(run: Run, write: Callable[..., Path]) -> None:
    rule = (
        "        rule:\n          kind: yes_no\n          input: has_plan\n"
        '          assumed: "“Có …” is scored yes/no."\n'
    )
    path = write(
        mutate(TINY, (rule, "        rule: {kind: formula, expression: 'has_plan.x', assumed: x}\n"))
    )
    _, out, _ = run("check", str(path), "--format", "github")
    (line,) = [x for x in out.splitlines() if "formula-forbidden" in x]
    assert "%0A" in line  # the formula and its marker stay inside one annotation


def test_check_mixed_files_fails_if_one_fails(run: Run, write: Callable[..., Path]) -> None:
    good = write(TINY, "good.yaml")
    bad = write(mutate(TINY, ("total: 10", "total: 11")), "bad.yaml")
    code, out, _ = run("check", str(good), str(bad), "--lang", "en")
    assert code == 1
    assert "2 file(s) checked, 1 with errors" in out


# --- show ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["hai-duong-707-department", "hai-duong-707-district"])
def test_show_json_is_the_normalized_tree(run: Run, name: str) -> None:
    code, out, _ = run("show", name, "--format", "json")
    assert code == 0
    data = json.loads(out)
    definition = load(name)

    def walk(nodes: list[dict[str, object]]) -> list[dict[str, object]]:
        found = []
        for node in nodes:
            assert {"id", "title", "points", "children"} <= set(node)
            found.append(node)
            found.extend(walk(node["children"]))  # type: ignore[arg-type]
        return found

    nodes = walk(data["tree"])
    assert [n["id"] for n in nodes] == [n.id for _, n in definition.walk()]  # row for row, in order
    assert all(Decimal(str(n["points"])) == definition.nodes()[str(n["id"])].points for n in nodes)


def test_show_markdown_reproduces_every_row(run: Run) -> None:
    code, out, _ = run("show", "hai-duong-707-district", "--format", "markdown")
    assert code == 0
    table = out[out.index("| STT") :].split("\n\n")[0].splitlines()[2:]  # the appendix, after its header
    cells = [[c.strip().strip("*") for c in row.split(" | ")] for row in table]
    assert cells[0][1] == "Tổng cộng" and cells[0][2] == "420"
    definition = load("hai-duong-707-district")
    nodes = [n for _, n in definition.walk()]
    assert [c[1] for c in cells[1:]] == [n.title for n in nodes]  # row for row, in order
    assert [Decimal(c[2]) for c in cells[1:]] == [n.points for n in nodes]
    # ids as printed: the row 707 numbers 4.4.4 a second time keeps its printed number
    assert "| 4.4.4 | Triển khai ứng dụng khác |" in out
    assert "| KTS.2.2.1 |" in out


def test_show_table(run: Run) -> None:
    code, out, _ = run("show", "hai-duong-707-department")
    assert code == 0
    assert "CQS.1.1.1" in out and "Chính quyền số" in out


def test_show_assumptions(run: Run) -> None:
    code, out, _ = run("show", "hai-duong-707-department", "--assumptions", "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert len(found) == len(load("hai-duong-707-department").criteria())  # 707 prints max points only
    assert all(a["assumed"] for a in found)


# --- template -----------------------------------------------------------------------------------


def test_template_lists_every_input_and_loads_back(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("template", "hai-duong-707-district", "--year", "2024")
    assert code == 0
    data = YAML(typ="safe", pure=True).load(out)
    definition = load("hai-duong-707-district")
    assert (data["kind"], data["definition"], data["year"]) == ("inputs", "hai-duong-707-district", 2024)
    assert list(data["values"]) == list(definition.inputs)
    first = next(iter(definition.inputs.values()))
    assert first.label in out
    # written to a file, it is a valid inputs file: its unit named, every criterion scores "not reported"
    target = tmp_path / "unit.yaml"
    assert run("template", "hai-duong-707-district", "-o", str(target))[0] == 0
    code, out, err = run("score", "hai-duong-707-district", str(target), "--format", "json")
    assert code != 0 and "missing-key" in out + err  # the placeholder unit is not scored (#11)
    blank = "{id: ma-don-vi, name: Tên đơn vị}"
    filled = target.read_text(encoding="utf-8").replace(blank, "{id: h-a, name: A}")
    target.write_text(filled, encoding="utf-8")
    code, out, _ = run("score", "hai-duong-707-district", str(target), "--format", "json")
    assert code == 0
    assert json.loads(out)["points"] == "0"


# --- score --------------------------------------------------------------------------------------


def test_score_a_unit_by_hand(run: Run, write: Callable[..., Path]) -> None:
    write(TINY, "tiny.yaml")
    inputs = write(
        "kind: inputs\ndefinition: tiny\nunit: {id: xa-a, name: Xã A}\nyear: 2024\n"
        "values: {has_plan: true, staff: 40, staff_trained: 30}\n",
        "unit.yaml",
    )
    code, out, _ = run("score", str(inputs.parent / "tiny.yaml"), str(inputs), "--format", "json")
    assert code == 0
    data = json.loads(out)
    # A.1 yes → 4; A.2 30/40 = 75% × 6 = 4.5
    assert (data["points"], data["max"], data["unit"]["id"]) == ("8.5", "10", "xa-a")
    (pillar,) = data["children"]
    a1, a2 = pillar["children"]
    for node in (pillar, a1, a2):
        assert {"id", "points", "max", "status", "explanation"} <= set(node)
    assert (a2["id"], a2["points"], a2["status"]) == ("A.2", "4.5", "scored")
    assert "30/40 = 75% → 75% × 6 = 4,5 điểm" in a2["explanation"]  # Vietnamese by default
    code, out, _ = run("score", str(inputs.parent / "tiny.yaml"), str(inputs), "--lang", "en")
    assert code == 0
    assert "8.5/10" in out.replace(" ", "") and "75% × 6 = 4.5 points" in out


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("hai-duong-707-*.yaml")), ids=lambda p: p.stem)
def test_score_the_examples(run: Run, example: Path) -> None:
    definition = YAML(typ="safe", pure=True).load(example.read_text(encoding="utf-8"))["definition"]
    code, out, _ = run("score", definition, str(example), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["definition"] == definition
    assert Decimal(data["points"]) == sum((Decimal(p["points"]) for p in data["children"]), Decimal(0))
    assert Decimal(0) < Decimal(data["points"]) <= Decimal(data["max"])


def test_score_with_refused_values_exits_1(run: Run, write: Callable[..., Path]) -> None:
    write(TINY, "tiny.yaml")
    inputs = write(
        "kind: inputs\ndefinition: tiny\nunit: {id: u}\nyear: 2024\nvalues: {staff: -1}\n", "unit.yaml"
    )
    code, _, _ = run("score", str(inputs.parent / "tiny.yaml"), str(inputs))
    assert code == 1


def test_score_an_inputs_file_for_another_definition(run: Run) -> None:
    example = EXAMPLES / "hai-duong-707-department-so-a.yaml"
    code, _, err = run("score", "hai-duong-707-district", str(example))
    assert code == 1
    assert "error[input-definition]" in err and f"{example}:" in err


# --- test ---------------------------------------------------------------------------------------


def test_test_runs_the_case_folders(run: Run) -> None:
    code, out, _ = run("test", str(TESTS / "cases"), str(TESTS / "golden"))
    assert code == 0
    assert out.strip().endswith("0 không đạt")  # Vietnamese by default (#12)
    code, out, _ = run("test", str(TESTS / "cases"), str(TESTS / "golden"), "--lang", "en")
    assert code == 0
    assert out.strip().endswith("0 failed")


def test_test_reports_a_failing_case(run: Run, write: Callable[..., Path]) -> None:
    path = write(
        "kind: tests\ndefinition: hai-duong-707-department\ncases:\n"
        "  - name: wrong\n    values: {has_dx_section: true}\n    expect: {points: {CQS.1.1.1: 1}}\n",
        "cases.yaml",
    )
    code, out, _ = run("test", str(path))
    assert code == 1
    assert f"KHÔNG ĐẠT {path}:4: wrong" in out and "0 đạt, 1 không đạt" in out
    code, out, _ = run("test", str(path), "--lang", "en")
    assert code == 1
    assert f"FAIL {path}:4: wrong" in out
    assert "CQS.1.1.1 points: expected 1, got 2" in out
    assert "0 passed, 1 failed" in out


# --- usage and errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no subcommand
        ["frobnicate"],
        ["show"],  # DEF missing
        ["show", "hai-duong-707-department", "--format", "xml"],
        ["score", "hai-duong-707-department"],  # INPUTS missing
        ["list", "--no-such-option"],
        ["show", "no-such-definition"],
    ],
)
def test_usage_errors_exit_2(run: Run, argv: list[str]) -> None:
    code, _, err = run(*argv)
    assert code == 2
    assert err  # says what is wrong, on stderr


def test_help_exits_0(run: Run) -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "cds-index" in out


SUBCOMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(run: Run, command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert f"cds-index {command}" in out


# a handful of broken definitions, each fed to every subcommand that reads a definition
BROKEN = {
    "yaml syntax": mutate(TINY, ("          input: has_plan\n", "\t  input: has_plan\n")),
    "wrong type": mutate(TINY, ("        points: 4\n", "        points: bốn\n")),
    "points mismatch": mutate(TINY, ("total: 10", "total: 11")),
    "unknown input": mutate(TINY, ("input: has_plan", "input: nothing")),
    "not a mapping": "- just\n- a list\n",
    "empty": "",
    "binary": "\x00\x01\x02",
    # (the alias bomb is in test_error_codes.py: it is refused before any subcommand sees it)
}


@pytest.mark.parametrize("command", ["check", "show", "template", "score", "test"])
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_bad_definition_never_yields_a_traceback(
    run: Run, write: Callable[..., Path], command: str, name: str
) -> None:
    path = write(BROKEN[name], "broken.yaml")
    if command == "score":
        inputs = write(
            "kind: inputs\ndefinition: broken.yaml\nunit: {id: u}\nyear: 2024\nvalues: {}\n", "u.yaml"
        )
        argv = ["score", str(path), str(inputs)]
    elif command == "test":
        cases = write(
            "kind: tests\ndefinition: broken.yaml\ncases:\n  - {name: x, expect: {total: 0}}\n", "t.yaml"
        )
        argv = ["test", str(cases)]
    else:
        argv = [command, str(path)]
    code, out, err = run(*argv)
    assert code == 1
    assert "broken.yaml" in out + err
    assert "internal error" not in err


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cds_index", "check", "hai-duong-707-department", "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    done = subprocess.run(
        [sys.executable, "-m", "cds_index", "show", "no-such-definition"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_check_strict_fails_on_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unused input is a warning: `check` passes, `check --strict` (for CI) fails."""
    definition = tmp_path / "def.yaml"
    definition.write_text(MINIMAL_WITH_UNUSED_INPUT, encoding="utf-8")
    assert main(["check", str(definition)]) == 0
    out = capsys.readouterr().out
    assert "warning[unused-input]" in out
    assert main(["check", "--strict", str(definition)]) == 1
    bundled = [str(p) for p in sorted(DEFINITIONS.glob("*.yaml"))]
    assert main(["check", "--strict", *bundled]) == 0  # the bundled definitions have no warnings


MINIMAL_WITH_UNUSED_INPUT = """\
kind: definition
id: strict-demo
title: Thử
issuer: Thử
decision: {number: 1/QĐ-UBND, date: 2024-01-01}
level: commune
effective: {from: 2024-01-01}
total: 2
inputs:
  used: {label: Có, type: boolean}
  spare: {label: Không dùng, type: integer, min: 0}
tree:
  - id: I
    title: Trụ cột
    points: 2
    children:
      - id: I.1
        title: Tiêu chí
        points: 2
        rule: {kind: yes_no, input: used, text: "Có: 100%"}
"""
