"""Walk a definition's tree with a unit's values, apply the compiled rules, return frozen results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from ..check.constraints import violations
from ..errors import DefinitionError, Location, Problem, UsageError
from ..formats.model import Definition, Node
from ..numbers import HUNDRED, ZERO, Lang, div, plain, points_text, show, show_each
from ..read.inputs import UnitInputs, parse_values
from ..rules import Compiled, InvalidValue, NotReported

Status = Literal["scored", "not_reported", "not_applicable", "invalid"]
STATUS_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "not_reported": "không báo cáo số liệu → mặc định 0 điểm",
        "not_applicable": "không áp dụng, không đánh giá tiêu chí này",
        "late": "quá hạn",
        "before": "trước kỳ",
        "earlier": "thuộc kỳ trước, không tính cho kỳ này",
        "other_year": "thuộc năm",
        "not_year": "không thuộc năm đánh giá",
        "read": "số liệu",
        "sum": "Tổng",
        "pt": "điểm",
        "missing": "thiếu số liệu",
        "self": "tự đánh giá",
        "appraised": "thẩm định",
    },
    "en": {
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
    },
}


Trace = tuple[Any, ...] | str
"""What scoring recorded for a node, compactly (issue #11): a tuple whose first item names its form
and whose second is the language the result was scored in, then the rule, the values read and the
intermediate numbers. :func:`explain` writes the sentence from it, on demand; a string is an
explanation already written (roll-ups write their own)."""

# the forms of a trace (the first item)
SUM = "sum"  # a group: its children's points added; (SUM, lang)
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
    - ``late``: a dated input came after the criterion's deadline.
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

    @property
    def explanation(self) -> str:
        """Why the node has its points, in the language it was scored in (written on each read)."""
        return explain(self)

    def explain(self, lang: Lang | None = None) -> str:
        """Why the node has its points, in ``lang`` (default: the language it was scored in)."""
        return explain(self, lang)

    @property
    def percent(self) -> Decimal | None:
        return div(self.points * HUNDRED, self.max) if self.max else None

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

    def to_dict(self, places: int | None = None, *, explain: bool = True) -> dict[str, Any]:
        def num(d: Decimal | None) -> str | None:
            return None if d is None else (plain(d) if places is None else show(d, "en", places))

        share = self.percent  # divided once per node, not twice (#11)
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "points": num(self.points),
            "max": num(self.max),
            "stated": num(self.stated),
            "percent": num(share) if share is not None else None,
            "status": self.status,
        }
        if explain:
            out["explanation"] = self.explanation
        if self.self_points is not None:
            out["self_points"] = num(self.self_points)
        if not self.children:
            out["inputs"] = list(self.inputs)
            out["late"] = self.late
        out["children"] = [child.to_dict(places, explain=explain) for child in self.children]
        return out


def explain(node: NodeResult, lang: Lang | None = None) -> str:
    """Write a node's explanation from its trace, in ``lang`` (default: the language it was scored in)."""
    trace = node.trace
    if isinstance(trace, str):
        return trace
    form = trace[0]
    lang = lang or trace[1]
    if form == RULE:  # the most common forms first (an explanation per node of a report)
        _, _, rule, values, facts, self_points = trace
        if self_points is None:
            return rule.explain(values, facts, lang)  # type: ignore[no-any-return]
        return _self_note(
            rule.explain(values, facts, lang), self_points, node.points, STATUS_WORDS[lang], lang
        )
    w = STATUS_WORDS[lang]
    if form == SUM:  # 57 of a unit's 136 explanations in hue-2263-commune
        terms = " + ".join(show_each(map(_POINTS, node.children), lang))
        return f"{w['sum']}: {terms} = {show(node.points, lang)}/{points_text(node.max, lang)}"
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
    return str(trace[2])  # TEXT


_POINTS = itemgetter(2)
"""A NodeResult's points (its third field), read without a Python call per child."""


def _self_note(
    text: str, self_points: Decimal | None, points: Decimal, w: Mapping[str, str], lang: Lang
) -> str:
    """`` [tự đánh giá 3, thẩm định 2]`` when an appraisal changed the unit's own points."""
    if self_points is None or self_points == points:
        return text
    return f"{text} [{w['self']} {show(self_points, lang)}, {w['appraised']} {show(points, lang)}]"


def _shown(value: Any, lang: Lang) -> str:
    """A plain value as read: có/không, a number, a role."""
    from ..rules import ROLE_WORDS, WORDS

    if isinstance(value, bool):
        return WORDS[lang]["yes" if value else "no"]
    if isinstance(value, Decimal):
        return show(value, lang)
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
    _by_id: dict[str, NodeResult] = field(default_factory=dict, repr=False, compare=False)

    @property
    def percent(self) -> Decimal | None:
        return div(self.points * HUNDRED, self.max) if self.max else None

    def node(self, node_id: str) -> NodeResult:
        """The result of one node by id: ``result.node("CQS.1.1.1").points``."""
        if not self._by_id:
            for pillar in self.pillars:
                for item in pillar.walk():
                    self._by_id[item.id] = item
        return self._by_id[node_id]

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

    def explain(self, node_id: str, lang: Lang | None = None) -> str:
        """Why a node has its points, written from the trace in ``lang`` (default: the scoring's)."""
        return explain(self.node(node_id), lang)

    def to_dict(self, *, rounded: bool = False, explain: bool = True) -> dict[str, Any]:
        """The JSON contract of ``cds-index score --format json`` (points are exact decimal strings);
        ``explain=False`` leaves every node's explanation out (nothing is written)."""
        places = self.places if rounded else None

        def num(d: Decimal | None) -> str | None:
            return None if d is None else (plain(d) if places is None else show(d, "en", places))

        return {
            "definition": self.definition,
            "unit": {"id": self.unit_id, "name": self.unit_name},
            "year": self.year,
            "points": num(self.points),
            "max": num(self.max),
            "achievable": num(self.achievable),
            "stated_total": num(self.stated_total),
            "percent": num(self.percent),
            "index": {"method": self.index_method, "value": num(self.index)},
            "problems": [p.to_dict() for p in self.problems],
            "children": [self._pillar(p, places, num, explain) for p in self.pillars],
        }

    def _pillar(self, pillar: NodeResult, places: int | None, num: Any, explain: bool) -> dict[str, Any]:
        """A pillar with its printed (`stated`), achievable and applicable (`max`) maximum (#10)."""
        out = pillar.to_dict(places, explain=explain)
        if pillar.id in self.pillar_achievable:
            out["achievable"] = num(self.pillar_achievable[pillar.id])
        return out


# --- compilation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    rule: Compiled
    applicable_if: str | None
    deadline: tuple[int, int] | None  # (day, month), only when enforced
    inputs: tuple[str, ...]
    period_from: tuple[int, int] | None = None  # (day, month): the first day the criterion counts
    dated_by: str | None = None  # a date input that dates the criterion


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


Step = tuple[int, Node, "_Leaf | None", Decimal, str, str, "Decimal | None", bool]
"""One step of a compiled plan: (number of children, node, its compiled leaf or None, its maximum,
its id, title and stated points, whether the short path may score it). A criterion has 0 children
and a leaf; a group takes the results of its last ``n`` steps."""


def _plan(definition: Definition, leaves: Mapping[str, _Leaf]) -> tuple[Step, ...]:
    steps: list[Step] = []
    # post-order without recursion: (node, expanded?) on a stack
    stack: list[tuple[Node, bool]] = [(pillar, False) for pillar in reversed(definition.tree)]
    while stack:
        node, expanded = stack.pop()
        if not node.children:
            leaf = leaves.get(node.id)
            maximum = node.points if node.points is not None else ZERO
            short = leaf is not None and leaf.deadline is None
            steps.append((0, node, leaf, maximum, node.id, node.title, node.points, short))
        elif expanded:
            steps.append((len(node.children), node, None, ZERO, node.id, node.title, node.points, False))
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))
    return tuple(steps)


