"""One small scorer per rule kind: checked and compiled once, then called for every unit.

A scorer receives plain values (Decimal, bool, role string) of inputs that are all reported and
applicable, and returns ``(points, explanation)``. Missing, not-applicable and late values are
handled before it is called, by :mod:`cds_index.evaluate`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import units
from .formula import compile_formula
from .model import (
    Checklist,
    Count,
    Formula,
    Incidents,
    InputDef,
    Node,
    PerItem,
    Ratio,
    Role,
    Step,
    Steps,
    YesNo,
)
from .numbers import HUNDRED, ONE, ZERO, Lang, div, percent, points_text, show

Explain = Callable[[Mapping[str, Any], Lang], tuple[Decimal, str]]

ROLE_WORDS = {
    "vi": {"head": "người đứng đầu", "deputy": "cấp phó", "none": "không có"},
    "en": {"head": "the head", "deputy": "a deputy", "none": "nobody"},
}
WORDS = {
    "vi": {
        "yes": "có",
        "no": "không",
        "pt": "điểm",
        "target": "mục tiêu",
        "max": "tối đa",
        "none": "không có sự cố",
        "handled": "đã xử lý",
        "incidents": "sự cố",
        "band": "mức",
        "zero_den": "mẫu số bằng 0, không tính được tỷ lệ",
        "clamped": "giới hạn trong",
        "needs": "nhưng cần",
        "some": "có sự cố; chỉ “không có sự cố” đạt điểm",
    },
    "en": {
        "yes": "yes",
        "no": "no",
        "pt": "points",
        "target": "target",
        "max": "at most",
        "none": "no incident",
        "handled": "handled",
        "incidents": "incidents",
        "band": "band",
        "zero_den": "the denominator is 0, the ratio is undefined",
        "clamped": "clamped to",
        "needs": "but needs",
        "some": "incidents occurred; only “no incident” earns points",
    },
}


class InvalidValue(Exception):
    """A value that makes the rule undefined for this unit (a zero denominator): status ``invalid``."""


class NotReported(Exception):
    """An optional input turned out to be needed and is missing (incidents without `handled`)."""


@dataclass(frozen=True)
class Compiled:
    """A rule ready to score: the inputs it reads, in order, and the scorer."""

    inputs: tuple[str, ...]
    score: Explain
    no_credit: Mapping[str, Any]
    """The value each input takes when it earns no credit (dated after the deadline)."""
    optional: frozenset[str] = frozenset()
    """Inputs that may be missing; the scorer sees ``None`` and decides (raising NotReported)."""


def _label(inputs: Mapping[str, InputDef], name: str) -> str:
    spec = inputs.get(name)
    return spec.label if spec else name


def _factor(spec: InputDef | None) -> Decimal:
    """The factor that turns a value in the input's unit into a plain ratio (percent → 0.01)."""
    if spec is None:
        return ONE
    parsed = units.parse(spec.unit)
    if isinstance(parsed, str) or parsed[0] != "dimensionless":
        return ONE
    return Decimal(str(parsed[1]))


def _award(share: Decimal, maximum: Decimal, lang: Lang) -> tuple[Decimal, str]:
    points = maximum * share
    return points, f"{percent(share, lang)} × {show(maximum, lang)} = {points_text(points, lang)}"


def _proportional(
    part: Decimal, whole: Decimal, maximum: Decimal, lang: Lang, share: Decimal | None = None
) -> tuple[Decimal, str]:
    """``maximum × min(1, part / whole)`` with one division, after the multiplication: exact
    whenever the result terminates (22/24 × 3 = 2.75), never rounded twice. ``share`` is
    ``part / whole`` when the caller has it already (it is only shown)."""
    if part >= whole:
        return _award(ONE, maximum, lang)
    if part <= 0:
        return _award(ZERO, maximum, lang)
    points = div(maximum * part, whole)
    if share is None:
        share = div(part, whole)
    return (
        points,
        f"{percent(share, lang)} × {show(maximum, lang)} = {points_text(points, lang)}",
    )


