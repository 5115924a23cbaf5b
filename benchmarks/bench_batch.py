"""Batch scoring speed: the engine against a plain hand-written scorer of the same rules, same run.

    /work/venv/bin/python benchmarks/bench_batch.py [--units 10000] [--repeat 3] [--definition ID]

Both sides get the same parsed values of synthetic communes (seeded) and produce, for every unit, the
points of every criterion and group, exact (Decimal), with an explanation string per criterion and
per group. Results are streamed (each dropped once made, as `cds-index score … --format csv` does);
a separate, untimed pass checks the answers. Times are CPU times of this process (best of N, the two
sides alternated), because the benchmark shares its machine.

The baseline is what a programmer would write without the engine: the definition's rules read once
into plain tuples, one small function per rule kind, a dict of results per unit. It must
agree with the engine to the last digit on every criterion of every unit (checked after timing).

Target (issue 6): the engine takes at most 1.5× the baseline's time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cds_index
from cds_index.io.batch import score_many
from cds_index.read.inputs import UnitInputs, parse_values
from synthetic import YEAR, synthetic_rows

# --- the baseline: plain Python, exact Decimal ------------------------------------------------

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)
CTX = Context(prec=60)
PLACES = Decimal("1e-20")
CENT = Decimal("0.01")


def div(a: Decimal, b: Decimal) -> Decimal:
    q = CTX.divide(a, b)
    if q.as_tuple().exponent < -20:  # type: ignore[operator]
        q = q.quantize(PLACES, rounding=ROUND_HALF_UP)
    return q


FOUR = Decimal("0.0001")


_FMT: dict[Decimal, str] = {}
_PCT: dict[Decimal, str] = {}


def fmt(d: Decimal) -> str:
    """Vietnamese decimal comma; at most 4 decimals in an explanation, marked ≈ when rounded.

    Cached per value, bounded, as the engine's ``numbers.show`` is (issue #11: a fair comparison)."""
    try:
        return _FMT[d]
    except KeyError:
        text = _FMT[d] = _fmt(d)
        if len(_FMT) > 4096:
            _FMT.clear()
        return text


def _fmt(d: Decimal) -> str:
    if d == d.to_integral_value():
        return str(d.quantize(ONE)).replace("-0", "0")
    approx = ""
    rounded = d.quantize(FOUR, rounding=ROUND_HALF_UP)
    if rounded != d:
        d, approx = rounded, "≈"
    return approx + format(d.normalize(), "f").replace(".", ",")


def pct(share: Decimal) -> str:
    try:
        return _PCT[share]
    except KeyError:
        text = _PCT[share] = fmt((share * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)) + "%"
        if len(_PCT) > 4096:
            _PCT.clear()
        return text


def award(share: Decimal, maximum: Decimal) -> tuple[Decimal, str]:
    points = maximum * share
    return points, f"{pct(share)} × {fmt(maximum)} = {fmt(points)} điểm"


def proportional(part: Decimal, whole: Decimal, maximum: Decimal) -> tuple[Decimal, str]:
    """maximum × min(1, part / whole), one division after the multiplication."""
    if part >= whole:
        return award(ONE, maximum)
    if part <= 0:
        return award(ZERO, maximum)
    points = div(maximum * part, whole)
    return points, f"{pct(div(part, whole))} × {fmt(maximum)} = {fmt(points)} điểm"


