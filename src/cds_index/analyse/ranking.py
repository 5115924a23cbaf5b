"""Ranking units by total, final index or any pillar: exact scores, shared ranks for ties (1, 2, 2, 4).

>>> import cds_index
>>> d = cds_index.load("hai-duong-707-department")
>>> results = [cds_index.score(d, {}, unit_id=u) for u in ("a", "b")]
>>> [(r.rank, r.unit_id) for r in rank(results)]
[(1, 'a'), (1, 'b')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..engine.evaluate import Result
from ..errors import Problem, UsageError
from ..formats.model import Definition
from ..numbers import HUNDRED, Lang, plain, show


@dataclass(frozen=True)
class Ranked:
    """One unit's place in a ranking. Gaps are exact and never negative.

    ``gap_above``: points to the nearest better score (``None`` for the first rank; units that
    share a rank share the gap). ``gap_to_first``: points behind the best unit.
    ``gap_to_max``: points short of the maximum the unit could earn (``max - score``).
    """

    rank: int
    unit_id: str
    unit_name: str | None
    score: Decimal
    max: Decimal
    gap_above: Decimal | None
    gap_to_first: Decimal
    gap_to_max: Decimal
    result: Result


def keys(definition: Definition) -> list[str]:
    """What a definition's units can be ranked by: ``total``, ``index`` (when declared) and each pillar."""
    found = ["total"]
    if definition.index.method != "sum":
        found.append("index")
    found += [pillar.id for pillar in definition.tree]
    return found


def measure(result: Result, by: str) -> tuple[Decimal, Decimal]:
    """``(score, maximum)`` of a result for a ranking key: ``total``, ``index`` or a node id."""
    if by == "total":
        return result.points, result.max
    if by == "index":
        maximum = HUNDRED if result.index_method == "mean_of_pillar_percentages" else result.max
        return result.index, maximum
    try:
        node = result.node(by)
    except KeyError:
        known = ", ".join(["total", "index", *(p.id for p in result.pillars)])
        raise UsageError(Problem("usage", f"cannot rank by {by!r}: use one of {known}")) from None
    return node.points, node.max


def _results(results: object) -> list[Result]:
    """The results to rank, all of one definition: a ranking across two definitions compares points
    out of different maxima and criteria, so it is refused, never computed (#9)."""
    if isinstance(results, str | bytes) or not isinstance(results, Iterable):
        raise UsageError(
            Problem("usage", f"rank() takes results of cds_index.score(), got {type(results).__name__}")
        )
    listed = list(results)
    # what rank reads of a result (a Result, or a stand-in with the same fields, as sensitivity has)
    odd = next((r for r in listed if not (hasattr(r, "unit_id") and hasattr(r, "definition"))), None)
    if odd is not None:
        raise UsageError(
            Problem("usage", f"rank() takes results of cds_index.score(), got a {type(odd).__name__}")
        )
    definitions = sorted({r.definition for r in listed})
    if len(definitions) > 1:
        raise UsageError(
            Problem(
                "usage",
                f"these results are of {len(definitions)} definitions ({', '.join(definitions)}); "
                "rank the units of one definition at a time",
            )
        )
    return listed


def rank(results: Iterable[Result], by: str = "total") -> list[Ranked]:
    """Rank results by ``by`` (``total``, ``index`` or a pillar/node id), best first.

    Scores are compared exactly (unrounded Decimals): units with equal scores share a rank and the
    next rank skips (1, 2, 2, 4). Within a tie, units are listed by unit id.
    """
    results = _results(results)
    scored = [(measure(r, by), r) for r in results]
    scored.sort(key=lambda item: (-item[0][0], item[1].unit_id))
    ranked: list[Ranked] = []
    best = scored[0][0][0] if scored else Decimal(0)
    previous: Decimal | None = None
    above: Decimal | None = None  # the nearest strictly better score
    current_rank = 0
    for position, ((value, maximum), result) in enumerate(scored, start=1):
        if previous is None or value != previous:
            above = previous
            current_rank = position
            previous = value
        ranked.append(
            Ranked(
                current_rank,
                result.unit_id,
                result.unit_name,
                value,
                maximum,
                None if above is None else above - value,
                best - value,
                maximum - value,
                result,
            )
        )
    return ranked


def rank_all(results: Sequence[Result], definition: Definition) -> dict[str, list[Ranked]]:
    """Every ranking of :func:`keys`: ``{"total": [...], "index": [...], "CQS": [...], ...}``."""
    return {key: rank(results, key) for key in keys(definition)}


