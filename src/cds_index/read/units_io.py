"""Reading the inputs of assessed units from files, against a definition."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import Location, Problem
from ..formats.model import Definition
from ..i18n import T
from .inputs import UnitInputs, parse_values, read_inputs_file, restated
from .literals import NumberFormat
from .loader import Document
from .registry import names_definition


def read_unit(
    definition: Definition,
    path: str | Path,
    *,
    year: int | None = None,
    number_format: NumberFormat | None = None,
) -> tuple[UnitInputs | None, list[Problem]]:
    """Read one inputs file (`kind: inputs`) and parse its values against ``definition``.

    Returns ``(None, problems)`` when the file itself cannot be read; otherwise the unit, whose
    ``problems`` name every refused value by file, line and column (the unit is still scored:
    criteria that need a refused value are marked ``invalid``). Of a multi-year file, ``year``
    (default: the file's `year`, else its last year) is read. ``number_format`` (``vi``/``en``)
    decides a number written as text with two readings (default: the definition's).
    """
    model, doc, problems = _read_for(definition, path)
    if model is None:
        return None, problems
    from ..io.template import blank_template

    blank = blank_template(model.unit.id, model.unit.name)
    if blank is not None:  # a template left among the filled files: not a unit with 0 points (#11)
        return None, [Problem("missing-key", blank, doc.location(("unit", "id")))]
    if model.years is not None:
        chosen = year if year is not None else model.year
        if chosen is None:
            chosen = max(model.years)
        if chosen not in model.years:  # not an empty unit scored 0 without a word (#11)
            return None, [_no_year(doc, path, chosen, sorted(model.years))]
        return _parse(
            definition,
            path,
            model,
            doc,
            chosen,
            ("years", chosen),
            model.years.get(chosen, {}),
            number_format,
        ), []
    stated = model.year if model.year is not None else year
    unit = _parse(definition, path, model, doc, stated, ("values",), model.values or {}, number_format)
    return (unit if year is None else restated(unit, year)), []


def _no_year(doc: Document, path: str | Path, year: int, years: list[int]) -> Problem:
    loc = doc.location(("years",), key=True)
    return Problem(
        "input-year",
        T(
            "{file} has the values of {years}, not of {year}: score one of its years (--year {last}), "
            "or add {year} to its `years:`",
            file=str(path),
            years=", ".join(map(str, years)),
            year=str(year),
            last=str(years[-1]),
        ),
        Location(loc.file, loc.line, loc.column, ("years",)),
    )


def read_unit_years(
    definition: Definition, path: str | Path, *, doc: Document | None = None
) -> tuple[dict[int, UnitInputs], list[Problem]]:
    """Every year of a multi-year inputs file (`years:`), parsed (a one-year file gives one entry).

    ``doc`` is the file already read, so it is not read twice. A workbook (``.xlsx``) is read as
    the yearly-targets form (:func:`cds_index.io.excel.read_workbook_years`).
    """
    if doc is None and Path(path).suffix.lower() in {".xlsx", ".xlsm"}:
        from ..io.excel import read_workbook_years

        return read_workbook_years(definition, path)
    model, doc, problems = _read_for(definition, path, doc)
    if model is None:
        return {}, problems
    if model.years is None:
        year = model.year or 0
        return {year: _parse(definition, path, model, doc, year, ("values",), model.values or {})}, []
    return {
        year: _parse(definition, path, model, doc, year, ("years", year), raw)
        for year, raw in model.years.items()
    }, []


def _parse(
    definition: Definition,
    path: str | Path,
    model: Any,
    doc: Document,
    year: int | None,
    base: tuple[Any, ...],
    raw: Any,
    number_format: NumberFormat | None = None,
) -> UnitInputs:
    """One year's raw values parsed; a refused value is placed at its line in the file."""

    def locate(name: str) -> Location:
        loc = doc.location((*base, name))
        return Location(loc.file, loc.line, loc.column, (*base, name))

    if doc.texts and Path(path).suffix.lower() != ".json":
        raw = as_written(raw, doc.texts, base)
    values, found = parse_values(
        raw, definition.inputs, locate=locate, number_format=number_format or definition.number_format
    )
    from ..io.seen import plain_id  # the id as a table's id cell is read: no invisible character (#11)

    unit_id = plain_id(model.unit.id)
    return UnitInputs(unit_id, model.unit.name, year, values, found, str(path), definition.inputs)


def as_written(raw: Any, texts: Mapping[tuple[Any, ...], str], base: tuple[Any, ...]) -> Any:
    """``raw`` with each plain YAML number that has two readings (``budget: 1.000``) given back as
    the text written, so that the reading layer reads it by the declared number format — a count
    of ``9.500`` people is 9500, a decimal ``1.000`` is refused as ambiguous — and never as YAML's
    float 1 without a word (#9). A JSON file's numbers are JSON's: it is not called for them."""
    if not isinstance(raw, Mapping):
        return raw
    out = dict(raw)
    for name, value in raw.items():
        if (*base, name) in texts:
            out[name] = texts[(*base, name)]
        elif isinstance(value, Mapping):
            parts = {key: texts.get((*base, name, key), part) for key, part in value.items()}
            out[name] = parts
    return out


def _read_for(
    definition: Definition, path: str | Path, doc: Document | None = None
) -> tuple[Any, Any, list[Problem]]:
    """Read an inputs file and make sure it is for ``definition`` (by id, or a path to a file)."""
    model, doc, problems = read_inputs_file(path, doc)
    if model is None:
        return None, doc, problems
    ref = str(model.definition)
    if not names_definition(ref, definition) and not ref.endswith((".yaml", ".yml")):
        return (
            None,
            doc,
            [
                Problem(
                    "input-definition",
                    T(
                        "this inputs file is for {ref}, not {id}: score it with {ref}, or write "
                        "`definition: {plain}`",
                        ref=repr(ref),
                        id=repr(definition.id),
                        plain=definition.id,
                    ),
                    doc.location(("definition",)),
                )
            ],
        )
    return model, doc, problems