def compile_baseline(definition: cds_index.Definition) -> list[Any]:
    """The tree as nested tuples: (id, children) for groups, (id, kind, max, params, gate) for criteria."""
    labels = {name: spec.label for name, spec in definition.inputs.items()}

    def node(n: Any) -> Any:
        if n.children:
            return (n.id, [node(c) for c in n.children])
        r = n.rule
        kind = r.kind
        if kind == "yes_no":
            params: Any = (r.input, labels[r.input])
        elif kind == "ratio":
            factor = Decimal("0.01") if definition.inputs[r.input].unit == "percent" and not r.per else ONE
            params = (r.input, r.per, r.target, labels[r.input], labels.get(r.per or ""), factor)
        elif kind == "count":
            params = (r.input, r.target, labels[r.input])
        elif kind == "steps":
            params = (
                r.input,
                r.per,
                [
                    (s.min, s.max, s.min_inclusive, s.max_inclusive, s.percent, s.points, s.label)
                    for s in r.steps
                ],
                labels[r.input],
            )
        elif kind == "role":
            params = (r.input, {k: v / HUNDRED for k, v in r.percent.items()}, labels[r.input])
        elif kind == "checklist":
            params = [(i.input, i.points, i.label or labels[i.input], i.requires) for i in r.items]
        elif kind == "per_item":
            params = (r.input, r.points_each, r.cap if r.cap is not None else n.points, labels[r.input])
        elif kind == "incidents":
            params = (r.input, r.handled, labels[r.input])
        else:
            raise SystemExit(f"the baseline does not score {kind} rules")
        period = None
        if r.enforce_deadline and n.deadline:  # (first day, last day) of the criterion's period
            day, month = (int(x) for x in n.deadline.split("."))
            start = (1, 1)
            if r.period_from:
                start = tuple(int(x) for x in r.period_from.split("."))  # type: ignore[assignment]
            period = (dt.date(YEAR, start[1], start[0]), dt.date(YEAR, month, day), r.dated_by)
        return (n.id, kind, n.points, params, r.applicable_if, period)

    return [node(p) for p in definition.tree]


ROLE_WORDS = {"head": "người đứng đầu", "deputy": "cấp phó", "none": "không có"}


def criterion(kind: str, m: Decimal, p: Any, v: dict[str, Any]) -> tuple[Decimal, str]:
    if kind == "yes_no":
        name, label = p
        if v[name]:
            pts, text = award(ONE, m)
            return pts, f"{label}: có → {text}"
        return ZERO, f"{label}: không → 0 điểm"
    if kind == "ratio":
        name, per, target, label, per_label, factor = p
        if per:
            top, bottom = v[name], v[per]
            if bottom == 0:
                raise ZeroDivisionError(per)
            what = f"{label} / {per_label} = {fmt(top)}/{fmt(bottom)} = {pct(div(top, bottom))}"
        else:
            top, bottom = v[name] * factor, ONE
            what = f"{label} = {pct(top)}"
        if target != ONE:
            what += f" (mục tiêu {pct(target)})"
        pts, text = proportional(top, bottom * target, m)
        return pts, f"{what} → {text}"
    if kind == "count":
        name, target, label = p
        pts, text = proportional(v[name], target, m)
        return pts, f"{label} = {fmt(v[name])} (mục tiêu {fmt(target)}) → {text}"
    if kind == "steps":
        name, per, steps, label = p
        if per and v[per] == 0:
            raise ZeroDivisionError(per)
        value, bottom = v[name], (v[per] if per else ONE)
        for low, high, low_in, high_in, percent, points, band in steps:
            # compared exactly: value against bound × denominator
            if low is not None and (value < low * bottom or (value == low * bottom and not low_in)):
                continue
            if high is not None and (value > high * bottom or (value == high * bottom and not high_in)):
                continue
            if points is not None:
                return points, f"{label} = {fmt(value)} → mức “{band}” → {fmt(points)} điểm"
            pts, text = award(percent / HUNDRED, m)
            return pts, f"{label} = {fmt(value)} → mức “{band}” → {text}"
        raise ValueError("no step")
    if kind == "role":
        name, shares, label = p
        pts, text = award(shares.get(v[name], ZERO), m)
        return pts, f"{label}: {ROLE_WORDS[v[name]]} → {text}"
    if kind == "checklist":
        total, parts = ZERO, []
        for name, points, label, requires in p:
            if v[name] and requires is not None and not v[requires]:
                parts.append(f"{label}: có, nhưng cần điều kiện (+0)")
            elif v[name]:
                total += points
                parts.append(f"{label}: có (+{fmt(points)})")
            else:
                parts.append(f"{label}: không (+0)")
        return total, f"{'; '.join(parts)} → {fmt(total)} điểm"
    if kind == "per_item":
        name, each, cap, label = p
        raw = v[name] * each
        pts = min(raw, cap)
        return (
            pts,
            f"{label} = {fmt(v[name])} × {fmt(each)} = {fmt(raw)} (tối đa {fmt(cap)}) → {fmt(pts)} điểm",
        )
    if kind == "incidents":
        name, handled, label = p
        count = v[name]
        if count == 0:
            pts, text = award(ONE, m)
            return pts, f"{label} = 0 (không có sự cố) → {text}"
        done = v[handled] if handled else ZERO
        pts, text = award(ONE if handled and done >= count else ZERO, m)
        return pts, f"{label} = {fmt(count)}, đã xử lý {fmt(done)} → {text}"
    raise AssertionError(kind)


