"""What changed between two versions of an index: criteria added, removed, renumbered, re-pointed, re-ruled.

Nodes are matched in three passes, so that a renumbering is told apart from a removal plus an addition:

1. the same id and the same title;
2. among the rest, the same title (normalised: NFC, case, spaces, trailing punctuation) → *renumbered*;
3. among the rest, the same id → the same node, *retitled*.

Whatever is left in the old version was *removed*, in the new one *added*. A matched pair whose points
differ is *re-pointed*; one whose rule differs in kind or in any parameter (provenance — ``text`` and
``assumed`` — is not a parameter) has its *rule changed*. Inputs are compared by name: *added*,
*removed*, or *changed* (a field of the declaration: label, type, unit, range, choices).

>>> import cds_index
>>> from cds_index.analyse.diff import diff
>>> d = cds_index.load("hai-duong-707-district")
>>> diff(d, d).is_empty
True
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..formats.model import Definition, Node
from ..numbers import ZERO, plain

_PROVENANCE = {"text", "assumed", "printed"}


@dataclass(frozen=True)
class NodeRef:
    """One node as the diff reports it."""

    id: str
    title: str
    points: Decimal | None
    criterion: bool
    parent: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "points": _num(self.points),
            "criterion": self.criterion,
            "parent": self.parent,
        }


@dataclass(frozen=True)
class Renumbered:
    old_id: str
    new_id: str
    title: str
    old_parent: str | None
    new_parent: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_id": self.old_id,
            "new_id": self.new_id,
            "title": self.title,
            "old_parent": self.old_parent,
            "new_parent": self.new_parent,
        }


@dataclass(frozen=True)
class Retitled:
    id: str
    old_title: str
    new_title: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "old_title": self.old_title, "new_title": self.new_title}


@dataclass(frozen=True)
class Repointed:
    old_id: str
    new_id: str
    title: str
    before: Decimal | None
    after: Decimal | None
    criterion: bool

    @property
    def delta(self) -> Decimal:
        return (self.after or ZERO) - (self.before or ZERO)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_id": self.old_id,
            "new_id": self.new_id,
            "title": self.title,
            "before": _num(self.before),
            "after": _num(self.after),
            "delta": plain(self.delta),
            "criterion": self.criterion,
        }


@dataclass(frozen=True)
class RuleChanged:
    old_id: str
    new_id: str
    title: str
    before_kind: str
    after_kind: str
    changes: tuple[tuple[str, Any, Any], ...]
    """``(parameter, before, after)`` for every parameter that differs (all of them when the kind changed)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "old_id": self.old_id,
            "new_id": self.new_id,
            "title": self.title,
            "before_kind": self.before_kind,
            "after_kind": self.after_kind,
            "changes": [
                {"parameter": k, "before": _jsonable(b), "after": _jsonable(a)} for k, b, a in self.changes
            ],
        }


@dataclass(frozen=True)
class InputRef:
    """One declared input as the diff reports it (#13)."""

    name: str
    label: str
    type: str
    unit: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type, "unit": self.unit}