def compile_rule(
    rule: Any, node: Node, inputs: Mapping[str, InputDef]
) -> tuple[Compiled, list[tuple[str, str]]]:
    """Check a rule against the declared inputs and compile it; return problems as ``(code, message)``."""
    maximum: Decimal = node.points if node.points is not None else ZERO
    problems: list[tuple[str, str]] = []

    def need(name: str | None, types: set[str], what: str) -> InputDef | None:
        if name is None:
            return None
        spec = inputs.get(name)
        if spec is None:
            close = [n for n in inputs if n.startswith(name[:4])][:1]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(("unknown-input", f"{what} {name!r} is not a declared input{hint}"))
            return None
        if spec.type not in types:
            problems.append(
                (
                    "input-type-mismatch",
                    f"{what} {name!r} is of type {spec.type}; "
                    f"a {rule.kind} rule needs {' or '.join(sorted(types))}",
                )
            )
        parsed = units.parse(spec.unit)
        if isinstance(parsed, str):
            problems.append(("unit-unknown", f"input {name!r}: {parsed}"))
        return spec

    numeric = {"number", "integer"}
    need(rule.applicable_if, {"boolean"}, "applicable_if")
    if rule.enforce_deadline and not node.deadline:
        problems.append(("invalid-value", "enforce_deadline is set but the criterion has no `deadline`"))
    need(rule.dated_by, {"date"}, "dated_by")
    if rule.dated_by is not None and not rule.enforce_deadline:
        problems.append(("invalid-value", "dated_by is set but enforce_deadline is not"))
    if rule.period_from is not None:
        start = _day_month(rule.period_from)
        end = _day_month(node.deadline) if node.deadline else None
        if not rule.enforce_deadline:
            problems.append(("invalid-value", "period_from is set but enforce_deadline is not"))
        elif start is None:
            problems.append(("invalid-value", f"period_from {rule.period_from} is not a day of the year"))
        elif end is not None and start > end:
            problems.append(
                ("invalid-value", f"period_from {rule.period_from} is after the deadline {node.deadline}")
            )

    compiled: Compiled
    if isinstance(rule, YesNo):
        need(rule.input, {"boolean"}, "input")
        compiled = _yes_no(rule, maximum, inputs)
    elif isinstance(rule, Ratio):
        tops, bottoms = _names(rule.input), _names(rule.per)
        specs = [need(name, numeric, "input") for name in tops]
        pers = [need(name, numeric, "per") for name in bottoms]
        if len(tops) > 1 and not bottoms:
            problems.append(
                ("invalid-value", "a ratio whose `input` is a sum of inputs needs `per` (the denominator)")
            )
        for name, spec in zip(tops, specs, strict=True) if bottoms or len(tops) == 1 else ():
            # a wrong type is reported above; its unit would only repeat it
            below: list[tuple[str | None, InputDef | None]] = list(zip(bottoms, pers, strict=True))
            for per_name, per in below or [(None, None)]:
                if _numeric(spec, per):
                    _check_ratio_units(spec, per, name, per_name, problems)
        compiled = _ratio(rule, maximum, inputs)
    elif isinstance(rule, Count):
        need(rule.input, numeric, "input")
        compiled = _count(rule, maximum, inputs)
    elif isinstance(rule, Steps):
        spec = need(rule.input, numeric, "input")
        per = need(rule.per, numeric, "per")
        if rule.per and _numeric(spec, per):
            _check_ratio_units(spec, per, rule.input, rule.per, problems)
        problems.extend(_check_steps(rule.steps, spec, per, rule.per is not None))
        for step in rule.steps:
            if step.points is not None and step.points > maximum:
                problems.append(
                    ("rule-points", f"a step gives {step.points} points; the criterion has {maximum}")
                )
        compiled = _steps(rule, maximum, inputs)
    elif isinstance(rule, Role):
        need(rule.input, {"role"}, "input")
        compiled = _role(rule, maximum, inputs)
    elif isinstance(rule, Checklist):
        item_inputs = {item.input for item in rule.items}
        for item in rule.items:
            need(item.input, {"boolean"}, "item input")
            if item.requires is not None and (
                item.requires not in item_inputs or item.requires == item.input
            ):
                problems.append(
                    (
                        "unknown-input",
                        f"item {item.input!r} requires {item.requires!r}, which is not another item "
                        "of this checklist",
                    )
                )
        total = sum((item.points for item in rule.items), ZERO)
        if total > maximum:
            problems.append(
                ("rule-points", f"the checklist items add up to {total}; the criterion has {maximum}")
            )
        compiled = _checklist(rule, inputs)
    elif isinstance(rule, PerItem):
        need(rule.input, numeric, "input")
        if rule.cap is not None and rule.cap > maximum:
            problems.append(("rule-points", f"the cap {rule.cap} exceeds the criterion's {maximum} points"))
        compiled = _per_item(rule, maximum, inputs)
    elif isinstance(rule, Incidents):
        need(rule.input, numeric, "input")
        need(rule.handled, numeric, "handled")
        compiled = _incidents(rule, maximum, inputs)
    elif isinstance(rule, Formula):
        formula, found = compile_formula(rule.expression, inputs)
        problems.extend(found)
        if formula is None:
            return Compiled((), lambda v, lang: (ZERO, ""), {}), problems
        for name in sorted(formula.names):
            need(name, numeric | {"boolean"}, "formula name")
        compiled = _formula(rule, formula, maximum)
    else:  # pragma: no cover - the discriminated union admits no other kind
        raise AssertionError(rule)
    return compiled, problems


