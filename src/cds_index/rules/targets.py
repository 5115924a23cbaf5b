"""`targets`: a yearly target met or not (Thanh Hóa 1829, ``scoring: targets``).

A criterion's ``targets`` give one target per year: a number to reach (``at_least``, inclusive), a
set of acceptable states (``one_of``), or ``"*"`` (no target that year). It is a rule kind like the
others, scored by the same walk (:mod:`cds_index.engine.evaluate`) with the same reading of values:
its rule for an assessment year (:attr:`Compiled.for_year`) scores **1 of 1** when the target is met
and **0 of 1** when it is not; a year with no target scores 0 of 0 and reads nothing; a value not
reported keeps its 1 (it counts as not met); a value not applicable leaves it out, as for points.
A group then adds up the targets met out of the targets that apply, and a unit *completes* a year
when every group has all of them.

The facts a year's rule records are ``(status, value, shortfall)``, ``status`` one of
:data:`STATUSES`; the explanation is written from them when read.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from ..formats import units
from ..formats.model import AtLeast, InputDef, Node, OneOf, Targets
from ..i18n import T, Words, render
from ..numbers import ONE, ZERO, Lang, figure
from ..read.literals import fold
from .common import SCALE_WORDS, Compiled, Need, Problems, Values

MODEL = Targets

Status = Literal["met", "unmet", "no_target", "not_applicable", "not_reported", "invalid"]
STATUSES: tuple[Status, ...] = ("met", "unmet", "no_target", "not_applicable", "not_reported", "invalid")
"""``invalid``: the value given was refused (its problem says why and how to write it); it counts as
not met, as a value not reported does, but is never shown as one (#11)."""
TargetValue = Decimal | tuple[str, ...]
"""A year's target: the number to reach (inclusive), or the acceptable states."""

STATUS_LABELS = Words(
    "target-status",
    {
        "met": "met",
        "unmet": "not met",
        "no_target": "no target",
        "not_applicable": "not applicable",
        "not_reported": "not reported",
        "invalid": "invalid",
    },
)

NUMBERS = frozenset({"number", "integer"})


def check(
    rule: Targets,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    spec = inputs.get(rule.input)
    if spec is None:
        need(rule.input, set(NUMBERS | {"choice"}), "input")  # unknown-input, with a close match
        return
    scale = units.scale(spec.unit)
    for year, target in rule.years.items():
        if isinstance(target, AtLeast) and scale is not None:
            problems.extend(_scale_problems(year, target.at_least, rule.input, spec, scale))
        if isinstance(target, AtLeast) and spec.type not in NUMBERS:
            problems.append(
                (
                    "input-type-mismatch",
                    T(
                        "{year}: `at_least` needs a number input; {name} is `{type}`",
                        year=str(year),
                        name=repr(rule.input),
                        type=spec.type,
                    ),
                )
            )
        if isinstance(target, OneOf):
            if spec.type != "choice":
                problems.append(
                    (
                        "input-type-mismatch",
                        T(
                            "{year}: `one_of` needs a choice input; {name} is `{type}`",
                            year=str(year),
                            name=repr(rule.input),
                            type=spec.type,
                        ),
                    )
                )
                continue
            for state in target.one_of:
                if state not in (spec.choices or []):
                    problems.append(
                        (
                            "target-year",
                            T(
                                "{year}: {state} is not one of the input's choices ({choices})",
                                year=str(year),
                                state=repr(state),
                                choices=", ".join(spec.choices or []),
                            ),
                        )
                    )


def _scale_problems(year: int, value: Decimal, name: str, spec: InputDef, scale: units.Scale) -> Problems:
    """`at_least: 0.8` on a 0–100 percent input (or 80 on a 0–1 fraction one): refused, with what to
    write (issue #13)."""
    if scale == "percent" and 0 < value < 1:
        write = value * 100
    elif scale == "fraction" and value > 1 and (spec.max is None or spec.max <= 1):
        write = value / 100
    else:
        return []
    shown = format(write.normalize(), "f")
    meant = shown if scale == "percent" else format(value.normalize(), "f")
    return [
        (
            "scale-mismatch",
            T(
                "{year}: {name} is read as {scale_words}, so `at_least: {value}` reads as {read}; write "
                "{shown} for {meant} %",
                year=str(year),
                name=repr(name),
                scale_words=SCALE_WORDS[scale],
                value=str(value),
                read=f"{value}{' %' if scale == 'percent' else ''}",
                shown=shown,
                meant=meant,
            ),
        )
    ]


def compile(rule: Targets, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    """The rule of every year: :attr:`Compiled.for_year` gives one year's (made once, kept)."""
    made: dict[int, Compiled] = {}
    spec = inputs.get(rule.input)
    percent = spec is not None and spec.unit == "percent"

    def for_year(year: int) -> Compiled:
        found = made.get(year)
        if found is None:
            found = made[year] = _for_year(rule, year, percent)
        return found

    def unscored(v: Values) -> tuple[Decimal, Any]:
        raise AssertionError("a yearly target is scored for one year: Compiled.for_year(year)")

    def unexplained(v: Values, facts: Any, lang: Lang) -> str:
        raise AssertionError("a yearly target is explained for one year: Compiled.for_year(year)")

    return Compiled(
        (rule.input,),
        unscored,
        unexplained,
        {},
        kind=rule.kind,
        years=tuple(sorted(rule.years)),
        for_year=for_year,
    )


def target_value(target: AtLeast | OneOf) -> TargetValue:
    return target.at_least if isinstance(target, AtLeast) else tuple(target.one_of)


def year_target(rule: Targets, year: int) -> TargetValue | None:
    """The target of ``year`` (``None``: ``*``, or a year the criterion does not name)."""
    target = rule.years.get(year, "*")
    return None if target == "*" else target_value(target)


def _for_year(rule: Targets, year: int, percent: bool) -> Compiled:
    name = rule.input
    target = rule.years.get(year, "*")
    if target == "*":
        no_target = ("no_target", None, None)

        def nothing(v: Values) -> tuple[Decimal, Any]:
            return ZERO, no_target

        def star(v: Values, facts: Any, lang: Lang) -> str:
            return render(T("no target in {year} (*)", year=str(year)), lang)

        # reads nothing: whether the value is given, or not applicable, does not matter that year
        return Compiled((), nothing, star, {}, kind=rule.kind, maximum=ZERO)

    wanted = target_value(target)
    if isinstance(target, AtLeast):
        need = target.at_least

        def points(v: Values) -> tuple[Decimal, Any]:
            value: Decimal = v[name]
            if value >= need:
                return ONE, ("met", value, None)
            return ZERO, ("unmet", value, need - value)

    else:
        states = frozenset(fold(s) for s in target.one_of)

        def points(v: Values) -> tuple[Decimal, Any]:
            value: str = v[name]
            if fold(value) in states:
                return ONE, ("met", value, None)
            return ZERO, ("unmet", value, None)

    def absent(status: str) -> Any:
        return (status, None, None)

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        status, value, short = facts
        want = show_target(wanted, percent, lang)
        if status == "not_applicable":
            return render(T("not applicable: left out of the assessment"), lang)
        if status == "not_reported":
            return render(
                T("not reported: counts as not met ({year} target: {want})", year=str(year), want=want), lang
            )
        if isinstance(wanted, Decimal):
            have, need = _show_number(value, percent, lang), _show_number(wanted, percent, lang)
            if status == "met":
                return render(
                    T("met: {have} ≥ {need} ({year} target)", have=have, need=need, year=str(year)), lang
                )
            missing = show_short(short, percent, lang)
            return render(
                T(
                    "not met: {have} < {need} ({year} target), {missing} short",
                    have=have,
                    need=need,
                    year=str(year),
                    missing=missing,
                ),
                lang,
            )
        if status == "met":
            return render(
                T("met: “{value}” ({year} target: {want})", value=value, year=str(year), want=want), lang
            )
        return render(
            T("not met: “{value}”, the {year} target is {want}", value=value, year=str(year), want=want), lang
        )

    return Compiled((name,), points, explain, {}, kind=rule.kind, maximum=ONE, absent=absent, said=said)


def said(points: Decimal, lang: Lang) -> str:
    """A target's points in words: 1 is met, 0 not met (an appraisal's note)."""
    return STATUS_LABELS[lang]["met" if points else "unmet"].lower()


def gap_text(
    status: str,
    value: Any,
    target: TargetValue,
    shortfall: Decimal | None,
    percent: bool,
    year: int,
    target_year: int,
    lang: Lang,
) -> str:
    """What must improve: ``year``'s value against ``target_year``'s target (unmet or not reported)."""
    want = show_target(target, percent, lang)
    if status == "not_reported":
        return render(
            T(
                "{target_year} target {want}: not reported in {year}",
                target_year=str(target_year),
                want=want,
                year=str(year),
            ),
            lang,
        )
    if shortfall is not None:
        have, short = _show_number(value, percent, lang), show_short(shortfall, percent, lang)
        return render(
            T(
                "{target_year} target {want}: {have} in {year}, {short} short",
                target_year=str(target_year),
                want=want,
                have=have,
                year=str(year),
                short=short,
            ),
            lang,
        )
    return render(
        T(
            "{target_year} target {want}: “{value}” in {year}",
            target_year=str(target_year),
            want=want,
            value=value,
            year=str(year),
        ),
        lang,
    )


def _show_number(value: Decimal, percent: bool, lang: Lang) -> str:
    return figure(value, lang) + ("%" if percent else "")


def show_short(value: Decimal, percent: bool, lang: Lang) -> str:
    """A shortfall: ``5 điểm phần trăm`` for a percentage, the plain number otherwise."""
    if percent:
        return render(T("{value} percentage points", value=figure(value, lang)), lang)
    return figure(value, lang)


def show_target(target: TargetValue, percent: bool, lang: Lang) -> str:
    """``≥ 65%`` or ``“Có”`` / ``“A” hoặc “B”``."""
    if isinstance(target, Decimal):
        return "≥ " + _show_number(target, percent, lang)
    return render(T(" or "), lang).join(f"“{s}”" for s in target)