@dataclass(frozen=True)
class InputChanged:
    """An input declared in both versions, with a field that differs (label, type, unit, range …)."""

    name: str
    changes: tuple[tuple[str, Any, Any], ...]
    """``(field, before, after)``."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "changes": [
                {"field": k, "before": _jsonable(b), "after": _jsonable(a)} for k, b, a in self.changes
            ],
        }


@dataclass(frozen=True)
class Side:
    """What identifies one version: id, decision, effective period, file."""

    id: str
    decision: str
    effective_from: str
    effective_to: str | None
    origin: str | None
    stated_total: Decimal | None
    achievable: Decimal
    pillars: tuple[tuple[str, Decimal | None], ...]
    criteria: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "decision": self.decision,
            "effective_from": self.effective_from,
            "effective_to": self.effective_to,
            "file": self.origin,
            "stated_total": _num(self.stated_total),
            "achievable": plain(self.achievable),
            "pillars": {pid: _num(points) for pid, points in self.pillars},
            "criteria": self.criteria,
        }


@dataclass(frozen=True)
class Diff:
    """Every difference between ``old`` and ``new``, in the new version's order where it has one."""

    old: Side
    new: Side
    added: tuple[NodeRef, ...] = ()
    removed: tuple[NodeRef, ...] = ()
    renumbered: tuple[Renumbered, ...] = ()
    retitled: tuple[Retitled, ...] = ()
    repointed: tuple[Repointed, ...] = ()
    rules: tuple[RuleChanged, ...] = ()
    metadata: tuple[tuple[str, Any, Any], ...] = ()
    """Definition-level fields that differ (title, decision, effective, index method, …)."""
    inputs_added: tuple[InputRef, ...] = ()
    inputs_removed: tuple[InputRef, ...] = ()
    inputs_changed: tuple[InputChanged, ...] = ()
    """Inputs, by name: what a unit's data must give under the new version that it did not (#13)."""

    @property
    def is_empty(self) -> bool:
        return not (
            self.inputs_added
            or self.inputs_removed
            or self.inputs_changed
            or self.added
            or self.removed
            or self.renumbered
            or self.retitled
            or self.repointed
            or self.rules
            or self.metadata
            or self.old.stated_total != self.new.stated_total
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "totals": {
                "stated": {"before": _num(self.old.stated_total), "after": _num(self.new.stated_total)},
                "achievable": {"before": plain(self.old.achievable), "after": plain(self.new.achievable)},
            },
            "added": [n.to_dict() for n in self.added],
            "removed": [n.to_dict() for n in self.removed],
            "renumbered": [r.to_dict() for r in self.renumbered],
            "retitled": [r.to_dict() for r in self.retitled],
            "repointed": [r.to_dict() for r in self.repointed],
            "rules_changed": [r.to_dict() for r in self.rules],
            "metadata": [
                {"field": k, "before": _jsonable(b), "after": _jsonable(a)} for k, b, a in self.metadata
            ],
            "inputs": {
                "added": [i.to_dict() for i in self.inputs_added],
                "removed": [i.to_dict() for i in self.inputs_removed],
                "changed": [i.to_dict() for i in self.inputs_changed],
            },
        }


# --- computing the diff -----------------------------------------------------------------------


def normalise_title(title: str) -> str:
    """The title as compared: NFC, case-folded, runs of spaces collapsed, trailing punctuation dropped."""
    text = unicodedata.normalize("NFC", title).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(" .;:,")


def _flatten(definition: Definition) -> dict[str, tuple[Node, str | None]]:
    return {node.id: (node, parents[-1].id if parents else None) for parents, node in definition.walk()}


def _side(definition: Definition) -> Side:
    from ..check.validate import achievable

    return Side(
        definition.id,
        definition.decision.number,
        definition.effective.from_.isoformat(),
        definition.effective.to.isoformat() if definition.effective.to else None,
        definition._origin,
        definition.total,
        sum((achievable(p) for p in definition.tree), ZERO),
        tuple((p.id, p.points) for p in definition.tree),
        len(definition.criteria()),
    )


def match_nodes(old: Definition, new: Definition) -> list[tuple[str, str]]:
    """Pairs ``(old id, new id)`` of the nodes that are the same criterion or group, in the new order."""
    old_nodes, new_nodes = _flatten(old), _flatten(new)
    pairs: dict[str, str] = {}  # new id → old id
    for nid, (node, _) in new_nodes.items():
        if nid in old_nodes and normalise_title(old_nodes[nid][0].title) == normalise_title(node.title):
            pairs[nid] = nid
    taken_old = set(pairs.values())
    # by title: several rows may share a title ("Khác"); pair them in order of appearance
    by_title: dict[str, list[str]] = defaultdict(list)
    for oid, (node, _) in old_nodes.items():
        if oid not in taken_old:
            by_title[normalise_title(node.title)].append(oid)
    for nid, (node, _) in new_nodes.items():
        if nid in pairs:
            continue
        waiting = by_title.get(normalise_title(node.title))
        if waiting:
            pairs[nid] = waiting.pop(0)
    taken_old = set(pairs.values())
    for nid in new_nodes:
        if nid not in pairs and nid in old_nodes and nid not in taken_old:
            pairs[nid] = nid
            taken_old.add(nid)
    return [(pairs[nid], nid) for nid in new_nodes if nid in pairs]


