"""Which readings move the ranking: every unit scored under the chosen readings and each alternative (#15).

A definition keeps, beside each judgment call, the readings it did not choose (a rule's
``alternatives:``, the index's ``index.alternatives``). :func:`sensitivity` scores every unit once
under the chosen readings, then under each alternative one at a time (and, on request, sampled
combinations of them, the other index method, and pillar weights varied as COINr varies them), and
says which readings change who ranks where.

Only the criteria an alternative touches are re-scored (points only, no explanations); the
difference is carried up the tree (a parent is the sum of its children) and the index is made
again from the pillars' points.

>>> import cds_index
>>> d = cds_index.load("hue-2263-commune")
>>> report = sensitivity(d, {"a": {"digital_reports": 3}, "b": {"digital_reports": 4}})
>>> [(u.unit_id, u.rank, u.rank_best, u.rank_worst) for u in report.units]
[('b', 1, 1, 1), ('a', 2, 1, 2)]
>>> report.verdict("en")
'The top 2 changes under 2 of 76 readings: III.6.1/all-or-nothing, all-or-nothing (50 criteria).'
"""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, cast

from ..engine.evaluate import CompiledDefinition, Result, aggregate_index, compiled, pillar_weights
from ..errors import DefinitionError, Problem, UsageError
from ..formats.model import Definition, Node
from ..i18n import Message, T, render
from ..numbers import ZERO, exactly, plain, round_as
from ..read.inputs import UnitInputs, parse_values

ReadingKind = Literal["chosen", "rule", "group", "index", "weights", "combination"]
WEIGHT_FACTORS = (Decimal("0.5"), Decimal("1.5"))
"""`--vary-weights`: each pillar's weight halved and raised by half, one pillar at a time (COINr's ±50%)."""
SAMPLED_WEIGHTS = (Decimal("0.5"), Decimal("0.75"), Decimal(1), Decimal("1.25"), Decimal("1.5"))
MAX_COMBINATIONS = 10_000


@dataclass(frozen=True)
class Reading:
    """One way of reading the definition: the chosen one, an alternative, or a combination of them.

    ``criteria``: the criteria whose rule it replaces; ``method``/``over``/``weights``: how the
    pillars make the index under it; ``scorable``: False when the alternative has no rule written
    (it stays on record, listed with ``why_not``).
    """

    name: str
    kind: ReadingKind
    reason: str
    criteria: tuple[str, ...] = ()
    method: str | None = None
    over: str = "applicable"
    weights: tuple[tuple[str, Decimal], ...] = ()
    parts: tuple[str, ...] = ()
    scorable: bool = True
    why_not: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "reason": self.reason}
        if self.criteria:
            out["criteria"] = list(self.criteria)
        if self.method:
            out["index"] = {"method": self.method, "over": self.over}
        if self.weights:
            out["weights"] = {p: plain(w) for p, w in self.weights}
        if self.parts:
            out["parts"] = list(self.parts)
        if not self.scorable:
            out["scorable"] = False
            out["why_not"] = self.why_not
        return out


@dataclass(frozen=True)
class Move:
    """A unit whose rank changes under a reading (``shift`` > 0: it falls)."""

    unit_id: str
    unit_name: str | None
    rank: int
    rank_under: int
    value: Decimal
    """What is ranked (the index where the definition declares one, else the total), as chosen."""
    value_under: Decimal

    @property
    def shift(self) -> int:
        return self.rank_under - self.rank


@dataclass(frozen=True)
class Effect:
    """What one reading does to the ranking."""

    reading: Reading
    moves: tuple[Move, ...]
    """Units whose rank changes, largest shift first."""
    top_entered: tuple[str, ...]
    top_left: tuple[str, ...]
    top_reordered: tuple[str, ...]
    """Units of the top K (under the chosen readings) whose rank changes under this reading."""
    scores_changed: int
    """Units whose score or index changes (a change may leave every rank as it was)."""

    @property
    def changed(self) -> int:
        return len(self.moves)

    @property
    def largest_shift(self) -> int:
        return max((abs(m.shift) for m in self.moves), default=0)

    @property
    def breaks_top(self) -> bool:
        return bool(self.top_entered or self.top_left or self.top_reordered)


@dataclass(frozen=True)
class UnitRange:
    """One unit across every reading: its score (total points), index and rank under the chosen
    readings, and the lowest and highest of each (the index's over the readings that keep the chosen
    index method: a sum of points and a mean of percentages are not on one scale)."""

    unit_id: str
    unit_name: str | None
    score: Decimal
    score_min: Decimal
    score_max: Decimal
    index: Decimal
    index_min: Decimal
    index_max: Decimal
    rank: int
    rank_best: int
    rank_worst: int
    moved_by: tuple[str, ...]
    """The readings under which its rank changes."""


