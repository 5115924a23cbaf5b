"""Yearly targets (``scoring: targets``, Thanh Hóa 1829) as records per criterion and year.

The targets are scored by the one walk of :mod:`cds_index.engine.evaluate`, as the rule kind
``targets`` (:mod:`cds_index.rules.targets`: met is 1 of 1, not met 0 of 1, no target 0 of 0), with
the same reading of values, the same problems, the same trace and explanations as every other
definition: ``cds_index.score(definition, values, year=2024)`` is that walk's result. This module
reads it as the records the command line, the API and the gap report show: met or not per
criterion and year (:func:`evaluate_year`), what must improve (:func:`gaps`), every year side by
side (:func:`evaluate_years`).

Values are keyed by input name and read by the one reader of inputs
(:func:`~cds_index.read.inputs.parse_values`): ``Decimal``, ``int``, ``"80"``, ``"80%"``, a state
(``"Có"``), ``"n/a"`` or :data:`NOT_APPLICABLE` (not applicable: the criterion is excluded), ``None``
or absent (not reported); an unknown input name is ``input-unknown``. Values already parsed
(``inputs.Value``) are accepted too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from ..errors import InputError, Location, Problem, UsageError
from ..formats.model import Definition, Node
from ..i18n import T
from ..numbers import Lang, exactly
from ..read.inputs import kind_of
from ..read.literals import NumberFormat
from ..rules.targets import STATUS_LABELS, STATUSES, Status, TargetValue, gap_text, year_target
from .evaluate import NodeResult, Result, assessed_years, check_year, compiled, score

if TYPE_CHECKING:
    from ..read.inputs import UnitInputs

__all__ = [
    "NOT_APPLICABLE",
    "STATUSES",
    "STATUS_LABELS",
    "CriterionOutcome",
    "CriterionTrack",
    "Gap",
    "GroupCounts",
    "MultiYearView",
    "Status",
    "TargetValue",
    "YearCell",
    "YearResult",
    "check_target_year",
    "evaluate_year",
    "evaluate_years",
    "gaps",
    "next_year_of",
    "read_values",
]


class NotApplicable:
    """The type of :data:`NOT_APPLICABLE`; there is only one instance."""

    _instance: NotApplicable | None = None

    def __new__(cls) -> NotApplicable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"

    def __reduce__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE: Final = NotApplicable()
"""A value meaning "this does not apply to the unit" (an inputs file's ``n/a``)."""

Measured = Decimal | str
"""A parsed value: a number or a state."""


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CriterionOutcome:
    """One criterion in one year.

    ``target`` is the number to reach (``Decimal``), the acceptable states (``tuple[str, ...]``), or
    ``None`` when the year has no target (``*``). ``printed`` is the target cell as printed.
    ``shortfall`` is how much a number falls short of its target (``unmet`` numbers only).
    """

    id: str
    title: str
    group: str
    input: str
    year: int
    status: Status
    value: Measured | None
    target: TargetValue | None
    printed: str | None
    shortfall: Decimal | None
    explanation: str


@dataclass(frozen=True, slots=True)
class GroupCounts:
    """How many criteria of one group (``1`` Chính quyền số, …) have each status in a year."""

    id: str
    title: str
    met: int = 0
    unmet: int = 0
    no_target: int = 0
    not_applicable: int = 0
    not_reported: int = 0
    invalid: int = 0
    """Criteria whose value was refused (counted as not met)."""

    @property
    def total(self) -> int:
        return self.met + self.unmet + self.no_target + self.not_applicable + self.not_reported + self.invalid

    @property
    def with_target(self) -> int:
        """Criteria that have a target this year and apply to the unit."""
        return self.met + self.unmet + self.not_reported + self.invalid

    @property
    def completed(self) -> bool:
        """Every applicable target of the group is met."""
        return self.unmet == 0 and self.not_reported == 0 and self.invalid == 0


@dataclass(frozen=True, slots=True)
class YearResult:
    """One unit against one year's targets.

    ``completed`` is true when every criterion that has a target that year is met or not applicable:
    a criterion *not reported* counts as not met, a criterion *not applicable* is left out, and a
    criterion with no target (``*``) does not count. ``has_data`` is false when no value at all was
    given for the year (every targeted criterion is then ``not_reported``).
    """

    definition: str
    year: int
    criteria: tuple[CriterionOutcome, ...]
    groups: tuple[GroupCounts, ...]
    completed: bool
    has_data: bool

    def outcome(self, criterion_id: str) -> CriterionOutcome:
        for outcome in self.criteria:
            if outcome.id == criterion_id:
                return outcome
        raise KeyError(criterion_id)

    def with_status(self, *statuses: Status) -> tuple[CriterionOutcome, ...]:
        return tuple(o for o in self.criteria if o.status in statuses)

    @property
    def counts(self) -> GroupCounts:
        """The counts over all groups (``id`` and ``title`` empty)."""
        return _count("", "", self.criteria)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (Decimals as exact strings)."""
        return {
            "definition": self.definition,
            "year": self.year,
            "completed": self.completed,
            "has_data": self.has_data,
            "groups": [
                {
                    "id": g.id,
                    "title": g.title,
                    "met": g.met,
                    "unmet": g.unmet,
                    "no_target": g.no_target,
                    "not_applicable": g.not_applicable,
                    "not_reported": g.not_reported,
                    "invalid": g.invalid,
                    "completed": g.completed,
                }
                for g in self.groups
            ],
            "criteria": [_outcome_dict(o) for o in self.criteria],
        }


@dataclass(frozen=True, slots=True)
class Gap:
    """What must improve: a criterion whose value of ``year`` does not reach ``target_year``'s target.

    ``shortfall`` is the missing amount for a number target; ``None`` for a state target (the
    acceptable states are in ``target``) and for a value not reported.
    """

    id: str
    title: str
    group: str
    input: str
    year: int
    target_year: int
    value: Measured | None
    target: TargetValue
    printed: str | None
    shortfall: Decimal | None
    explanation: str


@dataclass(frozen=True, slots=True)
class YearCell:
    """One year of a criterion's track: the target, the value, the status."""

    year: int
    status: Status
    value: Measured | None
    target: TargetValue | None
    printed: str | None
    explanation: str


@dataclass(frozen=True, slots=True)
class CriterionTrack:
    """A criterion across the definition's years, and what it needs next (``next_gap``)."""

    id: str
    title: str
    group: str
    input: str
    cells: tuple[YearCell, ...]
    next_gap: Gap | None


@dataclass(frozen=True, slots=True)
class MultiYearView:
    """A unit across the definition's years.

    ``latest`` is the last year with data (``None`` if none has); ``next_year`` the year after it in
    the definition (``None`` when ``latest`` is the last year: the gaps are then those of ``latest``
    itself). ``gaps`` lists what must improve to reach ``next_year``'s targets.
    """

    definition: str
    years: tuple[int, ...]
    results: tuple[YearResult, ...]
    tracks: tuple[CriterionTrack, ...]
    latest: int | None
    next_year: int | None
    gaps: tuple[Gap, ...]

    def result(self, year: int) -> YearResult:
        for result in self.results:
            if result.year == year:
                return result
        raise KeyError(year)


# --- evaluation: the one walk, read as records ----------------------------------------------


@exactly
def evaluate_year(
    definition: Definition,
    year: int,
    values: Mapping[str, Any] | UnitInputs,
    *,
    lang: Lang = "vi",
    number_format: NumberFormat | None = None,
) -> YearResult:
    """Check one unit's values of ``year`` against that year's targets.

    ``values`` maps input names to values (see the module docstring), or is a unit already read
    (:func:`~cds_index.read.units_io.read_unit_years`): a unit that states another year than
    ``year`` is refused (``input-year``), each year having its own targets. A criterion is ``no_target``
    when the year's target is ``*`` (whatever the value), ``not_applicable`` when its value is not
    applicable, ``not_reported`` when its value is missing or ``None``, ``invalid`` when the unit's
    value was refused when read (its problem is the explanation; it counts as not met), and otherwise
    ``met`` or ``unmet``; a number target is inclusive (65 meets "65%").

    Raises :class:`UsageError` if the definition is not a targets definition or ``year`` is not one
    of its years, and :class:`InputError` (with every problem) if a value is refused by the reader
    of inputs, as :func:`~cds_index.engine.evaluate.score` refuses it.

    >>> from cds_index.read.loader import load_model
    >>> d = load_model(Definition, "definitions/thanh-hoa-1829-commune.yaml")
    >>> r = evaluate_year(d, 2022, {"online_dossiers_pct": Decimal(65)}, lang="en")
    >>> r.outcome("1.6").status, r.outcome("1.6").explanation
    ('met', 'met: 65% ≥ 65% (2022 target)')
    >>> r.completed  # every other criterion is not reported
    False
    """
    _check_definition(definition, year)
    read, refused = _of_year(definition, year, values, number_format)
    return _year_result(definition, year, _walk(definition, year, read, lang, refused), read)


def gaps(
    definition: Definition,
    year: int,
    values: Mapping[str, Any] | UnitInputs,
    *,
    target_year: int | None = None,
    lang: Lang = "vi",
    number_format: NumberFormat | None = None,
) -> tuple[Gap, ...]:
    """What must improve: the criteria whose values of ``year`` fall short of ``target_year``'s targets.

    ``target_year`` defaults to the year after ``year`` among the definition's years, or ``year``
    itself when it is the last. Criteria with no target in ``target_year`` (``*``) or not applicable
    are left out; a value not reported is a gap (it must be reported and reach the target).

    >>> from cds_index.read.loader import load_model
    >>> d = load_model(Definition, "definitions/thanh-hoa-1829-commune.yaml")
    >>> g = gaps(d, 2022, {"online_dossiers_pct": Decimal(65)}, lang="en")
    >>> [x.explanation for x in g if x.id == "1.6"]
    ['2023 target ≥ 70%: 65% in 2022, 5 percentage points short']
    """
    _check_definition(definition, year)
    read, refused = _of_year(definition, year, values, number_format)
    if target_year is None:
        target_year = next_year_of(definition, year) or year
    else:
        _check_definition(definition, target_year)
    return _gaps(definition, year, read, target_year, lang, refused)


def _gaps(
    definition: Definition,
    year: int,
    read: dict[str, Any],
    target_year: int,
    lang: Lang,
    refused: Sequence[Problem] = (),
) -> tuple[Gap, ...]:
    walked = _walk(definition, target_year, read, lang, refused)
    outcomes = _outcomes(definition, target_year, walked, read, explained=False)
    found: list[Gap] = []
    for outcome in outcomes:
        if outcome.status not in ("unmet", "not_reported", "invalid"):
            continue
        assert outcome.target is not None  # unmet/not_reported/invalid only where there is a target
        text = (
            outcome.explanation
            if outcome.status == "invalid"
            else gap_text(
                outcome.status,
                outcome.value,
                outcome.target,
                outcome.shortfall,
                _is_percent(definition, outcome.input),
                year,
                target_year,
                lang,
            )
        )
        found.append(
            Gap(
                outcome.id,
                outcome.title,
                outcome.group,
                outcome.input,
                year,
                target_year,
                outcome.value,
                outcome.target,
                outcome.printed,
                outcome.shortfall,
                text,
            )
        )
    return tuple(found)


@exactly
def evaluate_years(
    definition: Definition,
    values_by_year: Mapping[int, Mapping[str, Any] | UnitInputs],
    *,
    lang: Lang = "vi",
    number_format: NumberFormat | None = None,
) -> MultiYearView:
    """Check a unit across every year of the definition, and say what must improve next.

    Each year of ``definition.years`` is evaluated; a year missing from ``values_by_year`` is
    evaluated with no values (``has_data`` false) so its targets still show. The gaps are taken from
    the last year with data to the next year of the definition.

    Raises :class:`UsageError` if ``values_by_year`` names a year outside the definition's years.
    """
    _check_targets_definition(definition)
    if not isinstance(values_by_year, Mapping):
        raise UsageError(
            Problem(
                "usage",
                T(
                    "evaluate_years() takes the values of each year, e.g. {example}, got {type}",
                    example="{2024: {'online_dossiers_pct': 65}}",
                    type=kind_of(values_by_year),
                ),
            )
        )
    years = _years(definition)
    unknown = sorted(set(values_by_year) - set(years), key=str)
    if unknown:
        raise _not_its_year(definition, years, ", ".join(map(str, unknown)))
    problems: list[Problem] = []
    read: dict[int, dict[str, Any]] = {}
    refused: dict[int, list[Problem]] = {}
    for y, raw in values_by_year.items():
        try:
            read[y], refused[y] = _of_year(definition, y, raw, number_format)
        except InputError as exc:
            problems += [
                dataclasses.replace(p, message=T("{name}: {message}", name=str(y), message=p.message))
                for p in exc.problems
            ]
    if problems:
        raise InputError(problems)
    results = tuple(
        _year_result(
            definition, y, _walk(definition, y, read.get(y, {}), lang, refused.get(y, [])), read.get(y, {})
        )
        for y in years
    )
    with_data = [r.year for r in results if r.has_data]
    latest = with_data[-1] if with_data else None
    next_year = next_year_of(definition, latest) if latest is not None else None
    found = (
        _gaps(definition, latest, read.get(latest, {}), next_year or latest, lang, refused.get(latest, []))
        if latest is not None
        else ()
    )
    by_id = {g.id: g for g in found}
    tracks = []
    for first in results[0].criteria if results else ():
        cells = []
        for result in results:
            o = result.outcome(first.id)
            cells.append(YearCell(o.year, o.status, o.value, o.target, o.printed, o.explanation))
        tracks.append(
            CriterionTrack(first.id, first.title, first.group, first.input, tuple(cells), by_id.get(first.id))
        )
    return MultiYearView(definition.id, years, results, tuple(tracks), latest, next_year, found)


def read_values(
    definition: Definition, values: Mapping[str, Any], *, number_format: NumberFormat | None = None
) -> dict[str, Any]:
    """A unit's values of one year, read by the one reader of inputs (as :func:`score` reads them).

    Raw values (``"80"``, ``"80%"``, ``"n/a"``, ``0,5``, ``Decimal``) are parsed against the
    definition's inputs; values already parsed (``inputs.Value``, :data:`NOT_APPLICABLE`) are kept.
    Raises :class:`InputError` with every refused value, an unknown input name included.
    """
    from ..read.inputs import Value, parse_values

    if not isinstance(values, Mapping):
        raise InputError(
            Problem(
                "input-type",
                T("the values must be a mapping of input names to values, got {type}", type=kind_of(values)),
            )
        )
    parsed: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, Value) and isinstance(name, str) and name in definition.inputs:
            parsed[name] = value
        elif value is NOT_APPLICABLE:
            raw[name] = "n/a"
        else:
            raw[name] = value
    read, problems = parse_values(
        raw, definition.inputs, number_format=number_format or definition.number_format
    )
    if problems:
        raise InputError(problems)
    return {**parsed, **read}