def criterion_points(kind: str, m: Decimal, p: Any, v: dict[str, Any]) -> Decimal:
    """The points of one criterion, no text: what a points-only scorer computes (issue #11)."""
    if kind == "yes_no":
        return m if v[p[0]] else ZERO
    if kind == "ratio":
        name, per, target = p[0], p[1], p[2]
        if per:
            top, bottom = v[name], v[per]
            if bottom == 0:
                raise ZeroDivisionError(per)
        else:
            top, bottom = v[name] * p[5], ONE
        whole = bottom * target
        return m if top >= whole else ZERO if top <= 0 else div(m * top, whole)
    if kind == "count":
        value, target = v[p[0]], p[1]
        return m if value >= target else ZERO if value <= 0 else div(m * value, target)
    if kind == "steps":
        name, per, steps = p[0], p[1], p[2]
        if per and v[per] == 0:
            raise ZeroDivisionError(per)
        value, bottom = v[name], (v[per] if per else ONE)
        for low, high, low_in, high_in, percent, points, _ in steps:
            if low is not None and (value < low * bottom or (value == low * bottom and not low_in)):
                continue
            if high is not None and (value > high * bottom or (value == high * bottom and not high_in)):
                continue
            return points if points is not None else m * (percent / HUNDRED)
        raise ValueError("no step")
    if kind == "role":
        return m * p[1].get(v[p[0]], ZERO)
    if kind == "checklist":
        total = ZERO
        for name, points, _, requires in p:
            if v[name] and (requires is None or v[requires]):
                total += points
        return total
    if kind == "per_item":
        return min(v[p[0]] * p[1], p[2])
    if kind == "incidents":
        name, handled = p[0], p[1]
        count = v[name]
        if count == 0:
            return m
        return m if handled and v[handled] >= count else ZERO
    raise AssertionError(kind)


def score_points(tree: list[Any], v: dict[str, Any]) -> dict[str, tuple[Decimal, Decimal]]:
    """id → (points, applicable max) for every criterion and group, and the total: no text at all."""
    out: dict[str, tuple[Decimal, Decimal]] = {}

    def walk(n: Any) -> tuple[Decimal, Decimal]:
        if len(n) == 2:
            node_id, children = n
            pts = mx = ZERO
            for child in children:
                a, b = walk(child)
                pts += a
                mx += b
            out[node_id] = (pts, mx)
            return pts, mx
        node_id, kind, m, p, gate, period = n
        if gate is not None and v.get(gate) is False:
            out[node_id] = (ZERO, ZERO)
            return ZERO, ZERO
        if period is not None and not period[0] <= v[period[2]] <= period[1]:  # late: no credit
            out[node_id] = (ZERO, m)
            return ZERO, m
        try:
            pts = criterion_points(kind, m, p, v)
        except ZeroDivisionError:
            pts = ZERO
        out[node_id] = (pts, m)
        return pts, m

    total = mx = ZERO
    for pillar in tree:
        a, b = walk(pillar)
        total += a
        mx += b
    out["total"] = (total, mx)
    return out


def score_baseline(tree: list[Any], v: dict[str, Any]) -> dict[str, tuple[Decimal, Decimal, str]]:
    """id → (points, applicable max, explanation) for every criterion and group, and the total."""
    out: dict[str, tuple[Decimal, Decimal, str]] = {}

    def walk(n: Any) -> tuple[Decimal, Decimal]:
        if len(n) == 2:
            node_id, children = n
            pts = mx = ZERO
            terms = []
            for child in children:
                a, b = walk(child)
                pts += a
                mx += b
                terms.append(fmt(a))
            out[node_id] = (pts, mx, f"Tổng: {' + '.join(terms)} = {fmt(pts)}/{fmt(mx)} điểm")
            return pts, mx
        node_id, kind, m, p, gate, period = n
        if gate is not None and v.get(gate) is False:
            out[node_id] = (ZERO, ZERO, "không áp dụng, không đánh giá tiêu chí này")
            return ZERO, ZERO
        if period is not None and not period[0] <= v[period[2]] <= period[1]:
            out[node_id] = (ZERO, m, f"{v[period[2]]:%d/%m/%Y}: quá hạn {period[1]:%d.%m/%Y} → 0 điểm")
            return ZERO, m
        try:
            pts, text = criterion(kind, m, p, v)
        except ZeroDivisionError:  # a zero denominator: the ratio is undefined, 0 points (engine: invalid)
            pts, text = ZERO, "mẫu số bằng 0, không tính được tỷ lệ"
        out[node_id] = (pts, m, text)
        return pts, m

    total = mx = ZERO
    for pillar in tree:
        a, b = walk(pillar)
        total += a
        mx += b
    out["total"] = (total, mx, "")
    return out


