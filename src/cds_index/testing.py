"""Rule tests as data: run a `kind: tests` file and say, exactly, what differs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import DefinitionError, Location, Problem
from .loader import Document, load_model, read_file
from .model import Definition, TestCase, TestFile
from .numbers import plain


@dataclass(frozen=True)
class Mismatch:
    node: str
    what: str
    expected: str
    actual: str
    explanation: str = ""


@dataclass
class CaseOutcome:
    file: str
    name: str
    line: int | None
    mismatches: list[Mismatch] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches and not self.problems

    def describe(self) -> str:
        lines = [f"{self.file}:{self.line or 1}: {self.name}"]
        for p in self.problems:
            lines.append(f"    {p.format()}")
        for m in self.mismatches:
            lines.append(f"    {m.node} {m.what}: expected {m.expected}, got {m.actual}")
            if m.explanation:
                lines.append(f"        ({m.explanation})")
        return "\n".join(lines)


def load_tests(path: str | Path, doc: Document | None = None) -> tuple[TestFile, Document]:
    """Read (unless ``doc`` is the file already read) and validate a `kind: tests` file."""
    if doc is None:
        doc, problems = read_file(path)
        if problems:
            raise DefinitionError(problems)
    return load_model(TestFile, doc), doc


def _definition_for(ref: str, test_path: Path) -> Definition:
    from .registry import load

    candidate = test_path.parent / ref
    if ref.endswith((".yaml", ".yml")) and candidate.exists():
        return load(candidate)
    return load(ref)


def run_case(
    definition: Definition,
    case: TestCase,
    file: str,
    line: int | None,
    locate: Callable[[str], Location] | None = None,
) -> CaseOutcome:
    """Score one case and compare every expectation exactly (Decimal equality, no tolerance).

    ``locate(input name)`` places a refused value in the tests file.
    """
    from .evaluate import score
    from .inputs import UnitInputs, parse_values

    outcome = CaseOutcome(file, case.name, line)
    if definition.scoring == "targets":
        return _run_targets_case(definition, case, outcome)
    values, problems = parse_values(case.values, definition.inputs, locate=locate)
    result = score(definition, UnitInputs(case.name, None, case.year, values, problems))
    outcome.problems.extend(p for p in result.problems if p.severity == "error")
    _compare(outcome, "points", case.expect.points, result.node, "points", "no such node")
    _compare(outcome, "status", case.expect.status, result.node, "status", "no such node")
    if case.expect.total is not None and result.points != case.expect.total:
        outcome.mismatches.append(Mismatch("total", "points", plain(case.expect.total), plain(result.points)))
    return outcome


def _compare(
    outcome: CaseOutcome,
    what: str,
    expected: Mapping[str, Any],
    lookup: Callable[[str], Any],
    attr: str,
    missing: str,
) -> None:
    """Each expected value against the result's ``attr`` of that node, exactly."""

    def text(value: Any) -> str:
        return plain(value) if isinstance(value, Decimal) else str(value)

    for node_id, want in expected.items():
        try:
            got = lookup(node_id)
        except KeyError:
            outcome.mismatches.append(Mismatch(node_id, what, text(want), missing))
            continue
        value = getattr(got, attr)
        if value != want:
            outcome.mismatches.append(Mismatch(node_id, what, text(want), text(value), got.explanation))


def _run_targets_case(definition: Definition, case: TestCase, outcome: CaseOutcome) -> CaseOutcome:
    from .inputs import parse_values
    from .targets import evaluate_year

    if case.year is None:
        outcome.mismatches.append(Mismatch("year", "year", "a year", "none"))
        return outcome
    values, problems = parse_values(case.values, definition.inputs)
    outcome.problems.extend(problems)
    result = evaluate_year(definition, case.year, values)
    _compare(outcome, "target", case.expect.targets, result.outcome, "status", "no such criterion")
    if case.expect.completed is not None and result.completed != case.expect.completed:
        outcome.mismatches.append(
            Mismatch("year", "completed", str(case.expect.completed), str(result.completed))
        )
    return outcome


def run_file(path: str | Path) -> list[CaseOutcome]:
    """Run every case of a tests file."""
    path = Path(path)
    tests, doc = load_tests(path)
    definition = _definition_for(tests.definition, path)
    outcomes = []
    for index, case in enumerate(tests.cases):
        line = doc.location(("cases", index)).line

        def locate(name: str, index: int = index) -> Location:
            return doc.location(("cases", index, "values", name))

        outcomes.append(run_case(definition, case, str(path), line, locate))
    return outcomes


def collect(paths: list[str | Path]) -> list[Path]:
    """Test files under the given files or folders (`kind: tests` YAML files)."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for candidate in sorted(p.rglob("*.y*ml")):
                if _is_tests(candidate):
                    found.append(candidate)
        else:
            found.append(p)
    return found


def _is_tests(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return any(line.strip() == "kind: tests" for line in head.splitlines())
