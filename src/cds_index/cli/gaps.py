"""`cds-index gaps`: points lost or targets unmet, by responsible unit (through an overlay)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import Location, Problem
from ..i18n import T, render
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    echo,
    echo_json,
    folder_flag,
    progress,
    score_units,
    units_parser,
)


def add_parser(subparsers: Subparsers) -> None:
    p = units_parser(
        subparsers,
        "gaps",
        render(T("points lost or targets unmet, by responsible unit")),
        ["table", "json", "markdown"],
    )
    p.add_argument(
        "--overlay", default=None, help=render(T("a responsibility overlay (`kind: overlay`) file"))
    )
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Gaps of every unit in the inputs: files, folders, CSV files and workbooks, like `score` (#14)."""
    from ..analyse.gaps import gaps_table, points_gaps, target_gaps
    from ..read.loader import load_model
    from ..read.registry import load

    definition = load(args.definition)
    overlay = None
    if args.overlay:
        from ..formats.overlay import Overlay, check_overlay

        overlay = load_model(Overlay, args.overlay)
        check_overlay(overlay, definition)  # raises when it applies to another definition
    status = EXIT_OK
    reports = []
    if definition.scoring == "targets":
        from ..engine.targets import check_target_year, evaluate_year

        if args.year is not None:  # a year the definition has no targets for: said before reading
            check_target_year(definition, args.year)
        for unit, problems in _target_units(definition, args.inputs, args.year, args.number_format):
            for p in problems:
                echo(p.format(), sys.stderr)
            if problems:
                status = EXIT_INVALID
            if unit is None or unit.year is None:
                continue
            year_result = evaluate_year(definition, unit.year, unit, lang=args.lang)  # refused: invalid
            reports.append(
                target_gaps(year_result, definition, unit.unit_name or unit.unit_id, overlay, lang=args.lang)
            )
    else:
        # the batch reader and scorer `score` uses: every format, a unit id seen twice flagged
        scored = score_units(definition, args)
        for row in progress(scored, args.lang, inputs=args.inputs):
            for p in row.problems:  # refused values (the unit is scored without them), or why not at all
                echo(p.format(), sys.stderr)
            if not row.ok:
                status = EXIT_INVALID
            if row.result is not None:
                reports.append(points_gaps(row.result, definition, overlay, lang=args.lang))
    if args.format == "json":
        from ..render.documents import gaps_json

        echo_json(gaps_json(reports))
    else:
        for r in reports:
            echo(gaps_table(r, lang=args.lang, markdown=args.format == "markdown"))
    return status


def _target_units(
    definition: Any, paths: Sequence[str], year: int | None, number_format: Any = None
) -> Iterator[tuple[Any, list[Problem]]]:
    """``(unit of one year, problems)`` per unit for a yearly-targets definition.

    The year is ``year`` or the unit's latest. Inputs files hold several years (`years:`), so they
    are read whole (a year they lack is a problem, not a unit with nothing reported); tables are read
    by the batch reader like every other command's, each row one unit and year.
    """
    from dataclasses import replace

    from ..io.batch import INPUTS_SUFFIXES, UnitFailure, expand, read_units
    from ..read.inputs import UnitInputs
    from ..read.units_io import no_year, read_unit_years

    for path in expand(paths):
        by_unit: dict[str, dict[int, UnitInputs]] = {}
        suffix = path.suffix.lower()
        # an inputs file holds one unit's years (`years:`); a table, or the yearly Excel form, is read
        # by the batch reader as one unit per row (or per form column) and year
        if suffix in INPUTS_SUFFIXES:
            years, problems = read_unit_years(definition, path, year=year, number_format=number_format)
            if not years:
                yield None, problems
                continue
            by_unit[next(iter(years.values())).unit_id] = years
        else:
            for found in read_units(definition, [path], number_format=number_format):
                if isinstance(found, UnitFailure):
                    yield None, list(found.problems)
                    continue
                row_year = found.year if found.year is not None else year
                years_of = by_unit.setdefault(found.unit_id, {})
                if (row_year or 0) in years_of:
                    earlier = years_of[row_year or 0].source
                    why = (
                        T(
                            "unit id {unit} appears twice for {year} (also at {earlier}); "
                            "keep one row per unit and year",
                            unit=repr(found.unit_id),
                            year=str(row_year),
                            earlier=str(earlier),
                        )
                        if row_year
                        else T(
                            "unit id {unit} appears twice (also at {earlier}); "
                            "keep one row per unit and year",
                            unit=repr(found.unit_id),
                            earlier=str(earlier),
                        )
                    )
                    yield None, [Problem("invalid-value", why, Location(str(path)))]
                    continue
                years_of[row_year or 0] = found
        table = suffix not in INPUTS_SUFFIXES
        for unit_id, years in by_unit.items():
            chosen = year if year is not None else max(years)
            unit = years.get(chosen) or (years.get(0) if year is not None else None)
            if unit is None or not chosen:
                if not chosen and not table:
                    yield None, [no_year(unit_id, path)]
                    continue
                if not chosen:
                    why = T(
                        "unit {unit} gives no year: add a `Năm` column (e.g. `Năm = 2024`), "
                        "or pass --year 2024",
                        unit=repr(unit_id),
                    )
                else:  # an inputs file without the year asked is refused by read_unit_years
                    why = T(
                        "unit {unit} has no values for {year}: add a row for it with `Năm = {year}`",
                        unit=repr(unit_id),
                        year=str(chosen),
                    )
                yield None, [Problem("usage", why, Location(str(path)))]
                continue
            yield replace(unit, year=chosen), list(unit.problems)
