"""Roll-up: a new unit's result from the results (or inputs) of the old units it was formed from.

Methods (``method=``):

- ``mean_index`` — the mean of the old units' final indices (the ministry's method: the national DTI
  2024, published 21/10/2025, ranked each merged province by the mean of the main indices of the
  provinces it was formed from); pillars are the mean of the pillar points;
- ``mean_pillar_percentages`` — per pillar, the mean of the old units' percentages; the index is the
  mean of those pillar percentages;
- ``weighted_mean`` — as ``mean_index``, each old unit weighed by an input (``weight="population"``);
- ``rescore`` — the old units' inputs combined (counts, numerators and denominators summed; yes/no by a
  declared ``all``/``any``) and scored as one unit. A criterion reading an input that cannot be added
  up (a role, a choice, a date, a percentage) is refused (``invalid``) with ``rollup-not-additive``.

A split old unit's declared share weighs it in every mean (a whole unit counts 1) and scales its
counts in ``rescore``. Each new unit keeps its predecessors' own results and what each contributed, so
a province sees which former commune lost the points; ``compare=`` adds the new units' measured
results of the following year.

>>> import cds_index
>>> from cds_index.analyse.roll_up import rollup
>>> r = rollup(cds_index.load("hue-2263-commune"), ["examples/rearrangements/2024"],
...            "examples/rearrangements/hue-communes.yaml")  # doctest: +SKIP
>>> r.units[0].result.index  # doctest: +SKIP
Decimal('48.5')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from .. import i18n
from ..engine.evaluate import NodeResult, Result, compiled, period_warnings, score
from ..errors import DefinitionError, Location, Problem, UsageError
from ..formats.model import Definition
from ..formats.rearrangement import (
    METHODS,
    NewUnit,
    Rearrangement,
    check_rearrangement,
    check_rescore,
    check_years,
    combine_refusal,
    read_rearrangement,
    unit_sources,
)
from ..i18n import Message, T
from ..numbers import HUNDRED, ZERO, Lang, div, exactly, plain, show
from ..read.inputs import UnitInputs, Value
from ..read.literals import NumberFormat
from ..read.loader import Document


@dataclass(frozen=True)
class Contribution:
    """One old unit inside a new one: its own result, its share and weight, and what it brought."""

    unit_id: str
    unit_name: str | None
    share: Decimal
    weight: Decimal | None
    result: Result | None
    index: Decimal | None
    """Its own index as the method reads it (mean_pillar_percentages: the mean of its pillar percentages)."""
    part: Decimal | None
    """Its part of the new unit's mean: share × weight / the sum over the old units (None: rescore)."""
    contributes: Decimal | None
    """part × its index: the points of the new index it brought (None for rescore)."""
    lost: Decimal | None
    """The points it lost (its maximum minus its points), times its part (rescore: times its share)."""
    pillars_lost: tuple[tuple[str, Decimal], ...] = ()
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "unit": {"id": self.unit_id, "name": self.unit_name},
            "share": plain(self.share),
            "weight": _num(self.weight),
            "part": _num(self.part),
            "index": _num(self.index),
            "points": _num(r.points) if r else None,
            "max": _num(r.max) if r else None,
            "contributes": _num(self.contributes),
            "lost": _num(self.lost),
            "pillars_lost": {pid: plain(v) for pid, v in self.pillars_lost},
            "pillars": {p.id: _num(p.points) for p in r.pillars} if r else {},
            "source": self.source,
        }


