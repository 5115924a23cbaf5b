"""`checklist`: each item that is true adds its points (an item may require another)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import Checklist, InputDef, Node
from ..i18n import T
from ..numbers import ZERO, Lang, figure, plain, points_text
from .common import WORDS, Compiled, Need, Problems, Values, label

MODEL = Checklist


def check(
    rule: Checklist,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    item_inputs = {item.input for item in rule.items}
    for item in rule.items:
        need(item.input, {"boolean"}, "item input")
        if item.requires is not None and (item.requires not in item_inputs or item.requires == item.input):
            problems.append(
                (
                    "unknown-input",
                    T(
                        "item {item} requires {requires}, which is not another item of this checklist",
                        item=repr(item.input),
                        requires=repr(item.requires),
                    ),
                )
            )
    total = sum((item.points for item in rule.items), ZERO)
    if total > maximum:
        problems.append(
            (
                "rule-points",
                T(
                    "the checklist items add up to {total}; the criterion has {maximum}",
                    total=plain(total),
                    maximum=plain(maximum),
                ),
            )
        )


def compile(rule: Checklist, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    items = tuple(
        (item.input, item.points, item.label or label(inputs, item.input), item.requires)
        for item in rule.items
    )
    labels = {item.input: item.label or label(inputs, item.input) for item in rule.items}

    def points(v: Values) -> tuple[Decimal, Any]:
        total = ZERO
        for name, each, _, requires in items:
            if v[name] and (requires is None or v.get(requires)):
                total += each
        return total, None

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        w = WORDS[lang]
        total = ZERO
        parts = []
        for name, each, shown, requires in items:
            if v[name] and requires is not None and not v.get(requires):
                parts.append(f"{shown}: {w['yes']}, {w['needs']} “{labels[requires]}” (+0)")
            elif v[name]:
                total += each
                parts.append(f"{shown}: {w['yes']} (+{figure(each, lang)})")
            else:
                parts.append(f"{shown}: {w['no']} (+0)")
        return f"{'; '.join(parts)} → {points_text(total, lang)}"

    return Compiled(tuple(i[0] for i in items), points, explain, {i[0]: False for i in items}, kind=rule.kind)
