"""Static checks of a definition: ids, sums, errata, inputs, units, steps, formulas, targets."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from ..engine.evaluate import compile_definition
from ..errors import Location, Problem, did_you_mean
from ..formats import units
from ..formats.model import ERRATUM_KINDS, Definition, Node, rule_inputs
from ..i18n import Message, T
from ..numbers import ZERO, plain
from ..read.loader import Document
from ..rules.common import SCALE_WORDS
from .constraints import names


def _paths(definition: Definition) -> Iterator[tuple[tuple[str | int, ...], tuple[str, ...], Node]]:
    """Yield ``(document path, criterion path, node)`` for every node."""

    def walk(node: Node, path: tuple[str | int, ...], ids: tuple[str, ...]) -> Iterator[Any]:
        ids = (*ids, node.id)
        yield path, ids, node
        for index, child in enumerate(node.children or ()):
            yield from walk(child, (*path, "children", index), ids)

    for index, pillar in enumerate(definition.tree):
        yield from walk(pillar, ("tree", index), ())


def check_definition(definition: Definition, doc: Document | None = None) -> list[Problem]:
    """Every finding about a definition, errors and notes alike, in document order.

    Known discrepancies recorded in the errata come back with severity ``info``; they do not fail.
    """
    doc = doc or Document(None, None)
    problems: list[Problem] = []

    def at(path: tuple[str | int, ...], *, key: bool = False) -> Location:
        return doc.location(path, key=key)

    nodes: dict[str, tuple[tuple[str | int, ...], tuple[str, ...], Node]] = {}
    ids = Counter(node.id for _, _, node in _paths(definition))
    errata = {(e.node, e.kind): (i, e) for i, e in enumerate(definition.errata)}
    used_errata: set[int] = set()
    points_mode = definition.scoring == "points"
    problems.extend(_title_problems(definition.title, at(("title",))))

    for path, crumbs, node in _paths(definition):
        if ids[node.id] > 1 and node.id in nodes:
            first = nodes[node.id][0]
            problems.append(
                Problem(
                    "duplicate-id",
                    T(
                        "the id {id} is used twice (first at line {line})",
                        id=repr(node.id),
                        line=str(at(first).line),
                    ),
                    at((*path, "id")),
                    crumbs,
                    hint=T(
                        "if the decision prints the same number twice, give the later row the next free "
                        "number and record the printed one in `errata` (`kind: duplicate-number`)"
                    ),
                )
            )
            continue
        nodes[node.id] = (path, crumbs, node)
        problems.extend(_title_problems(node.title, at((*path, "title")), crumbs))
        filled = [name for name in ("children", "rule", "targets") if getattr(node, name)]
        if len(filled) > 1:
            problems.append(
                Problem(
                    "node-rule-and-children",
                    T(
                        "{id} has {keys}; a node has exactly one",
                        id=node.id,
                        keys=_and([f"`{name}`" for name in filled]),
                    ),
                    at(path),
                    crumbs,
                )
            )
        elif not filled:
            need = "`rule`" if points_mode else "`targets`"
            problems.append(
                Problem(
                    "leaf-without-rule",
                    T("criterion {id} has no children and no rule: give it {need}", id=node.id, need=need),
                    at(path),
                    crumbs,
                )
            )
        if points_mode and node.points is None and not node.children and not _outside_maximum(node):
            problems.append(
                Problem("missing-key", T("criterion {id} has no `points`", id=node.id), at(path), crumbs)
            )
        if points_mode and len(crumbs) == 1 and getattr(node.rule, "deducts_from", None) == "parent":
            problems.append(
                Problem(
                    "rule-points",
                    T(
                        "{id} is a pillar: a deduction from the parent needs a parent to come off; put it "
                        "under the pillar it deducts from",
                        id=node.id,
                    ),
                    at((*path, "rule", "deducts_from")),
                    crumbs,
                )
            )
        if not points_mode and node.rule is not None:
            problems.append(
                Problem(
                    "invalid-value",
                    T("a `scoring: targets` definition has targets, not rules"),
                    at((*path, "rule")),
                    crumbs,
                )
            )
        if points_mode and node.targets is not None:
            problems.append(
                Problem(
                    "invalid-value",
                    T("a `scoring: points` definition has rules, not targets"),
                    at((*path, "targets")),
                    crumbs,
                )
            )

        # a parent's stated points against the sum of its children, exactly
        # (a criterion without points is reported above; summing it as 0 would only repeat that)
        if (
            points_mode
            and node.children
            and node.points is not None
            and all(child.points is not None or child.children for child in node.children)
        ):
            # one level at a time, against the children's own printed points: no cascades
            total = sum((_stated(child) for child in node.children), ZERO)
            problems.extend(
                _compare(
                    node.id,
                    node.points,
                    total,
                    "points-mismatch",
                    errata,
                    used_errata,
                    at((*path, "points")),
                    crumbs,
                    doc,
                    T(
                        "{id} states {points} points but its children add up to {total}",
                        id=node.id,
                        points=node.points,
                        total=total,
                    ),
                )
            )
        if node.targets is not None:
            problems.extend(_check_targets(definition, node, path, crumbs, at))

    if points_mode and definition.total is not None:
        total = sum((_stated(p) for p in definition.tree), ZERO)
        problems.extend(
            _compare(
                "total",
                definition.total,
                total,
                "total-mismatch",
                errata,
                used_errata,
                at(("total",)),
                (),
                doc,
                T(
                    "the stated total is {points} but the pillars add up to {total}",
                    points=definition.total,
                    total=total,
                ),
            )
        )

    # rules and yearly targets: inputs, types, units, steps, formulas, states (compiled once, here)
    for node_id, code, message in compile_definition(definition).problems:
        if code == "unit-unknown":
            continue  # reported once below, at the input's `unit:`, not again at every rule using it
        path, crumbs, node = nodes[node_id]
        where = (*path, "rule" if node.rule else "targets", *_within(message))
        problems.append(Problem(code, message, at(where), crumbs))

    for name, spec in definition.inputs.items():
        seen: dict[str, int] = {}
        for index, choice in enumerate(spec.choices or ()):
            # a value is read as the first choice it folds to (NFC, case, spaces): a second is unreachable
            earlier = seen.setdefault(" ".join(choice.casefold().split()), index)
            if earlier != index:
                problems.append(
                    Problem(
                        "invalid-value",
                        T(
                            "the choice {choice} is listed twice (as {first}): list each state once",
                            choice=repr(choice),
                            first=repr(spec.choices[earlier]) if spec.choices else "",
                        ),
                        at(("inputs", name, "choices", index)),
                    )
                )
        parsed = units.parse(spec.unit)
        if isinstance(parsed, str):
            problems.append(
                Problem(
                    "unit-unknown",
                    T("input {name}: {message}", name=repr(name), message=parsed),
                    at(("inputs", name, "unit")),
                )
            )
        elif units.scale(spec.unit) == "percent" and spec.max is not None and 0 < spec.max <= 1:
            problems.append(
                Problem(
                    "scale-mismatch",
                    T(
                        "input {name} is in {unit}, read as {scale_words}, but its `max` is {max}: "
                        "write max: {hundred}, or declare `unit: fraction` if its values are written 0–1",
                        name=repr(name),
                        unit=spec.unit,
                        scale_words=SCALE_WORDS["percent"],
                        max=plain(spec.max),
                        hundred=plain(spec.max * 100),
                    ),
                    at(("inputs", name, "max")),
                )
            )
    problems.extend(_check_constraints(definition, at))
    for path, crumbs, node in _paths(definition) if points_mode else []:
        problems.extend(_formula_ranges(definition, node, path, crumbs, at))
    problems.extend(_check_index_alternatives(definition, at))
    problems.extend(_check_index_and_ranking(definition, at))
    for path, crumbs, node in _paths(definition) if points_mode else []:
        if node.rule is not None and node.rule.alternatives:
            problems.extend(_check_alternatives(definition, node, path, crumbs, at))
    used = {n for _, node in definition.walk() if node.rule for n in rule_inputs(node.rule)}
    used |= {
        n
        for _, node in definition.walk()
        if node.rule
        for alt in node.rule.alternatives or ()
        if alt.rule
        for n in rule_inputs(alt.rule)
    }
    used |= {node.targets.input for _, node in definition.walk() if node.targets}
    for name in _formula_names(definition):
        used.add(name)
    for name, spec in definition.inputs.items():
        # a general fact (Thông tin chung) is part of the form even when no rule divides by it
        if name not in used and not spec.general:
            problems.append(
                Problem(
                    "unused-input",
                    T("input {name} is declared but no rule uses it", name=repr(name)),
                    at(("inputs", name), key=True),
                    severity="warning",
                )
            )

    for index, erratum in enumerate(definition.errata):
        if erratum.node not in {"total", "document"} and erratum.node not in nodes:
            problems.append(
                Problem(
                    "errata-unknown-node",
                    T("the errata entry names {node}, which is not a node", node=repr(erratum.node)),
                    at(("errata", index, "node")),
                )
            )
        elif erratum.kind in {"points-mismatch", "total-mismatch"} and index not in used_errata:
            problems.append(
                Problem(
                    "errata-mismatch",
                    T(
                        "the errata entry says {node} is inconsistent, but its points add up",
                        node=erratum.node,
                    ),
                    at(("errata", index)),
                    hint=T("remove the entry, or check that the node's points are encoded as printed"),
                )
            )
        elif index not in used_errata:  # every other erratum is listed too, with its kind (#10)
            problems.append(erratum_note(erratum, at(("errata", index))))
    problems.sort(key=lambda p: (p.location.line or 0, p.location.column or 0))
    return problems


def _and(words: list[str]) -> str:
    """``children and rule (and targets)``, with the reader's word for "and"."""
    joined: str = words[0]
    for word in words[1:]:
        joined = T("{first} and {second}", first=joined, second=word)
    return joined


