"""Rule tests as data: run a `kind: tests` file and say, exactly, what differs and why.

A failing expectation carries a trace: the rule of the criterion (as encoded), every input it read
(as parsed, or "not reported"), the expected and actual points or status, and the evaluator's
one-sentence explanation. Used by `cds-index test` and by the pytest plugin
(:mod:`cds_index.pytest_plugin`).
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import DefinitionError, Location, Problem
from .formats.model import Definition, TestCase, TestFile
from .i18n import T, choose_language, render
from .numbers import plain
from .read.literals import unaccented
from .read.loader import Document, load_model, read_file


@dataclass(frozen=True)
class Mismatch:
    node: str
    what: str
    expected: str
    actual: str
    explanation: str = ""
    rule: str = ""
    """The criterion's rule as encoded, in one line (``ratio: input=…, per=…, target=0.8; 5 points``)."""
    read: tuple[tuple[str, str], ...] = ()
    """Each input the criterion read and its value as parsed (``not reported`` when absent)."""

    def headline(self, lang: str | None = None) -> str:
        """``CQS.1 points: expected 5, got 3``, in ``lang`` (the texts are messages, rendered here)."""
        return render(
            T(
                "{node} {what}: expected {expected}, got {actual}",
                node=self.node,
                what=self.what,
                expected=self.expected,
                actual=self.actual,
            ),
            lang,
        )


@dataclass
class CaseOutcome:
    file: str
    name: str
    line: int | None
    mismatches: list[Mismatch] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.mismatches and not self.problems

    def describe(self, lang: str | None = None) -> str:
        """The case's failure for a person, in ``lang``: each problem, each value expected and got."""
        lines = [f"{self.file}:{self.line or 1}: {self.name}"]
        for p in self.problems:
            lines.append(f"    {p.format(lang)}")
        for m in self.mismatches:
            lines.append("    " + m.headline(lang))
            if m.explanation:
                lines.append(f"        ({render(m.explanation, lang)})")
            if m.rule:
                lines.append("        " + render(T("rule: {rule}", rule=m.rule), lang))
            for name, value in m.read:
                lines.append("        " + render(T("read: {name} = {value}", name=name, value=value), lang))
        return "\n".join(lines)


def load_tests(path: str | Path, doc: Document | None = None) -> tuple[TestFile, Document]:
    """Read (unless ``doc`` is the file already read) and validate a `kind: tests` file."""
    if doc is None:
        doc, problems = read_file(path)
        if problems:
            raise DefinitionError(problems)
    return load_model(TestFile, doc), doc


# --- the trace --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as a message: a number by the reader's locale, yes/no in their words, else its text."""
    if isinstance(value, Decimal | bool):
        return T("{value}", value=value)
    return str(value)


def _value_text(values: Mapping[str, Any], name: str) -> str:
    """An input as the evaluator saw it: the value, n/a, or not reported; self/appraised and date."""
    value = values.get(name)
    if value is None or not value.reported:
        return T("not reported")
    if value.not_applicable:
        return T("n/a ({reason})", reason=value.reason) if value.reason else T("n/a")
    text: str = _text(value.value)
    if value.has_appraisal:
        text = T(
            "{value} (self {self}, appraised {appraised})",
            value=text,
            self=_text(value.self_value),
            appraised=_text(value.appraised),
        )
    if value.date is not None:
        text = T("{value}, dated {date}", value=text, date=value.date)
    return text


def _target_text(target: Any) -> str:
    if getattr(target, "at_least", None) is not None:
        return T("≥ {value}", value=target.at_least)
    if getattr(target, "one_of", None) is not None:
        joined: str = target.one_of[0]
        for state in target.one_of[1:]:
            joined = T("{first} or {then}", first=joined, then=state)
        return joined
    return str(target)  # "*": no target that year


_RULE_NOISE = {"kind", "text", "assumed", "enforce_deadline", "alternatives"}  # readings not chosen (#15)


def rule_text(definition: Definition, node_id: str) -> str:
    """One line for a node's rule as encoded (children's sum for a parent, targets for a target)."""
    node = definition.nodes().get(node_id)
    if node is None:
        return ""
    points = T("; {points} points", points=node.points) if node.points is not None else ""
    if node.children:
        return T("sum of {children}{points}", children=", ".join(c.id for c in node.children), points=points)
    if node.targets is not None:
        years: str = ""
        for year, target in sorted(node.targets.years.items()):
            one = T("{year}: {target}", year=str(year), target=_target_text(target))
            years = one if not years else T("{first}, {then}", first=years, then=one)
        return T("targets on {input}: {years}", input=node.targets.input, years=years)
    if node.rule is None:
        return ""
    data = node.rule.model_dump(by_alias=True, exclude_none=True)
    fields = ", ".join(
        [f"kind: {node.rule.kind}"] + [f"{k}: {_flow(v)}" for k, v in data.items() if k not in _RULE_NOISE]
    )
    # the rule as written, code: its keys and values as the author types them in YAML
    return T("{rule}{points}", rule=f"`{{{fields}}}`", points=points)


