"""What-if scenarios: a definition with some points, thresholds, targets or criteria changed, and its effect.

A scenario file (``kind: scenario``) names a definition and lists changes, applied in order: the
operations of :mod:`cds_index.formats.changes` (``points``, ``rule``, ``step``, ``target``, ``remove``,
``add``, ``title``, ``input``), the same an amending version (``extends:``) lists.
:func:`change_definition` is the one application of them, for both.

:func:`load_scenario` reads a scenario file; :func:`apply` returns the changed definition (raising
:class:`DefinitionError` with every error, positioned); :func:`apply_changes` returns it with every
problem instead of raising; :func:`whatif` scores units under both and reports score and rank
before and after, and what moved them.

>>> import cds_index
>>> from cds_index.analyse.scenario import Scenario, apply
>>> base = cds_index.load("hai-duong-707-district")
>>> s = Scenario.model_validate({"kind": "scenario", "id": "x", "title": "x",
...     "definition": "hai-duong-707-district",
...     "changes": [{"op": "points", "node": "CQS.1.1.3", "points": 3}]})
>>> changed = apply(base, s)
>>> changed.total, changed.nodes()["CQS"].points
(Decimal('417'), Decimal('197'))
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from ..errors import DefinitionError, Location, Problem, did_you_mean
from ..formats.changes import (
    OPS,
    AddChange,
    Change,
    InputChange,
    PointsChange,
    RemoveChange,
    RuleChange,
    StepChange,
    TargetChange,
    TitleChange,
)
from ..formats.model import Definition, DefinitionRef, InputDef, InputName, Model, Rule, Text
from ..i18n import Message, T, render
from ..numbers import ZERO, Lang, plain, show
from ..read.loader import Document, model_vocabulary, pydantic_words, read_file, validate_model

# --- the file format (the changes are those of formats/changes.py, shared with amending versions) ---


class Scenario(Model):
    """A what-if: changes to a definition, to see what they would do before they are decided."""

    kind: Literal["scenario"]
    format: Literal[1] = 1
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    title: Text
    definition: DefinitionRef
    description: Text | None = None
    inputs: dict[InputName, InputDef] = Field(
        default_factory=dict,
        description="Inputs that added criteria need, declared as in a definition.",
    )
    changes: list[Change] = Field(min_length=1)


# --- applying a scenario ----------------------------------------------------------------------

_RULE = TypeAdapter(Rule)
_NODE_SUMS = {"points-mismatch", "total-mismatch"}


@dataclass
class _Tree:
    """The definition as plain data, with a way to find each node and its ancestors."""

    data: dict[str, Any]

    def find(self, node_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int] | None:
        """``(ancestors, siblings list, index)`` of the node, or ``None``."""

        def walk(items: list[dict[str, Any]], parents: list[dict[str, Any]]) -> Any:
            for i, item in enumerate(items):
                if item["id"] == node_id:
                    return parents, items, i
                found = walk(item.get("children") or [], [*parents, item])
                if found:
                    return found
            return None

        found: tuple[list[dict[str, Any]], list[dict[str, Any]], int] | None = walk(self.data["tree"], [])
        return found

    def ids(self) -> set[str]:
        out: set[str] = set()

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                out.add(item["id"])
                walk(item.get("children") or [])

        walk(self.data["tree"])
        return out

    def shift(self, ancestors: list[dict[str, Any]], delta: Decimal) -> None:
        """Carry a change of ``delta`` points up: every ancestor, the stated total, and their errata."""
        if not delta:
            return
        for ancestor in ancestors:
            if ancestor.get("points") is not None:
                ancestor["points"] = ancestor["points"] + delta
            self._shift_erratum(ancestor["id"], "points-mismatch", delta)
        if self.data.get("total") is not None:
            self.data["total"] = self.data["total"] + delta
            self._shift_erratum("total", "total-mismatch", delta)

    def _shift_erratum(self, node_id: str, kind: str, delta: Decimal) -> None:
        # the erratum says "printed P, children add up to C": both move by the same delta
        for entry in self.data.get("errata") or []:
            if entry["node"] == node_id and entry["kind"] == kind:
                if isinstance(entry.get("printed"), Decimal):
                    entry["printed"] += delta
                if entry.get("computed") is not None:
                    entry["computed"] += delta


def _stated(node: dict[str, Any]) -> Decimal:
    if node.get("points") is not None:
        return Decimal(node["points"])
    return sum((_stated(c) for c in node.get("children") or []), ZERO)


def _subtree_ids(node: dict[str, Any]) -> set[str]:
    out = {node["id"]}
    for child in node.get("children") or []:
        out |= _subtree_ids(child)
    return out


def _dump(model: Any) -> Any:
    return model.model_dump(mode="python", by_alias=True, exclude_none=True)


def apply(base: Definition, scenario: Scenario, doc: Document | None = None) -> Definition:
    """Apply ``scenario`` to ``base``: the changed definition; raise :class:`DefinitionError` listing every
    error of the changes (warnings are dropped: :func:`apply_changes` returns them)."""
    changed, problems = apply_changes(base, scenario, doc)
    errors = [p for p in problems if p.severity == "error"]
    if errors or changed is None:
        raise DefinitionError(errors or [Problem("invalid-value", T("the scenario cannot be applied"))])
    return changed


def apply_changes(
    base: Definition, scenario: Scenario, doc: Document | None = None
) -> tuple[Definition | None, list[Problem]]:
    """Apply ``scenario`` to ``base``: the changed definition (``None`` if it cannot be built) and every
    problem of the changes, positioned in the scenario file (``doc``) where there is one.

    Problems the base definition already has (its recorded errata) are not repeated; a sum the
    scenario breaks is reported as ``points-mismatch`` / ``total-mismatch`` at the change that broke it.
    """
    return change_definition(base, scenario.inputs, scenario.changes, doc)


def change_definition(
    base: Definition,
    inputs: dict[str, InputDef],
    changes: Sequence[Change],
    doc: Document | None = None,
    *,
    fields: dict[str, Any] | None = None,
    appended: dict[str, list[Any]] | None = None,
) -> tuple[Definition | None, list[Problem]]:
    """The one application of changes to a definition (#13), for scenarios and amending versions.

    ``inputs`` are declared beside the base's; ``changes`` are applied in order; ``fields`` replace the
    base's (an amendment's own decision, period, title …) and ``appended`` lists are added to the base's
    (errata, constraints, assumptions). Returns the changed definition (``None`` if it cannot be built)
    and every problem, positioned in ``doc`` (the scenario's or the amendment's file).
    """
    doc = doc or Document(None, None)
    tree = _Tree(copy.deepcopy(_dump(base)))
    for name, value in (fields or {}).items():
        tree.data[name] = value
    for name, entries in (appended or {}).items():
        tree.data[name] = [*(tree.data.get(name) or []), *entries]
    problems: list[Problem] = []
    touched: list[tuple[int, set[str], bool]] = []  # (change index, ids under the change, breaks sums)

    def at(index: int, *keys: str | int) -> Location:
        return doc.location(("changes", index, *keys))

    def unknown(index: int, node_id: str, key: str = "node") -> None:
        problems.append(
            Problem(
                "invalid-value",
                T(
                    "change {number}: {id} has no node {node}",
                    number=str(index + 1),
                    id=base.id,
                    node=repr(node_id),
                ),
                at(index, key),
                hint=did_you_mean(node_id, tree.ids()),
            )
        )

    for name, spec in inputs.items():
        if name in tree.data["inputs"]:
            problems.append(
                Problem(
                    "invalid-value",
                    T("the input {name} is already declared by {id}", name=repr(name), id=base.id),
                    doc.location(("inputs", name), key=True),
                    hint=T(
                        "to change its declaration, use a change {change}",
                        change=f"`{{op: input, name: {name}, set: {{…}}}}`",
                    ),
                )
            )
        tree.data["inputs"][name] = _dump(spec)

    for index, change in enumerate(changes):
        if isinstance(change, AddChange):
            _add(tree, change, index, at, unknown, problems, touched)
            continue
        if isinstance(change, InputChange):
            _change_input(tree, change, index, at, problems, base.id)
            continue
        found = tree.find(change.node)
        if found is None:
            unknown(index, change.node)
            continue
        ancestors, siblings, position = found
        node = siblings[position]
        if isinstance(change, PointsChange):
            if node.get("points") is None:
                problems.append(
                    Problem(
                        "invalid-value",
                        T(
                            "change {number}: {node} prints no points (they are the sum of its "
                            "children); change its children",
                            number=str(index + 1),
                            node=change.node,
                        ),
                        at(index, "points"),
                    )
                )
                continue
            delta = change.points - Decimal(node["points"])
            node["points"] = change.points
            if change.adjust_parents:
                tree.shift(ancestors, delta)
            touched.append(
                (
                    index,
                    _subtree_ids(node) | {a["id"] for a in ancestors[-1:]},
                    not change.adjust_parents and bool(delta),
                )
            )
        elif isinstance(change, RemoveChange):
            delta = -_stated(node)
            del siblings[position]
            gone = _subtree_ids(node)
            tree.data["errata"] = [e for e in tree.data.get("errata") or [] if e["node"] not in gone]
            if change.adjust_parents:
                tree.shift(ancestors, delta)
            touched.append(
                (index, {a["id"] for a in ancestors[-1:]}, not change.adjust_parents and bool(delta))
            )
        elif isinstance(change, RuleChange | StepChange):
            if not _change_rule(node, change, index, at, problems):
                continue
            touched.append((index, {node["id"]}, False))
        elif isinstance(change, TitleChange):
            node["title"] = change.title
            touched.append((index, {node["id"]}, False))
        elif isinstance(change, TargetChange):
            if node.get("targets") is None:
                problems.append(
                    Problem(
                        "invalid-value",
                        T(
                            "change {number}: {node} has no yearly targets",
                            number=str(index + 1),
                            node=change.node,
                        ),
                        at(index, "node"),
                    )
                )
                continue
            node["targets"]["years"][change.year] = (
                change.target if isinstance(change.target, str) else _dump(change.target)
            )
            (node["targets"].get("printed") or {}).pop(change.year, None)  # no longer as printed
            touched.append((index, {node["id"]}, False))

    # a change that could not be made is left out, and the rest is still checked: every problem at once
    try:
        changed = Definition.model_validate(tree.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            _, words, hint = pydantic_words(err, _DEFINITION_WORDS)
            problems.append(
                Problem(
                    "invalid-value",
                    T(
                        "the changed definition is not valid: {message} (at {where})",
                        message=words,
                        where=".".join(map(str, err["loc"])),
                    ),
                    doc.location(("changes",)),
                    hint=hint,
                )
            )
        return None, problems
    changed._origin = base._origin
    problems.extend(_new_findings(base, changed, doc, touched))
    problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
    return changed, problems


def _add(
    tree: _Tree,
    change: AddChange,
    index: int,
    at: Callable[..., Location],
    unknown: Callable[..., None],
    problems: list[Problem],
    touched: list[tuple[int, set[str], bool]],
) -> None:
    node = _dump(change.node)
    if change.under is None:
        ancestors: list[dict[str, Any]] = []
        siblings: list[dict[str, Any]] = tree.data["tree"]
    else:
        found = tree.find(change.under)
        if found is None:
            unknown(index, change.under, "under")
            return
        parents, items, position = found
        parent = items[position]
        if parent.get("rule") is not None or parent.get("targets") is not None:
            problems.append(
                Problem(
                    "invalid-value",
                    T(
                        "change {number}: {node} is a criterion; add under a group",
                        number=str(index + 1),
                        node=change.under,
                    ),
                    at(index, "under"),
                )
            )
            return
        ancestors = [*parents, parent]
        siblings = parent.setdefault("children", [])
    where = len(siblings)
    if change.after is not None:
        ids = [s["id"] for s in siblings]
        if change.after not in ids:
            problems.append(
                Problem(
                    "invalid-value",
                    (
                        T(
                            "change {number}: {node} is not a child of {parent}",
                            number=str(index + 1),
                            node=repr(change.after),
                            parent=change.under,
                        )
                        if change.under
                        else T(
                            "change {number}: {node} is not at the top of the tree",
                            number=str(index + 1),
                            node=repr(change.after),
                        )
                    ),
                    at(index, "after"),
                )
            )
            return
        where = ids.index(change.after) + 1
    siblings.insert(where, node)
    delta = _stated(node)
    if change.adjust_parents:
        tree.shift(ancestors, delta)
    touched.append(
        (
            index,
            _subtree_ids(node) | {a["id"] for a in ancestors[-1:]},
            not change.adjust_parents and bool(delta),
        )
    )


def _change_input(
    tree: _Tree,
    change: InputChange,
    index: int,
    at: Callable[..., Location],
    problems: list[Problem],
    base_id: str,
) -> None:
    declared = tree.data["inputs"]
    if change.name not in declared:
        problems.append(
            Problem(
                "invalid-value",
                T(
                    "change {number}: {id} declares no input {name}",
                    number=str(index + 1),
                    id=base_id,
                    name=repr(change.name),
                ),
                at(index, "name"),
                hint=did_you_mean(change.name, declared),
            )
        )
        return
    if change.remove:
        del declared[change.name]  # a rule still reading it is an `unknown-input` of the result
        return
    try:
        declared[change.name] = _dump(
            InputDef.model_validate({**declared[change.name], **(change.set or {})})
        )
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            where = ".".join(str(part) for part in err["loc"])
            problems.append(_pydantic_change(index, err, where, at(index, "set")))


def _change_rule(
    node: dict[str, Any],
    change: RuleChange | StepChange,
    index: int,
    at: Callable[..., Location],
    problems: list[Problem],
) -> bool:
    rule = node.get("rule")
    if rule is None:
        problems.append(
            Problem(
                "invalid-value",
                T("change {number}: {node} has no rule", number=str(index + 1), node=change.node),
                at(index, "node"),
            )
        )
        return False
    if isinstance(change, RuleChange):
        new = _dump(change.rule) if change.rule is not None else {**rule, **(change.set or {})}
    else:
        steps = rule.get("steps")
        if rule.get("kind") != "steps" or not steps:
            problems.append(
                Problem(
                    "invalid-value",
                    T(
                        "change {number}: {node} is a {kind} rule, not `steps`",
                        number=str(index + 1),
                        node=change.node,
                        kind=f"`{rule.get('kind')}`",
                    ),
                    at(index, "node"),
                )
            )
            return False
        if change.step > len(steps):
            problems.append(
                Problem(
                    "invalid-value",
                    T(
                        "change {number}: the rule has {count} step(s), not {step}",
                        number=str(index + 1),
                        count=len(steps),
                        step=change.step,
                    ),
                    at(index, "step"),
                )
            )
            return False
        fields = change.model_fields_set - {"op", "node", "step", "note"}
        band = dict(steps[change.step - 1])
        for name in fields:
            value = getattr(change, name)
            if value is None:
                band.pop(name, None)
            else:
                band[name] = value
        if "percent" in fields and change.percent is not None:
            band.pop("points", None)
        if "points" in fields and change.points is not None:
            band.pop("percent", None)
        new = {**rule, "steps": [*steps[: change.step - 1], band, *steps[change.step :]]}
    try:
        node["rule"] = _dump(_RULE.validate_python(new))
    except ValidationError as exc:
        key = (
            "rule"
            if isinstance(change, RuleChange) and change.rule is not None
            else ("set" if isinstance(change, RuleChange) else "step")
        )
        for err in exc.errors(include_url=False):
            where = ".".join(str(part) for part in err["loc"] if part != rule.get("kind"))
            problems.append(_pydantic_change(index, err, where, at(index, key)))
        return False
    return True


_DEFINITION_WORDS = model_vocabulary(Definition)
"""The format's keys, for "did you mean" in a changed definition's or a change's errors."""


