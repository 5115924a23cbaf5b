"""`incidents`: all the points with no incident, or (with `handled`) when every incident was handled."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import Incidents, InputDef, Node
from ..i18n import T
from ..numbers import ONE, ZERO, Lang, figure
from .common import NUMERIC, WORDS, Compiled, Need, NotReported, Problems, Values, award_text, label

MODEL = Incidents


def check(
    rule: Incidents,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    need(rule.input, set(NUMERIC), "input")
    need(rule.handled, set(NUMERIC), "handled")
    if rule.handled is not None and rule.handled == rule.input:
        problems.append(
            (
                "invalid-value",
                T(
                    "`handled` names {name}, the incidents' count itself: every incident would be counted "
                    "as handled and the criterion would always score its full points; name the input that "
                    "counts the incidents handled",
                    name=repr(rule.handled),
                ),
            )
        )


def compile(rule: Incidents, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, handled = rule.input, rule.handled
    shown = label(inputs, name)
    full, none = maximum * ONE, maximum * ZERO

    def points(v: Values) -> tuple[Decimal, Any]:
        count: Decimal = v[name]
        if count == 0:
            return full, None
        if handled is None:  # only "no incident" earns
            return none, None
        done = v.get(handled)
        if done is None:
            raise NotReported(label(inputs, handled))
        return (full if done >= count else none), None

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        w = WORDS[lang]
        count: Decimal = v[name]
        if count == 0:
            return f"{shown} = 0 ({w['none']}) → {award_text(ONE, maximum, full, lang)}"
        if handled is None:  # no handled count is read, so none is shown
            return f"{shown} = {figure(count, lang)} ({w['some']}) → {award_text(ZERO, maximum, none, lang)}"
        done: Decimal = v[handled]
        share = ONE if done >= count else ZERO
        text = award_text(share, maximum, maximum * share, lang)
        return f"{shown} = {figure(count, lang)}, {w['handled']} {figure(done, lang)} → {text}"

    inputs_read = (name, handled) if handled else (name,)
    optional = frozenset({handled}) if handled else frozenset()
    return Compiled(inputs_read, points, explain, {}, optional, kind=rule.kind)
