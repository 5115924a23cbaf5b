"""Safe formulas: simpleeval with allowlisted names and functions, parsed and checked once."""

from __future__ import annotations

import ast
import operator
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Context, Decimal, DivisionByZero, InvalidOperation
from itertools import chain as itertools_chain
from typing import Any

from ..errors import did_you_mean
from ..i18n import Message, T, join
from ..numbers import CONTEXT, div

_PARSING = threading.Lock()
"""One formula parsed at a time: CPython 3.11's ``ast.parse`` from two threads at once can raise
``SystemError: AST constructor recursion depth mismatch`` (python/cpython#106905), which a server
loading definitions from several threads met once in some hundred loads (#11)."""

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


def _divide(a: Decimal, b: Decimal) -> Decimal:
    return div(Decimal(a), Decimal(b))


# Arithmetic as everywhere else in scoring: a division carried to 20 decimal places (`numbers.div`),
# the rest under the 60-digit CONTEXT, not the thread's 28 digits: `5 * (1 - 2/37)` was 28 significant
# digits here and 20 decimal places in a ratio rule, so a sum of criteria lost its last digit (#11).
_OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: CONTEXT.add,
    ast.Sub: CONTEXT.subtract,
    ast.Mult: CONTEXT.multiply,
    ast.Div: _divide,
    ast.Mod: CONTEXT.remainder,
    ast.FloorDiv: CONTEXT.divide_int,
    ast.USub: CONTEXT.minus,
    ast.UAdd: CONTEXT.plus,
    ast.Not: operator.not_,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
