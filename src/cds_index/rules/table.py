"""`table`: a decision table over several inputs (DMN-style): rows of conditions → a share or points (#13).

Each row has a condition per input (a number, a range, yes/no, a state or role, a list of states;
an input left out, or `-`, matches any value) and an award. The hit policy says which row counts:

- ``unique``: at most one row matches any values (the check proves it: overlapping rows are named);
- ``any``: rows may overlap only where they give the same award (checked);
- ``first``: the first matching row, in order (a row never reached is named);
- ``collect-max``: the highest award among the matching rows.

For every policy the check proves the table complete over the values the inputs allow (their
declared ``min``/``max``, whole numbers for ``integer``, the states of a ``choice``): an uncovered
combination is a ``table-gap`` problem naming the region, and a row that matches no allowed value
is ``table-unreachable``. The proof splits each input's values at every bound the rows name into
elementary cells (points and the open intervals between them), inside which every condition is
either all true or all false, and walks the combinations input by input, merging the cells that
leave the same rows standing.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import close_match
from ..formats import units
from ..formats.model import InputDef, Node, Range, Table, TableRow
from ..i18n import Message, T, join
from ..numbers import HUNDRED, Lang, figure, plain, points_text
from .common import (
    NUMERIC,
    ROLE_WORDS,
    WORDS,
    At,
    Compiled,
    InvalidValue,
    Need,
    Problems,
    Values,
    award_text,
    label,
)

MODEL = Table

ROLES = ("head", "deputy", "none")
ANY = "-"
WORK_LIMIT = 200_000
"""Most cells the completeness proof visits before it gives up (``table-too-complex``): a table of 20
inputs × 1000 rows with a bound per row and input would otherwise take hours. Measured: a 1000-row
table of one input is 2001 cells; 200 000 visits take about a second."""
GAPS_SHOWN = 5
"""Uncovered regions reported one by one; beyond that, one problem counts the rest."""


@dataclass(frozen=True, slots=True)
class Interval:
    """A numeric condition: ``lo ≤ x ≤ hi`` with each bound inclusive or not; None = unbounded."""

    lo: Decimal | None
    lo_inc: bool
    hi: Decimal | None
    hi_inc: bool

    def holds(self, x: Decimal) -> bool:
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_inc)):
            return False
        return not (self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_inc)))


Condition = Interval | frozenset[Any] | None
"""An interval (numbers), a set of allowed values (yes/no, states, roles), or None (any value)."""


@dataclass(frozen=True, slots=True)
class Cell:
    """An elementary cell of one input's values: a point (``lo == hi``, both inclusive), an open
    interval between two bounds (either may be None: unbounded), or one discrete value."""

    lo: Decimal | None = None
    hi: Decimal | None = None
    point: bool = False
    value: Any = None
    discrete: bool = False


def inside(cond: Condition, cell: Cell) -> bool:
    """Whether the condition holds on the whole cell (no bound lies strictly inside a cell, so it
    holds on all of it or none of it)."""
    if cond is None:
        return True
    if isinstance(cond, frozenset):
        return cell.value in cond
    if cell.point:
        assert cell.lo is not None
        return cond.holds(cell.lo)
    low_ok = cond.lo is None or (cell.lo is not None and cell.lo >= cond.lo)
    high_ok = cond.hi is None or (cell.hi is not None and cell.hi <= cond.hi)
    return low_ok and high_ok


# --- reading the cells -------------------------------------------------------------------------


def domain(spec: InputDef) -> list[Any] | None:
    """The discrete values of a yes/no, choice or role input; None for a number."""
    if spec.type == "boolean":
        return [True, False]
    if spec.type == "choice":
        return list(spec.choices or ())
    if spec.type == "role":
        return list(ROLES)
    return None


def condition(cell: Any, spec: InputDef, where: str) -> tuple[Condition, Message | None]:
    """The condition a written cell states, or a message saying why it cannot be one for ``spec``."""
    if isinstance(cell, str) and cell.strip() == ANY:
        return None, None
    values = domain(spec)
    if values is None:  # a number
        if isinstance(cell, Range):
            return Interval(cell.min, cell.min_inclusive, cell.max, cell.max_inclusive), None
        if isinstance(cell, Decimal) and not isinstance(cell, bool):
            if not cell.is_finite():
                return None, T(
                    "{where}: {cell} is not a number a value can equal", where=where, cell=str(cell)
                )
            return Interval(cell, True, cell, True), None
        return (
            None,
            T(
                "{where}: {cell} is not a number or a range `{{min, max}}` for a `{type}` input",
                where=where,
                cell=_short(cell),
                type=spec.type,
            ),
        )
    if spec.type == "boolean":
        if isinstance(cell, bool):
            return frozenset({cell}), None
        return None, T(
            "{where}: {cell} is not `true`, `false` or `-` for a yes/no input", where=where, cell=_short(cell)
        )
    if isinstance(cell, str):
        cell = [cell]
    if not isinstance(cell, list):
        return (
            None,
            T(
                "{where}: {cell} is not one of {values} (or a list of them)",
                where=where,
                cell=_short(cell),
                values=", ".join(map(str, values)),
            ),
        )
    for item in cell:
        if item not in values:
            close = close_match(item, [str(v) for v in values])
            params = {"where": where, "item": repr(item), "values": ", ".join(map(str, values))}
            if close:
                return None, T(
                    "{where}: {item} is not one of {values} (did you mean {close}?)",
                    close=repr(close),
                    **params,
                )
            return None, T("{where}: {item} is not one of {values}", **params)
    return frozenset(cell), None


def _short(value: Any) -> Message | str:
    if isinstance(value, Range):
        return T("a range")
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def cells(conds: Sequence[Condition], spec: InputDef) -> list[Cell]:
    """The elementary cells of one input: every value it allows falls in exactly one."""
    values = domain(spec)
    if values is not None:
        return [Cell(value=v, discrete=True) for v in values]
    whole = spec.type == "integer"
    low, high = spec.min, spec.max
    bounds: set[Decimal] = {b for b in (low, high) if b is not None}
    for cond in conds:
        if isinstance(cond, Interval):
            bounds.update(b for b in (cond.lo, cond.hi) if b is not None)
    ordered = sorted(b for b in bounds if (low is None or b >= low) and (high is None or b <= high))

    def has_whole(a: Decimal | None, b: Decimal | None) -> bool:
        """Whether the open interval (a, b) holds a whole number (a value an integer input can take)."""
        if a is None or b is None:
            return True
        n = a.to_integral_value(rounding="ROUND_FLOOR") + 1
        return n < b

    out: list[Cell] = []

    def gap(a: Decimal | None, b: Decimal | None) -> None:
        if a is not None and b is not None and a >= b:
            return
        if not whole or has_whole(a, b):
            out.append(Cell(a, b))

    if not ordered:  # no bound anywhere: one cell, every number
        gap(None, None)
        return out
    if low is None:
        gap(None, ordered[0])
    for i, b in enumerate(ordered):
        if not whole or b == b.to_integral_value():
            out.append(Cell(b, b, point=True))
        if i + 1 < len(ordered):
            gap(b, ordered[i + 1])
    if high is None:
        gap(ordered[-1], None)
    return out


# --- describing regions ------------------------------------------------------------------------


ANY_OF = "\0any "
"""How a group of every cell of an input starts: left out of a region's description."""


