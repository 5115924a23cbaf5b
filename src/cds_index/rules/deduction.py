"""`deduction`: points taken off per item counted, up to a cap ("trừ 1 điểm mỗi văn bản chậm hạn, tối
đa trừ 5 điểm"), from the criterion's own points or from its parent's sum (#13).

``deducts_from: criterion``: the criterion starts at its points and loses ``min(cap, count × each)``;
the check makes the cap at most the points, so it never goes below 0. ``deducts_from: parent``: the
criterion has no points of its own and scores ``−min(cap, count × each)``, 0 or less; the engine adds
it into the parent's sum, which stops at 0 with the stop reported (``deduction-floor``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import Deduction, InputDef, Node
from ..i18n import T
from ..numbers import CONTEXT, ZERO, Lang, figure, plain, points_text
from .common import NUMERIC, WORDS, At, Compiled, Need, Problems, Values, count_floor, label

MODEL = Deduction


def check(
    rule: Deduction,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    spec = need(rule.input, set(NUMERIC), "input")
    count_floor(spec, rule.input, "deduction", problems)
    if rule.deducts_from == "criterion":
        if maximum <= 0:
            problems.append(
                (
                    "rule-points",
                    T(
                        "a deduction from the criterion needs the criterion's `points` (what it starts "
                        "from); write `deducts_from: parent` if the points come off the parent's sum"
                    ),
                )
            )
        elif rule.cap > maximum:
            problems.append(
                (
                    "rule-points",
                    At(
                        T(
                            "the cap {cap} exceeds the criterion's {maximum} points, so the criterion "
                            "could go below 0; lower the cap, or write `deducts_from: parent` if the "
                            "excess comes off the parent's sum",
                            cap=plain(rule.cap),
                            maximum=plain(maximum),
                        ),
                        ("cap",),
                    ),
                )
            )
    elif node.points is not None and node.points != 0:
        problems.append(
            (
                "rule-points",
                T(
                    "a deduction from the parent has no points of its own, but the criterion has "
                    "{points}: write `points: 0` (or none), or `deducts_from: criterion` to start from them",
                    points=plain(node.points),
                ),
            )
        )


def taken_off(rule: Deduction, count: Decimal) -> tuple[Decimal, Decimal]:
    """``(count × each, the points taken off)``: the product exact (60 digits), then the cap."""
    raw = CONTEXT.multiply(count, rule.points_each)
    return raw, min(max(raw, ZERO), rule.cap)


def compile(rule: Deduction, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, each, cap = rule.input, rule.points_each, rule.cap
    start = maximum if rule.deducts_from == "criterion" else None
    shown = label(inputs, name)

    def points(v: Values) -> tuple[Decimal, Any]:
        raw, taken = taken_off(rule, v[name])
        return (start - taken if start is not None else -taken), (raw, taken)

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        raw, taken = facts
        w = WORDS[lang]
        count: Decimal = v[name]
        head = (
            f"{shown} = {figure(count, lang)} × {figure(each, lang)} = {figure(raw, lang)} "
            f"({w['deduct_max']} {figure(cap, lang)})"
        )
        if start is None:
            return f"{head} → {w['deducted']} {points_text(taken, lang)}"
        return f"{head} → {figure(start, lang)} − {figure(taken, lang)} = {points_text(start - taken, lang)}"

    return Compiled((name,), points, explain, {}, kind=rule.kind)
