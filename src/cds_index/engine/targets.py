"""Yearly-target evaluation (``scoring: targets``, Thanh Hóa 1829): met or not, per criterion and year.

A targets definition gives each criterion one target per year: a number to reach (``at_least``,
inclusive), a set of acceptable states (``one_of``), or ``"*"`` (no target that year). A unit
*completes* a year when it meets every target of that year. Everything here is pure: the caller
passes already-parsed values and gets frozen records back.

Values are keyed by input name and are

- a :class:`~decimal.Decimal` (or ``int``) for ``number``/``integer`` inputs,
- a ``str`` for ``choice`` inputs (compared after NFC normalisation and case folding),
- ``None`` or absent: not reported,
- :data:`NOT_APPLICABLE`: not applicable (the criterion is excluded).

An object with ``not_applicable`` and ``value`` attributes (``inputs.Value``) is accepted too, so the
parsed values of an inputs file can be passed unchanged.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Literal

from ..errors import DefinitionError, InputError, Problem, UsageError
from ..formats.model import AtLeast, Definition, Node, OneOf
from ..numbers import Lang, show
from ..read.literals import NumberFormat

Status = Literal["met", "unmet", "no_target", "not_applicable", "not_reported"]
STATUSES: tuple[Status, ...] = ("met", "unmet", "no_target", "not_applicable", "not_reported")

STATUS_LABELS: Final[dict[Lang, dict[Status, str]]] = {
    "vi": {
        "met": "Đạt",
        "unmet": "Chưa đạt",
        "no_target": "Không có chỉ tiêu",
        "not_applicable": "Không áp dụng",
        "not_reported": "Chưa báo cáo",
    },
    "en": {
        "met": "met",
        "unmet": "not met",
        "no_target": "no target",
        "not_applicable": "not applicable",
        "not_reported": "not reported",
    },
}


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
TargetValue = Decimal | tuple[str, ...]
"""A year's target: the number to reach (inclusive), or the acceptable states."""


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

    @property
    def total(self) -> int:
        return self.met + self.unmet + self.no_target + self.not_applicable + self.not_reported

    @property
    def with_target(self) -> int:
        """Criteria that have a target this year and apply to the unit."""
        return self.met + self.unmet + self.not_reported

    @property
    def completed(self) -> bool:
        """Every applicable target of the group is met."""
        return self.unmet == 0 and self.not_reported == 0


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


# --- evaluation -----------------------------------------------------------------------------


def evaluate_year(
    definition: Definition,
    year: int,
    values: Mapping[str, Any],
    *,
    lang: Lang = "vi",
    number_format: NumberFormat | None = None,
) -> YearResult:
    """Check one unit's values of ``year`` against that year's targets.

    ``values`` maps input names to parsed values (see the module docstring). A criterion is
    ``no_target`` when the year's target is ``*`` (whatever the value), ``not_applicable`` when its
    value is :data:`NOT_APPLICABLE`, ``not_reported`` when its value is missing or ``None``, and
    otherwise ``met`` or ``unmet``; a number target is inclusive (65 meets "65%").

    Raises :class:`UsageError` if the definition is not a targets definition or ``year`` is not one
    of its years, and :class:`InputError` (with every problem) if a value is refused by the reader
    of inputs (:func:`~cds_index.read.inputs.parse_values`: ``"80"`` and ``"80%"`` are read, ``"n/a"`` is
    not applicable, an unknown input name is ``input-unknown``) or has the wrong type for its target.

    >>> from cds_index.read.loader import load_model
    >>> d = load_model(Definition, "definitions/thanh-hoa-1829-commune.yaml")
    >>> r = evaluate_year(d, 2022, {"online_dossiers_pct": Decimal(65)}, lang="en")
    >>> r.outcome("1.6").status, r.outcome("1.6").explanation
    ('met', 'met: 65% ≥ 65% (2022 target)')
    >>> r.completed  # every other criterion is not reported
    False
    """
    _check_definition(definition, year)
    values = read_values(definition, values, number_format=number_format)
    outcomes: list[CriterionOutcome] = []
    for group, node in _criteria(definition):
        outcomes.append(_evaluate(definition, group, node, year, values, lang))
    groups = tuple(
        _count(group.id, group.title, [o for o in outcomes if o.group == group.id])
        for group in definition.tree
    )
    completed = all(g.completed for g in groups)
    has_data = any(_is_given(values.get(o.input)) for o in outcomes)
    return YearResult(definition.id, year, tuple(outcomes), groups, completed, has_data)