def _of_year(
    definition: Definition, year: int, values: Any, number_format: NumberFormat | None
) -> tuple[dict[str, Any], list[Problem]]:
    """The values of ``year`` and the problems of its refused values: a mapping read by
    :func:`read_values` (which raises on a refused value), or a unit already read
    (:func:`~cds_index.read.units_io.read_unit_years`) whose year is ``year`` or not stated, whose
    refused values are shown as refused (``invalid``), as :func:`score` shows them. A unit of another
    year is refused (``input-year``), never checked against targets not its own (#11)."""
    from ..read.inputs import UnitInputs

    if not isinstance(values, UnitInputs):
        return read_values(definition, values, number_format=number_format), []
    if values.year is not None and values.year != year:
        from ..read.units_io import other_year

        where = Location(values.source, path=("year",))
        raise InputError(other_year(values.source, values.year, year, where))
    return dict(values.values), [p for p in values.problems if p.severity == "error"]


def check_target_year(definition: Definition, year: int) -> None:
    """A :class:`UsageError` unless ``definition`` has targets for ``year``: checked before a file is
    read, so a year the definition lacks is said as such, not as a year the file lacks."""
    _check_definition(definition, year)


def next_year_of(definition: Definition, year: int) -> int | None:
    """The definition's next year after ``year``, or ``None`` if ``year`` is its last."""
    later = [y for y in definition.years or () if y > year]
    return min(later) if later else None