def _numbered(index: int, message: str) -> Message:
    return T("change {number}: {message}", number=str(index + 1), message=message)


def _pydantic_change(index: int, err: Any, where: str, at: Location) -> Problem:
    """A pydantic error of a change, in our words (never pydantic's English), at its key: with the
    code and the hint a definition's own error has (``unknown-key`` and its "did you mean", which
    a scenario's change lost: every one was ``invalid-value``, #11)."""
    code, words, hint = pydantic_words(err, _DEFINITION_WORDS)
    message = T("{message} (at {where})", message=words, where=where) if where else words
    return Problem(code, _numbered(index, message), at, hint=hint)


def _new_findings(
    base: Definition,
    changed: Definition,
    doc: Document,
    touched: list[tuple[int, set[str], bool]],
) -> list[Problem]:
    """The checker's findings on the changed definition that the base does not have, located at the
    change that caused them."""
    from ..check.validate import check_definition

    def key(p: Problem) -> tuple[str, str, tuple[str, ...]]:
        return p.code, p.message, p.node

    before = {key(p) for p in check_definition(base)}
    out = []
    for p in check_definition(changed):
        if key(p) in before:
            continue
        index = _culprit(p, touched)
        location = doc.location(("changes", index)) if index is not None else doc.location(("changes",))
        message = p.message if index is None else _numbered(index, p.message)
        hint = p.hint
        if p.code in _NODE_SUMS:
            hint = T(
                "set `adjust_parents: true` to carry the change up, or change another criterion under "
                "the same parent by the opposite amount"
            )
        out.append(Problem(p.code, message, location, p.node, p.severity, hint))
    return out