def _flow(value: Any) -> str:
    """A rule's value in YAML's flow style, as an author writes it: ``[{min: 80, points: 2}]``, not
    Python's ``[{'min': Decimal('80'), 'points': Decimal('2')}]``; a text YAML would read otherwise
    (``1.10``, a day and month; ``> 2%``; ``yes``) quoted."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal | int):
        return plain(Decimal(value))
    text = str(getattr(value, "value", value))  # a text, an enum's value, a date
    special = text[:1] in _YAML_INDICATORS or _NUMERAL.match(text) or any(c in text for c in ",:[]{}#\"'")
    return text if text and text == text.strip() and not special else json.dumps(text, ensure_ascii=False)


_YAML_INDICATORS = set("!&*>|%@`-?=~")
_NUMERAL = re.compile(r"[-+.]?[0-9]|(?i:true|false|yes|no|on|off|null|~)$")
"""A text YAML would read as a number, a boolean or null (``1.10``, a day and month, is 1.1)."""
"""What a plain YAML scalar cannot start with (or would read otherwise): such a text is quoted."""


def _trace(definition: Definition, values: Mapping[str, Any], node_id: str, inputs: Iterable[str]) -> Any:
    return {
        "rule": rule_text(definition, node_id),
        "read": tuple((name, _value_text(values, name)) for name in dict.fromkeys(inputs)),
    }


# --- running ----------------------------------------------------------------------------------


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
    from .engine.evaluate import score
    from .read.inputs import UnitInputs, parse_values

    started = time.perf_counter()
    outcome = CaseOutcome(file, case.name, line)
    if definition.scoring == "targets":
        _run_targets_case(definition, case, outcome, locate)
    else:
        values, problems = parse_values(
            case.values, definition.inputs, locate=locate, number_format=definition.number_format
        )
        unit = UnitInputs(case.name, None, case.year, values, problems, None, definition.inputs)
        result = score(definition, unit, peers=case.peers, lang=choose_language())
        outcome.problems.extend(p for p in result.problems if p.severity == "error")

        def trace(node: Any) -> Any:
            return _trace(definition, values, node.id, node.inputs)

        _compare(outcome, T("points"), case.expect.points, result.node, "points", T("no such node"), trace)
        _compare(outcome, T("status"), case.expect.status, result.node, "status", T("no such node"), trace)
        if case.expect.total is not None and result.points != case.expect.total:
            earned: str = ""
            for c in [c for c in result.criteria() if c.points > 0][:12]:
                one = T("{id} {points}", id=c.id, points=c.points)
                earned = one if not earned else T("{first}, {then}", first=earned, then=one)
            count = sum(c.points > 0 for c in result.criteria())
            if count > 12:
                earned = T("{names} and {count} more", names=earned, count=count - 12)
            outcome.mismatches.append(
                Mismatch(
                    "total",
                    T("points"),
                    _text(case.expect.total),
                    _text(result.points),
                    T(
                        "{points}/{max}; earned by {criteria}",
                        points=result.points,
                        max=result.max,
                        criteria=earned or T("no criterion"),
                    ),
                )
            )
    outcome.seconds = time.perf_counter() - started
    return outcome


def _compare(
    outcome: CaseOutcome,
    what: str,
    expected: Mapping[str, Any],
    lookup: Callable[[str], Any],
    attr: str,
    missing: str,
    trace: Callable[[Any], Any],
) -> None:
    """Each expected value against the result's ``attr`` of that node, exactly."""
    for node_id, want in expected.items():
        try:
            got = lookup(node_id)
        except KeyError:
            outcome.mismatches.append(Mismatch(node_id, what, _text(want), missing))
            continue
        value = getattr(got, attr)
        if value != want:
            outcome.mismatches.append(
                Mismatch(node_id, what, _text(want), _text(value), got.explanation, **trace(got))
            )


def _run_targets_case(
    definition: Definition, case: TestCase, outcome: CaseOutcome, locate: Callable[[str], Location] | None
) -> None:
    from .engine.targets import evaluate_year
    from .read.inputs import parse_values

    if case.year is None:
        outcome.mismatches.append(Mismatch("year", T("year"), T("a year"), T("none")))
        return
    values, problems = parse_values(
        case.values, definition.inputs, locate=locate, number_format=definition.number_format
    )
    outcome.problems.extend(problems)
    result = evaluate_year(definition, case.year, values, lang=choose_language())

    def trace(o: Any) -> Any:
        return _trace(definition, values, o.id, [o.input])

    _compare(
        outcome, T("target"), case.expect.targets, result.outcome, "status", T("no such criterion"), trace
    )
    if case.expect.completed is not None and result.completed != case.expect.completed:
        unmet = ", ".join(o.id for o in result.criteria if o.status in ("unmet", "not_reported", "invalid"))
        outcome.mismatches.append(
            Mismatch(
                "year",
                T("completed"),
                _text(case.expect.completed),
                _text(result.completed),
                T("unmet or not reported: {ids}", ids=unmet) if unmet else "",
            )
        )


