"""Exact decimal arithmetic and how numbers are written for people."""

from __future__ import annotations

from collections.abc import Callable
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Rounded,
    getcontext,
    setcontext,
)
from functools import wraps
from typing import Literal, ParamSpec, TypeVar

Lang = Literal["vi", "en"]

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
PLACES = Decimal("1e-20")
"""A non-terminating division (2/3) is carried to 20 decimal places; every other operation is exact,
and sums of criteria are exact because they add numbers of at most 20 decimal places."""

CONTEXT = Context(prec=60)
"""The context of every operation of scoring: 60 digits, whatever the caller's thread context is
(:func:`exactly`)."""

_P = ParamSpec("_P")
_R = TypeVar("_R")


def exactly(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run with :data:`CONTEXT` as the thread's decimal context, the caller's put back after.

    The sums and products of scoring (``+``, ``*``) use the thread's context: an app that had set
    ``decimal.getcontext().prec = 4`` (or a library that did, in the same thread) got other points for
    the same unit, without a word, and a small ``Emax`` an ``Overflow`` (#11). The public entry points
    (``score``, ``to_dict``, the analyses) are decorated; inside one, another is a plain call."""

    @wraps(function)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        saved = getcontext()
        if saved is CONTEXT:
            return function(*args, **kwargs)
        setcontext(CONTEXT)
        try:
            return function(*args, **kwargs)
        finally:
            setcontext(saved)

    return run


EXPLAIN_PLACES = 4
"""Explanations write at most this many decimals (marked ≈ when rounded); results keep every digit."""


def div(a: Decimal, b: Decimal) -> Decimal:
    """``a / b``: exact when the quotient terminates, else rounded at the 20th decimal place.

    One function, not a division then a call, and no text written for a terminating quotient (33
    divisions a unit of 2263, most of a ratio's time, #11): 0.97 → 0.56 µs a repeating quotient, 1.56
    → 0.70 µs a terminating one (370/96, 30/4; timeit, best of 5)."""
    q = CONTEXT.divide(a, b)  # as `a / b` under CONTEXT, without a local context (3× faster)
    # q has at most 60 digits, so more than 20 decimals means at most 40 before the point: the
    # rounded quotient fits CONTEXT (the thread's default context, 28 digits, would not: #9)
    if q.is_finite() and q.adjusted() < 40:
        # quantize's arguments given by position: by keyword, C decimal parses them 3× slower (#11)
        rounded = q.quantize(PLACES, ROUND_HALF_UP, CONTEXT)
        if rounded != q:  # digits beyond the 20th place: a repeating (or very long) quotient
            return rounded
        # the same value: q itself, unless its exponent is below the 20th place (zeros beyond it,
        # 0.5000000000000000000000): compare_total orders equal values by exponent (reversed below
        # 0), which is a tenth of writing q to count its decimals
        order = q.compare_total(rounded)
        return rounded if (order > 0 if q.is_signed() else order < 0) else q
    # not finite, or 40 digits or more before the point: more than 20 decimals, all zeros? Read from
    # the text where it is plain notation (`str` is a quarter of `as_tuple`, which builds a tuple of
    # up to 60 digits); the scientific form (`1.5E-7`) is asked of the exponent itself.
    text = str(q)
    if "E" in text:
        exponent = q.as_tuple().exponent
        more = isinstance(exponent, int) and exponent < -20
    else:
        dot = text.find(".")
        more = dot >= 0 and len(text) - dot > 21
    if more:
        q = q.quantize(PLACES, ROUND_HALF_UP, CONTEXT)
    return q


def per_hundred(part: Decimal, whole: Decimal) -> Decimal:
    """``div(part * 100, whole)``, the same value: a node's percentage (``whole`` not 0). Where
    ``1 / whole`` terminates (a maximum of 10, 5, 20, 0.5: most of them), a multiplication by it
    instead of a division (#11: 0.4 µs, not 1.8): both are the exact quotient rounded alike — to 60
    digits, then at the 20th decimal place as :func:`div` rounds."""
    a = part * HUNDRED
    try:
        reciprocal = _RECIPROCALS[whole]
    except KeyError:
        reciprocal = _reciprocal(whole)
        if len(_RECIPROCALS) > _PLAIN_MAX:
            _RECIPROCALS.clear()
        _RECIPROCALS[whole] = reciprocal
    except TypeError:  # a signalling NaN cannot be hashed
        reciprocal = None
    if reciprocal is None:
        return div(a, whole)
    q = CONTEXT.multiply(a, reciprocal)
    if q.is_finite() and q.adjusted() < 40:
        return q.quantize(PLACES, ROUND_HALF_UP, CONTEXT)  # div's value: rounded, or itself
    return div(a, whole)


_RECIPROCALS: dict[Decimal, Decimal | None] = {}
_EXACT = Context(prec=60, traps=[Inexact, Rounded, InvalidOperation, DivisionByZero])


def _reciprocal(whole: Decimal) -> Decimal | None:
    """``1 / whole`` when it is exact in 60 digits (``whole`` is 2ᵃ·5ᵇ·10ᵏ), else None."""
    if not whole.is_finite() or not whole:
        return None
    try:
        return _EXACT.divide(ONE, whole)
    except ArithmeticError:
        return None


_PLAIN: dict[Decimal, str] = {}
_PLAIN_MAX = 1 << 12


def plain(d: Decimal) -> str:
    """The shortest exact text of a Decimal: ``1.80`` → ``1.8``, ``2E+1`` → ``20``.

    Written once per value (#11: a result document writes every node's points and maximum, mostly
    the same few numbers); equal values have the same text, but for 0 and -0, which are not cached.
    """
    try:
        return _PLAIN[d]
    except KeyError:
        if d:
            text = _PLAIN[d] = _plain(d)
            if len(_PLAIN) > _PLAIN_MAX:
                _PLAIN.clear()  # a bound, as for show(): the common values come back at once
            return text
    except TypeError:  # a signalling NaN cannot be hashed
        pass
    return _plain(d)


written = _PLAIN.get
"""The text :func:`plain` has already written for a value, else ``None`` (its cache read without a
call: a result document's points, maxima and stated points are mostly numbers written before; 0,
whose sign is written, is never cached)."""


def _plain(d: Decimal) -> str:
    """:func:`plain`'s text, written without its cache."""
    if d.is_finite():
        text = str(d)  # the plain notation `format(d, "f")` writes, unless it is scientific (#11:
        if "E" in text:  # half the time; `str` writes 2E+1 and 1.5E-7, whose plain text `f` writes)
            text = format(d, "f")
        if len(text) <= CONTEXT.prec:  # at most 60 digits: normalize() would round nothing (#11)
            return text.rstrip("0").rstrip(".") if "." in text else text  # its trailing zeros dropped
    whole = d.to_integral_value()  # `d` itself when it has no decimal places (2E+1 stays 2E+1)
    if d == whole:
        return format(whole, "f")
    return format(d.normalize(CONTEXT), "f")


write_plain = _plain
"""The text :func:`plain` writes, without its cache: for numbers that are mostly new (a node's
percentage), which would only push the common ones out of it (#11)."""


def show(d: Decimal, lang: Lang = "vi", places: int | None = None) -> str:
    """A number for people: rounded to ``places`` if given, trailing zeros dropped, Vietnamese comma."""
    if places is None:
        cache = _SHOWN.get(lang)
        if cache is not None:
            try:
                text = cache.get(d)  # written before: most numbers of an explanation (#11)
            except TypeError:  # a signalling NaN cannot be hashed
                return _show(d, lang, places)
            if text is None:  # a miss raises no KeyError: a group's sum is new for every unit
                text = cache[d] = _explained(d, lang)
                if len(cache) > _SHOWN_MAX:
                    cache.clear()  # a bound, not an eviction policy: the common values come back at once
            return text
    return _show(d, lang, places)


def _decimals(d: Decimal) -> int:
    """How many decimal places ``d`` is written with (0 for infinities and NaNs)."""
    exponent = d.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _round(d: Decimal, places: int) -> Decimal:
    """``d`` rounded to ``places`` decimals, in a context wide enough that it never signals (#9)."""
    digits = max(d.adjusted(), 0) + places + 2
    if not d.is_finite() or digits > 1000:
        return d  # nothing an accepted input can reach; shown as it is rather than raise
    return d.quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=max(digits, 28))
    )


ROUNDING_MODES: dict[str, str] = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}
"""A declared rounding mode (``formats.model.RoundingMode``) → the decimal module's constant."""


def round_as(d: Decimal, places: int, mode: str) -> Decimal:
    """``d`` rounded to ``places`` decimals the way a decision declares (``half_up``, ``half_even``,
    ``down``, ``up``): the one rounding of a result's value; displaying uses :func:`show`."""
    digits = max(d.adjusted(), 0) + places + 2
    if not d.is_finite() or digits > 1000:
        return d
    return d.quantize(
        Decimal(1).scaleb(-places), rounding=ROUNDING_MODES[mode], context=Context(prec=max(digits, 28))
    )


def _show(d: Decimal, lang: Lang = "vi", places: int | None = None) -> str:
    approx = ""
    if places is None and _decimals(d) > EXPLAIN_PLACES and d != _round(d, EXPLAIN_PLACES):
        places, approx = EXPLAIN_PLACES, "≈"  # a repeating decimal in an explanation: say it is rounded
    if places is not None:
        d = _round(d, places)
    text = approx + plain(d)
    if text in {"-0", "≈-0"}:
        text = "0"
    return text.replace(".", ",") if lang == "vi" else text


# Explanations write the same few numbers (maximum points, whole points, common percentages) for every
# unit: formatting was a third of a batch's time (benchmarks/bench_batch.py, cProfile). The text
# depends only on the value (1.0 and 1 print alike), so equal Decimals may share an entry.
_SHOWN: dict[str, dict[Decimal, str]] = {"vi": {}, "en": {}}
_SHOWN_MAX = 1 << 12
"""At most this many texts per cache (~1 MB): peak memory must not grow with the number of units."""

# What a cache miss costs matters too: a group's sum and a ratio's share are new numbers for almost
# every unit (#11). `_explained` and `_percent` write exactly what `_show` writes, by the shortest
# route for the numbers explanations meet (finite, fewer than 50 digits before the point); any other
# goes through `_show`. tests/test_numbers.py compares the two on every kind of Decimal.
_FAST_DIGITS = 50
_QUANTUM = {places: Decimal(1).scaleb(-places) for places in (2, EXPLAIN_PLACES)}
_ROUNDING = Context(prec=_FAST_DIGITS + EXPLAIN_PLACES + 6)
"""Wide enough for any quantize of a fast-path number: the same result as `_round`'s own context."""


def _explained(d: Decimal, lang: Lang) -> str:
    """``_show(d, lang)``: at most four decimals, marked ≈ when rounded."""
    if not d.is_finite() or d.adjusted() > _FAST_DIGITS:
        return _show(d, lang)
    rounded = d.quantize(_QUANTUM[EXPLAIN_PLACES], ROUND_HALF_UP, _ROUNDING)
    # trailing zeros dropped from the plain text (what normalize() then format() write, without
    # building two more Decimals: at most 55 digits here, so normalize would round nothing)
    if rounded == d:  # at most four decimals: written as it is
        text = format(d, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    else:  # a repeating decimal in an explanation: say it is rounded
        text = format(rounded, "f").rstrip("0").rstrip(".")
        if text == "-0":
            return "0"
        text = "≈" + text
    if text == "-0":
        return "0"
    return text.replace(".", ",") if lang == "vi" else text


def _percent(share: Decimal, lang: Lang) -> str:
    """``_show(share * 100, lang, 2) + "%"``."""
    d = share * HUNDRED
    if not d.is_finite() or d.adjusted() > _FAST_DIGITS:
        return _show(d, lang, 2) + "%"
    text = format(d.quantize(_QUANTUM[2], ROUND_HALF_UP, _ROUNDING), "f").rstrip("0").rstrip(".")
    if text == "-0":
        return "0%"
    return (text.replace(".", ",") if lang == "vi" else text) + "%"


def percent(share: Decimal, lang: Lang = "vi") -> str:
    """A share 0..1 as a percentage, at most two decimals: ``0.905`` → ``90,5%``."""
    cache = _PERCENT.get(lang)
    if cache is None:
        return _show(share * HUNDRED, lang, 2) + "%"
    try:
        text = cache.get(share)  # a miss is common (a ratio's share): no KeyError raised for it (#11)
    except TypeError:  # a signalling NaN cannot be hashed
        return _show(share * HUNDRED, lang, 2) + "%"
    if text is None:
        text = cache[share] = _percent(share, lang)
        if len(cache) > _SHOWN_MAX:
            cache.clear()
    return text


_PERCENT: dict[str, dict[Decimal, str]] = {"vi": {}, "en": {}}


def points_text(d: Decimal, lang: Lang = "vi") -> str:
    """Points with their word: ``2,5 điểm``; ``1 point``, ``2.5 points``. Cached per value like
    :func:`figure` (#11: every criterion's explanation ends with its points)."""
    cache = _POINTS.get(lang)
    if cache is not None:
        try:
            text = cache.get(d)
        except TypeError:  # a signalling NaN cannot be hashed
            cache = None
        else:
            if text is not None:
                return text
    text = figure(d, lang)
    text += " điểm" if lang == "vi" else " point" if d == ONE else " points"
    if cache is not None:
        if len(cache) > _SHOWN_MAX:
            cache.clear()
        cache[d] = text
    return text


_POINTS: dict[str, dict[Decimal, str]] = {"vi": {}, "en": {}}


def figure(d: Decimal, lang: Lang = "vi") -> str:
    """A number in a sentence (an explanation): :func:`show`, its thousands grouped as the locale
    writes them: ``9.500.000,5`` in Vietnamese, ``9,500,000.5`` in English (#12). Cached like
    :func:`show`: an explanation is written for every node of every unit."""
    cache = _FIGURES.get(lang)
    if cache is None:
        return _group(show(d, lang), lang)
    try:
        text = cache.get(d)  # a miss is common (every unit's own values): no KeyError raised for it
    except TypeError:  # a signalling NaN cannot be hashed
        return _group(show(d, lang), lang)
    if text is None:  # written as show() writes it (its own cache skipped: a miss here is one there too)
        text = _group(_explained(d, lang), lang)
        if len(cache) > _SHOWN_MAX:
            cache.clear()
        cache[d] = text
    return text


_FIGURES: dict[str, dict[Decimal, str]] = {"vi": {}, "en": {}}
FIGURES_WRITTEN = {lang: cache.get for lang, cache in _FIGURES.items()}
"""Per language, the text :func:`figure` has already written for a value, else ``None`` (its cache
read without a call, as :data:`written` reads :func:`plain`'s; an unhashable value raises TypeError)."""


def _group(text: str, lang: Lang) -> str:
    """``9500000,5`` → ``9.500.000,5`` (vi), ``9500000.5`` → ``9,500,000.5`` (en); a ``≈`` or a sign
    kept in front; anything that is not plain digits (an infinity) as it is."""
    head, point, tail = text.partition("," if lang == "vi" else ".")
    if len(head) <= 3:  # at most three digits before the point (most numbers): nothing to group
        return text
    start = len(head) - len(head.lstrip("≈-"))
    digits = head[start:]
    if len(digits) <= 3 or not digits.isdigit():
        return text
    first = len(digits) % 3 or 3
    groups = [digits[:first]] + [digits[i : i + 3] for i in range(first, len(digits), 3)]
    return head[:start] + ("." if lang == "vi" else ",").join(groups) + point + tail
