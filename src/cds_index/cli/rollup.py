"""`cds-index rollup` (issue 16): new units' results from the old units they were formed from."""

from __future__ import annotations

import argparse
import json

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
    units_parser,
)


def add_parser(subparsers: Subparsers) -> None:
    p = units_parser(
        subparsers,
        "rollup",
        render(T("new units' results from the old units they were formed from (`kind: rearrangement`)")),
        ["table", "json", "csv", "markdown"],
    )
    p.add_argument(
        "--rearrangement", required=True, metavar="FILE", help=render(T("a `kind: rearrangement` file"))
    )
    p.add_argument(
        "--method",
        choices=["mean_index", "mean_pillar_percentages", "weighted_mean", "rescore"],
        default=None,
        help=render(T("default: the file's `method` (mean_index, the ministry's)")),
    )
    p.add_argument(
        "--weight", default=None, metavar="INPUT", help=render(T("weighted_mean: e.g. population"))
    )
    p.add_argument(
        "--compare",
        nargs="+",
        default=None,
        metavar="UNITS",
        help=render(T("the new units measured the year after")),
    )
    p.add_argument("-o", "--output", default=None)
    csv_flags(p)
    folder_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..analyse.roll_up import render as rollup_text
    from ..analyse.roll_up import rollup, write_csv
    from ..read.registry import load

    definition = load(args.definition)
    result = rollup(
        definition,
        args.inputs,
        args.rearrangement,
        method=args.method,
        weight=args.weight,
        compare=args.compare,
        year=args.year,
        lang=args.lang,
    )
    with open_output(args.output) as stream:
        if args.format == "json":  # C1 and bidi controls escaped, as every JSON the CLI writes
            stream.write(json_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2)) + "\n")
        elif args.format == "csv":
            write_csv(
                result,
                definition,
                stream,
                headers=args.headers,
                number_format=args.number_format,
                exact=args.exact,
                bom=args.bom,
            )
        else:
            echo(rollup_text(result, definition, lang=args.lang, markdown=args.format == "markdown"), stream)
    return EXIT_OK if result.ok else EXIT_INVALID
