"""`steps`: the band the value (or value per denominator) falls in gives points or a percentage."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..formats import units
from ..formats.model import InputDef, Node, Step, Steps
from ..i18n import Message, T
from ..numbers import HUNDRED, ONE, ZERO, Lang, div, figure, percent, plain, points_text
from .common import (
    NUMERIC,
    SCALE_WORDS,
    WORDS,
    At,
    Compiled,
    InvalidValue,
    Need,
    Problems,
    Values,
    award_text,
    check_ratio_units,
    label,
    numeric,
)

MODEL = Steps


def check(
    rule: Steps,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    spec = need(rule.input, set(NUMERIC), "input")
    per = need(rule.per, set(NUMERIC), "per")
    typed = numeric(spec, per)  # an input of another type is said above: no band of it is checked
    if rule.per and typed:
        check_ratio_units(spec, per, rule.input, rule.per, problems)
    if typed:
        problems.extend(check_steps(rule.steps, spec, per, rule.per is not None))
        problems.extend(check_scale(rule, spec))
    if typed and rule.per is None and spec is not None and spec.max is not None:
        for step in rule.steps:  # a band wholly above what the input can hold is never reached
            if step.min is not None and (
                step.min > spec.max or (step.min == spec.max and not step.min_inclusive)
            ):
                problems.append(
                    (
                        "invalid-value",
                        T(
                            "a step starts at {min}, above the input's maximum {max}: no value can reach "
                            "it; lower the step or raise the input's `max`",
                            min=plain(step.min),
                            max=plain(spec.max),
                        ),
                    )
                )
    for step in rule.steps:
        if step.points is not None and step.points > maximum:
            problems.append(
                (
                    "rule-points",
                    T(
                        "a step gives {points} points; the criterion has {maximum}",
                        points=plain(step.points),
                        maximum=plain(maximum),
                    ),
                )
            )


def bounds_scale(rule: Steps, spec: InputDef | None) -> units.Scale | None:
    """The scale the rule's bounds are read on: the input's own without `per`; with `per`, the
    declared `scale`, by default a fraction (the ratio itself)."""
    if rule.per is not None:
        return rule.scale or "fraction"
    return units.scale(spec.unit) if spec is not None else None


def check_scale(rule: Steps, spec: InputDef | None) -> Problems:
    """Bounds written on the other scale (0.5 on a 0–100 percent input, 50 on a ratio), refused with
    what to write (issue #13); a declared `scale` must be the input's own."""
    if spec is None:
        return []
    own = units.scale(spec.unit)
    if rule.per is None and rule.scale is not None and rule.scale != own:
        if own is None:
            return [
                (
                    "scale-mismatch",
                    At(
                        T(
                            "`scale: {scale}` is for a share, but input {name} is in {unit}: declare the "
                            "input's unit `percent` or `fraction`, or drop `scale`",
                            scale=rule.scale,
                            name=repr(rule.input),
                            unit=spec.unit,
                        ),
                        ("scale",),
                    ),
                )
            ]
        return [
            (
                "scale-mismatch",
                At(
                    T(
                        "input {name} is in {unit}, so the bounds are read as {scale_words}; "
                        "`scale: {scale}` cannot change that: write the bounds on the input's scale and "
                        "drop `scale`",
                        name=repr(rule.input),
                        unit=spec.unit,
                        scale_words=SCALE_WORDS[own],
                        scale=rule.scale,
                    ),
                    ("scale",),
                ),
            )
        ]
    scale = bounds_scale(rule, spec)
    written = [
        (f"steps[{index}].{key}", bound, ("steps", index, key))
        for index, step in enumerate(rule.steps)
        for key, bound in (("min", step.min), ("max", step.max))
        if bound is not None
    ]
    if scale is None or not written:
        return []
    top = max(bound for _, bound, _ in written)
    at_top = next(path for _, bound, path in written if bound == top)  # positioned at that bound
    where = ", ".join(f"{key} = {bound}" for key, bound, _ in written if bound)
    what = (
        f"{rule.input!r} / {rule.per!r}"
        if rule.per
        else T("input {name} ({unit})", name=repr(rule.input), unit=spec.unit)
    )
    if scale == "percent" and 0 < top <= 1 and (rule.per is not None or rule.scale is None):
        example = format((top * 100).normalize(), "f")
        confirm = (
            T("or drop `scale: percent` to write the ratio as a fraction")
            if rule.per is not None
            else T("or, if the decision really means at most 1 %, write `scale: percent` to confirm")
        )
        return [
            (
                "scale-mismatch",
                At(
                    T(
                        "{what} is read as {scale_words}, but every bound is at most 1 ({where}): {top} "
                        "would mean {top} %; write {example} for {example} %, {confirm}",
                        what=what,
                        scale_words=SCALE_WORDS["percent"],
                        where=where,
                        top=plain(top),
                        example=example,
                        confirm=confirm,
                    ),
                    at_top,
                ),
            )
        ]
    if scale == "fraction" and top > 1 and rule.scale is None and (spec.max is None or spec.max <= 1):
        fraction_example: Message | str = (
            format((top / 100).normalize(), "f") if top <= 100 else T("a number from 0 to 1")
        )
        other = (
            T(
                "or write `scale: percent` to give the bounds as the decision prints them (50 for 50 %); "
                "if the ratio itself exceeds 1 (1.5 per person), write `scale: fraction` to confirm"
            )
            if rule.per is not None
            else T("or declare the input's `max` if its values exceed 1")
        )
        big = ", ".join(f"{key} = {bound}" for key, bound, _ in written if bound > 1)
        return [
            (
                "scale-mismatch",
                At(
                    T(
                        "{what} is read as {scale_words}, but a bound is above 1 ({big}): {top} would "
                        "mean {hundred} %; write {example} for {top} %, {other}",
                        what=what,
                        scale_words=SCALE_WORDS["fraction"],
                        big=big,
                        top=plain(top),
                        hundred=plain(top * 100),
                        example=fraction_example,
                        other=other,
                    ),
                    at_top,
                ),
            )
        ]
    return []


def check_steps(steps: list[Step], spec: InputDef | None, per: InputDef | None, is_ratio: bool) -> Problems:
    """Bands must cover the input's whole range once: no gap, no overlap."""
    problems: Problems = []
    if is_ratio:
        low = ZERO if (spec and spec.min is not None and spec.min >= 0) else None
        high = None
    else:
        low = spec.min if spec else None
        high = spec.max if spec else None
    ordered = sorted(steps, key=lambda s: (s.min is not None, s.min if s.min is not None else ZERO))

    def fmt(value: Decimal | None, inclusive: bool, lower: bool) -> Message | str:
        if value is None:
            return "−∞" if lower else "+∞"
        if inclusive:
            return T("{value} (inclusive)", value=plain(value))
        return T("{value} (exclusive)", value=plain(value))

    first, last = ordered[0], ordered[-1]
    if first.min is not None and (
        low is None or first.min > low or (first.min == low and not first.min_inclusive)
    ):
        problems.append(
            (
                "step-gap",
                T(
                    "no step covers values below {bound} (the input's minimum is {low}); start the "
                    "first step lower or declare the input's `min`",
                    bound=fmt(first.min, first.min_inclusive, True),
                    low=plain(low),
                )
                if low is not None
                else T(
                    "no step covers values below {bound}; start the first step lower or declare the "
                    "input's `min`",
                    bound=fmt(first.min, first.min_inclusive, True),
                ),
            )
        )
    if last.max is not None and (
        high is None or last.max < high or (last.max == high and not last.max_inclusive)
    ):
        problems.append(
            (
                "step-gap",
                T(
                    "no step covers values above {bound} (the input's maximum is {high})",
                    bound=fmt(last.max, last.max_inclusive, False),
                    high=plain(high),
                )
                if high is not None
                else T("no step covers values above {bound}", bound=fmt(last.max, last.max_inclusive, False)),
            )
        )
    for a, b in itertools.pairwise(ordered):
        if a.max is None or b.min is None:
            problems.append(
                (
                    "step-overlap",
                    T(
                        "the step from {low} has no upper bound but another step starts at {other}",
                        low=fmt(a.min, a.min_inclusive, True),
                        other=fmt(b.min, b.min_inclusive, True),
                    ),
                )
            )
        elif a.max < b.min or (a.max == b.min and not a.max_inclusive and not b.min_inclusive):
            problems.append(
                (
                    "step-gap",
                    T(
                        "values between {low} and {high} fall in no step",
                        low=fmt(a.max, a.max_inclusive, False),
                        high=fmt(b.min, b.min_inclusive, True),
                    ),
                )
            )
        elif a.max > b.min or (a.max == b.min and a.max_inclusive and b.min_inclusive):
            problems.append(
                (
                    "step-overlap",
                    T("{value} falls in two steps; make one bound exclusive", value=plain(a.max)),
                )
            )
    return problems


def in_step(step: Step, value: Decimal, per: Decimal = ONE) -> bool:
    """Whether ``value / per`` falls in the step, compared exactly as ``value`` against ``bound × per``."""
    if step.min is not None:
        low = step.min * per
        if value < low or (value == low and not step.min_inclusive):
            return False
    if step.max is not None:
        high = step.max * per
        if value > high or (value == high and not step.max_inclusive):
            return False
    return True


def step_words(step: Step, lang: Lang) -> str:
    if step.label:
        return f"“{step.label}”"
    parts = []
    if step.min is not None:
        parts.append(f"{'≥' if step.min_inclusive else '>'} {figure(step.min, lang)}")
    if step.max is not None:
        parts.append(f"{'≤' if step.max_inclusive else '<'} {figure(step.max, lang)}")
    return ", ".join(parts) or "*"


def compile(rule: Steps, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, per, steps = rule.input, rule.per, tuple(rule.steps)
    lift = HUNDRED if per is not None and rule.scale == "percent" else ONE
    """A ratio's bounds written in percent compare against 100 × the value (exact: no division)."""
    shown = label(inputs, name)
    per_label = label(inputs, per) if per else None

    def what(v: Values, lang: Lang) -> str:
        if per is not None:
            return f"{shown} / {per_label} = {percent(div(v[name], v[per]), lang)}"
        return f"{shown} = {figure(v[name], lang)}"

    def points(v: Values) -> tuple[Decimal, Any]:
        value: Decimal = v[name] * lift
        bottom = ONE
        if per is not None:
            bottom = v[per]
            if bottom <= 0:
                raise InvalidValue(lambda lang: f"{per_label}: {WORDS[lang]['zero_den']}")
        for step in steps:
            if in_step(step, value, bottom):
                if step.points is not None:
                    return step.points, step
                return maximum * (step.percent / HUNDRED), step  # type: ignore[operator]
        raise InvalidValue(lambda lang: f"{what(v, lang)}: {WORDS[lang]['no_step']}")

    def explain(v: Values, step: Step, lang: Lang) -> str:
        band = f"{WORDS[lang]['band']} {step_words(step, lang)}"
        if step.points is not None:
            return f"{what(v, lang)} → {band} → {points_text(step.points, lang)}"
        share = step.percent / HUNDRED  # type: ignore[operator]
        return f"{what(v, lang)} → {band} → {award_text(share, maximum, maximum * share, lang)}"

    return Compiled((name, per) if per else (name,), points, explain, {name: ZERO}, kind=rule.kind)
