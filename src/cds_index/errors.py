"""Errors, their stable codes, and where in a file they point."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .i18n import Message, T, render, render_optional

CLOSE_CUTOFF = 0.7
"""How alike a misspelt name must be to a known one (difflib's ratio) for "did you mean" to name it."""


def close_match(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name`` (never ``name`` itself), if one is close enough: the one
    "did you mean" of the package (#11), for keys, inputs, node ids, definition ids and formula names."""
    import difflib

    others = sorted({str(k) for k in known} - {name})
    close = difflib.get_close_matches(name, others, n=1, cutoff=CLOSE_CUTOFF)
    return close[0] if close else None


def did_you_mean(name: str, known: Iterable[str]) -> Message | None:
    """``"did you mean 'staff_total'?"`` for a close known name, else ``None`` (a Problem's hint)."""
    close = close_match(name, known)
    return T("did you mean {name}?", name=repr(close)) if close else None


Severity = Literal["error", "warning", "info"]

# Stable error codes, designed for programmatic use: they change rarely or never.
# Each maps to a one-line description used by docs and `cds-index check --format json`, in English as
# the catalogue's msgid and translated by `code_title(code, lang)` (every code has both: tests/test_i18n.py).
CODES: dict[str, Message] = {
    # reading files
    "file-not-found": T("the file or bundled definition does not exist"),
    "file-too-large": T("the document is larger than the loader accepts"),
    "yaml-syntax": T("the file is not valid YAML"),
    "yaml-duplicate-key": T("a mapping has the same key twice"),
    "yaml-alias-limit": T("anchors and aliases expand to more nodes than the loader accepts"),
    "yaml-tag": T("a YAML tag that the loader does not construct"),
    "kind-unknown": T("the document's `kind:` is missing or not one cds_index knows"),
    # reading files and tables (#9)
    "file-special": T("a device, pipe, socket or folder given where a file is read"),
    "file-unreadable": T("a file that exists but cannot be read (permissions, I/O error)"),
    "file-encoding": T("a file or row that is not UTF-8 (or UTF-16 with a BOM), e.g. Windows-1258"),
    "table-header": T("a table's header row is missing, has no unit id column, or cannot be split"),
    "table-row": T("a table row that cannot be split into its cells (quote, cell count, length)"),
    # shape of a definition (pydantic)
    "unknown-key": T("a key that the format does not have"),
    "missing-key": T("a required key is missing"),
    "wrong-type": T("a value of the wrong type"),
    "invalid-value": T("a value outside what the format allows"),
    # meaning of a definition (validator)
    "duplicate-id": T("two nodes have the same id"),
    "points-mismatch": T("a parent's points differ from the sum of its children"),
    "total-mismatch": T("the stated total differs from the sum of the pillars"),
    "known-discrepancy": T("an inconsistency of the printed decision, recorded in the errata"),
    "errata-mismatch": T("an errata entry does not describe what the definition actually holds"),
    "errata-unknown-node": T("an errata entry names a node that does not exist"),
    "leaf-without-rule": T("a criterion has neither children nor a rule"),
    "index-weights": T("the index's pillar weights do not name each pillar exactly once"),
    "ranking-measure": T("`ranking.by` or `ranking.tie_break` names a measure the definition does not have"),
    "node-rule-and-children": T("a node has both children and a rule"),
    "unknown-input": T("a rule names an input the definition does not declare"),
    "input-type-mismatch": T("a rule uses an input of a type it cannot measure"),
    "unit-unknown": T("a unit that the unit registry does not know"),
    "unit-incompatible": T("units that cannot be compared or divided as the rule needs"),
    "step-gap": T("step thresholds leave values that no step covers"),
    "step-overlap": T("step thresholds cover some values twice"),
    "scale-mismatch": T("a bound, target or range on the wrong scale (0.5 on a 0–100 percent input)"),
    "formula-range": T("a formula's value, over its inputs' declared ranges, can leave 0 … the points"),
    "score-clamped": T(
        "a rule's value was outside 0 … the criterion's points and was limited to it (warning)"
    ),
    "rule-points": T("a rule's points exceed the criterion's points"),
    # rule kinds of issue #13: deductions, bonuses, decision tables
    "table-gap": T("a decision table leaves a combination of its inputs' values that no row covers"),
    "table-overlap": T("two rows of a `unique` table (or of an `any` table, with different awards) overlap"),
    "table-unreachable": T("a decision table row no allowed value reaches (or, `first`, earlier rows hide)"),
    "table-too-complex": T("a decision table with too many combinations of its inputs' ranges to check"),
    "deduction-floor": T(
        "deductions would take a group below 0 points; it stops at 0 (reported, never silent)"
    ),
    "formula-syntax": T("a formula is not a valid expression"),
    "formula-name": T("a formula names something that is not a declared input"),
    "formula-forbidden": T("a formula uses an operation or function that is not allowed"),
    "unused-input": T("an input is declared but no rule uses it"),
    "target-year": T("a yearly target is outside the definition's years or names an invalid state"),
    "overlay-unknown-node": T("an overlay names a criterion the definition does not have"),
    "overlay-unassigned": T("a criterion of the definition has no assignment in the overlay"),
    "overlay-definition": T("an overlay applied to a definition other than the one it names"),
    # rearrangements: units that merge, and definitions whose period ends (issue 16)
    "rearrangement-duplicate": T("a rearrangement lists the same new unit twice"),
    "rearrangement-overused": T("an old unit is used beyond 100 % (its shares add up to more than 1)"),
    "rearrangement-unknown-unit": T("a rearrangement names an old unit that the units given do not have"),
    "rearrangement-date": T("a new unit took effect outside the period of a definition it is rolled up with"),
    "rollup-not-additive": T(
        "an input cannot be combined across units, so the criteria reading it are refused"
    ),
    "rollup-weight": T("a weighted roll-up has no usable weight for an old unit"),
    "rollup-years": T("the old units of a new unit were assessed in different years"),
    "year-outside-period": T("the year scored is not in the definition's period (warning)"),
    # versions and amendments by date (issue 13)
    "extends-not-found": T("an amending version `extends:` a definition that cannot be found"),
    "extends-cycle": T("amending versions extend one another in a circle (or a version extends itself)"),
    "extends-depth": T("a chain of amending versions is longer than the loader follows"),
    "extends-invalid": T("the version an amending version extends has errors of its own"),
    "version-overlap": T("two versions of one definition are in force on the same day"),
    "version-gap": T("days between two versions of one definition that no version covers (warning)"),
    # inputs of a unit
    "input-unknown": T("an inputs file gives a value for an input the definition does not declare"),
    "input-type": T("an input value of the wrong type"),
    "input-range": T("an input value outside its allowed range"),
    "input-choice": T("an input value that is not one of the allowed choices"),
    "input-ambiguous": T(
        "a number with two readings (1.000: one thousand or one) and no declared format (#9)"
    ),
    "input-definition": T("an inputs file is for another definition"),
    "input-year": T(
        "the year asked is not the year an inputs file states: its values restated to it (warning), or "
        "a file of several years without that one"
    ),
    "formula-eval": T("a formula could not be evaluated for this unit"),
    # Excel workbooks (issue #9)
    "excel-corrupt": T("a workbook (or a sheet or cell in it) is damaged or not an .xlsx file at all"),
    "excel-formula-no-value": T("a formula cell has no stored result, so its value is unknown"),
    "excel-cell-error": T("a cell holds an Excel error value (#DIV/0!, #N/A, #VALUE!, ...)"),
    "excel-text-too-long": T("a cell holds more text than Excel allows (32,767 characters)"),
    "excel-stray-cell": T("a value outside the table: in a column without a header or beyond the form"),
    "merged-cells": T("merged cells over values read one by one (two units, two inputs): unmerge them"),
    # use of the command line and the library
    "definition-not-found": T("no bundled definition has that id"),
    "usage": T("the command was called wrongly"),
    "internal": T("a bug in cds_index"),
    # issue #9: formulas that could not be evaluated safely, outputs, the HTTP API
    "formula-too-complex": T("a formula is longer, larger or more deeply nested than a formula may be"),
    "output-path": T("an output file whose folder does not exist, or a folder where a file is meant"),
    "io-error": T("the operating system refused to read or write a file (permission, disk full, …)"),
    "request-json": T("an HTTP request body that is not strict JSON (no NaN or Infinity, UTF-8)"),
    "request-too-large": T("an HTTP request body larger than the server accepts"),
    # constraints between inputs (issue #10, issue #9 item 3)
    "input-constraint": T("a value exceeds the input it is part of (handled > found, trained > staff)"),
    "input-date-missing": T("a value that must be dated to count (a quarterly meeting) has no date"),
    # criteria scored by rank among the units assessed together (issue #13)
    "rank-needs-batch": T(
        "a rank criterion scored for one unit alone: pending, until the batch or the "
        "peers' values are given (warning)"
    ),
    "rank-peers-mismatch": T(
        "a unit's value differs from the one the batch was ranked by (a file changed "
        "while read, or peers' values of other data)"
    ),
    # p3-hostile2 (issues #9, #14): a title that would print wrong
    "title-text": T("a title with control characters (tab, newline, bidi or zero-width) or with no text"),
}


def code_title(code: str, lang: str | None = None) -> str:
    """The one-line description of a problem code in ``lang`` (the code itself stays language-free)."""
    return render(CODES[code], lang)


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is: a file, a 1-based line and column, and a path of keys into the document."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        if self.file is None and self.line is None:
            return "cds-index"  # not from a file: a call or a value given directly
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about a definition or an inputs file.

    ``node`` is the criterion path (``("CQS", "CQS.1", "CQS.1.1")``) where one applies.
    """

    code: str
    message: str
    location: Location = field(default_factory=Location)
    node: tuple[str, ...] = ()
    severity: Severity = "error"
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:  # a bug in us, caught by the tests
            raise ValueError(f"unregistered error code {self.code!r}")

    def format(self, lang: str | None = None) -> str:
        """One line for a terminal: ``file:line:col: error[code] message (at node)``, in ``lang``.

        The severity and code stay as they are in every language (editors and CI read them).
        """
        message = render(self.message, lang)
        where = render(T(" (at {node})", node=self.node[-1]), lang) if self.node else ""
        first, _, rest = message.partition("\n")  # a formula's marker lines follow the first line
        text = f"{self.location}: {self.severity}[{self.code}] {first}{where}" + (f"\n{rest}" if rest else "")
        if self.hint:
            text += "\n    " + render(T("hint: {hint}", hint=self.hint), lang)
        return text

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The problem as JSON, its message and hint in ``lang`` (code, positions and node as they are)."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": render(self.message, lang),
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": list(self.location.path),
            "node": list(self.node),
            "hint": render_optional(self.hint, lang),
        }


class CdsIndexError(Exception):
    """The root of every error cds_index raises on purpose."""

    def __init__(self, problems: Sequence[Problem] | Problem | str, code: str = "internal") -> None:
        if isinstance(problems, str):
            problems = [Problem(code, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.format("en") for p in self.problems))  # args: English

    def __str__(self) -> str:  # rendered when shown, in the reader's language, never at raise time
        return self.format()

    def format(self, lang: str | None = None) -> str:
        """Every problem, one :meth:`Problem.format` line each, in ``lang``."""
        return "\n".join(p.format(lang) for p in self.problems)

    @property
    def code(self) -> str:
        return self.problems[0].code if self.problems else "internal"

    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


class DefinitionError(CdsIndexError):
    """The definition (or overlay, scenario, test file) is wrong."""


class InputError(CdsIndexError):
    """The inputs of a unit are wrong."""


class UsageError(CdsIndexError):
    """A library or command-line call is wrong."""
