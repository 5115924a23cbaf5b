"""Ranking units by one declared measure (#13): exact scores, ties as the definition declares.

A definition says what its units are ranked by (``ranking.by``: ``index``, ``percent`` of the
applicable maximum, or ``total``) and how ties go (``ranking.ties``: ``competition`` 1, 2, 2, 4 or
``dense`` 1, 2, 2, 3; ``ranking.tie_break``: measures that break a tie). Unset, the measure is the
index where it is not raw points, else the percentage of the applicable maximum: a unit whose
criteria do not all apply has a smaller maximum, and its raw total would be compared with a larger one.
:func:`rank` is the one ranking: ``rank``, ``report``, ``whatif``, the results workbook and the API
call it, so a unit has one place everywhere.

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
from ..formats.model import Definition, RankingSetting
from ..i18n import Message, T, render
from ..numbers import HUNDRED, ZERO, Lang, exactly, plain, show

MEASURES = ("index", "percent", "total")
"""The measures a definition may rank by, besides a pillar (or any node) id."""
_DEFAULT_SETTING = RankingSetting()


@dataclass(frozen=True)
class Ranked:
    """One unit's place in a ranking. Gaps are exact and never negative.

    ``score``/``max``: the unit's value of the measure ranked by and its top (100 for ``percent``).
    ``gap_above``: to the nearest better score (``None`` for the first rank; units that share a rank
    share the gap). ``gap_to_first``: behind the best unit. ``gap_to_max``: short of the measure's top.
    ``points``/``applicable_max``: the unit's total and the maximum it could earn, not-applicable
    criteria left out, shown beside every rank (#13).
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

    @property
    def points(self) -> Decimal:
        return self.result.points

    @property
    def applicable_max(self) -> Decimal:
        return self.result.max

    @property
    def reduced(self) -> bool:
        """The unit's applicable maximum is lower than what the criteria can earn (some do not apply)."""
        achievable = getattr(self.result, "achievable", None)
        return achievable is not None and self.result.max < achievable


def _index_is_points(definition: Definition) -> bool:
    return definition.index.method == "sum" and definition.index.scale is None


def measure_of(definition: Definition) -> str:
    """The measure ``definition``'s units are ranked by: the declared ``ranking.by``, else the index
    where it is not raw points, else the percentage of the applicable maximum (fair when not every
    criterion applies to every unit)."""
    declared = definition.ranking.by
    if declared is not None:
        return declared
    return "percent" if _index_is_points(definition) else "index"


def _measure_of_results(results: Sequence[Any]) -> str:
    """:func:`measure_of`, read from the results (each carries its definition's ranking setting)."""
    first = results[0] if results else None
    setting = getattr(first, "ranking", None)
    if setting is not None and setting.by is not None:
        return str(setting.by)
    points = first is None or (
        getattr(first, "index_method", "sum") == "sum" and getattr(first, "index_scale", None) is None
    )
    return "percent" if points else "index"


def keys(definition: Definition) -> list[str]:
    """What a definition's units can be ranked by: ``total``, ``percent``, ``index`` (when it is not
    the total), and each pillar; the declared measure first."""
    found = ["total", "percent"]
    if not _index_is_points(definition) or definition.ranking.by == "index":
        found.append("index")
    found += [pillar.id for pillar in definition.tree]
    chosen = measure_of(definition)
    return [chosen, *(k for k in found if k != chosen)]


def chosen(definition: Definition, by: str | None) -> str:
    """``by`` checked against ``definition`` (a usage error names the keys), or the declared measure."""
    if by is None:
        return measure_of(definition)
    if by not in keys(definition) and by not in definition.nodes():
        raise UsageError(
            Problem(
                "usage",
                T("cannot rank by {by}: use one of {keys}", by=repr(by), keys=", ".join(keys(definition))),
            )
        )
    return by


def measure(result: Result, by: str) -> tuple[Decimal, Decimal]:
    """``(score, maximum)`` of a result for a ranking key: ``total``, ``percent``, ``index`` or a node id.

    ``percent`` of a unit with nothing applicable (maximum 0) is 0 out of 100, and its
    ``applicable_max`` of 0 is shown beside it.
    """
    if by == "total":
        return result.points, result.max
    if by == "percent":
        share = result.percent
        return (ZERO if share is None else share), HUNDRED
    if by == "index":
        scale = getattr(result, "index_scale", None)
        if scale is None:
            scale = HUNDRED if result.index_method != "sum" else result.max
        return result.index, scale
    try:
        node = result.node(by)
    except KeyError:
        known = ", ".join(["total", "percent", "index", *(p.id for p in result.pillars)])
        raise UsageError(
            Problem("usage", T("cannot rank by {by}: use one of {keys}", by=repr(by), keys=known))
        ) from None
    return node.points, node.max


def _results(results: object) -> list[Result]:
    """The results to rank, all of one definition: a ranking across two definitions compares points
    out of different maxima and criteria, so it is refused, never computed (#9)."""
    if isinstance(results, str | bytes) or not isinstance(results, Iterable):
        raise UsageError(
            Problem(
                "usage",
                T(
                    "rank() takes results of {function}, got {kind}",
                    function="cds_index.score()",
                    kind=type(results).__name__,
                ),
            )
        )
    listed = list(results)
    # what rank reads of a result (a Result, or a stand-in with the same fields, as sensitivity has)
    odd = next((r for r in listed if not (hasattr(r, "unit_id") and hasattr(r, "definition"))), None)
    if odd is not None:
        raise UsageError(
            Problem(
                "usage",
                T(
                    "rank() takes results of {function}, got {kind}",
                    function="cds_index.score()",
                    kind=type(odd).__name__,
                ),
            )
        )
    definitions = sorted({r.definition for r in listed})
    if len(definitions) > 1:
        raise UsageError(
            Problem(
                "usage",
                T(
                    "these results are of {count} definitions ({ids}); rank the units of one definition at "
                    "a time",
                    count=len(definitions),
                    ids=", ".join(definitions),
                ),
            )
        )
    from ..io.seen import SeenIds

    seen = SeenIds(len(listed))  # compared as a batch compares them: capitals, spaces, accents aside
    twice = next((r.unit_id for r in listed if not seen.add(r.unit_id)), None)
    if twice is not None:  # it would take two places, and every unit below it one place lower (#11)
        raise UsageError(
            Problem(
                "usage",
                T(
                    "unit {id} is given twice; rank each unit once (a unit scored again replaces its "
                    "earlier result)",
                    id=repr(twice),
                ),
            )
        )
    refused = [r.unit_id for r in listed if not getattr(r, "ok", True)]
    if refused:  # its points leave out the criteria of its refused values: not its score (#11)
        raise UsageError(
            Problem(
                "usage",
                T(
                    "{count} of the results have refused values ({ids}): their points are not their "
                    "scores, so they are not ranked; correct the values, or rank the results that are ok "
                    "([r for r in results if r.ok]) and list the others apart",
                    count=len(refused),
                    ids=", ".join(map(repr, refused[:5])) + (", …" if len(refused) > 5 else ""),
                ),
            )
        )
    years: set[int] = {y for r in listed if (y := getattr(r, "year", None)) is not None}  # no year: any
    if len(years) > 1:  # each year's rules and deadlines: points of different years do not compare
        raise UsageError(
            Problem(
                "usage",
                T(
                    "these results are of {count} years ({years}); rank the units of one year at a time",
                    count=len(years),
                    years=", ".join(map(str, sorted(years))),
                ),
            )
        )
    return listed


@exactly
def rank(results: Iterable[Result], by: str | None = None) -> list[Ranked]:
    """Rank results by ``by`` (default: their definition's declared measure, :func:`measure_of`), best first.

    Scores are compared exactly (unrounded Decimals, except an index the decision declares rounded:
    it ranks as published). Equal scores are broken by the declared ``ranking.tie_break`` measures in
    order; units still equal share a rank, the next rank skipping (``ties: competition``, 1, 2, 2, 4) or not
    (``ties: dense``, 1, 2, 2, 3). Within a tie, units are listed by unit id.
    """
    results = _results(results)
    setting: RankingSetting = (getattr(results[0], "ranking", None) if results else None) or _DEFAULT_SETTING
    if by is None:
        by = _measure_of_results(results)
    breaks = [k for k in setting.tie_break if k != by]
    scored = [(measure(r, by), tuple(measure(r, k)[0] for k in breaks), r) for r in results]
    scored.sort(key=lambda item: (-item[0][0], tuple(-v for v in item[1]), item[2].unit_id))
    ranked: list[Ranked] = []
    best = scored[0][0][0] if scored else Decimal(0)
    previous: tuple[Decimal, tuple[Decimal, ...]] | None = None
    previous_value: Decimal | None = None
    above: Decimal | None = None  # the score of the nearest unit ranked strictly better
    current_rank = groups = 0
    for position, ((value, maximum), tie, result) in enumerate(scored, start=1):
        if previous is None or (value, tie) != previous:
            above = previous_value
            groups += 1
            current_rank = position if setting.ties == "competition" else groups
            previous, previous_value = (value, tie), value
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
    """Every ranking of :func:`keys`: ``{"percent": [...], "total": [...], "CQS": [...], ...}``."""
    return {key: rank(results, key) for key in keys(definition)}


# --- presenting -------------------------------------------------------------------------------

WORDS: dict[str, Message] = {
    "rank": T("Rank"),
    "id": T("Unit id"),
    "name": T("Unit name"),
    "score": T("Score"),
    "max": T("Max"),
    "above": T("Gap to unit above"),
    "first": T("Gap to first"),
    "to_max": T("Gap to max"),
    "total": T("Total"),
    "percent": T("% of applicable max"),
    "index": T("Index"),
    "points": T("Total"),
    "applicable_max": T("Applicable max"),
    "by": T("Ranked by"),
    "competition": T("equal units share a rank, the next skips (1, 2, 2, 4)"),
    "dense": T("equal units share a rank, the next follows (1, 2, 2, 3)"),
    "tie_break": T("ties broken by"),
}
"""The ranking's words, in the catalogue (units' names, titles and ids are theirs)."""


def _w(lang: Lang) -> dict[str, str]:
    return {key: render(word, lang) for key, word in WORDS.items()}


_MEASURE_WORDS = ("total", "percent", "index")


def key_title(definition: Definition, by: str, lang: Lang = "vi") -> str:
    w = _w(lang)
    if by in _MEASURE_WORDS:
        if by == "index" and definition.index.exact_scale is not None:
            return f"{w['index']} (0–{show(definition.index.exact_scale, lang)})"
        return w[by]
    node = definition.nodes().get(by)
    return f"{by} {node.title}" if node else by


def ties_text(definition: Definition, lang: Lang = "vi") -> str:
    """How ties are handled, as declared: ``bằng nhau cùng hạng …; bằng nhau thì xét: CQS``."""
    w = _w(lang)
    text = w[definition.ranking.ties]
    if definition.ranking.tie_break:
        text += f"; {w['tie_break']}: " + ", ".join(
            key_title(definition, k, lang) for k in definition.ranking.tie_break
        )  # the words are the catalogue's; the measures' titles are the definition's
    return text


def ranking_rows(
    definition: Definition, results: Sequence[Result], by: str | None = None
) -> tuple[list[str], list[list[Any]]]:
    """A ranking as columns and rows of exact values: the main ranking, then each other key's points and rank.

    Columns: rank, unit id, unit name, score, max, gap above, gap to first, gap to max, the unit's
    points and applicable maximum (always, #13), its rank by total (when not ranked by it), then for
    each other key (``percent``/``index``/pillars) its score and rank.
    """
    by = chosen(definition, by)
    main = rank(results, by)
    others = [k for k in keys(definition) if k not in {by, "total"}]
    other_ranks = {k: {r.unit_id: r for r in rank(results, k)} for k in others}
    by_total = {r.unit_id: r.rank for r in rank(results, "total")} if by != "total" else {}
    columns = ["rank", "unit_id", "unit_name", "score", "max", "gap_above", "gap_to_first", "gap_to_max"]
    columns += ["points", "applicable_max"] + (["total_rank"] if by != "total" else [])
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
            r.points,
            r.applicable_max,
        ]
        if by != "total":
            row.append(by_total[r.unit_id])
        for k in others:
            other = other_ranks[k][r.unit_id]
            row += [other.score, other.rank]
        rows.append(row)
    return columns, rows


