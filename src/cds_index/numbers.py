"""Exact decimal arithmetic and how numbers are written for people."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Literal

Lang = Literal["vi", "en"]

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
PLACES = Decimal("1e-20")
"""A non-terminating division (2/3) is carried to 20 decimal places; every other operation is exact,
and sums of criteria are exact because they add numbers of at most 20 decimal places."""

CONTEXT = Context(prec=60)
EXPLAIN_PLACES = 4
"""Explanations write at most this many decimals (marked ≈ when rounded); results keep every digit."""


def div(a: Decimal, b: Decimal) -> Decimal:
    """``a / b``: exact when the quotient terminates, else rounded at the 20th decimal place."""
    with localcontext(CONTEXT):
        q = a / b
    if q.as_tuple().exponent < -20:  # type: ignore[operator]
        q = q.quantize(PLACES, rounding=ROUND_HALF_UP)
    return q


def clamp01(x: Decimal) -> Decimal:
    return ZERO if x < ZERO else ONE if x > ONE else x


def plain(d: Decimal) -> str:
    """The shortest exact text of a Decimal: ``1.80`` → ``1.8``, ``2E+1`` → ``20``."""
    if d == d.to_integral_value():
        return str(d.quantize(ONE)) if d.as_tuple().exponent <= 0 else format(d, "f")  # type: ignore[operator]
    text = format(d.normalize(), "f")
    return text


def show(d: Decimal, lang: Lang = "vi", places: int | None = None) -> str:
    """A number for people: rounded to ``places`` if given, trailing zeros dropped, Vietnamese comma."""
    approx = ""
    if places is None and d.as_tuple().exponent < -EXPLAIN_PLACES and d != d.quantize(  # type: ignore[operator]
        Decimal(1).scaleb(-EXPLAIN_PLACES), rounding=ROUND_HALF_UP
    ):
        places, approx = EXPLAIN_PLACES, "≈"  # a repeating decimal in an explanation: say it is rounded
    if places is not None:
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = approx + plain(d)
    if text in {"-0", "≈-0"}:
        text = "0"
    return text.replace(".", ",") if lang == "vi" else text


def percent(share: Decimal, lang: Lang = "vi") -> str:
    """A share 0..1 as a percentage, at most two decimals: ``0.905`` → ``90,5%``."""
    return show(share * HUNDRED, lang, 2) + "%"
