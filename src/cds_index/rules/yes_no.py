"""`yes_no`: all the points when the input is true, none otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import InputDef, Node, YesNo
from ..numbers import ONE, ZERO, Lang
from .common import WORDS, Compiled, Need, Problems, Values, award_text, label

MODEL = YesNo


def check(
    rule: YesNo,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    need(rule.input, {"boolean"}, "input")


def compile(rule: YesNo, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    shown = label(inputs, rule.input)
    name = rule.input
    full = maximum * ONE

    def points(v: Values) -> tuple[Decimal, Any]:
        return (full, None) if v[name] else (ZERO, None)

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        w = WORDS[lang]
        if v[name]:
            return f"{shown}: {w['yes']} → {award_text(ONE, maximum, full, lang)}"
        return f"{shown}: {w['no']} → 0 {w['pt']}"

    return Compiled((name,), points, explain, {name: False}, kind=rule.kind)
