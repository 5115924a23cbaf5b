"""`bonus`: points outside the maximum ("điểm thưởng tối đa 10 điểm"), per item counted or for a yes,
up to a cap (#13).

The rule computes the bonus; the engine keeps it apart from the points: the criterion's result has
``points`` 0, ``max`` 0 and ``bonus`` the bonus, so the maximum and every percentage leave it out,
and the result reports the bonus and the total with bonus beside the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import Bonus, Definition, InputDef, Node
from ..i18n import T
from ..numbers import CONTEXT, ONE, ZERO, Lang, figure, plain, points_text
from .common import NUMERIC, WORDS, Compiled, Need, Problems, Values, count_floor, label

MODEL = Bonus


def check(
    rule: Bonus,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    spec = need(rule.input, {*NUMERIC, "boolean"}, "input")
    count_floor(spec, rule.input, "bonus", problems)
    if node.points is not None and node.points != 0:
        problems.append(
            (
                "rule-points",
                T(
                    "a bonus is outside the maximum, but the criterion has {points} points: write "
                    "`points: 0` (or none); the bonus's own limit is its `cap` ({cap})",
                    points=plain(node.points),
                    cap=plain(rule.cap),
                ),
            )
        )


def earned(rule: Bonus, value: Decimal | bool) -> tuple[Decimal, Decimal]:
    """``(count × each, the bonus)``: a yes counts as one item; the product exact, then the cap."""
    count = (ONE if value else ZERO) if isinstance(value, bool) else value
    raw = CONTEXT.multiply(count, rule.points_each)
    return raw, min(max(raw, ZERO), rule.cap)


def compile(rule: Bonus, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, each, cap = rule.input, rule.points_each, rule.cap
    shown = label(inputs, name)

    def points(v: Values) -> tuple[Decimal, Any]:
        raw, bonus = earned(rule, v[name])
        return bonus, raw

    def explain(v: Values, raw: Decimal, lang: Lang) -> str:
        w = WORDS[lang]
        value = v[name]
        bonus = min(max(raw, ZERO), cap)
        if isinstance(value, bool):
            read = f"{shown}: {w['yes' if value else 'no']}"
        else:
            read = f"{shown} = {figure(value, lang)} × {figure(each, lang)} = {figure(raw, lang)}"
        return f"{read} ({w['max']} {figure(cap, lang)}) → {w['bonus']} {points_text(bonus, lang)}"

    return Compiled((name,), points, explain, {}, kind=rule.kind)


def has_bonus(definition: Definition) -> bool:
    """Whether a definition has bonus points: its summaries (CSV, table, workbook) then show them."""
    return any(node.rule is not None and node.rule.kind == "bonus" for node in definition.criteria())
