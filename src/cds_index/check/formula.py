"""Safe formulas: simpleeval with allowlisted names and functions, parsed and checked once."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import did_you_mean

# Size limits, checked when a definition is loaded (and so by `cds-index check`): whatever passes them
# evaluates. simpleeval walks the tree recursively, about two Python frames per level: a flat sum of
# 500 terms (depth 499) exhausted Python's 1000 frames (measured, issue #9). Depth 100 keeps under a
# quarter of the stack however deep the caller is; a decision's formula is a few terms long.
MAX_LENGTH = 2000
"""Characters in one formula."""
MAX_DEPTH = 100
"""Nesting of operations (``a + b + c`` nests 2 deep: the sum of the sum)."""
MAX_NODES = 400
"""Names, numbers, operations and calls in one formula."""
MAX_LITERAL_DIGITS = 28
MAX_LITERAL_EXPONENT = 30
"""A number written in a formula has at most 28 digits and lies within 1e-30 … 1e30 (``1e-999999``
divides a value into a million-digit explanation)."""


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
        """The formula's value; :class:`FormulaEvalError` (a ``ValueError``) when it has none.

        Whatever the values, evaluation ends in a Decimal or that error, never a RecursionError,
        MemoryError or simpleeval's own exceptions: the rule then marks the criterion invalid.
        """
        from simpleeval import InvalidExpression, SimpleEval

        evaluator = SimpleEval(names=dict(values), functions=FUNCTIONS)
        try:
            result = evaluator.eval(self.expression, previously_parsed=self.tree)
        except (RecursionError, MemoryError) as exc:  # the limits above make these unreachable
            raise FormulaEvalError(f"the formula is too complex to evaluate ({type(exc).__name__})") from exc
        except InvalidExpression as exc:
            raise FormulaEvalError(str(exc)) from exc
        except ArithmeticError as exc:
            raise FormulaEvalError(_arithmetic_words(exc)) from exc
        if isinstance(result, bool):
            return Decimal(int(result))
        if isinstance(result, int | Decimal):
            number = Decimal(result)
            if not number.is_finite():  # NaN + 1 is a quiet NaN: it would poison every comparison
                raise FormulaEvalError(f"the formula gave {number}, not a finite number")
            return number
        raise FormulaEvalError(f"the formula gave {result!r}, not a number")


class FormulaEvalError(ValueError):
    """A formula that has no value for these inputs (the criterion is then invalid, not a crash)."""


def _arithmetic_words(exc: ArithmeticError) -> str:
    from decimal import DivisionByZero, Overflow

    if isinstance(exc, ZeroDivisionError | DivisionByZero):
        return "division by zero"
    if isinstance(exc, Overflow | OverflowError):
        return "a number too large to compute"
    return "an operation without a value (0 / 0, x % 0, or a result too large to divide)"


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

    if len(expression) > MAX_LENGTH:
        return None, [
            (
                "formula-too-complex",
                f"the formula has {len(expression)} characters, more than {MAX_LENGTH}: split it into "
                f"several criteria or declare intermediate inputs\n    {expression[:60]}…",
            )
        ]
    try:
        ast.parse(expression.strip(), mode="eval")  # one expression only: `a; b` is a syntax error here
        tree = SimpleEval().parse(expression.strip())
    except SyntaxError as exc:
        return None, [("formula-syntax", f"not a valid expression: {exc.msg}\n    {expression}")]
    except (ValueError, RecursionError, MemoryError) as exc:  # a NUL byte; the parser's own limits
        return None, [("formula-syntax", f"not a valid expression: {exc}\n    {expression!r}")]
    too_complex = _too_complex(expression.strip(), tree)
    if too_complex:
        return None, [too_complex]
    problems: list[tuple[str, str]] = []
    names: set[str] = set()
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
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
        elif isinstance(node, ast.Name) and id(node) not in called:
            if node.id not in known:
                hint = did_you_mean(node.id, known)
                guess = f" ({hint})" if hint else ""
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
                    number = Decimal(segment)
                except InvalidOperation:  # 0x10, 0o7, 0b1: Decimal reads only decimal literals
                    problems.append(
                        (
                            "formula-forbidden",
                            f"write numbers in decimal, not {segment!r}\n    " + _marker(expression, node),
                        )
                    )
                    continue
                digits = len(number.as_tuple().digits)
                if digits > MAX_LITERAL_DIGITS or (number and abs(number.adjusted()) > MAX_LITERAL_EXPONENT):
                    problems.append(
                        (
                            "formula-forbidden",
                            f"write numbers of at most {MAX_LITERAL_DIGITS} digits between "
                            f"1e-{MAX_LITERAL_EXPONENT} and 1e{MAX_LITERAL_EXPONENT} "
                            "(e.g. 0.5, 100, 1e6)\n    " + _marker(expression, node),
                        )
                    )
                    continue
                node.value = number  # type: ignore[assignment]  # simpleeval returns it as is
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


def _too_complex(expression: str, tree: ast.AST) -> tuple[str, str] | None:
    """Count the expression nodes and their nesting without recursion; point at the deepest one."""
    count = 0
    deepest: tuple[int, ast.AST] = (0, tree)
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr):
            count += 1
            depth += 1
            if depth > deepest[0]:
                deepest = (depth, node)
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    if count > MAX_NODES:
        return (
            "formula-too-complex",
            f"the formula has {count} names, numbers and operations, more than {MAX_NODES}: split it "
            f"into several criteria\n    {expression[:60]}{'…' if len(expression) > 60 else ''}",
        )
    if deepest[0] > MAX_DEPTH:
        return (
            "formula-too-complex",
            f"the formula nests {deepest[0]} operations deep, more than {MAX_DEPTH}: split it into "
            "several criteria (a sum of many inputs nests one level per term)\n    "
            + _marker(expression, deepest[1]),
        )
    return None