# --- internals ------------------------------------------------------------------------------


def _walk(
    definition: Definition, year: int, values: dict[str, Any], lang: Lang, given: Sequence[Problem] = ()
) -> Result:
    """The one walk (:func:`~cds_index.engine.evaluate.score`) over values already read; ``given``,
    the problems of the values refused when read: the criteria reading them are ``invalid``."""
    from ..read.inputs import UnitInputs

    unit = UnitInputs("unit", None, year, values, list(given), None, definition.inputs)
    result = score(definition, unit, lang=lang)
    refused = tuple(p for p in result.problems[len(given) :] if p.severity == "error")
    if refused:  # a value breaking a constraint of the definition: refused, as score refuses it
        raise InputError(refused)
    return result


def _outcomes(
    definition: Definition, year: int, result: Result, values: Mapping[str, Any], *, explained: bool = True
) -> list[CriterionOutcome]:
    """Each criterion's result in the walk, as met, not met, no target, not applicable, not reported
    (``explained=False``: no explanation written, for the gaps, which write their own)."""
    criteria = iter([step[1] for step in compiled(definition, year).plan if not step[0]])
    found: list[CriterionOutcome] = []
    for pillar in result.pillars:
        for n in pillar.walk():
            if n.children:
                continue
            node = next(criteria)  # the plan has the criteria in the walk's order
            assert node.id == n.id
            found.append(_outcome(node, pillar.id, year, n, values, explained))
    return found