def compile_definition(definition: Definition) -> CompiledDefinition:
    """Compile every rule once. Problems are returned, not raised (the validator positions them)."""
    from ..rules import compile_rule

    leaves: dict[str, _Leaf] = {}
    problems: list[tuple[str, str, str]] = []
    for _, node in definition.walk():
        if node.rule is None:
            continue
        compiled, found = compile_rule(node.rule, node, definition.inputs)
        problems.extend((node.id, code, message) for code, message in found)
        deadline = start = None
        if node.rule.enforce_deadline and node.deadline:
            day, month = (int(part) for part in node.deadline.split("."))
            deadline = (day, month)
            if node.rule.period_from:
                day, month = (int(part) for part in node.rule.period_from.split("."))
                start = (day, month)
        names = list(compiled.inputs)
        if node.rule.applicable_if:
            names.append(node.rule.applicable_if)
        if node.rule.dated_by:
            names.append(node.rule.dated_by)
        leaves[node.id] = _Leaf(
            compiled, node.rule.applicable_if, deadline, tuple(names), start, node.rule.dated_by
        )
    achievable = sum((c.points or ZERO for c in definition.criteria()), ZERO)
    by_pillar = {
        pillar.id: sum((n.points or ZERO for _, n in pillar.walk() if n.is_leaf), ZERO)
        for pillar in definition.tree
    }
    plan = _plan(definition, leaves) if not problems else ()
    return CompiledDefinition(definition, leaves, problems, achievable, by_pillar, plan)