def _culprit(p: Problem, touched: list[tuple[int, set[str], bool]]) -> int | None:
    if not p.node:  # the stated total, or an input
        for index, _, breaks in touched:
            if breaks and p.code in _NODE_SUMS:
                return index
        return touched[0][0] if touched else None
    crumbs = set(p.node)
    for index, ids, _ in touched:  # the change made at this node (or at one of its children)
        if p.node[-1] in ids:
            return index
    for index, ids, _ in touched:  # a change further up the branch
        if ids & crumbs:
            return index
    return None


# --- files ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    scenario: Scenario
    base: Definition
    changed: Definition | None
    problems: tuple[Problem, ...]
    document: Document

    def require(self) -> tuple[Scenario, Definition, Definition]:
        """``(scenario, base, changed)``; raise :class:`DefinitionError` when the changes have errors."""
        errors = [p for p in self.problems if p.severity == "error"]
        if errors or self.changed is None:
            where = Location(self.document.file) if self.document.file else Location()
            raise DefinitionError(
                errors or [Problem("invalid-value", T("the scenario cannot be applied"), where)]
            )
        return self.scenario, self.base, self.changed


def base_of(scenario: Scenario, path: str | Path | None = None) -> Definition:
    """The definition a scenario changes (its ``definition:``, resolved by :func:`registry.resolve`:
    an id, ``id@date``, or a path relative to the scenario file)."""
    from ..read.registry import load

    return load(scenario.definition, relative_to=path)


