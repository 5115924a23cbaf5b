"""The short routes of explanations (#11, session 8) write what the general words write.

A ratio's explanation writes its shown share once and reuses it for the award where the two are the
same number; a group's sum reads its figures from figure's cache. Both are compared here with the
explanation as written before, from the general helpers (`award_text`, `figure`), on values
hypothesis draws: parts above, at and below their wholes, zero and negative parts, targets below 1,
percentages, sums of inputs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cds_index.formats.model import InputDef, Ratio
from cds_index.numbers import ONE, div, figure, percent
from cds_index.rules import ratio
from cds_index.rules.common import WORDS, award_text

D = Decimal
INPUTS = {
    "a": InputDef(label="Số hồ sơ", type="integer"),
    "b": InputDef(label="Tổng số hồ sơ", type="integer"),
    "c": InputDef(label="Số khác", type="integer"),
    "p": InputDef(label="Tỷ lệ", type="number", unit="percent"),
}
numbers = st.one_of(
    st.integers(-5, 2000).map(D),
    st.decimals(min_value=-10, max_value=10_000, places=3, allow_nan=False, allow_infinity=False),
)
targets = st.sampled_from([D(1), D("0.8"), D("0.5"), D("0.95"), D("0.333")])
maxima = st.sampled_from([D(1), D(2), D("0.5"), D(3), D("1.25"), D(10)])


def _reference(rule: Ratio, maximum: Decimal, v: dict[str, Any], facts: Any, lang: str) -> str:
    """The ratio's explanation as session 7 wrote it (award_text, the share divided again)."""
    tops = rule.input if isinstance(rule.input, list) else [rule.input]
    bottoms = rule.per if isinstance(rule.per, list) else [rule.per] if rule.per else []

    def label(names: list[str]) -> str:
        text = " + ".join(INPUTS[n].label for n in names)
        return f"({text})" if len(names) > 1 else text

    def shown(names: list[str]) -> str:
        if len(names) == 1:
            return figure(v[names[0]], lang)  # type: ignore[arg-type]
        return "(" + " + ".join(figure(v[n], lang) for n in names) + ")"  # type: ignore[arg-type]

    top, bottom, points = facts
    share: Decimal | None = top
    if bottoms:
        share = div(top, bottom)
        what = f"{label(tops)} / {label(bottoms)} = {shown(tops)}/{shown(bottoms)} = {percent(share, lang)}"  # type: ignore[arg-type]
    else:
        what = f"{label(tops)} = {percent(top, lang)}"  # type: ignore[arg-type]
    whole = bottom
    if rule.target != ONE:
        what += f" ({WORDS[lang]['target']} {percent(rule.target, lang)})"  # type: ignore[arg-type]
        whole = bottom * rule.target
        share = None
    if top >= whole:
        share = ONE
    elif top <= 0:
        share = D(0)
    elif share is None:
        share = div(top, whole)
    limited = None
    if top > bottom:
        limited = f" ({_clamp_text(div(top, bottom), ONE, lang)})"
    elif top < 0:
        limited = f" ({_clamp_text(div(top, bottom), D(0), lang)})"
    return f"{what} → {award_text(share, maximum, points, lang)}{limited or ''}"  # type: ignore[arg-type]


def _clamp_text(raw: Decimal, limit: Decimal, lang: str) -> str:
    from cds_index.rules.common import Clamp

    return Clamp(raw, limit, "share").text(lang)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None, database=None)
@given(
    shape=st.sampled_from(["over", "percent", "sum over", "over sum"]),
    a=numbers,
    b=numbers.filter(lambda x: x != 0),
    c=numbers,
    target=targets,
    maximum=maxima,
    lang=st.sampled_from(["vi", "en"]),
)
def test_a_ratio_explains_as_the_general_words(
    shape: str, a: Decimal, b: Decimal, c: Decimal, target: Decimal, maximum: Decimal, lang: str
) -> None:
    if shape == "over":
        rule = Ratio(text="t", kind="ratio", input="a", per="b", target=target)
    elif shape == "percent":
        rule = Ratio(text="t", kind="ratio", input="p", target=target)
    elif shape == "sum over":
        rule = Ratio(text="t", kind="ratio", input=["a", "c"], per="b", target=target)
    else:
        rule = Ratio(text="t", kind="ratio", input="a", per=["b", "c"], target=target)
        if b + c == 0:
            c += 1
    v = {"a": a, "b": b, "c": c, "p": a / 10}
    compiled = ratio.compile(rule, maximum, INPUTS)
    _, facts = compiled.points(v)
    assert compiled.explain(v, facts, lang) == _reference(rule, maximum, v, facts, lang)


def _plain_reference(d: Decimal) -> str:
    """`numbers._plain` as session 7 wrote it (to_integral_value, normalize)."""
    from cds_index.numbers import CONTEXT

    whole = d.to_integral_value()
    if d == whole:
        return format(whole, "f")
    return format(d.normalize(CONTEXT), "f")


ANY_DECIMAL = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=20),
    st.sampled_from([D("-0"), D("0.000"), D("-0.00"), D("2E+1"), D("1E+70"), D("1." + "3" * 70)]),
)


@settings(max_examples=500, deadline=None, database=None)
@given(ANY_DECIMAL)
def test_plain_writes_what_normalize_wrote(d: Decimal) -> None:
    from cds_index import numbers

    assert numbers._plain(d) == _plain_reference(d)


@settings(max_examples=500, deadline=None, database=None)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9, places=20),
    st.one_of(
        st.sampled_from([D(1), D(2), D(5), D(10), D(20), D("0.5"), D("0.25"), D(3), D(7), D(30), D("1E+3")]),
        st.decimals(allow_nan=False, allow_infinity=False, min_value=D("0.001"), max_value=10**6, places=3),
    ),
)
def test_per_hundred_is_the_division(part: Decimal, whole: Decimal) -> None:
    from cds_index.numbers import HUNDRED, per_hundred

    if not whole:
        return
    got, want = per_hundred(part, whole), div(part * HUNDRED, whole)
    assert got == want and got.is_signed() == want.is_signed()
