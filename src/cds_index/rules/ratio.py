"""`ratio`: the maximum times a share (a percentage, or a sum of inputs over a sum), up to a target."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats.model import InputDef, Node, Ratio
from ..i18n import T
from ..numbers import ONE, ZERO, Lang, div, figure, percent, points_text
from .common import (
    NUMERIC,
    WORDS,
    Clamp,
    Compiled,
    InvalidValue,
    Need,
    Problems,
    Values,
    check_ratio_units,
    factor,
    label,
    names,
    numeric,
    proportional,
)

MODEL = Ratio


def check(
    rule: Ratio,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    tops, bottoms = names(rule.input), names(rule.per)
    specs = [need(name, set(NUMERIC), "input") for name in tops]
    pers = [need(name, set(NUMERIC), "per") for name in bottoms]
    for same in sorted(set(tops) & set(bottoms)):
        problems.append(
            (
                "invalid-value",
                T(
                    "the ratio divides {name} by itself: it is 100 % whenever {name} is above 0; name the "
                    "part in `input` and the whole in `per`",
                    name=repr(same),
                ),
            )
        )
    if len(tops) > 1 and not bottoms:
        problems.append(
            ("invalid-value", T("a ratio whose `input` is a sum of inputs needs `per` (the denominator)"))
        )
    for name, spec in zip(tops, specs, strict=True) if bottoms or len(tops) == 1 else ():
        # a wrong type is reported above; its unit would only repeat it
        below: list[tuple[str | None, InputDef | None]] = list(zip(bottoms, pers, strict=True))
        for per_name, per in below or [(None, None)]:
            if numeric(spec, per):
                check_ratio_units(spec, per, name, per_name, problems)


def compile(rule: Ratio, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    tops, bottoms, target = names(rule.input), names(rule.per), rule.target
    name = tops[0]
    per = bottoms[0] if bottoms else None
    top_label = " + ".join(label(inputs, n) for n in tops)
    scale = factor(inputs.get(name)) if per is None else ONE
    per_label = " + ".join(label(inputs, n) for n in bottoms) if bottoms else None
    if len(tops) > 1:
        top_label = f"({top_label})"
    if len(bottoms) > 1:
        per_label = f"({per_label})"
    single_top, single_bottom = len(tops) == 1, len(bottoms) == 1

    def zero_denominator(lang: Lang) -> str:
        return f"{per_label}: {WORDS[lang]['zero_den']}"

    full, nothing, alone = maximum * ONE, maximum * ZERO, ONE * target  # proportional's, made once
    # the whole itself where the target is 1 as written (1 × bottom is bottom, digit for digit)
    whole_is_bottom = target.as_tuple() == (0, (1,), 0)

    def one_over_one(v: Values) -> tuple[Decimal, Any]:
        """:func:`points` for one input over one `per`, with :func:`proportional` inline: the most
        common rule of all (45 of 2263's 79 criteria), once per criterion and unit (#11). Compared
        with ``ZERO``, not ``0`` (half the time: no int to convert), and ``not bottom`` for
        ``bottom == 0``: 40 of them a unit of 2263."""
        top = ZERO + v[name]
        bottom = ZERO + v[per]  # type: ignore[index]
        if not bottom:
            raise InvalidValue(zero_denominator)
        whole = bottom if whole_is_bottom else bottom * target
        if top >= whole:
            return full, (top, bottom, full)
        if top <= ZERO:
            return nothing, (top, bottom, nothing)
        points = div(maximum * top, whole)
        return points, (top, bottom, points)

    def one_alone(v: Values) -> tuple[Decimal, Any]:
        """:func:`points` for one input and no `per` (a percentage), :func:`proportional` inline."""
        top = (ZERO + v[name]) * scale
        if top >= alone:
            return full, (top, ONE, full)
        if top <= ZERO:
            return nothing, (top, ONE, nothing)
        points = div(maximum * top, alone)
        return points, (top, ONE, points)

    def points(v: Values) -> tuple[Decimal, Any]:
        top = ZERO + v[name] if single_top else sum((v[n] for n in tops), ZERO)
        if per is not None:
            bottom = ZERO + v[per] if single_bottom else sum((v[n] for n in bottoms), ZERO)
            if bottom == 0:
                raise InvalidValue(zero_denominator)
        else:
            top, bottom = top * scale, ONE
        points = proportional(top, bottom * target, maximum)
        return points, (top, bottom, points)

    def shown(v: Values, which: list[str], lang: Lang) -> str:
        """How a sum of inputs is shown: `12` or `(12 + 30)`."""
        if len(which) == 1:
            return figure(v[which[0]], lang)
        return "(" + " + ".join(figure(v[n], lang) for n in which) + ")"

    fraction = f"{top_label} / {per_label}"
    aims: dict[str, str] = {}  # `` (mục tiêu 80%)`` in each language, written once
    awards: dict[str, tuple[str, str, str]] = {}  # 100 %, 0 % and `` × 3 = `` in each language

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        # the most common explanation of all (45 of 2263's 79 criteria): written in one call,
        # the words of proportional_text and award_text (#11); the share shown is the one awarded
        # unless the part reaches its whole, falls to 0 or has a target: its percentage written once
        top, bottom, points = facts
        if per is not None:
            said = percent(div(top, bottom), lang)
            above = figure(v[name], lang) if single_top else shown(v, tops, lang)
            below = figure(v[per], lang) if single_bottom else shown(v, bottoms, lang)
            what = f"{fraction} = {above}/{below} = {said}"
        else:  # bottom is 1: the share is the part
            said = percent(top, lang)
            what = f"{top_label} = {said}"
        words = awards.get(lang)
        if words is None:
            words = awards[lang] = (percent(ONE, lang), percent(ZERO, lang), f" × {figure(maximum, lang)} = ")
        whole = bottom
        if target != ONE:
            aim = aims.get(lang)
            if aim is None:
                aim = aims[lang] = f" ({WORDS[lang]['target']} {percent(target, lang)})"
            what += aim
            whole = bottom * target
            if 0 < top < whole:  # the ratio over the target
                said = percent(div(top, whole), lang)
        if top >= whole:
            said = words[0]
        elif top <= 0:
            said = words[1]
        note = ""
        if top > bottom or top < 0:  # what clamp() limits
            limited = clamp(facts)
            if limited is not None:
                note = f" ({limited.text(lang)})"
        return f"{what} → {said}{words[2]}{points_text(points, lang)}{note}"

    def clamp(facts: Any) -> Clamp | None:
        """A part above its whole (120 %) or below 0 counts as 100 % or 0: said so (#13). A share
        between the target and 100 % is the rule itself (full points), not a limit."""
        top, bottom, _ = facts
        if top > bottom:
            return Clamp(div(top, bottom), ONE, "share")
        if top < ZERO:
            return Clamp(div(top, bottom), ZERO, "share")
        return None

    fast = one_alone if per is None else one_over_one
    fast.general = points  # type: ignore[attr-defined]  # tests/test_flat_plan.py compares the two
    return Compiled(
        (*tops, *bottoms),
        fast if single_top and (per is None or single_bottom) else points,
        explain,
        {n: ZERO for n in tops},
        kind=rule.kind,
        clamp=clamp,
    )