def _check_index_and_ranking(definition: Definition, at: Any) -> list[Problem]:
    """The weights name each pillar once (#13); the ranking's tie-breaks name known measures."""
    problems: list[Problem] = []
    pillars = [p.id for p in definition.tree]
    weights = definition.index.weights or {}
    if weights:
        for name in weights:
            if name not in pillars:
                hint = did_you_mean(name, pillars)
                problems.append(
                    Problem(
                        "index-weights",
                        T(
                            "`index.weights` names {name}, which is not a pillar (pillars: {pillars})",
                            name=repr(name),
                            pillars=", ".join(pillars),
                        ),
                        at(("index", "weights", name)),
                        hint=hint,
                    )
                )
        missing = [p for p in definition.weighed_pillars() if p not in weights]
        if missing:
            problems.append(
                Problem(
                    "index-weights",
                    T(
                        "`index.weights` has no weight for pillar(s) {pillars}: the weighted mean needs one "
                        "per pillar",
                        pillars=", ".join(missing),
                    ),
                    at(("index", "weights")),
                )
            )
    known = ["index", "percent", "total", *pillars]
    for index, name in enumerate(definition.ranking.tie_break):
        if name not in known:
            problems.append(
                Problem(
                    "ranking-measure",
                    T(
                        "`ranking.tie_break` names {name}: use `index`, `percent`, `total` or a pillar id "
                        "({pillars})",
                        name=repr(name),
                        pillars=", ".join(pillars),
                    ),
                    at(("ranking", "tie_break", index)),
                    hint=did_you_mean(name, known),
                )
            )
        elif name == definition.ranking.by:
            problems.append(
                Problem(
                    "ranking-measure",
                    T(
                        "`ranking.tie_break` repeats the ranking measure {name}: a tie on it is still a tie",
                        name=repr(name),
                    ),
                    at(("ranking", "tie_break", index)),
                )
            )
    return problems