_OPS = set(OPS)


def validate_scenario(doc: Document) -> tuple[Scenario | None, list[Problem]]:
    """Validate a scenario document; problems point at the change they are about.

    pydantic puts the ``op`` tag into an error's path (``changes.0.points.pionts``); where the tag is
    not a key of the change, it is dropped so the problem lands on the right line.
    """
    scenario, problems = validate_model(Scenario, doc)
    fixed = []
    for p in problems:
        path = p.location.path
        if len(path) > 3 and path[0] == "changes" and path[2] in _OPS:
            change = doc.data["changes"][path[1]] if isinstance(path[1], int) else None
            if isinstance(change, dict) and path[2] not in change:
                path = (*path[:2], *path[3:])
                p = Problem(
                    p.code,
                    p.message,
                    doc.location(path, key=p.code == "unknown-key"),
                    p.node,
                    p.severity,
                    p.hint,
                )
        fixed.append(p)
    return scenario, fixed


def read_scenario(path: str | Path, base: Definition | None = None) -> Loaded:
    """Read a scenario file, load its definition (or take ``base``) and apply it; raise
    :class:`DefinitionError` if the file cannot be read. Problems of the changes come back in ``problems``."""
    doc, problems = read_file(path)
    if problems:
        raise DefinitionError(problems)
    scenario, problems = validate_scenario(doc)
    if scenario is None:
        raise DefinitionError(problems)
    if base is None:
        base = base_of(scenario, path)
    elif base.id != base_of(scenario, path).id:
        raise DefinitionError(
            Problem(
                "invalid-value",
                T(
                    "the scenario changes {definition}, not {id}",
                    definition=repr(scenario.definition),
                    id=repr(base.id),
                ),
                doc.location(("definition",)),
            )
        )
    changed, problems = apply_changes(base, scenario, doc)
    return Loaded(scenario, base, changed, tuple(problems), doc)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (its changes are applied by :func:`apply`); raise
    :class:`DefinitionError` when the file cannot be read or does not have a scenario's shape."""
    doc, problems = read_file(path)
    if problems:
        raise DefinitionError(problems)
    scenario, problems = validate_scenario(doc)
    if scenario is None:
        raise DefinitionError(problems)
    return scenario


