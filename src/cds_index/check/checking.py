"""`cds-index check`: validate any file the project reads, by its `kind:`, and summarise it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CdsIndexError, Location, Problem, UsageError, did_you_mean
from ..i18n import T, render
from ..read.loader import Document

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..formats.model import InputDef
    from ..read.inputs import Value


@dataclass
class FileReport:
    file: str
    kind: str | None
    id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def summary(self, lang: str | None = None) -> str:
        """One line per file: ``OK``/``FAIL``, the file, its kind and facts, the counts, in ``lang``
        (the status and the kind stay as they are: scripts and hooks read them)."""
        counts = {s: sum(p.severity == s for p in self.problems) for s in ("error", "warning", "info")}
        head = "OK  " if self.ok else "FAIL"  # a status for scripts and hooks, as error[code] is
        what = f"`{self.kind or '?'}` {self.id or ''}".strip()
        facts = "; ".join(f"{render(FACTS.get(k, k), lang)}: {v}" for k, v in self.facts.items())
        tail = T(
            " — {errors} error(s), {warnings} warning(s)", errors=counts["error"], warnings=counts["warning"]
        )
        if counts["info"]:
            tail = T("{tail}, {info} known discrepancy(ies)", tail=tail, info=counts["info"])
        extra = f": {facts}" if facts else ""
        return f"{head} {self.file} ({what}){extra}{render(tail, lang)}"

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The report as JSON, its messages in ``lang`` (:func:`cds_index.i18n.choose_language`)."""
        return {
            "file": self.file,
            "kind": self.kind,
            "id": self.id,
            "ok": self.ok,
            "facts": self.facts,
            "problems": [p.to_dict(lang) for p in self.problems],
        }


FACTS = {
    "total": T("total"),
    "achievable": T("achievable"),
    "criteria": T("criteria"),
    "definition": T("definition"),
    "cases": T("cases"),
    "applies_to": T("applies to"),
    "rows": T("rows"),
    "changes": T("changes"),
    "new units": T("new units"),
    "old units": T("old units"),
    "method": T("method"),
}
"""The words of a report's facts in its summary line (the keys stay as they are in JSON)."""


def check_file(path: str | Path) -> FileReport:
    """Check one file of any kind; never raises for bad input (a path that is not a path is a usage
    error)."""
    if not isinstance(path, str | Path) or not str(path).strip():
        raise UsageError(
            Problem(
                "usage",
                T("check_file() takes a file path, e.g. 'dinh-nghia.yaml', got {value}", value=repr(path)),
            )
        )
    from ..read.registry import read_document  # the registry's parse, shared with `load`

    path = Path(path)
    doc, problems = read_document(path)
    if problems:
        return FileReport(str(path), None, problems=problems)
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    checker = _CHECKERS.get(kind) if isinstance(kind, str) else None
    if checker is None:
        known = ", ".join(f"`{k}`" for k in sorted(_CHECKERS))
        return FileReport(
            str(path),
            None,
            problems=[
                Problem(
                    "kind-unknown",
                    T(
                        "`kind:` is {kind}; a cds_index file has `kind:` {known}",
                        kind=repr(kind),
                        known=known,
                    )
                    if kind is not None
                    else T("a cds_index file starts with `kind:` ({known})", known=known),
                    doc.location(("kind",)),
                )
            ],
        )
    report = FileReport(str(path), kind)
    try:
        checker(path, doc, report)
    except CdsIndexError as exc:
        # the definition it names not found (or not valid): at the key naming it, so that an editor and
        # a CI annotation place it, not as "cds-index: error" of no file (#11)
        key = _NAMES_DEFINITION.get(kind) if isinstance(kind, str) else None
        report.problems.extend(
            replace(p, location=doc.location((key,)))
            if key is not None and p.location.file is None and isinstance(doc.data.get(key), str)
            else p
            for p in exc.problems
        )
    return report


_NAMES_DEFINITION = {
    "inputs": "definition",
    "tests": "definition",
    "scenario": "definition",
    "overlay": "applies_to",
}
"""The key by which a file of each kind names the definition it is read with."""


