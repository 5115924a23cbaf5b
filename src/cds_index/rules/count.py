"""`count`: the maximum in proportion to a count, up to its target."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import Count, InputDef, Node
from ..i18n import T
from ..numbers import ZERO, Lang, figure, plain
from .common import NUMERIC, WORDS, Compiled, Need, Problems, Values, label, proportional, proportional_text

MODEL = Count


def check(
    rule: Count,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    need(rule.input, set(NUMERIC), "input")
    spec = inputs.get(rule.input)
    if spec is not None and spec.max is not None and spec.max < rule.target:  # full points out of reach
        problems.append(
            (
                "invalid-value",
                T(
                    "full points need {target}, more than the largest value {max} of the input: no unit "
                    "reaches them; lower `target` or raise the input's `max`",
                    target=plain(rule.target),
                    max=plain(spec.max),
                ),
            )
        )


def compile(rule: Count, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, target = rule.input, rule.target
    shown = label(inputs, name)

    def points(v: Values) -> tuple[Decimal, Any]:
        points = proportional(v[name], target, maximum)
        return points, points

    def explain(v: Values, points: Decimal, lang: Lang) -> str:
        w = WORDS[lang]
        value: Decimal = v[name]
        text = proportional_text(value, target, maximum, points, lang)
        return f"{shown} = {figure(value, lang)} ({w['target']} {figure(target, lang)}) → {text}"

    return Compiled((name,), points, explain, {name: ZERO}, kind=rule.kind)
