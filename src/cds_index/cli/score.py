"""`cds-index score`: one unit's explained table or JSON, or a batch (one row per unit); yearly targets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import CdsIndexError
from ..i18n import T, render
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    csv_flags,
    echo,
    echo_json,
    folder_flag,
    open_output,
    output_file,
    progress,
    score_units,
    units_parser,
)


def add_parser(subparsers: Subparsers) -> None:
    p = units_parser(
        subparsers,
        "score",
        render(T("score units from inputs files, folders, CSV files or workbooks")),
        ["table", "json", "csv", "xlsx"],
    )
    p.add_argument(
        "-o", "--output", default=None, help=render(T("write to this file (a batch: one row per unit)"))
    )
    p.add_argument(
        "--depth", type=int, default=None, help=render(T("show only this many levels of the tree"))
    )
    p.add_argument("--brief", action="store_true", help=render(T("no explanations")))
    p.add_argument("--rounded", action="store_true", help=render(T("JSON points rounded for display")))
    csv_flags(p)
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..read.registry import load
    from ..read.units_io import read_unit
    from ..render.documents import result_json
    from ..render.report import result_table

    definition = load(args.definition)
    if definition.scoring == "points" and _is_batch(args):
        return _score_batch(definition, args)
    status = EXIT_OK
    outputs = []
    peers = _peers(definition, args)
    for path in args.inputs:
        if definition.scoring == "targets":
            refused, payload = _score_targets(definition, path, args)
            if refused:
                status = EXIT_INVALID
            if payload is not None:
                outputs.append(payload)
            continue
        unit, problems = read_unit(definition, path, year=args.year, number_format=args.number_format)
        if unit is None:
            for p in problems:
                echo(p.format(), sys.stderr)
            status = EXIT_INVALID
            continue
        from ..engine.evaluate import score

        result = score(definition, unit, lang=args.lang, peers=peers)
        if not result.ok:
            status = EXIT_INVALID
        if args.format == "json":
            outputs.append(result_json(result, rounded=args.rounded))
        else:
            echo(result_table(result, lang=args.lang, depth=args.depth, explain=not args.brief))
    if args.format == "json":
        echo_json(outputs[0] if len(outputs) == 1 else outputs)
    return status


def _peers(definition: Any, args: argparse.Namespace) -> Any:
    """The standings of the inputs files given together, for rank criteria (#13); ``None`` for one
    file (its rank criteria are then pending: one unit alone has no place) or no rank criterion."""
    from ..engine.evaluate import compiled

    if definition.scoring != "points" or len(args.inputs) < 2 or not compiled(definition).ranked:
        return None
    from ..engine.evaluate import standings
    from ..read.units_io import read_unit

    read = (
        read_unit(definition, p, year=args.year, number_format=args.number_format)[0] for p in args.inputs
    )
    return standings(definition, read)


def _is_batch(args: argparse.Namespace) -> bool:
    """Folders, CSV files, workbooks, CSV/Excel output or -o: a batch (one summary row per unit)."""
    from ..io.batch import CSV_SUFFIXES, EXCEL_SUFFIXES

    tables = CSV_SUFFIXES + EXCEL_SUFFIXES
    return (
        args.format in {"csv", "xlsx"}
        or getattr(args, "output", None) is not None
        or any(Path(p).is_dir() or Path(p).suffix.lower() in tables for p in args.inputs)
    )


def _score_batch(definition: Any, args: argparse.Namespace) -> int:
    """`score` over many units: one summary row per unit, streamed (table, json, csv) or a workbook."""
    from ..io.batch import Tally, write_csv, write_json
    from ..render.report import batch_header, batch_line

    if args.output:
        output_file(args.output, pipe=args.format != "xlsx")  # before scoring a thousand units
    tally = Tally()
    rows = progress(score_units(definition, args, tally), args.lang, inputs=args.inputs)
    if args.format == "xlsx":
        from ..io.excel import write_results

        out = output_file(args.output or f"{definition.id}-results.xlsx")
        count, failed = write_results(definition, rows, out, lang=args.lang)
        echo(render(T("wrote {path}", path=str(out))))
    else:
        with open_output(args.output) as stream:
            if args.format == "csv":
                count, failed = write_csv(
                    definition,
                    rows,
                    stream,
                    headers=args.headers,
                    number_format=args.number_format,
                    exact=args.exact,
                    bom=args.bom,
                )
            elif args.format == "json":
                count, failed = write_json(rows, stream, rounded=args.rounded)
            else:
                echo(batch_header(definition, args.lang), stream)
                count = failed = 0
                for count, row in enumerate(rows, start=1):  # noqa: B007 - count is used below
                    echo(batch_line(definition, row, args.lang), stream)
                    failed += not row.ok
    if failed or args.output:  # read = scored + refused (#9); silent when all is well on stdout (#14)
        echo(tally.line(args.lang), sys.stderr)
    if count != tally.read:  # every row read is written: a bug in us otherwise
        raise CdsIndexError(
            T("{read} units read but {count} written; please report this", read=tally.read, count=count)
        )
    return EXIT_INVALID if failed else EXIT_OK


def _score_targets(
    definition: Any, path: str, args: argparse.Namespace
) -> tuple[bool, dict[str, Any] | None]:
    """A yearly-targets definition: one year with --year, else every year and what must improve next.

    Prints the table, or returns the JSON payload (the caller prints one document for all units);
    the flag says whether a value was refused.
    """
    from ..engine.targets import check_target_year, evaluate_year, evaluate_years
    from ..read.units_io import no_year, read_unit_years
    from ..render.documents import targets_json, unit_json
    from ..render.report import targets_table, years_table

    if args.year is not None:  # a year the definition has no targets for: said before reading (exit 2)
        check_target_year(definition, args.year)
    years, problems = read_unit_years(definition, path, year=args.year, number_format=args.number_format)
    if args.year is None and 0 in years:  # a one-year file that says not which year (#11)
        problems = [*problems, no_year(years[0].unit_id, path)]
        years = {}
    # the form's own problems (a stray cell) and each year's refused values, each said once; an error
    # among them is a non-zero exit, as a points unit's (`Result.ok`) (#11)
    refused = [*problems, *(p for unit in years.values() for p in unit.problems)]
    for p in refused:
        echo(p.format(), sys.stderr)
    if not years:
        return True, None
    failed = any(p.severity == "error" for p in refused)
    # the units as read: a refused value is shown as refused (`invalid`), not as not reported (#11)
    values = {year: unit for year, unit in years.items() if year}
    unit = next(iter(years.values()))
    if args.year is not None:
        result = evaluate_year(definition, args.year, values[args.year], lang=args.lang)
        if args.format == "json":
            return failed, targets_json(unit.unit_id, unit.unit_name, result, refused)
        echo(targets_table(result, unit.unit_name or unit.unit_id, lang=args.lang))
    else:
        view = evaluate_years(definition, values, lang=args.lang)
        if args.format == "json":
            return failed, {
                "unit": unit_json(unit.unit_id, unit.unit_name),
                "years": [r.to_dict() for r in view.results],
                "next_year": view.next_year,
                "gaps": [
                    {"id": g.id, "target_year": g.target_year, "explanation": g.explanation}
                    for g in view.gaps
                ],
            }
        echo(years_table(view, unit.unit_name or unit.unit_id, lang=args.lang))
    return failed, None