def _outcome(
    node: Node, group: str, year: int, n: NodeResult, values: Mapping[str, Any], explained: bool
) -> CriterionOutcome:
    targets = node.targets
    assert targets is not None  # a targets definition has targets on every criterion (checked)
    name = targets.input
    target = year_target(targets, year)
    printed = (targets.printed or {}).get(year)
    value: Measured | None = None
    shortfall: Decimal | None = None
    status: Status
    if n.status in ("not_applicable", "not_reported", "invalid"):
        status = n.status
    else:
        assert n.status == "scored" and not isinstance(n.trace, str), n.status  # refused values raise first
        status, value, shortfall = n.trace[4]
        if status == "no_target":  # the value is shown, though it does not count
            given = values.get(name)
            value = None if given is None or given.not_applicable else given.value
    return CriterionOutcome(
        node.id,
        node.title,
        group,
        name,
        year,
        status,
        value,
        target,
        printed,
        shortfall,
        n.explanation if explained or status == "invalid" else "",
    )


def _year_result(definition: Definition, year: int, result: Result, values: Mapping[str, Any]) -> YearResult:
    outcomes = _outcomes(definition, year, result, values)
    groups = tuple(
        _count(pillar.id, pillar.title, [o for o in outcomes if o.group == pillar.id])
        for pillar in result.pillars
    )
    completed = all(g.completed for g in groups)
    has_data = any(o.input in values or o.status == "invalid" for o in outcomes)
    return YearResult(definition.id, year, tuple(outcomes), groups, completed, has_data)