@dataclass(frozen=True)
class Refused:
    """A unit that is not ranked (a value refused, or nothing readable): listed, never dropped."""

    unit_id: str
    unit_name: str | None
    source: str | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class SensitivityReport:
    """The result of :func:`sensitivity`: per unit, per reading, and the verdict."""

    definition: str
    title: str
    by: Literal["index", "total"]
    top: int
    readings: tuple[Reading, ...]
    """Every reading scored (not the chosen one), in the order they were made."""
    unscorable: tuple[Reading, ...]
    units: tuple[UnitRange, ...]
    """Ranked units, in their order under the chosen readings."""
    effects: tuple[Effect, ...]
    refused: tuple[Refused, ...]
    seed: int | None = None
    places: int = 2

    @property
    def breaking(self) -> tuple[Effect, ...]:
        """The readings under which the top K is not as under the chosen readings."""
        return tuple(e for e in self.effects if e.breaks_top)

    @property
    def stable(self) -> bool:
        """The top K (units and their ranks) is the same under every reading scored."""
        return not self.breaking

    def verdict(self, lang: str = "vi") -> str:
        """One sentence a province can publish."""
        k = min(self.top, len(self.units))
        n = len(self.readings)
        if not self.units:
            return render(T("No unit to rank."), lang)
        if self.stable:
            return render(
                T(
                    "The top {top} is stable under every reading ({count} other readings tried).",
                    top=k,
                    count=n,
                ),
                lang,
            )
        names = ", ".join(e.reading.name for e in self.breaking)
        return render(
            T(
                "The top {top} changes under {changed} of {count} readings: {names}.",
                top=k,
                changed=len(self.breaking),
                count=n,
                names=names,
            ),
            lang,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``cds-index sensitivity --format json`` (exact decimal strings)."""
        return {
            "definition": self.definition,
            "by": self.by,
            "top": self.top,
            "seed": self.seed,
            "stable": self.stable,
            "verdict": {"vi": self.verdict("vi"), "en": self.verdict("en")},
            "readings": [
                {
                    **e.reading.to_dict(),
                    "units_changing_rank": e.changed,
                    "largest_shift": e.largest_shift,
                    "scores_changed": e.scores_changed,
                    "breaks_top": e.breaks_top,
                    "top_entered": list(e.top_entered),
                    "top_left": list(e.top_left),
                    "moves": [
                        {
                            "unit_id": m.unit_id,
                            "unit_name": m.unit_name,
                            "rank": m.rank,
                            "rank_under": m.rank_under,
                            "shift": m.shift,
                            "value": plain(m.value),
                            "value_under": plain(m.value_under),
                        }
                        for m in e.moves
                    ],
                }
                for e in self.effects
            ],
            "not_scored": [r.to_dict() for r in self.unscorable],
            "units": [
                {
                    "unit_id": u.unit_id,
                    "unit_name": u.unit_name,
                    "rank": u.rank,
                    "rank_range": [u.rank_best, u.rank_worst],
                    "score": plain(u.score),
                    "score_range": [plain(u.score_min), plain(u.score_max)],
                    "index": plain(u.index),
                    "index_range": [plain(u.index_min), plain(u.index_max)],
                    "moved_by": list(u.moved_by),
                }
                for u in self.units
            ],
            "refused": [
                {
                    "unit_id": r.unit_id,
                    "unit_name": r.unit_name,
                    "source": r.source,
                    "problems": [p.to_dict() for p in r.problems],
                }
                for r in self.refused
            ],
        }


# --- re-scoring one criterion -----------------------------------------------------------------


def _variant(definition: Definition, rules: Mapping[str, Any]) -> Definition:
    """The definition with the rules of some criteria replaced (an alternative reading), uncompiled."""

    def swap(node: Node) -> Node:
        if node.id in rules:
            return node.model_copy(update={"rule": rules[node.id]})
        if node.children:
            children = [swap(child) for child in node.children]
            if any(new is not old for new, old in zip(children, node.children, strict=True)):
                return node.model_copy(update={"children": children})
        return node

    variant = definition.model_copy(update={"tree": [swap(pillar) for pillar in definition.tree]})
    variant._compiled = None
    return variant


def _reading(definition: Definition, node: Node, alt: Any) -> CompiledDefinition:
    """The definition compiled with ``alt``'s rule for ``node``'s (kept with the definition's own
    compilation: a second analysis of the same definition compiles no reading again); raises the
    :class:`DefinitionError` of a reading that does not compile, each time."""
    kept = compiled(definition).readings
    key = (node.id, alt.name)
    if key not in kept:
        try:
            kept[key] = compiled(_variant(definition, {node.id: alt.rule}))
        except DefinitionError as exc:
            kept[key] = tuple(exc.problems)  # its problems, not the error with its traceback
    found = kept[key]
    if isinstance(found, tuple):
        raise DefinitionError(list(found))
    return found  # type: ignore[no-any-return]


def _criterion(
    cdef: CompiledDefinition,
    node: Node,
    unit: UnitInputs,
    broken: Mapping[str, str],
    peers: Any = None,
) -> tuple[Decimal, Decimal]:
    """``(points, applicable maximum)`` of one criterion of one unit under ``cdef``'s rules.

    The one place this module re-scores: it runs the evaluator's own criterion scorer (applicability,
    refused and missing values, deadlines, appraisal) on one node, so a reading is scored exactly as
    a full re-score with the alternative substituted would score it.
    """
    from ..engine.evaluate import score_criterion

    result = score_criterion(cdef, node, unit, broken, peers)
    return result.points, result.max


# --- the index of a reading -------------------------------------------------------------------


def _index(
    definition: Definition,
    points: Sequence[Decimal],
    maxima: Sequence[Decimal],
    printed: Sequence[Decimal],
    method: str,
    over: str,
    weights: Sequence[Decimal] | None,
) -> Decimal:
    """The index from the pillars with the engine's one aggregation (:func:`aggregate_index`): the
    chosen method keeps the declared weights, scale and rounding (so the chosen reading gives
    exactly :func:`cds_index.score`'s index); ``weights`` multiply the declared weights."""
    setting = definition.index
    own = method == setting.method
    declared: tuple[Decimal, ...] | None = pillar_weights(definition)
    if method == "weighted_mean_of_pillar_percentages" and declared is None:
        declared = tuple(setting.weights[p.id] for p in definition.tree) if setting.weights else None
    if not own and method != "weighted_mean_of_pillar_percentages":
        declared = None
    used: tuple[Decimal, ...] | None
    if weights is not None:
        used = (
            tuple(weights)
            if declared is None
            else tuple(w * d for w, d in zip(weights, declared, strict=True))
        )
    else:
        used = declared
    value, _ = aggregate_index(
        method,
        tuple(p.id for p in definition.tree),
        tuple(points),
        tuple(printed if over == "printed" else maxima),
        weights=used,
        scale=setting.scale if own else None,
    )
    if own and setting.rounding is not None:
        value = round_as(value, setting.rounding.places, setting.rounding.mode)
    return value


# --- the analysis -----------------------------------------------------------------------------


@dataclass
class _Unit:
    inputs: UnitInputs
    result: Result
    broken: dict[str, str]
    points: list[Decimal]
    maxima: list[Decimal]


@dataclass(frozen=True)
class _Atom:
    """One criterion's alternative rule: the per-unit change of its pillar's points and maximum."""

    name: str
    node: str
    pillar: int
    deltas: tuple[tuple[Decimal, Decimal], ...]
    changed: tuple[int, ...]
    """The units (by position) whose criterion scores differently under this reading."""


def _read(
    definition: Definition,
    units: Iterable[Any] | Mapping[str, Mapping[str, Any]],
    year: int | None,
    number_format: Any,
) -> tuple[list[_Unit], list[Refused]]:
    from ..io.batch import UnitFailure, read_units, score_many

    if isinstance(units, Mapping):
        sources: list[UnitInputs | UnitFailure] = []
        for unit_id, raw in units.items():
            if not isinstance(raw, Mapping):
                raise UsageError(
                    Problem(
                        "usage",
                        T(
                            "unit {unit}: its values are a mapping of input names, e.g. {example}",
                            unit=repr(unit_id),
                            example="{'has_plan': True}",
                        ),
                    )
                )
            values, problems = parse_values(
                raw, definition.inputs, number_format=number_format or definition.number_format
            )
            sources.append(UnitInputs(str(unit_id), None, year, values, problems, None, definition.inputs))
    else:
        if isinstance(units, str | bytes):
            raise UsageError(
                Problem(
                    "usage",
                    T("the units are a list of paths or units, e.g. {example}", example="['communes.csv']"),
                )
            )
        sources = []
        for item in units:
            if isinstance(item, UnitInputs | UnitFailure):
                sources.append(item)
            else:
                sources.extend(read_units(definition, [item], year=year, number_format=number_format))
    scored: list[_Unit] = []
    refused: list[Refused] = []
    rows = score_many(definition, sources, year=year)
    for source, row in zip(sources, rows, strict=True):
        if row.ok and row.result is not None and isinstance(source, UnitInputs):
            result = row.result
            # a ranked unit breaks no constraint (a broken one is an `input-constraint` error, which
            # refuses the unit), so no input of it is unusable: nothing to recompute here
            scored.append(
                _Unit(source, result, {}, [p.points for p in result.pillars], [p.max for p in result.pillars])
            )
        else:
            refused.append(Refused(row.unit_id, row.unit_name, row.source, row.problems))
    return scored, refused


def _atoms(definition: Definition, scored: list[_Unit]) -> tuple[list[_Atom], list[Reading], list[Reading]]:
    """Every criterion alternative with a rule, scored on every unit; and those that cannot be."""
    pillar_of = {}
    for position, pillar in enumerate(definition.tree):
        for _, node in pillar.walk():
            pillar_of[node.id] = position
    atoms: list[_Atom] = []
    readings: list[Reading] = []
    unscorable: list[Reading] = []
    for _, node in definition.walk():
        if node.rule is None:
            continue
        for alt in node.rule.alternatives or ():
            name = f"{node.id}/{alt.name}"
            if alt.rule is None:
                unscorable.append(
                    Reading(
                        name, "rule", alt.reason, (node.id,), scorable=False, why_not=T("no rule written")
                    )
                )
                continue
            try:
                cdef = _reading(definition, node, alt)
            except DefinitionError as exc:
                why: str = exc.problems[0].message if exc.problems else ""
                for problem in exc.problems[1:]:
                    why = T("{first}; {then}", first=why, then=problem.message)
                unscorable.append(Reading(name, "rule", alt.reason, (node.id,), scorable=False, why_not=why))
                continue
            deltas = []
            peers = None
            if any(
                n.id == node.id for n in cdef.ranked
            ):  # a rank reading places each unit among all of them (#13)
                from ..engine.evaluate import standings

                peers = standings(cdef.definition, [unit.inputs for unit in scored])
            for unit in scored:
                before = unit.result.node(node.id)
                points, maximum = _criterion(cdef, node, unit.inputs, unit.broken, peers)
                deltas.append((points - before.points, maximum - before.max))
            changed = tuple(i for i, (dp, dm) in enumerate(deltas) if dp or dm)
            atoms.append(_Atom(name, node.id, pillar_of[node.id], tuple(deltas), changed))
            readings.append(Reading(name, "rule", alt.reason, (node.id,), parts=(name,)))
    return atoms, readings, unscorable


def _groups(atoms: list[_Atom], readings: list[Reading]) -> list[Reading]:
    """An alternative named alike on several criteria is one policy: read it everywhere at once too."""
    by_name: dict[str, list[int]] = {}
    for i, atom in enumerate(atoms):
        by_name.setdefault(atom.name.split("/", 1)[1], []).append(i)
    out = []
    for alt_name, members in by_name.items():
        nodes = [atoms[i].node for i in members]
        if len(members) > 1 and len(set(nodes)) == len(nodes):
            out.append(
                Reading(
                    f"{alt_name} ({len(members)} criteria)",
                    "group",
                    readings[members[0]].reason,
                    tuple(nodes),
                    parts=tuple(atoms[i].name for i in members),
                )
            )
    return out


def _index_readings(definition: Definition, vary_index: bool) -> list[Reading]:
    chosen = (definition.index.method, "applicable")
    out = []
    seen = {chosen}
    for alt in definition.index.alternatives or ():
        out.append(Reading(f"index/{alt.name}", "index", alt.reason, method=alt.method, over=alt.over))
        seen.add((alt.method, alt.over))
    if vary_index:
        for method in ("sum", "mean_of_pillar_percentages"):
            if (method, "applicable") not in seen:
                reason = (
                    T("COINr-style: the index as the plain sum of the pillars' points")
                    if method == "sum"
                    else T("COINr-style: the index as the mean of the pillars' percentages (equal weights)")
                )
                out.append(Reading(f"index/{method.replace('_', '-')}", "index", reason, method=method))
    return out


def _weight_readings(definition: Definition) -> list[Reading]:
    if len(definition.tree) < 2:
        return []
    out = []
    for pillar in definition.tree:
        for factor in WEIGHT_FACTORS:
            weights = tuple((p.id, factor if p.id == pillar.id else Decimal(1)) for p in definition.tree)
            out.append(
                Reading(
                    f"weight/{pillar.id}×{plain(factor)}",
                    "weights",
                    T(
                        "COINr-style: pillar {pillar}'s weight × {factor}, the others as chosen",
                        pillar=pillar.id,
                        factor=factor,
                    ),
                    method=definition.index.method,
                    weights=weights,
                )
            )
    return out


def _combinations(
    definition: Definition,
    atoms: list[_Atom],
    count: int,
    seed: int,
    index_readings: list[Reading],
    vary_weights: bool,
) -> list[Reading]:
    """``count`` sampled combinations: each criterion keeps its chosen rule or one of its
    alternatives (half the time), the index method and pillar weights drawn when varied. Seeded."""
    rng = random.Random(seed)
    by_node: dict[str, list[str]] = {}
    for atom in atoms:
        by_node.setdefault(atom.node, []).append(atom.name)
    methods: list[Reading | None] = [None, *index_readings]
    out = []
    for n in range(1, count + 1):
        parts = tuple(rng.choice(names) for _, names in sorted(by_node.items()) if rng.random() < 0.5)
        method = rng.choice(methods) if index_readings else None
        weights: tuple[tuple[str, Decimal], ...] = ()
        if vary_weights and len(definition.tree) > 1:
            weights = tuple((p.id, rng.choice(SAMPLED_WEIGHTS)) for p in definition.tree)
        described = [*parts]
        if method is not None:
            described.append(method.name)
        if weights:
            described.append("weights " + ", ".join(f"{p}×{plain(w)}" for p, w in weights))
        out.append(
            Reading(
                f"combination-{n}",
                "combination",
                "; ".join(described) or "the chosen readings",
                tuple(name.split("/", 1)[0] for name in parts),
                method=method.method if method else None,
                over=method.over if method else "applicable",
                weights=weights,
                parts=parts,
            )
        )
    return out


class _Standing:
    """What :func:`cds_index.analyse.ranking.rank` reads of a result, under one reading (a full Result per
    unit and reading took a third of the time: benchmarks/bench_sensitivity.py)."""

    __slots__ = ("definition", "index", "index_method", "max", "ranking", "unit_id", "unit_name")

    def __init__(self, result: Result, value: Decimal) -> None:
        self.definition = result.definition
        self.unit_id = result.unit_id
        self.unit_name = result.unit_name
        self.index = value
        self.index_method = "sum"
        self.max = result.max
        # the declared ties (shared or dense); a reading ranks by its index alone, no tie-break
        setting = result.ranking
        self.ranking = setting.model_copy(update={"tie_break": []}) if setting is not None else None


def _ranks(scored: list[_Unit], values: list[Decimal]) -> list[int]:
    """Ranks by ``values`` with :func:`cds_index.analyse.ranking.rank` (ties share a rank), in unit order."""
    from .ranking import rank

    standings = [_Standing(u.result, v) for u, v in zip(scored, values, strict=True)]
    by_id = {r.unit_id: r.rank for r in rank(cast("list[Result]", standings), "index")}
    return [by_id[u.result.unit_id] for u in scored]


@exactly
def sensitivity(
    definition: Definition,
    units: Iterable[Any] | Mapping[str, Mapping[str, Any]],
    *,
    combinations: int = 0,
    seed: int = 0,
    vary_index: bool = False,
    vary_weights: bool = False,
    top: int = 10,
    year: int | None = None,
    number_format: Any = None,
) -> SensitivityReport:
    """Score ``units`` under the chosen readings and under each alternative; say what moves.

    ``units``: paths (inputs files, folders, CSV, workbooks), parsed :class:`UnitInputs`, or a
    mapping ``{unit id: {input: value}}``. Units are ranked by the definition's index where it
    declares one, else by the total, with :mod:`cds_index.analyse.ranking` (ties share a rank). Units with
    a refused value are not ranked: they are listed in ``refused``.
    """
    if not isinstance(definition, Definition):
        raise UsageError(
            Problem(
                "usage",
                T(
                    "{function} takes a definition, e.g. {example}",
                    function="sensitivity()",
                    example="cds_index.load('hue-2263-commune')",
                ),
            )
        )
    if definition.scoring != "points":
        raise UsageError(
            Problem(
                "usage",
                T(
                    "{id} has yearly targets, not points: nothing is ranked, so no ranking can move (its "
                    "readings are listed by `cds-index show --assumptions`)",
                    id=definition.id,
                ),
            )
        )
    for name, value, low, high in (
        ("combinations", combinations, 0, MAX_COMBINATIONS),
        ("top", top, 1, 10**6),
        ("seed", seed, 0, 2**63),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise UsageError(
                Problem(
                    "usage",
                    T(
                        "{name} is a whole number from {low} to {high}, e.g. {example}",
                        name=name,
                        low=str(low),
                        high=str(high),
                        example=str(low + 1),
                    ),
                )
            )
    compiled(definition)
    scored, refused = _read(definition, units, year, number_format)
    atoms, readings, unscorable = _atoms(definition, scored)
    readings += _groups(atoms, readings)
    index_readings = _index_readings(definition, vary_index)
    readings += index_readings
    if vary_weights:
        readings += _weight_readings(definition)
    if combinations:
        readings += _combinations(definition, atoms, combinations, seed, index_readings, vary_weights)

    by: Literal["index", "total"] = "total" if definition.index.method == "sum" else "index"
    atom_at = {a.name: a for a in atoms}
    achievable = compiled(definition).pillar_achievable
    printed = [p.points if p.points is not None else achievable[p.id] for p in definition.tree]
    chosen_method = definition.index.method
    base_index = [u.result.index for u in scored]
    base_total = [u.result.points for u in scored]
    base_rank = _ranks(scored, base_index)

    n = len(scored)
    lows_s, highs_s = list(base_total), list(base_total)
    lows_i, highs_i = list(base_index), list(base_index)
    best, worst = list(base_rank), list(base_rank)
    moved_by: list[list[str]] = [[] for _ in range(n)]
    effects: list[Effect] = []
    k = min(top, n)
    top_ids = {scored[i].result.unit_id for i in range(n) if base_rank[i] <= k}
    for reading in readings:
        parts = [atom_at[p] for p in reading.parts]
        method = reading.method or chosen_method
        weights = [w for _, w in reading.weights] if reading.weights else None
        totals = list(base_total)
        indexes = list(base_index)
        if weights is not None or reading.method is not None:
            touched: Iterable[int] = range(n)  # the index changes for every unit
        else:
            touched = sorted({i for atom in parts for i in atom.changed})
        for i in touched:
            unit = scored[i]
            points, maxima = unit.points, unit.maxima
            if parts:
                points, maxima = list(points), list(maxima)
                for atom in parts:
                    dp, dm = atom.deltas[i]
                    if dp or dm:
                        points[atom.pillar] += dp
                        maxima[atom.pillar] += dm
                totals[i] = sum(points, ZERO)
            indexes[i] = _index(definition, points, maxima, printed, method, reading.over, weights)
        same = indexes == base_index
        ranks = base_rank if same else _ranks(scored, indexes)
        moves = []
        changed_scores = 0
        for i in touched:  # an untouched unit keeps its score and index under this reading
            lows_s[i], highs_s[i] = min(lows_s[i], totals[i]), max(highs_s[i], totals[i])
            if method == chosen_method:  # an index of another method is on another scale (points vs %)
                lows_i[i], highs_i[i] = min(lows_i[i], indexes[i]), max(highs_i[i], indexes[i])
            changed_scores += indexes[i] != base_index[i] or totals[i] != base_total[i]
        for i in () if same else range(n):  # but its rank may change, when others' scores do
            if ranks[i] != base_rank[i]:
                best[i], worst[i] = min(best[i], ranks[i]), max(worst[i], ranks[i])
                moved_by[i].append(reading.name)
                r = scored[i].result
                moves.append(Move(r.unit_id, r.unit_name, base_rank[i], ranks[i], base_index[i], indexes[i]))
        moves.sort(key=lambda m: (-abs(m.shift), m.rank, m.unit_id))
        under_top = {scored[i].result.unit_id for i in range(n) if ranks[i] <= k}
        reordered = tuple(m.unit_id for m in moves if m.unit_id in top_ids and m.unit_id in under_top)
        effects.append(
            Effect(
                reading,
                tuple(moves),
                tuple(sorted(under_top - top_ids)),
                tuple(sorted(top_ids - under_top)),
                reordered,
                changed_scores,
            )
        )
    order = sorted(range(n), key=lambda i: (base_rank[i], scored[i].result.unit_id))
    ranges = tuple(
        UnitRange(
            scored[i].result.unit_id,
            scored[i].result.unit_name,
            base_total[i],
            lows_s[i],
            highs_s[i],
            base_index[i],
            lows_i[i],
            highs_i[i],
            base_rank[i],
            best[i],
            worst[i],
            tuple(moved_by[i]),
        )
        for i in order
    )
    return SensitivityReport(
        definition.id,
        definition.title,
        by,
        top,
        tuple(readings),
        tuple(unscorable),
        ranges,
        tuple(effects),
        tuple(refused),
        seed if combinations else None,
        definition.display.decimals,
    )


# --- presenting -------------------------------------------------------------------------------

WORDS: dict[str, Message] = {
    "title": T("Sensitivity of the ranking"),
    "by_total": T("ranked by total"),
    "by_index": T("ranked by index"),
    "readings": T("other readings"),
    "reading": T("Reading"),
    "changed": T("Units changing rank"),
    "shift": T("Largest shift"),
    "top": T("Top"),
    "units": T("Units that move"),
    "broken": T("changed"),
    "kept": T("stable"),
    "unit": T("Unit"),
    "rank": T("Rank"),
    "rank_range": T("Rank range"),
    "score": T("Total"),
    "score_range": T("Total range"),
    "index": T("Index"),
    "index_range": T("Index range"),
    "not_scored": T("Not scored (on record only)"),
    "refused": T("Not ranked (bad data)"),
    "reason": T("Reason"),
    "per_reading": T("Per reading"),
    "per_unit": T("Per unit"),
    "chart": T("Each unit's rank range across every reading (dot: its rank under the chosen readings)"),
    "more": T("more"),
}
"""The report's own words, in the catalogue (reading names, units and reasons from the
definition are not translated)."""


def _w(lang: str) -> dict[str, str]:
    return {key: render(word, lang) for key, word in WORDS.items()}


def _moves_text(effect: Effect, lang: str, limit: int = 5) -> str:
    shown = [f"{m.unit_id} ({m.rank}→{m.rank_under})" for m in effect.moves[:limit]]
    if len(effect.moves) > limit:
        shown.append(render(T("+{count} more", count=len(effect.moves) - limit), lang))
    return ", ".join(shown)


def _span(low: Any, high: Any) -> str:
    return f"{low}" if low == high else f"{low}–{high}"


def _rows(report: SensitivityReport, lang: str) -> tuple[list[list[str]], list[list[str]]]:
    from ..numbers import show

    w = _w(lang)
    places = report.places
    k = min(report.top, len(report.units))

    def num(d: Decimal) -> str:
        return show(d, "vi" if lang == "vi" else "en", places)

    readings = [
        [
            e.reading.name,
            str(e.changed),
            str(e.largest_shift),
            w["broken"] if e.breaks_top else w["kept"],
            _moves_text(e, lang),
        ]
        for e in report.effects
        if e.moves
    ]
    units = [
        [
            u.unit_id + (f" ({u.unit_name})" if u.unit_name else ""),
            str(u.rank),
            _span(u.rank_best, u.rank_worst),
            num(u.score),
            _span(num(u.score_min), num(u.score_max)),
            num(u.index),
            _span(num(u.index_min), num(u.index_max)),
        ]
        for u in report.units
    ]
    del k
    return readings, units


def _quiet(report: SensitivityReport, lang: str) -> str:
    """One line for the readings under which no unit changes rank (the JSON lists each)."""
    quiet = [e.reading.name for e in report.effects if not e.moves]
    if not quiet:
        return ""
    return render(T("{count} readings move no unit: {names}", count=len(quiet), names=", ".join(quiet)), lang)


def _heads(lang: str) -> tuple[list[str], list[str]]:
    w = _w(lang)
    return (
        [w["reading"], w["changed"], w["shift"], w["top"], w["units"]],
        [w["unit"], w["rank"], w["rank_range"], w["score"], w["score_range"], w["index"], w["index_range"]],
    )


def _header(report: SensitivityReport, lang: str) -> str:
    w = _w(lang)
    by = w["by_total"] if report.by == "total" else w["by_index"]
    seed = render(T("; seed {seed}", seed=str(report.seed)), lang) if report.seed is not None else ""
    return render(
        T(
            "{title} — {definition} ({by}; {count} other readings{seed})",
            title=w["title"],
            definition=report.definition,
            by=by,
            count=len(report.readings),
            seed=seed,
        ),
        lang,
    )


def table(report: SensitivityReport, lang: str = "vi") -> str:
    """The report for a terminal: the verdict, each reading's effect, each unit's ranges."""
    w = _w(lang)
    readings, units = _rows(report, lang)
    head_r, head_u = _heads(lang)

    def block(head: list[str], rows: list[list[str]], left: set[int]) -> list[str]:
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(head)]

        def line(cells: list[str]) -> str:
            return "  ".join(
                c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(cells)
            ).rstrip()

        return [line(head), line(["-" * x for x in widths]), *(line(r) for r in rows)]

    out = [_header(report, lang), "", report.verdict(lang), ""]
    out += [
        w["per_reading"] + ":",
        *(block(head_r, readings, {0, 3, 4}) if readings else []),
        "",
        _quiet(report, lang),
        "",
    ]
    out += [w["per_unit"] + ":", *block(head_u, units, {0}), ""]
    if report.unscorable:
        out.append(w["not_scored"] + ":")
        out += [f"  {r.name}: {render(r.why_not, lang)}" for r in report.unscorable]
        out.append("")
    if report.refused:
        out.append(f"{w['refused']}: {len(report.refused)}")
        for r in report.refused:
            why = "; ".join(
                f"[{p.code}] {render(p.message, lang)}" for p in r.problems if p.severity == "error"
            )
            out.append(f"  {r.unit_id}: {why}")
    return "\n".join(out).rstrip() + "\n"


def markdown(report: SensitivityReport, lang: str = "vi") -> str:
    """The report as Markdown (cells from the data have their `|` escaped)."""
    w = _w(lang)
    readings, units = _rows(report, lang)
    head_r, head_u = _heads(lang)

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    def block(head: list[str], rows: list[list[str]]) -> list[str]:
        return [
            "| " + " | ".join(head) + " |",
            "|" + "|".join("---" for _ in head) + "|",
            *("| " + " | ".join(cell(c) for c in r) + " |" for r in rows),
        ]

    out = [f"## {_header(report, lang)}", "", f"**{report.verdict(lang)}**", ""]
    out += [
        f"### {w['per_reading']}",
        "",
        *(block(head_r, readings) if readings else []),
        "",
        cell(_quiet(report, lang)),
        "",
    ]
    out += [f"### {w['per_unit']}", "", *block(head_u, units), ""]
    if report.unscorable:
        out += [f"### {w['not_scored']}", ""]
        out += [f"- `{r.name}`: {cell(render(r.why_not or '', lang))}" for r in report.unscorable]
        out.append("")
    if report.refused:
        out += [f"### {w['refused']}", ""]
        for r in report.refused:
            why = "; ".join(
                f"[{p.code}] {render(p.message, lang)}" for p in r.problems if p.severity == "error"
            )
            out.append(f"- {cell(r.unit_id)}: {cell(why)}")
        out.append("")
    return "\n".join(out)


def _chart(report: SensitivityReport, lang: str, limit: int = 200) -> str:
    """Inline SVG: one line per unit from its best to its worst rank, a dot at its chosen rank."""
    from html import escape

    units = report.units[:limit]
    if not units:
        return ""
    worst = max(u.rank_worst for u in report.units)
    row, left, width = 16, 160, 520
    height = row * len(units) + 30

    def x(rank: int) -> float:
        return left + (rank - 1) * width / max(worst - 1, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 40}" height="{height}" '
        f'role="img" aria-label="{escape(_w(lang)["chart"])}">'
    ]
    for i, u in enumerate(units):
        y = 20 + i * row
        colour = "#c0392b" if u.rank_best != u.rank_worst else "#7f8c8d"
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end" font-size="11">'
            f"{escape(u.unit_id[:24])}</text>"
            f'<line x1="{x(u.rank_best):.1f}" y1="{y}" x2="{x(u.rank_worst):.1f}" y2="{y}" '
            f'stroke="{colour}" stroke-width="4" stroke-linecap="round"/>'
            f'<circle cx="{x(u.rank):.1f}" cy="{y}" r="4" fill="#2c3e50"/>'
        )
    parts.append(
        f'<text x="{left}" y="12" font-size="10">1</text>'
        f'<text x="{left + width}" y="12" font-size="10" text-anchor="end">{worst}</text></svg>'
    )
    return "".join(parts)