def compiled(definition: Definition) -> CompiledDefinition:
    """The definition's compiled rules, made once and kept with it."""
    cached: CompiledDefinition | None = definition._compiled
    if cached is None:
        cached = compile_definition(definition)
        if cached.problems:
            raise DefinitionError(
                [
                    Problem(code, message, Location(path=("tree",)), (node_id,))
                    for node_id, code, message in cached.problems
                ]
            )
        definition._compiled = cached
    return cached


# --- scoring ----------------------------------------------------------------------------------


def _outside(
    day: dt.date, leaf: _Leaf, year: int | None, words: Mapping[str, str] | None = None, lang: Lang = "vi"
) -> str | None:
    """Why a dated value earns no credit here, or None when it falls in the criterion's period.

    The period is the assessment year's ``period_from`` (or 1 January) to its ``deadline``; without
    an assessment year, the value's own year. A date in another year says so (not "late").
    """
    assert leaf.deadline is not None
    words = words or STATUS_WORDS[lang]
    year = year or day.year
    shown = _date(day, lang)
    if day.year != year:
        return f"{shown}: {words['other_year']} {day.year}, {words['not_year']} {year}"
    end_day, end_month = leaf.deadline
    try:
        end = dt.date(year, end_month, end_day)
    except ValueError:  # 29.2 in a common year: the last day of February
        end = dt.date(year, 3, 1) - dt.timedelta(days=1)
    if day > end:
        return f"{shown}: {words['late']} {end_day}.{end_month}/{year}"
    if leaf.period_from is not None:
        start_day, start_month = leaf.period_from
        if day < dt.date(year, start_month, start_day):
            return (
                f"{shown}: {words['before']} {start_day}.{start_month}–{end_day}.{end_month}/{year} "
                f"({words['earlier']})"
            )
    return None


def _date(day: dt.date, lang: Lang) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if lang == "vi" else day.isoformat()


_new = tuple.__new__
"""Builds a NodeResult from all its fields at once, without the keyword handling (a result per node)."""


def _nothing(node: Node, leaf: _Leaf, maximum: Decimal, status: Status, trace: Trace) -> NodeResult:
    """A criterion that earns nothing: not applicable leaves the maximum, the others keep it."""
    top = ZERO if status == "not_applicable" else maximum
    return NodeResult(node.id, node.title, ZERO, top, node.points, status, trace, inputs=leaf.inputs)


