"""`formula`: an arithmetic expression of the inputs (no eval: :mod:`cds_index.check.formula`); a value
outside 0 … the criterion's points is limited to it, and the result says so (:class:`Clamp`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..check.formula import compile_formula
from ..formats.model import Formula, InputDef, Node
from ..i18n import render
from ..numbers import HUNDRED, ZERO, Lang, figure, points_text
from .common import NUMERIC, Clamp, Compiled, InvalidValue, Need, Problems, Values

MODEL = Formula


def check(
    rule: Formula,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    formula, found = compile_formula(rule.expression, inputs)
    problems.extend(found)
    if formula is not None:
        for name in sorted(formula.names):
            need(name, {*NUMERIC, "boolean"}, "formula name")


def compile(rule: Formula, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    formula, _ = compile_formula(rule.expression, inputs)
    if formula is None:  # reported by `check`; a rule that never scores
        return Compiled((), lambda v: (ZERO, None), lambda v, facts, lang: "", {}, kind=rule.kind)
    as_percent = rule.result == "percent"
    read = tuple(sorted(formula.names))

    def points(v: Values) -> tuple[Decimal, Any]:
        try:
            result = formula({n: v[n] for n in read})
        except (ArithmeticError, TypeError, ValueError) as exc:
            said = getattr(exc, "message", None) or str(exc)  # a FormulaEvalError's words, else Python's
            raise InvalidValue(lambda lang: f"{rule.expression}: {render(said, lang)}") from exc
        raw = maximum * result / HUNDRED if as_percent else result
        return min(max(raw, ZERO), maximum), (result, raw)

    def clamp(facts: Any) -> Clamp | None:
        """The formula's points outside 0 … the criterion's: limited, and said so (#13)."""
        _, raw = facts
        earned = min(max(raw, ZERO), maximum)
        return Clamp(raw, earned, "points") if earned != raw else None

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        result, raw = facts
        limited = clamp(facts)
        earned = points_text(raw, lang) if limited is None else limited.text(lang)
        return f"{rule.expression} = {figure(result, lang)}{'%' if as_percent else ''} → {earned}"

    return Compiled(read, points, explain, {}, kind=rule.kind, clamp=clamp)