@dataclass(frozen=True)
class RolledUp:
    """A new unit: its rolled-up result (None when it cannot be computed), predecessors and problems."""

    unit_id: str
    unit_name: str | None
    method: str
    result: Result | None
    predecessors: tuple[Contribution, ...]
    problems: tuple[Problem, ...] = ()
    measured: Result | None = None
    measured_source: str | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None and not any(p.severity == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        r, m = self.result, self.measured
        out: dict[str, Any] = {
            "unit": {"id": self.unit_id, "name": self.unit_name},
            "method": self.method,
            "ok": self.ok,
            "year": r.year if r else None,
            "index": _num(r.index) if r else None,
            "points": _num(r.points) if r else None,
            "max": _num(r.max) if r else None,
            "pillars": [
                {
                    "id": p.id,
                    "title": p.title,
                    "points": _num(p.points),
                    "max": _num(p.max),
                    "percent": _num(p.percent),
                }
                for p in (r.pillars if r else ())
            ],
            "predecessors": [c.to_dict() for c in self.predecessors],
            "problems": [p.to_dict() for p in self.problems],
            "result": r.to_dict() if r is not None and self.method == "rescore" else None,
        }
        if m is not None:
            out["measured"] = {
                "year": m.year,
                "index": _num(method_index(m, self.method)),
                "points": _num(m.points),
                "max": _num(m.max),
                "pillars": {p.id: _num(p.points) for p in m.pillars},
                "source": self.measured_source,
            }
            if r is not None:
                out["change"] = {
                    "index": _num(method_index(m, self.method) - r.index),
                    "points": _num(m.points - r.points),
                    "pillars": {
                        p.id: _num(q.points - p.points) for p, q in zip(r.pillars, m.pillars, strict=True)
                    },
                }
        return out


@dataclass(frozen=True)
class Rollup:
    """Every new unit of a rearrangement, rolled up by one method."""

    definition: str
    rearrangement: str
    method: str
    weight: str | None
    units: tuple[RolledUp, ...]
    problems: tuple[Problem, ...] = ()
    """Problems of the units read that belong to no new unit (a unit id given twice)."""
    unused: tuple[str, ...] = ()
    """Old units read but part of no new unit."""
    unmatched: tuple[str, ...] = ()
    """Units of ``compare`` that are not new units of the rearrangement."""

    @property
    def ok(self) -> bool:
        return all(u.ok for u in self.units) and not any(p.severity == "error" for p in self.problems)

    def unit(self, unit_id: str) -> RolledUp:
        return next(u for u in self.units if u.unit_id == unit_id)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``cds-index rollup --format json`` (numbers are exact decimal strings)."""
        return {
            "definition": self.definition,
            "rearrangement": self.rearrangement,
            "method": self.method,
            "weight": self.weight,
            "ok": self.ok,
            "units": [u.to_dict() for u in self.units],
            "unused": list(self.unused),
            "unmatched": list(self.unmatched),
            "problems": [p.to_dict() for p in self.problems],
        }


def _num(d: Decimal | None) -> str | None:
    return None if d is None else plain(d)


# --- the roll-up --------------------------------------------------------------------------------


@dataclass
class _Old:
    inputs: UnitInputs | None
    result: Result | None
    problems: list[Problem] = field(default_factory=list)
    source: str | None = None


@exactly
def rollup(
    definition: Definition,
    units: Iterable[Any],
    rearrangement: Rearrangement | str | Path,
    *,
    method: str | None = None,
    weight: str | None = None,
    compare: Iterable[Any] | None = None,
    year: int | None = None,
    lang: Lang = "vi",
) -> Rollup:
    """Each new unit of ``rearrangement`` rolled up from the old ``units`` (paths, folders, tables or
    :class:`UnitInputs`) scored with ``definition``.

    ``method`` and ``weight`` default to the file's. A file that is wrong (a new id twice, an old
    unit beyond 100 %, a date outside the definition's period, a rescore rule or weight that does not
    fit the definition) raises :class:`DefinitionError`; an old unit missing from ``units`` leaves
    only its new unit without a result, with a positioned ``rearrangement-unknown-unit``.
    """
    from ..io.batch import UnitFailure, score_many

    if not isinstance(definition, Definition):
        raise UsageError(
            Problem(
                "usage",
                "rollup() takes a definition, e.g. cds_index.load('hue-2263-commune'), "
                f"got {definition!r:.80}",
            )
        )
    if not isinstance(rearrangement, Rearrangement | str | Path) or not str(rearrangement).strip():
        raise UsageError(
            Problem(
                "usage",
                "rollup() takes a rearrangement: a `kind: rearrangement` file's path or a Rearrangement, "
                f"got {rearrangement!r:.80}",
            )
        )
    if isinstance(units, str | Path):
        units = [units]
    elif not isinstance(units, Iterable) or isinstance(units, bytes | dict):
        raise UsageError(
            Problem("usage", f"rollup() takes the old units as a list of paths or inputs, got {units!r:.80}")
        )
    doc: Document | None = None
    if not isinstance(rearrangement, Rearrangement):
        rearrangement, doc = read_rearrangement(rearrangement)
    chosen = method or rearrangement.method
    if chosen not in METHODS:
        raise UsageError(
            Problem(
                "usage",
                T(
                    "unknown roll-up method {method}; the methods are {methods}",
                    method=repr(chosen),
                    methods=", ".join(METHODS),
                ),
            )
        )
    weight = weight or rearrangement.weight
    if chosen == "weighted_mean" and weight is None:
        raise UsageError(
            Problem(
                "usage", T("weighted_mean needs a weight input: `weight: population` in the file or --weight")
            )
        )
    effective = rearrangement.model_copy(update={"weight": weight})
    fatal = [
        p for p in check_rearrangement(effective, doc, definitions=[definition]) if p.severity == "error"
    ]
    for p in check_rescore(effective, doc, definition):  # only what the chosen method reads
        if chosen == ("weighted_mean" if p.code == "rollup-weight" else "rescore"):
            fatal.append(p)
    if fatal:
        raise DefinitionError(fatal)
    if definition.scoring != "points":
        raise UsageError(
            Problem(
                "usage", T("{id} has yearly targets, not points: it cannot be rolled up", id=definition.id)
            )
        )

    # read every old unit once; score it once
    read = list(_read(definition, units, year))
    olds: dict[str, _Old] = {}
    spare: list[Problem] = []
    scored = iter(score_many(definition, [u for u in read if not isinstance(u, UnitFailure)], lang=lang))
    used = {p.id for u in rearrangement.units for p in u.predecessors}
    for unit in read:
        row = None if isinstance(unit, UnitFailure) else next(scored)
        if unit.unit_id is None:
            spare.extend(unit.problems)  # a file or row that names no unit: nobody can use it
        elif unit.unit_id not in olds:
            if isinstance(unit, UnitFailure) or row is None:
                olds[unit.unit_id] = _Old(None, None, list(unit.problems), unit.source)
            else:
                olds[unit.unit_id] = _Old(unit, row.result, list(row.problems), unit.source)
        elif unit.unit_id in used:  # an old unit given twice: which one is meant?
            first = olds[unit.unit_id]
            first.problems.append(
                Problem(
                    "invalid-value",
                    T(
                        "the old unit {unit} is given twice ({first} and {second}); give each old unit once",
                        unit=repr(unit.unit_id),
                        first=str(first.source),
                        second=str(unit.source),
                    ),
                    Location(unit.source, path=("unit", "id")),
                )
            )

    missing_at: dict[tuple[int, int], Problem] = {}  # (new unit, predecessor) → its unknown-id problem
    for p in check_rearrangement(effective, doc, unit_ids=olds):
        if p.code == "rearrangement-unknown-unit" and len(p.location.path) >= 4:
            missing_at[(int(p.location.path[1]), int(p.location.path[3]))] = p

    measured: dict[str, tuple[Result, str | None]] = {}
    if compare is not None:
        for row in score_many(definition, list(_read(definition, compare, None)), lang=lang):
            spare.extend(p for p in row.problems if p.severity == "error")  # never dropped silently
            if row.result is not None and row.unit_id not in measured:
                measured[row.unit_id] = (row.result, row.source)

    rolled = []
    for i, new in enumerate(rearrangement.units):
        problems = [missing_at[(i, j)] for j in range(len(new.predecessors)) if (i, j) in missing_at]
        item = _one(definition, effective, doc, i, new, olds, chosen, weight, problems, lang)
        if new.id in measured:
            result, source = measured[new.id]
            item = dataclasses.replace(item, measured=result, measured_source=source)
        rolled.append(item)
    new_ids = {u.id for u in rearrangement.units}
    return Rollup(
        definition.id,
        rearrangement.id,
        chosen,
        weight if chosen == "weighted_mean" else None,
        tuple(rolled),
        tuple(spare),
        tuple(sorted(set(olds) - used)),
        tuple(sorted(set(measured) - new_ids)),
    )


def _read(definition: Definition, sources: Iterable[Any], year: int | None) -> Iterable[Any]:
    """Units given as paths (files, folders, tables) are read; parsed units pass through."""
    from ..io.batch import UnitFailure, read_units

    for source in unit_sources(sources):
        if isinstance(source, UnitInputs | UnitFailure):
            yield source
        else:
            yield from read_units(definition, [source], year=year)


def _one(
    definition: Definition,
    rearrangement: Rearrangement,
    doc: Document | None,
    index: int,
    new: NewUnit,
    olds: dict[str, _Old],
    method: str,
    weight: str | None,
    problems: list[Problem],
    lang: Lang,
) -> RolledUp:
    def at(*path: str | int) -> Location:
        return doc.location(path) if doc is not None else Location(path=tuple(path))

    def failed() -> RolledUp:
        empty = tuple(
            Contribution(
                p.id, None, p.share, None, olds[p.id].result if p.id in olds else None, None, None, None, None
            )
            for p in new.predecessors
        )
        return RolledUp(new.id, new.name, method, None, empty, tuple(problems))

    if problems:
        return failed()
    parts = [(p, olds[p.id]) for p in new.predecessors]
    # the old units' errors, and their warnings (a re-dated year, a zero denominator), each once (#11)
    for pred, old in parts:
        for p in old.problems:
            carried = p if p.severity == "error" else _naming(p, pred.id)
            if carried not in problems:
                problems.append(carried)
    if any(old.result is None for _, old in parts):
        return failed()
    years = {old.result.year for _, old in parts if old.result is not None}
    if len(years) > 1:
        stated = {pred.id: old.result.year for pred, old in parts if old.result is not None}
        single = rearrangement.model_copy(update={"units": [new]})
        problems += [
            dataclasses.replace(p, location=at("units", index, "from"))
            for p in check_years(single, None, stated)
        ]
        return failed()
    year = next(iter(years))
    weights: list[Decimal] = []
    for j, (pred, old) in enumerate(parts):
        w = Decimal(1)
        if method == "weighted_mean":
            assert weight is not None and old.inputs is not None
            value = old.inputs.values.get(weight)
            raw = value.value if value is not None and not value.not_applicable else None
            if not isinstance(raw, Decimal) or raw < 0:
                label = definition.inputs[weight].label
                problems.append(
                    Problem(
                        "rollup-weight",
                        T(
                            "the old unit {unit} has no {weight} ({label}) to weigh it by (got {got}): "
                            "give it in its inputs, e.g. {example}",
                            unit=repr(pred.id),
                            weight=weight,
                            label=label,
                            got=T("not reported") if raw is None else repr(raw),
                            example=f"`{weight}: 5400`",
                        ),
                        at("units", index, "from", j),
                    )
                )
                continue
            w = raw
        weights.append(w)
    if problems and method == "weighted_mean" and len(weights) < len(parts):
        return failed()
    if method == "rescore":
        return _rescore(
            definition, rearrangement, new, parts, year, problems, lang, at("units", index, "from")
        )
    sw = [pred.share * w for (pred, _), w in zip(parts, weights, strict=True)]
    total = sum(sw, ZERO)
    if total == 0:
        problems.append(
            Problem(
                "rollup-weight",
                T("the weights of {unit}'s old units add up to 0: nothing to average", unit=repr(new.id)),
                at("units", index, "from"),
            )
        )
        return failed()
    results = [old.result for _, old in parts if old.result is not None]
    pillars, shares = _mean_pillars(
        definition, results, sw, total, percentages=method == "mean_pillar_percentages"
    )
    if method == "mean_pillar_percentages":
        index_value = div(sum(shares, ZERO), Decimal(len(shares))) if shares else ZERO
    else:
        index_value = div(
            sum((s * method_index(r, method) for s, r in zip(sw, results, strict=True)), ZERO), total
        )
    points = sum((p.points for p in pillars), ZERO)
    maximum = sum((p.max for p in pillars), ZERO)
    result = Result(
        definition.id,
        new.id,
        new.name,
        year,
        tuple(pillars),
        points,
        maximum,
        compiled(definition).achievable,
        definition.total,
        index_value,
        method,
        definition.display.decimals,
        tuple(problems) + tuple(period_warnings(definition, year)),
        lang,
        ranking=definition.ranking,  # ranked as the definition declares (#13)
    )
    contributions = []
    for (pred, old), w, s in zip(parts, weights, sw, strict=True):
        r = old.result
        assert r is not None
        contributions.append(
            Contribution(
                pred.id,
                r.unit_name,
                pred.share,
                w if method == "weighted_mean" else None,
                r,
                method_index(r, method),
                div(s, total),
                div(s * method_index(r, method), total),
                div(s * (r.max - r.points), total),
                tuple((p.id, div(s * (p.max - p.points), total)) for p in r.pillars),
                old.source,
            )
        )
    return RolledUp(new.id, new.name, method, result, tuple(contributions), result.problems)


def _naming(problem: Problem, unit_id: str) -> Problem:
    """An old unit's warning as its new unit carries it: it names the old unit (#11)."""
    if i18n.render(problem.message, "en").startswith(f"{unit_id}:"):
        return problem
    return dataclasses.replace(
        problem, message=T("the old unit {unit}: {message}", unit=repr(unit_id), message=problem.message)
    )