def _day_month(text: str) -> tuple[int, int] | None:
    """`31.3` → (3, 31) for ordering; None when it is no day of a (leap) year."""
    import datetime as dt

    day, month = (int(part) for part in text.split("."))
    try:
        dt.date(2024, month, day)
    except ValueError:
        return None
    return month, day


def _numeric(*specs: InputDef | None) -> bool:
    return all(spec is None or spec.type in {"number", "integer"} for spec in specs)


def _check_ratio_units(
    spec: InputDef | None,
    per: InputDef | None,
    name: str,
    per_name: str | None,
    problems: list[tuple[str, str]],
) -> None:
    if spec is None:
        return
    top = units.parse(spec.unit)
    if isinstance(top, str):
        return
    if per_name is None:
        if top[0] != "dimensionless":
            problems.append(
                (
                    "unit-incompatible",
                    f"input {name!r} is in {spec.unit}; without `per` a ratio needs a percentage "
                    "or plain ratio "
                    "(unit `percent` or `1`), or give the denominator with `per`",
                )
            )
        return
    if per is None:
        return
    bottom = units.parse(per.unit)
    if not isinstance(bottom, str) and top[0] != bottom[0]:
        problems.append(
            (
                "unit-incompatible",
                f"{name!r} is in {spec.unit} but {per_name!r} is in {per.unit}; a ratio needs the same unit "
                "above and below the line",
            )
        )


def _check_steps(
    steps: list[Step], spec: InputDef | None, per: InputDef | None, is_ratio: bool
) -> list[tuple[str, str]]:
    """Bands must cover the input's whole range once: no gap, no overlap."""
    problems: list[tuple[str, str]] = []
    if is_ratio:
        low = ZERO if (spec and spec.min is not None and spec.min >= 0) else None
        high = None
    else:
        low = spec.min if spec else None
        high = spec.max if spec else None
    ordered = sorted(steps, key=lambda s: (s.min is not None, s.min if s.min is not None else ZERO))

    def fmt(value: Decimal | None, inclusive: bool, lower: bool) -> str:
        if value is None:
            return "−∞" if lower else "+∞"
        return f"{value} ({'inclusive' if inclusive else 'exclusive'})"

    first, last = ordered[0], ordered[-1]
    if first.min is not None and (
        low is None or first.min > low or (first.min == low and not first.min_inclusive)
    ):
        problems.append(
            (
                "step-gap",
                f"no step covers values below {fmt(first.min, first.min_inclusive, True)}"
                + (f" (the input's minimum is {low})" if low is not None else "")
                + "; start the first step lower or declare the input's `min`",
            )
        )
    if last.max is not None and (
        high is None or last.max < high or (last.max == high and not last.max_inclusive)
    ):
        problems.append(
            (
                "step-gap",
                f"no step covers values above {fmt(last.max, last.max_inclusive, False)}"
                + (f" (the input's maximum is {high})" if high is not None else ""),
            )
        )
    for a, b in itertools.pairwise(ordered):
        if a.max is None or b.min is None:
            problems.append(
                (
                    "step-overlap",
                    f"the step from {fmt(a.min, a.min_inclusive, True)} has no upper bound "
                    f"but another step starts at {fmt(b.min, b.min_inclusive, True)}",
                )
            )
        elif a.max < b.min or (a.max == b.min and not a.max_inclusive and not b.min_inclusive):
            problems.append(
                (
                    "step-gap",
                    f"values between {fmt(a.max, a.max_inclusive, False)} and "
                    f"{fmt(b.min, b.min_inclusive, True)} fall in no step",
                )
            )
        elif a.max > b.min or (a.max == b.min and a.max_inclusive and b.min_inclusive):
            problems.append(("step-overlap", f"{a.max} falls in two steps; make one bound exclusive"))
    return problems


