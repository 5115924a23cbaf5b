"""`Result.to_json`, the score answer's text (#11), is written without dictionaries: a node's parts
from the definition (id, title, stated points, inputs) are kept once written, a criterion's numbers by
(points, maximum), the clamp read from the trace; `to_dict` is that text read back. It must give
exactly what the node's fields say, written the plain way (or rounded), on random units of every
bundled points definition (values dropped, not applicable, appraised, zero, above their wholes), and
never a kept text of another definition's node."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cds_index.engine import evaluate
from cds_index.engine.evaluate import NodeResult
from cds_index.numbers import HUNDRED, div, plain, show
from cds_index.render.jsonbytes import json_bytes

from .test_flat_plan import DEFINITIONS, IDS, _mutated


def reference(node: NodeResult, explain: bool, places: int | None = None) -> dict[str, Any]:
    """The node's document written field by field, with the public properties (no cache)."""
    num = lambda d: None if d is None else plain(d) if places is None else show(d, "en", places)  # noqa: E731
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
    out["children"] = [reference(c, explain, places) for c in node.children]
    return out


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.sampled_from(IDS),
    st.integers(0, 10_000),
    st.lists(st.integers(0, 10), min_size=0, max_size=80),
    st.booleans(),
    st.booleans(),
)
def test_the_short_route_writes_every_node_as_its_fields_say(
    definition_id: str, seed: int, edits: list[int], explain: bool, rounded: bool
) -> None:
    definition = DEFINITIONS[definition_id]
    result = evaluate.score(definition, _mutated(definition, seed, edits), year=2024)
    text = result.to_json(explain=explain, rounded=rounded)
    document = json.loads(text)
    assert result.to_dict(explain=explain, rounded=rounded) == document
    # the problems as each writes itself, in order (their texts are kept by the problem object)
    assert document["problems"] == [p.to_dict(result.lang) for p in result.problems]
    assert json.loads(result.to_json(explain=explain, rounded=rounded))["problems"] == document["problems"]
    places = result.places if rounded else None
    got = document["children"]
    want = [reference(p, explain, places) for p in result.pillars]
    for pillar, shown in zip(result.pillars, want, strict=True):
        if pillar.id in result.pillar_achievable:
            top = result.pillar_achievable[pillar.id]
            shown["achievable"] = plain(top) if places is None else show(top, "en", places)
    assert got == want

    def keys(items: list[dict[str, Any]]) -> list[Any]:  # every node's keys, in order, all the way down
        return [(list(d), keys(d["children"])) for d in items]

    assert keys(got) == keys(want)  # the same keys, in the same order
    assert json.loads(json_bytes(document)) == document and text == json_bytes(document).decode()


def test_a_kept_text_is_never_another_definitions_node() -> None:
    """Two versions of a definition share node ids but not every title, stated points or inputs: the
    texts kept from one are never written for the other, scored one after the other."""
    base = DEFINITIONS["hue-2263-commune"]
    pillar = base.tree[0]
    depth = 0  # how deep the first criterion is
    leaf = pillar
    while leaf.children:
        leaf, depth = leaf.children[0], depth + 1

    def renamed(node: Any, level: int) -> Any:  # the first node of each level down to it retitled
        update: dict[str, Any] = {"title": node.title + " (sửa đổi)"}
        if level < depth:
            update["children"] = [renamed(node.children[0], level + 1), *node.children[1:]]
        return node.model_copy(update=update)

    other = base.model_copy(update={"tree": [renamed(pillar, 0), *base.tree[1:]]})
    for _ in range(2):  # each written twice, alternately: a kept text, if reused, would show here
        for definition, suffix in ((base, ""), (other, " (sửa đổi)")):
            result = evaluate.score(definition, {}, year=2024)
            first = result.to_dict(explain=False)["children"][0]
            assert first["title"] == pillar.title + suffix
            while first["children"]:
                first = first["children"][0]
                assert first["title"].endswith(suffix) if suffix else "(sửa đổi)" not in first["title"]
            assert first["id"] == leaf.id


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


NUMBERS = st.one_of(st.sampled_from([Decimal("10"), Decimal("2.5"), Decimal("5")]), DECIMALS, SIGNED_ZEROS)


@st.composite
def chains(draw: Any, depth: int = 0) -> NodeResult:
    """A node of hand-made numbers; often a group of one child, whose points and maximum are, or are
    not quite, its own (another sign of 0, other trailing zeros, another number)."""
    points, top = draw(NUMBERS), draw(NUMBERS)
    leaf = NodeResult(f"n{depth}", f"Tiêu chí {depth}", points, top, None, "scored", "văn bản", inputs=("x",))
    if depth >= 3 or draw(st.booleans()):
        return leaf
    child = draw(chains(depth + 1))
    how = draw(st.integers(0, 3))
    if how == 1:  # the child's own numbers
        points, top = child.points, child.max
    elif how == 2:  # equal, written otherwise: -0 for 0, 2.50 for 2.5
        points = -child.points if not child.points else child.points.quantize(Decimal("0.0000001"))
        top = child.max
    more = (child,) if draw(st.booleans()) else (child, leaf._replace(id=f"m{depth}"))
    return NodeResult(f"g{depth}", f"Nhóm {depth}", points, top, Decimal(7), "scored", "văn bản", more)


@settings(max_examples=300, deadline=None, database=None)
@given(chains(), st.booleans())
def test_a_group_writes_its_own_numbers_never_a_lone_childs_that_differ(
    node: NodeResult, explain: bool
) -> None:
    """A group of one child reuses the child's number texts only where they are its own: 0 and -0,
    or 2.5 and 2.50 of one maximum, are equal values but not always one text."""
    for _ in range(2):  # the second time from the kept texts
        out: list[str] = []
        evaluate._write_node(node, out, explain, None, "")
        assert json.loads("".join(out)) == reference(node, explain)
