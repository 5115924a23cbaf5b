"""A pytest plugin: `kind: tests` YAML files collected as test items, one per case (#14).

Installed with cds-index (the ``pytest11`` entry point) but off until asked, so it never collects
YAML a project did not mean as tests, and never runs a case twice beside a test module that already
runs them (as this repository's tests/test_golden.py does). Turn it on with the command-line flag
or the ini option::

    pytest --cds-index-tests tests/rules/

    # pyproject.toml
    [tool.pytest.ini_options]
    cds_index_tests = true

Only YAML files that declare `kind: tests` at the top level are collected; any other YAML is left
alone. A failing case reports the node, the expected and actual value, the rule as encoded and each
input it read; `pytest -k` selects cases by name as for any test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .errors import CdsIndexError
from .i18n import T, render
from .testing import CaseOutcome, TestsRun, is_tests_file

FLAG = "--cds-index-tests"
INI = "cds_index_tests"


def pytest_addoption(parser: pytest.Parser) -> None:
    # in the language of CDS_INDEX_LANG, else the machine's locale, else Vietnamese (#12)
    group = parser.getgroup("cds-index", render(T("rule tests written as data (cds-index)")))
    group.addoption(
        FLAG,
        action="store_true",
        default=None,
        help=render(T("collect `kind: tests` YAML files as test items (one per case)")),
    )
    parser.addini(
        INI, type="bool", default=False, help=render(T("collect `kind: tests` YAML files as test items"))
    )


def _enabled(config: pytest.Config) -> bool:
    flag = config.getoption(FLAG)
    return bool(flag) if flag is not None else bool(config.getini(INI))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and _enabled(parent.config) and is_tests_file(file_path):
        collector: pytest.Collector = TestsFile.from_parent(parent, path=file_path)
        return collector
    return None


class CaseFailed(Exception):
    """A case whose expectations differ from the result (carries the outcome for the report)."""

    def __init__(self, outcome: CaseOutcome) -> None:
        super().__init__(outcome.describe())
        self.outcome = outcome


class Unreadable(Exception):
    """A tests file (or the definition it names) that cannot be read: the problems, positioned."""


class TestsFile(pytest.File):
    """One `kind: tests` file: its cases are the items."""

    __test__ = False

    def collect(self) -> Iterator[pytest.Item]:
        try:
            run = TestsRun.open(self.path)
        except CdsIndexError as exc:
            problems = "\n".join(p.format() for p in exc.problems)
            yield Case.from_parent(self, name="(unreadable)", run=None, index=-1, error=problems)
            return
        for index, case in enumerate(run.tests.cases):
            yield Case.from_parent(self, name=case.name, run=run, index=index, error="")


class Case(pytest.Item):
    """One case of a tests file: values in, exact points and statuses out."""

    def __init__(self, *, run: TestsRun | None, index: int, error: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run = run
        self.index = index
        self.error = error

    def runtest(self) -> None:
        if self.run is None:
            raise Unreadable(
                render(T("{file}: cannot run this tests file", file=str(self.path))) + "\n" + self.error
            )
        outcome = self.run.run(self.index)
        if not outcome.passed:
            raise CaseFailed(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed | Unreadable):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.run.line(self.index) if self.run is not None and self.index >= 0 else None
        return self.path, (line - 1) if line else None, render(T("case: {name}", name=self.name))