def describe(name: str, group: Sequence[Cell], all_cells: Sequence[Cell]) -> str:
    """``50 ≤ online_rate < 80``, ``has_portal = false``: the values a group of cells stands for."""
    if len(group) == len(all_cells):
        return ANY_OF + name
    if group[0].discrete:
        shown = [_value(c.value) for c in group]
        return f"{name} = {shown[0]}" if len(shown) == 1 else f"{name} ∈ {{{', '.join(shown)}}}"
    index = {id(c): i for i, c in enumerate(all_cells)}
    runs: list[list[Cell]] = []
    last = -2
    for cell in group:
        i = index[id(cell)]
        if i == last + 1:
            runs[-1].append(cell)
        else:
            runs.append([cell])
        last = i
    parts = []
    for run in runs:
        first, end = run[0], run[-1]
        if len(run) == 1 and first.point:
            parts.append(f"{name} = {first.lo}")
            continue
        if end.hi is None and first.lo is not None:  # `posts ≥ 2` reads better than `2 ≤ posts`
            parts.append(f"{name} {'≥' if first.point else '>'} {first.lo}")
            continue
        lower = "" if first.lo is None else f"{first.lo} {'≤' if first.point else '<'} "
        upper = "" if end.hi is None else f" {'≤' if end.point else '<'} {end.hi}"
        parts.append(f"{lower}{name}{upper}")
    return join(parts, "or")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- the check ---------------------------------------------------------------------------------


