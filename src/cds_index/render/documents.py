"""The JSON documents cds_index writes — results, rankings, gaps, problems — for the CLI and the API alike.

One rendering (#11): `cds-index score|rank|gaps|check --format json` and the HTTP API build their
JSON with the functions here, and the pydantic models here describe those documents. The models are
the one source of `schemas/{results,targets,ranking,gaps,problems}.schema.json`
(`python -m cds_index.formats.schema`) and of the API's OpenAPI responses; a test validates real CLI
and API outputs against the schemas.
Points are exact decimal strings everywhere (``"12.5"``), never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import Problem
from ..numbers import plain

if TYPE_CHECKING:
    from ..engine.evaluate import Result
    from ..formats.model import Definition

# --- the documents' shapes (schemas/ and the OpenAPI responses) ------------------------------------


class ProblemOut(BaseModel):
    """A problem: what is wrong, where, and how to write it correctly."""

    code: str = Field(description="a stable code, e.g. `input-type` (see `cds-index check --format json`)")
    severity: Literal["error", "warning", "info"]
    message: str
    file: str | None
    line: int | None
    column: int | None
    path: list[str | int]
    node: list[str]
    hint: str | None


class Problems(BaseModel):
    """A list of problems: every error response of the API (400, 404, 413, 422)."""

    problems: list[ProblemOut]


class UnitOut(BaseModel):
    id: str
    name: str | None


def _absent_or_text(schema: dict[str, Any]) -> None:
    """A key that may be left out but is never null: a string in the schema, not required."""
    schema.pop("default", None)
    schema.pop("anyOf", None)
    schema["type"] = "string"


class ClampOut(BaseModel):
    of: Literal["points", "share"] = Field(description="`points` (a formula's) or `share` (a ratio's)")
    value: str = Field(description="What the rule computed, exact: `6.2` points, `1.2` (120 %)")
    limit: str = Field(description="What it used instead: the criterion's points or 0; a share of 1 or 0")


class NodeOut(BaseModel):
    id: str
    title: str
    points: str
    max: str
    stated: str | None
    percent: str | None
    status: Literal["scored", "not_reported", "not_applicable", "invalid", "pending"]
    explanation: str | None = Field(
        None,
        description="why the node has its points; absent with the API's explain=false",
        json_schema_extra=_absent_or_text,
    )
    self_points: str | None = None
    bonus: str | None = Field(
        None, description="bonus points (`kind: bonus`), outside `points`, `max` and `percent`; when not 0"
    )
    unfloored: str | None = Field(
        None,
        description="a group whose deductions exceed its points: the sum below 0 that `points` stopped "
        "at 0 from (with a `deduction-floor` warning)",
    )
    inputs: list[str] | None = Field(None, description="criteria only")
    late: bool | None = Field(None, description="criteria only")
    clamped: ClampOut | None = Field(
        None,
        description="criteria only, when the rule limited its value (a formula outside 0 … the points, "
        "a part above its whole); a `score-clamped` warning is in the result's problems too (#13)",
    )
    children: list[NodeOut]


class RoundingOut(BaseModel):
    places: int
    mode: Literal["half_up", "half_even", "down", "up"]


class IndexOut(BaseModel):
    method: str
    value: str = Field(description="the index as the decision publishes it: rounded only where declared")
    exact: str | None = Field(None, description="the index before the declared rounding (#13)")
    scale: str | None = Field(None, description="the index runs from 0 to this; null: points")
    rounding: RoundingOut | None = Field(None, description="the declared rounding, if any")
    explanation: str | None = Field(None, description="how the index was made from the pillars")


class ResultDocument(BaseModel):
    """A unit's result under a points definition: `score --format json`, `POST …/score`."""

    model_config = ConfigDict(extra="allow")
    definition: str
    unit: UnitOut
    year: int | None
    points: str
    max: str
    achievable: str
    stated_total: str | None
    percent: str | None
    bonus: str = Field(
        description="bonus points (`kind: bonus`): not in `points`, `max`, `percent` or `index`"
    )
    total_with_bonus: str = Field(description="`points` + `bonus`, a figure of its own")
    index: IndexOut
    problems: list[ProblemOut]
    children: list[NodeOut]


class TargetsDocument(BaseModel):
    """A unit's year under a yearly-targets definition: the targets met and unmet."""

    model_config = ConfigDict(extra="allow")
    unit: UnitOut
    definition: str
    year: int
    completed: bool
    has_data: bool
    groups: list[dict[str, Any]]
    criteria: list[dict[str, Any]]
    problems: list[ProblemOut]


class KeyRank(BaseModel):
    score: str
    rank: int


class Ranked(BaseModel):
    rank: int = Field(
        description="ties share a rank: 1, 2, 2, 4 (`ties: competition`) or 1, 2, 2, 3 (`dense`)"
    )
    unit: UnitOut
    score: str = Field(description="the unit's value of the measure ranked by")
    max: str = Field(description="the measure's top: 100 for `percent`, the scale for `index`")
    points: str | None = Field(None, description="the unit's total points (#13)")
    applicable_max: str | None = Field(
        None, description="the most the unit could earn, not-applicable criteria left out (#13)"
    )
    achievable: str | None = Field(None, description="what the criteria can earn when all apply")
    gap_above: str | None
    gap_to_first: str
    gap_to_max: str
    others: dict[str, KeyRank] = Field(
        description="every other ranking key (`total`, `percent`, `index`, pillar ids): its score and rank"
    )