class _Scorer:
    def __init__(
        self, cdef: CompiledDefinition, unit: UnitInputs, lang: Lang, broken: Mapping[str, str]
    ) -> None:
        self.cdef = cdef
        self.leaves = cdef.leaves
        self.values = unit.values
        self.year = unit.year
        self.lang = lang
        self.sum_trace = _SUMS[lang]
        self.not_applicable = _NOT_APPLICABLE[lang]
        self.bad = {p.location.path[-1]: p.message for p in unit.problems if p.location.path}
        self.broken = broken
        """Inputs whose value breaks a constraint of the definition: the criteria reading them are invalid."""
        self.source = unit.source
        self.problems: list[Problem] = []
        """Input problems found while scoring (an undated value where the criterion needs its date)."""
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
        column = f" or {leaf.dated_by}: {example} (a column of its own in a table)" if leaf.dated_by else ""
        message = (
            f"{node.id}: {labels} has no date, so it cannot be placed in its period (hạn {day}.{month}); "
            f"give the date it was held, e.g. {names[0]}: {{value: true, date: {example}}}{column}"
        )
        self.problems.append(
            Problem(
                "input-date-missing", message, Location(self.source, path=("values", names[0])), (node.id,)
            )
        )
        return _nothing(node, leaf, maximum, "invalid", (TEXT, self.lang, message))

    def criterion(self, node: Node) -> NodeResult:
        leaf = self.leaves[node.id]
        maximum = node.points if node.points is not None else ZERO
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
        if leaf.deadline is None and not appraised:  # the common case: read, score, done
            try:
                points, facts = rule.points(plain_values)
            except InvalidValue as exc:
                return _nothing(node, leaf, maximum, "invalid", (INVALID, lang, exc.with_traceback(None)))
            except NotReported as exc:
                return _nothing(node, leaf, maximum, "not_reported", (MISSING, lang, (str(exc),)))
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
                ),
            )
        present = list(plain_values)
        # A deadline applies to the whole criterion: one value dated outside its period (late, before the
        # period began, or in another year) and no input earns credit. A value that would earn credit
        # must be dated: an undated meeting cannot be placed in its quarter (#10).
        late = False
        dates: set[dt.date] = set()
        if leaf.deadline:
            no_credit = leaf.rule.no_credit
            dates = {day for n in present if (day := values[n].date) is not None}
            stamp = values.get(leaf.dated_by) if leaf.dated_by else None
            if stamp is not None and isinstance(stamp.value, dt.date):
                dates.add(stamp.value)
            earning = [n for n in present if n not in no_credit or plain_values[n] != no_credit[n]]
            if earning and not dates:
                return self.undated(node, leaf, maximum, earning)
            late = any(_outside(day, leaf, self.year) for day in dates)
        if late:
            plain_values = {n: leaf.rule.no_credit.get(n, v) for n, v in plain_values.items()}
        try:
            points, facts = leaf.rule.points(plain_values)
        except InvalidValue as exc:
            return _nothing(node, leaf, maximum, "invalid", (INVALID, lang, exc.with_traceback(None)))
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
            try:
                self_points, _ = leaf.rule.points(own)
            except (InvalidValue, NotReported):
                self_points = ZERO
            if forfeit:
                self_points = ZERO
        trace: Trace
        if late:  # say what was read, and why it earns nothing, not the no-credit values scored
            read = tuple((self.label(n), values[n].value) for n in present)
            trace = (LATE, lang, leaf, self.year, tuple(dates), points, read, self_points)
        else:
            trace = (RULE, lang, leaf.rule, plain_values, facts, self_points)
        return NodeResult(
            node.id,
            node.title,
            points,
            maximum,
            node.points,
            "scored",
            trace,
            self_points=self_points,
            inputs=leaf.inputs,
            late=late,
        )

    def pillars(self) -> tuple[NodeResult, ...]:
        """Every node scored in one loop over the compiled plan (children before their group).

        The same results as :meth:`node` on each pillar (tests/test_fast_path.py checks it on random
        units): a criterion with no deadline whose inputs and gate are all plain values is scored
        here directly; every other criterion goes through :meth:`criterion`.
        """
        out: list[NodeResult] = []
        push = out.append
        simple = self.simple
        fast = not self.broken
        lang = self.lang
        sum_trace = self.sum_trace
        general = self.criterion
        for count, node, leaf, maximum, node_id, title, stated, short in self.cdef.plan:
            if count:  # a group: its last `count` results are its children
                children = tuple(out[-count:])
                del out[-count:]
                points = top = ZERO
                other = unreported = has_self = False
                for c in children:  # the same additions, in the same order, as sum()
                    points += c[2]
                    top += c[3]
                    status = c[5]
                    if status == "not_reported":
                        unreported = True
                    elif status != "not_applicable":
                        other = True
                    if c[8] is not None:
                        has_self = True
                group_status: Status = (
                    "scored" if other else "not_reported" if unreported else "not_applicable"
                )
                self_points = None
                if has_self:
                    self_points = sum((c[8] if c[8] is not None else c[2] for c in children), ZERO)
                push(
                    _new(
                        NodeResult,
                        (
                            node_id,
                            title,
                            points,
                            top,
                            stated,
                            group_status,
                            sum_trace,
                            children,
                            self_points,
                            (),
                            False,
                        ),
                    )
                )
                continue
            if not (short and fast):
                push(general(node))
                continue
            assert leaf is not None
            gate = leaf.applicable_if
            if gate is not None:
                open_ = simple.get(gate)
                if open_ is None:  # not reported, not applicable or appraised: the general path
                    push(general(node))
                    continue
                if open_ is False:
                    push(_nothing(node, leaf, maximum, "not_applicable", self.not_applicable))
                    continue
            rule = leaf.rule
            read: dict[str, Any] = {}
            try:
                for name in rule.inputs:
                    read[name] = simple[name]
            except KeyError:  # missing, refused, not applicable, appraised: the general path decides
                push(general(node))
                continue
            try:
                points, facts = rule.points(read)
            except InvalidValue as exc:
                push(_nothing(node, leaf, maximum, "invalid", (INVALID, lang, exc.with_traceback(None))))
                continue
            except NotReported as exc:
                push(_nothing(node, leaf, maximum, "not_reported", (MISSING, lang, (str(exc),))))
                continue
            push(
                _new(
                    NodeResult,
                    (
                        node_id,
                        title,
                        points,
                        maximum,
                        stated,
                        "scored",
                        (RULE, lang, rule, read, facts, None),
                        (),
                        None,
                        leaf.inputs,
                        False,
                    ),
                )
            )
        return tuple(out)

    def node(self, node: Node) -> NodeResult:
        if not node.children:
            return self.criterion(node)
        leaf, group = self.criterion, self.node
        children = tuple([group(child) if child.children else leaf(child) for child in node.children])
        points = maximum = ZERO
        statuses: set[str] = set()
        has_self = False
        for c in children:  # one pass (the same additions, in the same order, as sum())
            points += c.points
            maximum += c.max
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
            ),
        )