# How many arguments each function takes, checked at load so a formula never fails for that per unit.
_ARITY: dict[str, Callable[[int], bool]] = {
    "min": lambda n: n >= 2,
    "max": lambda n: n >= 2,
    "abs": lambda n: n == 1,
    "clamp": lambda n: n == 3,
}
_ARITY_WORDS = {
    "min": T("two or more numbers"),
    "max": T("two or more numbers"),
    "abs": T("one number"),
    "clamp": T("three numbers: clamp(value, low, high)"),
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

        evaluator = SimpleEval(operators=_OPERATORS, names=dict(values), functions=FUNCTIONS)
        try:
            result = evaluator.eval(self.expression, previously_parsed=self.tree)
        except (RecursionError, MemoryError) as exc:  # the limits above make these unreachable
            raise FormulaEvalError(
                T("the formula is too complex to evaluate ({error})", error=type(exc).__name__)
            ) from exc
        except InvalidExpression as exc:
            raise FormulaEvalError(str(exc)) from exc
        except ArithmeticError as exc:
            raise FormulaEvalError(_arithmetic_words(exc)) from exc
        if isinstance(result, bool):
            return Decimal(int(result))
        if isinstance(result, int | Decimal):
            number = Decimal(result)
            if not number.is_finite():  # NaN + 1 is a quiet NaN: it would poison every comparison
                raise FormulaEvalError(T("the formula gave {value}, not a finite number", value=str(number)))
            return number
        raise FormulaEvalError(T("the formula gave {value}, not a number", value=repr(result)))


class FormulaEvalError(ValueError):
    """A formula that has no value for these inputs (the criterion is then invalid, not a crash).

    ``message`` is what to say, in the reader's language when shown (``str()`` is the English)."""

    def __init__(self, message: Message | str) -> None:
        super().__init__(message)
        self.message = message


def _arithmetic_words(exc: ArithmeticError) -> Message:
    from decimal import DivisionByZero, Overflow

    if isinstance(exc, ZeroDivisionError | DivisionByZero):
        return T("division by zero")
    if isinstance(exc, Overflow | OverflowError):
        return T("a number too large to compute")
    return T("an operation without a value (0 / 0, x % 0, or a result too large to divide)")


def _marker(expression: str, node: ast.AST) -> str:
    """Draw ``~~~^`` under the offending span, the way packaging points at a bad requirement."""
    start = getattr(node, "col_offset", 0)
    end = getattr(node, "end_col_offset", start + 1) or start + 1
    return f"{expression}\n    {' ' * start}{'~' * max(0, end - start - 1)}^"


_DECIMAL_COMMA = re.compile(r"(?<![\w.])(\d+),(\d+)(?![\w.])")
"""A Vietnamese decimal (`0,5`) in a formula, where the comma separates two values."""

_NODE_WORDS: dict[type[ast.AST], Message] = {
    ast.Tuple: T("a comma outside a function's brackets"),
    ast.List: T("a list in [ ] (brackets that group are round: ( ))"),
    ast.Attribute: T("a dot after a name (`x.y`)"),
    ast.Subscript: T("brackets after a name (`x[0]`)"),
    ast.Lambda: T("a `lambda`"),
    ast.Dict: T("a mapping in {{ }}"),
    ast.Set: T("a set in {{ }}"),
    ast.NamedExpr: T("an assignment (`:=`)"),
    ast.ListComp: T("a loop (`for`)"),
    ast.GeneratorExp: T("a loop (`for`)"),
}
"""A construct no formula may use, in the author's words (not Python's class name)."""

_SYMBOLS = {"×": "*", "÷": "/", "≥": ">=", "≤": "<=", "≠": "!=", "−": "-", "–": "-", "：": ":"}
"""A sign copied from the decision's text, and what a formula writes for it."""


def _syntax_words(said: str) -> Message | None:
    """Python's complaint about a formula in our words, saying what to write; None if not foreseen.

    >>> print(_syntax_words("invalid character '×' (U+00D7)"))
    write * for ×
    """
    if said.endswith("was never closed"):
        return T("a bracket is opened and never closed: close it with )")
    if said.startswith("unmatched"):
        return T("a closing bracket matches no opening one: delete it, or open it earlier")
    if "does not match opening parenthesis" in said:
        return T("a bracket is closed by another kind: close ( with ) and [ with ]")
    if said == "invalid decimal literal":
        return T("a number is joined to a name: write 2 * x for 2x, and a decimal with a point (0.5)")
    if said.startswith("leading zeros"):
        return T("a number does not begin with 0: write 8 for 08")
    if said.startswith("invalid character"):
        char = said.split("'")[1] if said.count("'") >= 2 else "?"
        if char in _SYMBOLS:
            return T("write {ascii} for {char}", ascii=_SYMBOLS[char], char=char)
        return T("the character {char} cannot be used in a formula", char=char)
    if said.startswith("invalid syntax"):
        return T(
            "an operator (+, -, *, /) or a comma may be missing here, or one is left without its "
            "value; a comparison is written == (not =)"
        )
    return None


def compile_formula(
    expression: str, known: Mapping[str, Any]
) -> tuple[CompiledFormula | None, list[tuple[str, Message]]]:
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
                T(
                    "the formula has {count} characters, more than {limit}: split it into several "
                    "criteria or declare intermediate inputs\n    {start}…",
                    count=len(expression),
                    limit=MAX_LENGTH,
                    start=expression[:60],
                ),
            )
        ]
    try:
        with _PARSING:
            ast.parse(expression.strip(), mode="eval")  # one expression only: `a; b` is a syntax error
            tree = SimpleEval().parse(expression.strip())
    except SyntaxError as exc:
        words = _syntax_words(exc.msg)
        if words is None:  # a complaint not foreseen: Python's own words, said as Python's
            return None, [
                (
                    "formula-syntax",
                    T("not a valid expression: {error}\n    {shown}", error=exc.msg, shown=expression),
                )
            ]
        stripped = expression.strip()
        place = exc.offset - 1 if exc.lineno == 1 and exc.offset and 0 < exc.offset <= len(stripped) else None
        if place is None and "\n" not in stripped:
            place = len(stripped)  # "posts +": the value missing is at the end
        marker = stripped if place is None else f"{stripped}\n    {' ' * place}^"
        return None, [
            (
                "formula-syntax",
                T("the formula cannot be read: {words}\n    {marker}", words=words, marker=marker),
            )
        ]
    except (ValueError, RecursionError, MemoryError) as exc:  # a NUL byte; the parser's own limits
        return None, [
            (
                "formula-syntax",
                T("not a valid expression: {error}\n    {shown}", error=str(exc), shown=repr(expression)),
            )
        ]
    too_complex = _too_complex(expression.strip(), tree)
    if too_complex:
        return None, [too_complex]
    problems: list[tuple[str, Message]] = []
    comma = _DECIMAL_COMMA.search(expression)
    if comma:  # `min(5, 0,5 * x)` is min(5, 0, 5 * x): always 0, without a word
        problems.append(
            (
                "formula-syntax",
                T(
                    "{written} reads as two numbers, {first} and {second}: a comma separates a "
                    "function's values; write {point} for the decimal, or {spaced} if two numbers are "
                    "meant\n    {expression}\n    {marker}",
                    written=f"`{comma.group(0)}`",
                    first=comma.group(1),
                    second=comma.group(2),
                    point=f"`{comma.group(1)}.{comma.group(2)}`",
                    spaced=f"`{comma.group(1)}, {comma.group(2)}`",
                    expression=expression,
                    marker=" " * comma.start() + "~" * (len(comma.group(0)) - 1) + "^",
                ),
            )
        )
    names: set[str] = set()
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) or (isinstance(node, ast.Tuple) and comma):
            continue  # said once: a keyword argument below, a decimal comma above
        if not isinstance(node, _ALLOWED_NODES):
            problems.append(
                (
                    "formula-forbidden",
                    T(
                        "{what} is not allowed in a formula\n    {marker}",
                        what=_NODE_WORDS.get(type(node), type(node).__name__),
                        marker=_marker(expression, node),
                    ),
                )
            )
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                problems.append(
                    (
                        "formula-forbidden",
                        T(
                            "only {functions} may be called\n    {marker}",
                            functions=", ".join(sorted(FUNCTIONS)),
                            marker=_marker(expression, node),
                        ),
                    )
                )
            elif not _ARITY[node.func.id](len(node.args)) or any(
                isinstance(a, ast.Starred) for a in node.args
            ):
                problems.append(
                    (
                        "formula-syntax",
                        T(
                            "{function}() takes {arguments}\n    {marker}",
                            function=node.func.id,
                            arguments=_ARITY_WORDS[node.func.id],
                            marker=_marker(expression, node),
                        ),
                    )
                )
            if node.keywords:
                problems.append(
                    (
                        "formula-forbidden",
                        T(
                            "keyword arguments are not allowed in a formula\n    {marker}",
                            marker=_marker(expression, node),
                        ),
                    )
                )
        elif isinstance(node, ast.Name) and id(node) not in called:
            if node.id not in known:
                hint = did_you_mean(node.id, known)
                marker = _marker(expression, node)
                problems.append(
                    (
                        "formula-name",
                        T(
                            "{name} is not a declared input ({hint})\n    {marker}",
                            name=repr(node.id),
                            hint=hint,
                            marker=marker,
                        )
                        if hint
                        else T(
                            "{name} is not a declared input\n    {marker}", name=repr(node.id), marker=marker
                        ),
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
                            T(
                                "write numbers in decimal, not {segment}\n    {marker}",
                                segment=repr(segment),
                                marker=_marker(expression, node),
                            ),
                        )
                    )
                    continue
                digits = len(number.as_tuple().digits)
                if digits > MAX_LITERAL_DIGITS or (number and abs(number.adjusted()) > MAX_LITERAL_EXPONENT):
                    problems.append(
                        (
                            "formula-forbidden",
                            T(
                                "write numbers of at most {digits} digits between 1e-{exponent} and "
                                "1e{exponent} (e.g. 0.5, 100, 1e6)\n    {marker}",
                                digits=str(MAX_LITERAL_DIGITS),
                                exponent=str(MAX_LITERAL_EXPONENT),
                                marker=_marker(expression, node),
                            ),
                        )
                    )
                    continue
                node.value = number  # type: ignore[assignment]  # simpleeval returns it as is
            else:
                problems.append(
                    (
                        "formula-forbidden",
                        T(
                            "only numbers are allowed, not {value}\n    {marker}",
                            value=repr(node.value),
                            marker=_marker(expression, node),
                        ),
                    )
                )
    if problems:
        return None, problems
    return CompiledFormula(expression.strip(), tree, frozenset(names)), []


