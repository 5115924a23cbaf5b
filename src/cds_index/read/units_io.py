"""Reading the inputs of assessed units from files, against a definition."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import Location, Problem
from ..formats.model import Definition
from ..i18n import Message, T
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
    where = Location(loc.file, loc.line, loc.column, ("years",))
    return _lacks(path, year, years, T("add {year} to its `years:`", year=str(year)), where)


def _lacks(path: str | Path, year: int, years: list[int], what: Message, where: Location) -> Problem:
    """The ``input-year`` refusal of a file of several years without the year asked (never an empty
    unit scored 0, #11): its years, and what to add (to `years:`, a column of the form)."""
    return Problem(
        "input-year",
        T(
            "{file} has the values of {years}, not of {year}: score one of its years (--year {last}), "
            "or {what}",
            file=str(path),
            years=", ".join(map(str, years)),
            year=str(year),
            last=str(years[-1]),
            what=what,
        ),
        where,
    )


def read_unit_years(
    definition: Definition,
    path: str | Path,
    *,
    year: int | None = None,
    number_format: NumberFormat | None = None,
    doc: Document | None = None,
) -> tuple[dict[int, UnitInputs], list[Problem]]:
    """Every year of a multi-year inputs file (`years:`), parsed (a one-year file gives one entry).

    ``year``, the year asked (``--year``): a one-year file without a `year:` holds the values of
    that year, as :func:`read_unit` reads it; a file of another year, or a `years:` file without
    it, is refused (``input-year``, at its `year:` or `years:` line), never read as a year with
    nothing reported: each year has its own targets (#11). Without ``year`` a one-year file
    without a `year:` is keyed ``0`` (its year is unknown). ``number_format`` (``vi``/``en``)
    decides a number written as text with two readings (default: the definition's). ``doc`` is the
    file already read, so it is not read twice. A workbook (``.xlsx``) is read as the yearly-targets
    form (:func:`cds_index.io.excel.read_workbook_years`).
    """
    if doc is None and Path(path).suffix.lower() in {".xlsx", ".xlsm"}:
        from ..io.excel import read_workbook_years

        years, problems = read_workbook_years(definition, path, number_format=number_format)
        if year is not None and years and year not in years:
            return {}, [*problems, _no_form_year(path, year, sorted(years))]
        return years, problems
    model, doc, problems = _read_for(definition, path, doc)
    if model is None:
        return {}, problems
    if model.years is None:
        stated = model.year
        if year is not None and stated is not None and stated != year:
            return {}, [_other_year(doc, path, stated, year)]
        chosen = stated if stated is not None else year
        return {
            chosen or 0: _parse(
                definition, path, model, doc, chosen, ("values",), model.values or {}, number_format
            )
        }, []
    if year is not None and year not in model.years:
        return {}, [_no_year(doc, path, year, sorted(model.years))]
    return {
        y: _parse(definition, path, model, doc, y, ("years", y), raw, number_format)
        for y, raw in model.years.items()
    }, []


def no_year(unit_id: str, path: str | Path) -> Problem:
    """A one-year file that states no year, read without a year asked: which year's targets its
    values are to be checked against is not known, so it is refused, never checked against none."""
    return Problem(
        "usage",
        T(
            "unit {unit} gives no year: add `year: 2024` to the file, or pass --year 2024",
            unit=repr(unit_id),
        ),
        Location(str(path)),
    )


def _other_year(doc: Document, path: str | Path, stated: int, year: int) -> Problem:
    """A one-year file of ``stated`` asked for ``year``, where each year has its own targets: refused
    (the points path restates it instead, :func:`~cds_index.read.inputs.restated`)."""
    loc = doc.location(("year",), key=True)
    return other_year(str(path), stated, year, Location(loc.file, loc.line, loc.column, ("year",)))


def other_year(file: str | None, stated: int, year: int, where: Location) -> Problem:
    """The ``input-year`` error of values of ``stated`` checked against the targets of ``year``."""
    return Problem(
        "input-year",
        T(
            "{file} has the values of {stated}, not of {year}: each year has its own targets, so they "
            "are not scored as {year}: score them as {stated} (--year {stated}), or write the values "
            "of {year} in a file of that year (`year: {year}`)",
            file=file or T("the unit"),
            stated=str(stated),
            year=str(year),
        ),
        where,
    )


def _no_form_year(path: str | Path, year: int, years: list[int]) -> Problem:
    """A yearly-targets form without the column of the year asked: refused, as :func:`_no_year`."""
    column = T("add a {column} column to the form", column=repr(f"Năm {year}"))
    return _lacks(path, year, years, column, Location(str(path)))


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