# --- what-if: scores and ranks before and after -----------------------------------------------


@dataclass(frozen=True)
class Mover:
    """A criterion whose points for this unit change under the scenario."""

    id: str
    title: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class UnitChange:
    unit_id: str
    unit_name: str | None
    before: Decimal
    after: Decimal
    max_before: Decimal
    max_after: Decimal
    rank_before: int
    rank_after: int
    movers: tuple[Mover, ...]
    """Criteria whose points changed, largest change first."""
    points_before: Decimal | None = None
    """The unit's total before and after, each beside its applicable maximum (#13)."""
    points_after: Decimal | None = None
    applicable_max_before: Decimal | None = None
    applicable_max_after: Decimal | None = None

    @property
    def delta(self) -> Decimal:
        return self.after - self.before

    @property
    def rank_change(self) -> int:
        """Places gained (positive) or lost (negative)."""
        return self.rank_before - self.rank_after

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        return {
            "unit": {"id": self.unit_id, "name": self.unit_name},
            "before": {
                "score": plain(self.before),
                "max": plain(self.max_before),
                "rank": self.rank_before,
                **_totals(self.points_before, self.applicable_max_before),
            },
            "after": {
                "score": plain(self.after),
                "max": plain(self.max_after),
                "rank": self.rank_after,
                **_totals(self.points_after, self.applicable_max_after),
            },
            "delta": plain(self.delta),
            "rank_change": self.rank_change,
            "moved_by": [
                {
                    "id": m.id,
                    "title": m.title,
                    "before": plain(m.before),
                    "after": plain(m.after),
                    "delta": plain(m.delta),
                }
                for m in self.movers[:top]
            ],
        }