def _parameters(rule: Any) -> dict[str, Any]:
    if rule is None:
        return {}
    data: dict[str, Any] = rule.model_dump(mode="python", by_alias=True, exclude_none=True)
    return {k: v for k, v in data.items() if k not in _PROVENANCE}


def _rule_change(old: Node, new: Node) -> tuple[str, str, tuple[tuple[str, Any, Any], ...]] | None:
    before = old.rule if old.rule is not None else old.targets
    after = new.rule if new.rule is not None else new.targets
    if before is None and after is None:
        return None
    kind_before = before.kind if before is not None else "none"
    kind_after = after.kind if after is not None else "none"
    a, b = _parameters(before), _parameters(after)
    if a == b:
        return None
    keys = [k for k in a if k != "kind"] + [k for k in b if k not in a and k != "kind"]
    changes = tuple((k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k))
    return kind_before, kind_after, changes


def _input_ref(name: str, spec: Any) -> InputRef:
    return InputRef(name, spec.label, spec.type, spec.unit)


def diff_inputs(
    old: Definition, new: Definition
) -> tuple[tuple[InputRef, ...], tuple[InputRef, ...], tuple[InputChanged, ...]]:
    """Inputs added, removed, and declared in both with a field that differs, by name, in declared order."""
    added = tuple(_input_ref(n, spec) for n, spec in new.inputs.items() if n not in old.inputs)
    removed = tuple(_input_ref(n, spec) for n, spec in old.inputs.items() if n not in new.inputs)
    changed = []
    for name, spec in new.inputs.items():
        if name not in old.inputs:
            continue
        a = old.inputs[name].model_dump(mode="python", exclude_none=True)
        b = spec.model_dump(mode="python", exclude_none=True)
        fields = tuple((k, a.get(k), b.get(k)) for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k))
        if fields:
            changed.append(InputChanged(name, fields))
    return added, removed, tuple(changed)


_META_FIELDS = ("title", "issuer", "level", "scoring", "decision", "effective", "index", "years")


def diff(old: Definition, new: Definition) -> Diff:
    """Compare two versions of an index (or any two definitions)."""
    old_nodes, new_nodes = _flatten(old), _flatten(new)
    pairs = match_nodes(old, new)
    matched_old = {o for o, _ in pairs}
    matched_new = {n for _, n in pairs}

    def ref(node: Node, parent: str | None) -> NodeRef:
        return NodeRef(node.id, node.title, node.points, node.is_leaf, parent)

    added = tuple(ref(n, p) for nid, (n, p) in new_nodes.items() if nid not in matched_new)
    removed = tuple(ref(n, p) for oid, (n, p) in old_nodes.items() if oid not in matched_old)
    renumbered, retitled, repointed, rules = [], [], [], []
    for oid, nid in pairs:
        (o, op), (n, np_) = old_nodes[oid], new_nodes[nid]
        if oid != nid:
            renumbered.append(Renumbered(oid, nid, n.title, op, np_))
        elif normalise_title(o.title) != normalise_title(n.title):
            retitled.append(Retitled(nid, o.title, n.title))
        if o.points != n.points:
            repointed.append(Repointed(oid, nid, n.title, o.points, n.points, n.is_leaf))
        change = _rule_change(o, n)
        if change is not None:
            rules.append(RuleChanged(oid, nid, n.title, *change))
    metadata = []
    for name in _META_FIELDS:
        a, b = getattr(old, name), getattr(new, name)
        a = a.model_dump(mode="json", by_alias=True) if hasattr(a, "model_dump") else a
        b = b.model_dump(mode="json", by_alias=True) if hasattr(b, "model_dump") else b
        if a != b:
            metadata.append((name, a, b))
    return Diff(
        _side(old),
        _side(new),
        added,
        removed,
        tuple(renumbered),
        tuple(retitled),
        tuple(repointed),
        tuple(rules),
        tuple(metadata),
        *diff_inputs(old, new),
    )


# --- rendering --------------------------------------------------------------------------------


