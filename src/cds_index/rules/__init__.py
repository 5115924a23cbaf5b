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
from .common import ROLE_WORDS, WORDS, At, Compiled, InvalidValue, NotReported, day_month

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


def compile_rule(
    rule: Any, node: Node, inputs: Mapping[str, InputDef]
) -> tuple[Compiled, list[tuple[str, str]]]:
    """Check a rule against the declared inputs and compile it; return problems as ``(code, message)``."""
    maximum: Decimal = node.points if node.points is not None else ZERO
    problems: list[tuple[str, str]] = []

    def need(name: str | None, types: set[str], what: str) -> InputDef | None:
        if name is None:
            return None
        spec = inputs.get(name)
        if spec is None:
            close = close_match(name, inputs)
            hint = f" (did you mean {close!r}?)" if close else ""
            problems.append(("unknown-input", f"{what} {name!r} is not a declared input{hint}"))
            return None
        if spec.type not in types:
            problems.append(
                (
                    "input-type-mismatch",
                    f"{what} {name!r} is of type {spec.type}; "
                    f"a {rule.kind} rule needs {' or '.join(sorted(types))}",
                )
            )
        from ..formats import units

        parsed = units.parse(spec.unit)
        if isinstance(parsed, str):
            problems.append(("unit-unknown", f"input {name!r}: {parsed}"))
        return spec

    module = KINDS[rule.kind]
    if isinstance(rule, RuleBase):  # what every rule of the union has (a yearly target has none of it)
        _check_common(rule, node, need, problems)
    module.check(rule, node, maximum, inputs, need, problems)
    return module.compile(rule, maximum, inputs), problems


def _check_common(rule: RuleBase, node: Node, need: Any, problems: list[tuple[str, str]]) -> None:
    need(rule.applicable_if, {"boolean"}, "applicable_if")
    if rule.enforce_deadline and not node.deadline:
        problems.append(("invalid-value", "enforce_deadline is set but the criterion has no `deadline`"))
    need(rule.dated_by, {"date"}, "dated_by")
    if rule.dated_by is not None and not rule.enforce_deadline:
        problems.append(("invalid-value", "dated_by is set but enforce_deadline is not"))
    if rule.period_from is not None:
        start = day_month(rule.period_from)
        end = day_month(node.deadline) if node.deadline else None
        if not rule.enforce_deadline:
            problems.append(("invalid-value", "period_from is set but enforce_deadline is not"))
        elif start is None:
            problems.append(("invalid-value", f"period_from {rule.period_from} is not a day of the year"))
        elif end is not None and start > end:
            problems.append(
                ("invalid-value", f"period_from {rule.period_from} is after the deadline {node.deadline}")
            )