def _too_complex(expression: str, tree: ast.AST) -> tuple[str, Message] | None:
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
            T(
                "the formula has {count} names, numbers and operations, more than {limit}: split it into "
                "several criteria\n    {start}",
                count=count,
                limit=MAX_NODES,
                start=expression[:60] + ("…" if len(expression) > 60 else ""),
            ),
        )
    if deepest[0] > MAX_DEPTH:
        return (
            "formula-too-complex",
            T(
                "the formula nests {depth} operations deep, more than {limit}: split it into several "
                "criteria (a sum of many inputs nests one level per term)\n    {marker}",
                depth=deepest[0],
                limit=MAX_DEPTH,
                marker=_marker(expression, deepest[1]),
            ),
        )
    return None


# --- interval reasoning (issue #13) -------------------------------------------------------------
#
# The range a formula's value can take, from the ranges its inputs are declared with: interval
# arithmetic over the parsed tree, exact (Decimal at 60 digits, rounded outwards), without recursion
# limits beyond the formula's own (MAX_DEPTH). Each bound carries the input values that reach it when
# every input is chosen independently; `formula_range` evaluates the formula there to confirm it (an
# input used twice, as in `x - x`, makes interval arithmetic wider than the truth).

_INF = Decimal("Infinity")
_LOW = Context(prec=60, rounding=ROUND_FLOOR, traps=[InvalidOperation, DivisionByZero])
_HIGH = Context(prec=60, rounding=ROUND_CEILING, traps=[InvalidOperation, DivisionByZero])
_BIG = Decimal("1e12")
"""Where a witness stands for an unbounded input (no declared `min`/`max`): a value that large."""
_SMALL = Decimal("1e-12")
"""Where a witness stands for a denominator approaching 0."""