class Unranked(BaseModel):
    unit: UnitOut
    source: str | None = Field(None, description="the file (or request item) the unit came from")
    problems: list[ProblemOut]


class RankingDocument(BaseModel):
    """A ranking: `rank --format json`, `POST …/rank`."""

    definition: str
    by: str = Field(description="the measure ranked by: `index`, `percent`, `total` or a node id")
    ties: Literal["competition", "dense"] = "competition"
    tie_break: list[str] = Field(default_factory=list, description="the measures that break a tie")
    ranking: list[Ranked]
    unranked: list[Unranked] = Field(description="units with refused values (or a repeated id), not dropped")


class LossOut(BaseModel):
    id: str
    title: str
    lost: str
    max: str
    status: str
    explanation: str
    coordinating: list[str]
    timing: str | None


class LeadGaps(BaseModel):
    lead: str
    at_stake: str
    losses: list[LossOut]


class GapsDocument(BaseModel):
    """One unit's gaps by responsible unit: `gaps --format json` (a list of these for several units)."""

    definition: str
    unit: str
    measure: str
    year: int | None
    leads: list[LeadGaps]


SCHEMAS: dict[str, Any] = {
    "results": ResultDocument,
    "targets": TargetsDocument,
    "ranking": RankingDocument,
    "gaps": GapsDocument,
    "problems": Problems,
}
"""Name → the model of that document (`schemas/<name>.schema.json`)."""


# --- the renderings ---------------------------------------------------------------------------------


def problems_json(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [p.to_dict() for p in problems]


def unit_json(unit_id: str | None, unit_name: str | None) -> dict[str, Any]:
    return {"id": unit_id, "name": unit_name}


def result_json(result: Result, *, rounded: bool = False, explain: bool = True) -> dict[str, Any]:
    """A points result (:class:`ResultDocument`); ``explain=False`` leaves out every node's
    explanation, and writes none (the API's ``?explain=false``)."""
    return result.to_dict(rounded=rounded, explain=explain)


def result_text(result: Result, *, rounded: bool = False, explain: bool = True) -> str:
    """:func:`result_json`'s document as compact JSON text, written without the dictionaries: what
    the API's ``POST …/score`` sends (#11)."""
    return result.to_json(rounded=rounded, explain=explain)


def targets_json(
    unit_id: str, unit_name: str | None, year_result: Any, problems: Iterable[Problem] = ()
) -> dict[str, Any]:
    """A yearly-targets result for one year (:class:`TargetsDocument`)."""
    body = year_result.to_dict()
    return {
        "unit": unit_json(unit_id, unit_name),
        **body,
        "problems": [*body.get("problems", []), *problems_json(problems)],
    }


def _text(value: Any) -> Any:
    return plain(value) if isinstance(value, Decimal) else value


def ranking_items(
    definition: Definition, results: Sequence[Result], by: str | None = None
) -> list[dict[str, Any]]:
    """The ranked units (:class:`Ranked`), each with every other key's score and rank."""
    from ..analyse.ranking import chosen, keys, rank

    by = chosen(definition, by)
    others = [k for k in keys(definition) if k != by]
    other_ranks = {k: {r.unit_id: r for r in rank(results, k)} for k in others}
    return [
        {
            "rank": r.rank,
            "unit": unit_json(r.unit_id, r.unit_name),
            "score": plain(r.score),
            "max": plain(r.max),
            "gap_above": None if r.gap_above is None else plain(r.gap_above),
            "gap_to_first": plain(r.gap_to_first),
            "gap_to_max": plain(r.gap_to_max),
            "points": plain(r.points),
            "applicable_max": plain(r.applicable_max),
            "achievable": plain(r.result.achievable),
            "others": {
                k: {"score": plain(other_ranks[k][r.unit_id].score), "rank": other_ranks[k][r.unit_id].rank}
                for k in others
            },
        }
        for r in rank(results, by)
    ]


def ranking_json(
    definition: Definition, results: Sequence[Result], by: str | None = None, unranked: Iterable[Any] = ()
) -> dict[str, Any]:
    """A ranking (:class:`RankingDocument`); ``unranked`` are batch rows that could not be ranked;
    ``by`` ``None``: the definition's declared measure."""
    from ..analyse.ranking import chosen

    by = chosen(definition, by)
    return {
        "definition": definition.id,
        "by": by,
        "ties": definition.ranking.ties,
        "tie_break": list(definition.ranking.tie_break),
        "ranking": ranking_items(definition, results, by),
        "unranked": [
            {
                "unit": unit_json(row.unit_id, row.unit_name),
                "source": row.source,
                "problems": problems_json(row.problems),
            }
            for row in unranked
        ],
    }


def gaps_json(reports: Sequence[Any]) -> Any:
    """Gap reports (:class:`GapsDocument`): one object for one unit, else a list."""
    return reports[0].to_dict() if len(reports) == 1 else [r.to_dict() for r in reports]


__all__ = [
    "SCHEMAS",
    "GapsDocument",
    "Problems",
    "RankingDocument",
    "ResultDocument",
    "TargetsDocument",
    "gaps_json",
    "problems_json",
    "ranking_items",
    "ranking_json",
    "result_json",
    "result_text",
    "targets_json",
]
