"""The HTTP API (FastAPI, the optional `server` extra): list, show, check and score over JSON.

Run it with ``cds-index serve`` (uvicorn) or mount :func:`create_app` in your own ASGI server.
Points travel as exact decimal strings, as in ``cds-index score --format json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import CdsIndexError, UsageError


class UnitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field("unit", min_length=1)
    name: str | None = None


class ScoreRequest(BaseModel):
    """One unit's values, as in the `values:` of an inputs file."""

    model_config = ConfigDict(extra="forbid")
    unit: UnitBody = Field(default_factory=UnitBody)
    year: int | None = None
    values: dict[str, Any] = Field(default_factory=dict)
    lang: Literal["vi", "en"] = "vi"


class RankRequest(BaseModel):
    """Several units' values, scored and ranked together."""

    model_config = ConfigDict(extra="forbid")
    units: list[ScoreRequest] = Field(min_length=1)
    by: str = Field("total", description="`total`, `index` or a pillar id")


def create_app() -> Any:
    """The ASGI app. Errors come back as JSON ``{"problems": [...]}`` with 404, 422 or 400."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    from . import __version__
    from .registry import list_definitions, load
    from .report import definition_json

    app = FastAPI(
        title="cds_index",
        version=__version__,
        description="Digital-transformation indices of Vietnamese provinces: definitions and exact, "
        "explained scores.",
    )

    @app.exception_handler(CdsIndexError)
    async def _problems(_: Any, exc: CdsIndexError) -> JSONResponse:
        status = 404 if exc.code == "definition-not-found" else 400 if isinstance(exc, UsageError) else 422
        return JSONResponse({"problems": [p.to_dict() for p in exc.problems]}, status_code=status)

    def _definition(definition_id: str, on: dt.date | None) -> Any:
        if "/" in definition_id or definition_id.endswith((".yaml", ".yml")):
            from .errors import Problem

            raise UsageError(Problem("definition-not-found", f"no bundled definition {definition_id!r}"))
        return load(definition_id, on=on)

    @app.get("/definitions")
    def definitions() -> list[dict[str, Any]]:
        return [{k: v for k, v in i.to_dict().items() if k != "path"} for i in list_definitions()]

    @app.get("/definitions/{definition_id}")
    def show(definition_id: str, on: dt.date | None = None) -> dict[str, Any]:
        return definition_json(_definition(definition_id, on))

    @app.post("/definitions/{definition_id}/score")
    def score_unit(definition_id: str, request: ScoreRequest, on: dt.date | None = None) -> dict[str, Any]:
        definition = _definition(definition_id, on)
        if definition.scoring == "targets":
            from .inputs import parse_values
            from .targets import evaluate_year

            if request.year is None:
                from .errors import Problem

                raise UsageError(Problem("usage", "a yearly-targets definition needs `year`"))
            values, problems = parse_values(request.values, definition.inputs)
            result = evaluate_year(definition, request.year, values, lang=request.lang)
            return {
                "unit": request.unit.model_dump(),
                **result.to_dict(),
                "problems": [p.to_dict() for p in problems],
            }
        from .evaluate import score

        scored = score(
            definition,
            request.values,
            year=request.year,
            unit_id=request.unit.id,
            unit_name=request.unit.name,
            lang=request.lang,
        )
        return scored.to_dict()

    @app.post("/definitions/{definition_id}/rank")
    def rank_units(definition_id: str, request: RankRequest, on: dt.date | None = None) -> dict[str, Any]:
        """Score every unit and rank them (ties share a rank); a unit with refused values is listed
        under `unranked` with its problems, never dropped."""
        from .errors import Problem
        from .evaluate import score
        from .numbers import plain
        from .ranking import keys, rank

        definition = _definition(definition_id, on)
        if definition.scoring == "targets":
            raise UsageError(
                Problem("usage", f"{definition.id} has yearly targets: there is nothing to rank")
            )
        if request.by not in keys(definition):
            raise UsageError(Problem("usage", f"rank by one of {', '.join(keys(definition))}"))
        results = [
            score(definition, u.values, year=u.year, unit_id=u.unit.id, unit_name=u.unit.name, lang=u.lang)
            for u in request.units
        ]
        good = [r for r in results if r.ok]
        return {
            "definition": definition.id,
            "by": request.by,
            "ranking": [
                {
                    "rank": x.rank,
                    "unit": {"id": x.unit_id, "name": x.unit_name},
                    "score": plain(x.score),
                    "max": plain(x.max),
                    "gap_above": None if x.gap_above is None else plain(x.gap_above),
                    "gap_to_first": plain(x.gap_to_first),
                    "gap_to_max": plain(x.gap_to_max),
                }
                for x in rank(good, request.by)
            ],
            "unranked": [
                {
                    "unit": {"id": r.unit_id, "name": r.unit_name},
                    "problems": [p.to_dict() for p in r.problems],
                }
                for r in results
                if not r.ok
            ],
        }

    return app


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:  # pragma: no cover - runs a server
    import uvicorn

    uvicorn.run(create_app(), host=host, port=port)