Witness = Mapping[str, Decimal]


@dataclass(frozen=True)
class Interval:
    """``lo ≤ value ≤ hi`` (either may be infinite); ``integral``: every value is a whole number.

    ``lo_at`` / ``hi_at``: input values that reach each bound when the inputs vary independently.
    """

    lo: Decimal
    hi: Decimal
    integral: bool = False
    lo_at: Witness = field(default_factory=dict)
    hi_at: Witness = field(default_factory=dict)

    def __contains__(self, value: object) -> bool:
        return isinstance(value, Decimal) and self.lo <= value <= self.hi


def input_interval(spec: Any) -> Interval:
    """The declared range of an input: `min`/`max` of a number (unbounded where absent), 0–1 for yes/no."""
    kind = getattr(spec, "type", None)
    if kind == "boolean":
        return Interval(Decimal(0), Decimal(1), True)
    low = spec.min if getattr(spec, "min", None) is not None else -_INF
    high = spec.max if getattr(spec, "max", None) is not None else _INF
    return Interval(low, high, kind == "integer")


def _mul(a: Decimal, b: Decimal, context: Context) -> Decimal:
    if not a or not b:  # 0 × ∞ is 0 at a bound: the closure of the products, not a value
        return Decimal(0)
    return context.multiply(a, b)


def _merge(*witnesses: Witness) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for witness in witnesses:
        for name, value in witness.items():
            out.setdefault(name, value)
    return out