def _check_index_alternatives(definition: Definition, at: Any) -> list[Problem]:
    """Each other reading of the index has a unique name and differs from the chosen one (#15)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, alt in enumerate(definition.index.alternatives or ()):
        where = ("index", "alternatives", index)
        if alt.name in seen:
            problems.append(
                Problem(
                    "invalid-value",
                    T("two index alternatives are named {name}", name=repr(alt.name)),
                    at(where),
                )
            )
        seen.add(alt.name)
        if alt.over == "printed" and alt.method != "mean_of_pillar_percentages":
            problems.append(
                Problem(
                    "invalid-value",
                    T(
                        "index alternative {name}: `over: printed` is for the mean of pillar percentages; "
                        "write `method: mean_of_pillar_percentages` or drop `over`",
                        name=repr(alt.name),
                    ),
                    at((*where, "over")),
                )
            )
        elif alt.method == "weighted_mean_of_pillar_percentages" and not definition.index.weights:
            problems.append(
                Problem(
                    "index-weights",
                    f"index alternative {alt.name!r} is a weighted mean, but `index.weights` declares "
                    "no weights to weigh by",
                    at((*where, "method")),
                )
            )
        elif alt.method == definition.index.method and alt.over == "applicable":
            problems.append(
                Problem(
                    "invalid-value",
                    T(
                        "index alternative {name} is the chosen reading (`index.method: {method}`); an "
                        "alternative reads the index another way, e.g. `method: sum`",
                        name=repr(alt.name),
                        method=alt.method,
                    ),
                    at((*where, "method")),
                )
            )
    return problems


# what a title must not hold: C0/C1 controls (tab, newline…), zero-width and bidi controls, a BOM
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _title_problems(title: str, where: Location, crumbs: tuple[str, ...] = ()) -> list[Problem]:
    """A title is printed in tables, forms and reports: a tab or newline breaks their rows, a bidi or
    zero-width character hides what is written; a title of spaces only says nothing."""
    if not title.strip():
        return [Problem("title-text", T("the title is empty: write the decision's words"), where, crumbs)]
    hidden = _HIDDEN.search(title)
    if hidden is None:
        return []
    params = {
        "char": f"U+{ord(hidden.group()):04X}",
        "position": hidden.start() + 1,
        "before": repr(title[: hidden.start()][-30:]),
    }
    if hidden.group() not in "\t\n\r\x0b\x0c\x85":  # an invisible mark: no line to fold (#11)
        message = T(
            "the title has the invisible character {char} at position {position} ({before} …), "
            "often pasted from a PDF or a word processor: delete it",
            **params,
        )
        hint = None
    else:
        message = T(
            "the title has the control character {char} at position {position} ({before} …): "
            "write it on one line with plain spaces",
            **params,
        )
        hint = T("a long title can be folded over several lines with `title: >-`")
    return [Problem("title-text", message, where, crumbs, hint=hint)]


def _check_alternatives(
    definition: Definition, node: Node, path: tuple[str | int, ...], crumbs: tuple[str, ...], at: Any
) -> list[Problem]:
    """Each alternative reading has a unique name and a rule that compiles like the encoded one."""
    from ..rules import compile_rule

    assert node.rule is not None
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, alt in enumerate(node.rule.alternatives or ()):
        where = (*path, "rule", "alternatives", index)
        if alt.name in seen:
            problems.append(
                Problem(
                    "invalid-value",
                    T("two alternatives are named {name}", name=repr(alt.name)),
                    at((*where, "name")),
                    crumbs,
                )
            )
        seen.add(alt.name)
        if alt.rule is None:
            continue
        if alt.rule.alternatives:
            problems.append(
                Problem(
                    "invalid-value",
                    T(
                        "an alternative's rule has alternatives of its own; "
                        "list every reading on the criterion"
                    ),
                    at((*where, "rule")),
                    crumbs,
                )
            )
        _, found = compile_rule(alt.rule, node, definition.inputs)
        for code, message in found:
            if code != "unit-unknown":
                problems.append(
                    Problem(
                        code,
                        T("alternative {name}: {message}", name=repr(alt.name), message=message),
                        at((*where, "rule", *_within(message))),
                        crumbs,
                    )
                )
    return problems


def _check_constraints(definition: Definition, at: Any) -> list[Problem]:
    """Each constraint names two declared number inputs, different ones (issue #10)."""
    problems: list[Problem] = []
    for index, constraint in enumerate(definition.constraints):
        sides = [("input", n) for n in names(constraint.input)] + [("at_most", constraint.at_most)]
        for key, name in sides:
            spec = definition.inputs.get(name)
            where = at(("constraints", index, key))
            if spec is None:
                close = did_you_mean(name, definition.inputs)
                problems.append(
                    Problem(
                        "unknown-input",
                        T(
                            "constraint {key} {name} is not a declared input ({hint})",
                            key=key,
                            name=repr(name),
                            hint=close,
                        )
                        if close
                        else T("constraint {key} {name} is not a declared input", key=key, name=repr(name)),
                        where,
                    )
                )
            elif spec.type not in {"number", "integer"}:
                problems.append(
                    Problem(
                        "input-type-mismatch",
                        T(
                            "constraint {key} {name} is of type {type}; a constraint compares numbers",
                            key=key,
                            name=repr(name),
                            type=spec.type,
                        ),
                        where,
                    )
                )
        if constraint.at_most in names(constraint.input):
            problems.append(
                Problem(
                    "invalid-value",
                    T("constraint compares {name} with itself", name=repr(constraint.at_most)),
                    at(("constraints", index)),
                )
            )
    return problems


_WHOLE: dict[str, Message] = {
    "total": T("the decision's total"),
    "document": T("the whole decision"),
}
"""What an erratum of no node (``node: total`` or ``node: document``) is about."""


def erratum_note(erratum: Any, location: Location) -> Problem:
    """An erratum of a definition or an overlay as a `known-discrepancy` note: kind, node, what.

    The node is the problem's own (rendered once, "(tại I.7)"); an erratum of the whole decision or
    of its total has no node, and the message says what it is about instead.
    """
    kind = ERRATUM_KINDS.get(erratum.kind, erratum.kind)
    whole = _WHOLE.get(erratum.node)
    if whole is not None:
        return Problem(
            "known-discrepancy",
            T("{kind}, {whole}: {note}", kind=kind, whole=whole, note=erratum.note),
            location,
            severity="info",
        )
    return Problem(
        "known-discrepancy",
        T("{kind}: {note}", kind=kind, note=erratum.note),
        location,
        (erratum.node,),
        severity="info",
    )


def _within(message: str) -> tuple[str | int, ...]:
    """Where inside its rule a rule's problem belongs (a table's row, #13): ``()`` for the rule itself."""
    return getattr(message, "path", ())


def _outside_maximum(node: Node) -> bool:
    """A bonus, or a deduction from the parent: a criterion with no points of its own (#13)."""
    kind = getattr(node.rule, "kind", None)
    return kind == "bonus" or (kind == "deduction" and getattr(node.rule, "deducts_from", None) == "parent")


def _stated(node: Node) -> Decimal:
    """A node's printed points, or the sum of its children where it prints none (2263's components)."""
    if node.points is not None:
        return node.points
    return sum((_stated(child) for child in node.children or ()), ZERO)


def achievable(node: Node) -> Decimal:
    """The sum of a node's criteria's points: what a unit can actually earn under it."""
    if not node.children:
        return node.points or ZERO
    return sum((achievable(child) for child in node.children), ZERO)


def _compare(
    node_id: str,
    stated: Decimal,
    total: Decimal,
    kind: str,
    errata: dict[Any, Any],
    used: set[int],
    location: Location,
    crumbs: tuple[str, ...],
    doc: Document,
    message: Message,
) -> list[Problem]:
    entry = errata.get((node_id, kind))
    if stated == total:
        return []
    if entry is None:
        return [
            Problem(
                kind,
                message,
                location,
                crumbs,
                hint=T(
                    "if the decision prints it so, encode it as printed and record it in `errata` "
                    "(`node: {node}, kind: {kind}, printed: {printed}, computed: {computed}`)",
                    node=node_id,
                    kind=kind,
                    printed=plain(stated),
                    computed=plain(total),
                ),
            )
        ]
    index, erratum = entry
    used.add(index)
    if erratum.computed is not None and erratum.computed != total:
        return [
            Problem(
                "errata-mismatch",
                T(
                    "{message}; the errata entry says the children add up to {computed}",
                    message=message,
                    computed=erratum.computed,
                ),
                doc.location(("errata", index, "computed")),
                crumbs,
            )
        ]
    printed = _number(erratum.printed)  # `printed: "15"` (quoted, or dumped as JSON) is checked too
    if printed is not None and printed != stated:
        return [
            Problem(
                "errata-mismatch",
                T("{message}; the errata entry says {printed} was printed", message=message, printed=printed),
                doc.location(("errata", index, "printed")),
                crumbs,
            )
        ]
    return [
        Problem(
            "known-discrepancy",
            T(
                "{kind}: {message} (recorded in the errata; achievable maximum {total})",
                kind=ERRATUM_KINDS.get(kind, kind),
                message=message,
                total=total,
            ),
            location,
            crumbs,
            severity="info",
        )
    ]


def _number(value: object) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str) else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def _formula_names(definition: Definition) -> set[str]:
    from ..formats.model import Formula
    from .formula import compile_formula

    names: set[str] = set()
    for _, node in definition.walk():
        if isinstance(node.rule, Formula):
            formula, _ = compile_formula(node.rule.expression, definition.inputs)
            if formula is not None:
                names |= formula.names
    return names