def _num(d: Decimal | None) -> str | None:
    return None if d is None else plain(d)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _brief(value: Any) -> str:
    """A parameter value in one short line: steps as bands, mappings as ``k=v``."""
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return plain(value)
    if (
        isinstance(value, list)
        and value
        and isinstance(value[0], dict)
        and ("percent" in value[0] or "points" in value[0])
    ):
        bands = []
        for step in value:
            low, high = step.get("min"), step.get("max")
            lo = "" if low is None else f"{'≥' if step.get('min_inclusive', True) else '>'}{plain(low)}"
            hi = "" if high is None else f"{'≤' if step.get('max_inclusive', False) else '<'}{plain(high)}"
            award = (
                f"{plain(step['percent'])}%"
                if step.get("percent") is not None
                else f"{plain(step['points'])} pt"
            )
            bands.append(f"[{' '.join(x for x in (lo, hi) if x) or '*'}: {award}]")
        return " ".join(bands)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_brief(v)}" for k, v in value.items() if v is not None) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_brief(v) for v in value) + "]"
    text = str(value)
    return text if len(text) <= 100 else text[:99] + "…"


def _pts(d: Decimal | None) -> str:
    return "—" if d is None else plain(d)


def _moved(old: str, new: str) -> str:
    return old if old == new else f"{old} → {new}"


def render_text(d: Diff) -> str:
    """For the terminal: one section per kind of change, the totals first."""
    lines = [
        f"{d.old.id} ({d.old.decision}, from {d.old.effective_from}) → "
        f"{d.new.id} ({d.new.decision}, from {d.new.effective_from})",
        f"stated total: {_pts(d.old.stated_total)} → {_pts(d.new.stated_total)}; "
        f"achievable: {plain(d.old.achievable)} → {plain(d.new.achievable)}; "
        f"criteria: {d.old.criteria} → {d.new.criteria}",
    ]
    pillars_old, pillars_new = dict(d.old.pillars), dict(d.new.pillars)
    for pid in dict.fromkeys([*pillars_old, *pillars_new]):
        lines.append(
            f"  {pid}: {_pts(pillars_old.get(pid))} → {_pts(pillars_new.get(pid))}"
            if pid in pillars_old and pid in pillars_new
            else f"  {pid}: {'added' if pid in pillars_new else 'removed'} "
            f"({_pts(pillars_new.get(pid, pillars_old.get(pid)))})"
        )
    for name, before, after in d.metadata:
        lines.append(f"{name}: {_brief(before)} → {_brief(after)}")

    def section(title: str, rows: list[str]) -> None:
        if rows:
            lines.append("")
            lines.append(f"{title} ({len(rows)}):")
            lines.extend(f"  {row}" for row in rows)

    section("added", [f"+ {n.id} [{_pts(n.points)}] {n.title}" for n in d.added])
    section("removed", [f"- {n.id} [{_pts(n.points)}] {n.title}" for n in d.removed])
    section("renumbered", [f"{r.old_id} → {r.new_id}  {r.title}" for r in d.renumbered])
    section("retitled", [f"{r.id}: “{r.old_title}” → “{r.new_title}”" for r in d.retitled])
    section(
        "re-pointed",
        [
            f"{_moved(r.old_id, r.new_id)}: {_pts(r.before)} → {_pts(r.after)} ({'+' if r.delta > 0 else ''}"
            f"{plain(r.delta)})  {r.title}"
            for r in d.repointed
        ],
    )
    rows = []
    for r in d.rules:
        kind = r.after_kind if r.before_kind == r.after_kind else f"{r.before_kind} → {r.after_kind}"
        params = "; ".join(f"{k}: {_brief(b)} → {_brief(a)}" for k, b, a in r.changes)
        rows.append(f"{_moved(r.old_id, r.new_id)} ({kind}): {params}")
    section("rules changed", rows)
    section("inputs added", [f"+ {i.name} ({i.type}, {i.unit}) {i.label}" for i in d.inputs_added])
    section("inputs removed", [f"- {i.name} ({i.type}, {i.unit}) {i.label}" for i in d.inputs_removed])
    section(
        "inputs changed",
        [
            f"{i.name}: " + "; ".join(f"{k}: {_brief(b)} → {_brief(a)}" for k, b, a in i.changes)
            for i in d.inputs_changed
        ],
    )
    if d.is_empty:
        lines.append("no differences")
    return "\n".join(lines) + "\n"


