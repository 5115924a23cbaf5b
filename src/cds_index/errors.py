"""Errors, their stable codes, and where in a file they point."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

CLOSE_CUTOFF = 0.7
"""How alike a misspelt name must be to a known one (difflib's ratio) for "did you mean" to name it."""


def close_match(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to ``name`` (never ``name`` itself), if one is close enough: the one
    "did you mean" of the package (#11), for keys, inputs, node ids, definition ids and formula names."""
    import difflib

    others = sorted({str(k) for k in known} - {name})
    close = difflib.get_close_matches(name, others, n=1, cutoff=CLOSE_CUTOFF)
    return close[0] if close else None


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """``"did you mean 'staff_total'?"`` for a close known name, else ``None`` (a Problem's hint)."""
    close = close_match(name, known)
    return f"did you mean {close!r}?" if close else None


Severity = Literal["error", "warning", "info"]

# Stable error codes, designed for programmatic use: they change rarely or never.
# Each maps to a one-line description used by docs and `cds-index check --format json`.
CODES: dict[str, str] = {
    # reading files
    "file-not-found": "the file or bundled definition does not exist",
    "file-too-large": "the document is larger than the loader accepts",
    "yaml-syntax": "the file is not valid YAML",
    "yaml-duplicate-key": "a mapping has the same key twice",
    "yaml-alias-limit": "anchors and aliases expand to more nodes than the loader accepts",
    "yaml-tag": "a YAML tag that the loader does not construct",
    "kind-unknown": "the document's `kind:` is missing or not one cds_index knows",
    # reading files and tables (#9)
    "file-special": "a device, pipe, socket or folder given where a file is read",
    "file-unreadable": "a file that exists but cannot be read (permissions, I/O error)",
    "file-encoding": "a file or row that is not UTF-8 (or UTF-16 with a BOM), e.g. Windows-1258",
    "table-header": "a table's header row is missing, has no unit id column, or cannot be split",
    "table-row": "a table row that cannot be split into its cells (quote, cell count, length)",
    # shape of a definition (pydantic)
    "unknown-key": "a key that the format does not have",
    "missing-key": "a required key is missing",
    "wrong-type": "a value of the wrong type",
    "invalid-value": "a value outside what the format allows",
    # meaning of a definition (validator)
    "duplicate-id": "two nodes have the same id",
    "points-mismatch": "a parent's points differ from the sum of its children",
    "total-mismatch": "the stated total differs from the sum of the pillars",
    "known-discrepancy": "an inconsistency of the printed decision, recorded in the errata",
    "errata-mismatch": "an errata entry does not describe what the definition actually holds",
    "errata-unknown-node": "an errata entry names a node that does not exist",
    "leaf-without-rule": "a criterion has neither children nor a rule",
    "index-weights": "the index's pillar weights do not name each pillar exactly once",
    "ranking-measure": "`ranking.by` or `ranking.tie_break` names a measure the definition does not have",
    "node-rule-and-children": "a node has both children and a rule",
    "unknown-input": "a rule names an input the definition does not declare",
    "input-type-mismatch": "a rule uses an input of a type it cannot measure",
    "unit-unknown": "a unit that the unit registry does not know",
    "unit-incompatible": "units that cannot be compared or divided as the rule needs",
    "step-gap": "step thresholds leave values that no step covers",
    "step-overlap": "step thresholds cover some values twice",
    "scale-mismatch": "a bound, target or range on the wrong scale (0.5 on a 0–100 percent input)",
    "formula-range": "a formula's value, over its inputs' declared ranges, can leave 0 … the points",
    "score-clamped": "a rule's value was outside 0 … the criterion's points and was limited to it (warning)",
    "rule-points": "a rule's points exceed the criterion's points",
    # rule kinds of issue #13: deductions, bonuses, decision tables
    "table-gap": "a decision table leaves a combination of its inputs' values that no row covers",
    "table-overlap": "two rows of a `unique` table (or of an `any` table, with different awards) overlap",
    "table-unreachable": "a decision table row no allowed value reaches (or, `first`, earlier rows hide)",
    "table-too-complex": "a decision table with too many combinations of its inputs' ranges to check",
    "deduction-floor": "deductions would take a group below 0 points; it stops at 0 (reported, never silent)",
    "formula-syntax": "a formula is not a valid expression",
    "formula-name": "a formula names something that is not a declared input",
    "formula-forbidden": "a formula uses an operation or function that is not allowed",
    "unused-input": "an input is declared but no rule uses it",
    "target-year": "a yearly target is outside the definition's years or names an invalid state",
    "overlay-unknown-node": "an overlay names a criterion the definition does not have",
    "overlay-unassigned": "a criterion of the definition has no assignment in the overlay",
    "overlay-definition": "an overlay applied to a definition other than the one it names",
    # rearrangements: units that merge, and definitions whose period ends (issue 16)
    "rearrangement-duplicate": "a rearrangement lists the same new unit twice",
    "rearrangement-overused": "an old unit is used beyond 100 % (its shares add up to more than 1)",
    "rearrangement-unknown-unit": "a rearrangement names an old unit that the units given do not have",
    "rearrangement-date": "a new unit took effect outside the period of a definition it is rolled up with",
    "rollup-not-additive": "an input cannot be combined across units, so the criteria reading it are refused",
    "rollup-weight": "a weighted roll-up has no usable weight for an old unit",
    "rollup-years": "the old units of a new unit were assessed in different years",
    "year-outside-period": "the year scored is not in the definition's period (warning)",
    # inputs of a unit
    "input-unknown": "an inputs file gives a value for an input the definition does not declare",
    "input-type": "an input value of the wrong type",
    "input-range": "an input value outside its allowed range",
    "input-choice": "an input value that is not one of the allowed choices",
    "input-ambiguous": "a number with two readings (1.000: one thousand or one) and no declared format (#9)",
    "input-definition": "an inputs file is for another definition",
    "formula-eval": "a formula could not be evaluated for this unit",
    # Excel workbooks (issue #9)
    "excel-corrupt": "a workbook (or a sheet or cell in it) is damaged or not an .xlsx file at all",
    "excel-formula-no-value": "a formula cell has no stored result, so its value is unknown",
    "excel-cell-error": "a cell holds an Excel error value (#DIV/0!, #N/A, #VALUE!, ...)",
    "excel-text-too-long": "a cell holds more text than Excel allows (32,767 characters)",
    "excel-stray-cell": "a value outside the table: in a column without a header or beyond the form",
    # use of the command line and the library
    "definition-not-found": "no bundled definition has that id",
    "usage": "the command was called wrongly",
    "internal": "a bug in cds_index",
    # issue #9: formulas that could not be evaluated safely, outputs, the HTTP API
    "formula-too-complex": "a formula is longer, larger or more deeply nested than a formula may be",
    "output-path": "an output file whose folder does not exist, or a folder where a file is meant",
    "io-error": "the operating system refused to read or write a file (permission, disk full, …)",
    "request-json": "an HTTP request body that is not strict JSON (no NaN or Infinity, UTF-8)",
    "request-too-large": "an HTTP request body larger than the server accepts",
    # constraints between inputs (issue #10, issue #9 item 3)
    "input-constraint": "a value exceeds the input it is part of (handled > found, trained > staff)",
    "input-date-missing": "a value that must be dated to count (a quarterly meeting) has no date",
    # criteria scored by rank among the units assessed together (issue #13)
    "rank-needs-batch": "a rank criterion scored for one unit alone: pending, until the batch or the "
    "peers' values are given (warning)",
    "rank-peers-mismatch": "a unit's value differs from the one the batch was ranked by (a file changed "
    "while read, or peers' values of other data)",
    # p3-hostile2 (issues #9, #14): a title that would print wrong
    "title-text": "a title with control characters (tab, newline, bidi or zero-width) or with no text",
}


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

    def format(self) -> str:
        """One line for a terminal: ``file:line:col: error[code] message (at node)``."""
        where = f" (at {self.node[-1]})" if self.node else ""
        first, _, rest = self.message.partition("\n")  # a formula's marker lines follow the first line
        text = f"{self.location}: {self.severity}[{self.code}] {first}{where}" + (f"\n{rest}" if rest else "")
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": list(self.location.path),
            "node": list(self.node),
            "hint": self.hint,
        }


class CdsIndexError(Exception):
    """The root of every error cds_index raises on purpose."""

    def __init__(self, problems: Sequence[Problem] | Problem | str, code: str = "internal") -> None:
        if isinstance(problems, str):
            problems = [Problem(code, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))

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
