"""Constraints between inputs (issue #10; issue #9 item 3): a part cannot exceed its whole.

A definition declares them (``constraints: [{input: staff_trained, at_most: staff_total}]``) where
the decision implies them. They are evaluated once per unit, by :func:`cds_index.engine.evaluate.score`
(the one place every unit is scored, whatever the entry point), on the values as parsed: a value
above its whole is an ``input-constraint`` problem shown with the unit, and the criteria that read
the part are ``invalid`` — never clamped to 100 %.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from ..errors import Location, Problem
from ..formats.model import Definition
from ..i18n import T
from ..numbers import plain
from ..read.inputs import Value

NUMERIC = {"number", "integer"}


def _number(value: Value | None, which: str) -> Decimal | None:
    """The value's final (``value``) or self-assessed (``self_value``, else the final) number."""
    if value is None or value.not_applicable:
        return None
    raw = getattr(value, which)
    if raw is None:
        raw = value.value
    return raw if isinstance(raw, Decimal) and raw.is_finite() else None


def _own(value: Value | None) -> bool:
    """Whether the unit assessed this value differently from its final (appraised) value."""
    return value is not None and value.self_value is not None and value.self_value != value.value


_FINAL = (("value", ""),)
_BOTH = (("value", ""), ("self_value", T(" (self-assessed)")))


def violations(
    definition: Definition, values: Mapping[str, Value], source: str | None = None
) -> tuple[list[Problem], dict[str, str]]:
    """The unit's broken constraints as problems, and the inputs (the parts) they make unusable,
    each with the message that says why.

    A constraint with either side not reported or not applicable is not evaluated (the criteria
    reading it are not reported or not applicable already). The final value (appraised where there
    is one) is checked, and the self-assessed value too where it differs.
    """
    problems: list[Problem] = []
    broken: dict[str, str] = {}
    inputs = definition.inputs
    get = values.get
    for parts, whole, both, part in _prepared(definition):
        if part is not None:  # the common case, one part and its whole, both plain and in order: fine
            a = get(part)
            if a is None:
                continue
            b = get(whole)
            if b is None:
                continue
            # Two numbers in order, neither self-assessed otherwise: fine. What the long way below
            # skips need not be told apart here (#11: 10.5 → 8.9 µs a unit of 2263's 52 constraints):
            # a value not applicable has no number (or is skipped there), an infinity is skipped
            # there as it is here; only a NaN cannot be compared, and goes the long way.
            x, y = a.value, b.value
            if (
                type(x) is Decimal  # a subclass, or anything else, goes the long way below
                and type(y) is Decimal
                and (a.self_value is x or a.self_value is None)
                and (b.self_value is y or b.self_value is None)
            ):
                try:
                    if x <= y:
                        continue
                except InvalidOperation:  # a NaN, where the context traps it
                    pass
            read: list[Value | None] = [a, b]
        else:
            read = [get(name) for name in both]
        # the self-assessed values are checked only where a unit has one (else they are the final ones)
        passes = _BOTH if any(_own(v) for v in read) else _FINAL
        for which, words in passes:
            found = [_number(value, which) for value in read[:-1]]
            bottom = _number(read[-1], which)
            if bottom is None or any(n is None for n in found):
                continue
            top = sum((n for n in found if n is not None), Decimal(0))
            if top <= bottom:
                continue
            part = " + ".join(parts)
            labels = " + ".join(inputs[name].label for name in parts)
            shown = " + ".join(plain(n) for n in found if n is not None)
            if len(parts) > 1:
                shown += f" = {plain(top)}"
            problem = Problem(
                "input-constraint",
                T(
                    "{part} ({labels}) = {shown}{words} is more than {whole} ({label}) = {bottom}: a part "
                    "cannot exceed its whole, so the criteria that read {part} are not scored — correct one "
                    "of the values ({part} at most {bottom}, or {whole} at least {top})",
                    part=part,
                    labels=labels,
                    shown=shown,
                    words=words,
                    whole=whole,
                    label=inputs[whole].label,
                    bottom=bottom,
                    top=top,
                ),
                Location(source, path=("values", parts[0])),
            )
            problems.append(problem)
            for name in parts:
                broken.setdefault(name, problem.message)
            break  # one problem per constraint (the self value is checked only if the final is fine)
    return problems, broken


Prepared = tuple[list[str], str, tuple[str, ...], str | None]
_PREPARED: dict[int, tuple[Definition, list[Prepared]]] = {}


def _prepared(definition: Definition) -> list[Prepared]:
    """Each constraint's parts, whole, all its names and its one part (None for a sum of parts), once
    per definition (not per unit)."""
    key = id(definition)
    held = _PREPARED.get(key)
    if held is not None and held[0] is definition:
        return held[1]
    inputs = definition.inputs
    prepared = []
    for constraint in definition.constraints:
        parts = names(constraint.input)
        whole = constraint.at_most
        if any(name not in inputs for name in (*parts, whole)):
            continue  # `cds-index check` reports the unknown name; a loaded definition has none
        prepared.append((parts, whole, (*parts, whole), parts[0] if len(parts) == 1 else None))
    if len(_PREPARED) > 64:  # a bound: a long-running server loads a few definitions
        _PREPARED.clear()
    _PREPARED[key] = (definition, prepared)
    return prepared


def names(value: str | list[str]) -> list[str]:
    """The input names of a constraint's or ratio's side: one name, or a list summed."""
    return [value] if isinstance(value, str) else list(value)