def gaps(
    definition: Definition,
    year: int,
    values: Mapping[str, Any],
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
    values = read_values(definition, values, number_format=number_format)
    if target_year is None:
        target_year = next_year_of(definition, year) or year
    else:
        _check_definition(definition, target_year)
    found: list[Gap] = []
    for group, node in _criteria(definition):
        outcome = _evaluate(definition, group, node, target_year, values, lang)
        if outcome.status not in ("unmet", "not_reported"):
            continue
        assert outcome.target is not None  # unmet/not_reported only where there is a target
        found.append(
            Gap(
                outcome.id,
                outcome.title,
                group.id,
                outcome.input,
                year,
                target_year,
                outcome.value,
                outcome.target,
                outcome.printed,
                outcome.shortfall,
                _gap_text(definition, outcome, year, target_year, lang),
            )
        )
    return tuple(found)


def evaluate_years(
    definition: Definition,
    values_by_year: Mapping[int, Mapping[str, Any]],
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
                "evaluate_years() takes the values of each year, e.g. {2024: {'online_dossiers_pct': 65}}, "
                f"got {type(values_by_year).__name__}",
            )
        )
    years = tuple(definition.years or ())
    unknown = sorted(set(values_by_year) - set(years), key=str)
    if unknown:
        raise UsageError(
            Problem(
                "usage",
                f"{definition.id} has targets for {_years_text(years)}, not for "
                f"{', '.join(map(str, unknown))}",
            )
        )
    problems: list[Problem] = []
    read: dict[int, dict[str, Any]] = {}
    for y, raw in values_by_year.items():
        try:
            read[y] = read_values(definition, raw, number_format=number_format)
        except InputError as exc:
            problems += [dataclasses.replace(p, message=f"{y}: {p.message}") for p in exc.problems]
    if problems:
        raise InputError(problems)
    values_by_year = read
    results = tuple(evaluate_year(definition, y, values_by_year.get(y, {}), lang=lang) for y in years)
    with_data = [r.year for r in results if r.has_data]
    latest = with_data[-1] if with_data else None
    next_year = next_year_of(definition, latest) if latest is not None else None
    found = (
        gaps(definition, latest, values_by_year[latest], target_year=next_year or latest, lang=lang)
        if latest is not None
        else ()
    )
    by_id = {g.id: g for g in found}
    tracks = []
    for group, node in _criteria(definition):
        cells = []
        for result in results:
            o = result.outcome(node.id)
            cells.append(YearCell(o.year, o.status, o.value, o.target, o.printed, o.explanation))
        assert node.targets is not None
        tracks.append(
            CriterionTrack(
                node.id, node.title, group.id, node.targets.input, tuple(cells), by_id.get(node.id)
            )
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
            Problem("input-type", f"the values must be a mapping of input names, got {values!r:.60}")
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


def next_year_of(definition: Definition, year: int) -> int | None:
    """The definition's next year after ``year``, or ``None`` if ``year`` is its last."""
    later = [y for y in definition.years or () if y > year]
    return min(later) if later else None


# --- internals ------------------------------------------------------------------------------


def _check_targets_definition(definition: object) -> None:
    """A targets definition, or a usage error that says what to pass (no AttributeError from inside)."""
    if not isinstance(definition, Definition):
        raise UsageError(
            Problem(
                "usage",
                "evaluate_year() takes a definition, e.g. cds_index.load('thanh-hoa-1829-commune'), "
                f"got {type(definition).__name__}",
            )
        )
    if definition.scoring != "targets":
        raise UsageError(
            Problem("usage", f"{definition.id} scores points, not yearly targets; use cds_index.score")
        )


def _check_definition(definition: Definition, year: int) -> None:
    _check_targets_definition(definition)
    if isinstance(year, bool) or not isinstance(year, int):
        raise UsageError(Problem("usage", f"the year is a whole number such as 2024, got {year!r}"))
    if definition.scoring != "targets":
        raise UsageError(
            Problem("usage", f"{definition.id} scores points, not yearly targets; use the points evaluation")
        )
    years = definition.years or _target_years(definition)
    if year not in years:
        raise UsageError(
            Problem("usage", f"{definition.id} has targets for {_years_text(years)}, not for {year}")
        )


def _target_years(definition: Definition) -> list[int]:
    """The years the criteria have targets for, when the definition does not list `years`."""
    years = {y for _, node in _criteria(definition) if node.targets for y in node.targets.years}
    return sorted(years)


def _years_text(years: Sequence[int]) -> str:
    return ", ".join(map(str, years)) or "no year"


def _criteria(definition: Definition) -> list[tuple[Node, Node]]:
    """``(group, criterion)`` for every leaf, the group being its top-level node."""
    found: list[tuple[Node, Node]] = []
    for group in definition.tree:
        for _, node in group.walk():
            if not node.is_leaf:
                continue
            if node.targets is None:
                raise DefinitionError(
                    Problem(
                        "leaf-without-rule", f"criterion {node.id} has no `targets`", node=(group.id, node.id)
                    )
                )
            found.append((group, node))
    return found


def _is_given(raw: Any) -> bool:
    if raw is None:
        return False
    if hasattr(raw, "not_applicable") and hasattr(raw, "value") and not isinstance(raw, NotApplicable):
        return bool(raw.not_applicable) or raw.value is not None
    return True


def _unwrap(raw: Any) -> Any:
    """``inputs.Value`` → its value or :data:`NOT_APPLICABLE`; anything else unchanged."""
    if hasattr(raw, "not_applicable") and hasattr(raw, "value") and not isinstance(raw, NotApplicable):
        return NOT_APPLICABLE if raw.not_applicable else raw.value
    return raw


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _evaluate(
    definition: Definition, group: Node, node: Node, year: int, values: Mapping[str, Any], lang: Lang
) -> CriterionOutcome:
    targets = node.targets
    assert targets is not None
    name = targets.input
    raw = _unwrap(values.get(name))
    year_target = targets.years.get(year, "*")
    printed = (targets.printed or {}).get(year)
    percent = _is_percent(definition, name)

    def outcome(
        status: Status,
        value: Measured | None,
        target: TargetValue | None,
        shortfall: Decimal | None,
        text: str,
    ) -> CriterionOutcome:
        return CriterionOutcome(
            node.id, node.title, group.id, name, year, status, value, target, printed, shortfall, text
        )

    if year_target == "*":
        shown = None if raw is None or raw is NOT_APPLICABLE else _measured(raw, name, year)
        return outcome(
            "no_target",
            shown,
            None,
            None,
            _t(lang, f"Năm {year} không có chỉ tiêu (*)", f"no target in {year} (*)"),
        )
    if raw is NOT_APPLICABLE:
        return outcome(
            "not_applicable",
            None,
            _target_value(year_target),
            None,
            _t(lang, "Không áp dụng: không tính vào đánh giá", "not applicable: left out of the assessment"),
        )
    target = _target_value(year_target)
    want = _show_target(target, percent, lang)
    if raw is None:
        return outcome(
            "not_reported",
            None,
            target,
            None,
            _t(
                lang,
                f"Chưa báo cáo: tính là chưa đạt (chỉ tiêu năm {year}: {want})",
                f"not reported: counts as not met ({year} target: {want})",
            ),
        )
    value = _measured(raw, name, year)
    if isinstance(year_target, AtLeast):
        if not isinstance(value, Decimal):
            raise InputError(
                Problem(
                    "input-type",
                    f"{name}: criterion {node.id} needs a number in {year}, got {value!r}",
                    node=(group.id, node.id),
                )
            )
        have = _show_number(value, percent, lang)
        need = _show_number(year_target.at_least, percent, lang)
        if value >= year_target.at_least:
            return outcome(
                "met",
                value,
                target,
                None,
                _t(
                    lang,
                    f"Đạt: {have} ≥ {need} (chỉ tiêu năm {year})",
                    f"met: {have} ≥ {need} ({year} target)",
                ),
            )
        short = year_target.at_least - value
        return outcome(
            "unmet",
            value,
            target,
            short,
            _t(
                lang,
                f"Chưa đạt: {have} < {need} (chỉ tiêu năm {year}), "
                f"còn thiếu {_show_short(short, percent, lang)}",
                f"not met: {have} < {need} ({year} target), {_show_short(short, percent, lang)} short",
            ),
        )
    assert isinstance(year_target, OneOf)
    if not isinstance(value, str):
        raise InputError(
            Problem(
                "input-type",
                f"{name}: criterion {node.id} needs a state in {year}, got {value!r}",
                node=(group.id, node.id),
            )
        )
    if _fold(value) in {_fold(s) for s in year_target.one_of}:
        return outcome(
            "met",
            value,
            target,
            None,
            _t(
                lang,
                f"Đạt: “{value}” (chỉ tiêu năm {year}: {want})",
                f"met: “{value}” ({year} target: {want})",
            ),
        )
    return outcome(
        "unmet",
        value,
        target,
        None,
        _t(
            lang,
            f"Chưa đạt: “{value}”, chỉ tiêu năm {year} là {want}",
            f"not met: “{value}”, the {year} target is {want}",
        ),
    )


def _measured(raw: Any, name: str, year: int) -> Measured:
    if isinstance(raw, bool):
        raise InputError(Problem("input-type", f"{name} ({year}): expected a number or a state, got {raw!r}"))
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(str(raw))
    if isinstance(raw, str):
        return unicodedata.normalize("NFC", raw)
    raise InputError(Problem("input-type", f"{name} ({year}): expected a number or a state, got {raw!r}"))


def _target_value(target: AtLeast | OneOf) -> TargetValue:
    return target.at_least if isinstance(target, AtLeast) else tuple(target.one_of)


def _is_percent(definition: Definition, name: str) -> bool:
    spec = definition.inputs.get(name)
    return spec is not None and spec.unit == "percent"


def _show_number(value: Decimal, percent: bool, lang: Lang) -> str:
    return show(value, lang) + ("%" if percent else "")


def _show_short(value: Decimal, percent: bool, lang: Lang) -> str:
    if percent:
        return show(value, lang) + (" điểm phần trăm" if lang == "vi" else " percentage points")
    return show(value, lang)


def _show_target(target: TargetValue, percent: bool, lang: Lang) -> str:
    """``≥ 65%`` or ``“Có”`` / ``“A” hoặc “B”``."""
    if isinstance(target, Decimal):
        return "≥ " + _show_number(target, percent, lang)
    joiner = " hoặc " if lang == "vi" else " or "
    return joiner.join(f"“{s}”" for s in target)


def _gap_text(definition: Definition, o: CriterionOutcome, year: int, target_year: int, lang: Lang) -> str:
    assert o.target is not None
    percent = _is_percent(definition, o.input)
    want = _show_target(o.target, percent, lang)
    if o.status == "not_reported":
        return _t(
            lang,
            f"Chỉ tiêu năm {target_year} {want}: năm {year} chưa báo cáo",
            f"{target_year} target {want}: not reported in {year}",
        )
    if o.shortfall is not None:
        assert isinstance(o.value, Decimal)
        have = _show_number(o.value, percent, lang)
        short = _show_short(o.shortfall, percent, lang)
        return _t(
            lang,
            f"Chỉ tiêu năm {target_year} {want}: năm {year} đạt {have}, còn thiếu {short}",
            f"{target_year} target {want}: {have} in {year}, {short} short",
        )
    return _t(
        lang,
        f"Chỉ tiêu năm {target_year} {want}: năm {year} là “{o.value}”",
        f"{target_year} target {want}: “{o.value}” in {year}",
    )


def _t(lang: Lang, vi: str, en: str) -> str:
    return en if lang == "en" else vi


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