def _definition(path: Path, doc: Document, report: FileReport) -> None:
    from ..numbers import plain
    from ..read.registry import check_versions, inspect_definition
    from .validate import achievable

    definition, problems = inspect_definition(path, doc)
    report.problems.extend(problems)
    if definition is None:
        return
    report.id = definition.id
    if isinstance(doc.data, dict) and isinstance(doc.data.get("extends"), str):
        report.facts["extends"] = doc.data["extends"]
    # the other versions of this id beside it: overlaps and gaps, reported at the later version (#13)
    report.problems.extend(check_versions(path, definition, doc))
    if definition.scoring == "points":
        pillars = " + ".join(plain(p.points) for p in definition.tree if p.points is not None)
        reach = sum((achievable(p) for p in definition.tree), Decimal(0))
        if definition.total is not None:
            report.facts["total"] = (
                f"{plain(definition.total)} = {pillars}" if pillars else plain(definition.total)
            )
        report.facts["achievable"] = plain(reach)
    report.facts["criteria"] = len(definition.criteria())


def _inputs(path: Path, doc: Document, report: FileReport) -> None:
    from ..read.inputs import read_inputs_file
    from ..read.registry import load
    from ..read.units_io import read_unit_years

    model, _, problems = read_inputs_file(path, doc)
    if model is None:
        report.problems.extend(problems)
        return
    report.id = model.unit.id
    definition = load(model.definition, relative_to=path)
    years, problems = read_unit_years(definition, path, doc=doc)
    report.problems.extend(problems)
    from ..engine.evaluate import score

    # #13: a rank criterion needs the batch; a group stopped at its floor; a value limited to the points
    scoring_codes = {
        "input-constraint",
        "input-date-missing",
        "rank-needs-batch",
        "deduction-floor",
        "score-clamped",
    }
    for year, unit in years.items():
        report.problems.extend(unit.problems)

        def locate(name: str, y: int = year) -> Location:
            return doc.location(("values", name) if model.values is not None else ("years", y, name))

        report.problems.extend(_percent_as_fraction(definition.inputs, unit.values, locate))
        if definition.scoring != "points":
            continue
        # what scoring refuses (a part above its whole, an undated meeting), at the value's line (#10)
        for p in score(definition, unit).problems[len(unit.problems) :]:
            if p.code not in scoring_codes:
                continue  # a year outside the definition's period is reported below, once
            if not p.location.path:
                report.problems.append(p)
                continue
            name = p.location.path[-1]
            where: tuple[str | int, ...] = (
                ("values", name) if model.values is not None else ("years", year, name)
            )
            report.problems.append(replace(p, location=doc.location(where)))
    if definition.scoring == "points":  # a year the definition does not assess (issue 16)
        from ..engine.evaluate import period_warnings

        for year in years:
            at = doc.location(("year",) if model.years is None else ("years", year), key=True)
            report.problems += [replace(p, location=at) for p in period_warnings(definition, year)]
    report.facts["definition"] = definition.id


def _percent_as_fraction(
    inputs: Mapping[str, InputDef], values: Mapping[str, Value], locate: Callable[[str], Location]
) -> list[Problem]:
    """A percentage input (0–100) given a share below 1 (`0.85`): read as 0.85 %, as declared, but
    most likely 85 % written as a fraction of 1, which would score nothing without a word."""
    from ..formats import units

    found = []
    for name, value in values.items():
        spec = inputs.get(name)
        number = value.value
        if spec is None or not isinstance(number, Decimal) or not 0 < number < 1:
            continue
        if units.scale(spec.unit) == "percent":
            found.append(
                Problem(
                    "scale-mismatch",
                    T(
                        "{name} is a percentage written 0–100, so {value} reads as {value} %; "
                        "if {percent} % is meant, write {percent}",
                        name=name,
                        value=number,  # in the reader's numbers, as the file is written (0,85)
                        percent=number * 100,
                    ),
                    locate(name),
                    severity="warning",
                )
            )
    return found


