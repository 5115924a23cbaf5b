"""`per_item`: points for each item counted, up to a cap (the criterion's points by default)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import InputDef, Node, PerItem
from ..i18n import T
from ..numbers import ZERO, Lang, figure, plain, points_text
from .common import NUMERIC, WORDS, Compiled, Need, Problems, Values, label

MODEL = PerItem


def check(
    rule: PerItem,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    need(rule.input, set(NUMERIC), "input")
    if rule.cap is not None and rule.cap > maximum:
        problems.append(
            (
                "rule-points",
                T(
                    "the cap {cap} exceeds the criterion's {maximum} points",
                    cap=plain(rule.cap),
                    maximum=plain(maximum),
                ),
            )
        )
    spec = inputs.get(rule.input)
    top = rule.cap if rule.cap is not None else maximum
    if spec is not None and spec.max is not None and spec.max * rule.points_each < top:
        problems.append(  # `max: 3` items of 1 point on a 5-point criterion: 5 is out of reach
            (
                "invalid-value",
                T(
                    "the largest value {max} of the input earns {earned} points, less than the {top} "
                    "this criterion gives: no unit reaches them; raise the input's `max` or lower `cap`",
                    max=plain(spec.max),
                    earned=plain(spec.max * rule.points_each),
                    top=plain(top),
                ),
            )
        )
    if rule.cap is None and rule.points_each > maximum:  # `points_each: 10` on 5 points: a slip, or say so
        problems.append(
            (
                "rule-points",
                T(
                    "each item earns {each} points, more than the criterion's {maximum}: one item would "
                    "earn them all; if the decision means that, write `cap: {maximum}`",
                    each=plain(rule.points_each),
                    maximum=plain(maximum),
                ),
            )
        )


def compile(rule: PerItem, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, each = rule.input, rule.points_each
    cap = rule.cap if rule.cap is not None else maximum
    shown = label(inputs, name)

    def points(v: Values) -> tuple[Decimal, Any]:
        raw = v[name] * each
        return max(ZERO, min(raw, cap)), raw  # a negative count (no `min: 0` declared) earns nothing

    def explain(v: Values, raw: Decimal, lang: Lang) -> str:
        w = WORDS[lang]
        count: Decimal = v[name]
        earned = max(ZERO, min(raw, cap))
        capped = f" ({w['max']} {figure(cap, lang)})"
        return (
            f"{shown} = {figure(count, lang)} × {figure(each, lang)} = {figure(raw, lang)}{capped} "
            f"→ {points_text(earned, lang)}"
        )

    return Compiled((name,), points, explain, {name: ZERO}, kind=rule.kind)