def _totals(points: Decimal | None, maximum: Decimal | None) -> dict[str, str]:
    if points is None or maximum is None:
        return {}
    return {"points": plain(points), "applicable_max": plain(maximum)}


@dataclass(frozen=True)
class WhatIf:
    definition: str
    scenario: str
    by: str
    units: tuple[UnitChange, ...]
    """In the order of the ranking after the scenario."""
    unranked: tuple[tuple[str, tuple[Problem, ...]], ...] = ()
    """The units with refused values (under either version), with their problems: not ranked (#11)."""

    @property
    def moved(self) -> list[UnitChange]:
        return [u for u in self.units if u.rank_change]

    def to_dict(self, top: int | None = 3) -> dict[str, Any]:
        return {
            "definition": self.definition,
            "scenario": self.scenario,
            "ranked_by": self.by,
            "units_changed_rank": len(self.moved),
            "units": [u.to_dict(top) for u in self.units],
            "unranked": [
                {"unit_id": unit_id, "problems": [p.to_dict() for p in problems]}
                for unit_id, problems in self.unranked
            ],
        }


def _rank(results: Sequence[Any], by: str) -> dict[str, tuple[int, Decimal, Decimal]]:
    """unit id → (rank, score, max), with :func:`cds_index.analyse.ranking.rank` (ties as declared)."""
    from .ranking import rank

    return {r.unit_id: (r.rank, r.score, r.max) for r in rank(results, by)}