# --- presenting -------------------------------------------------------------------------------

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "rank": "Hạng",
        "id": "Mã đơn vị",
        "name": "Tên đơn vị",
        "score": "Điểm",
        "max": "Tối đa",
        "above": "Cách đơn vị trên",
        "first": "Cách đơn vị đứng đầu",
        "to_max": "Cách điểm tối đa",
        "total": "Tổng điểm",
        "index": "Chỉ số (%)",
        "by": "Xếp hạng theo",
    },
    "en": {
        "rank": "Rank",
        "id": "Unit id",
        "name": "Unit name",
        "score": "Score",
        "max": "Max",
        "above": "Gap to unit above",
        "first": "Gap to first",
        "to_max": "Gap to max",
        "total": "Total",
        "index": "Index (%)",
        "by": "Ranked by",
    },
}


def key_title(definition: Definition, by: str, lang: Lang = "vi") -> str:
    w = WORDS[lang]
    if by in {"total", "index"}:
        return w[by]
    node = definition.nodes().get(by)
    return f"{by} {node.title}" if node else by


def ranking_rows(
    definition: Definition, results: Sequence[Result], by: str = "total"
) -> tuple[list[str], list[list[Any]]]:
    """A ranking as columns and rows of exact values: the main ranking, then each other key's points and rank.

    Columns: rank, unit id, unit name, score, max, gap above, gap to first, gap to max, then for
    each other key (``total``/``index``/pillars) its score and rank.
    """
    main = rank(results, by)
    others = [k for k in keys(definition) if k != by]
    other_ranks = {k: {r.unit_id: r for r in rank(results, k)} for k in others}
    columns = ["rank", "unit_id", "unit_name", "score", "max", "gap_above", "gap_to_first", "gap_to_max"]
    for k in others:
        columns += [k, f"{k}_rank"]
    rows = []
    for r in main:
        row: list[Any] = [
            r.rank,
            r.unit_id,
            r.unit_name or "",
            r.score,
            r.max,
            r.gap_above,
            r.gap_to_first,
            r.gap_to_max,
        ]
        for k in others:
            other = other_ranks[k][r.unit_id]
            row += [other.score, other.rank]
        rows.append(row)
    return columns, rows


def _headers(definition: Definition, columns: list[str], by: str, lang: Lang) -> list[str]:
    w = WORDS[lang]
    names = {
        "rank": w["rank"],
        "unit_id": w["id"],
        "unit_name": w["name"],
        "score": key_title(definition, by, lang) if by in {"total", "index"} else by,
        "max": w["max"],
        "gap_above": w["above"],
        "gap_to_first": w["first"],
        "gap_to_max": w["to_max"],
    }
    out = []
    for c in columns:
        if c in names:
            out.append(names[c])
        elif c.endswith("_rank"):
            out.append(f"{w['rank']} {c[:-5] if c[:-5] not in {'total', 'index'} else w[c[:-5]]}")
        else:
            out.append(w[c] if c in {"total", "index"} else c)
    return out


def _cell(value: Any, lang: Lang, places: int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return show(value, lang, places) if places is not None else plain(value)
    return str(value)


def ranking_table(
    definition: Definition,
    results: Sequence[Result],
    by: str = "total",
    *,
    lang: Lang = "vi",
    markdown: bool = False,
) -> str:
    """A ranking for people: a terminal table or Markdown, numbers rounded for display."""
    columns, rows = ranking_rows(definition, results, by)
    headers = _headers(definition, columns, by, lang)
    places = definition.display.decimals
    cells = [[_cell(v, lang, places) for v in row] for row in rows]
    title = f"{WORDS[lang]['by']}: {key_title(definition, by, lang)} — {definition.id}"
    if markdown:
        lines = [
            f"**{title}**",
            "",
            "| " + " | ".join(headers) + " |",
            "|" + "|".join("---:" if i not in (1, 2) else "---" for i in range(len(headers))) + "|",
        ]
        for row in cells:
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
        return "\n".join(lines) + "\n"
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    widths[2] = min(widths[2], 32)

    def line(values: list[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            if i == 2 and len(v) > widths[2]:
                v = v[: widths[2] - 1] + "…"
            parts.append(v.ljust(widths[i]) if i in (1, 2) else v.rjust(widths[i]))
        return "  ".join(parts).rstrip()

    out = [title, "", line(headers), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out) + "\n"
