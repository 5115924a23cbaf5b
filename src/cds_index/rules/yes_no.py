"""`yes_no`: all the points when the input is true, none otherwise."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import InputDef, Node, YesNo
from ..numbers import ONE, ZERO, Lang
from .common import WORDS, Compiled, Need, Values, award_text, label

MODEL = YesNo


def check(
    rule: YesNo,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: list[tuple[str, str]],
) -> None:
    need(rule.input, {"boolean"}, "input")


def compile(rule: YesNo, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    shown = label(inputs, rule.input)
    name = rule.input
    full = maximum * ONE

    def points(v: Values) -> tuple[Decimal, Any]:
        return (full, None) if v[name] else (ZERO, None)

    written: dict[tuple[str, bool], str] = {}  # two sentences per language: written once each (#11)

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        key = (lang, bool(v[name]))
        text = written.get(key)
        if text is None:
            w = WORDS[lang]
            if key[1]:
                text = f"{shown}: {w['yes']} → {award_text(ONE, maximum, full, lang)}"
            else:
                text = f"{shown}: {w['no']} → 0 {w['pt']}"
            written[key] = text
        return text

    return Compiled((name,), points, explain, {name: False}, kind=rule.kind)