def _hull(*parts: Interval) -> Interval:
    lo = min(parts, key=lambda p: p.lo)
    hi = max(parts, key=lambda p: p.hi)
    return Interval(lo.lo, hi.hi, all(p.integral for p in parts), lo.lo_at, hi.hi_at)


def _product(a: Interval, b: Interval) -> Interval:
    corners = [(x, y) for x in ("lo", "hi") for y in ("lo", "hi")]

    def at(x: str, y: str) -> dict[str, Decimal]:
        return _merge(getattr(a, f"{x}_at"), getattr(b, f"{y}_at"))

    lows = [(_mul(getattr(a, x), getattr(b, y), _LOW), x, y) for x, y in corners]
    highs = [(_mul(getattr(a, x), getattr(b, y), _HIGH), x, y) for x, y in corners]
    lo, lx, ly = min(lows, key=lambda t: t[0])
    hi, hx, hy = max(highs, key=lambda t: t[0])
    return Interval(lo, hi, a.integral and b.integral, at(lx, ly), at(hx, hy))


def _reciprocal(b: Interval) -> Interval | None:
    """``1 / b``, or None when every value of ``b`` is 0 (the formula never has a value)."""
    lo, hi, lo_at, hi_at = b.lo, b.hi, b.lo_at, b.hi_at
    if b.integral:  # a whole-number denominator is never between 0 and ±1
        if lo == 0:
            lo, lo_at = Decimal(1), _near_zero(lo_at, Decimal(1), Decimal(1))
        if hi == 0:
            hi, hi_at = Decimal(-1), _near_zero(hi_at, Decimal(-1), Decimal(1))
        if lo > hi:
            return None
        if lo < 0 < hi:  # 1/b lies in [1/lo, 1/hi] ∪ … ⊂ [-1, 1]
            return Interval(Decimal(-1), Decimal(1), False, {}, {})
    if lo == 0 == hi:
        return None

    def inv(value: Decimal, context: Context) -> Decimal:
        return Decimal(0) if value.is_infinite() else context.divide(Decimal(1), value)

    if lo > 0 or hi < 0:
        return Interval(inv(hi, _LOW), inv(lo, _HIGH), False, hi_at, lo_at)
    if lo == 0:  # (0, hi]: 1/b grows without bound as b approaches 0
        return Interval(inv(hi, _LOW), _INF, False, hi_at, _near_zero(lo_at, Decimal(1)))
    if hi == 0:
        return Interval(-_INF, inv(lo, _HIGH), False, _near_zero(hi_at, Decimal(-1)), lo_at)
    return Interval(-_INF, _INF, False, {}, {})


def _sum(a: Interval, b: Interval) -> Interval:
    return Interval(
        _LOW.add(a.lo, b.lo),
        _HIGH.add(a.hi, b.hi),
        a.integral and b.integral,
        _merge(a.lo_at, b.lo_at),
        _merge(a.hi_at, b.hi_at),
    )


def _near_zero(witness: Witness, sign: Decimal, step: Decimal = _SMALL) -> dict[str, Decimal]:
    """The values that make a denominator 0, nudged to just beside it (where ``1 / b`` is largest):
    by ``step`` (1 for whole numbers)."""
    return {name: (sign * step if value == 0 else value) for name, value in witness.items()}


def _negate(a: Interval) -> Interval:
    return Interval(-a.hi, -a.lo, a.integral, a.hi_at, a.lo_at)


def _constant(value: Decimal) -> Interval:
    return Interval(value, value, value == value.to_integral_value())


_BOOLEAN = Interval(Decimal(0), Decimal(1), True)


def interval(formula: CompiledFormula, ranges: Mapping[str, Interval]) -> Interval | None:
    """The interval of the formula's value when each input lies in its range; None when the formula
    never has a value (it always divides by zero). An input missing from ``ranges`` is unbounded."""
    return _interval(formula.tree, ranges)