def award(row: TableRow, maximum: Decimal) -> Decimal:
    if row.points is not None:
        return row.points
    return maximum * (row.percent / HUNDRED)  # type: ignore[operator]


class TooComplex(Exception):
    pass


def check(
    rule: Table,
    node: Node,
    maximum: Decimal,
    inputs: Mapping[str, InputDef],
    need: Need,
    problems: Problems,
) -> None:
    specs: list[InputDef | None] = []
    seen: set[str] = set()
    for i, name in enumerate(rule.inputs):
        if name in seen:
            problems.append(
                (
                    "invalid-value",
                    At(
                        T("the table names input {name} twice; name each column once", name=repr(name)),
                        ("inputs", i),
                    ),
                )
            )
        seen.add(name)
        specs.append(need(name, {*NUMERIC, "boolean", "choice", "role"}, "table input"))
    columns = {name: i for i, name in enumerate(rule.inputs)}
    conds: list[list[Condition]] = [[None] * len(rule.inputs) for _ in rule.rows]
    broken = any(s is None or s.type == "date" for s in specs) or len(seen) != len(rule.inputs)
    for r, row in enumerate(rule.rows):
        where = ("rows", r)
        if row.points is not None and row.points > maximum:
            problems.append(
                (
                    "rule-points",
                    At(
                        T(
                            "row {row} gives {points} points; the criterion has {maximum}",
                            row=str(r + 1),
                            points=plain(row.points),
                            maximum=plain(maximum),
                        ),
                        where,
                    ),
                )
            )
        for name, cell in row.when.items():
            if name not in columns:
                close = close_match(name, rule.inputs)
                params = {"row": str(r + 1), "name": repr(name), "inputs": ", ".join(rule.inputs)}
                tests = (
                    T(
                        "row {row} tests {name}, which is not one of the table's `inputs` ({inputs}) "
                        "(did you mean {close}?)",
                        close=repr(close),
                        **params,
                    )
                    if close
                    else T(
                        "row {row} tests {name}, which is not one of the table's `inputs` ({inputs})",
                        **params,
                    )
                )
                problems.append(("unknown-input", At(tests, (*where, "when", name))))
                broken = True
                continue
            spec = specs[columns[name]]
            if spec is None or spec.type == "date":
                continue
            cond, wrong = condition(cell, spec, T("row {row}, {name}", row=str(r + 1), name=name))
            if wrong is not None:
                problems.append(("invalid-value", At(wrong, (*where, "when", name))))
                broken = True
            conds[r][columns[name]] = cond
    if broken:
        return  # the proof needs every condition read
    full: list[InputDef] = [s for s in specs if s is not None]
    _check_scale(rule, full, conds, problems)
    try:
        prove(rule, full, conds, maximum, problems)
    except TooComplex:
        problems.append(
            (
                "table-too-complex",
                At(
                    T(
                        "the table has too many combinations of its inputs' ranges to check (more than "
                        "{limit} cells); split it into smaller tables",
                        limit=WORK_LIMIT,
                    ),
                    ("rows",),
                ),
            )
        )


def _check_scale(
    rule: Table,
    specs: Sequence[InputDef],
    conds: Sequence[Sequence[Condition]],
    problems: Problems,
) -> None:
    """Bounds of 0.5 and 0.8 on a percentage input (0–100) are fractions written by mistake: 49.9 %
    would pass 0.8. Bounds are in the input's own unit."""
    for c, spec in enumerate(specs):
        parsed = units.parse(spec.unit)
        if (
            isinstance(parsed, str)
            or parsed[0] != "dimensionless"
            or Decimal(str(parsed[1])) != Decimal("0.01")
        ):
            continue
        bounds = [
            b
            for row in conds
            if isinstance(cond := row[c], Interval)
            for b in (cond.lo, cond.hi)
            if b is not None
        ]
        if bounds and all(0 <= b <= 1 for b in bounds) and any(0 < b < 1 for b in bounds):
            first = next(r for r, row in enumerate(conds) if isinstance(row[c], Interval))
            shown = ", ".join(sorted({str(b) for b in bounds}))
            problems.append(
                (
                    "scale-mismatch",
                    At(
                        T(
                            "{name} is a percentage (0–100) but the table's bounds on it are {shown}, "
                            "fractions of 1: write them as percentages (0.8 → 80); a table's bounds are in "
                            "the input's own unit",
                            name=repr(rule.inputs[c]),
                            shown=shown,
                        ),
                        ("rows", first, "when", rule.inputs[c]),
                    ),
                )
            )