FIRST_YEAR, LAST_YEAR = 1900, 2100
"""The years an assessment may name (issue #9: a year of 10^20 was accepted and shown)."""


def check_year(year: object) -> int | None:
    """``year`` as an assessment year, or :class:`UsageError`: a whole number 1900–2100, not a bool."""
    if year is None:
        return None
    if isinstance(year, int) and not isinstance(year, bool) and FIRST_YEAR <= year <= LAST_YEAR:
        return year
    raise UsageError(
        Problem("usage", f"year is a whole number from {FIRST_YEAR} to {LAST_YEAR}, e.g. 2024; got {year!r}")
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
    span = f"from {period.from_:%d/%m/%Y}" + (f" to {period.to:%d/%m/%Y}" if period.to else "")
    then = (
        f"; from {period.to + dt.timedelta(days=1):%d/%m/%Y} use {period.successor}"
        if (period.to and period.successor)
        else ""
    )
    return [
        Problem(
            "year-outside-period",
            f"{definition.id} applies {span}, so it does not assess {year} (a year is assessed under "
            f"the definition in force on 31/12/{year}){then}",
            severity="warning",
        )
    ]


def score(
    definition: Definition,
    inputs: UnitInputs | Mapping[str, Any],
    *,
    year: int | None = None,
    unit_id: str = "unit",
    unit_name: str | None = None,
    lang: Lang = "vi",
) -> Result:
    """Score one unit: ``inputs`` is parsed :class:`UnitInputs` or a mapping of raw values.

    >>> import cds_index
    >>> d = cds_index.load("hai-duong-707-department")
    >>> r = cds_index.score(d, {})
    >>> r.points, r.node(d.criteria()[0].id).status
    (Decimal('0'), 'not_reported')
    """
    _check_call(definition, inputs, unit_id, lang, unit_name)
    year = check_year(year)
    if definition.scoring != "points":
        raise DefinitionError(
            f"{definition.id} has yearly targets, not points: use cds_index.evaluate_year(definition, "
            "year, values) or cds_index.evaluate_years(definition, {year: values})",
            "usage",
        )
    cdef = compiled(definition)
    if not isinstance(inputs, UnitInputs):
        values, problems = parse_values(inputs, definition.inputs, number_format=definition.number_format)
        inputs = UnitInputs(unit_id, unit_name, year, values, problems)
    elif year is not None and inputs.year != year:
        inputs = UnitInputs(
            inputs.unit_id, inputs.unit_name, year, inputs.values, inputs.problems, inputs.source
        )
    found, broken = violations(definition, inputs.values, inputs.source)
    scorer = _Scorer(cdef, inputs, lang, broken)
    pillars = scorer.pillars()
    found.extend(scorer.problems)
    points = sum((p.points for p in pillars), ZERO)
    maximum = sum((p.max for p in pillars), ZERO)
    achievable = cdef.achievable
    method = definition.index.method
    if method == "mean_of_pillar_percentages":
        shares = [div(p.points * HUNDRED, p.max) for p in pillars if p.max]
        index = div(sum(shares, ZERO), Decimal(len(shares))) if shares else ZERO
    else:
        index = points
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
    )


def score_criterion(
    cdef: CompiledDefinition, node: Node, unit: UnitInputs, broken: Mapping[str, str]
) -> NodeResult:
    """One criterion of one unit under ``cdef``'s rules, as :func:`score` scores it (applicability,
    refused and missing values, deadlines, appraisal), without the rest of the tree: the entry point
    for re-scoring one reading (``cds_index.analyse.sensitivity``). ``broken`` names the inputs whose values
    break a constraint (see :mod:`cds_index.check.constraints`)."""
    return _Scorer(cdef, unit, "en", broken).criterion(node)