def _interval(tree: ast.AST, ranges: Mapping[str, Interval]) -> Interval | None:
    """Post-order over the tree with an explicit stack (a formula nests at most MAX_DEPTH deep)."""
    done: dict[int, Interval | None] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, expanded = stack.pop()
        children = [c for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)]
        if isinstance(node, ast.Call):
            children = list(node.args)
        if not expanded and children:
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        done[id(node)] = _node_interval(node, [done[id(c)] for c in children], ranges)
    return done[id(tree)]


def _node_interval(
    node: ast.AST, parts: list[Interval | None], ranges: Mapping[str, Interval]
) -> Interval | None:
    if isinstance(node, ast.Expression | ast.Expr):
        return parts[0]
    if isinstance(node, ast.Constant):
        literal: Any = node.value  # a Decimal since compile_formula, or True/False
        return _constant(Decimal(int(literal)) if isinstance(literal, bool) else Decimal(literal))
    if isinstance(node, ast.Name):
        found = ranges.get(node.id)
        if found is None:
            return Interval(-_INF, _INF, False, {node.id: -_BIG}, {node.id: _BIG})
        low = found.lo if found.lo.is_finite() else -_BIG
        high = found.hi if found.hi.is_finite() else _BIG
        return Interval(found.lo, found.hi, found.integral, {node.id: low}, {node.id: high})
    if isinstance(node, ast.IfExp):  # test, body, orelse: either branch's value
        test, body, orelse = parts
        if test is not None and (test.lo > 0 or test.hi < 0):
            return body
        if test is not None and test.lo == 0 == test.hi:
            return orelse
        if test is None:
            return None
        options = [p for p in (body, orelse) if p is not None]
        return _hull(*options) if options else None
    if isinstance(node, ast.BoolOp):  # `and`/`or` give one of their operands
        if parts[0] is None:
            return None
        options = [p for p in parts if p is not None]
        return _hull(*options)
    if any(p is None for p in parts):
        return None
    args: list[Interval] = [p for p in parts if p is not None]
    if isinstance(node, ast.Compare):
        return _compare(node, args)
    if isinstance(node, ast.UnaryOp):
        (a,) = args
        if isinstance(node.op, ast.USub):
            return _negate(a)
        if isinstance(node.op, ast.Not):
            return _BOOLEAN
        return a
    if isinstance(node, ast.BinOp):
        a, b = args
        op = node.op
        if isinstance(op, ast.Add):
            return _sum(a, b)
        if isinstance(op, ast.Sub):
            return _sum(a, _negate(b))
        if isinstance(op, ast.Mult):
            return _product(a, b)
        inverse = _reciprocal(b)
        if inverse is None:
            return None
        if isinstance(op, ast.Div):
            return _product(a, inverse)
        if isinstance(op, ast.FloorDiv):  # floor (int) or towards zero (Decimal): within floor…ceil
            q = _product(a, inverse)
            return Interval(
                q.lo.to_integral_value(ROUND_FLOOR) if q.lo.is_finite() else q.lo,
                q.hi.to_integral_value(ROUND_CEILING) if q.hi.is_finite() else q.hi,
                True,
                q.lo_at,
                q.hi_at,
            )
        # a % b: smaller than |b| in size, and than |a| (Decimal keeps a's sign, int b's)
        size = max(abs(b.lo), abs(b.hi))
        if a.lo >= 0 and b.lo > 0:
            return Interval(Decimal(0), min(a.hi, size), a.integral and b.integral, a.lo_at, a.hi_at)
        return Interval(-size, size, a.integral and b.integral, {}, {})
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name = node.func.id
        if name == "min":
            lo = min(args, key=lambda p: p.lo)
            return Interval(
                lo.lo,
                min(p.hi for p in args),
                all(p.integral for p in args),
                lo.lo_at,
                _merge(*(p.hi_at for p in args)),
            )
        if name == "max":
            hi = max(args, key=lambda p: p.hi)
            return Interval(
                max(p.lo for p in args),
                hi.hi,
                all(p.integral for p in args),
                _merge(*(p.lo_at for p in args)),
                hi.hi_at,
            )
        if name == "abs":
            (a,) = args
            if a.lo >= 0:
                return a
            if a.hi <= 0:
                return _negate(a)
            top = a.hi_at if a.hi >= -a.lo else a.lo_at
            return Interval(Decimal(0), max(a.hi, -a.lo), a.integral, {}, top)
        if name == "clamp":  # max(low, min(high, value))
            middle, floor, ceiling = args
            inner = _node_interval(_call("min"), [ceiling, middle], ranges)
            return _node_interval(_call("max"), [floor, inner], ranges)
    return Interval(-_INF, _INF)  # nothing else passes compile_formula; unbounded is always sound