def _tests(path: Path, doc: Document, report: FileReport) -> None:
    from ..read.registry import load
    from ..testing import load_tests

    tests, _ = load_tests(path, doc)
    definition = load(tests.definition, relative_to=path)
    report.id = definition.id
    report.facts["cases"] = len(tests.cases)
    known = set(definition.nodes())
    from ..read.literals import fold

    first: dict[str, int] = {}  # a case's name as compared (NFC, case, spaces) → its index
    for index, case in enumerate(tests.cases):
        seen = first.setdefault(fold(case.name), index)
        if seen != index:  # a copied case not renamed: `-k`, the failures and JUnit cannot tell them apart
            report.problems.append(
                Problem(
                    "duplicate-id",
                    T(
                        "case {case} is named as the case at line {line}: give each case its own name",
                        case=repr(case.name),
                        line=str(doc.location(("cases", seen, "name")).line),
                    ),
                    doc.location(("cases", index, "name")),
                    severity="warning",
                )
            )
        for part in ("points", "status", "targets"):
            for node_id in getattr(case.expect, part):
                if node_id not in known:  # at the id itself, with the node meant (`I.9` for `I.1`)
                    report.problems.append(
                        Problem(
                            "invalid-value",
                            T(
                                "case {case} expects a node {node} that does not exist",
                                case=repr(case.name),
                                node=repr(node_id),
                            ),
                            doc.location(("cases", index, "expect", part, node_id), key=True),
                            hint=did_you_mean(node_id, known),
                        )
                    )
        from ..read.inputs import parse_values

        def locate(name: str, i: int = index) -> Location:
            return doc.location(("cases", i, "values", name))

        values, found = parse_values(
            case.values, definition.inputs, locate=locate, number_format=definition.number_format
        )
        report.problems.extend(found)
        report.problems.extend(_percent_as_fraction(definition.inputs, values, locate))


def _overlay(path: Path, doc: Document, report: FileReport) -> None:
    """Validate an overlay, load its definition, check one against the other."""
    from ..formats.overlay import Overlay, check_overlay
    from ..read.loader import validate_model
    from ..read.registry import load
    from .validate import erratum_note

    overlay, problems = validate_model(Overlay, doc)
    report.problems.extend(problems)
    if overlay is None:
        return
    report.id = overlay.id
    report.facts["applies_to"] = overlay.applies_to
    report.facts["rows"] = len(overlay.assignments or overlay.criteria or ())
    definition = load(overlay.applies_to, relative_to=path)
    report.problems.extend(check_overlay(overlay, definition, locate=doc.location))
    for index, erratum in enumerate(overlay.errata):  # each listed, with its kind (#10)
        report.problems.append(erratum_note(erratum, doc.location(("errata", index))))


def _scenario(path: Path, doc: Document, report: FileReport) -> None:
    """Apply the scenario to its definition and check the result like a definition (issue 6)."""
    from ..analyse.scenario import apply_changes, base_of, validate_scenario
    from ..numbers import plain

    scenario, problems = validate_scenario(doc)
    if scenario is None:
        report.problems.extend(problems)
        return
    report.id = scenario.id
    base = base_of(scenario, path)
    changed, problems = apply_changes(base, scenario, doc)
    report.problems.extend(problems)
    report.facts["definition"] = base.id
    report.facts["changes"] = len(scenario.changes)
    if changed is not None and base.total is not None and changed.total is not None:
        report.facts["total"] = f"{plain(base.total)} → {plain(changed.total)}"


def _rearrangement(path: Path, doc: Document, report: FileReport) -> None:
    from ..formats.rearrangement import check_rearrangement_file

    check_rearrangement_file(path, doc, report)


_CHECKERS = {
    "definition": _definition,
    "inputs": _inputs,
    "tests": _tests,
    "overlay": _overlay,
    "scenario": _scenario,
    "rearrangement": _rearrangement,
}

__all__ = ["FileReport", "Location", "check_file"]