def _headers(definition: Definition, columns: list[str], by: str, lang: Lang) -> list[str]:
    w = _w(lang)
    names = {
        "rank": w["rank"],
        "unit_id": w["id"],
        "unit_name": w["name"],
        "score": key_title(definition, by, lang) if by in _MEASURE_WORDS else by,
        "max": w["max"],
        "gap_above": w["above"],
        "gap_to_first": w["first"],
        "gap_to_max": w["to_max"],
        "points": w["points"],
        "applicable_max": w["applicable_max"],
    }
    out = []
    for c in columns:
        if c in names:
            out.append(names[c])
        elif c.endswith("_rank"):
            out.append(f"{w['rank']} {c[:-5] if c[:-5] not in _MEASURE_WORDS else w[c[:-5]]}")
        else:
            out.append(w[c] if c in _MEASURE_WORDS else c)
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
    by: str | None = None,
    *,
    lang: Lang = "vi",
    markdown: bool = False,
) -> str:
    """A ranking for people: a terminal table or Markdown, numbers rounded for display."""
    by = chosen(definition, by)
    columns, rows = ranking_rows(definition, results, by)
    headers = _headers(definition, columns, by, lang)
    places = definition.display.decimals
    cells = [[_cell(v, lang, places) for v in row] for row in rows]
    title = (
        f"{_w(lang)['by']}: {key_title(definition, by, lang)} ({ties_text(definition, lang)}) — "
        f"{definition.id}"
    )
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
    # a unit's name is shown whole: a name cut mid-word is neither the unit's name nor readable (#12)

    def line(values: list[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            parts.append(v.ljust(widths[i]) if i in (1, 2) else v.rjust(widths[i]))
        return "  ".join(parts).rstrip()

    out = [title, "", line(headers), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out) + "\n"