def _call(name: str) -> ast.Call:
    return ast.Call(func=ast.Name(id=name), args=[], keywords=[])


def _compare(node: ast.Compare, args: list[Interval]) -> Interval:
    """A comparison is true (1) or false (0); decided here when the ranges decide it."""
    if len(args) == 2 and len(node.ops) == 1:
        a, b = args
        op = node.ops[0]
        always = {
            ast.Lt: a.hi < b.lo,
            ast.LtE: a.hi <= b.lo,
            ast.Gt: a.lo > b.hi,
            ast.GtE: a.lo >= b.hi,
        }.get(type(op))
        never = {
            ast.Lt: a.lo >= b.hi,
            ast.LtE: a.lo > b.hi,
            ast.Gt: a.hi <= b.lo,
            ast.GtE: a.hi < b.lo,
        }.get(type(op))
        if always:
            return _constant(Decimal(1))
        if never:
            return _constant(Decimal(0))
    return _BOOLEAN


def _example(formula: CompiledFormula, inputs: Mapping[str, Any], witness: Witness) -> dict[str, Any]:
    """Values for every name of the formula: the witness's, else a value in the input's range."""
    values: dict[str, Any] = {}
    for name in sorted(formula.names):
        spec = inputs.get(name)
        span = input_interval(spec) if spec is not None else Interval(-_INF, _INF)
        value = witness.get(name)
        if value is None:
            value = span.lo if span.lo.is_finite() else span.hi if span.hi.is_finite() else Decimal(0)
        value = max(min(value, span.hi), span.lo)
        values[name] = bool(value) if getattr(spec, "type", None) == "boolean" else value
    return values


def _value(formula: CompiledFormula, values: Mapping[str, Any]) -> Decimal | None:
    try:
        return formula(values)
    except FormulaEvalError:
        return None