def masks(conds: Sequence[Condition], column: Sequence[Cell]) -> list[int]:
    """For each cell of one input, the rows (bits of an int) whose condition holds on it.

    A numeric condition holds on a contiguous run of the ordered cells, found by two binary searches,
    so a column costs O((rows + cells) · log cells) big-int operations, not rows × cells tests."""
    n = len(column)
    start = [0] * (n + 1)
    stop = [0] * (n + 1)
    for r, cond in enumerate(conds):
        bit = 1 << r
        if cond is None:
            start[0] |= bit
            stop[n] |= bit
        elif isinstance(cond, frozenset):
            for i, cell in enumerate(column):
                if cell.value in cond:
                    start[i] |= bit
                    stop[i + 1] |= bit
        else:
            first = bisect.bisect_left(range(n), True, key=lambda i: not _below(cond, column[i]))
            last = bisect.bisect_left(range(n), True, key=lambda i: _above(cond, column[i]))
            if first < last:
                start[first] |= bit
                stop[last] |= bit
    out = []
    running = 0
    for i in range(n):
        running = (running & ~stop[i]) | start[i]
        out.append(running)
    return out


def _below(cond: Interval, cell: Cell) -> bool:
    """The cell lies wholly below the condition's lower bound."""
    if cond.lo is None:
        return False
    if cell.point:
        return cell.lo < cond.lo or (cell.lo == cond.lo and not cond.lo_inc)  # type: ignore[operator]
    return cell.hi is not None and cell.hi <= cond.lo


def _above(cond: Interval, cell: Cell) -> bool:
    """The cell lies wholly above the condition's upper bound."""
    if cond.hi is None:
        return False
    if cell.point:
        return cell.lo > cond.hi or (cell.lo == cond.hi and not cond.hi_inc)  # type: ignore[operator]
    return cell.lo is not None and cell.lo >= cond.hi


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def prove(
    rule: Table,
    specs: Sequence[InputDef],
    conds: Sequence[Sequence[Condition]],
    maximum: Decimal,
    problems: Problems,
) -> None:
    """Completeness, overlaps (``unique``; ``any`` with different awards), unreachable rows."""
    names = rule.inputs
    columns = [cells([row[c] for row in conds], spec) for c, spec in enumerate(specs)]
    if sum(len(column) for column in columns) > WORK_LIMIT:
        raise TooComplex
    covers = [masks([row[c] for row in conds], column) for c, column in enumerate(columns)]
    awards = [award(row, maximum) for row in rule.rows]
    gaps: list[str] = []
    gap_count = 0
    overlaps: dict[tuple[int, int], str] = {}
    matched = reached = 0
    work = 0

    def region(path: Sequence[Sequence[Cell]]) -> str:
        parts = [describe(names[c], group, columns[c]) for c, group in enumerate(path)]
        parts = [p for p in parts if not p.startswith(ANY_OF)]
        return join(parts, "comma") if parts else T("every value")

    def walk(col: int, rows: int, path: list[Sequence[Cell]]) -> None:
        nonlocal work, gap_count, matched, reached
        if col == len(names):
            matched |= rows
            lowest = rows & -rows
            reached |= lowest
            if rows != lowest and rule.hit_policy in ("unique", "any") and len(overlaps) < 50:
                hits = _bits(rows)
                for i, a in enumerate(hits):
                    for b in hits[i + 1 :]:
                        if (a, b) in overlaps or (rule.hit_policy == "any" and awards[a] == awards[b]):
                            continue
                        if len(overlaps) < 50:
                            overlaps[(a, b)] = region(path)
            return
        work += len(columns[col])
        if work > WORK_LIMIT:
            raise TooComplex
        groups: dict[int, list[Cell]] = {}
        for cell, cover in zip(columns[col], covers[col], strict=True):
            groups.setdefault(rows & cover, []).append(cell)
        for standing, group in groups.items():
            here = [*path, group]
            if not standing:
                gap_count += 1
                if len(gaps) < GAPS_SHOWN:
                    rest = [columns[c] for c in range(col + 1, len(names))]
                    gaps.append(region([*here, *rest]))
                continue
            walk(col + 1, standing, here)

    walk(0, (1 << len(rule.rows)) - 1, [])
    for text in gaps:
        problems.append(
            ("table-gap", At(T("no row covers {text}; add a row for these values", text=text), ("rows",)))
        )
    if gap_count > len(gaps):
        more = T("… and {count} more uncovered region(s)", count=str(gap_count - len(gaps)))
        problems.append(("table-gap", At(more, ("rows",))))
    for (a, b), text in sorted(overlaps.items()):
        why = (
            T("a `unique` table's rows must not overlap")
            if rule.hit_policy == "unique"
            else T(
                "they give different awards ({a} and {b} points) in an `any` table",
                a=plain(awards[a]),
                b=plain(awards[b]),
            )
        )
        both = T("rows {a} and {b} both match {text}: {why}", a=str(a + 1), b=str(b + 1), text=text, why=why)
        problems.append(("table-overlap", At(both, ("rows", b))))
    for r in range(len(rule.rows)):
        if not matched >> r & 1:
            problems.append(
                (
                    "table-unreachable",
                    At(
                        T(
                            "row {row} matches no values the inputs allow (their `min`/`max`, states)",
                            row=str(r + 1),
                        ),
                        ("rows", r),
                    ),
                )
            )
        elif rule.hit_policy == "first" and not reached >> r & 1:
            problems.append(
                (
                    "table-unreachable",
                    At(
                        T(
                            "row {row} is never reached: earlier rows match every value it matches",
                            row=str(r + 1),
                        ),
                        ("rows", r),
                    ),
                )
            )


