"""Safe formulas: simpleeval with allowlisted names and functions, parsed and checked once."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


FUNCTIONS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs, "clamp": _clamp}
# How many arguments each function takes, checked at load so a formula never fails for that per unit.
_ARITY: dict[str, Callable[[int], bool]] = {
    "min": lambda n: n >= 2,
    "max": lambda n: n >= 2,
    "abs": lambda n: n == 1,
    "clamp": lambda n: n == 3,
}
_ARITY_WORDS = {
    "min": "two or more numbers",
    "max": "two or more numbers",
    "abs": "one number",
    "clamp": "three numbers: clamp(value, low, high)",
}

_ALLOWED_NODES = (
    ast.Expr,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Mod,
    ast.FloorDiv,
    ast.USub,
    ast.UAdd,
    ast.Not,
    ast.And,
    ast.Or,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
)


@dataclass(frozen=True)
class CompiledFormula:
    """A parsed, checked formula: call it with the input values to get a Decimal."""

    expression: str
    tree: ast.AST
    names: frozenset[str]

    def __call__(self, values: Mapping[str, Any]) -> Decimal:
        from simpleeval import SimpleEval

        evaluator = SimpleEval(names=dict(values), functions=FUNCTIONS)
        result = evaluator.eval(self.expression, previously_parsed=self.tree)
        if isinstance(result, bool):
            return Decimal(int(result))
        if isinstance(result, int | Decimal):
            return Decimal(result)
        raise TypeError(f"the formula gave {result!r}, not a number")


def _marker(expression: str, node: ast.AST) -> str:
    """Draw ``~~~^`` under the offending span, the way packaging points at a bad requirement."""
    start = getattr(node, "col_offset", 0)
    end = getattr(node, "end_col_offset", start + 1) or start + 1
    return f"{expression}\n    {' ' * start}{'~' * max(0, end - start - 1)}^"


def compile_formula(
    expression: str, known: Mapping[str, Any]
) -> tuple[CompiledFormula | None, list[tuple[str, str]]]:
    """Parse once; return the formula and a list of ``(code, message)`` problems.

    >>> f, problems = compile_formula("min(10, visits / 2)", {"visits": None})
    >>> problems, f({"visits": Decimal(7)})
    ([], Decimal('3.5'))
    """
    from simpleeval import SimpleEval

    try:
        ast.parse(expression.strip(), mode="eval")  # one expression only: `a; b` is a syntax error here
        tree = SimpleEval().parse(expression.strip())
    except SyntaxError as exc:
        return None, [("formula-syntax", f"not a valid expression: {exc.msg}\n    {expression}")]
    problems: list[tuple[str, str]] = []
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            problems.append(
                (
                    "formula-forbidden",
                    f"{type(node).__name__} is not allowed in a formula\n    " + _marker(expression, node),
                )
            )
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                problems.append(
                    (
                        "formula-forbidden",
                        f"only {', '.join(sorted(FUNCTIONS))} may be called\n    "
                        + _marker(expression, node),
                    )
                )
            elif not _ARITY[node.func.id](len(node.args)) or any(
                isinstance(a, ast.Starred) for a in node.args
            ):
                problems.append(
                    (
                        "formula-syntax",
                        f"{node.func.id}() takes {_ARITY_WORDS[node.func.id]}\n    "
                        + _marker(expression, node),
                    )
                )
            if node.keywords:
                problems.append(
                    (
                        "formula-forbidden",
                        "keyword arguments are not allowed in a formula\n    " + _marker(expression, node),
                    )
                )
        elif isinstance(node, ast.Name) and not _is_function_name(tree, node):
            if node.id not in known:
                close = difflib.get_close_matches(node.id, list(known), n=1, cutoff=0.75)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(
                    (
                        "formula-name",
                        f"{node.id!r} is not a declared input{guess}\n    " + _marker(expression, node),
                    )
                )
            names.add(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                continue
            if isinstance(node.value, int | float):
                # Exact: the literal as written, never a binary float.
                segment = ast.get_source_segment(expression.strip(), node) or repr(node.value)
                try:
                    node.value = Decimal(segment)  # type: ignore[assignment]  # simpleeval returns it as is
                except InvalidOperation:  # 0x10, 0o7, 0b1: Decimal reads only decimal literals
                    problems.append(
                        (
                            "formula-forbidden",
                            f"write numbers in decimal, not {segment!r}\n    " + _marker(expression, node),
                        )
                    )
            else:
                problems.append(
                    (
                        "formula-forbidden",
                        f"only numbers are allowed, not {node.value!r}\n    " + _marker(expression, node),
                    )
                )
    if problems:
        return None, problems
    return CompiledFormula(expression.strip(), tree, frozenset(names)), []


def _is_function_name(tree: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))
