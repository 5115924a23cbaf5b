"""`rank`: points by the unit's place among the units assessed together ("nhất 5 điểm, nhì 4 điểm …").

A rank criterion cannot be scored from one unit's values: its points depend on every unit of the
batch. Scoring has two phases (#13, the rank section of :mod:`cds_index.engine.evaluate`): the
batch's values of the ranked input are gathered first, one value per unit, into a :class:`Standing`;
each unit is then scored with it, its place counted among the others. Without a standing the criterion is
``pending`` (0 points for now, and a ``rank-needs-batch`` warning), never a silent 1st place.

Ties (``ties: competition``, the default): units with equal values share the place and the places
after them are skipped (5, 4, 4, 2 … for 1st, 2nd, 2nd, 4th), each earning the points of the
shared place. This is how Vietnamese rankings are printed ("đồng hạng"): the provincial DTI and
PAR INDEX tables put tied provinces at one rank and continue with the rank after the tied ones.
``ties: average`` gives each tied unit the mean of the points of the places they occupy.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..formats.model import InputDef, Node, Rank
from ..i18n import T, Words
from ..numbers import ZERO, Lang, div, figure, plain, points_text
from .common import NUMERIC, WORDS, Compiled, InvalidValue, Need, Problems, Values, label

MODEL = Rank

PEERS = "@peers"
"""The key under which a rank rule's values carry ``(standing, unit id)``; never an input name
(input names start with a letter)."""

TEXTS = Words(
    "rank",
    {
        "place": "place",
        "tied": "tied at place",
        "with": "with",
        "others": "other unit(s)",
        "by": "by",
        "descending": "highest first",
        "ascending": "lowest first",
        "mean": "the mean of the points of places",
        "unranked": "unit(s) not ranked (not reported, not applicable or invalid)",
        "pending": "pending: the points of a place can only be known among the units assessed together "
        "(score the batch, or give the peers' values) → 0 points for now",
    },
)


@dataclass(frozen=True, slots=True)
class Standing:
    """The batch's values of one rank criterion: one per unit, and the ranked ones in order.

    ``keys`` maps every unit seen to its value (``None`` when it is not ranked: not reported, not
    applicable, invalid). A unit's place is 1 + the number of *other* units with a strictly better
    value, so the same standing places a unit of the batch and a unit that is not in it alike.
    """

    order: str
    keys: Mapping[str, Fraction | None]
    ranked: tuple[Fraction, ...] = field(default=())
    """The ranked values, ascending."""
    unranked: int = 0

    @classmethod
    def of(cls, order: str, keys: Mapping[str, Fraction | None]) -> Standing:
        ranked = tuple(sorted(k for k in keys.values() if k is not None))
        return cls(order, dict(keys), ranked, len(keys) - len(ranked))

    def place(self, unit_id: str, key: Fraction) -> tuple[int, int, int, int]:
        """``(place, tied, ranked, unranked)`` of a unit whose value is ``key``: its place, how many units
        share it (itself included), how many units are ranked and how many are not."""
        low = bisect.bisect_left(self.ranked, key)
        high = bisect.bisect_right(self.ranked, key)
        better = len(self.ranked) - high if self.order == "descending" else low
        equal = high - low
        count = len(self.ranked) + 1
        unranked = self.unranked
        if unit_id in self.keys:  # the unit's own entry is not one of its peers
            own = self.keys[unit_id]
            if own is None:
                unranked -= 1
            else:
                count -= 1
                if own == key:
                    equal -= 1
                elif (own > key) == (self.order == "descending"):
                    better -= 1
        return better + 1, equal + 1, count, unranked


def check(
    rule: Rank,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    need(rule.input, set(NUMERIC), "input")
    need(rule.per, set(NUMERIC), "per")
    if rule.per is not None and rule.per == rule.input:
        problems.append(("invalid-value", T("the rank divides {name} by itself", name=repr(rule.input))))
    for place, points in enumerate([*rule.places, rule.rest], start=1):
        if points > maximum:
            which = T("place {place}", place=str(place)) if place <= len(rule.places) else "`rest`"
            problems.append(
                (
                    "rule-points",
                    T(
                        "{which} gives {points} points; the criterion has {maximum}",
                        which=which,
                        points=plain(points),
                        maximum=plain(maximum),
                    ),
                )
            )
    awards = [*rule.places, rule.rest]
    for place, (better, worse) in enumerate(itertools.pairwise(awards), start=1):
        if worse > better:
            which = T("place {place}", place=str(place + 1)) if place < len(rule.places) else "`rest`"
            problems.append(
                (
                    "invalid-value",
                    T(
                        "{which} gives {worse} points, more than place {place}'s {better}: a better place "
                        "never earns less (list the places 1st first)",
                        which=which,
                        worse=plain(worse),
                        place=str(place),
                        better=plain(better),
                    ),
                )
            )
    if rule.enforce_deadline:
        problems.append(
            (
                "invalid-value",
                T(
                    "a rank criterion cannot enforce a deadline: a late unit would still hold a place "
                    "(give the late unit's value as not reported instead)"
                ),
            )
        )


def compile(rule: Rank, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    name, per, places, rest, ties = rule.input, rule.per, tuple(rule.places), rule.rest, rule.ties
    shown = label(inputs, name) if per is None else f"{label(inputs, name)} / {label(inputs, per)}"
    names = (name,) if per is None else (name, per)

    def measure(v: Values) -> Fraction:
        """The unit's value to be ranked by, exact (a ratio is compared as a fraction, unrounded)."""
        top = Fraction(v[name])
        if per is None:
            return top
        bottom = Fraction(v[per])
        if bottom == 0:
            raise InvalidValue(lambda lang: f"{label(inputs, per)}: {WORDS[lang]['zero_den']}")
        return top / bottom

    def at(place: int) -> Decimal:
        return places[place - 1] if place <= len(places) else rest

    def points(v: Values) -> tuple[Decimal, Any]:
        standing, unit_id = v[PEERS]
        place, tied, count, unranked = standing.place(unit_id, measure(v))
        if ties == "competition" or tied == 1:
            earned = ZERO + at(place)
        else:
            listed = places[place - 1 : place - 1 + tied]
            total = sum(listed, ZERO) + rest * (tied - len(listed))
            earned = div(total, Decimal(tied))
        return earned, (place, tied, count, unranked, earned)

    def value_text(v: Values, lang: Lang) -> str:
        if per is None:
            return figure(v[name], lang)
        return f"{figure(v[name], lang)}/{figure(v[per], lang)}"

    def explain(v: Values, facts: Any, lang: Lang) -> str:
        t = TEXTS[lang]
        what = f"{t['by']} {shown} = {value_text(v, lang)} ({t[rule.order]})"
        if facts is None:  # pending: no standing was given
            return f"{shown} = {value_text(v, lang)}: {t['pending']}"
        place, tied, count, unranked, earned = facts
        if tied == 1:
            where = f"{t['place']} {place}/{count} {what}"
        else:
            where = f"{t['tied']} {place}/{count} {t['with']} {tied - 1} {t['others']} {what}"
        if ties == "average" and tied > 1:
            last = place + tied - 1
            where += f"; {t['mean']} {place}–{last}"
        text = f"{where} → {points_text(earned, lang)}"
        if unranked:
            text += f"; {unranked} {t['unranked']}"
        return text

    return Compiled(names, points, explain, {}, kind=rule.kind, measure=measure)


@dataclass(frozen=True)
class Standings:
    """The batch's standing of every rank criterion of one definition: ``by[criterion id]``."""

    definition: str
    by: Mapping[str, Standing]

    def __len__(self) -> int:
        """How many units the standings were gathered from."""
        return max((len(s.keys) for s in self.by.values()), default=0)