def _esc(cell: Any) -> str:
    return str(cell).replace("|", "\\|").replace("\n", " ")


def render_markdown(d: Diff) -> str:
    """For a pull request or a report: a totals table and one table per kind of change."""
    lines = [
        f"# {d.old.id} → {d.new.id}",
        "",
        "| | before | after |",
        "|---|---:|---:|",
        f"| decision | {d.old.decision} | {d.new.decision} |",
        f"| in force from | {d.old.effective_from} | {d.new.effective_from} |",
        f"| stated total | {_pts(d.old.stated_total)} | {_pts(d.new.stated_total)} |",
        f"| achievable | {plain(d.old.achievable)} | {plain(d.new.achievable)} |",
        f"| criteria | {d.old.criteria} | {d.new.criteria} |",
    ]
    pillars_old, pillars_new = dict(d.old.pillars), dict(d.new.pillars)
    for pid in dict.fromkeys([*pillars_old, *pillars_new]):
        lines.append(f"| pillar {pid} | {_pts(pillars_old.get(pid))} | {_pts(pillars_new.get(pid))} |")

    def table(title: str, head: list[str], rows: list[list[Any]]) -> None:
        if not rows:
            return
        lines.extend(
            ["", f"## {title} ({len(rows)})", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        )
        lines.extend("| " + " | ".join(_esc(c) for c in row) + " |" for row in rows)

    table("Added", ["id", "title", "points"], [[n.id, n.title, _pts(n.points)] for n in d.added])
    table("Removed", ["id", "title", "points"], [[n.id, n.title, _pts(n.points)] for n in d.removed])
    table("Renumbered", ["old id", "new id", "title"], [[r.old_id, r.new_id, r.title] for r in d.renumbered])
    table("Retitled", ["id", "before", "after"], [[r.id, r.old_title, r.new_title] for r in d.retitled])
    table(
        "Re-pointed",
        ["id", "title", "before", "after", "change"],
        [
            [
                _moved(r.old_id, r.new_id),
                r.title,
                _pts(r.before),
                _pts(r.after),
                ("+" if r.delta > 0 else "") + plain(r.delta),
            ]
            for r in d.repointed
        ],
    )
    table(
        "Rules changed",
        ["id", "kind", "parameter", "before", "after"],
        [
            [
                _moved(r.old_id, r.new_id),
                r.after_kind if r.before_kind == r.after_kind else f"{r.before_kind} → {r.after_kind}",
                k,
                _brief(b),
                _brief(a),
            ]
            for r in d.rules
            for k, b, a in r.changes
        ],
    )
    table("Other fields", ["field", "before", "after"], [[k, _brief(b), _brief(a)] for k, b, a in d.metadata])
    table(
        "Inputs added",
        ["input", "label", "type", "unit"],
        [[i.name, i.label, i.type, i.unit] for i in d.inputs_added],
    )
    table(
        "Inputs removed",
        ["input", "label", "type", "unit"],
        [[i.name, i.label, i.type, i.unit] for i in d.inputs_removed],
    )
    table(
        "Inputs changed",
        ["input", "field", "before", "after"],
        [[i.name, k, _brief(b), _brief(a)] for i in d.inputs_changed for k, b, a in i.changes],
    )
    return "\n".join(lines) + "\n"


def changed_ids(d: Diff) -> set[str]:
    """Every new-version id touched by the diff (for filters and reports)."""
    ids = {n.id for n in d.added}
    ids |= {r.new_id for r in d.renumbered} | {r.id for r in d.retitled}
    ids |= {r.new_id for r in d.repointed} | {r.new_id for r in d.rules}
    return ids


__all__ = [
    "Diff",
    "InputChanged",
    "InputRef",
    "changed_ids",
    "diff",
    "diff_inputs",
    "match_nodes",
    "normalise_title",
    "render_markdown",
    "render_text",
]
