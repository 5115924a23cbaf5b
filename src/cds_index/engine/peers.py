"""The second phase of scoring: criteria scored by place among the units assessed together (#13).

A ``rank`` criterion's points depend on every unit of the batch. One mechanism serves every caller
(:func:`cds_index.score`, :func:`cds_index.io.batch.score_many` and so the CSV/Excel batch, ``rank``,
``report``, the HTTP API, ``whatif``):

1. **gather**: :func:`standings` scores each unit's rank criteria alone (applicability, missing,
   refused and constraint-breaking values decided exactly as scoring decides them: they are
   ``pending``, or not ranked) and keeps *only* each unit's value of the ranked measure — one exact
   number per unit and rank criterion, nothing else of the unit;
2. **score**: each unit is scored with those :class:`Standings`; its rank criteria get the points of
   its place, and every total above them is summed as for any criterion.

Scored without standings, a rank criterion is ``pending`` (0 points for now, its maximum kept) with a
``rank-needs-batch`` warning: a unit alone is never silently 1st.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..check.constraints import violations
from ..errors import Location, Problem, UsageError
from ..formats.model import Definition, Node
from ..read.inputs import UnitInputs, parse_values
from ..rules import InvalidValue
from ..rules.rank import PEERS, Standing
from .evaluate import INVALID, RULE, TEXT, NodeResult, _nothing, compiled

if TYPE_CHECKING:
    from .evaluate import _Leaf, _Scorer

MESSAGES = {
    "needs-batch": "{node}: scored by rank among the units assessed together, but scored alone: pending "
    "(0 points for now); score the batch, or give the peers' values "
    "(cds_index.score(..., peers={{unit id: values}}))",
    "mismatch": "{node}: {unit}'s value of {what} is not the one the batch was ranked by (a file changed "
    "while read, or the standings are of other data); not scored",
}


@dataclass(frozen=True)
class Standings:
    """The batch's standing of every rank criterion of one definition: ``by[criterion id]``."""

    definition: str
    by: Mapping[str, Standing]

    def __len__(self) -> int:
        """How many units the standings were gathered from."""
        return max((len(s.keys) for s in self.by.values()), default=0)


