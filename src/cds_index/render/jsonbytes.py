"""The bytes of a JSON answer: compact, UTF-8, ``NaN`` refused — what the HTTP API sends (#11).

:func:`json_bytes` writes any document. :func:`result_bytes` writes a points result's document
(:meth:`~cds_index.engine.evaluate.Result.to_dict`, every digit) straight to text, the same bytes as
``json_bytes(result.to_dict(explain=...))`` (tests/test_result_bytes.py compares the two on random
units of every bundled definition) without building a dictionary per node: the API's score answer
spent more time building and encoding 136 dictionaries than scoring the unit.

What depends only on the definition — a node's id and title, a criterion's inputs — is escaped once
and kept (bounded); a node's numbers, status, explanation and clamp are written per answer.
"""

from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

from ..engine.evaluate import RULE, node_texts
from ..numbers import plain, written

if TYPE_CHECKING:
    from ..engine.evaluate import NodeResult, Result


def json_bytes(content: Any) -> bytes:
    """``content`` as the bytes of Starlette's ``JSONResponse`` (compact, UTF-8, ``NaN`` refused),
    written by pydantic's serializer (Rust, already a dependency): 2–3× faster than ``json.dumps`` on a
    result of 136 nodes (#11). A document pydantic would write otherwise (``NaN`` or ``Infinity``,
    which are not JSON; a value JSON has no type for) goes to ``json.dumps``, which refuses it."""
    body: bytes | None
    try:
        body = to_json(content)
    except Exception:  # a lone surrogate, a type it does not know: json.dumps says what is wrong
        body = None
    if body is None or b"NaN" in body or b"Infinity" in body:  # perhaps only in a text: json.dumps decides
        return _dumps(content).encode()
    return body


def _dumps(content: Any) -> str:
    return json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def result_bytes(result: Result, *, explain: bool = True) -> bytes:
    """``json_bytes(result.to_dict(explain=explain))``, written without the per-node dictionaries.

    Strings are escaped by :func:`json.encoder.encode_basestring` (the escaping of ``json.dumps``,
    which is pydantic's too: a test compares them on any text); a value of a type the short route
    does not write goes the general route, whole, so the answer is always the general one's.
    """
    head = json_bytes(result.heading(explain=explain))
    parts: list[str] = []
    try:
        achievable = result.pillar_achievable
        for pillar in result.pillars:
            parts.append(",")
            _node(pillar, explain, parts)
            if pillar.id in achievable:  # after the pillar's children, as to_dict adds it
                parts.pop()  # the pillar's closing brace, always its own last part
                parts.append(f',"achievable":"{_number(achievable[pillar.id])}"}}')
        nodes = "".join(parts)[1:].encode()
    except (TypeError, AttributeError, ValueError):  # not a document the short route writes
        return json_bytes(result.to_dict(explain=explain))
    return b"".join((head[:-1], b',"children":[', nodes, b"]}"))


_PREFIXES: dict[tuple[str, str], str] = {}
_INPUTS: dict[tuple[str, ...], str] = {}
_BOUND = 1 << 15  # entries: far more nodes than every bundled definition has, together


def _prefix(node_id: str, title: str) -> str:
    """``{"id":…,"title":…,"points":`` for a node, escaped once per (id, title)."""
    key = (node_id, title)
    text = _PREFIXES.get(key)
    if text is None:
        text = f'{{"id":{_quoted(node_id)},"title":{_quoted(title)},"points":'
        if len(_PREFIXES) >= _BOUND:
            _PREFIXES.clear()  # a bound, not an eviction policy: the nodes in use come back at once
        _PREFIXES[key] = text
    return text


def _inputs(names: tuple[str, ...]) -> str:
    """``,"inputs":[…],"late":`` for a criterion, escaped once per tuple of input names."""
    text = _INPUTS.get(names)
    if text is None:
        if type(names) is not tuple:
            raise TypeError("inputs are a tuple of names")
        text = f',"inputs":[{",".join(_quoted(n) for n in names)}],"late":'
        if len(_INPUTS) >= _BOUND:
            _INPUTS.clear()
        _INPUTS[names] = text
    return text


def _quoted(text: str) -> str:
    """A string as JSON text; anything else raises TypeError (the general route writes it)."""
    return encode_basestring(text)


def _number(d: Decimal) -> str:
    """A number's exact text (``plain``), which needs no escaping: digits, sign, point, or a word
    such as ``NaN`` that ``json_bytes`` would keep as text too."""
    if type(d) is not Decimal:
        raise TypeError("not a Decimal")
    return written(d) or plain(d)


def _node(node: NodeResult, explain: bool, out: list[str]) -> None:
    """One node's object, as ``NodeResult.to_dict()`` (every digit) has it, appended to ``out``;
    the last part appended is always the object's closing ``}`` alone."""
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
    if type(points) is not Decimal or type(top) is not Decimal:
        raise TypeError("points are Decimals")
    points_text, top_text, share = node_texts(points, top)
    stated_text = "null" if stated is None else f'"{_number(stated)}"'
    share_text = "null" if share is None else f'"{share}"'
    out.append(
        f'{_prefix(node_id, title)}"{points_text}","max":"{top_text}","stated":{stated_text},'
        f'"percent":{share_text},"status":{_quoted(status)}'
    )
    if explain:
        out.append(f',"explanation":{_quoted(node.explanation)}')
    if self_points is not None:
        out.append(f',"self_points":"{_number(self_points)}"')
    if bonus:
        out.append(f',"bonus":"{_number(bonus)}"')
    if unfloored is not None:
        out.append(f',"unfloored":"{_number(unfloored)}"')
    if children:
        out.append(',"children":[')
        first = True
        for child in children:
            if not first:
                out.append(",")
            first = False
            _node(child, explain, out)
        out.append("]")
        out.append("}")
        return
    out.append(_inputs(inputs))
    if late is not True and late is not False:
        raise TypeError("late is a bool")
    out.append("true" if late else "false")
    if type(trace) is tuple and trace[0] == RULE:
        clamp = trace[2].clamp
        if clamp is not None and (limited := clamp(trace[4])) is not None:
            out.append(f',"clamped":{_dumps(limited.to_dict())}')
    out.append(',"children":[]')
    out.append("}")
