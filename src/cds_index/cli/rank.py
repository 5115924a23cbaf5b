"""`cds-index rank`: units ranked by the definition's declared measure, or by `--by` (#13)."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import Problem
from ..i18n import T, render
from ..io.safe import json_text
from .common import (
    EXIT_INVALID,
    EXIT_OK,
    Subparsers,
    csv_flags,
    echo,
    folder_flag,
    open_output,
    output_file,
    progress,
    say_warnings,
    score_units,
    units_parser,
    warned,
)


def add_parser(subparsers: Subparsers) -> None:
    p = units_parser(
        subparsers,
        "rank",
        render(
            T(
                "rank units by the declared measure (index, percent of the applicable maximum, total) "
                "or a pillar"
            )
        ),
        ["table", "json", "csv", "markdown"],
    )
    p.add_argument(
        "--by",
        default=None,
        help=render(
            T(
                "index, percent, total or a pillar id (default: the definition's ranking.by; unset: the "
                "index where it is not raw points, else percent of the applicable maximum)"
            )
        ),
    )
    p.add_argument("-o", "--output", default=None)
    csv_flags(p)
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..analyse.ranking import chosen, ranking_rows, ranking_table
    from ..io.batch import Tally
    from ..io.tables import describe
    from ..read.registry import load
    from ..render.documents import ranking_json

    definition = load(args.definition)
    if args.output:
        output_file(args.output, pipe=args.format != "xlsx")
    args.by = chosen(definition, args.by)  # the one measure (#13): a usage error names the keys
    results, unranked = [], []
    warnings: list[Problem] = []
    tally = Tally()
    for row in progress(
        warned(score_units(definition, args, tally), warnings), args.lang, inputs=args.inputs
    ):
        if row.ok and row.result is not None:
            results.append(row.result)
        else:
            unranked.append(row)
    with open_output(args.output) as stream:
        if args.format == "json":
            document = ranking_json(definition, results, args.by, unranked)
            stream.write(json_text(json.dumps(document, ensure_ascii=False, indent=2)) + "\n")
        elif args.format == "csv":
            from ..io.batch import column_titles, table_writer

            columns, rows = ranking_rows(definition, results, args.by)
            titles = column_titles(columns, args.headers, definition)
            write = table_writer(stream, titles, bom=args.bom, number_format=args.number_format)
            for values in rows:
                write(values, None if args.exact else definition.display.decimals)
        else:
            echo(
                ranking_table(
                    definition, results, args.by, lang=args.lang, markdown=args.format == "markdown"
                ),
                stream,
            )
    say_warnings(warnings, args.lang)
    if unranked or args.output:  # read = scored + refused (#9); silent when all is well (#14)
        echo(tally.line(args.lang), sys.stderr)
    if unranked:
        echo(render(T("{count} not ranked (bad data):", count=len(unranked))), sys.stderr)
        for row in unranked:
            echo(
                f"  {row.label}: " + "; ".join(describe(p) for p in row.problems if p.severity == "error"),
                sys.stderr,
            )
        return EXIT_INVALID
    return EXIT_OK