class Gatherer:
    """Gathers a batch's standings one unit at a time: only each unit's value of each ranked measure
    is kept. A unit id seen twice counts once, its first time (as :func:`score_many` scores it)."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.cdef = compiled(definition)
        self.keys: dict[str, dict[str, Fraction | None]] = {n.id: {} for n in self.cdef.ranked}

    def add(self, unit: UnitInputs) -> None:
        nodes = self.cdef.ranked
        if not nodes or unit.unit_id in self.keys[nodes[0].id]:
            return
        from .evaluate import _Scorer

        _, broken = violations(self.definition, unit.values, unit.source)
        scorer = _Scorer(self.cdef, unit, "en", broken)  # no standings: a rankable unit is pending
        for node in nodes:
            result = scorer.criterion(node)
            key = None
            measure = self.cdef.leaves[node.id].rule.measure
            if result.status == "pending" and measure is not None and isinstance(result.trace, tuple):
                key = measure(result.trace[3])  # the values read, all reported and applicable
            self.keys[node.id][unit.unit_id] = key

    def standings(self) -> Standings:
        by = {}
        for node in self.cdef.ranked:
            order = node.rule.order  # type: ignore[union-attr]
            by[node.id] = Standing.of(order, self.keys[node.id])
        return Standings(self.definition.id, by)


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


def standings_for(definition: Definition, peers: Any, unit: UnitInputs) -> Mapping[str, Standing]:
    """What :func:`cds_index.score` ranks a unit among: the ``peers`` it was given (``Standings``, or
    the other units' values as ``{unit id: values}``), with the unit itself."""
    if isinstance(peers, Standings):
        if peers.definition != definition.id:
            raise UsageError(
                Problem(
                    "usage",
                    f"these standings are of {peers.definition}, not {definition.id}: gather them with "
                    "cds_index.engine.peers.standings(definition, units)",
                )
            )
        return peers.by
    if not isinstance(peers, Mapping):
        raise UsageError(
            Problem(
                "usage",
                "peers are the other units' values as {unit id: {input: value}}, or the Standings of a "
                f"batch; got {type(peers).__name__}",
            )
        )
    gatherer = Gatherer(definition)
    for peer_id, values in peers.items():
        if not isinstance(peer_id, str) or not peer_id:
            raise UsageError(Problem("usage", f"a peer's unit id is a non-empty string, got {peer_id!r}"))
        if peer_id == unit.unit_id:
            raise UsageError(
                Problem(
                    "usage",
                    f"peers name the unit scored ({peer_id!r}): give the other units only, or pass "
                    "a unit_id of its own",
                )
            )
        if isinstance(values, UnitInputs):
            peer = values
        elif isinstance(values, Mapping):
            parsed, problems = parse_values(values, definition.inputs, number_format=definition.number_format)
            peer = UnitInputs(peer_id, None, unit.year, parsed, problems, f"peers[{peer_id}]")
        else:
            raise UsageError(Problem("usage", f"peer {peer_id!r}: values are a mapping of input → value"))
        refused = [p for p in peer.problems if p.severity == "error"]
        if refused:  # a peer silently unranked would move every place below it
            raise UsageError(Problem("usage", f"peer {peer_id!r}: {refused[0].message}", refused[0].location))
        gatherer.add(peer)
    gatherer.add(unit)
    return gatherer.standings().by


def place(
    scorer: _Scorer,
    node: Node,
    leaf: _Leaf,
    maximum: Decimal,
    plain_values: dict[str, Any],
    appraised: bool,
) -> NodeResult:
    """A rank criterion of a unit whose inputs are all reported and applicable: its place in the
    batch's standing, or ``pending`` when there is none."""
    rule, lang = leaf.rule, scorer.lang
    assert rule.measure is not None
    try:
        key = rule.measure(plain_values)
    except InvalidValue as exc:
        return _nothing(node, leaf, maximum, "invalid", (INVALID, lang, exc.with_traceback(None)))
    where = Location(scorer.source, path=("values", rule.inputs[0]))
    standing = scorer.standings.get(node.id) if scorer.standings is not None else None
    if standing is None:
        message = MESSAGES["needs-batch"].format(node=node.id)
        scorer.problems.append(Problem("rank-needs-batch", message, where, (node.id,), "warning"))
        trace = (RULE, lang, rule, plain_values, None, None)
        return NodeResult(
            node.id, node.title, Decimal(0), maximum, node.points, "pending", trace, inputs=leaf.inputs
        )
    unit_id = scorer.unit_id
    if unit_id in standing.keys and standing.keys[unit_id] != key:
        message = MESSAGES["mismatch"].format(node=node.id, unit=unit_id, what=" / ".join(rule.inputs))
        scorer.problems.append(Problem("rank-peers-mismatch", message, where, (node.id,)))
        return _nothing(node, leaf, maximum, "invalid", (TEXT, lang, message))
    values = {**plain_values, PEERS: (standing, unit_id)}
    points, facts = rule.points(values)
    self_points = None
    if appraised:  # the unit's own value, placed among the others' (appraised) values
        own = {
            n: (v.self_value if (v := scorer.values[n]).self_value is not None else plain_values[n])
            for n in plain_values
        }
        try:
            self_points, _ = rule.points({**own, PEERS: (standing, unit_id)})
        except InvalidValue:
            self_points = Decimal(0)
    return NodeResult(
        node.id,
        node.title,
        points,
        maximum,
        node.points,
        "scored",
        (RULE, lang, rule, values, facts, self_points),
        self_points=self_points,
        inputs=leaf.inputs,
    )


def stale(
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
            if standing.keys.get(unit_id) is not None:
                message = MESSAGES["mismatch"].format(node=node.id, unit=unit_id, what=", ".join(node.inputs))
                found.append(
                    Problem("rank-peers-mismatch", message, Location(source, path=("values",)), (node.id,))
                )
    return found
