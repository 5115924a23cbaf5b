"""Reading the inputs of assessed units from files, against a definition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import Location, Problem
from .inputs import UnitInputs, parse_values, read_inputs_file
from .model import Definition


def read_unit(
    definition: Definition, path: str | Path, *, year: int | None = None
) -> tuple[UnitInputs | None, list[Problem]]:
    """Read one inputs file (`kind: inputs`) and parse its values against ``definition``.

    Returns ``(None, problems)`` when the file itself cannot be read; otherwise the unit, whose
    ``problems`` name every refused value by file, line and column (the unit is still scored:
    criteria that need a refused value are marked ``invalid``).
    """
    model, doc, problems = _read_for(definition, path)
    if model is None:
        return None, problems
    if model.years is not None:
        chosen = year if year is not None else model.year
        if chosen is None:
            chosen = max(model.years)
        raw = model.years.get(chosen, {})
        base: tuple[Any, ...] = ("years", chosen)
    else:
        chosen = year if year is not None else model.year
        raw = model.values or {}
        base = ("values",)

    def locate(name: str) -> Location:
        loc = doc.location((*base, name))
        return Location(loc.file, loc.line, loc.column, (*base, name))

    values, found = parse_values(raw, definition.inputs, locate=locate)
    unit = UnitInputs(model.unit.id, model.unit.name, chosen, values, found, str(path))
    return unit, []


def read_unit_years(definition: Definition, path: str | Path) -> tuple[dict[int, UnitInputs], list[Problem]]:
    """Every year of a multi-year inputs file (`years:`), parsed."""
    model, doc, problems = _read_for(definition, path)
    if model is None:
        return {}, problems
    years = model.years or ({model.year or 0: model.values or {}})
    result: dict[int, UnitInputs] = {}
    for year, raw in years.items():

        def locate(name: str, year: int = year) -> Location:
            base = ("years", year, name) if model.years else ("values", name)
            loc = doc.location(base)
            return Location(loc.file, loc.line, loc.column, base)

        values, found = parse_values(raw, definition.inputs, locate=locate)
        result[year] = UnitInputs(model.unit.id, model.unit.name, year, values, found, str(path))
    return result, []


def _read_for(definition: Definition, path: str | Path) -> tuple[Any, Any, list[Problem]]:
    """Read an inputs file and make sure it is for ``definition`` (by id, or a path to a file)."""
    model, doc, problems = read_inputs_file(path)
    if model is None:
        return None, doc, problems
    ref = str(model.definition)
    if ref not in {definition.id, definition._origin} and not ref.endswith((".yaml", ".yml")):
        return (
            None,
            doc,
            [
                Problem(
                    "input-definition",
                    f"this inputs file is for {ref!r}, not {definition.id!r}",
                    doc.location(("definition",)),
                )
            ],
        )
    return model, doc, problems