def method_index(result: Result, method: str) -> Decimal:
    """A unit's index as ``method`` reads it: the mean of its pillar percentages for
    ``mean_pillar_percentages`` (whatever its definition's own index), else its final index."""
    if method != "mean_pillar_percentages":
        return result.index
    shares = [div(p.points * HUNDRED, p.max) for p in result.pillars if p.max]
    return div(sum(shares, ZERO), Decimal(len(shares))) if shares else ZERO


def _mean_pillars(
    definition: Definition,
    results: Sequence[Result],
    sw: Sequence[Decimal],
    total: Decimal,
    *,
    percentages: bool,
) -> tuple[list[NodeResult], list[Decimal]]:
    """The new unit's pillars: the (weighted) mean of the old units' pillar points, or of their
    percentages (then also the exact mean percentage of every pillar some old unit is assessed in)."""
    out = []
    shares: list[Decimal] = []
    for k, pillar in enumerate(definition.tree):
        olds = [r.pillars[k] for r in results]
        if percentages:
            applicable = [(s, p) for s, p in zip(sw, olds, strict=True) if p.max]
            weight = sum((s for s, _ in applicable), ZERO)
            if not applicable or weight == 0:
                out.append(_pillar(pillar, ZERO, ZERO, "mean of 0 applicable"))
                continue
            pct = div(sum((s * div(p.points * HUNDRED, p.max) for s, p in applicable), ZERO), weight)
            shares.append(pct)
            top = (
                pillar.points
                if pillar.points is not None
                else div(sum((s * p.max for s, p in applicable), ZERO), weight)
            )
            out.append(
                _pillar(pillar, div(pct * top, HUNDRED), top, f"mean {show(pct, 'en')}% of {len(applicable)}")
            )
        else:
            pts = div(sum((s * p.points for s, p in zip(sw, olds, strict=True)), ZERO), total)
            top = div(sum((s * p.max for s, p in zip(sw, olds, strict=True)), ZERO), total)
            out.append(_pillar(pillar, pts, top, f"mean of {len(olds)}"))
    return out, shares