# --- scoring -----------------------------------------------------------------------------------


def compile(rule: Table, maximum: Decimal, inputs: Mapping[str, InputDef]) -> Compiled:
    names = tuple(rule.inputs)
    policy = rule.hit_policy
    rows: list[tuple[tuple[tuple[str, Condition], ...], Decimal]] = []
    for row in rule.rows:
        tests = []
        for name, cell in row.when.items():
            spec = inputs.get(name)
            if spec is None or name not in names:
                continue
            cond, wrong = condition(cell, spec, name)
            if cond is not None and wrong is None:
                tests.append((name, cond))
        rows.append((tuple(tests), award(row, maximum)))

    def holds(tests: tuple[tuple[str, Condition], ...], v: Values) -> bool:
        for name, cond in tests:
            value = v[name]
            if isinstance(cond, Interval):
                if not cond.holds(value):
                    return False
            elif isinstance(cond, frozenset) and value not in cond:
                return False
        return True

    def points(v: Values) -> tuple[Decimal, Any]:
        hits: list[int] = []
        for i, (tests, _) in enumerate(rows):
            if holds(tests, v):
                hits.append(i)
                if policy == "first":
                    break
        if not hits:
            raise InvalidValue(lambda lang: f"{read(v, lang)}: {WORDS[lang]['no_row']}")
        if policy == "unique" and len(hits) > 1:
            raise InvalidValue(lambda lang: f"{read(v, lang)}: {WORDS[lang]['rows']}")
        chosen = max(hits, key=lambda i: rows[i][1]) if policy == "collect-max" else hits[0]
        return rows[chosen][1], chosen

    def read(v: Values, lang: Lang) -> str:
        return "; ".join(f"{label(inputs, n)}: {_shown(v[n], lang)}" for n in names)

    def explain(v: Values, chosen: int, lang: Lang) -> str:
        row = rule.rows[chosen]
        got = rows[chosen][1]
        words = f"{WORDS[lang]['row']} {chosen + 1}" + (f" “{row.label}”" if row.label else "")
        if row.points is not None:
            return f"{read(v, lang)} → {words} → {points_text(got, lang)}"
        share = row.percent / HUNDRED  # type: ignore[operator]
        return f"{read(v, lang)} → {words} → {award_text(share, maximum, got, lang)}"

    return Compiled(names, points, explain, {}, kind=rule.kind)


def _shown(value: Any, lang: Lang) -> str:
    if isinstance(value, bool):
        return WORDS[lang]["yes" if value else "no"]
    if isinstance(value, Decimal):
        return figure(value, lang)
    return ROLE_WORDS[lang].get(value, str(value)) if value in ROLES else str(value)
