"""`Result.to_dict(explain=False)`, the points-only HTTP answer (#11), takes a short route per node
(`_exact_dict`: the three numbers of a node from one cache look-up, the clamp read from the trace);
it must give exactly what the node's fields say, written the plain way, on random units of every
bundled points definition (values dropped, not applicable, appraised, zero, above their wholes)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cds_index.engine import evaluate
from cds_index.engine.evaluate import NodeResult
from cds_index.numbers import HUNDRED, div, plain

from .test_flat_plan import DEFINITIONS, IDS, _mutated


def reference(node: NodeResult, explain: bool) -> dict[str, Any]:
    """The node's document written field by field, with the public properties (no cache)."""
    num = lambda d: None if d is None else plain(d)  # noqa: E731
    out: dict[str, Any] = {
        "id": node.id,
        "title": node.title,
        "points": num(node.points),
        "max": num(node.max),
        "stated": num(node.stated),
        "percent": num(div(node.points * HUNDRED, node.max)) if node.max else None,
        "status": node.status,
    }
    if explain:
        out["explanation"] = node.explanation
    if node.self_points is not None:
        out["self_points"] = num(node.self_points)
    if node.bonus:
        out["bonus"] = num(node.bonus)
    if node.unfloored is not None:
        out["unfloored"] = num(node.unfloored)
    if node.is_criterion:
        out["inputs"] = list(node.inputs)
        out["late"] = node.late
        if node.clamped is not None:
            out["clamped"] = node.clamped.to_dict()
    out["children"] = [reference(c, explain) for c in node.children]
    return out


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.sampled_from(IDS),
    st.integers(0, 10_000),
    st.lists(st.integers(0, 10), min_size=0, max_size=80),
    st.booleans(),
)
def test_the_short_route_writes_every_node_as_its_fields_say(
    definition_id: str, seed: int, edits: list[int], explain: bool
) -> None:
    definition = DEFINITIONS[definition_id]
    result = evaluate.score(definition, _mutated(definition, seed, edits), year=2024)
    document = result.to_dict(explain=explain)
    got = document["children"]
    want = [reference(p, explain) for p in result.pillars]
    for pillar, shown in zip(result.pillars, want, strict=True):
        if pillar.id in result.pillar_achievable:
            shown["achievable"] = plain(result.pillar_achievable[pillar.id])
    assert got == want
    assert [list(d) for d in got] == [list(d) for d in want]  # the same keys, in the same order


DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**6), max_value=10**6, places=6)
SIGNED_ZEROS = st.sampled_from([Decimal("0"), Decimal("-0"), Decimal("0.00"), Decimal("-0.000")])


@settings(max_examples=300, deadline=None, database=None)
@given(st.one_of(DECIMALS, SIGNED_ZEROS), st.one_of(DECIMALS, SIGNED_ZEROS), st.integers(0, 3))
def test_a_nodes_three_numbers_are_written_as_plain_writes_them(
    points: Decimal, top: Decimal, same: int
) -> None:
    if same == 1:  # full points, the same digits
        points = top
    elif same == 2:  # full points written with other trailing zeros (2.5 of 2.50)
        points = top.quantize(Decimal("0.0000001")) if top.adjusted() < 10 else top.normalize()
    assert evaluate.node_texts(points, top) == (
        plain(points),
        plain(top),
        plain(div(points * HUNDRED, top)) if top else None,
    )
