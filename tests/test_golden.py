"""Golden cases as data: every `kind: tests` file under tests/golden/ and tests/cases/, one item per case.

Each file names a definition (bundled id or path), and each case gives values and the exact points,
statuses and totals they must produce (see docs). Add a file and its cases are run here and by
`cds-index test tests/`.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from cds_index.errors import CdsIndexError
from cds_index.testing import CaseOutcome, collect, load_tests, run_file

from .conftest import TESTS

FOLDERS = [TESTS / "golden", TESTS / "cases"]


def readable(text: str) -> str:
    """An ASCII test id from Vietnamese text: `Tỷ lệ → 50%` → `Ty le -> 50%`."""
    for old, new in {
        "→": "->",
        "×": "x",
        "—": "-",
        "–": "-",
        "…": "...",
        "≥": ">=",
        "≤": "<=",
        "đ": "d",
        "Đ": "D",
    }.items():
        text = text.replace(old, new)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "replace").decode()


def _files() -> list[Path]:
    return collect([folder for folder in FOLDERS if folder.is_dir()])


def _cases() -> list[Any]:
    params = []
    for path in _files():
        where = path.relative_to(TESTS).as_posix()
        try:
            tests, _ = load_tests(path)
        except CdsIndexError as exc:
            # a broken file is one failing item, not a collection error that hides every other case
            params.append(pytest.param(path, -1, str(exc), id=f"{where} (unreadable)"))
            continue
        for index, case in enumerate(tests.cases):
            params.append(pytest.param(path, index, "", id=f"{where}[{index}] {readable(case.name)}"))
    return params


@cache
def _run(path: Path) -> list[CaseOutcome] | str:
    try:
        return run_file(path)
    except CdsIndexError as exc:
        return str(exc)


@pytest.mark.parametrize(("path", "index", "unreadable"), _cases())
def test_case(path: Path, index: int, unreadable: str) -> None:
    if unreadable:
        pytest.fail(f"{path}: cannot read this tests file:\n{unreadable}", pytrace=False)
    outcomes = _run(path)
    if isinstance(outcomes, str):
        pytest.fail(f"{path}: cannot run this tests file:\n{outcomes}", pytrace=False)
    outcome = outcomes[index]
    if not outcome.passed:
        pytest.fail(outcome.describe(), pytrace=False)


def test_cases_exist() -> None:
    # the folders hold golden cases for the bundled 707 definitions and 2263's rules
    assert _files(), f"no `kind: tests` files under {', '.join(map(str, FOLDERS))}"


@pytest.mark.usefixtures("english")  # reads the English words (#12)
def test_a_wrong_expectation_fails_with_a_description(tmp_path: Path) -> None:
    # the runner above is only as good as run_file's verdict: a wrong expectation must fail, exactly
    path = tmp_path / "wrong.yaml"
    path.write_text(
        "kind: tests\n"
        "definition: hai-duong-707-department\n"
        "cases:\n"
        "  - name: right\n"
        "    values: {has_dx_section: true}\n"
        "    expect: {points: {CQS.1.1.1: 2}, status: {CQS.1.1.2: not_reported}}\n"
        "  - name: wrong by a hundredth\n"
        "    values: {has_dx_section: true}\n"
        "    expect: {points: {CQS.1.1.1: 2.01}, status: {CQS.1.1.1: not_reported}}\n",
        encoding="utf-8",
    )
    right, wrong = run_file(path)
    assert right.passed
    assert not wrong.passed
    text = wrong.describe()
    assert f"{path}:7: wrong by a hundredth" in text
    assert "CQS.1.1.1 points: expected 2.01, got 2" in text
    assert "CQS.1.1.1 status: expected not_reported, got scored" in text