def _check_targets_definition(definition: object) -> None:
    """A targets definition, or a usage error that says what to pass (no AttributeError from inside)."""
    if not isinstance(definition, Definition):
        raise UsageError(
            Problem(
                "usage",
                T(
                    "{function} takes a definition, e.g. {example}",
                    function="evaluate_year()",
                    example="cds_index.load('thanh-hoa-1829-commune')",
                ),
            )
        )
    if not _years(definition):
        raise UsageError(
            Problem(
                "usage",
                T("{id} scores points, not yearly targets; use cds_index.score", id=definition.id),
            )
        )


def _check_definition(definition: Definition, year: int) -> None:
    _check_targets_definition(definition)
    check_year(year)  # a whole year 1900–2100 (None: not one of the definition's years, below)
    years = _years(definition)
    if year not in years:
        raise _not_its_year(definition, years, str(year))


def _years(definition: Definition) -> tuple[int, ...]:
    """The years the definition's yearly rules assess (``()``: a definition of points)."""
    return assessed_years(definition)


def _not_its_year(definition: Definition, years: Sequence[int], asked: str) -> UsageError:
    """The usage error of a year (or years, ``asked``) the definition has no targets for."""
    text = T(
        "{id} has targets for {years}, not for {year}", id=definition.id, years=_years_text(years), year=asked
    )
    return UsageError(Problem("usage", text))


def _years_text(years: Sequence[int]) -> str:
    return ", ".join(map(str, years)) or T("no year")


def _is_percent(definition: Definition, name: str) -> bool:
    spec = definition.inputs.get(name)
    return spec is not None and spec.unit == "percent"


def _count(group_id: str, title: str, outcomes: Sequence[CriterionOutcome]) -> GroupCounts:
    tally = dict.fromkeys(STATUSES, 0)
    for o in outcomes:
        tally[o.status] += 1
    return GroupCounts(group_id, title, **tally)


def _outcome_dict(o: CriterionOutcome) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, Decimal):
            return str(v)
        if isinstance(v, tuple):
            return list(v)
        return v

    return {
        "id": o.id,
        "title": o.title,
        "group": o.group,
        "input": o.input,
        "year": o.year,
        "status": o.status,
        "value": plain(o.value),
        "target": plain(o.target),
        "printed": o.printed,
        "shortfall": plain(o.shortfall),
        "explanation": o.explanation,
    }