def whatif(
    base: Definition,
    changed: Definition,
    units: Iterable[Any],
    *,
    by: str | None = None,
    lang: Lang = "vi",
    name: str | None = None,
) -> WhatIf:
    """Score every unit under ``base`` and ``changed``; ranks before and after, and the criteria that moved.

    ``units`` are :class:`~cds_index.read.inputs.UnitInputs` (parse them against ``changed``, which declares
    every input the scenario adds). ``by``: the measure both rankings use, default the base
    definition's declared one (:func:`cds_index.analyse.ranking.measure_of`).
    """
    from ..engine.evaluate import score, standings
    from .ranking import chosen

    by = chosen(base, by)

    units = list(units)
    # rank criteria (#13): each version ranks the units by its own rules and values
    peers_before, peers_after = standings(base, units), standings(changed, units)
    before, after = [], []
    for unit in units:
        before.append(score(base, unit, lang=lang, peers=peers_before))
        after.append(score(changed, unit, lang=lang, peers=peers_after))
    ids = [r.unit_id for r in before]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        from ..errors import UsageError

        raise UsageError(
            Problem("usage", T("unit ids must be unique to rank them: {ids}", ids=", ".join(dupes[:5])))
        )
    # a unit with refused values, under either version, is not ranked: listed apart (as `rank` does)
    pairs = [(old, new) for old, new in zip(before, after, strict=True) if old.ok and new.ok]
    unranked = tuple(
        (
            old.unit_id,
            tuple(dict.fromkeys(p for p in (*old.problems, *new.problems) if p.severity == "error")),
        )
        for old, new in zip(before, after, strict=True)
        if not (old.ok and new.ok)
    )
    rank_before = _rank([old for old, _ in pairs], by)
    rank_after = _rank([new for _, new in pairs], by)
    changes = []
    for old, new in pairs:
        old_points = {c.id: (c.title, c.points) for c in old.criteria()}
        new_points = {c.id: (c.title, c.points) for c in new.criteria()}
        movers = []
        for cid in dict.fromkeys([*old_points, *new_points]):
            title, a = old_points.get(cid, (new_points.get(cid, ("", ZERO))[0], ZERO))
            b = new_points.get(cid, (title, ZERO))[1]
            if a != b:
                movers.append(Mover(cid, new_points.get(cid, (title,))[0], a, b))
        movers.sort(key=lambda m: (-abs(m.delta), m.id))
        rb, sb, mb = rank_before[old.unit_id]
        ra, sa, ma = rank_after[new.unit_id]
        changes.append(
            UnitChange(
                old.unit_id,
                old.unit_name,
                sb,
                sa,
                mb,
                ma,
                rb,
                ra,
                tuple(movers),
                old.points,
                new.points,
                old.max,
                new.max,
            )
        )
    changes.sort(key=lambda u: (u.rank_after, u.unit_id))
    return WhatIf(base.id, name or changed.id, by, tuple(changes), unranked)


