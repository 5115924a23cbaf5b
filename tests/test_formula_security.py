"""Adversarial formulas, in the spirit of simpleeval's test_security.py: each is refused when the
definition is loaded, with a formula-* code and a position, and never reaches evaluation."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from cds_index.check.formula import compile_formula
from cds_index.engine.evaluate import compiled, score
from cds_index.errors import DefinitionError

from .conftest import criterion, definition_data, definition_from_text, dump_yaml, errors_of, line_of

FORBIDDEN, NAME, SYNTAX = "formula-forbidden", "formula-name", "formula-syntax"

ATTACKS = [
    # dunder and attribute access: the classic sandbox escapes
    ("a.__class__", FORBIDDEN),
    ("a.__class__.__subclasses__()", FORBIDDEN),
    ("().__class__.__bases__[0].__subclasses__()", FORBIDDEN),
    ("min.__self__", FORBIDDEN),
    ("min.__globals__", FORBIDDEN),
    ("a.real", FORBIDDEN),
    ("a.as_integer_ratio()", FORBIDDEN),
    # imports
    ("__import__('os').system('true')", FORBIDDEN),
    ("__import__", NAME),
    ("import os", SYNTAX),
    ("from os import system", SYNTAX),
    # lambdas
    ("(lambda: 1)()", FORBIDDEN),
    ("lambda x: x", FORBIDDEN),
    # comprehensions and generators
    ("[x for x in [1, 2]]", FORBIDDEN),
    ("{x for x in [a]}", FORBIDDEN),
    ("{k: 1 for k in [a]}", FORBIDDEN),
    ("sum(x for x in [a])", FORBIDDEN),
    # huge powers: `**` is not an operation of the format at all
    ("9 ** 9 ** 9", FORBIDDEN),
    ("a ** b", FORBIDDEN),
    ("10 ** 100000", FORBIDDEN),
    ("pow(a, 1000)", FORBIDDEN),
    # huge strings and other non-numeric values
    ("'x' * 10 ** 9", FORBIDDEN),
    ("'a' * 1000000000", FORBIDDEN),
    ("'abc'", FORBIDDEN),
    ("b'x'", FORBIDDEN),
    ("f'{a}'", FORBIDDEN),
    ("None", FORBIDDEN),
    ("...", FORBIDDEN),
    ("1j", FORBIDDEN),
    ("0x10", FORBIDDEN),
    # containers and subscripts
    ("[a, b]", FORBIDDEN),
    ("(a, b)", FORBIDDEN),
    ("{a: b}", FORBIDDEN),
    ("{a}", FORBIDDEN),
    ("a[0]", FORBIDDEN),
    ("[a][0:1]", FORBIDDEN),
    # calls of functions that are not allowlisted
    ("open('/etc/passwd')", FORBIDDEN),
    ("eval('1')", FORBIDDEN),
    ("exec('1')", FORBIDDEN),
    ("compile('1', 'x', 'eval')", FORBIDDEN),
    ("getattr(a, 'real')", FORBIDDEN),
    ("type(a)", FORBIDDEN),
    ("int(a)", FORBIDDEN),
    ("print(a)", FORBIDDEN),
    ("globals()", FORBIDDEN),
    ("a()", FORBIDDEN),
    ("min(a, b)(1)", FORBIDDEN),
    ("max(a, key=abs)", FORBIDDEN),
    ("min(*[a, b])", FORBIDDEN),
    ("max(**{'a': 1})", FORBIDDEN),
    # operators outside the arithmetic the format allows
    ("a << 100", FORBIDDEN),
    ("a @ b", FORBIDDEN),
    ("~a", FORBIDDEN),
    ("a | b", FORBIDDEN),
    ("a ^ b", FORBIDDEN),
    ("a is b", FORBIDDEN),
    ("a in [b]", FORBIDDEN),
    ("(b := 2)", FORBIDDEN),
    ("await a", FORBIDDEN),
    # more than one expression, or statements
    ("a; b", SYNTAX),
    ("a = 1", SYNTAX),
    ("a := 1", SYNTAX),
    ("del a", SYNTAX),
    ("yield a", SYNTAX),
    ("a if b", SYNTAX),
    ("a +", SYNTAX),
    ("a\n+ b", SYNTAX),
    ("# only a comment", SYNTAX),
    # names that are not declared inputs
    ("c + 1", NAME),
    ("__builtins__", NAME),
    ("os", NAME),
    ("self", NAME),
    ("min", NAME),  # a function, not called, is not a value
]


def _definition_text(expression: str) -> str:
    data = definition_data(
        {
            "a": {"label": "Giá trị a", "type": "number"},
            "b": {"label": "Giá trị b", "type": "number"},
        },
        [criterion("F.1", 10, {"kind": "formula", "expression": expression})],
    )
    return dump_yaml(data)


@pytest.mark.parametrize(("expression", "code"), ATTACKS, ids=[repr(e) for e, _ in ATTACKS])
def test_refused_at_load(expression: str, code: str) -> None:
    text = _definition_text(expression)
    definition, problems = definition_from_text(text, "attack.yaml")
    errors = errors_of(problems)
    assert code in {p.code for p in errors}, [p.format() for p in errors]
    assert {p.code for p in errors} <= {FORBIDDEN, NAME, SYNTAX}
    for problem in errors:
        assert problem.location.file == "attack.yaml"
        assert problem.location.line == line_of(text, "kind: formula")
        assert problem.node == ("P", "F.1")
        assert expression.strip().splitlines()[0] in problem.message  # the formula is shown
    # and it can never be scored: compiling the definition refuses it too
    assert definition is not None
    with pytest.raises(DefinitionError) as raised:
        compiled(definition)
    assert code in {p.code for p in raised.value.problems}


@pytest.mark.parametrize(("expression", "code"), ATTACKS, ids=[repr(e) for e, _ in ATTACKS])
def test_compile_returns_no_formula(expression: str, code: str) -> None:
    formula, problems = compile_formula(expression, {"a": None, "b": None})
    assert formula is None
    assert code in {c for c, _ in problems}


@pytest.mark.parametrize(
    ("expression", "marked"),
    [
        ("a + b.real", "b.real"),
        ("min(a, int(b))", "int(b)"),
        ("a + c", "c"),
    ],
)
def test_the_offending_span_is_marked(expression: str, marked: str) -> None:
    _, problems = compile_formula(expression, {"a": None, "b": None})
    (_, message), *_ = problems
    shown, marker = message.splitlines()[-2:]
    start = expression.index(marked)
    # `~~~^` drawn under exactly the offending span, below the formula as written
    assert shown.strip() == expression
    offset = shown.index(expression)
    assert marker[offset + start :] == "~" * (len(marked) - 1) + "^"
    assert marker[: offset + start].strip() == ""


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({"a": Decimal("9e999998"), "b": Decimal("9e999998")}, "invalid"),  # Decimal overflow
        # beyond 10^15 an input is refused when read (#9), so its criterion is invalid, not scored
        ({"a": Decimal(10) ** 5000, "b": Decimal(-1) * 10**5000}, "invalid"),
        ({"a": Decimal(1), "b": Decimal(0)}, "invalid"),  # division by zero
    ],
)
def test_hostile_values_evaluate_in_bounded_time(values: dict[str, Any], status: str) -> None:
    text = _definition_text("a * b * a * b / b")
    definition, problems = definition_from_text(text)
    assert definition is not None and not errors_of(problems)
    start = time.perf_counter()
    node = score(definition, values).node("F.1")
    assert time.perf_counter() - start < 1
    assert node.status == status
    assert Decimal(0) <= node.points <= Decimal(10)