def _pillar(node: Any, points: Decimal, maximum: Decimal, explanation: str) -> NodeResult:
    return NodeResult(node.id, node.title, points, maximum, node.points, "scored", explanation)


# --- rescore: combine the inputs, score them as one unit -----------------------------------------


def combine_values(
    definition: Definition,
    rearrangement: Rearrangement,
    parts: Sequence[tuple[Decimal, UnitInputs]],
    *,
    unit_id: str = "unit",
    where: Location | None = None,
) -> tuple[dict[str, Value], list[Problem]]:
    """The old units' values combined into one unit's: ``parts`` are (share, inputs) pairs.

    Numbers are summed (times the share), yes/no by the declared ``all``/``any``; a value not
    reported by one old unit is not reported; a not-applicable one is left out (all of them: not
    applicable); a refused one stays refused. An input that cannot be added up, or whose sum
    exceeds its declared maximum, is refused with ``rollup-not-additive`` for the criteria that read it.
    """
    readers: dict[str, list[str]] = {}
    for node_id, leaf in compiled(definition).leaves.items():
        for name in leaf.inputs:
            readers.setdefault(name, []).append(node_id)
    values: dict[str, Value] = {}
    problems: list[Problem] = []
    rules = rearrangement.rescore
    for name, spec in definition.inputs.items():
        got = [(share, unit.values.get(name), unit) for share, unit in parts]
        refused = [
            p
            for _, _, unit in got
            for p in unit.problems
            if p.severity == "error" and p.location.path and p.location.path[-1] == name
        ]
        if refused:
            problems.extend(refused)
            continue
        present = [(s, v) for s, v, _ in got if v is not None]
        if not present:
            continue
        if len(present) < len(got):
            continue  # one old unit did not report it: the sum is unknown, so it is not reported
        reported = [(s, v) for s, v in present if not v.not_applicable]
        if not reported:
            values[name] = Value(not_applicable=True, reason=T("not applicable in any of the old units"))
            continue
        rule = rules.inputs.get(name) or (rules.booleans if spec.type == "boolean" else None)
        why = combine_refusal(spec, rule)
        if why is None and spec.type in {"integer", "number"}:
            total = sum((s * v.value for s, v in reported), ZERO)
            if spec.max is not None and total > spec.max:
                why = T(
                    "the sum {total} exceeds its maximum {max}: it is counted per unit (e.g. weeks of a "
                    "year), not added up",
                    total=total,
                    max=spec.max,
                )
        if why is not None:
            if name in readers:
                criteria = ", ".join(readers[name])
                problems.append(
                    Problem(
                        "rollup-not-additive",
                        T(
                            "{name} ({label}) cannot be combined across the old units of {unit}: {why}; "
                            "{criteria} cannot be re-scored (refused, 0 points): roll this unit up with "
                            "mean_index or weighted_mean instead",
                            name=name,
                            label=spec.label,
                            unit=repr(unit_id),
                            why=why,
                            criteria=criteria,
                        ),
                        # the input's name ends the path: the evaluator refuses the criteria reading it
                        dataclasses.replace(where or Location(), path=("values", name)),
                    )
                )
            continue
        values[name] = _combined(spec.type, rule, reported)
    return values, problems