# --- the run ----------------------------------------------------------------------------------


def best_of(repeat: int, run: Any) -> tuple[float, Any]:
    """The best CPU time (``time.process_time``) of ``repeat`` runs: CPU time, not wall time, because
    the benchmark shares its machine; both sides are measured alike, alternately."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.process_time()
        result = run()
        best = min(best, time.process_time() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--definition", default="hue-2263-commune")
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of each side")
    parser.add_argument("--seed", type=int, default=2263)
    args = parser.parse_args()

    definition = cds_index.load(args.definition)
    rows = synthetic_rows(definition, args.units, args.seed)
    units = []
    for i, raw in enumerate(rows):
        values, problems = parse_values(raw, definition.inputs)
        assert not problems, problems
        units.append(UnitInputs(f"xa-{i:05d}", None, YEAR, values, [], None, definition.inputs))
    plain_values = [{name: value.value for name, value in unit.values.items()} for unit in units]
    tree = compile_baseline(definition)
    cds_index.score(definition, units[0])  # compile the rules once, as a long-running app would

    def run_points() -> None:  # score_many streams rows; nothing reads an explanation
        for row in score_many(definition, units):
            assert row.result is not None

    def run_explained() -> None:  # every explanation of every node written, as a report would
        for row in score_many(definition, units):
            for node in row.result.walk():  # type: ignore[union-attr]
                assert node.explanation

    def run_base_points() -> None:
        for values in plain_values:
            score_points(tree, values)

    def run_baseline() -> None:
        for values in plain_values:
            score_baseline(tree, values)

    sides = {"engine, points": run_points, "baseline, points": run_base_points}
    sides |= {"engine, explained": run_explained, "baseline, explained": run_baseline}
    times = dict.fromkeys(sides, float("inf"))
    for _ in range(args.repeat):  # alternate, so that a busy spell of the machine hits every side
        for name, run in sides.items():
            times[name] = min(times[name], best_of(1, run)[0])

    # untimed: the engine and both baselines agree on every criterion and group of every unit, exactly
    checked = 0
    for row, values in zip(score_many(definition, units), plain_values, strict=True):
        result = row.result
        assert result is not None, row.problems
        points, explained = score_points(tree, values), score_baseline(tree, values)
        assert (result.points, result.max) == points["total"] == explained["total"][:2], result.unit_id
        for node in result.walk():
            expected = points[node.id]
            # Decimal equality is exact: every digit of 20 places (never a float, never rounded)
            assert (node.points, node.max) == expected == explained[node.id][:2], (result.unit_id, node.id)
            assert node.explanation, (result.unit_id, node.id)
            checked += 1
    criteria = len(definition.criteria())
    fast = times["engine, points"] / times["baseline, points"]
    full = times["engine, explained"] / times["baseline, explained"]
    print(
        f"definition: {definition.id} ({criteria} criteria), {args.units:,} synthetic units, "
        f"best of {args.repeat}, Python {sys.version.split()[0]}"
    )
    for name, seconds in times.items():
        print(f"{name:<20} {seconds:7.3f} s CPU  {args.units / seconds:10,.0f} units/s")
    print(
        f"points only:      engine/baseline {fast:5.2f}  (target ≤ 2.00: {'met' if fast <= 2 else 'NOT met'})"
    )
    met = "met" if full <= 1.3 else "NOT met"
    print(f"with explanation: engine/baseline {full:5.2f}  (target ≤ 1.30: {met})")
    print(f"agreement: {checked:,} nodes of {args.units:,} units, points exactly, digit for digit")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
