"""What every rule kind shares: the compiled form, the words explanations use, and small helpers.

A compiled rule has two halves (issue #11): ``points(values)`` computes the points and the few
intermediate numbers it went through (no text), for every unit; ``explain(values, facts, lang)``
writes the sentence from those, only when someone reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, NamedTuple, cast

from ..formats import units
from ..formats.model import InputDef
from ..i18n import Message, T, Words
from ..numbers import ONE, ZERO, Lang, div, figure, percent, points_text

Values = Mapping[str, Any]
Points = Callable[[Values], tuple[Decimal, Any]]
"""values → (points, facts): the intermediate numbers the explanation is written from."""
Explain = Callable[[Values, Any, Lang], str]
"""(values, facts, lang) → the explanation of the points."""
Need = Callable[[str | None, set[str], str], InputDef | None]
"""Look up a declared input a rule reads, recording a problem when it is unknown or of a wrong type."""

NUMERIC = frozenset({"number", "integer"})

ROLE_WORDS = Words("role", {"head": "the head", "deputy": "a deputy", "none": "nobody"})
"""A role's words in an explanation (the English msgids; the catalogue has their Vietnamese)."""
WORDS = Words(
    "explanation",
    {
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
        "limited": "limited to {limit} (the formula gives {raw})",
        "limited_ratio": "the ratio {raw} is above 100%, counted as {limit}",
        "needs": "but needs",
        "some": "incidents occurred; only “no incident” earns points",
        "deducted": "deducted",
        "deduct_max": ("deduction", "at most"),
        "bonus": "bonus",
        "row": "row",
        "no_row": "no row of the table matches these values",
        "no_step": "no step covers this value",
        "rows": "several rows match (a `unique` table)",
    },
)
"""The words explanations are written with, per language: ``WORDS[lang]["pt"]``."""


class Clamp(NamedTuple):
    """A value a rule limited instead of using as computed (issue #13: never silently).

    ``raw`` is what the rule computed and ``limit`` what it used: points for a formula (6.2 → 5),
    a share for a ratio whose part exceeds its whole (1.2 → 1).
    """

    raw: Decimal
    limit: Decimal
    of: Literal["points", "share"]

    def text(self, lang: Lang) -> str:
        """``giới hạn ở 5 điểm (công thức cho 6,2)``: what was limited, in either language."""
        if self.of == "points":
            return WORDS[lang]["limited"].format(
                limit=points_text(self.limit, lang), raw=figure(self.raw, lang)
            )
        return WORDS[lang]["limited_ratio"].format(
            raw=percent(self.raw, lang), limit=percent(self.limit, lang)
        )

    def to_dict(self) -> dict[str, str]:
        from ..numbers import plain

        return {"of": self.of, "value": plain(self.raw), "limit": plain(self.limit)}


class At(Message):
    """A static problem's message that knows where in the rule it belongs: ``path`` is relative to the
    rule (``("rows", 2)`` for a table's third row), and :mod:`cds_index.check.validate` positions the
    problem there instead of at the rule (#13). Everywhere else it is the message itself: a
    :class:`~cds_index.i18n.Message` (``At(T("…", …), path)``), rendered in the reader's language when
    shown, like any other (#12)."""

    path: tuple[str | int, ...]

    def __new__(cls, message: Message | str, path: tuple[str | int, ...]) -> At:
        if not isinstance(message, Message):  # a text already written (a test's): shown as it is
            message = Message("{text}", {"text": message})
        made = cast("At", super().__new__(cls, message.msgid, message.params))
        made.path = path
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        """Copied and pickled with its path and its msgid (a Problem's message may be sent elsewhere)."""
        return _at, (self.msgid, self.params, self.path)

    def __repr__(self) -> str:
        return f"At({str(self)!r}, {self.path!r})"


def _at(msgid: str, params: dict[str, Any], path: tuple[str | int, ...]) -> At:
    return At(Message(msgid, params), path)


SCALE_WORDS: dict[str, Message] = {
    "percent": T("percent (0–100: write 50 for 50 %)"),
    "fraction": T("a fraction (0–1: write 0.5 for 50 %)"),
}
"""How each scale is written, in a rule's problem (the messages' own words; formats/units.py has its
own for the units' problems)."""


Problems = list[tuple[str, Message]]
"""A rule's static problems: ``(code, message)``, the message rendered when shown."""


def count_floor(spec: InputDef | None, name: str, what: str, problems: Problems) -> None:
    """A rule that multiplies a count (deduction, bonus) needs the count's `min: 0`: a negative count
    is then refused when read, instead of turning a deduction into a bonus (or silently into 0)."""
    if spec is not None and spec.type in NUMERIC and (spec.min is None or spec.min < 0):
        problems.append(
            (
                "invalid-value",
                T(
                    "input {name} is counted by a `{kind}` rule: declare its `min: 0`, so that a negative "
                    "count is refused when it is read",
                    name=repr(name),
                    kind=what,
                ),
            )
        )