def _combined(kind: str, rule: str | None, reported: Sequence[tuple[Decimal, Value]]) -> Value:
    def fold(items: Sequence[Any], shares: Sequence[Decimal]) -> Any:
        if kind == "boolean":
            return all(items) if rule == "all" else any(items)
        return sum((s * x for s, x in zip(shares, items, strict=True)), ZERO)

    shares = [s for s, _ in reported]
    final = fold([v.value for _, v in reported], shares)
    appraised = any(v.appraised is not None for _, v in reported)
    own = fold([v.self_value if v.self_value is not None else v.value for _, v in reported], shares)
    dates = [v.date for _, v in reported if v.date is not None]
    return Value(final, own, final if appraised else None, max(dates) if dates else None)


def _rescore(
    definition: Definition,
    rearrangement: Rearrangement,
    new: NewUnit,
    parts: Sequence[tuple[Any, _Old]],
    year: int | None,
    problems: list[Problem],
    lang: Lang,
    where: Location,
) -> RolledUp:
    pairs = [(pred.share, old.inputs) for pred, old in parts if old.inputs is not None]
    values, found = combine_values(definition, rearrangement, pairs, unit_id=new.id, where=where)
    unit = UnitInputs(new.id, new.name, year, values, [*found, *(p for p in problems if p not in found)])
    result = score(definition, unit, lang=lang)
    contributions = []
    for pred, old in parts:
        r = old.result
        assert r is not None
        contributions.append(
            Contribution(
                pred.id,
                r.unit_name,
                pred.share,
                None,
                r,
                r.index,
                None,
                None,
                pred.share * (r.max - r.points),
                tuple((p.id, pred.share * (p.max - p.points)) for p in r.pillars),
                old.source,
            )
        )
    return RolledUp(new.id, new.name, "rescore", result, tuple(contributions), result.problems)


