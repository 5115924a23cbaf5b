"""Walk a definition's tree with a unit's values, apply the compiled rules, return frozen results."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from ..check.constraints import violations
from ..errors import DefinitionError, Location, Problem, UsageError
from ..formats.model import Definition, IndexSetting, Node, RankingSetting, RuleBase, rule_inputs
from ..i18n import Message, T, Words, render
from ..numbers import FIGURES_WRITTEN as _FIGURES_WRITTEN
from ..numbers import (
    HUNDRED,
    ZERO,
    Lang,
    div,
    exactly,
    figure,
    per_hundred,
    plain,
    points_text,
    round_as,
    show,
    write_plain,
    written,
)
from ..read.inputs import UnitInputs, parse_values, read_otherwise, restated
from ..read.literals import fold
from ..render.jsonbytes import json_text
from ..rules import Compiled, InvalidValue, NotReported
from ..rules.common import Clamp
from ..rules.rank import PEERS, Standing, Standings

Status = Literal["scored", "not_reported", "not_applicable", "invalid", "pending"]
"""``pending``: a rank criterion scored without its batch (#13, the section on rank criteria below)."""
STATUS_WORDS = Words(
    "status",
    {
        "not_reported": "not reported → 0 points by default",
        "not_applicable": "not applicable, not assessed",
        "late": "after the deadline",
        "before": "before the period",
        "earlier": "it belongs to an earlier period and does not count for this one",
        "other_year": "falls in",
        "not_year": "not the assessment year",
        "read": "read",
        "sum": "Sum",
        "pt": "points",
        "missing": "missing",
        "self": "self-assessed",
        "appraised": "appraised",
        "bonus": "bonus",
        "floor": "the deductions exceed the group's points; it stops at 0",
    },
)


INDEX_WORDS = Words(
    "index",
    {
        "sum": "Index = total points",
        "sum_scaled": "Index = total points ÷ applicable maximum × {scale}",
        "mean_of_pillar_percentages": "Index = mean of the pillars' shares of their applicable maxima",
        "weighted_mean_of_pillar_percentages": "Index = weighted mean of the pillars' "
        "shares of their applicable maxima",
        "scale": "scale 0–{scale}",
        "weight": "weight",
        "skipped": "not assessed (not applicable), left out of the mean",
        "none": "no pillar is assessed → 0",
        "rounded": "rounded to {places} decimal places",
        "half_up": "half up",
        "half_even": "half to even",
        "down": "toward zero",
        "up": "away from zero",
    },
)
"""The words of an index explanation (:func:`explain_index`), one place per language."""


Trace = tuple[Any, ...] | str
"""What scoring recorded for a node, compactly (issue #11): a tuple whose first item names its form
and whose second is the language the result was scored in, then the rule, the values read and the
intermediate numbers. :func:`explain` writes the sentence from it, on demand; a string is an
explanation already written (roll-ups write their own)."""

# the forms of a trace (the first item)
SUM = "sum"  # a group: its children's points added; (SUM, lang) — below 0, it stops at 0 (`unfloored`)
RULE = "rule"  # (RULE, lang, compiled rule, values read, facts, self-assessed points or None)
LATE = "late"  # (LATE, lang, leaf, year, dates, points, [(label, value)], self-assessed points or None)
NOT_APPLICABLE = "na"  # (NOT_APPLICABLE, lang, reason or None)
MISSING = "missing"  # (MISSING, lang, labels of the inputs not reported)
INVALID = "invalid"  # (INVALID, lang, InvalidValue)
TEXT = "text"  # (TEXT, lang, a message already written for a Problem)
_SUMS: dict[str, Trace] = {"vi": (SUM, "vi"), "en": (SUM, "en")}
_NOT_APPLICABLE: dict[str, Trace] = {"vi": (NOT_APPLICABLE, "vi", None), "en": (NOT_APPLICABLE, "en", None)}


class NodeResult(NamedTuple):
    """The result of one node: points earned out of the applicable maximum, and why.

    Immutable. (A named tuple rather than a frozen dataclass: a unit has a result per node, and a
    frozen dataclass took four times as long to build — benchmarks/bench_batch.py.)

    - ``max``: the applicable maximum, the points a unit could earn here, not-applicable criteria left out;
    - ``stated``: the points the decision prints for this node;
    - ``trace``: what scoring read and computed here; ``explanation`` is written from it when read;
    - ``self_points``: Điểm tự đánh giá, the points from the unit's own values where an appraisal
      changed them;
    - ``late``: a dated input came after the criterion's deadline;
    - ``bonus``: bonus points (``kind: bonus``, #13), outside ``points``, ``max`` and ``percent``;
    - ``unfloored``: for a group whose deductions (``kind: deduction``, from the parent) exceed its
      points, the sum below 0 that ``points`` stopped at 0 from (a ``deduction-floor`` warning too).
    """

    id: str
    title: str
    points: Decimal
    max: Decimal
    stated: Decimal | None
    status: Status
    trace: Trace
    children: tuple[NodeResult, ...] = ()
    self_points: Decimal | None = None
    inputs: tuple[str, ...] = ()
    late: bool = False
    bonus: Decimal = ZERO
    unfloored: Decimal | None = None

    @property
    def explanation(self) -> str:
        """Why the node has its points, in the language it was scored in (written on each read).

        Written in the caller's decimal context (read for every node of a report, a wrapper was 10%
        of its time): one narrower than the default 28 digits may round its figures otherwise.
        :meth:`explain` and ``to_dict`` write it in the library's own context."""
        return explain(self)

    @exactly
    def explain(self, lang: Lang | None = None) -> str:
        """Why the node has its points, in ``lang`` (default: the language it was scored in)."""
        return explain(self, lang)

    @property
    @exactly
    def percent(self) -> Decimal | None:
        return div(self.points * HUNDRED, self.max) if self.max else None

    @property
    def clamped(self) -> Clamp | None:
        """The value the criterion's rule limited (a formula above its points, a part above its
        whole), read from the trace; None when the rule used its value as computed (#13)."""
        trace = self.trace
        if isinstance(trace, tuple) and trace[0] == RULE and trace[2].clamp is not None:
            return trace[2].clamp(trace[4])  # type: ignore[no-any-return]
        return None

    @property
    def lost(self) -> Decimal:
        return self.max - self.points

    @property
    def is_criterion(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[NodeResult]:
        """This node and every node below it, depth first, parents before children."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            if node.children:
                stack.extend(reversed(node.children))

    @exactly
    def to_dict(self, places: int | None = None, *, explain: bool = True) -> dict[str, Any]:
        """The node as the result document writes it (:meth:`Result.to_json`), read back: every digit
        (``places=None``) or rounded to ``places``; ``explain=False`` leaves the explanations out."""
        out: list[str] = []
        _write_node(self, out, explain, places, "")
        return json.loads("".join(out))  # type: ignore[no-any-return]


# --- the result document, written as JSON text (#11) ------------------------------------------------
#
# One writer: `Result.to_json` writes the document `cds-index score --format json` and the API send;
# `to_dict` is that text read back. A node's parts that come from the definition (its id, title,
# stated points, inputs) are written once per process and kept; per unit only its numbers and status.

_encode = encode_basestring  # a JSON string, quotes and escapes (C; non-ASCII kept as it is)

_HEADS: dict[tuple[Any, ...], tuple[str, str]] = {}
"""(id, title, stated, places) → the node's text up to its points, and from its maximum to its
percentage: the same for every unit."""
_INPUT_TEXTS: dict[tuple[str, ...], str] = {}
"""A criterion's inputs → their text (``,"inputs":[…],"late":``)."""
_PAIRS: dict[tuple[Decimal, Decimal], tuple[str, str]] = {}
"""(points, maximum) → ``P","max":"M`` and the percentage's JSON: a criterion has few pairs (0, full,
half, a step's), and a number's text and a division cost 10–20 times a look-up."""
_ZEROS: dict[Decimal, tuple[tuple[str, str], tuple[str, str]]] = {}
"""A non-zero maximum → the number texts of 0 points and of -0 points out of it (0 and -0 are one
key of :data:`_PAIRS` but two texts)."""
_MINUS_ZERO = Decimal("-0")
_TEXTS_MAX = 1 << 13
_STATUS_TEXTS = {status: f',"status":"{status}"' for status in Status.__args__}  # type: ignore[attr-defined]


def _kept(cache: dict[Any, Any], key: Any, value: Any) -> Any:
    """``value`` kept in ``cache`` under ``key`` (a bound, not an eviction policy: emptied when full)."""
    if len(cache) >= _TEXTS_MAX:
        cache.clear()
    cache[key] = value
    return value


def _head(node_id: str, title: str, stated: Decimal | None, places: int | None) -> tuple[str, str]:
    if stated is None:
        said = "null"
    else:
        text = _written(stated) or plain(stated) if places is None else show(stated, "en", places)
        said = f'"{text}"'
    parts = (
        '{"id":' + _encode(node_id) + ',"title":' + _encode(title) + ',"points":"',
        '","stated":' + said + ',"percent":',
    )
    return _kept(_HEADS, (node_id, title, stated, places), parts)  # type: ignore[no-any-return]


def _numbers_text(points: Decimal, top: Decimal) -> tuple[str, str]:
    """``P","max":"M`` and the percentage's JSON (``"62.5"`` or ``null``), every digit."""
    points_text, top_text, share = node_texts(points, top)
    return f'{points_text}","max":"{top_text}', "null" if share is None else f'"{share}"'


def _write_node(
    node: NodeResult,
    out: list[str],
    explain: bool,
    places: int | None,
    extra: str,
    numbers: tuple[str, str] | None = None,
) -> None:
    """Append ``node``'s JSON (its children's too) to ``out``; ``extra`` goes before its closing
    brace (a pillar's ``,"achievable":…``, after its children as ever); ``numbers``, its number texts
    where its parent has them already (:func:`_numbers_of`). The keys in the order of
    :class:`~cds_index.render.documents.NodeOut`."""
    (
        node_id,
        title,
        points,
        top,
        stated,
        status,
        trace,
        children,
        self_points,
        inputs,
        late,
        bonus,
        unfloored,
    ) = node
    head = _HEADS.get((node_id, title, stated, places)) or _head(node_id, title, stated, places)
    if numbers is None:
        numbers = _numbers_of(node) if places is None else _rounded_numbers(node, places)
    out += (head[0], numbers[0], head[1], numbers[1], _STATUS_TEXTS[status])  # joined once, at the end
    if explain:
        out.append(',"explanation":' + _encode(_explanation(node)))
    if self_points is not None or bonus or unfloored is not None:
        out.append(_extras(self_points, bonus, unfloored, places))
    if children:
        out.append(',"children":[')
        if len(children) == 1 and places is None:
            only = children[0]
            same = only.points == points and only.max == top and points.is_signed() == only.points.is_signed()
            _write_node(only, out, explain, places, "", numbers if same and top else None)
            out.append("]" + extra + "}")
            return
        for child in children:
            _write_node(child, out, explain, places, "")
            out.append(",")
        out[-1] = "]" + extra + "}"  # the last comma closes the list
        return
    tail = _INPUT_TEXTS.get(inputs) or _kept(
        _INPUT_TEXTS, inputs, ',"inputs":' + json_text(list(inputs)) + ',"late":'
    )
    out += (tail, "true" if late else "false")
    if type(trace) is tuple and trace[0] == RULE:
        clamp = trace[2].clamp
        if clamp is not None and (limited := clamp(trace[4])) is not None:
            out.append(',"clamped":' + json_text(limited.to_dict()))
    out.append(',"children":[]' + extra + "}")


def _numbers_of(node: NodeResult) -> tuple[str, str]:
    """A node's two number texts (:func:`_numbers_text`), every digit. A criterion's are kept by
    (points, maximum): a criterion has few pairs (0, full, half, a step's). A group's sum is mostly
    new for every unit, so it is written, not kept, unless it is its one child's (30 of 57 groups
    of 2263: a component of one criterion), whose pair is looked up instead. 0 and -0 are equal
    values of two texts: kept apart, by their maximum (not at all when the maximum is 0)."""
    points, top, children = node.points, node.max, node.children
    while len(children) == 1:
        only = children[0]
        if only.points != points or only.max != top or only.points.is_signed() != points.is_signed():
            return _numbers_text(points, top)
        children = only.children
    if not top:
        return _numbers_text(points, top)
    if not points:
        zeros = _ZEROS.get(top) or _kept(
            _ZEROS, top, (_numbers_text(ZERO, top), _numbers_text(_MINUS_ZERO, top))
        )
        return zeros[1] if points.is_signed() else zeros[0]
    if children:
        return _numbers_text(points, top)
    return _PAIRS.get((points, top)) or _kept(_PAIRS, (points, top), _numbers_text(points, top))


def _rounded_numbers(node: NodeResult, places: int) -> tuple[str, str]:
    share = node.percent
    return (
        f'{show(node.points, "en", places)}","max":"{show(node.max, "en", places)}',
        "null" if share is None else f'"{show(share, "en", places)}"',
    )


def _extras(
    self_points: Decimal | None, bonus: Decimal, unfloored: Decimal | None, places: int | None
) -> str:
    """``,"self_points":…,"bonus":…,"unfloored":…``: those a node has."""
    num = plain if places is None else lambda d: show(d, "en", places)
    text = ""
    if self_points is not None:
        text += f',"self_points":"{num(self_points)}"'
    if bonus:
        text += f',"bonus":"{num(bonus)}"'
    if unfloored is not None:
        text += f',"unfloored":"{num(unfloored)}"'
    return text


_written = written  # plain()'s cache, read without a call (0 is never cached: plain() writes it)


def node_texts(points: Decimal, top: Decimal) -> tuple[str, str, str | None]:
    """``(plain(points), plain(top), plain(points × 100 ÷ top) or None)``: a node's three numbers,
    the two common cases without a division — 0 points (``0``, or ``-0`` as the sign falls) and
    full points (``100``) — the others divided. Points not written before and a percentage are
    written without :func:`plain`'s cache: most are new numbers (a group's sum), which filled it and
    emptied it every fifty units, taking the common points and maxima with them (#11); a criterion's
    pairs are kept by the writer."""
    top_text = _written(top) or plain(top)
    if not points:
        signed = points.is_signed()
        if not top:
            return "-0" if signed else "0", top_text, None
        return "-0" if signed else "0", top_text, "-0" if signed != top.is_signed() else "0"
    if points == top:
        return top_text, top_text, "100"
    share = write_plain(per_hundred(points, top)) if top else None
    return _written(points) or write_plain(points), top_text, share


def explain(node: NodeResult, lang: Lang | None = None) -> str:
    """Write a node's explanation from its trace, in ``lang`` (default: the language it was scored in)."""
    trace = node.trace
    if isinstance(trace, str):
        return trace
    form = trace[0]
    lang = trace[1] if lang is None else _reader(lang)
    if form == RULE:  # the most common forms first (an explanation per node of a report)
        _, _, rule, values, facts, self_points = trace
        if self_points is None:
            return rule.explain(values, facts, lang)  # type: ignore[no-any-return]
        return _self_note(
            rule.explain(values, facts, lang), self_points, node.points, STATUS_WORDS[lang], lang, rule.said
        )
    w = STATUS_WORDS[lang]
    if form == SUM:
        _, _, points, top, _, _, _, children, _, _, _, bonus, unfloored = node
        got = _FIGURES_WRITTEN.get(lang)
        try:
            terms = _terms(children, got, lang) if got is not None else None
        except TypeError:  # a number that cannot be hashed
            terms = None
        if terms is None:  # another language, or a number that cannot be hashed
            terms = figure(children[0].points, lang) if children else ""
            for c in children[1:]:  # a deduction reads `− 3`, not `+ -3`
                terms += f" − {figure(-c.points, lang)}" if c.points < 0 else f" + {figure(c.points, lang)}"
        if unfloored is not None:
            terms += f" = {figure(unfloored, lang)} ({w['floor']})"
        total = (got(points) if got is not None else None) or figure(points, lang)
        text = f"{w['sum']}: {terms} = {total}/{points_text(top, lang)}"
        return text + (f"; {w['bonus']} {figure(bonus, lang)}" if bonus else "")
    if form == LATE:
        _, _, leaf, year, dates, points, read, self_points = trace
        found = (_outside(day, leaf, year, w, lang) for day in dates)
        late = sorted({why for why in found if why is not None})
        shown = "; ".join(f"{label}: {_shown(value, lang)}" for label, value in read)
        text = f"{'; '.join(late)} → {points_text(points, lang)} ({w['read']}: {shown})"
        return _self_note(text, self_points, points, w, lang)
    if form == NOT_APPLICABLE:
        reason = trace[2]
        return w["not_applicable"] + (f" ({reason})" if reason else "")
    if form == MISSING:
        return f"{w['not_reported']} ({w['missing']}: {', '.join(trace[2])})"
    if form == INVALID:
        return str(trace[2].text(lang))
    return render(trace[2], lang)  # TEXT: a problem's message, in the reader's language


_explanation = explain
"""A node's explanation as the property writes it, for :func:`_write_node` (whose ``explain`` is
its flag)."""


def _reader(lang: str) -> Lang:
    """A language asked for by a caller: ``vi``/``en`` as they are, a tag such as ``vi-VN`` or ``EN`` as
    its language (every word and number of a sentence in one language: ``vi-VN`` wrote Vietnamese
    words with English numbers, #11), an unknown one refused (:class:`~cds_index.i18n.LanguageError`)."""
    if lang in ("vi", "en"):
        return lang  # type: ignore[return-value]
    from ..i18n import choose_language

    return choose_language(lang)


def _terms(children: tuple[NodeResult, ...], got: Callable[[Decimal], str | None], lang: Lang) -> str:
    """A sum's terms, ``3 + 2,5 − 1``: the children's points as :func:`figure` writes them, read from
    its cache first (``got``; #11: a group's sum is a third of a report's numbers, most written before)."""
    if not children:
        return ""
    points = children[0][2]
    first = got(points) or figure(points, lang)
    if len(children) == 1:
        return first
    terms = [first]
    for c in children[1:]:  # a deduction reads `− 3`, not `+ -3`
        points = c[2]
        if points < 0:
            terms.append(" − ")
            terms.append(figure(-points, lang))
        else:
            terms.append(" + ")
            terms.append(got(points) or figure(points, lang))
    return "".join(terms)


def _self_note(
    text: str,
    self_points: Decimal | None,
    points: Decimal,
    w: Mapping[str, str],
    lang: Lang,
    said: Callable[[Decimal, Lang], str] | None = None,
) -> str:
    """`` [tự đánh giá 3, thẩm định 2]`` when an appraisal changed the unit's own points (``said``:
    the rule's words for its points, e.g. a yearly target's met / not met)."""
    if self_points is None or self_points == points:
        return text
    say = said or figure
    return f"{text} [{w['self']} {say(self_points, lang)}, {w['appraised']} {say(points, lang)}]"


def _shown(value: Any, lang: Lang) -> str:
    """A plain value as read: có/không, a number, a role."""
    from ..rules import ROLE_WORDS, WORDS

    if isinstance(value, bool):
        return WORDS[lang]["yes" if value else "no"]
    if isinstance(value, Decimal):
        return figure(value, lang)
    if value in ROLE_WORDS[lang]:
        return ROLE_WORDS[lang][value]
    return str(value)


@dataclass(frozen=True)
class Result:
    """A unit's scored index: the tree of results, totals, and the declared final index."""

    definition: str
    unit_id: str
    unit_name: str | None
    year: int | None
    pillars: tuple[NodeResult, ...]
    points: Decimal
    max: Decimal
    """Applicable maximum: what the unit could earn, not-applicable criteria left out."""
    achievable: Decimal
    """The sum of all criteria's points (differs from ``stated_total`` where the decision is inconsistent)."""
    stated_total: Decimal | None
    index: Decimal
    index_method: str
    places: int
    problems: tuple[Problem, ...] = ()
    lang: Lang = "vi"
    pillar_achievable: Mapping[str, Decimal] = field(default_factory=dict)
    """Each pillar's achievable maximum (the sum of its criteria), beside its printed ``stated`` points."""
    bonus: Decimal = ZERO
    """Bonus points (``kind: bonus``, #13): outside ``points``, ``max``, ``percent`` and ``index``."""
    index_exact: Decimal | None = None
    """The index before the declared rounding (``None``: the same as ``index``, nothing rounded)."""
    index_scale: Decimal | None = None
    """The scale the index is on (0 to this); ``None``: points."""
    index_trace: IndexTrace | None = None
    """What the index was made of; :meth:`explain_index` writes the sentence from it."""
    ranking: RankingSetting | None = None
    """The definition's declared ranking measure and ties (:func:`cds_index.analyse.ranking.rank`)."""
    _by_id: dict[str, NodeResult] = field(default_factory=dict, repr=False, compare=False)

    @property
    @exactly
    def percent(self) -> Decimal | None:
        return div(self.points * HUNDRED, self.max) if self.max else None

    @property
    @exactly
    def total_with_bonus(self) -> Decimal:
        """The points and the bonus together: a figure of its own, beside ``points`` (#13)."""
        return self.points + self.bonus

    def node(self, node_id: str) -> NodeResult:
        """The result of one node by id: ``result.node("CQS.1.1.1").points``."""
        by_id = self._by_id
        if not by_id:  # filled in one step: a thread that finds it filled finds every node (#11)
            by_id.update({item.id: item for pillar in self.pillars for item in pillar.walk()})
        return by_id[node_id]

    def walk(self) -> Iterator[NodeResult]:
        """Every node, pillar by pillar, parents before children (one generator, not one per pillar)."""
        stack = list(reversed(self.pillars))
        while stack:
            node = stack.pop()
            yield node
            if node.children:
                stack.extend(reversed(node.children))

    def criteria(self) -> list[NodeResult]:
        return [n for n in self.walk() if n.is_criterion]

    @property
    def ok(self) -> bool:
        """No value of the unit was refused."""
        return not any(p.severity == "error" for p in self.problems)

    @exactly
    def explain(self, node_id: str, lang: Lang | None = None) -> str:
        """Why a node has its points, written from the trace in ``lang`` (default: the scoring's)."""
        return explain(self.node(node_id), lang)

    @property
    def exact_index(self) -> Decimal:
        """The index before any declared rounding."""
        return self.index if self.index_exact is None else self.index_exact

    @property
    def index_places(self) -> int:
        """The decimals the index is shown with: the declared rounding's, else the display's."""
        rounding = self.index_trace.rounding if self.index_trace is not None else None
        return self.places if rounding is None else int(rounding.places)

    def index_text(self, lang: Lang | None = None) -> str:
        """The index as people read it: ``76,35%`` on 0–100, ``0,76/1`` on another scale, points otherwise."""
        lang = lang or self.lang
        value = show(self.index, lang, self.index_places)
        if self.index_scale is None:
            return value
        return f"{value}%" if self.index_scale == HUNDRED else f"{value}/{figure(self.index_scale, lang)}"

    @exactly
    def explain_index(self, lang: Lang | None = None) -> str:
        """How the index was made from the pillars, in ``lang`` (default: the scoring's language)."""
        lang = self.lang if lang is None else _reader(lang)
        if self.index_trace is None:
            return f"{INDEX_WORDS[lang]['sum']} = {figure(self.index, lang)}"
        return explain_index(self.index_trace, self.index, self.exact_index, lang)

    @exactly
    def to_json(self, *, rounded: bool = False, explain: bool = True) -> str:
        """The result document as compact JSON text: what ``cds-index score --format json`` and the
        API's ``POST …/score`` send (:class:`~cds_index.render.documents.ResultDocument`; points are
        exact decimal strings, ``rounded`` to the display's places); ``explain=False`` leaves every
        explanation out, and writes none. Written without building the dictionaries (#11)."""
        places = self.places if rounded else None
        num = _numbers(places)
        head = {
            "definition": self.definition,
            "unit": {"id": self.unit_id, "name": self.unit_name},
            "year": self.year,
            "points": num(self.points),
            "max": num(self.max),
            "achievable": num(self.achievable),
            "stated_total": num(self.stated_total),
            "percent": num(self.percent),
            "bonus": num(self.bonus),
            "total_with_bonus": num(self.total_with_bonus),
            "index": self._index_dict(num, explain),
        }
        out = [json_text(head)[:-1], ',"problems":[']  # the document's closing brace comes last
        for problem in self.problems:
            out += (_problem_text(problem, self.lang), ",")
        if self.problems:
            out[-1] = '],"children":['  # the last comma closes the list
        else:
            out.append('],"children":[')
        achievable = self.pillar_achievable
        for pillar in self.pillars:
            top = achievable.get(pillar.id)
            _write_node(pillar, out, explain, places, "" if top is None else f',"achievable":"{num(top)}"')
            out.append(",")
        if self.pillars:
            out[-1] = "]}"  # the last comma closes the list and the document
        else:
            out.append("]}")
        return "".join(out)

    @exactly
    def to_dict(self, *, rounded: bool = False, explain: bool = True) -> dict[str, Any]:
        """The JSON contract of ``cds-index score --format json`` (points are exact decimal strings):
        :meth:`to_json`'s document, read back; ``explain=False`` leaves every node's explanation out
        (nothing is written)."""
        return json.loads(self.to_json(rounded=rounded, explain=explain))  # type: ignore[no-any-return]

    def _index_dict(self, num: Any, explain: bool) -> dict[str, Any]:
        """The index: its value (rounded as declared), the exact value, the scale and the rounding."""
        trace = self.index_trace
        rounding = trace.rounding if trace is not None else None
        out: dict[str, Any] = {
            "method": self.index_method,
            "value": num(self.index),
            "exact": num(self.exact_index),
            "scale": num(self.index_scale),
            "rounding": None if rounding is None else {"places": rounding.places, "mode": rounding.mode},
        }
        if explain:
            out["explanation"] = self.explain_index()
        return out


_PROBLEM_TEXTS: dict[tuple[int, Lang], tuple[Problem, str]] = {}
"""(the problem object's id, language) → the problem and its JSON text: a unit's warnings are mostly
objects scoring keeps and gives every unit (a criterion's zero denominator), whose message is
rendered the same every time. Keyed by identity, the problem kept with its text (so its id is
never another object's while kept): no problem is compared or hashed by value."""


def _problem_text(problem: Problem, lang: Lang) -> str:
    kept = _PROBLEM_TEXTS.get((id(problem), lang))
    if kept is not None and kept[0] is problem:
        return kept[1]
    text = json_text(problem.to_dict(lang))
    _kept(_PROBLEM_TEXTS, (id(problem), lang), (problem, text))
    return text


def _numbers(places: int | None) -> Callable[[Decimal | None], str | None]:
    """How :meth:`Result.to_dict` writes a number: every digit (``places=None``), else rounded."""

    def num(d: Decimal | None) -> str | None:
        return None if d is None else (plain(d) if places is None else show(d, "en", places))

    return num


# --- compilation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    rule: Compiled
    applicable_if: str | None
    deadline: tuple[int, int] | None  # (day, month), only when enforced
    inputs: tuple[str, ...]
    period_from: tuple[int, int] | None = None  # (day, month): the first day the criterion counts
    dated_by: str | None = None  # a date input that dates the criterion
    maximum: Decimal = ZERO  # what the criterion scores out of: its points, or its rule's own (a target: 1)


@dataclass
class CompiledDefinition:
    definition: Definition
    leaves: dict[str, _Leaf]
    problems: list[tuple[str, str, str]]  # (node id, code, message)
    achievable: Decimal = ZERO
    """The sum of all criteria's points, computed once (not per unit: measured 4% of a batch)."""
    pillar_achievable: dict[str, Decimal] = field(default_factory=dict)
    plan: tuple[Step, ...] = ()
    """The tree flattened once per definition (#11): every node in post-order, children before their
    group, so that scoring is one loop over a list instead of a recursive walk."""
    years: tuple[int, ...] = ()
    """The years a definition of yearly rules (``targets``) assesses; ``()``: any year. Such a
    definition is compiled once per year (:func:`compiled`), the plan for that year's targets; its
    year-less compilation only checks the rules and has no plan."""
    year: int | None = None
    ranked: tuple[Node, ...] = ()
    """The criteria scored by place among the batch (``rank``, #13), in tree order."""
    pillar_results: Callable[[list[NodeResult]], tuple[NodeResult, ...]] = lambda results: ()
    """Takes the pillars' results from a unit's results in plan order (:meth:`_Scorer.pillars`)."""
    readings: dict[tuple[str, str], Any] = field(default_factory=dict)
    """The alternative readings a sensitivity analysis compiled, ``(criterion id, reading name)`` →
    the variant's compilation or the problems it was refused with: made once per definition,
    not once per analysis (each is a whole definition compiled again, #11)."""


Step = tuple[Any, ...]
"""One step of a compiled plan: (number of children, node, its compiled leaf or None, its maximum,
its id, title and stated points, whether the short path may score it, then for a criterion what the
short path reads, decided once per definition (#11): its gate, its inputs, its rule's ``points``,
its ``clamp``, whether it is a bonus, the inputs it names, the rule and its one input (or None);
for a group, whether any criterion below it is a bonus and what takes its children's results),
and last, for a criterion, its memos (:data:`MEMO_SIZE`).
Scoring appends one result per step, so a step's results are at fixed places in the unit's list:
a group takes its children's from their places (its only child's is the one before it)."""

MEMO_SIZE = 512
"""The short path's results of a criterion of one input, kept per language by the value read.

Such a criterion is a function of the value object it reads, and a reader gives the same object
for the same value to every unit (one ``True``, one ``Decimal`` per count read, #11): the same
object, the same result, which a unit then shares with the units before it (results are
immutable). The key is the object's ``id``, the entry the result, whose trace holds that very
object: while the entry is kept it is alive, so no other object can have its id. Only results the
rule gave without a problem are kept (a zero denominator warns each unit); at :data:`MEMO_SIZE`
entries a memo is emptied (dict get and set only: safe in the server's threads).

One unit of 2263 (``benchmarks/bench_score_one.py``, every round from empty memos, alternated with
the plan without them): 210 → 192 µs. Criteria of two inputs or more are not kept: most are
ratios whose pairs of counts rarely repeat, and the key and the entries of the misses made a unit
slower (210 → 228 µs)."""

_IMMUTABLE = frozenset({Decimal, bool, int, str, dt.date})
"""The values a memo keeps a result by (what the readers give): a value of any other type (a list
in a unit made by hand) could change under the same id, so its results are not kept."""


def _picker(positions: list[int]) -> Callable[[list[NodeResult]], tuple[NodeResult, ...]]:
    """The results at ``positions`` of a unit's list of results, as a tuple, in one call."""
    if len(positions) == 1:
        only = positions[0]
        return lambda results: (results[only],)
    if not positions:
        return lambda results: ()
    return itemgetter(*positions)  # a tuple for two positions or more


def _plan(
    definition: Definition, leaves: Mapping[str, _Leaf]
) -> tuple[tuple[Step, ...], Callable[[list[NodeResult]], tuple[NodeResult, ...]]]:
    """The plan, and what takes the pillars' results from a unit's list of results."""
    steps: list[Step] = []
    bonus_below: dict[str, bool] = {}
    position: dict[int, int] = {}  # id(node) → its step, which is also its result's place in the list
    # post-order without recursion: (node, expanded?) on a stack
    stack: list[tuple[Node, bool]] = [(pillar, False) for pillar in reversed(definition.tree)]
    while stack:
        node, expanded = stack.pop()
        if not node.children or expanded:
            position[id(node)] = len(steps)
        if not node.children:
            leaf = leaves.get(node.id)
            maximum = leaf.maximum if leaf is not None else node.points if node.points is not None else ZERO
            short = leaf is not None and leaf.deadline is None and leaf.rule.measure is None
            if leaf is None:
                steps.append((0, node, leaf, maximum, node.id, node.title, node.points, short))
                bonus_below[node.id] = False
                continue
            rule = leaf.rule
            is_bonus = rule.kind == "bonus"
            bonus_below[node.id] = is_bonus
            steps.append(
                (
                    0,
                    node,
                    leaf,
                    maximum,
                    node.id,
                    node.title,
                    node.points,
                    short,
                    leaf.applicable_if,
                    tuple(rule.inputs),
                    rule.points,
                    rule.clamp,
                    is_bonus,
                    leaf.inputs,
                    rule,
                    rule.inputs[0] if len(rule.inputs) == 1 else None,
                    ({}, {}),  # memos, "vi" and "en": id(the one value read) → (result, its clamp or None)
                )
            )
        elif expanded:
            any_bonus = any(bonus_below[c.id] for c in node.children)
            bonus_below[node.id] = any_bonus
            children = _picker([position[id(c)] for c in node.children])
            steps.append(
                (
                    len(node.children),
                    node,
                    None,
                    ZERO,
                    node.id,
                    node.title,
                    node.points,
                    False,
                    any_bonus,
                    children,
                )
            )
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
    return tuple(steps), _picker([position[id(pillar)] for pillar in definition.tree])


def compile_definition(definition: Definition, year: int | None = None) -> CompiledDefinition:
    """Compile every rule once. Problems are returned, not raised (the validator positions them).

    A node's ``rule`` and a node's ``targets`` are compiled alike (:data:`cds_index.rules.KINDS`). A
    yearly rule (``targets``) is compiled for ``year``; without a year the rules are checked and
    there is no plan to score with (:func:`compiled` asks for the year).
    """
    from ..rules import compile_rule

    leaves: dict[str, _Leaf] = {}
    problems: list[tuple[str, str, str]] = []
    years: set[int] = set()
    yearly = False
    for _, node in definition.walk():
        rule = node.rule if node.rule is not None else node.targets
        if rule is None:
            continue
        compiled_rule, found = compile_rule(rule, node, definition.inputs)
        problems.extend((node.id, code, message) for code, message in found)
        if compiled_rule.for_year is not None:
            yearly = True
            years.update(compiled_rule.years)
            if year is not None:
                compiled_rule = compiled_rule.for_year(year)
        maximum = compiled_rule.maximum
        if maximum is None:
            maximum = node.points if node.points is not None else ZERO
        if not isinstance(rule, RuleBase):  # a yearly target: no gate, no deadline, no date
            leaves[node.id] = _Leaf(compiled_rule, None, None, tuple(rule_inputs(rule)), maximum=maximum)
            continue
        deadline = start = None
        if rule.enforce_deadline and node.deadline:
            day, month = (int(part) for part in node.deadline.split("."))
            deadline = (day, month)
            if rule.period_from:
                day, month = (int(part) for part in rule.period_from.split("."))
                start = (day, month)
        names = list(compiled_rule.inputs)
        if rule.applicable_if:
            names.append(rule.applicable_if)
        if rule.dated_by:
            names.append(rule.dated_by)
        leaves[node.id] = _Leaf(
            compiled_rule, rule.applicable_if, deadline, tuple(names), start, rule.dated_by, maximum
        )

    def top(node: Node) -> Decimal:
        leaf = leaves.get(node.id)
        return leaf.maximum if leaf is not None else node.points or ZERO

    achievable = sum((top(c) for c in definition.criteria()), ZERO)
    by_pillar = {
        pillar.id: sum((top(n) for _, n in pillar.walk() if n.is_leaf), ZERO) for pillar in definition.tree
    }
    assessed = tuple(definition.years or sorted(years)) if yearly else ()
    ready = not problems and (not yearly or year is not None)
    plan, tops = _plan(definition, leaves) if ready else ((), _picker([]))
    ranked = tuple(n for _, n in definition.walk() if n.id in leaves and leaves[n.id].rule.measure)
    return CompiledDefinition(
        definition,
        leaves,
        problems,
        achievable,
        by_pillar,
        plan,
        assessed,
        year if yearly else None,
        ranked,
        tops,
    )


def _cache_of(definition: Definition) -> dict[int | None, CompiledDefinition] | None:
    """The definition's compilations (``_compiled``), read from pydantic's store of private
    attributes: ``definition._compiled`` goes through pydantic's ``__getattr__`` (1.8 µs, read at
    every score: 1 % of one unit of 2263, benchmarks/bench_score_one.py, #11)."""
    private = definition.__pydantic_private__
    return private.get("_compiled") if private else None


def _checked(definition: Definition) -> CompiledDefinition:
    """The definition compiled without a year (its rules checked), once; its problems raised."""
    cache = _cache_of(definition)
    base = cache.get(None) if cache is not None else None
    if cache is None or (base is not None and base.definition is not definition):
        # a copy (``model_copy(update=…)``) shares its original's cache: never its compiled rules
        base, cache = None, {}
        definition._compiled = cache
    if base is None:
        base = compile_definition(definition)
        if base.problems:
            raise DefinitionError(
                [
                    Problem(code, message, Location(path=("tree",)), (node_id,))
                    for node_id, code, message in base.problems
                ]
            )
        cache[None] = base
    return base


def assessed_years(definition: Definition) -> tuple[int, ...]:
    """The years a definition of yearly targets assesses (``()``: a definition of points, any year)."""
    return _checked(definition).years


def compiled(definition: Definition, year: int | None = None) -> CompiledDefinition:
    """The definition's compiled rules, made once and kept with it.

    A definition of yearly targets is compiled for one of its years: without ``year`` it is a
    :class:`DefinitionError` (code ``usage``), a year it has no targets for a :class:`UsageError`,
    both positioned at ``year`` (never a default year).
    """
    base = _checked(definition)
    if not base.years:
        return base
    cache = _cache_of(definition)
    assert cache is not None  # made by _checked
    found = cache.get(year) if year is not None else None
    if found is not None:  # the common case, before any word is written (#11: 1.7 µs a unit)
        return found
    where = Location(path=("year",))
    shown = ", ".join(map(str, base.years))
    if year is None:
        message = T(
            "{id} has yearly targets (for {years}): say which year, e.g. score(definition, values, "
            "year={first}), or use cds_index.evaluate_year(definition, year, values) or "
            "cds_index.evaluate_years(definition, {{year: values}})",
            id=definition.id,
            years=shown,
            first=str(base.years[0]),
        )
        raise DefinitionError(Problem("usage", message, where))
    if year not in base.years:
        unknown = T(
            "{id} has targets for {years}, not for {year}", id=definition.id, years=shown, year=str(year)
        )
        raise UsageError(Problem("usage", unknown, where))
    found = cache[year] = compile_definition(definition, year)
    return found


# --- scoring ----------------------------------------------------------------------------------


IN_PERIOD, OTHER_YEAR, LATE_DAY, BEFORE_PERIOD = 0, 1, 2, 3
"""Where a dated value falls against a criterion's period (:func:`_where`)."""


@lru_cache(maxsize=1024)
def _last_day(deadline: tuple[int, int], year: int) -> dt.date:
    """The deadline's day in ``year`` (29.2 in a common year: the last day of February); once per
    deadline and year, not per unit (#11)."""
    end_day, end_month = deadline
    try:
        return dt.date(year, end_month, end_day)
    except ValueError:
        return dt.date(year, 3, 1) - dt.timedelta(days=1)


@lru_cache(maxsize=1024)
def _first_day(period_from: tuple[int, int], year: int) -> dt.date:
    start_day, start_month = period_from
    return dt.date(year, start_month, start_day)


def _where(day: dt.date, leaf: _Leaf, year: int | None) -> int:
    """Where ``day`` falls against the criterion's period, decided without writing a word: the
    assessment year's ``period_from`` (or 1 January) to its ``deadline``; without an assessment
    year, the value's own year. :func:`_outside` writes why from it."""
    assert leaf.deadline is not None
    year = year or day.year
    if day.year != year:
        return OTHER_YEAR
    if day > _last_day(leaf.deadline, year):
        return LATE_DAY
    if leaf.period_from is not None and day < _first_day(leaf.period_from, year):
        return BEFORE_PERIOD
    return IN_PERIOD


def _outside(
    day: dt.date, leaf: _Leaf, year: int | None, words: Mapping[str, str] | None = None, lang: Lang = "vi"
) -> str | None:
    """Why a dated value earns no credit here, or None when it falls in the criterion's period
    (:func:`_where` decides; a date in another year says so, not "late")."""
    where = _where(day, leaf, year)
    if where == IN_PERIOD:
        return None
    assert leaf.deadline is not None
    words = words or STATUS_WORDS[lang]
    year = year or day.year
    shown = _date(day, lang)
    if where == OTHER_YEAR:
        return f"{shown}: {words['other_year']} {day.year}, {words['not_year']} {year}"
    end = _last_day(leaf.deadline, year)  # as the reader writes dates (31/03/2024), not 31.3/2024
    if where == LATE_DAY:
        return f"{shown}: {words['late']} {_date(end, lang)}"
    assert leaf.period_from is not None
    start = _first_day(leaf.period_from, year)
    return f"{shown}: {words['before']} {_date(start, lang)}–{_date(end, lang)} ({words['earlier']})"


def _date(day: dt.date, lang: Lang) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if lang == "vi" else day.isoformat()


_new = tuple.__new__
_QUIET = frozenset({"not_reported", "not_applicable"})
"""The statuses a group keeps when every child has it; any other child makes the group ``scored``."""
"""Builds a NodeResult from all its fields at once, without the keyword handling (a result per node)."""


def _nothing(node: Node, leaf: _Leaf, maximum: Decimal, status: Status, trace: Trace) -> NodeResult:
    """A criterion that earns nothing: not applicable leaves the maximum, the others keep it."""
    top = ZERO if status == "not_applicable" else maximum
    absent = leaf.rule.absent
    if absent is not None and status != "invalid":  # the rule's own words (a yearly target's)
        trace = (RULE, trace[1], leaf.rule, {}, absent(status), None)
    return _new(
        NodeResult,
        (
            node.id,
            node.title,
            ZERO,
            top,
            node.points,
            status,
            trace,
            (),
            None,
            leaf.inputs,
            False,
            ZERO,
            None,
        ),
    )


_UNDEFINED: dict[tuple[str, str, Decimal, str | None], Problem] = {}
"""The ``invalid-value`` warning of a criterion, reason and source (:meth:`_Scorer.undefined`): a
Problem is immutable, so the units that share them share one (#11: 2.7 → 0.9 µs a warning, 2.8 of
them a unit of 2263 in benchmarks/bench_score_one.py; a batch read from a file has a source a unit)."""


class _Scorer:
    def __init__(
        self,
        cdef: CompiledDefinition,
        unit: UnitInputs,
        lang: Lang,
        broken: Mapping[str, str],
        standings: Mapping[str, Any] | None = None,
    ) -> None:
        self.cdef = cdef
        self.standings = standings
        """criterion id → the batch's :class:`~cds_index.rules.rank.Standing` (rank criteria, #13)."""
        self.unit_id = unit.unit_id
        self.leaves = cdef.leaves
        self.values = unit.values
        self.year = unit.year
        self.lang = lang
        self.sum_trace = _SUMS[lang]
        self.not_applicable = _NOT_APPLICABLE[lang]
        self.bad = {
            p.location.path[-1]: p.message for p in unit.problems if p.location.path and p.severity == "error"
        }
        self.broken = broken
        """Inputs whose value breaks a constraint of the definition: the criteria reading them are invalid."""
        self.source = unit.source
        self.problems: list[Problem] = []
        """Input problems found while scoring (an undated value where the criterion needs its date)."""
        self.owned = False
        """Whether a criterion of the unit has self-assessed points (an appraisal changed its values):
        until one has, no group has any to add (:meth:`pillars`)."""
        self.limits: list[tuple[str, Decimal, tuple[str, ...], Clamp]] = []
        """(criterion, maximum, inputs, what was limited) of each criterion whose rule limited it (#13)."""
        self.simple: dict[str, Any] = {
            name: v.value
            for name, v in self.values.items()
            if v.value is not None and v.appraised is None and not v.not_applicable
        }
        """The unit's plain values, unwrapped once (#11): reported, applicable, not appraised. A
        criterion with no deadline reading only these takes the short path in :meth:`pillars`; any
        other goes through :meth:`criterion`, which decides every case."""

    def label(self, name: str) -> str:
        spec = self.cdef.definition.inputs.get(name)
        return spec.label if spec else name

    def undated(self, node: Node, leaf: _Leaf, maximum: Decimal, names: list[str]) -> NodeResult:
        """A value that would earn credit has no date, so its period cannot be checked: invalid."""
        inputs = self.cdef.definition.inputs
        labels = ", ".join(inputs[n].label for n in names)
        day, month = leaf.deadline  # type: ignore[misc]
        example = f"{self.year or 2024}-{month:02d}-{day:02d}"
        params = {
            "node": node.id,
            "labels": labels,
            "deadline": f"{day}.{month}",
            "name": names[0],
            "example": example,
        }
        message = (
            T(
                "{node}: {labels} has no date, so it cannot be placed in its period (deadline {deadline}); "
                "give the date it was held, e.g. {name}: {{value: true, date: {example}}} or "
                "{column}: {example} (a column of its own in a table)",
                column=leaf.dated_by,
                **params,
            )
            if leaf.dated_by
            else T(
                "{node}: {labels} has no date, so it cannot be placed in its period (deadline {deadline}); "
                "give the date it was held, e.g. {name}: {{value: true, date: {example}}}",
                **params,
            )
        )
        self.problems.append(
            Problem(
                "input-date-missing", message, Location(self.source, path=("values", names[0])), (node.id,)
            )
        )
        return _nothing(node, leaf, maximum, "invalid", (TEXT, self.lang, message))

    def floor(
        self, node: Node, children: tuple[NodeResult, ...], points: Decimal, self_points: Decimal | None
    ) -> tuple[Decimal, Decimal, Decimal | None]:
        """A group whose deductions exceed its points stops at 0, and says so (#13): ``(the sum below
        0, 0, the self-assessed sum stopped at 0 likewise)``, with a ``deduction-floor`` warning at
        the value of the first deduction (the line `check` of an inputs file points at)."""
        counted = next((c.inputs[0] for c in children if c.points < 0 and c.inputs), None)
        where = ("values", counted) if counted else ()
        self.problems.append(
            Problem(
                "deduction-floor",
                T(
                    "{node}: the deductions take it to {points} points; a group does not go below 0, so it "
                    "has 0 (the deduction beyond its points is not carried to the groups above)",
                    node=node.id,
                    points=points,
                ),
                Location(self.source, path=where),
                (node.id,),
                severity="warning",
            )
        )
        if self_points is not None and self_points < 0:
            self_points = ZERO
        return points, ZERO, self_points

    def criterion(self, node: Node) -> NodeResult:
        leaf = self.leaves[node.id]
        maximum = leaf.maximum
        values = self.values
        lang = self.lang
        rule = leaf.rule
        names = rule.inputs

        if leaf.applicable_if is not None:
            gate = values.get(leaf.applicable_if)
            if gate is not None and (gate.not_applicable or gate.value is False):
                return _nothing(node, leaf, maximum, "not_applicable", self.not_applicable)
            if gate is None:  # whether it applies is itself not reported
                names = (leaf.applicable_if, *names)
        # one pass over the inputs: refused, not applicable, missing, or a plain value (and appraised?)
        missing: list[str] = []
        broken = self.broken
        plain_values: dict[str, Any] = {}
        appraised = False
        for name in names:
            if broken and name in broken:
                return _nothing(node, leaf, maximum, "invalid", (TEXT, lang, broken[name]))
            value = values.get(name)
            if value is None:
                if name in rule.optional:
                    continue
                if name in self.bad:
                    return _nothing(node, leaf, maximum, "invalid", (TEXT, lang, self.bad[name]))
                missing.append(name)
            elif value.not_applicable:
                why = (NOT_APPLICABLE, lang, value.reason) if value.reason else self.not_applicable
                return _nothing(node, leaf, maximum, "not_applicable", why)
            else:
                plain_values[name] = value.value
                if value.appraised is not None:
                    appraised = True
        if missing:
            labels = tuple(self.cdef.definition.inputs[n].label for n in missing)
            return _nothing(node, leaf, maximum, "not_reported", (MISSING, lang, labels))
        peers = None
        if rule.measure is not None:  # scored by place among the batch (#13): the standing, one more fact
            placed = self.place(node, leaf, maximum, plain_values)
            if type(placed) is NodeResult:  # pending, or refused
                return placed
            peers = placed
            plain_values = {**plain_values, PEERS: peers}
        if leaf.deadline is None and not appraised:  # the common case: read, score, done
            try:
                points, facts = rule.points(plain_values)
            except InvalidValue as exc:
                return self.undefined(node, leaf, maximum, exc)
            except NotReported as exc:
                return _nothing(node, leaf, maximum, "not_reported", (MISSING, lang, (str(exc),)))
            if rule.clamp is not None and (limited := rule.clamp(facts)) is not None:
                self.limits.append((node.id, maximum, leaf.inputs, limited))
            bonus = ZERO
            if rule.kind == "bonus":  # outside the points, the maximum and the percentages (#13)
                bonus, points = points, ZERO
            return _new(
                NodeResult,
                (
                    node.id,
                    node.title,
                    points,
                    maximum,
                    node.points,
                    "scored",
                    (RULE, lang, rule, plain_values, facts, None),
                    (),
                    None,
                    leaf.inputs,
                    False,
                    bonus,
                    None,
                ),
            )
        present = [n for n in plain_values if n != PEERS] if peers is not None else list(plain_values)
        # A deadline applies to the whole criterion: one value dated outside its period (late, before the
        # period began, or in another year) and no input earns credit. A value that would earn credit
        # must be dated: an undated meeting cannot be placed in its quarter (#10).
        late = False
        dates: set[dt.date] = set()
        if leaf.deadline:
            no_credit = leaf.rule.no_credit
            for n in present:  # loops, not comprehensions: once per dated criterion and unit (#11)
                day = values[n].date
                if day is not None:
                    dates.add(day)
            stamp = values.get(leaf.dated_by) if leaf.dated_by else None
            if stamp is not None and isinstance(stamp.value, dt.date):
                dates.add(stamp.value)
            if not dates:
                earning = [n for n in present if n not in no_credit or plain_values[n] != no_credit[n]]
                if earning:
                    return self.undated(node, leaf, maximum, earning)
            year = self.year
            for day in dates:
                if _where(day, leaf, year):
                    late = True
                    break
        if late:
            plain_values = {n: leaf.rule.no_credit.get(n, v) for n, v in plain_values.items()}
        try:
            points, facts = leaf.rule.points(plain_values)
        except InvalidValue as exc:
            return self.undefined(node, leaf, maximum, exc)
        except NotReported as exc:
            return _nothing(node, leaf, maximum, "not_reported", (MISSING, lang, (str(exc),)))
        # a rule with no "no credit" value of its inputs (formula, incidents): late, the criterion earns 0
        forfeit = late and not leaf.rule.no_credit
        if forfeit:
            points = ZERO
        self_points = None
        if appraised:
            own = {
                n: (values[n].self_value if values[n].self_value is not None else plain_values[n])
                for n in present
            }
            if late:
                own = dict(plain_values)  # late stays late, whoever assessed it
            elif peers is not None:  # the unit's own value, placed among the others' (appraised) values
                own[PEERS] = peers
            try:
                self_points, _ = leaf.rule.points(own)
            except InvalidValue as exc:  # counted as 0, and said so (never silently)
                self_points = ZERO
                self.own_refused(node, present, exc)
            except NotReported:
                self_points = ZERO
            if forfeit:
                self_points = ZERO
        trace: Trace
        if late:  # say what was read, and why it earns nothing, not the no-credit values scored
            read = tuple((self.label(n), values[n].value) for n in present)
            trace = (LATE, lang, leaf, self.year, tuple(dates), points, read, self_points)
        else:
            trace = (RULE, lang, leaf.rule, plain_values, facts, self_points)
            if leaf.rule.clamp is not None and (limited := leaf.rule.clamp(facts)) is not None:
                self.limits.append((node.id, maximum, leaf.inputs, limited))
        bonus = ZERO
        if leaf.rule.kind == "bonus":  # the self-assessed bonus stays in the trace, out of the sums
            bonus, points, self_points = points, ZERO, None
        if self_points is not None:
            self.owned = True
        return _new(
            NodeResult,
            (
                node.id,
                node.title,
                points,
                maximum,
                node.points,
                "scored",
                trace,
                (),
                self_points,
                leaf.inputs,
                late,
                bonus,
                None,
            ),
        )

    def place(
        self, node: Node, leaf: _Leaf, maximum: Decimal, plain_values: dict[str, Any]
    ) -> NodeResult | tuple[Standing, str]:
        """A rank criterion whose inputs are all reported and applicable (#13): the fact its points
        are read from, ``(the batch's standing, the unit's id)``, or its result when it cannot be
        placed: ``pending`` without a standing, ``invalid`` when its value cannot be ranked or is not
        the one the batch was ranked by. The rest is the criterion path's, as for any rule."""
        rule, lang = leaf.rule, self.lang
        assert rule.measure is not None
        try:
            key = rule.measure(plain_values)
        except InvalidValue as exc:
            return self.undefined(node, leaf, maximum, exc)
        where = Location(self.source, path=("values", rule.inputs[0]))
        standing = self.standings.get(node.id) if self.standings is not None else None
        if standing is None:
            message = T(
                "{node}: scored by rank among the units assessed together, but scored alone: pending (0 "
                "points for now); score the batch, or give the peers' values (cds_index.score(..., "
                "peers={{unit id: values}}))",
                node=node.id,
            )
            self.problems.append(Problem("rank-needs-batch", message, where, (node.id,), "warning"))
            trace = (RULE, lang, rule, plain_values, None, None)
            return NodeResult(
                node.id, node.title, ZERO, maximum, node.points, "pending", trace, inputs=leaf.inputs
            )
        unit_id = fold(self.unit_id)  # the unit as the standings know it (one spelling of an id)
        if unit_id in standing.keys and standing.keys[unit_id] != key:
            message = _rank_mismatch(node.id, self.unit_id, " / ".join(rule.inputs))
            self.problems.append(Problem("rank-peers-mismatch", message, where, (node.id,)))
            return _nothing(node, leaf, maximum, "invalid", (TEXT, lang, message))
        return standing, unit_id

    def undefined(self, node: Node, leaf: _Leaf, maximum: Decimal, exc: InvalidValue) -> NodeResult:
        """A criterion whose values make its rule undefined (a zero denominator): ``invalid``, 0 of its
        points, and an ``invalid-value`` warning that says so with the unit's problems (#11: a unit
        with no field reports lost the criterion's 10 points, seen only in its explanation, and was
        ranked ``ok``). The decisions do not say how such a unit scores: the warning asks to check."""
        reason = exc.with_traceback(None)
        text = reason.text(self.lang)
        key = (node.id, text, maximum, self.source)
        problem = _UNDEFINED.get(key)
        if problem is None:  # one warning per criterion, reason and source, not per unit (#11)
            message = T(
                "{node}: {reason}; the criterion is not scored (0 of its {points} points): check the "
                "values (the decision does not say how a unit with none to count scores)",
                node=node.id,
                reason=text,
                points=maximum,
            )
            where = Location(self.source, path=("values", leaf.inputs[0]) if leaf.inputs else ("values",))
            problem = Problem("invalid-value", message, where, (node.id,), "warning")
            if len(_UNDEFINED) > 1024:
                _UNDEFINED.clear()
            _UNDEFINED[key] = problem
        self.problems.append(problem)
        return _nothing(node, leaf, maximum, "invalid", (INVALID, self.lang, reason))

    def own_refused(self, node: Node, present: list[str], exc: InvalidValue) -> None:
        """The unit's self-assessed values make its rule undefined (a zero denominator) where the
        appraised ones do not: its self-assessed points are counted as 0, with an ``invalid-value``
        warning at the first self-assessed value (not a silent 0)."""
        own = [n for n in present if (v := self.values[n]).self_value is not None and v.self_value != v.value]
        where = ("values", own[0]) if own else ("values",)
        message = T(
            "{node}: the self-assessed values cannot be scored ({reason}); its self-assessed points are "
            "counted as 0 (the appraised values are scored)",
            node=node.id,
            reason=exc.text(self.lang),
        )
        self.problems.append(
            Problem("invalid-value", message, Location(self.source, path=where), (node.id,), "warning")
        )

    def pillars(self) -> tuple[NodeResult, ...]:
        """Every node scored in one loop over the compiled plan (children before their group).

        The same results as :meth:`node` on each pillar (tests/test_flat_plan.py checks it on random
        units): a criterion with no deadline whose inputs and gate are all plain values is scored
        here directly; every other criterion goes through :meth:`criterion`. What the short path
        reads of a criterion (gate, its one input or its inputs, ``points``, ``clamp``, bonus or not)
        and whether a group has a bonus below it are decided once, in the plan: a definition without
        bonus or clamping rules pays nothing for them per unit. A group of one child (a third of
        2263's groups) takes it without a loop; its children's self-assessed points are looked at
        only once a criterion of the unit has some (:attr:`owned`).
        """
        out: list[NodeResult] = []
        push = out.append
        simple = self.simple
        fast = not self.broken
        lang = self.lang
        sum_trace = self.sum_trace
        general = self.criterion
        limits = self.limits
        which = 0 if lang == "vi" else 1  # the language's memo of a criterion
        for step in self.cdef.plan:
            count = step[0]
            if count:  # a group: its last `count` results are its children
                self_points = None
                if count == 1:  # the same additions as below (0 + the child's), without a loop
                    c = out[-1]  # in post-order, a group's only child is the step before it
                    children: tuple[NodeResult, ...] = (c,)
                    points = ZERO + c[2]
                    top = ZERO + c[3]
                    status = c[5]
                    group_status: Status = status if status in _QUIET else "scored"
                    if c[8] is not None:
                        self_points = ZERO + c[8]
                    bonus = ZERO + c[11] if step[8] else ZERO
                else:
                    children = step[9](out)  # its children's places in the list, decided in the plan
                    points = top = bonus = ZERO
                    other = unreported = False
                    for c in children:  # the same additions, in the same order, as sum()
                        points += c[2]
                        top += c[3]
                        status = c[5]
                        if status == "not_reported":
                            unreported = True
                        elif status != "not_applicable":
                            other = True
                    if step[8]:  # a bonus below (#13), decided in the plan
                        for c in children:
                            bonus += c[11]
                    group_status = "scored" if other else "not_reported" if unreported else "not_applicable"
                    if self.owned and any(c[8] is not None for c in children):
                        self_points = sum((c[8] if c[8] is not None else c[2] for c in children), ZERO)
                unfloored = None
                if points < ZERO:  # not `< 0`: no int to convert, once per group
                    unfloored, points, self_points = self.floor(step[1], children, points, self_points)
                push(
                    _new(
                        NodeResult,
                        (
                            step[4],
                            step[5],
                            points,
                            top,
                            step[6],
                            group_status,
                            sum_trace,
                            children,
                            self_points,
                            (),
                            False,
                            bonus,
                            unfloored,
                        ),
                    )
                )
                continue
            if not (step[7] and fast):
                push(general(step[1]))
                continue
            (
                _,
                node,
                leaf,
                maximum,
                node_id,
                title,
                stated,
                _,
                gate,
                names,
                score_fn,
                clamp,
                is_bonus,
                used,
                rule,
                single,
                memos,
            ) = step
            if gate is not None:
                open_ = simple.get(gate)
                if open_ is None:  # not reported, not applicable or appraised: the general path
                    push(general(node))
                    continue
                if open_ is False:
                    push(_nothing(node, leaf, maximum, "not_applicable", self.not_applicable))
                    continue
            read: dict[str, Any]
            memo = None
            if single is not None:  # most rules read one input: no loop
                value = simple.get(single)
                if value is None:  # missing, refused, not applicable, appraised: the general path
                    push(general(node))
                    continue
                memo = memos[which]
                kept = memo.get(id(value))
                if kept is not None:  # the same value object as a unit before: its result
                    push(kept[0])
                    if kept[1] is not None:
                        limits.append(kept[1])
                    continue
                read = {single: value}
            else:
                read = {}
                try:
                    for name in names:
                        read[name] = simple[name]
                except KeyError:  # missing, refused, not applicable, appraised: the general path decides
                    push(general(node))
                    continue
            try:
                points, facts = score_fn(read)
            except InvalidValue as exc:
                push(self.undefined(node, leaf, maximum, exc))
                continue
            except NotReported as exc:
                push(_nothing(node, leaf, maximum, "not_reported", (MISSING, lang, (str(exc),))))
                continue
            limit = None
            if clamp is not None and (limited := clamp(facts)) is not None:
                limit = (node_id, maximum, used, limited)
                limits.append(limit)
            result = _new(
                NodeResult,
                (
                    node_id,
                    title,
                    ZERO if is_bonus else points,  # a bonus is outside the points and maxima (#13)
                    maximum,
                    stated,
                    "scored",
                    (RULE, lang, rule, read, facts, None),  # holds the values read: the key's objects
                    (),
                    None,
                    used,
                    False,
                    points if is_bonus else ZERO,
                    None,
                ),
            )
            push(result)
            if memo is not None and type(value) in _IMMUTABLE:
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[id(value)] = (result, limit)
        return self.cdef.pillar_results(out)

    def node(self, node: Node) -> NodeResult:
        if not node.children:
            return self.criterion(node)
        leaf, group = self.criterion, self.node
        children = tuple([group(child) if child.children else leaf(child) for child in node.children])
        points = maximum = bonus = ZERO
        statuses: set[str] = set()
        has_self = False
        for c in children:  # one pass (the same additions, in the same order, as sum())
            points += c.points
            maximum += c.max
            bonus += c.bonus
            statuses.add(c.status)
            has_self = has_self or c.self_points is not None
        status: Status
        if statuses == {"not_applicable"}:
            status = "not_applicable"
        elif statuses <= {"not_applicable", "not_reported"}:
            status = "not_reported"
        else:
            status = "scored"
        self_points = None
        if has_self:
            self_points = sum(
                (c.self_points if c.self_points is not None else c.points for c in children), ZERO
            )
        unfloored = None
        if points < 0:
            unfloored, points, self_points = self.floor(node, children, points, self_points)
        return _new(
            NodeResult,
            (
                node.id,
                node.title,
                points,
                maximum,
                node.points,
                status,
                self.sum_trace,
                children,
                self_points,
                (),
                False,
                bonus,
                unfloored,
            ),
        )


# --- the final index (#13) -------------------------------------------------------------------


class IndexPart(NamedTuple):
    """One pillar's part in the index: its points out of its applicable maximum, its weight, and
    its share on the index's scale (``None``: not assessed, left out of a mean)."""

    id: str
    points: Decimal
    max: Decimal
    weight: Decimal
    share: Decimal | None


class IndexTrace(NamedTuple):
    """What the index was made of, for its explanation (written on demand)."""

    method: str
    parts: tuple[IndexPart, ...]
    scale: Decimal | None
    rounding: Any  # formats.model.Rounding | None
    points: Decimal
    max: Decimal


def aggregate_index(
    method: str,
    ids: tuple[str, ...],
    points: tuple[Decimal, ...],
    maxima: tuple[Decimal, ...],
    *,
    weights: tuple[Decimal, ...] | None = None,
    scale: Decimal | None = None,
) -> tuple[Decimal, tuple[IndexPart, ...]]:
    """The exact (unrounded) index of pillars ``points`` out of ``maxima``, and each pillar's part.

    - ``sum``: the points (weighted by ``weights`` when given); on ``scale``: ÷ the applicable
      maximum (weighted alike) × scale;
    - the mean methods: each assessed pillar's points ÷ its applicable maximum × the scale (100 unless
      declared), then their mean, weighted by ``weights`` when given; a pillar not assessed (maximum 0)
      is left out and the remaining weights carry the mean (the explanation says so).

    The one computation of an index: :func:`score` and ``analyse.sensitivity`` both call it.
    """
    ws = weights if weights is not None else (_UNIT_WEIGHT,) * len(points)
    parts: list[IndexPart] = []
    keep = parts.append
    if method == "sum":  # loops, not generators: once per unit (#11); the same additions in order
        total = ZERO
        for w, p in zip(ws, points, strict=True):
            total += w * p
        for i, p, m, w in zip(ids, points, maxima, ws, strict=True):
            keep(_new(IndexPart, (i, p, m, w, None)))
        if scale is None:
            return total, tuple(parts)
        top = ZERO
        for w, m in zip(ws, maxima, strict=True):
            top += w * m
        return (div(total * scale, top) if top else ZERO), tuple(parts)
    on = HUNDRED if scale is None else scale
    used = False
    weight = total = ZERO
    for i, p, m, w in zip(ids, points, maxima, ws, strict=True):
        share = div(p * on, m) if m else None
        keep(_new(IndexPart, (i, p, m, w, share)))
        if share is not None:  # the weights and the weighted shares of the assessed pillars, in order
            used = True
            weight += w
            total += w * share
    if not used or not weight:
        return ZERO, tuple(parts)
    return div(total, weight), tuple(parts)


_UNIT_WEIGHT = Decimal(1)


def pillar_weights(definition: Definition) -> tuple[Decimal, ...] | None:
    """The declared weights in pillar order (``None`` unless the method is weighted); a pillar
    without a weight is refused (``check`` positions it: `index-weights`)."""
    setting = definition.index
    if setting.method != "weighted_mean_of_pillar_percentages" or setting.weights is None:
        return None
    missing = [p for p in definition.weighed_pillars() if p not in setting.weights]
    if missing:
        raise DefinitionError(
            Problem(
                "index-weights",
                T(
                    "{id}: index.weights has no weight for pillar(s) {pillars}",
                    id=definition.id,
                    pillars=", ".join(missing),
                ),
            ),
            "index-weights",
        )
    # a pillar of bonus criteria only has no maximum: left out of the mean whatever its weight
    return tuple(setting.weights.get(p.id, ZERO) for p in definition.tree)


def final_index(
    setting: IndexSetting, definition: Definition, pillars: tuple[NodeResult, ...]
) -> tuple[Decimal, Decimal | None, IndexTrace]:
    """``(index, exact or None when not rounded, trace)``: the declared index of scored pillars,
    rounded only where the definition declares a rounding."""
    # the pillars' columns at once (a NodeResult is a tuple): ids, points, maxima
    ids, _, points, maxima, *_ = zip(*pillars, strict=True) if pillars else ((), (), (), ())
    exact, parts = aggregate_index(
        setting.method, ids, points, maxima, weights=pillar_weights(definition), scale=setting.scale
    )
    trace = _new(
        IndexTrace,
        (setting.method, parts, setting.exact_scale, setting.rounding, sum(points, ZERO), sum(maxima, ZERO)),
    )
    if setting.rounding is None:
        return exact, None, trace
    return round_as(exact, setting.rounding.places, setting.rounding.mode), exact, trace


def explain_index(trace: IndexTrace, value: Decimal, exact: Decimal, lang: Lang) -> str:
    """The index's sentence: the method, each pillar's part, the exact value, the declared rounding."""
    w = INDEX_WORDS[lang]
    scale = trace.scale
    if trace.method == "sum":
        if scale is None:
            head = w["sum"]
            body = " + ".join(figure(part.points, lang) for part in trace.parts)
            text = f"{head}: {body} = {figure(exact, lang)}"
        else:
            head = w["sum_scaled"].format(scale=figure(scale, lang))
            text = f"{head}: {figure(trace.points, lang)}/{figure(trace.max, lang)} × {figure(scale, lang)}"
            text += f" = {figure(exact, lang)}"
    else:
        head = w[trace.method]
        if scale is not None:
            head += f" ({w['scale'].format(scale=figure(scale, lang))})"
        items = []
        for part in trace.parts:
            item = f"{part.id} {figure(part.points, lang)}/{figure(part.max, lang)}"
            item += f" = {figure(part.share, lang)}" if part.share is not None else f": {w['skipped']}"
            if trace.method == "weighted_mean_of_pillar_percentages" and part.share is not None:
                item += f" × {w['weight']} {figure(part.weight, lang)}"
            items.append(item)
        if all(part.share is None for part in trace.parts):
            items.append(w["none"])
        text = f"{head}: {'; '.join(items)} → {figure(exact, lang)}"
    rounding = trace.rounding
    if rounding is not None:
        rule = w["rounded"].format(places=rounding.places)
        text += f"; {rule} ({w[rounding.mode]}) = {figure(value, lang)}"
    return text


FIRST_YEAR, LAST_YEAR = 1900, 2100
"""The years an assessment may name (issue #9: a year of 10^20 was accepted and shown)."""


def check_year(year: object) -> int | None:
    """``year`` as an assessment year, or :class:`UsageError`: a whole number 1900–2100, not a bool."""
    if year is None:
        return None
    if isinstance(year, int) and not isinstance(year, bool) and FIRST_YEAR <= year <= LAST_YEAR:
        return year
    raise UsageError(
        Problem(
            "usage",
            T(
                "year is a whole number from {first} to {last}, e.g. 2024; got {year}",
                first=str(FIRST_YEAR),
                last=str(LAST_YEAR),
                year=repr(year),
            ),
        )
    )


def _check_call(
    definition: object, inputs: object, unit_id: object, lang: object, unit_name: object = None
) -> None:
    """The arguments of :func:`score`, checked before anything reads them (issue #9: no AttributeError
    or TypeError from inside for ``score(d, None)``, a list, a string for a definition)."""
    if not isinstance(definition, Definition):
        raise UsageError(
            Problem(
                "usage",
                "score() takes a definition, e.g. cds_index.load('hai-duong-707-district'), "
                f"got {type(definition).__name__}",
            )
        )
    if not isinstance(inputs, UnitInputs | Mapping):
        raise UsageError(
            Problem(
                "usage",
                "score() takes the unit's values as a mapping of input name → value, e.g. "
                f"{{'has_dx_section': True}} ({{}} for none), got {type(inputs).__name__}",
            )
        )
    if isinstance(inputs, Mapping):
        odd = [k for k in inputs if not isinstance(k, str)]
        if odd:
            raise UsageError(
                Problem("usage", f"input names are strings such as 'has_dx_section', got {odd[0]!r}")
            )
    if not isinstance(unit_id, str) or not unit_id:
        raise UsageError(Problem("usage", f"unit_id is a non-empty string, got {unit_id!r}"))
    if unit_name is not None and not isinstance(unit_name, str):
        raise UsageError(Problem("usage", f"unit_name is a string or None, got {type(unit_name).__name__}"))
    if lang not in STATUS_WORDS:
        raise UsageError(Problem("usage", f"lang is 'vi' or 'en', got {lang!r}"))


def period_warnings(definition: Definition, year: int | None) -> list[Problem]:
    """A warning when ``year`` is scored outside the definition's period (issue 16).

    A year is assessed under the definition in force on its last day, 31 December: a decision of
    27/9/2023 assesses 2023; the 707 district index, ended 30/06/2025, cannot assess 2025.
    """
    period = definition.effective
    if year is None or not 1 <= year <= 9999 or period.covers(dt.date(year, 12, 31)):
        return []
    span = (
        T("from {start} to {end}", start=period.from_, end=period.to)
        if period.to
        else T("from {start}", start=period.from_)
    )
    params = {"id": definition.id, "span": span, "year": str(year), "last_day": dt.date(year, 12, 31)}
    message = (
        T(
            "{id} applies {span}, so it does not assess {year} (a year is assessed under the definition in "
            "force on {last_day}); from {next} use {successor}",
            next=period.to + dt.timedelta(days=1),
            successor=period.successor,
            **params,
        )
        if (period.to and period.successor)
        else T(
            "{id} applies {span}, so it does not assess {year} (a year is assessed under the definition in "
            "force on {last_day})",
            **params,
        )
    )
    from ..read.registry import version_hint

    hint = version_hint(definition, dt.date(year, 12, 31))  # another version beside it (#13)
    return [Problem("year-outside-period", message, severity="warning", hint=hint)]


@exactly
def score(
    definition: Definition,
    inputs: UnitInputs | Mapping[str, Any],
    *,
    year: int | None = None,
    unit_id: str = "unit",
    unit_name: str | None = None,
    lang: Lang = "vi",
    peers: Any = None,
) -> Result:
    """Score one unit: ``inputs`` is parsed :class:`UnitInputs` or a mapping of raw values.

    ``peers``, for a definition with rank criteria (#13): the other units assessed together, as
    ``{unit id: values}``, or the :class:`~cds_index.rules.rank.Standings` of a batch. Without
    it a rank criterion is ``pending`` (see the section on rank criteria below).

    >>> import cds_index
    >>> d = cds_index.load("hai-duong-707-department")
    >>> r = cds_index.score(d, {})
    >>> r.points, r.node(d.criteria()[0].id).status
    (Decimal('0'), 'not_reported')
    """
    _check_call(definition, inputs, unit_id, lang, unit_name)
    year = check_year(year)
    cdef = compiled(definition, inputs.year if year is None and isinstance(inputs, UnitInputs) else year)
    if not isinstance(inputs, UnitInputs):
        values, problems = parse_values(inputs, definition.inputs, number_format=definition.number_format)
        inputs = UnitInputs(unit_id, unit_name, year, values, problems, None, definition.inputs)
    elif year is not None and inputs.year != year:
        inputs = restated(inputs, year)
    found, broken = unusable(definition, inputs)
    standings = None
    if peers is not None and cdef.ranked:
        standings = _standings_for(definition, peers, inputs)
    scorer = _Scorer(cdef, inputs, lang, broken, standings)
    pillars = scorer.pillars()
    found.extend(scorer.problems)
    if scorer.limits:
        found.extend(clamp_warnings(scorer.limits, inputs.source))
    if standings:
        found.extend(_stale(standings, inputs.unit_id, pillars, inputs.source))
    achievable = cdef.achievable
    method = definition.index.method
    index, exact, index_trace = final_index(definition.index, definition, pillars)
    points, maximum = index_trace.points, index_trace.max  # the pillars' sums, added once
    return Result(
        definition.id,
        inputs.unit_id,
        inputs.unit_name,
        inputs.year,
        pillars,
        points,
        maximum,
        achievable,
        definition.total,
        index,
        method,
        definition.display.decimals,
        (*inputs.problems, *found, *period_warnings(definition, inputs.year)),
        lang,
        cdef.pillar_achievable,
        sum((p.bonus for p in pillars), ZERO),
        exact,
        definition.index.exact_scale,
        index_trace,
        definition.ranking,
    )


def unusable(definition: Definition, unit: UnitInputs) -> tuple[list[Problem], dict[str, Any]]:
    """What makes a unit's values unusable before any rule reads them, as problems, and the inputs
    that cannot be scored with the message that says why: a broken constraint between inputs
    (:func:`~cds_index.check.constraints.violations`) and a value read by another declaration of its
    input (:func:`~cds_index.read.inputs.read_otherwise`, #11). Both phases of scoring (a unit's score
    and a batch's standings) read them here."""
    found, broken = violations(definition, unit.values, unit.source)
    if unit.read_by is not definition.inputs:  # read for another definition, or built by hand
        otherwise = read_otherwise(definition.inputs, unit)
        if otherwise:
            found.extend(otherwise)
            broken = {**broken, **{str(p.location.path[-1]): p.message for p in otherwise}}
    return found, broken


def clamp_warnings(
    limits: list[tuple[str, Decimal, tuple[str, ...], Clamp]], source: str | None
) -> list[Problem]:
    """A ``score-clamped`` warning for each criterion whose rule limited its value (#13), at the
    unit's value for its first input."""
    out: list[Problem] = []
    for node_id, maximum, names, limited in limits:
        raw, limit = limited.raw, limited.limit
        if limited.of == "share":
            raw, limit = raw * HUNDRED, limit * HUNDRED
        message = (
            T(
                "{node}: the ratio is {raw} %, outside 0 … 100 %; counted as {limit} % (where the input is a "
                "part of the whole it is divided by, declare a `constraints:` entry to refuse such values "
                "instead)",
                node=node_id,
                raw=raw,
                limit=limit,
            )
            if limited.of == "share"
            else T(
                "{node}: the rule gives {raw} points, outside 0 … {maximum}; scored {limit} (not silently: "
                "the criterion's `clamped` says so)",
                node=node_id,
                raw=raw,
                limit=limit,
                maximum=maximum,
            )
        )
        path = ("values", names[0]) if names else ()
        out.append(
            Problem("score-clamped", message, Location(source, path=path), (node_id,), severity="warning")
        )
    return out


def score_criterion(
    cdef: CompiledDefinition,
    node: Node,
    unit: UnitInputs,
    broken: Mapping[str, str],
    standings: Standings | None = None,
) -> NodeResult:
    """One criterion of one unit under ``cdef``'s rules, as :func:`score` scores it (applicability,
    refused and missing values, deadlines, appraisal), without the rest of the tree: the entry point
    for re-scoring one reading (``cds_index.analyse.sensitivity``). ``broken`` names the inputs whose values
    break a constraint (see :mod:`cds_index.check.constraints`); ``standings``, the batch's, place a
    rank criterion (#13; without them it is pending)."""
    return _Scorer(cdef, unit, "en", broken, standings.by if standings else None).criterion(node)


# --- rank criteria: the second phase over the batch (#13) ----------------------------------------
#
# A ``rank`` criterion's points depend on every unit of the batch. One mechanism serves every caller
# (score, score_many and so the CSV/Excel batch, rank, report, the HTTP API, whatif):
#
# 1. gather: :func:`standings` scores each unit's rank criteria alone (applicability, missing, refused
#    and constraint-breaking values decided exactly as scoring decides them: they are ``pending``, or
#    not ranked) and keeps only each unit's value of the ranked measure — one exact number per unit
#    and rank criterion, nothing else of the unit;
# 2. score: each unit is scored with those :class:`Standings`; its rank criteria get the points of
#    its place, and every total above them is summed as for any criterion.
#
# Scored without standings, a rank criterion is ``pending`` (0 points for now, its maximum kept) with a
# ``rank-needs-batch`` warning: a unit alone is never silently 1st.


def _rank_mismatch(node: str, unit: str, what: str) -> Message:
    return T(
        "{node}: {unit}'s value of {what} is not the one the batch was ranked by (a file changed while read, "
        "or the standings are of other data); not scored",
        node=node,
        unit=unit,
        what=what,
    )


class Gatherer:
    """Gathers a batch's standings one unit at a time: only each unit's value of each ranked measure
    is kept. A unit id seen twice counts once, its first time (as :func:`score_many` scores it)."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.cdef = compiled(definition)
        self.keys: dict[str, dict[str, Fraction | None]] = {n.id: {} for n in self.cdef.ranked}

    def add(self, unit: UnitInputs) -> None:
        nodes = self.cdef.ranked
        unit_id = fold(unit.unit_id)  # XA-B and xa-b are one unit, as score_many reads them
        if not nodes or unit_id in self.keys[nodes[0].id]:
            return
        _, broken = unusable(self.definition, unit)
        scorer = _Scorer(self.cdef, unit, "en", broken)  # no standings: a rankable unit is pending
        for node in nodes:
            result = scorer.criterion(node)
            key = None
            measure = self.cdef.leaves[node.id].rule.measure
            if result.status == "pending" and measure is not None and isinstance(result.trace, tuple):
                key = measure(result.trace[3])  # the values read, all reported and applicable
            self.keys[node.id][unit_id] = key

    def standings(self) -> Standings:
        by = {}
        for node in self.cdef.ranked:
            order = node.rule.order  # type: ignore[union-attr]
            by[node.id] = Standing.of(order, self.keys[node.id])
        return Standings(self.definition.id, by)


@exactly
def standings(definition: Definition, units: Iterable[object]) -> Standings:
    """The standings of ``units`` (parsed, as :func:`cds_index.io.batch.read_units` gives them; a
    unit that could not be read is skipped: it has no value to rank).

    >>> import cds_index
    >>> d = cds_index.load("hai-duong-707-department")
    >>> len(standings(d, []).by)  # no rank criterion
    0
    """
    gatherer = Gatherer(definition)
    for unit in units:
        if isinstance(unit, UnitInputs):
            gatherer.add(unit)
    return gatherer.standings()


def _standings_for(definition: Definition, peers: Any, unit: UnitInputs) -> Mapping[str, Standing]:
    """What :func:`cds_index.score` ranks a unit among: the ``peers`` it was given (``Standings``, or
    the other units' values as ``{unit id: values}``), with the unit itself."""
    if isinstance(peers, Standings):
        if peers.definition != definition.id:
            raise UsageError(
                Problem(
                    "usage",
                    T(
                        "these standings are of {other}, not {id}: gather them with "
                        "cds_index.standings(definition, units)",
                        other=peers.definition,
                        id=definition.id,
                    ),
                )
            )
        return peers.by
    if not isinstance(peers, Mapping):
        raise UsageError(
            Problem(
                "usage",
                T(
                    "peers are the other units' values as {{unit id: {{input: value}}}}, or the Standings "
                    "of a batch; got {type}",
                    type=type(peers).__name__,
                ),
            )
        )
    gatherer = Gatherer(definition)
    for peer_id, values in peers.items():
        if not isinstance(peer_id, str) or not peer_id:
            raise UsageError(
                Problem("usage", T("a peer's unit id is a non-empty string, got {got}", got=repr(peer_id)))
            )
        if fold(peer_id) == fold(unit.unit_id):
            raise UsageError(
                Problem(
                    "usage",
                    T(
                        "peers name the unit scored ({got}): give the other units only, or pass a unit_id "
                        "of its own",
                        got=repr(peer_id),
                    ),
                )
            )
        if isinstance(values, UnitInputs):
            peer = values
        elif isinstance(values, Mapping):
            parsed, problems = parse_values(values, definition.inputs, number_format=definition.number_format)
            peer = UnitInputs(
                peer_id, None, unit.year, parsed, problems, f"peers[{peer_id}]", definition.inputs
            )
        else:
            raise UsageError(
                Problem("usage", T("peer {got}: values are a mapping of input → value", got=repr(peer_id)))
            )
        refused = [p for p in peer.problems if p.severity == "error"]
        if refused:  # a peer silently unranked would move every place below it
            raise UsageError(
                Problem(
                    "usage",
                    T("peer {got}: {problem}", got=repr(peer_id), problem=refused[0].message),
                    refused[0].location,
                )
            )
        gatherer.add(peer)
    gatherer.add(unit)
    return gatherer.standings().by


def _stale(
    standings: Mapping[str, Standing], unit_id: str, pillars: Iterable[NodeResult], source: str | None
) -> list[Problem]:
    """A unit ranked when the standings were gathered but not ranked now (its value became missing or
    not applicable in between): the places of the others counted a value that is no longer there."""
    found = []
    for pillar in pillars:
        for node in pillar.walk():
            standing = standings.get(node.id)
            if standing is None or node.status in ("scored", "invalid"):
                continue
            if standing.keys.get(fold(unit_id)) is not None:
                message = _rank_mismatch(node=node.id, unit=unit_id, what=", ".join(node.inputs))
                found.append(
                    Problem("rank-peers-mismatch", message, Location(source, path=("values",)), (node.id,))
                )
    return found