def _corners(formula: CompiledFormula, inputs: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every combination of the inputs' extremes (at most 2⁸ of them), for a bound no witness reached."""
    import itertools

    names = sorted(formula.names)
    if len(names) > 8:
        return
    choices = []
    for name in names:
        span = input_interval(inputs[name]) if name in inputs else Interval(-_INF, _INF)
        choices.append(
            sorted({span.lo if span.lo.is_finite() else -_BIG, span.hi if span.hi.is_finite() else _BIG})
        )
    for combination in itertools.product(*choices):
        yield _example(formula, inputs, dict(zip(names, combination, strict=True)))


def formula_range(
    formula: CompiledFormula, inputs: Mapping[str, Any], maximum: Decimal, as_percent: bool
) -> tuple[Interval | None, list[tuple[str, Message]]]:
    """The formula's interval over its inputs' declared ranges, and a ``(severity, message)`` for
    each side on which it can leave 0 … ``maximum`` points (0 … 100 with ``result: percent``).

    A formula always outside the range is an ``error`` (no unit would be scored as written). One that
    can leave it is a ``warning``: scoring limits the value and reports it (``score-clamped``); the
    message gives input values that reach it, or says that only the interval does (interval
    arithmetic is wider than the truth when an input appears twice, as in ``x - x``).
    """
    found = interval(formula, {n: input_interval(s) for n, s in inputs.items() if n in formula.names})
    if found is None:
        return None, [("error", T("the formula divides by zero for every value of its inputs"))]
    top = Decimal(100) if as_percent else maximum

    def amount(value: str) -> Message:
        return T("{value} %", value=value) if as_percent else T("{value} points", value=value)

    where = (
        T("the criterion's 100 %")
        if as_percent
        else T("the criterion's {points} points", points=format(maximum, "f"))
    )
    if found.lo > top:  # the interval is sound: no value of the inputs scores as written
        return found, [
            (
                "error",
                T(
                    "the formula is always above {limit}: over its inputs' declared ranges it is at least "
                    "{bound}, so every unit would be scored the maximum by the limit; check the formula "
                    "against the decision (a percent written as a fraction, a missing division)",
                    limit=where,
                    bound=amount(_plain(found.lo)),
                ),
            )
        ]
    if found.hi < 0:
        return found, [
            (
                "error",
                T(
                    "the formula is always below 0: over its inputs' declared ranges it is at most "
                    "{bound}, so every unit would be scored 0 by the limit; check the formula against "
                    "the decision (a percent written as a fraction, a missing division)",
                    bound=amount(_plain(found.hi)),
                ),
            )
        ]
    problems: list[tuple[str, Message]] = []
    for side, beyond in (("hi", found.hi > top), ("lo", found.lo < 0)):
        if not beyond:
            continue
        outside: Callable[[Decimal], bool] = (lambda v: v > top) if side == "hi" else (lambda v: v < 0)
        witness = found.hi_at if side == "hi" else found.lo_at
        reached: tuple[Decimal, dict[str, Any]] | None = None
        for values in itertools_chain([_example(formula, inputs, witness)], _corners(formula, inputs)):
            value = _value(formula, values)
            if value is not None and outside(value):
                reached = (value, values)
                break
        bound = found.hi if side == "hi" else found.lo
        limit = (
            T(
                "more than {where}: limit it with min(…, {top}) or narrow the inputs' declared `max`",
                where=where,
                top=format(top, "f"),
            )
            if side == "hi"
            else T("below 0: limit it with max(0, …) or narrow the inputs' declared `min`")
        )
        if reached is not None:
            value, values = reached
            shown = join(
                [
                    T(
                        "{name} = {value}{declared}",
                        name=n,
                        value=_plain(v),
                        declared=_declared(inputs.get(n)),
                    )
                    for n, v in values.items()
                ],
                "comma",
            )
            problems.append(
                (
                    "warning",
                    T(
                        "the formula can give {value}, {limit} (with {shown})",
                        value=amount(_plain(value)),
                        limit=limit,
                        shown=shown,
                    )
                    if values
                    else T(
                        "the formula always gives {value}, {limit}", value=amount(_plain(value)), limit=limit
                    ),
                )
            )
        else:
            shown = (
                "+∞" if bound.is_infinite() and bound > 0 else "−∞" if bound.is_infinite() else _plain(bound)
            )
            problems.append(
                (
                    "warning",
                    T(
                        "over its inputs' declared ranges the formula may give {value}, {limit} (no input "
                        "values tried reach it: interval arithmetic is wider than the truth when an input "
                        "appears twice)",
                        value=amount(shown),
                        limit=limit,
                    ),
                )
            )
    return found, problems


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return text if len(text) <= 24 else f"{value:.6E}"


def _declared(spec: Any) -> Message | str:
    """`` (no declared max)`` after a value standing for an unbounded input."""
    if spec is None or getattr(spec, "type", None) == "boolean":
        return ""
    missing = [key for key in ("min", "max") if getattr(spec, key, None) is None]
    if not missing:
        return ""
    if len(missing) == 2:
        return T(" (no declared `min` or `max`)")
    return T(" (no declared `{key}`)", key=missing[0])