@dataclass
class TestsRun:
    """A tests file read and its definition loaded, ready to run case by case."""

    __test__ = False  # not a pytest class
    path: Path
    tests: TestFile
    doc: Document
    definition: Definition

    @classmethod
    def open(cls, path: str | Path) -> TestsRun:
        """Read the file and load its definition; raises :class:`CdsIndexError` when either is wrong."""
        path = Path(path)
        tests, doc = load_tests(path)
        from .read.registry import load

        return cls(path, tests, doc, load(tests.definition, relative_to=path))

    def line(self, index: int) -> int | None:
        return self.doc.location(("cases", index)).line

    def run(self, index: int) -> CaseOutcome:
        def locate(name: str) -> Location:
            return self.doc.location(("cases", index, "values", name))

        case = self.tests.cases[index]
        return run_case(self.definition, case, str(self.path), self.line(index), locate)


def run_file(path: str | Path, *, select: Callable[[str], bool] | None = None) -> list[CaseOutcome]:
    """Run every case of a tests file (or those whose name ``select`` accepts)."""
    run = TestsRun.open(path)
    return [
        run.run(index) for index, case in enumerate(run.tests.cases) if select is None or select(case.name)
    ]


def fold(text: str) -> str:
    """Text as a name filter compares it: NFC, case-folded, and without Vietnamese marks (`ty le`)."""
    return unaccented(unicodedata.normalize("NFC", text).casefold())


def name_filter(patterns: Sequence[str]) -> Callable[[str], bool] | None:
    """``-k`` patterns → a filter: a case runs when its name contains any pattern (marks ignored)."""
    if not patterns:
        return None
    folded = [fold(p) for p in patterns]
    return lambda name: any(p in fold(name) for p in folded)


def collect(paths: Sequence[str | Path]) -> list[Path]:
    """Test files under the given files or folders (`kind: tests` YAML files)."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for candidate in sorted(p.rglob("*.y*ml")):
                if is_tests_file(candidate):
                    found.append(candidate)
        else:
            found.append(p)
    return found


def is_tests_file(path: Path) -> bool:
    """Whether a YAML file declares `kind: tests` (a top-level line in its first 4 KiB)."""
    from .read.loader import open_input

    handle, _ = open_input(path)  # a FIFO or a device named *.yaml is not opened (it would hang)
    if handle is None:
        return False
    with handle:
        try:
            head = handle.read(4096).decode("utf-8", errors="replace")
        except OSError:
            return False
    return any(
        line.split("#", 1)[0].strip() in ("kind: tests", "kind: 'tests'", 'kind: "tests"')
        and not line.startswith((" ", "\t"))
        for line in head.splitlines()
    )


# --- JUnit XML --------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold, even escaped (a case named "a\vb" in YAML): written as U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def write_junit(
    outcomes: Sequence[CaseOutcome],
    errors: Sequence[tuple[str, str]],
    path: str | Path,
    *,
    lang: str | None = None,
) -> None:
    """A JUnit XML report (as CI dashboards read it): one testcase per case, a failure per mismatch,
    its messages in ``lang``.

    ``errors`` are ``(file, message)`` for tests files that could not be read or run.
    """
    import xml.etree.ElementTree as ET

    failures = sum(not o.passed for o in outcomes)
    suite = ET.Element(
        "testsuite",
        name="cds-index",
        tests=str(len(outcomes) + len(errors)),
        failures=str(failures),
        errors=str(len(errors)),
        skipped="0",
        time=f"{sum(o.seconds for o in outcomes):.3f}",
    )
    for o in outcomes:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml(Path(o.file).with_suffix("").as_posix().replace("/", ".")),
            name=_xml(o.name),
            file=_xml(o.file),
            line=str(o.line or 1),
            time=f"{o.seconds:.3f}",
        )
        if not o.passed:
            first = o.mismatches[0] if o.mismatches else None
            message = first.headline(lang) if first is not None else render(o.problems[0].message, lang)
            failure = ET.SubElement(case, "failure", message=_xml(message), type="mismatch")
            failure.text = _xml(o.describe(lang))
    for file, message in errors:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml(Path(file).with_suffix("").as_posix().replace("/", ".")),
            name=render(T("(unreadable)"), lang),
            file=_xml(file),
            time="0",
        )
        headline = message.splitlines()[0] if message else ""
        error = ET.SubElement(case, "error", message=_xml(headline), type="invalid")
        error.text = _xml(message)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