def _formula_ranges(
    definition: Definition, node: Node, path: tuple[str | int, ...], crumbs: tuple[str, ...], at: Any
) -> list[Problem]:
    """A formula (the rule or an alternative's) whose value, over its inputs' declared ranges, can
    leave 0 … the criterion's points: scoring would limit it (issue #13)."""
    from ..formats.model import Formula
    from .formula import compile_formula, formula_range

    if node.rule is None:
        return []
    rules: list[tuple[tuple[str | int, ...], Any, str | None]] = [((*path, "rule"), node.rule, None)]
    rules += [
        ((*path, "rule", "alternatives", index, "rule"), alt.rule, alt.name)
        for index, alt in enumerate(node.rule.alternatives or ())
        if alt.rule is not None
    ]
    problems: list[Problem] = []
    maximum = node.points if node.points is not None else ZERO
    for where, rule, prefix in rules:
        if not isinstance(rule, Formula):
            continue
        formula, _ = compile_formula(rule.expression, definition.inputs)
        if formula is None:
            continue  # its syntax or names are reported by the rule's own check
        _, found = formula_range(formula, definition.inputs, maximum, rule.result == "percent")
        for severity, message in found:
            problems.append(
                Problem(
                    "formula-range",
                    message
                    if prefix is None
                    else T("alternative {name}: {message}", name=repr(prefix), message=message),
                    at((*where, "expression")),
                    crumbs,
                    severity=severity,  # type: ignore[arg-type]
                    hint=T(
                        "scoring limits the value to 0 … the criterion's points and reports it "
                        "(score-clamped); "
                        "say so in the formula with min()/max() or declare the inputs' ranges"
                    ),
                )
            )
    return problems


def _check_targets(
    definition: Definition, node: Node, path: tuple[str | int, ...], crumbs: tuple[str, ...], at: Any
) -> list[Problem]:
    """A target for a year the definition does not cover (the rest is the rule kind's own check,
    :func:`cds_index.rules.targets.check`, reported with the other rules' problems)."""
    targets = node.targets
    assert targets is not None
    return [
        Problem(
            "target-year",
            T("{year} is not one of the definition's years", year=str(year)),
            at((*path, "targets", "years", year)),
            crumbs,
        )
        for year in targets.years
        if definition.years and year not in definition.years
    ]