# --- writing ------------------------------------------------------------------------------------

_WORDS: dict[str, Message] = {
    "from": T("formed from"),
    "old": T("old unit"),
    "rolled": T("rolled up"),
    "measured": T("measured"),
    "change": T("change"),
    "share": T("share"),
    "weight": T("weight"),
    "part": T("part"),
    "index": T("index"),
    "contributes": T("contributes"),
    "lost": T("lost"),
    "most": T("most lost in"),
    "total": T("Total"),
    "none": T("cannot be computed"),
    "unused": T("old units in no new unit"),
    "unmatched": T("measured units not in the rearrangement"),
    "pillar": T("pillar"),
}
"""The table's words, in the catalogue (units' names and ids are theirs)."""


def render(rollup_: Rollup, definition: Definition, *, lang: Lang = "vi", markdown: bool = False) -> str:
    """Each new unit beside its predecessors (and the measured year after), then what each old unit
    contributed and lost: a terminal table, or Markdown."""
    w = {key: i18n.render(word, lang) for key, word in _WORDS.items()}
    places = definition.display.decimals

    def n(d: Decimal | None) -> str:
        return "" if d is None else show(d, lang, places)

    def table(header: list[str], rows: list[list[str]]) -> list[str]:
        if markdown:
            return [
                "| " + " | ".join(header) + " |",
                "|" + "|".join("---" for _ in header) + "|",
                *("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows),
            ]
        widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
        return [
            "  " + "  ".join(c.ljust(widths[k]) if k == 0 else c.rjust(widths[k]) for k, c in enumerate(row))
            for row in [header, *rows]
        ]

    lines = [
        ("# " if markdown else "")
        + f"{rollup_.rearrangement} — {rollup_.definition} — {rollup_.method}"
        + (f" ({w['weight']}: {rollup_.weight})" if rollup_.weight else ""),
        "",
    ]
    for unit in rollup_.units:
        label = f"{unit.unit_name} ({unit.unit_id})" if unit.unit_name else unit.unit_id
        olds = ", ".join(c.unit_id for c in unit.predecessors)
        lines.append(("## " if markdown else "") + f"{label} — {w['from']} {olds}")
        lines.append("")
        r, m = unit.result, unit.measured
        if r is None:
            lines.append(f"  {w['none']}")
        else:
            head = [w["pillar"], f"{w['rolled']} {r.year or ''}".strip()]
            head += [c.unit_id for c in unit.predecessors]
            if m is not None:
                head += [f"{w['measured']} {m.year or ''}".strip(), w["change"]]
            rows = []
            for k, pillar in enumerate(r.pillars):
                row = [pillar.id, f"{n(pillar.points)}/{n(pillar.max)}"]
                row += [n(c.result.pillars[k].points) if c.result else "" for c in unit.predecessors]
                if m is not None:
                    row += [
                        n(m.pillars[k].points),
                        _signed(m.pillars[k].points - pillar.points, lang, places),
                    ]
                rows.append(row)
            total = [w["total"], f"{n(r.points)}/{n(r.max)}"]
            total += [n(c.result.points) if c.result else "" for c in unit.predecessors]
            idx = [w["index"], n(r.index)] + [n(c.index) for c in unit.predecessors]
            if m is not None:
                total += [n(m.points), _signed(m.points - r.points, lang, places)]
                measured_index = method_index(m, unit.method)
                idx += [n(measured_index), _signed(measured_index - r.index, lang, places)]
            rows += [total, idx]
            lines += table(head, rows)
            lines.append("")
            head = [w["old"], w["share"]]
            if rollup_.weight:
                head.append(w["weight"])
            head += [w["part"], w["index"], w["contributes"], w["lost"], w["most"]]
            rows = []
            for c in unit.predecessors:
                worst = max(c.pillars_lost, key=lambda item: item[1], default=None)
                row = [f"{c.unit_id}" + (f" {c.unit_name}" if c.unit_name else ""), _pct(c.share, lang)]
                if rollup_.weight:
                    row.append(n(c.weight))
                row += [
                    "" if c.part is None else _pct(c.part, lang),
                    n(c.index),
                    n(c.contributes),
                    n(c.lost),
                    f"{worst[0]} ({n(worst[1])})" if worst and worst[1] > 0 else "",
                ]
                rows.append(row)
            lines += table(head, rows)
        for p in unit.problems:
            lines.append(("- " if markdown else "  ") + p.format(lang))
        lines.append("")
    if rollup_.unused:
        lines.append(f"{w['unused']}: " + ", ".join(rollup_.unused))
    if rollup_.unmatched:
        lines.append(f"{w['unmatched']}: " + ", ".join(rollup_.unmatched))
    for p in rollup_.problems:
        lines.append(p.format(lang))
    return "\n".join(lines).rstrip() + "\n"


def _signed(d: Decimal, lang: Lang, places: int) -> str:
    text = show(d, lang, places)
    return text if text.startswith("-") or text == "0" else "+" + text


def _pct(share: Decimal, lang: Lang) -> str:
    return show(share * HUNDRED, lang, 2) + "%"


def batch_rows(rollup_: Rollup) -> list[Any]:
    """The roll-up as batch rows (for :func:`cds_index.io.batch.write_csv`): each new unit, then each
    old unit it was formed from, then its measured result; the source column says which is which."""
    from ..io.batch import BatchRow

    rows = []
    for unit in rollup_.units:
        olds = ", ".join(f"{c.unit_id} ({plain(c.share * HUNDRED)}%)" for c in unit.predecessors)
        rows.append(
            BatchRow(unit.unit_id, unit.unit_name, f"{rollup_.method} of {olds}", unit.result, unit.problems)
        )
        for c in unit.predecessors:
            what = f"old unit of {unit.unit_id}: share {plain(c.share * HUNDRED)}%"
            if c.contributes is not None:
                what += f", contributes {plain(c.contributes)}"
            if c.lost is not None:
                what += f", lost {plain(c.lost)}"
            rows.append(BatchRow(c.unit_id, c.unit_name, what, c.result, ()))
        if unit.measured is not None:
            rows.append(
                BatchRow(
                    unit.unit_id,
                    unit.unit_name,
                    f"measured {unit.measured.year}: {unit.measured_source}",
                    unit.measured,
                    (),
                )
            )
    return rows


def write_csv(
    rollup_: Rollup,
    definition: Definition,
    stream: IO[str],
    *,
    headers: str = "keys",
    number_format: NumberFormat | None = None,
    exact: bool = False,
    bom: bool = False,
) -> None:
    """The new units as a summary CSV, written as `score --format csv` writes one (#12): the same
    ``headers`` (``keys``, ``vi``, ``en``), ``number_format``, ``exact`` and ``bom``
    (:func:`cds_index.io.batch.write_csv`)."""
    from ..io.batch import write_csv as write_batch_csv

    write_batch_csv(
        definition,
        batch_rows(rollup_),
        stream,
        headers=headers,
        number_format=number_format,
        exact=exact,
        bom=bom,
    )


__all__ = [
    "Contribution",
    "RolledUp",
    "Rollup",
    "batch_rows",
    "combine_values",
    "render",
    "rollup",
    "write_csv",
]