class InvalidValue(Exception):
    """A value that makes the rule undefined for this unit (a zero denominator): status ``invalid``.

    Carries how to say so in either language (``text(lang)``); ``str()`` is the Vietnamese text.
    """

    def __init__(self, render: Callable[[Lang], str] | str) -> None:
        self.render = render
        super().__init__(render if isinstance(render, str) else "")

    def text(self, lang: Lang) -> str:
        return self.render if isinstance(self.render, str) else self.render(lang)

    def __str__(self) -> str:
        return self.text("vi")


class NotReported(Exception):
    """An optional input turned out to be needed and is missing (incidents without `handled`)."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """A rule ready to score: the inputs it reads, in order, its points and its explanation."""

    inputs: tuple[str, ...]
    points: Points
    explain: Explain
    no_credit: Mapping[str, Any]
    """The value each input takes when it earns no credit (dated after the deadline)."""
    optional: frozenset[str] = frozenset()
    """Inputs that may be missing; the scorer sees ``None`` and decides (raising NotReported)."""
    kind: str = ""
    measure: Callable[[Values], Any] | None = None
    """A rule scored by place among the units assessed together (``rank``, #13): the unit's value
    to be ranked by. ``points`` then needs the batch's standing (see :mod:`cds_index.rules.rank`)."""
    maximum: Decimal | None = None
    """The maximum the rule scores out of when it is its own, not the node's printed points (a yearly
    target: 1 where the year has a target, 0 where it has none)."""
    absent: Callable[[str], Any] | None = None
    """The facts :attr:`explain` writes from when the scorer decides the status before the rule is
    called (``"not_reported"``, ``"not_applicable"``); ``None``: the scorer's own words."""
    years: tuple[int, ...] = ()
    """A yearly rule (``targets``): the years it names. Its rule for one assessment year is
    :attr:`for_year`; the walk needs that year (a missing or unknown year is a usage problem)."""
    for_year: Callable[[int], Compiled] | None = None
    said: Callable[[Decimal, Lang], str] | None = None
    """How the rule's points are said where the scorer shows them (an appraisal's note: a yearly
    target's 1 is "met"); ``None``: as a number."""
    clamp: Callable[[Any], Clamp | None] | None = None
    """facts → the value the rule limited, if it did (a formula above the points, a part above its
    whole); None for a rule that never limits. The result reports it (score-clamped, #13)."""

    def score(self, values: Values, lang: Lang = "vi") -> tuple[Decimal, str]:
        """``(points, explanation)`` at once (what callers that want both use)."""
        points, facts = self.points(values)
        return points, self.explain(values, facts, lang)


def label(inputs: Mapping[str, InputDef], name: str) -> str:
    spec = inputs.get(name)
    return spec.label if spec else name


def factor(spec: InputDef | None) -> Decimal:
    """The factor that turns a value in the input's unit into a plain ratio (percent → 0.01)."""
    if spec is None:
        return ONE
    parsed = units.parse(spec.unit)
    if isinstance(parsed, str) or parsed[0] != "dimensionless":
        return ONE
    return Decimal(str(parsed[1]))


def award_text(share: Decimal, maximum: Decimal, points: Decimal, lang: Lang) -> str:
    """``90% × 3 = 2,7 điểm``: how a share of the maximum was awarded."""
    return f"{percent(share, lang)} × {figure(maximum, lang)} = {points_text(points, lang)}"


def proportional(part: Decimal, whole: Decimal, maximum: Decimal) -> Decimal:
    """``maximum × min(1, part / whole)`` with one division, after the multiplication: exact
    whenever the result terminates (22/24 × 3 = 2.75), never rounded twice."""
    if part >= whole:
        return maximum * ONE
    if part <= 0:
        return maximum * ZERO
    return div(maximum * part, whole)


def proportional_text(
    part: Decimal, whole: Decimal, maximum: Decimal, points: Decimal, lang: Lang, share: Decimal | None = None
) -> str:
    """The explanation of :func:`proportional`; ``share`` is ``part / whole`` when known (only shown)."""
    if part >= whole:
        share = ONE
    elif part <= 0:
        share = ZERO
    elif share is None:
        share = div(part, whole)
    return award_text(share, maximum, points, lang)


def names(value: str | list[str] | None) -> list[str]:
    """One input name, or the inputs a list sums (a shared points cell), or none."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def numeric(*specs: InputDef | None) -> bool:
    return all(spec is None or spec.type in NUMERIC for spec in specs)


def day_month(text: str) -> tuple[int, int] | None:
    """`31.3` → (3, 31) for ordering; None when it is no day of a (leap) year."""
    day, month = (int(part) for part in text.split("."))
    try:
        dt.date(2024, month, day)
    except ValueError:
        return None
    return month, day


def check_ratio_units(
    spec: InputDef | None,
    per: InputDef | None,
    name: str,
    per_name: str | None,
    problems: Problems,
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
                    T(
                        "input {name} is in {unit}; without `per` a ratio needs a percentage or plain "
                        "ratio (unit `percent` or `1`), or give the denominator with `per`",
                        name=repr(name),
                        unit=spec.unit,
                    ),
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
                T(
                    "{name} is in {unit} but {per} is in {per_unit}; a ratio needs the same unit above "
                    "and below the line",
                    name=repr(name),
                    unit=spec.unit,
                    per=repr(per_name),
                    per_unit=per.unit,
                ),
            )
        )
