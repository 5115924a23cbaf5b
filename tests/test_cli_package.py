"""The layout of `cds_index.cli` (#11): one module per command, each owning its arguments and its
work, and a `--help` that imports none of the package's heavy parts."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import cds_index.cli
from cds_index.cli import build_parser, main
from cds_index.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
SHARED = {"__main__", "common", "main"}


def _choices() -> dict[str, object]:
    return dict(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def test_every_module_is_one_command_and_every_command_a_module() -> None:
    modules = {name for _, name, _ in pkgutil.iter_modules(cds_index.cli.__path__)} - SHARED
    assert modules == set(_choices())
    assert {command.__name__.rsplit(".", 1)[-1] for command in COMMANDS} == modules
    for command in COMMANDS:
        assert callable(command.add_parser) and callable(command.run)


def test_each_command_runs_its_own_module() -> None:
    parser = build_parser()
    for name in _choices():
        module = importlib.import_module(f"cds_index.cli.{name}")
        required = {"definition": "x", "inputs": ["x"], "scenario": "x", "paths": ["x"]}
        argv = [name]
        for action in parser._subparsers._group_actions[0].choices[name]._actions:  # type: ignore[union-attr]
            if not action.option_strings and action.dest in required:
                argv.append("x")
            elif action.required and action.option_strings:
                argv += [action.option_strings[0], "x"]
        if name == "diff":
            argv += ["x", "y"]
        assert parser.parse_args(argv).func is module.run, name


def test_the_entry_points_reach_main() -> None:
    assert cds_index.cli.main is main  # the `cds-index = "cds_index.cli:main"` entry point
    for module in ("cds_index", "cds_index.cli"):  # `python -m …`, as before the split
        done = subprocess.run(
            [sys.executable, "-m", module, "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
        assert done.returncode == 0 and done.stdout.startswith("cds-index "), done.stderr


def test_help_imports_nothing_heavy() -> None:
    """`cds-index --help` builds the parser only: no pydantic, no YAML reader, no engine (#11)."""
    code = (
        "import sys, contextlib, io\n"
        "from cds_index.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "heavy = ('pydantic', 'ruamel', 'cds_index.engine', 'cds_index.read', 'cds_index.formats',\n"
        "         'cds_index.rules', 'cds_index.check', 'cds_index.io.batch')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stdout
