"""Every docstring example in the package runs (doctest), from the checkout's root, so examples stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import cds_index

ROOT = Path(__file__).resolve().parents[1]
MODULES = [
    "cds_index",
    *sorted(
        name
        for _, name, _ in pkgutil.walk_packages(cds_index.__path__, "cds_index.")
        if not name.endswith(("__main__", "pytest_plugin"))
    ),
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # examples name files relative to the checkout, as the README does
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # an optional extra (fastapi, openpyxl) missing: nothing to run
        pytest.skip(f"{name}: {exc}")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in finder.find(module, name):
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_doctests_were_found() -> None:
    """The runner is not vacuous: the package's examples are collected."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    examples = sum(
        len(t.examples)
        for name in MODULES
        if name
        in {"cds_index", "cds_index.engine.evaluate", "cds_index.check.formula", "cds_index.analyse.diff"}
        for t in finder.find(importlib.import_module(name), name)
    )
    assert examples >= 6


def test_the_readme_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's Python session is a doctest: what it shows is what the library answers."""
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(text, {}, "README.md", str(ROOT / "README.md"), 0)
    assert len(test.examples) >= 6
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