# --- the scorers ------------------------------------------------------------------------------


def _yes_no(rule: YesNo, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    label = _label(inputs, rule.input)
    name = rule.input

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        w = WORDS[lang]
        if v[name]:
            points, text = _award(ONE, maximum, lang)
            return points, f"{label}: {w['yes']} → {text}"
        return ZERO, f"{label}: {w['no']} → 0 {w['pt']}"

    return Compiled((name,), score, {name: False})


def _names(value: str | list[str] | None) -> list[str]:
    """One input name, or the inputs a list sums (a shared points cell), or none."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _ratio(rule: Ratio, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    tops, bottoms, target = _names(rule.input), _names(rule.per), rule.target
    name = tops[0]
    per = bottoms[0] if bottoms else None
    label = " + ".join(_label(inputs, n) for n in tops)
    factor = _factor(inputs.get(name)) if per is None else ONE
    per_label = " + ".join(_label(inputs, n) for n in bottoms) if bottoms else None
    if len(tops) > 1:
        label = f"({label})"
    if len(bottoms) > 1:
        per_label = f"({per_label})"

    def total(v: Mapping[str, Any], which: list[str], lang: Lang) -> tuple[Decimal, str]:
        """The sum of the inputs, and how it is shown: `12` or `(12 + 30)`."""
        value = sum((v[n] for n in which), ZERO)
        if len(which) == 1:
            return value, show(value, lang)
        return value, "(" + " + ".join(show(v[n], lang) for n in which) + ")"

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        w = WORDS[lang]
        top, top_shown = total(v, tops, lang)
        if per is not None:
            bottom, bottom_shown = total(v, bottoms, lang)
            if bottom == 0:
                raise InvalidValue(f"{per_label}: {w['zero_den']}")
            quotient = div(top, bottom)
            ratio: Decimal | None = quotient
            what = f"{label} / {per_label} = {top_shown}/{bottom_shown} = {percent(quotient, lang)}"
        else:
            top, bottom = top * factor, ONE
            ratio = top
            what = f"{label} = {percent(top, lang)}"
        if target != ONE:
            what += f" ({w['target']} {percent(target, lang)})"
            ratio = None  # the share is the ratio over the target, worked out below
        points, text = _proportional(top, bottom * target, maximum, lang, ratio)
        return points, f"{what} → {text}"

    return Compiled((*tops, *bottoms), score, {n: ZERO for n in tops})


def _count(rule: Count, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, target = rule.input, rule.target
    label = _label(inputs, name)

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        w = WORDS[lang]
        value: Decimal = v[name]
        points, text = _proportional(value, target, maximum, lang)
        return points, f"{label} = {show(value, lang)} ({w['target']} {show(target, lang)}) → {text}"

    return Compiled((name,), score, {name: ZERO})


def _in_step(step: Step, value: Decimal, per: Decimal = ONE) -> bool:
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


def _step_words(step: Step, lang: Lang) -> str:
    if step.label:
        return f"“{step.label}”"
    parts = []
    if step.min is not None:
        parts.append(f"{'≥' if step.min_inclusive else '>'} {show(step.min, lang)}")
    if step.max is not None:
        parts.append(f"{'≤' if step.max_inclusive else '<'} {show(step.max, lang)}")
    return ", ".join(parts) or "*"


def _steps(rule: Steps, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, per, steps = rule.input, rule.per, tuple(rule.steps)
    label = _label(inputs, name)
    per_label = _label(inputs, per) if per else None

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        w = WORDS[lang]
        value: Decimal = v[name]
        bottom = ONE
        what = f"{label} = {show(value, lang)}"
        if per is not None:
            bottom = v[per]
            if bottom <= 0:
                raise InvalidValue(f"{per_label}: {w['zero_den']}")
            what = f"{label} / {per_label} = {percent(div(value, bottom), lang)}"
        for step in steps:
            if _in_step(step, value, bottom):
                band = f"{w['band']} {_step_words(step, lang)}"
                if step.points is not None:
                    points = step.points
                    return points, f"{what} → {band} → {points_text(points, lang)}"
                points, text = _award(step.percent / HUNDRED, maximum, lang)  # type: ignore[operator]
                return points, f"{what} → {band} → {text}"
        raise InvalidValue(f"{what}: no step covers this value")

    return Compiled((name, per) if per else (name,), score, {name: ZERO})


def _role(rule: Role, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name = rule.input
    label = _label(inputs, name)
    shares = {role: rule.percent.get(role, ZERO) / HUNDRED for role in ("head", "deputy", "none")}

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        role: str = v[name]
        points, text = _award(shares[role], maximum, lang)
        return points, f"{label}: {ROLE_WORDS[lang][role]} → {text}"

    return Compiled((name,), score, {name: "none"})


def _checklist(rule: Checklist, inputs: Mapping[str, InputDef]) -> Compiled:
    items = tuple(
        (item.input, item.points, item.label or _label(inputs, item.input), item.requires)
        for item in rule.items
    )
    labels = {item.input: item.label or _label(inputs, item.input) for item in rule.items}

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        w = WORDS[lang]
        total = ZERO
        parts = []
        for name, points, label, requires in items:
            if v[name] and requires is not None and not v.get(requires):
                parts.append(f"{label}: {w['yes']}, {w['needs']} “{labels[requires]}” (+0)")
            elif v[name]:
                total += points
                parts.append(f"{label}: {w['yes']} (+{show(points, lang)})")
            else:
                parts.append(f"{label}: {w['no']} (+0)")
        return total, f"{'; '.join(parts)} → {points_text(total, lang)}"

    return Compiled(tuple(i[0] for i in items), score, {i[0]: False for i in items})


def _per_item(rule: PerItem, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, each = rule.input, rule.points_each
    cap = rule.cap if rule.cap is not None else maximum
    label = _label(inputs, name)

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        w = WORDS[lang]
        count: Decimal = v[name]
        raw = count * each
        points = max(ZERO, min(raw, cap))  # a negative count (no `min: 0` declared) earns nothing
        capped = f" ({w['max']} {show(cap, lang)})"
        return points, (
            f"{label} = {show(count, lang)} × {show(each, lang)} = {show(raw, lang)}{capped} "
            f"→ {points_text(points, lang)}"
        )

    return Compiled((name,), score, {name: ZERO})


def _incidents(rule: Incidents, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, handled = rule.input, rule.handled
    label = _label(inputs, name)

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        w = WORDS[lang]
        count: Decimal = v[name]
        if count == 0:
            points, text = _award(ONE, maximum, lang)
            return points, f"{label} = 0 ({w['none']}) → {text}"
        if handled is None:  # only "no incident" earns: no handled count is read, so none is shown
            points, text = _award(ZERO, maximum, lang)
            return points, f"{label} = {show(count, lang)} ({w['some']}) → {text}"
        if v.get(handled) is None:
            raise NotReported(_label(inputs, handled))
        done: Decimal = v[handled]
        share = ONE if done >= count else ZERO
        points, text = _award(share, maximum, lang)
        return points, f"{label} = {show(count, lang)}, {w['handled']} {show(done, lang)} → {text}"

    names = (name, handled) if handled else (name,)
    return Compiled(names, score, {}, optional=frozenset({handled}) if handled else frozenset())


def _formula(rule: Formula, formula: Any, maximum: Decimal) -> Compiled:
    as_percent = rule.result == "percent"
    names = tuple(sorted(formula.names))

    def score(v: Mapping[str, Any], lang: Lang) -> tuple[Decimal, str]:
        w = WORDS[lang]
        try:
            result = formula({n: v[n] for n in names})
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise InvalidValue(f"{rule.expression}: {exc}") from exc
        raw = maximum * result / HUNDRED if as_percent else result
        points = min(max(raw, ZERO), maximum)
        note = f" ({w['clamped']} [0, {show(maximum, lang)}])" if points != raw else ""
        return (
            points,
            f"{rule.expression} = {show(result, lang)}{'%' if as_percent else ''} "
            f"→ {points_text(points, lang)}{note}",
        )

    return Compiled(names, score, {})