def html_page(report: SensitivityReport, lang: str = "vi") -> str:
    """A self-contained page (no CDN, no script): the verdict, the chart of rank ranges, the tables.
    Every text from the data is escaped."""
    from html import escape

    w = _w(lang)
    readings, units = _rows(report, lang)
    head_r, head_u = _heads(lang)

    def block(head: list[str], rows: list[list[str]]) -> str:
        th = "".join(f"<th>{escape(h)}</th>" for h in head)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"

    verdict_class = "stable" if report.stable else "unstable"
    extra = ""
    if report.unscorable:
        items = "".join(
            f"<li><code>{escape(r.name)}</code>: {escape(render(r.why_not or '', lang))}</li>"
            for r in report.unscorable
        )
        extra += f"<h2>{escape(w['not_scored'])}</h2><ul>{items}</ul>"
    if report.refused:
        items = "".join(
            f"<li>{escape(r.unit_id)}: "
            + escape(
                "; ".join(
                    f"[{p.code}] {render(p.message, lang)}" for p in r.problems if p.severity == "error"
                )
            )
            + "</li>"
            for r in report.refused
        )
        extra += f"<h2>{escape(w['refused'])}</h2><ul>{items}</ul>"
    reasons = "".join(
        f"<li><code>{escape(r.name)}</code>: {escape(render(r.reason, lang))}</li>"
        for r in report.readings
        if r.kind != "combination"
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(_header(report, lang))}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .5em;"
        "text-align:left;font-size:90%}.stable{color:#1e7b34}.unstable{color:#b03a2e}</style></head><body>"
        f"<h1>{escape(_header(report, lang))}</h1>"
        f'<p class="{verdict_class}"><strong>{escape(report.verdict(lang))}</strong></p>'
        f"<h2>{escape(w['chart'])}</h2>{_chart(report, lang)}"
        f"<h2>{escape(w['per_reading'])}</h2>{block(head_r, readings)}<p>{escape(_quiet(report, lang))}</p>"
        f"<h2>{escape(w['per_unit'])}</h2>{block(head_u, units)}"
        f"{extra}<h2>{escape(w['reason'])}</h2><ul>{reasons}</ul></body></html>\n"
    )


class _CallableModule(types.ModuleType):
    """``cds_index.analyse.sensitivity(definition, units)`` works although the module shares the name."""

    def __call__(self, *args: Any, **kwargs: Any) -> SensitivityReport:
        return sensitivity(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "Effect",
    "Move",
    "Reading",
    "Refused",
    "SensitivityReport",
    "UnitRange",
    "html_page",
    "markdown",
    "sensitivity",
    "table",
]
