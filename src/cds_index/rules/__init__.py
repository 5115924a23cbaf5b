"""Rule kinds as a table: one module per kind, each with its check, its compiler and its explanation.

A module of a kind has ``MODEL`` (its pydantic model, whose ``kind`` literal names it),
``check(rule, node, maximum, inputs, need, problems)`` (static problems, as ``(code, message)``)
and ``compile(rule, maximum, inputs) -> Compiled``. :data:`KINDS` maps each kind's name to its
module; the set of kinds everywhere (the loader's message, tests, docs) is derived from it, and a
test checks it against the :data:`cds_index.formats.model.Rule` union.

A compiled rule receives plain values (Decimal, bool, role string) of inputs that are all reported
and applicable. Missing, not-applicable and late values are handled before it is called, by
:mod:`cds_index.engine.evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import ModuleType
from typing import Any

from ..errors import close_match
from ..formats.model import InputDef, Node, RuleBase
from ..i18n import Message, T, join
from ..numbers import ZERO
from . import (
    bonus,
    checklist,
    count,
    deduction,
    formula,
    incidents,
    per_item,
    rank,
    ratio,
    role,
    steps,
    table,
    targets,
    yes_no,
)
from .common import ROLE_WORDS, WORDS, At, Compiled, InvalidValue, NotReported, Problems, day_month

KINDS: dict[str, ModuleType] = {
    module.MODEL.model_fields["kind"].annotation.__args__[0]: module
    for module in (
        yes_no,
        ratio,
        count,
        steps,
        role,
        checklist,
        per_item,
        incidents,
        formula,
        rank,
        deduction,
        bonus,
        table,
        targets,
    )
}
"""kind name → the module that checks, compiles and explains it. All but the last are the
:data:`cds_index.formats.model.Rule` union (a node's ``rule``); ``targets`` is a node's ``targets``
(``scoring: targets``), a yearly rule (:attr:`Compiled.for_year`)."""

__all__ = ["KINDS", "ROLE_WORDS", "WORDS", "At", "Compiled", "InvalidValue", "NotReported", "compile_rule"]


def compile_rule(rule: Any, node: Node, inputs: Mapping[str, InputDef]) -> tuple[Compiled, Problems]:
    """Check a rule against the declared inputs and compile it; return problems as ``(code, message)``."""
    maximum: Decimal = node.points if node.points is not None else ZERO
    problems: Problems = []

    def need(name: str | None, types: set[str], what: str) -> InputDef | None:
        if name is None:
            return None
        spec = inputs.get(name)
        if spec is None:
            close = close_match(name, inputs)
            problems.append(
                (
                    "unknown-input",
                    T(
                        "{what} {name} is not a declared input (did you mean {close}?)",
                        what=_what(what),
                        name=repr(name),
                        close=repr(close),
                    )
                    if close
                    else T("{what} {name} is not a declared input", what=_what(what), name=repr(name)),
                )
            )
            return None
        if spec.type not in types:
            problems.append(
                (
                    "input-type-mismatch",
                    T(
                        "{what} {name} is of type `{type}`; a `{kind}` rule needs {types}",
                        what=_what(what),
                        name=repr(name),
                        type=spec.type,
                        kind=rule.kind,
                        types=join([f"`{t}`" for t in sorted(types)], "or"),
                    ),
                )
            )
        from ..formats import units

        parsed = units.parse(spec.unit)
        if isinstance(parsed, str):
            problems.append(("unit-unknown", T("input {name}: {message}", name=repr(name), message=parsed)))
        return spec

    module = KINDS[rule.kind]
    if isinstance(rule, RuleBase):  # what every rule of the union has (a yearly target has none of it)
        _check_common(rule, node, need, problems)
    module.check(rule, node, maximum, inputs, need, problems)
    return module.compile(rule, maximum, inputs), problems


WHAT: dict[str, Message] = {
    "item input": T("an item's `input`"),
    "formula name": T("the formula's name"),
    "table input": T("the table's input"),
}
"""What names an input, where it is not a key of the rule (a key is shown as itself: `per`)."""


def _what(what: str) -> Message | str:
    return WHAT.get(what) or f"`{what}`"


def _check_common(rule: RuleBase, node: Node, need: Any, problems: Problems) -> None:
    need(rule.applicable_if, {"boolean"}, "applicable_if")
    if rule.enforce_deadline and not node.deadline:
        problems.append(("invalid-value", T("`enforce_deadline` is set but the criterion has no `deadline`")))
    need(rule.dated_by, {"date"}, "dated_by")
    if rule.dated_by is not None and not rule.enforce_deadline:
        problems.append(("invalid-value", T("`dated_by` is set but `enforce_deadline` is not")))
    if rule.period_from is not None:
        start = day_month(rule.period_from)
        end = day_month(node.deadline) if node.deadline else None
        if not rule.enforce_deadline:
            problems.append(("invalid-value", T("`period_from` is set but `enforce_deadline` is not")))
        elif start is None:
            problems.append(
                ("invalid-value", T("`period_from` {day} is not a day of the year", day=rule.period_from))
            )
        elif end is not None and start > end:
            problems.append(
                (
                    "invalid-value",
                    T(
                        "`period_from` {day} is after the deadline {deadline}",
                        day=rule.period_from,
                        deadline=node.deadline,
                    ),
                )
            )