def _signed(d: Decimal, lang: Lang, places: int | None = None) -> str:
    text = show(d, lang, places)
    return text if d < 0 or text.lstrip("-") in {"0"} else "+" + text


def _moved_by(u: UnitChange, lang: Lang, top: int) -> str:
    return ", ".join(f"{m.id} {_signed(m.delta, lang, 2)}" for m in u.movers[:top]) or "—"


def _scored(
    score: Decimal,
    top: Decimal,
    points: Decimal | None,
    maximum: Decimal | None,
    by: str,
    lang: Lang,
    places: int,
) -> str:
    """``79,32/100 (234/295)``: the measure ranked by, then the total beside the applicable maximum."""
    text = f"{show(score, lang, places)}/{show(top, lang, places)}"
    if by != "total" and points is not None and maximum is not None:
        text += f" ({show(points, lang, places)}/{show(maximum, lang, places)})"
    return text


HEADERS: tuple[Message | str, ...] = (
    T("Rank after"),
    T("Rank before"),
    "±",
    T("Unit"),
    T("Before"),
    T("After"),
    T("Change"),
    T("Moved by"),
)
"""The columns of the what-if table, in the catalogue (the units' names are theirs)."""


def render_table(
    w: WhatIf, *, lang: Lang = "vi", top: int = 3, places: int = 2, markdown: bool = False
) -> str:
    """Each unit: rank before → after, score before → after, and the criteria that moved it most."""
    head = [render(word, lang) for word in HEADERS]
    rows = []
    for u in w.units:
        rows.append(
            [
                str(u.rank_after),
                str(u.rank_before),
                f"{u.rank_change:+d}" if u.rank_change else "0",
                u.unit_name or u.unit_id,
                _scored(u.before, u.max_before, u.points_before, u.applicable_max_before, w.by, lang, places),
                _scored(u.after, u.max_after, u.points_after, u.applicable_max_after, w.by, lang, places),
                _signed(u.delta, lang, places),
                _moved_by(u, lang, top),
            ]
        )
    title = render(
        T(
            "Scenario {scenario} — {definition} — ranked by {by}",
            scenario=w.scenario,
            definition=w.definition,
            by=w.by,
        ),
        lang,
    )
    summary = render(T("{moved}/{units} units change rank", moved=len(w.moved), units=len(w.units)), lang)
    if markdown:
        lines = [
            f"**{title}**",
            "",
            "| " + " | ".join(head) + " |",
            "|" + "---:|" * 3 + "---|" + "---:|" * 3 + "---|",
        ]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join([*lines, "", summary]) + "\n"
    # a unit's name is shown whole: a name cut mid-word is neither the unit's name nor readable (#12)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        out = []
        for i, c in enumerate(cells):
            out.append(c.ljust(widths[i]) if i in (3, 7) else c.rjust(widths[i]))
        return "  ".join(out).rstrip()

    return (
        "\n".join([title, "", line(head), line(["-" * n for n in widths]), *map(line, rows), "", summary])
        + "\n"
    )


__all__ = [
    "AddChange",
    "Change",
    "InputChange",
    "Mover",
    "PointsChange",
    "RemoveChange",
    "RuleChange",
    "Scenario",
    "StepChange",
    "TargetChange",
    "TitleChange",
    "UnitChange",
    "WhatIf",
    "apply",
    "apply_changes",
    "base_of",
    "change_definition",
    "load_scenario",
    "read_scenario",
    "render_table",
    "whatif",
]
